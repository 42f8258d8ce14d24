#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: fallback_info
short_description: Read the fallbacks of the models of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns the fallbacks of one model, or of every model that has some, from the proxy's router settings.
  - Each has the same keys as the C(fallback) result of M(llmops.litellm.fallback).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  model:
    description: Return only the fallbacks of this model (an empty list when it has none).
    type: str
seealso:
  - module: llmops.litellm.fallback
'''

EXAMPLES = r'''
- name: Read every model's fallbacks
  llmops.litellm.fallback_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: fallbacks

- name: Show them as model -> fallbacks
  ansible.builtin.debug:
    msg: "{{ fallbacks.fallbacks | items2dict(key_name='model', value_name='fallback_models') }}"
'''

RETURN = r'''
fallbacks:
  description:
    - The models' fallbacks found, each with the keys of the C(fallback) result of M(llmops.litellm.fallback).
  returned: always
  type: list
  elements: dict
  sample:
    - model: gpt-4o
      fallback_models: [claude-sonnet]
      context_window_fallback_models: null
      content_policy_fallback_models: null
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.fallback import FALLBACK


def main():
    InfoModule(FALLBACK).execute()


if __name__ == '__main__':
    main()
