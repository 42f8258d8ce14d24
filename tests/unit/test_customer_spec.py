"""The customer spec: its limits read from its budget, and updates split between the customer and its budget."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.customer import CUSTOMER, _customer_update
from tests.unit.httpstub import Reply

LIVE = {"user_id": "c1", "alias": "C", "blocked": False, "budget_id": "b1", "models": [],
        "litellm_budget_table": {"budget_id": "b1", "max_budget": 5.0, "tpm_limit": 7, "budget_duration": None}}


def test_view_reads_the_limits_from_the_budget():
    view = CUSTOMER.view(LIVE)
    assert (view["max_budget"], view["tpm_limit"], view["rpm_limit"], view["models"]) == (5.0, 7, None, None)
    assert CUSTOMER.view(dict(LIVE, budget_id=None, litellm_budget_table=None))["max_budget"] is None


@pytest.mark.parametrize("changes, live, sent", [
    ({"alias": "D"}, LIVE, [("/customer/update", {"user_id": "c1", "alias": "D"})]),
    ({"tpm_limit": 9, "max_budget": 6.0}, LIVE, [
        ("/budget/update", {"budget_id": "b1", "tpm_limit": 9, "max_budget": 6.0})]),
    ({"rpm_limit": 3, "blocked": True}, LIVE, [
        ("/budget/update", {"budget_id": "b1", "rpm_limit": 3}),
        ("/customer/update", {"user_id": "c1", "blocked": True})]),
    ({"rpm_limit": 3}, dict(LIVE, budget_id=None, litellm_budget_table=None),
     [("/budget/new", {"rpm_limit": 3}), ("/customer/update", {"user_id": "c1", "budget_id": "new-budget"})]),
    ({"budget_id": "shared", "models": []}, LIVE, [
        ("/customer/update", {"user_id": "c1", "budget_id": "shared", "models": []})]),
], ids=["customer-only", "limits-to-its-budget", "both", "new-budget-linked", "link-shared"])
def test_update_goes_where_litellm_keeps_each_option(stub, changes, live, sent):
    stub.routes = {("POST", "/budget/new"): Reply(200, {"budget_id": "new-budget"}),
                   ("POST", "/budget/update"): Reply(200, None), ("POST", "/customer/update"): Reply(200, {})}
    _customer_update(Client(stub.url, "k"), CUSTOMER, changes, live)
    assert [(w.path, w.body) for w in stub.writes()] == sent


def test_create_sends_the_limits_to_customer_new_which_makes_the_budget():
    assert CUSTOMER.payload({"user_id": "c", "tpm_limit": 3}) == {"user_id": "c", "tpm_limit": 3}
