# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Applying a gateway plan: the work of every object on a bounded thread pool, kind by kind in dependency order (the
reverse for deletions), each object as soon as what it needs is done; an object whose parent failed is skipped.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.llmops.litellm.plugins.module_utils._cascade import DELETED
from ansible_collections.llmops.litellm.plugins.module_utils._errors import LiteLLMError
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import refusal_reason
from ansible_collections.llmops.litellm.plugins.module_utils._write import (
    create_object,
    finish_create,
    send_delete,
    send_links,
    send_members,
    send_update,
    wanted_links,
)
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    finish_value,
    keep_value,
    key_hash,
    new_key,
    plan_new_value,
    read_key_file,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import key_file_name
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.plan import HELD
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import VIRTUAL_KEY


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

        queued, running, done = writes + deletes, {}, set()
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            while queued or running:
                waiting = []
                for index, item in enumerate(queued):
                    if len(running) >= self.workers or not gate(item):
                        waiting.extend(queued[index:])  # the items after it wait for the same kinds or more
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
                queued = waiting
                if queued and not running:  # cannot happen: whatever an item waits for comes before it
                    raise RuntimeError("the plan's order leaves %s waiting" % queued[0].label)
                if running:
                    finished, _running = wait(list(running), return_when=FIRST_COMPLETED)
                    for future in finished:
                        item = running.pop(future)
                        future.result()
                        done.add(id(item))
                        finish(item)
        for item in plan.cascaded:  # went with its parent, by LiteLLM's cascade
            if item.cascade_of.status == "deleted":
                item.status = "deleted" if item.effect == DELETED else "changed"

    def run_item(self, item):
        client = self.client_for()
        before = len(client.writes)
        try:
            item.fill_in()
            getattr(self, item.action)(client, item)
            item.status = item.action + "d"
        except LiteLLMError as exc:
            item.status = "failed"
            item.error = "failed to %s %s: %s" % (item.action, item.label, refusal_reason(exc))
            item.http_status = exc.status
        except (IOError, OSError) as exc:
            item.status = "failed"
            item.error = "failed to %s %s: %s" % (item.action, item.label, exc)
        item.written = client.writes[before:]
        if item.written and item.status == "failed":
            item.error += " (already written before the failure: %s)" % ", ".join(item.written)

    @staticmethod
    def create(client, item):
        """Create the object and finish it as a module does (finish_create); keep the object as read back."""
        resource, params = item.resource, item.params
        body = resource.payload(item.desired)
        known_id, where = item.desired.get(resource.id_field), None
        if resource is VIRTUAL_KEY:
            # kept in the key file before LiteLLM sees it; a value LiteLLM has deleted is never used again
            value, where, item.note = plan_new_value(client, item.key_file, params.get("key"), item.label)
            body["key"] = value or new_key()
            keep_value(item.key_file, body["key"], where)
            known_id = key_hash(body["key"])
        item.object_id = create_object(client, resource, body, item.wanted_members, known_id, item.desired)
        if resource is VIRTUAL_KEY:
            finish_value(item.key_file, where)
        item.after = finish_create(client, resource, item.object_id, item.wanted_members,
                                   params.get("purge_members"), wanted_links(resource, params))

    @staticmethod
    def update(client, item):
        changes = item.resource.update_options(item.desired, dict((k, item.desired[k]) for k in item.changes),
                                               item.secrets)
        if changes:
            send_update(client, item.resource, changes, item.raw)
        send_members(client, item.resource, item.object_id, item.members)
        send_links(client, item.object_id, item.links)

    @staticmethod
    def delete(client, item):
        send_delete(client, item.resource, item.raw)


def drop_key_files(plan, key_dir):
    """Remove the key files of deleted keys that hold the deleted key (never another one), and, as the
    virtual_key module does, those of keys declared absent that LiteLLM does not have (a key deleted by a run that
    never saw LiteLLM's answer, or never created): their value must not come back. Returns the paths removed."""
    removed = []
    for item in plan.items + plan.unmanaged + plan.cascaded:
        if item.status in HELD:
            continue  # nothing of an object held back by ``invalid: skip`` is touched
        gone = item.raw is None and item.params.get("state") == "absent"
        if item.resource is not VIRTUAL_KEY or not (item.status == "deleted" or gone) or not item.name:
            continue
        path = item.params.get("key_file") or (os.path.join(key_dir, key_file_name(item.name)) if key_dir else None)
        kept = read_key_file(path) if path else None
        if kept is not None and (gone or key_hash(kept) == item.raw.get("token")):
            os.remove(path)
            removed.append(path)
    return removed
