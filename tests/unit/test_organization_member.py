"""The organization_member spec: members read from /organization/info with their email and budget."""

from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization_member import (
    ORGANIZATION_MEMBER,
    ORGANIZATION_MEMBERSHIP,
)

INFO = {"organization_id": "o1", "organization_alias": "acme", "members": [
    {"user_id": "u1", "user_role": "org_admin", "budget_id": "b1", "litellm_budget_table": None, "user_email": None,
     "user": {"user_email": "u1@example.com"}, "spend": 1.5},
    {"user_id": "u2", "user_role": "internal_user", "budget_id": None, "user_email": "u2@example.com"},
]}


def test_members_read_with_their_organization_and_email():
    members = [ORGANIZATION_MEMBER.view(m) for m in ORGANIZATION_MEMBERSHIP.read(INFO)]
    assert [(m["user_id"], m["user_email"], m["role"], m["organization_alias"]) for m in members] == [
        ("u1", "u1@example.com", "org_admin", "acme"), ("u2", "u2@example.com", "internal_user", "acme")]
    assert members[0]["max_budget_in_organization"] is None  # /organization/info leaves the budget out


def test_update_body_names_the_budget_as_litellm_takes_it():
    assert ORGANIZATION_MEMBER.payload({"max_budget_in_organization": 7.5}) == {"max_budget_in_organization": 7.5}


def test_roles_are_the_organization_roles():
    assert ORGANIZATION_MEMBER.argument_spec()["role"]["choices"] == ["org_admin", "internal_user",
                                                                      "internal_user_viewer"]
