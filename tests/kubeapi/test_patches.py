"""The three patch formats: JSON merge, JSON (RFC 6902) and strategic merge with the built-ins' merge keys."""

from __future__ import annotations

from typing import Any

from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import api_error, widget

MERGE = "application/merge-patch+json"
JSON = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"


def pod_template_deployment(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "proxy", "namespace": namespace, "finalizers": ["example.com/one"]},
        "spec": {
            "selector": {"matchLabels": {"app": "proxy"}},
            "template": {
                "metadata": {"labels": {"app": "proxy"}},
                "spec": {
                    "containers": [
                        {
                            "name": "proxy",
                            "image": "litellm:1",
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "ports": [{"containerPort": 4000, "name": "http"}],
                            "volumeMounts": [{"name": "config", "mountPath": "/etc/litellm"}],
                        },
                        {"name": "sidecar", "image": "busybox:1"},
                    ],
                    "volumes": [{"name": "config", "configMap": {"name": "proxy-config"}}],
                },
            },
        },
    }


def test_merge_patch(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create({"metadata": {"name": "merged", "namespace": kube_namespace, "labels": {"a": "1", "b": "2"}}, "data": {"x": "1", "y": "2"}})
    patch = {"metadata": {"labels": {"a": None, "c": "3"}}, "data": {"y": None, "z": "3"}}
    result = configmaps.patch(name="merged", namespace=kube_namespace, body=patch, content_type=MERGE).to_dict()
    assert result["metadata"]["labels"] == {"b": "2", "c": "3"}
    assert result["data"] == {"x": "1", "z": "3"}


def test_json_patch_and_its_test_operation(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    created = configmaps.create({"metadata": {"name": "jsonpatched", "namespace": kube_namespace}, "data": {"x": "1", "y": "2"}}).to_dict()
    version = created["metadata"]["resourceVersion"]
    operations = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": version},
        {"op": "replace", "path": "/data/x", "value": "10"},
        {"op": "remove", "path": "/data/y"},
        {"op": "add", "path": "/metadata/labels", "value": {"patched": "yes"}},
    ]
    result = configmaps.patch(name="jsonpatched", namespace=kube_namespace, body=operations, content_type=JSON).to_dict()
    assert result["data"] == {"x": "10"}
    assert result["metadata"]["labels"] == {"patched": "yes"}
    stale = [{"op": "test", "path": "/metadata/resourceVersion", "value": version}, {"op": "replace", "path": "/data/x", "value": "20"}]
    assert api_error(422, configmaps.patch, name="jsonpatched", namespace=kube_namespace, body=stale, content_type=JSON)["code"] == 422
    assert configmaps.get(name="jsonpatched", namespace=kube_namespace).data.x == "10"


def test_strategic_merge_patch_uses_the_merge_keys_of_the_builtin_types(dyn: DynamicClient, kube_namespace: str) -> None:
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.create(pod_template_deployment(kube_namespace))
    patch = {
        "metadata": {"finalizers": ["example.com/two"]},
        "spec": {"template": {"spec": {
            "containers": [{
                "name": "proxy",
                "image": "litellm:2",
                "env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}, {"name": "A", "$patch": "delete"}],
                "ports": [{"containerPort": 9090, "name": "metrics"}],
                "volumeMounts": [{"mountPath": "/data", "name": "data"}],
            }],
            "volumes": [{"name": "data", "emptyDir": {}}],
        }}},
    }
    result = deployments.patch(name="proxy", namespace=kube_namespace, body=patch, content_type=STRATEGIC).to_dict()
    containers = {c["name"]: c for c in result["spec"]["template"]["spec"]["containers"]}
    assert containers.keys() == {"proxy", "sidecar"}
    proxy = containers["proxy"]
    assert proxy["image"] == "litellm:2"
    assert proxy["env"] == [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]
    assert [p["containerPort"] for p in proxy["ports"]] == [4000, 9090]
    assert [m["mountPath"] for m in proxy["volumeMounts"]] == ["/etc/litellm", "/data"]
    assert [v["name"] for v in result["spec"]["template"]["spec"]["volumes"]] == ["config", "data"]
    assert result["metadata"]["finalizers"] == ["example.com/one", "example.com/two"]
    replaced = deployments.patch(
        name="proxy", namespace=kube_namespace, content_type=STRATEGIC,
        body={"metadata": {"finalizers": None}, "spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "x"}]}}}},
    ).to_dict()
    assert [c["name"] for c in replaced["spec"]["template"]["spec"]["containers"]] == ["only"]
    assert "finalizers" not in replaced["metadata"]


def test_strategic_merge_patch_of_a_custom_resource_is_415(dyn: DynamicClient, widgets: Any, kube_namespace: str) -> None:
    widgets.create(widget("smp", kube_namespace))
    status = api_error(415, widgets.patch, name="smp", namespace=kube_namespace, body={"spec": {"size": 2}}, content_type=STRATEGIC)
    assert status["reason"] == "UnsupportedMediaType"
    assert widgets.patch(name="smp", namespace=kube_namespace, body={"spec": {"size": 2}}, content_type=MERGE).spec.size == 2
