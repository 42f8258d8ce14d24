"""The user spec and the engine parts it brings (links, create-only and non-clearable options), table-driven."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Links
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.user import USER

LIVE = {
    "user_id": "u1", "user_email": "u1@x.io", "user_role": "internal_user", "models": ["m2", "m1"],
    "max_budget": 5.0, "teams": ["t2", "t1"], "metadata": {"owner": "a", "model_rpm_limit": {"m1": 3}},
    "spend": 0.5, "key_count": 2,
}


@pytest.mark.parametrize("desired, live, purge, add, remove, predicted", [
    ([], [], False, [], [], []),
    (["t1"], [], False, ["t1"], [], ["t1"]),
    (["t1"], ["t1"], True, [], [], ["t1"]),
    (["t2"], ["t1"], False, ["t2"], [], ["t1", "t2"]),
    (["t2"], ["t1"], True, ["t2"], ["t1"], ["t2"]),
    ([], ["t1", "t2"], True, [], ["t1", "t2"], []),
    ([], ["t1"], False, [], [], ["t1"]),
    (["t1", "t1", "t3"], ["t2", "t1"], True, ["t3"], ["t2"], ["t1", "t3"]),
])
def test_link_plan(desired, live, purge, add, remove, predicted):
    assert Links.plan(desired, live, purge) == (add, remove, predicted)


def test_view_has_teams_sorted_and_hides_what_is_not_state():
    view = USER.view(LIVE)
    assert view["teams"] == ["t1", "t2"] and view["models"] == ["m1", "m2"]
    assert view["metadata"] == {"owner": "a"}
    assert "send_invite_email" not in view and "key_count" not in view
    assert USER.view({"user_id": "u", "teams": None})["teams"] == []


def params(**options):
    return dict(dict.fromkeys(USER.by_name), **options)


@pytest.mark.parametrize("desired, expected", [
    ({"user_id": "u1"}, {}),
    ({"models": ["m1", "m2"]}, {}),
    ({"models": ["m1"]}, {"models": ["m1"]}),
    ({"send_invite_email": True}, {}),
    ({"max_budget": 5}, {}),
    ({"metadata": {"owner": "a"}}, {}),
    ({"metadata": {"owner": "b"}}, {"metadata": {"owner": "b"}}),
    ({"user_role": "proxy_admin"}, {"user_role": "proxy_admin"}),
])
def test_changes(desired, expected):
    assert USER.changes(USER.desired(params(**desired)), USER.view(LIVE)) == expected


@pytest.mark.parametrize("desired, error", [
    ({"models": []}, "models cannot be emptied once set: LiteLLM ignores an empty value when it updates a user"),
    ({"metadata": {}}, "metadata cannot be emptied once set"),
])
def test_emptying_what_litellm_cannot_empty_is_refused(desired, error):
    with pytest.raises(ValidationError, match=error):
        USER.changes(USER.desired(params(**desired)), USER.view(LIVE))


def test_emptying_is_no_change_when_it_is_already_empty():
    assert USER.changes(USER.desired(params(models=[])), USER.view(dict(LIVE, models=[]))) == {}


@pytest.mark.parametrize("desired, body", [
    ({"user_email": "a@x.io"}, {"user_email": "a@x.io", "auto_create_key": False, "send_invite_email": False}),
    ({"user_id": "u", "send_invite_email": True},
     {"user_id": "u", "auto_create_key": False, "send_invite_email": True}),
])
def test_create_never_mints_a_key_and_invites_only_when_asked(desired, body):
    assert USER.payload(USER.desired(params(**desired))) == body


def test_update_sends_only_the_change_and_keeps_managed_metadata():
    changes = USER.changes(USER.desired(params(metadata={"owner": "b"}, max_budget=6)), USER.view(LIVE))
    assert USER.payload(changes, LIVE) == {"user_id": "u1", "max_budget": 6,
                                           "metadata": {"owner": "b", "model_rpm_limit": {"m1": 3}}}


def test_predicted_user_has_no_create_only_option():
    predicted = USER.predict({}, USER.changes(USER.desired(params(user_email="a@x.io", send_invite_email=True)), {}))
    assert predicted["user_email"] == "a@x.io" and "send_invite_email" not in predicted


def test_team_links_are_team_member_calls():
    (link,) = USER.links
    assert (link.join.path, link.join.body("u1", "t1")) == (
        "/team/member_add", {"team_id": "t1", "member": {"user_id": "u1", "role": "user"}})
    assert (link.leave.path, link.leave.body("u1", "t1")) == ("/team/member_delete", {"team_id": "t1", "user_id": "u1"})
    assert set(USER.argument_spec()) >= {"teams", "purge_teams", "send_invite_email"}
