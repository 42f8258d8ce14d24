"""The role llmops.litellm.proxy_kubernetes against the test Kubernetes API, through real ansible-playbook runs.

Four runs cover everything: (1) the PalenaAI README's quickstart LiteLLMInstance as role variables, applied,
applied again, then with one field changed, plus a second instance with every option set, then with some
features switched (HPA, Route and dashboard off, Ingress on); (2) ``--check --diff`` of a change and of a new
instance; (3) a ``-vvv`` run that generates keys (with an HTTPRoute); (4) ``state: absent`` of every instance, then
once more of one. Route, HTTPRoute, ServiceMonitor and PrometheusRule are not built in: the module registers
minimal CRDs for them.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import kubernetes
import pytest
from kubernetes.dynamic.exceptions import ResourceNotFoundError

from tests.kubeapi.common import established, wait_until
from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.kubeapi.validate import KUBERNETES_VERSIONS, validate_manifest
from tests.lib.playbook import PlaybookResult, run_playbook

pytestmark = pytest.mark.slow(75)  # measured in CI; make test starts it early (tests/conftest.py)


# PalenaAI README, "Deploy a LiteLLM instance" (spec snake_cased, metadata.name as proxy_kubernetes_name).
QUICKSTART: dict[str, Any] = {
    "proxy_kubernetes_name": "my-gateway",
    "proxy_kubernetes_replicas": 2,
    "proxy_kubernetes_master_key": {"auto_generate": True},
    "proxy_kubernetes_database": {"external": {"connection_secret_ref": {"name": "litellm-db-credentials", "key": "DATABASE_URL"}}},
    "proxy_kubernetes_service": {"type": "ClusterIP", "port": 4000},
}
# Every option of the role set, with the configuration rendered by proxy_config from its own variables.
FULL: dict[str, Any] = {
    "proxy_kubernetes_name": "full",
    "proxy_kubernetes_non_root": True,
    "proxy_kubernetes_image": {"tag": "v1.106.2", "pull_policy": "Always"},
    "proxy_kubernetes_image_pull_secrets": ["ghcr"],
    "proxy_kubernetes_master_key": {"secret_ref": {"name": "existing-master", "key": "key"}},
    "proxy_kubernetes_redis": {"host": "redis.cache.svc", "port": 6380, "password_secret_ref": {"name": "redis", "key": "password"}},
    "proxy_kubernetes_service": {"type": "NodePort", "port": 8080, "node_port": 30400, "annotations": {"team": "ai"}},
    "proxy_kubernetes_resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
    "proxy_kubernetes_probes": {"readiness": {"period_seconds": 5}, "startup": {"failure_threshold": 60}},
    "proxy_kubernetes_topology_spread": {"enabled": True, "topology_key": "kubernetes.io/hostname"},
    "proxy_kubernetes_node_selector": {"kubernetes.io/os": "linux"},
    "proxy_kubernetes_tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
    "proxy_kubernetes_env_secrets": {"OPENAI_API_KEY": {"name": "openai", "key": "api-key"}},
    "proxy_kubernetes_env": {"LITELLM_LOG": "INFO"},
    "proxy_kubernetes_labels": {"team": "ai"},
    "proxy_kubernetes_annotations": {"owner": "platform"},
    "proxy_kubernetes_hpa": {"enabled": True, "min_replicas": 2, "max_replicas": 6, "target_memory_utilization": 75},
    "proxy_kubernetes_pdb": {"enabled": True, "min_available": 1},
    "proxy_kubernetes_network_policy": {"enabled": True, "ingress_from": [{"namespaceSelector": {"matchLabels": {"ingress": "yes"}}}]},
    "proxy_kubernetes_route": {"enabled": True, "host": "litellm.apps.example.com", "tls_termination": "reencrypt",
                               "destination_ca_certificate": "-----BEGIN CERTIFICATE-----"},
    "proxy_kubernetes_observability": {
        "service_monitor": {"enabled": True, "interval": "15s"},
        "prometheus_rule": {"enabled": True, "disabled_alerts": ["LiteLLMHighCPUUsage"]},
        "grafana_dashboard": {"enabled": True, "folder": "AI"},
    },
    "proxy_config_models": [
        {"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o"}, "api_key_env": "OPENAI_API_KEY"},
        {"model_name": "haiku", "litellm_params": {"model": "anthropic/claude-3-haiku-20240307"}, "api_key_env": "ANTHROPIC_API_KEY"},
    ],
}
# The same instance with the HPA, the Route and the dashboard disabled, an Ingress instead of the Route, and a
# CloudNativePG database with backups.
SWITCHED: dict[str, Any] = FULL | {
    "proxy_kubernetes_hpa": {"enabled": False},
    "proxy_kubernetes_route": {"enabled": False},
    "proxy_kubernetes_observability": FULL["proxy_kubernetes_observability"] | {"grafana_dashboard": {"enabled": False}},
    "proxy_kubernetes_database": {"cloudnativepg": {"instances": 2, "storage_class": "fast", "backup": {
        "enabled": True, "schedule": "0 2 * * *", "retention": 14, "method": "snapshot", "volume_snapshot_class": "csi"}}},
    "proxy_kubernetes_ingress": {"enabled": True, "host": "litellm.example.com", "class_name": "nginx", "tls_secret_name": "litellm-tls"},
}
HTTP_ROUTE = {"enabled": True, "host": "litellm.example.com", "parent_refs": [{"name": "gw", "namespace": "istio-system", "section_name": "https"}]}
KINDS = [
    ("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "ServiceAccount"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"), ("policy/v1", "PodDisruptionBudget"), ("networking.k8s.io/v1", "NetworkPolicy"),
    ("networking.k8s.io/v1", "Ingress"), ("route.openshift.io/v1", "Route"), ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"), ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("postgresql.cnpg.io/v1", "Cluster"), ("postgresql.cnpg.io/v1", "ScheduledBackup"),
]
BUILT_IN = {api_version_kind[0] for api_version_kind in KINDS[:-6]}


def crd(group: str, version: str, kind: str, plural: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": f"{plural}.{group}"},
        "spec": {"group": group, "scope": "Namespaced", "names": {"plural": plural, "singular": kind.lower(), "kind": kind},
                 "versions": [{"name": version, "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}]},
    }


CRDS = [
    crd("route.openshift.io", "v1", "Route", "routes"), crd("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"),
    crd("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors"), crd("monitoring.coreos.com", "v1", "PrometheusRule", "prometheusrules"),
    crd("postgresql.cnpg.io", "v1", "Cluster", "clusters"), crd("postgresql.cnpg.io", "v1", "ScheduledBackup", "scheduledbackups"),
]


def play(namespace: str, variables: dict[str, Any], name: str = "role") -> dict[str, Any]:
    role_vars = {"proxy_kubernetes_namespace": namespace} | variables
    return {"name": name, "hosts": "localhost", "gather_facts": False,
            "tasks": [{"name": "role", "ansible.builtin.include_role": {"name": "llmops.litellm.proxy_kubernetes"}, "vars": role_vars}]}


def run(kube_api: KubeCluster, plays: list[dict[str, Any]], **kwargs: Any) -> PlaybookResult:
    result = run_playbook(plays, env=kube_api.env, **kwargs)
    assert result.rc == 0, f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return result


def task(result: PlaybookResult, play_name: str, task_name: str) -> dict[str, Any]:
    """The result of a role task in one play (the json callback lists plays in order)."""
    (found,) = [p for p in result.plays if p["play"]["name"] == play_name]
    matches = [t["hosts"]["localhost"] for t in found["tasks"] if t["task"]["name"].endswith(f" : {task_name}")]
    assert matches, f"{task_name!r} did not run in {play_name!r}"
    return matches[-1]


def applied(result: PlaybookResult, play_name: str) -> dict[str, bool]:
    """{Kind/name: changed} of the role's apply task in one play."""
    return {name: r["changed"] for name, r in apply_results(result, play_name).items()}


def apply_results(result: PlaybookResult, play_name: str) -> dict[str, dict[str, Any]]:
    """{Kind/name: result} of the objects of the role's apply task in one play (one module run for all)."""
    return {f"{r['result']['kind']}/{r['result']['metadata']['name']}": r for r in task(result, play_name, "Apply the manifests")["result"]["results"]}


def live(kube_api: KubeCluster, namespace: str, instance: str) -> dict[str, dict[str, Any]]:
    """Every object of ``instance`` the role labelled, as {Kind/name: object}."""
    selector = f"app.kubernetes.io/managed-by=llmops.litellm,app.kubernetes.io/instance={instance}"
    found = {}
    with kube_api.client() as api:
        dyn = kubernetes.dynamic.DynamicClient(api)
        for api_version, kind in KINDS:
            for obj in dyn.resources.get(api_version=api_version, kind=kind).get(namespace=namespace, label_selector=selector).items:
                found[f"{kind}/{obj.metadata.name}"] = obj.to_dict()
    return found


def served(dyn: kubernetes.dynamic.DynamicClient, api_version: str, kind: str) -> bool:
    try:
        return bool(dyn.resources.get(api_version=api_version, kind=kind))
    except ResourceNotFoundError:
        dyn.resources.invalidate_cache()
        return False


@pytest.fixture(scope="module")
def namespace(kube_api: KubeCluster) -> Iterator[str]:
    """A namespace for the module, with the CRDs of OpenShift's Route and the Gateway API's HTTPRoute registered."""
    name = f"proxy-kubernetes-{uuid.uuid4().hex[:6]}"
    with kube_api.client() as api:
        dyn = kubernetes.dynamic.DynamicClient(api)
        crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
        for definition in CRDS:
            crds.create(definition)
        for definition in CRDS:
            crd_name = definition["metadata"]["name"]
            wait_until(lambda name=crd_name: established(crds.get(name=name).to_dict()), what=f"{crd_name} is established")
            api_version = f"{definition['spec']['group']}/{definition['spec']['versions'][0]['name']}"
            kind = definition["spec"]["names"]["kind"]
            wait_until(lambda api_version=api_version, kind=kind: served(dyn, api_version, kind), what=f"{kind} is discovered")
        core = kubernetes.client.CoreV1Api(api)
        core.create_namespace({"metadata": {"name": name}})
        yield name
        core.delete_namespace(name)
        for definition in CRDS:
            crds.delete(name=definition["metadata"]["name"])


@pytest.fixture(scope="module")
def deployed(kube_api: KubeCluster, namespace: str) -> PlaybookResult:
    """Run 1: quickstart, quickstart again, quickstart with replicas 3, and the instance with every option."""
    return run(kube_api, [
        play(namespace, QUICKSTART, "first"),
        play(namespace, QUICKSTART, "again"),
        play(namespace, QUICKSTART | {"proxy_kubernetes_replicas": 3}, "replicas"),
        play(namespace, FULL, "full"),
        play(namespace, SWITCHED, "switched"),
    ])


QUICKSTART_OBJECTS = ["ServiceAccount/my-gateway", "ConfigMap/my-gateway-config", "Deployment/my-gateway", "Service/my-gateway"]


def test_quickstart_applies_and_a_second_run_changes_nothing(kube_api: KubeCluster, namespace: str, deployed: PlaybookResult) -> None:
    assert applied(deployed, "first") == dict.fromkeys(QUICKSTART_OBJECTS, True)
    assert task(deployed, "first", "Create the generated keys")["changed"]
    assert applied(deployed, "again") == dict.fromkeys(QUICKSTART_OBJECTS, False)
    assert not task(deployed, "again", "Create the generated keys")["changed"]
    assert not any(t["hosts"]["localhost"].get("changed") for p in deployed.plays if p["play"]["name"] == "again" for t in p["tasks"])
    objects = live(kube_api, namespace, "my-gateway")
    assert sorted(objects) == sorted([*QUICKSTART_OBJECTS, "Secret/my-gateway-master-key", "Secret/my-gateway-salt-key"])
    deployment = objects["Deployment/my-gateway"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/berriai/litellm-database:v1.106.2"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/liveliness"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
    env = {e["name"]: e for e in container["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "litellm-db-credentials", "key": "DATABASE_URL"}
    assert env["LITELLM_MASTER_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "my-gateway-master-key", "key": "master-key"}
    assert env["LITELLM_SALT_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "my-gateway-salt-key", "key": "salt-key"}
    assert set(deployment["spec"]["template"]["metadata"]["annotations"]) == {"litellm.llmops.dev/config-checksum", "litellm.llmops.dev/secrets-checksum"}
    assert objects["Service/my-gateway"]["spec"]["ports"][0]["port"] == 4000


def test_changing_replicas_changes_only_the_deployment(kube_api: KubeCluster, namespace: str, deployed: PlaybookResult) -> None:
    assert applied(deployed, "replicas") == dict.fromkeys(QUICKSTART_OBJECTS, False) | {"Deployment/my-gateway": True}
    assert live(kube_api, namespace, "my-gateway")["Deployment/my-gateway"]["spec"]["replicas"] == 3


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_rendered_manifests_are_valid_kubernetes(deployed: PlaybookResult, version: str) -> None:
    for play_name in ("first", "full", "switched"):
        for obj in task(deployed, play_name, "Render the manifests")["ansible_facts"]["proxy_kubernetes_objects"]:
            if obj["apiVersion"] in BUILT_IN:
                validate_manifest(obj, version)


FULL_OBJECTS = ["ServiceAccount/full", "ConfigMap/full-config", "Deployment/full", "Service/full", "HorizontalPodAutoscaler/full",
                "PodDisruptionBudget/full", "NetworkPolicy/full"]
MONITORING = ["ServiceMonitor/full", "PrometheusRule/full"]


def test_every_option_reaches_the_objects(kube_api: KubeCluster, namespace: str, deployed: PlaybookResult) -> None:
    assert applied(deployed, "full") == dict.fromkeys([*FULL_OBJECTS, "Route/full", *MONITORING, "ConfigMap/full-grafana-dashboard"], True)
    secrets = [name for name in live(kube_api, namespace, "full") if name.startswith("Secret/")]
    assert secrets == ["Secret/full-salt-key"]
    objects = {name: r["result"] for name, r in apply_results(deployed, "full").items()}
    pod = objects["Deployment/full"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "ghcr.io/berriai/litellm-non_root:v1.106.2"
    assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == 65534
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "kubernetes.io/hostname"
    assert pod["imagePullSecrets"] == [{"name": "ghcr"}]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env["OPENAI_API_KEY"] == {"secretKeyRef": {"name": "openai", "key": "api-key"}}
    assert env["ANTHROPIC_API_KEY"] == {"secretKeyRef": {"name": "full-env", "key": "ANTHROPIC_API_KEY"}}
    assert env["LITELLM_MASTER_KEY"] == {"secretKeyRef": {"name": "existing-master", "key": "key"}}
    assert env["REDIS_PASSWORD"] == {"secretKeyRef": {"name": "redis", "key": "password"}}
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["LITELLM_LOG"]) == ("redis.cache.svc", "6380", "INFO")
    assert "DATABASE_URL" not in env
    assert container["readinessProbe"]["periodSeconds"] == 5 and container["startupProbe"]["failureThreshold"] == 60
    assert container["resources"] == FULL["proxy_kubernetes_resources"]
    config = objects["ConfigMap/full-config"]["data"]["proxy_server_config.yaml"]
    assert "os.environ/ANTHROPIC_API_KEY" in config and "gpt-4o" in config
    service = objects["Service/full"]
    assert service["spec"]["ports"][0]["nodePort"] == 30400
    assert service["metadata"]["annotations"].items() >= {"owner": "platform", "team": "ai"}.items()
    assert service["metadata"]["labels"]["team"] == "ai"
    assert "replicas" not in objects["Deployment/full"]["spec"]  # the HPA owns it
    hpa = objects["HorizontalPodAutoscaler/full"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 6)
    assert [(m["resource"]["name"], m["resource"]["target"]["averageUtilization"]) for m in hpa["metrics"]] == [("cpu", 80), ("memory", 75)]
    assert objects["PodDisruptionBudget/full"]["spec"]["minAvailable"] == 1
    policy = objects["NetworkPolicy/full"]["spec"]
    assert policy["ingress"] == [{"ports": [{"port": 4000, "protocol": "TCP"}], "from": FULL["proxy_kubernetes_network_policy"]["ingress_from"]}]
    route = objects["Route/full"]["spec"]
    assert route["host"] == "litellm.apps.example.com" and route["to"]["name"] == "full"
    assert route["tls"] == {"termination": "reencrypt", "insecureEdgeTerminationPolicy": "Redirect", "destinationCACertificate": "-----BEGIN CERTIFICATE-----"}

    assert objects["ServiceMonitor/full"]["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "15s"}]
    rules = objects["PrometheusRule/full"]["spec"]["groups"][0]["rules"]
    assert [r["alert"] for r in rules] == ["LiteLLMInstanceDown", "LiteLLMInstanceDegraded", "LiteLLMPodRestarting", "LiteLLMPodNotReady",
                                           "LiteLLMHighMemoryUsage"]
    assert rules[0]["labels"] == {"severity": "critical"} and all(r["annotations"]["runbook"].count("kubectl") for r in rules)
    assert 'deployment="full"' in rules[0]["expr"] and f'namespace="{namespace}"' in rules[0]["expr"]
    dashboard = objects["ConfigMap/full-grafana-dashboard"]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1" and dashboard["metadata"]["annotations"]["grafana_folder"] == "AI"
    assert json.loads(dashboard["data"]["litellm-full.json"])["title"] == "LiteLLM proxy"


def test_disabling_a_feature_deletes_its_object(kube_api: KubeCluster, namespace: str, deployed: PlaybookResult) -> None:
    assert applied(deployed, "switched") == dict.fromkeys([*FULL_OBJECTS[:-3], *MONITORING], False) | {
        "Deployment/full": True, "PodDisruptionBudget/full": False, "NetworkPolicy/full": False, "Ingress/full": True,
        "Cluster/full-db": True, "ScheduledBackup/full-backup": True}
    deleted = sorted(r["item"]["kind"] for r in task(deployed, "switched", "Delete what was disabled")["results"] if r["changed"])
    assert deleted == ["ConfigMap", "HorizontalPodAutoscaler", "Route"]
    objects = live(kube_api, namespace, "full")
    assert sorted(objects) == sorted([*FULL_OBJECTS[:-3], "PodDisruptionBudget/full", "NetworkPolicy/full", "Ingress/full", *MONITORING,
                                      "Secret/full-salt-key", "Cluster/full-db", "ScheduledBackup/full-backup"])
    assert objects["Deployment/full"]["spec"]["replicas"] == 1
    annotation = objects["Deployment/full"]["metadata"]["annotations"]["litellm.llmops.dev/optional-kinds"]
    assert annotation == "PodDisruptionBudget,NetworkPolicy,Ingress,ServiceMonitor,PrometheusRule,Cluster,ScheduledBackup"
    env = {e["name"]: e for e in objects["Deployment/full"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "full-db-app", "key": "uri"}
    cluster = objects["Cluster/full-db"]["spec"]
    assert (cluster["instances"], cluster["storage"], cluster["backup"]) == (
        2, {"size": "10Gi", "storageClass": "fast"}, {"retentionPolicy": "14d", "volumeSnapshot": {"className": "csi"}})
    assert objects["ScheduledBackup/full-backup"]["spec"] == {
        "schedule": "0 0 2 * * *", "backupOwnerReference": "self", "cluster": {"name": "full-db"}, "method": "volumeSnapshot"}
    rule = objects["Ingress/full"]["spec"]
    assert rule["ingressClassName"] == "nginx" and rule["tls"] == [{"hosts": ["litellm.example.com"], "secretName": "litellm-tls"}]
    assert rule["rules"][0]["http"]["paths"][0]["backend"] == {"service": {"name": "full", "port": {"name": "http"}}}


def test_check_diff_persists_nothing(kube_api: KubeCluster, namespace: str, deployed: PlaybookResult) -> None:
    before = {**live(kube_api, namespace, "my-gateway"), **live(kube_api, namespace, "check")}
    result = run(kube_api, [
        play(namespace, QUICKSTART | {"proxy_kubernetes_replicas": 5}, "change"),
        play(namespace, QUICKSTART | {"proxy_kubernetes_name": "check"}, "new"),
    ], check=True, diff=True)
    assert applied(result, "change") == dict.fromkeys(QUICKSTART_OBJECTS, False) | {"Deployment/my-gateway": True}
    diff = apply_results(result, "change")["Deployment/my-gateway"]["diff"]
    assert (diff["before"]["spec"]["replicas"], diff["after"]["spec"]["replicas"]) == (3, 5)
    assert all(applied(result, "new").values())
    assert task(result, "new", "Create the generated keys")["changed"]
    after = {**live(kube_api, namespace, "my-gateway"), **live(kube_api, namespace, "check")}
    assert after == before


def test_keys_never_appear_in_output(kube_api: KubeCluster, namespace: str, deployed: PlaybookResult) -> None:
    verbose = QUICKSTART | {"proxy_kubernetes_name": "verbose", "proxy_kubernetes_gateway_http_route": HTTP_ROUTE}
    result = run(kube_api, [play(namespace, verbose, "verbose")], verbosity=3, json_output=False)
    secrets = live(kube_api, namespace, "verbose")
    assert secrets["HTTPRoute/verbose"]["spec"] == {
        "parentRefs": [{"name": "gw", "namespace": "istio-system", "sectionName": "https"}], "hostnames": ["litellm.example.com"],
        "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": [{"name": "verbose", "port": 4000}]}]}
    values = [base64.b64decode(secrets[f"Secret/verbose-{what}-key"]["data"][f"{what}-key"]).decode() for what in ("master", "salt")]
    assert values[0].startswith("sk-") and len(values[0]) == 51 and len(values[1]) == 48
    for value in values:
        assert value not in result.stdout and value not in result.stderr
        assert base64.b64encode(value.encode()).decode() not in result.stdout


def test_absent_removes_everything(kube_api: KubeCluster, namespace: str, deployed: PlaybookResult) -> None:
    instances = ["my-gateway", "full", "verbose"]
    absent = [play(namespace, {"proxy_kubernetes_name": name, "proxy_kubernetes_state": "absent"}, name) for name in instances]
    remove_data = {"proxy_kubernetes_name": "full", "proxy_kubernetes_state": "absent", "proxy_kubernetes_remove_data": True,
                   "proxy_kubernetes_database": {"cloudnativepg": {}}}
    result = run(kube_api, [*absent, copy.deepcopy(absent[0]), play(namespace, remove_data, "remove data")])
    assert {name: list(live(kube_api, namespace, name)) for name in instances} == {name: [] for name in instances}
    # the database outlived the first state=absent of its instance, and went with proxy_kubernetes_remove_data
    assert [r["item"]["kind"] for r in task(result, "remove data", "Delete the optional objects")["results"] if r["changed"]] == ["Cluster"]
    deleted = [r["item"]["kind"] for p in result.plays[:3] for t in p["tasks"] for r in t["hosts"]["localhost"].get("results", []) if r.get("changed")]
    # every kind of every instance (one item deletes all Secrets of an instance), the migration Job of each (all
    # three had a database), and the optional objects
    optional = ["PodDisruptionBudget", "NetworkPolicy", "Ingress", "ServiceMonitor", "PrometheusRule", "ScheduledBackup", "HTTPRoute"]
    assert sorted(deleted) == sorted(3 * ["Job", *(api_version_kind[1] for api_version_kind in KINDS[:5])] + optional)
    assert not any(t["hosts"]["localhost"].get("changed") for t in result.plays[3]["tasks"])
