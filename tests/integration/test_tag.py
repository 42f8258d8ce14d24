"""llmops.litellm.tag and tag_info against the real LiteLLM proxy, driven through ansible-playbook.

Tags need no Enterprise license in LiteLLM 1.106.2, so they run against the non-licensed proxy (which proves it);
only model_max_budget needs one: it runs against the licensed twin, and its one-sentence failure against the
non-licensed proxy. One playbook per test; API state is read with plain HTTP calls between the steps.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, check_each_option, check_four_steps

LIST = "/tag/list"


@pytest.fixture
def name(litellm_proxy):
    name = f"it-tag-{uuid.uuid4().hex[:8]}"
    yield name
    for tag in litellm_proxy.api("GET", LIST).json():
        if tag["name"].startswith(name):
            litellm_proxy.api("POST", "/tag/delete", json={"name": tag["name"]})


# LiteLLM's budget reset job (every ~10 minutes) sets these on any budget with a duration, whatever the test does.
RESET_JOB = ("budget_reset_at", "updated_at", "updated_by")


def found(steps: Steps, name: str):
    def pick(task: str) -> dict[str, Any] | None:
        tags = [t for t in steps[task]["json"] if t["name"] == name]
        if not tags:
            return None
        (tag,) = tags
        budget = {k: v for k, v in (tag.get("litellm_budget_table") or {}).items() if k not in RESET_JOB}
        return dict(tag, litellm_budget_table=budget or None)
    return pick


BUDGET = ("max_budget", "soft_budget", "budget_duration", "tpm_limit", "rpm_limit", "max_parallel_requests",
          "model_max_budget")

CHANGES = [
    ("description", "second"),
    ("models", ["upstream-echo", "mock-gpt"]),
    ("max_budget", 20.5),
    ("soft_budget", 2.5),
    ("budget_duration", "7d"),
    ("tpm_limit", 2000),
    ("rpm_limit", 20),
    ("max_parallel_requests", 4),
]


def expected(option: str, value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def live(tag: dict[str, Any], option: str) -> Any:
    if option in BUDGET:
        value = (tag.get("litellm_budget_table") or {}).get(option)
        if isinstance(value, dict):
            return {m: {k: v for k, v in c.items() if v is not None} for m, c in value.items()}
        return value
    return sorted(tag[option]) if option == "models" else tag[option]


def test_tag_lifecycle_each_option_and_info(litellm_proxy, name):
    steps = Steps(litellm_proxy, "tag", {"name": name})
    # a model of the database: LiteLLM tags the database deployments of a new tag's models, and fails for models of
    # its config file (see the module's notes); updates do not touch deployments. A model that does not exist is
    # refused before anything is written (tests/integration/test_bad_inputs.py).
    model = {"model_name": name + "-model", "litellm_params": {"model": "openai/x", "mock_response": "hi"}}
    steps.task("setup model", model, module="model")
    created = dict(description="first", models=[name + "-model"], max_budget=10, rpm_limit=10,
                   budget_duration="30d")
    steps.four_steps("create", LIST, **created)
    steps.each_option(LIST, CHANGES, together=True)
    steps.task("info by name", {"name": name}, module="tag_info")
    steps.task("info unknown name", {"name": name + "-none"}, module="tag_info")
    steps.task("info all", {}, module="tag_info")
    steps.four_steps("delete", LIST, state="absent")
    steps.task("remove model", dict(model, state="absent"), module="model")
    steps.run()
    steps.ok()

    pick = found(steps, name)
    check_four_steps(steps, "create", "tag", pick)
    tag = pick("create: read after apply")
    assert (tag["description"], tag["models"], tag["litellm_budget_table"]["max_budget"],
            tag["litellm_budget_table"]["rpm_limit"]) == ("first", [name + "-model"], 10.0, 10)
    assert steps["create: check"]["tag"]["name"] == name and steps["create: check"]["tag"]["created_at"] is None

    check_each_option(steps, "tag", CHANGES, pick, tag, expected, together=True)
    final = pick("options: read after applies")
    for option, value in CHANGES:
        assert live(final, option) == expected(option, value), option

    (by_name,) = steps["info by name"]["tags"]
    assert by_name == steps["options: apply again"]["tag"]
    assert steps["info unknown name"]["tags"] == []
    assert by_name in steps["info all"]["tags"]

    check_four_steps(steps, "delete", "tag", pick, absent=True)


def test_tag_module_fails_before_writing_on_bad_input(litellm_proxy, name):
    steps = Steps(litellm_proxy, "tag", {"name": name})
    steps.apply("negative budget", max_budget=-1, ignore_errors=True)
    steps.apply("unknown option", budget_id="b1", ignore_errors=True)
    steps.task("no name", {"description": "x"}, ignore_errors=True)
    steps.read("read", LIST)
    steps.run()
    assert steps["negative budget"]["msg"] == f"failed to validate tag '{name}': max_budget must be >= 0, got -1.0"
    assert "Unsupported parameters" in steps["unknown option"]["msg"] and "budget_id" in steps["unknown option"]["msg"]
    assert steps["no name"]["msg"] == "missing required arguments: name"
    assert found(steps, name)("read") is None


MODEL_BUDGET = {"mock-gpt": {"max_budget": 2.0, "budget_duration": "1d"}}


def test_tag_model_max_budget_with_an_enterprise_licence(litellm_proxy_premium, name):
    steps = Steps(litellm_proxy_premium, "tag", {"name": name})
    steps.apply("create", description="x")
    steps.read("read before", LIST)
    changes = [("model_max_budget", MODEL_BUDGET)]
    steps.each_option(LIST, changes, together=True)
    steps.run()
    steps.ok()
    pick = found(steps, name)
    check_each_option(steps, "tag", changes, pick, pick("read before"), expected, together=True)
    assert live(pick("options: read after applies"), "model_max_budget") == MODEL_BUDGET


def test_tag_model_max_budget_without_a_licence_fails_in_one_sentence(litellm_proxy, name):
    steps = Steps(litellm_proxy, "tag", {"name": name})
    steps.apply("check", check=True, model_max_budget=MODEL_BUDGET, ignore_errors=True)
    steps.apply("apply", model_max_budget=MODEL_BUDGET, ignore_errors=True)
    steps.read("read", LIST)
    steps.run()
    sentence = (f"failed to manage tag '{name}': model_max_budget of a tag needs a LiteLLM Enterprise licence (this "
                "proxy reports licence type 'community' at /health/license)")
    assert steps["check"]["msg"] == sentence
    assert steps["apply"]["msg"] == sentence
    assert found(steps, name)("read") is None
