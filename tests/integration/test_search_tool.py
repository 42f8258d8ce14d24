"""llmops.litellm.search_tool and search_tool_info against the real LiteLLM proxy, driven through ansible-playbook.

Registering a search tool does not call its provider, so the tool points at the discard port. One playbook run:
the four steps of create, of each option and of absent, the write-only provider key, and the info module; plain
HTTP reads of LiteLLM between the steps.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task

LIST = "/search_tools/list"
NOWHERE = "http://127.0.0.1:9"
ENV_KEY = "os.environ/LLMOPS_IT_SEARCH_KEY"


@pytest.fixture
def name(litellm_proxy):
    name = f"it-search-{uuid.uuid4().hex[:8]}"
    yield name
    for tool in litellm_proxy.api("GET", LIST).json()["search_tools"]:
        if tool["search_tool_name"].startswith(name) and tool["search_tool_id"]:
            litellm_proxy.api("DELETE", f"/search_tools/{tool['search_tool_id']}")


def params(key: str):
    return lambda tool: tool["litellm_params"].get(key)


LIVE = {"search_provider": params("search_provider"), "api_base": params("api_base"), "provider_timeout": params("timeout"),
        "max_retries": params("max_retries"), "search_tool_info": lambda tool: tool["search_tool_info"] or None}


def test_search_tool_four_steps_for_create_each_option_secret_and_absent(litellm_proxy, name):
    proxy, secret = litellm_proxy, f"tvly-it-{uuid.uuid4().hex}"
    key = {"search_tool_name": name, "provider_api_key": ENV_KEY}
    with_secret = {"search_tool_name": name, "provider_api_key": secret, "update_secrets": "on_create"}

    def parse(answer: dict[str, Any]) -> Any:
        return next((t for t in ok(answer)["search_tools"] if t["search_tool_name"] == name), None)

    lifecycle = Lifecycle(
        proxy=proxy, module="search_tool", key=key,
        create={"search_provider": "tavily", "api_base": NOWHERE, "search_tool_info": {"description": "first"}},
        changes={"search_provider": "exa_ai", "api_base": NOWHERE + "/v2", "provider_timeout": 7.5, "max_retries": 2,
                 "search_tool_info": {"description": "second"}},
        read=lambda task: read_task(task, proxy, LIST), parse=parse, live=LIVE,
        extra=[
            module_task("secret: check", "search_tool", dict(with_secret, max_retries=3), check=True, diff=True),
            module_task("secret: apply", "search_tool", dict(with_secret, max_retries=3), diff=True),
            module_task("secret: apply again", "search_tool", dict(with_secret, max_retries=3), diff=True),
            read_task("secret: read", proxy, LIST),
            module_task("without the key", "search_tool", {"search_tool_name": name, "provider_timeout": 1},
                        ignore_errors=True),
            read_task("without the key: read", proxy, LIST),
            module_task("secret: always", "search_tool", dict(with_secret, update_secrets="always")),
            module_task("info by name", "search_tool_info", {"search_tool_name": name}),
            module_task("info of all", "search_tool_info", {}),
            module_task("no provider", "search_tool", {"search_tool_name": name + "-new"}, ignore_errors=True),
            module_task("bad url", "search_tool", {"search_tool_name": name, "api_base": "ftp://x"},
                        ignore_errors=True),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)
    step = steps.result.task

    # the key: sent with the change, never shown, compared only as an os.environ/ reference
    assert step("secret: check")["changed"] is True and step("secret: apply")["changed"] is True
    assert step("secret: apply again")["changed"] is False
    assert step("secret: always")["changed"] is True
    stored = parse(step("secret: read"))
    assert stored["litellm_params"]["api_key"] == secret[:2] + "****" + secret[-2:]
    assert stored["litellm_params"]["max_retries"] == 3 and stored["search_tool_info"] == {"description": "second"}
    for output in (steps.result.stdout, steps.result.stderr):
        assert secret not in output
    assert step("without the key")["msg"] == (
        f"failed to update search_tool '{name}': provider_api_key must be set to change it: LiteLLM drops the stored "
        "one on any update that does not send it again, and never returns it")
    assert parse(step("without the key: read")) == stored, "a refused update wrote"

    (by_name,) = step("info by name")["search_tools"]
    assert by_name in step("info of all")["search_tools"] and "provider_api_key" in by_name
    assert by_name["provider_api_key"] != secret and by_name["max_retries"] == 3
    assert step("no provider")["msg"] == f"failed to create search_tool '{name}-new': search_provider is required " \
                                         "to create a search_tool"
    assert step("bad url")["msg"] == (f"failed to validate search_tool '{name}': api_base must be an http:// or "
                                      "https:// URL, got 'ftp://x'")
