"""llmops.litellm.mcp_toolset and mcp_toolset_info against the real LiteLLM proxy, driven through ansible-playbook.

The toolset selects tools of an MCP server registered for the test (LiteLLM does not connect to it, so it points
at the discard port). API state is read with plain HTTP calls between the steps.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, check_each_option, check_four_steps

LIST = "/v1/mcp/toolset"
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def server(litellm_proxy):
    name = f"it_ts_srv_{uuid.uuid4().hex[:8]}"
    answer = litellm_proxy.api("POST", "/v1/mcp/server", json={"server_name": name, "url": NOWHERE + "/mcp",
                                                               "transport": "http"})
    assert answer.status_code < 300, answer.text
    server_id = answer.json()["server_id"]
    yield server_id
    litellm_proxy.api("DELETE", f"/v1/mcp/server/{server_id}")


@pytest.fixture
def name(litellm_proxy):
    name = f"it-toolset-{uuid.uuid4().hex[:8]}"
    yield name
    for toolset in litellm_proxy.api("GET", LIST).json():
        if toolset["toolset_name"].startswith(name):
            litellm_proxy.api("DELETE", f"{LIST}/{toolset['toolset_id']}")


def found(steps: Steps, name: str):
    def pick(task: str) -> dict[str, Any] | None:
        toolsets = [t for t in steps[task]["json"] if t["toolset_name"] == name]
        if not toolsets:
            return None
        (toolset,) = toolsets
        return toolset
    return pick


def test_mcp_toolset_lifecycle_each_option_rename_and_info(litellm_proxy, name, server):
    renamed = name + "-renamed"
    tools = [{"server_id": server, "tool_name": "b_tool"}, {"server_id": server, "tool_name": "a_tool"}]
    changed: list[tuple[str, Any]] = [("description", "second"), ("tools", tools)]
    steps = Steps(litellm_proxy, "mcp_toolset", {"toolset_name": name})
    steps.four_steps("create", LIST, description="first", tools=[{"server_id": server, "tool_name": "a_tool"}])
    steps.tasks[-4]["register"] = "created"
    steps.each_option(LIST, changed)
    steps.apply("tools in another order", tools=list(reversed(tools)))
    steps.apply("empty: apply", tools=[])
    steps.apply("empty: apply again", tools=[])
    steps.read("empty: read", LIST)
    by_id = {"toolset_id": "{{ created.mcp_toolset.toolset_id }}", "toolset_name": renamed}
    steps.task("rename: check", by_id, check=True)
    steps.read("rename: read after check", LIST)
    steps.task("rename: apply", by_id)
    steps.task("rename: check again", by_id, check=True)
    steps.task("rename: apply again", by_id)
    steps.task("info by name", {"toolset_name": renamed}, module="mcp_toolset_info")
    steps.task("info by id", {"toolset_id": "{{ created.mcp_toolset.toolset_id }}"}, module="mcp_toolset_info")
    steps.task("info all", {}, module="mcp_toolset_info")
    steps.task("duplicate tool", {"toolset_name": renamed, "tools": [tools[0], tools[0]]}, ignore_errors=True)
    steps.task("unknown id", {"toolset_id": "no-such-toolset", "toolset_name": "x"}, ignore_errors=True)
    steps.key = {"toolset_name": renamed}
    steps.four_steps("delete", LIST, state="absent")
    steps.run()
    steps.ok()

    pick = found(steps, name)
    check_four_steps(steps, "create", "mcp_toolset", pick)
    toolset = pick("create: read after apply")
    assert toolset["description"] == "first" and toolset["tools"] == [{"server_id": server, "tool_name": "a_tool"}]
    assert steps["create: check"]["mcp_toolset"]["toolset_id"] is None

    check_each_option(steps, "mcp_toolset", changed, pick, toolset,
                      lambda option, value: sorted(value, key=lambda t: t["tool_name"]) if option == "tools"
                      else value)
    final = pick("options: read after applies")
    assert final["description"] == "second"
    assert sorted(t["tool_name"] for t in final["tools"]) == ["a_tool", "b_tool"]
    assert steps["tools in another order"]["changed"] is False
    assert steps["empty: apply"]["changed"] is True and steps["empty: apply again"]["changed"] is False
    assert pick("empty: read")["tools"] == []

    assert steps["rename: check"]["changed"] is True
    assert found(steps, renamed)("rename: read after check") is None
    assert steps["rename: apply"]["mcp_toolset"]["toolset_name"] == renamed
    assert steps["rename: check again"]["changed"] is False and steps["rename: apply again"]["changed"] is False
    (by_name,) = steps["info by name"]["mcp_toolsets"]
    assert steps["info by id"]["mcp_toolsets"] == [by_name] and by_name in steps["info all"]["mcp_toolsets"]
    assert by_name == steps["rename: apply again"]["mcp_toolset"]
    assert steps["duplicate tool"]["msg"] == (
        f"failed to validate mcp_toolset '{renamed}': tools lists tool_name 'b_tool' of server_id '{server}' twice")
    assert steps["unknown id"]["msg"] == (
        "failed to create mcp_toolset 'x': no mcp_toolset has toolset_id 'no-such-toolset', and LiteLLM chooses the "
        "toolset_id of a new mcp_toolset: leave toolset_id out to create one")

    check_four_steps(steps, "delete", "mcp_toolset", found(steps, renamed), absent=True)
