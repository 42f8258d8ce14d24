#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: team_member
short_description: Manage one member of a team of the LiteLLM proxy
version_added: 0.1.0
description:
  - Add a user to a team of the LiteLLM proxy (AI gateway), change the user's role and budget in the team, or
    remove the user from it, without owning the team's whole member list.
  - The team is found by O(team_id) when it is set, otherwise by O(team_alias); it must exist (the module fails,
    writing nothing, when it does not; with O(state=absent) a missing team is no change).
  - Adding a member LiteLLM does not know as a user creates the user.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.member
  - llmops.litellm.attributes
options:
  team_id:
    description: ID of the team. Required unless O(team_alias) is set.
    type: str
  team_alias:
    description: Alias of the team, used when O(team_id) is not set. It must name exactly one team.
    type: str
  role:
    description:
      - Role of the user in the team. A member that is added without it gets V(user); an existing member keeps
        its role when it is not set.
      - Adding an V(admin) to an existing team, or making a member V(admin), needs a LiteLLM Enterprise licence.
    type: str
    choices: [admin, user]
  max_budget_in_team:
    description: Maximum spend of the user with the team's keys, in USD. Must not be negative.
    type: float
  budget_duration:
    description: Period after which the member's spend in the team resets, for example V(30d).
    type: str
  tpm_limit:
    description: Tokens per minute the member may use with the team's keys. Must not be negative.
    type: int
  rpm_limit:
    description: Requests per minute the member may send with the team's keys. Must not be negative.
    type: int
  allowed_models:
    description:
      - Models of the team the member may use. An empty list means every model of the team. Order does not matter.
    type: list
    elements: str
notes:
  - The team's members can be managed from three places; give each membership one owner. The C(members) option of
    M(llmops.litellm.team) (with C(purge_members)) owns the whole list, this module owns one membership, and the
    C(teams) option of M(llmops.litellm.user) adds a user to teams with the role V(user).
  - LiteLLM keeps the budget options in a budget of the membership. When the team has a default member budget
    (C(team_member_budget) of M(llmops.litellm.team)), the member shows it until one of these options is set, and
    LiteLLM then gives the member a budget of its own.
  - LiteLLM 1.106.2 request fields of C(TeamMemberAddRequest) and C(TeamMemberUpdateRequest) that this module does
    not offer, and why. C(temp_budget_increase) and C(temp_budget_expiry) are a temporary grant that expires, not
    state to converge on.
seealso:
  - module: llmops.litellm.team_member_info
  - module: llmops.litellm.team
  - module: llmops.litellm.user
  - name: LiteLLM team member budgets
    description: LiteLLM's documentation of team members, roles and budgets.
    link: https://docs.litellm.ai/docs/proxy/team_budgets
'''

EXAMPLES = r'''
- name: Make sure Alice is in the research team with a budget of her own
  llmops.litellm.team_member:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    team_alias: research
    user_email: alice@example.com
    max_budget_in_team: 20
    budget_duration: 30d

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: Give a service account a rate limit in the team
      llmops.litellm.team_member:
        team_alias: research
        user_id: svc-batch
        rpm_limit: 60

    - name: Remove Alice from the team
      llmops.litellm.team_member:
        team_alias: research
        user_email: alice@example.com
        state: absent
'''

RETURN = r'''
team_member:
  description:
    - The membership after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options and C(spend).
  returned: always
  type: dict
  contains:
    team_id:
      description: ID of the team.
      type: str
      sample: 0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11
    team_alias:
      description: Alias of the team.
      type: str
      sample: research
    user_id:
      description: ID of the user. V(null) when check mode predicts that a user given by email would be added.
      type: str
      sample: 6f1c9a2e-1d2b-4c3d-9e8f-0a1b2c3d4e5f
    user_email:
      description: Email of the user.
      type: str
      sample: alice@example.com
    role:
      description: Role of the user in the team.
      type: str
      sample: user
    max_budget_in_team:
      description: Maximum spend of the member in the team, in USD.
      type: float
      sample: 20.0
    spend:
      description: Spend of the member with the team's keys so far, in USD.
      type: float
      sample: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._members import MemberModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team_member import TEAM_MEMBERSHIP


def main():
    MemberModule(TEAM_MEMBERSHIP).execute()


if __name__ == '__main__':
    main()
