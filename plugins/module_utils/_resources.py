# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One declarative spec per LiteLLM object kind, and the pure functions that read, compare and write them.

A spec says where the kind lives in the API (endpoints, id, natural key), which options a module offers and
where each one is found in what LiteLLM returns. Everything here is side-effect free except the hooks that
take a client; the engine in _module.py does the calls.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
from collections import namedtuple
from urllib.parse import quote

from ansible_collections.llmops.litellm.plugins.module_utils._errors import LiteLLMError, ValidationError

EMPTY = (None, "", [], {})


def get_path(obj, path):
    """``obj[path[0]][path[1]]...``, or None when any step is missing."""
    for step in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(step)
    return obj


def _sort_key(value):
    return json.dumps(value, sort_keys=True, default=str)


def _prune(value):
    """Drop None (and emptied) entries from dicts, recursively."""
    if isinstance(value, dict):
        pruned = dict((k, _prune(v)) for k, v in value.items())
        return dict((k, v) for k, v in pruned.items() if v is not None)
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


class Field(object):
    """One option of a kind: its type, where LiteLLM keeps it, and how to compare it.

    ``path``: where the value is in LiteLLM's object (default: top level, same name).
    ``ordered``: for lists, whether order matters; unordered lists compare as sets.
    ``minimum``: lowest allowed number (for a dict: for each of its values), checked before any request.
    ``keep_keys``: for dicts that LiteLLM shares with other options (a team's metadata holds its tags): keys
    the option does not own; they are hidden from the option's value and preserved when it is written.
    ``option``: False for read-only attributes that are returned but cannot be set.
    ``no_log``: True for secrets; False for names that only look secret (``team_member_key_duration``).
    ``create_only``: an instruction for the create request (``send_invite_email``), not state: sent when the
    object is created, never compared, never returned.
    ``clearable``: False when LiteLLM ignores an empty value on update (a user's ``models``); asking to empty a
    value that is set then fails before any request instead of reporting a change that never happens.
    ``write_only``: a secret LiteLLM never returns (or returns masked): not read back, not compared, never shown;
    sent on create and, with ``update_secrets=always``, on every update (see ``public``/``secret``).
    ``requires``: a Requires that setting this option needs (a tag's ``model_max_budget`` needs Enterprise),
    checked like the Resource's when the option is set.
    """

    def __init__(self, name, type="str", elements=None, path=None, ordered=False, minimum=None, choices=None,
                 keep_keys=(), option=True, no_log=None, create_only=False, clearable=True, write_only=False,
                 requires=None):
        self.name = name
        self.type = type
        self.elements = elements
        self.path = tuple(path or (name,))
        self.ordered = ordered
        self.minimum = minimum
        self.choices = choices
        self.keep_keys = frozenset(keep_keys)
        self.option = option
        self.no_log = no_log
        self.create_only = create_only
        self.clearable = clearable
        self.write_only = write_only
        if write_only and no_log is None:
            self.no_log = True
        self.requires = requires

    def argument_spec(self):
        spec = dict(type=self.type)
        if self.no_log is not None:
            spec["no_log"] = self.no_log
        if self.elements:
            spec["elements"] = self.elements
        if self.choices:
            spec["choices"] = list(self.choices)
        return spec

    def read(self, raw):
        """The field's value in a raw LiteLLM object, as the user would write it."""
        if self.write_only:
            return None
        value = get_path(raw, self.path)
        if self.type == "dict" and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        if self.keep_keys and isinstance(value, dict):
            value = dict((k, v) for k, v in value.items() if k not in self.keep_keys)
        return self.normalise(value)

    def normalise(self, value):
        """Canonical form for comparison: empty is None, numbers typed, unordered lists sorted, dicts pruned."""
        if value in EMPTY:
            return None
        if self.type == "float":
            return float(value)
        if self.type == "int":
            return int(value)
        if self.type == "list":
            value = [_prune(v) for v in value]
            return value if self.ordered else sorted(dict((_sort_key(v), v) for v in value).values(), key=_sort_key)
        if self.type == "dict":
            return _prune(value) or None
        return value

    def validate(self, value):
        reserved = sorted(self.keep_keys.intersection(value)) if isinstance(value, dict) else []
        if reserved:
            raise ValidationError("%s must not set %s: LiteLLM manages these keys itself (set them with their own "
                                  "options where this module has them)" % (self.name, ", ".join(reserved)))
        if self.minimum is None:
            return
        values = value.items() if isinstance(value, dict) else [(None, value)]
        for key, number in values:
            if isinstance(number, (int, float)) and not isinstance(number, bool) and number < self.minimum:
                where = self.name if key is None else "%s[%s]" % (self.name, key)
                raise ValidationError("%s must be >= %s, got %s" % (where, self.minimum, number))

    @property
    def has_secrets(self):
        """Whether values of this option can hold write-only parts (then modules offer ``update_secrets``)."""
        return self.write_only

    def public(self, value):
        """The part of a desired value that is compared with LiteLLM's answer and shown; None when there is none."""
        return None if self.write_only else value

    def secret(self, value):
        """The write-only part of a desired value; None when there is none."""
        return value if self.write_only else None

    def differs(self, desired, live):
        """Whether the public part of a desired value differs from the option's value in the live view."""
        return self.normalise(desired) != live

    def merged(self, live, desired):
        """The option's value in the view once the public part of a desired value is written."""
        return self.normalise(desired)

    def write(self, value, raw):
        """The value to send for this option, given the live raw object (None on create)."""
        if self.keep_keys and isinstance(value, dict):
            live = get_path(raw, self.path) if raw else None
            kept = dict((k, v) for k, v in (live or {}).items() if k in self.keep_keys)
            kept.update(value)
            return kept
        return value


MemberPlan = namedtuple("MemberPlan", "add update remove predicted")


class Members(object):
    """Users attached to an object with a role (team and organization members), reconciled one call each.

    ``add``, ``update`` and ``delete`` are paths (POST) or Endpoints. ``role_key``: the name of the role in
    LiteLLM's member objects. ``in_create``: whether the create request takes the members (else they are added
    after it). ``resolve(client, members)``: returns the members with what LiteLLM needs filled in (a user_id
    for an email), reading only; called before planning.
    """

    def __init__(self, path, add, update, delete, roles, default_role, role_key="role", in_create=True,
                 resolve=None):
        self.path = tuple(path)
        self.add = add
        self.update = update
        self.delete = delete
        self.roles = tuple(roles)
        self.default_role = default_role
        self.role_key = role_key
        self.in_create = in_create
        self.resolve = resolve

    def argument_spec(self):
        return dict(
            members=dict(type="list", elements="dict", required_one_of=[("user_id", "user_email")], options=dict(
                user_id=dict(type="str"),
                user_email=dict(type="str"),
                role=dict(type="str", choices=list(self.roles), default=self.default_role),
            )),
            purge_members=dict(type="bool", default=False),
        )

    @staticmethod
    def member(entry):
        return dict((k, entry.get(k)) for k in ("user_id", "user_email", "role"))

    @staticmethod
    def body(member):
        """A member as LiteLLM's requests take it: without the fields that are not set."""
        return dict((k, v) for k, v in member.items() if v is not None)

    def read(self, raw):
        return self.sort([self.member(dict(m, role=m.get(self.role_key))) for m in get_path(raw, self.path) or []])

    @staticmethod
    def identity(member):
        """The one field that names a member: user_id when known, else user_email."""
        return dict(user_id=member["user_id"]) if member.get("user_id") else dict(user_email=member["user_email"])

    @staticmethod
    def matches(wanted, live):
        if wanted.get("user_id"):
            return wanted["user_id"] == live.get("user_id")
        return (wanted["user_email"] or "").lower() == (live.get("user_email") or "").lower()

    def validate(self, desired):
        seen = set()
        for member in desired:
            (name,) = self.identity(member).items()
            if name in seen:
                raise ValidationError("members lists %s=%s twice" % name)
            seen.add(name)

    @staticmethod
    def sort(members):
        return sorted(members, key=lambda m: (m["user_id"] or "", (m["user_email"] or "").lower()))

    def plan(self, desired, live, purge):
        """What to add, re-role and remove so that ``live`` has ``desired`` (and nothing else, with purge).

        Returns a MemberPlan of member lists; ``update`` holds members with their new role, ``predicted`` the result.
        """
        add, update, kept = [], [], {}
        for wanted in desired:
            index = next((i for i, m in enumerate(live) if self.matches(wanted, m)), None)
            if index is None:
                add.append(self.member(wanted))
                continue
            kept[index] = dict(live[index], role=wanted["role"])
            if live[index]["role"] != wanted["role"]:
                update.append(kept[index])
        remove = [m for i, m in enumerate(live) if purge and i not in kept]
        predicted = [kept.get(i, m) for i, m in enumerate(live) if not purge or i in kept] + add
        return MemberPlan(add, update, remove, self.sort(predicted))


LinkPlan = namedtuple("LinkPlan", "add remove predicted")


class Links(object):
    """IDs of other objects an object belongs to (a user's teams), joined and left one call each.

    ``name`` is the option (a list of IDs) and ``path`` where LiteLLM lists them; ``join`` and ``leave`` are
    Endpoints whose ``body(object id, link id)`` is the request. With the ``purge_<name>`` option, links that
    the option does not list are left.
    """

    def __init__(self, name, path, join, leave):
        self.name = name
        self.path = tuple(path)
        self.join = join
        self.leave = leave
        self.purge = "purge_" + name

    def argument_spec(self):
        return {self.name: dict(type="list", elements="str"), self.purge: dict(type="bool", default=False)}

    def read(self, raw):
        return sorted(set(get_path(raw, self.path) or []))

    @staticmethod
    def plan(desired, live, purge):
        """What to join and leave so that ``live`` has ``desired`` (and nothing else, with purge)."""
        desired, live = set(desired), set(live)
        return LinkPlan(sorted(desired - live), sorted(live - desired) if purge else [],
                        sorted(desired | (set() if purge else live)))


class Endpoint(object):
    """One API call: method, path, whether repeating it is safe, and how its body or answer is shaped."""

    def __init__(self, method, path, idempotent=False, body=None, param=None, unwrap=None, items=None,
                 filters=None, paginated=True, where=None, page_size="page_size", query=None):
        self.method = method
        self.path = path            # may hold ``{id}``, replaced by the object's id
        self.idempotent = idempotent
        self.body = body            # callable(object id) -> request body, for deletes
        self.param = param          # query parameter that carries the id, for gets
        self.unwrap = unwrap        # key of the object in a get's (or a create's) answer
        self.items = items          # key of the list in a list's answer (None: the answer is the list)
        self.filters = filters or {}  # option name -> query parameter, for lists
        self.paginated = paginated  # False: a list comes whole, without page/page_size
        self.where = where          # callable(list entry) -> whether it is an object of the kind, for lists
        self.page_size = page_size  # the query parameter that sets the page size, for lists
        self.query = dict(query or {})  # fixed query parameters of every call, for lists

    def target(self, object_id=None):
        """The path of the call for one object: ``{id}`` replaced by its id (URL-quoted)."""
        if "{id}" not in self.path:
            return self.path
        return self.path.replace("{id}", quote(str(object_id), safe=""))


def _template(path):
    """A path with every ``{parameter}`` written ``{}``, so that ``/key/{id}/x`` matches ``/key/{key}/x``."""
    return re.sub(r"\{[^{}]*\}", "{}", path)


# A path every complete OpenAPI description of a LiteLLM proxy lists. A description without it is LiteLLM's
# filtered one (DOCS_FILTERED lists only the OpenAI routes) and says nothing about the management API.
OPENAPI_SENTINEL = "/key/generate"


def missing_calls(openapi, calls):
    """The ``METHOD path`` calls that an OpenAPI description lacks; None when it cannot tell (not a complete
    description of a LiteLLM proxy). ``calls`` are (method or None, path) pairs."""
    paths = openapi.get("paths") if isinstance(openapi, dict) else None
    if not isinstance(paths, dict) or OPENAPI_SENTINEL not in paths:
        return None
    offered = {}
    for path, operations in paths.items():
        offered.setdefault(_template(path), set()).update(m.upper() for m in (operations or {}))
    return ["%s %s" % (method, path) if method else path for method, path in calls
            if _template(path) not in offered or (method and method.upper() not in offered[_template(path)])]


def route_missing(body):
    """Whether an error answer is the web framework's own: no such route (404) or method (405) on this proxy."""
    return body in ({"detail": "Not Found"}, {"detail": "Method Not Allowed"})


def licence_type(answer):
    """The licence LiteLLM reports at /health/license (``enterprise`` or ``community``), None when it does not."""
    return answer.get("license_type") if isinstance(answer, dict) else None


class Requires(object):
    """What a proxy must offer for a module to manage a kind (or to do one action), found out by asking the proxy.

    ``paths``: the API calls needed, ``"PATCH /model/{id}/update"`` or ``"/model/new"``; None means every endpoint
    of the Resource (an info module needs only its reads). The engine checks them against the proxy's
    /openapi.json (at most once per module run) when they matter: before check mode predicts a write, and when
    LiteLLM answers that a route does not exist; a proxy that serves no complete description is not
    second-guessed. ``enterprise``: needs a LiteLLM Enterprise licence (asked at /health/license before anything
    else, and LiteLLM's refusals that name Enterprise are explained the same way). ``settings``: proxy settings
    that must be on (``store_model_in_db``); LiteLLM reports them reliably only when refusing a write, so an error
    naming one is explained as the setting being off. ``what``: how messages name what needs it (default: the
    kind).
    """

    def __init__(self, paths=None, enterprise=False, settings=(), what=None):
        self.paths = None if paths is None else tuple(paths)
        self.enterprise = enterprise
        self.settings = tuple(settings)
        self.what = what

    def calls(self, resource=None, read_only=False):
        """(method or None, path) pairs: the given paths, else the endpoints of ``resource``."""
        if self.paths is not None:
            return [tuple(p.split(" ", 1)) if " " in p else (None, p) for p in self.paths]
        endpoints = (resource.get, resource.find) if read_only else (
            resource.create, resource.update, resource.delete, resource.get, resource.find)
        return [(e.method, e.path) for e in endpoints if e is not None]

    def explain(self, what, msg, status):
        """LiteLLM's refusal restated as the one missing capability, or None when it is about something else."""
        if self.enterprise and "enterprise" in (msg or "").lower():
            return "%s needs a LiteLLM Enterprise licence (%s)" % (what, msg)
        for setting in self.settings:
            if setting.lower() in (msg or "").lower():
                return "%s needs the proxy setting %s: true, which is off on this proxy (%s)" % (what, setting, msg)
        return None


class Resource(object):
    """Where one LiteLLM object kind lives in the API and which options a module offers for it."""

    def __init__(self, kind, plural, id_field, key_field, fields, create, update, delete, get, find,
                 members=None, hydrate=None, links=(), create_extra=None, update_with=None, request_body=None,
                 read_only=None, preflight=None, required=(), generated_id=False, requires=None, shape=None,
                 key_filters=None, unique_key=True):
        self.kind = kind
        self.plural = plural
        self.id_field = id_field
        self.key_field = key_field
        self.fields = tuple(fields)
        self.by_name = dict((f.name, f) for f in self.fields)
        self.create = create
        self.update = update
        self.delete = delete
        self.get = get
        self.find = find
        self.members = members
        self.hydrate = hydrate
        # Links (a user's teams); fixed fields of every create request; and update_with(client, resource,
        # changes, raw), which sends an update where one request to ``update`` cannot.
        self.links = tuple(links)
        self.create_extra = dict(create_extra or {})
        self.update_with = update_with
        # request_body(body, raw) -> the body LiteLLM takes, from one keyed by option names (raw is None on
        # create); read_only(raw) -> why an existing object cannot be changed through the API, or None;
        # preflight(client, params) raises LiteLLMError, in one sentence, when the proxy cannot do what params ask.
        self.request_body = request_body
        self.read_only = read_only
        self.preflight = preflight
        # Options a create needs (checked before any request); generated_id: LiteLLM always chooses the id of a
        # new object, so an id that does not exist cannot be created.
        self.required = tuple(required)
        self.generated_id = generated_id
        # requires: a Requires, what the proxy must offer (checked by asking it, before anything else); shape(raw) ->
        # raw, applied to every object read (gives LiteLLM's nested answers the flat id and key the engine uses);
        # key_filters(params) -> further exact filters of the natural-key lookup (a model's provider model).
        self.requires = requires
        self.shape = shape
        self.key_filters = key_filters
        # unique_key: False where the natural key may repeat (deployments of one model name): then a create or
        # rename by id does not refuse a name that other objects have.
        self.unique_key = unique_key

    @property
    def options(self):
        return [f for f in self.fields if f.option]

    def argument_spec(self):
        spec = dict((f.name, f.argument_spec()) for f in self.options)
        if self.members:
            spec.update(self.members.argument_spec())
        for link in self.links:
            spec.update(link.argument_spec())
        if self.has_secrets:
            spec["update_secrets"] = dict(type="str", choices=["always", "on_create"], default="always")
        spec["state"] = dict(type="str", choices=["present", "absent"], default="present")
        return spec

    @property
    def has_secrets(self):
        return any(f.has_secrets for f in self.options)

    def secrets(self, desired):
        """The desired options that hold a write-only part, with their whole desired value."""
        return dict((name, value) for name, value in desired.items() if self.by_name[name].secret(value) is not None)

    def label(self, params):
        """How messages name the object: by natural key, else by id."""
        name = params.get(self.key_field) or params.get(self.id_field)
        return "%s '%s'" % (self.kind, name) if name else self.kind

    def view(self, raw):
        """A raw LiteLLM object as the module returns it: option names, normalised values, members."""
        if not raw:
            return {}
        view = dict((f.name, f.read(raw)) for f in self.fields if not (f.create_only or f.write_only))
        if self.members:
            view["members"] = self.members.read(raw)
        for link in self.links:
            view[link.name] = link.read(raw)
        return view

    def desired(self, params):
        """The options the user set (None means not set), validated; raises ValidationError."""
        desired = dict((f.name, params[f.name]) for f in self.options if params.get(f.name) is not None)
        for name, value in desired.items():
            self.by_name[name].validate(value)
        return desired

    def changes(self, desired, view):
        """The desired options whose normalised value differs from the live view (create-only ones never do)."""
        changes = {}
        for name, value in desired.items():
            field = self.by_name[name]
            value = field.public(value)
            if field.create_only or value is None or not field.differs(value, view.get(name)):
                continue
            wanted = field.normalise(value)
            if wanted is None and not field.clearable:
                raise ValidationError("%s cannot be emptied once set: LiteLLM ignores an empty value when it "
                                      "updates a %s" % (name, self.kind))
            changes[name] = value
        return changes

    def predict(self, view, changes):
        """The view after ``changes`` are applied (check mode's answer, and the diff's 'after')."""
        predicted = dict(view) if view else dict((f.name, None) for f in self.fields
                                                 if not (f.create_only or f.write_only))
        for name, value in changes.items():
            predicted[name] = self.by_name[name].merged(predicted.get(name), value)
        return predicted

    def payload(self, changes, raw=None):
        """The request body for a create (raw is None) or an update with only the fields in ``changes``."""
        body = dict((name, self.by_name[name].write(value, raw)) for name, value in changes.items())
        if raw:
            body[self.id_field] = raw[self.id_field]
        else:
            body = dict(self.create_extra, **body)
        return self.request_body(body, raw) if self.request_body else body


# Keys LiteLLM stores in a team's metadata on behalf of other request fields (LiteLLM_ManagementEndpoint_
# MetadataFields and ..._Premium in litellm/proxy/_types.py), plus the server-owned team_member_budget_id.
# The metadata option never shows them, and writing metadata keeps their live values.
LITELLM_METADATA_KEYS = (
    "model_rpm_limit", "model_tpm_limit", "model_itpm_limit", "model_otpm_limit", "default_estimated_output_tokens",
    "default_estimated_output_tokens_per_model", "mcp_rpm_limit", "tag_rpm_limit", "rpm_limit_type",
    "tpm_limit_type", "enforced_params", "temp_budget_increase", "temp_budget_expiry",
    "allowed_vector_store_indexes", "enforced_batch_output_expires_after", "enforced_file_expires_after",
    "throttle_on_budget_exceeded", "enable_prompt_caching", "end_user_budget_id",
    "disable_global_guardrails", "guardrails", "policies", "tags", "team_member_key_duration", "prompts",
    "logging", "secret_manager_settings", "allowed_passthrough_routes", "denied_passthrough_routes",
    "team_member_budget_id",
)


def _team_member_budgets(client, teams):
    """List results lack the per-member default budget /team/info joins in: join it from /budget/list."""
    wanted = set(get_path(t, ("metadata", "team_member_budget_id")) for t in teams) - set([None])
    if not wanted:
        return teams
    budgets = dict((b.get("budget_id"), b) for b in client.get("/budget/list") or [])
    return [dict(t, team_member_budget_table=budgets.get(get_path(t, ("metadata", "team_member_budget_id"))))
            for t in teams]


TEAM = Resource(
    kind="team",
    plural="teams",
    id_field="team_id",
    key_field="team_alias",
    fields=[
        Field("team_alias"),
        Field("team_id"),
        Field("organization_id"),
        Field("models", "list", elements="str"),
        Field("max_budget", "float", minimum=0),
        Field("soft_budget", "float", minimum=0),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("tpd_limit", "int", minimum=0),
        Field("blocked", "bool"),
        Field("model_aliases", "dict", path=("litellm_model_table", "model_aliases")),
        Field("tags", "list", elements="str", path=("metadata", "tags")),
        Field("guardrails", "list", elements="str", path=("metadata", "guardrails")),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS),
        Field("model_max_budget", "dict"),
        Field("model_rpm_limit", "dict", minimum=0, path=("metadata", "model_rpm_limit")),
        Field("model_tpm_limit", "dict", minimum=0, path=("metadata", "model_tpm_limit")),
        Field("team_member_budget", "float", minimum=0, path=("team_member_budget_table", "max_budget")),
        Field("team_member_budget_duration", path=("team_member_budget_table", "budget_duration")),
        Field("team_member_rpm_limit", "int", minimum=0, path=("team_member_budget_table", "rpm_limit")),
        Field("team_member_tpm_limit", "int", minimum=0, path=("team_member_budget_table", "tpm_limit")),
        Field("team_member_key_duration", path=("metadata", "team_member_key_duration"), no_log=False),
        Field("default_team_member_models", "list", elements="str"),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/team/new"),
    update=Endpoint("POST", "/team/update", idempotent=True),
    delete=Endpoint("POST", "/team/delete", body=lambda team_id: {"team_ids": [team_id]}),
    get=Endpoint("GET", "/team/info", param="team_id", unwrap="team_info"),
    find=Endpoint("GET", "/v2/team/list", items="teams", filters={"team_alias": "team_alias"}),
    members=Members(
        path=("members_with_roles",),
        add="/team/member_add",
        update="/team/member_update",
        delete="/team/member_delete",
        roles=("admin", "user"),
        default_role="user",
    ),
    hydrate=_team_member_budgets,
)


# --- users, team members, organizations, customers, budgets ------------------------------------------------------

USER_ROLES = ("proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer")


def _team_link(user_id, team_id):
    return {"team_id": team_id, "member": {"user_id": user_id, "role": "user"}}


USER = Resource(
    kind="user",
    plural="users",
    id_field="user_id",
    key_field="user_email",
    fields=[
        Field("user_id"),
        Field("user_email"),
        Field("user_alias"),
        Field("user_role", choices=USER_ROLES),
        Field("models", "list", elements="str", clearable=False),
        Field("max_budget", "float", minimum=0),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("max_parallel_requests", "int", minimum=0),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS, clearable=False),
        Field("send_invite_email", "bool", create_only=True),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/user/new"),
    update=Endpoint("POST", "/user/update", idempotent=True),
    delete=Endpoint("POST", "/user/delete", body=lambda user_id: {"user_ids": [user_id]}),
    get=Endpoint("GET", "/user/info", param="user_id", unwrap="user_info"),
    find=Endpoint("GET", "/user/list", items="users", filters={"user_email": "user_email"}),
    links=[Links(
        "teams", ("teams",),
        join=Endpoint("POST", "/team/member_add", body=_team_link),
        leave=Endpoint("POST", "/team/member_delete", body=lambda user_id, team_id: {"team_id": team_id,
                                                                                     "user_id": user_id}),
    )],
    # /user/new mints a virtual key for the user unless told not to; keys are the virtual_key module's business.
    create_extra={"auto_create_key": False, "send_invite_email": False},
)


Membership = namedtuple("Membership", "parent member read")


def _team_members(answer):
    """A team's members from its whole /team/info answer, each with its team and its membership's budget."""
    team = answer.get("team_info") or {}
    memberships = dict((m.get("user_id"), m) for m in answer.get("team_memberships") or [])
    members = []
    for member in team.get("members_with_roles") or []:
        membership = memberships.get(member.get("user_id")) or {}
        members.append(dict(member, team_id=team.get("team_id"), team_alias=team.get("team_alias"),
                            litellm_budget_table=membership.get("litellm_budget_table"),
                            spend=membership.get("spend")))
    return members


def _member_budget(name, *args, **kwargs):
    return Field(name, *args, path=("litellm_budget_table", kwargs.pop("key", name)), **kwargs)


TEAM_MEMBER = Resource(
    kind="team_member",
    plural="team_members",
    id_field="user_id",
    key_field="user_email",
    fields=[
        Field("team_id"),
        Field("team_alias"),
        Field("user_id"),
        Field("user_email"),
        Field("role", choices=TEAM.members.roles),
        _member_budget("max_budget_in_team", "float", minimum=0, key="max_budget"),
        _member_budget("budget_duration"),
        _member_budget("tpm_limit", "int", minimum=0),
        _member_budget("rpm_limit", "int", minimum=0),
        _member_budget("allowed_models", "list", elements="str"),
        Field("spend", "float", option=False),
    ],
    create=Endpoint("POST", TEAM.members.add),
    update=Endpoint("POST", TEAM.members.update, idempotent=True),
    delete=Endpoint("POST", TEAM.members.delete),
    get=None,
    find=None,
)

TEAM_MEMBERSHIP = Membership(TEAM, TEAM_MEMBER, _team_members)


ORGANIZATION_ROLES = ("org_admin", "internal_user", "internal_user_viewer")


def _users_by_email(client, members):
    """Members given by email only, with the user_id of the one user who has that email.

    LiteLLM 1.106.2 finds organization members by email with a unique lookup that its schema does not allow
    (user_email is not unique), so adding or changing a member by email always fails there; ids work.
    """
    resolved = []
    for member in members:
        email = member.get("user_email")
        if member.get("user_id") or not email:
            resolved.append(member)
            continue
        listed = client.get("/user/list", params={"user_email": email, "page_size": 100}) or {}
        users = dict((u["user_id"], u["user_email"]) for u in listed.get("users") or []
                     if (u.get("user_email") or "").lower() == email.lower())
        ids = sorted(users)
        if len(ids) != 1:
            raise ValidationError(
                "members[user_email=%s]: %s; LiteLLM adds organization members by user_id only, so the user must exist"
                " (create it with llmops.litellm.user) or set user_id" % (
                    email, "%d users have this email (user_id %s)" % (len(ids), ", ".join(ids)) if ids
                    else "no user has this email"))
        resolved.append(dict(member, user_id=ids[0], user_email=users[ids[0]]))
    return resolved


def _organization_details(client, organizations):
    """List results lack the members' emails that /organization/info joins in: read each organization."""
    return [client.get("/organization/info", params={"organization_id": o["organization_id"]}) for o in organizations]


def _organization_request(body, raw):
    """/v2/organization/{id} takes the id in its path only (it refuses any field it does not know)."""
    if raw:
        body.pop("organization_id", None)
    return body


def _budget(name, *args, **kwargs):
    return Field(name, *args, path=("litellm_budget_table", name), **kwargs)


ORGANIZATION = Resource(
    kind="organization",
    plural="organizations",
    id_field="organization_id",
    key_field="organization_alias",
    fields=[
        Field("organization_alias"),
        Field("organization_id"),
        Field("models", "list", elements="str"),
        _budget("max_budget", "float", minimum=0),
        _budget("budget_duration"),
        _budget("tpm_limit", "int", minimum=0),
        _budget("rpm_limit", "int", minimum=0),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/organization/new"),
    # /organization/update merges metadata (no key can be removed); the v2 route replaces it.
    update=Endpoint("PATCH", "/v2/organization/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/organization/delete", body=lambda organization_id: {"organization_ids": [organization_id]}),
    get=Endpoint("GET", "/organization/info", param="organization_id"),
    find=Endpoint("GET", "/organization/list", paginated=False, filters={"organization_alias": "org_alias"}),
    members=Members(
        path=("members",),
        add="/organization/member_add",
        update=Endpoint("PATCH", "/organization/member_update", idempotent=True),
        delete=Endpoint("DELETE", "/organization/member_delete"),
        roles=ORGANIZATION_ROLES,
        default_role="internal_user",
        role_key="user_role",
        in_create=False,
        resolve=_users_by_email,
    ),
    hydrate=_organization_details,
    request_body=_organization_request,
    requires=Requires(enterprise=True, what="an organization"),
)


CUSTOMER_BUDGET = ("max_budget", "budget_duration", "tpm_limit", "rpm_limit")


def _customer_update(client, resource, changes, raw):
    """/customer/update changes every option but the limits other than max_budget, which live in the customer's
    budget: those are written to that budget, or to a new budget that is then linked to the customer."""
    limits = dict((k, v) for k, v in changes.items() if k in CUSTOMER_BUDGET)
    rest = dict((k, v) for k, v in changes.items() if k not in CUSTOMER_BUDGET)
    if limits and raw.get("budget_id"):
        client.post("/budget/update", dict(limits, budget_id=raw["budget_id"]), idempotent=True)
    elif limits:
        rest["budget_id"] = client.post("/budget/new", limits)["budget_id"]
    if rest:
        client.post(resource.update.path, resource.payload(rest, raw), idempotent=True)


CUSTOMER = Resource(
    kind="customer",
    plural="customers",
    id_field="user_id",
    key_field="user_id",
    fields=[
        Field("user_id"),
        Field("alias"),
        Field("blocked", "bool"),
        Field("budget_id"),
        _budget("max_budget", "float", minimum=0),
        _budget("budget_duration"),
        _budget("tpm_limit", "int", minimum=0),
        _budget("rpm_limit", "int", minimum=0),
        Field("allowed_model_region", choices=("eu", "us")),
        Field("default_model"),
        Field("models", "list", elements="str"),
        Field("spend", "float", option=False),
    ],
    create=Endpoint("POST", "/customer/new"),
    update=Endpoint("POST", "/customer/update", idempotent=True),
    delete=Endpoint("POST", "/customer/delete", body=lambda user_id: {"user_ids": [user_id]}),
    get=Endpoint("GET", "/customer/info", param="end_user_id"),
    find=Endpoint("GET", "/customer/list", paginated=False),
    update_with=_customer_update,
)


BUDGET = Resource(
    kind="budget",
    plural="budgets",
    id_field="budget_id",
    key_field="budget_id",
    fields=[
        Field("budget_id"),
        Field("max_budget", "float", minimum=0),
        Field("soft_budget", "float", minimum=0),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("tpd_limit", "int", minimum=0),
        Field("max_parallel_requests", "int", minimum=0),
        Field("model_max_budget", "dict"),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/budget/new"),
    update=Endpoint("POST", "/budget/update", idempotent=True),
    delete=Endpoint("POST", "/budget/delete", body=lambda budget_id: {"id": budget_id}),
    get=None,  # /budget/info is a POST, which check mode must not send; the list has every budget
    find=Endpoint("GET", "/budget/list", paginated=False),
)


# --- guardrail, tag, access_group, mcp_server --------------------------------------------------------------------

# LiteLLM 1.106.2 masks, in every answer, a string stored under a key whose name contains one of these words
# (get_masked_values in litellm/litellm_core_utils/litellm_logging.py): first two and last two characters around
# four asterisks, or five asterisks for four characters or fewer.
LITELLM_MASKED_WORDS = ("authorization", "token", "key", "secret", "vertex_credentials", "credentials", "password",
                        "passwd")
ENV_REFERENCE = "os.environ/"


def litellm_masks(key):
    """Whether LiteLLM masks string values stored under ``key`` in its answers."""
    return any(word in key.lower() for word in LITELLM_MASKED_WORDS)


def litellm_mask(value):
    """A string as LiteLLM shows it under a masked key."""
    return "*****" if len(value) <= 4 else value[:2] + "****" + value[-2:]


def is_env_reference(value):
    """``os.environ/NAME``: LiteLLM reads the value from its own environment; the reference itself is no secret."""
    return isinstance(value, str) and value.startswith(ENV_REFERENCE)


class MaskedSecret(Field):
    """A string secret LiteLLM returns masked: a literal value is write-only; an ``os.environ/NAME`` reference is
    not a secret and is compared in the masked form LiteLLM returns (first and last two characters)."""

    has_secrets = True

    def public(self, value):
        return value if is_env_reference(value) else None

    def secret(self, value):
        return None if is_env_reference(value) else value

    def differs(self, desired, live):
        return litellm_mask(desired) != live

    def merged(self, live, desired):
        return litellm_mask(desired)


class PartialDict(Field):
    """A dict LiteLLM fills with many keys of its own (a guardrail's litellm_params): only the keys the user sets
    are compared and sent; the others keep their values. Keys LiteLLM masks accept only ``os.environ/``
    references here (compared masked); literal secrets belong in a write-only option."""

    def __init__(self, name, path, keep_keys, secrets_option):
        super(PartialDict, self).__init__(name, "dict", path=path, keep_keys=keep_keys)
        self.secrets_option = secrets_option

    def validate(self, value):
        super(PartialDict, self).validate(value)
        for key, item in value.items():
            if litellm_masks(key) and isinstance(item, str) and item and not is_env_reference(item):
                raise ValidationError("%s.%s holds a secret, which LiteLLM never returns: set it in %s (write-only, "
                                      "never logged) or as an %sNAME reference" % (
                                          self.name, key, self.secrets_option, ENV_REFERENCE))

    @staticmethod
    def _item(key, value):
        if isinstance(value, str) and value and litellm_masks(key):
            return litellm_mask(value)
        return _prune(value)

    def differs(self, desired, live):
        live = live or {}
        return any(self._item(k, v) != live.get(k) for k, v in desired.items())

    def merged(self, live, desired):
        merged = dict(live or {})
        merged.update((k, self._item(k, v)) for k, v in desired.items())
        return _prune(merged) or None

    def write(self, value, raw):
        return value


class ListOrString(Field):
    """A list option LiteLLM may store as one string (a guardrail's mode)."""

    def read(self, raw):
        value = get_path(raw, self.path)
        return self.normalise([value] if isinstance(value, str) else value)


# Guardrail options kept in litellm_params, and the keys they own there.
GUARDRAIL_PARAMS = (("provider", "guardrail"), ("mode", "mode"), ("default_on", "default_on"), ("api_base", "api_base"),
                    ("provider_api_key", "api_key"))
# PalenaAI names with no guardrail integration in LiteLLM 1.106.2 (only legacy Enterprise callbacks).
GUARDRAIL_PROVIDER_HINTS = {
    "llm_guard": "LLM Guard is only a legacy Enterprise callback (llmguard_moderations in litellm_settings.callbacks)",
    "llmguard": "LLM Guard is only a legacy Enterprise callback (llmguard_moderations in litellm_settings.callbacks)",
    "google_text_moderation": "Google Text Moderation is only a legacy Enterprise callback (google_text_moderation in "
                              "litellm_settings.callbacks); Google Cloud Model Armor is the guardrail model_armor",
}


def guardrail_body(body, raw):
    """Option-keyed body -> LiteLLM's: the provider options go into litellm_params; a create is wrapped."""
    params = dict(body.pop("litellm_params", None) or {})
    params.update(body.pop("secret_litellm_params", None) or {})
    for option, key in GUARDRAIL_PARAMS:
        if option in body:
            params[key] = body.pop(option)
    body.pop("guardrail_id", None)
    if params:
        body["litellm_params"] = params
    return body if raw else {"guardrail": body}


def guardrail_read_only(raw):
    if raw.get("guardrail_definition_location") == "config":
        return "it is defined in the proxy's config file, and LiteLLM lets the API change only the guardrails it " \
               "stores in its database"
    return None


def guardrail_preflight(client, params):
    """Ask the proxy which guardrail providers and modes it has, before anything is written (check mode too)."""
    provider, modes = params.get("provider"), params.get("mode")
    if params["state"] != "present" or not (provider or modes):
        return
    if provider and "." in provider:
        return  # a custom guardrail class, imported by the proxy
    try:
        settings = client.get("/guardrails/ui/add_guardrail_settings")
    except LiteLLMError as exc:
        if exc.status == 404:
            return
        raise
    by_provider = settings.get("supported_modes_by_provider") or {}
    if provider and provider not in by_provider:
        # LiteLLM 1.106.2 lists some providers (alice, deepkeep, typesafe, ...) only with their parameters
        providers = set(by_provider) | set(client.get("/guardrails/ui/provider_specific_params") or {})
        if provider not in providers:
            hint = GUARDRAIL_PROVIDER_HINTS.get(provider.lower().replace("-", "_").replace(" ", "_"))
            raise ValidationError("this LiteLLM has no guardrail provider '%s'%s (GET /guardrails/ui/add_guardrail_"
                                  "settings and /guardrails/ui/provider_specific_params list %s)" % (
                                      provider, ": " + hint if hint else "", ", ".join(sorted(providers))))
    allowed = by_provider.get(provider) if provider in by_provider else settings.get("supported_modes")
    unsupported = [m for m in modes or [] if allowed and m not in allowed]
    if unsupported:
        raise ValidationError("mode %s is not supported by %s on this LiteLLM (supported: %s)" % (
            ", ".join(unsupported), "guardrail provider '%s'" % provider if provider in by_provider else "any guardrail",
            ", ".join(allowed)))


GUARDRAIL = Resource(
    kind="guardrail",
    plural="guardrails",
    id_field="guardrail_id",
    key_field="guardrail_name",
    fields=[
        Field("guardrail_name"),
        Field("guardrail_id"),
        Field("provider", path=("litellm_params", "guardrail")),
        ListOrString("mode", "list", elements="str", path=("litellm_params", "mode")),
        Field("default_on", "bool", path=("litellm_params", "default_on")),
        Field("api_base", path=("litellm_params", "api_base")),
        MaskedSecret("provider_api_key", path=("litellm_params", "api_key"), no_log=True),
        PartialDict("litellm_params", path=("litellm_params",), keep_keys=[k for _o, k in GUARDRAIL_PARAMS],
                    secrets_option="secret_litellm_params"),
        Field("secret_litellm_params", "dict", path=("litellm_params",), write_only=True),
        Field("guardrail_info", "dict"),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/guardrails"),
    update=Endpoint("PATCH", "/guardrails/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/guardrails/{id}"),
    get=Endpoint("GET", "/guardrails/{id}/info"),
    find=Endpoint("GET", "/v2/guardrails/list", items="guardrails", paginated=False),
    request_body=guardrail_body,
    read_only=guardrail_read_only,
    preflight=guardrail_preflight,
    required=("provider", "mode"),
    generated_id=True,
    requires=Requires(),
)


def tag_body(body, raw):
    """/tag/update sets description and models to what it is sent, empty when left out: send their live values."""
    if raw:
        for name in ("description", "models"):
            body.setdefault(name, raw.get(name))
    return body


TAG_BUDGET = ("litellm_budget_table",)

TAG = Resource(
    kind="tag",
    plural="tags",
    id_field="name",
    key_field="name",
    fields=[
        Field("name"),
        Field("description"),
        Field("models", "list", elements="str"),
        Field("max_budget", "float", minimum=0, path=TAG_BUDGET + ("max_budget",)),
        Field("soft_budget", "float", minimum=0, path=TAG_BUDGET + ("soft_budget",)),
        Field("budget_duration", path=TAG_BUDGET + ("budget_duration",)),
        Field("tpm_limit", "int", minimum=0, path=TAG_BUDGET + ("tpm_limit",)),
        Field("rpm_limit", "int", minimum=0, path=TAG_BUDGET + ("rpm_limit",)),
        Field("max_parallel_requests", "int", minimum=0, path=TAG_BUDGET + ("max_parallel_requests",)),
        Field("model_max_budget", "dict", path=TAG_BUDGET + ("model_max_budget",),
              requires=Requires(paths=(), enterprise=True)),
        Field("model_info", "dict", option=False),
        Field("budget_id", path=TAG_BUDGET + ("budget_id",), option=False),
        Field("created_by", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/tag/new", unwrap="tag"),
    update=Endpoint("POST", "/tag/update", idempotent=True),
    delete=Endpoint("POST", "/tag/delete", body=lambda name: {"name": name}),
    get=None,
    # /tag/list also lists "dynamic" tags, only seen in requests' metadata: they have no model_info.
    find=Endpoint("GET", "/tag/list", paginated=False, where=lambda tag: "model_info" in tag),
    request_body=tag_body,
    requires=Requires(),
)


def access_group_body(body, raw):
    body.pop("access_group_id", None)
    return body


ACCESS_GROUP = Resource(
    kind="access_group",
    plural="access_groups",
    id_field="access_group_id",
    key_field="access_group_name",
    fields=[
        Field("access_group_name"),
        Field("access_group_id"),
        Field("description"),
        Field("access_model_names", "list", elements="str"),
        Field("access_mcp_server_ids", "list", elements="str"),
        Field("access_agent_ids", "list", elements="str"),
        Field("assigned_team_ids", "list", elements="str"),
        Field("assigned_key_ids", "list", elements="str", no_log=False),
        Field("created_at", option=False),
        Field("created_by", option=False),
        Field("updated_at", option=False),
        Field("updated_by", option=False),
    ],
    create=Endpoint("POST", "/v1/access_group"),
    update=Endpoint("PUT", "/v1/access_group/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/v1/access_group/{id}"),
    get=Endpoint("GET", "/v1/access_group/{id}"),
    find=Endpoint("GET", "/v1/access_group", paginated=False),
    request_body=access_group_body,
    generated_id=True,
    requires=Requires(),
)


class McpAlias(Field):
    """An MCP server alias: LiteLLM replaces its spaces with underscores."""

    def normalise(self, value):
        return super(McpAlias, self).normalise(value.replace(" ", "_") if isinstance(value, str) else value)


MCP_TRANSPORT_NEEDS = {"http": ("url", "spec_path"), "sse": ("url", "spec_path"), "stdio": ("command", "args")}


def mcp_server_body(body, raw):
    """server_timeout is LiteLLM's timeout. An update that changes the transport must carry what LiteLLM checks
    with it (url, or command and args)."""
    if "server_timeout" in body:
        body["timeout"] = body.pop("server_timeout")
    if raw and body.get("transport") in MCP_TRANSPORT_NEEDS:
        for name in MCP_TRANSPORT_NEEDS[body["transport"]]:
            if name not in body and raw.get(name) not in EMPTY:
                body[name] = raw[name]
    return body


def mcp_server_read_only(raw):
    if raw.get("is_config"):
        return "it is defined in the proxy's config file (mcp_servers), and LiteLLM lets the API change only the " \
               "MCP servers it stores in its database"
    return None


def mcp_server_preflight(client, params):
    """stdio servers need a proxy started with LITELLM_ENABLE_MCP_STDIO=true; the proxy says whether it was."""
    if params["state"] != "present" or params.get("transport") != "stdio":
        return
    config = client.get("/.well-known/litellm-ui-config") or {}
    if config.get("mcp_stdio_enabled") is False:
        raise ValidationError("stdio MCP servers are disabled on this LiteLLM (GET /.well-known/litellm-ui-config "
                              "reports mcp_stdio_enabled=false): start the proxy with LITELLM_ENABLE_MCP_STDIO=true")


MCP_SERVER = Resource(
    kind="mcp_server",
    plural="mcp_servers",
    id_field="server_id",
    key_field="server_name",
    fields=[
        Field("server_name"),
        Field("server_id"),
        McpAlias("alias"),
        Field("description"),
        Field("transport", choices=("http", "sse", "stdio")),
        Field("url"),
        Field("spec_path"),
        Field("auth_type", choices=("none", "api_key", "bearer_token", "basic", "authorization", "oauth2",
                                    "aws_sigv4", "token", "oauth2_token_exchange", "oauth2_id_jag",
                                    "true_passthrough", "oauth_delegate")),
        Field("credentials", "dict", write_only=True),
        Field("allowed_tools", "list", elements="str"),
        Field("mcp_access_groups", "list", elements="str"),
        Field("extra_headers", "list", elements="str"),
        Field("static_headers", "dict", no_log=True),
        Field("command"),
        Field("args", "list", elements="str", ordered=True),
        Field("env", "dict", no_log=True),
        Field("tool_name_to_display_name", "dict"),
        Field("tool_name_to_description", "dict"),
        Field("instructions"),
        Field("allow_all_keys", "bool"),
        Field("available_on_public_internet", "bool"),
        Field("server_timeout", "float", minimum=0, path=("timeout",)),
        Field("max_concurrent_requests", "int", minimum=1),
        Field("rpm", "int", minimum=0),
        Field("teams", "list", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/v1/mcp/server"),
    update=Endpoint("PUT", "/v1/mcp/server", idempotent=True),
    delete=Endpoint("DELETE", "/v1/mcp/server/{id}"),
    # GET /v1/mcp/server/{id} health-checks the server (connects to it) on every read: read the list instead.
    get=None,
    find=Endpoint("GET", "/v1/mcp/server", paginated=False),
    request_body=mcp_server_body,
    read_only=mcp_server_read_only,
    preflight=mcp_server_preflight,
    requires=Requires(),
)


# --- credential, model, virtual_key ------------------------------------------------------------------------------

class MergedDict(Field):
    """A dict LiteLLM merges on update and cannot drop keys from (a model's litellm_params): only the keys the user
    sets are compared and sent; the others keep their values. With ``whole``, an update sends the live dict with
    the user's keys merged in, for where LiteLLM merges in memory but replaces in its database (a credential's
    credential_info)."""

    def __init__(self, name, path=None, keep_keys=(), no_log=None, whole=False):
        super(MergedDict, self).__init__(name, "dict", path=path, keep_keys=keep_keys, no_log=no_log)
        self.whole = whole

    def differs(self, desired, live):
        live = live or {}
        return any(_prune(value) != live.get(key) for key, value in desired.items())

    def merged(self, live, desired):
        merged = dict(live or {})
        merged.update((key, _prune(value)) for key, value in desired.items())
        return _prune(merged) or None

    def write(self, value, raw):
        if self.whole and raw:
            return dict(get_path(raw, self.path) or {}, **value)
        return value


def _credential_body(body, raw):
    """LiteLLM requires credential_info in every create and update request, even when it does not change."""
    body.setdefault("credential_info", {})
    return body


def _credential_read_only(raw):
    if raw.get("source") == "config":
        return "it is defined in the proxy's config file (credential_list), and LiteLLM lets the API change only " \
               "the credentials it stores in its database"
    return None


CREDENTIAL = Resource(
    kind="credential",
    plural="credentials",
    id_field="credential_name",
    key_field="credential_name",
    fields=[
        Field("credential_name"),
        Field("display_name"),
        Field("credential_values", "dict", write_only=True),
        # PATCH /credentials merges credential_info in memory but stores only the keys sent (update_db_credential)
        MergedDict("credential_info", whole=True),
    ],
    create=Endpoint("POST", "/credentials"),
    update=Endpoint("PATCH", "/credentials/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/credentials/{id}"),
    get=Endpoint("GET", "/credentials/by_name/{id}"),
    find=Endpoint("GET", "/credentials", items="credentials", paginated=False),
    request_body=_credential_body,
    read_only=_credential_read_only,
    required=("credential_values",),
    requires=Requires(),
)

# Where the model module records the os.environ/NAME references it writes into litellm_params: LiteLLM answers
# with litellm_params as its router holds them, references resolved (and secrets dropped or masked), so a
# reference could not be compared otherwise.
MODEL_REFERENCES = "llmops_references"
# litellm_params keys LiteLLM drops from every answer (remove_sensitive_info_from_deployment), and the name
# segments for which it masks a value (SensitiveDataMasker's default patterns, unless a segment is "cost"), in
# litellm/proxy/common_utils/openai_endpoint_utils.py and litellm/litellm_core_utils/sensitive_data_masker.py.
MODEL_DROPPED_PARAMS = ("api_key", "client_secret", "vertex_credentials", "vertex_ai_credentials", "aws_access_key_id",
                        "aws_secret_access_key")
MODEL_MASKED_SEGMENTS = frozenset(("password", "secret", "key", "token", "auth", "authorization", "cookie",
                                   "credential", "credentials", "access", "private", "certificate", "fingerprint",
                                   "tenancy"))
MODEL_SHOWN_PARAMS = ("litellm_credential_name", "default_api_key_tpm_limit", "default_api_key_rpm_limit")
# litellm_params keys set with options of their own: key -> option (api_key is the connection's own option name).
MODEL_PARAM_OPTIONS = {"api_key": "provider_api_key", "tags": "tags"}


def model_param_hidden(key):
    """Whether LiteLLM hides (drops or masks) the litellm_params key ``key`` in its answers."""
    if key in MODEL_SHOWN_PARAMS:
        return False
    segments = key.lower().replace("-", "_").split("_")
    return key in MODEL_DROPPED_PARAMS or ("cost" not in segments and bool(MODEL_MASKED_SEGMENTS.intersection(segments)))


def model_references(raw):
    """The os.environ/ references the module recorded for a model: litellm_params key -> reference."""
    references = get_path(raw, ("model_info", MODEL_REFERENCES))
    return references if isinstance(references, dict) else {}


class ModelParams(MergedDict):
    """A model's litellm_params: keys the user sets are compared and sent (LiteLLM merges them into the stored
    ones); a value that is an os.environ/ reference is compared with the reference the module recorded, since
    LiteLLM answers with it resolved. Keys LiteLLM hides belong in api_key and secret_litellm_params."""

    def __init__(self):
        super(ModelParams, self).__init__("litellm_params", keep_keys=("api_key", "tags"))

    def read(self, raw):
        live = dict(get_path(raw, self.path) or {})
        live.update(model_references(raw))
        return _prune(dict((k, v) for k, v in live.items()
                           if k not in self.keep_keys and not model_param_hidden(k))) or None

    def validate(self, value):
        for key in sorted(value):
            if key in self.keep_keys:
                raise ValidationError("litellm_params must not set %s: set it with the %s option" % (
                    key, MODEL_PARAM_OPTIONS[key]))
            if model_param_hidden(key):
                raise ValidationError("litellm_params.%s is a secret LiteLLM never returns: set it in "
                                      "secret_litellm_params (write-only, never logged)" % key)


class ModelSecret(Field):
    """A model's provider API key (litellm_params.api_key): a literal key is write-only; an os.environ/NAME
    reference is no secret, and is compared with the reference the module recorded when it wrote it."""

    has_secrets = True

    def __init__(self, name, param):
        super(ModelSecret, self).__init__(name, no_log=True)
        self.param = param

    def read(self, raw):
        return model_references(raw).get(self.param)

    def public(self, value):
        return value if is_env_reference(value) else None

    def secret(self, value):
        return None if is_env_reference(value) else value


class ModelSecretParams(MergedDict):
    """litellm_params keys LiteLLM hides (aws_secret_access_key, vertex_credentials, ...): literal values are
    write-only; os.environ/NAME references are compared with the ones the module recorded."""

    has_secrets = True

    def __init__(self):
        super(ModelSecretParams, self).__init__("secret_litellm_params", no_log=True)

    def read(self, raw):
        return dict((k, v) for k, v in model_references(raw).items() if k != "api_key" and model_param_hidden(k)) or None

    def public(self, value):
        return dict((k, v) for k, v in value.items() if is_env_reference(v)) or None

    def secret(self, value):
        return dict((k, v) for k, v in value.items() if not is_env_reference(v)) or None

    def validate(self, value):
        for key in sorted(value):
            if key == "api_key":
                raise ValidationError("secret_litellm_params must not set api_key: set it with the provider_api_key "
                                      "option")
            if not model_param_hidden(key):
                raise ValidationError("secret_litellm_params.%s is not a secret LiteLLM hides: set it in "
                                      "litellm_params, where it is compared" % key)


def _model_body(body, raw):
    """Option-keyed body -> LiteLLM's Deployment: params into litellm_params, the id and access groups into
    model_info, with the record of the references written; an update names the model_info it changes by id
    (LiteLLM would otherwise give it a new random one)."""
    params = dict(body.pop("litellm_params", None) or {})
    params.update(body.pop("secret_litellm_params", None) or {})
    for key, option in MODEL_PARAM_OPTIONS.items():
        if option in body:
            params[key] = body.pop(option)
    info = dict(body.pop("model_info", None) or {})
    if "access_groups" in body:
        info["access_groups"] = body.pop("access_groups")
    model_id = body.pop("model_id", None)
    live = model_references(raw)
    references = dict((k, v) for k, v in live.items() if k not in params)
    references.update((k, v) for k, v in params.items() if is_env_reference(v))
    if references != live:
        info[MODEL_REFERENCES] = references
    if params:
        body["litellm_params"] = params
    if model_id and (info or not raw):
        info["id"] = model_id
    if info:
        body["model_info"] = info
    return body


def _model_read_only(raw):
    if get_path(raw, ("model_info", "db_model")) is False:
        return "it is defined in the proxy's config file (model_list), and LiteLLM lets the API change only the " \
               "models it stores in its database"
    return None


def _model_shape(raw):
    """A deployment with its id and provider model at the top, where the engine looks for them."""
    return dict(raw, model_id=get_path(raw, ("model_info", "id")), model=get_path(raw, ("litellm_params", "model")))


def _model_key_filters(params):
    """Deployments of one model_name are told apart by their provider model, when the task gives it."""
    model = (params.get("litellm_params") or {}).get("model")
    return {"model": model} if model else {}


MODEL = Resource(
    kind="model",
    plural="models",
    id_field="model_id",
    key_field="model_name",
    fields=[
        Field("model_name"),
        Field("model_id"),
        ModelParams(),
        ModelSecret("provider_api_key", "api_key"),
        ModelSecretParams(),
        MergedDict("model_info", keep_keys=("id", "access_groups", "blocked", "db_model", MODEL_REFERENCES)),
        Field("tags", "list", elements="str", path=("litellm_params", "tags")),
        Field("access_groups", "list", elements="str", path=("model_info", "access_groups")),
        Field("blocked", "bool", path=("model_info", "blocked")),
    ],
    create=Endpoint("POST", "/model/new"),
    update=Endpoint("PATCH", "/model/{id}/update", idempotent=True),
    delete=Endpoint("POST", "/model/delete", body=lambda model_id: {"id": model_id}),
    get=None,  # /v2/model/info?modelId= reads one deployment: the list with a filter (below)
    find=Endpoint("GET", "/v2/model/info", items="data", filters={"model_name": "model", "model_id": "modelId"},
                  page_size="size"),
    request_body=_model_body,
    read_only=_model_read_only,
    required=("model_name", "litellm_params.model"),
    requires=Requires(settings=("store_model_in_db",)),
    shape=_model_shape,
    key_filters=_model_key_filters,
    unique_key=False,
)


def _key_info(answer):
    """/key/info's answer as a key object with its token; None for a deleted key (LiteLLM still answers for it)."""
    info = answer.get("info") or {}
    return None if info.get("status") == "deleted" else dict(info, token=answer.get("key"))


def _key_details(client, keys):
    """/key/list leaves out what /key/info joins in (the soft budget, the organization): read each key there."""
    reader = VIRTUAL_KEY.get
    return [k for k in (_key_info(client.get(reader.path, params={reader.param: key["token"]})) for key in keys) if k]


def _key_body(body, raw):
    """/key/update names the key by its hashed token in ``key``."""
    if raw:
        body["key"] = body.pop("token")
    return body


KEY_TYPES = ("default", "llm_api", "management", "read_only")
LIMIT_TYPES = ("guaranteed_throughput", "best_effort_throughput", "dynamic")

VIRTUAL_KEY = Resource(
    kind="virtual_key",
    plural="virtual_keys",
    id_field="token",
    key_field="key_alias",
    fields=[
        Field("key_alias", no_log=False),
        Field("token", no_log=True),
        Field("team_id"),
        Field("user_id"),
        Field("organization_id"),
        Field("models", "list", elements="str"),
        Field("max_budget", "float", minimum=0),
        Field("soft_budget", "float", minimum=0, path=("litellm_budget_table", "soft_budget")),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("tpd_limit", "int", minimum=0),
        Field("max_parallel_requests", "int", minimum=0),
        Field("model_max_budget", "dict"),
        Field("model_rpm_limit", "dict", minimum=0, path=("metadata", "model_rpm_limit")),
        Field("model_tpm_limit", "dict", minimum=0, path=("metadata", "model_tpm_limit")),
        Field("rpm_limit_type", choices=LIMIT_TYPES, path=("metadata", "rpm_limit_type")),
        Field("tpm_limit_type", choices=LIMIT_TYPES, path=("metadata", "tpm_limit_type")),
        Field("tags", "list", elements="str", path=("metadata", "tags")),
        Field("guardrails", "list", elements="str", path=("metadata", "guardrails")),
        Field("enforced_params", "list", elements="str", path=("metadata", "enforced_params")),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS),
        Field("aliases", "dict"),
        Field("permissions", "dict"),
        Field("allowed_routes", "list", elements="str"),
        Field("allowed_passthrough_routes", "list", elements="str", path=("metadata", "allowed_passthrough_routes"),
              no_log=False),
        Field("denied_passthrough_routes", "list", elements="str", path=("metadata", "denied_passthrough_routes"),
              no_log=False),
        Field("blocked", "bool"),
        Field("auto_rotate", "bool"),
        Field("rotation_interval"),
        Field("duration", create_only=True),
        Field("key_type", choices=KEY_TYPES, create_only=True),
        Field("expires", option=False),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/key/generate"),
    update=Endpoint("POST", "/key/update", idempotent=True),
    delete=Endpoint("POST", "/key/delete", body=lambda token: {"keys": [token]}),
    get=Endpoint("GET", "/key/info", param="key", unwrap=_key_info),
    find=Endpoint("GET", "/key/list", items="keys", filters={"key_alias": "key_alias"}, page_size="size",
                  query={"return_full_object": "true"}),
    request_body=_key_body,
    hydrate=_key_details,
    requires=Requires(),
)
# Rotating a key's value: LiteLLM's regenerate endpoint keeps the key's settings and spend (Enterprise only).
ROTATE_KEY = Requires(paths=("POST /key/{key}/regenerate",), enterprise=True, what="rotating a virtual key")
