"""Normalisation, comparison, payloads and member plans of the resource specs, table-driven."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Field, get_path
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM

F = Field


@pytest.mark.parametrize("field, value, expected", [
    (F("a"), None, None),
    (F("a"), "", None),
    (F("a"), "x", "x"),
    (F("a", "float"), 10, 10.0),
    (F("a", "float"), 0, 0.0),
    (F("a", "int"), 5.0, 5),
    (F("a", "bool"), False, False),
    (F("a", "list"), [], None),
    (F("a", "list"), ["b", "a", "b"], ["a", "b"]),
    (F("a", "list", ordered=True), ["b", "a"], ["b", "a"]),
    (F("a", "list"), [{"y": 1, "x": None}, {"a": 2}], [{"a": 2}, {"y": 1}]),
    (F("a", "dict"), {}, None),
    (F("a", "dict"), {"k": None}, None),
    (F("a", "dict"), {"k": {"x": 1, "y": None}, "z": None}, {"k": {"x": 1}}),
])
def test_normalise(field, value, expected):
    assert field.normalise(value) == expected


@pytest.mark.parametrize("field, raw, expected", [
    (F("max_budget", "float"), {"max_budget": 3}, 3.0),
    (F("max_budget", "float"), {}, None),
    (F("tags", "list", path=("metadata", "tags")), {"metadata": {"tags": ["b", "a"]}}, ["a", "b"]),
    (F("tags", "list", path=("metadata", "tags")), {"metadata": None}, None),
    (F("model_aliases", "dict", path=("litellm_model_table", "model_aliases")),
     {"litellm_model_table": {"model_aliases": '{"gpt": "gpt-4o"}'}}, {"gpt": "gpt-4o"}),
    (F("model_aliases", "dict", path=("litellm_model_table", "model_aliases")), {"litellm_model_table": None}, None),
    (F("metadata", "dict", keep_keys=("tags", "team_member_budget_id")),
     {"metadata": {"tags": ["x"], "team_member_budget_id": "b", "owner": "me"}}, {"owner": "me"}),
    (F("metadata", "dict", keep_keys=("tags",)), {"metadata": {"tags": ["x"]}}, None),
])
def test_read(field, raw, expected):
    assert field.read(raw) == expected


@pytest.mark.parametrize("obj, path, expected", [
    ({"a": {"b": 1}}, ("a", "b"), 1),
    ({"a": None}, ("a", "b"), None),
    ({"a": [1]}, ("a", "b"), None),
    ({}, ("a",), None),
])
def test_get_path(obj, path, expected):
    assert get_path(obj, path) == expected


@pytest.mark.parametrize("params, error", [
    ({"max_budget": -1.0}, "max_budget must be >= 0, got -1.0"),
    ({"tpm_limit": -5}, "tpm_limit must be >= 0, got -5"),
    ({"team_member_budget": -0.5}, "team_member_budget must be >= 0, got -0.5"),
    ({"model_rpm_limit": {"gpt": 10, "claude": -1}}, r"model_rpm_limit\[claude\] must be >= 0, got -1"),
    ({"metadata": {"tags": ["x"], "owner": "me"}}, "metadata must not set tags: LiteLLM manages these keys"),
])
def test_validation_names_the_field(params, error):
    with pytest.raises(ValidationError, match=error):
        TEAM.desired(dict(dict.fromkeys(TEAM.by_name), **params))


def test_desired_drops_unset_options_and_read_only_fields():
    params = dict(dict.fromkeys(TEAM.by_name), team_alias="a", max_budget=0.0, blocked=False, spend=5)
    assert TEAM.desired(params) == {"team_alias": "a", "max_budget": 0.0, "blocked": False}


LIVE = {
    "team_id": "t1", "team_alias": "a", "models": ["m2", "m1"], "max_budget": 10.0, "blocked": False,
    "metadata": {"tags": ["x"], "owner": "me", "team_member_budget_id": "b1"},
    "litellm_model_table": {"model_aliases": {"gpt": "gpt-4o"}},
    "team_member_budget_table": {"max_budget": 2.0, "rpm_limit": None},
    "members_with_roles": [{"user_id": "u2", "user_email": None, "role": "user", "user_alias": None},
                           {"user_id": "u1", "user_email": "u1@x.io", "role": "admin"}],
    "spend": 0.0,
}


def test_view():
    view = TEAM.view(LIVE)
    assert view["models"] == ["m1", "m2"]
    assert view["tags"] == ["x"]
    assert view["metadata"] == {"owner": "me"}
    assert view["model_aliases"] == {"gpt": "gpt-4o"}
    assert view["team_member_budget"] == 2.0
    assert view["team_member_rpm_limit"] is None
    assert view["members"] == [{"user_id": "u1", "user_email": "u1@x.io", "role": "admin"},
                               {"user_id": "u2", "user_email": None, "role": "user"}]
    assert TEAM.view(None) == {}


@pytest.mark.parametrize("desired, expected", [
    ({"team_alias": "a"}, {}),
    ({"models": ["m1", "m2", "m1"]}, {}),
    ({"models": ["m1"]}, {"models": ["m1"]}),
    ({"max_budget": 10}, {}),
    ({"max_budget": 11.0}, {"max_budget": 11.0}),
    ({"blocked": False}, {}),
    ({"blocked": True}, {"blocked": True}),
    ({"tags": ["x"], "metadata": {"owner": "me"}}, {}),
    ({"metadata": {"owner": "you"}}, {"metadata": {"owner": "you"}}),
    ({"model_aliases": {"gpt": "gpt-4o"}}, {}),
    ({"team_member_budget": 2}, {}),
    ({"team_member_rpm_limit": 5}, {"team_member_rpm_limit": 5}),
    ({"organization_id": ""}, {}),
    ({"guardrails": []}, {}),
])
def test_changes_compare_only_what_is_set(desired, expected):
    assert TEAM.changes(desired, TEAM.view(LIVE)) == expected


def test_update_payload_sends_only_changes_plus_id_and_keeps_managed_metadata():
    changes = {"metadata": {"owner": "you"}, "max_budget": 11.0}
    assert TEAM.payload(changes, LIVE) == {
        "team_id": "t1", "max_budget": 11.0,
        "metadata": {"tags": ["x"], "team_member_budget_id": "b1", "owner": "you"}}


def test_create_payload_is_the_desired_options():
    assert TEAM.payload({"team_alias": "a", "metadata": {"o": 1}}) == {"team_alias": "a", "metadata": {"o": 1}}


def test_predict_applies_normalised_changes():
    view = TEAM.view(LIVE)
    predicted = TEAM.predict(view, {"models": ["z", "a"], "max_budget": 3})
    assert predicted["models"] == ["a", "z"] and predicted["max_budget"] == 3.0
    assert predicted["team_id"] == "t1" and predicted["spend"] == 0.0
    created = TEAM.predict({}, {"team_alias": "n"})
    assert created["team_alias"] == "n" and created["team_id"] is None


def m(user_id=None, user_email=None, role="user"):
    return {"user_id": user_id, "user_email": user_email, "role": role}


@pytest.mark.parametrize("desired, live, purge, add, update, remove, predicted", [
    ([], [], False, [], [], [], []),
    ([m("u1")], [], False, [m("u1")], [], [], [m("u1")]),
    ([m("u1")], [m("u1")], True, [], [], [], [m("u1")]),
    ([m("u1", role="admin")], [m("u1", "e@x")], False, [], [m("u1", "e@x", "admin")], [], [m("u1", "e@x", "admin")]),
    ([m(user_email="E@x")], [m("u9", "e@x")], False, [], [], [], [m("u9", "e@x")]),
    ([m("u1")], [m("u1"), m("u2")], False, [], [], [], [m("u1"), m("u2")]),
    ([m("u1")], [m("u1"), m("u2")], True, [], [], [m("u2")], [m("u1")]),
    ([], [m("u1"), m("u2")], True, [], [], [m("u1"), m("u2")], []),
    ([m("u3"), m(user_email="n@x")], [m("u1")], True, [m("u3"), m(user_email="n@x")], [], [m("u1")],
     [m(user_email="n@x"), m("u3")]),
])
def test_member_plan(desired, live, purge, add, update, remove, predicted):
    assert TEAM.members.plan(desired, live, purge) == (add, update, remove, predicted)


@pytest.mark.parametrize("members, error", [
    ([m("u1"), m("u1", role="admin")], "members lists user_id=u1 twice"),
    ([m(user_email="a@x"), m(user_email="a@x")], "members lists user_email=a@x twice"),
])
def test_member_validation(members, error):
    with pytest.raises(ValidationError, match=error):
        TEAM.members.validate(members)


def test_argument_spec_has_every_option_state_and_members():
    spec = TEAM.argument_spec()
    assert set(spec) == {f.name for f in TEAM.options} | {"state", "members", "purge_members"}
    assert "spend" not in spec
    assert spec["members"]["options"]["role"] == {"type": "str", "choices": ["admin", "user"], "default": "user"}
