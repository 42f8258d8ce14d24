# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Organizations (LiteLLM Enterprise): budget, limits, metadata, and members with roles, added by user_id."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, members_rule
from ansible_collections.llmops.litellm.plugins.module_utils._errors import MissingObject, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._fields import (
    LITELLM_METADATA_KEYS,
    budget_table_field,
)
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Members,
    Resource,
)


ORGANIZATION_ROLES = ("org_admin", "internal_user", "internal_user_viewer")


def no_member_user(email, ids):
    """Why a member given by email cannot be added: ``ids`` are the users that have the email (none, or several)."""
    return "members[user_email=%s]: %s; LiteLLM adds organization members by user_id only, so the user must exist " \
        "(create it with llmops.litellm.user) or set user_id" % (
            email, "%d users have this email (user_id %s)" % (len(ids), ", ".join(ids)) if ids
            else "no user has this email")


def _users_by_email(client, members):
    """Members given by email only, with the user_id of the one user who has that email.

    LiteLLM 1.106.2 finds organization members by email with a unique lookup that its schema does not allow
    (user_email is not unique), so adding or changing a member by email always fails there; ids work.
    """
    resolved = []
    for member in members:
        email = member.get("user_email")
        if member.get("user_id") or not email:
            resolved.append(member)
            continue
        listed = client.get("/user/list", params={"user_email": email, "page_size": 100}) or {}
        users = dict((u["user_id"], u["user_email"]) for u in listed.get("users") or []
                     if (u.get("user_email") or "").lower() == email.lower())
        ids = sorted(users)
        if not ids:  # it may come (gateway_state with invalid: skip, the operator's batch: the object waits for it)
            raise MissingObject(no_member_user(email, ids), "user '%s'" % email)
        if len(ids) != 1:
            raise ValidationError(no_member_user(email, ids))
        resolved.append(dict(member, user_id=ids[0], user_email=users[ids[0]]))
    return resolved


def _organization_details(client, organizations):
    """List results lack the members' emails that /organization/info joins in: read each organization."""
    return [client.get("/organization/info", params={"organization_id": o["organization_id"]}) for o in organizations]


def _organization_request(body, raw):
    """/v2/organization/{id} takes the id in its path only (it refuses any field it does not know)."""
    if raw:
        body.pop("organization_id", None)
    return body


ORGANIZATION = Resource(
    kind="organization",
    plural="organizations",
    id_field="organization_id",
    key_field="organization_alias",
    fields=[
        Field("organization_alias"),
        Field("organization_id"),
        Field("models", "list", elements="str"),
        budget_table_field("max_budget", "float", minimum=0),
        budget_table_field("budget_duration"),
        budget_table_field("tpm_limit", "int", minimum=0),
        budget_table_field("rpm_limit", "int", minimum=0),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/organization/new"),
    # /organization/update merges metadata (no key can be removed); the v2 route replaces it.
    update=Endpoint("PATCH", "/v2/organization/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/organization/delete", body=lambda organization_id: {"organization_ids": [organization_id]}),
    get=Endpoint("GET", "/organization/info", param="organization_id"),
    find=Endpoint("GET", "/organization/list", paginated=False, filters={"organization_alias": "org_alias"}),
    members=Members(
        path=("members",),
        add="/organization/member_add",
        update=Endpoint("PATCH", "/organization/member_update", idempotent=True),
        delete=Endpoint("DELETE", "/organization/member_delete"),
        roles=ORGANIZATION_ROLES,
        default_role="internal_user",
        role_key="user_role",
        in_create=False,
        resolve=_users_by_email,
    ),
    hydrate=_organization_details,
    request_body=_organization_request,
    requires=Requires(enterprise=True, what="an organization"),
    owner_field="metadata",
    export_id=False,
    # the members' emails come from the users the engine reads anyway, not from one read per organization
    bulk_join=lambda client, found: found,
    cr_map=CRMap(name="organization_alias", status_id=True, rules=[members_rule("internal_user")]),
    cr_kind="LiteLLMOrganization",
    cr_ref="organizationRef",
)
