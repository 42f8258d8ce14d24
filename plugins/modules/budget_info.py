#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: budget_info
short_description: Read budgets of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the budget with the ID O(budget_id), or every budget (including those LiteLLM made for the limits of
    teams, team members, organizations and customers).
  - The budgets have the same keys as the C(budget) result of M(llmops.litellm.budget), so they can be fed back to
    it.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  budget_id:
    description: Return the budget with this ID; an unknown ID returns an empty list.
    type: str
seealso:
  - module: llmops.litellm.budget
'''

EXAMPLES = r'''
- name: Read one budget
  llmops.litellm.budget_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    budget_id: free-tier
  register: free_tier

- name: Show its limits
  ansible.builtin.debug:
    msg: "{{ free_tier.budgets[0].max_budget }} USD per {{ free_tier.budgets[0].budget_duration }}"
'''

RETURN = r'''
budgets:
  description:
    - The budgets found, each with the keys of the C(budget) result of M(llmops.litellm.budget).
  returned: always
  type: list
  elements: dict
  sample:
    - budget_id: free-tier
      max_budget: 1.0
      budget_duration: 1d
      rpm_limit: 10
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import BUDGET


def main():
    InfoModule(BUDGET).execute()


if __name__ == '__main__':
    main()
