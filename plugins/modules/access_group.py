#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: access_group
short_description: Manage an access group of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete an access group of the LiteLLM proxy (AI gateway), with LiteLLM's unified
    access-group API (C(/v1/access_group)). An access group bundles models, MCP servers and agents, and is assigned
    to teams and keys, which then may use what it bundles.
  - The access group is found by O(access_group_id) when it is set, otherwise by O(access_group_name), which
    LiteLLM keeps unique.
  - Only the options you set are compared and sent; an option you leave out keeps its current value. Each list you
    set replaces the access group's list (set it to empty to empty it).
  - This is not the older model access group of LiteLLM (C(/access_group/new), kept as C(model_info.access_groups)
    on each model).
  - LiteLLM 1.106.2 needs no Enterprise license for access groups.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  access_group_name:
    description:
      - Name of the access group, its natural key. Required unless O(access_group_id) is set.
      - With O(access_group_id) set, a different O(access_group_name) renames the access group.
    type: str
  access_group_id:
    description:
      - ID of the access group. LiteLLM chooses it when it creates an access group, so an ID that does not exist
        cannot be created.
    type: str
  description:
    description: What the access group is for.
    type: str
  access_model_names:
    description: Model names the access group gives access to. Order does not matter.
    type: list
    elements: str
  access_mcp_server_ids:
    description: IDs of the MCP servers the access group gives access to. Order does not matter.
    type: list
    elements: str
  access_agent_ids:
    description: IDs of the agents the access group gives access to. Order does not matter.
    type: list
    elements: str
  mcp_tool_permissions:
    description:
      - 'The tools of each MCP server the access group allows, MCP server ID -> tool names, for example
        C({"github-server": ["list_issues", "get_issue"]}).'
      - Needs LiteLLM 1.108.0 or newer; an older LiteLLM drops it without a word, so the module refuses it there
        before anything is written.
    type: dict
  access_skill_names:
    description:
      - Names of the skills the access group gives access to. Order does not matter.
      - Needs LiteLLM 1.108.0 or newer; the module refuses it on an older LiteLLM before anything is written.
    type: list
    elements: str
  assigned_team_ids:
    description:
      - IDs of the teams the access group is assigned to. LiteLLM refuses IDs of teams that do not exist, and
        records the access group on each team as well. Order does not matter.
    type: list
    elements: str
  assigned_key_ids:
    description:
      - The keys the access group is assigned to, each given by its token (the hash LiteLLM stores, as
        C(/key/info) returns it), not by the key itself. Order does not matter.
    type: list
    elements: str
notes:
  - 'Request fields of LiteLLM 1.106.2 (C(AccessGroupCreateRequest), C(AccessGroupUpdateRequest) in
    litellm/types/access_group.py) not offered: none.'
seealso:
  - module: llmops.litellm.access_group_info
  - module: llmops.litellm.team
  - name: LiteLLM access groups
    description: LiteLLM's documentation of access groups.
    link: https://docs.litellm.ai/docs/proxy/model_access_groups
'''

EXAMPLES = r'''
- name: The models and MCP servers of the research department, for two teams
  llmops.litellm.access_group:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    access_group_name: research
    description: What research teams may use
    access_model_names: [gpt-4o, claude-sonnet]
    access_mcp_server_ids: ["{{ github_mcp.mcp_server.server_id }}"]
    assigned_team_ids: ["{{ team_a.team.team_id }}", "{{ team_b.team.team_id }}"]

- name: Delete the access group
  llmops.litellm.access_group:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    access_group_name: research
    state: absent
'''

RETURN = r'''
access_group:
  description:
    - The access group after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options, plus the read-only keys below.
  returned: always
  type: dict
  contains:
    access_group_id:
      description: ID of the access group. V(null) for an access group that check mode predicts would be created.
      type: str
      sample: 5055e075-4818-4990-8d57-5f2397b43974
    access_group_name:
      description: Name of the access group.
      type: str
      sample: research
    access_model_names:
      description: Model names, sorted.
      type: list
      elements: str
      sample: [claude-sonnet, gpt-4o]
    assigned_team_ids:
      description: IDs of the teams the access group is assigned to, sorted.
      type: list
      elements: str
      sample: [0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11]
    created_at:
      description: When the access group was created.
      type: str
      sample: "2025-01-01T00:00:00Z"
    created_by:
      description: User who created the access group.
      type: str
      sample: default_user_id
    updated_at:
      description: When the access group was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_by:
      description: User who last changed the access group.
      type: str
      sample: default_user_id
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.access_group import ACCESS_GROUP


def main():
    EntityModule(ACCESS_GROUP).execute()


if __name__ == '__main__':
    main()
