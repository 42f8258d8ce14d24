"""llmops.litellm.team_info against the real LiteLLM proxy, driven through ansible-playbook."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Scenario

VOLATILE = ("updated_at",)


def info_task(**options: Any) -> dict[str, Any]:
    return {"name": "info", "llmops.litellm.team_info": options, "register": "found"}


@pytest.fixture
def scenario(litellm_proxy) -> Scenario:
    s = Scenario(litellm_proxy, f"it-info-{uuid.uuid4().hex[:8]}")
    yield s
    s.cleanup()


def read(scenario: Scenario, check: bool = False, **options: Any) -> list[dict[str, Any]]:
    result = scenario.run(info_task(**options), check=check)
    outcome = result.task("info")
    assert result.rc == 0, outcome.get("msg")
    assert outcome["changed"] is False
    return outcome["teams"]


def stable(team: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in team.items() if k not in VOLATILE}


@pytest.fixture
def two_teams(scenario):
    """Two teams whose aliases overlap (LiteLLM's alias filter matches substrings), with members and budgets."""
    first = scenario.apply(team_alias=scenario.alias, models=["mock-gpt"], max_budget=5, team_member_budget=1,
                           metadata={"owner": "a"}, members=[{"user_id": scenario.user("u1")}])["team"]
    second = scenario.apply(team_alias=f"{scenario.alias}-2", rpm_limit=7)["team"]
    return first, second


def test_by_alias_is_exact_and_matches_the_team_module(scenario, two_teams):
    first = two_teams[0]
    (found,) = read(scenario, team_alias=scenario.alias)
    assert stable(found) == stable(first)
    assert found["team_member_budget"] == 1.0 and found["metadata"] == {"owner": "a"}


def test_by_id(scenario, two_teams):
    second = two_teams[1]
    (found,) = read(scenario, team_id=second["team_id"])
    assert stable(found) == stable(second)


def test_all_teams_include_both_with_the_same_keys(scenario, two_teams):
    everything = {t["team_id"]: t for t in read(scenario)}
    for team in two_teams:
        assert stable(everything[team["team_id"]]) == stable(team), "list view differs from /team/info's"


def test_unknown_alias_and_id_return_nothing(scenario):
    assert read(scenario, team_alias=f"{scenario.alias}-none") == []
    assert read(scenario, team_id=f"{scenario.alias}-none") == []


def test_check_mode_reads_the_same(scenario, two_teams):
    assert read(scenario, check=True, team_alias=scenario.alias) == read(scenario, team_alias=scenario.alias)


def test_duplicates_are_all_returned(scenario):
    ids = sorted([scenario.create_directly(), scenario.create_directly()])
    assert sorted(t["team_id"] for t in read(scenario, team_alias=scenario.alias)) == ids


def test_output_feeds_back_into_the_team_module_without_change(scenario, two_teams):
    (found,) = read(scenario, team_alias=scenario.alias)
    options = {k: v for k, v in found.items() if v is not None and k not in ("spend", "created_at", "updated_at")}
    result = scenario.apply(**options)
    assert result["changed"] is False


def test_alias_and_id_are_mutually_exclusive(scenario):
    result = scenario.run(info_task(team_alias="a", team_id="b"))
    assert result.rc != 0
    assert "parameters are mutually exclusive: team_alias|team_id" in result.task("info")["msg"]
