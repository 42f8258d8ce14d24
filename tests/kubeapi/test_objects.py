"""Objects: system metadata, typed lists, and the answers of GET/POST/PUT/DELETE, errors included."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import kubernetes
from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import api_error, wait_until
from tests.lib.kubeapi.fixtures import KubeCluster


def configmap(name: str, namespace: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": data}


def deployment(name: str, namespace: str, image: str = "nginx:1") -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "main", "image": image}]}},
        },
    }


def test_create_sets_system_metadata(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    meta = configmaps.create(configmap("meta", kube_namespace, a="1")).to_dict()["metadata"]
    assert uuid.UUID(meta["uid"])
    assert meta["resourceVersion"].isdigit()
    created = datetime.datetime.strptime(meta["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    assert abs(datetime.datetime.now(datetime.UTC) - created) < datetime.timedelta(minutes=1)
    assert meta["namespace"] == kube_namespace


def test_lists_are_typed(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    created = configmaps.create(configmap("listed", kube_namespace)).to_dict()
    listing = dyn.request("get", f"/api/v1/namespaces/{kube_namespace}/configmaps").to_dict()
    assert (listing["kind"], listing["apiVersion"]) == ("ConfigMapList", "v1")
    assert int(listing["metadata"]["resourceVersion"]) >= int(created["metadata"]["resourceVersion"])
    assert [item["metadata"]["name"] for item in listing["items"] if item["metadata"]["name"] == "listed"] == ["listed"]
    deployments = dyn.request("get", "/apis/apps/v1/deployments").to_dict()
    assert (deployments["kind"], deployments["apiVersion"]) == ("DeploymentList", "apps/v1")


def test_resource_version_changes_with_every_write_but_not_without_changes(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    first = configmaps.create(configmap("versions", kube_namespace, a="1")).metadata.resourceVersion
    merge = {"namespace": kube_namespace, "body": {"data": {"a": "2"}}, "content_type": "application/merge-patch+json"}
    second = configmaps.patch(name="versions", **merge).metadata.resourceVersion
    same = configmaps.patch(name="versions", **merge).metadata.resourceVersion
    assert int(second) > int(first)
    assert same == second


def test_generation_counts_spec_changes_only(dyn: DynamicClient, kube_namespace: str) -> None:
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert deployments.create(deployment("gen", kube_namespace)).metadata.generation == 1
    merge = {"name": "gen", "namespace": kube_namespace, "content_type": "application/merge-patch+json"}
    assert deployments.patch(body={"metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}}}, **merge).metadata.generation == 1
    assert deployments.patch(body={"spec": {"replicas": 3}}, **merge).metadata.generation == 2
    status = deployments.status.patch(body={"status": {"replicas": 3, "observedGeneration": 2}}, **merge)
    assert (status.metadata.generation, status.status.replicas) == (2, 3)


def test_creating_an_existing_object_is_409_already_exists(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(configmap("twice", kube_namespace))
    status = api_error(409, configmaps.create, configmap("twice", kube_namespace))
    assert status["reason"] == "AlreadyExists"
    assert status["message"] == 'configmaps "twice" already exists'
    assert status["details"]["name"] == "twice"


def test_put_replaces_and_a_stale_resource_version_is_409_conflict(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    stale = configmaps.create(configmap("replaced", kube_namespace, a="1", b="2")).to_dict()
    fresh = configmaps.replace(body=configmap("replaced", kube_namespace, a="3") | {"metadata": stale["metadata"]}).to_dict()
    assert fresh["data"] == {"a": "3"}
    assert fresh["metadata"]["uid"] == stale["metadata"]["uid"]
    status = api_error(409, configmaps.replace, body=configmap("replaced", kube_namespace, a="4") | {"metadata": stale["metadata"]})
    assert status["reason"] == "Conflict"
    assert "the object has been modified" in status["message"]
    assert configmaps.get(name="replaced", namespace=kube_namespace).data.a == "3"


def test_put_without_resource_version_is_unconditional(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(configmap("unconditional", kube_namespace, a="1"))
    assert configmaps.replace(body=configmap("unconditional", kube_namespace, a="2")).data.a == "2"


def test_missing_objects_are_404_status_objects(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    merge = {"body": {"data": {}}, "content_type": "application/merge-patch+json"}
    for call, kwargs in [(configmaps.get, {}), (configmaps.delete, {}), (configmaps.patch, merge)]:
        status = api_error(404, call, name="nope", namespace=kube_namespace, **kwargs)
        assert status["reason"] == "NotFound"
        assert status["message"] == 'configmaps "nope" not found'
        assert status["details"] == {"name": "nope", "kind": "configmaps"}
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    status = api_error(404, deployments.get, name="nope", namespace=kube_namespace)
    assert (status["message"], status["details"]["group"]) == ('deployments.apps "nope" not found', "apps")


def test_delete_answers_with_the_object_and_removes_it(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(configmap("deleted", kube_namespace))
    configmaps.delete(name="deleted", namespace=kube_namespace)
    wait_until(lambda: not configmaps.get(namespace=kube_namespace, field_selector="metadata.name=deleted").items, what="deletion")


def test_generate_name(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    template = {"metadata": {"generateName": "gen-", "namespace": kube_namespace}}
    names = {configmaps.create(template).metadata.name for _attempt in range(3)}
    assert len(names) == 3
    assert all(name.startswith("gen-") and len(name) == len("gen-") + 5 for name in names)


def test_objects_need_an_existing_namespace_and_a_valid_name(kube_api: KubeCluster, kube_namespace: str) -> None:
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        status = api_error(404, core.create_namespaced_config_map, "no-such-namespace", configmap("x", "no-such-namespace"))
        assert status["message"] == 'namespaces "no-such-namespace" not found'
        status = api_error(422, core.create_namespaced_config_map, kube_namespace, configmap("Not_Valid", kube_namespace))
        assert status["reason"] == "Invalid"
        assert status["details"]["causes"][0]["field"] == "metadata.name"


def test_typed_client_round_trip(kube_api: KubeCluster, kube_namespace: str) -> None:
    with kube_api.client() as api:
        apps = kubernetes.client.AppsV1Api(api)
        apps.create_namespaced_deployment(kube_namespace, deployment("typed", kube_namespace))
        read = apps.read_namespaced_deployment("typed", kube_namespace)
        assert read.spec.template.spec.containers[0].image == "nginx:1"
        assert [d.metadata.name for d in apps.list_namespaced_deployment(kube_namespace).items] == ["typed"]
