#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vector_store_info
short_description: Read the vector stores registered with the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the vector store O(vector_store_id), or every vector store registered with the proxy (those of its
    config file too).
  - The vector stores have the same keys as the C(vector_store) result of M(llmops.litellm.vector_store); secrets
    are never returned.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  vector_store_id:
    description:
      - Return the vector store with this ID; an unknown ID returns an empty list.
    type: str
seealso:
  - module: llmops.litellm.vector_store
'''

EXAMPLES = r'''
- name: Read every vector store
  llmops.litellm.vector_store_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: stores

- name: Show the provider of each vector store
  ansible.builtin.debug:
    msg: "{{ stores.vector_stores | items2dict(key_name='vector_store_id', value_name='custom_llm_provider') }}"
'''

RETURN = r'''
vector_stores:
  description:
    - The vector stores found, each with the keys of the C(vector_store) result of M(llmops.litellm.vector_store).
  returned: always
  type: list
  elements: dict
  sample:
    - vector_store_id: vs_abc123
      custom_llm_provider: openai
      vector_store_name: product-docs
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.vector_store import VECTOR_STORE


def main():
    InfoModule(VECTOR_STORE).execute()


if __name__ == '__main__':
    main()
