"""playbooks/install_operator.yml against the Kubernetes API emulator, in one ansible-playbook run.

The run is the playbook's own play, once per step with the step's variables (as ``-e`` would give them) and, for
the check steps, ``check_mode``; after each step a probe reads the cluster's revision. The emulator's change log
then says exactly what each step wrote: nothing for the check steps and the repeated steps, the kustomizations'
objects (placed as kustomize would place them) for the others.

The emulator is this module's own, not the session's ``kube_api``: removing the operator with its CRDs would
delete every custom resource the other tests of the session work with.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lib.kubeapi.fixtures import kubeconfig
from tests.lib.kubeapi.server import ServerThread
from tests.lib.kubeapi.store import Change
from tests.lib.kubeapi.validate import KUBERNETES_VERSIONS, validate_manifest
from tests.lib.playbook import REPO, PlaybookResult, run_playbook

pytestmark = pytest.mark.slow(70)  # measured in CI; make test starts it early (tests/conftest.py)

PLAYBOOK = REPO / "playbooks" / "install_operator.yml"
DEPLOY = REPO / "deploy"
NAMESPACE = "llmops-it"
IMAGE = "registry.example.com/llmops/litellm-operator:it"
# Namespaces that exist (check mode can only dry-run what is in an existing namespace).
WATCHED = "default,kube-public"
OPERATOR = "llmops-litellm-operator"
CRDS = {path.name for path in (REPO / "crds").glob("litellm.llmops.dev_*.yaml")}

# (step, variables, check mode). The namespaced variant runs in check mode (step 1, where its Roles are dry-run
# into the watched namespaces) and in the removal, which also deletes the cluster-wide variant's ClusterRole.
# Five steps: each costs ~10 s of CPU (a check step against installed objects would be one more).
WATCHING = {"llmops_operator_watch_namespace": WATCHED, "llmops_operator_image": IMAGE}
REMOVE = {"llmops_operator_watch_namespace": WATCHED, "llmops_operator_state": "absent"}
STEPS: list[tuple[str, dict[str, Any], bool]] = [
    ("check install, watching two namespaces", WATCHING, True),
    ("install", {}, False),
    ("install again", {}, False),
    ("remove", REMOVE, False),
    ("remove again, with the CRDs", {**REMOVE, "llmops_operator_remove_crds": True}, False),
]


def plays(url: str) -> list[dict[str, Any]]:
    """The playbook's play once per step, each followed by a probe of the cluster's revision."""
    [play] = yaml.safe_load(PLAYBOOK.read_text())
    probe = {"name": "probe", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "revision", "ansible.builtin.debug": {"msg": f"{{{{ lookup('ansible.builtin.url', '{url}/api/v1/namespaces', split_lines=false) }}}}"}}]}
    result = [copy.deepcopy(probe)]
    for step, variables, check in STEPS:
        copied = copy.deepcopy(play)
        copied["name"] = step
        copied["vars"].update(variables, llmops_operator_namespace=NAMESPACE, llmops_operator_deploy_dir=str(DEPLOY))
        if check:
            copied["check_mode"] = True
        result += [copied, copy.deepcopy(probe)]
    return result


class Run:
    """The batched run and the emulator's change log, cut into the steps."""

    def __init__(self, result: PlaybookResult, changes: list[Change], objects: dict[Any, Any]) -> None:
        self.result, self.objects = result, objects
        assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
        tasks = [task for play in result.plays for task in play["tasks"]]
        revisions = [int(json.loads(task["hosts"]["localhost"]["msg"])["metadata"]["resourceVersion"])
                     for task in tasks if task["task"]["name"] == "revision"]
        assert len(revisions) == len(STEPS) + 1
        self.changes = {step: [c for c in changes if before < c.revision <= after]
                        for (step, *_unused), before, after in zip(STEPS, revisions[:-1], revisions[1:], strict=True)}
        self.changed = {play["play"]["name"]: any(task["hosts"]["localhost"].get("changed") for task in play["tasks"])
                        for play in result.plays}

    def written(self, step: str) -> set[tuple[str, str, str, str]]:
        """(change type, kind, namespace, name) of every write of ``step``."""
        return {(c.type, c.obj["kind"], c.key[2], c.key[3]) for c in self.changes[step]}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with ServerThread() as server:
        assert server.handler is not None
        config = tmp_path_factory.mktemp("install") / "kubeconfig"
        config.write_text(yaml.safe_dump(kubeconfig(server.url)))
        result = run_playbook(plays(server.url), env={"K8S_AUTH_KUBECONFIG": str(config), "KUBECONFIG": str(config)})
        yield Run(result, list(server.handler.store.changes), copy.deepcopy(server.handler.store.objects))


@functools.cache
def kustomized(variant: str) -> list[dict[str, Any]]:
    """What kustomize would build from deploy/<variant> for the namespace NAMESPACE (resources, namespace,
    images and JSON6902 patches: the features the kustomizations use)."""
    root = DEPLOY / variant
    kustomization = yaml.safe_load((root / "kustomization.yaml").read_text())
    assert set(kustomization) <= {"apiVersion", "kind", "namespace", "resources", "images", "patches"}, kustomization.keys()
    objects = []
    for entry in kustomization["resources"]:
        sub = yaml.safe_load((root / entry / "kustomization.yaml").read_text())
        assert set(sub) == {"apiVersion", "kind", "resources"}, f"{entry}: only plain resource lists are supported"
        for name in sub["resources"]:
            assert "/" not in name, f"{entry}/{name}: a kustomization may only list files below it"
            objects += [doc for doc in yaml.safe_load_all((root / entry / name).read_text()) if doc]
    cluster = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ClusterKopfPeering"}
    for obj in objects:
        if obj["kind"] not in cluster:
            obj["metadata"]["namespace"] = NAMESPACE
        if obj["kind"] == "Namespace":
            obj["metadata"]["name"] = NAMESPACE
        for subject in obj.get("subjects", []):
            subject["namespace"] = NAMESPACE
        if obj["kind"] == "Deployment":
            container = obj["spec"]["template"]["spec"]["containers"][0]
            [rule] = kustomization["images"]
            assert container["image"].rsplit(":", 1)[0] == rule["name"]
            container["image"] = f"{rule['name']}:{rule['newTag']}"
            for patch in kustomization.get("patches", []):
                assert patch["target"] == {"kind": "Deployment", "name": obj["metadata"]["name"]}
                for operation in yaml.safe_load(patch["patch"]):
                    replace(obj, operation)
    return objects


def replace(obj: dict[str, Any], operation: dict[str, Any]) -> None:
    """Apply one JSON patch (RFC 6902) ``replace`` operation, the only kind the kustomizations use."""
    assert operation["op"] == "replace", operation
    *parents, last = [int(part) if part.isdigit() else part for part in operation["path"].lstrip("/").split("/")]
    target: Any = obj
    for part in parents:
        target = target[part]
    assert isinstance(target, list) and last < len(target) or isinstance(target, dict) and last in target, operation["path"]
    target[last] = operation["value"]


def test_every_deploy_file_is_in_a_kustomization() -> None:
    listed = {DEPLOY / "kustomization.yaml", DEPLOY / "namespaced" / "kustomization.yaml"}
    for variant in ("", "namespaced"):
        for entry in yaml.safe_load((DEPLOY / variant / "kustomization.yaml").read_text())["resources"]:
            directory = (DEPLOY / variant / entry).resolve()
            listed.add(directory / "kustomization.yaml")
            listed |= {directory / name for name in yaml.safe_load((directory / "kustomization.yaml").read_text())["resources"]}
    # deploy/monitoring/ is opt-in (Prometheus Operator CRDs): its kustomization lists its own files.
    monitoring = DEPLOY / "monitoring"
    listed |= {monitoring / "kustomization.yaml"} | {
        monitoring / name for name in yaml.safe_load((monitoring / "kustomization.yaml").read_text())["resources"]}
    charts = DEPLOY / "charts"  # the Helm chart (tests/operator/test_helm.py), generated in part from these files
    files = {path.resolve() for path in DEPLOY.rglob("*.yaml") if not path.is_relative_to(charts)} | {
        path.resolve() for path in (REPO / "crds").glob("*.yaml")}
    assert files == {path.resolve() for path in listed}


@pytest.mark.parametrize("kubernetes_version", KUBERNETES_VERSIONS)
def test_deploy_manifests_are_valid_for_kubernetes(kubernetes_version: str) -> None:
    for variant in ("", "namespaced"):
        for obj in kustomized(variant):  # the CRDs of crds/ are validated by test_crds.py; kopf.dev has no schema there
            if not obj["metadata"]["name"].endswith(".litellm.llmops.dev") and not obj["apiVersion"].startswith("kopf.dev/"):
                validate_manifest(obj, kubernetes_version)


def test_the_namespaced_role_has_the_cluster_role_s_rules() -> None:
    [cluster_role] = [o for o in kustomized("") if o["kind"] == "ClusterRole"]
    [role] = [o for o in kustomized("namespaced") if o["kind"] == "Role"]
    cluster_only = {"clusterkopfpeerings", "customresourcedefinitions"}
    assert [r for r in cluster_role["rules"] if not cluster_only & set(r["resources"])] == \
        [r for r in role["rules"] if r["resources"] != ["kopfpeerings"]]
    verbs = {(group, resource): set(rule["verbs"]) for rule in cluster_role["rules"] for group in rule["apiGroups"] for resource in rule["resources"]}
    assert verbs[("", "secrets")] == {"get", "list", "watch", "create", "patch", "delete"}
    assert verbs[("", "events")] == {"create", "patch"}
    assert verbs[("litellm.llmops.dev", "litellmvirtualkeys/finalizers")] == {"update"}
    assert not any("*" in rule["verbs"] or "*" in rule["resources"] or "*" in rule["apiGroups"] for rule in cluster_role["rules"])


def test_the_deployment_runs_non_root_read_only_with_a_liveness_probe() -> None:
    [deployment] = [o for o in kustomized("") if o["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    assert container["command"] == ["python", "-m", "llmops_operator"]
    assert "--liveness=http://0.0.0.0:8080/healthz" in container["args"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "healthz"}
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"] and {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}} in pod["volumes"]
    assert container["env"][0] == {"name": "WATCH_NAMESPACE", "value": ""}
    assert container["resources"]["limits"] and container["resources"]["requests"]
    [namespaced] = [o for o in kustomized("namespaced") if o["kind"] == "Deployment"]
    assert namespaced["spec"]["template"]["spec"]["containers"][0]["env"][0] == {
        "name": "WATCH_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}


def test_check_steps_write_nothing(run: Run) -> None:
    for step, _play, check in STEPS:
        if check:
            assert run.changed[step] is True, step
            assert run.changes[step] == [], f"{step} wrote {run.written(step)}"


def test_repeated_steps_change_nothing(run: Run) -> None:
    assert run.changed["install again"] is False
    assert run.changes["install again"] == [], f"install again wrote {run.written('install again')}"
    assert {(c.type, c.obj["kind"]) for c in run.changes["remove again, with the CRDs"]} == {("DELETED", "CustomResourceDefinition")}


def test_install_applies_what_kustomize_builds(run: Run) -> None:
    assert run.changed["install"] is True
    expected = kustomized("")
    assert run.written("install") == {("ADDED", o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in expected}
    crds = [c for c in run.changes["install"] if c.obj["kind"] == "CustomResourceDefinition"]
    first_other = min(c.revision for c in run.changes["install"] if c.obj["kind"] not in ("CustomResourceDefinition", "Namespace"))
    assert len(crds) == len(CRDS) + 2 and max(c.revision for c in crds) < first_other, "the CRDs come first"
    stored = {(c.obj["kind"], c.obj["metadata"]["name"]): c.obj for c in run.changes["install"]}
    for obj in expected:
        assert subset(obj, stored[(obj["kind"], obj["metadata"]["name"])]), obj["kind"]


def subset(expected: Any, live: Any) -> bool:
    """Whether ``live`` has everything of ``expected`` (the server adds status, uid, annotations, ...)."""
    if isinstance(expected, dict):
        return isinstance(live, dict) and all(key in live and subset(value, live[key]) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(live, list) and len(live) == len(expected) and all(map(subset, expected, live))
    return bool(expected == live)


def test_check_mode_places_the_namespaced_variant(run: Run) -> None:
    """Check mode on a new cluster dry-runs what it can: the Roles in the watched namespaces (which exist); what is
    in the new operator namespace or of a new CRD is left out (and would be made)."""
    tasks = {task["task"]["name"]: task["hosts"]["localhost"] for play in run.result.plays if play["play"]["name"] == STEPS[0][0]
             for task in play["tasks"]}
    applied = [item["result"] for item in tasks["Apply the RBAC, the peering objects, the ServiceAccount and the Deployment"]["result"]["results"]]
    placed = {(obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]) for obj in applied}
    assert placed == {("Role", namespace, OPERATOR) for namespace in WATCHED.split(",")} | {
        ("RoleBinding", namespace, OPERATOR) for namespace in WATCHED.split(",")} | {
        ("ClusterRole", "", f"{OPERATOR}-crd-reader"), ("ClusterRoleBinding", "", f"{OPERATOR}-crd-reader")}
    for obj in applied:
        for subject in obj.get("subjects", []):
            assert subject == {"kind": "ServiceAccount", "name": OPERATOR, "namespace": NAMESPACE}
    namespaces = tasks["Make the namespaces (the operator's and the watched ones)"]["result"]["results"]
    assert {(item["method"], item["result"]["metadata"]["name"]) for item in namespaces} == {
        ("create", NAMESPACE), ("update", "default"), ("update", "kube-public")}
    assert not any(item["changed"] for item in namespaces if item["method"] == "update"), "an existing namespace is left alone"


def test_remove_deletes_all_but_the_namespaces_and_crds_until_asked(run: Run) -> None:
    assert run.changed["remove"] is True
    assert run.written("remove") == {("DELETED", o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])
                                     for o in kustomized("") if o["kind"] not in ("Namespace", "CustomResourceDefinition")}
    assert run.changed["remove again, with the CRDs"] is True
    deleted = {c.key[3] for c in run.changes["remove again, with the CRDs"]}
    assert deleted == {name.split("_", 1)[1].removesuffix(".yaml") + ".litellm.llmops.dev" for name in CRDS} | {
        "clusterkopfpeerings.kopf.dev", "kopfpeerings.kopf.dev"}
    kinds = {obj["kind"] for obj in run.objects.values() if obj["kind"] != "Event"}
    assert kinds == {"Namespace"}, kinds
    assert {key[3] for key in run.objects if key[1] == "namespaces"} >= {NAMESPACE, *WATCHED.split(",")}


# ------------------------------------------------------------------ operator/Dockerfile (no Docker here: read it)
DOCKERFILE = REPO / "operator" / "Dockerfile"
# What the operator imports at run time (the shim, ansible-runner, the modules, kubernetes.core), by requirement.
RUNTIME = {"ansible-core", "ansible-runner", "kopf", "kubernetes", "prometheus-client", "PyYAML", "requests"}


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The stages of the Dockerfile as (instruction, arguments) lists, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = [[]]
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        instruction, _space, arguments = line.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def test_dockerfile_is_multi_stage_python_312_slim_non_root() -> None:
    preamble, build, final = dockerfile_stages()
    assert ("ARG", "PYTHON_IMAGE=python:3.12-slim-bookworm") in preamble
    assert build[0] == ("FROM", "${PYTHON_IMAGE} AS build") and final[0] == ("FROM", "${PYTHON_IMAGE}")
    instructions = dict(final)
    user = instructions["USER"].split(":")[0]
    assert user.isdigit() and int(user) != 0
    [deployment] = [o for o in kustomized("") if o["kind"] == "Deployment"]
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(user)
    assert instructions["WORKDIR"] == "/opt/llmops/operator"
    assert json.loads(instructions["ENTRYPOINT"]) == ["python", "-m", "llmops_operator"]
    assert json.loads(instructions["ENTRYPOINT"]) == deployment["spec"]["template"]["spec"]["containers"][0]["command"]
    final_text = " ".join(arguments for _instruction, arguments in final)
    assert not re.search(r"\b(apt-get|apk|pip install|gcc|build-essential|make)\b", final_text), "build tools or installs in the final stage"
    assert {arguments.split()[0] for instruction, arguments in final if instruction == "COPY"} == {"--from=build"}


def test_dockerfile_installs_the_pinned_runtime_requirements() -> None:
    build = dockerfile_stages()[1]
    build_text = " ".join(arguments for _instruction, arguments in build)
    selected = re.search(r"grep -E '\^\(([^)]*)\)==' requirements.txt", build_text)
    assert selected, "the image takes its pins from requirements.txt"
    names = set(selected.group(1).split("|"))
    assert names == RUNTIME
    pins = dict(line.split("==", 1) for line in (REPO / "requirements.txt").read_text().splitlines() if "==" in line and not line.startswith("#"))
    assert names <= pins.keys(), names - pins.keys()
    manifest = Path(importlib.util.find_spec("ansible_collections.kubernetes.core").submodule_search_locations[0]) / "MANIFEST.json"
    shipped = json.loads(manifest.read_text())["collection_info"]["version"]
    assert ("ARG", f"KUBERNETES_CORE_VERSION={shipped}") in build, f"kubernetes.core {shipped} ships with ansible=={pins['ansible']}"
    assert "ansible-galaxy collection build" in build_text and "llmops-litellm-*.tar.gz" in build_text
