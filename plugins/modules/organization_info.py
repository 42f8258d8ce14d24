#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: organization_info
short_description: Read organizations of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one organization by O(organization_id), the organizations with an alias given by O(organization_alias),
    or every organization, each with its members.
  - The organizations have the same keys as the C(organization) result of M(llmops.litellm.organization), so they
    can be fed back to it.
  - Organizations are a LiteLLM Enterprise feature; without a licence the module fails with a message saying so.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  organization_alias:
    description:
      - Return the organizations with exactly this alias (LiteLLM does not enforce unique aliases).
      - Mutually exclusive with O(organization_id).
    type: str
  organization_id:
    description:
      - Return the organization with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(organization_alias).
    type: str
seealso:
  - module: llmops.litellm.organization
'''

EXAMPLES = r'''
- name: Read one organization by alias
  llmops.litellm.organization_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    organization_alias: acme-corp
  register: acme

- name: Show its admins
  ansible.builtin.debug:
    msg: "{{ acme.organizations[0].members | selectattr('role', 'equalto', 'org_admin') | map(attribute='user_id') }}"
'''

RETURN = r'''
organizations:
  description:
    - The organizations found, each with the keys of the C(organization) result of M(llmops.litellm.organization).
  returned: always
  type: list
  elements: dict
  sample:
    - organization_id: 8556fad9-6ccc-4bfd-aee2-0d7501f470ea
      organization_alias: acme-corp
      models: [claude-sonnet, gpt-4o]
      max_budget: 5000.0
      members: [{"user_id": "svc-batch", "user_email": null, "role": "internal_user"}]
      spend: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION


def main():
    InfoModule(ORGANIZATION).execute()


if __name__ == '__main__':
    main()
