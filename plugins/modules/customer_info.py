#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: customer_info
short_description: Read customers (end users) of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the customer with the ID O(user_id), or every customer.
  - The customers have the same keys as the C(customer) result of M(llmops.litellm.customer), so they can be fed
    back to it.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  user_id:
    description: Return the customer with this ID; an unknown ID returns an empty list.
    type: str
seealso:
  - module: llmops.litellm.customer
'''

EXAMPLES = r'''
- name: Read one customer
  llmops.litellm.customer_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    user_id: customer-4711
  register: found

- name: Read every customer
  llmops.litellm.customer_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_customers

- name: Show the blocked customers
  ansible.builtin.debug:
    msg: "{{ all_customers.customers | selectattr('blocked') | map(attribute='user_id') }}"
'''

RETURN = r'''
customers:
  description:
    - The customers found, each with the keys of the C(customer) result of M(llmops.litellm.customer).
  returned: always
  type: list
  elements: dict
  sample:
    - user_id: customer-4711
      alias: ACME GmbH
      blocked: false
      max_budget: 10.0
      budget_duration: 30d
      spend: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.customer import CUSTOMER


def main():
    InfoModule(CUSTOMER).execute()


if __name__ == '__main__':
    main()
