#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: user_info
short_description: Read internal users of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one user by O(user_id), the users with the email O(user_email), or every user (read page by page).
  - The users have the same keys as the C(user) result of M(llmops.litellm.user), so they can be fed back to it.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  user_email:
    description:
      - Return the users with exactly this email (LiteLLM's own filter matches parts of emails).
      - Mutually exclusive with O(user_id).
    type: str
  user_id:
    description:
      - Return the user with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(user_email).
    type: str
seealso:
  - module: llmops.litellm.user
'''

EXAMPLES = r'''
- name: Read one user by email
  llmops.litellm.user_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    user_email: alice@example.com
  register: alice

- name: Read every user
  llmops.litellm.user_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_users

- name: Show the proxy admins
  ansible.builtin.debug:
    msg: "{{ all_users.users | selectattr('user_role', 'equalto', 'proxy_admin') | map(attribute='user_id') }}"
'''

RETURN = r'''
users:
  description:
    - The users found, each with the keys of the C(user) result of M(llmops.litellm.user).
  returned: always
  type: list
  elements: dict
  sample:
    - user_id: 6f1c9a2e-1d2b-4c3d-9e8f-0a1b2c3d4e5f
      user_email: alice@example.com
      user_role: internal_user
      teams: [0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11]
      max_budget: 50.0
      spend: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.user import USER


def main():
    InfoModule(USER).execute()


if __name__ == '__main__':
    main()
