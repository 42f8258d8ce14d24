#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: jwt_key_mapping
short_description: Manage a JWT key mapping of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a JWT key mapping of the LiteLLM proxy (AI gateway). A JWT whose claim
    O(jwt_claim_name) has the value O(jwt_claim_value) (from the issuer O(jwt_issuer), or from any issuer)
    authenticates as the virtual key O(key).
  - The mapping is found by O(mapping_id) when it is set, otherwise by O(jwt_issuer), O(jwt_claim_name) and
    O(jwt_claim_value), which LiteLLM keeps unique.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  jwt_claim_value:
    description:
      - Value of the claim that the mapping matches, for example a C(sub). Required unless O(mapping_id) is set.
      - LiteLLM cannot change it once the mapping exists (the module fails, before any request, when a mapping
        found by O(mapping_id) has another one).
    type: str
  jwt_claim_name:
    description:
      - Name of the claim, for example V(sub) or V(email). Required to create a mapping; cannot be changed.
    type: str
  jwt_issuer:
    description:
      - Issuer (C(iss)) whose tokens the mapping matches. Not set, or V(""), the mapping matches any issuer.
      - Part of what finds the mapping; with O(mapping_id) set, a different value moves the mapping to that issuer.
    type: str
  mapping_id:
    description:
      - ID of the mapping. LiteLLM chooses it when the mapping is created, so it only finds an existing mapping.
    type: str
  key:
    description:
      - The virtual key (its value, C(sk-...)) the JWT authenticates as; it must exist. Required to create a
        mapping.
      - Write-only. LiteLLM stores its hash and never returns it, so it is not compared, never shown in results or
        diffs, and sent as O(update_secrets) says.
    type: str
  update_secrets:
    description:
      - V(always) sends O(key) on every run that sets it, so the module then reports a change on every run.
        V(on_create) sends it only when the mapping is created.
    type: str
    choices: [always, on_create]
    default: always
  description:
    description: What the mapping is for.
    type: str
  is_active:
    description: Whether the mapping authenticates tokens. A new mapping is active unless this is V(false).
    type: bool
notes:
  - The mapping is used only when the proxy authenticates JWTs (C(enable_jwt_auth), a LiteLLM Enterprise
    feature); the mapping API itself needs no licence.
  - LiteLLM 1.106.2 request field of C(CreateJWTKeyMappingRequest) this module does not offer, and why.
    C(token), the SHA-256 hash of the key, is O(key) in another form; LiteLLM returns neither.
seealso:
  - module: llmops.litellm.jwt_key_mapping_info
  - module: llmops.litellm.virtual_key
  - name: LiteLLM JWT authentication
    description: LiteLLM's documentation of JWT authentication and JWT-to-key mappings.
    link: https://docs.litellm.ai/docs/proxy/token_auth
'''

EXAMPLES = r'''
- name: The service account's tokens authenticate as its virtual key
  llmops.litellm.jwt_key_mapping:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    jwt_issuer: https://login.example.com
    jwt_claim_name: sub
    jwt_claim_value: svc-batch
    key: "{{ batch_key }}"
    update_secrets: on_create
    description: Batch jobs

- name: Switch the mapping off
  llmops.litellm.jwt_key_mapping:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    jwt_issuer: https://login.example.com
    jwt_claim_name: sub
    jwt_claim_value: svc-batch
    is_active: false
'''

RETURN = r'''
jwt_key_mapping:
  description:
    - The mapping after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options (without O(key), which is never returned) plus the read-only keys below.
  returned: always
  type: dict
  contains:
    mapping_id:
      description: ID of the mapping. V(null) for a mapping that check mode predicts would be created.
      type: str
      sample: 6a25b726-11a0-475e-b64c-27d4d605df72
    jwt_claim_name:
      description: Name of the claim.
      type: str
      sample: sub
    jwt_claim_value:
      description: Value of the claim.
      type: str
      sample: svc-batch
    jwt_issuer:
      description: Issuer of the tokens; V(null) for any issuer.
      type: str
      sample: https://login.example.com
    is_active:
      description: Whether the mapping authenticates tokens.
      type: bool
      sample: true
    created_at:
      description: When the mapping was created.
      type: str
      sample: "2025-01-01T00:00:00Z"
    created_by:
      description: Who created the mapping.
      type: str
      sample: default_user_id
    updated_at:
      description: When the mapping was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_by:
      description: Who last changed the mapping.
      type: str
      sample: default_user_id
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.jwt_key_mapping import JWT_KEY_MAPPING


def main():
    EntityModule(JWT_KEY_MAPPING).execute()


if __name__ == '__main__':
    main()
