#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: model_discovery_info
short_description: The models an OpenAI-compatible provider lists, as a model discovery would declare them
version_added: 0.1.0
description:
  - Lists the models of an OpenAI-compatible provider (C(GET {api_base}/models)), keeps those the O(include) and
    O(exclude) patterns select, and returns each as the options of M(llmops.litellm.model) that
    M(llmops.litellm.model_discovery) would declare with the same options, without writing anything; also the models
    of the LiteLLM proxy that the discovery O(name) owns.
  - The operator's C(LiteLLMModelDiscovery) custom resource uses it to project one C(LiteLLMModel) per model.
  - The options are those of M(llmops.litellm.model_discovery) that list, choose and name the models.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
  - llmops.litellm.model_discovery
seealso:
  - module: llmops.litellm.model_discovery
'''

EXAMPLES = r'''
- name: What a discovery of a vLLM server would declare
  llmops.litellm.model_discovery_info:
    name: vllm
    api_base: http://vllm.internal:8000/v1
    litellm_provider: hosted_vllm
  register: found

- name: Its model names
  ansible.builtin.debug:
    msg: "{{ found.models | map(attribute='model_name') }}"
'''

RETURN = r'''
discovered:
  description: The models kept by the filters, each with the provider's C(id), C(model_name) and C(model).
  returned: always
  type: list
  elements: dict
models:
  description: Each discovered model as the options of M(llmops.litellm.model) (C(model_name), C(litellm_params),
    C(model_info)), with the owner marker in C(model_info).
  returned: always
  type: list
  elements: dict
owned:
  description: The model names of the models of the proxy that carry this discovery's owner marker.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.llmops.litellm.plugins.module_utils import _model_discovery as discovery
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._module import LiteLLMModule
from ansible_collections.llmops.litellm.plugins.module_utils._read import Reader
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import OWNER_KEY
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL


class ModelDiscoveryInfoModule(LiteLLMModule):

    def __init__(self):
        super(ModelDiscoveryInfoModule, self).__init__(discovery.selection_spec())

    def run(self):
        params = self.params
        label = "model discovery '%s'" % params["name"]
        owner = discovery.owner_of(params["name"])
        self.action = "validate %s" % label
        if not params["api_base"]:
            raise ValidationError("%s: api_base is required, the provider's base URL to list" % label)
        discovery.validate(params)
        ids, models = discovery.discover(params, lambda what: setattr(self, "action", "%s %s" % (what, label)))
        for model in models:
            model["model_info"] = dict(model.get("model_info") or {}, **{OWNER_KEY: owner})
        self.action = "read the models of LiteLLM"
        owned = sorted(set(raw["model_name"] for raw in Reader(self.client, MODEL).many()
                           if (raw.get("model_info") or {}).get(OWNER_KEY) == owner))
        return dict(changed=False, models=self.secret_free(models), owned=owned,
                    discovered=discovery.summary(ids, models))


def main():
    ModelDiscoveryInfoModule().execute()


if __name__ == '__main__':
    main()
