"""llmops.litellm.model_discovery against the real LiteLLM proxy and the tests' OpenAI-compatible upstream.

One playbook run: the four steps of the discovery's create (include and exclude patterns, one discovered name held
by a model declared by hand, which is skipped), of a filter change, of a model gone upstream (the upstream's list
changed from inside the play) and of the delete, with plain HTTP reads of LiteLLM after each check and apply.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, ok, read_task
from tests.lib.upstream import UpstreamServer

PROVIDER_KEY = "sk-provider-" + uuid.uuid4().hex


@pytest.fixture
def upstream():
    server = UpstreamServer().start()
    yield server
    server.stop()


@pytest.fixture
def prefix(litellm_proxy):
    prefix = f"it-disc-{uuid.uuid4().hex[:8]}"
    yield prefix
    listed = litellm_proxy.api("GET", "/v2/model/info", params={"size": 1000}).json()["data"]
    for model in listed:
        if model["model_name"].startswith(prefix):
            litellm_proxy.api("POST", "/model/delete", json={"id": model["model_info"]["id"]})


def test_model_discovery_lifecycle(litellm_proxy, upstream, prefix):
    proxy = litellm_proxy
    upstream.models = ["a-chat", "a-chat-mini", "a-code", "b-embed", "c-other"]
    by_hand = proxy.api("POST", "/model/new", json={"model_name": f"{prefix}.c-other",
                                                    "litellm_params": {"model": "openai/c-other"}})
    assert by_hand.status_code == 200, by_hand.text
    name = f"{prefix}-disc"
    options = dict(api_base=upstream.url, provider_api_key=PROVIDER_KEY, prefix=prefix,
                   include=["a-", "c-"], exclude=["a-chat-mini"], model_info={"team": "research"})
    steps = Steps(proxy, "model_discovery", {"name": name})

    def read(task: str) -> dict[str, Any]:
        return read_task(task, proxy, "/v2/model/info?size=1000")

    steps.four_steps("create", read, **options)
    filters = {**options, "include": ["a-", "b-"], "exclude": []}
    steps.four_steps("filters", read, **filters)
    steps.tasks.append({"name": "a-code gone upstream", "ansible.builtin.uri": {
        "url": upstream.url.rsplit("/v1", 1)[0] + "/_models", "method": "PUT", "body_format": "json",
        "body": {"data": ["a-chat", "a-chat-mini", "b-embed", "c-other"]}}})
    steps.four_steps("gone", read, **filters)
    steps.four_steps("absent", read, state="absent")
    steps.run()
    steps.ok()

    def models(task: str) -> dict[str, dict[str, Any]]:
        return {m["model_name"]: m for m in ok(steps[task])["data"] if m["model_name"].startswith(prefix)}

    def owned(task: str) -> list[str]:
        return sorted(n for n, m in models(task).items() if m["model_info"].get("llmops_owner") == f"model_discovery/{name}")

    def names(*ids: str) -> list[str]:
        return sorted(f"{prefix}.{i}" for i in ids)

    for label, wanted, before in (("create", names("a-chat", "a-code"), []),
                                  ("filters", names("a-chat", "a-chat-mini", "a-code", "b-embed"), names("a-chat", "a-code")),
                                  ("gone", names("a-chat", "a-chat-mini", "b-embed"), names("a-chat", "a-chat-mini", "a-code", "b-embed")),
                                  ("absent", [], names("a-chat", "a-chat-mini", "b-embed"))):
        check = steps[f"{label}: check"]
        assert check["changed"] is True, label
        assert owned(f"{label}: read after check") == before, f"{label}: check mode wrote to LiteLLM"
        assert sorted(check["models"]) == wanted, label
        assert steps[f"{label}: apply"]["changed"] is True, label
        predicted = [(c["name"], c["action"], c["changes"]) for c in check["changes"]]
        assert [(c["name"], c["action"], c["changes"]) for c in steps[f"{label}: apply"]["changes"]] == predicted, label
        assert steps[f"{label}: check again"]["changed"] is False, label
        assert steps[f"{label}: check again"]["changes"] == [], label
        assert steps[f"{label}: apply again"]["changed"] is False, label
        assert owned(f"{label}: read after apply") == wanted, label

    created = steps["create: apply"]
    assert sorted((c["name"], c["action"]) for c in created["changes"]) == [(n, "create") for n in names("a-chat", "a-code")]
    assert created["skipped_models"] == [{"name": f"{prefix}.c-other", "model": "openai/c-other", "reason": "ExplicitModelExists"}]
    assert [d["id"] for d in created["discovered"]] == ["a-chat", "a-code", "c-other"]
    live = models("create: read after apply")[f"{prefix}.a-chat"]
    assert live["litellm_params"]["model"] == "openai/a-chat"
    assert live["litellm_params"]["api_base"] == upstream.url
    assert live["model_info"]["team"] == "research"
    assert sorted((c["name"], c["action"]) for c in steps["gone: apply"]["changes"]) == [(f"{prefix}.a-code", "delete")]
    # the model declared by hand is never touched, the absent step included
    assert f"{prefix}.c-other" in models("absent: read after apply")
    assert "model_discovery" not in str(models("absent: read after apply")[f"{prefix}.c-other"]["model_info"])
    # the provider key listed the models (LiteLLM may list the upstream too, without a key), and never reached an
    # output or LiteLLM
    assert set(upstream.listings) - {None} == {f"Bearer {PROVIDER_KEY}"}
    assert PROVIDER_KEY not in steps.result.stdout + steps.result.stderr
    assert PROVIDER_KEY not in str(models("filters: read after apply"))


def test_model_discovery_refuses_include_matching_nothing(litellm_proxy, upstream, prefix):
    steps = Steps(litellm_proxy, "model_discovery", {"name": f"{prefix}-none"})
    steps.apply("nothing matches", ignore_errors=True, api_base=upstream.url, prefix=prefix, include=["zz-"])
    steps.apply("bad pattern", ignore_errors=True, api_base=upstream.url, prefix=prefix, include=["("])
    steps.apply("bad template", ignore_errors=True, api_base=upstream.url, name_template="{prefix}")
    steps.run()
    assert "include: no model the provider lists matches 'zz-'" in steps["nothing matches"]["msg"]
    assert "include[0]: '(' is not a valid regular expression" in steps["bad pattern"]["msg"]
    assert "name_template: '{prefix}' must contain {id}" in steps["bad template"]["msg"]
    assert not any(n.startswith(prefix) for n in (
        m["model_name"] for m in litellm_proxy.api("GET", "/v2/model/info", params={"size": 1000}).json()["data"]))
