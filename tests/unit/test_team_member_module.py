"""team_member and team_member_info in-process with patched module args against a local HTTP server.

The server answers /team/info and the member routes from a dict, so these tests pin which requests the membership
engine sends (and that check mode and no-op runs send none). The member list is read from LiteLLM's whole
/team/info answer; that reading is table-driven below. Behaviour against the real LiteLLM is in tests/integration.
"""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team_member import TEAM_MEMBER, _team_members
from ansible_collections.llmops.litellm.plugins.modules import team_member, team_member_info
from tests.unit.httpstub import Reply

KEY = "sk-unit-member-key-abcdef"


@pytest.mark.parametrize("answer, expected", [
    ({"team_info": {"team_id": "t", "team_alias": "a", "members_with_roles": []}, "team_memberships": []}, []),
    ({"team_info": {"team_id": "t", "team_alias": "a", "members_with_roles": [
        {"user_id": "u1", "user_email": "u1@x.io", "role": "admin"}]}, "team_memberships": None},
     [{"team_id": "t", "team_alias": "a", "user_id": "u1", "user_email": "u1@x.io", "role": "admin",
       "max_budget_in_team": None, "budget_duration": None, "tpm_limit": None, "rpm_limit": None,
       "allowed_models": None, "spend": None}]),
    ({"team_info": {"team_id": "t", "team_alias": "a", "members_with_roles": [
        {"user_id": "u1", "user_email": None, "role": "user"}]},
      "team_memberships": [{"user_id": "u1", "spend": 0.5, "litellm_budget_table": {
          "max_budget": 2.0, "budget_duration": "7d", "tpm_limit": 5, "rpm_limit": None, "allowed_models": []}}]},
     [{"team_id": "t", "team_alias": "a", "user_id": "u1", "user_email": None, "role": "user",
       "max_budget_in_team": 2.0, "budget_duration": "7d", "tpm_limit": 5, "rpm_limit": None,
       "allowed_models": None, "spend": 0.5}]),
])
def test_members_are_read_with_their_team_and_membership_budget(answer, expected):
    assert [TEAM_MEMBER.view(m) for m in _team_members(answer)] == expected


class Team:
    """/team/info and the member routes of one team."""

    def __init__(self, stub, members=(), budgets=None):
        self.members = [dict(m) for m in members]
        self.budgets = dict(budgets or {})
        stub.routes = {
            ("GET", "/team/info"): self.info,
            ("GET", "/v2/team/list"): lambda r: Reply(
                200, {"teams": [{"team_id": "t1", "team_alias": "research"}], "total_pages": 1}),
            ("POST", "/team/member_add"): self.add,
            ("POST", "/team/member_update"): self.update,
            ("POST", "/team/member_delete"): self.delete,
        }

    def info(self, request):
        if request.query["team_id"] != "t1":
            return Reply(404, {"detail": "not found"})
        return Reply(200, {"team_id": "t1", "team_info": {"team_id": "t1", "team_alias": "research",
                                                          "members_with_roles": self.members},
                           "team_memberships": [{"user_id": u, "litellm_budget_table": b} for u, b in self.budgets.items()]})

    def add(self, request):
        for member in request.body["member"]:
            self.members.append(dict({"user_id": member.get("user_id") or "generated", "user_email": None}, **member))
        return Reply(200, {})

    def update(self, request):
        member = next(m for m in self.members if m["user_id"] == request.body["user_id"])
        if "role" in request.body:
            member["role"] = request.body["role"]
        if "max_budget_in_team" in request.body:
            self.budgets.setdefault(member["user_id"], {})["max_budget"] = request.body["max_budget_in_team"]
        return Reply(200, {})

    def delete(self, request):
        self.members = [m for m in self.members if m["user_id"] != request.body["user_id"]]
        return Reply(200, {})


def run(module, capsys, args, check_mode=False, diff=False):
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def connect(stub, monkeypatch):
    for name in ("LITELLM_PROXY_URL", "LITELLM_PROXY_API_KEY", "LITELLM_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    return {"api_url": stub.url, "api_key": KEY}


def writes(stub):
    return [(w.path, w.body) for w in stub.writes()]


ADD = ("/team/member_add", {"team_id": "t1", "member": [{"user_id": "u1", "role": "user"}]})


@pytest.mark.parametrize("args, check_mode, changed, sent", [
    ({"user_id": "u1"}, True, True, []),
    ({"user_id": "u1"}, False, True, [ADD]),
    ({"user_id": "u1", "max_budget_in_team": 2}, False, True, [
        ADD, ("/team/member_update", {"team_id": "t1", "user_id": "u1", "max_budget_in_team": 2.0})]),
    ({"user_id": "u0"}, False, False, []),
    ({"user_email": "U0@X.IO"}, False, False, []),
    ({"user_id": "u0", "role": "admin"}, False, False, []),
    ({"user_email": "u0@x.io", "role": "user"}, True, True, []),
    ({"user_email": "u0@x.io", "role": "user", "max_budget_in_team": 1}, False, True, [
        ("/team/member_update", {"team_id": "t1", "user_id": "u0", "role": "user", "max_budget_in_team": 1.0})]),
    ({"user_id": "u0", "state": "absent"}, True, True, []),
    ({"user_id": "u0", "state": "absent"}, False, True, [("/team/member_delete", {"team_id": "t1", "user_id": "u0"})]),
    ({"user_id": "u9", "state": "absent"}, False, False, []),
], ids=["add-check", "add", "add-with-budget", "same", "same-by-email", "same-role", "re-role-check",
        "re-role-and-budget", "remove-check", "remove", "remove-missing"])
def test_requests_sent(capsys, stub, connect, args, check_mode, changed, sent):
    Team(stub, [{"user_id": "u0", "user_email": "u0@x.io", "role": "admin"}])
    result = run(team_member, capsys, dict(connect, team_id="t1", **args), check_mode=check_mode)
    assert result["changed"] is changed, result
    assert writes(stub) == sent


def test_check_mode_predicts_the_membership_and_diff_has_no_spend(capsys, stub, connect):
    Team(stub)
    result = run(team_member, capsys, dict(connect, team_alias="research", user_email="a@x.io", rpm_limit=3),
                 check_mode=True, diff=True)
    assert result["team_member"]["team_id"] == "t1" and result["team_member"]["team_alias"] == "research"
    assert (result["team_member"]["user_email"], result["team_member"]["role"], result["team_member"]["rpm_limit"]) == (
        "a@x.io", "user", 3)
    assert result["diff"]["before"] == {} and "spend" not in result["diff"]["after"]
    assert writes(stub) == []


@pytest.mark.parametrize("args, message", [
    ({"team_id": "nope", "user_id": "u1"}, "failed to add member 'u1' of team 'nope': team 'nope' does not exist"),
    ({"team_id": "t1", "user_id": "u1", "tpm_limit": -1}, "tpm_limit must be >= 0, got -1"),
    ({"user_id": "u1"}, "one of the following is required: team_id, team_alias"),
    ({"team_id": "t1"}, "one of the following is required: user_id, user_email"),
])
def test_bad_input_fails_before_any_write(capsys, stub, connect, args, message):
    Team(stub)
    result = run(team_member, capsys, dict(connect, **args))
    assert result["failed"] and message in result["msg"]
    assert writes(stub) == []


def test_info_lists_the_members_or_one(capsys, stub, connect):
    Team(stub, [{"user_id": "u0", "user_email": "u0@x.io", "role": "admin"},
                {"user_id": "u1", "user_email": None, "role": "user"}], budgets={"u1": {"max_budget": 4.0}})
    every = run(team_member_info, capsys, dict(connect, team_id="t1"))["team_members"]
    assert [(m["user_id"], m["role"], m["max_budget_in_team"]) for m in every] == [("u0", "admin", None),
                                                                                   ("u1", "user", 4.0)]
    one = run(team_member_info, capsys, dict(connect, team_alias="research", user_email="U0@x.io"))["team_members"]
    assert [m["user_id"] for m in one] == ["u0"]
    assert run(team_member_info, capsys, dict(connect, team_id="nope"))["team_members"] == []
