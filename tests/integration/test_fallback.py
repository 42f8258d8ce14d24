"""llmops.litellm.fallback and fallback_info against the real LiteLLM proxy, driven through ansible-playbook.

The test's own three models (mock responses) fall back to one another; the router settings are read with plain HTTP
(GET /router/settings) between the steps. One playbook run.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task

SETTINGS = {"fallback_models": "fallbacks", "context_window_fallback_models": "context_window_fallbacks",
            "content_policy_fallback_models": "content_policy_fallbacks"}


@pytest.fixture
def models(litellm_proxy):
    prefix = f"it-fb-{uuid.uuid4().hex[:8]}"
    names, ids = [f"{prefix}-{n}" for n in ("a", "b", "c")], []
    for name in names:
        answer = litellm_proxy.api("POST", "/model/new", json={
            "model_name": name, "litellm_params": {"model": "openai/mock", "mock_response": "hi"}})
        assert answer.status_code == 200, answer.text
        ids.append(answer.json()["model_id"])
    yield names
    for fallback_type in ("general", "context_window", "content_policy"):
        litellm_proxy.api("DELETE", f"/fallback/{names[0]}", params={"fallback_type": fallback_type})
    for model_id in ids:
        litellm_proxy.api("POST", "/model/delete", json={"id": model_id})


def fallbacks_of(answer: dict[str, Any], model: str) -> Any:
    """The model's fallbacks in a /router/settings answer (the first rule naming it), None when it has none."""
    values = ok(answer)["current_values"]
    found = {}
    for option, setting in SETTINGS.items():
        rule = next((r for r in values.get(setting) or [] if isinstance(r, dict) and model in r), None)
        if rule is not None:
            found[option] = rule[model]
    return found or None


def test_fallback_four_steps_each_option_info_and_bad_input(litellm_proxy, models):
    model, first, second = models

    def read(name: str) -> dict[str, Any]:
        return read_task(name, litellm_proxy, "/router/settings")

    lifecycle = Lifecycle(
        proxy=litellm_proxy, module="fallback", key={"model": model},
        create={"fallback_models": [first]},
        changes={"fallback_models": [second, first], "context_window_fallback_models": [first],
                 "content_policy_fallback_models": [second]},
        read=read, parse=lambda answer: fallbacks_of(answer, model),
        live=dict((option, lambda found, option=option: found.get(option)) for option in SETTINGS),
        extra=[
            module_task("info of the model", "fallback_info", {"model": model}),
            module_task("info of every model", "fallback_info", {}),
            module_task("remove one kind", "fallback", {"model": model, "context_window_fallback_models": []}),
            module_task("remove one kind again", "fallback", {"model": model, "context_window_fallback_models": []}),
            read("read after removing one kind"),
            module_task("its own fallback", "fallback", {"model": model, "fallback_models": [first, model]},
                        ignore_errors=True),
            module_task("listed twice", "fallback", {"model": model, "fallback_models": [first, first]},
                        ignore_errors=True),
            module_task("unknown fallback model", "fallback", {"model": model, "fallback_models": [f"{model}-none"]},
                        ignore_errors=True),
            module_task("unknown model", "fallback", {"model": f"{model}-none", "fallback_models": [first]},
                        ignore_errors=True),
            module_task("nothing to create", "fallback", {"model": second}, ignore_errors=True),
            read("read after the refusals"),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)

    step = steps.result.task
    (info,) = step("info of the model")["fallbacks"]
    assert info == step("options: apply again")["fallback"]
    assert info == {"model": model, "fallback_models": [second, first], "context_window_fallback_models": [first],
                    "content_policy_fallback_models": [second]}
    assert info in step("info of every model")["fallbacks"]
    assert step("remove one kind")["changed"] is True and step("remove one kind again")["changed"] is False
    assert step("remove one kind")["fallback"]["context_window_fallback_models"] is None
    assert "context_window_fallback_models" not in fallbacks_of(step("read after removing one kind"), model)
    assert step("its own fallback")["msg"] == (
        f"failed to validate fallback '{model}': fallback_models must not name the model itself ('{model}'): "
        "LiteLLM refuses a model that is its own fallback")
    assert step("listed twice")["msg"] == (
        f"failed to validate fallback '{model}': fallback_models lists '{first}' more than once")
    assert step("unknown fallback model")["msg"] == (
        f"failed to validate fallback '{model}': fallback_models names a model '{model}-none', which does not exist")
    assert step("unknown model")["msg"] == (
        f"failed to validate fallback '{model}-none': model names a model '{model}-none', which does not exist")
    assert step("nothing to create")["msg"] == (
        f"failed to create fallback '{second}': one of fallback_models, context_window_fallback_models, "
        f"content_policy_fallback_models is required to create a fallback of model '{second}'")
    assert fallbacks_of(step("read after the refusals"), model) == {
        "fallback_models": [second, first], "content_policy_fallback_models": [second]}
    assert fallbacks_of(step("read after the refusals"), second) is None
