"""Fixtures for the tests of the Kubernetes API; ``kube_api`` and ``kube_namespace`` come from tests/lib/kubeapi."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import ResourceNotFoundError
from kubernetes.dynamic.resource import Resource

from tests.kubeapi.common import WIDGET_CRD, WIDGETS, established, wait_until
from tests.lib.kubeapi.fixtures import KubeCluster

__all__ = ["dyn", "widgets"]


@pytest.fixture(scope="session")
def dyn(kube_api: KubeCluster) -> Iterator[DynamicClient]:
    """The ``kubernetes`` package's dynamic client (what kubernetes.core uses) on the test API."""
    with kube_api.client() as api:
        yield DynamicClient(api)


@pytest.fixture(scope="session")
def widgets(dyn: DynamicClient) -> Iterator[Resource]:
    """The test CRD (Widget, namespaced, status subresource, a schema with most rules), registered."""
    crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    name = WIDGET_CRD["metadata"]["name"]
    crds.create(WIDGET_CRD)
    wait_until(lambda: established(crds.get(name=name).to_dict()), what="the CRD is established")
    yield wait_until(lambda: _find(dyn, WIDGETS, "Widget"), what="Widget is discovered")
    crds.delete(name=name)


def _find(dyn: DynamicClient, api_version: str, kind: str) -> Resource | None:
    try:
        return dyn.resources.get(api_version=api_version, kind=kind)
    except ResourceNotFoundError:
        dyn.resources.invalidate_cache()
        return None
