"""The agent spec: litellm_params with write-only secrets, the agent card as LiteLLM stores it, permissions, the
kill switch with its write-only secret, the request body, and the public flag sent after a create."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.agent import (
    AGENT,
    AGENT_REDACTED,
    agent_body,
    agent_secret_key,
)

RAW = {
    "agent_id": "a1", "agent_name": "n", "enabled": True, "spend": 0.0, "created_at": "2025-01-01T00:00:00Z",
    "litellm_params": {"model": "a2a/x", "api_key": AGENT_REDACTED, "is_public": True},
    "agent_card_params": {"protocolVersion": "1.0", "name": "N", "url": "http://u/", "capabilities": {"streaming": True},
                          "security": [{"LiteLLMKey": []}], "skills": [{"id": "chat"}]},
    "object_permission": {"object_permission_id": "p", "models": ["b", "a"], "mcp_servers": [], "vector_stores": [],
                          "mcp_tool_permissions": None},
    "kill_switch": {"url": "http://k/", "method": "POST", "headers": {}, "query_params": {}, "body": None,
                    "auth": {"type": "api_key", "header_name": "x-api-key", "api_key": AGENT_REDACTED}},
    "static_headers": {}, "extra_headers": [],
}


@pytest.mark.parametrize("key, secret", [
    ("api_key", True), ("client_secret", True), ("aws_access_key_id", True), ("access_token", True),
    ("model", False), ("api_base", False), ("max_tokens", False), ("input_cost_per_token", False),
])
def test_agent_secret_keys_are_litellms(key, secret):
    assert agent_secret_key(key) is secret


def test_view_hides_secrets_and_litellms_own_keys():
    view = AGENT.view(RAW)
    assert view["litellm_params"] == {"model": "a2a/x"}
    assert view["public"] is True
    assert view["object_permission"] == {"models": ["a", "b"]}
    assert view["kill_switch"] == {"url": "http://k/", "method": "POST",
                                   "auth": {"type": "api_key", "header_name": "x-api-key"}}
    assert "secret_litellm_params" not in view and AGENT_REDACTED not in str(view)


@pytest.mark.parametrize("desired, changed", [
    ({"litellm_params": {"model": "a2a/x"}}, []),
    ({"litellm_params": {"model": "a2a/y"}}, ["litellm_params"]),
    ({"agent_card_params": {"protocolVersion": "1.0.0", "name": "N", "capabilities": {"streaming": True,
                                                                                      "pushNotifications": True}}}, []),
    ({"agent_card_params": {"name": "M"}}, ["agent_card_params"]),
    ({"object_permission": {"models": ["a", "b"], "mcp_servers": []}}, []),
    ({"object_permission": {"mcp_servers": ["s"]}}, ["object_permission"]),
    ({"kill_switch": {"url": "http://k/", "auth": {"type": "api_key", "api_key": "new"}}}, []),
    ({"kill_switch": {"url": "http://k/", "auth": {"type": "bearer", "token": "t"}}}, ["kill_switch"]),
    ({"secret_litellm_params": {"api_key": "s"}}, []),
    ({"public": True, "enabled": True}, []),
    ({"public": False}, ["public"]),
])
def test_changes_compare_what_the_user_set_as_litellm_stores_it(desired, changed):
    assert sorted(AGENT.changes(AGENT.desired(dict(desired)), AGENT.view(RAW))) == changed


@pytest.mark.parametrize("option, value, message", [
    ("litellm_params", {"api_key": "x"}, "litellm_params.api_key holds a secret"),
    ("litellm_params", {"is_public": True}, "litellm_params.is_public is set by LiteLLM"),
    ("agent_card_params", {"securitySchemes": {}}, "must not set securitySchemes"),
    ("agent_card_params", {"additionalInterfaces": []}, "must not set additionalInterfaces"),
    ("agent_card_params", {"unknown": 1}, "must not set unknown: LiteLLM keeps only"),
    ("agent_card_params", {"protocolVersion": "0.2"}, "protocolVersion must be one of 0.3, 1.0"),
    ("kill_switch", {"url": "localhost/x"}, "kill_switch.url must be an absolute http(s) URL"),
    ("kill_switch", {"url": "http://k", "auth": {"type": "basic", "token": "t", "username": "u", "password": "p"}},
     "kill_switch.auth of type basic takes no token (only username, password)"),
    ("rpm_limit", -1, "rpm_limit must be >= 0"),
])
def test_refused_before_any_request(option, value, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AGENT.desired({option: value})


def test_secrets_are_write_only_and_update_secrets_is_offered():
    spec = AGENT.argument_spec()
    assert spec["secret_litellm_params"]["no_log"] is True and "update_secrets" in spec
    auth = spec["kill_switch"]["options"]["auth"]["options"]
    assert auth["token"]["no_log"] and auth["api_key"]["no_log"] and auth["password"]["no_log"]
    desired = {"kill_switch": {"url": "http://k/", "auth": {"type": "bearer", "token": "t"}},
               "secret_litellm_params": {"api_key": "s"}, "litellm_params": {"model": "m"}}
    assert sorted(AGENT.secrets(desired)) == ["kill_switch", "secret_litellm_params"]


def test_create_body_merges_secrets_and_leaves_public_for_later():
    desired = {"agent_name": "n", "litellm_params": {"model": "m"}, "secret_litellm_params": {"api_key": "s"},
               "public": True, "kill_switch": {"url": "http://k/", "auth": {"type": "bearer", "token": "t"}}}
    body = AGENT.payload(desired)
    assert body == {"agent_name": "n", "litellm_params": {"model": "m", "api_key": "s"},
                    "kill_switch": {"url": "http://k/", "auth": {"type": "bearer", "token": "t"}}}
    assert AGENT.later == ("public",)


def test_update_body_sends_the_live_params_back_and_keeps_stored_secrets():
    desired = {"litellm_params": {"api_base": "http://b"},
               "kill_switch": {"url": "http://k2/", "auth": {"type": "api_key", "api_key": "new"}},
               "object_permission": {"mcp_servers": ["s"]}}
    changes = AGENT.changes(AGENT.desired(desired), AGENT.view(RAW))
    body = AGENT.payload(changes, RAW)
    assert body["litellm_params"] == {"model": "a2a/x", "api_key": AGENT_REDACTED, "api_base": "http://b"}
    assert body["kill_switch"]["auth"] == {"type": "api_key", "header_name": "x-api-key", "api_key": AGENT_REDACTED}
    assert body["object_permission"] == {"models": ["a", "b"], "mcp_servers": ["s"]}
    assert "agent_id" not in body


def test_agent_body_alone():
    assert agent_body({"secret_litellm_params": {"api_key": "s"}, "agent_id": "a1"},
                      {"litellm_params": {"model": "m", "is_public": True}}) == {
        "litellm_params": {"model": "m", "api_key": "s"}}
