"""llmops.litellm.team given its organization by alias (organization_alias), against the real LiteLLM proxy.

Organizations need an Enterprise licence: the test runs against ``litellm_proxy_premium``, the twin proxy on the
same database with LiteLLM's licence check switched on (TEST ONLY, see tests/lib/premium/sitecustomize.py).
"""

from __future__ import annotations

import uuid

import pytest

from tests.lib.lifecycle import Steps, check_four_steps


@pytest.fixture
def names(litellm_proxy_premium):
    proxy = litellm_proxy_premium
    alias = f"it-teamorg-{uuid.uuid4().hex[:8]}"
    orgs = {}
    for suffix in ("a", "b"):
        answer = proxy.api("POST", "/organization/new", json={"organization_alias": f"{alias}-{suffix}"})
        assert answer.status_code == 200, answer.text
        orgs[suffix] = answer.json()["organization_id"]
    yield alias, orgs
    teams = proxy.api("GET", "/v2/team/list", params={"team_alias": alias, "page_size": 100}).json()["teams"]
    if teams:
        proxy.api("POST", "/team/delete", json={"team_ids": [t["team_id"] for t in teams]})
    proxy.api("DELETE", "/organization/delete", json={"organization_ids": list(orgs.values())})


def test_team_organization_by_alias_four_steps_move_and_refusals(litellm_proxy_premium, names):
    alias, orgs = names
    team = alias + "-team"
    read = f"/v2/team/list?team_alias={team}"
    steps = Steps(litellm_proxy_premium, "team", {"team_alias": team})
    steps.four_steps("create", read, organization_alias=f"{alias}-a", max_budget=5)
    steps.apply("move: check", check=True, diff=True, organization_alias=f"{alias}-b")
    steps.read("move: read after check", read)
    steps.apply("move: apply", organization_alias=f"{alias}-b")
    steps.apply("move: check again", check=True, organization_alias=f"{alias}-b")
    steps.apply("move: apply again", organization_alias=f"{alias}-b")
    steps.apply("same by id", organization_id=orgs["b"])
    steps.apply("unknown: check", check=True, organization_alias=f"{alias}-none", ignore_errors=True)
    steps.apply("unknown: apply", organization_alias=f"{alias}-none", ignore_errors=True)
    steps.apply("both", organization_alias=f"{alias}-a", organization_id=orgs["a"], ignore_errors=True)
    steps.read("final read", read)
    steps.run()
    steps.ok()

    def pick(task):
        teams = [t for t in steps[task]["json"]["teams"] if t["team_alias"] == team]
        return teams[0] if teams else None

    check_four_steps(steps, "create", "team", pick)
    assert pick("create: read after apply")["organization_id"] == orgs["a"]
    assert steps["create: apply"]["team"]["organization_id"] == orgs["a"]
    assert steps["move: check"]["changed"] is True
    assert steps["move: check"]["diff"]["after"]["organization_id"] == orgs["b"]
    assert pick("move: read after check")["organization_id"] == orgs["a"], "check mode wrote"
    assert steps["move: apply"]["changed"] is True
    assert steps["move: check again"]["changed"] is False and steps["move: apply again"]["changed"] is False
    assert steps["same by id"]["changed"] is False
    unknown = steps["unknown: check"]
    assert unknown["changed"] is False and not unknown.get("failed")
    assert f"no organization has organization_alias '{alias}-none' yet" in " ".join(unknown["warnings"])
    assert steps["unknown: apply"]["msg"] == (
        f"failed to find the organization '{alias}-none' of team '{team}': no organization has organization_alias "
        f"'{alias}-none'")
    assert steps["both"]["msg"] == "parameters are mutually exclusive: organization_id|organization_alias"
    assert pick("final read")["organization_id"] == orgs["b"]
