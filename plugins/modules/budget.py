#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: budget
short_description: Manage a reusable budget of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a budget of the LiteLLM proxy (AI gateway), spend and rate limits that customers
    can share (see the C(budget_id) option of M(llmops.litellm.customer)).
  - The budget is found by O(budget_id), its natural key and ID.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.state.CASCADE
  - llmops.litellm.attributes
  - llmops.litellm.budget
  - llmops.litellm.budget.SOFT_BUDGET
  - llmops.litellm.budget.TPD_LIMIT
  - llmops.litellm.budget.MAX_PARALLEL_REQUESTS
options:
  budget_id:
    description: ID of the budget, for example V(free-tier).
    type: str
    required: true
  model_max_budget:
    description:
      - 'Budget per model, for example C({"gpt-4o": {"max_budget": 10, "budget_duration": "1d"}}).'
      - Needs a LiteLLM Enterprise licence.
    type: dict
notes:
  - LiteLLM also uses budgets for the limits of teams, team members, organizations and customers; those budgets
    have generated IDs and are managed through their owners' modules. Changing or deleting one here changes its
    owner.
  - LiteLLM deletes a budget even while customers use it; they are then left without a budget (LiteLLM clears
    their C(budget_id)) and without its limits.
  - LiteLLM 1.106.2 request fields of C(BudgetNewRequest) that this module does not offer, and why.
    C(budget_reset_at) is the time of the next reset, which LiteLLM computes from O(budget_duration) and moves on
    every reset; it is state, not configuration.
seealso:
  - module: llmops.litellm.budget_info
  - module: llmops.litellm.customer
  - name: LiteLLM budgets
    description: LiteLLM's documentation of budgets and rate limits.
    link: https://docs.litellm.ai/docs/proxy/users
'''

EXAMPLES = r'''
- name: A free tier shared by customers
  llmops.litellm.budget:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    budget_id: free-tier
    max_budget: 1
    budget_duration: 1d
    rpm_limit: 10

- name: Delete the budget
  llmops.litellm.budget:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    budget_id: free-tier
    state: absent
'''

RETURN = r'''
budget:
  description:
    - The budget after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options and C(created_at), C(updated_at).
  returned: always
  type: dict
  contains:
    budget_id:
      description: ID of the budget.
      type: str
      sample: free-tier
    max_budget:
      description: Spend in USD after which requests fail.
      type: float
      sample: 1.0
    budget_duration:
      description: Period after which the spend resets.
      type: str
      sample: 1d
    rpm_limit:
      description: Requests per minute allowed.
      type: int
      sample: 10
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import BUDGET


def main():
    EntityModule(BUDGET).execute()


if __name__ == '__main__':
    main()
