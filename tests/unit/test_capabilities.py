"""What a proxy offers (Requires): OpenAPI path matching, licence answers and refusals restated, table-driven."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._errors import REDACTED, LiteLLMError, scrub_data
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import (
    Requires,
    licence_refusal,
    licence_type,
    litellm_version,
    missing_calls,
    older_than,
    route_missing,
    object_requirements,
    unsupported,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.access_group import ACCESS_GROUP
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import ROTATE_KEY
from ansible_collections.llmops.litellm.plugins.modules import access_group, credential, model, team
from tests.unit.httpstub import Reply

KEY = "sk-unit-capabilities-key-0123456789"
STORE_OFF_MESSAGE = ("POST /model/new returned HTTP 500: Set `'STORE_MODEL_IN_DB='True'` in your env to enable this "
                     "feature.")

OPENAPI = {"paths": {
    "/key/generate": {"post": {}},
    "/key/{key}/regenerate": {"post": {}},
    "/model/{model_id}/update": {"patch": {}},
    "/credentials/{credential_name}": {"patch": {}, "delete": {}},
    "/v2/model/info": {"get": {}},
}}


@pytest.mark.parametrize("openapi, calls, expected", [
    (OPENAPI, [("POST", "/key/generate")], []),
    (OPENAPI, [(None, "/key/generate")], []),
    (OPENAPI, [("GET", "/key/generate")], ["GET /key/generate"]),
    (OPENAPI, [("POST", "/key/{id}/regenerate")], []),
    (OPENAPI, [("PATCH", "/model/{id}/update"), ("DELETE", "/credentials/{id}")], []),
    (OPENAPI, [("POST", "/model/new"), (None, "/no/such")], ["POST /model/new", "/no/such"]),
    ({"paths": {"/chat/completions": {"post": {}}}}, [("POST", "/model/new")], None),  # DOCS_FILTERED
    ({}, [("POST", "/model/new")], None),
    ("<html>", [("POST", "/model/new")], None),
    (None, [("POST", "/model/new")], None),
], ids=["present", "any-method", "wrong-method", "template-names-differ", "several", "missing", "filtered",
        "no-paths", "not-json", "nothing"])
def test_missing_calls(openapi, calls, expected):
    assert missing_calls(openapi, calls) == expected


@pytest.mark.parametrize("answer, expected", [
    ({"has_license": False, "license_type": "community"}, "community"),
    ({"license_type": "enterprise"}, "enterprise"),
    ({}, None),
    ("text", None),
])
def test_licence_type(answer, expected):
    assert licence_type(answer) == expected


@pytest.mark.parametrize("requires, resource, read_only, expected", [
    (Requires(), CREDENTIAL, False, [("POST", "/credentials"), ("PATCH", "/credentials/{id}"),
                                     ("DELETE", "/credentials/{id}"), ("GET", "/credentials/by_name/{id}"),
                                     ("GET", "/credentials")]),
    (Requires(), CREDENTIAL, True, [("GET", "/credentials/by_name/{id}"), ("GET", "/credentials")]),
    (Requires(), MODEL, True, [("GET", "/v2/model/info")]),  # no get endpoint: read from the list
    (Requires(paths=["POST /a", "/b"]), None, False, [("POST", "/a"), (None, "/b")]),
])
def test_calls(requires, resource, read_only, expected):
    assert requires.calls(resource, read_only) == expected


@pytest.mark.parametrize("requires, msg, expected", [
    (ROTATE_KEY, "POST /key/x/regenerate returned HTTP 500: Regenerating Virtual Keys is an Enterprise feature",
     "rotating needs a LiteLLM Enterprise licence (POST /key/x/regenerate returned HTTP 500: Regenerating Virtual "
     "Keys is an Enterprise feature)"),
    (ROTATE_KEY, "POST /key/x/regenerate returned HTTP 404: Key not found", None),
    (Requires(), "returned HTTP 403: only for LiteLLM Enterprise users", None),  # not a licensed kind: as it is
    (MODEL.requires, STORE_OFF_MESSAGE, "rotating needs the proxy setting store_model_in_db: true, which is off on "
     "this proxy (%s)" % STORE_OFF_MESSAGE),
    (MODEL.requires, "POST /model/new returned HTTP 400: model_name: Field required", None),
])
def test_explain(requires, msg, expected):
    assert requires.explain("rotating", msg, 500) == expected


@pytest.mark.parametrize("data, expected", [
    ({"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05},
     {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05}),
    ({"api_key": "x", "cost_key": 1}, {"api_key": REDACTED, "cost_key": 1}),
    ({"access_token": "t"}, {"access_token": REDACTED}),
])
def test_prices_are_not_secrets(data, expected):
    assert scrub_data(data) == expected


# --- against a local HTTP server: asked once per run, and what a proxy that does not say leaves unchecked -------

def test_get_kept_asks_once_per_client_errors_included(stub):
    stub.routes = {("GET", "/openapi.json"): Reply(200, OPENAPI), ("GET", "/health/license"): Reply(404, {})}
    client = Client(stub.url, KEY, retries=0)
    assert client.get_kept("/openapi.json") == client.get_kept("/openapi.json") == OPENAPI
    for attempt in ("first", "second"):
        with pytest.raises(LiteLLMError):
            client.get_kept("/health/license")
        assert attempt
    assert [r.path for r in stub.requests] == ["/openapi.json", "/health/license"]


@pytest.mark.parametrize("routes", [
    {},  # no description served (NO_OPENAPI), no licence endpoint (an older LiteLLM)
    {("GET", "/openapi.json"): Reply(200, {"paths": {"/chat/completions": {"post": {}}}}),  # DOCS_FILTERED
     ("GET", "/health/license"): Reply(200, {"has_license": False})},
], ids=["nothing-served", "filtered"])
def test_a_proxy_that_does_not_say_is_not_second_guessed(stub, routes):
    stub.routes = routes
    assert unsupported(Client(stub.url, KEY, retries=0), ROTATE_KEY, "rotating") is None


STORE_OFF = {"error": {"message": "{'error': \"Set `'STORE_MODEL_IN_DB='True'` in your env to enable this feature.\"}",
                       "type": "auth_error", "param": "None", "code": "500"}}


def test_a_refusal_naming_a_required_setting_is_explained(stub, capsys):
    """LiteLLM's own answer when store_model_in_db is off (model_management_endpoints.add_new_model)."""
    stub.routes = {("GET", "/openapi.json"): Reply(404, {"detail": "Not Found"}),
                   ("GET", "/v2/model/info"): Reply(200, {"data": [], "total_pages": 0}),
                   ("POST", "/model/new"): Reply(500, STORE_OFF)}
    args = {"api_url": stub.url, "api_key": KEY, "model_name": "m", "litellm_params": {"model": "openai/x"}}
    with patch_module_args(args), pytest.raises(SystemExit):
        model.main()
    result = json.loads(capsys.readouterr().out)
    assert result["msg"] == (
        "failed to create model 'm': model needs the proxy setting store_model_in_db: true, which is off on this "
        "proxy (POST /model/new returned HTTP 500: Set `'STORE_MODEL_IN_DB='True'` in your env to enable this "
        "feature.)")
    assert result["status"] == 500


@pytest.mark.parametrize("body, missing", [
    ({"detail": "Not Found"}, True),
    ({"detail": "Method Not Allowed"}, True),
    ({"detail": "Credential not found. Got credential name: x"}, False),
    ({"error": {"message": "Key not found in database", "code": "404"}}, False),
    (None, False),
])
def test_route_missing(body, missing):
    assert route_missing(body) is missing


CREDENTIAL_PATHS = {"/key/generate": {"post": {}}, "/credentials": {"get": {}, "post": {}},
                    "/credentials/by_name/{credential_name}": {"get": {}},
                    "/credentials/{credential_name}": {"delete": {}}}  # no PATCH: an older proxy, say


def run_credential(capsys, stub, check_mode=False, **options):
    args = dict(api_url=stub.url, api_key=KEY, credential_name="c", _ansible_check_mode=check_mode, **options)
    with patch_module_args(args), pytest.raises(SystemExit):
        credential.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def old_proxy(stub):
    live = {"credential_name": "c", "display_name": "C", "credential_info": {}, "source": "db"}
    stub.routes = {("GET", "/openapi.json"): Reply(200, {"paths": CREDENTIAL_PATHS}),
                   ("GET", "/credentials/by_name/c"): Reply(200, live),
                   ("PATCH", "/credentials/c"): Reply(405, {"detail": "Method Not Allowed"})}
    return stub


def test_a_run_that_changes_nothing_does_not_ask_for_the_api_description(capsys, old_proxy):
    result = run_credential(capsys, old_proxy, display_name="C")
    assert result["changed"] is False
    assert [r.path for r in old_proxy.requests] == ["/credentials/by_name/c"]


LACKS_PATCH = ("credential needs PATCH /credentials/{id} of the LiteLLM API, which this proxy does not offer (its "
               "/openapi.json lacks it)")


def test_check_mode_asks_before_it_predicts_a_write(capsys, old_proxy):
    result = run_credential(capsys, old_proxy, check_mode=True, display_name="D")
    assert result["msg"] == "failed to update credential 'c': " + LACKS_PATCH
    assert old_proxy.writes() == []


def test_a_route_the_proxy_lacks_is_explained(capsys, old_proxy):
    result = run_credential(capsys, old_proxy, display_name="D")
    assert result["msg"] == "failed to update credential 'c': " + LACKS_PATCH
    assert result["status"] == 405


def test_a_read_route_the_proxy_lacks_is_no_missing_object(capsys, stub):
    stub.routes = {("GET", "/openapi.json"): Reply(200, {"paths": {"/key/generate": {"post": {}}}})}
    result = run_credential(capsys, stub, check_mode=True, display_name="D")
    assert result["msg"].startswith("failed to read credential 'c': credential needs POST /credentials, PATCH "
                                    "/credentials/{id}, DELETE /credentials/{id}, GET /credentials/by_name/{id}")


@pytest.mark.parametrize("msg", [
    "This feature is only available for LiteLLM Enterprise users: tags. You must be a LiteLLM Enterprise user to use "
    "this feature. If you have a license please set `LITELLM_LICENSE` in your env.",
    "You must be a LiteLLM Enterprise user to use this feature",
    "prompts is an enterprise feature",
])
def test_every_licence_refusal_of_litellm_is_the_licence_sentence(msg):
    assert licence_refusal("this", msg) == "this needs a LiteLLM Enterprise licence (%s)" % msg


@pytest.mark.parametrize("msg", [None, "", "team_alias already exists", "model 'enterprise-gpt' not found"])
def test_other_refusals_are_not_the_licence(msg):
    assert licence_refusal("this", msg) is None


# --- options a newer LiteLLM added: refused on an older one, from the version the proxy reports ---------------

@pytest.mark.parametrize("answer, expected", [
    ({"status": "healthy", "litellm_version": "1.106.2"}, "1.106.2"),
    ({"openapi": "3.1.0", "info": {"title": "LiteLLM API", "version": "1.110.2"}}, "1.110.2"),
    ({"status": "healthy", "db": "connected"}, None),  # the public /health/readiness says no version
    ({"info": {"version": "unknown"}}, None),
    ("1.106.2", None),
])
def test_litellm_version(answer, expected):
    assert litellm_version(answer) == expected


@pytest.mark.parametrize("version, first, older", [
    ("1.106.2", "1.108.0", True),
    ("1.106.12", "1.108.0", True),
    ("1.108.0", "1.108.0", False),
    ("1.108.0.post1", "1.108.0", False),
    ("1.109.0-rc.1", "1.109.0", False),
    ("1.110.2", "1.109.0", False),
    ("1.99.4", "1.108.0", True),
    ("2.0.0", "1.108.0", False),
])
def test_older_than(version, first, older):
    assert older_than(version, first) is older


@pytest.mark.parametrize("resource, desired, expected", [
    (TEAM, {"require_trace_id": True}, [("require_trace_id of a team", "1.108.0", False)]),
    (TEAM, {"require_trace_id": False}, [("require_trace_id of a team", "1.108.0", False)]),
    (TEAM, {"require_trace_id": None, "max_budget": 1}, []),
    (TEAM, {"team_member_model_max_budget": {"gpt-4o": {"max_budget": 5}}},
     [("team_member_model_max_budget of a team", "1.108.0", True)]),
    (ACCESS_GROUP, {"mcp_tool_permissions": {"s": ["t"]}, "access_skill_names": ["k"]},
     [("access_group", None, False), ("access_skill_names of an access_group", "1.108.0", False),
      ("mcp_tool_permissions of an access_group", "1.108.0", False)]),
    (MODEL, {"litellm_params": {"model": "openai/x", "rpd": 100, "tpd": None, "rpm": 5}},
     [("model", None, False), ("litellm_params.rpd of a model", "1.109.0", False)]),
    (MODEL, {"model_info": {"ptu_shares": 2, "pricing_provider": "azure", "mode": "chat"}},
     [("model", None, False), ("model_info.pricing_provider of a model", "1.109.0", False),
      ("model_info.ptu_shares of a model", "1.108.0", False)]),
    (MODEL, {"litellm_params": {"model": "openai/x"}}, [("model", None, False)]),
], ids=["trace-id", "trace-id-false", "unset", "member-model-budget", "access-group", "model-params", "model-info",
        "model-plain"])
def test_object_requirements_of_newer_options(resource, desired, expected):
    found = object_requirements(resource, desired)
    assert [(what, r.since, r.enterprise) for r, what in found] == expected


OLD_PROXY = {("GET", "/health/readiness/details"): Reply(200, {"status": "healthy", "litellm_version": "1.106.2"})}


@pytest.mark.parametrize("routes, expected", [
    (OLD_PROXY, "require_trace_id of a team needs LiteLLM 1.108.0 or newer, which this proxy is not (it reports "
                "version 1.106.2 at /health/readiness/details)"),
    ({("GET", "/health/readiness/details"): Reply(401, {"error": {"message": "Authentication Error"}}),
      ("GET", "/openapi.json"): Reply(200, {"info": {"version": "1.106.12"}, "paths": {}})},
     "require_trace_id of a team needs LiteLLM 1.108.0 or newer, which this proxy is not (it reports version "
     "1.106.12 at /openapi.json)"),
    ({("GET", "/health/readiness/details"): Reply(200, {"litellm_version": "1.110.2"})}, None),
    ({}, None),  # reports no version: not second-guessed
], ids=["older", "older-from-openapi", "newer", "says-nothing"])
def test_a_newer_option_is_refused_on_an_older_proxy(stub, routes, expected):
    stub.routes = routes
    requires, what = object_requirements(TEAM, {"require_trace_id": True})[0]
    assert unsupported(Client(stub.url, KEY, retries=0), requires, what) == expected


@pytest.mark.parametrize("module, options, sentence", [
    (team, dict(team_alias="t", require_trace_id=True), "require_trace_id of a team needs LiteLLM 1.108.0"),
    (access_group, dict(access_group_name="g", access_skill_names=["s"]),
     "access_skill_names of an access_group needs LiteLLM 1.108.0"),
    (model, dict(model_name="m", litellm_params={"model": "openai/x", "tpd": 1000}),
     "litellm_params.tpd of a model needs LiteLLM 1.109.0"),
], ids=["team", "access-group", "model"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["apply", "check"])
def test_modules_refuse_a_newer_option_before_anything_is_read_or_written(capsys, stub, module, options, sentence,
                                                                          check_mode):
    stub.routes = dict(OLD_PROXY)
    args = dict(api_url=stub.url, api_key=KEY, _ansible_check_mode=check_mode, **options)
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and sentence + " or newer, which this proxy is not (it reports version 1.106.2" in \
        result["msg"], result["msg"]
    assert [r.path for r in stub.requests] == ["/health/readiness/details"]
