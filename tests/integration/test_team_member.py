"""llmops.litellm.team_member and team_member_info against the real LiteLLM proxy, driven through ansible-playbook.

These tests run against ``litellm_proxy_premium``, the twin proxy with LiteLLM's Enterprise licence check
switched on (TEST ONLY, see tests/lib/premium/sitecustomize.py): making a member a team admin needs the licence.
One playbook run per test, with plain HTTP reads of LiteLLM between the steps.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, Scenario, module_task, ok, read_task


@pytest.fixture
def team(litellm_proxy_premium):
    scenario = Scenario(litellm_proxy_premium, f"it-member-{uuid.uuid4().hex[:8]}")
    team_id = scenario.create_directly()
    yield scenario, team_id
    scenario.cleanup()


def member_of(team_id_answer: dict[str, Any], user_id: str | None = None, email: str | None = None) -> Any:
    """The member of a /team/info answer, with its membership budget; None when it is not a member."""
    answer = ok(team_id_answer)
    if answer is None:
        return None
    budgets = {m["user_id"]: m for m in answer["team_memberships"]}
    for member in answer["team_info"]["members_with_roles"]:
        if member["user_id"] == user_id or (email and (member["user_email"] or "").lower() == email.lower()):
            return dict(member, budget=(budgets.get(member["user_id"]) or {}).get("litellm_budget_table") or {})
    return None


def budget(key: str):
    return lambda m: m["budget"].get(key)


LIVE = {
    "role": lambda m: m["role"],
    "max_budget_in_team": budget("max_budget"),
    "budget_duration": budget("budget_duration"),
    "tpm_limit": budget("tpm_limit"),
    "rpm_limit": budget("rpm_limit"),
    "allowed_models": lambda m: sorted(m["budget"].get("allowed_models") or []) or None,
}


def test_team_member_four_steps_for_add_each_option_and_remove(litellm_proxy_premium, team):
    scenario, team_id = team
    user_id = scenario.user("m1")
    email = f"{scenario.alias}-m2@example.com"

    def read(name: str) -> dict[str, Any]:
        return read_task(name, litellm_proxy_premium, "/team/info", {"team_id": team_id})

    lifecycle = Lifecycle(
        proxy=litellm_proxy_premium, module="team_member", key={"team_id": team_id, "user_id": user_id},
        create={"role": "user", "max_budget_in_team": 2},
        changes={"role": "admin", "max_budget_in_team": 3.5, "budget_duration": "7d", "tpm_limit": 100,
                 "rpm_limit": 10, "allowed_models": ["mock-gpt"]},
        read=read, parse=lambda answer: member_of(answer, user_id), live=LIVE,
        normalise=lambda option, value: float(value) if option == "max_budget_in_team" else value,
        extra=[
            module_task("add by email --check", "team_member", {"team_alias": scenario.alias, "user_email": email},
                        check=True),
            module_task("add by email", "team_member", {"team_alias": scenario.alias, "user_email": email}),
            module_task("add by email again", "team_member", {"team_alias": scenario.alias, "user_email": email.upper()}),
            module_task("members of the team", "team_member_info", {"team_id": team_id}),
            module_task("one member by email", "team_member_info", {"team_alias": scenario.alias,
                                                                    "user_email": email.upper()}),
            module_task("remove by email", "team_member", {"team_id": team_id, "user_email": email, "state": "absent"}),
            read("read after remove by email"),
            module_task("unknown team", "team_member", {"team_alias": f"{scenario.alias}-none", "user_id": user_id},
                        ignore_errors=True),
            module_task("unknown team, absent", "team_member", {"team_alias": f"{scenario.alias}-none",
                                                                "user_id": user_id, "state": "absent"}),
            module_task("members of an unknown team", "team_member_info", {"team_alias": f"{scenario.alias}-none"}),
            module_task("negative budget", "team_member", {"team_id": team_id, "user_id": user_id,
                                                           "max_budget_in_team": -1}, ignore_errors=True),
            module_task("no team", "team_member", {"user_id": user_id}, ignore_errors=True),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)

    step = steps.result.task
    predicted = step("add by email --check")["team_member"]
    assert (predicted["user_id"], predicted["user_email"], predicted["role"]) == (None, email, "user")
    added = step("add by email")["team_member"]
    assert step("add by email")["changed"] is True and added["user_id"] and added["team_alias"] == scenario.alias
    scenario.users.append(added["user_id"])
    assert step("add by email again")["changed"] is False, "emails are matched without case"
    members = step("members of the team")["team_members"]
    assert {m["user_id"] for m in members} >= {user_id, added["user_id"]}
    assert step("members of the team")["changed"] is False
    assert step("one member by email")["team_members"] == [added]
    assert step("remove by email")["changed"] is True
    assert member_of(step("read after remove by email"), email=email) is None

    assert step("unknown team")["msg"] == (f"failed to add member '{user_id}' of team '{scenario.alias}-none': "
                                           f"team '{scenario.alias}-none' does not exist")
    assert step("unknown team, absent")["changed"] is False
    assert step("members of an unknown team")["team_members"] == []
    assert "max_budget_in_team must be >= 0, got -1.0" in step("negative budget")["msg"]
    assert step("no team")["msg"] == "one of the following is required: team_id, team_alias"
