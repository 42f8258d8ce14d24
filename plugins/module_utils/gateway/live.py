# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The live state of a gateway, read with list calls only: one paged list per kind, the pages at once on a bounded
thread pool (one client per thread); and what the live proxy offers the declared objects (licence, routes,
preflight), asked before anything is written.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import object_requirements, unsupported
from ansible_collections.llmops.litellm.plugins.module_utils._errors import UnsupportedError, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import keep_valid
from ansible_collections.llmops.litellm.plugins.module_utils._read import list_page, settled, unique
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_PLURAL, KINDS, cascades_of


def kind_page(client, resource, page):
    """One page of a kind's list: (raw objects, number of pages, number of objects the list says it holds)."""
    return list_page(client, resource.find, {}, page, resource)


def unlicensed_kinds(client, plurals):
    """[(kind, reason)]: the kinds of ``plurals`` (document keys) that this proxy's licence does not offer
    (organizations without LiteLLM Enterprise), asked from /health/license once."""
    found = []
    for plural in plurals:
        resource = BY_PLURAL[plural]
        if resource.requires and resource.requires.enterprise:
            reason = unsupported(client, resource.requires, plural, resource, read_only=True, paths=False)
            if reason:
                found.append((plural, reason))
    return found


# How many times a kind's list is read while its pages do not add up to one state of it (objects created or deleted
# meanwhile, _read.settled): after the last, the objects of all the reads are kept.
READS = 3


def read_live(client_for, kinds, workers):
    """{kind: [raw]} for the given Resources, with list calls only: the first page of every kind at once, then all
    the other pages at once (one client per thread), then the joins done once per list. A list ordered by its
    unique id (teams, users, keys) whose pages do not add up to one state (an object deleted between two pages'
    reads moves another to a page already read: missed, a declared object would be planned as a create) is read
    again, up to READS times, and then what all the reads found is kept; a list read while nothing changes is read
    once."""
    kinds, reads = list(kinds), {}  # kind -> the pages of each read of its list, the latest first
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        unsettled = kinds
        while unsettled:
            for resource, pages in read_pages(pool, client_for, unsettled):
                reads.setdefault(resource.kind, []).insert(0, pages)
            unsettled = [r for r in unsettled if r.list_order and not settled(reads[r.kind][0])
                         and len(reads[r.kind]) < READS]
    live = {}
    for resource in kinds:
        kept = reads[resource.kind][:1] if settled(reads[resource.kind][0]) else reads[resource.kind]
        # (unsettled after READS reads: the objects of every read, each once as the latest read has it)
        raws = [o for pages in kept for items, _pages, _total in pages for o in items]
        if resource.shape:
            raws = [resource.shape(o) for o in raws]
        raws = unique(resource, [o for o in raws if resource.find.where is None or resource.find.where(o)])
        join = resource.bulk_join or resource.hydrate
        live[resource.kind] = join(client_for(), raws) if join else raws
    if "organization" in live and "user" in live:
        emails = dict((u.get("user_id"), u.get("user_email")) for u in live["user"])
        live["organization"] = [dict(o, members=[dict(m, user_email=m.get("user_email") or emails.get(m.get("user_id")))
                                                 for m in o.get("members") or []]) for o in live["organization"]]
    return live


def read_pages(pool, client_for, kinds):
    """[(Resource, [(items, number of pages, total)] of its pages in order)]: the first page of every kind at once,
    then all the other pages at once."""
    first = list(pool.map(lambda r: kind_page(client_for(), r, 1), kinds))
    more = [(r, page) for r, (_items, pages, _total) in zip(kinds, first) for page in range(2, pages + 1)]
    rest = list(pool.map(lambda job: (job[0].kind, kind_page(client_for(), job[0], job[1])), more))
    return [(r, [page] + [p for kind, p in rest if kind == r.kind]) for r, page in zip(kinds, first)]


def thread_clients(factory):
    """A function giving each thread its own client (a connection is not shared between threads)."""
    local = threading.local()

    def client_for():
        if not hasattr(local, "client"):
            local.client = factory()
        return local.client
    return client_for


def ensure_offered(client, declared, paths=False, invalid=None):
    """Before anything is written, what a module checks first, for each declared (resource, where, params): the
    licence its kind and options need and the kind's preflight (``paths``: the API calls they need instead, asked
    when check mode is about to predict writes, from a 2 MB /openapi.json read once). Returns the declared objects
    that pass; with a list as ``invalid`` (``invalid: skip``), those that do not are appended there as
    (Resource, where, params, error) instead of failing the run."""
    return keep_valid(declared, lambda resource, where, params: ensure_object_offered(
        client, resource, where, params, paths), invalid)


def ensure_object_offered(client, resource, where, params, paths):
    for requires, what in object_requirements(resource, params["_desired"]):
        reason = unsupported(client, requires, what, resource, paths=paths, licence=not paths)
        if reason:
            raise UnsupportedError("%s: %s" % (where, reason))
    if resource.preflight and not paths:
        try:
            resource.preflight(client, params)
        except ValidationError as exc:
            raise ValidationError("%s: %s" % (where, exc.msg))


def needed_kinds(declared, scope, policy="preserve"):
    """The kinds whose live state a plan needs: declared, in scope, referenced, and those a deletion (a declared
    absent object, or with prune any kind in scope) may take with it."""
    kinds = set(r.kind for r, _w, _p in declared) | set(BY_PLURAL[p].kind for p in scope.kinds)
    deleted = set(r for r, _w, p in declared if p["state"] == "absent")
    if policy == "prune":
        deleted.update(BY_PLURAL[p] for p in scope.kinds)
    kinds.update(child.kind for resource in deleted for child, _cascade in cascades_of(resource))
    for resource, _where, params in declared:
        for reference in resource.references:
            if params.get(reference.option):
                kinds.add(reference.target.kind)
        if params["state"] == "present":
            kinds.update(names.target.kind for _option, names, _name in resource.named(params["_desired"], params))
        if resource.members and resource.members.resolve and params.get("members"):
            kinds.add("user")
    if "organization" in kinds:
        kinds.add("user")  # organization members are listed by user_id: their emails come from the users
    return [r for r in KINDS if r.kind in kinds]
