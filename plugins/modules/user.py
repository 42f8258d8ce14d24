#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: user
short_description: Manage an internal user of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete an internal user of the LiteLLM proxy (AI gateway), a person or service account
    that logs in to the admin UI or owns keys, and the teams the user belongs to.
  - The user is found by O(user_id) when it is set, otherwise by O(user_email) (compared exactly). With O(user_id)
    set, a different O(user_email) changes the user's email; the module refuses an email another user has.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
  - The module never creates a virtual key for the user (LiteLLM's C(/user/new) would); manage keys with their
    own module.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.state.CASCADE
  - llmops.litellm.attributes
  - llmops.litellm.budget
  - llmops.litellm.budget.MAX_PARALLEL_REQUESTS
options:
  user_id:
    description:
      - ID of the user. LiteLLM generates one when a user is created without it.
      - Required unless O(user_email) is set.
    type: str
  user_email:
    description:
      - Email of the user. Identifies the user when O(user_id) is not set.
    type: str
  user_alias:
    description: A display name for the user.
    type: str
  user_role:
    description:
      - Role of the user on the proxy.
      - V(proxy_admin) manages everything, V(proxy_admin_viewer) sees everything, V(internal_user) manages its own
        keys, V(internal_user_viewer) sees its own keys and spend.
    type: str
    choices: [proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer]
  models:
    description:
      - Models the user's keys may use. Order does not matter.
      - LiteLLM ignores an empty list when it updates a user, so a list that is set cannot be emptied again; the
        module fails, naming this option, instead of reporting a change that would not happen.
    type: list
    elements: str
  metadata:
    description:
      - Free-form metadata of the user. It replaces the user's metadata as a whole.
      - Keys LiteLLM keeps in the metadata for other request fields (for example C(model_rpm_limit)) are not
        shown in this option, are kept when it is written, and must not be set in it.
      - Like O(models), metadata that is set cannot be emptied again (LiteLLM ignores an empty dictionary).
    type: dict
  teams:
    description:
      - Teams the user belongs to, each by its ID or its alias (C(team_alias)). Order does not matter.
      - An entry that is the ID of a team is that team; otherwise it names the team with that alias, and the
        module joins the user to that team's ID. An entry that is neither fails, naming this option, before
        anything is written; so does an alias that several teams have (give the team's ID).
      - RV(user.teams) lists team IDs, as LiteLLM does; the same teams given by alias or by ID are no change.
      - In M(llmops.litellm.gateway_state), an alias may also name a team that the same document creates; the
        team is created first and the user joins its new ID, in the same run.
      - The user joins the teams it is not in yet, with the team role V(user). Roles in a team and per-member
        budgets are not managed here; use M(llmops.litellm.team_member).
      - Team membership can be managed from three places; give each membership one owner. O(teams) adds the user
        to teams (and, with O(purge_teams=true), removes it from the others); the C(members) of
        M(llmops.litellm.team) owns a team's whole member list; M(llmops.litellm.team_member) owns one membership.
    type: list
    elements: str
  purge_teams:
    description:
      - Whether to remove the user from the teams that O(teams) does not list.
      - Has no effect when O(teams) is not set; with O(teams=[]) the user leaves every team.
    type: bool
    default: false
  send_invite_email:
    description:
      - Whether LiteLLM emails the new user an invitation (needs email alerting configured in LiteLLM).
      - Used only when the user is created; never compared. When not set, no invitation is sent.
    type: bool
notes:
  - Deleting a user also deletes the user's virtual keys.
  - LiteLLM 1.106.2 request fields of C(NewUserRequest) and C(UpdateUserRequest) that this module does not offer,
    and why. C(blocked) is accepted but not stored, so not enforced (LiteLLM's user table has no such column); to
    block a user, block its keys. C(guardrails) and C(permissions) are documented by LiteLLM as not implemented
    for users. C(password) is refused by C(/user/new) (users set their own
    through an invitation). C(auto_create_key), C(key_alias) and C(duration) shape the key LiteLLM would create
    with the user; the module creates none. C(config) is deprecated by LiteLLM. C(spend) is a counter, not
    configuration. C(team_id) is deprecated by LiteLLM; use O(teams). C(organizations) is owned by
    M(llmops.litellm.organization) members. C(sso_user_id) is set by single sign-on. C(model_max_budget) needs an
    Enterprise licence on C(/user/new) but not on C(/user/update) in 1.106.2, and C(model_rpm_limit),
    C(model_tpm_limit), C(mcp_rpm_limit) and C(tag_rpm_limit) are stored but not enforced per user; set them on
    keys or teams. C(object_permission), C(prompts), C(policies), C(aliases), C(allowed_cache_controls),
    C(budget_limits), C(budget_fallbacks) and C(agent_id) are not offered in this version.
seealso:
  - module: llmops.litellm.user_info
  - module: llmops.litellm.team_member
  - module: llmops.litellm.team
  - name: LiteLLM internal users
    description: LiteLLM's documentation of users, roles and budgets.
    link: https://docs.litellm.ai/docs/proxy/users
'''

EXAMPLES = r'''
- name: Ensure a user exists with a budget
  llmops.litellm.user:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    user_email: alice@example.com
    user_role: internal_user
    max_budget: 50
    budget_duration: 30d

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: A service account with a fixed ID, in exactly these teams (each by its alias or its ID)
      llmops.litellm.user:
        user_id: svc-batch
        user_alias: Batch jobs
        models: [gpt-4o-mini]
        rpm_limit: 120
        teams: [research, "{{ platform_team_id }}"]
        purge_teams: true

    - name: Delete the user and its keys
      llmops.litellm.user:
        user_id: svc-batch
        state: absent
'''

RETURN = r'''
user:
  description:
    - The user after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options (without O(send_invite_email)) and C(spend), C(created_at), C(updated_at).
  returned: always
  type: dict
  contains:
    user_id:
      description: ID of the user. V(null) for a user that check mode predicts would be created without O(user_id).
      type: str
      sample: 6f1c9a2e-1d2b-4c3d-9e8f-0a1b2c3d4e5f
    user_email:
      description: Email of the user.
      type: str
      sample: alice@example.com
    user_role:
      description: Role of the user on the proxy.
      type: str
      sample: internal_user
    teams:
      description: IDs of the teams the user belongs to, sorted.
      type: list
      elements: str
      sample: [0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11]
    max_budget:
      description: Maximum spend in USD.
      type: float
      sample: 50.0
    metadata:
      description: The user's own metadata, without the keys LiteLLM manages.
      type: dict
      sample: {"cost_center": "r-1234"}
    spend:
      description: Spend of the user so far, in USD.
      type: float
      sample: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.user import USER


def main():
    EntityModule(USER).execute()


if __name__ == '__main__':
    main()
