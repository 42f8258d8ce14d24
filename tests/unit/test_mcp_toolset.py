"""The mcp_toolset spec: tools compared as a set of {server_id, tool_name}, each listed once."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_toolset import MCP_TOOLSET

RAW = {"toolset_id": "t1", "toolset_name": "n", "description": "d",
       "tools": [{"server_id": "s", "tool_name": "b"}, {"server_id": "s", "tool_name": "a"}]}


@pytest.mark.parametrize("desired, changed", [
    ({"tools": [{"server_id": "s", "tool_name": "a"}, {"server_id": "s", "tool_name": "b"}]}, []),
    ({"tools": [{"server_id": "s", "tool_name": "a"}]}, ["tools"]),
    ({"tools": []}, ["tools"]),
    ({"description": "d"}, []),
    ({"description": "e"}, ["description"]),
])
def test_changes(desired, changed):
    assert sorted(MCP_TOOLSET.changes(MCP_TOOLSET.desired(desired), MCP_TOOLSET.view(RAW))) == changed


def test_update_body_carries_the_id_and_an_empty_list():
    assert MCP_TOOLSET.payload({"tools": []}, RAW) == {"tools": [], "toolset_id": "t1"}


def test_a_tool_listed_twice_is_refused():
    with pytest.raises(ValidationError, match="tools lists tool_name 'a' of server_id 's' twice"):
        MCP_TOOLSET.desired({"tools": [{"server_id": "s", "tool_name": "a"}] * 2})


def test_tools_have_required_suboptions():
    options = MCP_TOOLSET.argument_spec()["tools"]["options"]
    assert options["server_id"]["required"] and options["tool_name"]["required"]
