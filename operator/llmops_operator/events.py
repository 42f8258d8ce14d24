"""The Events the operator posts about its custom resources, aggregated as Kubernetes' own recorder does.

client-go's EventCorrelator keeps the Events it posted by what makes them the same (source, involved object, type,
reason, message): a repeat patches the existing Event's ``count`` and ``lastTimestamp`` instead of creating another,
so a failure retried for hours is one Event counted, not one per retry. Here likewise, with core/v1 Events (the ones
``kubectl describe`` and ``kubectl get events`` read, as Kopf posts them) and a bounded cache of what was posted;
after a restart, a repeat starts a new Event, as with client-go. An Event that was deleted meanwhile (expired by its
TTL) is created again.

``info``/``warn`` take Kopf's arguments and never block the handler: the posting runs in one background thread, in
order. Posting never fails a reconcile; a failed post is logged.
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime
import logging
import threading
import time
from typing import Any

import kubernetes

from llmops_operator.config import MANAGED_BY

LOG = logging.getLogger("llmops_operator.events")
COMPONENT = MANAGED_BY[1]
CACHE_SIZE = 4096  # as client-go's maxLruCacheEntries
MAX_MESSAGE = 1024  # the API server refuses longer messages; Kopf cuts them the same way


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _message(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    half = (MAX_MESSAGE - 3) // 2
    return f"{message[:half]}...{message[-(MAX_MESSAGE - 3 - half):]}"


class Recorder:
    """Posts Events through ``api``; ``post`` aggregates a repeat into the Event it repeats."""

    def __init__(self, api: kubernetes.client.ApiClient, component: str = COMPONENT) -> None:
        self.core = kubernetes.client.CoreV1Api(api)
        self.component = component
        self.lock = threading.Lock()
        # what makes an Event the same -> (its name, its namespace, its count)
        self.posted: collections.OrderedDict[tuple[str, ...], tuple[str, str, int]] = collections.OrderedDict()

    def post(self, body: dict[str, Any], type_: str, reason: str, message: str) -> dict[str, Any]:
        """Post one Event about ``body`` (a custom resource), or count it on the same Event posted before; returns
        the Event as the API server answers."""
        metadata = body.get("metadata") or {}
        involved = {"apiVersion": body.get("apiVersion"), "kind": body.get("kind"), "name": metadata.get("name"),
                    "namespace": metadata.get("namespace"), "uid": metadata.get("uid")}
        namespace = metadata.get("namespace") or "default"  # a cluster-scoped object's Events: as Kopf posts them
        message = _message(message)
        key = (self.component, involved["apiVersion"] or "", involved["kind"] or "", namespace, involved["name"] or "",
               involved["uid"] or "", type_, reason, message)
        now = _now()
        with self.lock:
            known = self.posted.pop(key, None)
            if known is not None:
                name, known_namespace, count = known
                try:
                    event = self.core.patch_namespaced_event(name, known_namespace, [
                        {"op": "replace", "path": "/count", "value": count + 1},
                        {"op": "replace", "path": "/lastTimestamp", "value": now}])
                except kubernetes.client.ApiException as exc:
                    if exc.status != 404:
                        raise
                else:
                    self.posted[key] = (name, known_namespace, count + 1)
                    return self.core.api_client.sanitize_for_serialization(event)
            name = f"{involved['name']}.{time.time_ns():x}"  # client-go's naming
            event = self.core.create_namespaced_event(namespace, {
                "apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": namespace},
                "involvedObject": {k: v for k, v in involved.items() if v}, "type": type_, "reason": reason,
                "message": message, "source": {"component": self.component}, "reportingComponent": self.component,
                "count": 1, "firstTimestamp": now, "lastTimestamp": now})
            self.posted[key] = (name, namespace, 1)
            while len(self.posted) > CACHE_SIZE:
                self.posted.popitem(last=False)
            return self.core.api_client.sanitize_for_serialization(event)


_recorder: Recorder | None = None
_worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="events")


def configure(api: kubernetes.client.ApiClient) -> None:
    """Post through ``api`` from now on (the operator's startup)."""
    global _recorder  # pylint: disable=global-statement
    _recorder = Recorder(api)


def _post(body: dict[str, Any], type_: str, reason: str, message: str) -> None:
    if _recorder is None:
        LOG.warning("Event %s %s not posted: the operator has not started", type_, reason)
        return
    try:
        _recorder.post(body, type_, reason, message)
    except Exception as exc:  # pylint: disable=broad-exception-caught  # Events are auxiliary: never fail a reconcile
        LOG.warning("could not post the Event %s %s of %s: %s", type_, reason,
                    (body.get("metadata") or {}).get("name"), exc)


def info(body: dict[str, Any], *, reason: str, message: str = "") -> None:
    """A Normal Event about ``body``, posted in the background (Kopf's ``kopf.info`` arguments)."""
    _worker.submit(_post, dict(body), "Normal", reason, message)


def warn(body: dict[str, Any], *, reason: str, message: str = "") -> None:
    """A Warning Event about ``body``, posted in the background (Kopf's ``kopf.warn`` arguments)."""
    _worker.submit(_post, dict(body), "Warning", reason, message)


def flush() -> None:
    """Wait until every Event asked for so far is posted (the operator's cleanup)."""
    _worker.submit(lambda: None).result()
