# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The machinery of the kind specs: fields, members, links, endpoints and the Resource that holds them.

A Resource says where one LiteLLM object kind lives in the API (endpoints, id, natural key), which options a
module offers and where each one is found in what LiteLLM returns, and what the gateway engine needs to know
about it (references, owner marker, order, custom resource). Everything here is side-effect free except the
hooks that take a client; _read.py and _write.py do the calls. The kinds themselves are in kinds/<kind>.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
from collections import namedtuple
from urllib.parse import quote

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._formats import DURATION_OPTIONS, format_problem


EMPTY = (None, "", [], {})


def config_owned(section, plural):
    """Why an object of the proxy's config file (its ``section``) cannot be changed: the sentence of a kind's
    ``read_only``."""
    return "it is defined in the proxy's config file (%s), and LiteLLM lets the API change only the %s it stores in " \
           "its database" % (section, plural)


def get_path(obj, path):
    """``obj[path[0]][path[1]]...``, or None when any step is missing."""
    for step in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(step)
    return obj


def _sort_key(value):
    return json.dumps(value, sort_keys=True, default=str)


def prune(value):
    """Drop None (and emptied) entries from dicts, recursively."""
    if isinstance(value, dict):
        pruned = dict((k, prune(v)) for k, v in value.items())
        return dict((k, v) for k, v in pruned.items() if v is not None)
    if isinstance(value, list):
        return [prune(v) for v in value]
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
    checked like the Resource's when the option is set. ``key_requires``: for a dict option, key -> the Requires
    that setting that key needs (a model's ``litellm_params.rpd`` needs LiteLLM 1.109.0).
    ``format``: name, email, url or duration (see format_problem), checked before any request; a kind's natural
    key and id are names unless they say otherwise, and the options of DURATION_OPTIONS are durations.
    ``fixed``: LiteLLM takes it only when the object is created (its update leaves it as it is): asking to change it
    on an existing object fails before any request instead of reporting a change that never happens.
    """

    def __init__(self, name, type="str", elements=None, path=None, ordered=False, minimum=None, choices=None,
                 keep_keys=(), option=True, no_log=None, create_only=False, clearable=True, write_only=False,
                 requires=None, format=None, fixed=False, key_requires=None):
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
        self.fixed = fixed
        self.key_requires = dict(key_requires or {})
        self.format = format or ("duration" if name in DURATION_OPTIONS and type == "str" else None)

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
            value = [prune(v) for v in value]
            return value if self.ordered else sorted(dict((_sort_key(v), v) for v in value).values(), key=_sort_key)
        if self.type == "dict":
            return prune(value) or None
        return value

    def validate(self, value):
        problem = format_problem(self.format, value) if self.format else None
        if problem:
            raise ValidationError("%s %s" % (self.name, problem))
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
        for index, member in enumerate(desired):
            for option, fmt in (("user_id", "name"), ("user_email", "email")):
                problem = format_problem(fmt, member.get(option)) if member.get(option) is not None else None
                if problem:
                    raise ValidationError("members[%d].%s %s" % (index, option, problem))
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
# An option of a document object naming a parent by its natural key (team_alias), resolved to the parent's id
# (``field`` of ``target``, a Resource).
Reference = namedtuple("Reference", "option target field")
# What LiteLLM does to an object of a kind when it deletes the ``parent`` (a Resource) whose id the object holds at
# ``path``: ``effect`` is "deleted" (a team's keys go with it) or says how the object is left (a model naming a
# credential that no longer exists). Both engines refuse such a deletion unless the user opts in (``cascade``).
Cascade = namedtuple("Cascade", "parent path effect")
# An option naming other objects that must exist, declared in the same document or live, before anything is written
# (a model's credential, a tag's models): ``path`` of the option in the desired options (its value one name or a
# list of names), the ``target`` Resource, and the target's ``fields`` a name may be the value of. ``to``: the field
# LiteLLM takes (a user's ``teams`` are team ids), when a name may be the value of another (a team's alias): each
# name is made the ``to`` of the object it names before anything is planned (_checks.resolve_names).
Names = namedtuple("Names", "path target fields to")
Names.__new__.__defaults__ = (None,)
# A kind whose objects live inside a parent's (team members in a team): ``read(answer)`` lists them from the
# parent's answer.
Membership = namedtuple("Membership", "parent member read")


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
                 filters=None, paginated=True, where=None, page_size="page_size", query=None, object_query=None):
        self.method = method
        self.path = path            # may hold ``{id}``, replaced by the object's id
        self.idempotent = idempotent
        self.body = body            # callable(object id) -> request body, for deletes
        self.param = param          # query parameter that carries the id, for gets
        self.unwrap = unwrap        # key of the object in a get's (or a create's) answer
        self.items = items          # key of the list in a list's answer (None: the answer is the list), or
        # callable(answer) -> the list
        self.filters = filters or {}  # option name -> query parameter, for lists
        self.paginated = paginated  # False: a list comes whole, without page/page_size
        self.where = where          # callable(list entry) -> whether it is an object of the kind, for lists
        self.page_size = page_size  # the query parameter that sets the page size, for lists
        self.query = dict(query or {})  # fixed query parameters of every call, for lists
        # raw field -> query parameter of a call on one object, its value taken from the live object (a prompt's
        # environment, which its path does not name)
        self.object_query = dict(object_query or {})

    def target(self, object_id=None):
        """The path of the call for one object: ``{id}`` replaced by its id (URL-quoted)."""
        if "{id}" not in self.path:
            return self.path
        return self.path.replace("{id}", quote(str(object_id), safe=""))

    def for_object(self, raw, id_field):
        """(path, query parameters or None) of the call on the live object ``raw``: ``{id}`` in the path is its
        ``id_field``, any other ``{field}`` its value of that field (a prompt's ``{prompt_id}``, where the engine's
        id names its environment too), and ``object_query`` its per-object query parameters."""
        def value(match):
            return quote(str(raw[id_field if match.group(1) == "id" else match.group(1)]), safe="")
        path = re.sub(r"\{([a-z_]+)\}", value, self.path)
        query = dict((param, raw[field]) for field, param in self.object_query.items() if raw.get(field) is not None)
        return path, query or None


class Resource(object):
    """Where one LiteLLM object kind lives in the API and which options a module offers for it."""

    def __init__(self, kind, plural, id_field, key_field, fields, create, update, delete, get, find,
                 members=None, hydrate=None, links=(), create_extra=None, update_with=None, request_body=None,
                 read_only=None, preflight=None, required=(), generated_id=False, requires=None, shape=None,
                 key_filters=None, unique_key=True, list_order=None, references=(), named_parents=(),
                 mutually_exclusive=(), refused=(), document_options=None, owner_field=None, export_id=True,
                 protected_ids=(), bulk_join=None, export_options=None, cr_kind=None, cr_ref=None, cr_alias=None,
                 cascaded_by=(), names=(), rules=(), later=(), create_with=None, delete_with=None, cr_map=None,
                 replaces=False):
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
        # create_with(client, resource, body) -> id and delete_with(client, resource, raw): the same where one request
        # to ``create`` or ``delete`` cannot do it (a fallback is one request per fallback type).
        self.create_with = create_with
        self.delete_with = delete_with
        # request_body(body, raw) -> the body LiteLLM takes, from one keyed by option names (raw is None on
        # create); read_only(raw) -> why an existing object cannot be changed through the API, or None;
        # preflight(client, params) raises LiteLLMError, in one sentence, when the proxy cannot do what params ask.
        self.request_body = request_body
        # later: options LiteLLM's create does not take (an agent's public flag): a create leaves them out, and
        # they are sent by an update (``update_with``) right after it.
        self.later = tuple(later)
        # replaces: LiteLLM's update replaces the whole object with what it is sent (a search tool): an update then
        # sends every option the user declared, secrets included, not only those that differ.
        self.replaces = replaces
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
        # list_order: the unique id LiteLLM can sort the kind's paged list by (pages by creation time repeat and
        # miss objects created together); None where it cannot.
        self.list_order = list_order
        # What the gateway engine (gateway_state) needs beyond the module. references: Reference tuples, parents
        # named by natural key in a document and resolved to their id; named_parents: (parent Resource, path of
        # the option that names it by its id), for the order and the failure of the parent only;
        # mutually_exclusive: pairs of options a document object may not set together; refused: module options a
        # document refuses; document_options: further argument spec of a document object.
        self.references = tuple(references)
        self.named_parents = tuple(named_parents)
        self.mutually_exclusive = [tuple(pair) for pair in mutually_exclusive]
        self.refused = tuple(refused)
        self.document_options = dict(document_options or {})
        # owner_field: the dict option the engine may add its ownership marker to (None: the kind has none);
        # export_id: False where LiteLLM generates the id of an object found by another natural key (a new gateway
        # makes its own: left out of exports); protected_ids: objects LiteLLM makes for itself and needs (never
        # pruned); bulk_join(client, objects): the join done once per list instead of ``hydrate``'s reads.
        self.owner_field = owner_field
        self.export_id = export_id
        self.protected_ids = frozenset(protected_ids)
        self.bulk_join = bulk_join
        # export_options(options, view): the kind's own rules for an exported object, applied to its options (in
        # place) after the common ones (a model's cost-map keys left out, a customer's shared budget's limits ...).
        self.export_options = export_options
        # cr_kind: the kind of the operator's custom resource for this kind (None: it has no CRD); cr_ref: the spec
        # field by which other custom resources name one of this kind (teamRef: {name}); cr_alias: the option whose
        # value in the custom resource's spec is the object's name in LiteLLM (default: the natural key).
        self.cr_kind = cr_kind
        self.cr_ref = cr_ref
        self.cr_alias = cr_alias or key_field
        # cr_map: a CRMap (_custom_resources.py), how the custom resource's spec maps to the document's options.
        self.cr_map = cr_map
        # cascaded_by: Cascade tuples, what LiteLLM's deletion of a parent does to objects of this kind.
        self.cascaded_by = tuple(cascaded_by)
        # names: Names tuples, the options that name other objects, which must exist before anything is written;
        # rules: callables(desired options) -> why they do not go together (one sentence), or None; both checked
        # by the modules and the gateway engine alike.
        self.names = tuple(names)
        self.rules = tuple(rules)
        for name in (key_field, id_field):  # natural keys and ids are names, unless the kind says what else
            field = self.by_name.get(name)
            if field is not None and field.type == "str" and field.format is None:
                field.format = "name"

    @property
    def options(self):
        return [f for f in self.fields if f.option]

    @property
    def lookup_options(self):
        """The options that name one object: its natural key, and its id where that is an option of its own (not
        where the name is the id, a tag's, nor where the id is the engine's only, a prompt's id and environment)."""
        field = self.by_name.get(self.id_field)
        if self.id_field == self.key_field or (field is not None and not field.option):
            return (self.key_field,)
        return (self.key_field, self.id_field)

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
        """The options the user set (None means not set), validated (members too); raises ValidationError."""
        desired = dict((f.name, params[f.name]) for f in self.options if params.get(f.name) is not None)
        for name, value in desired.items():
            self.by_name[name].validate(value)
        if self.members and params.get("members") is not None:
            self.members.validate(params["members"])
        for rule in self.rules:
            problem = rule(desired)
            if problem:
                raise ValidationError(problem)
        return desired

    def named(self, desired, params=None):
        """[(option, Names, name)] of every object ``desired`` names through the kind's ``names`` (a link option, a
        user's ``teams``, is found in the ``params``)."""
        found = []
        for names in self.names:
            value = get_path(desired, names.path)
            if value is None and params is not None:
                value = get_path(params, names.path)
            for name in value if isinstance(value, list) else [value] if value else []:
                found.append((".".join(names.path), names, name))
        return found

    def changes(self, desired, view):
        """The desired options whose normalised value differs from the live view (create-only ones never do)."""
        changes = {}
        for name, value in desired.items():
            field = self.by_name[name]
            value = field.public(value)
            if field.create_only or value is None or not field.differs(value, view.get(name)):
                continue
            if field.fixed and view:
                raise ValidationError("%s cannot be changed once the %s exists: LiteLLM's update leaves it as it is "
                                      "(delete the %s and create it again)" % (name, self.kind, self.kind))
            wanted = field.normalise(value)
            if wanted is None and not field.clearable:
                raise ValidationError("%s cannot be emptied once set: LiteLLM ignores an empty value when it "
                                      "updates a %s" % (name, self.kind))
            changes[name] = value
        return changes

    def update_options(self, desired, changes, secrets):
        """The options an update of an existing object sends: those that differ and the secrets to send again, or,
        where LiteLLM replaces the whole object (``replaces``), every declared option."""
        if self.replaces and (changes or secrets):
            return dict(desired, **changes)
        return dict(changes, **secrets)

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
            body = dict(self.create_extra, **dict((k, v) for k, v in body.items() if k not in self.later))
        return self.request_body(body, raw) if self.request_body else body
