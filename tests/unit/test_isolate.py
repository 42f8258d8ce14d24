"""``invalid: skip`` planning (gateway/isolate.py) and virtual keys declared with their value, against a given live
state (what LiteLLM's list endpoints return); nothing is sent. The integration test
(tests/integration/test_gateway_batch.py) runs the same paths against the real proxy.
"""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import key_hash
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import document as documents
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import isolate
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import plan as planning

VALUE = "sk-" + "a" * 22
TEAM = {"team_id": "t1", "team_alias": "research", "max_budget": 10.0, "metadata": {}}
CREDENTIAL = {"credential_name": "live-cred", "credential_info": {}}


def skip_plan(document: dict[str, Any], live: dict[str, list[dict[str, Any]]], policy: str = "preserve",
              key_dir: str | None = None, **scope: Any) -> planning.Plan:
    """The plan gateway_state makes with ``invalid: skip`` (no licence is needed by these documents)."""
    invalid: list[Any] = []
    declared = documents.parse_document(document, invalid)
    held = [isolate.held_item(*refused) for refused in invalid]
    return isolate.IsolatingPlanner(declared, live, documents.make_scope(document, **scope), policy, key_dir=key_dir,
                                    held=held).plan()


def entries(plan: planning.Plan) -> dict[str, dict[str, Any]]:
    return dict((i.where or f"{i.resource.kind} {i.name}", i.report(ran=True)) for i in plan.items + plan.unmanaged)


DOCUMENT = {
    "credentials": [{"credential_name": "bad cred ", "credential_values": {"api_key": "x"}}],
    "models": [
        {"model_name": "m-ok", "litellm_params": {"model": "openai/x", "litellm_credential_name": "live-cred"}},
        {"model_name": "m-held-cred", "litellm_params": {"model": "openai/x", "litellm_credential_name": "bad cred "}},
        {"model_name": "m-no-cred", "litellm_params": {"model": "openai/x", "litellm_credential_name": "nowhere"}},
    ],
    "teams": [
        {"team_alias": "research", "max_budget": 20},
        {"team_alias": "broke", "max_budget": "lots"},
        {"team_alias": "new-team"},
    ],
    "virtual_keys": [
        {"key_alias": "k-ok", "team_alias": "new-team", "key": VALUE},
        {"key_alias": "k-of-broke", "team_alias": "broke", "key": "sk-" + "b" * 22},
        {"key_alias": "k-of-nothing", "team_alias": "ghost", "key": "sk-" + "c" * 22},
    ],
}


def test_skip_a_user_rides_with_the_team_it_names_by_alias_and_waits_for_one_held_back_or_missing():
    users = [{"user_id": "u-new", "teams": ["new-team", "research"]}, {"user_id": "u-broke", "teams": ["broke"]},
             {"user_id": "u-ghost", "teams": ["ghost"]}]
    document = {"teams": DOCUMENT["teams"], "users": users}
    plan = skip_plan(document, {"team": [TEAM], "user": []})
    found = entries(plan)
    assert [(found[f"users[{i}]"]["action"], found[f"users[{i}]"].get("waiting_for")) for i in range(3)] == [
        ("create", None), ("none", "team 'broke'"), ("none", "team 'ghost'")]
    by_where = dict((i.where, i) for i in plan.items)
    assert by_where["users[0]"].parents == [by_where["teams[2]"]]
    assert by_where["users[0]"].params["teams"] == ["(known after apply: team 'new-team')", TEAM["team_id"]]
    assert found["users[2]"]["error"] == "users[2]: teams names a team 'ghost', which does not exist"


def test_skip_holds_back_the_invalid_objects_and_their_children_and_plans_the_rest():
    plan = skip_plan(DOCUMENT, {"team": [TEAM], "credential": [CREDENTIAL], "model": [], "virtual_key": []})
    found = entries(plan)
    statuses = dict((where, (e["action"], e.get("status"), e.get("waiting_for"))) for where, e in found.items())
    assert statuses == {
        "credentials[0]": ("none", "invalid", None),
        "models[0]": ("create", None, None),
        "models[1]": ("none", "waiting", "credential 'bad cred '"),
        "models[2]": ("none", "waiting", "credential 'nowhere'"),
        "teams[0]": ("update", None, None),
        "teams[1]": ("none", "invalid", None),
        "teams[2]": ("create", None, None),
        "virtual_keys[0]": ("create", None, None),
        "virtual_keys[1]": ("none", "waiting", "team 'broke'"),
        "virtual_keys[2]": ("none", "waiting", "team 'ghost'"),
        "credential live-cred": ("unmanaged", None, None),
    }
    assert found["credentials[0]"]["error"] == \
        "credentials[0]: credential_name must not begin or end with whitespace"
    assert "teams[1]: argument 'max_budget' is of type str" in found["teams[1]"]["error"]
    assert found["virtual_keys[1]"]["error"] == \
        "virtual_keys[1]: waits for team 'broke', which is invalid (teams[1])"
    assert found["virtual_keys[2]"]["error"] == "virtual_keys[2]: no team has team_alias 'ghost'"
    assert found["models[2]"]["error"] == \
        "models[2]: litellm_params.litellm_credential_name names a credential 'nowhere', which does not exist"
    assert sorted(i.where for i in plan.work) == ["models[0]", "teams[0]", "teams[2]", "virtual_keys[0]"]
    assert found["teams[0]"]["id"] == "t1" and found["teams[2]"]["id"] is None
    assert plan.summary() == {"create": 3, "update": 1, "invalid": 2, "waiting": 4, "unmanaged": 1}


def test_the_default_refuses_the_same_document_whole():
    with pytest.raises(ValidationError) as error:
        documents.parse_document(DOCUMENT)
    assert error.value.msg.startswith("credentials[0]: credential_name must not begin or end with whitespace")


def test_a_held_object_is_never_pruned_and_a_chain_waits_on_its_first_link():
    live = {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="other")], "virtual_key": []}
    document = {"teams": [{"team_alias": "research", "max_budget": "lots"}],
                "virtual_keys": [{"key_alias": "k", "team_alias": "research", "key": VALUE}]}
    plan = skip_plan(document, live, policy="prune")
    assert [(i.name, i.action) for i in plan.unmanaged] == [("other", "delete")]
    assert [i.where for i in plan.work] == [None]  # only the unmanaged team
    assert entries(plan)["virtual_keys[0]"]["waiting_for"] == "team 'research'"


def test_a_duplicate_is_invalid_and_the_first_declaration_is_planned():
    plan = skip_plan({"teams": [{"team_alias": "x"}, {"team_alias": "x", "max_budget": 1}]}, {"team": []})
    assert [(i.where, i.action, i.status) for i in plan.items] == [
        ("teams[0]", "create", None), ("teams[1]", "none", "invalid")]
    assert plan.items[1].error == "teams[1]: team_alias 'x' is declared twice (teams[0] declares it too)"


def test_a_key_declared_with_its_value_is_found_by_the_value_s_hash():
    live_key = {"token": key_hash(VALUE), "key_alias": "old-alias", "max_budget": 1.0, "metadata": {}}
    plan = skip_plan({"virtual_keys": [{"key_alias": "ci", "key": VALUE, "max_budget": 1}]},
                     {"virtual_key": [live_key]})
    item = plan.items[0]
    assert (item.action, item.object_id) == ("update", key_hash(VALUE))
    assert item.diff == [{"path": "key_alias", "desired": "ci", "live": "old-alias"}]
    again = skip_plan({"virtual_keys": [{"key_alias": "old-alias", "key": VALUE, "max_budget": 1}]},
                      {"virtual_key": [live_key]})
    assert again.items[0].action == "none"


def test_a_new_key_with_its_value_needs_no_key_file_and_shows_no_value():
    plan = skip_plan({"virtual_keys": [{"key_alias": "ci", "key": VALUE}]}, {"virtual_key": []})
    item = plan.items[0]
    assert (item.action, item.key_file) == ("create", None)
    assert VALUE not in repr(item.report()) and key_hash(VALUE) not in repr(item.report())
    without = skip_plan({"virtual_keys": [{"key_alias": "ci"}]}, {"virtual_key": []})
    assert without.items[0].status == "invalid" and "set key_dir" in without.items[0].error


@pytest.mark.parametrize("declared, live, message", [
    ({"key": "not-a-key-at-all-x"}, [], "virtual_keys[0]: key must start with sk-"),
    ({"key": "sk-short"}, [], "virtual_keys[0]: key must be at least 16 characters long"),
    ({"key": VALUE, "token": "0" * 64}, [], "virtual_keys[0]: token is not the hash of key"),
    ({"key": VALUE}, [{"token": "f" * 64, "key_alias": "ci"}],
     "virtual_keys[0]: virtual_key 'ci' exists with another value (its token is not the hash of key); "
     "gateway_state does not rotate keys"),
])
def test_a_key_value_that_cannot_be_used_is_refused_alone(declared, live, message):
    document = {"virtual_keys": [dict(key_alias="ci", **declared)], "teams": [{"team_alias": "fine"}]}
    plan = skip_plan(document, {"virtual_key": live, "team": []})
    key = next(i for i in plan.items if i.resource.kind == "virtual_key")
    assert key.status == "invalid" and key.error.startswith(message), key.error
    assert [i.where for i in plan.work] == ["teams[0]"]
    with pytest.raises(ValidationError) as error:  # and the default refuses the document
        planning.Planner(documents.parse_document(document), {"virtual_key": live, "team": []},
                         documents.make_scope(document), "preserve").plan()
    assert error.value.msg.startswith(message)


def test_the_secrets_of_an_object_refused_before_it_was_parsed_are_kept_for_no_log():
    invalid: list[Any] = []
    documents.parse_document({"virtual_keys": [{"key_alias": "k", "key": VALUE, "colour": "red"}],
                              "credentials": [{"credential_name": "c", "credential_values": {"api_key": "sk-up-1234"},
                                               "colour": "red"}]}, invalid)
    held = [isolate.held_item(*refused) for refused in invalid]
    assert [(i.where, i.status) for i in held] == [("credentials[0]", "invalid"), ("virtual_keys[0]", "invalid")]
    assert [i.params["_no_log"] for i in held] == [{"sk-up-1234"}, {VALUE}]


KEY = {"token": key_hash(VALUE), "key_alias": "k", "team_id": "t1"}


def test_a_deletion_its_cascade_refuses_is_held_back_alone_and_the_rest_applied():
    """The operator's finalizers ride one document: a team whose live key is not declared absent is not deleted
    (the sentence names the key), the other deletions and the objects declared present go on."""
    live = {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="empty")], "virtual_key": [KEY], "budget": []}
    document = {"budgets": [{"budget_id": "b", "max_budget": 1}],
                "teams": [{"team_id": "t1", "team_alias": "research", "state": "absent"},
                          {"team_alias": "empty", "state": "absent"}]}
    plan = skip_plan(document, live)
    assert [(i.where, i.action, i.status) for i in plan.items] == [
        ("budgets[0]", "create", None), ("teams[0]", "none", "invalid"), ("teams[1]", "delete", None)]
    assert plan.items[1].error.startswith("teams[0]: deleting team 'research' would, by LiteLLM's cascade, also take "
                                          "1 object not declared absent: virtual_key 'k' (deleted)")
    with pytest.raises(ValidationError, match="would, by LiteLLM's cascade"):
        planning.Planner(documents.parse_document(document), live, documents.make_scope(document), "preserve").plan()


def test_a_deletion_that_a_declared_object_belongs_to_is_held_back_and_its_children_go_first():
    live = {"team": [TEAM], "virtual_key": [KEY, dict(KEY, token="t-2", key_alias="k2")]}
    document = {"teams": [{"team_id": "t1", "team_alias": "research", "state": "absent"}],
                "virtual_keys": [{"key_alias": "k", "team_alias": "research", "key": VALUE},
                                 {"key_alias": "k2", "state": "absent"}]}
    plan = skip_plan(document, live)
    assert [(i.where, i.action, i.status) for i in plan.items] == [
        ("teams[0]", "none", "invalid"), ("virtual_keys[0]", "none", "waiting"), ("virtual_keys[1]", "delete", None)]
    assert "virtual_keys[0]: virtual_key 'k' is declared present, but it belongs to team 'research'" \
        in plan.items[0].error
    # both keys absent: the team goes, after them (the engine deletes kinds in reverse order)
    document["virtual_keys"][0] = {"key_alias": "k", "state": "absent"}
    plan = skip_plan(document, live)
    assert [(i.where, i.action) for i in plan.work] == [
        ("teams[0]", "delete"), ("virtual_keys[0]", "delete"), ("virtual_keys[1]", "delete")]


def test_a_key_declared_absent_takes_its_predecessors_as_the_module_does():
    """A predecessor of a rotation by succession (``<alias>.retiring-<until>``) would go on working, and would hold
    its team (LiteLLM's cascade): it goes with its key, also when the key itself is gone; another key's stays."""
    retiring = dict(KEY, token="t-old", key_alias="k.retiring-20991231T000000Z")
    other = dict(KEY, token="t-other", key_alias="k2.retiring-20991231T000000Z")
    live = {"team": [TEAM], "virtual_key": [KEY, retiring, other]}
    plan = skip_plan({"virtual_keys": [{"key_alias": "k", "state": "absent"}]}, live)
    assert sorted((i.name, i.action) for i in plan.work) == [("k", "delete"), ("k.retiring-20991231T000000Z", "delete")]
    plan = skip_plan({"virtual_keys": [{"key_alias": "k", "state": "absent"}]}, {"team": [TEAM], "virtual_key": [retiring]})
    assert [(i.name, i.action) for i in plan.work] == [("k.retiring-20991231T000000Z", "delete")]
