"""Helpers for the tests of the Kubernetes API; they hold for the emulator and for a real cluster."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from kubernetes.client.exceptions import ApiException

T = TypeVar("T")

GROUP = "kubeapi.llmops.dev"
WIDGETS = f"{GROUP}/v1alpha1"
WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"widgets.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
        "versions": [{
            "name": "v1alpha1",
            "served": True,
            "storage": True,
            "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "spec": {
                        "type": "object",
                        "required": ["size"],
                        "properties": {
                            "size": {"type": "integer", "minimum": 1, "maximum": 10},
                            "color": {"type": "string", "enum": ["red", "green", "blue"], "default": "red"},
                            "label": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 20},
                            "replicas": {"type": "integer", "default": 1},
                            "ratio": {"type": "number"},
                            "enabled": {"type": "boolean"},
                            "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
                            "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                        },
                    },
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                },
            }},
        }],
    },
}


def widget(name: str, namespace: str, *, finalizers: tuple[str, ...] = (), **spec: Any) -> dict[str, Any]:
    metadata = {"name": name, "namespace": namespace} | ({"finalizers": list(finalizers)} if finalizers else {})
    return {"apiVersion": WIDGETS, "kind": "Widget", "metadata": metadata, "spec": {"size": 1, **spec}}


def established(crd: dict[str, Any]) -> bool:
    return any(c["type"] == "Established" and c["status"] == "True" for c in crd.get("status", {}).get("conditions", []))


def wait_until(condition: Callable[[], T], *, timeout: float = 120.0, what: str = "the condition") -> T:
    """Poll ``condition`` until it returns something truthy (and return that), for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)
    return result


def api_error(status: int, call: Callable[..., object], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call, expect the API to answer with an error ``status``, return its Status object."""
    with pytest.raises(ApiException) as caught:
        call(*args, **kwargs)
    assert caught.value.status == status, caught.value.body
    body: dict[str, Any] = json.loads(caught.value.body)
    assert body["kind"] == "Status" and body["code"] == status and body["status"] == "Failure", body
    return body
