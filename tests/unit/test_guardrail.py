"""The guardrail spec: LiteLLM's masking, write-only secrets, partial litellm_params, the request body and the
provider check; and the module's write-only handling, run in-process against a local HTTP server."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._fields import (
    ListOrString,
    MaskedSecret,
    PartialDict,
    is_env_reference,
    litellm_mask,
    litellm_masks,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.guardrail import (
    GUARDRAIL,
    guardrail_body,
    guardrail_preflight,
    guardrail_read_only,
)
from ansible_collections.llmops.litellm.plugins.modules import guardrail
from tests.unit.httpstub import Reply

KEY = "sk-unit-guardrail-key-abcdef"


@pytest.mark.parametrize("key, masked", [
    ("api_key", True), ("aws_secret_access_key", True), ("aws_session_token", True), ("credentials", True),
    ("Authorization", True), ("keyword_redaction_tag", True), ("api_base", False), ("guardrailIdentifier", False),
    ("mode", False),
])
def test_litellm_masks_the_keys_it_names(key, masked):
    assert litellm_masks(key) is masked


@pytest.mark.parametrize("value, masked", [
    ("lk-secret-abcdef", "lk****ef"), ("os.environ/LAKERA_API_KEY", "os****EY"), ("abcd", "*****"),
    ("abcde", "ab****de"),
])
def test_litellm_mask(value, masked):
    assert litellm_mask(value) == masked


@pytest.mark.parametrize("value, reference", [
    ("os.environ/KEY", True), ("OS.ENVIRON/KEY", False), ("lk-1", False), (None, False), (5, False),
])
def test_env_reference(value, reference):
    assert is_env_reference(value) is reference


SECRET = MaskedSecret("provider_api_key", path=("litellm_params", "api_key"), no_log=True)


@pytest.mark.parametrize("desired, live, public, secret, differs", [
    ("lk-secret-abcdef", "lk****ef", None, "lk-secret-abcdef", None),
    ("os.environ/LAKERA_KEY", "os****EY", "os.environ/LAKERA_KEY", None, False),
    ("os.environ/LAKERA_KEY2", "os****EY", "os.environ/LAKERA_KEY2", None, True),
    ("os.environ/LAKERA_KEY", "lk****ef", "os.environ/LAKERA_KEY", None, True),
    ("os.environ/LAKERA_KEY", None, "os.environ/LAKERA_KEY", None, True),
])
def test_masked_secret_compares_only_references(desired, live, public, secret, differs):
    assert SECRET.public(desired) == public
    assert SECRET.secret(desired) == secret
    if public is not None:
        assert SECRET.differs(public, live) is differs
        assert SECRET.merged(live, public) == litellm_mask(public)


PARAMS = PartialDict("litellm_params", path=("litellm_params",), keep_keys=("guardrail", "mode", "api_key"),
                     secrets_option="secret_litellm_params")
LIVE_PARAMS = {"guardrailVersion": "DRAFT", "payload": True, "aws_access_key_id": "os****ID", "timeout": 5.0,
               "blocked_words": [{"keyword": "x", "action": "BLOCK"}]}


@pytest.mark.parametrize("desired, differs", [
    ({}, False),
    ({"guardrailVersion": "DRAFT"}, False),
    ({"guardrailVersion": "1"}, True),
    ({"payload": True, "timeout": 5}, False),
    ({"new_key": "x"}, True),
    ({"new_key": None}, False),
    ({"aws_access_key_id": "os.environ/AWS_KEY_ID"}, False),
    ({"aws_access_key_id": "os.environ/AWS_KEY"}, True),
    ({"blocked_words": [{"keyword": "x", "action": "BLOCK", "description": None}]}, False),
    ({"blocked_words": [{"keyword": "y", "action": "BLOCK"}]}, True),
])
def test_partial_dict_compares_only_the_keys_set(desired, differs):
    assert PARAMS.differs(desired, LIVE_PARAMS) is differs


def test_partial_dict_merges_into_the_live_value_with_masks():
    merged = PARAMS.merged(LIVE_PARAMS, {"guardrailVersion": "2", "aws_access_key_id": "os.environ/OTHER"})
    assert merged == dict(LIVE_PARAMS, guardrailVersion="2", aws_access_key_id="os****ER")
    assert PARAMS.merged(None, {"a": 1}) == {"a": 1}
    assert PARAMS.write({"a": 1}, {"litellm_params": {"mode": "pre_call"}}) == {"a": 1}


@pytest.mark.parametrize("value, error", [
    ({"aws_secret_access_key": "plain"}, "litellm_params.aws_secret_access_key holds a secret, which LiteLLM never "
                                         "returns: set it in secret_litellm_params"),
    ({"mode": "pre_call"}, "litellm_params must not set mode: LiteLLM manages these keys itself"),
])
def test_partial_dict_refuses_secrets_and_keys_of_other_options(value, error):
    with pytest.raises(ValidationError, match=error):
        PARAMS.validate(value)


def test_partial_dict_accepts_references_and_non_strings_under_masked_keys():
    PARAMS.validate({"aws_secret_access_key": "os.environ/AWS_SECRET", "max_tokens": 5, "api_base": "http://x"})


@pytest.mark.parametrize("raw, mode", [
    ({"litellm_params": {"mode": "pre_call"}}, ["pre_call"]),
    ({"litellm_params": {"mode": ["post_call", "pre_call"]}}, ["post_call", "pre_call"]),
    ({"litellm_params": {}}, None),
])
def test_mode_reads_a_string_as_a_list(raw, mode):
    assert ListOrString("mode", "list", path=("litellm_params", "mode")).read(raw) == mode


@pytest.mark.parametrize("body, raw, sent", [
    ({"guardrail_name": "g", "provider": "lakera_v2", "mode": ["pre_call"], "provider_api_key": "k",
      "litellm_params": {"project_id": "p"}, "secret_litellm_params": {"aws_secret_access_key": "s"},
      "guardrail_info": {"d": 1}}, None,
     {"guardrail": {"guardrail_name": "g", "guardrail_info": {"d": 1}, "litellm_params": {
         "guardrail": "lakera_v2", "mode": ["pre_call"], "api_key": "k", "project_id": "p",
         "aws_secret_access_key": "s"}}}),
    ({"default_on": True, "guardrail_id": "id-1"}, {"guardrail_id": "id-1"},
     {"litellm_params": {"default_on": True}}),
    ({"guardrail_name": "new", "guardrail_id": "id-1"}, {"guardrail_id": "id-1"}, {"guardrail_name": "new"}),
])
def test_guardrail_body(body, raw, sent):
    assert guardrail_body(dict(body), raw) == sent


@pytest.mark.parametrize("raw, reason", [
    ({"guardrail_definition_location": "config"}, "it is defined in the proxy's config file"),
    ({"guardrail_definition_location": "db"}, None),
    ({}, None),
])
def test_guardrails_of_the_config_file_are_read_only(raw, reason):
    got = guardrail_read_only(raw)
    assert (got is None) if reason is None else got.startswith(reason)


SETTINGS = {"supported_modes": ["pre_call", "post_call", "during_call", "logging_only"],
            "supported_modes_by_provider": {"aporia": ["during_call", "post_call"], "presidio": ["pre_call"]}}
PARAMS_BY_PROVIDER = {"presidio": {}, "deepkeep": {"api_key": {}}}


@pytest.mark.parametrize("params, error", [
    ({"provider": "aporia", "mode": ["during_call"]}, None),
    ({"provider": "presidio", "mode": None}, None),
    ({"provider": "my_module.MyGuardrail", "mode": ["anything"]}, None),
    ({"provider": None, "mode": ["logging_only"]}, None),
    ({"provider": "deepkeep", "mode": ["post_call"]}, None),
    ({"provider": "deepkeep", "mode": ["pre_mcp_call"]},
     "mode pre_mcp_call is not supported by any guardrail on this LiteLLM"),
    ({"provider": "nope", "mode": None, "state": "absent"}, None),
    ({"provider": "aporia", "mode": ["pre_call", "post_call"]},
     "mode pre_call is not supported by guardrail provider 'aporia' on this LiteLLM (supported: during_call, "
     "post_call)"),
    ({"provider": None, "mode": ["pre_mcp_call"]},
     "mode pre_mcp_call is not supported by any guardrail on this LiteLLM"),
    ({"provider": "llm_guard", "mode": None},
     "this LiteLLM has no guardrail provider 'llm_guard': LLM Guard is only a legacy Enterprise callback"),
    ({"provider": "Google Text Moderation", "mode": None},
     "this LiteLLM has no guardrail provider 'Google Text Moderation': Google Text Moderation is only a legacy"),
    ({"provider": "nope", "mode": None},
     "this LiteLLM has no guardrail provider 'nope' (GET /guardrails/ui/add_guardrail_settings and "
     "/guardrails/ui/provider_specific_params list aporia, deepkeep, presidio)"),
])
def test_preflight_asks_the_proxy_for_providers_and_modes(stub, params, error):
    stub.routes = {("GET", "/guardrails/ui/add_guardrail_settings"): Reply(200, SETTINGS),
                   ("GET", "/guardrails/ui/provider_specific_params"): Reply(200, PARAMS_BY_PROVIDER)}
    params = dict({"state": "present"}, **params)
    client = Client(stub.url, KEY)
    if error is None:
        guardrail_preflight(client, params)
    else:
        with pytest.raises(ValidationError) as refused:
            guardrail_preflight(client, params)
        assert refused.value.msg.startswith(error)


def test_preflight_is_skipped_by_a_proxy_without_the_settings_endpoint(stub):
    guardrail_preflight(Client(stub.url, KEY), {"state": "present", "provider": "anything", "mode": ["x"]})
    assert [r.path for r in stub.requests] == ["/guardrails/ui/add_guardrail_settings"]


def test_secrets_are_sent_on_create_and_on_update_only_when_always():
    desired = GUARDRAIL.desired(dict(dict.fromkeys(GUARDRAIL.by_name), guardrail_name="g", provider="bedrock",
                                     provider_api_key="literal-key", litellm_params={"guardrailVersion": "1"},
                                     secret_litellm_params={"aws_secret_access_key": "s"}))
    assert GUARDRAIL.has_secrets and GUARDRAIL.argument_spec()["update_secrets"]["default"] == "always"
    assert sorted(GUARDRAIL.secrets(desired)) == ["provider_api_key", "secret_litellm_params"]
    live = {"guardrail_id": "id-1", "guardrail_name": "g",
            "litellm_params": {"guardrail": "bedrock", "api_key": "li****ey", "guardrailVersion": "1",
                               "aws_secret_access_key": "s*****"}}
    view = GUARDRAIL.view(live)
    assert "secret_litellm_params" not in view
    assert GUARDRAIL.changes(desired, view) == {}
    assert GUARDRAIL.predict(view, {}) == view


# --- the module against a local HTTP server ---------------------------------------------------------------------

STORED = {"guardrail_id": "id-1", "guardrail_name": "g", "guardrail_info": {},
          "litellm_params": {"guardrail": "lakera_v2", "mode": "pre_call", "api_key": "li****ey", "default_on": False},
          "guardrail_definition_location": "db"}


@pytest.fixture
def stored(stub):
    stub.routes = {
        ("GET", "/v2/guardrails/list"): Reply(200, {"guardrails": [STORED]}),
        ("GET", "/guardrails/id-1/info"): Reply(200, STORED),
        ("PATCH", "/guardrails/id-1"): Reply(200, STORED),
        ("GET", "/guardrails/ui/add_guardrail_settings"): Reply(200, {"supported_modes_by_provider": {
            "lakera_v2": ["pre_call"]}}),
    }
    return stub


def run(capsys, args, check_mode=False, diff=False):
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args), pytest.raises(SystemExit):
        guardrail.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("update_secrets, check_mode, changed, sent", [
    ("on_create", False, False, None),
    ("always", True, True, None),
    ("always", False, True, {"litellm_params": {"api_key": "literal-key"}}),
])
def test_a_literal_key_is_sent_only_with_update_secrets_always(capsys, stored, update_secrets, check_mode, changed,
                                                               sent):
    args = {"api_url": stored.url, "api_key": KEY, "guardrail_name": "g", "provider": "lakera_v2",
            "mode": ["pre_call"], "provider_api_key": "literal-key", "update_secrets": update_secrets}
    result = run(capsys, args, check_mode=check_mode, diff=True)
    assert result["changed"] is changed
    assert [r.body for r in stored.writes()] == ([sent] if sent else [])
    assert "literal-key" not in json.dumps(result)
    assert result["diff"]["before"] == result["diff"]["after"]


def test_a_guardrail_of_the_config_file_is_not_changed(capsys, stored):
    stored.routes[("GET", "/guardrails/id-1/info")] = Reply(200, dict(STORED, guardrail_definition_location="config"))
    args = {"api_url": stored.url, "api_key": KEY, "guardrail_name": "g", "state": "absent"}
    result = run(capsys, args, check_mode=True)
    assert result["msg"].startswith("failed to delete guardrail 'g': it is defined in the proxy's config file")
    assert stored.writes() == []


def test_a_create_without_a_required_option_fails_before_writing(capsys, stub):
    stub.routes = {("GET", "/v2/guardrails/list"): Reply(200, {"guardrails": []})}
    result = run(capsys, {"api_url": stub.url, "api_key": KEY, "guardrail_name": "g"})
    assert result["msg"] == "failed to create guardrail 'g': provider and mode are required to create a guardrail"
    assert stub.writes() == []
