# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """The options of model_discovery and model_discovery_info that list, choose and name the models."""

    DOCUMENTATION = r'''
options:
  name:
    description:
      - The discovery's name. It marks the models the discovery owns (C(model_info.llmops_owner)), so two
        discoveries of one proxy must have different names, and renaming one leaves its models to nobody.
    type: str
    required: true
  api_base:
    description: The provider's OpenAI-compatible base URL, the one under which C(/models) and C(/chat/completions)
      are (C(https://api.openai.com/v1), C(http://vllm:8000/v1)). Required to list the provider.
    type: str
  provider_api_key:
    description:
      - The provider key sent (as a Bearer token) to list the models. Never given to the models, never in any
        output. Omit it for a provider that needs none.
    type: str
  litellm_provider:
    description:
      - LiteLLM's provider prefix of the models' C(litellm_params.model) (C(openai), C(hosted_vllm), C(openrouter),
        C(ollama) ...), which picks how LiteLLM calls them and its cost table.
    type: str
    default: openai
  prefix:
    description: The C({prefix}) of O(name_template). Default, O(litellm_provider).
    type: str
  name_template:
    description:
      - The model name each discovered model gets in LiteLLM (what clients send as C(model)), with the
        placeholders C({prefix}), C({id}) (the provider's model id; required) and C({provider}) (O(litellm_provider)).
      - The default names models C(<prefix>.<id>), as the ackstorm operator does; V({id}) gives the bare ids
        (ackstorm's C(disablePrefix)).
    type: str
    default: "{prefix}.{id}"
  include:
    description: Regular expressions, matched from the start of the provider's model ids; a model is kept when any
      matches. Empty, every model.
    type: list
    elements: str
    default: []
  exclude:
    description: Regular expressions, matched from the start of the provider's model ids, of models left out after
      O(include).
    type: list
    elements: str
    default: []
  litellm_params:
    description:
      - C(litellm_params) of every model (as in M(llmops.litellm.model), only the keys set are compared), beside
        C(model) (which the module sets) and C(api_base) (default O(api_base)).
    type: dict
  model_info:
    description: C(model_info) of every model (only the keys set are compared); the owner marker is added.
    type: dict
'''
