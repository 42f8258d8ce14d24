#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: prompt
short_description: Manage a prompt of the LiteLLM proxy, as LiteLLM versions it
version_added: 0.1.0
description:
  - Create, update and delete a managed prompt of the LiteLLM proxy (AI gateway) in one environment. Requests then
    name it by its O(prompt_id) (LiteLLM's prompt management).
  - The prompt is found by O(prompt_id) and O(environment). LiteLLM keeps a prompt's versions in each environment;
    the module manages the latest one. A create makes version 1; when an option you set differs from the latest
    version, the module makes the next version (LiteLLM keeps the earlier ones), and the result's RV(prompt.version)
    says which. A run that changes nothing makes no version.
  - LiteLLM replaces the whole prompt with each new version, so a new version starts from the latest one and
    changes the options you set; an option you leave out keeps its value.
  - O(state=absent) deletes every version of the prompt in its O(environment), and leaves its other environments.
  - None of this needs an Enterprise licence.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  prompt_id:
    description:
      - ID of the prompt, its natural key with O(environment); requests name the prompt by it.
      - It must not contain C(.v) or C(_v), which LiteLLM reads as a version suffix.
    type: str
    required: true
  environment:
    description:
      - The environment of the prompt, such as V(development), V(staging) or V(production). LiteLLM keeps the
        versions of a prompt in each environment apart, and serves a request from V(production), else V(staging),
        else V(development).
      - Defaults to V(development), LiteLLM's default.
    type: str
  prompt_integration:
    description:
      - Where LiteLLM finds the prompt template. V(dotprompt) (the default when a prompt is created) keeps it in
        LiteLLM itself, from O(dotprompt_content); the others fetch it from a prompt manager.
    type: str
    choices: [dotprompt, langfuse, custom, bitbucket, gitlab, generic_prompt_management, arize_phoenix]
  dotprompt_content:
    description:
      - The prompt template in the C(.prompt) format (Dotprompt) - an optional YAML front matter between C(---)
        lines (model, input schema, ...) and the template, with C({{variable}}) placeholders - compared as written.
      - Ansible evaluates C({{ }}) in a task's values, so read a template from a file with a lookup (its result is not
        evaluated, see the examples) or mark it C(!unsafe).
    type: str
  api_base:
    description: Base URL of the prompt manager, for the integrations that fetch the template.
    type: str
  provider_api_key:
    description:
      - API key of the prompt manager (C(litellm_params.api_key) in LiteLLM; O(api_key) is the proxy's key).
      - Write-only; it is never compared (see O(update_secrets)), never returned and never shown in a diff. A new
        version that does not set it keeps the stored one.
    type: str
  provider_specific_query_params:
    description: Query parameters LiteLLM adds to its requests to the prompt manager.
    type: dict
  ignore_prompt_manager_model:
    description: Whether LiteLLM ignores the model that the prompt template names, and keeps the request's.
    type: bool
  ignore_prompt_manager_optional_params:
    description: Whether LiteLLM ignores the optional parameters (temperature, ...) that the prompt template sets.
    type: bool
  update_secrets:
    description:
      - V(always) sends O(provider_api_key) on every run that sets it, which makes a new version each time (LiteLLM
        never returns the key to compare); V(on_create) sends it only when the prompt is created, or with another
        change.
    type: str
    choices: [always, on_create]
    default: always
seealso:
  - module: llmops.litellm.prompt_info
  - name: LiteLLM prompt management
    description: LiteLLM's documentation of managed prompts.
    link: https://docs.litellm.ai/docs/proxy/prompt_management
'''

EXAMPLES = r'''
- name: A support prompt in production, its template read from a file (as written, placeholders included)
  llmops.litellm.prompt:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    prompt_id: support-greeting
    environment: production
    dotprompt_content: "{{ lookup('ansible.builtin.file', 'prompts/support-greeting.prompt') }}"
  register: greeting

- name: Show the version LiteLLM serves
  ansible.builtin.debug:
    msg: "{{ greeting.prompt.version }}"

- name: Remove the prompt from production (its other environments stay)
  llmops.litellm.prompt:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    prompt_id: support-greeting
    environment: production
    state: absent
'''

RETURN = r'''
prompt:
  description:
    - The prompt's latest version after the run, or as it would be after the run in check mode. Empty after
      O(state=absent).
    - Keys are the module's options (without O(provider_api_key)) plus the read-only keys below.
  returned: always
  type: dict
  contains:
    prompt_id:
      description: ID of the prompt.
      type: str
      sample: support-greeting
    environment:
      description: The environment of the prompt.
      type: str
      sample: production
    version:
      description:
        - The version number of the prompt's latest version in its environment. V(null) when check mode predicts a
          new version (the next one is made by the real run).
      type: int
      sample: 2
    prompt_ref:
      description: The prompt's ID and environment, C(prompt_id::environment), as LiteLLM's registry names them.
      type: str
      sample: support-greeting::production
    prompt_type:
      description: V(db) for a prompt of LiteLLM's database, V(config) for one of its config file (read-only).
      type: str
      sample: db
    created_by:
      description: The user whose key made the latest version.
      type: str
    created_at:
      description: When the latest version was made.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_at:
      description: When the latest version was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.prompt import PROMPT


def main():
    EntityModule(PROMPT).execute()


if __name__ == '__main__':
    main()
