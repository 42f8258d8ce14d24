"""Golden tests of the role llmops.litellm.proxy_config, rendered by one real ansible-playbook run.

Each ``tests/golden/proxy_config/<case>.vars.yml`` holds the role's variables for one example (most of them
the PalenaAI operator README's LiteLLMInstance examples, see the comment at the top of each file); the role's
``proxy_config_yaml`` must equal ``<case>.yaml``, and its env names and environment of all cases are kept in
``env.yml``. One playbook renders every case, the refused ones (literal secrets, an unknown cache type or retry
error type) and a check-mode-with-diff case: each case is a host of its own (local connection), so each of the
role's tasks runs once for all of them. ``gateway`` writes its file over the golden bytes (unchanged: the file
is the fact, and idempotent). ``LLMOPS_UPDATE_GOLDEN=1`` rewrites the golden files instead of comparing them.

LiteLLM's own loader parses the goldens in tests/integration/test_proxy_config_litellm.py (its proxy module
alone takes half a minute to import).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.llmops.litellm.plugins.filter.proxy_config import to_yaml
from tests.lib.playbook import PlaybookResult, run_playbook

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "proxy_config"
CASES = sorted(p.name.removesuffix(".vars.yml") for p in GOLDEN.glob("*.vars.yml"))
UPDATE = os.environ.get("LLMOPS_UPDATE_GOLDEN") == "1"

LITERAL_KEY_MODELS = [
    {"model_name": "a", "litellm_params": {"model": "openai/a"}, "api_key_env": "A_KEY"},
    {"model_name": "b", "litellm_params": {"model": "openai/b", "api_key": "os.environ/B_KEY"}},
    {"model_name": "c", "litellm_params": {"model": "openai/c", "api_key": "sk-live-abc123"}},
]
# case: (role variables, a string the failure message must hold)
REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "literal_model_api_key": ({"proxy_config_models": LITERAL_KEY_MODELS}, "proxy_config_models[2].litellm_params.api_key"),
    "literal_master_key": ({"proxy_config_master_key": "sk-1234"}, "proxy_config_master_key: literal secret refused"),
    "literal_nested_secret": (
        {"proxy_config_cache": {"type": "s3", "params": {"s3_bucket_name": "b", "s3_aws_secret_access_key": "wJalr"}}},
        "proxy_config_cache.params.s3_aws_secret_access_key",
    ),
    "literal_redis_password": ({"proxy_config_redis": {"host": "redis", "port": 6379, "password": 12345}}, "proxy_config_redis.password"),
    "literal_sso_secret": ({"proxy_config_sso": {"provider": "google", "environment": {"GOOGLE_CLIENT_SECRET": "x"}}},
                           "proxy_config_sso.environment.GOOGLE_CLIENT_SECRET"),
    "unknown_cache_type": ({"proxy_config_cache": {"type": "memcached"}}, "memcached"),
    "unknown_retry_error": ({"proxy_config_router": {"retry_policy": {"TimeoutRetries": 1}}}, "TimeoutRetries"),
    "unknown_group_retry_error": ({"proxy_config_router": {"model_group_retry_policy": {"gpt-4": {"RateLimitRetries": 1}}}},
                                  "proxy_config_router.model_group_retry_policy.gpt-4.RateLimitRetries: unknown error type"),
    "bad_secret_env_name": ({"proxy_config_models": [{"model_name": "a", "litellm_params": {"model": "openai/a", "api_key": {"secret_env": "OPENAI-KEY"}}}]},
                            "proxy_config_models[0].litellm_params.api_key.secret_env: 'OPENAI-KEY' is not an environment variable name"),
}


def _host(name: str, group: str, case_vars: dict[str, Any]) -> dict[str, Any]:
    return {"name": f"Add {name}", "ansible.builtin.add_host": {"name": name, "groups": group, "ansible_connection": "local", **case_vars}}


def _include() -> dict[str, Any]:
    return {"ansible.builtin.include_role": {"name": "llmops.litellm.proxy_config"}}


def _plays(out: Path) -> list[dict[str, Any]]:
    """The cases as hosts: golden ones (``gateway`` also writes its file, over the golden bytes: unchanged), refused
    ones (their failure rescued and recorded), and ``check_diff``, which renders another case over the gateway file
    in check mode with diff."""
    case_vars = {case: yaml.safe_load((GOLDEN / f"{case}.vars.yml").read_text()) or {} for case in CASES}
    hosts = [_host(case, "golden", {**v, "proxy_config_dest": str(out / "gateway.yaml") if case == "gateway" else ""})
             for case, v in case_vars.items()]
    hosts.append(_host("check_diff", "golden", {**case_vars["fallback_chains"], "proxy_config_dest": str(out / "check_diff.yaml"),
                                                "__check": True}))
    hosts += [_host(f"refused_{case}", "refused", v) for case, (v, _message) in REFUSED.items()]
    return [
        {"name": "Cases", "hosts": "localhost", "gather_facts": False, "tasks": hosts},
        {"name": "Golden cases", "hosts": "golden", "gather_facts": False, "roles": [
            {"role": "llmops.litellm.proxy_config", "check_mode": "{{ __check | default(false) }}", "diff": "{{ __check | default(false) }}"}]},
        {"name": "Refused cases", "hosts": "refused", "gather_facts": False, "tasks": [{"block": [_include()], "rescue": [
            {"name": "Refused", "ansible.builtin.set_fact": {"__refused": "{{ ansible_failed_result.msg }}"}}]}]},
    ]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlaybookResult, Path]:
    out = tmp_path_factory.mktemp("proxy_config")
    for name in ("gateway.yaml", "check_diff.yaml"):
        (out / name).write_bytes((GOLDEN / "gateway.yaml").read_bytes())
    result = run_playbook(_plays(out))
    assert result.rc == 0, f"playbook failed:\n{result.stdout[-4000:]}\n{result.stderr[-3000:]}"
    return result, out


def _facts(result: PlaybookResult, case: str) -> dict[str, Any]:
    return result.task("Render the proxy configuration", host=case)["ansible_facts"]


@pytest.mark.parametrize("case", CASES)
def test_golden(run: tuple[PlaybookResult, Path], case: str) -> None:
    result = run[0]
    text = _facts(result, case)["proxy_config_yaml"]
    golden = GOLDEN / f"{case}.yaml"
    if UPDATE:
        golden.write_text(text)
    assert text == golden.read_text()


def test_golden_env(run: tuple[PlaybookResult, Path]) -> None:
    result = run[0]
    env = {case: {k: _facts(result, case)[f"proxy_config_{k}"] for k in ("env_names", "environment")} for case in CASES}
    golden = GOLDEN / "env.yml"
    if UPDATE:
        golden.write_text("# proxy_config_env_names and proxy_config_environment of every golden case.\n" + to_yaml(env))
    assert env == yaml.safe_load(golden.read_text())


@pytest.mark.parametrize("case", CASES)
def test_env_names_are_the_references(run: tuple[PlaybookResult, Path], case: str) -> None:
    """Every os.environ/ reference of a rendered file is an env name, unless a secret manager hosts it."""
    result = run[0]
    facts = _facts(result, case)
    general = facts["proxy_config_rendered"].get("general_settings", {})
    hosted = set((general.get("key_management_settings") or {}).get("hosted_keys", []))
    refs = {word.split("os.environ/", 1)[1] for word in facts["proxy_config_yaml"].split() if "os.environ/" in word}
    assert refs - hosted <= set(facts["proxy_config_env_names"])


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused(run: tuple[PlaybookResult, Path], case: str) -> None:
    result = run[0]
    message = result.task("Refused", host=f"refused_{case}")["ansible_facts"]["__refused"]
    assert REFUSED[case][1] in message
    assert "sk-live-abc123" not in message and "wJalr" not in message


def test_written_idempotent_check_mode_diff(run: tuple[PlaybookResult, Path]) -> None:
    result, out = run
    written = result.task("Write proxy_server_config.yaml", host="gateway")
    checked = result.task("Write proxy_server_config.yaml", host="check_diff")
    if not UPDATE:
        assert written["changed"] is False, "the role did not write the golden bytes"
    assert checked["changed"] is True
    assert (out / "check_diff.yaml").read_text() == (GOLDEN / "gateway.yaml").read_text(), "check mode wrote the file"
    diff = checked["diff"][0] if isinstance(checked["diff"], list) else checked["diff"]
    assert "content_policy_fallbacks" in diff["after"] and "content_policy_fallbacks" not in diff["before"]
