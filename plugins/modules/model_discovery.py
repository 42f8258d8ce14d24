#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: model_discovery
short_description: Declare in the LiteLLM proxy the models an OpenAI-compatible provider lists
version_added: 0.1.0
description:
  - Lists the models of an OpenAI-compatible provider (C(GET {api_base}/models) of OpenAI, vLLM, Ollama, Together,
    Groq, OpenRouter, a KubeAI gateway ...), keeps those the O(include) and O(exclude) patterns select, and declares
    each as a model of the LiteLLM proxy (AI gateway), the way M(llmops.litellm.model) declares one, with the same
    comparison rules; models it declared before that the provider no longer lists (or the patterns no longer
    select) are deleted.
  - B(Ownership.) Every model it declares carries C(llmops_owner=model_discovery/<name>) in its C(model_info) (the
    owner marker of M(llmops.litellm.gateway_state)). Only models with this discovery's marker are ever changed or
    deleted. A discovered model whose name and provider model a live model already has without the marker (a model
    declared by hand, or by another discovery) is skipped and reported in RV(skipped_models), never taken over.
  - B(Filters), as the ackstorm operator's ModelDiscovery has them, are regular expressions matched from the start
    of the provider's model id (add C($) to match the whole id). O(include) runs first (a model is kept when any
    pattern matches; none keeps every model; patterns that keep nothing fail the task before anything is written,
    since the provider does not list what the task expects), then O(exclude) removes models (matching nothing is
    fine).
  - B(Models.) Each model's C(litellm_params.model) is C(<litellm_provider>/<provider model id>), its
    C(litellm_params.api_base) is O(api_base) unless O(litellm_params) sets one, its name is O(name_template) filled
    in. O(provider_api_key), which lists the models, is never given to the models (the ackstorm operator's rule);
    the models authenticate with O(model_provider_api_key) or with a credential named in O(litellm_params).
  - Listing the provider is a read, so check mode lists it too and predicts the models exactly.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes
  - llmops.litellm.model_discovery
options:
  state:
    description:
      - V(present) declares the models the provider lists and deletes the ones this discovery owns that it no
        longer lists. V(absent) deletes every model this discovery owns, without listing the provider.
    type: str
    choices: [present, absent]
    default: present
  model_provider_api_key:
    description:
      - The provider key the models use for requests (their C(provider_api_key) in M(llmops.litellm.model)), best an
        C(os.environ/NAME) reference. Write-only, sent when a model is created (see O(update_secrets)).
    type: str
  update_secrets:
    description: V(on_create) sends O(model_provider_api_key) only to models being created; V(always) on every run
      (each model then reports a change).
    type: str
    choices: [always, on_create]
    default: on_create
  workers:
    description: How many requests to LiteLLM may be in flight at once, at least 1.
    type: int
    default: 8
notes:
  - The models are written through the engine of M(llmops.litellm.gateway_state) (one list call for the live models,
    then creates, updates and deletes with bounded concurrency); LiteLLM must store models in its database
    (C(store_model_in_db)).
  - The operator's C(LiteLLMModelDiscovery) custom resource does the same with one C(LiteLLMModel) custom resource
    per discovered model.
seealso:
  - module: llmops.litellm.model
  - module: llmops.litellm.model_discovery_info
  - module: llmops.litellm.gateway_state
'''

EXAMPLES = r'''
- name: Serve every chat model of a vLLM server, named vllm.<id>
  llmops.litellm.model_discovery:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    name: vllm
    api_base: http://vllm.internal:8000/v1
    litellm_provider: hosted_vllm
    exclude: ["embed"]

- name: Only the GPT-4o family of OpenAI, as gpt-4o...; the models use the key from the proxy's environment
  llmops.litellm.model_discovery:
    name: openai
    api_base: https://api.openai.com/v1
    provider_api_key: "{{ vault_openai_api_key }}"
    model_provider_api_key: os.environ/OPENAI_API_KEY
    name_template: "{id}"
    include: ["gpt-4o"]
    exclude: ["gpt-4o-audio", "gpt-4o-realtime"]
    model_info:
      access_groups_note: discovered

- name: Remove every model of the vllm discovery
  llmops.litellm.model_discovery:
    name: vllm
    state: absent
'''

RETURN = r'''
discovered:
  description: The models kept by the filters (none with O(state=absent)), each with the provider's C(id), its model
    name in LiteLLM (C(model_name)) and C(model) (its C(litellm_params.model)); skipped ones included.
  returned: always
  type: list
  elements: dict
  sample: [{id: llama-3.1-8b, model_name: vllm.llama-3.1-8b, model: hosted_vllm/llama-3.1-8b}]
skipped_models:
  description: Discovered models not declared because a live model without this discovery's marker has their name
    and provider model; C(reason) V(ExplicitModelExists), or V(Conflict) with C(owned_by) naming the other discovery.
  returned: always
  type: list
  elements: dict
changes:
  description: What the run changed (in check mode, would change), one entry per model, in the format of
    M(llmops.litellm.gateway_state)'s C(changes) (kind, name, action V(create), V(update) or V(delete), per-field
    C(changes), status, id).
  returned: always
  type: list
  elements: dict
models:
  description: The models this discovery owns after the run (in check mode, as predicted), by model name.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.llmops.litellm.plugins.module_utils import _model_discovery as discovery
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._module import LiteLLMModule
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.apply import Applier
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import make_scope, parse_document
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.live import ensure_offered, needed_kinds, read_live, thread_clients
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.plan import (
    Planner,
    item_view,
)


def argument_spec():
    spec = discovery.selection_spec()
    spec.update(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        model_provider_api_key=dict(type="str", no_log=True),
        update_secrets=dict(type="str", choices=["always", "on_create"], default="on_create"),
        workers=dict(type="int", default=8),
    )
    return spec


class ModelDiscoveryModule(LiteLLMModule):

    def __init__(self):
        super(ModelDiscoveryModule, self).__init__(argument_spec(), required_if=[("state", "present", ("api_base",))])

    def run(self):
        params = self.params
        label = "model discovery '%s'" % params["name"]
        self.action = "validate %s" % label
        if params["workers"] < 1:
            raise ValidationError("%s: workers must be >= 1, got %d" % (label, params["workers"]))
        owner = discovery.owner_of(params["name"])
        objects, discovered = [], []
        if params["state"] == "present":
            discovery.validate(params)
            ids, objects = discovery.discover(params, lambda what: setattr(self, "action", "%s %s" % (what, label)))
            discovered = discovery.summary(ids, objects)
        self.action = "validate the models of %s" % label
        declared = ensure_offered(self.client, parse_document(dict(models=objects)))
        for _resource, _where, object_params in declared:
            self.no_log_values.update(object_params["_no_log"])
        scope = make_scope(dict(models=objects), ["models"], None, owner)
        client_for = thread_clients(self.client_factory)
        self.action = "read the models of LiteLLM"
        live = read_live(client_for, needed_kinds(declared, scope, "prune"), params["workers"])
        keep, skipped = discovery.split_taken(objects, live.get("model", []), owner)
        if len(keep) != len(objects):
            declared = ensure_offered(self.client, parse_document(dict(models=keep)))
        self.action = "plan the models of %s" % label
        plan = Planner(declared, live, scope, "prune", params["update_secrets"]).plan()
        if self.check_mode and plan.work:
            ensure_offered(self.client, [(i.resource, i.where, i.params) for i in plan.work if i.where], paths=True)
        if not self.check_mode and plan.work:
            self.action = "apply the models of %s" % label
            Applier(client_for, params["workers"]).apply(plan)
        return self.result(plan, discovered, skipped)

    def result(self, plan, discovered, skipped):
        ran = not self.check_mode
        result = dict(
            changed=any(i.written or i.status not in ("failed", "skipped") for i in plan.work) if ran
            else plan.changed,
            changes=[i.report(ran) for i in plan.work],
            discovered=discovered,
            skipped_models=skipped,
            models=sorted(i.name for i in plan.items),
        )
        if self._diff:
            result["diff"] = [dict(before_header="model %s" % i.name, after_header="model %s" % i.name,
                                   before=item_view(i, False), after=item_view(i, True)) for i in plan.work]
        result = self.secret_free(result)
        failed = [i for i in plan.work if i.status in ("failed", "skipped")]
        if failed:
            self.fail_json(msg="failed to apply the models of model discovery '%s': %d of %d changes not applied: %s"
                           % (self.params["name"], len(failed), len(plan.work), "; ".join(i.error for i in failed[:10])),
                           **result)
        return result


def main():
    ModelDiscoveryModule().execute()


if __name__ == '__main__':
    main()
