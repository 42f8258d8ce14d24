#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: policy_info
short_description: Read the guardrail policies of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the production version of the policy named O(policy_name), or of every policy, with its attachments.
  - Policies of the proxy's config file are returned too (C(definition_location=config)).
  - The policies have the same keys as the C(policy) result of M(llmops.litellm.policy).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  policy_name:
    description: Return the policy with exactly this name; an unknown name returns an empty list.
    type: str
seealso:
  - module: llmops.litellm.policy
'''

EXAMPLES = r'''
- name: Read every policy
  llmops.litellm.policy_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: policies

- name: Show the guardrails each policy adds
  ansible.builtin.debug:
    msg: "{{ policies.policies | items2dict(key_name='policy_name', value_name='guardrails_add') }}"
'''

RETURN = r'''
policies:
  description: The policies found, each with the keys of the C(policy) result of M(llmops.litellm.policy).
  returned: always
  type: list
  elements: dict
  sample:
    - policy_name: global-baseline
      version_number: 1
      guardrails_add: [pii_masking]
      attachments: [{"scope": "*"}]
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.policy import POLICY


def main():
    InfoModule(POLICY).execute()


if __name__ == '__main__':
    main()
