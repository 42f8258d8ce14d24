"""llmops.litellm.model and model_info against the real LiteLLM proxy, driven through ansible-playbook.

One playbook per test (each ansible-playbook costs seconds): the four steps of create, each option changed alone
and delete, with plain HTTP reads between them. Chat requests go through the proxy to the tests' own upstream
server, which records the API key LiteLLM sent it: that is how the write-only provider key is seen to be written.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, check_each_option, check_four_steps

INFO = "/v2/model/info"


@pytest.fixture
def name(litellm_proxy):
    name = f"it-model-{uuid.uuid4().hex[:8]}"
    yield name
    listed = litellm_proxy.api("GET", INFO, params={"search": name, "size": 100}).json()["data"]
    for model in listed:
        if model["model_name"].startswith(name):
            litellm_proxy.api("POST", "/model/delete", json={"id": model["model_info"]["id"]})


def found(steps: Steps, model_id: str):
    def pick(task: str) -> dict[str, Any] | None:
        matches = [m for m in steps[task]["json"]["data"] if m["model_info"]["id"] == model_id]
        return matches[0] if matches else None
    return pick


def chat(steps: Steps, label: str, model: str) -> None:
    steps.read(label, "/v1/chat/completions", method="POST",
               body={"model": model, "messages": [{"role": "user", "content": label}]})


CHANGES = [
    ("litellm_params", {"rpm": 20, "timeout": 45}),
    ("provider_api_key", "os.environ/UPSTREAM_API_KEY_OTHER"),
    ("secret_litellm_params", {"aws_secret_access_key": "os.environ/AWS_SECRET_FOR_TESTS"}),
    ("model_info", {"owner": "platform-team"}),
    ("tags", ["paid", "eu"]),
    ("access_groups", ["it-group-b"]),
    ("blocked", True),
]


def expected(option: str, value: Any) -> Any:
    if option in ("provider_api_key", "secret_litellm_params"):
        return "********" if isinstance(value, str) else {k: "********" for k in value}
    return sorted(value) if isinstance(value, list) else value


def test_model_lifecycle_each_option_and_info(litellm_proxy, name):
    model_id, provider_key = f"{name}-id", "sk-upstream-" + uuid.uuid4().hex
    steps = Steps(litellm_proxy, "model", {"model_id": model_id, "update_secrets": "on_create"})
    created = dict(model_name=name, litellm_params={"model": "openai/upstream-echo", "rpm": 10,
                                                    "api_base": litellm_proxy.upstream_url},
                   provider_api_key=provider_key, tags=["paid"], access_groups=["it-group-a"],
                   model_info={"mode": "chat"})
    steps.four_steps("create", INFO, **created)
    chat(steps, "chat through the model", name)
    steps.each_option(INFO, CHANGES)
    steps.task("info by name", {"model_name": name}, module="model_info")
    steps.task("info by id", {"model_id": model_id}, module="model_info")
    steps.task("info unknown id", {"model_id": model_id + "-none"}, module="model_info")
    steps.task("info all", {}, module="model_info")
    steps.apply("rename", model_name=name + "-renamed")
    steps.apply("rename again", model_name=name + "-renamed")
    steps.four_steps("delete", INFO, state="absent")
    before = len(litellm_proxy.upstream.requests)
    steps.run()
    steps.ok()

    sent = [r["authorization"] for r in litellm_proxy.upstream.requests[before:] if r["path"].endswith("completions")]
    assert sent == [f"Bearer {provider_key}"], "the write-only key reached LiteLLM"
    pick = found(steps, model_id)
    check_four_steps(steps, "create", "model", pick)
    live = pick("create: read after apply")
    assert live["model_name"] == name and live["model_info"]["db_model"] is True
    assert {k: live["litellm_params"].get(k) for k in ("model", "api_base", "rpm", "tags")} == {
        "model": "openai/upstream-echo", "api_base": litellm_proxy.upstream_url, "rpm": 10, "tags": ["paid"]}
    assert "api_key" not in live["litellm_params"], "LiteLLM never returns the provider key"
    assert live["model_info"]["access_groups"] == ["it-group-a"]
    assert "llmops_references" not in live["model_info"], "a literal key is not recorded"
    result = steps["create: apply"]["model"]
    assert result["model_id"] == model_id and result["provider_api_key"] is None
    assert steps["create: check"]["model"]["litellm_params"]["model"] == "openai/upstream-echo"
    assert steps["chat through the model"]["status"] == 200
    assert steps["chat through the model"]["json"]["choices"][0]["message"]["content"] == "echo: chat through the model"

    # the prediction of check mode is what the apply returns
    check_each_option(steps, "model", CHANGES, pick, live, lambda o, v: steps[f"{o}: check"]["diff"]["after"][o])
    for option, value in CHANGES:  # what the module returns, and what LiteLLM has
        if option in ("litellm_params", "model_info"):
            assert {k: steps[f"{option}: apply"]["model"][option][k] for k in value} == value
        else:
            assert steps[f"{option}: apply"]["model"][option] == expected(option, value), option
    final = pick("options: read after applies")
    assert (final["litellm_params"]["rpm"], final["litellm_params"]["timeout"]) == (20, 45)
    assert final["litellm_params"]["api_base"] == litellm_proxy.upstream_url, "keys not given are kept"
    assert final["litellm_params"]["tags"] == ["paid", "eu"] and final["model_info"]["blocked"] is True
    assert final["model_info"]["access_groups"] == ["it-group-b"] and final["model_info"]["owner"] == "platform-team"
    assert final["model_info"]["llmops_references"] == {
        "api_key": "os.environ/UPSTREAM_API_KEY_OTHER", "aws_secret_access_key": "os.environ/AWS_SECRET_FOR_TESTS"}

    (by_name,) = steps["info by name"]["models"]
    assert by_name == steps["blocked: apply again"]["model"]
    assert steps["info by id"]["models"] == [by_name]
    assert steps["info unknown id"]["models"] == []
    assert by_name in steps["info all"]["models"]
    assert "mock-gpt" in {m["model_name"] for m in steps["info all"]["models"]}, "config models too"
    assert steps["rename"]["changed"] is True and steps["rename again"]["changed"] is False
    assert pick("delete: read after check")["model_name"] == name + "-renamed"

    check_four_steps(steps, "delete", "model", pick, absent=True)
    assert provider_key not in steps.result.stdout + steps.result.stderr


def test_literal_provider_key_is_write_only(litellm_proxy, name):
    """A literal key is sent on create, and afterwards only with update_secrets=always (reporting a change)."""
    first, second = "sk-upstream-" + uuid.uuid4().hex, "sk-upstream-" + uuid.uuid4().hex
    steps = Steps(litellm_proxy, "model", {"model_name": name, "litellm_params": {"model": "openai/upstream-echo"}})
    base = {"litellm_params": {"model": "openai/upstream-echo", "api_base": litellm_proxy.upstream_url}}
    steps.apply("create", provider_api_key=first, update_secrets="on_create", **base)
    chat(steps, "chat 1", name)
    steps.apply("on_create: other key", diff=True, provider_api_key=second, update_secrets="on_create")
    chat(steps, "chat 2", name)
    steps.apply("always: check", check=True, provider_api_key=second)
    steps.apply("always: apply", diff=True, provider_api_key=second)
    steps.apply("always: apply again", provider_api_key=second)
    chat(steps, "chat 3", name)
    steps.apply("reference replaces the literal", provider_api_key="os.environ/UPSTREAM_API_KEY",
                update_secrets="on_create")
    steps.apply("reference again", provider_api_key="os.environ/UPSTREAM_API_KEY", update_secrets="on_create")
    steps.apply("delete", state="absent")
    before = len(litellm_proxy.upstream.requests)
    steps.run()
    steps.ok()

    sent = [r["authorization"] for r in litellm_proxy.upstream.requests[before:] if r["path"].endswith("completions")]
    assert sent == [f"Bearer {first}", f"Bearer {first}", f"Bearer {second}"]
    assert steps["create"]["changed"] is True
    assert steps["on_create: other key"]["changed"] is False
    assert steps["always: check"]["changed"] is True
    assert steps["always: apply"]["changed"] is True and steps["always: apply again"]["changed"] is True
    assert steps["always: apply"]["diff"]["before"] == steps["always: apply"]["diff"]["after"]
    assert steps["create"]["model"]["provider_api_key"] is None, "a literal is not recorded"
    assert steps["reference replaces the literal"]["changed"] is True
    assert steps["reference again"]["changed"] is False, "a reference is compared whatever update_secrets is"
    output = steps.result.stdout + steps.result.stderr
    assert first not in output and second not in output


def test_natural_key_duplicates_config_models_and_bad_input(litellm_proxy, name):
    steps = Steps(litellm_proxy, "model", {"model_name": name})
    echo = {"model": "openai/upstream-echo", "api_base": litellm_proxy.upstream_url}
    mock = {"model": "openai/gpt-4o", "mock_response": "hello"}
    steps.apply("first deployment", litellm_params=echo)
    steps.apply("second deployment of the name", litellm_params=mock)
    steps.apply("first again", litellm_params=dict(echo, rpm=5))
    steps.task("by name alone", {"model_name": name, "tags": ["x"]}, ignore_errors=True)
    third = {"model_id": name + "-third", "model_name": name, "litellm_params": mock}
    steps.task("a third by id, same name and provider", third)
    steps.task("config model", {"model_name": "mock-gpt", "litellm_params": {"model": "openai/gpt-4o", "rpm": 1}},
               ignore_errors=True)
    steps.task("literal secret in litellm_params",
               {"model_name": name + "-bad", "litellm_params": dict(echo, aws_secret_access_key="x")},
               ignore_errors=True)
    steps.task("no provider model", {"model_name": name + "-bad", "litellm_params": {"rpm": 1}}, check=True,
               ignore_errors=True)
    steps.task("id taken by no model, no name", {"model_id": name + "-none", "tags": ["x"]}, ignore_errors=True)
    steps.read("read", INFO + f"?search={name}")
    steps.run()
    ids = sorted(m["model_info"]["id"] for m in steps["read"]["json"]["data"] if m["model_name"] == name)
    assert steps["first deployment"]["changed"] and steps["second deployment of the name"]["changed"]
    assert steps["first again"]["changed"] is True and steps["first again"]["model"]["litellm_params"]["rpm"] == 5
    assert steps["a third by id, same name and provider"]["changed"] is True, "model_id is the key when given"
    assert len(ids) == 3 and name + "-third" in ids, "the provider model tells deployments of one name apart"
    ids.remove(name + "-third")
    assert steps["by name alone"]["msg"] == (f"failed to read model '{name}': 2 models exist with model_name '{name}' "
                                             f"(model_id {ids[0]}, {ids[1]}); set model_id to choose one")
    assert steps["config model"]["msg"] == (
        "failed to update model 'mock-gpt': it is defined in the proxy's config file (model_list), and LiteLLM lets "
        "the API change only the models it stores in its database")
    assert steps["literal secret in litellm_params"]["msg"] == (
        f"failed to validate model '{name}-bad': litellm_params.aws_secret_access_key is a secret LiteLLM never "
        "returns: set it in secret_litellm_params (write-only, never logged)")
    assert steps["no provider model"]["msg"] == (f"failed to create model '{name}-bad': litellm_params.model is "
                                                 "required to create a model")
    assert steps["id taken by no model, no name"]["msg"].endswith(
        "model_name and litellm_params.model are required to create a model")
    assert not [m for m in steps["read"]["json"]["data"] if m["model_name"] != name]
