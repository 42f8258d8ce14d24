#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: policy
short_description: Manage a guardrail policy of the LiteLLM proxy and its attachments
version_added: 0.1.0
description:
  - Create, update and delete a policy of the LiteLLM proxy (AI gateway), that is the guardrails it adds to requests and
    removes from them, what it inherits, when it applies, and its attachments (where it applies).
  - The policy is found by O(policy_name). Only the options you set are compared and sent; an option you leave out
    keeps its current value.
  - LiteLLM versions policies and lets only a draft be edited. A change therefore creates a new version (a draft of
    the production version), edits it, publishes it and promotes it to production; the version it replaces stays
    as a published version, as LiteLLM's Admin UI leaves it. The module compares and returns the production version.
  - Policies defined in the proxy's config file cannot be changed through the API; the module refuses them.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  policy_name:
    description: Name of the policy, its natural key; every version of the policy has it.
    type: str
    required: true
  description:
    description: What the policy is for.
    type: str
  inherit:
    description:
      - Name of the policy this one inherits its guardrails from.
      - LiteLLM ignores an empty value when it updates a policy, so once set it cannot be unset (the module refuses).
    type: str
  guardrails_add:
    description: Names of the guardrails the policy adds to requests. Order does not matter; V([]) empties the list.
    type: list
    elements: str
  guardrails_remove:
    description: Names of inherited guardrails the policy removes. Order does not matter.
    type: list
    elements: str
  condition:
    description:
      - When the policy applies, as LiteLLM takes it (C(model), a model name or a regular expression).
      - Once set it cannot be unset (LiteLLM ignores an empty value on update).
    type: dict
  attachments:
    description:
      - Where the policy applies. The list is the policy's whole set of attachments in LiteLLM's database, in no
        particular order; missing attachments are created, the policy's other attachments deleted (LiteLLM cannot
        change an attachment). V([]) detaches the policy. Left out, the attachments are not managed.
      - LiteLLM refuses an attachment that names a team, key or model that does not exist (patterns with C(*) are
        taken as they are).
    type: list
    elements: dict
    suboptions:
      scope:
        description: V(*) applies the policy to every request.
        type: str
        choices: ['*']
      teams:
        description: Team aliases or patterns.
        type: list
        elements: str
      keys:
        description: Key aliases or patterns.
        type: list
        elements: str
      models:
        description: Model names or patterns.
        type: list
        elements: str
      tags:
        description: Tags or patterns (C(health-*)).
        type: list
        elements: str
      priority:
        description: Execution order among attachments, lower first; attachments with a priority run first.
        type: int
      default:
        description: Apply this attachment only when no other attachment matches the request.
        type: bool
        default: false
seealso:
  - module: llmops.litellm.policy_info
  - module: llmops.litellm.guardrail
  - name: LiteLLM guardrail policies
    description: LiteLLM's documentation of policies.
    link: https://docs.litellm.ai/docs/proxy/guardrails/guardrail_policies
notes:
  - Deleting a policy deletes every version of it and its attachments (LiteLLM's own deletion leaves the
    attachments behind).
'''

EXAMPLES = r'''
- name: A baseline policy on every request
  llmops.litellm.policy:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    policy_name: global-baseline
    description: Base guardrails for all requests
    guardrails_add: [pii_masking]
    attachments:
      - scope: "*"

- name: Stricter for the health teams, on GPT-4 models only
  llmops.litellm.policy:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    policy_name: healthcare
    inherit: global-baseline
    guardrails_add: [hipaa_audit]
    condition:
      model: "gpt-4.*"
    attachments:
      - tags: ["health-*"]
        priority: 10

- name: Remove the policy and its attachments
  llmops.litellm.policy:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    policy_name: healthcare
    state: absent
'''

RETURN = r'''
policy:
  description:
    - The production version of the policy after the run, or as it would be after the run in check mode. Empty
      after O(state=absent).
    - Keys are the module's options plus the read-only keys below.
  returned: always
  type: dict
  contains:
    policy_name:
      description: Name of the policy.
      type: str
      sample: global-baseline
    policy_id:
      description: ID of the production version. V(null) for a policy that check mode predicts would be created.
      type: str
      sample: 123e4567-e89b-12d3-a456-426614174000
    version_number:
      description: Number of the production version; each change adds one.
      type: int
      sample: 2
    version_status:
      description: C(production).
      type: str
      sample: production
    attachments:
      description: The policy's attachments in the database, sorted, LiteLLM's defaults left out.
      type: list
      elements: dict
      sample: [{"scope": "*"}]
    definition_location:
      description: C(db), or C(config) for a policy of the proxy's config file.
      type: str
      sample: db
    created_at:
      description: When the version was created.
      type: str
      sample: "2025-01-01T00:00:00Z"
    created_by:
      description: Who created the version.
      type: str
      sample: default_user_id
    updated_at:
      description: When the version was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_by:
      description: Who last changed the version.
      type: str
      sample: default_user_id
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.policy import POLICY


def main():
    EntityModule(POLICY).execute()


if __name__ == '__main__':
    main()
