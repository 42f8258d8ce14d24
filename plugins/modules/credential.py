#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: credential
short_description: Manage a reusable provider credential of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a named credential of the LiteLLM proxy (AI gateway), for example a provider API
    key with its API base. Models use it by name through C(litellm_params.litellm_credential_name) (see
    M(llmops.litellm.model)).
  - The credential is found by O(credential_name), its natural key; LiteLLM does not allow two credentials with one
    name.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.state.CASCADE
  - llmops.litellm.attributes
options:
  credential_name:
    description:
      - Name of the credential, its natural key. It cannot be changed.
    type: str
    required: true
  credential_values:
    description:
      - 'The credential itself, for example C({"api_key": "sk-...", "api_base": "https://api.openai.com/v1"}).'
      - B(Write-only) and never logged. LiteLLM never returns these values (it masks them), so they are not
        compared, and they never appear in the result or the diff. They are sent when the credential is created
        and, with O(update_secrets=always), on every run, which then reports a change.
      - Keys you leave out keep their stored values; LiteLLM cannot drop a key through this module.
      - Values may be C(os.environ/NAME) references, which LiteLLM reads from its own environment.
      - Required to create the credential.
    type: dict
  update_secrets:
    description:
      - V(always) sends O(credential_values) on every run, so that a changed secret is applied; as LiteLLM never
        returns them, the run then always reports a change. This is the default, as in C(awx.awx.credential).
      - V(on_create) sends them only when the credential is created. Use it for idempotent runs, and change a
        secret with one run with V(always).
    type: str
    choices: [always, on_create]
    default: always
  credential_info:
    description:
      - 'Information about the credential that is not secret, for example C({"custom_llm_provider": "openai"}).'
      - Only the keys you set are compared and sent; the other keys keep their values (LiteLLM merges this
        dictionary and cannot drop a key).
    type: dict
  display_name:
    description: Name shown in LiteLLM's admin UI. LiteLLM trims spaces from both ends.
    type: str
notes:
  - Credentials defined in the proxy's config file (C(credential_list)) are found, but cannot be changed or
    deleted through the API; the module then fails, saying so, without writing.
  - LiteLLM serves credentials from the memory of each proxy process, which reloads them from the database
    periodically; with several proxy replicas, a credential created through one may reach the others only later.
seealso:
  - module: llmops.litellm.credential_info
  - module: llmops.litellm.model
  - name: LiteLLM credentials
    description: LiteLLM's documentation of reusable credentials.
    link: https://docs.litellm.ai/docs/credentials
'''

EXAMPLES = r'''
- name: Store the OpenAI key once, as a credential
  llmops.litellm.credential:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    credential_name: openai-prod
    credential_values:
      api_key: "{{ openai_api_key }}"
      api_base: https://api.openai.com/v1
    credential_info:
      custom_llm_provider: openai
    update_secrets: on_create

- name: Rotate the stored key (reports a change on every run with update_secrets=always)
  llmops.litellm.credential:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    credential_name: openai-prod
    credential_values:
      api_key: "{{ new_openai_api_key }}"

- name: Use the credential in a model
  llmops.litellm.model:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      litellm_credential_name: openai-prod

- name: Delete the credential
  llmops.litellm.credential:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    credential_name: openai-prod
    state: absent
'''

RETURN = r'''
credential:
  description:
    - The credential after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options, except O(credential_values), which is write-only and never returned.
  returned: always
  type: dict
  contains:
    credential_name:
      description: Name of the credential.
      type: str
      sample: openai-prod
    credential_info:
      description: The credential's information, as LiteLLM stores it.
      type: dict
      sample: {"custom_llm_provider": "openai"}
    display_name:
      description: Name shown in LiteLLM's admin UI.
      type: str
      sample: OpenAI (production)
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL


def main():
    EntityModule(CREDENTIAL).execute()


if __name__ == '__main__':
    main()
