"""Rendered built-in manifests validated against Kubernetes' own schemas, oldest and newest supported version.

``validate_manifest`` (tests/lib/kubeapi/validate.py) is what the roles' tests call on every object they
render; these tests show what it accepts and what it reports.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from kubernetes_validate.utils import all_versions

from tests.lib.kubeapi.validate import (
    KUBERNETES_VERSIONS,
    NEWEST,
    OLDEST,
    ManifestError,
    validate_manifest,
)

LABELS = {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "gateway"}
RENDERED: list[dict[str, Any]] = [
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "gateway", "namespace": "llm", "labels": LABELS},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": LABELS},
            "template": {
                "metadata": {"labels": LABELS, "annotations": {"checksum/config": "abc"}},
                "spec": {
                    "containers": [{
                        "name": "litellm",
                        "image": "ghcr.io/berriai/litellm:main-v1.106.2",
                        "args": ["--config", "/etc/litellm/config.yaml", "--port", "4000"],
                        "ports": [{"name": "http", "containerPort": 4000, "protocol": "TCP"}],
                        "env": [
                            {"name": "LITELLM_MASTER_KEY", "valueFrom": {"secretKeyRef": {"name": "gateway-master-key", "key": "masterkey"}}},
                            {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "gateway-db", "key": "url"}}},
                        ],
                        "volumeMounts": [{"name": "config", "mountPath": "/etc/litellm", "readOnly": True}],
                        "readinessProbe": {"httpGet": {"path": "/health/readiness", "port": "http"}, "periodSeconds": 5},
                        "livenessProbe": {"httpGet": {"path": "/health/liveliness", "port": "http"}, "initialDelaySeconds": 20},
                        "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}},
                        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False},
                    }],
                    "volumes": [{"name": "config", "configMap": {"name": "gateway-config"}}],
                },
            },
        },
    },
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "gateway", "namespace": "llm", "labels": LABELS},
        "spec": {"selector": LABELS, "ports": [{"name": "http", "port": 4000, "targetPort": "http"}]},
    },
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gateway-config", "namespace": "llm"}, "data": {"config.yaml": "model_list: []\n"}},
    {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "gateway-master-key", "namespace": "llm"},
        "type": "Opaque", "stringData": {"masterkey": "sk-x"},
    },
    {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "gateway", "namespace": "llm"},
        "spec": {"rules": [{"host": "llm.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "gateway", "port": {"name": "http"}}}},
        ]}}]},
    },
    {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "gateway", "namespace": "llm"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": LABELS}},
    },
]


def test_the_oldest_and_the_newest_version_shipped_by_kubernetes_validate() -> None:
    shipped = {tuple(int(part) for part in version.split(".")[:2]) for version in all_versions()}
    assert KUBERNETES_VERSIONS == (OLDEST, NEWEST) == ("1.28", "{}.{}".format(*max(shipped)))
    assert (1, 28) in shipped


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("manifest", RENDERED, ids=[f"{m['kind']}" for m in RENDERED])
def test_rendered_manifests_are_valid(manifest: dict[str, Any], version: str) -> None:
    validate_manifest(manifest, version)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_a_wrong_type_is_reported_with_its_field(version: str) -> None:
    broken = copy.deepcopy(RENDERED[0])
    broken["spec"]["replicas"] = "two"
    with pytest.raises(ManifestError, match=rf"Deployment 'gateway' is invalid for Kubernetes {version}: spec\.replicas: 'two' is not of type 'integer'"):
        validate_manifest(broken, version)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_an_unknown_field_is_reported(version: str) -> None:
    broken = copy.deepcopy(RENDERED[1])
    broken["spec"]["ports"][0]["targetport"] = 4000
    with pytest.raises(ManifestError, match=r"spec\.ports\.0: Additional properties are not allowed \('targetport' was unexpected\)"):
        validate_manifest(broken, version)


def test_a_missing_required_field_is_reported() -> None:
    broken = copy.deepcopy(RENDERED[0])
    del broken["spec"]["template"]["spec"]["containers"][0]["name"]
    with pytest.raises(ManifestError, match=r"spec\.template\.spec\.containers\.0: 'name' is a required property"):
        validate_manifest(broken, OLDEST)


def test_an_unknown_kind_is_reported() -> None:
    with pytest.raises(ManifestError, match="Couldn't find schema for kind Gateway"):
        validate_manifest({"apiVersion": "example.com/v1", "kind": "Gateway", "metadata": {"name": "x"}}, NEWEST)
