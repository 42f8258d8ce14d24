#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: prompt_info
short_description: Read the prompts of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the latest version of the prompt O(prompt_id) in each of its environments, or of every prompt (those
    of the proxy's config file too), with its version number.
  - The prompts have the same keys as the C(prompt) result of M(llmops.litellm.prompt); API keys are never
    returned.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  prompt_id:
    description:
      - Return the prompt with exactly this ID, in each environment it has.
    type: str
seealso:
  - module: llmops.litellm.prompt
'''

EXAMPLES = r'''
- name: Read every prompt
  llmops.litellm.prompt_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: prompts

- name: Show the version of each prompt in each environment
  ansible.builtin.debug:
    msg: "{{ prompts.prompts | items2dict(key_name='prompt_ref', value_name='version') }}"
'''

RETURN = r'''
prompts:
  description:
    - The prompts found, one per environment, each with the keys of the C(prompt) result of
      M(llmops.litellm.prompt).
  returned: always
  type: list
  elements: dict
  sample:
    - prompt_id: support-greeting
      environment: production
      prompt_ref: support-greeting::production
      version: 2
      prompt_integration: dotprompt
      dotprompt_content: "Greet {{name}}."
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.prompt import PROMPT


def main():
    InfoModule(PROMPT).execute()


if __name__ == '__main__':
    main()
