"""The bulk engine's pure parts: parsing a document, planning against a given live state, exporting, manifests.

The live state here is what LiteLLM's list endpoints return (shaped as the specs read it); nothing is sent. The
integration tests (tests/integration/test_gateway_state.py) run the same paths against the real proxy.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils.gateway import document as documents
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import export as exporting
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import manifests as crs
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import plan as planning
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError


KEYS = tempfile.gettempdir()  # an existing directory: where new keys' values would go


def plan(document: dict[str, Any], live: dict[str, list[dict[str, Any]]], policy: str = "preserve",
         key_dir: str | None = KEYS, **scope: Any) -> planning.Plan:
    declared = documents.parse_document(document)
    return planning.Planner(declared, live, documents.make_scope(document, **scope), policy, key_dir=key_dir).plan()


def actions(result: planning.Plan) -> dict[str, str]:
    return dict((f"{i.resource.kind} {i.name}", i.action) for i in result.items + result.unmanaged)


TEAM = {"team_id": "t1", "team_alias": "research", "max_budget": 10.0, "metadata": {"a": 1},
        "members_with_roles": [{"user_id": "u1", "user_email": "a@example.com", "role": "admin"}]}
KEY = {"token": "h1", "key_alias": "ci", "team_id": "t1", "max_budget": 2.0, "metadata": {}}


@pytest.mark.parametrize("document, message", [
    ({"widgets": []}, "unknown kind widgets in the document"),
    ({"teams": {}}, "teams must be a list of objects"),
    ({"teams": ["research"]}, "teams[0] must be a mapping of options"),
    ({"teams": [{"team_alias": "x", "colour": "red"}]}, "teams[0]: unsupported option colour for a team"),
    ({"teams": [{"team_alias": "x", "max_budget": "lots"}]}, "max_budget"),
    ({"teams": [{"team_alias": "x", "max_budget": -1}]}, "teams[0]: max_budget must be >= 0, got -1"),
    ({"teams": [{"models": ["a"]}]}, "teams[0]: one of the following is required: team_alias, team_id"),
    ({"virtual_keys": [{"key_alias": "k", "regenerate": True}]}, "virtual_keys[0]: regenerate not allowed"),
    ({"virtual_keys": [{"key_alias": "k", "team_id": "t", "team_alias": "r"}]},
     "mutually exclusive: team_id|team_alias"),
    ({"customers": [{"user_id": "c", "budget_id": "b", "max_budget": 1}]}, "mutually exclusive: budget_id|max_budget"),
    ({"tags": [{"description": "no name"}]}, "tags[0]: name is required"),
])
def test_bad_documents_fail_naming_the_object_and_the_option(document, message):
    with pytest.raises(ValidationError) as error:
        documents.parse_document(document)
    assert message in error.value.msg


def test_placeholders_are_dropped_whole_or_per_key():
    params, dropped = documents.drop_placeholders({
        "credential_values": "llmops-secret/X", "credential_info": {"a": 1, "b": "llmops-secret/Y"}, "name": "n"})
    assert params == {"credential_info": {"a": 1}, "name": "n"}
    assert dropped == ["credential_values", "credential_info.b"]


def test_a_placeholder_cannot_create_what_needs_the_secret():
    with pytest.raises(ValidationError) as error:
        plan({"credentials": [{"credential_name": "c", "credential_values": "llmops-secret/C"}]}, {"credential": []})
    assert "credential_values is required to create a credential (a placeholder cannot create it" in error.value.msg


def test_plan_create_update_delete_and_nothing():
    live = {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="old")], "virtual_key": [KEY]}
    document = {"teams": [{"team_alias": "research", "max_budget": 20}, {"team_alias": "new"},
                          {"team_alias": "old", "state": "absent"}],
                "virtual_keys": [{"key_alias": "ci", "team_alias": "research", "max_budget": 2}]}
    result = plan(document, live)
    assert actions(result) == {"team research": "update", "team new": "create", "team old": "delete",
                               "virtual_key ci": "none"}
    research = result.items[0]
    assert research.diff == [{"path": "max_budget", "desired": 20.0, "live": 10.0}]
    assert research.changes == {"max_budget": 20}


def test_dict_options_are_diffed_per_key_and_members_per_member():
    document = {"teams": [{"team_alias": "research", "metadata": {"a": 2, "b": 3},
                           "members": [{"user_email": "a@example.com", "role": "user"},
                                       {"user_email": "b@example.com"}]}]}
    item = plan(document, {"team": [TEAM]}).items[0]
    assert item.diff == [
        {"path": "metadata.a", "desired": 2, "live": 1},
        {"path": "metadata.b", "desired": 3, "live": None},
        {"path": "members[user_email=b@example.com]", "desired": "user", "live": None},
        {"path": "members[user_email=a@example.com]", "desired": "user", "live": "admin"},
    ]


def test_a_reference_to_a_parent_created_by_the_same_run_awaits_its_id_and_makes_it_a_parent():
    document = {"teams": [{"team_alias": "new"}], "virtual_keys": [{"key_alias": "k", "team_alias": "new"}]}
    result = plan(document, {"team": [], "virtual_key": []})
    team, key = result.items
    assert key.parents == [team] and key.awaiting == {"team_id": team}
    assert {"path": "team_id", "desired": planning.KNOWN_AFTER_APPLY, "live": None} in key.diff
    assert key.key_file == os.path.join(KEYS, "k")


USER = {"user_id": "u1", "user_email": "a@example.com", "teams": ["t1"]}


def test_a_user_s_teams_by_alias_resolve_to_ids_and_a_new_team_is_a_parent_known_after_apply():
    live = {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="other")], "user": [USER]}
    same = plan({"users": [{"user_id": "u1", "teams": ["research"]}]}, live).items[0]
    assert (same.action, same.diff, same.params["teams"]) == ("none", [], ["t1"])  # ids compared with ids
    document = {"teams": [{"team_alias": "new"}],
                "users": [{"user_id": "u1", "teams": ["research", "t2", "new"]}, {"user_id": "u2", "teams": ["new"]}]}
    result = plan(document, live)
    team, user, created = result.items
    stand_in = "(known after apply: team 'new')"
    assert user.parents == [team] and user.stand_ins == {stand_in: team} and created.parents == [team]
    assert user.diff == [{"path": "teams", "desired": sorted(["t1", "t2", stand_in]), "live": ["t1"]}]
    assert created.action == "create" and created.params["teams"] == [stand_in]
    team.object_id = "t-new"  # as its create sets it
    user.fill_in()
    assert [(link.name, p.add) for link, p in user.links] == [("teams", ["t-new", "t2"])]


def test_a_user_s_team_named_by_nothing_or_by_an_alias_two_teams_have_is_refused_before_any_write():
    live = {"team": [TEAM, dict(TEAM, team_id="t2")], "user": []}
    with pytest.raises(ValidationError) as error:
        plan({"users": [{"user_id": "u1", "teams": ["research"]}]}, live)
    assert error.value.msg == ("users[0]: teams names a team 'research', which 2 teams have (team_id t1, t2): name "
                               "it by its team_id")
    with pytest.raises(ValidationError) as error:
        plan({"users": [{"user_id": "u1", "teams": ["nowhere"]}]}, live)
    assert error.value.msg == "users[0]: teams names a team 'nowhere', which does not exist"
    gone = plan({"teams": [{"team_alias": "other", "state": "absent"}], "users": [{"user_id": "u1", "teams": ["t1"]}]},
                {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="other")], "user": []})
    assert gone.items[1].params["teams"] == ["t1"]
    with pytest.raises(ValidationError) as error:
        plan({"teams": [{"team_alias": "other", "state": "absent"}], "users": [{"user_id": "u1", "teams": ["other"]}]},
             {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="other")], "user": []})
    assert error.value.msg == "users[0]: teams names a team 'other', which does not exist"


def test_a_new_key_s_file_must_go_to_an_existing_directory(tmp_path: Path) -> None:
    document = {"virtual_keys": [{"key_alias": "k"}]}
    with pytest.raises(ValidationError) as error:
        plan(document, {"virtual_key": []}, key_dir=str(tmp_path / "missing"))
    assert error.value.msg == (f"virtual_keys[0]: the new key's value goes to {tmp_path}/missing/k, but "
                               f"{tmp_path}/missing is not an existing directory")
    assert plan(document, {"virtual_key": []}, key_dir=str(tmp_path)).items[0].key_file == str(tmp_path / "k")


def test_a_reference_to_nothing_and_a_new_key_without_a_key_dir_fail_before_any_write():
    with pytest.raises(ValidationError) as error:
        plan({"virtual_keys": [{"key_alias": "k", "team_alias": "nowhere"}]}, {"team": [], "virtual_key": []})
    assert "virtual_keys[0]: no team has team_alias 'nowhere'" in error.value.msg
    with pytest.raises(ValidationError) as error:
        plan({"virtual_keys": [{"key_alias": "k"}]}, {"virtual_key": []}, key_dir=None)
    assert "set key_dir (or the key's key_file)" in error.value.msg


def test_a_model_names_its_credential_and_a_customer_its_budget_as_parents():
    document = {"credentials": [{"credential_name": "c", "credential_values": {"api_key": "x"}}],
                "models": [{"model_name": "m",
                            "litellm_params": {"model": "openai/x", "litellm_credential_name": "c"}}],
                "budgets": [{"budget_id": "b"}], "customers": [{"user_id": "u", "budget_id": "b"}]}
    result = plan(document, {"credential": [], "model": [], "budget": [], "customer": []})
    by_kind = dict((i.resource.kind, i) for i in result.items)
    assert by_kind["model"].parents == [by_kind["credential"]]
    assert by_kind["customer"].parents == [by_kind["budget"]]


def test_declaring_an_object_twice_or_matching_two_live_ones_fails():
    with pytest.raises(ValidationError) as error:
        plan({"teams": [{"team_alias": "x"}, {"team_alias": "x"}]}, {"team": []})
    assert "teams[1]: team_alias 'x' is declared twice (teams[0] declares it too)" in error.value.msg
    with pytest.raises(ValidationError) as error:
        plan({"teams": [{"team_alias": "research"}]}, {"team": [TEAM, dict(TEAM, team_id="t9")]})
    assert "2 teams exist with team_alias 'research' (team_id t1, t9)" in error.value.msg


@pytest.mark.parametrize("policy, scope, expected", [
    ("preserve", {}, {"team research": "none", "team other": "unmanaged", "team it-x": "unmanaged"}),
    ("adopt", {}, {"team research": "none", "team other": "adopt", "team it-x": "adopt"}),
    ("prune", {}, {"team research": "none", "team other": "delete", "team it-x": "delete"}),
    ("prune", {"name_prefix": "it-"}, {"team research": "none", "team it-x": "delete"}),
    ("prune", {"owner": "me"}, {"team research": "update", "team it-x": "delete"}),
    ("prune", {"kinds": ["virtual_keys"]}, {"team research": "none"}),
])
def test_objects_not_declared_follow_the_policy_within_the_scope(policy, scope, expected):
    live = {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="other"),
                     dict(TEAM, team_id="t3", team_alias="it-x", metadata={"llmops_owner": "me"})],
            "virtual_key": []}
    assert actions(plan({"teams": [{"team_alias": "research"}]}, live, policy, **scope)) == expected


def test_excluded_objects_and_predecessors_of_declared_keys_are_never_unmanaged():
    """scope.exclude (by natural key or id) and a rotation's predecessor (<alias>.retiring-<until>) of a key declared
    present, or excluded, are neither reported nor pruned; a predecessor of a key nobody declares is pruned."""
    retiring = ".retiring-20270101T120000Z"
    live = {"team": [TEAM, dict(TEAM, team_id="t2", team_alias="other"), dict(TEAM, team_id="t3", team_alias="ui")],
            "virtual_key": [KEY, dict(KEY, token="h2", key_alias="ci" + retiring),
                            dict(KEY, token="h3", key_alias="kept"), dict(KEY, token="h4", key_alias="kept" + retiring),
                            dict(KEY, token="h5", key_alias="gone" + retiring),
                            dict(KEY, token="h6", key_alias="ci.retiring-not-a-time")]}
    document = {"teams": [{"team_alias": "research"}], "virtual_keys": [{"key_alias": "ci", "team_id": "t1"}]}
    result = plan(document, live, "prune", exclude={"teams": ["t3"], "virtual_keys": ["kept"]})
    assert actions(result) == {"team research": "none", "virtual_key ci": "none", "team other": "delete",
                               "virtual_key gone" + retiring: "delete", "virtual_key ci.retiring-not-a-time": "delete"}
    everything = actions(plan(document, live, "prune"))
    assert everything["team ui"] == everything["virtual_key kept"] == everything["virtual_key kept" + retiring] == "delete"
    assert "virtual_key ci" + retiring not in everything, "the predecessor of a declared key"
    users = {"user": [{"user_id": "default_user_id"}, {"user_id": "u9", "user_email": "u9@example.com"}]}
    assert actions(plan({"users": []}, users, "prune")) == {"user u9@example.com": "delete"}, "LiteLLM's own user"
    absent = dict(document, virtual_keys=[{"key_alias": "ci", "state": "absent"}])
    assert actions(plan(absent, live, "prune"))["virtual_key ci" + retiring] == "delete", "its key is declared absent"


@pytest.mark.parametrize("exclude, message", [
    ({"widgets": ["a"]}, "scope.exclude: unknown kind widgets"),
    ({"teams": "a"}, "scope.exclude.teams: must be a list of natural keys or ids"),
])
def test_an_invalid_exclusion_is_refused_in_one_sentence(exclude, message):
    with pytest.raises(ValidationError) as error:
        documents.make_scope({"teams": []}, exclude=exclude)
    assert message in error.value.msg


def test_the_owner_marker_is_added_to_the_metadata_and_keeps_its_other_keys():
    item = plan({"teams": [{"team_alias": "research"}]}, {"team": [TEAM]}, owner="me").items[0]
    assert item.diff == [{"path": "metadata.llmops_owner", "desired": "me", "live": None}]
    assert item.changes == {"metadata": {"a": 1, "llmops_owner": "me"}}


def test_objects_from_the_config_file_are_never_changed_nor_pruned():
    config_model = {"model_id": "m1", "model_name": "cfg", "model": "openai/x",
                    "litellm_params": {"model": "openai/x"}, "model_info": {"id": "m1", "db_model": False}}
    result = plan({"models": []}, {"model": [config_model]}, "prune")
    assert actions(result) == {"model cfg": "unmanaged"}
    with pytest.raises(ValidationError) as error:
        plan({"models": [{"model_name": "cfg", "blocked": True}]}, {"model": [config_model]})
    assert "cannot change model 'cfg': it is defined in the proxy's config file" in error.value.msg


def test_export_names_parents_by_alias_and_leaves_secrets_as_placeholders():
    live = {"team": [TEAM], "virtual_key": [KEY],
            "credential": [{"credential_name": "c", "credential_info": {"tier": "a"}}],
            "model": [{"model_id": "m1", "model_name": "m", "model": "openai/x",
                       "litellm_params": {"model": "openai/x"},
                       "model_info": {"id": "m1", "db_model": True, "mode": "chat", "input_cost_per_token": 1,
                                      "team": "x", "llmops_references": {"api_key": "os.environ/K"}}}]}
    document = exporting.export_document(live, ["teams", "virtual_keys", "credentials", "models"])
    assert document["virtual_keys"] == [{"key_alias": "ci", "team_alias": "research", "max_budget": 2.0}]
    assert document["credentials"] == [{"credential_name": "c",
                                        "credential_values": "llmops-secret/CREDENTIAL_C_CREDENTIAL_VALUES",
                                        "credential_info": {"tier": "a"}}]
    assert document["models"] == [{"model_name": "m", "model_id": "m1", "litellm_params": {"model": "openai/x"},
                                   "provider_api_key": "os.environ/K", "model_info": {"team": "x"}}]
    assert "team_id" not in document["teams"][0]


def test_an_export_planned_against_its_own_live_state_changes_nothing():
    live = {"team": [TEAM], "virtual_key": [KEY], "credential": [{"credential_name": "c"}]}
    document = exporting.export_document(live, ["teams", "virtual_keys", "credentials"])
    result = plan(document, live)
    assert set(actions(result).values()) == {"none"}


def test_manifests_use_the_operator_kinds_and_palenaai_field_names():
    """Budgets are int-or-string in the CRDs: a whole number is rendered as a number, anything else as a string."""
    document = {"teams": [{"team_alias": "Research Team", "organization_alias": "acme", "max_budget": 5.0,
                           "budget_duration": "30d", "members": [{"user_email": "a@example.com", "role": "admin"}]}],
                "virtual_keys": [{"key_alias": "ci", "team_alias": "Research Team", "max_budget": 2.5}],
                "models": [{"model_name": "gpt", "litellm_params": {"model": "openai/gpt", "api_base": "https://x",
                                                                    "litellm_credential_name": "openai"}}],
                "tags": [{"name": "paid"}]}
    found = crs.manifests(document, "gw", "ns")
    assert [m["kind"] for m in found] == ["LiteLLMModel", "LiteLLMTeam", "LiteLLMVirtualKey"]
    model, team, key = found
    assert team == {"apiVersion": "litellm.llmops.dev/v1alpha1", "kind": "LiteLLMTeam",
                    "metadata": {"name": "research-team", "namespace": "ns"},
                    "spec": {"instanceRef": {"name": "gw"}, "teamAlias": "Research Team",
                             "organizationRef": {"name": "acme"}, "maxBudget": 5, "budgetDuration": "30d",
                             "members": [{"email": "a@example.com", "role": "admin"}]}}
    assert key["spec"] == {"instanceRef": {"name": "gw"}, "keyAlias": "ci", "teamRef": {"name": "research-team"},
                           "maxBudget": "2.5"}
    assert model["spec"]["litellmParams"] == {"model": "openai/gpt", "apiBase": "https://x",
                                              "credentialRef": {"name": "openai"}}


def test_manifests_camelcase_the_keys_a_kind_declares_spec_fields():
    """An agent's object_permission and a toolset's tools have keys that are spec fields too (``camel_keys`` of the
    kinds' CRMap); other dicts (an agent card) keep LiteLLM's keys."""
    document = {"agents": [{"agent_name": "a", "object_permission": {"mcp_servers": ["s"], "mcp_access_groups": ["g"]},
                            "agent_card_params": {"default_input_modes": ["text"]}}],
                "mcp_toolsets": [{"toolset_name": "t", "tools": [{"server_id": "s1", "tool_name": "read"}]}]}
    toolset, agent = crs.manifests(document, "gw")
    assert toolset["spec"]["tools"] == [{"serverId": "s1", "toolName": "read"}]
    assert agent["spec"]["objectPermission"] == {"mcpServers": ["s"], "mcpAccessGroups": ["g"]}
    assert agent["spec"]["agentCardParams"] == {"default_input_modes": ["text"]}


@pytest.mark.parametrize("name, expected", [("Research Team", "research-team"), ("a_b@example.com", "a-b-example-com"),
                                            ("-x-", "x"), ("ü", "object"), ("x" * 80, "x" * 63)])
def test_cr_names_are_dns_labels(name, expected):
    assert crs.cr_name(name) == expected


def test_documents_from_several_files_are_concatenated_per_kind(tmp_path):
    (tmp_path / "a.yml").write_text("teams:\n  - team_alias: a\n")
    (tmp_path / "b.json").write_text('{"teams": [{"team_alias": "b"}], "users": []}')
    (tmp_path / "notes.txt").write_text("ignored")
    import yaml
    found = documents.read_documents([str(tmp_path)], yaml.safe_load)
    assert documents.merge_documents(found) == {"teams": [{"team_alias": "a"}, {"team_alias": "b"}], "users": []}
    with pytest.raises(ValidationError) as error:
        documents.merge_documents([("x.yml", {"teams": {"team_alias": "a"}})])
    assert "x.yml: teams must be a list of objects" in error.value.msg


def test_export_leaves_out_what_cannot_be_declared_and_applies_each_kinds_own_rules():
    live = {"team": [TEAM, dict(TEAM, team_id="t-no-alias", team_alias=None)],
            "virtual_key": [KEY, dict(KEY, token="h2", key_alias=None)],
            "budget": [{"budget_id": "shared", "max_budget": 5.0}],
            "customer": [{"user_id": "c1", "budget_id": "shared", "litellm_budget_table": {"max_budget": 5.0}},
                         {"user_id": "c2", "litellm_budget_table": {"max_budget": 7.0}}],
            "credential": [{"credential_name": "c"}],
            "model": [{"model_id": "m1", "model_name": "m", "model": "openai/x",
                       "litellm_params": {"model": "openai/x", "litellm_credential_name": "c"},
                       "model_info": {"id": "m1", "db_model": True, "mode": "chat"}}],
            "guardrail": [{"guardrail_id": "g1", "guardrail_name": "g",
                           "litellm_params": {"guardrail": "presidio", "mode": "pre_call", "api_key": "sk****yz"}}]}
    document = exporting.export_document(live, ["teams", "virtual_keys", "budgets", "customers", "credentials",
                                                "models", "guardrails"])
    # a team and a key without a natural key have an id LiteLLM generates: a document could not name them
    assert [t["team_alias"] for t in document["teams"]] == ["research"]
    assert [k["key_alias"] for k in document["virtual_keys"]] == ["ci"]
    # a customer's shared budget carries its limits; a customer's own budget is exported with the customer
    assert document["customers"] == [{"user_id": "c1", "budget_id": "shared"}, {"user_id": "c2", "max_budget": 7.0}]
    # a model keyed by a credential has no provider key placeholder, and no model_info of LiteLLM's cost map
    assert document["models"] == [{"model_name": "m", "model_id": "m1",
                                   "litellm_params": {"model": "openai/x", "litellm_credential_name": "c"}}]
    # a guardrail's secret parameters show, masked, as placeholders in litellm_params only
    (guardrail,) = document["guardrails"]
    assert "secret_litellm_params" not in guardrail
    assert guardrail["provider_api_key"] == "llmops-secret/GUARDRAIL_G_PROVIDER_API_KEY"
