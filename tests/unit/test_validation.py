"""The checks made before any write, as pure functions: formats, names, rules, objects named, duplicates."""

from __future__ import annotations

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._checks import ensure_names_exist
from ansible_collections.llmops.litellm.plugins.module_utils._formats import format_problem, stringified
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Field
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import parse_document
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_KIND, KINDS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM

GOOD = [
    ("name", "research"), ("name", "a b"), ("name", "x"),
    ("email", "a@example.com"), ("email", "first.last+tag@sub.example.org"),
    ("url", "http://127.0.0.1:9"), ("url", "https://mcp.example.com/mcp"), ("url", "os.environ/API_BASE"),
    ("duration", "30d"), ("duration", "1mo"), ("duration", "24h"), ("duration", "15m"), ("duration", "30s"),
    ("duration", "2w"), ("duration", "60"), ("duration", "monthly"), ("duration", "Daily"),
    ("duration", ""), ("url", ""),
]
BAD = [
    ("name", "", "must not be empty"),
    ("name", "  ", "must not be only whitespace"),
    ("name", "\t", "must not be only whitespace"),
    ("name", " x", "must not begin or end with whitespace"),
    ("name", "x\n", "must not begin or end with whitespace"),
    ("name", "['a', 'b']", "must be a string, not a list"),
    ("name", "{'a': 1}", "must be a string, not a mapping"),
    ("email", "", "must not be empty"),
    ("email", "nope", "must be an email address (name@domain), got 'nope'"),
    ("email", "a@", "must be an email address"),
    ("email", "@b", "must be an email address"),
    ("email", "a@b@c", "must be an email address"),
    ("email", "a b@c", "must be an email address"),
    ("email", "['a@b']", "must be a string, not a list"),
    ("url", "localhost:8080", "must be an http:// or https:// URL, got 'localhost:8080'"),
    ("url", "ftp://x", "must be an http:// or https:// URL"),
    ("url", "http://", "must be an http:// or https:// URL"),
    ("url", "/v1", "must be an http:// or https:// URL"),
    ("url", " http://x", "must be an http:// or https:// URL"),
    ("duration", "30 days", "must be a duration such as 30s"),
    ("duration", "1y", "must be a duration"),
    ("duration", "-1d", "must be a duration"),
    ("duration", "1.5d", "must be a duration"),
    ("duration", "d30", "must be a duration"),
]


@pytest.mark.parametrize("fmt,value", GOOD)
def test_good_values_pass_their_format(fmt, value):
    assert format_problem(fmt, value) is None


@pytest.mark.parametrize("fmt,value,reason", BAD)
def test_bad_values_get_the_reason(fmt, value, reason):
    assert reason in (format_problem(fmt, value) or "")


def test_stringified_only_for_what_ansible_made_of_a_list_or_mapping():
    assert stringified("['a', 'b']") == "a list"
    assert stringified("{'a': 1}") == "a mapping"
    assert stringified("[draft] notes") is None
    assert stringified("(beta)") is None
    assert stringified(["a"]) is None


def test_natural_keys_and_ids_of_every_kind_are_names_and_durations_are_durations():
    for resource in KINDS:
        for name in (resource.key_field, resource.id_field):
            field = resource.by_name[name]
            assert field.format in ("name", "email"), (resource.kind, name)
    assert BY_KIND["user"].by_name["user_email"].format == "email"
    assert TEAM.by_name["budget_duration"].format == "duration"
    assert TEAM.by_name["team_member_key_duration"].format == "duration"
    assert Field("budget_duration", "dict").format is None
    assert BY_KIND["mcp_server"].by_name["url"].format == "url"


def test_a_no_log_id_is_refused_without_its_value():
    with pytest.raises(ValidationError) as error:
        BY_KIND["virtual_key"].desired({"token": " sk-secret-value"})
    assert error.value.msg == "token must not begin or end with whitespace"


def test_default_team_member_models_must_be_models_of_the_team():
    assert TEAM.desired({"models": ["a", "b"], "default_team_member_models": ["b"]})
    assert TEAM.desired({"models": [], "default_team_member_models": ["z"]})  # no models: all of them
    assert TEAM.desired({"default_team_member_models": ["z"]})
    with pytest.raises(ValidationError) as error:
        TEAM.desired({"models": ["a"], "default_team_member_models": ["c", "a", "b"]})
    assert error.value.msg == "default_team_member_models must be a subset of models: b, c are not in models"


def test_members_are_validated_with_the_object():
    with pytest.raises(ValidationError) as error:
        TEAM.desired({"team_alias": "t", "members": [{"user_id": None, "user_email": "", "role": "user"}]})
    assert error.value.msg == "members[0].user_email must not be empty"
    with pytest.raises(ValidationError) as error:
        TEAM.desired({"team_alias": "t", "members": [{"user_id": "u", "user_email": None, "role": "user"},
                                                     {"user_id": "u", "user_email": None, "role": "admin"}]})
    assert error.value.msg == "members lists user_id=u twice"


@pytest.mark.parametrize("kind,desired,option,target", [
    ("model", {"litellm_params": {"model": "x", "litellm_credential_name": "c"}},
     "litellm_params.litellm_credential_name", "a credential 'c'"),
    ("tag", {"models": ["m"]}, "models", "a model 'm'"),
    ("access_group", {"access_model_names": ["m"]}, "access_model_names", "a model 'm'"),
    ("access_group", {"assigned_team_ids": ["t"]}, "assigned_team_ids", "a team 't'"),
    ("customer", {"budget_id": "b"}, "budget_id", "a budget 'b'"),
    ("virtual_key", {"team_id": "t"}, "team_id", "a team 't'"),
])
def test_objects_named_must_exist(kind, desired, option, target):
    resource = BY_KIND[kind]
    with pytest.raises(ValidationError) as error:
        ensure_names_exist(resource, desired, lambda names, name: [])
    assert error.value.msg == "%s names %s, which does not exist" % (option, target)
    ensure_names_exist(resource, desired, lambda names, name: [({}, name)] if name in {"c", "m", "t", "b"} else [])


def test_a_link_option_names_objects_too():
    with pytest.raises(ValidationError) as error:
        ensure_names_exist(BY_KIND["user"], {}, lambda names, name: [({}, name)] if name == "t1" else [],
                           {"teams": ["t1", "t2"]})
    assert error.value.msg == "teams names a team 't2', which does not exist"


def test_a_pattern_names_no_object():
    ensure_names_exist(BY_KIND["tag"], {"models": ["openai/*"]}, lambda names, name: [])


@pytest.mark.parametrize("document,message", [
    ({"teams": [{"team_alias": "x"}, {"team_alias": "x", "max_budget": 1}]},
     "teams[1]: team_alias 'x' is declared twice (teams[0] declares it too)"),
    ({"teams": [{"team_alias": "a", "team_id": "t"}, {"team_alias": "b", "team_id": "t"}]},
     "teams[1]: team_id 't' is declared twice (teams[0] declares it too)"),
    ({"models": [{"model_name": "m", "litellm_params": {"model": "openai/x"}}] * 2},
     "models[1]: model_name 'm' with litellm_params.model 'openai/x' is declared twice (models[0] declares it too)"),
    ({"tags": [{"name": "t"}, {"name": "t", "state": "absent"}]},
     "tags[1]: name 't' is declared twice (tags[0] declares it too)"),
])
def test_a_document_declares_each_object_once(document, message):
    with pytest.raises(ValidationError) as error:
        parse_document(document)
    assert error.value.msg == message


def test_deployments_of_one_model_name_are_not_duplicates():
    parse_document({"models": [{"model_name": "m", "litellm_params": {"model": "openai/x"}},
                               {"model_name": "m", "litellm_params": {"model": "azure/x"}}]})
