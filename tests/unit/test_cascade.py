"""The cascade rules of the gateway planner, on given live states (what LiteLLM's list endpoints return); nothing is
sent. tests/integration/test_cascade.py runs the same paths, and the modules', against the real proxy."""

from __future__ import annotations

import tempfile
from typing import Any

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import document as documents
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import live
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import plan as planning
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS

TEAM = {"team_id": "t1", "team_alias": "research", "metadata": {}}
OTHER_TEAM = {"team_id": "t2", "team_alias": "other", "metadata": {}}
KEY = {"token": "h1", "key_alias": "ci", "team_id": "t1", "metadata": {}}
CREDENTIAL = {"credential_name": "openai", "credential_info": {}}
MODEL = {"model_id": "m1", "model_name": "gpt", "model": "openai/gpt-4o",
         "litellm_params": {"model": "openai/gpt-4o", "litellm_credential_name": "openai"}, "model_info": {"id": "m1"}}
BUDGET = {"budget_id": "b1", "max_budget": 5.0}
CUSTOMER = {"user_id": "c1", "budget_id": "b1"}
LIVE = {"team": [TEAM, OTHER_TEAM], "virtual_key": [KEY], "credential": [CREDENTIAL], "model": [MODEL],
        "budget": [BUDGET], "customer": [CUSTOMER]}
TEAM_GONE = {"team_alias": "research", "state": "absent"}


def plan(document: dict[str, Any], policy: str = "preserve", cascade: bool = False, **scope: Any) -> planning.Plan:
    declared = documents.parse_document(document)
    return planning.Planner(declared, LIVE, documents.make_scope(document, **scope), policy,
                            key_dir=tempfile.gettempdir(), cascade=cascade).plan()


def cascaded(result: planning.Plan) -> list[tuple[str, str, str, str]]:
    return [(i.resource.kind, i.name, i.cascade_of.label, i.effect) for i in result.cascaded]


@pytest.mark.parametrize("document, message", [
    ({"teams": [TEAM_GONE], "virtual_keys": [{"key_alias": "new", "team_alias": "research"}]},
     "virtual_keys[0]: virtual_key 'new' is declared present, but it belongs to team 'research', which teams[0] "
     "declares absent (LiteLLM's cascade: deleted with it)"),
    ({"teams": [TEAM_GONE], "virtual_keys": [{"key_alias": "new", "team_id": "t1"}]},
     "virtual_keys[0]: virtual_key 'new' is declared present, but it belongs to team 'research'"),
    ({"teams": [TEAM_GONE], "virtual_keys": [{"key_alias": "ci", "max_budget": 1}]},
     "virtual_keys[0]: virtual_key 'ci' is declared present, but it belongs to team 'research'"),
    ({"credentials": [{"credential_name": "openai", "state": "absent"}], "models": [{"model_name": "gpt"}]},
     "models[0]: model 'gpt' is declared present, but it belongs to credential 'openai', which credentials[0] "
     "declares absent (LiteLLM's cascade: left naming a credential that no longer exists, so its requests fail)"),
    ({"budgets": [{"budget_id": "b1", "state": "absent"}], "customers": [{"user_id": "c1", "budget_id": "b1"}]},
     "customers[0]: customer 'c1' is declared present, but it belongs to budget 'b1'"),
    ({"virtual_keys": [{"key_alias": "ci"}], "teams": []},
     "virtual_keys[0]: virtual_key 'ci' is declared present, but it belongs to team 'research', which unmanaged: "
     "prune deletes"),
])
def test_an_object_kept_under_a_parent_the_document_deletes_is_refused_even_with_cascade(document, message):
    policy = "prune" if document.get("teams") == [] else "preserve"
    with pytest.raises(ValidationError) as error:
        plan(document, policy=policy, cascade=True)
    assert message in error.value.msg


@pytest.mark.parametrize("document, policy, message", [
    ({"teams": [TEAM_GONE]}, "preserve",
     "teams[0]: deleting team 'research' would, by LiteLLM's cascade, also take 1 object not declared absent: "
     "virtual_key 'ci' (deleted); declare it absent, or set cascade: true to let it go with it"),
    ({"teams": [TEAM_GONE, {"team_alias": "other", "state": "absent", "cascade": True}]}, "preserve",
     "teams[0]: deleting team 'research'"),
    ({"teams": [dict(TEAM_GONE, cascade=False)]}, "preserve", "virtual_key 'ci' (deleted)"),
    ({"credentials": [{"credential_name": "openai", "state": "absent"}]}, "preserve",
     "credentials[0]: deleting credential 'openai' would, by LiteLLM's cascade, also take 1 object not declared "
     "absent: model 'gpt' (left naming a credential that no longer exists, so its requests fail)"),
    ({"budgets": [{"budget_id": "b1", "state": "absent"}]}, "preserve",
     "customer 'c1' (left without its budget: LiteLLM unsets its budget_id)"),
    ({"teams": [{"team_alias": "other"}]}, "prune",
     "unmanaged: prune: deleting team 'research' would, by LiteLLM's cascade, also take 1 object not declared "
     "absent: virtual_key 'ci' (deleted)"),
])
def test_a_deletion_taking_undeclared_objects_is_refused_without_cascade(document, policy, message):
    cascade = document.get("teams", [{}])[0].get("cascade") is False  # the object's own false beats the module's
    with pytest.raises(ValidationError) as error:
        plan(document, policy=policy, cascade=cascade)
    assert message in error.value.msg


def test_with_cascade_the_objects_that_go_are_named():
    result = plan({"teams": [dict(TEAM_GONE, cascade=True)]})
    assert cascaded(result) == [("virtual_key", "ci", "team 'research'", "deleted")]
    (team,) = result.work
    assert {"path": "cascade", "desired": None, "live": "virtual_key 'ci' deleted"} in team.diff
    assert result.summary() == {"delete": 1, "cascade": 1, "unmanaged": 1}
    assert [i.action for i in result.work] == ["delete"], "the cascaded key is LiteLLM's to delete, not ours"
    assert planning.item_view(result.cascaded[0], True) == {}


@pytest.mark.parametrize("document, policy", [
    ({"teams": [TEAM_GONE], "virtual_keys": [{"key_alias": "ci", "state": "absent"}]}, "preserve"),
    ({"teams": [TEAM_GONE], "virtual_keys": []}, "prune"),
    ({"teams": [TEAM_GONE], "virtual_keys": [{"key_alias": "ci", "team_alias": "other"}]}, "preserve"),
    ({"budgets": [{"budget_id": "b1", "state": "absent"}], "customers": [{"user_id": "c1", "state": "absent"}]},
     "preserve"),
    ({"teams": [{"team_alias": "nowhere", "state": "absent"}]}, "preserve"),
])
def test_no_cascade_when_the_document_deletes_or_moves_the_children(document, policy):
    """Children declared absent, pruned, or moved to another parent (the update runs before the deletion)."""
    result = plan(document, policy=policy)
    assert result.cascaded == []


def test_a_deletion_reads_the_kinds_it_may_reach():
    declared = documents.parse_document({"teams": [TEAM_GONE]})
    scope = documents.make_scope({"teams": [TEAM_GONE]})
    assert {r.kind for r in live.needed_kinds(declared, scope)} >= {"team", "virtual_key", "model"}
    present = documents.parse_document({"teams": [{"team_alias": "x"}]})
    assert "virtual_key" not in {r.kind for r in live.needed_kinds(present, scope)}
    assert "virtual_key" in {r.kind for r in live.needed_kinds(present, scope, "prune")}


def test_every_cascade_names_a_parent_kind_the_registry_knows():
    for resource in KINDS:
        for cascade in resource.cascaded_by:
            assert cascade.parent in KINDS and cascade.path and cascade.effect
