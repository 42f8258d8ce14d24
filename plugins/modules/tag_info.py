#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: tag_info
short_description: Read tags of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the tag with the name O(name), or every tag LiteLLM stores. Tags LiteLLM only saw in the metadata of
    requests are not stored tags and are not returned.
  - The tags have the same keys as the C(tag) result of M(llmops.litellm.tag), so they can be fed back to it.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  name:
    description: Return the tag with exactly this name (also its ID); an unknown name returns an empty list.
    type: str
seealso:
  - module: llmops.litellm.tag
'''

EXAMPLES = r'''
- name: Read every tag
  llmops.litellm.tag_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_tags

- name: Show the models of each tag
  ansible.builtin.debug:
    msg: "{{ all_tags.tags | items2dict(key_name='name', value_name='models') }}"
'''

RETURN = r'''
tags:
  description:
    - The tags found, each with the keys of the C(tag) result of M(llmops.litellm.tag).
  returned: always
  type: list
  elements: dict
  sample:
    - name: paid
      description: Paid tier
      models: [claude-sonnet, gpt-4o]
      max_budget: 500.0
      budget_duration: 1mo
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.tag import TAG


def main():
    InfoModule(TAG).execute()


if __name__ == '__main__':
    main()
