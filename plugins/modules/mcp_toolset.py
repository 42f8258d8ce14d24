#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mcp_toolset
short_description: Manage an MCP toolset of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete an MCP toolset, a named selection of tools of the MCP servers registered with the
    LiteLLM proxy (AI gateway), which keys and teams are then given as one (their C(mcp_toolsets) object
    permission).
  - The toolset is found by O(toolset_id) when it is set, otherwise by O(toolset_name).
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  toolset_name:
    description:
      - Name of the toolset, its natural key; LiteLLM keeps it unique. Required unless O(toolset_id) is set.
      - With O(toolset_id) set, a different O(toolset_name) renames the toolset.
    type: str
  toolset_id:
    description:
      - ID of the toolset. LiteLLM chooses it when the toolset is created, so it only finds an existing toolset.
    type: str
  description:
    description: What the toolset is for.
    type: str
  tools:
    description:
      - The tools of the toolset, each a tool of one MCP server. Order does not matter; V([]) empties the toolset.
      - LiteLLM does not check that the server or the tool exist.
    type: list
    elements: dict
    suboptions:
      server_id:
        description: ID of the MCP server (the C(server_id) of M(llmops.litellm.mcp_server)).
        type: str
        required: true
      tool_name:
        description: Name of the tool on that server.
        type: str
        required: true
seealso:
  - module: llmops.litellm.mcp_toolset_info
  - module: llmops.litellm.mcp_server
  - name: LiteLLM MCP toolsets
    description: LiteLLM's documentation of MCP toolsets.
    link: https://docs.litellm.ai/docs/mcp
'''

EXAMPLES = r'''
- name: Register the server whose tools the toolset selects
  llmops.litellm.mcp_server:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    server_name: github
    transport: http
    url: https://api.githubcopilot.com/mcp
  register: github

- name: A toolset of two of its tools
  llmops.litellm.mcp_toolset:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    toolset_name: issue-triage
    description: Read and list issues
    tools:
      - server_id: "{{ github.mcp_server.server_id }}"
        tool_name: get_issue
      - server_id: "{{ github.mcp_server.server_id }}"
        tool_name: list_issues

- name: Remove the toolset
  llmops.litellm.mcp_toolset:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    toolset_name: issue-triage
    state: absent
'''

RETURN = r'''
mcp_toolset:
  description:
    - The toolset after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options plus the read-only keys below.
  returned: always
  type: dict
  contains:
    toolset_id:
      description: ID of the toolset. V(null) for a toolset that check mode predicts would be created.
      type: str
      sample: 4c1b0e6e-34bb-4c5e-9d55-0c2c11b7d1f2
    toolset_name:
      description: Name of the toolset.
      type: str
      sample: issue-triage
    tools:
      description: The tools of the toolset, sorted.
      type: list
      elements: dict
      sample: [{"server_id": "1d1975fa-78cd-4a18-a9bb-0b8fe4b75f4a", "tool_name": "get_issue"}]
    created_at:
      description: When the toolset was created.
      type: str
      sample: "2025-01-01T00:00:00Z"
    created_by:
      description: Who created the toolset.
      type: str
      sample: default_user_id
    updated_at:
      description: When the toolset was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_by:
      description: Who last changed the toolset.
      type: str
      sample: default_user_id
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_toolset import MCP_TOOLSET


def main():
    EntityModule(MCP_TOOLSET).execute()


if __name__ == '__main__':
    main()
