# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One member of a team, with its role and its budget in the team (the team's members, read from the team)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._fields import budget_table_field
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Membership,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM


def _team_members(answer):
    """A team's members from its whole /team/info answer, each with its team and its membership's budget."""
    team = answer.get("team_info") or {}
    memberships = dict((m.get("user_id"), m) for m in answer.get("team_memberships") or [])
    members = []
    for member in team.get("members_with_roles") or []:
        membership = memberships.get(member.get("user_id")) or {}
        members.append(dict(member, team_id=team.get("team_id"), team_alias=team.get("team_alias"),
                            litellm_budget_table=membership.get("litellm_budget_table"),
                            spend=membership.get("spend")))
    return members


TEAM_MEMBER = Resource(
    kind="team_member",
    plural="team_members",
    id_field="user_id",
    key_field="user_email",
    fields=[
        Field("team_id"),
        Field("team_alias"),
        Field("user_id"),
        Field("user_email", format="email"),
        Field("role", choices=TEAM.members.roles),
        budget_table_field("max_budget_in_team", "float", minimum=0, key="max_budget"),
        budget_table_field("budget_duration"),
        budget_table_field("tpm_limit", "int", minimum=0),
        budget_table_field("rpm_limit", "int", minimum=0),
        budget_table_field("allowed_models", "list", elements="str"),
        Field("spend", "float", option=False),
    ],
    create=Endpoint("POST", TEAM.members.add),
    update=Endpoint("POST", TEAM.members.update, idempotent=True),
    delete=Endpoint("POST", TEAM.members.delete),
    get=None,
    find=None,
)

TEAM_MEMBERSHIP = Membership(TEAM, TEAM_MEMBER, _team_members)
