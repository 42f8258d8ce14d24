"""llmops.litellm.access_group and access_group_info against the real LiteLLM proxy, driven through ansible-playbook.

LiteLLM 1.106.2 has the unified access-group API (/v1/access_group) without an Enterprise license, so everything
runs against the non-licensed proxy. The team, MCP server and key the access group is given are made in the same
playbook. API state is read with plain HTTP calls between the steps.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, check_each_option, check_four_steps

pytestmark = pytest.mark.slow(60)  # measured in CI; make test starts it early (tests/conftest.py)

LIST = "/v1/access_group"


@pytest.fixture
def name(litellm_proxy):
    name = f"it-ag-{uuid.uuid4().hex[:8]}"
    yield name
    for group in litellm_proxy.api("GET", LIST).json():
        if group["access_group_name"].startswith(name):
            litellm_proxy.api("DELETE", f"{LIST}/{group['access_group_id']}")
    for team in litellm_proxy.api("GET", "/v2/team/list", params={"team_alias": name}).json().get("teams", []):
        litellm_proxy.api("POST", "/team/delete", json={"team_ids": [team["team_id"]]})
    for server in litellm_proxy.api("GET", "/v1/mcp/server").json():
        if server["server_name"] == name.replace("-", "_"):
            litellm_proxy.api("DELETE", f"/v1/mcp/server/{server['server_id']}")
    litellm_proxy.api("POST", "/key/delete", json={"key_aliases": [name]})


def found(steps: Steps, name: str):
    def pick(task: str) -> dict[str, Any] | None:
        groups = [g for g in steps[task]["json"] if g["access_group_name"] == name]
        if not groups:
            return None
        (group,) = groups
        return group
    return pick


CHANGES = [
    ("description", "second"),
    ("access_model_names", ["upstream-echo", "mock-gpt"]),
    ("access_mcp_server_ids", ["{{ mcp.mcp_server.server_id }}"]),
    ("access_agent_ids", ["agent-1", "agent-2"]),
    ("assigned_team_ids", ["{{ team.team.team_id }}"]),
    ("assigned_key_ids", ["{{ key.json.token_id }}"]),
]


def test_access_group_lifecycle_each_option_rename_and_info(litellm_proxy, name):
    renamed = name + "-renamed"
    steps = Steps(litellm_proxy, "access_group", {"access_group_name": name})
    steps.task("setup team", {"team_alias": name}, module="team", register="team")
    steps.task("setup mcp server", {"server_name": name.replace("-", "_"), "url": "http://127.0.0.1:9/mcp"},
               module="mcp_server", register="mcp")
    steps.read("setup key", "/key/generate", method="POST", body={"key_alias": name})
    steps.tasks[-1]["register"] = "key"
    steps.four_steps("create", LIST, description="first", access_model_names=["mock-gpt"])
    steps.tasks[-4]["register"] = "created"
    steps.each_option(LIST, CHANGES, together=True)
    steps.read("team after", "/team/info?team_id={{ team.team.team_id }}")
    by_id = {"access_group_id": "{{ created.access_group.access_group_id }}", "access_group_name": renamed}
    steps.task("rename: check", by_id, check=True)
    steps.read("rename: read after check", LIST)
    steps.task("rename: apply", by_id)
    steps.task("rename: check again", by_id, check=True)
    steps.task("rename: apply again", by_id)
    steps.task("info by name", {"access_group_name": renamed}, module="access_group_info")
    steps.task("info by id", {"access_group_id": "{{ created.access_group.access_group_id }}"},
               module="access_group_info")
    steps.task("info all", {}, module="access_group_info")
    steps.task("unknown team", {"access_group_name": renamed, "assigned_team_ids": [name + "-none"]},
               ignore_errors=True)
    steps.key = {"access_group_name": renamed}
    steps.four_steps("delete", LIST, state="absent")
    steps.read("team after delete", "/team/info?team_id={{ team.team.team_id }}")
    steps.task("remove team", {"team_alias": name, "state": "absent"}, module="team")
    steps.task("remove mcp server", {"server_name": name.replace("-", "_"), "state": "absent"}, module="mcp_server")
    steps.run()
    steps.ok()

    ids = {"{{ mcp.mcp_server.server_id }}": steps["setup mcp server"]["mcp_server"]["server_id"],
           "{{ team.team.team_id }}": steps["setup team"]["team"]["team_id"],
           "{{ key.json.token_id }}": steps["setup key"]["json"]["token_id"]}

    def expected(option: str, value: Any) -> Any:
        if option == "assigned_key_ids":
            return ["********"]  # key hashes are blanked in results, like every 64-hex-digit value
        return sorted(ids.get(v, v) for v in value) if isinstance(value, list) else value

    pick = found(steps, name)
    check_four_steps(steps, "create", "access_group", pick)
    group = pick("create: read after apply")
    assert (group["description"], group["access_model_names"]) == ("first", ["mock-gpt"])
    assert steps["create: check"]["access_group"]["access_group_id"] is None

    check_each_option(steps, "access_group", CHANGES, pick, group, expected, together=True)
    final = pick("options: read after applies")
    for option, value in CHANGES:
        wanted = sorted(ids.get(v, v) for v in value) if isinstance(value, list) else value
        assert (sorted(final[option]) if isinstance(value, list) else final[option]) == wanted, option
    team = steps["team after"]["json"]["team_info"]
    assert group["access_group_id"] in team["access_group_ids"], "LiteLLM records the access group on the team"

    assert steps["rename: check"]["changed"] is True
    assert found(steps, renamed)("rename: read after check") is None
    assert steps["rename: apply"]["access_group"]["access_group_name"] == renamed
    assert steps["rename: check again"]["changed"] is False and steps["rename: apply again"]["changed"] is False
    (by_name,) = steps["info by name"]["access_groups"]
    assert steps["info by id"]["access_groups"] == [by_name] and by_name in steps["info all"]["access_groups"]
    assert by_name == steps["rename: apply again"]["access_group"]
    assert steps["unknown team"]["msg"] == (f"failed to validate access_group '{renamed}': assigned_team_ids names a "
                                            f"team '{name}-none', which does not exist")

    check_four_steps(steps, "delete", "access_group", found(steps, renamed), absent=True)
    assert group["access_group_id"] not in steps["team after delete"]["json"]["team_info"]["access_group_ids"]
