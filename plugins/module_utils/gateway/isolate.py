# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``invalid: skip``: each declared object valid or not on its own, and applied or held back alone.

With ``invalid: fail`` (the default) a document with one invalid object is refused whole before anything is
written. With ``skip``, an object that fails its own checks (its options, its name, a licence its options need, its
plan against the live state) is held back as ``invalid`` with that one sentence; one that names an object existing
neither live nor in the document, or whose parent (a key's team, a model's credential) is held back, is held back as
``waiting``, naming the object it waits for. A declared deletion that LiteLLM's cascade would make take objects not
declared absent, or that objects declared present belong to (a contradiction), is held back as ``invalid``, alone.
Nothing of a held object is written, and it is never pruned; every other object is planned and applied as usual. A
document that is not a mapping of kinds to lists, and a contradiction with or a cascade of ``unmanaged: prune``, are
still refused whole.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._errors import LiteLLMError, MissingObject
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import object_spec
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.plan import (
    HELD,
    Contradiction,
    Item,
    Plan,
    Planner,
)

INVALID_POLICIES = ("fail", "skip")


def hold(item, exc):
    """Hold ``item`` back for ``exc``: waiting for a missing object, else invalid; nothing of it is written."""
    if isinstance(exc, MissingObject):
        item.status, item.waits_for = "waiting", exc.waits_for
    else:
        item.status = "invalid"
    item.error = exc.msg
    item.action = "none"


def wait_for(item, parent):
    """Hold ``item`` back until ``parent`` (held back itself) is applied."""
    item.status, item.waits_for, item.action = "waiting", parent.label, "none"
    item.error = "%s: waits for %s, which is %s (%s)" % (item.where, parent.label, parent.status, parent.where)


def held_item(resource, where, obj, exc):
    """The Item of an object refused on its own before the plan: parsed (its licence), or not (its options), then
    named by its natural key or id when it has a usable one."""
    if isinstance(obj, dict) and "_desired" in obj:
        params = obj
    else:
        obj = obj if isinstance(obj, dict) else {}
        params = dict((k, obj[k]) for k in (resource.key_field, resource.id_field) if isinstance(obj.get(k), str))
        params.update(state=obj.get("state") if obj.get("state") in ("present", "absent") else "present",
                      _desired={}, _dropped=[], _no_log=secret_values(resource, obj))
    item = Item(resource, params, None, where)
    hold(item, exc)
    return item


def secret_values(resource, obj):
    """The values of an object refused before it was parsed that its no_log options hold (a key's ``key``, a
    credential's ``credential_values``), so that the result never shows them."""
    found = set()
    for name, option in object_spec(resource).items():
        value = obj.get(name)
        if not option.get("no_log") or value in (None, ""):
            continue
        for each in value.values() if isinstance(value, dict) else [value]:
            if isinstance(each, (str, int, float)) and str(each):
                found.add(str(each))
    return found


class IsolatingPlanner(Planner):
    """The Planner of ``invalid: skip``: ``held`` are the Items already refused (their options, their licence);
    every other object is planned alone, and held back when its own plan fails or what it needs is held back."""

    def __init__(self, declared, live, scope, policy, update_secrets="on_create", key_dir=None, cascade=False,
                 held=()):
        super(IsolatingPlanner, self).__init__(declared, live, scope, policy, update_secrets, key_dir, cascade)
        self.held = list(held)

    def plan(self):
        for resource, where, params in self.declared:
            try:
                item = self.match(resource, where, params)
            except LiteLLMError as exc:
                item = Item(resource, params, None, where)
                hold(item, exc)
            self.items.append(item)
        self.items.extend(self.held)
        for item in self.items:
            if item.status in HELD and item.raw is None:
                self.claim_key(item)
            if item.params["state"] == "present":
                self.declared_keys.setdefault((item.resource.kind, item.params.get(item.resource.key_field)), item)
        self.each(self.link_parents)
        self.each(self.plan_item)
        self.settle()
        unmanaged = self.plan_unmanaged()
        return Plan(self.items, unmanaged, self.plan_cascades(unmanaged))

    def each(self, step):
        """``step`` on every object not held back; an object whose step is refused is held back."""
        for item in self.items:
            if item.status in HELD:
                continue
            try:
                step(item)
            except Contradiction:
                raise
            except LiteLLMError as exc:
                hold(item, exc)

    def settle(self):
        """Hold back, until nothing changes, the objects whose parents or named objects are held back, or that name
        what exists nowhere (the objects held back no longer count as declared)."""
        changed = True
        while changed:
            changed = False
            declared = self.held_names()
            for item in self.items:
                if item.status in HELD:
                    continue
                parent = next((p for p in item.parents if p.status in HELD), None) or next(
                    (declared[(names.target.kind, name)] for _option, names, name in
                     item.resource.named(item.params["_desired"], item.params)
                     if (names.target.kind, name) in declared), None)
                if parent is not None:
                    wait_for(item, parent)
                    changed = True
                    continue
                try:
                    self.ensure_names_exist(item)
                except LiteLLMError as exc:
                    hold(item, exc)
                    changed = True

    def refuse_deletion(self, item, exc):
        """A declared deletion LiteLLM's cascade would make take objects not declared absent, or that objects
        declared present belong to, is held back alone (invalid, with that sentence); the objects declared present
        are planned. A deletion by ``unmanaged: prune`` is refused whole, as in ``fail``."""
        if not item.where:
            raise exc
        hold(item, exc)

    def held_names(self):
        """(kind, name or id) -> the held-back Item declaring it present."""
        found = {}
        for item in self.items:
            if item.status in HELD and item.params["state"] == "present":
                for value in (item.params.get(item.resource.key_field), item.params.get(item.resource.id_field)):
                    if value is not None:
                        found.setdefault((item.resource.kind, value), item)
        return found

    def claim_key(self, item):
        """A held-back object found by nothing yet: the live objects with its natural key are its (never pruned)."""
        key = item.params.get(item.resource.key_field)
        for raw in self.by_key.get((item.resource.kind, key), []) if key is not None else []:
            self.claimed.setdefault((item.resource.kind, raw.get(item.resource.id_field)), item)
        object_id = item.params.get(item.resource.id_field)
        if object_id is not None and (item.resource.kind, object_id) in self.by_id:
            self.claimed.setdefault((item.resource.kind, object_id), item)


def hold_unoffered(plan, invalid):
    """Check mode's second look (the API paths of the writes predicted) in ``skip``: the objects it refuses are held
    back, with the objects waiting on them. ``invalid``: [(Resource, where, params, error)]."""
    refused = dict((where, exc) for _resource, where, _params, exc in invalid)
    items = [i for i in plan.items if i.where in refused]
    for item in items:
        hold(item, refused[item.where])
    changed = bool(items)
    while changed:
        changed = False
        for item in plan.items:
            parent = next((p for p in item.parents if p.status in HELD), None)
            if item.status not in HELD and parent is not None:
                wait_for(item, parent)
                changed = True
