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
from collections import namedtuple

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError

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
    """

    def __init__(self, name, type="str", elements=None, path=None, ordered=False, minimum=None, choices=None,
                 keep_keys=(), option=True, no_log=None):
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
    """Users attached to an object with a role (team and organization members), reconciled one call each."""

    def __init__(self, path, add, update, delete, roles, default_role):
        self.path = tuple(path)
        self.add = add
        self.update = update
        self.delete = delete
        self.roles = tuple(roles)
        self.default_role = default_role

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
        return self.sort([self.member(m) for m in get_path(raw, self.path) or []])

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


class Endpoint(object):
    """One API call: method, path, whether repeating it is safe, and how its body or answer is shaped."""

    def __init__(self, method, path, idempotent=False, body=None, param=None, unwrap=None, items=None,
                 filters=None):
        self.method = method
        self.path = path
        self.idempotent = idempotent
        self.body = body            # callable(object id) -> request body, for deletes
        self.param = param          # query parameter that carries the id, for gets
        self.unwrap = unwrap        # key of the object in a get's answer
        self.items = items          # key of the list in a list's answer
        self.filters = filters or {}  # option name -> query parameter, for lists


class Resource(object):
    """Where one LiteLLM object kind lives in the API and which options a module offers for it."""

    def __init__(self, kind, plural, id_field, key_field, fields, create, update, delete, get, find,
                 members=None, hydrate=None):
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

    @property
    def options(self):
        return [f for f in self.fields if f.option]

    def argument_spec(self):
        spec = dict((f.name, f.argument_spec()) for f in self.options)
        if self.members:
            spec.update(self.members.argument_spec())
        spec["state"] = dict(type="str", choices=["present", "absent"], default="present")
        return spec

    def label(self, params):
        """How messages name the object: by natural key, else by id."""
        name = params.get(self.key_field) or params.get(self.id_field)
        return "%s '%s'" % (self.kind, name) if name else self.kind

    def view(self, raw):
        """A raw LiteLLM object as the module returns it: option names, normalised values, members."""
        if not raw:
            return {}
        view = dict((f.name, f.read(raw)) for f in self.fields)
        if self.members:
            view["members"] = self.members.read(raw)
        return view

    def desired(self, params):
        """The options the user set (None means not set), validated; raises ValidationError."""
        desired = dict((f.name, params[f.name]) for f in self.options if params.get(f.name) is not None)
        for name, value in desired.items():
            self.by_name[name].validate(value)
        return desired

    def changes(self, desired, view):
        """The desired options whose normalised value differs from the live view."""
        return dict((name, value) for name, value in desired.items()
                    if self.by_name[name].normalise(value) != view.get(name))

    def predict(self, view, changes):
        """The view after ``changes`` are applied (check mode's answer, and the diff's 'after')."""
        predicted = dict(view) if view else dict((f.name, None) for f in self.fields)
        for name, value in changes.items():
            predicted[name] = self.by_name[name].normalise(value)
        return predicted

    def payload(self, changes, raw=None):
        """The request body for a create (raw is None) or an update with only the fields in ``changes``."""
        body = dict((name, self.by_name[name].write(value, raw)) for name, value in changes.items())
        if raw:
            body[self.id_field] = raw[self.id_field]
        return body


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
