"""join_budgets: the one join of budgets into listed objects (team member budgets, organization memberships)."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import join_budgets
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization_member import ORGANIZATION_MEMBER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM
from tests.unit.httpstub import Reply

BUDGETS = [{"budget_id": "b1", "max_budget": 5.0}, {"budget_id": "b2", "max_budget": 7.0}]


@pytest.mark.parametrize("objects, id_path, keep, expected, reads", [
    # nothing names a budget: no read
    ([{"id": 1}], ("budget_id",), False, [{"id": 1}], 0),
    ([{"id": 1, "budget_id": "b2"}, {"id": 2}], ("budget_id",), False,
     [{"id": 1, "budget_id": "b2", "t": BUDGETS[1]}, {"id": 2, "t": None}], 1),
    ([{"metadata": {"b": "b1"}}], ("metadata", "b"), False, [{"metadata": {"b": "b1"}, "t": BUDGETS[0]}], 1),
    # a budget the list lacks: None, or the one the object has with keep
    ([{"budget_id": "gone", "t": {"max_budget": 1}}], ("budget_id",), False, [{"budget_id": "gone", "t": None}], 1),
    ([{"budget_id": "gone", "t": {"max_budget": 1}}], ("budget_id",), True,
     [{"budget_id": "gone", "t": {"max_budget": 1}}], 1),
])
def test_join_budgets(stub, objects, id_path, keep, expected, reads):
    stub.routes = {("GET", "/budget/list"): lambda request: Reply(200, BUDGETS)}
    assert join_budgets(Client(stub.url, "k"), objects, id_path, "t", keep) == expected
    assert len([r for r in stub.requests if r.path == "/budget/list"]) == reads


def test_team_and_organization_member_hydrate_with_it(stub):
    stub.routes = {("GET", "/budget/list"): lambda request: Reply(200, BUDGETS)}
    client = Client(stub.url, "k")
    teams = TEAM.hydrate(client, [{"team_id": "t", "metadata": {"team_member_budget_id": "b1"}}])
    assert teams[0]["team_member_budget_table"] == BUDGETS[0]
    members = ORGANIZATION_MEMBER.hydrate(client, [{"user_id": "u", "budget_id": "b2", "litellm_budget_table": None}])
    assert members[0]["litellm_budget_table"] == BUDGETS[1]
