"""``?dryRun=All`` on every write: the result is computed and returned, nothing is stored."""

from __future__ import annotations

from typing import Any

from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import WIDGET_CRD, api_error, widget

MERGE = "application/merge-patch+json"


def test_dry_run_create(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    result = configmaps.create({"metadata": {"name": "dry", "namespace": kube_namespace}, "data": {"a": "1"}}, dry_run="All").to_dict()
    assert result["data"] == {"a": "1"}
    assert result["metadata"]["uid"]
    api_error(404, configmaps.get, name="dry", namespace=kube_namespace)


def test_dry_run_update_patch_status_and_delete(dyn: DynamicClient, widgets: Any, kube_namespace: str) -> None:
    stored = widgets.create(widget("dry", kube_namespace, finalizers=("example.com/keep",), size=2)).to_dict()
    replaced = widgets.replace(body=widget("dry", kube_namespace, size=5), dry_run="All").to_dict()
    patched = widgets.patch(name="dry", namespace=kube_namespace, body={"spec": {"size": 7}}, content_type=MERGE, dry_run="All").to_dict()
    status = widgets.status.patch(name="dry", namespace=kube_namespace, body={"status": {"phase": "X"}}, content_type=MERGE, dry_run="All").to_dict()
    deleted = widgets.delete(name="dry", namespace=kube_namespace, dry_run="All").to_dict()
    assert (replaced["spec"]["size"], patched["spec"]["size"], status["status"]["phase"]) == (5, 7, "X")
    assert patched["metadata"]["generation"] == 2
    assert deleted["metadata"]["deletionTimestamp"]
    assert widgets.get(name="dry", namespace=kube_namespace).to_dict() == stored  # resourceVersion included
    widgets.patch(name="dry", namespace=kube_namespace, body={"metadata": {"finalizers": None}}, content_type=MERGE)


def test_dry_run_crd_is_not_served(dyn: DynamicClient) -> None:
    crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    crd = {**WIDGET_CRD, "metadata": {"name": "gizmos.dry.llmops.dev"}}
    crd["spec"] = {**crd["spec"], "group": "dry.llmops.dev", "names": {"plural": "gizmos", "kind": "Gizmo"}}
    assert crds.create(crd, dry_run="All").metadata.name == "gizmos.dry.llmops.dev"
    api_error(404, crds.get, name="gizmos.dry.llmops.dev")
    api_error(404, dyn.request, "get", "/apis/dry.llmops.dev/v1alpha1")
