"""Discovery: what the ``kubernetes`` client, kubernetes.core and Kopf read before anything else."""

from __future__ import annotations

import kubernetes
import pytest
from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import api_error
from tests.lib.kubeapi.fixtures import KubeCluster


def test_core_api_versions(dyn: DynamicClient) -> None:
    doc = dyn.request("get", "/api").to_dict()
    assert doc["kind"] == "APIVersions"
    assert doc["versions"] == ["v1"]


def test_api_groups_with_their_preferred_versions(dyn: DynamicClient) -> None:
    doc = dyn.request("get", "/apis").to_dict()
    assert doc["kind"] == "APIGroupList"
    groups = {group["name"]: group for group in doc["groups"]}
    assert {"apps", "batch", "events.k8s.io", "apiextensions.k8s.io", "rbac.authorization.k8s.io", "networking.k8s.io", "policy"} <= groups.keys()
    assert groups["autoscaling"]["preferredVersion"] == {"groupVersion": "autoscaling/v2", "version": "v2"}
    assert {"groupVersion": "autoscaling/v1", "version": "v1"} in groups["autoscaling"]["versions"]
    assert dyn.request("get", "/apis/apps").to_dict()["preferredVersion"]["groupVersion"] == "apps/v1"


def test_core_resources(dyn: DynamicClient) -> None:
    doc = dyn.request("get", "/api/v1").to_dict()
    assert (doc["kind"], doc["groupVersion"]) == ("APIResourceList", "v1")
    resources = {resource["name"]: resource for resource in doc["resources"]}
    assert (resources["namespaces"]["kind"], resources["namespaces"]["namespaced"]) == ("Namespace", False)
    assert (resources["configmaps"]["kind"], resources["configmaps"]["namespaced"]) == ("ConfigMap", True)
    assert {"namespaces/status", "pods/status", "secrets", "services", "events"} <= resources.keys()
    assert {"create", "delete", "get", "list", "patch", "update", "watch"} <= set(resources["configmaps"]["verbs"])


def test_group_version_resources(dyn: DynamicClient) -> None:
    doc = dyn.request("get", "/apis/apps/v1").to_dict()
    assert doc["groupVersion"] == "apps/v1"
    names = {resource["name"] for resource in doc["resources"]}
    assert {"deployments", "deployments/status", "deployments/scale", "statefulsets", "daemonsets"} <= names


@pytest.mark.parametrize(("api_version", "kind"), [
    ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"), ("v1", "Namespace"), ("apps/v1", "Deployment"),
    ("networking.k8s.io/v1", "Ingress"), ("rbac.authorization.k8s.io/v1", "Role"), ("events.k8s.io/v1", "Event"),
    ("policy/v1", "PodDisruptionBudget"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
])
def test_dynamic_client_finds_builtin_kinds(dyn: DynamicClient, api_version: str, kind: str) -> None:
    assert dyn.resources.get(api_version=api_version, kind=kind).kind == kind


def test_namespaces_are_listed_and_read(kube_api: KubeCluster) -> None:
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        assert {"default", "kube-system"} <= {ns.metadata.name for ns in core.list_namespace().items}
        default = core.read_namespace("default")
    assert default.status.phase == "Active"
    assert default.metadata.labels["kubernetes.io/metadata.name"] == "default"


def test_unknown_resources_are_404(dyn: DynamicClient) -> None:
    assert api_error(404, dyn.request, "get", "/apis/apps/v1/namespaces/default/gizmos")["reason"] == "NotFound"
    assert api_error(404, dyn.request, "get", "/apis/no.such.group/v1")["reason"] == "NotFound"
