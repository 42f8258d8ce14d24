#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mcp_server_info
short_description: Read the MCP servers registered with the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one MCP server by O(server_id), the server named O(server_name), or every server, those stored in the
    proxy's database and those defined in its config file. It does not connect to the servers.
  - The servers have the same keys as the C(mcp_server) result of M(llmops.litellm.mcp_server). Credentials are
    never returned.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  server_name:
    description:
      - Return the server with exactly this name. Mutually exclusive with O(server_id).
    type: str
  server_id:
    description:
      - Return the server with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(server_name).
    type: str
seealso:
  - module: llmops.litellm.mcp_server
'''

EXAMPLES = r'''
- name: Read every MCP server
  llmops.litellm.mcp_server_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: servers

- name: Show the URL of each server
  ansible.builtin.debug:
    msg: "{{ servers.mcp_servers | items2dict(key_name='server_name', value_name='url') }}"
'''

RETURN = r'''
mcp_servers:
  description:
    - The servers found, each with the keys of the C(mcp_server) result of M(llmops.litellm.mcp_server).
  returned: always
  type: list
  elements: dict
  sample:
    - server_id: 1d1975fa-78cd-4a18-a9bb-0b8fe4b75f4a
      server_name: github
      alias: github
      transport: http
      url: https://api.githubcopilot.com/mcp
      auth_type: bearer_token
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_server import MCP_SERVER


def main():
    InfoModule(MCP_SERVER).execute()


if __name__ == '__main__':
    main()
