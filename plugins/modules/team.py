#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: team
short_description: Manage a team of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a team of the LiteLLM proxy (AI gateway), and reconcile its members.
  - The team is found by O(team_id) when it is set, otherwise by O(team_alias). LiteLLM does not enforce unique
    aliases; when two or more teams have the alias, the module fails, naming their ids, and writes nothing.
    It also refuses to create a team, or rename one, to an alias another team already has.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
    An option cannot be reset to "not set" through this module, except lists and dictionaries, which you can
    set to empty.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.state.CASCADE
  - llmops.litellm.attributes
  - llmops.litellm.budget
  - llmops.litellm.budget.TPD_LIMIT
  - llmops.litellm.budget.MODEL_LIMITS
  - llmops.litellm.metadata
  - llmops.litellm.metadata.TAGS
  - llmops.litellm.metadata.MODELS
options:
  team_alias:
    description:
      - Name of the team, its natural key. Required unless O(team_id) is set.
      - With O(team_id) set, a different O(team_alias) renames the team.
    type: str
  team_id:
    description:
      - ID of the team. LiteLLM generates one when a team is created without it.
    type: str
  organization_id:
    description:
      - ID of the organization the team belongs to. Organizations are a LiteLLM Enterprise feature.
      - Set to an empty string to take the team out of its organization.
      - Mutually exclusive with O(organization_alias).
    type: str
  organization_alias:
    description:
      - Alias of the organization the team belongs to, instead of O(organization_id); the module looks it up.
      - A run fails when no organization has it (check mode only warns, since an earlier task may create it);
        two or more organizations with the alias fail the run, naming their ids.
      - Mutually exclusive with O(organization_id).
    type: str
  soft_budget:
    description: Spend at which LiteLLM alerts, in USD. Must be lower than O(max_budget). Must not be negative.
    type: float
  blocked:
    description: Whether the team is blocked; requests with its keys then fail.
    type: bool
  model_aliases:
    description: Model names the team's keys may use, mapped to the model they stand for.
    type: dict
  model_max_budget:
    description:
      - 'Budget per model for every key of the team, for example C({"gpt-4o": {"max_budget": 10, "budget_duration": "1d"}}).'
      - Needs a LiteLLM Enterprise license.
    type: dict
  team_member_budget:
    description: Maximum spend of each member of the team, in USD. Must not be negative.
    type: float
  team_member_budget_duration:
    description: Period after which each member's spend resets. Defaults to O(budget_duration) on creation.
    type: str
  team_member_rpm_limit:
    description: Requests per minute each member of the team may send. Must not be negative.
    type: int
  team_member_tpm_limit:
    description: Tokens per minute each member of the team may use. Must not be negative.
    type: int
  team_member_key_duration:
    description:
      - Lifetime of the keys members create for the team, for example V(30d).
      - Needs a LiteLLM Enterprise license.
    type: str
  default_team_member_models:
    description: Models given to new members when they join. Must be a subset of O(models). Order does not matter.
    type: list
    elements: str
  require_trace_id:
    description:
      - Whether LiteLLM rejects the team's LLM, MCP and agent requests that carry no trace ID. Only a proxy admin
        may set it.
      - Needs LiteLLM 1.108.0 or newer; an older LiteLLM drops it without a word, so the module refuses it there
        before anything is written.
    type: bool
  team_member_model_max_budget:
    description:
      - 'Per-model budgets each member of the team gets unless a member has its own, model name -> budget, for
        example C({"gpt-4o": {"max_budget": 5, "budget_duration": "30d"}}). Kept in the member budget of the team.'
      - Needs LiteLLM 1.108.0 or newer and a LiteLLM Enterprise licence; the module refuses it elsewhere before
        anything is written.
    type: dict
  members:
    description:
      - Users in the team, each with a role. A member is matched by O(members[].user_id) when it is set,
        otherwise by O(members[].user_email).
      - Missing members are added (LiteLLM creates users it does not know), members with another role get the
        declared one; with O(purge_members=true), members not listed are removed.
      - Adding a member with the V(admin) role to an existing team, or making a member admin, needs a LiteLLM
        Enterprise license. A team created with admins does not.
      - When the team is created with the master key, LiteLLM adds the proxy admin user as a team admin. Set
        O(purge_members=true) to keep only the declared members.
    type: list
    elements: dict
    suboptions:
      user_id:
        description: ID of the user. Either this or O(members[].user_email) is required.
        type: str
      user_email:
        description: Email of the user. Either this or O(members[].user_id) is required.
        type: str
      role:
        description: Role of the user in the team.
        type: str
        choices: [admin, user]
        default: user
  purge_members:
    description:
      - Whether to remove members that O(members) does not list.
      - Has no effect when O(members) is not set; with O(members=[]) it removes every member.
    type: bool
    default: false
notes:
  - Deleting a team also deletes the virtual keys that belong to it.
  - LiteLLM keeps the team member budget options in a budget linked to the team (its default member budget), and
    O(tags), O(guardrails), O(model_rpm_limit), O(model_tpm_limit) and O(team_member_key_duration) in the team's
    metadata; the module reads them from there.
seealso:
  - module: llmops.litellm.team_info
  - name: LiteLLM team management
    description: LiteLLM's documentation of teams, budgets and members.
    link: https://docs.litellm.ai/docs/proxy/team_budgets
'''

EXAMPLES = r'''
- name: Ensure the research team exists with a budget
  llmops.litellm.team:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    team_alias: research
    models: [gpt-4o, claude-sonnet]
    max_budget: 100
    budget_duration: 30d
    rpm_limit: 600

- name: A team of an organization, given by its alias (organizations need LiteLLM Enterprise)
  llmops.litellm.team:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    team_alias: acme-research
    organization_alias: acme

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: Give the team exactly these members
      llmops.litellm.team:
        team_alias: research
        members:
          - user_id: alice
            role: admin
          - user_email: bob@example.com
        purge_members: true

    - name: Block the team
      llmops.litellm.team:
        team_alias: research
        blocked: true

    - name: Delete the team and its keys
      llmops.litellm.team:
        team_alias: research
        state: absent
'''

RETURN = r'''
team:
  description:
    - The team after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options; C(members) lists every member.
  returned: always
  type: dict
  contains:
    team_id:
      description: ID of the team. V(null) for a team that check mode predicts would be created without O(team_id).
      type: str
      sample: 0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11
    team_alias:
      description: Name of the team.
      type: str
      sample: research
    models:
      description: Models the team may use, sorted; V(null) for all models.
      type: list
      elements: str
      sample: [claude-sonnet, gpt-4o]
    max_budget:
      description: Maximum spend in USD.
      type: float
      sample: 100.0
    members:
      description: Members of the team, sorted by user ID.
      type: list
      elements: dict
      sample: [{"user_id": "alice", "user_email": null, "role": "admin"}]
    metadata:
      description: The team's own metadata, without the keys LiteLLM manages.
      type: dict
      sample: {"cost_center": "r-1234"}
    spend:
      description: Spend of the team so far, in USD.
      type: float
      sample: 0.0
    created_at:
      description: When the team was created.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_at:
      description: When the team was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM


def main():
    EntityModule(TEAM, argument_spec=dict(organization_alias=dict(type="str")),
                 mutually_exclusive=[("organization_id", "organization_alias")]).execute()


if __name__ == '__main__':
    main()
