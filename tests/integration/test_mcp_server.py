"""llmops.litellm.mcp_server and mcp_server_info against the real LiteLLM proxy, driven through ansible-playbook.

No MCP server runs: LiteLLM does not connect to a server when it is registered or changed, so the servers point
at a closed local port (the OpenAPI-based one at a spec file the test writes, which LiteLLM does read). The test
proxy runs without LITELLM_ENABLE_MCP_STDIO, so stdio servers are tested as the one-sentence refusal they get.
API state is read with plain HTTP calls between the steps.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, check_each_option, check_four_steps

LIST = "/v1/mcp/server"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture
def name(litellm_proxy):
    name = f"it_mcp_{uuid.uuid4().hex[:8]}"  # LiteLLM refuses '-' in names and aliases
    yield name
    for server in litellm_proxy.api("GET", LIST).json():
        if (server["server_name"] or "").startswith(name):
            litellm_proxy.api("DELETE", f"{LIST}/{server['server_id']}")


@pytest.fixture
def spec(tmp_path):
    """An OpenAPI description on this host, for spec_path (the proxy under test runs here too)."""
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "servers": [{"url": NOWHERE}],
        "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}}))
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    return str(path)


def found(steps: Steps, name: str):
    def pick(task: str) -> dict[str, Any] | None:
        servers = [s for s in steps[task]["json"] if s["server_name"] == name]
        if not servers:
            return None
        (server,) = servers
        return server
    return pick


def changes(name: str, spec: str) -> list[tuple[str, Any]]:
    return [
        ("description", "second"),
        ("alias", f"{name} alias"),
        ("url", NOWHERE + "/mcp2"),
        ("transport", "sse"),
        ("spec_path", spec),
        ("auth_type", "api_key"),
        ("allowed_tools", ["b_tool", "a_tool"]),
        ("mcp_access_groups", ["group_b", "group_a"]),
        ("extra_headers", ["x-b", "x-a"]),
        ("static_headers", {"X-Static": "static-header-value"}),
        ("tool_name_to_display_name", {"a_tool": "A_tool"}),
        ("tool_name_to_description", {"a_tool": "Does a"}),
        ("instructions", "Use it wisely"),
        ("allow_all_keys", True),
        ("available_on_public_internet", False),
        ("server_timeout", 12.5),
        ("max_concurrent_requests", 3),
        ("rpm", 60),
    ]


LIVE_NAME = {"server_timeout": "timeout"}
HIDDEN = ("static_headers",)  # no_log: Ansible masks its values in results


def expected(option: str, value: Any) -> Any:
    if option == "alias":
        return value.replace(" ", "_")
    if option in HIDDEN:
        return {k: "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" for k in value}
    return sorted(value) if isinstance(value, list) else value


def test_mcp_server_lifecycle_each_option_rename_info_and_secrets(litellm_proxy, name, spec):
    renamed = name + "_renamed"
    changed = changes(name, spec)
    steps = Steps(litellm_proxy, "mcp_server", {"server_name": name})
    created = dict(description="first", url=NOWHERE + "/mcp", transport="http", auth_type="bearer_token",
                   credentials={"auth_value": "mcp-test-token-0001"}, update_secrets="on_create")
    steps.four_steps("create", LIST, **created)
    steps.tasks[-4]["register"] = "created"
    steps.each_option(LIST, changed, together=True)
    secret = dict(credentials={"auth_value": "mcp-test-token-0002"})
    steps.apply("credentials always: check", check=True, diff=True, **secret)
    steps.apply("credentials always: apply", **secret)
    steps.apply("credentials on_create", update_secrets="on_create", **secret)
    by_id = {"server_id": "{{ created.mcp_server.server_id }}", "server_name": renamed}
    steps.task("rename: check", by_id, check=True)
    steps.read("rename: read after check", LIST)
    steps.task("rename: apply", by_id)
    steps.task("rename: check again", by_id, check=True)
    steps.task("rename: apply again", by_id)
    steps.task("info by name", {"server_name": renamed}, module="mcp_server_info")
    steps.task("info by id", {"server_id": "{{ created.mcp_server.server_id }}"}, module="mcp_server_info")
    steps.task("info all", {}, module="mcp_server_info")
    steps.key = {"server_name": renamed}
    steps.four_steps("delete", LIST, state="absent")
    steps.run()
    steps.ok()

    pick = found(steps, name)
    check_four_steps(steps, "create", "mcp_server", pick)
    server = pick("create: read after apply")
    assert (server["description"], server["url"], server["transport"], server["auth_type"], server["alias"]) == (
        "first", NOWHERE + "/mcp", "http", "bearer_token", name)
    assert server["credentials"] is None, "LiteLLM never returns the credentials"
    assert "credentials" not in steps["create: apply"]["mcp_server"]
    assert steps["create: check"]["mcp_server"]["server_id"] is None

    check_each_option(steps, "mcp_server", changed, pick, server, expected, together=True)
    final = pick("options: read after applies")
    for option, value in changed:
        wanted = value.replace(" ", "_") if option == "alias" else value
        got = final[LIVE_NAME.get(option, option)]
        assert (sorted(got) if isinstance(value, list) else got) == (
            sorted(wanted) if isinstance(value, list) else wanted), option

    assert steps["credentials always: check"]["changed"] is True
    diff = steps["credentials always: check"]["diff"]
    assert diff["before"] == diff["after"], "write-only values never show in a diff"
    assert steps["credentials always: apply"]["changed"] is True
    assert steps["credentials on_create"]["changed"] is False

    assert steps["rename: check"]["changed"] is True
    assert found(steps, renamed)("rename: read after check") is None
    assert steps["rename: apply"]["mcp_server"]["server_name"] == renamed
    assert steps["rename: check again"]["changed"] is False and steps["rename: apply again"]["changed"] is False
    (by_name,) = steps["info by name"]["mcp_servers"]
    assert steps["info by id"]["mcp_servers"] == [by_name] and by_name in steps["info all"]["mcp_servers"]
    assert by_name == steps["rename: apply again"]["mcp_server"]

    check_four_steps(steps, "delete", "mcp_server", found(steps, renamed), absent=True)


def test_mcp_server_refusals_in_one_sentence_before_anything_is_written(litellm_proxy, name):
    steps = Steps(litellm_proxy, "mcp_server", {"server_name": name})
    stdio = dict(transport="stdio", command="npx", args=["-y", "@modelcontextprotocol/server-everything"],
                 env={"LOG_LEVEL": "debug-level"})
    steps.apply("stdio: check", check=True, ignore_errors=True, **stdio)
    steps.apply("stdio: apply", ignore_errors=True, **stdio)
    steps.task("dash in the name", {"server_name": name + "-x", "url": NOWHERE}, ignore_errors=True)
    steps.apply("negative rpm", rpm=-1, ignore_errors=True)
    steps.read("read", LIST)
    steps.run()
    sentence = (f"failed to manage mcp_server '{name}': stdio MCP servers are disabled on this LiteLLM "
                "(GET /.well-known/litellm-ui-config reports mcp_stdio_enabled=false): start the proxy with "
                "LITELLM_ENABLE_MCP_STDIO=true")
    assert steps["stdio: check"]["msg"] == sentence
    assert steps["stdio: apply"]["msg"] == sentence
    assert steps["dash in the name"]["msg"] == (
        f"failed to create mcp_server '{name}-x': POST {LIST} returned HTTP 400: Server name cannot contain '-'. "
        f"Use an alternative character instead Found: {name}-x")
    assert steps["negative rpm"]["msg"] == f"failed to validate mcp_server '{name}': rpm must be >= 0, got -1"
    assert [s for s in steps["read"]["json"] if (s["server_name"] or "").startswith(name)] == []
