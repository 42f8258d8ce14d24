"""The organization spec: members read from LiteLLM's membership rows, emails resolved to ids, the v2 update body."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import (
    ORGANIZATION,
    _organization_request,
    _users_by_email,
)
from tests.unit.httpstub import Reply

LIVE = {
    "organization_id": "o1", "organization_alias": "acme", "models": ["m2", "m1"], "metadata": {"a": 1, "tags": ["x"]},
    "litellm_budget_table": {"max_budget": 10.0, "tpm_limit": 5, "budget_duration": None},
    "members": [{"user_id": "u2", "user_role": "internal_user", "user_email": None},
                {"user_id": "u1", "user_role": "org_admin", "user_email": "u1@x.io", "user": {"user_id": "u1"}}],
}


def test_view_reads_the_budget_and_the_members_role_from_user_role():
    view = ORGANIZATION.view(LIVE)
    assert (view["max_budget"], view["tpm_limit"], view["rpm_limit"]) == (10.0, 5, None)
    assert view["metadata"] == {"a": 1}
    assert view["members"] == [{"user_id": "u1", "user_email": "u1@x.io", "role": "org_admin"},
                               {"user_id": "u2", "user_email": None, "role": "internal_user"}]


@pytest.mark.parametrize("body, raw, expected", [
    ({"organization_alias": "a", "max_budget": 1}, None, {"organization_alias": "a", "max_budget": 1}),
    ({"organization_id": "o1", "max_budget": 1}, LIVE, {"max_budget": 1}),
])
def test_the_v2_update_takes_the_id_in_its_path_only(body, raw, expected):
    assert _organization_request(dict(body), raw) == expected


def test_update_payload_replaces_metadata_keeping_managed_keys():
    assert ORGANIZATION.payload({"metadata": {"b": 2}}, LIVE) == {"metadata": {"tags": ["x"], "b": 2}}
    assert ORGANIZATION.update.target("o 1") == "/v2/organization/o%201"


def users(*rows):
    return lambda request: Reply(200, {"users": [r for r in rows if request.query["user_email"].lower() in
                                                 r["user_email"].lower()], "total_pages": 1})


@pytest.mark.parametrize("members, rows, expected", [
    ([{"user_id": "u1", "user_email": None, "role": "org_admin"}], [],
     [{"user_id": "u1", "user_email": None, "role": "org_admin"}]),
    ([{"user_id": None, "user_email": "A@x.io", "role": "org_admin"}],
     [{"user_id": "u7", "user_email": "a@x.io"}, {"user_id": "u8", "user_email": "ba@x.io"}],
     [{"user_id": "u7", "user_email": "a@x.io", "role": "org_admin"}]),
])
def test_members_given_by_email_get_the_id_of_their_user(stub, members, rows, expected):
    stub.routes = {("GET", "/user/list"): users(*rows)}
    assert _users_by_email(Client(stub.url, "k"), members) == expected


@pytest.mark.parametrize("rows, error", [
    ([], r"members\[user_email=a@x.io\]: no user has this email; LiteLLM adds organization members by user_id only"),
    ([{"user_id": "u7", "user_email": "a@x.io"}, {"user_id": "u6", "user_email": "A@X.io"}],
     r"2 users have this email \(user_id u6, u7\)"),
])
def test_an_email_that_names_no_user_or_several_is_refused(stub, rows, error):
    stub.routes = {("GET", "/user/list"): users(*rows)}
    with pytest.raises(ValidationError, match=error):
        _users_by_email(Client(stub.url, "k"), [{"user_id": None, "user_email": "a@x.io", "role": "org_admin"}])
    assert stub.writes() == []


def test_members_are_added_after_the_create_with_the_verbs_litellm_wants():
    members = ORGANIZATION.members
    assert (members.in_create, members.role_key, members.default_role) == (False, "user_role", "internal_user")
    assert (members.update.method, members.delete.method) == ("PATCH", "DELETE")
