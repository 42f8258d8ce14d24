"""The mcp_server spec (request body, alias normalisation, reads, the stdio check) and module."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_server import (
    MCP_SERVER,
    mcp_server_body,
    mcp_server_preflight,
    mcp_server_read_only,
)
from ansible_collections.llmops.litellm.plugins.modules import mcp_server
from tests.unit.httpstub import Reply

KEY = "sk-unit-mcp-key-abcdef"


@pytest.mark.parametrize("body, raw, sent", [
    ({"server_name": "s", "url": "http://x", "server_timeout": 5.0}, None,
     {"server_name": "s", "url": "http://x", "timeout": 5.0}),
    ({"server_id": "id", "transport": "sse"}, {"url": "http://x", "spec_path": None},
     {"server_id": "id", "transport": "sse", "url": "http://x"}),
    ({"server_id": "id", "transport": "http", "url": "http://y"}, {"url": "http://x"},
     {"server_id": "id", "transport": "http", "url": "http://y"}),
    ({"server_id": "id", "transport": "stdio"}, {"command": "npx", "args": ["-y", "x"]},
     {"server_id": "id", "transport": "stdio", "command": "npx", "args": ["-y", "x"]}),
    ({"server_id": "id", "description": "d"}, {"url": "http://x"}, {"server_id": "id", "description": "d"}),
])
def test_mcp_server_body(body, raw, sent):
    assert mcp_server_body(dict(body), raw) == sent


@pytest.mark.parametrize("desired, live, differs", [
    ("my alias", "my_alias", False),
    ("my_alias", "my_alias", False),
    ("other", "my_alias", True),
])
def test_mcp_alias_compares_as_litellm_stores_it(desired, live, differs):
    alias = MCP_SERVER.by_name["alias"]
    assert alias.differs(desired, live) is differs
    assert alias.merged(None, desired) == desired.replace(" ", "_")


def test_mcp_server_view_and_secrets():
    raw = {"server_id": "id", "server_name": "s", "timeout": 5.0, "credentials": {"scopes": ["a"]},
           "teams": [{"team_id": "t2"}, {"team_id": "t1"}], "is_config": False, "args": ["b", "a"]}
    view = MCP_SERVER.view(raw)
    assert view["server_timeout"] == 5.0 and view["args"] == ["b", "a"]
    assert view["teams"] == [{"team_id": "t1"}, {"team_id": "t2"}]
    assert "credentials" not in view and "update_secrets" in MCP_SERVER.argument_spec()
    assert MCP_SERVER.argument_spec()["credentials"]["no_log"] is True
    assert MCP_SERVER.secrets({"credentials": {"auth_value": "x"}, "url": "u"}) == {"credentials": {"auth_value": "x"}}
    assert MCP_SERVER.changes({"credentials": {"auth_value": "x"}}, view) == {}


@pytest.mark.parametrize("raw, read_only", [({"is_config": True}, True), ({"is_config": False}, False), ({}, False)])
def test_mcp_servers_of_the_config_file_are_read_only(raw, read_only):
    assert (mcp_server_read_only(raw) is not None) is read_only


@pytest.mark.parametrize("params, config, error", [
    ({"transport": "stdio"}, {"mcp_stdio_enabled": False}, "stdio MCP servers are disabled on this LiteLLM"),
    ({"transport": "stdio"}, {"mcp_stdio_enabled": True}, None),
    ({"transport": "stdio"}, {}, None),
    ({"transport": "http"}, {"mcp_stdio_enabled": False}, None),
    ({"transport": "stdio", "state": "absent"}, {"mcp_stdio_enabled": False}, None),
])
def test_stdio_needs_a_proxy_that_says_it_allows_it(stub, params, config, error):
    stub.routes = {("GET", "/.well-known/litellm-ui-config"): Reply(200, config)}
    params = dict({"state": "present"}, **params)
    if error is None:
        mcp_server_preflight(Client(stub.url, KEY), params)
    else:
        with pytest.raises(ValidationError) as refused:
            mcp_server_preflight(Client(stub.url, KEY), params)
        assert refused.value.msg.startswith(error)


# --- the modules against a local HTTP server ---------------------------------------------------------------------

def run(module, capsys, args, check_mode=False):
    args = dict(args, _ansible_check_mode=check_mode, api_key=KEY)
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


def test_a_server_is_deleted_by_its_id_in_the_path(capsys, stub):
    stub.routes = {("GET", "/v1/mcp/server"): Reply(200, [{"server_id": "s-1", "server_name": "s"}]),
                   ("DELETE", "/v1/mcp/server/s-1"): Reply(202, None)}
    result = run(mcp_server, capsys, {"api_url": stub.url, "server_name": "s", "state": "absent"})
    assert result["changed"] is True
    assert [(r.method, r.path, r.body) for r in stub.writes()] == [("DELETE", "/v1/mcp/server/s-1", None)]
