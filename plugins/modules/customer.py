#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: customer
short_description: Manage a customer (end user) of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a customer of the LiteLLM proxy (AI gateway), also called an end user, the C(user)
    your application names in its requests, with the customer's budget, limits and model routing.
  - The customer is found by O(user_id), its natural key and ID.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
  - llmops.litellm.budget
  - llmops.litellm.metadata.MODELS
options:
  user_id:
    description: ID of the customer, as your application sends it in the C(user) field of its requests.
    type: str
    required: true
  alias:
    description: A display name for the customer.
    type: str
  blocked:
    description: Whether the customer is blocked; LiteLLM then refuses requests made for it.
    type: bool
  budget_id:
    description:
      - ID of a budget shared by several customers (see M(llmops.litellm.budget)) that this customer uses.
      - Mutually exclusive with O(max_budget), O(budget_duration), O(tpm_limit) and O(rpm_limit), which set the
        customer's own budget.
    type: str
  allowed_model_region:
    description: Region whose deployments must serve the customer's requests.
    type: str
    choices: [eu, us]
  default_model:
    description: Model to use when no deployment of the requested model is in O(allowed_model_region).
    type: str
notes:
  - LiteLLM keeps O(max_budget), O(budget_duration), O(tpm_limit) and O(rpm_limit) in a budget linked to the
    customer, created with it. LiteLLM's C(/customer/update) can change only O(max_budget), so the module writes
    these options to that budget directly; a customer without a budget gets a new one. When the customer uses a
    shared budget (O(budget_id)), these options change the shared budget for every customer that uses it, as
    LiteLLM's own C(/customer/update) does for C(max_budget); manage shared budgets with
    M(llmops.litellm.budget) instead.
  - Deleting a customer leaves its own budget in LiteLLM (LiteLLM does not delete it); M(llmops.litellm.budget_info)
    lists it, and M(llmops.litellm.budget) can delete it by its ID, which the C(customer) result holds.
  - LiteLLM 1.106.2 request fields of C(NewCustomerRequest) and C(UpdateCustomerRequest) that this module does not
    offer, and why. C(soft_budget), C(max_parallel_requests) and C(model_max_budget) are not implemented for
    customers by LiteLLM (its documentation says so). C(tpd_limit) applies to batch submissions only and cannot be
    updated through C(/customer/update). C(spend) is a counter, and C(budget_reset_at) is set by LiteLLM from
    O(budget_duration). C(object_permission) is not offered in this version.
seealso:
  - module: llmops.litellm.customer_info
  - module: llmops.litellm.budget
  - name: LiteLLM customers
    description: LiteLLM's documentation of customers (end users) and their budgets.
    link: https://docs.litellm.ai/docs/proxy/customers
'''

EXAMPLES = r'''
- name: Ensure a customer exists with its own budget
  llmops.litellm.customer:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    user_id: customer-4711
    alias: ACME GmbH
    max_budget: 10
    budget_duration: 30d
    allowed_model_region: eu
    default_model: gpt-4o-mini

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: Put a customer on the shared free tier
      llmops.litellm.customer:
        user_id: customer-4712
        budget_id: free-tier

    - name: Block a customer
      llmops.litellm.customer:
        user_id: customer-4711
        blocked: true

    - name: Delete a customer
      llmops.litellm.customer:
        user_id: customer-4711
        state: absent
'''

RETURN = r'''
customer:
  description:
    - The customer after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options and C(spend); the limits are those of the customer's budget.
  returned: always
  type: dict
  contains:
    user_id:
      description: ID of the customer.
      type: str
      sample: customer-4711
    alias:
      description: Display name of the customer.
      type: str
      sample: ACME GmbH
    blocked:
      description: Whether the customer is blocked.
      type: bool
      sample: false
    budget_id:
      description: ID of the customer's budget (its own, or a shared one).
      type: str
      sample: 22c03fed-ac08-4711-8d3c-2f2e03b49719
    max_budget:
      description: Maximum spend in USD.
      type: float
      sample: 10.0
    spend:
      description: Spend of the customer so far, in USD.
      type: float
      sample: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.customer import CUSTOMER, CUSTOMER_BUDGET


def main():
    EntityModule(CUSTOMER, mutually_exclusive=[("budget_id", limit) for limit in CUSTOMER_BUDGET]).execute()


if __name__ == '__main__':
    main()
