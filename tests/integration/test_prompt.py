"""llmops.litellm.prompt and prompt_info against the real LiteLLM proxy, driven through ansible-playbook.

One playbook run: the four steps of the create, of each option changed alone (each change a new version of the
prompt in its environment) and of the delete, with plain HTTP reads of LiteLLM between them; the same prompt id in
another environment, which the delete leaves; the write-only key; a prompt id LiteLLM would misread.
Prompts need no licence: the community proxy serves them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task

LIST = "/prompts/list"
ENVIRONMENT = "staging"
SECRET = "sk-it-prompt-" + uuid.uuid4().hex


@pytest.fixture
def name(litellm_proxy):
    name = f"it-prompt-{uuid.uuid4().hex[:8]}"
    yield name
    litellm_proxy.api("DELETE", f"/prompts/{name}")  # every environment


def unsafe(template: str) -> str:
    """A template as a task writes it: Ansible would evaluate its {{placeholders}} (a user marks it !unsafe)."""
    return "{% raw %}" + template + "{% endraw %}"


def as_written(_option: str, value: Any) -> Any:
    return value.replace("{% raw %}", "").replace("{% endraw %}", "") if isinstance(value, str) else value


def latest(name: str):
    def parse(answer: dict[str, Any]) -> Any:
        found = [p for p in ok(answer)["prompts"] if p["prompt_id"] == name]
        return found[0] if found else None
    return parse


def param(key: str):
    return lambda prompt: prompt["litellm_params"][key]


def test_prompt_four_steps_for_create_each_option_environments_and_absent(litellm_proxy, name):
    proxy = litellm_proxy
    key = {"prompt_id": name, "environment": ENVIRONMENT}
    options = ("prompt_integration", "dotprompt_content", "api_base", "provider_specific_query_params",
               "ignore_prompt_manager_model", "ignore_prompt_manager_optional_params")
    lifecycle = Lifecycle(
        proxy=proxy, module="prompt", key=key,
        create={"prompt_integration": "dotprompt", "dotprompt_content": unsafe("---\nmodel: gpt-4o-mini\n---\nHello {{name}}")},
        changes={"dotprompt_content": unsafe("Hi {{name}}, how can I help?"), "api_base": "http://127.0.0.1:9/prompts",
                 "provider_specific_query_params": {"label": "it"}, "ignore_prompt_manager_model": True,
                 "ignore_prompt_manager_optional_params": True},
        read=lambda task: read_task(task, proxy, LIST, params={"environment": ENVIRONMENT}),
        parse=latest(name),
        live={option: param(option) for option in options},
        normalise=as_written,
        extra=[
            read_task("versions", proxy, f"/prompts/{name}/versions", params={"environment": ENVIRONMENT}),
            module_task("production: apply", "prompt", {"prompt_id": name, "environment": "production",
                                                        "dotprompt_content": "Production"}),
            module_task("info by id", "prompt_info", {"prompt_id": name}),
            module_task("info of all", "prompt_info", {}),
            module_task("info of an unknown id", "prompt_info", {"prompt_id": name + "-none"}),
            module_task("secret: apply", "prompt", dict(key, dotprompt_content="With a key", provider_api_key=SECRET,
                                                        update_secrets="on_create"), diff=True),
            module_task("secret: apply again", "prompt", dict(key, dotprompt_content="With a key",
                                                              provider_api_key=SECRET, update_secrets="on_create")),
            read_task("secret: read", proxy, LIST, params={"environment": ENVIRONMENT}),
            module_task("secret kept by a new version", "prompt", dict(key, dotprompt_content="Still a key")),
            read_task("secret: read after a new version", proxy, LIST, params={"environment": ENVIRONMENT}),
            module_task("version mark", "prompt", {"prompt_id": name + "_v2", "dotprompt_content": "x"},
                        ignore_errors=True),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)
    step = steps.result.task

    # Each option changed alone made one version; the checks and the runs that changed nothing made none.
    assert step("create: apply")["prompt"]["version"] == 1
    assert step("options: apply again")["prompt"]["version"] == 1 + len(lifecycle.changes)
    assert [v["version"] for v in ok(step("versions"))["prompts"]] == list(range(1 + len(lifecycle.changes), 0, -1))
    assert step("create: apply")["prompt"]["prompt_ref"] == f"{name}::{ENVIRONMENT}"

    production = step("production: apply")["prompt"]
    assert (production["environment"], production["version"]) == ("production", 1)
    by_id = step("info by id")["prompts"]
    assert sorted(p["environment"] for p in by_id) == ["production", ENVIRONMENT]
    assert all(p in step("info of all")["prompts"] for p in by_id)
    assert step("info of an unknown id")["prompts"] == []

    # The key reached LiteLLM, and no result or diff shows it; a new version without it keeps it.
    assert step("secret: apply")["changed"] is True and step("secret: apply again")["changed"] is False
    assert "provider_api_key" not in step("secret: apply")["prompt"]
    assert SECRET not in json.dumps([step("secret: apply"), step("secret: apply again"),
                                     step("secret kept by a new version")])
    assert latest(name)(step("secret: read"))["litellm_params"]["api_key"] == SECRET
    assert latest(name)(step("secret: read after a new version"))["litellm_params"]["api_key"] == SECRET

    assert step("version mark")["msg"] == (
        f"failed to validate prompt '{name}_v2': prompt_id '{name}_v2' must not contain '_v': LiteLLM reads what "
        f"follows it as a version number, and would keep the prompt as '{name}'")
    # The delete kept to its environment: the production prompt is still there.
    answer = proxy.api("GET", LIST, params={"environment": "production"}).json()
    assert [p["environment"] for p in answer["prompts"] if p["prompt_id"] == name] == ["production"]
