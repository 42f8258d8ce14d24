"""Resolve what a CR points at: its LiteLLMInstance (URL + master key), the CRs it references, its Secrets.

Everything here is blocking (the ``kubernetes`` client): the handlers call it from a worker thread.
Secret values are returned only in ``Resolved.env``, which goes to the runner's environment and nowhere else.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import kubernetes
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS
from kubernetes.client.exceptions import ApiException

from llmops_operator.params import camel, snake

GROUP = "litellm.llmops.dev"
VERSION = "v1alpha1"
INSTANCE = "LiteLLMInstance"
# spec field -> (kind, key in litellm_operator.refs, spec field holding the alias), as each kind declares it
# (organizationRef -> LiteLLMOrganization, organizationAlias; userRef -> LiteLLMUser, userId; ...)
REFS = {k.cr_ref: (k.cr_kind, k.kind, camel(k.cr_alias)) for k in KINDS if k.cr_ref}
REFS["teamRefs"] = (REFS["teamRef"][0], "teams", REFS["teamRef"][2])  # a list: refs.teams is a list in the same order
SECRET_MAPS = {"secretParams", "secretLitellmParams", "credentials"}  # maps of name -> {name, key} Secret refs


class Waiting(Exception):
    """A referenced object or Secret is missing or not ready; the message names it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclasses.dataclass
class Resolved:
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    instance: dict[str, Any] | None = None
    refs: dict[str, Any] = dataclasses.field(default_factory=dict)
    secret_env: dict[str, str] = dataclasses.field(default_factory=dict)
    instance_body: dict[str, Any] | None = None

    @property
    def secrets(self) -> list[str]:
        return [v for k, v in self.env.items() if k != "LITELLM_PROXY_URL"]


def ready(body: dict[str, Any]) -> bool:
    conditions = body.get("status", {}).get("conditions", [])
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


class Kube:
    """The few API calls the shim makes itself (the playbooks use kubernetes.core)."""

    def __init__(self, api: kubernetes.client.ApiClient) -> None:
        self.custom = kubernetes.client.CustomObjectsApi(api)
        self.core = kubernetes.client.CoreV1Api(api)

    def get(self, kind: str, namespace: str, name: str, group: str = GROUP, version: str = VERSION) -> dict[str, Any] | None:
        try:
            if not namespace:  # a cluster-scoped kind (foreign watches may have one)
                return self.custom.get_cluster_custom_object(group, version, kind.lower() + "s", name)
            return self.custom.get_namespaced_custom_object(group, version, namespace, kind.lower() + "s", name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def list(self, kind: str, namespace: str, group: str = GROUP, version: str = VERSION) -> list[dict[str, Any]]:
        """The objects of a kind in ``namespace`` ("": in every namespace, or a cluster-scoped kind's)."""
        plural = kind.lower() + "s"
        if not namespace:
            found = self.custom.list_cluster_custom_object(group, version, plural)
        else:
            found = self.custom.list_namespaced_custom_object(group, version, namespace, plural)
        items: list[dict[str, Any]] = found.get("items", [])
        kind_of = found.get("kind", "").removesuffix("List") or kind
        api_version = found.get("apiVersion") or f"{group}/{version}"
        for item in items:  # (a list's items may leave out their kind and apiVersion)
            item.setdefault("kind", kind_of)
            item.setdefault("apiVersion", api_version)
        return items

    def secret_value(self, namespace: str, name: str, key: str, what: str) -> str:
        data = self.secret_data(namespace, name)
        if data is None:
            raise Waiting("WaitingForSecret", f"{what}: Secret {namespace}/{name} does not exist")
        if key not in data:
            raise Waiting("WaitingForSecret", f"{what}: Secret {namespace}/{name} has no key {key!r}")
        return data[key]

    def secret_data(self, namespace: str, name: str) -> dict[str, str] | None:
        """A Secret's values (decoded), or None when it does not exist."""
        try:
            secret = self.core.read_namespaced_secret(name, namespace)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}

    def labelled_secrets(self, namespace: str, labels: str = "") -> dict[str, dict[str, str]]:
        """{name: values (decoded)} of the Secrets of ``namespace`` with the label selector ``labels`` (every one
        without), in one call."""
        found = self.core.list_namespaced_secret(namespace, **({"label_selector": labels} if labels else {})).items
        return {s.metadata.name: {k: base64.b64decode(v).decode() for k, v in (s.data or {}).items()} for s in found}

    def create_secret(self, namespace: str, body: dict[str, Any]) -> bool:
        """Create a Secret; False when one with its name exists (nothing written then)."""
        try:
            self.core.create_namespaced_secret(namespace, body)
        except ApiException as exc:
            if exc.status == 409:
                return False
            raise
        return True

    def delete_secret(self, namespace: str, name: str) -> None:
        """Delete a Secret (gone already: nothing to do)."""
        try:
            self.core.delete_namespaced_secret(name, namespace)
        except ApiException as exc:
            if exc.status != 404:
                raise

    def patch_status(self, watch_group: str, version: str, plural: str, namespace: str, name: str, status: dict[str, Any]) -> None:
        body = {"status": status}
        if namespace:
            self.custom.patch_namespaced_custom_object_status(watch_group, version, namespace, plural, name, body)
        else:
            self.custom.patch_cluster_custom_object_status(watch_group, version, plural, name, body)

    def create(self, body: dict[str, Any]) -> bool:
        """Create a custom resource of our group in its namespace; False when one with its name exists."""
        try:
            self.custom.create_namespaced_custom_object(GROUP, VERSION, body["metadata"]["namespace"],
                                                        body["kind"].lower() + "s", body)
        except ApiException as exc:
            if exc.status == 409:
                return False
            raise
        return True

    def patch(self, watch_group: str, version: str, plural: str, namespace: str, name: str, body: dict[str, Any]) -> None:
        if namespace:
            self.custom.patch_namespaced_custom_object(watch_group, version, namespace, plural, name, body)
        else:
            self.custom.patch_cluster_custom_object(watch_group, version, plural, name, body)


def _ref(value: Any, field: str) -> tuple[str, str | None]:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"]:
        raise ValueError(f"invalid spec: spec.{field}.name is required")
    namespace = value.get("namespace")
    return value["name"], namespace if isinstance(namespace, str) and namespace else None


def secret_refs(spec: Any, path: tuple[str, ...] = ()) -> list[tuple[str, dict[str, Any]]]:
    """Every Secret reference of the spec with its ``secret_env`` key: ``*SecretRef: {name, key}`` fields
    (snake_cased path, ``litellm_params.api_key_secret_ref``) and the entries of the maps of Secret references
    (``secretParams``, ``secretLitellmParams``, ``credentials``: ``secret_params.<map key as written>``)."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            where = (*path, snake(str(key)))
            if str(key).endswith("SecretRef") and isinstance(value, dict):
                found.append((".".join(where), value))
            elif key in SECRET_MAPS and isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
                found.extend((".".join(where) + f".{entry}", ref) for entry, ref in value.items())
            else:
                found.extend(secret_refs(value, where))
    elif isinstance(spec, list):
        for index, item in enumerate(spec):
            found.extend(secret_refs(item, (*path, str(index))))
    return found


def entity_refs(spec: Any) -> list[tuple[str, Any]]:
    """``organizationRef``/``teamRef``/``userRef``/``credentialRef`` anywhere in the spec (models nest one)."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in REFS:
                found.append((key, value))
            elif isinstance(value, (dict, list)):
                found.extend(entity_refs(value))
    elif isinstance(spec, list):
        for item in spec:
            found.extend(entity_refs(item))
    return found


def connection(kube: Kube, body: dict[str, Any], field: str = "spec.instanceRef") -> tuple[str, str, bool]:
    """URL, master key and whether it is external, of a LiteLLMInstance (``Waiting`` when not usable yet)."""
    ns, name = body["metadata"].get("namespace", ""), body["metadata"]["name"]
    external = (body.get("spec") or {}).get("external")
    if isinstance(external, dict) and external.get("url"):
        url, key_ref = external["url"], external.get("masterKeySecretRef") or {}
        what = f"LiteLLMInstance {ns}/{name} spec.external.masterKeySecretRef"
    else:
        if not ready(body):
            raise Waiting("WaitingForReference", f"{field}: LiteLLMInstance {ns}/{name} is not Ready")
        status = body.get("status", {})
        url, key_ref = status.get("url"), status.get("masterKeySecretRef") or {}
        what = f"LiteLLMInstance {ns}/{name} status.masterKeySecretRef"
        if not url:
            raise Waiting("WaitingForReference", f"{field}: LiteLLMInstance {ns}/{name} has no status.url")
    if not key_ref.get("name") or not key_ref.get("key"):
        raise Waiting("WaitingForReference", f"{what} is not set")
    return str(url), kube.secret_value(ns, key_ref["name"], key_ref["key"], what), bool(isinstance(external, dict) and external.get("url"))


# The last connection each instance gave, in memory only: a CR deleted together with its instance and the
# instance's master key Secret (a namespace deletion, ``kubectl delete -f`` of a folder) still deletes its object in
# LiteLLM (the instance waits for its CRs, but a Secret has no finalizer).
_CONNECTIONS: dict[tuple[str, str], tuple[str, str, bool]] = {}


def resolve_instance(kube: Kube, spec: dict[str, Any], namespace: str, into: Resolved, deleting: bool = False) -> None:
    name, ref_ns = _ref(spec.get("instanceRef"), "instanceRef")
    ns = ref_ns or namespace
    body = kube.get(INSTANCE, ns, name)
    if body is None:
        raise Waiting("WaitingForReference", f"spec.instanceRef: LiteLLMInstance {ns}/{name} does not exist")
    if body["metadata"].get("deletionTimestamp") and not deleting:
        raise Waiting("WaitingForReference", f"spec.instanceRef: LiteLLMInstance {ns}/{name} is being deleted")
    try:
        url, key, external = _CONNECTIONS[(ns, name)] = connection(kube, body)
    except Waiting:
        if not deleting or (ns, name) not in _CONNECTIONS:
            raise
        url, key, external = _CONNECTIONS[(ns, name)]
    into.env["LITELLM_PROXY_URL"] = url
    into.env["LITELLM_PROXY_API_KEY"] = key
    into.instance = {"name": name, "namespace": ns, "url": url, "external": external}
    into.instance_body = body


def _entity(kube: Kube, field: str, value: Any, namespace: str) -> dict[str, Any]:
    kind, _ref_key, alias_field = REFS[field]
    name, ref_ns = _ref(value, field)
    ns = ref_ns or namespace
    body = kube.get(kind, ns, name)
    if body is None:
        raise Waiting("WaitingForReference", f"spec.{field}: {kind} {ns}/{name} does not exist")
    litellm_id = body.get("status", {}).get("litellmId")
    if not ready(body) or not litellm_id:
        raise Waiting("WaitingForReference", f"spec.{field}: {kind} {ns}/{name} is not Ready")
    alias = (body.get("spec") or {}).get(alias_field) or name
    return {"name": name, "namespace": ns, "litellm_id": litellm_id, "alias": alias}


def resolve_entities(kube: Kube, spec: dict[str, Any], namespace: str, into: Resolved, *, wait: bool = True) -> None:
    """Resolve the references to other CRs; with ``wait=False`` (deletion) skip those that do not resolve."""
    for field, value in entity_refs(spec):
        key = REFS[field][1]
        try:
            if isinstance(value, list):
                into.refs[key] = [_entity(kube, field, item, namespace) for item in value]
            else:
                into.refs[key] = _entity(kube, field, value, namespace)
        except Waiting:
            if wait:
                raise


def resolve_secrets(kube: Kube, spec: dict[str, Any], namespace: str, into: Resolved, *, wait: bool = True) -> None:
    """Read the referenced Secret values into ``env``; with ``wait=False`` (deletion) skip missing ones."""
    for index, (path, ref) in enumerate(secret_refs(spec)):
        if not ref.get("name") or not ref.get("key"):
            if not wait:
                continue
            raise ValueError(f"invalid spec: {path} needs name and key")
        var = f"LLMOPS_SECRET_{index}"
        try:
            into.env[var] = kube.secret_value(ref.get("namespace") or namespace, ref["name"], ref["key"], path)
        except Waiting:
            if wait:
                raise
            continue
        into.secret_env[path] = var


def resolve(kube: Kube, kind: str, body: dict[str, Any], *, litellm: bool, deleting: bool = False) -> Resolved:
    """Everything a run of ``body`` needs; raises ``Waiting`` or ``ValueError('invalid spec: ...')``.

    ``litellm`` is false for kinds outside our API group (an Operator-SDK sample): they get nothing resolved.
    ``deleting``: only the instance is required (deletion works by id or natural key); the other references and
    Secrets are passed when they still resolve, so that deleting everything at once never deadlocks.
    """
    resolved = Resolved()
    if not litellm:
        return resolved
    spec = body.get("spec") or {}
    namespace = body["metadata"].get("namespace", "")
    if kind != INSTANCE:
        resolve_instance(kube, spec, namespace, resolved, deleting=deleting)
    elif isinstance(spec.get("external"), dict) and spec["external"].get("url"):
        key_ref = spec["external"].get("masterKeySecretRef") or {}
        resolved.env["LITELLM_PROXY_URL"] = str(spec["external"]["url"])
        if key_ref.get("name") and key_ref.get("key"):
            try:
                resolved.env["LITELLM_PROXY_API_KEY"] = kube.secret_value(
                    namespace, key_ref["name"], key_ref["key"], "spec.external.masterKeySecretRef")
            except Waiting:
                if not deleting:  # deleting an external instance deletes nothing: its key may be gone first
                    raise
    resolve_entities(kube, spec, namespace, resolved, wait=not deleting)
    resolve_secrets(kube, spec, namespace, resolved, wait=not deleting)
    return resolved
