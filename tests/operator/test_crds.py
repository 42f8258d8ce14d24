"""The operator's CustomResourceDefinitions (crds/): structural, documented, registered, and true to PalenaAI's README.

- Every CRD file is a structural schema (the API server's rules, checked here node by node), documents every
  field (``kubectl explain``), has the names, short names, category, status subresource and printer columns the
  architecture fixes, and is a valid CustomResourceDefinition for Kubernetes' own schemas (kubernetes-validate).
- Registered on the test Kubernetes API, every manifest of PalenaAI's README, with only ``apiVersion`` changed,
  is accepted and stored without losing a field; bad resources are refused with 422 naming the field; a sample
  status (what the operator writes) is kept whole and the printer columns' JSONPaths resolve on it.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import cel
import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from tests.kubeapi.common import established, wait_until
from tests.lib import palenaai
from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.kubeapi.validate import KUBERNETES_VERSIONS, validate_manifest
from tests.lib.playbook import REPO


GROUP = "litellm.llmops.dev"
VERSION = "v1alpha1"
CRD_DIR = REPO / "crds"
PALENAAI_API_VERSION = "litellm.palena.ai/v1alpha1"
OBFUSCATED_EMAIL = "[email\u00a0protected]"
PALENAAI_README = palenaai.README
# ARCHITECTURE.md fixes the first nine short names (PalenaAI's); the last two are ours.
SHORT_NAMES = {
    "LiteLLMInstance": "li", "LiteLLMOrganization": "lo", "LiteLLMModel": "lm", "LiteLLMTeam": "lt", "LiteLLMUser": "lu",
    "LiteLLMCustomer": "lcust", "LiteLLMCredential": "lc", "LiteLLMGuardrail": "lg", "LiteLLMVirtualKey": "lk",
    "LiteLLMBudget": "lb", "LiteLLMMCPServer": "lmcp", "LiteLLMAgent": "lag", "LiteLLMMCPToolset": "lmts",
    "LiteLLMFallback": "lfb", "LiteLLMJWTKeyMapping": "ljwt",
    "LiteLLMSearchTool": "lst", "LiteLLMVectorStore": "lvs",
    "LiteLLMPolicy": "lpol", "LiteLLMPrompt": "lpr",
    "LiteLLMProxySettings": "lps",
    "LiteLLMModelDiscovery": "lmd",
    "LiteLLMModelAlias": "lma",
}
JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float)}
Schema = Mapping[str, Any]


def load_crds() -> dict[str, dict[str, Any]]:
    """The CRD files by kind."""
    crds = {}
    for path in sorted(CRD_DIR.glob("litellm.llmops.dev_*.yaml")):
        crd = yaml.safe_load(path.read_text())
        assert path.name == f"{crd['spec']['group']}_{crd['spec']['names']['plural']}.yaml", f"{path.name}: not named <group>_<plural>.yaml"
        crds[crd["spec"]["names"]["kind"]] = crd
    return crds


CRDS = load_crds()


def root_schema(crd: Mapping[str, Any]) -> Schema:
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


# ------------------------------------------------------------------ structural schema rules
def structural_problems(schema: Schema, path: str = "") -> list[str]:
    """What makes ``schema`` (an openAPIV3Schema) not structural, or undocumented, as ``<path>: <problem>``.

    The API server's rules (Kubernetes docs, "Specifying a structural schema"): every node has a type unless it
    is ``x-kubernetes-int-or-string`` or ``x-kubernetes-preserve-unknown-fields``; the junctors (allOf, anyOf, oneOf,
    not) set no type, description, default, additionalProperties or nullable (but for the int-or-string form) and
    only constrain fields specified outside them; ``properties`` and ``additionalProperties`` are exclusive;
    ``additionalProperties: false`` is not allowed; metadata is restricted only in name and generateName; arrays
    have ``items``; defaults validate against their node. Ours add: every field is described (``kubectl explain``),
    and a free-form sub-tree says so in its description.
    """
    return [*_node_problems(schema, path or "<root>", root=True)]


def _node_problems(node: Schema, path: str, *, root: bool = False) -> Iterator[str]:
    free = node.get("x-kubernetes-preserve-unknown-fields") is True
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    if "x-kubernetes-preserve-unknown-fields" in node and not free:
        yield f"{path}: x-kubernetes-preserve-unknown-fields must be true when set"
    if int_or_string and "type" in node:
        yield f"{path}: x-kubernetes-int-or-string must not have a type"
    if not node.get("type") and not (free or int_or_string):
        yield f"{path}: no type (only int-or-string and preserve-unknown-fields nodes may leave it out)"
    if node.get("type") and node["type"] not in JSON_TYPES:
        yield f"{path}: unknown type {node['type']!r}"
    if not root and not str(node.get("description", "")).strip():
        yield f"{path}: no description"
    if free and "x-kubernetes-preserve-unknown-fields" not in node.get("description", "") and "any JSON value" not in node.get("description", ""):
        yield f"{path}: a free-form sub-tree must say so in its description"
    if "nullable" in node:
        yield f"{path}: nullable is not used by these CRDs"
    yield from _junctor_problems(node, path, int_or_string)
    if "properties" in node and "additionalProperties" in node:
        yield f"{path}: properties and additionalProperties are mutually exclusive"
    if node.get("additionalProperties") is False:
        yield f"{path}: additionalProperties: false is not allowed in a structural schema"
    if node.get("type") == "array" and "items" not in node:
        yield f"{path}: an array needs items"
    if node.get("type") != "object" and ("properties" in node or "additionalProperties" in node):
        yield f"{path}: properties on a node that is not an object"
    for key in node.get("required", []):
        if key not in node.get("properties", {}):
            yield f"{path}: required field {key!r} is not specified"
    yield from _list_type_problems(node, path)
    if "default" in node:
        yield from (f"{path}: default: {problem}" for problem in value_problems(node["default"], node))
    if root:
        yield from _metadata_problems(node.get("properties", {}).get("metadata", {}))
    for key, child in node.get("properties", {}).items():
        yield from _node_problems(child, f"{path}.{key}")
    if isinstance(node.get("additionalProperties"), Mapping):
        yield from _node_problems(node["additionalProperties"], f"{path}[*]")
    if "items" in node:
        yield from _node_problems(node["items"], f"{path}[]")


def _junctor_problems(node: Schema, path: str, int_or_string: bool) -> Iterator[str]:
    for junctor in JUNCTORS:
        branches = node.get(junctor)
        if branches is None:
            continue
        if int_or_string and junctor == "anyOf" and branches == [{"type": "integer"}, {"type": "string"}]:
            continue
        for branch in branches if isinstance(branches, list) else [branches]:
            for key in ("type", "description", "default", "additionalProperties", "nullable"):
                if key in branch:
                    yield f"{path}.{junctor}: sets {key}, which a structural schema only allows outside the junctors"
            for field in branch.get("properties", {}):
                if field not in node.get("properties", {}):
                    yield f"{path}.{junctor}: constrains {field!r}, which is not specified outside the junctor"


def _list_type_problems(node: Schema, path: str) -> Iterator[str]:
    list_type = node.get("x-kubernetes-list-type")
    if list_type is None:
        return
    items = node.get("items", {})
    if list_type == "map":
        if items.get("type") != "object":
            yield f"{path}: a map list needs object items"
        for key in node.get("x-kubernetes-list-map-keys", []):
            if key not in items.get("required", []) and "default" not in items.get("properties", {}).get(key, {}):
                yield f"{path}: map key {key!r} must be required or defaulted"
    elif list_type not in ("atomic", "set"):
        yield f"{path}: unknown x-kubernetes-list-type {list_type!r}"


def _metadata_problems(metadata: Schema) -> Iterator[str]:
    allowed = {"type", "description", "properties"}
    if set(metadata) - allowed or set(metadata.get("properties", {})) - {"name", "generateName"}:
        yield "<root>.metadata: only metadata.name and metadata.generateName may be restricted"


def value_problems(value: Any, node: Schema) -> list[str]:
    """Why ``value`` does not fit ``node`` (type, enum, pattern, bounds), for defaults and samples."""
    if node.get("x-kubernetes-int-or-string"):
        ok = isinstance(value, (int, str)) and not isinstance(value, bool)
    elif node.get("type"):
        ok = isinstance(value, JSON_TYPES[node["type"]]) and not (isinstance(value, bool) and node["type"] != "boolean")
    else:
        ok = True
    problems = [] if ok else [f"{value!r} is not of type {node.get('type', 'integer or string')}"]
    if "enum" in node and value not in node["enum"]:
        problems.append(f"{value!r} is not one of {node['enum']}")
    if isinstance(value, str) and "pattern" in node and not re.search(node["pattern"], value):
        problems.append(f"{value!r} does not match {node['pattern']}")
    if isinstance(value, dict):
        for key, item in value.items():
            child = node.get("properties", {}).get(key) or (node["additionalProperties"] if isinstance(node.get("additionalProperties"), Mapping) else None)
            problems += value_problems(item, child) if child else ([] if node.get("x-kubernetes-preserve-unknown-fields") else [f"{key!r} is not a field"])
    return problems


def test_every_kind_has_exactly_one_crd_file() -> None:
    assert set(CRDS) == set(SHORT_NAMES)
    listed = yaml.safe_load((CRD_DIR / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(path.name for path in CRD_DIR.glob("litellm.llmops.dev_*.yaml"))
    assert (CRD_DIR / "kustomization.yaml").exists()


@pytest.mark.parametrize("kind", sorted(SHORT_NAMES))
def test_crd_is_structural_and_documented(kind: str) -> None:
    assert structural_problems(root_schema(CRDS[kind])) == []


@pytest.mark.parametrize(("schema", "problem"), [
    ({"type": "object", "properties": {"a": {"description": "x"}}}, "<root>.a: no type"),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, "<root>.a: no description"),
    ({"type": "object", "properties": {"a": {"description": "x", "anyOf": [{"type": "string"}, {"type": "number"}]}}}, "<root>.a: no type"),
    ({"type": "object", "properties": {"a": {"type": "string", "description": "x", "anyOf": [{"type": "string"}]}}}, "<root>.a.anyOf: sets type"),
    ({"type": "object", "properties": {"a": {"type": "array", "description": "x"}}}, "<root>.a: an array needs items"),
    ({"type": "object", "properties": {"a": {"type": "object", "description": "free", "x-kubernetes-preserve-unknown-fields": True}}},
     "<root>.a: a free-form sub-tree"),
    ({"type": "object", "properties": {"a": {"type": "string", "description": "x", "enum": ["b"], "default": "c"}}}, "<root>.a: default: 'c' is not one of"),
    ({"type": "object", "properties": {"a": {"type": "object", "description": "x", "additionalProperties": False}}}, "<root>.a: additionalProperties: false"),
    ({"type": "object", "properties": {"metadata": {"type": "object", "properties": {"labels": {"type": "object"}}}}}, "<root>.metadata: only"),
    ({"type": "object", "required": ["b"], "properties": {}}, "<root>: required field 'b'"),
])
def test_the_structural_check_catches_what_the_api_server_refuses(schema: Schema, problem: str) -> None:
    assert any(found.startswith(problem) for found in structural_problems(schema)), structural_problems(schema)


@pytest.mark.parametrize("kind", sorted(SHORT_NAMES))
def test_crd_names_columns_and_subresources(kind: str) -> None:
    crd = CRDS[kind]
    spec = crd["spec"]
    plural = kind.lower() + "s"
    assert crd["metadata"]["name"] == f"{plural}.{GROUP}"
    assert (spec["group"], spec["scope"]) == (GROUP, "Namespaced")
    assert spec["names"] == {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List",
                             "shortNames": [SHORT_NAMES[kind]], "categories": ["litellm"]}
    [version] = spec["versions"]
    assert (version["name"], version["served"], version["storage"], version["subresources"]) == (VERSION, True, True, {"status": {}})
    columns = {column["name"]: column for column in version["additionalPrinterColumns"]}
    assert columns["Ready"]["jsonPath"] == '.status.conditions[?(@.type=="Ready")].status'
    assert columns["Drifted"]["jsonPath"] == '.status.conditions[?(@.type=="Drifted")].status'
    assert columns["Age"] == {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
    if kind not in ("LiteLLMInstance", "LiteLLMProxySettings"):  # the proxy's settings have no id in LiteLLM
        assert columns["LiteLLM ID"]["jsonPath"] == ".status.litellmId"
    if kind != "LiteLLMInstance":
        assert root_schema(crd)["properties"]["spec"]["required"][0] == "instanceRef"
        assert root_schema(crd)["properties"]["spec"]["properties"]["deletionPolicy"]["enum"] == ["Delete", "Orphan"]


def test_every_kind_shares_one_status_schema() -> None:
    """The status the operator writes is the same for every kind, plus the key Secret and the instance's URL/licence."""
    extras = {"LiteLLMVirtualKey": {"keyAlias", "keySecretName"}, "LiteLLMTeam": {"teamAlias"}, "LiteLLMOrganization": {"organizationAlias"},
              "LiteLLMInstance": {"url", "license", "masterKeySecretRef", "ready", "lastUnmanagedCheckTime", "unmanaged"},
              "LiteLLMModelDiscovery": {"discoveredCount", "generatedCount", "generatedChildren", "skippedCandidates"}}
    common = None
    for kind, crd in CRDS.items():
        status = dict(root_schema(crd)["properties"]["status"]["properties"])
        assert extras.get(kind, set()) <= status.keys()
        for extra in extras.get(kind, set()):
            del status[extra]
        common = common or status
        assert status == common, kind
    assert set(common or {}) == {"conditions", "observedGeneration", "ansibleResult", "litellmId", "lastReconcileTime", "lastDriftCheckTime",
                                 "drift", "appliedSecretsHash"}


@pytest.mark.parametrize("kubernetes_version", KUBERNETES_VERSIONS)
def test_crds_are_valid_for_kubernetes(kubernetes_version: str) -> None:
    for crd in CRDS.values():
        validate_manifest(crd, kubernetes_version)


def test_kubernetes_validate_catches_a_broken_crd() -> None:
    crd = json.loads(json.dumps(CRDS["LiteLLMTeam"]))
    crd["spec"]["versions"][0]["additionalPrinterColumns"][0]["jsonpath"] = crd["spec"]["versions"][0]["additionalPrinterColumns"][0].pop("jsonPath")
    with pytest.raises(AssertionError, match="additionalPrinterColumns"):
        validate_manifest(crd, KUBERNETES_VERSIONS[0])


# ------------------------------------------------------------------ PalenaAI's README manifests
def palenaai_manifests() -> list[dict[str, Any]]:
    """Every YAML document of the README that starts with ``apiVersion: litellm.palena.ai/v1alpha1``, each manifest
    read whole (tests/lib/palenaai.py). The page's email addresses went through Cloudflare's email obfuscation, which
    left ``[email protected]`` (a YAML list) in their place; each becomes an address again (``user<n>@example.com``),
    the only change besides apiVersion.
    """
    numbers = itertools.count(1)
    text = re.sub(re.escape(OBFUSCATED_EMAIL), lambda _match: f"user{next(numbers)}@example.com", PALENAAI_README.read_text())
    return palenaai.manifests(text)


MANIFESTS = palenaai_manifests()


def test_each_readme_manifest_is_read_whole() -> None:
    """Blank lines and comments inside a manifest do not end it: the Fallback Chains example has both."""
    fallbacks = next(m for m in MANIFESTS if "fallbacks" in m.get("spec", {}))
    assert sorted(fallbacks["spec"]) == ["fallbacks", "routerSettings"]
    assert sorted(fallbacks["spec"]["fallbacks"]) == ["contentPolicyFallbacks", "contextWindowFallbacks",
                                                      "defaultFallbacks", "maxFallbacks", "modelFallbacks"]
    assert fallbacks["spec"]["routerSettings"]["modelGroupRetryPolicy"]["gpt-4"] == {"TimeoutError": 1, "RateLimitError": 0}


def test_no_readme_manifest_is_skipped() -> None:
    starts = sum(line == f"apiVersion: {PALENAAI_API_VERSION}" for line in PALENAAI_README.read_text().splitlines())
    assert starts == 21
    assert len(MANIFESTS) == starts
    assert all(doc["kind"] in SHORT_NAMES and doc["spec"] for doc in MANIFESTS)


@pytest.fixture(scope="module")
def custom_api(kube_api: KubeCluster) -> Iterator[kubernetes.client.CustomObjectsApi]:
    """A client for custom objects, with every CRD of crds/ registered (and removed again if this module added it)."""
    with kube_api.client() as api:
        extensions = kubernetes.client.ApiextensionsV1Api(api)
        created = []
        for crd in CRDS.values():
            try:
                extensions.create_custom_resource_definition(crd)
                created.append(crd["metadata"]["name"])
            except ApiException as exc:
                if exc.status != 409:
                    raise
        for crd in CRDS.values():
            wait_until(lambda name=crd["metadata"]["name"]: established(extensions.read_custom_resource_definition(name).to_dict()),
                       what=f"{crd['metadata']['name']} is established")
        yield kubernetes.client.CustomObjectsApi(api)
        for name in created:
            extensions.delete_custom_resource_definition(name)


def create(custom_api: kubernetes.client.CustomObjectsApi, namespace: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    plural = obj["kind"].lower() + "s"
    return custom_api.create_namespaced_custom_object(GROUP, VERSION, namespace, plural, dict(obj))


def ours(manifest: Mapping[str, Any]) -> dict[str, Any]:
    return {**manifest, "apiVersion": f"{GROUP}/{VERSION}"}


def contains(stored: Any, given: Any) -> bool:
    """Whether ``stored`` keeps everything of ``given`` (defaults may add fields; nothing may be pruned)."""
    if isinstance(given, dict):
        return isinstance(stored, dict) and all(key in stored and contains(stored[key], value) for key, value in given.items())
    if isinstance(given, list):
        return isinstance(stored, list) and len(stored) == len(given) and all(map(contains, stored, given))
    return bool(stored == given)


@pytest.mark.parametrize("index", range(len(MANIFESTS)), ids=[f"{i}-{doc['kind']}-{doc['metadata']['name']}" for i, doc in enumerate(MANIFESTS)])
def test_palenaai_readme_manifest_is_accepted_whole(custom_api: kubernetes.client.CustomObjectsApi, kube_namespace: str, index: int) -> None:
    manifest = ours(MANIFESTS[index])
    stored = create(custom_api, kube_namespace, manifest)
    assert contains(stored["spec"], manifest["spec"]), f"fields were pruned:\ngiven  {manifest['spec']}\nstored {stored['spec']}"
    assert stored["metadata"]["generation"] == 1
    assert cel_violations(stored["spec"], spec_schema(manifest["kind"])) == []


# ------------------------------------------------------------------ bad resources
TEAM = {"kind": "LiteLLMTeam", "metadata": {"name": "bad"}, "spec": {"instanceRef": {"name": "gw"}, "teamAlias": "bad"}}
SECRET_VALUE = "sk-inline-" + uuid.uuid4().hex


def _with(base: Mapping[str, Any], kind: str | None = None, drop: tuple[str, ...] = (), **spec: Any) -> dict[str, Any]:
    obj = json.loads(json.dumps(base))
    obj["kind"] = kind or obj["kind"]
    obj["spec"] = {key: value for key, value in obj["spec"].items() if key not in drop} | spec
    return obj


MODEL_PARAMS = {"model": "openai/gpt-4o"}
BAD = {
    "wrong conflictResolution": (
        {"kind": "LiteLLMInstance", "metadata": {"name": "bad"}, "spec": {"configSync": {"conflictResolution": "crd-win"}}},
        "spec.configSync.conflictResolution", "Unsupported value"),
    "missing instanceRef": (_with(TEAM, drop=("instanceRef",)), "spec.instanceRef", "Required value"),
    "string for an integer": (_with(TEAM, rpmLimit="many"), "spec.rpmLimit", "must be of type integer"),
    "negative limit": (_with(TEAM, tpmLimit=-1), "spec.tpmLimit", "greater than or equal to 0"),
    "wrong deletionPolicy": (_with(TEAM, deletionPolicy="Keep"), "spec.deletionPolicy", "Unsupported value"),
    "wrong member role": (_with(TEAM, members=[{"email": "a@example.com", "role": "owner"}]), "spec.members[0].role", "Unsupported value"),
    "budget as a float": (_with(TEAM, maxBudget=12.5), "spec.maxBudget", "must be of type integer or string"),
    "budget as words": (_with(TEAM, maxBudget="a lot"), "spec.maxBudget", "should match"),
    "budgetDuration format": (_with(TEAM, budgetDuration="30 days"), "spec.budgetDuration", "should match"),
    "inline provider key in litellmParams": (
        {"kind": "LiteLLMModel", "metadata": {"name": "bad"},
         "spec": {"instanceRef": {"name": "gw"}, "modelName": "m", "litellmParams": {**MODEL_PARAMS, "api_key": SECRET_VALUE}}},
        "spec.litellmParams.api_key", "Too long"),
    "inline apiKey on a credential": (
        {"kind": "LiteLLMCredential", "metadata": {"name": "bad"},
         "spec": {"instanceRef": {"name": "gw"}, "credentialName": "c", "apiKey": SECRET_VALUE}},
        "spec.apiKey", "Too long"),
    "inline MCP credential value": (
        {"kind": "LiteLLMMCPServer", "metadata": {"name": "bad"},
         "spec": {"instanceRef": {"name": "gw"}, "serverName": "s", "credentials": {"auth_value": SECRET_VALUE}}},
        "spec.credentials.auth_value", "must be of type object"),
    "secret ref without key": (
        {"kind": "LiteLLMCredential", "metadata": {"name": "bad"},
         "spec": {"instanceRef": {"name": "gw"}, "credentialName": "c", "apiKeySecretRef": {"name": "s"}}},
        "spec.apiKeySecretRef.key", "Required value"),
    "requireTraceId not a boolean": (_with(TEAM, requireTraceId="yes"), "spec.requireTraceId", "must be of type boolean"),
    "member model budget as words": (_with(TEAM, teamMemberModelMaxBudget={"gpt-4o": {"maxBudget": "a lot"}}),
                                     "spec.teamMemberModelMaxBudget.gpt-4o.maxBudget", "should match"),
    "negative rpd": ({"kind": "LiteLLMModel", "metadata": {"name": "bad"},
                      "spec": {"instanceRef": {"name": "gw"}, "modelName": "m", "litellmParams": {**MODEL_PARAMS, "rpd": -1}}},
                     "spec.litellmParams.rpd", "greater than or equal to 0"),
    "ptuShares not whole": ({"kind": "LiteLLMModel", "metadata": {"name": "bad"},
                             "spec": {"instanceRef": {"name": "gw"}, "modelName": "m", "litellmParams": MODEL_PARAMS,
                                      "modelInfo": {"ptuShares": {"east": "two"}}}},
                            "spec.modelInfo.ptuShares.east", "must be of type integer"),
    "proxy settings without instanceRef": ({"kind": "LiteLLMProxySettings", "metadata": {"name": "bad"},
                                            "spec": {"generalSettings": {"alerting": ["slack"]}}},
                                           "spec.instanceRef", "Required value"),
    "external without master key": (
        {"kind": "LiteLLMInstance", "metadata": {"name": "bad"}, "spec": {"external": {"url": "https://litellm.example.com"}}},
        "spec.external.masterKeySecretRef", "Required value"),
    "external url not http": (
        {"kind": "LiteLLMInstance", "metadata": {"name": "bad"},
         "spec": {"external": {"url": "litellm.example.com", "masterKeySecretRef": {"name": "m", "key": "k"}}}},
        "spec.external.url", "should match"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_resource_is_422_naming_the_field(custom_api: kubernetes.client.CustomObjectsApi, kube_namespace: str, case: str) -> None:
    obj, field, reason = BAD[case]
    with pytest.raises(ApiException) as caught:
        create(custom_api, kube_namespace, ours(obj))
    status = json.loads(caught.value.body)
    assert (caught.value.status, status["reason"]) == (422, "Invalid"), status
    causes = {cause["field"]: cause["message"] for cause in status["details"]["causes"]}
    assert field in causes and reason in causes[field], status
    assert SECRET_VALUE not in caught.value.body


def test_unknown_fields_are_pruned_never_stored(custom_api: kubernetes.client.CustomObjectsApi, kube_namespace: str) -> None:
    """An undeclared field (e.g. a made-up inline secret) is dropped, as a real API server does without strict validation."""
    stored = create(custom_api, kube_namespace, ours(_with(TEAM, teamSecret=SECRET_VALUE)))
    assert "teamSecret" not in stored["spec"] and SECRET_VALUE not in json.dumps(stored)


def test_defaults(custom_api: kubernetes.client.CustomObjectsApi, kube_namespace: str) -> None:
    team = create(custom_api, kube_namespace, ours(_with(TEAM, members=[{"email": "a@example.com"}])))
    assert (team["spec"]["deletionPolicy"], team["spec"]["memberManagement"], team["spec"]["members"][0]["role"]) == ("Delete", "crd", "user")
    instance = create(custom_api, kube_namespace, ours({"kind": "LiteLLMInstance", "metadata": {"name": "defaults"}, "spec": {"configSync": {}}}))
    assert instance["spec"] == {"configSync": {"enabled": True, "interval": "5m", "conflictResolution": "crd-wins", "unmanagedResourcePolicy": "preserve"}}


# ------------------------------------------------------------------ status and printer columns
def sample_status(kind: str) -> dict[str, Any]:
    """A status as the operator writes it."""
    now = "2026-11-21T12:00:00Z"
    result = {"ok": 4, "changed": 1, "skipped": 2, "failures": 0, "completion": "2026-11-21T12:00:00.123456"}
    status: dict[str, Any] = {
        "conditions": [
            {"type": "Successful", "status": "True", "reason": "Successful", "message": "Awaiting next reconciliation",
             "lastTransitionTime": now, "ansibleResult": result},
            {"type": "Ready", "status": "True", "reason": "InSync", "message": "", "lastTransitionTime": now, "observedGeneration": 1},
            {"type": "Drifted", "status": "True", "reason": "DriftDetected", "message": "2 fields differ", "lastTransitionTime": now},
        ],
        "observedGeneration": 1,
        "ansibleResult": result,
        "litellmId": "0f5a3c1e-team",
        "lastReconcileTime": now,
        "lastDriftCheckTime": now,
        "drift": [{"path": "spec.maxBudget", "desired": 100, "live": 250.5}, {"path": "spec.models", "desired": ["gpt-4o"], "live": []}],
        "appliedSecretsHash": "9f2c" * 16,
    }
    if kind == "LiteLLMVirtualKey":
        status |= {"keyAlias": "eng-ci-key", "keySecretName": "eng-ci-key-key"}
    if kind == "LiteLLMTeam":
        status |= {"teamAlias": "engineering"}
    if kind == "LiteLLMOrganization":
        status |= {"organizationAlias": "acme-corp"}
    if kind == "LiteLLMInstance":
        status |= {"url": "http://my-gateway.default.svc:4000", "license": {"active": True, "secretName": "my-gateway-license"},
                   "masterKeySecretRef": {"name": "my-gateway-master-key", "key": "master-key"}, "ready": True,
                   "lastUnmanagedCheckTime": now, "unmanaged": [{"kind": "LiteLLMTeam", "name": "ui-made", "plural": "teams", "key": "team_alias"}]}
    return status


def jsonpath(obj: Any, path: str) -> list[Any]:
    """kubectl's JSONPath, for the forms printer columns here use: ``.a.b`` and ``[?(@.k=="v")]`` filters."""
    steps = re.findall(r'\.([A-Za-z0-9_]+)|\[\?\(@\.([A-Za-z0-9_]+)=="([^"]*)"\)\]', path)
    assert "".join(f".{name}" if name else f'[?(@.{key}=="{value}")]' for name, key, value in steps) == path, f"unsupported JSONPath {path}"
    values = [obj]
    for name, key, value in steps:
        if name:
            values = [item[name] for item in values if isinstance(item, dict) and name in item]
        else:
            values = [item for items in values for item in items if isinstance(item, dict) and item.get(key) == value]
    return values


@pytest.mark.parametrize("kind", sorted(SHORT_NAMES))
def test_status_is_kept_whole_and_printer_columns_resolve(custom_api: kubernetes.client.CustomObjectsApi, kube_namespace: str, kind: str) -> None:
    manifest = next((ours(doc) for doc in MANIFESTS if doc["kind"] == kind), None) or ours(SAMPLES[kind])
    plural = kind.lower() + "s"
    created = create(custom_api, kube_namespace, manifest)
    assert contains(created["spec"], manifest["spec"])
    status = sample_status(kind)
    updated = custom_api.patch_namespaced_custom_object_status(GROUP, VERSION, kube_namespace, plural, created["metadata"]["name"], {"status": status})
    assert updated["status"] == status
    assert updated["metadata"]["generation"] == created["metadata"]["generation"]
    for column in CRDS[kind]["spec"]["versions"][0]["additionalPrinterColumns"]:
        values = jsonpath(updated, column["jsonPath"])
        assert len(values) == 1, (column, values)
        assert value_problems(values[0], {"type": "string"}) == [], column
    assert jsonpath(updated, '.status.conditions[?(@.type=="Drifted")].status') == ["True"]


# The kinds the README has no manifest for.
SAMPLES: dict[str, dict[str, Any]] = {
    "LiteLLMUser": {"kind": "LiteLLMUser", "metadata": {"name": "bot"}, "spec": {
        "instanceRef": {"name": "gw"}, "userEmail": "bot@example.com", "maxBudget": "10"}},
    "LiteLLMCustomer": {"kind": "LiteLLMCustomer", "metadata": {"name": "acme"}, "spec": {
        "instanceRef": {"name": "gw"}, "userId": "acme", "allowedModelRegion": "eu"}},
    "LiteLLMGuardrail": {"kind": "LiteLLMGuardrail", "metadata": {"name": "pii"}, "spec": {
        "instanceRef": {"name": "gw"}, "guardrailName": "pii", "provider": "presidio", "mode": ["pre_call"],
        "litellmParams": {"presidio_language": "en"}}},
    "LiteLLMBudget": {"kind": "LiteLLMBudget", "metadata": {"name": "free"}, "spec": {"instanceRef": {"name": "gw"}, "budgetId": "free-tier", "maxBudget": 5}},
    "LiteLLMMCPServer": {"kind": "LiteLLMMCPServer", "metadata": {"name": "docs"}, "spec": {
        "instanceRef": {"name": "gw"}, "serverName": "docs", "transport": "http", "url": "https://mcp.example.com/mcp",
        "authType": "bearer_token", "credentials": {"auth_value": {"name": "mcp", "key": "token"}}}},
    "LiteLLMMCPToolset": {"kind": "LiteLLMMCPToolset", "metadata": {"name": "triage"}, "spec": {
        "instanceRef": {"name": "gw"}, "toolsetName": "triage", "tools": [{"serverId": "s1", "toolName": "get_issue"}]}},
    "LiteLLMAgent": {"kind": "LiteLLMAgent", "metadata": {"name": "research"}, "spec": {
        "instanceRef": {"name": "gw"}, "agentName": "research", "agentCardParams": {"url": "http://agent:9999/"},
        "litellmParams": {"model": "a2a/research"}, "secretLitellmParams": {"api_key": {"name": "agent", "key": "key"}},
        "public": True, "objectPermission": {"mcpToolPermissions": {"s1": ["get_issue"]}},
        "killSwitch": {"url": "https://ops/stop",
                       "auth": {"type": "bearer", "credentialSecretRef": {"name": "ks", "key": "token"}}}}},
    "LiteLLMFallback": {"kind": "LiteLLMFallback", "metadata": {"name": "gpt-4o"}, "spec": {
        "instanceRef": {"name": "gw"}, "model": "gpt-4o", "fallbackModels": ["claude", "llama"],
        "contextWindowFallbackModels": ["gemini-long"]}},
    "LiteLLMJWTKeyMapping": {"kind": "LiteLLMJWTKeyMapping", "metadata": {"name": "svc-batch"}, "spec": {
        "instanceRef": {"name": "gw"}, "jwtIssuer": "https://login.example.com", "jwtClaimName": "sub",
        "jwtClaimValue": "svc-batch", "keySecretRef": {"name": "batch-key", "key": "api_key"}, "isActive": True}},
    "LiteLLMSearchTool": {"kind": "LiteLLMSearchTool", "metadata": {"name": "web"}, "spec": {
        "instanceRef": {"name": "gw"}, "searchToolName": "web", "searchProvider": "tavily",
        "providerApiKeySecretRef": {"name": "tavily", "key": "api-key"}, "providerTimeout": 5, "searchToolInfo": {"a": 1}}},
    "LiteLLMVectorStore": {"kind": "LiteLLMVectorStore", "metadata": {"name": "docs"}, "spec": {
        "instanceRef": {"name": "gw"}, "vectorStoreId": "vs_abc", "customLlmProvider": "openai",
        "litellmParams": {"api_base": "https://api.openai.com/v1"}, "secretLitellmParams": {"api_key": {
            "name": "openai", "key": "api-key"}}}},
    "LiteLLMPrompt": {"kind": "LiteLLMPrompt", "metadata": {"name": "greeting"}, "spec": {
        "instanceRef": {"name": "gw"}, "promptId": "greeting", "environment": "production",
        "dotpromptContent": "---\nmodel: gpt-4o\n---\nGreet {{name}}.", "ignorePromptManagerModel": True,
        "providerSpecificQueryParams": {"label": "prod"}, "providerApiKeySecretRef": {"name": "pm", "key": "api-key"}}},
    "LiteLLMPolicy": {"kind": "LiteLLMPolicy", "metadata": {"name": "baseline"}, "spec": {
        "instanceRef": {"name": "gw"}, "policyName": "baseline", "guardrailsAdd": ["pii"], "condition": {"model": "gpt-4.*"},
        "attachments": [{"scope": "*"}, {"teams": ["health-*"], "priority": 10, "default": False}]}},
    "LiteLLMProxySettings": {"kind": "LiteLLMProxySettings", "metadata": {"name": "settings"}, "spec": {
        "instanceRef": {"name": "gw"}, "generalSettings": {"maximum_spend_logs_retention_period": "30d", "alerting": ["slack"],
                                                           "alert_to_webhook_url": {"budget_alerts": "os.environ/SLACK_WEBHOOK_URL"}},
        "routerSettings": {"num_retries": 3}}},
    "LiteLLMModelAlias": {"kind": "LiteLLMModelAlias", "metadata": {"name": "claude-opus-4-1m"}, "spec": {
        "instanceRef": {"name": "gw"}, "alias": "claude-opus-4[1m]", "model": "claude-opus-4", "hidden": True}},
    "LiteLLMModelDiscovery": {"kind": "LiteLLMModelDiscovery", "metadata": {"name": "vllm"}, "spec": {
        "instanceRef": {"name": "gw"}, "apiBase": "http://vllm:8000/v1", "litellmProvider": "hosted_vllm",
        "providerApiKeySecretRef": {"name": "vllm", "key": "api-key"}, "filters": {"include": ["llama"], "exclude": ["embed"]},
        "litellmParams": {"rpm": 10}, "modelInfo": {"team": "research"}}},
}


# ------------------------------------------------------------------ CEL rules (x-kubernetes-validations)
# A real API server (Kubernetes >= 1.25) evaluates them; the emulator does not, so they are evaluated here with
# cel-rust (PyPI common-expression-language) on the stored (defaulted) objects.
def spec_schema(kind: str) -> Schema:
    return root_schema(CRDS[kind])["properties"]["spec"]


def cel_rules(node: Schema, path: str = "spec") -> Iterator[tuple[str, dict[str, str]]]:
    for rule in node.get("x-kubernetes-validations", []):
        yield path, rule
    for key, child in node.get("properties", {}).items():
        yield from cel_rules(child, f"{path}.{key}")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), Mapping):
            yield from cel_rules(node[key], f"{path}[]")


def cel_violations(value: Any, node: Schema, path: str = "spec") -> list[str]:
    """The messages of the rules ``value`` breaks, as ``<path>: <message>``."""
    broken = [f"{path}: {rule['message']}" for rule in node.get("x-kubernetes-validations", []) if cel.evaluate(rule["rule"], {"self": value}) is not True]
    if isinstance(value, dict):
        for key, item in value.items():
            child = node.get("properties", {}).get(key) or (node["additionalProperties"] if isinstance(node.get("additionalProperties"), Mapping) else None)
            broken += cel_violations(item, child, f"{path}.{key}") if child else []
    if isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            broken += cel_violations(item, node["items"], f"{path}[{index}]")
    return broken


def test_every_cel_rule_compiles() -> None:
    rules = [(kind, path, rule) for kind in CRDS for path, rule in cel_rules(spec_schema(kind))]
    assert len(rules) >= 10
    for kind, path, rule in rules:
        assert rule["message"], (kind, path)
        cel.compile(rule["rule"])


CEL_CASES = {
    "external with a deployment": ("LiteLLMInstance", {"external": {"url": "https://x", "masterKeySecretRef": {"name": "m", "key": "k"}}, "replicas": 2},
                                   "spec: external points at"),
    "two ways in": ("LiteLLMInstance", {"ingress": {"enabled": True}, "route": {"enabled": True}}, "spec: enable at most one"),
    "member without email or userId": ("LiteLLMTeam", {"teamAlias": "t", "members": [{"role": "admin"}]}, "spec.members[0]: a member needs email or userId"),
    "organizationRef and organizationId": ("LiteLLMTeam", {"teamAlias": "t", "organizationRef": {"name": "o"}, "organizationId": "o"},
                                           "spec: give organizationRef or organizationId"),
    "maxBudget and maxBudgetMonthly": ("LiteLLMTeam", {"teamAlias": "t", "maxBudget": 1, "maxBudgetMonthly": 1}, "spec: give maxBudget or maxBudgetMonthly"),
    "user without userId or userEmail": ("LiteLLMUser", {"userAlias": "u"}, "spec: give userId or userEmail"),
    "teamRef and teamId": ("LiteLLMVirtualKey", {"keyAlias": "k", "teamRef": {"name": "t"}, "teamId": "t"}, "spec: give teamRef or teamId"),
    "budgetRef and budgetId": ("LiteLLMCustomer", {"userId": "c", "budgetRef": {"name": "b"}, "budgetId": "b"}, "spec: give budgetRef or budgetId"),
    "proxy settings without settings": ("LiteLLMProxySettings", {}, "spec: set generalSettings or routerSettings"),
    "alias naming itself": ("LiteLLMModelAlias", {"alias": "smart", "model": "smart"}, "spec: an alias must not name itself"),
}


@pytest.mark.parametrize("case", sorted(CEL_CASES))
def test_cel_rules_refuse_what_the_schema_cannot(case: str) -> None:
    kind, spec, message = CEL_CASES[case]
    spec = {"instanceRef": {"name": "gw"}, **spec}
    assert [found for found in cel_violations(spec, spec_schema(kind)) if found.startswith(message)], cel_violations(spec, spec_schema(kind))


def test_cel_rules_accept_the_external_instance() -> None:
    spec = {"external": {"url": "https://litellm.example.com", "masterKeySecretRef": {"name": "m", "key": "k"}}, "configSync": {"interval": "1m"}}
    assert cel_violations(spec, spec_schema("LiteLLMInstance")) == []
