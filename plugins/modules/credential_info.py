#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: credential_info
short_description: Read reusable provider credentials of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one credential by O(credential_name), or every credential.
  - The credentials have the same keys as the C(credential) result of M(llmops.litellm.credential). Their values
    are never returned (LiteLLM masks them; they are write-only).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  credential_name:
    description:
      - Return the credential with this name; an unknown name returns an empty list.
      - Without it, every credential is returned, including those of the proxy's config file.
    type: str
seealso:
  - module: llmops.litellm.credential
'''

EXAMPLES = r'''
- name: Read one credential
  llmops.litellm.credential_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    credential_name: openai-prod
  register: openai

- name: List the names of every credential
  llmops.litellm.credential_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_credentials

- name: Show them
  ansible.builtin.debug:
    msg: "{{ all_credentials.credentials | map(attribute='credential_name') }}"
'''

RETURN = r'''
credentials:
  description:
    - The credentials found, each with the keys of the C(credential) result of M(llmops.litellm.credential).
  returned: always
  type: list
  elements: dict
  sample:
    - credential_name: openai-prod
      credential_info: {"custom_llm_provider": "openai"}
      display_name: null
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL


def main():
    InfoModule(CREDENTIAL).execute()


if __name__ == '__main__':
    main()
