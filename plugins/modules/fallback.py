#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: fallback
short_description: Manage the fallbacks of a model of the LiteLLM proxy
version_added: 0.1.0
description:
  - Set, change or remove the fallbacks of one model of the LiteLLM proxy (AI gateway) through its C(/fallback)
    API, the models its router tries, in order, when a call of the model fails after its retries.
  - One task manages the three kinds of fallbacks of a model, each an option; an option you leave out keeps its
    current value, V([]) removes that kind of fallbacks.
  - LiteLLM keeps the fallbacks in its router settings in the database, so the proxy needs C(store_model_in_db)
    (the module fails, writing nothing, when it is off). They are read from C(/router/settings).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  model:
    description:
      - Name of the model (C(model_name) of M(llmops.litellm.model)) whose calls fall back, the natural key.
      - It and every fallback model must exist on the proxy; the module fails, writing nothing, when one does not.
      - With O(state=absent), or with an option set to V([]), LiteLLM 1.106.2 cannot name a model with C(/) (its
        C(DELETE /fallback/{model}) route matches one path segment), and the module refuses it before any request.
    type: str
    required: true
  fallback_models:
    description:
      - The models tried, in this order, when a call of O(model) fails (LiteLLM's C(general) fallbacks). Order
        matters. V([]) removes them. The model itself, or a model listed twice, is refused.
    type: list
    elements: str
  context_window_fallback_models:
    description:
      - The models tried, in this order, when a call of O(model) exceeds its context window (C(context_window)
        fallbacks). V([]) removes them.
    type: list
    elements: str
  content_policy_fallback_models:
    description:
      - The models tried, in this order, when a call of O(model) is refused by a content policy (C(content_policy)
        fallbacks). V([]) removes them.
    type: list
    elements: str
notes:
  - The fallbacks are also router settings (C(router_settings.fallbacks) of the proxy config file), so give each
    model's fallbacks one owner. When several rules of the router settings name a model, the router uses the first
    one, and so do this module and C(POST /fallback).
  - Deleting a model with M(llmops.litellm.model) leaves its fallbacks in the router settings.
seealso:
  - module: llmops.litellm.fallback_info
  - module: llmops.litellm.model
  - name: LiteLLM fallbacks
    description: LiteLLM's documentation of fallbacks.
    link: https://docs.litellm.ai/docs/proxy/reliability
'''

EXAMPLES = r'''
- name: gpt-4o falls back to claude, then to a local model; on long prompts to a long-context model
  llmops.litellm.fallback:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    model: gpt-4o
    fallback_models: [claude-sonnet, local-llama]
    context_window_fallback_models: [gemini-long]

- name: Remove every fallback of gpt-4o
  llmops.litellm.fallback:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    model: gpt-4o
    state: absent
'''

RETURN = r'''
fallback:
  description:
    - The fallbacks of the model after the run, or as they would be after the run in check mode. Empty after
      O(state=absent). Keys are the module's options; a kind of fallbacks that is not set is V(null).
  returned: always
  type: dict
  contains:
    model:
      description: Name of the model.
      type: str
      sample: gpt-4o
    fallback_models:
      description: General fallbacks, in order.
      type: list
      elements: str
      sample: [claude-sonnet, local-llama]
    context_window_fallback_models:
      description: Context window fallbacks, in order.
      type: list
      elements: str
      sample: [gemini-long]
    content_policy_fallback_models:
      description: Content policy fallbacks, in order.
      type: list
      elements: str
      sample: null
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.fallback import FALLBACK


def main():
    EntityModule(FALLBACK).execute()


if __name__ == '__main__':
    main()
