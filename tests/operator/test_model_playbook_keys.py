"""playbooks/operator/model.yml sends a model's litellmParams and modelInfo with the keys the custom-resource table
compares (one rule, _custom_resources.option_keys, through the llmops.litellm.cr_option_keys filter): a CR written
with camelCase keys (``mockResponse``, ``apiBase``) shows no false drift.

The playbook's own vars are rendered, not copied: one ansible-playbook run (no LiteLLM, no Kubernetes API) loads
the play's vars of model.yml with vars/common.yml and prints what its module task would be given.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from tests.lib.playbook import REPO, ensure_collection_link, run_playbook

sys.path.insert(0, str(ensure_collection_link()))

from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import cr_options  # noqa: E402
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND  # noqa: E402

PLAYBOOKS = REPO / "playbooks" / "operator"
SPEC = {
    "instanceRef": {"name": "gw"}, "modelName": "keys",
    "litellmParams": {"model": "openai/gpt-4o", "mockResponse": "hi", "apiBase": "http://127.0.0.1:9/v1",
                      "apiVersion": "2024-06-01", "rpm": 5, "stream_timeout": 3, "maxBudgetUSD": 2},
    "modelInfo": {"maxTokens": 64, "base_model": "gpt-4o", "inputCostPerToken": 0.5},
}


def rendered(spec: dict[str, Any]) -> dict[str, Any]:
    """What model.yml's vars give its module task as litellm_params and model_info for a CR of ``spec``."""
    (play,) = yaml.safe_load((PLAYBOOKS / "model.yml").read_text())
    body = {"apiVersion": "litellm.llmops.dev/v1alpha1", "kind": "LiteLLMModel",
            "metadata": {"name": "keys", "namespace": "ns"}, "spec": spec}
    result = run_playbook([{
        "name": "model.yml's vars", "hosts": "localhost", "gather_facts": False,
        "vars_files": [str(PLAYBOOKS / "vars" / "common.yml")], "vars": play["vars"],
        "tasks": [{"name": "render", "ansible.builtin.debug": {
            "msg": {"litellm_params": "{{ __plain_params }}", "model_info": "{{ __model_info }}"}}}],
    }], extra_vars={"_litellm_llmops_dev_litellmmodel": body, "ansible_operator_meta": {"name": "keys", "namespace": "ns"},
                    "litellm_operator": {}})
    assert result.rc == 0, result.stderr[-2000:]
    return result.task("render")["msg"]


def test_the_playbook_sends_the_keys_the_table_compares() -> None:
    sent = rendered(SPEC)
    resource = BY_CR_KIND["LiteLLMModel"]
    body = {"kind": "LiteLLMModel", "metadata": {"name": "keys", "namespace": "ns"}, "spec": SPEC}
    options, _origins = cr_options(resource, body, {})
    assert sent["litellm_params"]["mock_response"] == "hi" and "mockResponse" not in sent["litellm_params"]
    assert sent["litellm_params"] == options["litellm_params"]
    assert sent["model_info"] == options["model_info"]
