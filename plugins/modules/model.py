#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: model
short_description: Manage a model (deployment) of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a model deployment of the LiteLLM proxy (AI gateway), stored in LiteLLM's database.
  - The model is found by O(model_id) when it is set. Otherwise it is found by O(model_name), and by the provider
    model C(litellm_params.model) too when that is set. Several deployments of one O(model_name) (load
    balancing) are told apart by their provider model; deployments that share both need a stable O(model_id).
    When the lookup finds two or more, the module fails, naming their ids, and writes nothing.
  - Only the options you set are compared and sent; an option you leave out keeps its current value. For
    O(litellm_params) and O(model_info), only the keys you set are compared and sent.
  - The proxy must store models in its database (C(general_settings.store_model_in_db=true) or the
    E(STORE_MODEL_IN_DB=True) environment variable). When it does not, LiteLLM refuses every write, and the
    module fails saying that this setting is off (in check mode the module cannot tell, because LiteLLM reports
    the setting only when it refuses a write).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  model_name:
    description:
      - The public name clients use in their requests, for example V(gpt-4o). Its natural key, with the
        provider model.
      - Required unless O(model_id) is set, and to create a model. With O(model_id), a different O(model_name)
        renames the model.
    type: str
  model_id:
    description:
      - LiteLLM's ID of the deployment (C(model_info.id) in LiteLLM's config file). Give one to make the model
        findable whatever its other options; LiteLLM generates one when a model is created without it.
    type: str
  litellm_params:
    description:
      - 'How LiteLLM calls the provider, for example C({"model": "openai/gpt-4o", "api_base": "https://...",
        "api_version": "2024-06-01", "litellm_credential_name": "openai-prod", "rpm": 600, "tpm": 100000,
        "timeout": 30, "stream_timeout": 60, "max_retries": 2, "mock_response": "hello"}). Any key LiteLLM
        accepts in C(litellm_params) can be given.'
      - C(model), the provider model, is required to create a model.
      - C(rpd), C(tpd) (requests and tokens a day) and C(daily_reset_time) need LiteLLM 1.109.0 or newer, which
        enforces them; an older LiteLLM stores and ignores them, so the module refuses them there before anything
        is written.
      - Only the keys you set are compared and sent; the other keys keep their values. LiteLLM cannot drop a key
        through this module, and it ignores keys it does not know when it updates a model (the module then
        reports the change on every run).
      - A value may be an C(os.environ/NAME) reference, read by LiteLLM from its own environment. LiteLLM
        answers with references resolved, so the module records the references it writes in
        C(model_info.llmops_references) and compares them with those.
      - Must not hold C(api_key) or C(tags), which have their own options (O(provider_api_key), O(tags)), nor the
        keys LiteLLM hides in its answers (those named like key, secret, token, password, credentials, for
        example C(aws_secret_access_key)). Set those in O(secret_litellm_params).
    type: dict
  provider_api_key:
    description:
      - The provider API key (C(litellm_params.api_key); this module's O(api_key) is the key of the proxy).
      - A literal key is B(write-only) and never logged. LiteLLM never returns it, so it is not compared, and it
        never appears in the result or the diff. It is sent when the model is created and, with
        O(update_secrets=always), on every run, which then reports a change.
      - An C(os.environ/NAME) reference is not a secret. The module records it in C(model_info.llmops_references)
        and compares it with that record, so changing the reference is detected whatever O(update_secrets) is.
      - For a key shared by many models, prefer a credential (M(llmops.litellm.credential)) named in
        C(litellm_params.litellm_credential_name).
    type: str
  secret_litellm_params:
    description:
      - Other C(litellm_params) keys that are secrets, for example C(aws_secret_access_key) or
        C(vertex_credentials). Only the keys LiteLLM hides in its answers are accepted here.
      - Literal values are B(write-only) and never logged, handled like a literal O(provider_api_key).
        C(os.environ/NAME) references are recorded and compared like a reference in O(provider_api_key).
    type: dict
  update_secrets:
    description:
      - V(always) sends the literal secrets of O(provider_api_key) and O(secret_litellm_params) on every run, so
        that a changed secret is applied; as LiteLLM never returns them, the run then always reports a change. This is
        the default, as in C(awx.awx.credential).
      - V(on_create) sends them only when the model is created. Use it for idempotent runs. References are
        compared and sent when they differ, whatever this option is.
    type: str
    choices: [always, on_create]
    default: always
  model_info:
    description:
      - 'Information LiteLLM keeps about the model, for example C({"mode": "chat", "base_model": "gpt-4o",
        "max_tokens": 4096, "input_cost_per_token": 0.0000025}).'
      - Only the keys you set are compared and sent; the other keys keep their values.
      - Must not set C(id), C(access_groups), C(blocked), C(db_model) or C(llmops_references); use O(model_id),
        O(access_groups) and O(blocked).
      - C(enforce_supported_endpoints), C(max_embedding_batch_size) and C(pricing_provider) need LiteLLM 1.109.0
        or newer, C(ptu_shares) 1.108.0 or newer; an older LiteLLM stores and ignores them, so the module refuses
        them there before anything is written.
    type: dict
  tags:
    description:
      - Tags for tag-based routing (C(litellm_params.tags)). Order does not matter.
    type: list
    elements: str
  access_groups:
    description:
      - Model access groups the model belongs to (C(model_info.access_groups)); keys and teams given an access
        group may use all its models. Order does not matter.
    type: list
    elements: str
  blocked:
    description: Whether the model is paused; requests to it then fail.
    type: bool
notes:
  - Models defined in the proxy's config file (C(model_list)) are found, but cannot be changed or deleted through
    the API; the module then fails, saying so, without writing.
  - LiteLLM answers with the model information of its cost map merged into O(model_info); the result shows it.
  - Team models (C(model_info.team_id)) are renamed by LiteLLM; manage them by O(model_id).
seealso:
  - module: llmops.litellm.model_info
  - module: llmops.litellm.credential
  - name: LiteLLM model management
    description: LiteLLM's documentation of adding models through the API.
    link: https://docs.litellm.ai/docs/proxy/model_management
'''

EXAMPLES = r'''
- name: Serve gpt-4o with a key read from the proxy's environment
  llmops.litellm.model:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    model_name: gpt-4o
    model_id: gpt-4o-openai
    litellm_params:
      model: openai/gpt-4o
      rpm: 600
      timeout: 60
    provider_api_key: os.environ/OPENAI_API_KEY
    tags: [paid]
    access_groups: [general]

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: An Azure deployment with its key given as a secret, sent only when the model is created
      llmops.litellm.model:
        model_name: gpt-4o
        litellm_params:
          model: azure/my-gpt-4o-deployment
          api_base: https://example.openai.azure.com
          api_version: "2024-06-01"
        provider_api_key: "{{ azure_api_key }}"
        update_secrets: on_create

    - name: A Bedrock model with AWS secrets
      llmops.litellm.model:
        model_name: claude-sonnet
        litellm_params:
          model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
          aws_region_name: eu-central-1
        secret_litellm_params:
          aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
          aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY

    - name: A model using a stored credential
      llmops.litellm.model:
        model_name: gpt-4o-mini
        litellm_params:
          model: openai/gpt-4o-mini
          litellm_credential_name: openai-prod

    - name: Pause a model
      llmops.litellm.model:
        model_id: gpt-4o-openai
        blocked: true

    - name: Delete it
      llmops.litellm.model:
        model_id: gpt-4o-openai
        state: absent
'''

RETURN = r'''
model:
  description:
    - The model after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options. Literal secrets are never returned; O(provider_api_key) and the values of
      O(secret_litellm_params) show as C(********) when they are references the module recorded.
  returned: always
  type: dict
  contains:
    model_name:
      description: Public name of the model.
      type: str
      sample: gpt-4o
    model_id:
      description: LiteLLM's ID of the deployment. V(null) when check mode predicts a create without O(model_id).
      type: str
      sample: gpt-4o-openai
    litellm_params:
      description:
        - The model's C(litellm_params) without the secrets LiteLLM hides, with the references the module recorded
          in place of the values LiteLLM resolved them to.
      type: dict
      sample: {"model": "openai/gpt-4o", "rpm": 600, "use_in_pass_through": false}
    model_info:
      description: The model's information, with what LiteLLM adds from its cost map.
      type: dict
      sample: {"mode": "chat", "max_tokens": 16384, "litellm_provider": "openai"}
    tags:
      description: Routing tags, sorted.
      type: list
      elements: str
      sample: [paid]
    access_groups:
      description: Access groups, sorted.
      type: list
      elements: str
      sample: [general]
    blocked:
      description: Whether the model is paused.
      type: bool
      sample: false
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL


def main():
    EntityModule(MODEL).execute()


if __name__ == '__main__':
    main()
