"""Kopf against the API: create/update/delete handlers, its finalizer, status patches, a timer, Events."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from kopf.testing import KopfRunner
from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import GROUP, wait_until, widget

OPERATOR = textwrap.dedent(f"""
    import logging

    import kopf

    WIDGETS = ("{GROUP}", "v1alpha1", "widgets")


    @kopf.on.startup()
    def configure(settings: kopf.OperatorSettings, **_):
        settings.persistence.finalizer = "{GROUP}/test-operator"
        settings.posting.level = logging.INFO
        settings.watching.server_timeout = 30


    @kopf.on.create(*WIDGETS)
    def created(body, spec, patch, **_):
        patch.status["phase"] = "Created"
        kopf.info(body, reason="Greeting", message=f"hello, widget of size {{spec['size']}}")


    @kopf.on.update(*WIDGETS)
    def updated(spec, patch, **_):
        patch.status["phase"] = "Updated"
        patch.status["size"] = spec["size"]


    @kopf.on.delete(*WIDGETS)
    def deleted(body, **_):
        kopf.info(body, reason="Farewell", message="goodbye")


    @kopf.timer(*WIDGETS, interval=0.2)
    def tick(status, patch, **_):
        patch.status["ticks"] = status.get("ticks", 0) + 1
""")


def test_kopf_operator(tmp_path: Path, dyn: DynamicClient, widgets: Any, kube_namespace: str) -> None:
    operator = tmp_path / "operator.py"
    operator.write_text(OPERATOR)
    events = dyn.resources.get(api_version="v1", kind="Event")

    def reasons() -> set[str]:
        return {event.reason for event in events.get(namespace=kube_namespace, field_selector="involvedObject.name=w1").items}

    def status() -> dict[str, Any]:
        return widgets.get(name="w1", namespace=kube_namespace).to_dict().get("status", {})

    with KopfRunner(["run", "--standalone", "--all-namespaces", str(operator)], timeout=300) as runner:
        widgets.create(widget("w1", kube_namespace, size=2))
        wait_until(lambda: status().get("phase") == "Created", what="the create handler patches the status")
        assert widgets.get(name="w1", namespace=kube_namespace).metadata.finalizers == [f"{GROUP}/test-operator"]
        wait_until(lambda: "Greeting" in reasons(), what="Kopf's Event is posted")
        widgets.patch(name="w1", namespace=kube_namespace, body={"spec": {"size": 3}}, content_type="application/merge-patch+json")
        wait_until(lambda: status().get("phase") == "Updated" and status().get("size") == 3, what="the update handler runs")
        wait_until(lambda: status().get("ticks", 0) >= 3, what="the timer ticks")
        widgets.delete(name="w1", namespace=kube_namespace)
        wait_until(lambda: not widgets.get(namespace=kube_namespace, field_selector="metadata.name=w1").items, what="Kopf releases its finalizer")
        wait_until(lambda: "Farewell" in reasons(), what="the delete handler's Event is posted")
    assert runner.exception is None
    assert runner.exit_code == 0
    assert "Handler 'created' succeeded" in runner.output
    assert "ERROR" not in runner.output and "inconsistencies" not in runner.output, runner.output
