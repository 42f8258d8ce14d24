"""llmops.litellm.organization_member and organization_member_info against the real LiteLLM proxy, driven through
ansible-playbook.

Organizations are a LiteLLM Enterprise feature: the test runs against ``litellm_proxy_premium``, the twin proxy with
LiteLLM's Enterprise licence check switched on (TEST ONLY, see tests/lib/premium/sitecustomize.py), and asks the
community proxy once to prove the refusal comes before any write. One playbook run.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task


@pytest.fixture
def organization(litellm_proxy_premium):
    proxy = litellm_proxy_premium
    alias = f"it-orgm-{uuid.uuid4().hex[:8]}"
    answer = proxy.api("POST", "/organization/new", json={"organization_alias": alias})
    assert answer.status_code == 200, answer.text
    users = [f"{alias}-u1", f"{alias}-u2"]
    for user_id in users:
        created = proxy.api("POST", "/user/new", json={"user_id": user_id, "user_email": f"{user_id}@example.com"})
        assert created.status_code == 200, created.text
    yield alias, answer.json()["organization_id"], users
    proxy.api("DELETE", "/organization/delete", json={"organization_ids": [answer.json()["organization_id"]]})
    proxy.api("POST", "/user/delete", json={"user_ids": users})


def member_of(answer: dict[str, Any], user_id: str) -> Any:
    """The membership of a /organization/info answer, None when the user is not a member."""
    found = ok(answer)
    return next((m for m in (found or {}).get("members") or [] if m["user_id"] == user_id), None)


def test_organization_member_four_steps_each_option_info_and_refusals(
        litellm_proxy_premium, litellm_proxy, organization):
    proxy = litellm_proxy_premium
    alias, organization_id, (user_id, other) = organization
    budgets = {b["budget_id"]: b for b in proxy.api("GET", "/budget/list").json()}

    def read(name: str) -> dict[str, Any]:
        return read_task(name, proxy, "/organization/info", {"organization_id": organization_id})

    community = {"api_url": litellm_proxy.url, "api_key": litellm_proxy.master_key}
    lifecycle = Lifecycle(
        proxy=proxy, module="organization_member", key={"organization_id": organization_id, "user_id": user_id},
        create={"role": "internal_user"},
        changes={"role": "org_admin", "max_budget_in_organization": 7.5},
        read=read, parse=lambda answer: member_of(answer, user_id),
        # /organization/info leaves the membership's budget out: its live value comes from /budget/list (read again
        # after the run)
        live={"role": lambda m: m["user_role"],
              "max_budget_in_organization": lambda m: (budgets.get(m["budget_id"]) or {}).get("max_budget")},
        extra=[
            module_task("add by email", "organization_member", {"organization_alias": alias,
                                                                "user_email": f"{other}@EXAMPLE.com"}),
            module_task("add by email again", "organization_member", {"organization_alias": alias,
                                                                      "user_email": f"{other}@example.com"}),
            module_task("members", "organization_member_info", {"organization_alias": alias}),
            module_task("one member", "organization_member_info", {"organization_id": organization_id,
                                                                   "user_id": user_id}),
            module_task("unknown email", "organization_member", {"organization_id": organization_id,
                                                                 "user_email": f"nobody-{alias}@example.com"},
                        ignore_errors=True),
            module_task("negative budget", "organization_member", {"organization_id": organization_id,
                                                                   "user_id": user_id,
                                                                   "max_budget_in_organization": -1},
                        ignore_errors=True),
            module_task("community proxy", "organization_member", dict(
                community, organization_id=organization_id, user_id=other, role="org_admin"), ignore_errors=True),
            read("read after the community proxy"),
        ])
    steps = lifecycle.steps()
    steps.run()
    steps.ok()
    budgets.update({b["budget_id"]: b for b in proxy.api("GET", "/budget/list").json()})
    lifecycle.verify(steps)

    step = steps.result.task
    added = step("add by email")["organization_member"]
    assert step("add by email")["changed"] is True and added["user_id"] == other and added["role"] == "internal_user"
    assert step("add by email again")["changed"] is False, "emails are matched without case"
    members = step("members")["organization_members"]
    assert {m["user_id"] for m in members} == {user_id, other}
    assert step("one member")["organization_members"] == [step("options: apply again")["organization_member"]]
    assert step("one member")["organization_members"][0]["max_budget_in_organization"] == 7.5
    assert step("unknown email")["msg"].startswith(
        f"failed to find the user of member 'nobody-{alias}@example.com' of organization '{organization_id}': ")
    assert "no user has this email" in step("unknown email")["msg"]
    assert "max_budget_in_organization must be >= 0, got -1.0" in step("negative budget")["msg"]
    assert step("community proxy")["msg"] == (
        f"failed to read organization '{organization_id}': an organization member needs a LiteLLM Enterprise licence "
        "(this proxy reports licence type 'community' at /health/license)")
    assert member_of(step("read after the community proxy"), other)["user_role"] == "internal_user"
