"""The OLM bundle (bundle/, bundle.Dockerfile) and the single source of every packaging.

``operator-sdk bundle validate`` is in no package registry reachable here, so this module checks what OLM's
documentation requires of a registry+v1 bundle (operator-registry's "Operator Bundle" design, OLM's CSV and
install-mode docs, the validators operator-sdk runs), offline:

- scripts/gen-packaging regenerates the chart's CRDs, RBAC rules and Chart.yaml and the whole bundle from crds/,
  deploy/ and scripts/packaging/ to exactly the committed files (nothing can drift from deploy/);
- the bundle: manifests/ and metadata/ only, exactly one CSV, only kinds a bundle may carry, under the size a
  catalog accepts; metadata/annotations.yaml has the six bundle annotations, consistent with each other, with
  the CSV's name and with bundle.Dockerfile's LABELs;
- the CSV: name ``<package>.v<version>``, semver version equal to galaxy.yml's, ``replaces`` an older version of
  the package if set, minKubeVersion the oldest Kubernetes the project supports; every CRD of crds/ owned with
  its name, served storage version and kind, shipped byte for byte, with displayName, description and
  descriptors whose paths exist in its schema; the four install modes, with WATCH_NAMESPACE taken from
  ``olm.targetNamespaces`` and read by the operator as it reads a list; the Deployment is deploy/'s (image of the
  kustomization, command, args, env, probes, security) and valid for Kubernetes; the permissions are deploy/rbac/'s;
- alm-examples: one per owned kind, each admitted by its CRD's schema (the emulator's pruning and validation and
  the CEL rules), six of them PalenaAI's README manifests with only apiVersion changed.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from llmops_operator.config import Config

from tests.lib.kubeapi.openapi import admit
from tests.lib.kubeapi.validate import KUBERNETES_VERSIONS, OLDEST, validate_manifest
from tests.lib.playbook import REPO
from tests.operator.test_crds import CRDS, MANIFESTS, PALENAAI_API_VERSION, cel_violations, contains, root_schema

BUNDLE = REPO / "bundle"
DOCKERFILE = REPO / "bundle.Dockerfile"
CHART = REPO / "deploy" / "charts" / "llmops-litellm-operator"
DEPLOY = REPO / "deploy"
PACKAGE = "llmops-litellm-operator"
CSV_PATH = BUNDLE / "manifests" / f"{PACKAGE}.clusterserviceversion.yaml"
# What scripts/gen-packaging writes: these directories in full, and these files.
GENERATED_DIRS = (CHART / "crds", CHART / "files", BUNDLE)
GENERATED_FILES = (CHART / "Chart.yaml", CHART / "templates" / "_rules.tpl", CHART / "templates" / "_manager.tpl", DOCKERFILE)
ANNOTATIONS = ("mediatype", "manifests", "metadata", "package", "channels", "channel.default")
# The kinds a registry+v1 bundle may carry besides the CSV and CRDs (operator-registry's supported types).
SUPPORTED_KINDS = {"ClusterServiceVersion", "CustomResourceDefinition", "Secret", "ClusterRole", "ClusterRoleBinding", "ConfigMap",
                   "ServiceAccount", "Service", "Role", "RoleBinding", "PrometheusRule", "ServiceMonitor", "PodDisruptionBudget",
                   "PriorityClass", "VerticalPodAutoscaler", "ConsoleYAMLSample", "ConsoleQuickStart", "ConsoleCLIDownload", "ConsoleLink"}
CAPABILITIES = ("Basic Install", "Seamless Upgrades", "Full Lifecycle", "Deep Insights", "Auto Pilot")
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
MAX_BUNDLE_BYTES = 1024 * 1024  # a catalog keeps a bundle in a ConfigMap-sized object


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


CSV = load(CSV_PATH)
MANIFEST_FILES = sorted((BUNDLE / "manifests").iterdir())
OWNED = {entry["kind"]: entry for entry in CSV["spec"]["customresourcedefinitions"]["owned"]}
EXAMPLES = json.loads(CSV["metadata"]["annotations"]["alm-examples"])


def deploy(path: str) -> Any:
    return load(DEPLOY / path)


def semver(text: str) -> tuple[int, int, int]:
    match = SEMVER.fullmatch(text)
    assert match, f"{text!r} is not a semantic version"
    return int(match[1]), int(match[2]), int(match[3])


# ------------------------------------------------------------------ one source
def files_under(root: Path, paths: tuple[Path, ...]) -> dict[str, str]:
    found = {}
    for path in paths:
        target = root / path.relative_to(REPO)
        for file in ([target] if target.is_file() else sorted(p for p in target.rglob("*") if p.is_file()) if target.exists() else []):
            found[str(file.relative_to(root))] = file.read_text()
    return found


def test_generated_packaging_is_up_to_date(tmp_path: Path) -> None:
    """Regenerated into a temporary directory, the chart's generated files and the bundle equal the committed
    ones: run ``.venv/bin/python scripts/gen-packaging`` after changing crds/, deploy/ or scripts/packaging/."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen-packaging"), "--out", str(tmp_path)], check=True)
    generated = files_under(tmp_path, GENERATED_DIRS + GENERATED_FILES)
    committed = files_under(REPO, GENERATED_DIRS + GENERATED_FILES)
    assert sorted(generated) == sorted(committed), "stale or missing generated files: run scripts/gen-packaging"
    for path, text in generated.items():
        assert committed[path] == text, f"{path} is out of date: run scripts/gen-packaging"
    assert len([p for p in generated if p.startswith("bundle/manifests/")]) == len(CRDS) + 2 + (DEPLOY / "monitoring" / "prometheusrule.yaml").exists()


def test_the_chart_and_the_bundle_ship_crds_byte_for_byte() -> None:
    for path in sorted((REPO / "crds").glob("litellm.llmops.dev_*.yaml")):
        assert (CHART / "crds" / path.name).read_text() == path.read_text()
        assert (BUNDLE / "manifests" / path.name).read_text() == path.read_text()
    for path in sorted((DEPLOY / "kopf").glob("kopf.dev_*.yaml")):
        assert (CHART / "crds" / path.name).read_text() == path.read_text()


# ------------------------------------------------------------------ bundle layout, annotations, Dockerfile
def test_bundle_layout_kinds_and_size() -> None:
    assert sorted(p.name for p in BUNDLE.iterdir()) == ["manifests", "metadata"]
    assert sorted(p.name for p in (BUNDLE / "metadata").iterdir()) == ["annotations.yaml"]
    kinds = [load(path)["kind"] for path in MANIFEST_FILES]
    assert kinds.count("ClusterServiceVersion") == 1
    assert set(kinds) <= SUPPORTED_KINDS, set(kinds) - SUPPORTED_KINDS
    assert sum(path.stat().st_size for path in MANIFEST_FILES) < MAX_BUNDLE_BYTES


def test_annotations_and_dockerfile_labels_agree() -> None:
    annotations = load(BUNDLE / "metadata" / "annotations.yaml")["annotations"]
    keys = {f"operators.operatorframework.io.bundle.{name}.v1" for name in ANNOTATIONS}
    assert set(annotations) == keys
    prefix = "operators.operatorframework.io.bundle."
    assert annotations[f"{prefix}mediatype.v1"] == "registry+v1"
    assert annotations[f"{prefix}manifests.v1"] == "manifests/" and annotations[f"{prefix}metadata.v1"] == "metadata/"
    assert annotations[f"{prefix}package.v1"] == PACKAGE and CSV["metadata"]["name"].startswith(f"{PACKAGE}.v")
    channels = annotations[f"{prefix}channels.v1"].split(",")
    assert channels and all(channels) and annotations[f"{prefix}channel.default.v1"] in channels

    lines = [line for line in DOCKERFILE.read_text().splitlines() if line and not line.startswith("#")]
    assert lines[0] == "FROM scratch"
    labels = dict(line.removeprefix("LABEL ").split("=", 1) for line in lines if line.startswith("LABEL "))
    assert labels == annotations
    copies = [line.split()[1:] for line in lines if line.startswith("COPY ")]
    assert copies == [["bundle/manifests", f"/{annotations[f'{prefix}manifests.v1']}"], ["bundle/metadata", f"/{annotations[f'{prefix}metadata.v1']}"]]


# ------------------------------------------------------------------ the ClusterServiceVersion
def test_csv_identity_versions_and_metadata() -> None:
    assert CSV["apiVersion"] == "operators.coreos.com/v1alpha1" and CSV["kind"] == "ClusterServiceVersion"
    spec, annotations = CSV["spec"], CSV["metadata"]["annotations"]
    version = spec["version"]
    semver(version)
    assert version == str(load(REPO / "galaxy.yml")["version"])
    assert CSV["metadata"]["name"] == f"{PACKAGE}.v{version}"
    if "replaces" in spec:
        previous = spec["replaces"].removeprefix(f"{PACKAGE}.v")
        assert spec["replaces"].startswith(f"{PACKAGE}.v") and semver(previous) < semver(version), spec["replaces"]
    assert semver(spec["minKubeVersion"]) == (*map(int, OLDEST.split(".")), 0)
    assert spec["displayName"] and len(spec["description"]) > 200 and spec["provider"]["name"]
    assert spec["maturity"] in ("planning", "pre-alpha", "alpha", "beta", "stable", "mature", "inactive", "deprecated")
    assert all(re.fullmatch(r"[^@\s]+@[^@\s]+", m["email"]) and m["name"] for m in spec["maintainers"])
    assert all(link["url"].startswith("https://") for link in spec["links"])
    assert annotations["capabilities"] in CAPABILITIES
    assert all(isinstance(value, str) for value in annotations.values()), "annotations are strings"
    assert annotations["containerImage"] == image()
    assert spec["relatedImages"] == [{"name": "operator", "image": image()}]
    [icon] = spec["icon"]
    assert icon["mediatype"] == "image/svg+xml" and base64.b64decode(icon["base64data"]).startswith(b"<svg")


def image() -> str:
    [rule] = deploy("kustomization.yaml")["images"]
    return f"{rule['name']}:{rule['newTag']}"


def schema_at(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The schema node of a descriptor path (``a.b``, ``a[0].b``) below ``schema``, None when it does not exist."""
    node: dict[str, Any] | None = schema
    for part in re.split(r"\.|(?=\[)", path):
        if node is None:
            return None
        node = node.get("items") if part.startswith("[") else node.get("properties", {}).get(part)
    return node


@pytest.mark.parametrize("kind", sorted(CRDS))
def test_every_crd_is_owned_with_its_name_version_and_kind(kind: str) -> None:
    crd = CRDS[kind]
    [storage] = [v for v in crd["spec"]["versions"] if v["storage"]]
    entry = OWNED[kind]
    assert (entry["name"], entry["version"], entry["kind"]) == (crd["metadata"]["name"], storage["name"], kind)
    assert storage["served"] and entry["name"] == f"{crd['spec']['names']['plural']}.{crd['spec']['group']}"
    assert entry["displayName"].startswith("LiteLLM ") and entry["description"]
    root = root_schema(crd)
    assert entry["specDescriptors"] and entry["statusDescriptors"]
    for descriptor in entry["specDescriptors"]:
        assert schema_at(root["properties"]["spec"], descriptor["path"]), f"{kind}: spec.{descriptor['path']} is not in the CRD"
        assert descriptor["displayName"] and descriptor["description"]
    for descriptor in entry["statusDescriptors"]:
        assert schema_at(root["properties"]["status"], descriptor["path"]), f"{kind}: status.{descriptor['path']} is not in the CRD"
    conditions = entry["statusDescriptors"][0]
    assert conditions["path"] == "conditions" and conditions["x-descriptors"] == ["urn:alm:descriptor:io.kubernetes.conditions"]
    for field in root["properties"]["spec"].get("required", []):
        assert field in [d["path"] for d in entry["specDescriptors"]], f"{kind}: required spec.{field} has no descriptor"


def test_owned_crds_are_exactly_the_bundle_s_crds() -> None:
    shipped = {load(path)["metadata"]["name"] for path in MANIFEST_FILES if load(path)["kind"] == "CustomResourceDefinition"}
    assert shipped == {entry["name"] for entry in OWNED.values()} == {crd["metadata"]["name"] for crd in CRDS.values()}


def test_install_modes_and_the_watch_namespace() -> None:
    assert {m["type"]: m["supported"] for m in CSV["spec"]["installModes"]} == {
        "OwnNamespace": True, "SingleNamespace": True, "MultiNamespace": True, "AllNamespaces": True}
    [container] = csv_deployment()["spec"]["template"]["spec"]["containers"]
    [watch] = [v for v in container["env"] if v["name"] == "WATCH_NAMESPACE"]
    assert watch == {"name": "WATCH_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations['olm.targetNamespaces']"}}}
    # What OLM puts in olm.targetNamespaces per mode, as the operator reads it: "" is every namespace.
    for targets, namespaces in (("", ()), ("ops", ("ops",)), ("team-a,team-b", ("team-a", "team-b"))):
        assert Config.from_env({"WATCH_NAMESPACE": targets}).namespaces == namespaces


def csv_deployment() -> dict[str, Any]:
    [deployment] = CSV["spec"]["install"]["spec"]["deployments"]
    return deployment


def test_the_csv_deployment_is_deploy_s() -> None:
    assert CSV["spec"]["install"]["strategy"] == "deployment"
    ours, expected = csv_deployment(), deploy("manager/deployment.yaml")
    assert ours["name"] == expected["metadata"]["name"]
    spec, expected_spec = ours["spec"], expected["spec"]
    [container], [expected_container] = spec["template"]["spec"]["containers"], expected_spec["template"]["spec"]["containers"]
    assert container["image"] == image()
    for key in ("command", "args", "livenessProbe", "resources", "securityContext", "volumeMounts", "imagePullPolicy"):
        assert container[key] == expected_container[key], key
    # The same environment, but WATCH_NAMESPACE from OLM and no peering (OLM runs one replica, standalone).
    differs = {"WATCH_NAMESPACE", "LLMOPS_OPERATOR_PEERING"}
    assert [v for v in container["env"] if v["name"] not in differs] == [v for v in expected_container["env"] if v["name"] not in differs]
    assert "LLMOPS_OPERATOR_PEERING" not in {v["name"] for v in container["env"]} and spec["replicas"] == 1
    metrics = {"name": "metrics", "containerPort": 8383, "protocol": "TCP"}
    assert container["ports"] == expected_container["ports"] + ([] if metrics in expected_container["ports"] else [metrics])
    assert {k: v for k, v in spec["template"]["spec"].items() if k != "containers"} == \
        {k: v for k, v in expected_spec["template"]["spec"].items() if k != "containers"}
    assert spec["strategy"] == expected_spec["strategy"] and spec["selector"] == expected_spec["selector"]


def test_the_csv_permissions_are_deploy_rbac_s() -> None:
    install = CSV["spec"]["install"]["spec"]
    account = deploy("manager/service_account.yaml")["metadata"]["name"]
    [cluster], [namespaced] = install["clusterPermissions"], install["permissions"]
    assert cluster["serviceAccountName"] == namespaced["serviceAccountName"] == account
    assert csv_deployment()["spec"]["template"]["spec"]["serviceAccountName"] == account
    assert cluster["rules"] == deploy("rbac/namespaced/crd_reader.yaml")["rules"]
    role = deploy("rbac/namespaced/role.yaml")["rules"]
    assert namespaced["rules"] == [rule for rule in role if rule["resources"] != ["kopfpeerings"]]
    assert not any("*" in rule["verbs"] + rule["resources"] + rule["apiGroups"] for rule in cluster["rules"] + namespaced["rules"])


@pytest.mark.parametrize("kubernetes_version", KUBERNETES_VERSIONS)
def test_the_install_strategy_is_valid_for_kubernetes(kubernetes_version: str) -> None:
    """The CSV's Deployment and rules as the objects OLM makes of them, and the bundle's other built-in objects."""
    deployment = csv_deployment()
    install = CSV["spec"]["install"]["spec"]
    objects = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": deployment["name"], "labels": deployment["label"]}, "spec": deployment["spec"]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cluster"},
         "rules": install["clusterPermissions"][0]["rules"]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "namespaced"},
         "rules": install["permissions"][0]["rules"]},
        *(load(path) for path in MANIFEST_FILES if load(path)["kind"] in ("Service", "ConfigMap")),
    ]
    for obj in objects:
        validate_manifest(obj, kubernetes_version)


# ------------------------------------------------------------------ alm-examples
def test_alm_examples_one_per_owned_kind() -> None:
    assert sorted(example["kind"] for example in EXAMPLES) == sorted(OWNED)
    for example in EXAMPLES:
        assert example["apiVersion"] == f"{GROUP_OF[example['kind']]}/{OWNED[example['kind']]['version']}"
        assert example["metadata"]["name"] and "namespace" not in example["metadata"]


GROUP_OF = {kind: crd["spec"]["group"] for kind, crd in CRDS.items()}


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=[example["kind"] for example in EXAMPLES])
def test_alm_example_is_admitted_by_its_crd(index: int) -> None:
    example = EXAMPLES[index]
    schema = root_schema(CRDS[example["kind"]])
    stored, causes = admit(example, schema)
    assert not causes, [cause.message for cause in causes]
    assert {k: v for k, v in stored.items() if k != "spec"} == {k: v for k, v in example.items() if k != "spec"}
    pruned = admit({**example, "spec": {**example["spec"], "notAField": 1}}, schema)[0]
    assert "notAField" not in pruned["spec"], "the check would see a pruned field"
    assert contains(stored, example), "a field of the example would be pruned"
    assert cel_violations(example["spec"], schema["properties"]["spec"]) == []


def test_alm_examples_are_palenaai_manifests_where_palenaai_has_the_kind() -> None:
    first: dict[str, dict[str, Any]] = {}
    for manifest in MANIFESTS:
        first.setdefault(manifest["kind"], manifest)
    assert len(first) >= 6
    for example in EXAMPLES:
        if example["kind"] in first:
            palenaai = first[example["kind"]]
            assert palenaai["apiVersion"] == PALENAAI_API_VERSION
            assert example == {**palenaai, "apiVersion": example["apiVersion"]}, example["kind"]
