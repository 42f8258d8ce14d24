#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: organization_member_info
short_description: Read the members of an organization of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the members of one organization, each with its role and budget in the organization, or only the
    member with O(user_id) or O(user_email).
  - The members have the same keys as the C(organization_member) result of M(llmops.litellm.organization_member),
    so they can be fed back to it.
  - Organizations are a LiteLLM Enterprise feature; on a proxy without the licence the module fails saying so.
  - An unknown organization returns an empty list.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.member.INFO
  - llmops.litellm.attributes.INFO_MODULE
options:
  organization_id:
    description: ID of the organization. Either this or O(organization_alias) is required; they are mutually exclusive.
    type: str
  organization_alias:
    description: Alias of the organization. It must name exactly one organization.
    type: str
seealso:
  - module: llmops.litellm.organization_member
  - module: llmops.litellm.organization_info
'''

EXAMPLES = r'''
- name: Read the members of the research organization
  llmops.litellm.organization_member_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    organization_alias: research
  register: research

- name: Show the admins of the organization
  ansible.builtin.debug:
    msg: "{{ research.organization_members | selectattr('role', 'equalto', 'org_admin') | map(attribute='user_id') }}"
'''

RETURN = r'''
organization_members:
  description:
    - The members found, each with the keys of the C(organization_member) result of
      M(llmops.litellm.organization_member).
  returned: always
  type: list
  elements: dict
  sample:
    - organization_id: 0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11
      organization_alias: research
      user_id: 6f1c9a2e-1d2b-4c3d-9e8f-0a1b2c3d4e5f
      user_email: alice@example.com
      role: org_admin
      max_budget_in_organization: 20.0
      spend: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._members import MemberInfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization_member import ORGANIZATION_MEMBERSHIP


def main():
    MemberInfoModule(ORGANIZATION_MEMBERSHIP).execute()


if __name__ == '__main__':
    main()
