"""llmops.litellm.organization and organization_info against the real LiteLLM proxy, driven through ansible-playbook.

Organizations are a LiteLLM Enterprise feature. The first test runs against the default proxy (``litellm_proxy``,
no licence) and proves that the modules fail with one sentence naming the licence, in check mode too, and write
nothing. All other tests run against ``litellm_proxy_premium``, the twin proxy on the same database with LiteLLM's
Enterprise licence check switched on (TEST ONLY, see tests/lib/premium/sitecustomize.py).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, failures, module_task, ok, read_task, run, sort

LICENCE = ("an organization needs a LiteLLM Enterprise licence (this proxy reports licence type 'community' at "
           "/health/license)")


@pytest.fixture
def org(litellm_proxy_premium):
    """A unique alias, two users with emails, and the removal of the organizations, teams and users afterwards."""
    proxy = litellm_proxy_premium
    alias = f"it-org-{uuid.uuid4().hex[:8]}"
    users = {f"{alias}-u{i}": f"{alias}-u{i}@example.com" for i in (1, 2)}
    for user_id, email in users.items():
        answer = proxy.api("POST", "/user/new", json={"user_id": user_id, "user_email": email, "auto_create_key": False})
        assert answer.status_code == 200, answer.text
    yield alias, users
    listed = proxy.api("GET", "/organization/list", params={"org_alias": alias}).json()
    if listed:
        proxy.api("DELETE", "/organization/delete", json={"organization_ids": [o["organization_id"] for o in listed]})
    teams = proxy.api("GET", "/v2/team/list", params={"team_alias": alias, "page_size": 100}).json()["teams"]
    if teams:
        proxy.api("POST", "/team/delete", json={"team_ids": [t["team_id"] for t in teams]})
    proxy.api("POST", "/user/delete", json={"user_ids": sorted(users)})


def test_without_a_licence_every_module_fails_in_one_sentence_and_writes_nothing(litellm_proxy, litellm_proxy_premium):
    alias = f"it-org-{uuid.uuid4().hex[:8]}"
    create = {"organization_alias": alias, "max_budget": 1, "members": [{"user_id": "x"}]}
    result = run(
        litellm_proxy,
        module_task("create --check", "organization", create, check=True, ignore_errors=True),
        module_task("create", "organization", create, ignore_errors=True),
        module_task("absent", "organization", {"organization_alias": alias, "state": "absent"}, ignore_errors=True),
        module_task("info", "organization_info", {}, ignore_errors=True),
    )
    assert result.rc == 0, failures(result)
    for name in ("create --check", "create", "absent"):
        assert result.task(name)["msg"] == f"failed to manage organization '{alias}': {LICENCE}", name
        assert "status" not in result.task(name), "not a raw HTTP error"
    assert result.task("info")["msg"] == f"failed to read organizations: {LICENCE}"
    listed = litellm_proxy_premium.api("GET", "/organization/list", params={"org_alias": alias})
    assert listed.status_code == 200 and listed.json() == [], "the refused runs wrote to LiteLLM"


def parse(alias: str):
    def found(answer: dict[str, Any]) -> Any:
        matches = [o for o in ok(answer) if o["organization_alias"] == alias]
        return matches[0] if matches else None
    return found


def normalise(option: str, value: Any, users: dict[str, str]) -> Any:
    """An option's value as the module returns it: members with the id and email of their user, sorted."""
    if option == "members":
        ids = {email.lower(): user_id for user_id, email in users.items()}
        found = [m.get("user_id") or ids[m["user_email"].lower()] for m in value]
        return sorted(({"user_id": i, "user_email": users[i], "role": m["role"]} for i, m in zip(found, value)),
                      key=lambda m: m["user_id"])
    return sorted(value) if option == "models" else float(value) if option == "max_budget" else value


def budget(key: str):
    return lambda o: (o["litellm_budget_table"] or {}).get(key)


def test_organization_four_steps_for_create_each_option_and_absent(litellm_proxy_premium, org):
    proxy = litellm_proxy_premium
    alias, users = org
    (u1, e1), (u2, e2) = sorted(users.items())
    team = f"{alias}-team"

    def members(o: dict[str, Any]) -> list[dict[str, Any]]:  # the list endpoint does not join the users' emails
        return sorted(({"user_id": m["user_id"], "user_email": users.get(m["user_id"]), "role": m["user_role"]}
                       for m in o["members"]), key=lambda m: m["user_id"])

    lifecycle = Lifecycle(
        proxy=proxy, module="organization", key={"organization_alias": alias},
        create={"models": ["mock-gpt"], "max_budget": 10, "metadata": {"owner": "a"},
                "members": [{"user_id": u1, "user_email": e1, "role": "org_admin"}]},
        changes={"models": ["upstream-echo", "mock-gpt"], "max_budget": 20.5, "budget_duration": "30d",
                 "tpm_limit": 1000, "rpm_limit": 10, "metadata": {"owner": "b", "cost_center": "42"},
                 "members": [{"user_id": u1, "role": "internal_user"},
                             {"user_email": e2.upper(), "role": "internal_user_viewer"}]},
        read=lambda name: read_task(name, proxy, "/organization/list", {"org_alias": alias}),
        parse=parse(alias),
        absent={"cascade": True},  # its team goes with it (LiteLLM's cascade), which the delete must opt into
        live={"models": lambda o: sort(o["models"]) or None, "max_budget": budget("max_budget"),
              "budget_duration": budget("budget_duration"), "tpm_limit": budget("tpm_limit"),
              "rpm_limit": budget("rpm_limit"), "metadata": lambda o: o["metadata"] or None, "members": members},
        normalise=lambda option, value: normalise(option, value, users),
        expected={"members": normalise("members", [{"user_id": u1, "role": "internal_user"},
                                                   {"user_id": u2, "role": "internal_user_viewer"}], users)},
        extra=[
            dict(module_task("info by alias", "organization_info", {"organization_alias": alias}), register="found"),
            module_task("info by id", "organization_info",
                        {"organization_id": "{{ found.organizations[0].organization_id }}"}),
            module_task("info of all", "organization_info", {}),
            module_task("team in the organization", "team", {
                "team_alias": team, "organization_id": "{{ found.organizations[0].organization_id }}",
                "models": ["mock-gpt"]}),
            module_task("team in the organization again", "team", {
                "team_alias": team, "organization_id": "{{ found.organizations[0].organization_id }}"}),
            read_task("read the team", proxy, "/v2/team/list", {"team_alias": team}),
            module_task("purge members --check", "organization", {
                "organization_alias": alias, "members": [{"user_id": u2, "role": "internal_user_viewer"}],
                "purge_members": True}, check=True),
            module_task("purge members", "organization", {
                "organization_alias": alias, "members": [{"user_id": u2, "role": "internal_user_viewer"}],
                "purge_members": True}),
            module_task("purge members again", "organization", {
                "organization_alias": alias, "members": [{"user_id": u2, "role": "internal_user_viewer"}],
                "purge_members": True}),
            module_task("rename by id", "organization", {
                "organization_id": "{{ found.organizations[0].organization_id }}", "organization_alias": f"{alias}-2"}),
            module_task("rename back", "organization", {
                "organization_id": "{{ found.organizations[0].organization_id }}", "organization_alias": alias}),
            module_task("member with an unknown email", "organization", {
                "organization_alias": alias, "members": [{"user_email": f"{alias}-none@example.com"}]},
                ignore_errors=True),
            module_task("member with an unknown role", "organization", {
                "organization_alias": alias, "members": [{"user_id": u1, "role": "admin"}]}, ignore_errors=True),
            read_task("read after the refused changes", proxy, "/organization/list", {"org_alias": alias}),
        ])
    steps = lifecycle.run()
    final = lifecycle.verify(steps)
    step = steps.result.task

    (by_alias,) = step("info by alias")["organizations"]
    (by_id,) = step("info by id")["organizations"]
    assert by_alias == by_id == step("options: apply again")["organization"]
    assert by_alias["members"] == lifecycle.expected["members"]
    assert by_alias["organization_id"] in {o["organization_id"] for o in step("info of all")["organizations"]}

    org_id = by_alias["organization_id"]
    assert step("team in the organization")["changed"] is True
    assert step("team in the organization")["team"]["organization_id"] == org_id
    assert step("team in the organization again")["changed"] is False
    (team_row,) = ok(step("read the team"))["teams"]
    assert team_row["organization_id"] == org_id
    assert proxy.api("GET", "/team/info", params={"team_id": team_row["team_id"]}).status_code == 404, \
        "deleting the organization deletes its teams"

    assert step("purge members --check")["organization"]["members"] == [
        {"user_id": u2, "user_email": e2, "role": "internal_user_viewer"}]
    assert step("purge members")["changed"] is True and step("purge members again")["changed"] is False
    assert step("rename by id")["organization"]["organization_alias"] == f"{alias}-2"
    assert step("rename back")["changed"] is True

    assert step("member with an unknown email")["msg"] == (
        f"failed to find the users of the members of organization '{alias}': "
        f"members[user_email={alias}-none@example.com]: no user has this email; LiteLLM adds organization members "
        "by user_id only, so the user must exist (create it with llmops.litellm.user) or set user_id")
    assert "value of role must be one of: org_admin, internal_user, internal_user_viewer, got: admin" in \
        step("member with an unknown role")["msg"]
    (after,) = ok(step("read after the refused changes"))
    assert [(m["user_id"], m["user_role"]) for m in after["members"]] == [(u2, "internal_user_viewer")]
    assert final["metadata"] == {"owner": "b", "cost_center": "42"}
