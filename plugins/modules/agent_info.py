#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: agent_info
short_description: Read the A2A agents registered with the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one A2A agent by O(agent_id), the agent named O(agent_name), or every agent, those stored in the proxy's
    database and those defined in its config file. It does not call the agents.
  - The agents have the same keys as the C(agent) result of M(llmops.litellm.agent). Secrets are never returned.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  agent_name:
    description:
      - Return the agent with exactly this name. Mutually exclusive with O(agent_id).
    type: str
  agent_id:
    description:
      - Return the agent with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(agent_name).
    type: str
seealso:
  - module: llmops.litellm.agent
'''

EXAMPLES = r'''
- name: Read every agent
  llmops.litellm.agent_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: agents

- name: List the public agents
  ansible.builtin.debug:
    msg: "{{ agents.agents | selectattr('public') | map(attribute='agent_name') | list }}"
'''

RETURN = r'''
agents:
  description:
    - The agents found, each with the keys of the C(agent) result of M(llmops.litellm.agent).
  returned: always
  type: list
  elements: dict
  sample:
    - agent_id: 37cf7bc3-566b-44d7-99ce-1a13b7417198
      agent_name: research-agent
      public: true
      litellm_params: {"model": "a2a/research-agent"}
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.agent import AGENT


def main():
    InfoModule(AGENT).execute()


if __name__ == '__main__':
    main()
