# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bulk desired-state engine: one document of many objects of many kinds, planned and applied at once.

A document maps each kind's plural (``models``, ``teams``, ``virtual_keys`` ...) to a list of objects written
with the options of the kind's module, validated with the module's own argument spec. The live state is read
with one list call per kind (paged); objects are matched by natural key (or id), compared with the Resource
specs' own rules (the ones the modules use), and planned: create, update (with per-field changes), delete, or
nothing. Work runs kind by kind in dependency order (the reverse for deletions) on a bounded thread pool; an
object whose parent failed is skipped, and every object's outcome is reported.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import threading
from collections import namedtuple
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    PRICE_NAME,
    SECRET_NAME,
    LiteLLMError,
    ValidationError,
    scrub,
)
from ansible_collections.llmops.litellm.plugins.module_utils._module import (
    send_create,
    send_delete,
    send_links,
    send_members,
    send_update,
    unique,
)
from ansible_collections.llmops.litellm.plugins.module_utils._fields import (
    MergedDict,
    PartialDict,
    is_env_reference,
    litellm_masks,
)
from ansible_collections.llmops.litellm.plugins.module_utils._spec import MemberPlan, get_path
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    key_hash,
    key_problem,
    new_key,
    read_key_file,
    write_key_file,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.customer import CUSTOMER, CUSTOMER_BUDGET
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.guardrail import GUARDRAIL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_PLURAL, KINDS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import VIRTUAL_KEY

# The key of the ownership marker in the kind's owner_field (a dict option the engine may add one key to).
OWNER_KEY = "llmops_owner"

# A secret left out of an export. As a desired value it means: do not touch (not compared, never sent).
PLACEHOLDER = "llmops-secret/"
POLICIES = ("preserve", "prune", "adopt")
REDACTED = "********"
PENDING = "(known after apply)"


def is_placeholder(value):
    return isinstance(value, str) and value.startswith(PLACEHOLDER)


def placeholder(resource, name, option, key=None):
    """The placeholder of one secret: names the environment variable a user would fill it from."""
    words = [resource.kind, name, option] + ([key] if key else [])
    return PLACEHOLDER + re.sub(r"[^A-Z0-9]+", "_", "_".join(str(w) for w in words).upper()).strip("_")


def drop_placeholders(params):
    """Params without placeholders (whole options, or keys of dict options); returns (params, dropped names)."""
    kept, dropped = {}, []
    for name, value in params.items():
        if is_placeholder(value):
            dropped.append(name)
        elif isinstance(value, dict):
            kept[name] = dict((k, v) for k, v in value.items() if not is_placeholder(v))
            dropped.extend("%s.%s" % (name, k) for k, v in value.items() if is_placeholder(v))
        else:
            kept[name] = value
    return kept, dropped


def object_spec(resource):
    """The argument spec of one object of a kind in a document: its module's options, plus references."""
    spec = resource.argument_spec()
    if "update_secrets" in spec:
        spec["update_secrets"] = dict(spec["update_secrets"], default=None)
    for reference in resource.references:
        spec[reference.option] = dict(type="str")
    spec.update(resource.document_options)
    return spec


def natural_name(resource, obj):
    """How reports name an object: its natural key, else its id."""
    return obj.get(resource.key_field) or obj.get(resource.id_field)


def field_changes(resource, changes, view):
    """The per-field changes of an update: [{path, desired, live}], a dict option split into its keys."""
    found = []
    for name in sorted(changes):
        field, desired, live = resource.by_name[name], changes[name], view.get(name)
        if field.no_log:
            found.append(dict(path=name, desired=REDACTED, live=REDACTED if live is not None else None))
            continue
        if field.type == "dict" and isinstance(desired, dict):
            partial = isinstance(field, (MergedDict, PartialDict))
            live = live if isinstance(live, dict) else {}
            keys = sorted(set(desired) | (set() if partial else set(live)), key=str)
            merged = field.merged(live, desired) or {}
            for key in keys:
                if merged.get(key) != live.get(key):
                    found.append(dict(path="%s.%s" % (name, key), desired=merged.get(key), live=live.get(key)))
            continue
        found.append(dict(path=name, desired=field.normalise(desired) if desired != PENDING else desired,
                          live=live))
    return found


def member_changes(resource, plan, live):
    """The per-member changes of a MemberPlan against the live members: [{path, desired, live}] of roles."""
    spec = resource.members

    def path(member):  # named by email where there is one, as documents usually name members
        return "members[user_email=%s]" % member["user_email"] if member.get("user_email") else \
            "members[user_id=%s]" % member["user_id"]

    def live_role(member):
        return next((m["role"] for m in live if spec.matches(member, m)), None)
    return ([dict(path=path(m), desired=m["role"], live=None) for m in plan.add]
            + [dict(path=path(m), desired=m["role"], live=live_role(m)) for m in plan.update]
            + [dict(path=path(m), desired=None, live=m["role"]) for m in plan.remove])


class Item(object):
    """One object of the plan: what is declared, what is live, what is to be done, and what happened."""

    def __init__(self, resource, params=None, raw=None, where=None):
        self.resource = resource
        self.params = params or {}
        self.raw = raw
        self.where = where                  # "teams[3]" for a declared object
        self.view = resource.view(raw) if raw else {}
        self.desired = {}
        self.secrets = {}
        self.changes = {}
        self.diff = []                      # [{path, desired, live}]
        self.members = MemberPlan([], [], [], None)
        self.links = []
        self.pending = {}                   # option -> parent Item whose id is known once it is created
        self.parents = []
        self.action = "none"                # create | update | delete | none | unmanaged | adopt
        self.status = None                  # created | updated | deleted | failed | skipped (after apply)
        self.error = None
        self.object_id = raw.get(resource.id_field) if raw else None
        self.key_file = None

    @property
    def name(self):
        return natural_name(self.resource, self.params) or natural_name(self.resource, self.view)

    @property
    def label(self):
        return "%s '%s'" % (self.resource.kind, self.name)

    def report(self):
        entry = dict(kind=self.resource.kind, name=self.name, action=self.action, changes=self.diff)
        if self.status:
            entry["status"] = self.status
        if self.error:
            entry["error"] = self.error
        return entry


Scope = namedtuple("Scope", "kinds name_prefix owner")


class Plan(object):
    """The items of a document against the live state, and what is to be done with the objects not declared."""

    def __init__(self, items, unmanaged):
        self.items = items
        self.unmanaged = unmanaged

    @property
    def work(self):
        return [i for i in self.items + self.unmanaged if i.action in ("create", "update", "delete")]

    @property
    def changed(self):
        return bool(self.work)

    def summary(self):
        counts = {}
        for item in self.items + self.unmanaged:
            counts[item.status or item.action] = counts.get(item.status or item.action, 0) + 1
        return counts


# --- reading -----------------------------------------------------------------------------------------------------

PAGE_SIZE = 100


def list_page(client, resource, page):
    """One page of a kind's list endpoint: (raw objects, number of pages)."""
    endpoint = resource.find
    if not endpoint.paginated:
        answer = client.get(endpoint.path, params=dict(endpoint.query) or None)
        return list(answer if isinstance(answer, list) else (answer or {}).get(endpoint.items) or []), 1
    params = dict(endpoint.query, page=page, **{endpoint.page_size: PAGE_SIZE})
    if resource.list_order:
        params.update(sort_by=resource.list_order, sort_order="asc")
    answer = client.get(endpoint.path, params=params)
    return answer.get(endpoint.items) or [], answer.get("total_pages") or 1


def read_live(client_for, kinds, workers):
    """{kind: [raw]} for the given Resources, with list calls only: the first page of every kind at once, then all
    the other pages at once (one client per thread), then the joins done once per list."""
    kinds = list(kinds)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        first = list(pool.map(lambda r: list_page(client_for(), r, 1), kinds))
        more = [(r, page) for r, (_items, pages) in zip(kinds, first) for page in range(2, pages + 1)]
        rest = list(pool.map(lambda job: (job[0].kind, list_page(client_for(), job[0], job[1])[0]), more))
    live = {}
    for resource, (items, _pages) in zip(kinds, first):
        found = items + [o for kind, page in rest if kind == resource.kind for o in page]
        if resource.shape:
            found = [resource.shape(o) for o in found]
        found = unique(resource, [o for o in found if resource.find.where is None or resource.find.where(o)])
        join = resource.bulk_join or resource.hydrate
        live[resource.kind] = join(client_for(), found) if join else found
    if "organization" in live and "user" in live:
        emails = dict((u.get("user_id"), u.get("user_email")) for u in live["user"])
        live["organization"] = [dict(o, members=[dict(m, user_email=m.get("user_email") or emails.get(m.get("user_id")))
                                                 for m in o.get("members") or []]) for o in live["organization"]]
    return live


# --- planning ----------------------------------------------------------------------------------------------------

def parse_document(document):
    """The declared objects: [(Resource, where, params)], validated with each kind's module argument spec.

    Raises ValidationError naming the object and the option for the first problem found; nothing is read or
    written before the whole document is valid.
    """
    if not isinstance(document, dict):
        raise ValidationError("the document must be a mapping of kinds to lists of objects")
    unknown = sorted(set(document) - set(BY_PLURAL))
    if unknown:
        raise ValidationError("unknown kind%s %s in the document (known: %s)" % (
            "s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(r.plural for r in KINDS)))
    declared = []
    for resource in KINDS:
        objects = document.get(resource.plural)
        if objects is None:
            continue
        if not isinstance(objects, list):
            raise ValidationError("%s must be a list of objects" % resource.plural)
        validator = ArgumentSpecValidator(object_spec(resource),
                                          mutually_exclusive=resource.mutually_exclusive or None,
                                          required_one_of=None if resource.id_field == resource.key_field else
                                          [(resource.key_field, resource.id_field)])
        for index, obj in enumerate(objects):
            declared.append(parse_object(resource, validator, "%s[%d]" % (resource.plural, index), obj))
    return declared


def parse_object(resource, validator, where, obj):
    if not isinstance(obj, dict):
        raise ValidationError("%s must be a mapping of options" % where)
    refused = sorted(set(obj).intersection(resource.refused))
    if refused:
        raise ValidationError("%s: %s not allowed in a document (a key's value is never declared: new values go to "
                              "key_dir or the key's key_file)" % (where, ", ".join(refused)))
    params, dropped = drop_placeholders(obj)
    if resource.id_field == resource.key_field and not params.get(resource.key_field):
        raise ValidationError("%s: %s is required" % (where, resource.key_field))
    result = validator.validate(params)
    unsupported = sorted(result.unsupported_parameters)
    if unsupported:
        raise ValidationError("%s: unsupported option%s %s for a %s (its options: %s)" % (
            where, "s" if len(unsupported) > 1 else "", ", ".join(unsupported), resource.kind,
            ", ".join(sorted(validator.argument_spec))))
    if result.error_messages:
        raise ValidationError("%s: %s" % (where, result.error_messages[0]))
    params = result.validated_parameters
    try:
        params["_desired"] = resource.desired(params)
    except ValidationError as exc:
        raise ValidationError("%s: %s" % (where, exc.msg))
    params["_dropped"] = dropped
    params["_no_log"] = set(result._no_log_values)  # pylint: disable=protected-access
    return resource, where, params


class Planner(object):
    """Plans a parsed document against the live state."""

    def __init__(self, declared, live, scope, policy, update_secrets="on_create", key_dir=None):
        self.declared = declared
        self.live = live
        self.scope = scope
        self.policy = policy
        self.update_secrets = update_secrets
        self.key_dir = key_dir
        self.items = []
        self.claimed = {}       # (kind, live id) -> Item
        self.by_id, self.by_key = {}, {}
        for resource in KINDS:
            for raw in live.get(resource.kind, []):
                self.by_id[(resource.kind, raw.get(resource.id_field))] = raw
                self.by_key.setdefault((resource.kind, raw.get(resource.key_field)), []).append(raw)
        self.declared_keys = {}  # (kind, natural key) -> the Item declaring it present

    def plan(self):
        for resource, where, params in self.declared:
            item = self.match(resource, where, params)
            self.items.append(item)
            if params["state"] == "present":
                self.declared_keys.setdefault((resource.kind, params.get(resource.key_field)), item)
        for item in self.items:
            self.link_parents(item)
        for item in self.items:
            self.plan_item(item)
        return Plan(self.items, self.plan_unmanaged())

    # matching ------------------------------------------------------------------------------------------------

    def match(self, resource, where, params):
        object_id = params.get(resource.id_field)
        if object_id and resource.id_field != resource.key_field:
            found = [o for o in [self.by_id.get((resource.kind, object_id))] if o is not None]
        else:
            more = resource.key_filters(params) if resource.key_filters else {}
            found = [o for o in self.by_key.get((resource.kind, params.get(resource.key_field)), [])
                     if all(o.get(k) == v for k, v in more.items())]
        if len(found) > 1:
            raise ValidationError("%s: %d %s exist with %s '%s' (%s %s); set %s to choose one" % (
                where, len(found), resource.plural, resource.key_field, params.get(resource.key_field),
                resource.id_field, ", ".join(sorted(str(o.get(resource.id_field)) for o in found)), resource.id_field))
        raw = found[0] if found else None
        item = Item(resource, params, raw, where)
        if raw is not None:
            claim = (resource.kind, raw.get(resource.id_field))
            if claim in self.claimed:
                raise ValidationError("%s and %s declare the same %s" % (self.claimed[claim].where, where, item.label))
            self.claimed[claim] = item
        elif params["state"] == "present" and not resource.key_filters and \
                (resource.kind, params.get(resource.key_field)) in self.declared_keys:
            raise ValidationError("%s declares %s a second time" % (where, item.label))
        return item

    def declared_by_key(self, resource, key):
        return self.declared_keys.get((resource.kind, key))

    def link_parents(self, item):
        """Resolve references by natural key: to a live id, or to a declared parent created by this run."""
        params = item.params
        for reference in item.resource.references:
            key = params.get(reference.option)
            if not key:
                continue
            parent = self.declared_by_key(reference.target, key)
            live = self.by_key.get((reference.target.kind, key), [])
            if parent is not None:
                item.parents.append(parent)
            if parent is not None and parent.raw is None:
                item.pending[reference.field] = parent
            elif live:
                params["_desired"][reference.field] = live[0][reference.target.id_field]
            else:
                raise ValidationError("%s: %s '%s' names no %s, declared or live" % (
                    item.where, reference.option, key, reference.target.kind))
        for target, path in item.resource.named_parents:
            parent = self.declared_by_key(target, get_path(params, path))
            if parent is not None:
                item.parents.append(parent)

    # one object ----------------------------------------------------------------------------------------------

    def plan_item(self, item):
        resource, params = item.resource, item.params
        if params["state"] == "absent":
            if item.raw is not None:
                self.ensure_writable(item)
                item.action = "delete"
                item.diff = [dict(path="", desired=None, live=item.name)]
            return
        desired = dict(params["_desired"])
        self.mark_owner(item, desired)
        for field in item.pending:
            desired[field] = PENDING
        item.desired = desired
        policy = params.get("update_secrets") or self.update_secrets
        if item.raw is None:
            self.plan_create(item, desired)
            return
        item.changes = resource.changes(dict((k, v) for k, v in desired.items() if v != PENDING), item.view)
        item.changes.update((k, v) for k, v in desired.items() if v == PENDING)
        item.secrets = resource.secrets(desired) if policy == "always" else {}
        item.diff = field_changes(resource, item.changes, item.view)
        item.diff += [dict(path=name, desired=REDACTED, live=None) for name in sorted(item.secrets)]
        if resource.members and params.get("members") is not None:
            members = self.resolve_members(item, params["members"])
            item.members = resource.members.plan(members, item.view.get("members") or [], params["purge_members"])
            item.diff += member_changes(resource, item.members, item.view.get("members") or [])
        item.links = [(link, link.plan(params[link.name], item.view.get(link.name) or [], params[link.purge]))
                      for link in resource.links if params.get(link.name) is not None]
        for link, plan in item.links:
            if plan.add or plan.remove:
                item.diff.append(dict(path=link.name, desired=plan.predicted, live=item.view.get(link.name)))
        if item.diff:
            self.ensure_writable(item)
            item.action = "update"

    def plan_create(self, item, desired):
        resource, params = item.resource, item.params
        if params.get(resource.id_field) and resource.generated_id and resource.id_field != resource.key_field:
            raise ValidationError("%s: no %s has %s '%s', and LiteLLM chooses the %s of a new %s" % (
                item.where, resource.kind, resource.id_field, params[resource.id_field], resource.id_field,
                resource.kind))
        missing = [name for name in resource.required if get_path(desired, name.split(".")) in (None, "")]
        if missing:
            hidden = [m for m in missing if m in params["_dropped"]]
            raise ValidationError("%s: %s %s required to create %s%s" % (
                item.where, " and ".join(missing), "is" if len(missing) == 1 else "are", item.label,
                " (a placeholder cannot create it: give the value)" if hidden else ""))
        if resource is VIRTUAL_KEY:
            default_file = os.path.join(self.key_dir, key_file_name(item.name)) if self.key_dir else None
            item.key_file = params.get("key_file") or default_file
            if not item.key_file:
                raise ValidationError("%s: the value of a new virtual key is known only when it is created: set "
                                      "key_dir (or the key's key_file) so that it is kept" % item.where)
            folder = os.path.dirname(os.path.abspath(item.key_file))
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
                raise ValidationError("%s: the new key's value goes to %s, but %s is %s" % (
                    item.where, item.key_file, folder,
                    "not a writable directory" if os.path.isdir(folder) else "not an existing directory"))
        if resource.members and params.get("members") is not None:
            members = self.resolve_members(item, params["members"])
            item.members = resource.members.plan(members, [], params["purge_members"])
        item.links = [(link, link.plan(params[link.name], [], params[link.purge]))
                      for link in resource.links if params.get(link.name) is not None]
        public = dict((k, resource.by_name[k].public(v)) for k, v in desired.items())
        item.diff = field_changes(resource, dict((k, v) for k, v in public.items() if v is not None), {})
        item.diff += [dict(path=name, desired=REDACTED, live=None) for name in sorted(resource.secrets(desired))]
        item.diff += member_changes(resource, item.members, [])
        item.action = "create"

    def resolve_members(self, item, members):
        """Members as LiteLLM takes them: an organization's need a user_id, found in the live users by email."""
        if not item.resource.members.resolve:
            return members
        ids = {}
        for user in self.live.get("user", []):
            ids.setdefault((user.get("user_email") or "").lower(), []).append(user["user_id"])
        resolved = []
        for member in members:
            found = ids.get((member.get("user_email") or "").lower(), [])
            if member.get("user_id") or not member.get("user_email"):
                resolved.append(member)
            elif len(found) == 1:
                resolved.append(dict(member, user_id=found[0]))
            else:
                why = "%d users have this email" % len(found) if found else "no user has this email"
                raise ValidationError("%s: members[user_email=%s]: %s; LiteLLM adds organization members by user_id "
                                      "only, so the user must exist before this run" % (
                                          item.where, member["user_email"], why))
        return resolved

    def mark_owner(self, item, desired):
        """With an owner, write the ownership marker into the kind's marker dict (keeping its other keys)."""
        field = item.resource.owner_field
        if not (self.scope.owner and field):
            return
        base = desired.get(field)
        if base is None and not isinstance(item.resource.by_name[field], MergedDict):
            base = item.view.get(field)
        desired[field] = dict(base or {}, **{OWNER_KEY: self.scope.owner})

    @staticmethod
    def ensure_writable(item):
        reason = item.resource.read_only(item.raw) if item.resource.read_only else None
        if reason:
            raise ValidationError("%s: cannot change %s: %s" % (item.where, item.label, reason))

    # objects not declared ------------------------------------------------------------------------------------

    def plan_unmanaged(self):
        unmanaged = []
        for resource in KINDS:
            if resource.plural not in self.scope.kinds:
                continue
            for raw in self.live.get(resource.kind, []):
                if (resource.kind, raw.get(resource.id_field)) in self.claimed:
                    continue
                item = Item(resource, raw=raw)
                if not self.owns(item):
                    continue
                item.action = self.unmanaged_action(item)
                if item.action == "delete":
                    item.diff = [dict(path="", desired=None, live=item.name)]
                unmanaged.append(item)
        return unmanaged

    def unmanaged_action(self, item):
        resource = item.resource
        if resource.read_only and resource.read_only(item.raw):
            return "unmanaged"  # defined in the proxy's config file: not the API's to change
        if item.object_id in resource.protected_ids:
            return "unmanaged"
        return {"adopt": "adopt", "prune": "delete"}.get(self.policy, "unmanaged")

    def owns(self, item):
        """Whether an object not declared is in the declared scope (reported, and with prune deleted)."""
        name = str(item.name or "")
        if self.scope.name_prefix and not name.startswith(self.scope.name_prefix):
            return False
        if self.scope.owner:
            field = item.resource.owner_field
            return bool(field) and (item.view.get(field) or {}).get(OWNER_KEY) == self.scope.owner
        return True


def key_file_name(alias):
    return re.sub(r"[^A-Za-z0-9._-]", "_", alias)


# --- applying ----------------------------------------------------------------------------------------------------

class Applier(object):
    """Runs a plan's work with at most ``workers`` requests in flight, each item as soon as what it needs is done.

    Creations and updates go in kind order, deletions in reverse: an item waits for the declared parents being
    created or changed in the same run (a key for its team), for every creation of the kinds before its own (a
    new object may be named by anything after it), and a deletion for the deletion of its children and of the
    kinds after its own and for all the other work. Updates of objects whose parents are unchanged do not wait."""

    def __init__(self, client_for, workers):
        self.client_for = client_for
        self.workers = max(1, workers)

    def apply(self, plan):
        work = plan.work
        rank = dict((resource.kind, n) for n, resource in enumerate(KINDS))
        writes = sorted((i for i in work if i.action != "delete"), key=lambda i: rank[i.resource.kind])
        deletes = sorted((i for i in work if i.action == "delete"), key=lambda i: -rank[i.resource.kind])
        in_work = set(id(i) for i in work)
        needs = {}
        for item in writes:
            needs[id(item)] = [p for p in item.parents if id(p) in in_work and p.action != "delete"]
        for item in deletes:
            needs[id(item)] = []
        for item in deletes:
            for parent in item.parents:
                if parent.action == "delete" and id(parent) in in_work:
                    needs[id(parent)].append(item)  # a parent is deleted after its children, if they were
        creates_left = dict((kind, 0) for kind in rank)
        for item in writes:
            if item.action == "create":
                creates_left[item.resource.kind] += 1
        left = dict(writes=len(writes), deletes=dict((kind, 0) for kind in rank))
        for item in deletes:
            left["deletes"][item.resource.kind] += 1

        def gate(item):
            """Whether the kind order lets ``item`` start now."""
            kind = rank[item.resource.kind]
            if item.action != "delete":
                return not any(creates_left[k.kind] for k in KINDS[:kind])
            return not left["writes"] and not any(left["deletes"][k.kind] for k in KINDS[kind + 1:])

        def finish(item):
            if item.action == "delete":
                left["deletes"][item.resource.kind] -= 1
            else:
                left["writes"] -= 1
                if item.action == "create":
                    creates_left[item.resource.kind] -= 1

        pending, running, done = writes + deletes, {}, set()
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            while pending or running:
                waiting = []
                for index, item in enumerate(pending):
                    if len(running) >= self.workers or not gate(item):
                        waiting.extend(pending[index:])  # the items after it wait for the same kinds or more
                        break
                    if any(id(p) not in done for p in needs[id(item)]):
                        waiting.append(item)
                        continue
                    failed = [p for p in needs[id(item)] if p.status in ("failed", "skipped")]
                    if failed:
                        item.status = "skipped"
                        item.error = "not applied: %s %s" % (failed[0].label, failed[0].status)
                        done.add(id(item))
                        finish(item)
                        continue
                    running[pool.submit(self.run_item, item)] = item
                pending = waiting
                if pending and not running:  # cannot happen: whatever an item waits for comes before it
                    raise RuntimeError("the plan's order leaves %s waiting" % pending[0].label)
                if running:
                    finished, _running = wait(list(running), return_when=FIRST_COMPLETED)
                    for future in finished:
                        item = running.pop(future)
                        future.result()
                        done.add(id(item))
                        finish(item)

    def run_item(self, item):
        client = self.client_for()
        try:
            for field, parent in item.pending.items():
                item.desired[field] = parent.object_id
            getattr(self, item.action)(client, item)
            item.status = item.action + "d"
        except LiteLLMError as exc:
            item.status = "failed"
            item.error = "failed to %s %s: %s" % (item.action, item.label, exc.msg)
        except (IOError, OSError) as exc:
            item.status = "failed"
            item.error = "failed to %s %s: %s" % (item.action, item.label, exc)

    @staticmethod
    def create(client, item):
        resource = item.resource
        body = resource.payload(item.desired)
        if resource is VIRTUAL_KEY:
            body["key"] = key_value(item.key_file)
        members = item.members
        if members.add and resource.members.in_create:
            body[resource.members.path[0]] = [resource.members.body(m) for m in members.add]
            members = MemberPlan([], [], [], None)
        created = send_create(client, resource, body)
        item.object_id = created if created is not None else item.desired.get(resource.id_field)
        if item.object_id is None and resource is VIRTUAL_KEY:
            item.object_id = key_hash(body["key"])
        send_members(client, resource, item.object_id, members)
        send_links(client, item.object_id, item.links)

    @staticmethod
    def update(client, item):
        changes = dict((k, item.desired[k]) for k in item.changes)
        changes.update(item.secrets)
        if changes:
            send_update(client, item.resource, changes, item.raw)
        send_members(client, item.resource, item.object_id, item.members)
        send_links(client, item.object_id, item.links)

    @staticmethod
    def delete(client, item):
        send_delete(client, item.resource, item.raw)


def key_value(path):
    """The value of a new key: kept in ``path`` (0600) before LiteLLM sees it; a file left by a run that stopped
    before LiteLLM created the key is used again, so that a retry creates that key."""
    kept = read_key_file(path)
    if kept is not None:
        if key_problem(kept):
            raise ValidationError("key file %s does not hold a key: it %s" % (path, key_problem(kept)))
        return kept
    value = new_key()
    write_key_file(path, value)
    return value


def drop_key_files(plan, key_dir):
    """Remove the key files of deleted keys that hold the deleted key (never another one)."""
    for item in plan.items + plan.unmanaged:
        if item.resource is not VIRTUAL_KEY or item.status != "deleted" or not item.name:
            continue
        path = item.params.get("key_file") or (os.path.join(key_dir, key_file_name(item.name)) if key_dir else None)
        kept = read_key_file(path) if path else None
        if kept is not None and key_hash(kept) == item.raw.get("token"):
            os.remove(path)


def thread_clients(factory):
    """A function giving each thread its own client (a requests.Session is not shared between threads)."""
    local = threading.local()

    def client_for():
        if not hasattr(local, "client"):
            local.client = factory()
        return local.client
    return client_for


# --- the whole run, and the export -------------------------------------------------------------------------------

def needed_kinds(declared, scope):
    """The kinds whose live state a plan needs: declared, in scope, and referenced."""
    kinds = set(r.kind for r, _w, _p in declared) | set(BY_PLURAL[p].kind for p in scope.kinds)
    for resource, _where, params in declared:
        for reference in resource.references:
            if params.get(reference.option):
                kinds.add(reference.target.kind)
        if resource.members and resource.members.resolve and params.get("members"):
            kinds.add("user")
    if "organization" in kinds:
        kinds.add("user")  # organization members are listed by user_id: their emails come from the users
    return [r for r in KINDS if r.kind in kinds]


def make_scope(document, kinds=None, name_prefix=None, owner=None):
    declared = [p for p in BY_PLURAL if document.get(p) is not None]
    kinds = list(kinds) if kinds else declared
    unknown = sorted(set(kinds) - set(BY_PLURAL))
    if unknown:
        raise ValidationError("scope.kinds: unknown kind %s (known: %s)" % (", ".join(unknown), ", ".join(BY_PLURAL)))
    return Scope(kinds, name_prefix, owner)


def item_view(item, after):
    """An object's options before or after (predicted) the plan, secrets left out."""
    resource = item.resource
    if not after:
        view = item.view
    elif item.action == "delete":
        view = {}
    else:
        declared = item.changes if item.raw else item.desired
        changes = dict((k, resource.by_name[k].public(v)) for k, v in declared.items())
        view = resource.predict(item.view, dict((k, v) for k, v in changes.items() if v is not None))
        if item.members.predicted is not None:
            view["members"] = item.members.predicted
        for link, plan in item.links:
            view[link.name] = plan.predicted
    return dict((k, v) for k, v in view.items() if v is not None and (k not in resource.by_name or (
        resource.by_name[k].option and not resource.by_name[k].no_log)))


# --- export ------------------------------------------------------------------------------------------------------

# model_info keys LiteLLM fills in from its cost map in every answer (costs, token limits, capabilities): not
# exported, since they are LiteLLM's and not the user's (leaving a key out of a MergedDict never changes anything).
MODEL_INFO_DERIVED = re.compile(r"^(key|litellm_provider|mode|source|comment|metadata|deprecation_date|tpm|rpm|"
                                r"member_auto_router|pricing_overrides|output_vector_size|tiered_pricing|"
                                r"off_peak_pricing|provider_specific_entry|thinking_always_on|"
                                r"default_reasoning_effort|reasoning_effort_levels|search_free_requests)$|"
                                r"^supports?_|^supported_|cost|^max_\w*tokens$|^token_count_|^regional_|"
                                r"^uses?_|^prompt_cache_|^bedrock_|^gemini_|^vertex_ai_|^web_search_|^audio_")


def export_object(resource, raw, names):
    """A live object in the document format: the module's options, parents by natural key, secrets as
    placeholders. ``names`` maps (kind, id) to natural keys for the references."""
    view = resource.view(raw)
    name = natural_name(resource, view)
    options = {}
    for field in resource.options:
        value = view.get(field.name)
        if field.create_only or (field.name == resource.id_field and not resource.export_id):
            continue
        if field.write_only or (field.has_secrets and value is None and field.name == "provider_api_key"):
            if field.write_only and resource is GUARDRAIL:
                continue  # secret keys of a guardrail's litellm_params show (masked) in litellm_params
            if resource is MODEL and get_path(view, ("litellm_params", "litellm_credential_name")):
                continue
            value = placeholder(resource, name, field.name)
        elif value is None:
            continue
        elif field.name == "provider_api_key" and not is_env_reference(value):
            value = placeholder(resource, name, field.name)
        elif field.no_log and isinstance(value, dict):
            value = dict((k, placeholder(resource, name, field.name, k)) for k in value)
        elif isinstance(field, PartialDict):
            value = dict((k, placeholder(resource, name, field.name, k) if isinstance(v, str) and litellm_masks(k)
                          else v) for k, v in value.items())
        if resource is MODEL and field.name == "model_info":
            value = dict((k, v) for k, v in value.items() if not MODEL_INFO_DERIVED.search(k)) or None
            if value is None:
                continue
        if resource is CUSTOMER and field.name in CUSTOMER_BUDGET and view.get("budget_id"):
            continue  # the limits of the customer's budget, exported with the budget
        if resource.owner_field == field.name and isinstance(value, dict):
            value = dict((k, v) for k, v in value.items() if k != OWNER_KEY) or None
            if value is None:
                continue
        options[field.name] = value
    if resource.members and view.get("members"):
        options["members"] = [dict((k, v) for k, v in m.items() if v is not None) for m in view["members"]]
    for link in resource.links:
        if view.get(link.name):
            options[link.name] = view[link.name]
    for reference in resource.references:
        parent = names.get((reference.target.kind, options.get(reference.field)))
        if parent:
            options[reference.option] = parent
            options.pop(reference.field)
    return options


def scrub_export(data, secrets=()):
    """scrub_data for an export: secret-named fields blanked, except references and placeholders (no secrets)."""
    if isinstance(data, dict):
        return dict((k, v if is_placeholder(v) or is_env_reference(v) else
                     REDACTED if SECRET_NAME.search(str(k)) and not PRICE_NAME.search(str(k)) and v not in (None, "")
                     else scrub_export(v, secrets)) for k, v in data.items())
    if isinstance(data, list):
        return [scrub_export(v, secrets) for v in data]
    return scrub(data, secrets) if isinstance(data, str) and not is_placeholder(data) else data


def export_document(live, kinds, name_prefix=None, owner=None, only=None):
    """The live gateway as a document; objects defined in the proxy's config file and keys without an alias are
    left out (they cannot be declared). ``only``: the (kind, id) pairs to export (default: all)."""
    names = dict(((r.kind, o.get(r.id_field)), o.get(r.key_field)) for r in KINDS for o in live.get(r.kind, []))
    document = {}
    for resource in KINDS:
        if resource.plural not in kinds:
            continue
        objects = []
        for raw in live.get(resource.kind, []):
            view = resource.view(raw)
            name = natural_name(resource, view)
            if not name or (resource is VIRTUAL_KEY and not view.get("key_alias")):
                continue
            if only is not None and (resource.kind, raw.get(resource.id_field)) not in only:
                continue
            if resource.read_only and resource.read_only(raw):
                continue
            if name_prefix and not str(name).startswith(name_prefix):
                continue
            field = resource.owner_field
            if owner and (not field or (view.get(field) or {}).get(OWNER_KEY) != owner):
                continue
            objects.append(export_object(resource, raw, names))
        document[resource.plural] = sorted(objects, key=lambda o: str(natural_name(resource, o)))
    return document


# --- custom-resource manifests -----------------------------------------------------------------------------------

CR_API_VERSION = "litellm.llmops.dev/v1alpha1"
# Secret options: the CRDs take them as references to Kubernetes Secrets, which a gateway export cannot name.
CR_SECRETS = frozenset(("provider_api_key", "secret_litellm_params", "credential_values", "credentials"))
# References become <kind>Ref: {name: <the parent's CR name>}.
CR_REFS = {"team_alias": "teamRef", "organization_alias": "organizationRef"}


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def cr_name(name):
    """A DNS-1123 name for a natural key (lower case, dashes, at most 63 characters)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", str(name).lower()).strip("-") or "object"
    return cleaned[:63].rstrip("-")


def cr_value(field, value):
    """Budgets are int-or-string in the CRDs (as in PalenaAI's ``maxBudget: "100"``): a whole number stays a number,
    anything else becomes its decimal string."""
    if (field.endswith("Budget") or field == "budgetLimit") and isinstance(value, float):
        return int(value) if value.is_integer() else repr(value)
    return value


def cr_spec(resource, options, instance):
    """A document object as the spec of its custom resource: camelCased options, parents as ``<kind>Ref``, secrets
    (placeholders, and os.environ/ references, which name the proxy's environment, not a Secret) left out."""
    spec = {"instanceRef": {"name": instance}}
    references = set(r.option for r in resource.references)
    for name, value in options.items():
        if name in references:
            spec[CR_REFS[name]] = {"name": cr_name(value)}
        elif name == "members":
            fields = (("email", "user_email"), ("userId", "user_id"), ("role", "role"))
            spec["members"] = [dict((k, m[f]) for k, f in fields if m.get(f) is not None) for m in value]
        elif name == "litellm_params" and resource is MODEL:
            params = dict((camel(k), v) for k, v in value.items() if k != "litellm_credential_name")
            if value.get("litellm_credential_name"):
                params["credentialRef"] = {"name": cr_name(value["litellm_credential_name"])}
            spec.setdefault("litellmParams", {}).update(params)
        elif name == "model_max_budget":
            spec["modelMaxBudget"] = dict((model, dict((camel(k), cr_value(camel(k), v)) for k, v in budget.items()))
                                          for model, budget in value.items())
        elif name in CR_SECRETS:
            continue  # the CRDs take secrets from Kubernetes Secrets only (apiKeySecretRef, ...), never inline
        elif not is_placeholder(value) and not (isinstance(value, dict) and any(map(is_placeholder, value.values()))):
            spec[camel(name)] = cr_value(camel(name), value)
    return spec


def manifests(document, instance, namespace=None):
    """The document as custom resources of the llmops operator (kinds without a CRD are left out)."""
    found = []
    for resource in KINDS:
        kind = resource.cr_kind
        for options in document.get(resource.plural) or [] if kind else []:
            metadata = {"name": cr_name(natural_name(resource, options))}
            if namespace:
                metadata["namespace"] = namespace
            found.append({"apiVersion": CR_API_VERSION, "kind": kind, "metadata": metadata,
                          "spec": cr_spec(resource, options, instance)})
    return found


# --- documents from files ----------------------------------------------------------------------------------------

def merge_documents(documents):
    """One document from several: each kind's lists concatenated, in the order given."""
    merged = {}
    for where, document in documents:
        if document is None:
            continue
        if not isinstance(document, dict):
            raise ValidationError("%s: a document must be a mapping of kinds to lists of objects" % where)
        for kind, objects in document.items():
            if not isinstance(objects, list):
                raise ValidationError("%s: %s must be a list of objects" % (where, kind))
            merged.setdefault(kind, []).extend(objects)
    return merged


def read_documents(paths, load):
    """[(path, document)] of YAML or JSON files (``load`` parses text); a directory gives its *.yml, *.yaml and
    *.json files, sorted."""
    found = []
    for path in paths:
        names = [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith((".yml", ".yaml", ".json"))] \
            if os.path.isdir(path) else [path]
        for name in names:
            try:
                with open(name) as handle:
                    found.append((name, load(handle.read())))
            except (IOError, OSError) as exc:
                raise ValidationError("cannot read %s: %s" % (name, exc.strerror))
            except ValueError as exc:
                raise ValidationError("cannot parse %s: %s" % (name, exc))
    return found
