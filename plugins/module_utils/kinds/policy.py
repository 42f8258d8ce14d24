# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Policies (``/policies``): guardrails to add to and remove from requests, and the attachments that say where.

LiteLLM versions a policy: the create makes version 1 in production, and only a draft can be edited. A change is
therefore a new draft of the production version, edited, published and promoted to production (the version it
replaces stays as a published version, as the Admin UI leaves it). The policy's name is its natural key and, for
the engine, its id: every version of one policy shares it, and the production version is the policy's state.

A policy's attachments (``/policies/attachments``) have no name and no update: the option lists them as a set,
missing ones are created and others of the policy deleted; the policy's deletion deletes them too (LiteLLM's own
deletion of a policy leaves them behind).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import quote

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
)

ATTACHMENTS = "/policies/attachments"
SCOPES = ("teams", "keys", "models", "tags")


def attachment(entry):
    """An attachment as the option holds it: its scope, the lists sorted, LiteLLM's defaults left out."""
    found = dict((name, sorted(entry.get(name) or [])) for name in SCOPES if entry.get(name))
    for name in ("scope", "priority"):
        if entry.get(name) is not None:
            found[name] = entry[name]
    if entry.get("default"):
        found["default"] = True
    return found


class Attachments(Field):
    """The attachments of a policy, a set: each where the policy applies (everything, or teams, keys, models or
    tags by name or pattern), with its priority and whether it applies only when no other attachment does."""

    def __init__(self, name):
        super(Attachments, self).__init__(name, "list", elements="dict")

    def argument_spec(self):
        names = dict(type="list", elements="str")
        return dict(type="list", elements="dict", options=dict(
            scope=dict(type="str", choices=["*"]), teams=names, keys=dict(names, no_log=False), models=names,
            tags=names, priority=dict(type="int"), default=dict(type="bool", default=False)))

    def validate(self, value):
        seen = []
        for entry in value:
            wanted = attachment(entry)
            if not any(wanted.get(name) for name in ("scope",) + SCOPES):
                raise ValidationError("attachments has an entry that applies nowhere: set scope '*' or at least "
                                      "one of %s" % ", ".join(SCOPES))
            if wanted in seen:
                raise ValidationError("attachments lists %s twice" % sorted(wanted.items()))
            seen.append(wanted)

    def normalise(self, value):
        return super(Attachments, self).normalise([attachment(entry) for entry in value or []])


def _policy_path(name, *more):
    return "/".join(["/policies/name", quote(name, safe="")] + list(more))


def live_attachments(client, names=None):
    """{policy name: [raw attachment]} of the attachments stored in the database (of ``names`` only, if set)."""
    found = {}
    for raw in client.get(ATTACHMENTS + "/list").get("attachments") or []:
        if raw.get("definition_location", "db") == "db" and (names is None or raw["policy_name"] in names):
            found.setdefault(raw["policy_name"], []).append(raw)
    return found


def join_attachments(client, policies):
    """The policies with their attachments, read with one list call."""
    by_policy = live_attachments(client, set(p["policy_name"] for p in policies)) if policies else {}
    return [dict(p, attachments=by_policy.get(p["policy_name"], [])) for p in policies]


def policy_update(client, resource, changes, raw):
    """A new version: a draft of the production version, edited, published, promoted; then the attachments."""
    name = raw["policy_name"]
    edits = dict((k, v) for k, v in changes.items() if k != "attachments")
    if edits:
        draft = client.post(_policy_path(name, "versions"), {})["policy_id"]
        body = dict((k, resource.by_name[k].write(v, raw)) for k, v in edits.items())
        client.request(resource.update.method, resource.update.target(draft), body=body)
        for status in ("published", "production"):
            client.request("PUT", "/policies/%s/status" % quote(draft, safe=""), body={"version_status": status})
    if "attachments" in changes:
        sync_attachments(client, name, changes["attachments"])


def sync_attachments(client, name, wanted):
    """Create the attachments of ``wanted`` that the policy lacks, delete those it has that are not wanted."""
    wanted = [attachment(entry) for entry in wanted]
    kept = []
    for raw in live_attachments(client, [name]).get(name, []):
        have = attachment(raw)
        if have in wanted and have not in kept:
            kept.append(have)
        else:
            client.request("DELETE", "%s/%s" % (ATTACHMENTS, quote(raw["attachment_id"], safe="")))
    for entry in wanted:
        if entry not in kept:
            client.post(ATTACHMENTS, dict(entry, policy_name=name))


def policy_delete(client, resource, raw):
    """Every version of the policy, after its attachments."""
    sync_attachments(client, raw["policy_name"], [])
    client.request(resource.delete.method, resource.delete.target(raw["policy_name"]))


def policy_read_only(raw):
    if raw.get("definition_location") == "config":
        return "it is defined in the proxy's config file (policies), and LiteLLM lets the API change only the " \
            "policies it stores in its database"
    return None


POLICY = Resource(
    kind="policy",
    plural="policies",
    id_field="policy_name",
    key_field="policy_name",
    fields=[
        Field("policy_name"),
        Field("description"),
        # LiteLLM's update ignores a value it is sent empty (None): a parent once set cannot be unset.
        Field("inherit", clearable=False),
        Field("guardrails_add", "list", elements="str"),
        Field("guardrails_remove", "list", elements="str"),
        Field("condition", "dict", clearable=False),
        Attachments("attachments"),
        Field("policy_id", option=False),
        Field("version_number", "int", option=False),
        Field("version_status", option=False),
        Field("definition_location", option=False),
        Field("created_at", option=False),
        Field("created_by", option=False),
        Field("updated_at", option=False),
        Field("updated_by", option=False),
    ],
    create=Endpoint("POST", "/policies"),
    # An edit of a draft version (see policy_update); the deletion of every version (see policy_delete).
    update=Endpoint("PUT", "/policies/{id}"),
    delete=Endpoint("DELETE", "/policies/name/{id}/all-versions"),
    get=None,
    # The production versions (one per policy), those of the config file included (refused as read-only).
    find=Endpoint("GET", "/policies/list", paginated=False, items="policies",
                  query={"version_status": "production"}),
    hydrate=join_attachments,
    bulk_join=join_attachments,
    update_with=policy_update,
    delete_with=policy_delete,
    later=("attachments",),
    read_only=policy_read_only,
    requires=Requires(),
    # playbooks/operator/policy.yml: the policy's name is its natural key and its id (every version keeps it);
    # condition and attachments as written
    cr_map=CRMap(name="policy_name", name_default=None, required=("policyName",)),
    cr_kind="LiteLLMPolicy",
)
