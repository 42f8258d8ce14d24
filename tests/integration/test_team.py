"""llmops.litellm.team against the real LiteLLM proxy, driven through ansible-playbook.

Every test works on its own team alias (uuid suffix) and removes its teams and users afterwards, so the tests
are independent and can run again against the same proxy. API state is checked with plain HTTP calls.
Options that need a LiteLLM Enterprise license are tested against ``litellm_proxy_premium``, the twin proxy with
LiteLLM's licence check switched on (TEST ONLY, see tests/lib/premium/sitecustomize.py); without a licence LiteLLM
answers 403, which is tested against the default proxy.
"""

from __future__ import annotations

import socket
import uuid
from typing import Any, Callable

import pytest

from tests.lib.playbook import run_tasks
from tests.lib.lifecycle import Scenario, Steps, members_of, team_info, team_task


# --- create and delete: the four steps ---------------------------------------------------------------------------

def test_create_four_steps(scenario):
    options = dict(team_alias=scenario.alias, models=["mock-gpt", "upstream-echo"], max_budget=25, rpm_limit=60,
                   budget_duration="30d", metadata={"owner": "platform"}, model_aliases={"fast": "mock-gpt"},
                   team_member_budget=2.5)

    first = scenario.apply(check=True, **options)
    assert first["changed"] is True
    assert first["team"]["team_alias"] == scenario.alias and first["team"]["team_id"] is None
    assert scenario.teams() == [], "check mode wrote to LiteLLM"

    created = scenario.apply(**options)
    assert created["changed"] is True
    team = scenario.only_team()
    assert created["team"]["team_id"] == team["team_id"]
    assert (sorted(team["models"]), team["max_budget"], team["rpm_limit"], team["budget_duration"]) == (
        ["mock-gpt", "upstream-echo"], 25.0, 60, "30d")
    assert team["metadata"]["owner"] == "platform"
    assert team["litellm_model_table"]["model_aliases"] == {"fast": "mock-gpt"}
    assert team["team_member_budget_table"]["max_budget"] == 2.5

    again = scenario.apply(check=True, **options)
    assert again["changed"] is False
    assert scenario.only_team() == team

    final = scenario.apply(**options)
    assert final["changed"] is False
    assert final["team"] == created["team"]
    assert scenario.only_team() == team


def test_delete_four_steps(scenario):
    scenario.apply(team_alias=scenario.alias, max_budget=1)
    team = scenario.only_team()

    first = scenario.apply(check=True, team_alias=scenario.alias, state="absent")
    assert first["changed"] is True and first["team"] == {}
    assert scenario.only_team() == team, "check mode deleted the team"

    deleted = scenario.apply(team_alias=scenario.alias, state="absent")
    assert deleted["changed"] is True
    assert scenario.teams() == []
    assert scenario.proxy.api("GET", "/team/info", params={"team_id": team["team_id"]}).status_code == 404

    assert scenario.apply(check=True, team_alias=scenario.alias, state="absent")["changed"] is False
    assert scenario.apply(team_alias=scenario.alias, state="absent")["changed"] is False


def test_delete_by_team_id(scenario):
    team_id = scenario.create_directly()
    assert scenario.apply(team_id=team_id, state="absent")["changed"] is True
    assert scenario.teams() == []
    assert scenario.apply(team_id=team_id, state="absent")["changed"] is False


def test_create_with_team_id_then_find_it_by_id(scenario):
    team_id = f"{scenario.alias}-id"
    assert scenario.apply(team_id=team_id, team_alias=scenario.alias, tpm_limit=5)["team"]["team_id"] == team_id
    assert scenario.apply(team_id=team_id, tpm_limit=5)["changed"] is False
    assert scenario.only_team()["team_id"] == team_id


# --- every option, changed one at a time -------------------------------------------------------------------------

Read = Callable[[dict[str, Any]], Any]


def meta(key: str) -> Read:
    return lambda team: (team["metadata"] or {}).get(key)


def member_budget(key: str) -> Read:
    return lambda team: (team["team_member_budget_table"] or {}).get(key)


OPTIONS: list[tuple[str, Any, Any, Read]] = [
    ("models", ["mock-gpt"], ["upstream-echo", "mock-gpt"], lambda t: sorted(t["models"])),
    ("max_budget", 10, 20.5, lambda t: t["max_budget"]),
    ("soft_budget", 1, 2.5, lambda t: t["soft_budget"]),
    ("budget_duration", "30d", "7d", lambda t: t["budget_duration"]),
    ("tpm_limit", 1000, 2000, lambda t: t["tpm_limit"]),
    ("rpm_limit", 10, 20, lambda t: t["rpm_limit"]),
    ("tpd_limit", 100000, 200000, lambda t: t["tpd_limit"]),
    ("blocked", False, True, lambda t: t["blocked"]),
    ("model_aliases", {"fast": "mock-gpt"}, {"fast": "upstream-echo", "slow": "mock-gpt"},
     lambda t: t["litellm_model_table"]["model_aliases"]),
    ("metadata", {"owner": "a"}, {"owner": "b", "cost_center": "42"},
     lambda t: {k: v for k, v in t["metadata"].items() if k != "team_member_budget_id"}),
    ("model_rpm_limit", {"mock-gpt": 10}, {"mock-gpt": 20, "upstream-echo": 5}, meta("model_rpm_limit")),
    ("model_tpm_limit", {"mock-gpt": 100}, {"mock-gpt": 200}, meta("model_tpm_limit")),
    ("team_member_budget", 1, 2, member_budget("max_budget")),
    ("team_member_budget_duration", "1d", "7d", member_budget("budget_duration")),
    ("team_member_rpm_limit", 5, 6, member_budget("rpm_limit")),
    ("team_member_tpm_limit", 50, 60, member_budget("tpm_limit")),
    ("default_team_member_models", ["mock-gpt"], ["upstream-echo"], lambda t: t["default_team_member_models"]),
]

ENTERPRISE_OPTIONS: list[tuple[str, Any, Any, Read]] = [
    ("tags", ["a"], ["b", "a"], lambda t: sorted(meta("tags")(t))),
    ("guardrails", ["g1"], ["g1", "g2"], lambda t: sorted(meta("guardrails")(t))),
    ("team_member_key_duration", "1d", "7d", meta("team_member_key_duration")),
    ("model_max_budget", {"mock-gpt": {"max_budget": 1.0, "budget_duration": "1d"}},
     {"mock-gpt": {"max_budget": 2.0, "budget_duration": "1d"}},
     lambda t: {m: {k: v for k, v in c.items() if v is not None} for m, c in t["model_max_budget"].items()}),
]


@pytest.fixture
def premium_scenario(litellm_proxy_premium, request) -> Scenario:
    """Like ``scenario``, on the proxy with the Enterprise licence check switched on."""
    s = Scenario(litellm_proxy_premium, f"it-premium-{request.node.callspec.id[:16]}-{uuid.uuid4().hex[:8]}")
    yield s
    s.cleanup()


def check_option_change(scenario, option, initial, changed, read):
    """The option's four steps from a team created with ``initial``, in one playbook run with reads between them."""
    base = dict(team_alias=scenario.alias, models=["mock-gpt", "upstream-echo"], max_budget=100)
    update = {option: changed}
    steps = Steps(scenario.proxy, "team", {"team_alias": scenario.alias})
    steps.task("create", {**base, option: initial}, register="created")
    info = "/team/info?team_id={{ created.team.team_id }}"
    steps.read("before", info)
    steps.apply("predicted", check=True, **update)
    steps.read("after check", info)
    steps.apply("applied", **update)
    steps.read("after apply", info)
    steps.apply("check again", check=True, **update)
    steps.apply("apply again", **update)
    steps.read("teams with the alias", f"/v2/team/list?team_alias={scenario.alias}&page_size=100")
    steps.run()
    steps.ok()

    def team(name: str) -> dict[str, Any]:
        return team_info(steps[name]["json"])

    before = team("before")
    assert read(before) == (sorted(initial) if isinstance(initial, list) else initial)
    predicted = steps["predicted"]
    assert predicted["changed"] is True
    assert team("after check") == before, "check mode wrote to LiteLLM"

    applied = steps["applied"]
    assert applied["changed"] is True
    assert read(team("after apply")) == (sorted(changed) if isinstance(changed, list) else changed)
    assert applied["team"][option] == predicted["team"][option]

    assert steps["check again"]["changed"] is False
    assert steps["apply again"]["changed"] is False
    assert [t["team_id"] for t in steps["teams with the alias"]["json"]["teams"]
            if t["team_alias"] == scenario.alias] == [before["team_id"]]


@pytest.mark.parametrize("option, initial, changed, read", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_each_option_change_is_detected_and_applied(scenario, option, initial, changed, read):
    check_option_change(scenario, option, initial, changed, read)


@pytest.mark.parametrize("option, initial, changed, read", ENTERPRISE_OPTIONS, ids=[o[0] for o in ENTERPRISE_OPTIONS])
def test_each_enterprise_option_change_is_detected_and_applied(premium_scenario, option, initial, changed, read):
    check_option_change(premium_scenario, option, initial, changed, read)


@pytest.mark.parametrize("option, value", [(o[0], o[1]) for o in ENTERPRISE_OPTIONS], ids=[o[0] for o in ENTERPRISE_OPTIONS])
def test_enterprise_option_without_license_fails_cleanly(scenario, enterprise, option, value):
    if enterprise:
        pytest.skip("the proxy has an Enterprise license")
    failed = scenario.fail(team_alias=scenario.alias, **{option: value})
    # Refused before anything is sent (LiteLLM would answer 403), in the sentence the operator makes permanent.
    assert failed["msg"] == (f"failed to manage team '{scenario.alias}': {option} of a team needs a LiteLLM Enterprise "
                             "licence (this proxy reports licence type 'community' at /health/license)")
    assert "status" not in failed
    assert scenario.teams() == []


def test_rename_by_team_id(scenario):
    team_id = scenario.create_directly()
    renamed = f"{scenario.alias}-renamed"
    result = scenario.apply(team_id=team_id, team_alias=renamed)
    assert result["changed"] is True and result["team"]["team_alias"] == renamed
    assert scenario.only_team(renamed)["team_id"] == team_id
    assert scenario.apply(team_id=team_id, team_alias=renamed)["changed"] is False


def test_options_left_out_keep_their_values(scenario):
    scenario.apply(team_alias=scenario.alias, max_budget=7, rpm_limit=3, metadata={"owner": "a"})
    scenario.apply(team_alias=scenario.alias, tpm_limit=9)
    team = scenario.only_team()
    assert (team["max_budget"], team["rpm_limit"], team["tpm_limit"], team["metadata"]["owner"]) == (7.0, 3, 9, "a")


def test_metadata_update_keeps_the_keys_litellm_manages(scenario):
    scenario.apply(team_alias=scenario.alias, model_rpm_limit={"mock-gpt": 3}, team_member_budget=1,
                   metadata={"owner": "a"})
    assert scenario.apply(team_alias=scenario.alias, metadata={"owner": "b"})["changed"] is True
    team = scenario.only_team()
    assert team["metadata"]["owner"] == "b"
    assert team["metadata"]["model_rpm_limit"] == {"mock-gpt": 3}
    assert team["team_member_budget_table"]["max_budget"] == 1.0
    assert scenario.apply(team_alias=scenario.alias, metadata={"owner": "b"},
                          model_rpm_limit={"mock-gpt": 3})["changed"] is False


def test_lists_and_dicts_can_be_emptied(scenario):
    scenario.apply(team_alias=scenario.alias, models=["mock-gpt"], model_rpm_limit={"mock-gpt": 3}, metadata={"a": 1})
    assert scenario.apply(team_alias=scenario.alias, models=[], metadata={})["changed"] is True
    team = scenario.only_team()
    assert team["models"] == [] and {k for k in team["metadata"] if k != "model_rpm_limit"} == set()
    assert scenario.apply(team_alias=scenario.alias, models=[], metadata={})["changed"] is False


# --- members ----------------------------------------------------------------------------------------------------

def test_members_without_purge_only_add(scenario):
    u1, u2 = scenario.user("u1"), scenario.user("u2")
    scenario.apply(team_alias=scenario.alias, members=[{"user_id": u1}])
    assert members_of(scenario.only_team()) == [("default", "admin"), (u1, "user")]

    added = scenario.apply(team_alias=scenario.alias, members=[{"user_id": u2}])
    assert added["changed"] is True
    assert members_of(scenario.only_team()) == [("default", "admin"), (u1, "user"), (u2, "user")]
    assert [m["user_id"] for m in added["team"]["members"]] == sorted(["default_user_id", u1, u2])

    assert scenario.apply(team_alias=scenario.alias, members=[{"user_id": u2}])["changed"] is False
    assert scenario.apply(team_alias=scenario.alias, members=[{"user_id": u1}, {"user_id": u2}])["changed"] is False


def test_members_with_purge_four_steps(scenario):
    u1, u2 = scenario.user("u1"), scenario.user("u2")
    email = f"{scenario.alias}@example.com"
    created = scenario.apply(team_alias=scenario.alias, purge_members=True,
                             members=[{"user_id": u1, "role": "admin"}, {"user_id": u2}])
    assert created["changed"] is True
    assert members_of(scenario.only_team()) == [(u1, "admin"), (u2, "user")], "the auto-added creator stays"

    wanted = dict(team_alias=scenario.alias, purge_members=True,
                  members=[{"user_id": u1, "role": "user"}, {"user_email": email}])
    before = scenario.only_team()
    predicted = scenario.apply(check=True, **wanted)
    assert predicted["changed"] is True
    assert [(m["user_id"], m["user_email"], m["role"]) for m in predicted["team"]["members"]] == [
        (None, email, "user"), (u1, None, "user")]
    assert scenario.only_team() == before, "check mode changed members"

    applied = scenario.apply(**wanted)
    assert applied["changed"] is True
    team = scenario.only_team()
    roles = {(m["user_email"] or m["user_id"]): m["role"] for m in team["members_with_roles"]}
    assert roles == {u1: "user", email: "user"}

    assert scenario.apply(check=True, **wanted)["changed"] is False
    assert scenario.apply(**wanted)["changed"] is False


def test_empty_members_with_purge_removes_everyone(scenario):
    scenario.apply(team_alias=scenario.alias, members=[{"user_id": scenario.user("u1")}])
    assert scenario.apply(team_alias=scenario.alias, members=[], purge_members=True)["changed"] is True
    assert scenario.only_team()["members_with_roles"] == []
    assert scenario.apply(team_alias=scenario.alias, members=[], purge_members=True)["changed"] is False


def test_purge_without_members_touches_no_member(scenario):
    scenario.apply(team_alias=scenario.alias, members=[{"user_id": scenario.user("u1")}])
    assert scenario.apply(team_alias=scenario.alias, purge_members=True)["changed"] is False
    assert len(scenario.only_team()["members_with_roles"]) == 2


# --- diff mode --------------------------------------------------------------------------------------------------

def test_diff_shows_before_and_after(scenario):
    u1 = scenario.user("u1")
    created = scenario.apply(diff=True, team_alias=scenario.alias, max_budget=10, purge_members=True,
                             members=[{"user_id": u1}])
    assert created["diff"]["before"] == {}
    assert created["diff"]["after"]["max_budget"] == 10.0

    predicted = scenario.apply(check=True, diff=True, team_alias=scenario.alias, max_budget=20, tags=[],
                               members=[{"user_id": u1, "role": "admin"}])
    before, after = predicted["diff"]["before"], predicted["diff"]["after"]
    assert (before["max_budget"], after["max_budget"]) == (10.0, 20.0)
    assert before["members"] == [{"user_id": u1, "user_email": None, "role": "user"}]
    assert after["members"] == [{"user_id": u1, "user_email": None, "role": "admin"}]
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {"max_budget", "members"}
    assert not {"spend", "created_at", "updated_at"} & set(after)

    deleted = scenario.apply(diff=True, team_alias=scenario.alias, state="absent")
    assert deleted["diff"]["before"]["team_alias"] == scenario.alias and deleted["diff"]["after"] == {}


# --- bad input: a clear error naming the cause, and nothing written ----------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"max_budget": -1}, "failed to validate team '{alias}': max_budget must be >= 0, got -1.0"),
    ({"team_member_rpm_limit": -3}, "failed to validate team '{alias}': team_member_rpm_limit must be >= 0, got -3"),
    ({"model_tpm_limit": {"mock-gpt": -1}}, "model_tpm_limit[mock-gpt] must be >= 0, got -1"),
    ({"metadata": {"tags": ["x"]}}, "metadata must not set tags"),
    ({"max_budjet": 1}, "Unsupported parameters for (llmops.litellm.team) module: max_budjet"),
    ({"max_budget": "lots"}, "argument 'max_budget' is of type str"),
    ({"members": [{"role": "user"}]}, "one of the following is required: user_id, user_email"),
    ({"members": [{"user_id": "x", "role": "owner"}]}, "value of role must be one of: admin, user, got: owner"),
    ({"members": [{"user_id": "x"}, {"user_id": "x"}]}, "members lists user_id=x twice"),
], ids=["negative-budget", "negative-member-limit", "negative-model-limit", "managed-metadata-key", "unknown-option",
        "wrong-type", "member-without-user", "unknown-role", "duplicate-member"])
def test_bad_input_fails_clearly_and_writes_nothing(scenario, options, message):
    failed = scenario.fail(team_alias=scenario.alias, **options)
    assert message.format(alias=scenario.alias) in failed["msg"]
    assert scenario.teams() == []


def test_duplicate_alias_names_the_ids_and_writes_nothing(scenario):
    ids = sorted([scenario.create_directly(max_budget=1), scenario.create_directly(max_budget=1)])
    before = scenario.teams()
    failed = scenario.fail(team_alias=scenario.alias, max_budget=5)
    assert failed["msg"] == (f"failed to read team '{scenario.alias}': 2 teams exist with team_alias "
                             f"'{scenario.alias}' (team_id {ids[0]}, {ids[1]}); set team_id to choose one")
    assert sorted(scenario.teams(), key=lambda t: t["team_id"]) == sorted(before, key=lambda t: t["team_id"])
    assert scenario.apply(team_id=ids[0], max_budget=5)["changed"] is True, "team_id picks one of them"


def test_creating_or_renaming_to_a_taken_alias_is_refused(scenario):
    taken = scenario.create_directly()
    failed = scenario.fail(team_id=f"{scenario.alias}-other", team_alias=scenario.alias)
    assert failed["msg"] == f"failed to create team '{scenario.alias}': team_alias '{scenario.alias}' is already used by team_id {taken}"
    other = scenario.create_directly(team_alias=f"{scenario.alias}-b")
    failed = scenario.fail(team_id=other, team_alias=scenario.alias)
    assert failed["msg"] == f"failed to rename team '{scenario.alias}': team_alias '{scenario.alias}' is already used by team_id {taken}"
    assert scenario.only_team(f"{scenario.alias}-b")["team_id"] == other


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_wrong_master_key(scenario):
    failed = scenario.fail(connection={"api_url": scenario.proxy.url, "api_key": "sk-wrong-" + uuid.uuid4().hex},
                           team_alias=scenario.alias)
    assert failed["msg"].startswith(f"failed to read team '{scenario.alias}': authentication failed: the api_key was rejected")
    assert failed["status"] == 401


def test_unreachable_proxy(scenario):
    url = f"http://127.0.0.1:{closed_port()}"
    failed = scenario.fail(connection={"api_url": url, "api_key": scenario.proxy.master_key}, team_alias=scenario.alias)
    assert failed["msg"].startswith(f"failed to read team '{scenario.alias}': cannot reach LiteLLM at {url}: ")
    assert "Connection refused" in failed["msg"]


def test_missing_connection_options_name_option_and_environment(scenario):
    env = {"LITELLM_PROXY_URL": "", "LITELLM_PROXY_API_KEY": "", "LITELLM_MASTER_KEY": ""}
    result = run_tasks([team_task(team_alias=scenario.alias)], env=env)
    assert result.task("team")["msg"] == ("api_url is required: set the api_url option or the LITELLM_PROXY_URL "
                                          "environment variable")
    result = run_tasks([team_task(team_alias=scenario.alias, api_url=scenario.proxy.url)], env=env)
    assert "LITELLM_PROXY_API_KEY or LITELLM_MASTER_KEY" in result.task("team")["msg"]


def test_connection_from_environment(scenario):
    env = {"LITELLM_PROXY_URL": scenario.proxy.url, "LITELLM_PROXY_API_KEY": "", "LITELLM_MASTER_KEY": scenario.proxy.master_key}
    result = run_tasks([team_task(team_alias=scenario.alias, max_budget=3)], env=env)
    assert result.task("team")["changed"] is True
    assert scenario.only_team()["max_budget"] == 3.0
