#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: search_tool_info
short_description: Read the search tools of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one search tool by O(search_tool_id), the search tool named O(search_tool_name), or every search tool
    (those of the proxy's config file too).
  - The search tools have the same keys as the C(search_tool) result of M(llmops.litellm.search_tool); API keys are
    never returned.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  search_tool_name:
    description:
      - Return the search tool with exactly this name. Mutually exclusive with O(search_tool_id).
    type: str
  search_tool_id:
    description:
      - Return the search tool with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(search_tool_name).
    type: str
seealso:
  - module: llmops.litellm.search_tool
'''

EXAMPLES = r'''
- name: Read every search tool
  llmops.litellm.search_tool_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: tools

- name: Show the provider of each search tool
  ansible.builtin.debug:
    msg: "{{ tools.search_tools | items2dict(key_name='search_tool_name', value_name='search_provider') }}"
'''

RETURN = r'''
search_tools:
  description:
    - The search tools found, each with the keys of the C(search_tool) result of M(llmops.litellm.search_tool).
  returned: always
  type: list
  elements: dict
  sample:
    - search_tool_id: 123e4567-e89b-12d3-a456-426614174000
      search_tool_name: web-search
      search_provider: tavily
      search_tool_info: {"description": "Web search"}
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.search_tool import SEARCH_TOOL


def main():
    InfoModule(SEARCH_TOOL).execute()


if __name__ == '__main__':
    main()
