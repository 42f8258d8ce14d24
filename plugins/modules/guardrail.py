#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: guardrail
short_description: Manage a guardrail of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a guardrail (content moderation or safety check) that the LiteLLM proxy (AI gateway)
    stores in its database. Only the configuration is written; the module never calls the guardrail's provider.
  - The guardrail is found by O(guardrail_id) when it is set, otherwise by O(guardrail_name), which LiteLLM keeps
    unique.
  - Only the options you set are compared and sent; an option you leave out keeps its current value. Within
    O(litellm_params), only the keys you set are compared and sent.
  - Before anything is written (in check mode too), the module asks the proxy which guardrail providers and modes
    it supports, and fails naming the provider or mode it does not support.
  - A guardrail defined in the proxy's config file cannot be changed or deleted through the API; the module fails
    saying so.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  guardrail_name:
    description:
      - Name of the guardrail, its natural key. Requests, keys and teams name guardrails by it.
        Required unless O(guardrail_id) is set.
      - With O(guardrail_id) set, a different O(guardrail_name) renames the guardrail.
    type: str
  guardrail_id:
    description:
      - ID of the guardrail. LiteLLM chooses it when it creates a guardrail, so an ID that does not exist cannot
        be created.
    type: str
  provider:
    description:
      - The guardrail integration, LiteLLM's C(litellm_params.guardrail). Required to create a guardrail.
      - 'The providers of the PalenaAI operator map to these LiteLLM 1.106.2 names: Aporia V(aporia); Lakera
        V(lakera_v2) (V(lakera) is the older API); Presidio V(presidio); Bedrock V(bedrock); Guardrails AI
        V(guardrails_ai); Azure content safety V(azure/text_moderations) and Azure prompt shield
        V(azure/prompt_shield); a custom guardrail a Python class path such as V(custom_guardrail.MyGuardrail)
        importable by the proxy, V(generic_guardrail_api) (your own HTTP service speaking LiteLLM''s generic
        guardrail API) or V(custom_code).'
      - LLM Guard and Google Text Moderation are not guardrail providers in LiteLLM 1.106.2 (they are only legacy
        Enterprise callbacks); Google Cloud's guardrail is V(model_armor).
      - Any other provider the proxy lists (GET C(/guardrails/ui/add_guardrail_settings) and
        C(/guardrails/ui/provider_specific_params)) is accepted. LiteLLM 1.106.2 lists all of its providers there
        but V(tool_policy), which the module therefore refuses.
    type: str
  mode:
    description:
      - When the guardrail runs, LiteLLM's C(litellm_params.mode), for example V(pre_call), V(post_call),
        V(during_call), V(logging_only), V(pre_mcp_call), V(during_mcp_call), V(post_mcp_call). Several modes may be
        given. Which modes a provider supports is asked from the proxy. Required to create a guardrail.
      - Order does not matter.
    type: list
    elements: str
  default_on:
    description: Whether the guardrail runs on every request, rather than only on requests, keys or teams naming it.
    type: bool
  api_base:
    description: Base URL of the guardrail provider's API, LiteLLM's C(litellm_params.api_base).
    type: str
  provider_api_key:
    description:
      - API key of the guardrail provider, LiteLLM's C(litellm_params.api_key).
      - Write-only. LiteLLM returns it masked, so a literal key is never compared, returned or shown in a diff; it is
        sent when the guardrail is created and, with O(update_secrets=always), on every run.
      - An C(os.environ/NAME) reference (the proxy reads the key from its environment variable C(NAME)) is not a
        secret and is compared, in the masked form LiteLLM returns (its first and last two characters).
    type: str
  litellm_params:
    description:
      - Further provider parameters, passed through to LiteLLM's C(litellm_params), for example
        C(guardrailIdentifier), C(guardrailVersion) and C(aws_region_name) for Bedrock, C(presidio_analyzer_api_base)
        for Presidio, C(guard_name) for Guardrails AI, C(project_id) for Lakera.
      - Only the keys you set are compared and sent; LiteLLM keeps the others (it fills in defaults for many).
      - Must not set C(guardrail), C(mode), C(default_on), C(api_base) or C(api_key); use their options.
      - LiteLLM masks values under keys whose names contain C(key), C(token), C(secret), C(password), C(passwd),
        C(credentials) or C(authorization). Such keys accept only C(os.environ/NAME) references here (compared
        masked); put literal values in O(secret_litellm_params).
    type: dict
  secret_litellm_params:
    description:
      - Provider parameters that are secrets (for example C(aws_secret_access_key) for Bedrock), merged into
        LiteLLM's C(litellm_params).
      - Write-only, like O(provider_api_key) with a literal value.
    type: dict
  guardrail_info:
    description: Free-form information about the guardrail, for example a description. It replaces the stored one.
    type: dict
  update_secrets:
    description:
      - V(always) sends the write-only values (a literal O(provider_api_key), O(secret_litellm_params)) on every run
        that sets them, so the module then reports a change on every run. V(on_create) sends them only when the
        guardrail is created.
      - The default is that of C(awx.awx.credential)'s C(update_secrets=true).
    type: str
    choices: [always, on_create]
    default: always
notes:
  - LiteLLM masks the secrets of a guardrail in every answer, but echoes them in its answers to create and update
    requests. The module reads the guardrail again instead and never returns those answers.
  - A custom guardrail class that the proxy cannot import is stored anyway by LiteLLM 1.106.2, which only logs a
    warning; the guardrail then does nothing.
  - 'Request fields of LiteLLM 1.106.2 (C(Guardrail), C(LitellmParams), C(PatchGuardrailRequest) in
    litellm/types/guardrails.py) not offered: C(guardrail_id) on create (LiteLLM chooses it); C(policy_template),
    C(created_at), C(updated_at) (set by LiteLLM); C(litellm_params.mode) as a tag-based C(Mode) object (the option
    takes mode names only). All other C(LitellmParams) fields are reachable through O(litellm_params) and
    O(secret_litellm_params).'
seealso:
  - module: llmops.litellm.guardrail_info
  - module: llmops.litellm.team
  - name: LiteLLM guardrails
    description: LiteLLM's documentation of guardrails and their providers.
    link: https://docs.litellm.ai/docs/proxy/guardrails/quick_start
'''

EXAMPLES = r'''
- name: Ensure a Lakera prompt-injection guardrail exists, its key read by the proxy from its environment
  llmops.litellm.guardrail:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    guardrail_name: lakera-prompt-injection
    provider: lakera_v2
    mode: [pre_call]
    provider_api_key: os.environ/LAKERA_API_KEY
    guardrail_info:
      description: Blocks prompt injection

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: A Bedrock guardrail with its AWS secret sent only when it is created
      llmops.litellm.guardrail:
        guardrail_name: bedrock-content-policy
        provider: bedrock
        mode: [pre_call, post_call]
        litellm_params:
          guardrailIdentifier: ff6ujrregl1q
          guardrailVersion: DRAFT
          aws_region_name: eu-west-1
          aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
        secret_litellm_params:
          aws_secret_access_key: "{{ vault_aws_secret_access_key }}"
        update_secrets: on_create

    - name: Presidio PII masking on every request
      llmops.litellm.guardrail:
        guardrail_name: presidio-pii
        provider: presidio
        mode: [pre_call]
        default_on: true
        litellm_params:
          presidio_analyzer_api_base: http://presidio-analyzer:3000/
          presidio_anonymizer_api_base: http://presidio-anonymizer:3000/

    - name: Your own guardrail service
      llmops.litellm.guardrail:
        guardrail_name: in-house-filter
        provider: generic_guardrail_api
        mode: [pre_call, post_call]
        api_base: http://guard.internal:8080

    - name: Delete a guardrail
      llmops.litellm.guardrail:
        guardrail_name: in-house-filter
        state: absent
'''

RETURN = r'''
guardrail:
  description:
    - The guardrail after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options. Write-only values are never returned (O(provider_api_key) and secret-named
      keys are blanked).
  returned: always
  type: dict
  contains:
    guardrail_id:
      description: ID of the guardrail. V(null) for a guardrail that check mode predicts would be created.
      type: str
      sample: 123e4567-e89b-12d3-a456-426614174000
    guardrail_name:
      description: Name of the guardrail.
      type: str
      sample: lakera-prompt-injection
    provider:
      description: The guardrail integration.
      type: str
      sample: lakera_v2
    mode:
      description: When the guardrail runs, sorted.
      type: list
      elements: str
      sample: [post_call, pre_call]
    default_on:
      description: Whether the guardrail runs on every request.
      type: bool
      sample: false
    api_base:
      description: Base URL of the provider's API.
      type: str
      sample: https://api.lakera.ai
    litellm_params:
      description: Every other key of LiteLLM's C(litellm_params), including the defaults LiteLLM fills in.
      type: dict
      sample: {"on_flagged": "block", "payload": true}
    guardrail_info:
      description: Free-form information about the guardrail.
      type: dict
      sample: {"description": "Blocks prompt injection"}
    created_at:
      description: When the guardrail was created.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_at:
      description: When the guardrail was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.guardrail import GUARDRAIL


def main():
    EntityModule(GUARDRAIL).execute()


if __name__ == '__main__':
    main()
