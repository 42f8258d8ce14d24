"""An Operator SDK Ansible project (tests/operator/sdk_project, `operator-sdk init --plugins ansible` layout) runs
unchanged on the operator, on the Kubernetes API emulator.

The project: a Memcached kind by role (``role: memcached`` found in ``roles/``) with a finalizer role, calling
operator_sdk.util (k8s_status, osdk_metric, k8s_event, requeue_after: the operator's own implementation, the real
collection not being installed here), and a MemcachedBackup kind by playbook that runs a collection's role
(example.cache.backup) and reads a watches var from the environment (``${BACKUP_LABEL}``).
Proven: objects created with the CR as owner (the runs' API proxy), the spec's changes followed, custom status
kept beside the operator's conditions, requeue_after honoured, the osdk_metric metrics served on /metrics, a
dependent ConfigMap deleted by hand put back (watchDependentResources), the verbosity annotation, ansible-operator's
runner artifacts layout, and on deletion the finalizer role run and the owned objects garbage-collected.
"""

from __future__ import annotations

import re
import socket
import urllib.request
from pathlib import Path

import kubernetes
import yaml
from kubernetes.client.exceptions import ApiException

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import COLLECTIONS
from tests.operator.conftest import Cluster, condition, configmap_data, is_true, start_operator, unique, wait_for

PROJECT = Path(__file__).parent / "sdk_project"
GROUP = ("cache.example.com", "v1alpha1")
API_VERSION = "cache.example.com/v1alpha1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return response.read().decode()


def sample(text: str, name: str) -> float | None:
    found = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(found.group(1)) if found else None


def register_crds(k8s: Cluster) -> None:
    extensions = kubernetes.client.ApiextensionsV1Api(k8s.api)
    for path in sorted((PROJECT / "config" / "crd" / "bases").glob("*.yaml")):
        try:
            extensions.create_custom_resource_definition(yaml.safe_load(path.read_text()))
        except ApiException as exc:
            assert exc.status == 409, exc.body


def deployment(k8s: Cluster, namespace: str, name: str) -> dict | None:
    try:
        return kubernetes.client.AppsV1Api(k8s.api).read_namespaced_deployment(name, namespace).to_dict()
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def owners(k8s: Cluster, obj: str, namespace: str, name: str) -> list[dict]:
    if obj == "deployment":
        meta = (deployment(k8s, namespace, name) or {}).get("metadata") or {}
        return [{"apiVersion": r["api_version"], "kind": r["kind"], "name": r["name"], "uid": r["uid"]} for r in meta.get("owner_references") or []]
    refs = k8s.core.read_namespaced_config_map(name, namespace).metadata.owner_references or []
    return [{"apiVersion": r.api_version, "kind": r.kind, "name": r.name, "uid": r.uid} for r in refs]


def test_an_operator_sdk_project_runs_unchanged(kube_api: KubeCluster, k8s: Cluster, tmp_path: Path) -> None:
    register_crds(k8s)
    namespace = k8s.namespace(unique("sdk-project"))
    metrics_port = free_port()
    with start_operator(kube_api, tmp_path, PROJECT / "watches.yaml", namespaces=(namespace,),
                        args=("--standalone", "--proxy-port", "0"), LLMOPS_OPERATOR_METRICS_PORT=str(metrics_port),
                        LLMOPS_OPERATOR_OSDK_METRICS_PORT="0", BACKUP_LABEL="nightly",
                        ANSIBLE_COLLECTIONS_PATH=f"{PROJECT / 'collections'}:{COLLECTIONS}") as operator:
        k8s.create("Memcached", namespace, "m1", {"size": 2, "messageOfTheDay": "hi", "requeueAfter": "4s"},
                   annotations={"ansible.sdk.operatorframework.io/verbosity": "3"}, group=GROUP[0], version=GROUP[1])
        k8s.create("MemcachedBackup", namespace, "b1", {"schedule": "@daily", "memcachedName": "m1"}, group=GROUP[0], version=GROUP[1])

        def memcached() -> dict | None:
            return k8s.get("Memcached", namespace, "m1", *GROUP)

        body = wait_for(lambda: (b := memcached()) and is_true(b, "Successful") and b, f"Memcached reconciled\n{operator.log[-3000:]}")
        uid = body["metadata"]["uid"]
        owner = {"apiVersion": API_VERSION, "kind": "Memcached", "name": "m1", "uid": uid}
        # objects the role created carry the CR as owner (the proxy added it; the role names none)
        assert owners(k8s, "deployment", namespace, "m1-memcached") == [owner]
        assert owners(k8s, "configmap", namespace, "m1-motd") == [owner]
        assert deployment(k8s, namespace, "m1-memcached")["spec"]["replicas"] == 2
        assert configmap_data(k8s, namespace, "m1-motd") == {"motd": "hi", "size": "2"}  # _<group>_<kind>_spec
        # k8s_status's fields and condition stay beside the operator's conditions
        assert body["status"]["replicas"] == 2 and condition(body, "Deployed")["reason"] == "DeploymentApplied"
        assert body["metadata"]["finalizers"] == ["cache.example.com/finalizer"]
        events = k8s.events(namespace, "m1")
        assert any(e.reason == "Reconciled" and e.message == "Memcached m1 has 2 replica(s)" for e in events)

        # a playbook entry running a collection's role; a watches var from the environment
        backup = wait_for(lambda: (b := k8s.get("MemcachedBackup", namespace, "b1", *GROUP)) and is_true(b, "Successful") and b,
                          f"MemcachedBackup reconciled\n{operator.log[-3000:]}")
        assert backup["status"]["schedule"] == "@daily"
        cm = k8s.core.read_namespaced_config_map("b1-backup", namespace)
        assert cm.data == {"schedule": "@daily", "memcached": "m1"} and cm.metadata.labels == {"backup": "nightly"}
        assert owners(k8s, "configmap", namespace, "b1-backup") == [
            {"apiVersion": API_VERSION, "kind": "MemcachedBackup", "name": "b1", "uid": backup["metadata"]["uid"]}]

        # osdk_metric: the role's metrics on the operator's /metrics; requeue_after (4s) reconciles again unasked
        text = wait_for(lambda: (t := scrape(metrics_port)) and sample(t, "memcached_reconciles_total") and t, "osdk_metric served")
        assert sample(text, "memcached_size") == 2.0
        first = sample(text, "memcached_reconciles_total")
        wait_for(lambda: sample(scrape(metrics_port), "memcached_reconciles_total") >= first + 1, "requeue_after honoured")

        # the spec's change followed (and the requeue put back to an hour)
        k8s.patch("Memcached", namespace, "m1", {"spec": {"size": 3, "requeueAfter": "1h"}}, *GROUP)
        wait_for(lambda: (deployment(k8s, namespace, "m1-memcached") or {}).get("spec", {}).get("replicas") == 3, "size 3 applied")
        wait_for(lambda: (memcached() or {}).get("status", {}).get("replicas") == 3, "status.replicas 3")

        # watchDependentResources: the ConfigMap deleted by hand is put back by a reconcile of its owner
        k8s.core.delete_namespaced_config_map("m1-motd", namespace)
        wait_for(lambda: configmap_data(k8s, namespace, "m1-motd") == {"motd": "hi", "size": "3"},
                 f"dependent ConfigMap recreated\n{operator.log[-3000:]}")
        assert f"Memcached {namespace}/m1: reconciling again (ConfigMap m1-motd deleted)" in operator.log

        # ansible-operator's runner layout, verbosity from the annotation, extravars
        private = operator.runner_dir / "cache.example.com" / "v1alpha1" / "Memcached" / namespace / "m1"
        latest = private / "artifacts" / "latest"
        wait_for(lambda: latest.is_symlink() and (latest / "status").exists(), "artifacts/latest names the last run")
        assert "-vvv" in (latest / "command").read_text()
        extravars = yaml.safe_load((private / "env" / "extravars").read_text())
        assert extravars["_cache_example_com_memcached_spec"]["requeueAfter"] == "1h" and extravars["size"] == 3
        assert "state" not in extravars  # no state injected into a foreign watch's run

        k8s.delete("Memcached", namespace, "m1", *GROUP)
        wait_for(lambda: memcached() is None, f"the finalizer ran and released the CR\n{operator.log[-3000:]}")
        assert sample(scrape(metrics_port), "memcached_finalizer_runs_total") == 1.0
        wait_for(lambda: deployment(k8s, namespace, "m1-memcached") is None, "the Deployment garbage-collected")
        assert configmap_data(k8s, namespace, "m1-motd") is None
        assert configmap_data(k8s, namespace, "b1-backup") is not None  # another owner's object stays
    assert "Traceback" not in operator.log, operator.log[-5000:]
