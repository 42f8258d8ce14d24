"""The emulator's own request log and kmock's reactions on top of it (emulator only: a real cluster has neither)."""

from __future__ import annotations

from collections.abc import Iterator

import kubernetes
import pytest
from kubernetes.client.exceptions import ApiException

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.kubeapi.server import KubeAPI


@pytest.fixture
def server(kube_api: KubeCluster) -> Iterator[KubeAPI]:
    if kube_api.server is None:
        pytest.skip("the request log and the reactions are the emulator's")
    yield kube_api.server


def test_requests_since_a_mark_are_the_requests_served_after_it(kube_api: KubeCluster, server: KubeAPI, kube_namespace: str) -> None:
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        mark = server.mark()
        core.create_namespaced_config_map(kube_namespace, {"metadata": {"name": "logged"}})
        core.read_namespaced_config_map("logged", kube_namespace)
        core.delete_namespaced_config_map("logged", kube_namespace)
    seen = [(request.method, request.url.path) for request in server.requests_since(mark)]
    path = f"/api/v1/namespaces/{kube_namespace}/configmaps"
    assert seen == [("POST", path), ("GET", f"{path}/logged"), ("DELETE", f"{path}/logged")]
    assert list(server)[-3:] == server.requests_since(mark)
    assert server.requests_since(server.mark()) == []


def test_a_reaction_answers_before_the_emulation_for_the_requests_it_selects(kube_api: KubeCluster, server: KubeAPI, kube_namespace: str) -> None:
    server.override[lambda request: request.namespace == kube_namespace and request.method == "POST"] << 503
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        with pytest.raises(ApiException) as refused:
            core.create_namespaced_config_map(kube_namespace, {"metadata": {"name": "refused"}})
        listed = core.list_namespaced_config_map(kube_namespace).items
        core.create_namespaced_config_map("default", {"metadata": {"name": f"{kube_namespace}-elsewhere"}})
        core.delete_namespaced_config_map(f"{kube_namespace}-elsewhere", "default")
    assert refused.value.status == 503
    assert "refused" not in [item.metadata.name for item in listed]
