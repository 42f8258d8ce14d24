"""The team and team_info modules run in-process with patched module args against a local HTTP server.

The server answers the few LiteLLM routes the engine uses from a dict of teams, so these tests pin the engine's
requests (what is read, what is written, and that nothing is written when it must not be). Behaviour against
the real LiteLLM is in tests/integration.
"""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.llmops.litellm.plugins.modules import team, team_info
from tests.unit.httpstub import Reply

KEY = "sk-unit-module-key-abcdef"


class Teams:
    """The team routes of a LiteLLM proxy, over a dict of teams."""

    def __init__(self, stub, *teams):
        self.teams = dict((t["team_id"], dict(t)) for t in teams)
        stub.routes = {
            ("GET", "/v2/team/list"): self.list,
            ("GET", "/team/info"): self.info,
            ("POST", "/team/new"): self.new,
            ("POST", "/team/update"): self.update,
            ("POST", "/team/delete"): self.delete,
            # what a team's deletion takes with it (none here): its keys and its own models
            ("GET", "/key/list"): lambda request: Reply(200, {"keys": [], "total_pages": 1}),
            ("GET", "/v2/model/info"): lambda request: Reply(200, {"data": [], "total_pages": 1}),
        }

    def list(self, request):
        found = [t for t in self.teams.values() if request.query.get("team_alias", "").lower() in t["team_alias"].lower()]
        page, size = int(request.query["page"]), int(request.query["page_size"])
        return Reply(200, {"teams": found[(page - 1) * size:page * size], "total": len(found),
                           "total_pages": max(1, -(-len(found) // size))})

    def info(self, request):
        found = self.teams.get(request.query["team_id"])
        if found is None:
            return Reply(404, {"error": {"message": "Team not found", "code": "404"}})
        return Reply(200, {"team_id": found["team_id"], "team_info": found, "keys": []})

    def new(self, request):
        created = dict(request.body, team_id=request.body.get("team_id") or "new-id")
        self.teams[created["team_id"]] = created
        return Reply(200, created)

    def update(self, request):
        self.teams[request.body["team_id"]].update(request.body)
        return Reply(200, {"team_id": request.body["team_id"]})

    def delete(self, request):
        for team_id in request.body["team_ids"]:
            del self.teams[team_id]
        return Reply(200, {})


def run(module, capsys, args, check_mode=False, diff=False):
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def connect(stub):
    return {"api_url": stub.url, "api_key": KEY}


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    for name in ("LITELLM_PROXY_URL", "LITELLM_PROXY_API_KEY", "LITELLM_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_missing_api_url_names_option_and_env(capsys):
    result = run(team, capsys, {"api_key": KEY, "team_alias": "a"})
    assert result["failed"]
    assert result["msg"] == "api_url is required: set the api_url option or the LITELLM_PROXY_URL environment variable"


def test_missing_api_key_names_option_and_envs(capsys, stub):
    result = run(team, capsys, {"api_url": stub.url, "team_alias": "a"})
    assert result["msg"] == ("api_key is required: set the api_key option or the LITELLM_PROXY_API_KEY or "
                             "LITELLM_MASTER_KEY environment variable")
    assert stub.requests == []


def test_connection_from_environment_skips_empty_variables(capsys, stub, monkeypatch):
    Teams(stub)
    monkeypatch.setenv("LITELLM_PROXY_URL", stub.url)
    monkeypatch.setenv("LITELLM_PROXY_API_KEY", "")
    monkeypatch.setenv("LITELLM_MASTER_KEY", KEY)
    result = run(team_info, capsys, {})
    assert (result["changed"], result["teams"]) == (False, [])
    assert stub.requests[0].headers["Authorization"] == "Bearer " + KEY


def test_negative_budget_fails_before_any_request(capsys, stub, connect):
    result = run(team, capsys, dict(connect, team_alias="a", max_budget=-1))
    assert result["failed"]
    assert result["msg"] == "failed to validate team 'a': max_budget must be >= 0, got -1.0"
    assert stub.requests == []


def test_unknown_option_fails_before_any_request(capsys, stub, connect):
    result = run(team, capsys, dict(connect, team_alias="a", max_budjet=1))
    assert "max_budjet" in result["msg"] and result["failed"]
    assert stub.requests == []


def test_duplicate_alias_names_alias_and_ids_and_writes_nothing(capsys, stub, connect):
    Teams(stub, {"team_id": "id-1", "team_alias": "dup"}, {"team_id": "id-2", "team_alias": "dup"},
          {"team_id": "id-3", "team_alias": "dup-other"})
    result = run(team, capsys, dict(connect, team_alias="dup", max_budget=5))
    assert result["msg"] == ("failed to read team 'dup': 2 teams exist with team_alias 'dup' (team_id id-1, id-2); "
                             "set team_id to choose one")
    assert stub.writes() == []


def test_alias_taken_by_another_team_is_refused(capsys, stub, connect):
    Teams(stub, {"team_id": "id-1", "team_alias": "taken"})
    result = run(team, capsys, dict(connect, team_id="id-2", team_alias="taken"))
    assert result["msg"] == "failed to create team 'taken': team_alias 'taken' is already used by team_id id-1"
    assert stub.writes() == []


def test_check_mode_create_predicts_and_only_reads(capsys, stub, connect):
    Teams(stub)
    args = dict(connect, team_alias="a", models=["b", "a"], max_budget=3, members=[{"user_id": "u1"}])
    result = run(team, capsys, args, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["team"]["team_alias"] == "a" and result["team"]["models"] == ["a", "b"]
    assert result["team"]["max_budget"] == 3.0 and result["team"]["team_id"] is None
    assert result["team"]["members"] == [{"user_id": "u1", "user_email": None, "role": "user"}]
    assert result["diff"]["before"] == {}
    assert "spend" not in result["diff"]["after"]
    assert stub.writes() == []


def test_create_sends_the_options_set_and_returns_what_litellm_has(capsys, stub, connect):
    teams = Teams(stub)
    result = run(team, capsys, dict(connect, team_alias="a", max_budget=3, members=[{"user_email": "x@y.z"}]))
    assert result["changed"] is True
    assert [(w.path, w.body) for w in stub.writes()] == [
        ("/team/new", {"team_alias": "a", "max_budget": 3.0,
                       "members_with_roles": [{"user_email": "x@y.z", "role": "user"}]})]
    assert result["team"]["team_id"] == "new-id" and "new-id" in teams.teams


def test_update_sends_only_what_differs_plus_the_id(capsys, stub, connect):
    Teams(stub, {"team_id": "t1", "team_alias": "a", "max_budget": 3.0, "models": ["m"], "rpm_limit": 1})
    result = run(team, capsys, dict(connect, team_alias="a", max_budget=3, models=["m"], rpm_limit=2), diff=True)
    assert result["changed"] is True
    assert [(w.path, w.body) for w in stub.writes()] == [("/team/update", {"team_id": "t1", "rpm_limit": 2})]
    assert (result["diff"]["before"]["rpm_limit"], result["diff"]["after"]["rpm_limit"]) == (1, 2)


def test_no_change_writes_nothing(capsys, stub, connect):
    Teams(stub, {"team_id": "t1", "team_alias": "a", "max_budget": 3.0})
    result = run(team, capsys, dict(connect, team_alias="a", max_budget=3))
    assert result["changed"] is False
    assert stub.writes() == []


def test_delete_of_a_missing_team_is_not_a_change(capsys, stub, connect):
    Teams(stub)
    result = run(team, capsys, dict(connect, team_alias="gone", state="absent"))
    assert result["changed"] is False and result["team"] == {}
    assert stub.writes() == []


def test_delete(capsys, stub, connect):
    teams = Teams(stub, {"team_id": "t1", "team_alias": "a"})
    result = run(team, capsys, dict(connect, team_alias="a", state="absent"))
    assert result["changed"] is True
    assert [(w.path, w.body) for w in stub.writes()] == [("/team/delete", {"team_ids": ["t1"]})]
    assert teams.teams == {}


def test_unreachable_proxy(capsys, connect):
    result = run(team, capsys, dict(connect, api_url="http://127.0.0.1:9", team_alias="a"))
    assert result["msg"].startswith("failed to read team 'a': cannot reach LiteLLM at http://127.0.0.1:9: ")


def test_api_error_carries_status_and_body(capsys, stub, connect):
    stub.routes = {("GET", "/team/info"): Reply(403, {"error": {"message": "not allowed", "code": "403"}})}
    result = run(team, capsys, dict(connect, team_id="t1"))
    assert result["msg"] == "failed to read team 't1': GET /team/info?team_id=t1 returned HTTP 403: not allowed"
    assert result["status"] == 403
    assert result["body"] == {"error": {"message": "not allowed", "code": "403"}}


def test_team_info_pages_through_every_team(capsys, stub, connect):
    Teams(stub, *({"team_id": "t%03d" % i, "team_alias": "team-%03d" % i} for i in range(150)))
    result = run(team_info, capsys, connect)
    assert len(result["teams"]) == 150
    assert [r.query["page"] for r in stub.requests] == ["1", "2"]


def test_team_info_by_alias_is_exact(capsys, stub, connect):
    Teams(stub, {"team_id": "t1", "team_alias": "ab"}, {"team_id": "t2", "team_alias": "abc"})
    assert [t["team_id"] for t in run(team_info, capsys, dict(connect, team_alias="ab"))["teams"]] == ["t1"]


def test_team_info_by_unknown_id_is_empty(capsys, stub, connect):
    Teams(stub)
    assert run(team_info, capsys, dict(connect, team_id="nope"))["teams"] == []
