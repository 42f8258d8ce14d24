"""Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors on lists."""

from __future__ import annotations

import pytest
from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import api_error

LABELS = {"a": {"app": "web", "tier": "front"}, "b": {"app": "web", "tier": "back"}, "c": {"app": "db"}, "d": {}}


@pytest.fixture
def labelled(dyn: DynamicClient, kube_namespace: str) -> str:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    for name, labels in LABELS.items():
        configmaps.create({"metadata": {"name": name, "namespace": kube_namespace, "labels": labels}})
    return kube_namespace


def names(dyn: DynamicClient, namespace: str | None, **selectors: str) -> list[str]:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    items = configmaps.get(namespace=namespace, **selectors).to_dict()["items"]
    return sorted(item["metadata"]["name"] for item in items if item["metadata"]["name"] in LABELS)


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=web", ["a", "b"]),
    ("app==web", ["a", "b"]),
    ("app!=web", ["c", "d"]),
    ("tier in (front, back)", ["a", "b"]),
    ("tier notin (front)", ["b", "c", "d"]),
    ("tier", ["a", "b"]),
    ("!tier", ["c", "d"]),
    ("app=web,tier!=front", ["b"]),
    ("app in (web,db),!tier", ["c"]),
])
def test_label_selectors(dyn: DynamicClient, labelled: str, selector: str, expected: list[str]) -> None:
    assert names(dyn, labelled, label_selector=selector) == expected


def test_field_selectors(dyn: DynamicClient, labelled: str) -> None:
    assert names(dyn, labelled, field_selector="metadata.name=a") == ["a"]
    assert names(dyn, labelled, field_selector="metadata.name!=a") == ["b", "c", "d"]
    assert names(dyn, None, field_selector=f"metadata.namespace={labelled}") == ["a", "b", "c", "d"]
    assert names(dyn, None, field_selector=f"metadata.namespace=={labelled},metadata.name=c") == ["c"]
    assert names(dyn, None, field_selector=f"metadata.namespace={labelled}", label_selector="app=web") == ["a", "b"]


def test_unsupported_selectors_are_400(dyn: DynamicClient, labelled: str) -> None:
    status = api_error(400, names, dyn, labelled, field_selector="data.key=x")
    assert status["reason"] == "BadRequest"
    assert "field label not supported: data.key" in status["message"]
    assert api_error(400, names, dyn, labelled, label_selector="app in web")["reason"] == "BadRequest"
