#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: access_group_info
short_description: Read access groups of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one access group by O(access_group_id), the access group named O(access_group_name), or every access
    group of LiteLLM's unified access-group API.
  - The access groups have the same keys as the C(access_group) result of M(llmops.litellm.access_group), so they
    can be fed back to it.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  access_group_name:
    description:
      - Return the access group with exactly this name. Mutually exclusive with O(access_group_id).
    type: str
  access_group_id:
    description:
      - Return the access group with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(access_group_name).
    type: str
seealso:
  - module: llmops.litellm.access_group
'''

EXAMPLES = r'''
- name: Read every access group
  llmops.litellm.access_group_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: groups

- name: Show which access groups give access to gpt-4o
  ansible.builtin.debug:
    msg: >-
      {{ groups.access_groups | selectattr('access_model_names') | selectattr('access_model_names', 'contains', 'gpt-4o')
         | map(attribute='access_group_name') }}
'''

RETURN = r'''
access_groups:
  description:
    - The access groups found, each with the keys of the C(access_group) result of M(llmops.litellm.access_group).
  returned: always
  type: list
  elements: dict
  sample:
    - access_group_id: 5055e075-4818-4990-8d57-5f2397b43974
      access_group_name: research
      access_model_names: [claude-sonnet, gpt-4o]
      assigned_team_ids: []
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.access_group import ACCESS_GROUP


def main():
    InfoModule(ACCESS_GROUP).execute()


if __name__ == '__main__':
    main()
