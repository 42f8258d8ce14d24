"""LiteLLM itself parses what the role llmops.litellm.proxy_config renders (its golden files).

``test_load_config`` runs the proxy's own loader, ``ProxyConfig().load_config``, on the representative golden
case ``gateway`` in a fresh interpreter (the proxy server module takes half a minute to import and keeps global
state), with fake values for the environment variables the role says the file needs, and no network or
database. ``test_litellm_accepts`` checks every golden case against the types load_config validates with.
The goldens themselves are proved to be the role's output by tests/unit/test_proxy_config_golden.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "proxy_config"
CASES = sorted(p.name.removesuffix(".vars.yml") for p in GOLDEN.glob("*.vars.yml"))

LOAD_CONFIG = r"""
import asyncio, json, sys
import litellm
from litellm.proxy.guardrails.guardrail_registry import IN_MEMORY_GUARDRAIL_HANDLER
from litellm.proxy.proxy_server import ProxyConfig

router, model_list, general_settings = asyncio.run(ProxyConfig().load_config(router=None, config_file_path=sys.argv[1]))
deployment = router.get_deployment(model_id="gpt-4-mini-1")
print(json.dumps({
    "models": sorted(router.get_model_names()),
    "credential_of_gpt_4_mini": deployment.litellm_params.litellm_credential_name,
    "api_key_of_claude": router.get_model_list(model_name="claude-3-haiku")[0]["litellm_params"]["api_key"],
    "cache_type": str(litellm.cache.type.value if hasattr(litellm.cache.type, "value") else litellm.cache.type),
    "cache_ttl": litellm.cache.ttl,
    "retry_policy": router.retry_policy.model_dump(exclude_none=True),
    "model_group_retry_policy": {k: dict(v) for k, v in (router.model_group_retry_policy or {}).items()},
    "fallbacks": router.fallbacks,
    "context_window_fallbacks": router.context_window_fallbacks,
    "max_fallbacks": router.max_fallbacks,
    "enable_tag_filtering": router.enable_tag_filtering,
    "credentials": [c.credential_name for c in litellm.credential_list],
    "guardrails": sorted(g["guardrail_name"] for g in IN_MEMORY_GUARDRAIL_HANDLER.IN_MEMORY_GUARDRAILS.values()),
    "guardrail_hooks": sorted(type(h).__name__ for h in IN_MEMORY_GUARDRAIL_HANDLER.guardrail_id_to_custom_guardrail.values() if h),
    "drop_params": litellm.drop_params,
    "store_model_in_db": general_settings.get("store_model_in_db"),
}))
"""


def _fake_environment(case: str) -> dict[str, str]:
    env = yaml.safe_load((GOLDEN / "env.yml").read_text())[case]
    values = {name: f"test-{name.lower()}-{os.urandom(8).hex()}" for name in env["env_names"]}
    return {**values, **env["environment"]}


def test_load_config(tmp_path: Path) -> None:
    fake = _fake_environment("gateway")
    env = {**os.environ, **fake, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "CHECKPOINT_DISABLE": "1"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-c", LOAD_CONFIG, str(GOLDEN / "gateway.yaml")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    loaded: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded["models"] == ["claude-3-haiku", "gpt-4", "gpt-4-mini"]
    assert loaded["credential_of_gpt_4_mini"] == "openai-prod" and loaded["credentials"] == ["openai-prod"]
    assert loaded["api_key_of_claude"] == fake["ANTHROPIC_API_KEY"], "os.environ/ reference not resolved"
    assert loaded["cache_type"] == "local" and loaded["cache_ttl"] == 120
    assert loaded["retry_policy"] == {"TimeoutErrorRetries": 2, "RateLimitErrorRetries": 3}
    assert loaded["model_group_retry_policy"] == {"gpt-4": {"RateLimitErrorRetries": 1}}
    assert {"gpt-4": ["gpt-4-mini"]} in loaded["fallbacks"] and {"*": ["claude-3-haiku"]} in loaded["fallbacks"]
    assert loaded["context_window_fallbacks"] == [{"gpt-4-mini": ["gpt-4"]}] and loaded["max_fallbacks"] == 2
    assert loaded["guardrails"] == ["lakera-prompt-injection"] and loaded["guardrail_hooks"] == ["LakeraAIGuardrail"]
    assert loaded["enable_tag_filtering"] is True and loaded["drop_params"] is True and loaded["store_model_in_db"] is True


@pytest.fixture(scope="module")
def litellm_types() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm  # noqa: PLC0415  (slow import, only here)
    return litellm


@pytest.mark.parametrize("case", CASES)
def test_litellm_accepts(litellm_types: Any, case: str) -> None:
    """Every section is valid for the LiteLLM types ProxyConfig.load_config validates it with."""
    from litellm import Router  # noqa: PLC0415
    from litellm.caching.caching import Cache  # noqa: PLC0415
    from litellm.models.credentials import CredentialItem  # noqa: PLC0415
    from litellm.proxy._types import ConfigGeneralSettings, RoleBasedPermissions  # noqa: PLC0415
    from litellm.types.caching import LiteLLMCacheType  # noqa: PLC0415
    from litellm.types.guardrails import LitellmParams, SupportedGuardrailIntegrations  # noqa: PLC0415
    from litellm.types.router import RetryPolicy  # noqa: PLC0415
    from litellm.types.secret_managers.main import KeyManagementSettings, KeyManagementSystem  # noqa: PLC0415
    from pydantic import TypeAdapter  # noqa: PLC0415

    config = yaml.safe_load((GOLDEN / f"{case}.yaml").read_text()) or {}
    assert set(config) <= {"model_list", "credential_list", "guardrails", "router_settings", "litellm_settings", "general_settings"}
    router_settings = config.get("router_settings", {})
    assert set(router_settings) <= set(Router.get_valid_args()), "load_config ignores router_settings keys the Router does not take"
    for policy in [router_settings.get("retry_policy", {}), *router_settings.get("model_group_retry_policy", {}).values()]:
        assert set(policy) <= set(RetryPolicy.model_fields)
        RetryPolicy(**policy)
    for credential in config.get("credential_list", []):
        CredentialItem.model_validate({**credential, "display_name": None, "source": "config"})
    known = {g.value for g in SupportedGuardrailIntegrations}
    for guardrail in config.get("guardrails", []):
        params = guardrail["litellm_params"]
        assert params["guardrail"] in known or "." in params["guardrail"]
        LitellmParams(**params)
    cache_params = config.get("litellm_settings", {}).get("cache_params")
    if cache_params:
        LiteLLMCacheType(cache_params["type"])
        assert set(cache_params) - {"host", "port", "password", "url", "ssl"} <= set(Cache.__init__.__code__.co_varnames)
    general = config.get("general_settings", {})
    ConfigGeneralSettings.model_validate({k: v for k, v in general.items() if k in ConfigGeneralSettings.model_fields})
    if "role_permissions" in general:
        TypeAdapter(list[RoleBasedPermissions]).validate_python(general["role_permissions"])  # ROLE_BASED_PERMISSIONS_ADAPTER
    if "key_management_system" in general:
        KeyManagementSystem(general["key_management_system"])
        KeyManagementSettings(**general.get("key_management_settings", {}))
