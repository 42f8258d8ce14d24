# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gateway plan: each declared object matched by natural key (or id) with the live state, compared with the kind's
spec (the rules the modules use) and planned: create, update (with per-field changes), delete, or nothing; objects
not declared are preserved, pruned or adopted within the scope.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.llmops.litellm.plugins.module_utils._cascade import DELETED, cascade_of, refuse
from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    MissingObject,
    ValidationError,
)
from ansible_collections.llmops.litellm.plugins.module_utils._fields import MergedDict
from ansible_collections.llmops.litellm.plugins.module_utils._spec import MemberPlan, get_path
from ansible_collections.llmops.litellm.plugins.module_utils._checks import (
    NameIndex,
    ensure_creatable,
    ensure_key_free,
    ensure_names_exist,
    map_names,
    missing_required,
    no_parent,
    resolve_names,
)
from ansible_collections.llmops.litellm.plugins.module_utils._write import plan_links, wanted_links
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.changes import (
    KNOWN_AFTER_APPLY,
    field_changes,
    link_changes,
    member_changes,
    stand_in,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import (
    OWNER_KEY,
    REDACTED,
    key_file_name,
    natural_name,
)
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    key_hash, key_problem, predecessors_of, retiring_of)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import no_member_user
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import VIRTUAL_KEY


POLICIES = ("preserve", "prune", "adopt")
# The statuses of declared objects that ``invalid: skip`` holds back: nothing of them is written.
HELD = ("invalid", "waiting")


class Contradiction(ValidationError):
    """A declared object cannot stay as declared: the document deletes what it belongs to."""


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
        self.wanted_members = None          # the members declared, as LiteLLM takes them (a create's)
        self.after = None                   # the object as read back after its create
        self.links = []
        self.awaiting = {}                  # option -> parent Item whose id is known once it is created
        self.stand_ins = {}                 # a name's stand-in (a user's team) -> the parent Item it stands for
        self.parents = []
        self.action = "none"                # create | update | delete | none | unmanaged | adopt
        self.status = None                  # created | updated | deleted | failed | skipped (after apply);
        #                                     invalid | waiting (held back by ``invalid: skip``, from the plan on)
        self.waits_for = None               # for a waiting object: the object it waits for ("team 'research'")
        self.by_value = False               # a virtual key found by the hash of its declared value
        self.error = None
        self.http_status = None             # for a failed object: the HTTP status LiteLLM refused it with
        self.note = None                    # what the user should know of the apply (a revoked key's new value)
        self.object_id = raw.get(resource.id_field) if raw else None
        self.key_file = None
        self.written = []                   # the writes LiteLLM accepted for this object ("POST /team/new")
        self.cascade_of = None              # for an object LiteLLM deletes or changes with another: that Item
        self.effect = None                  # ... and what it does to this one (see Cascade)

    def fill_in(self):
        """At apply time, the parents created: their ids in the options that awaited them, and in the links named
        by a stand-in (replanned against the live links for an update)."""
        for field, parent in self.awaiting.items():
            self.desired[field] = parent.object_id
        if self.stand_ins:
            map_names(self.resource, self.params["_desired"], self.params,
                      lambda _names, name: self.stand_ins[name].object_id if name in self.stand_ins else name)
            self.links = plan_links(wanted_links(self.resource, self.params), self.view)

    @property
    def name(self):
        return natural_name(self.resource, self.params) or natural_name(self.resource, self.view)

    @property
    def label(self):
        return "%s '%s'" % (self.resource.kind, self.name)

    def report(self, ran=False):
        """The entry of this object in a result (``ran``: after an apply, where a declared object left as it was
        is ``unchanged``)."""
        entry = dict(kind=self.resource.kind, name=self.name, action=self.action, changes=self.diff,
                     id=self.object_id)
        if self.where:
            entry["where"] = self.where
        if self.waits_for:
            entry["waiting_for"] = self.waits_for
        if self.status:
            entry["status"] = self.status
        elif ran and self.where and self.action == "none":
            entry["status"] = "unchanged"
        if self.error:
            entry["error"] = self.error
        if self.cascade_of is not None:
            entry.update(cascade_of=self.cascade_of.label, effect=self.effect)
        if self.written and self.status in ("failed", "skipped"):
            entry["written"] = self.written
        if self.http_status and self.status == "failed":
            entry["http_status"] = self.http_status
        if self.note:
            entry["note"] = self.note
        return entry


class Plan(object):
    """The items of a document against the live state, and what is to be done with the objects not declared."""

    def __init__(self, items, unmanaged, cascaded=()):
        self.items = items
        self.unmanaged = unmanaged
        self.cascaded = list(cascaded)  # Items LiteLLM deletes or changes with a deleted parent (action "cascade")

    @property
    def work(self):
        return [i for i in self.items + self.unmanaged if i.action in ("create", "update", "delete")
                and i.status not in HELD]

    @property
    def changed(self):
        return bool(self.work)

    def summary(self):
        counts = {}
        for item in self.items + self.unmanaged + self.cascaded:
            counts[item.status or item.action] = counts.get(item.status or item.action, 0) + 1
        return counts


class Planner(object):
    """Plans a parsed document against the live state."""

    def __init__(self, declared, live, scope, policy, update_secrets="on_create", key_dir=None, cascade=False):
        self.declared = declared
        self.live = live
        self.scope = scope
        self.policy = policy
        self.update_secrets = update_secrets
        self.key_dir = key_dir
        self.cascade = cascade
        self.items = []
        self.claimed = {}       # (kind, live id) -> Item
        self.by_id, self.by_key = {}, {}
        for resource in KINDS:
            for raw in live.get(resource.kind, []):
                self.by_id[(resource.kind, raw.get(resource.id_field))] = raw
                self.by_key.setdefault((resource.kind, raw.get(resource.key_field)), []).append(raw)
        self.declared_keys = {}  # (kind, natural key) -> the Item declaring it present
        self.stand_ins = {}      # the stand-in of the id of a declared object created by this run -> its Item
        self.name_indexes = {}   # Names -> [NameIndex, {live id: Items declaring it absent}, Items indexed]

    def plan(self):
        for resource, where, params in self.declared:
            item = self.match(resource, where, params)
            self.items.append(item)
            if params["state"] == "present":
                self.declared_keys.setdefault((resource.kind, params.get(resource.key_field)), item)
        for item in self.items:
            self.link_parents(item)
        missing = []  # an object named but missing: told after a contradiction with a deletion, which says more
        for item in self.items:
            try:
                self.ensure_names_exist(item)
            except ValidationError as exc:
                missing.append(exc)
        try:
            for item in self.items:
                self.plan_item(item)
            unmanaged = self.plan_unmanaged()
            cascaded = self.plan_cascades(unmanaged)
        except Contradiction:
            raise
        except ValidationError:
            if missing:
                raise missing[0]
            raise
        if missing:
            raise missing[0]
        return Plan(self.items, unmanaged, cascaded)

    # matching ------------------------------------------------------------------------------------------------

    def match(self, resource, where, params):
        if resource is VIRTUAL_KEY and params.get("key") is not None:
            return self.match_key_value(where, params)
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
        return item

    def match_key_value(self, where, params):
        """A virtual key declared with its value (``key``, kept by the caller, as the operator keeps it in a Secret):
        the one value format is checked, and the key is found by the value's hash (a run after one that stopped once
        LiteLLM had the key, or a renamed alias); a live key with the alias and another value is refused, as
        gateway_state does not rotate keys."""
        value, label = params["key"], VIRTUAL_KEY.label(params)
        if key_problem(value):
            raise ValidationError("%s: key %s" % (where, key_problem(value)))
        token = key_hash(value)
        if params.get("token") and params["token"] != token:
            raise ValidationError("%s: token is not the hash of key: give one of them" % where)
        raw = self.by_id.get((VIRTUAL_KEY.kind, token))
        others = [o for o in self.by_key.get((VIRTUAL_KEY.kind, params.get("key_alias")), []) if o is not raw]
        if raw is None and others:
            raise ValidationError("%s: %s exists with another value (its token is not the hash of key); gateway_state "
                                  "does not rotate keys: rotate it with llmops.litellm.virtual_key (key), or delete "
                                  "it first" % (where, label))
        item = Item(VIRTUAL_KEY, params, raw, where)
        item.by_value = True
        if raw is not None:
            claim = (VIRTUAL_KEY.kind, token)
            if claim in self.claimed:
                raise ValidationError("%s and %s declare the same %s" % (self.claimed[claim].where, where, item.label))
            self.claimed[claim] = item
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
                item.awaiting[reference.field] = parent
            elif live:
                params["_desired"][reference.field] = live[0][reference.target.id_field]
            else:
                raise MissingObject("%s: %s" % (item.where, no_parent(reference.target, reference.option, key)),
                                    "%s '%s'" % (reference.target.kind, key))
        for target, path in item.resource.named_parents:
            parent = self.declared_by_key(target, get_path(params, path))
            if parent is not None:
                item.parents.append(parent)
        if params["state"] != "present":
            return
        try:
            resolve_names(item.resource, params["_desired"], self.named_objects, params)
        except ValidationError as exc:
            raise ValidationError("%s: %s" % (item.where, exc.msg))
        for _option, _names, name in item.resource.named(params["_desired"], params):
            parent = self.stand_ins.get(name)
            if parent is not None and name not in item.stand_ins:
                item.parents.append(parent)
                item.stand_ins[name] = parent

    def named_objects(self, names, name):
        """[(fields, id)] of the objects of ``names.target`` that ``name`` names (resolve_names, ensure_names_exist):
        those declared present (one this run creates without a declared id by its stand-in, ``(known after apply:
        team 'eng')``) and the live ones not declared absent, an object held back (HELD) counting as not declared.

        One NameIndex per Names, built at its first name from the live objects and the items, and grown by the items
        appended since (the items are only ever appended); whether an object counts is asked at each look-up, as
        ``invalid: skip`` holds objects back while it plans (IsolatingPlanner.each, settle)."""
        state = self.name_indexes.get(names)
        if state is None or state[2] > len(self.items):
            target, gone = names.target, {}
            state = self.name_indexes[names] = [NameIndex(names), gone, 0]
            for raw in self.live.get(target.kind, []):
                state[0].add(raw, raw.get(names.to) if names.to else None,
                             lambda raw=raw: not any(i.status not in HELD for i in gone.get(raw.get(target.id_field), ())))
        index, gone, done = state
        for other in self.items[done:]:
            if other.resource is not names.target:
                continue
            if other.params["state"] != "present":
                gone.setdefault(other.object_id, []).append(other)
                continue
            object_id = (other.view.get(names.to) or other.params.get(names.to)) if names.to else None
            if names.to and object_id is None:
                object_id = stand_in(other.label)
                self.stand_ins[object_id] = other
            index.add(other.params, object_id, lambda other=other: other.status not in HELD)
        state[2] = len(self.items)
        return index(name)

    def ensure_names_exist(self, item):
        """The objects a declared object names (a model's credential, a tag's models) are declared present or live
        and not declared absent, before anything is written."""
        if item.params["state"] != "present" or not item.resource.names:
            return
        try:
            ensure_names_exist(item.resource, item.params["_desired"], self.named_objects, item.params)
        except MissingObject as exc:
            raise MissingObject("%s: %s" % (item.where, exc.msg), exc.waits_for)
        except ValidationError as exc:
            raise ValidationError("%s: %s" % (item.where, exc.msg))

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
        for field in item.awaiting:
            desired[field] = KNOWN_AFTER_APPLY
        item.desired = desired
        self.ensure_key_free(item, desired)
        policy = params.get("update_secrets") or self.update_secrets
        if item.raw is None:
            self.plan_create(item, desired)
            return
        try:
            item.changes = resource.changes(dict((k, v) for k, v in desired.items() if v != KNOWN_AFTER_APPLY),
                                            item.view)
        except ValidationError as exc:
            raise ValidationError("%s: %s" % (item.where, exc.msg))
        item.changes.update((k, v) for k, v in desired.items() if v == KNOWN_AFTER_APPLY)
        item.secrets = resource.secrets(desired) if policy == "always" else {}
        item.diff = field_changes(resource, item.changes, item.view)
        item.diff += [dict(path=name, desired=REDACTED, live=None) for name in sorted(item.secrets)]
        if resource.members and params.get("members") is not None:
            members = self.resolve_members(item, params["members"])
            item.members = resource.members.plan(members, item.view.get("members") or [], params["purge_members"])
            item.diff += member_changes(resource, item.members, item.view.get("members") or [])
        item.links = plan_links(wanted_links(resource, params), item.view)
        item.diff += link_changes(item.links, item.view)
        if item.diff:
            self.ensure_writable(item)
            item.action = "update"

    def plan_create(self, item, desired):
        resource, params = item.resource, item.params
        try:
            ensure_creatable(resource, params, desired)
        except ValidationError as exc:
            hidden = [m for m in missing_required(resource, desired) if m in params["_dropped"]]
            raise ValidationError("%s: %s%s" % (item.where, exc.msg,
                                                " (a placeholder cannot create it: give the value)" if hidden else ""))
        if resource is VIRTUAL_KEY:
            default_file = os.path.join(self.key_dir, key_file_name(item.name)) if self.key_dir else None
            # a declared value is kept by the caller: a key file only when the object names one
            item.key_file = params.get("key_file") or (None if params.get("key") is not None else default_file)
            if not item.key_file and params.get("key") is None:
                raise ValidationError("%s: the value of a new virtual key is known only when it is created: set "
                                      "key_dir (or the key's key_file) so that it is kept" % item.where)
            folder = os.path.dirname(os.path.abspath(item.key_file)) if item.key_file else None
            if folder and (not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK)):
                raise ValidationError("%s: the new key's value goes to %s, but %s is %s" % (
                    item.where, item.key_file, folder,
                    "not a writable directory" if os.path.isdir(folder) else "not an existing directory"))
        if resource.members and params.get("members") is not None:
            item.wanted_members = self.resolve_members(item, params["members"])
            item.members = resource.members.plan(item.wanted_members, [], params["purge_members"])
        item.links = plan_links(wanted_links(resource, params), {})
        public = dict((k, resource.by_name[k].public(v)) for k, v in desired.items())
        item.diff = field_changes(resource, dict((k, v) for k, v in public.items() if v is not None), {})
        item.diff += [dict(path=name, desired=REDACTED, live=None) for name in sorted(resource.secrets(desired))]
        item.diff += member_changes(resource, item.members, []) + link_changes(item.links, {})
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
            elif not found:  # it may come: with invalid: skip the organization waits for the user
                raise MissingObject("%s: %s" % (item.where, no_member_user(member["user_email"], [])),
                                    "user '%s'" % member["user_email"])
            else:
                raise ValidationError("%s: %s" % (item.where, no_member_user(member["user_email"], sorted(found))))
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

    def ensure_key_free(self, item, desired):
        """An object declared by id whose natural key is to change (or be created) must not take another's key."""
        resource, key = item.resource, desired.get(item.resource.key_field)
        if not ((item.params.get(resource.id_field) or item.by_value) and resource.id_field != resource.key_field
                and resource.unique_key
                and key is not None and key != item.view.get(resource.key_field)):
            return
        try:
            ensure_key_free(resource, key, item.raw, self.by_key.get((resource.kind, key), []))
        except ValidationError as exc:
            raise ValidationError("%s: cannot %s %s: %s" % (item.where, "rename" if item.raw else "create",
                                                            item.label, exc.msg))

    @staticmethod
    def ensure_writable(item):
        reason = item.resource.read_only(item.raw) if item.resource.read_only else None
        if reason:
            raise ValidationError("%s: cannot change %s: %s" % (item.where, item.label, reason))

    # cascades ------------------------------------------------------------------------------------------------

    def plan_cascades(self, unmanaged):
        """What LiteLLM's deletions take with them. A declared object that is to stay under a parent being deleted
        is a contradiction; a live object the document does not declare, taken or changed by a deletion, is
        refused unless the deletion opts in (``cascade``). Returns the Items that go with a deletion."""
        deleting = dict(((i.resource.kind, i.object_id), i) for i in self.items + unmanaged if i.action == "delete")
        if not deleting:
            return []
        for item in self.items:
            if item.params["state"] != "present":  # (held back or not: its live object must not go)
                continue
            for cascade in item.resource.cascaded_by:
                parent_id = get_path(item.desired, cascade.path)
                if parent_id is None or parent_id == KNOWN_AFTER_APPLY:
                    parent_id = get_path(item.raw, cascade.path) if item.raw else None
                parent = deleting.get((cascade.parent.kind, parent_id))
                if parent is not None and parent.action == "delete":
                    self.refuse_deletion(parent, Contradiction(
                        "%s: %s is declared present, but it belongs to %s, which %s (LiteLLM's cascade: %s)" % (
                            item.where, item.label, parent.label,
                            "%s declares absent" % parent.where if parent.where else "unmanaged: prune deletes",
                            "deleted with it" if cascade.effect == DELETED else cascade.effect)))
        cascaded = []
        for parent in self.items + unmanaged:
            if parent.action != "delete":
                continue
            found = [(child, raw, effect) for child, raw, effect in cascade_of(parent.resource, parent.raw, self.live)
                     if (child.kind, raw.get(child.id_field)) not in self.claimed
                     and (child.kind, raw.get(child.id_field)) not in deleting]
            opted = parent.params.get("cascade") if parent.params.get("cascade") is not None else self.cascade
            if found and not opted:
                try:
                    refuse("%s: deleting %s" % (parent.where, parent.label) if parent.where else
                           "unmanaged: prune: deleting %s" % parent.label, found, "not declared absent",
                           "declare %s absent")
                except ValidationError as exc:
                    self.refuse_deletion(parent, exc)
                    continue
            for child, raw, effect in found:
                item = Item(child, raw=raw)
                item.action, item.cascade_of, item.effect = "cascade", parent, effect
                item.diff = [dict(path="", desired=None, live=item.name)] if effect == DELETED else []
                parent.diff.append(dict(path="cascade", desired=None, live="%s %s" % (item.label, effect)))
                cascaded.append(item)
        return cascaded

    def refuse_deletion(self, item, exc):
        """A deletion refused by LiteLLM's cascade: the document is refused whole (isolate.py holds back one)."""
        raise exc

    # objects not declared ------------------------------------------------------------------------------------

    def plan_predecessors(self):
        """The predecessors (``<alias>.retiring-<until>``) of the virtual keys declared absent, deleted with them as
        the virtual_key module deletes them (also when the key itself is gone): a predecessor would go on working."""
        aliases = set(a for item in self.items if item.resource is VIRTUAL_KEY and item.params["state"] == "absent"
                      and item.status not in HELD for a in (item.view.get("key_alias"), item.params.get("key_alias")))
        found = []
        for raw in predecessors_of(aliases - set([None, ""]), self.live.get(VIRTUAL_KEY.kind, [])):
            claim = (VIRTUAL_KEY.kind, raw.get(VIRTUAL_KEY.id_field))
            if claim in self.claimed:
                continue
            item = Item(VIRTUAL_KEY, raw=raw)
            item.action = "delete"
            item.diff = [dict(path="", desired=None, live=item.name)]
            self.claimed[claim] = item
            found.append(item)
        return found

    def plan_unmanaged(self):
        unmanaged = self.plan_predecessors()
        for resource in KINDS:
            if resource.plural not in self.scope.kinds:
                continue
            for raw in self.live.get(resource.kind, []):
                if (resource.kind, raw.get(resource.id_field)) in self.claimed:
                    continue
                item = Item(resource, raw=raw)
                if self.kept(item) or not self.owns(item):
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
        return {"adopt": "adopt", "prune": "delete"}.get(self.policy, "unmanaged")

    def kept(self, item):
        """Whether an object not declared is never unmanaged all the same: LiteLLM made it for itself (the master
        key's user), the scope excludes it (by natural key or id), or it is the predecessor of a key declared present
        (``<alias>.retiring-<until>``, in its rotation's grace period) or excluded."""
        names = self.scope.exclude.get(item.resource.plural, frozenset())
        if item.object_id in item.resource.protected_ids or item.name in names or item.object_id in names:
            return True
        retiring = retiring_of(item.view.get("key_alias")) if item.resource is VIRTUAL_KEY else None
        return retiring is not None and (
            (VIRTUAL_KEY.kind, retiring[0]) in self.declared_keys or retiring[0] in names)

    def owns(self, item):
        """Whether an object not declared is in the declared scope (reported, and with prune deleted)."""
        name = str(item.name or "")
        if self.scope.name_prefix and not name.startswith(self.scope.name_prefix):
            return False
        if self.scope.owner:
            field = item.resource.owner_field
            return bool(field) and (item.view.get(field) or {}).get(OWNER_KEY) == self.scope.owner
        return True


def item_view(item, after):
    """An object's options before or after (predicted) the plan, secrets left out."""
    resource = item.resource
    if not after:
        view = item.view
    elif item.action == "delete" or item.effect == DELETED:
        view = {}
    elif item.after is not None:
        view = resource.view(item.after)  # created: as read back
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
