# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writing LiteLLM: the create, update and delete calls of a kind, its members and links, and what follows a
create; the modules and the gateway engine both send their writes through these."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._read import Reader
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Endpoint


def send(client, target, body, idempotent=False):
    """POST ``body`` to a path, or send it to an Endpoint with the Endpoint's method."""
    if isinstance(target, Endpoint):
        return client.request(target.method, target.path, body=body, idempotent=target.idempotent)
    return client.post(target, body, idempotent=idempotent)


def send_create(client, resource, body):
    """Create an object with a request body already made; returns the id LiteLLM answers with, None when it does
    not echo one (credentials are named by the caller: the id is then the one asked for)."""
    if resource.create_with:
        return resource.create_with(client, resource, body)
    endpoint = resource.create
    answer = client.request(endpoint.method, endpoint.target(), body=body, idempotent=endpoint.idempotent)
    created = answer.get(endpoint.unwrap) if endpoint.unwrap and isinstance(answer, dict) else answer
    if not isinstance(created, dict):
        return None
    if created.get(resource.id_field) is None and resource.shape:  # an id LiteLLM names otherwise (a JWT mapping's)
        created = resource.shape(created)
    return created.get(resource.id_field)


def send_update(client, resource, changes, raw):
    """Send the options in ``changes`` (option names, desired values) of the live object ``raw``."""
    if resource.update_with:
        resource.update_with(client, resource, changes, raw)
        return
    endpoint = resource.update
    path, query = endpoint.for_object(raw, resource.id_field)
    client.request(endpoint.method, path, params=query, body=resource.payload(changes, raw),
                   idempotent=endpoint.idempotent)


def send_delete(client, resource, raw):
    """Delete the live object ``raw``."""
    if resource.delete_with:
        resource.delete_with(client, resource, raw)
        return
    delete, object_id = resource.delete, raw[resource.id_field]
    path, query = delete.for_object(raw, resource.id_field)
    client.request(delete.method, path, params=query, body=delete.body(object_id) if delete.body else None,
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
