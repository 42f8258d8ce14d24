#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: virtual_key_info
short_description: Read virtual keys (API keys) of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one key by O(key_alias) or O(token), or every key, read page by page.
  - The keys have the same keys as the C(virtual_key) result of M(llmops.litellm.virtual_key). Their values are
    never returned (LiteLLM does not keep them), nor their hashed tokens.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  key_alias:
    description:
      - Return the key with exactly this alias.
      - Mutually exclusive with O(token).
    type: str
  token:
    description:
      - Return the key whose value has this hash (SHA-256 in hex, LiteLLM's ID of the key); an unknown hash
        returns an empty list.
      - Mutually exclusive with O(key_alias).
    type: str
seealso:
  - module: llmops.litellm.virtual_key
'''

EXAMPLES = r'''
- name: Read one key
  llmops.litellm.virtual_key_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    key_alias: research-ci
  register: ci_key

- name: Show its spend
  ansible.builtin.debug:
    msg: "{{ ci_key.virtual_keys[0].spend }}"

- name: Read every key
  llmops.litellm.virtual_key_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_keys
'''

RETURN = r'''
virtual_keys:
  description:
    - The keys found, each with the keys of the C(virtual_key) result of M(llmops.litellm.virtual_key).
  returned: always
  type: list
  elements: dict
  sample:
    - key_alias: research-ci
      token: "********"
      team_id: 0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11
      models: [gpt-4o-mini]
      max_budget: 50.0
      spend: 0.0
revoked:
  description:
    - With O(token), whether LiteLLM deleted the key with this token (revoked by an admin, or deleted with its
      team). LiteLLM keeps deleted keys in an archive; a value whose key was deleted is never used again by
      M(llmops.litellm.virtual_key).
  returned: when O(token) is set
  type: bool
  sample: false
'''

from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import VirtualKeyInfoModule


def main():
    VirtualKeyInfoModule().execute()


if __name__ == '__main__':
    main()
