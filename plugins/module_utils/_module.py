# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The base module (connection options, client, one error path) and the ensure engine every object module runs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.llmops.litellm.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Client,
)
from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    LiteLLMError,
    ValidationError,
    scrub_data,
)
from ansible_collections.llmops.litellm.plugins.module_utils._resources import MemberPlan

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


def page_through(client, endpoint, params):
    """Every item of a paginated list endpoint (LiteLLM's ``page``/``page_size``/``total_pages``)."""
    items, page = [], 1
    while True:
        answer = client.get(endpoint.path, params=dict(params, page=page, page_size=100))
        items.extend(answer.get(endpoint.items) or [])
        if page >= (answer.get("total_pages") or 1):
            return items
        page += 1


class LiteLLMModule(AnsibleModule):
    """An AnsibleModule with the connection options, a LiteLLM client and the one error path.

    Subclasses implement ``run()`` returning the result dict; ``self.action`` names what is being done so that a
    failure reads ``failed to <action>: <reason>`` and carries LiteLLM's HTTP status and parsed error body.
    """

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        super(LiteLLMModule, self).__init__(argument_spec=spec, supports_check_mode=True, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        for option, env in (("api_url", URL_ENV), ("api_key", KEY_ENV)):
            if not self.params[option]:
                self.fail_json(msg="%s is required: set the %s option or the %s environment variable" % (
                    option, option, " or ".join(env)))
        self.action = "connect to LiteLLM"
        self.client = Client(
            self.params["api_url"],
            self.params["api_key"],
            timeout=self.params["timeout"],
            validate_certs=self.params["validate_certs"],
            ca_path=self.params["ca_path"],
            check_mode=self.check_mode,
        )

    def run(self):
        raise NotImplementedError

    def execute(self):
        try:
            result = self.run()
        except LiteLLMError as exc:
            extra = dict((k, v) for k, v in (("status", exc.status), ("body", exc.body)) if v is not None)
            self.fail_json(msg="failed to %s: %s" % (self.action, exc.msg), **extra)
        self.exit_json(**result)

    def secret_free(self, obj):
        """``obj`` with secret-named fields blanked, for results and diffs."""
        return scrub_data(obj, (self.params["api_key"],))


class Reader(object):
    """Reads objects of one kind: by id, by natural key, or all of them."""

    def __init__(self, client, resource):
        self.client = client
        self.resource = resource

    def by_id(self, object_id):
        """The raw object, or None when LiteLLM says it does not exist."""
        get = self.resource.get
        try:
            answer = self.client.get(get.path, params={get.param: object_id})
        except LiteLLMError as exc:
            if exc.status == 404:
                return None
            raise
        return answer.get(get.unwrap) if get.unwrap else answer

    def matching(self, **filters):
        """Raw list entries matching ``filters`` exactly (LiteLLM's list filters may match substrings)."""
        endpoint = self.resource.find
        params = dict((endpoint.filters[k], v) for k, v in filters.items() if k in endpoint.filters)
        return [o for o in page_through(self.client, endpoint, params) if all(o.get(k) == v for k, v in filters.items())]

    def many(self, **filters):
        """Raw objects matching ``filters``, completed with what the list endpoint leaves out."""
        found = self.matching(**filters)
        return self.resource.hydrate(self.client, found) if self.resource.hydrate else found

    def by_key(self, key):
        """The one raw object with this natural key, None if there is none; two or more is an error."""
        resource = self.resource
        found = self.matching(**{resource.key_field: key})
        if len(found) > 1:
            raise ValidationError("%d %s exist with %s '%s' (%s %s); set %s to choose one" % (
                len(found), resource.plural, resource.key_field, key, resource.id_field,
                ", ".join(sorted(str(o.get(resource.id_field)) for o in found)), resource.id_field))
        return self.by_id(found[0][resource.id_field]) if found else None


class EntityModule(LiteLLMModule):
    """A module for one object of a kind: ``state: present|absent`` over the kind's Resource spec.

    The engine finds the object by id or natural key, compares only the options the user set, sends only what
    differs (plus the id), reconciles members, predicts the result in check mode (where the client refuses
    writes), and reports an exact ``changed`` and a before/after diff with secrets blanked.
    """

    def __init__(self, resource, **kwargs):
        self.resource = resource
        super(EntityModule, self).__init__(
            resource.argument_spec(), required_one_of=[(resource.key_field, resource.id_field)], **kwargs)
        self.reader = Reader(self.client, resource)

    def run(self):
        resource, params = self.resource, self.params
        label = resource.label(params)
        self.action = "validate %s" % label
        desired = resource.desired(params)
        members = params.get("members") if resource.members else None
        if members is not None:
            resource.members.validate(members)

        self.action = "read %s" % label
        object_id = params.get(resource.id_field)
        raw = self.reader.by_id(object_id) if object_id else self.reader.by_key(params[resource.key_field])
        before = resource.view(raw)

        if params["state"] == "absent":
            changed, after = self.absent(label, raw)
        else:
            changed, after = self.present(label, raw, before, desired, members, looked_up_by_id=bool(object_id))

        result = dict(changed=changed)
        result[resource.kind] = self.secret_free(after)
        if self._diff:
            result["diff"] = dict(before=self.secret_free(self.diffable(before)),
                                  after=self.secret_free(self.diffable(after)))
        return result

    def diffable(self, view):
        """The part of a view that the user declares: options and members, not spend or timestamps."""
        return dict((k, v) for k, v in view.items() if k not in self.resource.by_name or self.resource.by_name[k].option)

    def absent(self, label, raw):
        """Delete the object if it exists; returns (changed, the object after: always empty)."""
        if raw and not self.check_mode:
            self.action = "delete %s" % label
            delete = self.resource.delete
            self.client.request(delete.method, delete.path, body=delete.body(raw[self.resource.id_field]),
                                idempotent=delete.idempotent)
        return raw is not None, {}

    def present(self, label, raw, before, desired, members, looked_up_by_id):
        """Create or update the object; returns (changed, the object after, or as predicted in check mode)."""
        resource = self.resource
        new_key = desired.get(resource.key_field)
        if looked_up_by_id and new_key is not None and new_key != before.get(resource.key_field):
            self.action = "%s %s" % ("rename" if raw else "create", label)
            self.ensure_key_free(new_key, raw)

        changes = resource.changes(desired, before)
        predicted = resource.predict(before, changes)
        plan = MemberPlan([], [], [], [])
        if resource.members:
            purge = self.params["purge_members"] and members is not None
            plan = resource.members.plan(members or [], before.get("members") or [], purge)
            predicted["members"] = plan.predicted

        if raw and not (changes or plan.add or plan.update or plan.remove):
            return False, before
        if self.check_mode:
            return True, predicted

        if raw is None:
            object_id = self.create(label, desired, members)
        else:
            object_id = raw[resource.id_field]
            if changes:
                self.action = "update %s" % label
                endpoint = resource.update
                self.client.request(endpoint.method, endpoint.path, body=resource.payload(changes, raw),
                                    idempotent=endpoint.idempotent)
            self.apply_members(label, object_id, plan)
        self.action = "read %s" % label
        return True, resource.view(self.reader.by_id(object_id))

    def create(self, label, desired, members):
        """Create the object with its members; with purge_members, drop members LiteLLM added on its own."""
        resource = self.resource
        self.action = "create %s" % label
        body = resource.payload(desired)
        if members:
            body[resource.members.path[0]] = [resource.members.body(m) for m in members]
        endpoint = resource.create
        object_id = self.client.request(endpoint.method, endpoint.path, body=body,
                                        idempotent=endpoint.idempotent)[resource.id_field]
        if members is not None and self.params["purge_members"]:
            self.action = "read %s" % label
            live = resource.view(self.reader.by_id(object_id))["members"]
            self.apply_members(label, object_id, resource.members.plan(members, live, True))
        return object_id

    def apply_members(self, label, object_id, plan):
        spec, id_field = self.resource.members, self.resource.id_field
        if plan.add:
            self.action = "add members to %s" % label
            self.client.post(spec.add, {id_field: object_id, "member": [spec.body(m) for m in plan.add]})
        for member in plan.update:
            self.action = "change the role of a member of %s" % label
            self.client.post(spec.update, dict(spec.identity(member), role=member["role"], **{id_field: object_id}),
                             idempotent=True)
        for member in plan.remove:
            self.action = "remove a member from %s" % label
            self.client.post(spec.delete, dict(spec.identity(member), **{id_field: object_id}))

    def ensure_key_free(self, key, raw):
        """Refuse to create or rename to a natural key another object already has (LiteLLM allows duplicates)."""
        resource = self.resource
        others = [o for o in self.reader.matching(**{resource.key_field: key})
                  if not raw or o[resource.id_field] != raw[resource.id_field]]
        if others:
            raise ValidationError("%s '%s' is already used by %s %s" % (
                resource.key_field, key, resource.id_field, ", ".join(sorted(o[resource.id_field] for o in others))))


class InfoModule(LiteLLMModule):
    """Reads objects of a kind: by id, by natural key, or all; returns them under the kind's plural."""

    def __init__(self, resource, **kwargs):
        self.resource = resource
        spec = {resource.key_field: dict(type="str"), resource.id_field: dict(type="str")}
        super(InfoModule, self).__init__(spec, mutually_exclusive=[(resource.key_field, resource.id_field)], **kwargs)
        self.reader = Reader(self.client, resource)

    def run(self):
        resource, params = self.resource, self.params
        self.action = "read %s" % (resource.label(params) if params[resource.key_field] or params[resource.id_field]
                                   else resource.plural)
        if params[resource.id_field]:
            found = [self.reader.by_id(params[resource.id_field])]
        elif params[resource.key_field]:
            found = self.reader.many(**{resource.key_field: params[resource.key_field]})
        else:
            found = self.reader.many()
        result = dict(changed=False)
        result[resource.plural] = [self.secret_free(resource.view(raw)) for raw in found if raw]
        return result
