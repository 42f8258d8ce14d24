#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mcp_toolset_info
short_description: Read the MCP toolsets of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one MCP toolset by O(toolset_id), the toolset named O(toolset_name), or every toolset.
  - The toolsets have the same keys as the C(mcp_toolset) result of M(llmops.litellm.mcp_toolset).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  toolset_name:
    description:
      - Return the toolset with exactly this name. Mutually exclusive with O(toolset_id).
    type: str
  toolset_id:
    description:
      - Return the toolset with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(toolset_name).
    type: str
seealso:
  - module: llmops.litellm.mcp_toolset
'''

EXAMPLES = r'''
- name: Read every MCP toolset
  llmops.litellm.mcp_toolset_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: toolsets

- name: Show the tools of each toolset
  ansible.builtin.debug:
    msg: "{{ toolsets.mcp_toolsets | items2dict(key_name='toolset_name', value_name='tools') }}"
'''

RETURN = r'''
mcp_toolsets:
  description:
    - The toolsets found, each with the keys of the C(mcp_toolset) result of M(llmops.litellm.mcp_toolset).
  returned: always
  type: list
  elements: dict
  sample:
    - toolset_id: 4c1b0e6e-34bb-4c5e-9d55-0c2c11b7d1f2
      toolset_name: issue-triage
      description: Read and list issues
      tools: [{"server_id": "1d1975fa-78cd-4a18-a9bb-0b8fe4b75f4a", "tool_name": "get_issue"}]
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_toolset import MCP_TOOLSET


def main():
    InfoModule(MCP_TOOLSET).execute()


if __name__ == '__main__':
    main()
