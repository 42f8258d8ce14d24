"""The status subresource, finalizers with deletionTimestamp, namespace deletion, owner garbage collection."""

from __future__ import annotations

import uuid
from typing import Any

from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import api_error, wait_until, widget

MERGE = "application/merge-patch+json"
JSON = "application/json-patch+json"


def gone(resource: Any, name: str, namespace: str | None = None) -> bool:
    return not resource.get(namespace=namespace, field_selector=f"metadata.name={name}").items


def test_status_is_written_through_the_subresource_only(widgets: Any, kube_namespace: str) -> None:
    created = widgets.create(widget("st", kube_namespace) | {"status": {"phase": "ignored"}}).to_dict()
    assert "status" not in created
    main = widgets.patch(name="st", namespace=kube_namespace, body={"spec": {"size": 2}, "status": {"phase": "ignored"}}, content_type=MERGE).to_dict()
    assert (main["spec"]["size"], main.get("status")) == (2, None)
    status = widgets.status.patch(name="st", namespace=kube_namespace, body={"spec": {"size": 9}, "status": {"phase": "Ready"}}, content_type=MERGE).to_dict()
    assert (status["spec"]["size"], status["status"], status["metadata"]["generation"]) == (2, {"phase": "Ready"}, main["metadata"]["generation"])
    replaced = widgets.status.replace(body=status | {"status": {"phase": "Done"}}).to_dict()
    assert replaced["status"] == {"phase": "Done"}
    assert widgets.status.get(name="st", namespace=kube_namespace).status.phase == "Done"


def test_finalizers_keep_a_deleted_object_until_the_last_one_is_removed(widgets: Any, kube_namespace: str) -> None:
    widgets.create(widget("fin", kube_namespace, finalizers=("a.example.com/x", "b.example.com/y")))
    widgets.delete(name="fin", namespace=kube_namespace)
    marked = widgets.get(name="fin", namespace=kube_namespace).to_dict()
    assert marked["metadata"]["deletionTimestamp"]
    widgets.delete(name="fin", namespace=kube_namespace)
    assert widgets.get(name="fin", namespace=kube_namespace).metadata.deletionTimestamp == marked["metadata"]["deletionTimestamp"]
    widgets.patch(name="fin", namespace=kube_namespace, body=[{"op": "remove", "path": "/metadata/finalizers/0"}], content_type=JSON)
    assert widgets.get(name="fin", namespace=kube_namespace).metadata.finalizers == ["b.example.com/y"]
    widgets.patch(name="fin", namespace=kube_namespace, body={"metadata": {"finalizers": None}}, content_type=MERGE)
    wait_until(lambda: gone(widgets, "fin", kube_namespace), what="the widget is deleted")


def test_deleting_a_namespace_deletes_its_objects(dyn: DynamicClient, widgets: Any) -> None:
    namespaces = dyn.resources.get(api_version="v1", kind="Namespace")
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    name = f"doomed-{uuid.uuid4().hex[:5]}"
    namespaces.create({"metadata": {"name": name}})
    configmaps.create({"metadata": {"name": "plain", "namespace": name}})
    widgets.create(widget("held", name, finalizers=("example.com/hold",)))
    namespaces.delete(name=name)
    assert namespaces.get(name=name).status.phase == "Terminating"
    wait_until(lambda: gone(configmaps, "plain", name), what="the namespace's ConfigMap is deleted")
    wait_until(lambda: widgets.get(name="held", namespace=name).metadata.deletionTimestamp, what="the widget is being deleted")
    assert api_error(403, configmaps.create, {"metadata": {"name": "late", "namespace": name}})["reason"] == "Forbidden"
    widgets.patch(name="held", namespace=name, body={"metadata": {"finalizers": None}}, content_type=MERGE)
    wait_until(lambda: gone(namespaces, name), timeout=60, what="the namespace is deleted")


def test_dependents_are_collected_with_their_owner(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    secrets = dyn.resources.get(api_version="v1", kind="Secret")
    owner = configmaps.create({"metadata": {"name": "owner", "namespace": kube_namespace}}).to_dict()
    reference = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    secrets.create({"metadata": {"name": "owner-key", "namespace": kube_namespace, "ownerReferences": [reference]}, "stringData": {"api_key": "x"}})
    secrets.create({"metadata": {"name": "unowned", "namespace": kube_namespace}})
    configmaps.delete(name="owner", namespace=kube_namespace)
    wait_until(lambda: gone(secrets, "owner-key", kube_namespace), what="the owned Secret is collected")
    assert not gone(secrets, "unowned", kube_namespace)
