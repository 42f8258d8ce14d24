# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The base module (connection options, client, one error path), the ensure engine every object module runs
(``EntityModule``) and the reading one (``InfoModule``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    LiteLLMError,
    UnsupportedError,
    ValidationError,
    scrub_data,
)
from ansible_collections.llmops.litellm.plugins.module_utils._cascade import (
    CASCADE_OPTION,
    cascade_of,
    refuse,
    report,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import cascades_of
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import object_requirements, refusal_reason, route_missing, unsupported
from ansible_collections.llmops.litellm.plugins.module_utils._checks import (
    ensure_creatable,
    ensure_key_free,
    ensure_names_exist,
    no_parent,
    resolve_names,
)
from ansible_collections.llmops.litellm.plugins.module_utils._read import LiveNames, Reader
from ansible_collections.llmops.litellm.plugins.module_utils._spec import MemberPlan
from ansible_collections.llmops.litellm.plugins.module_utils._write import (
    create_object,
    finish_create,
    plan_links,
    send_delete,
    send_links,
    send_members,
    send_update,
    wanted_links,
)

URL_ENV = ("LITELLM_PROXY_URL",)
KEY_ENV = ("LITELLM_PROXY_API_KEY", "LITELLM_MASTER_KEY")


def env_fallback(*names):
    """The first of the environment variables that is set and not empty (an empty one does not shadow the next)."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def connection_argument_spec():
    return dict(
        api_url=dict(type="str", fallback=(env_fallback, list(URL_ENV))),
        api_key=dict(type="str", no_log=True, fallback=(env_fallback, list(KEY_ENV))),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="float", default=30),
    )


class LiteLLMModule(AnsibleModule):
    """An AnsibleModule with the connection options, a LiteLLM client and the one error path.

    Subclasses implement ``run()`` returning the result dict; ``self.action`` names what is being done so that a
    failure reads ``failed to <action>: <reason>`` and carries LiteLLM's HTTP status and parsed error body.
    """

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        super(LiteLLMModule, self).__init__(argument_spec=spec, supports_check_mode=True, **kwargs)
        for option, env in (("api_url", URL_ENV), ("api_key", KEY_ENV)):
            if not self.params[option]:
                self.fail_json(msg="%s is required: set the %s option or the %s environment variable" % (
                    option, option, " or ".join(env)))
        self.action = "connect to LiteLLM"
        self.requirements = []  # (Requires, what, Resource, read_only) this run is held to; see require()
        self.client = self.client_factory()

    def run(self):
        raise NotImplementedError

    def client_factory(self):
        """Another client like ``self.client``, for a thread of its own (a requests.Session is not shared)."""
        params = self.params
        return Client(params["api_url"], params["api_key"], timeout=params["timeout"],
                      validate_certs=params["validate_certs"], ca_path=params["ca_path"], check_mode=self.check_mode)

    def execute(self):
        try:
            result = self.run()
        except LiteLLMError as exc:
            extra = dict((k, v) for k, v in (("status", exc.status), ("body", exc.body)) if v is not None)
            if isinstance(exc, UnsupportedError):
                reasons = []
            elif exc.status in (404, 405) and route_missing(exc.body):  # a route this LiteLLM does not have
                reasons = [unsupported(self.client, r, what, resource, read_only, licence=False)
                           for r, what, resource, read_only in self.requirements]
            else:
                reasons = [r.explain(what, exc.msg, exc.status) for r, what, _res, _ro in self.requirements]
            msg = "failed to %s: %s" % (self.action, next((reason for reason in reasons if reason), None)
                                        or refusal_reason(exc))
            if self.client.writes:  # a run that fails after a write changed something: say what
                extra.update(changed=True, written=list(self.client.writes))
                msg += " (already written before the failure: %s)" % ", ".join(self.client.writes)
            self.fail_json(msg=msg, **extra)
        if self.client.writes:
            result["changed"] = True
        self.exit_json(**result)

    def require(self, requires, what, resource=None, read_only=False):
        """Hold the run to ``requires``, failing with one sentence (UnsupportedError) when the proxy says it cannot.

        The licence is asked at once, before anything is read or written. The API paths, which cost a 2 MB
        /openapi.json, are asked only when they matter: before check mode predicts a write (``confirm_offered``)
        and when LiteLLM answers that a route does not exist; a run that changes nothing does not ask. LiteLLM's
        refusals that name a licence or a setting are explained the same way.
        """
        self.requirements.append((requires, what, resource, read_only))
        reason = unsupported(self.client, requires, what, resource, read_only, paths=False)
        if reason:
            raise UnsupportedError(reason)

    def confirm_offered(self):
        """Check mode is about to predict a write: fail unless the proxy offers the API paths of every requirement."""
        for requires, what, resource, read_only in self.requirements:
            reason = unsupported(self.client, requires, what, resource, read_only, licence=False)
            if reason:
                raise UnsupportedError(reason)

    def secret_free(self, obj):
        """``obj`` with secret-named fields blanked, for results and diffs."""
        return scrub_data(obj, (self.params["api_key"],))


class EntityModule(LiteLLMModule):
    """A module for one object of a kind: ``state: present|absent`` over the kind's Resource spec.

    The engine finds the object by id or natural key, compares only the options the user set, sends only what
    differs (plus the id), reconciles members, predicts the result in check mode (where the client refuses
    writes), and reports an exact ``changed`` and a before/after diff with secrets blanked.
    """

    def __init__(self, resource, argument_spec=None, **kwargs):
        self.resource = resource
        spec = resource.argument_spec()
        spec.update(argument_spec or {})  # options a module subclass handles itself
        required_one_of = [resource.lookup_options]
        if len(resource.lookup_options) == 1:  # the name is the id (a tag), or the id is not an option (a prompt's)
            spec[resource.key_field] = dict(spec[resource.key_field], required=True)
            required_one_of = []
        if cascades_of(resource):
            spec["cascade"] = dict(CASCADE_OPTION)
        super(EntityModule, self).__init__(spec, required_one_of=required_one_of, **kwargs)
        self.reader = Reader(self.client, resource)
        self.cascaded = []  # (child Resource, child raw, effect): what LiteLLM deletes or changes with the object

    def run(self):
        resource, params = self.resource, self.params
        label = resource.label(params)
        for reference in resource.references:
            if params.get(reference.option):
                self.resolve_reference(reference, label)
        self.action = "validate %s" % label
        desired = resource.desired(params)
        members = params.get("members") if resource.members else None
        for requires, what in object_requirements(resource, desired):
            self.action = "manage %s" % label
            self.require(requires, what, resource)
        if resource.preflight:
            resource.preflight(self.client, params)
        if params["state"] == "present" and resource.names:
            self.action = "validate %s" % label
            live = LiveNames(self.client)
            ensure_names_exist(resource, desired, live, params)
            resolve_names(resource, desired, live, params)  # a team named by its alias: its id

        self.action = "read %s" % label
        object_id = params.get(resource.id_field)
        more = resource.key_filters(params) if resource.key_filters else {}
        raw = self.reader.by_id(object_id) if object_id else self.reader.by_key(params[resource.key_field], **more)
        before = resource.view(raw)
        if members and resource.members.resolve and params["state"] == "present":
            self.action = "find the users of the members of %s" % label
            members = resource.members.resolve(self.client, members)

        if params["state"] == "absent":
            changed, after = self.absent(label, raw)
        else:
            changed, after = self.present(label, raw, before, desired, members, looked_up_by_id=bool(object_id))

        result = dict(changed=changed)
        result[resource.kind] = self.secret_free(after)
        if self.cascaded:
            result["cascaded"] = report(self.cascaded)
        if self._diff:
            result["diff"] = dict(before=self.secret_free(self.diffable(before)),
                                  after=self.secret_free(self.diffable(after)))
            if self.cascaded:
                result["diff"]["before"]["cascaded"] = result["cascaded"]
        return result

    def resolve_reference(self, reference, label):
        """A parent the module offers by natural key (a key's team_alias, a team's organization_alias): its id goes
        into the option that LiteLLM takes (team_id, organization_id). Check mode only warns about a parent that
        does not exist yet (an earlier task of the same run may create it)."""
        target, value = reference.target, self.params[reference.option]
        self.action = "find the %s '%s' of %s" % (target.kind, value, label)
        parent = Reader(self.client, target).by_key(value)
        if parent:
            self.params[reference.field] = parent[target.id_field]
        elif self.check_mode:
            self.warn("%s yet; a real run fails unless an earlier task creates it" % no_parent(target, target.key_field, value))
        else:
            raise ValidationError(no_parent(target, target.key_field, value))

    def diffable(self, view):
        """The part of a view that the user declares: options and members, not spend or timestamps."""
        return dict((k, v) for k, v in view.items() if k not in self.resource.by_name or self.resource.by_name[k].option)

    def absent(self, label, raw):
        """Delete the object if it exists; returns (changed, the object after: always empty)."""
        if raw:
            self.action = "delete %s" % label
            self.ensure_writable(raw)
            self.plan_cascade(label, raw)
        if raw and self.check_mode:
            self.confirm_offered()
        if raw and not self.check_mode:
            send_delete(self.client, self.resource, raw)
        return raw is not None, {}

    def plan_cascade(self, label, raw):
        """Find what LiteLLM's deletion of ``raw`` takes with it; refuse unless the task sets ``cascade``."""
        cascades = cascades_of(self.resource)
        if not cascades:
            return
        self.action = "find what LiteLLM deletes with %s" % label
        live = {}
        for child, cascade in cascades:  # listed with LiteLLM's filter where it has one (a team's keys)
            field = cascade.path[0] if len(cascade.path) == 1 and cascade.path[0] in child.find.filters else None
            found = Reader(self.client, child).matching(**({field: raw[self.resource.id_field]} if field else {}))
            live.setdefault(child.kind, []).extend(child.bulk_join(self.client, found) if child.bulk_join else found)
        self.cascaded = cascade_of(self.resource, raw, live)
        self.action = "delete %s" % label
        if self.cascaded and not self.params["cascade"]:
            refuse("it", self.cascaded, "this task does not delete", "delete %s first")

    def present(self, label, raw, before, desired, members, looked_up_by_id):
        """Create or update the object; returns (changed, the object after, or as predicted in check mode)."""
        resource = self.resource
        new_key = desired.get(resource.key_field)
        if looked_up_by_id and resource.unique_key and new_key is not None and new_key != before.get(resource.key_field):
            self.action = "%s %s" % ("rename" if raw else "create", label)
            ensure_key_free(resource, new_key, raw, self.reader.matching(**{resource.key_field: new_key}))

        self.action = "%s %s" % ("update" if raw else "create", label)
        changes = resource.changes(desired, before)
        secrets = resource.secrets(desired) if raw and self.params.get("update_secrets") == "always" else {}
        predicted = resource.predict(before, changes)
        plan = MemberPlan([], [], [], [])
        if resource.members:
            purge = self.params["purge_members"] and members is not None
            plan = resource.members.plan(members or [], before.get("members") or [], purge)
            predicted["members"] = plan.predicted
        links = self.plan_links(before)
        for link, link_plan in links:
            predicted[link.name] = link_plan.predicted

        if raw and not (changes or secrets or plan.add or plan.update or plan.remove
                        or any(p.add or p.remove for _link, p in links)):
            return False, before
        if raw is None:
            self.ensure_creatable(label, desired, looked_up_by_id)
        if raw:
            self.action = "update %s" % label
            self.ensure_writable(raw)
        if self.check_mode:
            self.confirm_offered()
            return True, predicted

        if raw is None:
            self.action = "create %s" % label
            object_id = create_object(self.client, resource, self.create_body(resource.payload(desired)), members,
                                      desired.get(resource.id_field), desired)
            return True, resource.view(finish_create(
                self.client, resource, object_id, members, self.params.get("purge_members"),
                wanted_links(resource, self.params), step=lambda what: self.name_action(what, label)))
        object_id = raw[resource.id_field]
        if changes or secrets:
            self.action = "update %s" % label
            send_update(self.client, resource, resource.update_options(desired, changes, secrets), raw)
        self.apply_members(label, object_id, plan)
        self.apply_links(label, object_id, links)
        self.action = "read %s" % label
        return True, resource.view(self.reader.by_id(object_id))

    def create_body(self, body):
        """The create request's body; a module subclass adds what only it knows (a virtual key's value)."""
        return body

    def apply_members(self, label, object_id, plan):
        send_members(self.client, self.resource, object_id, plan, step=lambda what: self.name_action(what, label))

    def name_action(self, what, label):
        self.action = "%s %s" % (what, label)

    def plan_links(self, view):
        """(Links, LinkPlan) for each link option the user set, planned against the links in ``view``."""
        return plan_links(wanted_links(self.resource, self.params), view)

    def apply_links(self, label, object_id, links):
        send_links(self.client, object_id, links, step=lambda what: self.name_action(what, label))

    def ensure_creatable(self, label, desired, looked_up_by_id):
        """Refuse a create that LiteLLM would refuse or misread (see the function ensure_creatable)."""
        self.action = "create %s" % label
        ensure_creatable(self.resource, self.params if looked_up_by_id else {}, desired)

    def ensure_writable(self, raw):
        """Refuse to change or delete an object LiteLLM does not let the API change (defined in its config file)."""
        reason = self.resource.read_only(raw) if self.resource.read_only else None
        if reason:
            raise ValidationError(reason)


class InfoModule(LiteLLMModule):
    """Reads objects of a kind: by id, by natural key, or all; returns them under the kind's plural."""

    def __init__(self, resource, **kwargs):
        self.resource = resource
        spec = {}
        for name in resource.lookup_options:
            no_log = resource.by_name[name].no_log if name in resource.by_name else None
            spec[name] = dict(type="str") if no_log is None else dict(type="str", no_log=no_log)
        exclusive = [(resource.key_field, resource.id_field)] if len(spec) == 2 else []
        super(InfoModule, self).__init__(spec, mutually_exclusive=exclusive, **kwargs)
        self.reader = Reader(self.client, resource)

    def run(self):
        resource, params = self.resource, self.params
        self.action = "read %s" % (resource.label(params) if params[resource.key_field] or params.get(resource.id_field)
                                   else resource.plural)
        if resource.requires:
            self.require(resource.requires, resource.requires.what or resource.kind, resource, read_only=True)
        if params.get(resource.id_field):
            found = [self.reader.by_id(params[resource.id_field])]
        elif params[resource.key_field]:
            found = self.reader.many(**{resource.key_field: params[resource.key_field]})
        else:
            found = self.reader.many()
        result = dict(changed=False)
        result[resource.plural] = [self.secret_free(resource.view(raw)) for raw in found if raw]
        return result
