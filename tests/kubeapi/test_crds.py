"""CRD registration (discovery, serving, deletion) and openAPIV3Schema enforcement on custom resources."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import (
    GROUP,
    WIDGET_CRD,
    WIDGETS,
    api_error,
    established,
    wait_until,
    widget,
)


def test_a_registered_crd_is_established_discovered_and_served(dyn: DynamicClient, widgets: Any, kube_namespace: str) -> None:
    crd = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition").get(name=f"widgets.{GROUP}").to_dict()
    assert established(crd)
    assert crd["status"]["acceptedNames"]["kind"] == "Widget"
    groups = {group["name"]: group for group in dyn.request("get", "/apis").to_dict()["groups"]}
    assert groups[GROUP]["preferredVersion"]["groupVersion"] == WIDGETS
    resources = {resource["name"]: resource for resource in dyn.request("get", f"/apis/{WIDGETS}").to_dict()["resources"]}
    assert (resources["widgets"]["kind"], resources["widgets"]["namespaced"]) == ("Widget", True)
    assert "wd" in resources["widgets"]["shortNames"]
    assert "widgets/status" in resources
    widgets.create(widget("served", kube_namespace, size=3))
    listing = dyn.request("get", f"/apis/{WIDGETS}/namespaces/{kube_namespace}/widgets").to_dict()
    assert (listing["kind"], listing["apiVersion"]) == ("WidgetList", WIDGETS)
    assert [(item["kind"], item["metadata"]["name"], item["spec"]["size"]) for item in listing["items"]] == [("Widget", "served", 3)]


def test_deleting_a_crd_stops_serving_it_and_deletes_its_objects(dyn: DynamicClient, kube_namespace: str) -> None:
    crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    crd = copy.deepcopy(WIDGET_CRD)
    crd["metadata"]["name"] = "gadgets.short.llmops.dev"
    crd["spec"].update(group="short.llmops.dev", names={"plural": "gadgets", "kind": "Gadget"})
    crds.create(crd)
    path = f"/apis/short.llmops.dev/v1alpha1/namespaces/{kube_namespace}/gadgets"
    wait_until(lambda: established(crds.get(name="gadgets.short.llmops.dev").to_dict()), what="the CRD is established")
    dyn.request("post", path, body={"apiVersion": "short.llmops.dev/v1alpha1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"size": 1}})
    crds.delete(name="gadgets.short.llmops.dev")
    wait_until(lambda: not any(g["name"] == "short.llmops.dev" for g in dyn.request("get", "/apis").to_dict()["groups"]), what="the group is gone")
    assert api_error(404, dyn.request, "get", path)["reason"] == "NotFound"


def test_an_invalid_crd_is_422(dyn: DynamicClient) -> None:
    crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    crd = copy.deepcopy(WIDGET_CRD)
    crd["metadata"]["name"] = "wrong.name.llmops.dev"
    status = api_error(422, crds.create, crd)
    assert status["details"]["causes"][0]["field"] == "metadata.name"


@pytest.mark.parametrize(("spec", "field", "message"), [
    ({"size": "big"}, "spec.size", 'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"'),
    ({"color": "red"}, "spec.size", "spec.size: Required value"),
    ({"size": 1, "color": "purple"}, "spec.color", 'spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"'),
    ({"size": 1, "label": "Bad_Label"}, "spec.label", "spec.label: Invalid value: \"Bad_Label\": spec.label in body should match '^[a-z][a-z0-9-]*$'"),
    ({"size": 0}, "spec.size", "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"),
    ({"size": 11}, "spec.size", "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10"),
    ({"size": 1, "tags": ["a", "b", "c", "d"]}, "spec.tags", "spec.tags: Too many: 4: must have at most 3 items"),
    ({"size": 1, "enabled": "yes"}, "spec.enabled", 'spec.enabled: Invalid value: "string": spec.enabled in body must be of type boolean: "string"'),
    ({"size": 1, "ratio": "half"}, "spec.ratio", 'spec.ratio: Invalid value: "string": spec.ratio in body must be of type number: "string"'),
])
def test_schema_violations_are_422_naming_the_field(widgets: Any, kube_namespace: str, spec: dict[str, Any], field: str, message: str) -> None:
    body = widget("bad", kube_namespace) | {"spec": spec}
    status = api_error(422, widgets.create, body)
    assert status["reason"] == "Invalid"
    assert status["message"] == f'Widget.{GROUP} "bad" is invalid: {message}'
    assert status["details"]["name"] == "bad" and status["details"]["kind"] == "Widget"
    assert [cause["field"] for cause in status["details"]["causes"]] == [field]


def test_all_violations_are_reported_and_updates_are_validated_too(widgets: Any, kube_namespace: str) -> None:
    status = api_error(422, widgets.create, widget("bad", kube_namespace) | {"spec": {"size": 0, "color": "purple"}})
    assert status["message"].startswith(f'Widget.{GROUP} "bad" is invalid: [')
    assert sorted(cause["field"] for cause in status["details"]["causes"]) == ["spec.color", "spec.size"]
    widgets.create(widget("good", kube_namespace, size=2))
    status = api_error(422, widgets.patch, name="good", namespace=kube_namespace, body={"spec": {"size": 100}}, content_type="application/merge-patch+json")
    assert status["details"]["causes"][0]["field"] == "spec.size"
    assert widgets.get(name="good", namespace=kube_namespace).spec.size == 2


def test_defaults_are_applied_and_unknown_fields_pruned(widgets: Any, kube_namespace: str) -> None:
    spec = {"size": 2, "unknown": "dropped", "config": {"free": {"form": [1, 2]}}, "ratio": 0.5}
    stored = widgets.create(widget("defaulted", kube_namespace) | {"spec": spec}).to_dict()
    assert stored["spec"] == {"size": 2, "color": "red", "replicas": 1, "config": {"free": {"form": [1, 2]}}, "ratio": 0.5}
    assert widgets.get(name="defaulted", namespace=kube_namespace).to_dict()["spec"] == stored["spec"]
