"""The tag spec (update body, budget reads, stored tags only, the Enterprise-only option) and module; the engine's
reads of kinds without a read endpoint, from whole lists, and of names that are ids."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._read import Reader, page_through
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Endpoint
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.tag import TAG, tag_body
from ansible_collections.llmops.litellm.plugins.modules import tag, tag_info
from tests.unit.httpstub import Reply

KEY = "sk-unit-tag-key-abcdef"


@pytest.mark.parametrize("body, raw, sent", [
    ({"name": "t", "rpm_limit": 5}, {"name": "t", "description": "d", "models": ["m"]},
     {"name": "t", "rpm_limit": 5, "description": "d", "models": ["m"]}),
    ({"name": "t", "models": []}, {"name": "t", "description": None, "models": ["m"]},
     {"name": "t", "models": [], "description": None}),
    ({"name": "t", "description": "d"}, None, {"name": "t", "description": "d"}),
])
def test_tag_update_resends_what_litellm_would_empty(body, raw, sent):
    assert tag_body(dict(body), raw) == sent


def test_tag_reads_its_budget_and_only_stored_tags():
    raw = {"name": "t", "models": ["b", "a"], "model_info": {},
           "litellm_budget_table": {"max_budget": 5, "budget_id": "b1"}}
    view = TAG.view(raw)
    assert (view["models"], view["max_budget"], view["budget_id"]) == (["a", "b"], 5.0, "b1")
    assert TAG.find.where(raw) and not TAG.find.where({"name": "seen-in-a-request", "models": None})
    assert TAG.by_name["model_max_budget"].requires.enterprise is True


@pytest.mark.parametrize("answer", [[{"a": 1}], {"items": [{"a": 1}]}])
def test_whole_lists_are_read_once_without_pages(stub, answer):
    stub.routes = {("GET", "/list"): Reply(200, answer)}
    endpoint = Endpoint("GET", "/list", items="items", paginated=False)
    assert page_through(Client(stub.url, KEY), endpoint, {}) == [{"a": 1}]
    assert [r.query for r in stub.requests] == [{}]


def test_a_kind_without_a_read_endpoint_is_read_from_its_list(stub):
    stub.routes = {("GET", "/tag/list"): Reply(200, [{"name": "t", "model_info": {}},
                                                     {"name": "u", "description": "dynamic"}])}
    reader = Reader(Client(stub.url, KEY), TAG)
    assert reader.by_id("t")["name"] == "t"
    assert reader.by_id("u") is None and reader.by_key("u") is None
    assert reader.by_key("t")["name"] == "t"


def run(module, capsys, args, check_mode=False):
    args = dict(args, _ansible_check_mode=check_mode, api_key=KEY)
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


def test_a_name_that_is_the_id_is_required_and_enough(capsys, stub):
    stub.routes = {("GET", "/tag/list"): Reply(200, [{"name": "t", "description": "d", "models": [],
                                                      "model_info": {}}])}
    assert run(tag, capsys, {"api_url": stub.url})["msg"] == "missing required arguments: name"
    result = run(tag, capsys, {"api_url": stub.url, "name": "t", "description": "d"})
    assert (result["changed"], result["tag"]["name"]) == (False, "t")
    assert run(tag_info, capsys, {"api_url": stub.url, "name": "t"})["tags"][0]["description"] == "d"
