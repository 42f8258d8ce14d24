"""The access_group spec (update body) and module; the engine's ids in paths and ids LiteLLM generates."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.llmops.litellm.plugins.module_utils._spec import Endpoint
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.access_group import access_group_body
from ansible_collections.llmops.litellm.plugins.modules import access_group
from tests.unit.httpstub import Reply

KEY = "sk-unit-access-group-key-abcdef"


@pytest.mark.parametrize("body, sent", [
    ({"access_group_id": "id", "description": "d"}, {"description": "d"}),
    ({"access_group_name": "n"}, {"access_group_name": "n"}),
])
def test_access_group_body(body, sent):
    assert access_group_body(dict(body), {"access_group_id": "id"}) == sent


@pytest.mark.parametrize("path, object_id, target", [
    ("/v1/access_group/{id}", "a b/c", "/v1/access_group/a%20b%2Fc"),
    ("/team/info", "x", "/team/info"),
])
def test_endpoint_target(path, object_id, target):
    assert Endpoint("GET", path).target(object_id) == target


def run(module, capsys, args, check_mode=False):
    args = dict(args, _ansible_check_mode=check_mode, api_key=KEY)
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


def test_a_generated_id_that_does_not_exist_is_not_created(capsys, stub):
    stub.routes = {("GET", "/v1/access_group/ag-1"): Reply(404, {"detail": "not found"}),
                   ("GET", "/v1/access_group"): Reply(200, [])}
    result = run(access_group, capsys, {"api_url": stub.url, "access_group_id": "ag-1"}, check_mode=True)
    assert result["msg"] == ("failed to create access_group 'ag-1': no access_group has access_group_id 'ag-1', and "
                             "LiteLLM chooses the access_group_id of a new access_group: leave access_group_id out "
                             "to create one")
    assert stub.writes() == []
