"""Watches: only the changes after a resourceVersion, ADDED/MODIFIED/DELETED, selectors, timeoutSeconds."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import kubernetes
import pytest
from kubernetes.dynamic import DynamicClient

from tests.lib.kubeapi.fixtures import KubeCluster

MERGE = "application/merge-patch+json"


def take(events: Iterator[dict[str, Any]], count: int) -> list[tuple[str, str]]:
    """The next ``count`` events as (type, name)."""
    return [(event["type"], event["raw_object"]["metadata"]["name"]) for event in itertools.islice(events, count)]


def test_watch_from_a_resource_version_sees_only_later_changes(kube_api: KubeCluster, kube_namespace: str) -> None:
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        core.create_namespaced_config_map(kube_namespace, {"metadata": {"name": "before"}})
        since = core.list_namespaced_config_map(kube_namespace).metadata.resource_version
        core.create_namespaced_config_map(kube_namespace, {"metadata": {"name": "after"}})
        core.patch_namespaced_config_map("after", kube_namespace, {"data": {"a": "1"}})
        core.delete_namespaced_config_map("after", kube_namespace)
        watch = kubernetes.watch.Watch()
        events = watch.stream(core.list_namespaced_config_map, kube_namespace, resource_version=since, timeout_seconds=10)
        seen = take(events, 3)
        watch.stop()
    assert seen == [("ADDED", "after"), ("MODIFIED", "after"), ("DELETED", "after")]


def test_watch_without_a_resource_version_starts_with_the_current_objects(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create({"metadata": {"name": "existing", "namespace": kube_namespace}})
    events = configmaps.watch(namespace=kube_namespace, timeout=10)
    assert take(events, 1) == [("ADDED", "existing")]
    configmaps.create({"metadata": {"name": "new", "namespace": kube_namespace}})
    configmaps.patch(name="existing", namespace=kube_namespace, body={"data": {"x": "1"}}, content_type=MERGE)
    assert take(events, 2) == [("ADDED", "new"), ("MODIFIED", "existing")]


def test_watch_with_a_label_selector_follows_objects_in_and_out_of_the_selection(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    since = configmaps.get(namespace=kube_namespace).metadata.resourceVersion
    configmaps.create({"metadata": {"name": "other", "namespace": kube_namespace}})
    configmaps.create({"metadata": {"name": "picked", "namespace": kube_namespace, "labels": {"watched": "yes"}}})
    configmaps.patch(name="picked", namespace=kube_namespace, body={"metadata": {"labels": {"watched": None}}}, content_type=MERGE)
    configmaps.patch(name="other", namespace=kube_namespace, body={"metadata": {"labels": {"watched": "yes"}}}, content_type=MERGE)
    events = configmaps.watch(namespace=kube_namespace, label_selector="watched=yes", resource_version=since, timeout=10)
    assert take(events, 3) == [("ADDED", "picked"), ("DELETED", "picked"), ("ADDED", "other")]


def test_watch_ends_after_timeout_seconds(dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    since = configmaps.get(namespace=kube_namespace).metadata.resourceVersion
    started = time.monotonic()
    assert list(configmaps.watch(namespace=kube_namespace, resource_version=since, timeout=1)) == []
    assert 0.9 < time.monotonic() - started < 5


def test_watch_from_a_revision_older_than_the_kept_changes_ends_with_410_expired(
        kube_api: KubeCluster, kube_namespace: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if kube_api.server is None:
        pytest.skip("a real cluster compacts its history on its own schedule")
    monkeypatch.setattr(kube_api.server.store, "change_log", 5)  # the emulator keeps at least the last 5 changes
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        since = core.list_namespaced_config_map(kube_namespace).metadata.resource_version
        for index in range(12):
            core.create_namespaced_config_map(kube_namespace, {"metadata": {"name": f"cm-{index}"}})
        recent = str(int(core.read_namespaced_config_map("cm-10", kube_namespace).metadata.resource_version))
        with pytest.raises(kubernetes.client.exceptions.ApiException) as expired:
            next(kubernetes.watch.Watch().stream(core.list_namespaced_config_map, kube_namespace, resource_version=since, timeout_seconds=5))
        watch = kubernetes.watch.Watch()
        events = watch.stream(core.list_namespaced_config_map, kube_namespace, resource_version=recent, timeout_seconds=5)
        seen = take(events, 1)
        watch.stop()
    assert expired.value.status == 410 and "too old resource version" in str(expired.value.reason)
    assert seen == [("ADDED", "cm-11")]
