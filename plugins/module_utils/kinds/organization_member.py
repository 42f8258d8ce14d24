# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One member of an organization (LiteLLM Enterprise), with its role and its budget in the organization (the
organization's members, read from the organization; their budgets from the budget list)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Membership,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import join_budgets
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION


def _organization_members(answer):
    """An organization's members from its /organization/info answer, each with its organization and email."""
    members = []
    for member in answer.get("members") or []:
        members.append(dict(member, organization_alias=answer.get("organization_alias"),
                            organization_id=answer.get("organization_id"),
                            user_email=member.get("user_email") or (member.get("user") or {}).get("user_email")))
    return members


def _member_budgets(client, members):
    """/organization/info leaves each membership's budget out (litellm_budget_table is null there even when the
    membership has a budget_id): join it from the budgets' list."""
    return join_budgets(client, members, ("budget_id",), "litellm_budget_table", keep=True)


ORGANIZATION_MEMBER = Resource(
    kind="organization_member",
    plural="organization_members",
    id_field="user_id",
    key_field="user_email",
    fields=[
        Field("organization_id"),
        Field("organization_alias"),
        Field("user_id"),
        Field("user_email", format="email"),
        Field("role", path=("user_role",), choices=ORGANIZATION.members.roles),
        Field("max_budget_in_organization", "float", minimum=0, path=("litellm_budget_table", "max_budget")),
        Field("spend", "float", option=False),
    ],
    create=Endpoint("POST", ORGANIZATION.members.add),
    update=ORGANIZATION.members.update,
    delete=ORGANIZATION.members.delete,
    get=None,
    find=None,
    hydrate=_member_budgets,
    requires=Requires(enterprise=True, what="an organization member", paths=(
        "POST " + ORGANIZATION.members.add, "PATCH " + ORGANIZATION.members.update.path,
        "DELETE " + ORGANIZATION.members.delete.path, "GET /organization/info")),
)

ORGANIZATION_MEMBERSHIP = Membership(ORGANIZATION, ORGANIZATION_MEMBER, _organization_members)
