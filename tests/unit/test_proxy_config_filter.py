"""Table-driven tests of the pure functions behind the role llmops.litellm.proxy_config (filter proxy_config_render)."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.llmops.litellm.plugins.filter.proxy_config import (
    credential_env_name,
    deep_merge,
    env_references,
    is_secret_name,
    literal_secrets,
    render,
    resolve_secret_env,
)


@pytest.mark.parametrize(("name", "secret"), [
    ("api_key", True), ("API_KEY", True), ("master_key", True), ("password", True), ("client_secret", True),
    ("token", True), ("aws_secret_access_key", True), ("database_url", True), ("qdrant_api_key", True),
    ("s3_aws_secret_access_key", True), ("redis_password", True), ("github_token", True), ("GENERIC_CLIENT_SECRET", True),
    ("api_key_env", False), ("api_base", False), ("max_tokens", False), ("aws_access_key_id", False), ("key_alias", False),
    ("client_id", False), ("model", False), ("tpm", False), ("api-key", True), ("Authorization", True), ("x-api-key", True),
])
def test_is_secret_name(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(("value", "paths"), [
    ({"api_key": "sk-1"}, ["v.api_key"]),
    ({"api_key": "os.environ/K"}, []),
    ({"api_key": ""}, []),
    ({"api_key": None}, []),
    ({"azure_ad_token": "oidc/google/https://example.com"}, []),
    ({"password": 1234}, ["v.password"]),
    ({"input_cost_per_token": 0.5}, []),
    ({"use_token": True}, []),
    ([{"a": {"b": [{"token": "x"}]}}], ["v[0].a.b[0].token"]),
    ({"gpt-4": {"api_key": "x"}}, ["v.gpt-4.api_key"]),
    ({"a b": {"secret": "x"}}, ["v['a b'].secret"]),
    ({"api_key": ["x"]}, ["v.api_key[0]"]),
])
def test_literal_secrets(value: Any, paths: list[str]) -> None:
    assert literal_secrets(value, "v") == paths


def test_resolve_secret_env() -> None:
    errors: list[str] = []
    value = {"a": [{"api_key": {"secret_env": "K"}}], "b": {"secret_env": "bad-name"}, "c": {"secret_env": "X", "other": 1}}
    assert resolve_secret_env(value, "v", errors) == {"a": [{"api_key": "os.environ/K"}], "b": "os.environ/bad-name",
                                                      "c": {"secret_env": "X", "other": 1}}
    assert errors == ["v.b.secret_env: 'bad-name' is not an environment variable name"]


@pytest.mark.parametrize(("name", "env"), [
    ("openai-prod", "CREDENTIAL_OPENAI_PROD_API_KEY"), ("Azure EU", "CREDENTIAL_AZURE_EU_API_KEY"), ("a.b--c", "CREDENTIAL_A_B_C_API_KEY"),
])
def test_credential_env_name(name: str, env: str) -> None:
    assert credential_env_name(name) == env


def test_env_references_and_deep_merge() -> None:
    assert env_references({"a": ["os.environ/A", {"b": "os.environ/B"}], "c": "os.environ/not a name", "d": "A"}) == {"A", "B"}
    assert deep_merge({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2], "e": 3}}) == {"a": {"b": 1, "c": [2], "e": 3}, "d": 1}


@pytest.mark.parametrize(("role_vars", "error"), [
    ({"proxy_config_models": [{"model_name": "m", "litellm_params": {"model": "x", "api_key": "os.environ/A"}, "api_key_env": "B"}]},
     "proxy_config_models[0]: set api_key_env or litellm_params.api_key, not both"),
    ({"proxy_config_models": [{"model_name": "m", "litellm_params": {}}]}, "proxy_config_models[0]: model_name and litellm_params.model are required"),
    ({"proxy_config_guardrails": [{"guardrail_name": "g", "litellm_params": {"guardrail": "aporia"}}]},
     "proxy_config_guardrails[0]: guardrail_name, litellm_params.guardrail and litellm_params.mode are required"),
    ({"proxy_config_cache": {"type": "redis"}}, "proxy_config_cache: type redis needs proxy_config_cache.redis or proxy_config_redis"),
    ({"proxy_config_cache": {"type": "s3", "redis": {"host": "r"}}}, "proxy_config_cache.redis: only for the types redis, redis-semantic"),
    ({"proxy_config_cache": {"type": "local", "params": {"ttl": 1}}}, "proxy_config_cache.params.ttl: set it as proxy_config_cache.ttl"),
    ({"proxy_config_redis": {"port": 6379}}, "proxy_config_redis: a Redis needs host (and port) or url"),
    ({"proxy_config_redis": {"host": "r", "password": "os.environ/A", "password_env": "B"}},
     "proxy_config_redis: set password_env or proxy_config_redis.password, not both"),
    ({"proxy_config_credentials": [{"name": "c", "api_base": "https://a", "values": {"api_base": "https://b"}}]},
     "proxy_config_credentials[0]: set api_base or values.api_base, not both"),
    ({"proxy_config_secret_manager": {"settings": {"hosted_keys": ["A"]}}}, "set proxy_config_secret_manager.type too"),
    ({"proxy_config_models": [{"model_name": "m", "litellm_params": {"model": "x", "extra_headers": {"Authorization": "Bearer sk-1"}}}]},
     "proxy_config_models[0].litellm_params.extra_headers.Authorization: literal secret refused"),
    ({"proxy_config_ip_allowlist": {"use_x_forwarded_for": True}}, "proxy_config_ip_allowlist.allowed_ips is empty"),
    ({"proxy_config_sso": {"provider": "generic", "token_endpoint": "t"}},
     "proxy_config_sso: provider generic needs authorization_endpoint, userinfo_endpoint"),
    ({"proxy_config_sso": {"provider": "okta"}}, "needs authorization_endpoint, token_endpoint, userinfo_endpoint (or issuer)"),
    ({"proxy_config_sso": {"provider": "google", "scope": "x"}}, "proxy_config_sso: scope only apply to the providers generic and okta"),
    ({"proxy_config_sso": {"provider": "microsoft"}}, "proxy_config_sso.tenant is required for provider microsoft"),
    ({"proxy_config_secret_manager": {"environment": {"HCP_VAULT_TOKEN": "os.environ/X"}}},
     "proxy_config_secret_manager.environment.HCP_VAULT_TOKEN: HCP_VAULT_TOKEN is a secret"),
    ({"proxy_config_secret_manager": {"environment": {"BAD NAME": "x"}}}, "'BAD NAME' is not an environment variable name"),
    ({"proxy_config_extra": {"general_settings": {"litellm_license": "abc"}}},
     "proxy_config_extra.general_settings.litellm_license: literal secret refused"),
])
def test_render_errors(role_vars: dict[str, Any], error: str) -> None:
    result = render(role_vars)
    assert any(error in message for message in result["errors"]), result["errors"]
    assert result["config"] == {} and result["env_names"] == [] and result["environment"] == {} and result["yaml"] == "--- {}\n"


def test_render_defaults_and_switches() -> None:
    redis = {"proxy_config_redis": {"url": "os.environ/REDIS_URL", "ssl": True}}
    result = render({**redis, "proxy_config_cache": {"type": "redis-semantic"}})
    assert result["config"]["litellm_settings"]["cache_params"] == {"type": "redis-semantic", "url": "os.environ/REDIS_URL", "ssl": True}
    assert result["config"]["router_settings"] == {"redis_url": "os.environ/REDIS_URL", "cache_kwargs": {"ssl": True}}
    off = render({**redis, "proxy_config_router": {"redis": False}, "proxy_config_cache": {"enabled": False, "type": "redis"},
                  "proxy_config_rbac": {"enabled": False, "allowed_routes": ["/x"], "key_generation": {"team_key_generation": {}}},
                  "proxy_config_ip_allowlist": {"enabled": False}})
    assert off == {"config": {}, "yaml": "--- {}\n", "env_names": [], "environment": {}, "errors": []}
    cred = render({"proxy_config_credentials": [{"name": "c", "values": {"api_key": "os.environ/MINE"}}]})
    assert cred["config"]["credential_list"][0]["credential_values"] == {"api_key": "os.environ/MINE"}
    assert render({}) == {"config": {}, "yaml": "--- {}\n", "env_names": [], "environment": {}, "errors": []}


def test_yaml_text_is_stable_and_indented() -> None:
    import datetime  # noqa: PLC0415
    result = render({"proxy_config_models": [{"model_name": "m", "api_key_env": "K",
                                              "litellm_params": {"model": "x", "api_version": datetime.date(2024, 10, 21), "tags": ["b", "a"]}}]})
    assert result["yaml"] == (
        "---\nmodel_list:\n  - litellm_params:\n      api_key: os.environ/K\n      api_version: '2024-10-21'\n      model: x\n"
        "      tags:\n        - b\n        - a\n    model_name: m\n")


def test_render_refuses_non_dict() -> None:
    from ansible.errors import AnsibleFilterError  # noqa: PLC0415
    with pytest.raises(AnsibleFilterError):
        render([])  # type: ignore[arg-type]
