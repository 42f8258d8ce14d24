# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading LiteLLM: the paged list calls, ``Reader`` (an object by id, by natural key, or all of a kind) and the
names of live objects that the checks before a write ask for."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._errors import LiteLLMError, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import route_missing
from ansible_collections.llmops.litellm.plugins.module_utils._checks import NameIndex


PAGE_SIZE = 100


def list_page(client, endpoint, params, page, resource=None):
    """One page of a list endpoint (LiteLLM's ``page``/``page_size``/``total_pages``): (items, number of pages, number
    of objects the list says it holds, None where it does not say); an endpoint that is not paginated answers with
    everything as page 1 of 1. With the kind's ``resource``, ordered by its unique id where LiteLLM can."""
    params = dict(endpoint.query, **params)
    if not endpoint.paginated:
        answer = client.get(endpoint.path, params=params or None)
        if callable(endpoint.items):
            items = list(endpoint.items(answer))
        else:
            items = list(answer if isinstance(answer, list) else (answer or {}).get(endpoint.items) or [])
        return items, 1, len(items)
    if resource is not None and resource.list_order:
        params.update(sort_by=resource.list_order, sort_order="asc")
    answer = client.get(endpoint.path, params=dict(params, page=page, **{endpoint.page_size: PAGE_SIZE}))
    total = next((answer[k] for k in ("total", "total_count") if isinstance(answer.get(k), int)), None)
    return answer.get(endpoint.items) or [], answer.get("total_pages") or 1, total


def page_through(client, endpoint, params, resource=None):
    """Every item of a list endpoint, page after page; with the kind's ``resource``, each object once."""
    items, pages, _total = list_page(client, endpoint, params, 1, resource)
    page = 1
    while page < pages:
        page += 1
        more, pages, _total = list_page(client, endpoint, params, page, resource)
        items.extend(more)
    return unique(resource, items) if resource is not None and resource.list_order else items


def settled(pages):
    """Whether the pages of one list, read one by one, add up to one state of it: [(items, number of pages, total)],
    every page saying the same total, and as many items read. Pages are read by offset: an object deleted while they
    are read moves the next ones a place up, so that a page read after misses one (the totals differ, and fewer items
    are read); one created repeats one. A list that does not say its total is taken as it is."""
    totals = set(total for _items, _pages, total in pages)
    if len(pages) < 2 or None in totals:
        return True
    return len(totals) == 1 and sum(len(items) for items, _pages, _total in pages) == totals.pop()


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


class Reader(object):
    """Reads objects of one kind: by id, by natural key, or all of them."""

    def __init__(self, client, resource):
        self.client = client
        self.resource = resource

    def by_id(self, object_id, whole=False):
        """The raw object, or None when LiteLLM says it does not exist (``whole``: LiteLLM's whole answer)."""
        get = self.resource.get
        if get is None:  # no endpoint reads one object: find it in the list
            found = self.many(**{self.resource.id_field: object_id})
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
            return self.resource.hydrate(self.client, found[:1])[0] if self.resource.hydrate else found[0]
        return self.by_id(found[0][resource.id_field], whole) if found else None


class LiveNames(object):
    """The live objects that options name, each target kind's list read once and indexed by name (NameIndex):
    called, ``(names, name)`` -> [(fields, id)], for ensure_names_exist and resolve_names."""

    def __init__(self, client):
        self.client = client
        self.cache = {}
        self.indexes = {}

    def listed(self, target):
        if target.kind not in self.cache:
            self.cache[target.kind] = Reader(self.client, target).matching()
        return self.cache[target.kind]

    def __call__(self, names, name):
        if names not in self.indexes:
            self.indexes[names] = NameIndex(names)
            for raw in self.listed(names.target):
                self.indexes[names].add(raw, raw.get(names.to) if names.to else None)
        return self.indexes[names](name)
