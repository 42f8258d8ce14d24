#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: model_info
short_description: Read models (deployments) of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one model by O(model_id), the deployments of one O(model_name), or every model the proxy serves
    (those of its config file too), read page by page.
  - The models have the same keys as the C(model) result of M(llmops.litellm.model). Secrets are never returned.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  model_name:
    description:
      - Return the deployments with exactly this public name.
      - Mutually exclusive with O(model_id).
    type: str
  model_id:
    description:
      - Return the model with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(model_name).
    type: str
seealso:
  - module: llmops.litellm.model
'''

EXAMPLES = r'''
- name: Read the deployments of gpt-4o
  llmops.litellm.model_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    model_name: gpt-4o
  register: gpt4o

- name: Read every model
  llmops.litellm.model_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_models

- name: Show each public name with its provider model
  ansible.builtin.debug:
    msg: "{{ all_models.models | map(attribute='model_name') | zip(all_models.models | map(attribute='litellm_params.model')) }}"
'''

RETURN = r'''
models:
  description:
    - The models found, each with the keys of the C(model) result of M(llmops.litellm.model).
  returned: always
  type: list
  elements: dict
  sample:
    - model_name: gpt-4o
      model_id: gpt-4o-openai
      litellm_params: {"model": "openai/gpt-4o", "rpm": 600}
      tags: [paid]
      access_groups: null
      blocked: false
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL


def main():
    InfoModule(MODEL).execute()


if __name__ == '__main__':
    main()
