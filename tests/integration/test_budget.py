"""llmops.litellm.budget and budget_info against the real LiteLLM proxy, driven through ansible-playbook.

This test runs against ``litellm_proxy_premium``, the twin proxy with LiteLLM's Enterprise licence check switched
on (TEST ONLY, see tests/lib/premium/sitecustomize.py): a budget's ``model_max_budget`` needs the licence.
One playbook run with every step and plain HTTP reads of LiteLLM between them.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task


@pytest.fixture
def budget_id(litellm_proxy_premium):
    name = f"it-budget-{uuid.uuid4().hex[:8]}"
    yield name
    litellm_proxy_premium.api("POST", "/budget/delete", json={"id": name})


def parse(answer: dict[str, Any]) -> Any:
    found = ok(answer)
    return found[0] if found else None


def pruned(value: Any) -> Any:
    return {m: {k: v for k, v in c.items() if v is not None} for m, c in value.items()} if value else None


def field(key: str):
    return lambda b: b[key]


LIVE: dict[str, Any] = {name: field(name) for name in (
    "max_budget", "soft_budget", "budget_duration", "tpm_limit", "rpm_limit", "tpd_limit", "max_parallel_requests")}
LIVE["model_max_budget"] = lambda b: pruned(b["model_max_budget"])


def test_budget_four_steps_for_create_each_option_and_absent(litellm_proxy_premium, budget_id):
    proxy = litellm_proxy_premium
    lifecycle = Lifecycle(
        proxy=proxy, module="budget", key={"budget_id": budget_id},
        create={"max_budget": 5, "rpm_limit": 3},
        changes={"max_budget": 6.5, "soft_budget": 1, "budget_duration": "1d", "tpm_limit": 1000, "rpm_limit": 4,
                 "tpd_limit": 100000, "max_parallel_requests": 2,
                 "model_max_budget": {"mock-gpt": {"max_budget": 1.5, "budget_duration": "1d"}}},
        read=lambda name: read_task(name, proxy, "/budget/info", method="POST", body={"budgets": [budget_id]}),
        parse=parse, live=LIVE,
        normalise=lambda option, value: float(value) if option in ("max_budget", "soft_budget") else value,
        extra=[
            module_task("info by id", "budget_info", {"budget_id": budget_id}),
            module_task("info of all", "budget_info", {}),
            module_task("info of an unknown id", "budget_info", {"budget_id": f"{budget_id}-none"}),
            module_task("negative", "budget", {"budget_id": budget_id, "tpd_limit": -1}, ignore_errors=True),
            module_task("no id", "budget", {"max_budget": 1}, ignore_errors=True),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)
    step = steps.result.task
    (by_id,) = step("info by id")["budgets"]
    assert by_id == step("options: apply again")["budget"]
    assert by_id in step("info of all")["budgets"]
    assert step("info of an unknown id")["budgets"] == []
    assert step("negative")["msg"] == f"failed to validate budget '{budget_id}': tpd_limit must be >= 0, got -1"
    assert step("no id")["msg"] == "missing required arguments: budget_id"
