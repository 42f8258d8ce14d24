#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: guardrail_info
short_description: Read guardrails of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one guardrail by O(guardrail_id), the guardrail with the name O(guardrail_name), or every guardrail,
    those stored in the proxy's database and those defined in its config file.
  - The guardrails have the same keys as the C(guardrail) result of M(llmops.litellm.guardrail). Write-only values
    are never returned.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  guardrail_name:
    description:
      - Return the guardrail with exactly this name. Mutually exclusive with O(guardrail_id).
    type: str
  guardrail_id:
    description:
      - Return the guardrail with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(guardrail_name).
    type: str
seealso:
  - module: llmops.litellm.guardrail
'''

EXAMPLES = r'''
- name: Read one guardrail by name
  llmops.litellm.guardrail_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    guardrail_name: lakera-prompt-injection
  register: lakera

- name: Read every guardrail
  llmops.litellm.guardrail_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_guardrails

- name: Show the names of the guardrails that run on every request
  ansible.builtin.debug:
    msg: "{{ all_guardrails.guardrails | selectattr('default_on') | map(attribute='guardrail_name') }}"
'''

RETURN = r'''
guardrails:
  description:
    - The guardrails found, each with the keys of the C(guardrail) result of M(llmops.litellm.guardrail).
  returned: always
  type: list
  elements: dict
  sample:
    - guardrail_id: 123e4567-e89b-12d3-a456-426614174000
      guardrail_name: lakera-prompt-injection
      provider: lakera_v2
      mode: [pre_call]
      default_on: false
      provider_api_key: "********"
      guardrail_info: {"description": "Blocks prompt injection"}
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.guardrail import GUARDRAIL


def main():
    InfoModule(GUARDRAIL).execute()


if __name__ == '__main__':
    main()
