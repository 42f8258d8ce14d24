"""The engine of the role llmops.litellm.proxy_kubernetes: pure functions the role calls as filters.

- ``litellm_instance_vars``: the spec of a LiteLLMInstance (camelCase, as PalenaAI's README writes it) to the
  variables of the roles proxy_kubernetes and proxy_config. The operator and the role's
  ``proxy_kubernetes_instance`` variable both go through it, so the mapping lives in one place.
- ``proxy_kubernetes_enterprise_features``: the LiteLLM Enterprise features a rendered configuration uses.
- ``proxy_kubernetes_job_name``: the DNS-safe name of the migration Job of an image tag.
- ``proxy_kubernetes_rollout``: the state of a Deployment's rollout and, when it exceeded its progress deadline,
  the pod template of the previous revision (what ``kubectl rollout undo`` restores).
- ``proxy_kubernetes_job_state``: the state of a Job.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.litellm.plugins.filter.proxy_config import SSO_PROVIDERS

# CR field names the camelCase -> snake_case rule gets wrong.
SNAKE_OVERRIDES = {"allowedIPs": "allowed_ips"}
# Maps whose content is Kubernetes (or user data) and is passed on as it is.
VERBATIM = frozenset({"nodeSelector", "labels", "annotations", "resources", "tolerations", "ingressFrom", "env",
                      "barmanObjectStore", "retryPolicy", "modelGroupRetryPolicy", "environment"})
# Maps whose keys are names (roles), with field names below them.
NAMED_KEYS = frozenset({"rolePermissions"})
# spec field -> role variable, converted field by field (snake_case).
INFRASTRUCTURE = {
    "replicas": "proxy_kubernetes_replicas", "image": "proxy_kubernetes_image", "masterKey": "proxy_kubernetes_master_key",
    "saltKey": "proxy_kubernetes_salt_key", "database": "proxy_kubernetes_database", "service": "proxy_kubernetes_service",
    "resources": "proxy_kubernetes_resources", "probes": "proxy_kubernetes_probes",
    "topologySpread": "proxy_kubernetes_topology_spread", "nodeSelector": "proxy_kubernetes_node_selector",
    "tolerations": "proxy_kubernetes_tolerations", "env": "proxy_kubernetes_env", "labels": "proxy_kubernetes_labels",
    "annotations": "proxy_kubernetes_annotations", "hpa": "proxy_kubernetes_hpa", "pdb": "proxy_kubernetes_pdb",
    "networkPolicy": "proxy_kubernetes_network_policy", "ingress": "proxy_kubernetes_ingress", "route": "proxy_kubernetes_route",
    "gatewayHTTPRoute": "proxy_kubernetes_gateway_http_route", "observability": "proxy_kubernetes_observability",
    "removeData": "proxy_kubernetes_remove_data", "storeModelInDB": "proxy_config_store_model_in_db",
}
CONFIGURATION = {"rbac": "proxy_config_rbac"}
SPECIAL = ("imagePullSecrets", "security", "redis", "caching", "routerSettings", "fallbacks", "upgrade", "sso", "ui", "secretManager",
           "envSecrets", "proxyConfigOverrides")
# What the operator acts on itself; no role variable.
OPERATOR_ONLY = ("deletionPolicy", "external", "configSync")
FALLBACKS = {"defaultFallbacks": "default", "modelFallbacks": "models", "contentPolicyFallbacks": "content_policy",
             "contextWindowFallbacks": "context_window", "maxFallbacks": "max_fallbacks"}
UPGRADE_STRATEGIES = {"rolling": "RollingUpdate", "recreate": "Recreate"}
DURATION = re.compile(r"^(\d+)(s|m|h)?$")

# LiteLLM Enterprise features (docs.litellm.ai marks them "Enterprise"), found in the rendered configuration:
# (label, section of proxy_server_config.yaml, key) and the environment variables of the Admin UI's branding.
ENTERPRISE_SETTINGS = (
    ("IP allow-list", "general_settings", "allowed_ips"),
    ("secret manager", "general_settings", "key_management_system"),
    ("role permissions", "general_settings", "role_permissions"),
    ("key generation restrictions", "litellm_settings", "key_generation_settings"),
)
ENTERPRISE_ENVIRONMENT = (("custom Admin UI logo", "UI_LOGO_PATH"), ("custom Admin UI logo", "UI_LOGO_PATH_DARK"),
                          ("email branding", "EMAIL_LOGO_URL"), ("email branding", "EMAIL_SUPPORT_CONTACT"))

DNS_LABEL_MAX = 63
REVISION = "deployment.kubernetes.io/revision"


def snake(name: str) -> str:
    """camelCase to snake_case, acronyms as one word (gatewayHTTPRoute: gateway_http_route)."""
    return SNAKE_OVERRIDES.get(name) or re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)).lower()


def env_name(path: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", path).upper()).strip("_")


class _Converter:
    """One conversion: the variables and the secret environment (``{ENV: {name, key}}``) it collects."""

    def __init__(self) -> None:
        self.env_secrets: dict[str, dict[str, str]] = {}

    def fields(self, value: Any, path: str, secrets: bool = False) -> Any:
        """camelCase keys to snake_case, recursively; with ``secrets``, ``xSecretRef: {name, key}`` becomes
        ``x: {secret_env: PATH_X}`` and the pod gets PATH_X from that Secret key."""
        if isinstance(value, list):
            return [self.fields(item, f"{path}[{index}]", secrets) for index, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        converted = {}
        for key, item in value.items():
            child = f"{path}.{key}"
            if key in VERBATIM:
                converted[snake(key)] = item
            elif key in NAMED_KEYS:
                converted[snake(key)] = {name: self.fields(sub, f"{child}.{name}", secrets) for name, sub in item.items()}
            elif secrets and key.endswith("SecretRef"):
                field = key[: -len("SecretRef")]
                env = env_name(f"{path}.{field}".split(".", 1)[1])
                self.env_secrets[env] = self.secret_ref(item, child)
                converted[snake(field)] = {"secret_env": env}
            else:
                converted[snake(key)] = self.fields(item, child, secrets)
        return converted

    @staticmethod
    def secret_ref(ref: Any, path: str) -> dict[str, str]:
        if not isinstance(ref, dict) or not ref.get("name") or not ref.get("key"):
            raise AnsibleFilterError(f"{path}: a Secret reference needs name and key")
        return {"name": ref["name"], "key": ref["key"]}

    def convert(self, spec: dict[str, Any]) -> dict[str, Any]:
        known = {*INFRASTRUCTURE, *CONFIGURATION, *SPECIAL, *OPERATOR_ONLY}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise AnsibleFilterError(f"spec.{unknown[0]}: not a LiteLLMInstance field llmops.litellm.proxy_kubernetes knows "
                                     f"(known: {', '.join(sorted(known))})")
        role_vars = {var: self.fields(spec[field], f"spec.{field}") for field, var in INFRASTRUCTURE.items() if field in spec}
        role_vars |= {var: self.fields(spec[field], f"spec.{field}", secrets=True) for field, var in CONFIGURATION.items() if field in spec}
        if "imagePullSecrets" in spec:
            role_vars["proxy_kubernetes_image_pull_secrets"] = [s["name"] if isinstance(s, dict) else s for s in spec["imagePullSecrets"]]
        self.security(spec.get("security") or {}, role_vars)
        self.redis(spec.get("redis"), role_vars)
        self.caching(spec.get("caching"), role_vars)
        self.router(spec.get("routerSettings"), role_vars)
        if "fallbacks" in spec:
            role_vars["proxy_config_fallbacks"] = {FALLBACKS.get(key, snake(key)): value for key, value in spec["fallbacks"].items()}
        self.upgrade(spec.get("upgrade"), role_vars)
        self.sso(spec.get("sso"), role_vars)
        self.ui(spec.get("ui"), role_vars)
        self.secret_manager(spec.get("secretManager"), role_vars)
        if "proxyConfigOverrides" in spec:
            role_vars["proxy_config_extra"] = spec["proxyConfigOverrides"]
        for env, ref in (spec.get("envSecrets") or {}).items():
            self.env_secrets[env] = self.secret_ref(ref, f"spec.envSecrets.{env}")
        if self.env_secrets:
            role_vars["proxy_kubernetes_env_secrets"] = self.env_secrets
        return role_vars

    def sso(self, sso: dict[str, Any] | None, role_vars: dict[str, Any]) -> None:
        """spec.sso; the client secret reaches the pod under the name LiteLLM reads for the provider."""
        if not sso:
            return
        role_vars["proxy_config_sso"] = self.fields({k: v for k, v in sso.items() if k != "clientSecretSecretRef"}, "spec.sso")
        if "clientSecretSecretRef" in sso:
            provider = sso.get("provider", "generic")
            if provider not in SSO_PROVIDERS:
                raise AnsibleFilterError(f"spec.sso.provider: {provider!r} is not one of {', '.join(SSO_PROVIDERS)}")
            self.env_secrets[SSO_PROVIDERS[provider][1]] = self.secret_ref(sso["clientSecretSecretRef"], "spec.sso.clientSecretSecretRef")

    def ui(self, ui: dict[str, Any] | None, role_vars: dict[str, Any]) -> None:
        """spec.ui; the Admin UI password reaches the pod as UI_PASSWORD."""
        if not ui:
            return
        role_vars["proxy_config_ui"] = self.fields({k: v for k, v in ui.items() if k != "passwordSecretRef"}, "spec.ui")
        if "passwordSecretRef" in ui:
            self.env_secrets["UI_PASSWORD"] = self.secret_ref(ui["passwordSecretRef"], "spec.ui.passwordSecretRef")

    def secret_manager(self, manager: dict[str, Any] | None, role_vars: dict[str, Any]) -> None:
        """spec.secretManager; secretEnv names the client's secret variables, each from a Secret."""
        if not manager:
            return
        converted = self.fields({k: v for k, v in manager.items() if k != "secretEnv"}, "spec.secretManager")
        if manager.get("secretEnv"):
            converted["secret_env"] = sorted(manager["secretEnv"])
            for env, ref in manager["secretEnv"].items():
                self.env_secrets[env] = self.secret_ref(ref, f"spec.secretManager.secretEnv.{env}")
        role_vars["proxy_config_secret_manager"] = converted

    @staticmethod
    def security(security: dict[str, Any], role_vars: dict[str, Any]) -> None:
        if "runAsNonRoot" in security:
            role_vars["proxy_kubernetes_non_root"] = bool(security["runAsNonRoot"])
        if "ipAllowlist" in security:
            allowlist = security["ipAllowlist"]
            role_vars["proxy_config_ip_allowlist"] = {"enabled": allowlist.get("enabled", True),
                                                      "allowed_ips": allowlist.get("allowedIPs", []),
                                                      "use_x_forwarded_for": allowlist.get("useXForwardedFor", False)}

    def redis(self, redis: dict[str, Any] | None, role_vars: dict[str, Any]) -> None:
        """The instance's Redis: the pod gets REDIS_HOST, REDIS_PORT (and REDIS_PASSWORD), the router reads them."""
        if not redis:
            return
        role_vars["proxy_kubernetes_redis"] = {"host": redis["host"], "port": int(redis.get("port", 6379))}
        role_vars["proxy_config_redis"] = {"host": "os.environ/REDIS_HOST", "port": "os.environ/REDIS_PORT"}
        if redis.get("passwordSecretRef"):
            role_vars["proxy_kubernetes_redis"]["password_secret_ref"] = self.secret_ref(redis["passwordSecretRef"], "spec.redis.passwordSecretRef")
            role_vars["proxy_config_redis"]["password"] = "os.environ/REDIS_PASSWORD"

    def caching(self, caching: dict[str, Any] | None, role_vars: dict[str, Any]) -> None:
        """spec.caching; without its own redis block a Redis cache uses the instance's (PalenaAI's rule)."""
        if not caching or not caching.get("enabled", True):
            return
        role_vars["proxy_config_cache"] = self.fields({k: v for k, v in caching.items() if k != "enabled"}, "spec.caching", secrets=True)

    @staticmethod
    def router(router: dict[str, Any] | None, role_vars: dict[str, Any]) -> None:
        """routerSettings; PalenaAI's retry policies name the error (TimeoutError), LiteLLM's the retries."""
        if router is None:
            return

        def retries(policy: dict[str, int]) -> dict[str, int]:
            return {key if key.endswith("Retries") else f"{key}Retries": value for key, value in policy.items()}

        converted = {snake(key): value for key, value in router.items() if key not in ("retryPolicy", "modelGroupRetryPolicy")}
        if "retryPolicy" in router:
            converted["retry_policy"] = retries(router["retryPolicy"])
        if "modelGroupRetryPolicy" in router:
            converted["model_group_retry_policy"] = {group: retries(policy) for group, policy in router["modelGroupRetryPolicy"].items()}
        role_vars["proxy_config_router"] = converted

    @staticmethod
    def upgrade(upgrade: dict[str, Any] | None, role_vars: dict[str, Any]) -> None:
        if not upgrade:
            return
        strategy = upgrade.get("strategy", "rolling")
        if strategy not in UPGRADE_STRATEGIES:
            raise AnsibleFilterError(f"spec.upgrade.strategy: {strategy!r} is not one of {', '.join(UPGRADE_STRATEGIES)}")
        converted: dict[str, Any] = {"strategy": UPGRADE_STRATEGIES[strategy], "auto_rollback": bool(upgrade.get("autoRollback", False))}
        if "healthCheckTimeout" in upgrade:
            converted["progress_deadline_seconds"] = seconds(upgrade["healthCheckTimeout"], "spec.upgrade.healthCheckTimeout")
        role_vars["proxy_kubernetes_upgrade"] = converted


def seconds(value: Any, path: str) -> int:
    match = DURATION.match(str(value).strip())
    if not match:
        raise AnsibleFilterError(f"{path}: {value!r} is not a duration like 300s, 5m or 1h")
    return int(match[1]) * {"s": 1, None: 1, "m": 60, "h": 3600}[match[2]]


def litellm_instance_vars(spec: dict[str, Any]) -> dict[str, Any]:
    """The role variables of a LiteLLMInstance spec (only the variables the spec sets)."""
    if not isinstance(spec, dict):
        raise AnsibleFilterError("the LiteLLMInstance spec must be a mapping")
    return _Converter().convert(spec)


def enterprise_features(config: dict[str, Any], environment: dict[str, Any] | None = None) -> list[str]:
    """Sorted labels of the LiteLLM Enterprise features the configuration (and its environment) uses."""
    found = {label for label, section, key in ENTERPRISE_SETTINGS if (config.get(section) or {}).get(key)}
    found |= {label for label, name in ENTERPRISE_ENVIRONMENT if (environment or {}).get(name)}
    return sorted(found)


def job_name(instance: str, tag: str) -> str:
    """``{instance}-migrate-{tag}``, the tag lower-cased with runs of other characters as ``-``; when that is
    longer than a DNS label (Job names end up in a label), the tag's part is cut and a hash of the tag added."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(tag).lower()).strip("-") or "untagged"
    prefix = f"{instance}-migrate-"
    if len(prefix) + len(slug) <= DNS_LABEL_MAX:
        return prefix + slug
    digest = hashlib.sha256(str(tag).encode()).hexdigest()[:10]
    room = DNS_LABEL_MAX - len(prefix) - len(digest) - 1
    return f"{prefix}{slug[:room].strip('-')}-{digest}".replace("--", "-")


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), {})


def rollout(deployment: dict[str, Any], replica_sets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The rollout of ``deployment``: ``state`` pending, complete or failed (ProgressDeadlineExceeded), a
    ``message``, and for a failed one the ``rollback_revision`` and ``rollback_template`` (the pod template of the
    newest ReplicaSet the Deployment owns with a revision below its current one, without ``pod-template-hash``)."""
    status, spec, metadata = deployment.get("status") or {}, deployment.get("spec") or {}, deployment.get("metadata") or {}
    progressing = _condition(deployment, "Progressing")
    result: dict[str, Any] = {"state": "pending", "message": progressing.get("message", ""), "rollback_revision": None,
                              "rollback_template": None}
    if status.get("observedGeneration", 0) < metadata.get("generation", 0):
        return result
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        result["state"] = "failed"
        result.update(_previous(deployment, replica_sets or []))
        return result
    wanted = spec.get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    if updated >= wanted and status.get("replicas", 0) == updated and status.get("availableReplicas", 0) >= updated:
        result["state"] = "complete"
    return result


def _previous(deployment: dict[str, Any], replica_sets: list[dict[str, Any]]) -> dict[str, Any]:
    uid = deployment["metadata"].get("uid")
    current = int((deployment["metadata"].get("annotations") or {}).get(REVISION, "0"))
    owned = [rs for rs in replica_sets if any(ref.get("uid") == uid and ref.get("controller", True)
                                              for ref in rs["metadata"].get("ownerReferences") or [])]
    older = [(int((rs["metadata"].get("annotations") or {}).get(REVISION, "0")), rs) for rs in owned]
    older = [(revision, rs) for revision, rs in older if 0 < revision < current]
    if not older:
        return {}
    revision, replica_set = max(older, key=lambda pair: pair[0])
    template = replica_set["spec"]["template"]
    labels = {k: v for k, v in (template.get("metadata") or {}).get("labels", {}).items() if k != "pod-template-hash"}
    return {"rollback_revision": revision, "rollback_template": template | {"metadata": (template.get("metadata") or {}) | {"labels": labels}}}


def job_state(job: dict[str, Any]) -> str:
    """complete, failed or pending (a Job's Complete / Failed conditions)."""
    for kind, state in (("Complete", "complete"), ("Failed", "failed")):
        if _condition(job, kind).get("status") == "True":
            return state
    return "pending"


class FilterModule:
    def filters(self) -> dict:
        return {
            "litellm_instance_vars": litellm_instance_vars,
            "proxy_kubernetes_enterprise_features": enterprise_features,
            "proxy_kubernetes_job_name": job_name,
            "proxy_kubernetes_rollout": rollout,
            "proxy_kubernetes_job_state": job_state,
        }
