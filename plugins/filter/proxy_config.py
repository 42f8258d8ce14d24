"""Render LiteLLM's proxy_server_config.yaml from the variables of the role llmops.litellm.proxy_config.

One pure function, ``render(role_vars)``, does the work; the role calls it as the filter
``llmops.litellm.proxy_config_render``. Secrets never appear in the output: every secret-named field must
be an ``os.environ/NAME`` reference (or ``{secret_env: NAME}``, which becomes one), literal values are
refused with the path of the variable that holds them, and the names of the environment variables the
configuration needs are returned so that the role deploying the proxy can inject them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from ansible.errors import AnsibleFilterError

ENV_PREFIX = "os.environ/"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Field names whose values are secrets, wherever they are nested (compared in lower case, "-" as "_", so header
# names such as api-key and Authorization count). Strings and numbers under these names must be references;
# strings under names with one of SECRET_SUFFIXES too.
SECRET_NAMES = frozenset({
    "access_token", "api_key", "auth_token", "authorization", "aws_secret_access_key", "aws_session_token", "azure_ad_token",
    "bearer_token", "client_secret", "connection_string", "database_url", "id_token", "license", "litellm_license",
    "master_key", "password", "private_key", "refresh_token", "salt_key", "sas_token", "secret", "secret_key",
    "token", "webhook_secret",
})
SECRET_SUFFIXES = ("_api_key", "_password", "_secret", "_token", "_secret_key", "_access_key", "_private_key",
                   "_connection_string", "_database_url")
# Values that are not secrets themselves but instructions to fetch one (LiteLLM's get_secret).
REFERENCE_PREFIXES = (ENV_PREFIX, "oidc/")

RETRY_ERRORS = (
    "BadRequestErrorRetries", "AuthenticationErrorRetries", "TimeoutErrorRetries", "RateLimitErrorRetries",
    "ContentPolicyViolationErrorRetries", "InternalServerErrorRetries", "ServiceUnavailableErrorRetries",
    "NotFoundErrorRetries", "DefaultRetries",
)
RBAC_ROLES = ("proxy_admin", "team", "internal_user")
REDIS_CACHE_TYPES = ("redis", "redis-semantic")
ROUTER_SCALARS = ("routing_strategy", "num_retries", "timeout", "stream_timeout", "retry_after", "allowed_fails",
                  "cooldown_time", "enable_pre_call_checks", "enable_tag_filtering", "tag_filtering_match_any")
CACHE_SCALARS = ("type", "ttl", "namespace", "mode", "supported_call_types")
# LiteLLM reads these from the environment; the role writes them into proxy_config_environment.
UI_ENVIRONMENT = {
    "logo": "UI_LOGO_PATH", "logo_dark": "UI_LOGO_PATH_DARK", "docs_url": "DOCS_URL", "docs_title": "DOCS_TITLE",
    "docs_description": "DOCS_DESCRIPTION", "email_logo_url": "EMAIL_LOGO_URL",
    "email_support_contact": "EMAIL_SUPPORT_CONTACT", "username": "UI_USERNAME",
}
SSO_PROVIDERS = {
    # provider: (env prefix, secret env name)
    "generic": ("GENERIC", "GENERIC_CLIENT_SECRET"),
    "okta": ("GENERIC", "GENERIC_CLIENT_SECRET"),
    "microsoft": ("MICROSOFT", "MICROSOFT_CLIENT_SECRET"),
    "google": ("GOOGLE", "GOOGLE_CLIENT_SECRET"),
}
SSO_GENERIC_ENVIRONMENT = {
    "authorization_endpoint": "GENERIC_AUTHORIZATION_ENDPOINT", "token_endpoint": "GENERIC_TOKEN_ENDPOINT",
    "userinfo_endpoint": "GENERIC_USERINFO_ENDPOINT", "scope": "GENERIC_SCOPE",
}


def is_secret_name(key: Any) -> bool:
    name = str(key).lower().replace("-", "_")
    return name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES)


def credential_env_name(credential_name: str) -> str:
    """PalenaAI's convention for the env var of a credential's API key: CREDENTIAL_<NAME>_API_KEY."""
    return "CREDENTIAL_" + re.sub(r"[^A-Z0-9]+", "_", credential_name.upper()).strip("_") + "_API_KEY"


def _child(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if re.fullmatch(r"[\w-]+", str(key)) else f"{path}[{str(key)!r}]"


def _env_ref(name: str, path: str, errors: list[str]) -> str:
    if not isinstance(name, str) or not ENV_NAME.match(name):
        errors.append(f"{path}: {name!r} is not an environment variable name")
    return ENV_PREFIX + str(name)


def resolve_secret_env(value: Any, path: str, errors: list[str]) -> Any:
    """Replace every ``{secret_env: NAME}`` by ``os.environ/NAME``, recursively."""
    if isinstance(value, dict):
        if set(value) == {"secret_env"}:
            return _env_ref(value["secret_env"], _child(path, "secret_env"), errors)
        return {k: resolve_secret_env(v, _child(path, k), errors) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_secret_env(v, _child(path, i), errors) for i, v in enumerate(value)]
    return value


def literal_secrets(value: Any, path: str, key: Any = None) -> list[str]:
    """Paths below ``path`` where a secret-named field holds a literal value."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in literal_secrets(v, _child(path, k), k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in literal_secrets(v, _child(path, i), key)]
    if key is None or isinstance(key, int) or not is_secret_name(key) or value is None or isinstance(value, bool):
        return []
    if isinstance(value, str):
        return [] if value == "" or value.startswith(REFERENCE_PREFIXES) else [path]
    exact = str(key).lower().replace("-", "_") in SECRET_NAMES  # numbers under a suffix match (input_cost_per_token) are not secrets
    return [path] if exact and isinstance(value, (int, float)) else []


def env_references(value: Any) -> set[str]:
    """Names of the environment variables that ``os.environ/NAME`` strings in ``value`` refer to."""
    if isinstance(value, dict):
        return set().union(*(env_references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(env_references(v) for v in value)) if value else set()
    if isinstance(value, str) and value.startswith(ENV_PREFIX) and ENV_NAME.match(value[len(ENV_PREFIX):]):
        return {value[len(ENV_PREFIX):]}
    return set()


def deep_merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _pick(source: dict, keys: tuple[str, ...]) -> dict:
    return {k: source[k] for k in keys if source.get(k) is not None}


def _sugar(target: dict, path: str, sugar: str, key: str, value: Any, errors: list[str], where: str = "litellm_params") -> None:
    """Set ``target[key]`` from the shorter option ``sugar``, refusing to override a value given in full."""
    if not _set(value):
        return
    if key in target:
        errors.append(f"{path}: set {sugar} or {where}.{key}, not both")
    target[key] = value


class _Renderer:
    def __init__(self, v: dict, errors: list[str]) -> None:
        self.v = v
        self.errors = errors
        self.environment: dict[str, str] = {}
        self.secret_env: set[str] = set()

    def get(self, name: str, default: Any = None) -> Any:
        value = self.v.get("proxy_config_" + name)
        return default if value is None else value

    def env_sugar(self, target: dict, path: str, sugar: str, key: str, name: str, where: str = "litellm_params") -> None:
        """``target[key]`` as a reference to the environment variable ``name``, given by the option ``sugar``."""
        _sugar(target, path, sugar, key, _env_ref(name, f"{path}.{sugar}", self.errors), self.errors, where)

    def deployments(self, option: str, name_key: str, required: tuple[str, ...], info_key: str,
                    sugar: tuple[tuple[str, str], ...] = ()) -> list[dict]:
        """The items of a list of named litellm_params (models, guardrails): api_key_env and the other ``sugar``
        options folded into litellm_params, one error naming what is missing, the info block when set."""
        out = []
        for i, item in enumerate(self.get(option, [])):
            path = f"proxy_config_{option}[{i}]"
            params = dict(item.get("litellm_params") or {})
            if item.get("api_key_env"):
                self.env_sugar(params, path, "api_key_env", "api_key", item["api_key_env"])
            for short, key in sugar:
                _sugar(params, path, short, key, item.get(short), self.errors)
            if not item.get(name_key) or not all(params.get(key) for key in required):
                fields = [name_key] + [f"litellm_params.{key}" for key in required]
                self.errors.append(f"{path}: {', '.join(fields[:-1])} and {fields[-1]} are required")
            entry = {name_key: item.get(name_key), "litellm_params": params}
            if _set(item.get(info_key)):
                entry[info_key] = item[info_key]
            out.append(entry)
        return out

    def models(self) -> list[dict]:
        return self.deployments("models", "model_name", ("model",), "model_info",
                                sugar=(("credential", "litellm_credential_name"), ("tags", "tags")))

    def credentials(self) -> list[dict]:
        out = []
        for i, cred in enumerate(self.get("credentials", [])):
            path = f"proxy_config_credentials[{i}]"
            name = cred.get("name") or ""
            if not name:
                self.errors.append(f"{path}.name is required")
            values = dict(cred.get("values") or {})
            api_key_env = cred.get("api_key_env")
            if api_key_env is None and "api_key" not in values:
                api_key_env = credential_env_name(name)
            if api_key_env:
                self.env_sugar(values, path, "api_key_env", "api_key", api_key_env, "values")
            for key in ("api_base", "api_version"):
                _sugar(values, path, key, key, cred.get(key), self.errors, "values")
            out.append({"credential_name": name, "credential_values": values, "credential_info": dict(cred.get("info") or {})})
        return out

    def guardrails(self) -> list[dict]:
        return self.deployments("guardrails", "guardrail_name", ("guardrail", "mode"), "guardrail_info")

    def redis(self, block: dict, path: str) -> dict:
        """A Redis connection block as LiteLLM's cache_params keys (host, port, password, url, ssl)."""
        redis = _pick(block, ("host", "port", "password", "url", "ssl"))
        if block.get("password_env"):
            self.env_sugar(redis, path, "password_env", "password", block["password_env"], path)
        if redis and not (redis.get("url") or redis.get("host")):
            self.errors.append(f"{path}: a Redis needs host (and port) or url")
        return redis

    def retry_policy(self, policy: dict, path: str) -> dict:
        for key in policy:
            if key not in RETRY_ERRORS:
                self.errors.append(f"{_child(path, key)}: unknown error type, expected one of {', '.join(RETRY_ERRORS)}")
        return {k: v for k, v in policy.items() if v is not None}

    def router_settings(self, instance_redis: dict) -> dict:
        router = self.get("router", {})
        settings = _pick(router, ROUTER_SCALARS)
        policy = self.retry_policy(router.get("retry_policy") or {}, "proxy_config_router.retry_policy")
        if policy:
            settings["retry_policy"] = policy
        group_policies = {
            group: self.retry_policy(policy or {}, _child("proxy_config_router.model_group_retry_policy", group))
            for group, policy in (router.get("model_group_retry_policy") or {}).items()
        }
        if group_policies:
            settings["model_group_retry_policy"] = group_policies
        fallbacks = self.get("fallbacks", {})
        if _set(fallbacks.get("default")):
            settings["default_fallbacks"] = list(fallbacks["default"])
        for key, litellm_key in (("models", "fallbacks"), ("content_policy", "content_policy_fallbacks"),
                                 ("context_window", "context_window_fallbacks")):
            if _set(fallbacks.get(key)):
                settings[litellm_key] = [{item["model"]: list(item["fallbacks"])} for item in fallbacks[key]]
        if fallbacks.get("max_fallbacks") is not None:
            settings["max_fallbacks"] = fallbacks["max_fallbacks"]
        if instance_redis and router.get("redis", True):
            settings.update({"redis_" + k: v for k, v in instance_redis.items() if k != "ssl"})
            if "ssl" in instance_redis:
                settings["cache_kwargs"] = {"ssl": instance_redis["ssl"]}
        return settings

    def cache_params(self, instance_redis: dict) -> dict | None:
        cache = self.get("cache", {})
        if not cache or cache.get("enabled") is False:
            return None
        params = {"type": "redis", **_pick(cache, CACHE_SCALARS)}
        if params["type"] in REDIS_CACHE_TYPES:
            redis = self.redis(cache.get("redis") or {}, "proxy_config_cache.redis") or instance_redis
            if not redis:
                self.errors.append(f"proxy_config_cache: type {params['type']} needs proxy_config_cache.redis or proxy_config_redis")
            params.update(redis)
        elif cache.get("redis"):
            self.errors.append(f"proxy_config_cache.redis: only for the types {', '.join(REDIS_CACHE_TYPES)}")
        for key, value in (cache.get("params") or {}).items():
            if key in CACHE_SCALARS:
                self.errors.append(f"proxy_config_cache.params.{key}: set it as proxy_config_cache.{key}")
            elif key in params:
                self.errors.append(f"proxy_config_cache.params.{key}: set it in proxy_config_cache.redis or proxy_config_redis")
            params[key] = value
        return params

    def general_settings(self) -> dict:
        settings = {}
        for name in ("master_key", "database_url", "store_model_in_db"):
            if _set(self.get(name)):
                settings[name] = self.get(name)
        ui = self.get("ui", {})
        if ui.get("access_mode"):
            settings["ui_access_mode"] = ui["access_mode"]
        allowlist = self.get("ip_allowlist", {})
        if allowlist and allowlist.get("enabled", True):
            if not allowlist.get("allowed_ips"):
                self.errors.append("proxy_config_ip_allowlist.allowed_ips is empty: it would lock every client out")
            settings["allowed_ips"] = list(allowlist.get("allowed_ips") or [])
            if allowlist.get("use_x_forwarded_for") is not None:
                settings["use_x_forwarded_for"] = allowlist["use_x_forwarded_for"]
        rbac = self.get("rbac", {})
        if rbac and rbac.get("enabled", True):
            settings.update(_pick(rbac, ("admin_only_routes", "allowed_routes", "public_routes", "default_team_disabled")))
            permissions = rbac.get("role_permissions") or {}
            roles = [role for role in RBAC_ROLES if permissions.get(role) is not None]
            if roles:
                settings["role_permissions"] = [{"role": role, **_pick(permissions[role], ("models", "routes"))} for role in roles]
        manager = self.get("secret_manager", {})
        if manager.get("type"):
            settings["key_management_system"] = manager["type"]
            if _set(manager.get("settings")):
                settings["key_management_settings"] = manager["settings"]
        elif _set(manager.get("settings")):
            self.errors.append("proxy_config_secret_manager.settings: set proxy_config_secret_manager.type too")
        return settings

    def litellm_settings(self, instance_redis: dict) -> dict:
        settings: dict[str, Any] = {}
        cache = self.cache_params(instance_redis)
        if cache is not None:
            settings.update({"cache": True, "cache_params": cache})
        rbac = self.get("rbac", {})
        generation = (rbac.get("key_generation") or {}) if rbac.get("enabled", True) else {}
        generation = {k: {kk: vv for kk, vv in v.items() if vv is not None} for k, v in generation.items() if v is not None}
        if generation:
            settings["key_generation_settings"] = generation
        return settings

    def env(self, name: str, value: Any, path: str) -> None:
        if not ENV_NAME.match(str(name)):
            self.errors.append(f"{path}: {name!r} is not an environment variable name")
        elif is_secret_name(name):
            self.errors.append(f"{path}: {name} is a secret; the deployment must supply it (list it in secret_env), "
                               "the role writes no secret values")
        self.environment[str(name)] = str(value)

    def collect_environment(self) -> None:
        ui = self.get("ui", {})
        if ui.get("disabled"):
            self.env("DISABLE_ADMIN_UI", "True", "proxy_config_ui.disabled")
        for key, name in UI_ENVIRONMENT.items():
            if _set(ui.get(key)):
                self.env(name, ui[key], f"proxy_config_ui.{key}")
        if ui.get("username"):
            self.secret_env.add("UI_PASSWORD")
        sso = self.get("sso", {})
        provider = sso.get("provider")
        if provider:
            prefix, secret = SSO_PROVIDERS[provider]
            self.secret_env.add(secret)
            if sso.get("client_id"):
                self.env(f"{prefix}_CLIENT_ID", sso["client_id"], "proxy_config_sso.client_id")
            else:
                self.secret_env.add(f"{prefix}_CLIENT_ID")
            endpoints = dict(_pick(sso, tuple(SSO_GENERIC_ENVIRONMENT)))
            if provider == "okta":
                issuer = str(sso.get("issuer") or "").rstrip("/")
                if issuer:
                    for key, suffix in (("authorization_endpoint", "authorize"), ("token_endpoint", "token"), ("userinfo_endpoint", "userinfo")):
                        endpoints.setdefault(key, f"{issuer}/v1/{suffix}")
                endpoints.setdefault("scope", "openid email profile")
            if provider in ("generic", "okta"):
                missing = [k for k in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint") if k not in endpoints]
                if missing:
                    self.errors.append(f"proxy_config_sso: provider {provider} needs {', '.join(missing)}" + (" (or issuer)" if provider == "okta" else ""))
                for key, value in endpoints.items():
                    self.env(SSO_GENERIC_ENVIRONMENT[key], value, f"proxy_config_sso.{key}")
            elif endpoints:
                self.errors.append(f"proxy_config_sso: {', '.join(endpoints)} only apply to the providers generic and okta")
            if provider == "microsoft":
                if not sso.get("tenant"):
                    self.errors.append("proxy_config_sso.tenant is required for provider microsoft")
                else:
                    self.env("MICROSOFT_TENANT", sso["tenant"], "proxy_config_sso.tenant")
            if sso.get("proxy_base_url"):
                self.env("PROXY_BASE_URL", sso["proxy_base_url"], "proxy_config_sso.proxy_base_url")
            for name, value in (sso.get("environment") or {}).items():
                self.env(name, value, _child("proxy_config_sso.environment", name))
        manager = self.get("secret_manager", {})
        for name, value in (manager.get("environment") or {}).items():
            self.env(name, value, _child("proxy_config_secret_manager.environment", name))
        for i, name in enumerate(manager.get("secret_env") or []):
            if not ENV_NAME.match(str(name)):
                self.errors.append(f"proxy_config_secret_manager.secret_env[{i}]: {name!r} is not an environment variable name")
            self.secret_env.add(str(name))


class _Dumper(yaml.SafeDumper):
    """Block style with sequences indented under their key, which yamllint's default rules want."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: ARG002
        super().increase_indent(flow, False)


def to_yaml(config: dict) -> str:
    """The file's text: keys sorted, so the same configuration always gives the same bytes."""
    return yaml.dump(config, Dumper=_Dumper, explicit_start=True, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, indent=2, width=120)


def render(role_vars: dict) -> dict:
    """Build the proxy configuration from the role's variables (``proxy_config_*``, unset ones may be missing).

    Returns ``config`` (the proxy_server_config.yaml document), ``env_names`` (sorted names of the environment
    variables whose values the deployment must supply as secrets), ``environment`` (non-secret environment
    variables LiteLLM reads, with their values) and ``errors`` (messages naming the offending variable paths;
    when there are any, the other keys are empty so that no literal secret travels further), and ``yaml``, the
    configuration as the file's text.
    """
    if not isinstance(role_vars, dict):
        raise AnsibleFilterError("proxy_config_render expects a dict of the role's variables")
    errors: list[str] = []
    resolved = {name: resolve_secret_env(value, name, errors) for name, value in role_vars.items()}
    for name, value in resolved.items():
        errors += [f"{path}: literal secret refused; reference an environment variable instead "
                   "(os.environ/NAME or {secret_env: NAME})"
                   for path in literal_secrets(value, name, name.removeprefix("proxy_config_"))]
    renderer = _Renderer(resolved, errors)
    instance_redis = renderer.redis(renderer.get("redis", {}), "proxy_config_redis")
    config = {
        "model_list": renderer.models(),
        "credential_list": renderer.credentials(),
        "guardrails": renderer.guardrails(),
        "router_settings": renderer.router_settings(instance_redis),
        "litellm_settings": renderer.litellm_settings(instance_redis),
        "general_settings": renderer.general_settings(),
    }
    config = deep_merge({k: v for k, v in config.items() if v}, renderer.get("extra", {}))
    renderer.collect_environment()
    if errors:
        return {"config": {}, "yaml": to_yaml({}), "env_names": [], "environment": {}, "errors": errors}
    # plain JSON types only (Ansible's tagged strings, YAML dates written as strings)
    config = json.loads(json.dumps(config, default=str))
    hosted = set(((config.get("general_settings") or {}).get("key_management_settings") or {}).get("hosted_keys") or [])
    env_names = sorted((env_references(config) - hosted) | renderer.secret_env)
    environment = {name: renderer.environment[name] for name in sorted(renderer.environment)}
    return {"config": config, "yaml": to_yaml(config), "env_names": env_names, "environment": environment, "errors": []}


class FilterModule:
    def filters(self) -> dict:
        return {"proxy_config_render": render}
