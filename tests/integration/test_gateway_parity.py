"""gateway_state refuses what the modules refuse, with the same sentence, before anything is written.

The gateway engine calls the modules' own checks (``_capabilities.object_requirements`` and ``unsupported`` for the
licence, each kind's ``preflight``, ``_checks.ensure_key_free``): each test gives the same input to the module and to
``gateway_state`` against the real LiteLLM, in one playbook through tests/lib/recording_proxy.py, and asserts that
both fail, that the module's reason is word for word in the gateway's message, and that the gateway step sent no
write. The plain proxy (``litellm_proxy``) has no Enterprise licence and no stdio MCP servers.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_capabilities import NOWHERE as WIDGET
from tests.integration.test_capabilities import client
from tests.integration.test_gateway_state import Play

from ansible_collections.llmops.litellm.plugins.module_utils._errors import UnsupportedError
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import unsupported
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.live import ensure_offered

NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def prefix() -> str:
    return f"it_gp_{uuid.uuid4().hex[:8]}_"


def module(play: Play, step: str, kind: str, check: bool = False, **options: Any) -> None:
    play.mark(step)
    task = {"name": step, f"llmops.litellm.{kind}": options, "ignore_errors": True}
    if check:
        task["check_mode"] = True
    play.tasks.append(task)


def reason(result: dict[str, Any], label: str) -> str:
    """The module's sentence after ``failed to <action> <label>: ``."""
    assert result.get("failed"), result
    head, _sep, tail = result["msg"].partition(f"{label}: ")
    assert head.startswith("failed to ") and tail, result["msg"]
    return tail


def budgets(proxy: Any, prefix: str) -> list[str]:
    answer = proxy.api("GET", "/budget/list")
    assert answer.status_code == 200, answer.text
    return sorted(b["budget_id"] for b in answer.json() if str(b.get("budget_id")).startswith(prefix))


def test_licence_refused_as_the_module_refuses_it_before_any_write(litellm_proxy, recorder, prefix, tmp_path):
    """An organization, and a tag's model_max_budget (Enterprise), against the proxy without a licence: the
    gateway fails with the module's sentence, in check mode too, and the budget declared before them is not
    created."""
    proxy = litellm_proxy
    org, tag = prefix + "org", prefix + "tag"
    model_budget = {"mock-gpt": {"max_budget": 2.0, "budget_duration": "1d"}}
    play = Play(recorder, proxy.master_key, tmp_path)
    module(play, "module org", "organization", organization_alias=org)
    module(play, "module tag", "tag", name=tag, model_max_budget=model_budget)
    budget = [{"budget_id": prefix + "budget", "max_budget": 5}]
    play.state("gateway org (check)", {"budgets": budget, "organizations": [{"organization_alias": org}]},
               check=True)
    play.state("gateway org", {"budgets": budget, "organizations": [{"organization_alias": org}]})
    play.state("gateway tag", {"budgets": budget, "tags": [{"name": tag, "model_max_budget": model_budget}]})
    before = budgets(proxy, prefix)
    play.run()

    org_reason = reason(play["module org"], f"organization '{org}'")
    assert "needs a LiteLLM Enterprise licence" in org_reason
    tag_reason = reason(play["module tag"], f"tag '{tag}'")
    assert tag_reason.startswith("model_max_budget of a tag needs a LiteLLM Enterprise licence"), tag_reason
    for step, sentence, where in (("gateway org (check)", org_reason, "organizations[0]"),
                                  ("gateway org", org_reason, "organizations[0]"),
                                  ("gateway tag", tag_reason, "tags[0]")):
        result = play[step]
        assert result.get("failed") and result["msg"].endswith(f"{where}: {sentence}"), (step, result.get("msg"))
        assert play.writes(step) == [], (step, play.writes(step))
    assert budgets(proxy, prefix) == before == []


def test_preflight_refused_as_the_module_refuses_it_before_any_write(litellm_proxy, recorder, prefix, tmp_path):
    """A guardrail provider the proxy does not list, and a stdio MCP server on a proxy without stdio: the
    gateway fails with the module's sentence, in check mode and apply, and writes nothing."""
    proxy = litellm_proxy
    guard = dict(guardrail_name=prefix + "guard", provider="no_such_provider", mode=["pre_call"],
                 api_base=NOWHERE + "/guard")
    mcp = dict(server_name=prefix + "mcp", transport="stdio", command="npx", args=["-y", "nothing"])
    budget = [{"budget_id": prefix + "budget", "max_budget": 5}]
    play = Play(recorder, proxy.master_key, tmp_path)
    module(play, "module guardrail", "guardrail", **guard)
    module(play, "module mcp", "mcp_server", **mcp)
    for check in (True, False):
        suffix = " (check)" if check else ""
        play.state("gateway guardrail" + suffix, {"budgets": budget, "guardrails": [guard]}, check=check)
        play.state("gateway mcp" + suffix, {"budgets": budget, "mcp_servers": [mcp]}, check=check)
    play.run()

    guard_reason = reason(play["module guardrail"], f"guardrail '{prefix}guard'")
    assert guard_reason.startswith("this LiteLLM has no guardrail provider 'no_such_provider'"), guard_reason
    mcp_reason = reason(play["module mcp"], f"mcp_server '{prefix}mcp'")
    assert mcp_reason.startswith("stdio MCP servers are disabled on this LiteLLM"), mcp_reason
    for step, sentence, where in (("gateway guardrail", guard_reason, "guardrails[0]"),
                                  ("gateway mcp", mcp_reason, "mcp_servers[0]")):
        for name in (step + " (check)", step):
            result = play[name]
            assert result.get("failed") and result["msg"].endswith(f"{where}: {sentence}"), (name, result.get("msg"))
            assert play.writes(name) == [], (name, play.writes(name))
    assert budgets(proxy, prefix) == []


def test_rename_onto_a_taken_key_refused_as_the_module_refuses_it(litellm_proxy, recorder, prefix, tmp_path: Path):
    """A team declared by id and renamed to the alias another live team has: the module and the gateway refuse
    with the same sentence, and the gateway writes nothing."""
    proxy = litellm_proxy
    ids = []
    try:
        for alias in ("first", "second"):
            answer = proxy.api("POST", "/team/new", json={"team_alias": prefix + alias})
            assert answer.status_code == 200, answer.text
            ids.append(answer.json()["team_id"])
        play = Play(recorder, proxy.master_key, tmp_path)
        module(play, "module rename", "team", team_id=ids[0], team_alias=prefix + "second")
        play.state("gateway rename (check)", {"teams": [{"team_id": ids[0], "team_alias": prefix + "second"}]},
                   check=True)
        play.state("gateway rename", {"teams": [{"team_id": ids[0], "team_alias": prefix + "second"}]})
        play.run()

        sentence = reason(play["module rename"], f"team '{prefix}second'")
        assert sentence == f"team_alias '{prefix}second' is already used by team_id {ids[1]}", sentence
        for step in ("gateway rename (check)", "gateway rename"):
            result = play[step]
            assert result.get("failed") and result["msg"].endswith(f"teams[0]: cannot rename team '{prefix}second': "
                                                                   f"{sentence}"), (step, result.get("msg"))
            assert play.writes(step) == [], (step, play.writes(step))
        first = proxy.api("GET", "/team/info", params={"team_id": ids[0]}).json()
        assert first["team_info"]["team_alias"] == prefix + "first"
    finally:
        if ids:
            proxy.api("POST", "/team/delete", json={"team_ids": ids})


def test_route_requirements_asked_as_the_module_asks_them(litellm_proxy):
    """A kind whose API calls the proxy lacks (built in test_capabilities.py): the gateway's check before check
    mode predicts writes gives the module's sentence, from one read of /openapi.json, and the licence check alone
    (before the live state is read) does not ask for it, as a module's first check does not."""
    asking = client(litellm_proxy)
    declared = [(WIDGET, "widgets[0]", {"state": "present", "_desired": {}})]
    ensure_offered(asking, declared)
    assert "/openapi.json" not in asking.asked
    with pytest.raises(UnsupportedError) as refused:
        ensure_offered(asking, declared, paths=True)
    assert refused.value.msg == "widgets[0]: " + unsupported(asking, WIDGET.requires, "widget", WIDGET)
    assert asking.asked.count("/openapi.json") == 1


def team_state(proxy: Any, team_id: str) -> dict[str, Any]:
    """What a team's input decides, as LiteLLM holds it: options and members (by email, with roles)."""
    info = proxy.api("GET", "/team/info", params={"team_id": team_id}).json()["team_info"]
    return {"max_budget": info["max_budget"], "models": info["models"],
            "members": sorted(((m.get("user_email"), m["role"]) for m in info["members_with_roles"]), key=str)}


def test_after_a_create_the_gateway_does_what_the_module_does(litellm_proxy, recorder, prefix, tmp_path):
    """A team with a member and purge_members, created by the module and by gateway_state: LiteLLM adds the master
    key's user as an admin of a new team, both then remove it (the member purge after the read-back), so both
    teams hold the same; the gateway reports the team as read back, and applying again changes nothing."""
    proxy = litellm_proxy
    member = prefix + "member@example.com"
    team = dict(max_budget=5, models=["mock-gpt"], members=[{"user_email": member, "role": "admin"}],
                purge_members=True)
    document = {"teams": [dict(team, team_alias=prefix + "gateway")]}
    play = Play(recorder, proxy.master_key, tmp_path)
    module(play, "module create", "team", team_alias=prefix + "module", **team)
    play.tasks[-1]["register"] = "module_created"
    play.state("gateway create", document)
    play.state("gateway again", document, check=True)
    try:
        play.run()
        created = play["module create"]
        assert created.get("changed") and not created.get("failed"), created.get("msg")
        gateway = play["gateway create"]
        assert gateway.get("changed") and not gateway.get("failed"), gateway.get("msg")
        module_id = created["team"]["team_id"]
        gateway_team = proxy.api("GET", "/v2/team/list", params={"team_alias": prefix + "gateway"}).json()["teams"]
        assert len(gateway_team) == 1
        expected = {"max_budget": 5.0, "models": ["mock-gpt"], "members": [(member, "admin")]}
        assert team_state(proxy, module_id) == expected
        assert team_state(proxy, gateway_team[0]["team_id"]) == expected
        after = gateway["diff"][0]["after"]
        assert [(m.get("user_email"), m["role"]) for m in after["members"]] == [(member, "admin")], after
        assert after["team_id"] == gateway_team[0]["team_id"]  # read back: LiteLLM's id, not a prediction
        again = play["gateway again"]
        assert again["changed"] is False and again["changes"] == [], again["changes"]
    finally:
        ids = [t["team_id"] for alias in ("module", "gateway") for t in proxy.api(
            "GET", "/v2/team/list", params={"team_alias": prefix + alias}).json()["teams"]]
        if ids:
            proxy.api("POST", "/team/delete", json={"team_ids": ids})
        users = proxy.api("GET", "/user/list", params={"user_email": member}).json()["users"]
        if users:
            proxy.api("POST", "/user/delete", json={"user_ids": [u["user_id"] for u in users]})
