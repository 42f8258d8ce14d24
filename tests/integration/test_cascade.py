"""LiteLLM's cascades and partial writes, against the real LiteLLM proxy, through ansible-playbook.

What LiteLLM 1.106.2 does on a deletion (read in its code, and shown here): /team/delete deletes the team's keys
(and its own BYOK models); DELETE /credentials leaves the models that use the credential naming it; /budget/delete
leaves the budget's customers (and keys) without a budget (ON DELETE SET NULL). The modules and gateway_state refuse
such a deletion, naming the objects, unless ``cascade: true``; a document that keeps an object under a parent it
deletes is refused either way. Each refusal is shown to write nothing, counted at tests/lib/recording_proxy.py.

A run that fails after a write reports ``changed: true`` and what was written: the failure is LiteLLM's answer to
one chosen request, given by the recording proxy (``refuse``), every other request reaching the real LiteLLM.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.integration.test_gateway_state import KINDS, Play, by_name, prune_everything
from tests.lib.recording_proxy import RecordingProxy

CLEANED = tuple(k for k in KINDS if k != "organizations")  # an Enterprise kind: this proxy has no licence
REFUSED = (400, {"error": {"message": "refused by the test's recording proxy", "type": "bad_request", "code": "400"}})


@pytest.fixture
def prefix() -> str:
    return f"it_casc_{uuid.uuid4().hex[:8]}_"


@pytest.fixture
def key_dir(tmp_path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    return folder


@pytest.fixture
def cleanup(litellm_proxy, recorder, prefix, key_dir) -> Iterator[None]:
    yield
    recorder.refuse.clear()
    prune_everything(recorder, litellm_proxy.master_key, prefix, key_dir, CLEANED)


def module_step(play: Play, name: str, module: str, check: bool = False, **options: Any) -> None:
    play.mark(name)
    task = {"name": name, f"llmops.litellm.{module}": options, "ignore_errors": True, "diff": True}
    if check:
        task["check_mode"] = True
    play.tasks.append(task)


def keys_named(proxy: Any, alias: str) -> list[dict[str, Any]]:
    return proxy.api("GET", "/key/list", params={"key_alias": alias}).json()["keys"]


def models_named(proxy: Any, name: str) -> list[dict[str, Any]]:
    return proxy.api("GET", "/v2/model/info", params={"model": name}).json()["data"]


def test_gateway_team_deletion_that_would_take_a_key(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """The issue's case: a document deleting a team while declaring a key in it is refused; deleting a team whose
    live key the document does not mention is refused, naming the key; with ``cascade: true`` on the team the key
    goes with it, is reported (result and diff) and its key file is removed."""
    team, live_key, new_key = prefix + "team", prefix + "live", prefix + "new"
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    play.state("setup", {"teams": [{"team_alias": team}],
                         "virtual_keys": [{"key_alias": live_key, "team_alias": team}]})
    play.tasks.append({"name": "key file", "ansible.builtin.stat": {"path": str(key_dir / live_key)}})
    play.state("contradiction", {"teams": [{"team_alias": team, "state": "absent"}],
                                 "virtual_keys": [{"key_alias": new_key, "team_alias": team}]})
    play.state("refused", {"teams": [{"team_alias": team, "state": "absent"}]})
    play.state("check", {"teams": [{"team_alias": team, "state": "absent", "cascade": True}]}, check=True)
    play.state("cascade", {"teams": [{"team_alias": team, "state": "absent", "cascade": True}]})
    play.run()

    assert not play["setup"].get("failed"), play["setup"].get("msg")
    assert play["key file"]["stat"]["exists"] is True

    contradiction = play["contradiction"]
    assert contradiction.get("failed") and contradiction.get("changed") is not True
    assert contradiction["msg"] == (
        f"failed to plan the document: virtual_keys[0]: virtual_key '{new_key}' is declared present, but it belongs to team '{team}', which "
        "teams[0] declares absent (LiteLLM's cascade: deleted with it)")
    assert play.writes("contradiction") == []
    assert not (key_dir / new_key).exists()

    refused = play["refused"]
    assert refused.get("failed") and refused.get("changed") is not True
    assert refused["msg"] == (
        f"failed to plan the document: teams[0]: deleting team '{team}' would, by LiteLLM's cascade, also take 1 object not declared absent: "
        f"virtual_key '{live_key}' (deleted); declare it absent, or set cascade: true to let it go with it")
    assert play.writes("refused") == []

    check = play["check"]
    assert check["changed"] is True and not check.get("failed"), check.get("msg")
    assert by_name(check["changes"])[("virtual_key", live_key)] == {
        "kind": "virtual_key", "name": live_key, "action": "cascade", "changes": [
            {"path": "", "desired": None, "live": live_key}], "cascade_of": f"team '{team}'", "effect": "deleted",
        "id": "********"}  # a key's id is its token, kept out of every output
    assert play.writes("check") == []

    cascade = play["cascade"]
    assert cascade["changed"] is True and not cascade.get("failed"), cascade.get("msg")
    changes = by_name(cascade["changes"])
    assert changes[("team", team)]["status"] == "deleted"
    assert {"path": "cascade", "desired": None, "live": f"virtual_key '{live_key}' deleted"} in \
        changes[("team", team)]["changes"]
    assert changes[("virtual_key", live_key)]["status"] == "deleted"
    assert changes[("virtual_key", live_key)]["cascade_of"] == f"team '{team}'"
    diffs = {d["before_header"]: d for d in cascade["diff"]}
    assert diffs[f"virtual_key {live_key}"]["after"] == {} and diffs[f"virtual_key {live_key}"]["before"]
    assert play.writes("cascade") == [("POST", "/team/delete")]
    assert keys_named(litellm_proxy, live_key) == []
    assert not (key_dir / live_key).exists(), "the key file of a key deleted with its team was kept"


def test_gateway_credential_deletion_that_would_break_a_model(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """A document deleting a credential a model it declares uses is refused; so is one deleting a credential a live
    model uses; with the document's ``cascade: true`` the credential goes and the model, left naming it, is
    reported as changed with it."""
    cred, model = prefix + "cred", prefix + "model"
    model_doc = {"model_name": model, "litellm_params": {"model": "openai/gpt-4o", "mock_response": "hi",
                                                         "litellm_credential_name": cred}}
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    play.state("setup", {"credentials": [{"credential_name": cred, "credential_values": {"api_key": "sk-upstream"}}],
                         "models": [model_doc]})
    play.state("contradiction", {"credentials": [{"credential_name": cred, "state": "absent"}],
                                 "models": [model_doc]})
    play.state("refused", {"credentials": [{"credential_name": cred, "state": "absent"}]})
    play.state("cascade", {"credentials": [{"credential_name": cred, "state": "absent"}]}, cascade=True)
    play.run()

    assert not play["setup"].get("failed"), play["setup"].get("msg")
    contradiction = play["contradiction"]
    assert contradiction.get("failed")
    assert contradiction["msg"].startswith(f"failed to plan the document: models[0]: model '{model}' is declared present, but it belongs to "
                                           f"credential '{cred}', which credentials[0] declares absent")
    assert play.writes("contradiction") == []

    refused = play["refused"]
    assert refused.get("failed")
    assert f"model '{model}' (left naming a credential that no longer exists, so its requests fail)" in refused["msg"]
    assert refused["msg"].startswith(f"failed to plan the document: credentials[0]: deleting credential '{cred}' would, by LiteLLM's cascade")
    assert play.writes("refused") == []

    cascade = play["cascade"]
    assert cascade["changed"] is True and not cascade.get("failed"), cascade.get("msg")
    entry = by_name(cascade["changes"])[("model", model)]
    assert (entry["action"], entry["status"], entry["cascade_of"]) == ("cascade", "changed", f"credential '{cred}'")
    assert play.writes("cascade") == [("DELETE", f"/credentials/{cred}")]
    left = models_named(litellm_proxy, model)
    assert [m["litellm_params"].get("litellm_credential_name") for m in left] == [cred]  # LiteLLM's own behaviour


def test_gateway_budget_deletion_and_its_customers(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """Deleting a budget a live customer uses is refused, naming the customer; declaring the customer absent too is
    no cascade: both are deleted."""
    budget, customer = prefix + "budget", prefix + "cust"
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    play.state("setup", {"budgets": [{"budget_id": budget, "max_budget": 5}],
                         "customers": [{"user_id": customer, "budget_id": budget}]})
    play.state("refused", {"budgets": [{"budget_id": budget, "state": "absent"}]})
    play.state("both", {"budgets": [{"budget_id": budget, "state": "absent"}],
                        "customers": [{"user_id": customer, "state": "absent"}]})
    play.run()

    assert not play["setup"].get("failed"), play["setup"].get("msg")
    refused = play["refused"]
    assert refused.get("failed")
    assert refused["msg"] == (
        f"failed to plan the document: budgets[0]: deleting budget '{budget}' would, by LiteLLM's cascade, also take 1 object not declared absent: "
        f"customer '{customer}' (left without its budget: LiteLLM unsets its budget_id); declare it absent, or set "
        "cascade: true to let it go with it")
    assert play.writes("refused") == []
    both = play["both"]
    assert both["changed"] is True and not both.get("failed"), both.get("msg")
    assert [c["action"] for c in both["changes"]] == ["delete", "delete"]
    assert play.writes("both") == [("POST", "/customer/delete"), ("POST", "/budget/delete")]


def test_team_module_deletion_that_would_take_a_key(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """llmops.litellm.team state=absent refuses a team with a key, naming it, and writes nothing; check mode with
    cascade predicts the key's deletion; cascade: true deletes both and names the key in the result and the diff."""
    team, key = prefix + "team", prefix + "key"
    team_id = litellm_proxy.api("POST", "/team/new", json={"team_alias": team}).json()["team_id"]
    assert litellm_proxy.api("POST", "/key/generate", json={"team_id": team_id, "key_alias": key}).status_code == 200
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    module_step(play, "refused", "team", team_alias=team, state="absent")
    module_step(play, "check", "team", check=True, team_alias=team, state="absent", cascade=True)
    module_step(play, "cascade", "team", team_alias=team, state="absent", cascade=True)
    module_step(play, "again", "team", team_alias=team, state="absent", cascade=True)
    play.run()

    refused = play["refused"]
    assert refused.get("failed") and refused.get("changed") is not True
    assert refused["msg"] == (
        f"failed to delete team '{team}': it would, by LiteLLM's cascade, also take 1 object this "
        f"task does not delete: virtual_key '{key}' (deleted); delete it first, or set cascade: true to let it go "
        "with it")
    assert play.writes("refused") == []
    cascaded = [{"kind": "virtual_key", "name": key, "effect": "deleted"}]
    check = play["check"]
    assert (check["changed"], check["cascaded"]) == (True, cascaded)
    assert play.writes("check") == []
    cascade = play["cascade"]
    assert (cascade["changed"], cascade["cascaded"]) == (True, cascaded), cascade.get("msg")
    assert cascade["diff"]["before"]["cascaded"] == cascaded and cascade["diff"]["after"] == {}
    assert play.writes("cascade") == [("POST", "/team/delete")]
    assert keys_named(litellm_proxy, key) == []
    assert play["again"]["changed"] is False and "cascaded" not in play["again"]


def test_credential_module_deletion_that_would_break_a_model(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """llmops.litellm.credential state=absent refuses a credential a model uses, naming the model; with cascade the
    credential goes and the model is reported as left naming it."""
    cred, model = prefix + "cred", prefix + "model"
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    play.state("setup", {"credentials": [{"credential_name": cred, "credential_values": {"api_key": "sk-upstream"}}],
                         "models": [{"model_name": model, "litellm_params": {
                             "model": "openai/gpt-4o", "mock_response": "hi", "litellm_credential_name": cred}}]})
    module_step(play, "refused", "credential", credential_name=cred, state="absent")
    module_step(play, "cascade", "credential", credential_name=cred, state="absent", cascade=True)
    play.run()

    assert not play["setup"].get("failed"), play["setup"].get("msg")
    refused = play["refused"]
    assert refused.get("failed")
    assert f"model '{model}' (left naming a credential that no longer exists, so its requests fail)" in refused["msg"]
    assert play.writes("refused") == []
    cascade = play["cascade"]
    assert cascade["changed"] is True and cascade["cascaded"] == [{
        "kind": "model", "name": model,
        "effect": "left naming a credential that no longer exists, so its requests fail"}], cascade.get("msg")
    assert play.writes("cascade") == [("DELETE", f"/credentials/{cred}")]


def test_module_failure_after_a_write_reports_the_change(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """The issue's case: a user created whose team link then fails came back changed: false. Now: changed: true,
    and the result says what was written; the next run converges."""
    team, email = prefix + "team", prefix + "user@example.com"
    team_id = litellm_proxy.api("POST", "/team/new", json={"team_alias": team}).json()["team_id"]
    recorder.refuse[("POST", "/team/member_add")] = REFUSED
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    module_step(play, "partial", "user", user_email=email, teams=[team_id])
    play.run()
    partial = play["partial"]
    assert partial.get("failed") and partial["changed"] is True, partial
    assert partial["written"] == ["POST /user/new"]
    assert "already written before the failure: POST /user/new" in partial["msg"]
    assert [w[1] for w in play.writes("partial")] == ["/user/new", "/team/member_add"]
    users = litellm_proxy.api("GET", "/user/list", params={"user_email": email}).json()["users"]
    assert len(users) == 1 and team_id not in (users[0].get("teams") or [])

    recorder.refuse.clear()
    again = Play(recorder, litellm_proxy.master_key, key_dir)
    module_step(again, "converge", "user", user_email=email, teams=[team_id])
    module_step(again, "converged", "user", user_email=email, teams=[team_id])
    again.run()
    assert again["converge"]["changed"] is True and not again["converge"].get("failed"), again["converge"]
    assert again["converged"]["changed"] is False
    assert [w[1] for w in again.writes("converge")] == ["/team/member_add"]
    litellm_proxy.api("POST", "/user/delete", json={"user_ids": [users[0]["user_id"]]})


def test_gateway_failure_mid_document_reports_what_was_written(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """A document whose user is created but whose team link then fails, beside a team that is created: the run fails,
    with changed: true, the team reported created and the user failed with the write LiteLLM accepted for it."""
    team, new_team, email = prefix + "team", prefix + "team2", prefix + "user@example.com"
    team_id = litellm_proxy.api("POST", "/team/new", json={"team_alias": team}).json()["team_id"]
    recorder.refuse[("POST", "/team/member_add")] = REFUSED
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    document = {"teams": [{"team_alias": new_team}], "users": [{"user_email": email, "teams": [team_id]}]}
    play.state("partial", document)
    play.run()
    partial = play["partial"]
    assert partial.get("failed") and partial["changed"] is True, partial.get("msg")
    changes = by_name(partial["changes"])
    assert changes[("team", new_team)]["status"] == "created"
    assert changes[("user", email)]["status"] == "failed"
    assert changes[("user", email)]["written"] == ["POST /user/new"]
    assert "already written before the failure: POST /user/new" in changes[("user", email)]["error"]
    assert "2 objects were written before or beside the failure" in partial["msg"]

    recorder.refuse.clear()
    again = Play(recorder, litellm_proxy.master_key, key_dir)
    again.state("converge", document)
    again.state("converged", document)
    again.run()
    assert not again["converge"].get("failed"), again["converge"].get("msg")
    assert [(c["kind"], c["action"]) for c in again["converge"]["changes"]] == [("user", "update")]
    assert again["converged"]["changed"] is False
    users = litellm_proxy.api("GET", "/user/list", params={"user_email": email}).json()["users"]
    litellm_proxy.api("POST", "/user/delete", json={"user_ids": [u["user_id"] for u in users]})


def test_user_module_deletion_that_would_take_a_key(litellm_proxy, recorder, prefix, key_dir, cleanup):
    """llmops.litellm.user state=absent: LiteLLM deletes a user's keys with the user; refused, then opted in."""
    email, key = prefix + "user@example.com", prefix + "key"
    user_id = litellm_proxy.api("POST", "/user/new", json={"user_email": email, "auto_create_key": False}).json()[
        "user_id"]
    assert litellm_proxy.api("POST", "/key/generate", json={"user_id": user_id, "key_alias": key}).status_code == 200
    play = Play(recorder, litellm_proxy.master_key, key_dir)
    module_step(play, "refused", "user", user_email=email, state="absent")
    module_step(play, "cascade", "user", user_email=email, state="absent", cascade=True)
    play.run()

    refused = play["refused"]
    assert refused.get("failed") and f"virtual_key '{key}' (deleted)" in refused["msg"], refused.get("msg")
    assert play.writes("refused") == []
    cascade = play["cascade"]
    assert cascade["cascaded"] == [{"kind": "virtual_key", "name": key, "effect": "deleted"}], cascade.get("msg")
    assert play.writes("cascade") == [("POST", "/user/delete")]
    assert keys_named(litellm_proxy, key) == []


def test_gateway_organization_deletion_that_would_take_teams_and_keys(litellm_proxy_premium, prefix, key_dir):
    """Organizations (a LiteLLM Enterprise feature): the premium twin. LiteLLM deletes an organization's teams and
    the keys of its teams (they carry its organization_id) with it: refused, naming both; then let go by pruning
    with ``cascade: true``, which names them and removes the key file."""
    proxy = litellm_proxy_premium
    org, team, key = prefix + "org", prefix + "team", prefix + "key"
    with RecordingProxy(proxy.url) as recorder:
        try:
            play = Play(recorder, proxy.master_key, key_dir)
            play.state("setup", {"organizations": [{"organization_alias": org}],
                                 "teams": [{"team_alias": team, "organization_alias": org}],
                                 "virtual_keys": [{"key_alias": key, "team_alias": team}]})
            play.state("refused", {"organizations": [{"organization_alias": org, "state": "absent"}]})
            play.state("pruned", {"organizations": []}, scope={"name_prefix": prefix}, unmanaged="prune",
                       cascade=True)
            play.run()

            assert not play["setup"].get("failed"), play["setup"].get("msg")
            refused = play["refused"]
            assert refused.get("failed")
            assert refused["msg"] == (
                f"failed to plan the document: organizations[0]: deleting organization '{org}' would, by LiteLLM's "
                f"cascade, also take 2 objects not declared absent: team '{team}' (deleted), virtual_key '{key}' "
                "(deleted); declare them absent, or set cascade: true to let them go with it")
            assert play.writes("refused") == []
            pruned = play["pruned"]
            assert pruned["changed"] is True and not pruned.get("failed"), pruned.get("msg")
            assert {(c["kind"], c["name"], c["action"], c.get("status")) for c in pruned["changes"]} == {
                ("organization", org, "delete", "deleted"), ("team", team, "cascade", "deleted"),
                ("virtual_key", key, "cascade", "deleted")}
            assert play.writes("pruned") == [("DELETE", "/organization/delete")]
            assert keys_named(proxy, key) == []
            assert not (key_dir / key).exists()
        finally:
            prune_everything(recorder, proxy.master_key, prefix, key_dir)
