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
    MissingObject,
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
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import (
    licence_refusal,
    licence_type,
    missing_calls,
    route_missing,
)
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    MemberPlan,
    get_path,
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


def unsupported(client, requires, what, resource=None, read_only=False, paths=True, licence=True):
    """Why this proxy cannot do what ``requires`` names, in one sentence, as the proxy itself tells; None when it
    can (or does not say). Reads /openapi.json (``paths``) and /health/license (``licence``) at most once per
    client."""
    calls = requires.calls(resource, read_only) if paths else None
    if calls:
        try:
            missing = missing_calls(client.get_kept("/openapi.json"), calls)
        except LiteLLMError:
            missing = None  # no description served (NO_OPENAPI, another OPENAPI_URL): nothing to go by
        if missing:
            return "%s needs %s of the LiteLLM API, which this proxy does not offer (its /openapi.json lacks %s)" % (
                what, ", ".join(missing), "it" if len(missing) == 1 else "them")
    if requires.enterprise and licence:
        try:
            licence = licence_type(client.get_kept("/health/license"))
        except LiteLLMError:
            licence = None
        if licence and licence != "enterprise":
            return "%s needs a LiteLLM Enterprise licence (this proxy reports licence type '%s' at /health/license)" % (
                what, licence)
    return None


def object_requirements(resource, desired):
    """(Requires, what) that managing an object of ``resource`` with the options ``desired`` holds the proxy to: the
    kind's own, and those of the options set (a tag's ``model_max_budget``). The modules and the gateway engine
    both ask it."""
    found = [(resource.requires, resource.requires.what or resource.kind)] if resource.requires else []
    for name in sorted(n for n in desired if resource.by_name[n].requires and desired[n] not in (None, "", [], {})):
        requires = resource.by_name[name].requires
        found.append((requires, requires.what or "%s of a %s" % (name, resource.kind)))
    return found


def refusal_reason(exc):
    """What to tell of a failed call no declared requirement explains: LiteLLM's licence refusals in the licence
    sentence (whatever option LiteLLM holds for Enterprise), else its own message. Modules and the gateway engine
    both say it this way."""
    if isinstance(exc, UnsupportedError):  # already the sentence
        return exc.msg
    return licence_refusal("this", exc.msg) or exc.msg


def ensure_key_free(resource, key, raw, holders):
    """Refuse to create or rename to a natural key another object already has (LiteLLM allows duplicates);
    ``holders`` are the live objects that have ``key``, ``raw`` the object being renamed (None for a create)."""
    others = [o for o in holders if not raw or o[resource.id_field] != raw[resource.id_field]]
    if others:
        raise ValidationError("%s '%s' is already used by %s %s" % (
            resource.key_field, key, resource.id_field, ", ".join(sorted(o[resource.id_field] for o in others))))


def missing_required(resource, desired):
    """The options a create of ``resource`` needs that ``desired`` leaves unset."""
    return [name for name in resource.required if get_path(desired, name.split(".")) in (None, "")]


def ensure_creatable(resource, params, desired):
    """Refuse a create that LiteLLM would refuse or misread, in the modules and the gateway engine alike: an id that
    LiteLLM chooses itself (``params`` set it), or an option it needs that ``desired`` leaves unset."""
    object_id = params.get(resource.id_field)
    if object_id and resource.generated_id and resource.id_field != resource.key_field:
        raise ValidationError("no %s has %s '%s', and LiteLLM chooses the %s of a new %s: leave %s out to create one"
                              % (resource.kind, resource.id_field, object_id, resource.id_field, resource.kind,
                                 resource.id_field))
    missing = missing_required(resource, desired)
    if missing:
        raise ValidationError("%s %s required to create a %s" % (
            " and ".join(missing), "is" if len(missing) == 1 else "are", resource.kind))


def no_parent(target, option, key):
    """Why an object cannot name its parent (a key its team) by natural key: no such parent."""
    return "no %s has %s '%s'" % (target.kind, option, key)


def ensure_names_exist(resource, desired, known, params=None):
    """Refuse options that name objects which do not exist (a model's credential, a tag's models): ``known(names)``
    is the set of names of ``names.target`` that exist (live in a module; declared or live in a document). A name
    with ``*`` is a pattern, not an object."""
    for option, names, name in resource.named(desired, params):
        if "*" not in str(name) and name not in known(names):
            raise MissingObject("%s names %s %s '%s', which does not exist" % (
                option, "an" if names.target.kind[0] in "aeiou" else "a", names.target.kind, name),
                "%s '%s'" % (names.target.kind, name))


def live_names(client):
    """known(names) for ensure_names_exist from the live objects, each target kind's list read once."""
    cache = {}

    def known(names):
        if names.target.kind not in cache:
            cache[names.target.kind] = Reader(client, names.target).matching()
        return set(raw.get(f) for raw in cache[names.target.kind] for f in names.fields) - set([None])
    return known


PAGE_SIZE = 100


def list_page(client, endpoint, params, page, resource=None):
    """One page of a list endpoint (LiteLLM's ``page``/``page_size``/``total_pages``): (items, number of pages); an
    endpoint that is not paginated answers with everything as page 1 of 1. With the kind's ``resource``, ordered
    by its unique id where LiteLLM can."""
    params = dict(endpoint.query, **params)
    if not endpoint.paginated:
        answer = client.get(endpoint.path, params=params or None)
        return list(answer if isinstance(answer, list) else (answer or {}).get(endpoint.items) or []), 1
    if resource is not None and resource.list_order:
        params.update(sort_by=resource.list_order, sort_order="asc")
    answer = client.get(endpoint.path, params=dict(params, page=page, **{endpoint.page_size: PAGE_SIZE}))
    return answer.get(endpoint.items) or [], answer.get("total_pages") or 1


def page_through(client, endpoint, params, resource=None):
    """Every item of a list endpoint, page after page; with the kind's ``resource``, each object once."""
    items, pages = list_page(client, endpoint, params, 1, resource)
    page = 1
    while page < pages:
        page += 1
        more, pages = list_page(client, endpoint, params, page, resource)
        items.extend(more)
    return unique(resource, items) if resource is not None and resource.list_order else items


def unique(resource, found):
    """Objects listed once each (a page boundary that moved while the pages were read repeats one); objects
    without an id are all kept."""
    seen, once = set(), []
    for raw in found:
        key = raw.get(resource.id_field)
        if key is None or key not in seen:
            seen.add(key)
            once.append(raw)
    return once


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
        self.requirements = []  # (Requires, what, Resource, read_only) this run is held to; see require()
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


class Reader(object):
    """Reads objects of one kind: by id, by natural key, or all of them."""

    def __init__(self, client, resource):
        self.client = client
        self.resource = resource

    def by_id(self, object_id, whole=False):
        """The raw object, or None when LiteLLM says it does not exist (``whole``: LiteLLM's whole answer)."""
        get = self.resource.get
        if get is None:  # no endpoint reads one object: find it in the list
            found = self.matching(**{self.resource.id_field: object_id})
            return found[0] if found else None
        try:
            answer = self.client.get(get.target(object_id), params={get.param: object_id} if get.param else None)
        except LiteLLMError as exc:
            if exc.status == 404 and not route_missing(exc.body):
                return None
            raise
        return answer if whole else self.unwrap(answer)

    def unwrap(self, answer):
        """The object in the whole answer of the kind's ``get``."""
        get = self.resource.get
        if callable(get.unwrap):
            answer = get.unwrap(answer)
        elif get.unwrap:
            answer = answer.get(get.unwrap)
        return self.resource.shape(answer) if self.resource.shape and answer else answer

    def matching(self, **filters):
        """Raw list entries matching ``filters`` exactly (LiteLLM's list filters may match substrings)."""
        endpoint = self.resource.find
        params = dict((endpoint.filters[k], v) for k, v in filters.items() if k in endpoint.filters)
        found = page_through(self.client, endpoint, params, self.resource)
        if self.resource.shape:
            found = [self.resource.shape(o) for o in found]
        return [o for o in found if all(o.get(k) == v for k, v in filters.items())
                and (endpoint.where is None or endpoint.where(o))]

    def many(self, **filters):
        """Raw objects matching ``filters``, completed with what the list endpoint leaves out."""
        found = self.matching(**filters)
        return self.resource.hydrate(self.client, found) if self.resource.hydrate else found

    def by_key(self, key, whole=False, **more):
        """The one raw object with this natural key (and the ``more`` filters), None if there is none; two or more
        is an error."""
        resource = self.resource
        found = self.matching(**dict(more, **{resource.key_field: key}))
        if len(found) > 1:
            raise ValidationError("%d %s exist with %s '%s'%s (%s %s); set %s to choose one" % (
                len(found), resource.plural, resource.key_field, key,
                "".join(" and %s '%s'" % item for item in sorted(more.items())), resource.id_field,
                ", ".join(sorted(str(o.get(resource.id_field)) for o in found)), resource.id_field))
        if found and resource.get is None:
            return found[0]
        return self.by_id(found[0][resource.id_field], whole) if found else None


def send(client, target, body, idempotent=False):
    """POST ``body`` to a path, or send it to an Endpoint with the Endpoint's method."""
    if isinstance(target, Endpoint):
        return client.request(target.method, target.path, body=body, idempotent=target.idempotent)
    return client.post(target, body, idempotent=idempotent)


def send_create(client, resource, body):
    """Create an object with a request body already made; returns the id LiteLLM answers with, None when it does
    not echo one (credentials are named by the caller: the id is then the one asked for)."""
    endpoint = resource.create
    answer = client.request(endpoint.method, endpoint.target(), body=body, idempotent=endpoint.idempotent)
    created = answer.get(endpoint.unwrap) if endpoint.unwrap and isinstance(answer, dict) else answer
    return created.get(resource.id_field) if isinstance(created, dict) else None


def send_update(client, resource, changes, raw):
    """Send the options in ``changes`` (option names, desired values) of the live object ``raw``."""
    if resource.update_with:
        resource.update_with(client, resource, changes, raw)
        return
    endpoint = resource.update
    client.request(endpoint.method, endpoint.target(raw[resource.id_field]), body=resource.payload(changes, raw),
                   idempotent=endpoint.idempotent)


def send_delete(client, resource, raw):
    """Delete the live object ``raw``."""
    delete, object_id = resource.delete, raw[resource.id_field]
    client.request(delete.method, delete.target(object_id), body=delete.body(object_id) if delete.body else None,
                   idempotent=delete.idempotent)


def send_members(client, resource, object_id, plan, step=lambda what: None):
    """Add, re-role and remove members as ``plan`` (a MemberPlan) says; ``step(what)`` names each call first."""
    spec, id_field = resource.members, resource.id_field
    if plan.add:
        step("add members to")
        send(client, spec.add, {id_field: object_id, "member": [spec.body(m) for m in plan.add]})
    for member in plan.update:
        step("change the role of a member of")
        send(client, spec.update, dict(spec.identity(member), role=member["role"], **{id_field: object_id}),
             idempotent=True)
    for member in plan.remove:
        step("remove a member from")
        send(client, spec.delete, dict(spec.identity(member), **{id_field: object_id}))


def send_links(client, object_id, links, step=lambda what: None):
    """Join and leave what each (Links, LinkPlan) in ``links`` says; ``step(what)`` names each link first."""
    for link, plan in links:
        step("update the %s of" % link.name)
        for target in plan.add:
            send(client, link.join, link.join.body(object_id, target))
        for target in plan.remove:
            send(client, link.leave, link.leave.body(object_id, target))


def wanted_links(resource, params):
    """(Links, the ids wanted, purge) for each link option set in ``params``."""
    return [(link, params[link.name], params[link.purge]) for link in resource.links if params.get(link.name) is not None]


def plan_links(wanted, view):
    """(Links, LinkPlan) for each of ``wanted`` (see wanted_links), planned against the links in ``view``."""
    return [(link, link.plan(ids, view.get(link.name) or [], purge)) for link, ids, purge in wanted]


def create_object(client, resource, body, members, known_id=None, desired=None):
    """Create an object from a request body already made, with its ``members`` where LiteLLM takes them in the
    create, then send the options of ``desired`` that the create cannot take (``resource.later``); returns its id
    (``known_id`` when LiteLLM does not answer with one)."""
    if members and resource.members.in_create:
        body[resource.members.path[0]] = [resource.members.body(m) for m in members]
    object_id = send_create(client, resource, body)
    object_id = known_id if object_id is None else object_id
    later = dict((k, v) for k, v in (desired or {}).items() if k in resource.later)
    if later:
        send_update(client, resource, later, {resource.id_field: object_id})
    return object_id


def finish_create(client, resource, object_id, members, purge_members, links, step=lambda what: None):
    """What follows a create, in the modules and the gateway engine alike: the members reconciled against the
    object read back (those LiteLLM does not take in the create; with ``purge_members``, those it added on its
    own, such as the master key's user as a team admin), the links (see wanted_links) planned against it and
    sent, and the object read back; returns it (raw). ``step(what)`` names each call first."""
    reader = Reader(client, resource)
    if members is not None and (purge_members or not resource.members.in_create):
        step("read")
        live = resource.view(reader.by_id(object_id))["members"]
        send_members(client, resource, object_id, resource.members.plan(members, live, purge_members), step)
    if links:
        step("read")
        send_links(client, object_id, plan_links(links, resource.view(reader.by_id(object_id))), step)
    step("read")
    return reader.by_id(object_id)


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
        required_one_of = [(resource.key_field, resource.id_field)]
        if resource.id_field == resource.key_field:  # the name is the id (a tag)
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
            ensure_names_exist(resource, desired, live_names(self.client), params)

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
            send_update(self.client, resource, dict(changes, **secrets), raw)
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
        for name in (resource.key_field, resource.id_field):
            no_log = resource.by_name[name].no_log if name in resource.by_name else None
            spec[name] = dict(type="str") if no_log is None else dict(type="str", no_log=no_log)
        exclusive = [(resource.key_field, resource.id_field)] if len(spec) == 2 else []
        super(InfoModule, self).__init__(spec, mutually_exclusive=exclusive, **kwargs)
        self.reader = Reader(self.client, resource)

    def run(self):
        resource, params = self.resource, self.params
        self.action = "read %s" % (resource.label(params) if params[resource.key_field] or params[resource.id_field]
                                   else resource.plural)
        if resource.requires:
            self.require(resource.requires, resource.requires.what or resource.kind, resource, read_only=True)
        if params[resource.id_field]:
            found = [self.reader.by_id(params[resource.id_field])]
        elif params[resource.key_field]:
            found = self.reader.many(**{resource.key_field: params[resource.key_field]})
        else:
            found = self.reader.many()
        result = dict(changed=False)
        result[resource.plural] = [self.secret_free(resource.view(raw)) for raw in found if raw]
        return result
