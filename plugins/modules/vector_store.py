#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: vector_store
short_description: Register a vector store with the LiteLLM proxy
version_added: 0.1.0
description:
  - Register, update and remove a vector store of a provider (an OpenAI vector store, a Bedrock knowledge base,
    Vertex AI RAG, PG Vector, ...) with the LiteLLM proxy (AI gateway), which then searches it for clients and
    lets keys and teams use it.
  - The vector store is found by O(vector_store_id), the provider's ID of it, which is also its natural key.
  - Registering a vector store does not call the provider, and removing it leaves the provider's vector store as it
    is.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
  - LiteLLM takes O(litellm_params), O(secret_litellm_params) and O(litellm_credential_name) only when the vector
    store is registered; asking to change the first or the last later fails before anything is written (remove the
    vector store and register it again).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  vector_store_id:
    description: The provider's ID of the vector store (such as C(vs_abc123)); LiteLLM keeps it unique.
    type: str
    required: true
  custom_llm_provider:
    description:
      - The provider, as LiteLLM names it (V(openai), V(azure), V(bedrock), V(vertex_ai), V(pg_vector), V(milvus),
        V(gemini), ...). Required to register a vector store.
    type: str
  vector_store_name:
    description: A name for people.
    type: str
  vector_store_description:
    description: What the vector store holds.
    type: str
  vector_store_metadata:
    description: Free-form metadata, as a mapping; compared whole.
    type: dict
  litellm_credential_name:
    description:
      - A credential stored in the proxy (M(llmops.litellm.credential)) that LiteLLM uses to reach the provider.
      - Taken only when the vector store is registered.
    type: str
  litellm_params:
    description:
      - Parameters LiteLLM passes to the provider (C(api_base), C(api_version), C(region_name),
        C(litellm_embedding_model), ...). LiteLLM fills in many keys of its own, so only the keys set are compared.
      - Keys LiteLLM hides in its answers (C(api_key), secrets, tokens, credentials, connection strings) are refused
        here; set them in O(secret_litellm_params).
      - Taken only when the vector store is registered.
    type: dict
  secret_litellm_params:
    description:
      - Secret parameters (C(api_key), C(aws_secret_access_key), ...) merged into O(litellm_params) when the vector
        store is registered. Write-only; never compared, never returned, never shown in a diff.
      - C(os.environ/NAME) references (LiteLLM reads the value from its own environment) are allowed.
    type: dict
seealso:
  - module: llmops.litellm.vector_store_info
  - module: llmops.litellm.credential
  - name: LiteLLM vector stores
    description: LiteLLM's documentation of vector stores.
    link: https://docs.litellm.ai/docs/completion/knowledgebase
'''

EXAMPLES = r'''
- name: Register an OpenAI vector store, its key read by LiteLLM from its environment
  llmops.litellm.vector_store:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    vector_store_id: vs_abc123
    custom_llm_provider: openai
    vector_store_name: product-docs
    vector_store_description: The product manuals
    secret_litellm_params:
      api_key: os.environ/OPENAI_API_KEY

- name: Remove it from the proxy (the provider's vector store stays)
  llmops.litellm.vector_store:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    vector_store_id: vs_abc123
    state: absent
'''

RETURN = r'''
vector_store:
  description:
    - The vector store after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options (without O(secret_litellm_params)) plus the read-only keys below.
  returned: always
  type: dict
  contains:
    vector_store_id:
      description: The provider's ID of the vector store.
      type: str
      sample: vs_abc123
    custom_llm_provider:
      description: The provider.
      type: str
      sample: openai
    litellm_params:
      description: The parameters LiteLLM passes to the provider, without the ones it hides.
      type: dict
      sample: {"api_base": "https://api.openai.com/v1"}
    team_id:
      description: The team of the key that registered the vector store.
      type: str
      sample: null
    user_id:
      description: The user of the key that registered the vector store.
      type: str
      sample: default_user_id
    created_at:
      description: When the vector store was registered.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_at:
      description: When the vector store was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.vector_store import VECTOR_STORE


def main():
    EntityModule(VECTOR_STORE).execute()


if __name__ == '__main__':
    main()
