#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jwt_key_mapping_info
short_description: Read the JWT key mappings of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one JWT key mapping by O(mapping_id), the mappings of the claim value O(jwt_claim_value) (one per
    issuer and claim name), or every mapping.
  - The mappings have the same keys as the C(jwt_key_mapping) result of M(llmops.litellm.jwt_key_mapping); the
    virtual key a mapping authenticates as is never returned (LiteLLM keeps only its hash).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  jwt_claim_value:
    description: Return the mappings of exactly this claim value. Mutually exclusive with O(mapping_id).
    type: str
  mapping_id:
    description:
      - Return the mapping with this ID; an unknown ID returns an empty list. Mutually exclusive with
        O(jwt_claim_value).
    type: str
seealso:
  - module: llmops.litellm.jwt_key_mapping
'''

EXAMPLES = r'''
- name: Read every JWT key mapping
  llmops.litellm.jwt_key_mapping_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: mappings

- name: Show the inactive ones
  ansible.builtin.debug:
    msg: "{{ mappings.jwt_key_mappings | rejectattr('is_active') | map(attribute='jwt_claim_value') }}"
'''

RETURN = r'''
jwt_key_mappings:
  description:
    - The mappings found, each with the keys of the C(jwt_key_mapping) result of M(llmops.litellm.jwt_key_mapping).
  returned: always
  type: list
  elements: dict
  sample:
    - mapping_id: 6a25b726-11a0-475e-b64c-27d4d605df72
      jwt_issuer: null
      jwt_claim_name: sub
      jwt_claim_value: svc-batch
      description: Batch jobs
      is_active: true
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.jwt_key_mapping import JWT_KEY_MAPPING


def main():
    InfoModule(JWT_KEY_MAPPING).execute()


if __name__ == '__main__':
    main()
