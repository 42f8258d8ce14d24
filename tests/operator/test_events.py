"""The operator's Events on the Kubernetes API emulator: a repeat is counted on the Event it repeats, as client-go's
EventCorrelator does, instead of posting another."""

from __future__ import annotations

from typing import Any

from llmops_operator import events

from tests.operator.conftest import Cluster, unique


def team(k8s: Cluster, namespace: str) -> dict[str, Any]:
    return k8s.create("LiteLLMTeam", namespace, unique("ev"), {"instanceRef": {"name": "gw"}, "teamAlias": "Events"})


def posted(k8s: Cluster, namespace: str, name: str) -> list[Any]:
    return sorted(k8s.events(namespace, name), key=lambda e: (e.reason, e.message))


def test_a_repeated_event_is_counted_on_the_first(k8s: Cluster, operator_crds: Any, kube_namespace: str) -> None:
    body = team(k8s, kube_namespace)
    name = body["metadata"]["name"]
    recorder = events.Recorder(k8s.api)
    first = recorder.post(body, "Warning", "ReconcileFailed", "LiteLLM did not answer")
    again = recorder.post(body, "Warning", "ReconcileFailed", "LiteLLM did not answer")
    assert again["metadata"]["name"] == first["metadata"]["name"]

    found = posted(k8s, kube_namespace, name)
    assert [(e.reason, e.type, e.count) for e in found] == [("ReconcileFailed", "Warning", 2)]
    event = found[0]
    assert event.involved_object.uid == body["metadata"]["uid"] and event.involved_object.kind == "LiteLLMTeam"
    assert event.first_timestamp <= event.last_timestamp and again["lastTimestamp"] != first["lastTimestamp"]

    # another message, type or reason is another Event; the first keeps its count
    recorder.post(body, "Warning", "ReconcileFailed", "LiteLLM answered 500")
    recorder.post(body, "Normal", "Reconciled", "LiteLLMTeam reconciled: 1 change(s)")
    found = posted(k8s, kube_namespace, name)
    assert [(e.reason, e.message, e.count) for e in found] == [
        ("ReconcileFailed", "LiteLLM answered 500", 1), ("ReconcileFailed", "LiteLLM did not answer", 2),
        ("Reconciled", "LiteLLMTeam reconciled: 1 change(s)", 1)]


def test_a_repeat_of_an_event_deleted_meanwhile_is_new(k8s: Cluster, operator_crds: Any, kube_namespace: str) -> None:
    body = team(k8s, kube_namespace)
    recorder = events.Recorder(k8s.api)
    first = recorder.post(body, "Normal", "InSync", "drift check: LiteLLM matches the spec")
    k8s.core.delete_namespaced_event(first["metadata"]["name"], kube_namespace)  # expired by its TTL
    recorder.post(body, "Normal", "InSync", "drift check: LiteLLM matches the spec")
    assert [(e.reason, e.count) for e in posted(k8s, kube_namespace, body["metadata"]["name"])] == [("InSync", 1)]


def test_the_handlers_post_in_the_background(k8s: Cluster, operator_crds: Any, kube_namespace: str) -> None:
    """``events.info``/``warn`` (what the handlers call): queued, posted in order, a repeat counted."""
    body = team(k8s, kube_namespace)
    events.configure(k8s.api)
    for message in ["claimed by another custom resource"] * 3:
        events.warn(body, reason="Conflict", message=message)
    events.info(body, reason="Reconciled", message="LiteLLMTeam reconciled: 0 change(s)")
    events.flush()
    found = posted(k8s, kube_namespace, body["metadata"]["name"])
    assert [(e.reason, e.type, e.count) for e in found] == [("Conflict", "Warning", 3), ("Reconciled", "Normal", 1)]
