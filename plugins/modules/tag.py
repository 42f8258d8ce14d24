#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: tag
short_description: Manage a tag of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a tag of the LiteLLM proxy (AI gateway). Tags route requests to the models allowed
    for them (tag-based routing), and carry a budget and rate limits of their own.
  - The tag is found by its O(name), which is also its ID in LiteLLM.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
    An option cannot be reset to "not set" through this module, except O(models), which you can set to empty.
  - LiteLLM 1.106.2 needs no Enterprise license for tags.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
  - llmops.litellm.budget
  - llmops.litellm.budget.SOFT_BUDGET
  - llmops.litellm.budget.MAX_PARALLEL_REQUESTS
options:
  name:
    description: Name of the tag, its natural key and ID. A tag cannot be renamed.
    type: str
    required: true
  description:
    description: What the tag stands for.
    type: str
  models:
    description:
      - Models requests with the tag may use, by model name or model ID. Order does not matter.
      - When LiteLLM creates the tag, it also adds the tag to the C(tags) of every model named here that it stores
        in its database, and fails (HTTP 500, after storing the tag) for a model defined in its config file. It
        does neither on updates.
    type: list
    elements: str
  model_max_budget:
    description: 'Budget per model for requests with the tag, for example C({"gpt-4o": {"max_budget": 10}}).'
    type: dict
notes:
  - LiteLLM keeps the budget and limit options in a budget of the tag's own (its C(litellm_budget_table)), created
    with the first of them; the module reads them from there. Deleting the tag leaves that budget behind.
  - C(/tag/list) also lists tags LiteLLM only saw in the metadata of requests; they are not stored tags, and the
    module creates a stored tag of that name when asked.
  - 'Request fields of LiteLLM 1.106.2 (C(TagNewRequest), C(TagUpdateRequest) in litellm/types/tag_management.py)
    not offered: C(budget_id) (linking a shared budget; the budget options would then change that shared budget);
    C(model_info) (LiteLLM computes it from O(models) and ignores what is sent).'
seealso:
  - module: llmops.litellm.tag_info
  - name: LiteLLM tag-based routing
    description: LiteLLM's documentation of tags, tag budgets and tag-based routing.
    link: https://docs.litellm.ai/docs/proxy/tag_routing
'''

EXAMPLES = r'''
- name: A paid tier tag routed to the large models, with a monthly budget
  llmops.litellm.tag:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    name: paid
    description: Paid tier
    models: [gpt-4o, claude-sonnet]
    max_budget: 500
    budget_duration: 1mo
    rpm_limit: 1000

- name: Delete the tag
  llmops.litellm.tag:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    name: paid
    state: absent
'''

RETURN = r'''
tag:
  description:
    - The tag after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options, plus the read-only keys below.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the tag.
      type: str
      sample: paid
    description:
      description: What the tag stands for.
      type: str
      sample: Paid tier
    models:
      description: Models requests with the tag may use, sorted.
      type: list
      elements: str
      sample: [claude-sonnet, gpt-4o]
    max_budget:
      description: Maximum spend in USD.
      type: float
      sample: 500.0
    model_info:
      description: The model IDs among O(models) that LiteLLM stores in its database, mapped to their model names.
      type: dict
      sample: {"8d1e...": "gpt-4o"}
    budget_id:
      description: ID of the tag's budget.
      type: str
      sample: 380378ca-131f-49e2-8213-6155311b48ae
    created_by:
      description: User who created the tag.
      type: str
      sample: default_user_id
    created_at:
      description: When the tag was created.
      type: str
      sample: "2025-01-01T00:00:00+00:00"
    updated_at:
      description: When the tag was last changed.
      type: str
      sample: "2025-01-01T00:00:00+00:00"
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.tag import TAG


def main():
    EntityModule(TAG).execute()


if __name__ == '__main__':
    main()
