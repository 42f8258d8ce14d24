"""Names that declared objects give other objects (a user's teams, a tag's models), found in a plan through one index
per option (``_checks.NameIndex``) built once: the objects declared present or live and not declared absent, an
object held back by ``invalid: skip`` counting as not declared from the moment it is held back. Nothing is sent."""

from __future__ import annotations

import tempfile
from typing import Any

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._checks import NameIndex
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import document as documents
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import isolate
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import plan as planning
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_KIND

TEAMS = BY_KIND["user"].names[0]  # a user's teams: team ids, or aliases made ids
RESEARCH = {"team_id": "t1", "team_alias": "research", "metadata": {}}
OTHER = {"team_id": "t2", "team_alias": "other", "metadata": {}}
MODEL = {"model_id": "m1", "model_name": "gpt", "model": "openai/gpt-4o",
         "litellm_params": {"model": "openai/gpt-4o"}, "model_info": {"id": "m1"}}


def test_an_index_finds_an_object_by_its_id_or_another_field_and_asks_whether_it_still_counts():
    index = NameIndex(TEAMS)
    counts = {"t2": True}
    index.add(RESEARCH, "t1")
    index.add(OTHER, "t2", lambda: counts["t2"])
    index.add({"team_alias": "new", "members": [{"role": "user"}]}, "(known after apply: team 'new')")
    assert index("t1") == index("research") == [(RESEARCH, "t1")]
    assert index("other") == [(OTHER, "t2")]
    assert index("(known after apply: team 'new')") == index("new") != []
    assert index("nowhere") == index(None) == index(["t1"]) == []
    counts["t2"] = False
    assert index("other") == index("t2") == []


def test_a_model_name_other_deployments_keep_exists_while_one_deployment_is_declared_absent():
    live = {"model": [MODEL, dict(MODEL, model_id="m2", model_info={"id": "m2"})], "tag": []}
    document = {"models": [{"model_id": "m1", "model_name": "gpt", "state": "absent"}],
                "tags": [{"name": "paid", "models": ["gpt"]}]}
    result = plan(document, live)
    assert sorted((i.where, i.action) for i in result.items) == [("models[0]", "delete"), ("tags[0]", "create")]
    with pytest.raises(ValidationError) as error:  # its only deployment
        plan(document, {"model": [MODEL], "tag": []})
    assert error.value.msg == "tags[0]: models names a model 'gpt', which does not exist"


def test_an_object_held_back_mid_plan_stops_counting_for_the_names_looked_up_after():
    # users first, so that the index of teams is built before the teams are planned and held back: a team declared
    # present and held back no longer gives its alias; a live team whose deletion is held back is named again
    document = {"teams": [{"team_alias": "new", "organization_alias": "nowhere"},
                          {"team_alias": "other", "state": "absent", "organization_alias": "nowhere"}],
                "users": [{"user_id": "u-first", "teams": ["research"]}, {"user_id": "u-new", "teams": ["new"]},
                          {"user_id": "u-other", "teams": ["other"]}]}
    declared = documents.parse_document(document)
    users, teams = [d for d in declared if d[0].kind == "user"], [d for d in declared if d[0].kind == "team"]
    live = {"team": [RESEARCH, OTHER], "user": [], "organization": []}
    planner = isolate.IsolatingPlanner(users[:1] + teams + users[1:], live, documents.make_scope(document),
                                       "preserve", key_dir=tempfile.gettempdir())
    result = planner.plan()
    found = dict((i.where, i) for i in result.items)
    assert (found["teams[0]"].status, found["teams[1]"].status) == ("waiting", "waiting")
    assert (found["users[0]"].action, found["users[0]"].params["teams"]) == ("create", ["t1"])
    assert (found["users[1]"].status, found["users[1]"].waits_for) == ("waiting", "team 'new'")
    assert found["users[1]"].params["teams"] == ["new"]  # not the stand-in of a team held back
    assert (found["users[2]"].action, found["users[2]"].params["teams"]) == ("create", ["t2"])


def test_the_index_takes_the_items_appended_after_it_was_built():
    planner = planning.Planner([], {"team": [RESEARCH]}, documents.make_scope({"teams": []}), "preserve")
    assert planner.named_objects(TEAMS, "new") == []
    assert planner.named_objects(TEAMS, "research") == [(RESEARCH, "t1")]
    (resource, where, params), = documents.parse_document({"teams": [{"team_alias": "new"}]})
    planner.items.append(planning.Item(resource, params, None, where))
    assert planner.named_objects(TEAMS, "new") == [(params, "(known after apply: team 'new')")]
    assert planner.stand_ins == {"(known after apply: team 'new')": planner.items[0]}
    (resource, where, params), = documents.parse_document({"teams": [{"team_id": "t1", "state": "absent"}]})
    planner.items.append(planning.Item(resource, params, RESEARCH, where))
    assert planner.named_objects(TEAMS, "research") == []


def plan(document: dict[str, Any], live: dict[str, list[dict[str, Any]]]) -> planning.Plan:
    declared = documents.parse_document(document)
    return planning.Planner(declared, live, documents.make_scope(document), "preserve",
                            key_dir=tempfile.gettempdir()).plan()
