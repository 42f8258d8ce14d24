"""Events: posted and listed through core/v1 and events.k8s.io/v1, which show the same Events."""

from __future__ import annotations

from kubernetes.dynamic import DynamicClient

NOW = "2030-01-01T00:00:00Z"
NOW_MICRO = "2030-01-01T00:00:00.000000Z"


def test_core_events_are_stored_and_seen_through_both_apis(dyn: DynamicClient, kube_namespace: str) -> None:
    events = dyn.resources.get(api_version="v1", kind="Event")
    posted = events.create({
        "metadata": {"generateName": "widget-", "namespace": kube_namespace},
        "involvedObject": {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "namespace": kube_namespace},
        "reason": "Reconciled", "message": "all good", "type": "Normal",
        "source": {"component": "tests"}, "firstTimestamp": NOW, "lastTimestamp": NOW,
    }).to_dict()
    assert posted["metadata"]["name"].startswith("widget-")
    listed = events.get(namespace=kube_namespace, field_selector="involvedObject.name=cm,reason=Reconciled").to_dict()
    assert [(e["metadata"]["name"], e["message"]) for e in listed["items"]] == [(posted["metadata"]["name"], "all good")]
    v1 = dyn.resources.get(api_version="events.k8s.io/v1", kind="Event").get(namespace=kube_namespace).to_dict()
    assert v1["kind"] == "EventList"
    [seen] = v1["items"]
    assert (seen["note"], seen["reason"], seen["regarding"]["name"]) == ("all good", "Reconciled", "cm")


def test_events_k8s_io_events_are_stored_and_seen_as_core_events(dyn: DynamicClient, kube_namespace: str) -> None:
    dyn.resources.get(api_version="events.k8s.io/v1", kind="Event").create({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": "modern", "namespace": kube_namespace},
        "eventTime": NOW_MICRO, "reportingController": "tests/controller", "reportingInstance": "tests-1",
        "action": "Reconcile", "reason": "Done", "note": "modern event", "type": "Normal",
        "regarding": {"apiVersion": "v1", "kind": "Secret", "name": "s", "namespace": kube_namespace},
    })
    core = dyn.resources.get(api_version="v1", kind="Event").get(name="modern", namespace=kube_namespace).to_dict()
    assert (core["message"], core["involvedObject"]["kind"], core["reportingComponent"]) == ("modern event", "Secret", "tests/controller")
