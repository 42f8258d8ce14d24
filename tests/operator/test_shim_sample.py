"""An Operator SDK Ansible-operator sample (watches.yaml + role, made-up kind) runs unchanged on the shim.

It runs in-process under Kopf's KopfRunner and proves the Operator SDK semantics the shim promises: the role
gets the spec snake_cased, ``ansible_operator_meta``, the raw CR and the watches' vars; markUnsafe keeps a
template in a CR field from being evaluated; status conditions and ``ansibleResult`` are written; the finalizer
runs the role with the finalizer's vars (``state: absent``); runner artifacts are rotated to ``maxRunnerArtifacts``.
"""

from __future__ import annotations

from pathlib import Path

import kubernetes
import yaml
from kopf.testing import KopfRunner
from kubernetes.client.exceptions import ApiException
from llmops_operator.__main__ import build
from llmops_operator.config import Config

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.operator.conftest import Cluster, condition, configmap_data, is_true, unique, wait_for

SAMPLE = Path(__file__).parent / "sample"
TEMPLATE = "{{ lookup('env','HOME') }}"


def test_operator_sdk_sample_runs_unchanged(kube_api: KubeCluster, k8s: Cluster, tmp_path: Path) -> None:
    extensions = kubernetes.client.ApiextensionsV1Api(k8s.api)
    crd = yaml.safe_load((SAMPLE / "crd.yaml").read_text())
    try:
        extensions.create_custom_resource_definition(crd)
    except ApiException as exc:
        assert exc.status == 409, exc.body
    namespace = k8s.namespace(unique("sdk-sample"))
    runner_dir = tmp_path / "runner"
    registry = build(Config.from_env({"WATCHES_FILE": str(SAMPLE / "watches.yaml"), "WATCH_NAMESPACE": namespace,
                                      "LLMOPS_OPERATOR_RUNNER_DIR": str(runner_dir), "LLMOPS_OPERATOR_PROXY_PORT": "0",
                                      "LLMOPS_OPERATOR_OSDK_METRICS_PORT": "0"}))
    group = ("cache.example.com", "v1alpha1")

    def memcached() -> dict | None:
        return k8s.get("Memcached", namespace, "m1", *group)

    with KopfRunner(["run", "--standalone", "--namespace", namespace], registry=registry, timeout=180) as runner:
        k8s.create("Memcached", namespace, "m1", {"size": 2, "messageOfTheDay": TEMPLATE}, group=group[0], version=group[1])
        body = wait_for(lambda: (b := memcached()) and is_true(b, "Successful") and b, "the sample reconciled")
        data = configmap_data(k8s, namespace, "m1-memcached")
        assert data == {"size": "2", "motd": TEMPLATE, "image": "memcached:1.6-alpine", "owner": "m1"}, data
        assert body["metadata"]["finalizers"] == ["cache.example.com/finalizer"]
        assert body["status"]["observedGeneration"] == 1
        assert body["status"]["ansibleResult"]["failures"] == 0 and body["status"]["ansibleResult"]["changed"] == 1
        assert condition(body, "Running")["reason"] == "Successful"

        k8s.patch("Memcached", namespace, "m1", {"spec": {"size": 3}}, *group)
        wait_for(lambda: (configmap_data(k8s, namespace, "m1-memcached") or {}).get("size") == "3", "the update reached the role")
        wait_for(lambda: (memcached() or {}).get("status", {}).get("observedGeneration") == 2, "status of generation 2")

        k8s.delete("Memcached", namespace, "m1", *group)
        wait_for(lambda: memcached() is None, "the finalizer ran and released the CR")
        assert configmap_data(k8s, namespace, "m1-memcached") is None, "the finalizer's run deleted the ConfigMap"
    assert runner.exception is None, runner.output
    private = runner_dir / "cache.example.com" / "v1alpha1" / "Memcached" / namespace / "m1"  # ansible-operator's layout
    artifacts = [p for p in (private / "artifacts").iterdir() if p.name != "latest"]
    assert 1 <= len(artifacts) <= 3, artifacts  # create, update, delete: rotated to maxRunnerArtifacts
    extravars = (private / "env" / "extravars").read_text()
    assert "message_of_the_day: !unsafe" in extravars and "ansible_operator_meta:" in extravars
    assert "_cache_example_com_memcached:" in extravars
