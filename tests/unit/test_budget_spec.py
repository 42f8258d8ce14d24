"""The budget spec: found in the list (its info route is a POST, which check mode refuses), compared per field."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import BUDGET

LIVE = {"budget_id": "free", "max_budget": 1.0, "rpm_limit": 2, "soft_budget": None,
        "model_max_budget": {"m": {"max_budget": 1.0, "budget_duration": "1d", "tpm_limit": None}},
        "budget_reset_at": "2026-01-01T00:00:00Z", "created_by": "admin"}


def params(**options):
    return dict(dict.fromkeys(BUDGET.by_name), **options)


@pytest.mark.parametrize("desired, expected", [
    ({"budget_id": "free"}, {}),
    ({"max_budget": 1}, {}),
    ({"max_budget": 2}, {"max_budget": 2}),
    ({"model_max_budget": {"m": {"max_budget": 1.0, "budget_duration": "1d"}}}, {}),
    ({"model_max_budget": {"m": {"max_budget": 2.0, "budget_duration": "1d"}}},
     {"model_max_budget": {"m": {"max_budget": 2.0, "budget_duration": "1d"}}}),
    ({"soft_budget": 0}, {"soft_budget": 0}),
])
def test_changes(desired, expected):
    assert BUDGET.changes(BUDGET.desired(params(**desired)), BUDGET.view(LIVE)) == expected


def test_reads_go_to_the_list_and_the_delete_names_the_id():
    assert BUDGET.get is None and BUDGET.find.path == "/budget/list" and not BUDGET.find.paginated
    assert BUDGET.delete.body("free") == {"id": "free"}
    assert "budget_reset_at" not in BUDGET.view(LIVE)
