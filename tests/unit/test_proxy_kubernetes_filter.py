"""The pure functions behind the role proxy_kubernetes (plugins/filter/proxy_kubernetes.py), table-driven."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.litellm.plugins.filter.proxy_kubernetes import (
    enterprise_features, job_name, job_state, litellm_instance_vars, rollout, seconds)

ROLE = Path(__file__).resolve().parents[2] / "roles" / "proxy_kubernetes"


@pytest.mark.parametrize(("spec", "expected"), [
    ({"replicas": 2, "masterKey": {"autoGenerate": True}},
     {"proxy_kubernetes_replicas": 2, "proxy_kubernetes_master_key": {"auto_generate": True}}),
    ({"database": {"external": {"connectionSecretRef": {"name": "db", "key": "DATABASE_URL"}}}},
     {"proxy_kubernetes_database": {"external": {"connection_secret_ref": {"name": "db", "key": "DATABASE_URL"}}}}),
    ({"security": {"runAsNonRoot": True, "ipAllowlist": {"enabled": True, "allowedIPs": ["10.0.0.0/8"], "useXForwardedFor": True}}},
     {"proxy_kubernetes_non_root": True,
      "proxy_config_ip_allowlist": {"enabled": True, "allowed_ips": ["10.0.0.0/8"], "use_x_forwarded_for": True}}),
    ({"gatewayHTTPRoute": {"enabled": True, "parentRefs": [{"name": "gw", "sectionName": "https"}]}},
     {"proxy_kubernetes_gateway_http_route": {"enabled": True, "parent_refs": [{"name": "gw", "section_name": "https"}]}}),
    ({"observability": {"prometheusRule": {"enabled": True, "disabledAlerts": ["LiteLLMHighCPUUsage"]}}},
     {"proxy_kubernetes_observability": {"prometheus_rule": {"enabled": True, "disabled_alerts": ["LiteLLMHighCPUUsage"]}}}),
    ({"routerSettings": {"enableTagFiltering": True, "retryPolicy": {"TimeoutError": 2},
                         "modelGroupRetryPolicy": {"gpt-4": {"RateLimitError": 0}}}},
     {"proxy_config_router": {"enable_tag_filtering": True, "retry_policy": {"TimeoutErrorRetries": 2},
                              "model_group_retry_policy": {"gpt-4": {"RateLimitErrorRetries": 0}}}}),
    ({"fallbacks": {"defaultFallbacks": ["a"], "modelFallbacks": [{"model": "m", "fallbacks": ["b"]}], "maxFallbacks": 3}},
     {"proxy_config_fallbacks": {"default": ["a"], "models": [{"model": "m", "fallbacks": ["b"]}], "max_fallbacks": 3}}),
    ({"caching": {"enabled": True, "type": "redis", "supportedCallTypes": ["acompletion"],
                  "redis": {"host": "r", "passwordSecretRef": {"name": "redis-secret", "key": "password"}, "ssl": True}}},
     {"proxy_config_cache": {"type": "redis", "supported_call_types": ["acompletion"],
                             "redis": {"host": "r", "password": {"secret_env": "CACHING_REDIS_PASSWORD"}, "ssl": True}},
      "proxy_kubernetes_env_secrets": {"CACHING_REDIS_PASSWORD": {"name": "redis-secret", "key": "password"}}}),
    ({"caching": {"enabled": False, "type": "redis"}}, {}),
    ({"redis": {"host": "redis.svc", "passwordSecretRef": {"name": "redis", "key": "pw"}}},
     {"proxy_kubernetes_redis": {"host": "redis.svc", "port": 6379, "password_secret_ref": {"name": "redis", "key": "pw"}},
      "proxy_config_redis": {"host": "os.environ/REDIS_HOST", "port": "os.environ/REDIS_PORT", "password": "os.environ/REDIS_PASSWORD"}}),
    ({"rbac": {"rolePermissions": {"internal_user": {"routes": ["/key/info"]}}, "keyGeneration": {"teamKeyGeneration": {"allowedTeamMemberRoles": ["admin"]}}}},
     {"proxy_config_rbac": {"role_permissions": {"internal_user": {"routes": ["/key/info"]}},
                            "key_generation": {"team_key_generation": {"allowed_team_member_roles": ["admin"]}}}}),
    ({"upgrade": {"strategy": "rolling", "autoRollback": True, "healthCheckTimeout": "300s"}},
     {"proxy_kubernetes_upgrade": {"strategy": "RollingUpdate", "auto_rollback": True, "progress_deadline_seconds": 300}}),
    ({"hpa": {"enabled": True, "targetCPUUtilization": 70}, "sso": {"provider": "microsoft", "proxyBaseURL": "https://x",
      "clientSecretSecretRef": {"name": "sso", "key": "secret"}}, "ui": {"docsURL": "/docs", "passwordSecretRef": {"name": "ui", "key": "pw"}},
      "secretManager": {"type": "hashicorp_vault", "secretEnv": {"HCP_VAULT_TOKEN": {"name": "vault", "key": "token"}}},
      "envSecrets": {"OPENAI_API_KEY": {"name": "openai", "key": "key"}}, "configSync": {"enabled": True}},
     {"proxy_kubernetes_hpa": {"enabled": True, "target_cpu_utilization": 70},
      "proxy_config_sso": {"provider": "microsoft", "proxy_base_url": "https://x"}, "proxy_config_ui": {"docs_url": "/docs"},
      "proxy_config_secret_manager": {"type": "hashicorp_vault", "secret_env": ["HCP_VAULT_TOKEN"]},
      "proxy_kubernetes_env_secrets": {"MICROSOFT_CLIENT_SECRET": {"name": "sso", "key": "secret"}, "UI_PASSWORD": {"name": "ui", "key": "pw"},
                                       "HCP_VAULT_TOKEN": {"name": "vault", "key": "token"}, "OPENAI_API_KEY": {"name": "openai", "key": "key"}}}),
    ({"imagePullSecrets": [{"name": "ghcr"}, "quay"], "nodeSelector": {"kubernetes.io/os": "linux"}},
     {"proxy_kubernetes_image_pull_secrets": ["ghcr", "quay"], "proxy_kubernetes_node_selector": {"kubernetes.io/os": "linux"}}),
])
def test_instance_vars(spec: dict[str, Any], expected: dict[str, Any]) -> None:
    assert litellm_instance_vars(spec) == expected


@pytest.mark.parametrize(("spec", "message"), [
    ({"replica": 2}, "spec.replica: not a LiteLLMInstance field"),
    ({"upgrade": {"strategy": "blue-green"}}, "spec.upgrade.strategy: 'blue-green' is not one of rolling, recreate"),
    ({"upgrade": {"healthCheckTimeout": "soon"}}, "spec.upgrade.healthCheckTimeout: 'soon' is not a duration"),
    ({"caching": {"redis": {"passwordSecretRef": {"name": "x"}}}}, "spec.caching.redis.passwordSecretRef: a Secret reference needs name and key"),
])
def test_instance_vars_refuses_bad_specs(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(AnsibleFilterError, match=message.replace(".", r"\.").replace("(", r"\(")):
        litellm_instance_vars(spec)


def test_every_variable_a_spec_sets_is_passed_on_by_the_role() -> None:
    """tasks/main.yml passes on exactly the variables vars/main.yml lists, and every variable the converter can
    return is among them (a spec with every field)."""
    names = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__proxy_kubernetes_instance_var_names"]
    (include,) = [t for t in yaml.safe_load((ROLE / "tasks" / "main.yml").read_text()) if "ansible.builtin.include_tasks" in t and t.get("vars")]
    assert sorted(include["vars"]) == sorted(names)
    every = {"replicas": 1, "image": {}, "imagePullSecrets": [], "masterKey": {}, "saltKey": {}, "database": {}, "service": {},
             "resources": {}, "probes": {}, "topologySpread": {}, "nodeSelector": {}, "tolerations": [], "env": {}, "labels": {},
             "annotations": {}, "hpa": {}, "pdb": {}, "networkPolicy": {}, "ingress": {}, "route": {}, "gatewayHTTPRoute": {},
             "observability": {}, "rbac": {}, "sso": {"provider": "okta", "clientSecretSecretRef": {"name": "a", "key": "b"}},
             "ui": {"accessMode": "admin_only", "passwordSecretRef": {"name": "a", "key": "b"}},
             "secretManager": {"type": "hashicorp_vault", "secretEnv": {"HCP_VAULT_TOKEN": {"name": "a", "key": "b"}}},
             "envSecrets": {"X": {"name": "a", "key": "b"}}, "proxyConfigOverrides": {"general_settings": {}}, "removeData": True,
             "storeModelInDB": True, "deletionPolicy": "Delete", "configSync": {"enabled": True},
             "security": {"runAsNonRoot": True, "ipAllowlist": {}}, "redis": {"host": "r"}, "routerSettings": {},
             "fallbacks": {}, "upgrade": {"autoRollback": True},
             "caching": {"type": "redis", "redis": {"passwordSecretRef": {"name": "a", "key": "b"}}}}
    assert set(litellm_instance_vars(every)) <= set(names)
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    assert {name for name in names if name.startswith("proxy_kubernetes_")} <= set(defaults)
    # the proxy_config variables are taken with the role proxy_config's defaults when the caller did not set them
    config_defaults = yaml.safe_load((ROLE.parent / "proxy_config" / "defaults" / "main.yml").read_text())
    role_vars = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    assert role_vars["__proxy_kubernetes_config_var_defaults"] == {name: config_defaults[name] for name in names if name.startswith("proxy_config_")}


@pytest.mark.parametrize(("value", "expected"), [("300s", 300), ("5m", 300), ("1h", 3600), (90, 90)])
def test_seconds(value: Any, expected: int) -> None:
    assert seconds(value, "x") == expected


@pytest.mark.parametrize(("config", "environment", "expected"), [
    ({}, {}, []),
    ({"general_settings": {"allowed_ips": ["10.0.0.0/8"], "key_management_system": "aws_secret_manager"}}, {},
     ["IP allow-list", "secret manager"]),
    ({"general_settings": {"role_permissions": [{"role": "internal_user"}]}, "litellm_settings": {"key_generation_settings": {"x": 1}}}, {},
     ["key generation restrictions", "role permissions"]),
    ({"general_settings": {"allowed_routes": ["/chat/completions"]}}, {"UI_LOGO_PATH": "https://x/logo.svg", "UI_USERNAME": "admin"},
     ["custom Admin UI logo"]),
])
def test_enterprise_features(config: dict[str, Any], environment: dict[str, Any], expected: list[str]) -> None:
    assert enterprise_features(config, environment) == expected


@pytest.mark.parametrize(("instance", "tag", "expected"), [
    ("my-gateway", "v1.106.2", "my-gateway-migrate-v1-106-2"),
    ("my-gateway", "main-v1.82.3-stable", "my-gateway-migrate-main-v1-82-3-stable"),
    ("a" * 40, "v1.106.2", "a" * 40 + "-migrate-v1-106-2"),
])
def test_job_name(instance: str, tag: str, expected: str) -> None:
    assert job_name(instance, tag) == expected


def test_long_tags_are_cut_and_hashed() -> None:
    first, second = job_name("a" * 40, "sha-" + "0" * 40), job_name("a" * 40, "sha-" + "0" * 39 + "1")
    assert len(first) == len(second) == 63 and first != second
    assert first.startswith("a" * 40 + "-migrate-sha-") and first[-11] == "-"


def deployment(generation: int, observed: int, reason: str | None = None, revision: str = "2", **status: int) -> dict[str, Any]:
    conditions = [{"type": "Progressing", "status": "False" if reason == "ProgressDeadlineExceeded" else "True", "reason": reason,
                   "message": 'ReplicaSet "gw-2" has timed out progressing.'}] if reason else []
    return {"metadata": {"uid": "d-uid", "generation": generation, "annotations": {"deployment.kubernetes.io/revision": revision}},
            "spec": {"replicas": 2}, "status": {"observedGeneration": observed, "conditions": conditions, **status}}


def replica_set(revision: int, owner: str = "d-uid", image: str = "old") -> dict[str, Any]:
    template = {"metadata": {"labels": {"app": "litellm", "pod-template-hash": f"h{revision}"}}, "spec": {"containers": [{"image": image}]}}
    return {"metadata": {"name": f"gw-{revision}", "annotations": {"deployment.kubernetes.io/revision": str(revision)},
                         "ownerReferences": [{"uid": owner, "controller": True}]}, "spec": {"template": template}}


@pytest.mark.parametrize(("obj", "state"), [
    (deployment(2, 1, "ProgressDeadlineExceeded"), "pending"),  # the controller has not seen the change yet
    (deployment(2, 2, "ReplicaSetUpdated", updatedReplicas=1, replicas=3, availableReplicas=2), "pending"),
    (deployment(2, 2, "NewReplicaSetAvailable", updatedReplicas=2, replicas=2, availableReplicas=2), "complete"),
    (deployment(2, 2, "ProgressDeadlineExceeded"), "failed"),
])
def test_rollout_state(obj: dict[str, Any], state: str) -> None:
    assert rollout(obj)["state"] == state


def test_rollout_finds_the_previous_revision_of_the_deployment() -> None:
    sets = [replica_set(1, image="first"), replica_set(3, image="older-but-newer"), replica_set(2, image="bad"),
            replica_set(4, owner="another-deployment")]
    result = rollout(deployment(2, 2, "ProgressDeadlineExceeded", revision="3"), sets)
    assert result["state"] == "failed" and result["rollback_revision"] == 2
    assert result["rollback_template"] == {"metadata": {"labels": {"app": "litellm"}}, "spec": {"containers": [{"image": "bad"}]}}
    assert "timed out" in result["message"]
    assert rollout(deployment(2, 2, "ProgressDeadlineExceeded", revision="1"), sets)["rollback_template"] is None


@pytest.mark.parametrize(("conditions", "state"), [
    ([], "pending"), ([{"type": "Complete", "status": "True"}], "complete"), ([{"type": "Failed", "status": "True"}], "failed"),
    ([{"type": "Complete", "status": "False"}], "pending"),
])
def test_job_state(conditions: list[dict[str, str]], state: str) -> None:
    assert job_state({"status": {"conditions": conditions}}) == state
