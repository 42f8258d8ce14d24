"""llmops.litellm.customer and customer_info against the real LiteLLM proxy, driven through ansible-playbook.

One playbook run with every step (check-mode runs, applies, and plain HTTP reads of LiteLLM between them); the
assertions read the results of each step. Names have a uuid suffix; customers and the budgets made for them are
removed afterwards, also when the test fails.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task, sort


@pytest.fixture
def names(litellm_proxy):
    """A uuid prefix; afterwards the customers with it, and the budgets in ``budgets``, are deleted."""
    prefix = f"it-cust-{uuid.uuid4().hex[:8]}"
    budgets: list[str] = [f"{prefix}-shared"]
    yield prefix, budgets
    customers = [c["user_id"] for c in litellm_proxy.api("GET", "/customer/list").json()
                 if c["user_id"].startswith(prefix)]
    if customers:
        litellm_proxy.api("POST", "/customer/delete", json={"user_ids": customers})
    for budget_id in budgets:
        litellm_proxy.api("POST", "/budget/delete", json={"id": budget_id})


def budget(key: str):
    return lambda c: (c["litellm_budget_table"] or {}).get(key)


LIVE = {
    "alias": lambda c: c["alias"],
    "blocked": lambda c: c["blocked"],
    "max_budget": budget("max_budget"),
    "budget_duration": budget("budget_duration"),
    "tpm_limit": budget("tpm_limit"),
    "rpm_limit": budget("rpm_limit"),
    "allowed_model_region": lambda c: c["allowed_model_region"],
    "default_model": lambda c: c["default_model"],
    "models": lambda c: sort(c["models"]) or None,
}


def test_customer_four_steps_for_create_each_option_and_absent(litellm_proxy, names):
    prefix, budgets = names
    user_id, shared, bare = f"{prefix}-c", f"{prefix}-shared", f"{prefix}-bare"

    def read(name: str, customer: str = user_id) -> dict[str, Any]:
        return read_task(name, litellm_proxy, "/customer/info", {"end_user_id": customer})

    lifecycle = Lifecycle(
        proxy=litellm_proxy, module="customer", key={"user_id": user_id},
        create={"alias": "C", "max_budget": 5, "allowed_model_region": "eu", "default_model": "mock-gpt",
                "models": ["mock-gpt"]},
        # blocked comes early: LiteLLM's update request defaults it to false, and the later updates, which leave it
        # out, must keep it (the final read checks every option).
        changes={"alias": "C2", "blocked": True, "max_budget": 6.5, "budget_duration": "30d", "tpm_limit": 1000,
                 "rpm_limit": 10, "allowed_model_region": "us", "default_model": "upstream-echo",
                 "models": ["upstream-echo", "mock-gpt"]},
        read=read, parse=ok, live=LIVE,
        normalise=lambda option, value: sorted(value) if option == "models" else (
            float(value) if option == "max_budget" else value),
        extra=[
            module_task("info by id", "customer_info", {"user_id": user_id}),
            module_task("info of all", "customer_info", {}),
            module_task("emptied models", "customer", {"user_id": user_id, "models": []}),
            module_task("a customer without a budget", "customer", {"user_id": bare, "alias": "B"}),
            module_task("limits for a customer without a budget", "customer", {"user_id": bare, "rpm_limit": 5}),
            module_task("limits for a customer without a budget again", "customer", {"user_id": bare, "rpm_limit": 5}),
            read("read the customer without a budget", bare),
            module_task("shared budget", "budget", {"budget_id": shared, "max_budget": 1, "rpm_limit": 2}),
            module_task("customer on the shared budget", "customer", {"user_id": f"{prefix}-s", "budget_id": shared}),
            module_task("customer on the shared budget again", "customer", {"user_id": f"{prefix}-s",
                                                                            "budget_id": shared}),
            module_task("budget_id and a limit", "customer", {"user_id": f"{prefix}-s", "budget_id": shared,
                                                              "max_budget": 3}, ignore_errors=True),
            module_task("negative limit", "customer", {"user_id": f"{prefix}-s", "rpm_limit": -1}, ignore_errors=True),
            module_task("unknown region", "customer", {"user_id": f"{prefix}-s", "allowed_model_region": "mars"},
                        ignore_errors=True),
            module_task("delete the shared budget in use", "budget", {"budget_id": shared, "state": "absent"},
                        ignore_errors=True),
            module_task("delete the shared budget in use, cascade", "budget",
                        {"budget_id": shared, "state": "absent", "cascade": True}),
            read("read the customer of the deleted budget", f"{prefix}-s"),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)
    step = steps.result.task
    created = step("create: apply")["customer"]
    budgets += [created["budget_id"], step("limits for a customer without a budget")["customer"]["budget_id"]]

    (by_id,) = step("info by id")["customers"]
    assert by_id == step("options: apply again")["customer"]
    assert by_id in step("info of all")["customers"]
    assert step("emptied models")["changed"] is True and step("emptied models")["customer"]["models"] is None

    assert step("a customer without a budget")["customer"]["budget_id"] is None
    limited = step("limits for a customer without a budget")
    assert limited["changed"] is True and limited["customer"]["rpm_limit"] == 5 and limited["customer"]["budget_id"]
    assert step("limits for a customer without a budget again")["changed"] is False
    assert ok(step("read the customer without a budget"))["litellm_budget_table"]["rpm_limit"] == 5

    on_shared = step("customer on the shared budget")["customer"]
    assert (on_shared["budget_id"], on_shared["max_budget"], on_shared["rpm_limit"]) == (shared, 1.0, 2)
    assert step("customer on the shared budget again")["changed"] is False
    assert step("budget_id and a limit")["msg"] == "parameters are mutually exclusive: budget_id|max_budget"
    assert "rpm_limit must be >= 0, got -1" in step("negative limit")["msg"]
    assert "value of allowed_model_region must be one of: eu, us, got: mars" in step("unknown region")["msg"]
    refused = step("delete the shared budget in use")
    assert refused["failed"] is True and refused["msg"] == (
        f"failed to delete budget '{shared}': it would, by LiteLLM's cascade, also take 1 object this task does not "
        f"delete: customer '{prefix}-s' (left without its budget: LiteLLM unsets its budget_id); delete it first, or "
        "set cascade: true to let it go with it")
    assert step("delete the shared budget in use, cascade")["cascaded"] == [{
        "kind": "customer", "name": f"{prefix}-s", "effect": "left without its budget: LiteLLM unsets its budget_id"}]
    orphan = ok(step("read the customer of the deleted budget"))
    assert (orphan["budget_id"], orphan["litellm_budget_table"]) == (None, None), \
        "LiteLLM deletes a budget in use and clears the customers' budget_id"
