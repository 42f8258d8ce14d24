"""llmops.litellm.user and user_info against the real LiteLLM proxy, driven through ansible-playbook.

Each test is one playbook run with many steps (check-mode runs, applies, and plain HTTP reads of LiteLLM between
them); the assertions read the results of every step. Every test uses names with a uuid suffix and removes what
it made, also when it fails.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, Scenario, failures, module_task, ok, read_task, run, sort

MANAGED = {"model_rpm_limit", "model_tpm_limit"}


@pytest.fixture
def names(litellm_proxy):
    """A uuid prefix, two teams to join, and the removal of every user and team with the prefix afterwards."""
    prefix = f"it-user-{uuid.uuid4().hex[:8]}"
    teams = [Scenario(litellm_proxy, f"{prefix}-t{i}") for i in (1, 2)]
    ids = [t.create_directly() for t in teams]
    yield prefix, ids
    listed = litellm_proxy.api("GET", "/user/list", params={"user_email": prefix, "page_size": 100}).json()["users"]
    users = {u["user_id"] for u in listed} | {f"{prefix}-u", f"{prefix}-v"}
    litellm_proxy.api("POST", "/user/delete", json={"user_ids": sorted(users)})
    for team in teams:
        team.cleanup()


def user_read(proxy: Any, user_id: str):
    return lambda name: read_task(name, proxy, "/user/info", {"user_id": user_id})


def parse(answer: dict[str, Any]) -> Any:
    found = ok(answer)
    return found and found["user_info"]


def normalise(option: str, value: Any) -> Any:
    if option == "models":
        return sorted(value) or None
    if option == "teams":
        return sorted(value)
    return float(value) if option == "max_budget" else value


LIVE = {
    "user_email": lambda u: u["user_email"],
    "user_alias": lambda u: u["user_alias"],
    "user_role": lambda u: u["user_role"],
    "models": lambda u: sort(u["models"]) or None,
    "max_budget": lambda u: u["max_budget"],
    "budget_duration": lambda u: u["budget_duration"],
    "tpm_limit": lambda u: u["tpm_limit"],
    "rpm_limit": lambda u: u["rpm_limit"],
    "max_parallel_requests": lambda u: u["max_parallel_requests"],
    "metadata": lambda u: {k: v for k, v in (u["metadata"] or {}).items() if k not in MANAGED} or None,
    "teams": lambda u: sorted(u["teams"]),
}


def test_user_four_steps_for_create_each_option_and_absent(litellm_proxy, names):
    prefix, (team1, team2) = names
    user_id = f"{prefix}-u"
    other = f"{prefix}-v"
    lifecycle = Lifecycle(
        proxy=litellm_proxy, module="user", key={"user_id": user_id},
        create={"user_email": f"{prefix}-u@example.com", "user_alias": "U", "user_role": "internal_user",
                "models": ["mock-gpt"], "max_budget": 5, "metadata": {"owner": "a"}, "teams": [team1]},
        changes={"user_email": f"{prefix}-u2@example.com", "user_alias": "U2", "user_role": "internal_user_viewer",
                 "models": ["upstream-echo", "mock-gpt"], "max_budget": 7.5, "budget_duration": "30d",
                 "tpm_limit": 1000, "rpm_limit": 10, "max_parallel_requests": 3, "metadata": {"owner": "b"},
                 "teams": [team2]},
        read=user_read(litellm_proxy, user_id), parse=parse, live=LIVE, normalise=normalise,
        expected={"teams": sorted([team1, team2])},
        extra=[
            module_task("purge teams --check", "user", {"user_id": user_id, "teams": [team2], "purge_teams": True},
                        check=True),
            module_task("purge teams", "user", {"user_id": user_id, "teams": [team2], "purge_teams": True}),
            module_task("purge teams again", "user", {"user_id": user_id, "teams": [team2], "purge_teams": True}),
            read_task("team 1 after purge", litellm_proxy, "/team/info", {"team_id": team1}),
            module_task("create the other user", "user", {"user_id": other, "user_email": f"{prefix}-v@example.com"}),
            module_task("take the other user's email", "user", {"user_id": user_id, "user_email": f"{prefix}-v@example.com"},
                        ignore_errors=True),
            module_task("empty models", "user", {"user_id": user_id, "models": []}, ignore_errors=True),
            module_task("managed metadata key", "user", {"user_id": user_id, "metadata": {"model_rpm_limit": {}}},
                        ignore_errors=True),
            read_task("read after the refused changes", litellm_proxy, "/user/info", {"user_id": user_id}),
            module_task("info by id", "user_info", {"user_id": user_id}),
            module_task("info by email", "user_info", {"user_email": f"{prefix}-u2@example.com"}),
            module_task("info of all", "user_info", {}),
            module_task("delete the other user", "user", {"user_id": other, "state": "absent"}),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)

    step = steps.result.task
    assert step("purge teams --check")["changed"] is True
    assert step("purge teams --check")["user"]["teams"] == [team2]
    assert step("purge teams")["changed"] is True and step("purge teams again")["changed"] is False
    assert user_id not in {m["user_id"] for m in ok(step("team 1 after purge"))["team_info"]["members_with_roles"]}

    assert step("take the other user's email")["msg"] == (
        f"failed to rename user '{prefix}-v@example.com': user_email '{prefix}-v@example.com' is already used by "
        f"user_id {other}")
    assert step("empty models")["msg"] == (f"failed to update user '{user_id}': models cannot be emptied once set: "
                                           "LiteLLM ignores an empty value when it updates a user")
    assert "metadata must not set model_rpm_limit" in step("managed metadata key")["msg"]
    after = parse(step("read after the refused changes"))
    assert (after["user_email"], sorted(after["models"])) == (f"{prefix}-u2@example.com", ["mock-gpt", "upstream-echo"])

    applied = step("teams: apply")["user"]
    (by_id,) = step("info by id")["users"]
    (by_email,) = step("info by email")["users"]
    assert by_id == by_email
    assert {k: v for k, v in by_id.items() if k != "teams"} == {
        k: v for k, v in step("purge teams")["user"].items() if k != "teams"}
    assert by_id["teams"] == [team2] and sorted(applied["teams"]) == sorted([team1, team2])
    assert user_id in {u["user_id"] for u in step("info of all")["users"]}, "user_info pages through every user"


def test_user_found_by_email_and_bad_input_writes_nothing(litellm_proxy, names):
    prefix, (team1, _team2) = names
    email = f"{prefix}-e@example.com"
    user = {"user_email": email, "max_budget": 2, "teams": [team1], "send_invite_email": False}
    bad = [
        ({"max_budget": -1}, "failed to validate user '{email}': max_budget must be >= 0, got -1.0"),
        ({"user_role": "owner"}, "value of user_role must be one of: proxy_admin, proxy_admin_viewer, internal_user, "
                                 "internal_user_viewer, got: owner"),
        ({"tpm_limit": "many"}, "argument 'tpm_limit' is of type str"),
        ({"budget": 1}, "Unsupported parameters for (llmops.litellm.user) module: budget"),
        ({"teams": "not-a-list", "purge_teams": "maybe"}, "purge_teams"),
    ]
    result = run(
        litellm_proxy,
        *[module_task(f"bad {i}", "user", dict({"user_email": email}, **options), ignore_errors=True)
          for i, (options, _msg) in enumerate(bad)],
        module_task("no user id", "user", {"max_budget": 1}, ignore_errors=True),
        read_task("read after bad input", litellm_proxy, "/user/list", {"user_email": email}),
        module_task("create --check", "user", user, check=True),
        read_task("read after create --check", litellm_proxy, "/user/list", {"user_email": email}),
        module_task("create", "user", user),
        module_task("create --check again", "user", user, check=True),
        module_task("create again", "user", user),
        module_task("update by email", "user", {"user_email": email, "rpm_limit": 4}),
        module_task("delete by email", "user", {"user_email": email, "state": "absent"}),
        module_task("delete by email again", "user", {"user_email": email, "state": "absent"}),
        read_task("read after delete", litellm_proxy, "/user/list", {"user_email": email}),
        module_task("info of an unknown id", "user_info", {"user_id": f"{prefix}-none"}),
    )
    assert result.rc == 0, failures(result)
    step = result.task
    for i, (_options, message) in enumerate(bad):
        assert step(f"bad {i}")["failed"] and message.format(email=email) in step(f"bad {i}")["msg"]
    assert step("no user id")["msg"] == "one of the following is required: user_email, user_id"
    assert ok(step("read after bad input"))["users"] == [], "bad input wrote to LiteLLM"

    predicted = step("create --check")
    assert predicted["changed"] is True and predicted["user"]["user_id"] is None
    assert "send_invite_email" not in predicted["user"]
    assert ok(step("read after create --check"))["users"] == []
    created = step("create")["user"]
    assert step("create")["changed"] is True and created["user_id"], "LiteLLM chose an id"
    assert created["teams"] == [team1] and created["max_budget"] == 2.0
    assert step("create --check again")["changed"] is False and step("create again")["changed"] is False
    assert step("update by email")["changed"] is True and step("update by email")["user"]["rpm_limit"] == 4
    assert step("delete by email")["changed"] is True and step("delete by email again")["changed"] is False
    assert ok(step("read after delete"))["users"] == []
    assert step("info of an unknown id")["users"] == []


def test_user_teams_named_by_alias_or_id(litellm_proxy, names):
    """``teams`` takes a team's id or its alias (made its id): the same teams given either way are no change; an
    alias no team has fails naming the option, before any write."""
    prefix, (team1, team2) = names
    user_id, alias1 = f"{prefix}-u", f"{prefix}-t1"
    by_alias = {"user_id": user_id, "teams": [alias1]}
    result = run(
        litellm_proxy,
        module_task("by alias --check", "user", by_alias, check=True),
        module_task("by alias", "user", by_alias),
        module_task("by alias --check again", "user", by_alias, check=True),
        module_task("by alias again", "user", by_alias),
        module_task("by id", "user", {"user_id": user_id, "teams": [team1]}),
        module_task("alias and id", "user", {"user_id": user_id, "teams": [alias1, team2], "purge_teams": True}),
        module_task("unknown alias", "user", {"user_id": user_id, "teams": [f"{prefix}-none"], "purge_teams": True},
                    ignore_errors=True),
        read_task("read after the unknown alias", litellm_proxy, "/user/info", {"user_id": user_id}),
    )
    assert result.rc == 0, failures(result)
    step = result.task
    assert step("by alias --check")["changed"] is True and step("by alias --check")["user"]["teams"] == [team1]
    assert step("by alias")["changed"] is True and step("by alias")["user"]["teams"] == [team1]
    assert step("by alias --check again")["changed"] is False and step("by alias again")["changed"] is False
    assert step("by id")["changed"] is False
    assert step("alias and id")["changed"] is True and step("alias and id")["user"]["teams"] == sorted([team1, team2])
    assert step("unknown alias")["msg"] == (f"failed to validate user '{user_id}': teams names a team "
                                            f"'{prefix}-none', which does not exist")
    assert sorted(parse(step("read after the unknown alias"))["teams"]) == sorted([team1, team2])
