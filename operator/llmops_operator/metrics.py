"""The operator's Prometheus metrics (prometheus_client), served on ``/metrics`` by ``serve``.

The handlers report through a few calls: ``Run`` (one ansible-runner run: queued, running, finished, with the
LiteLLM requests it made), ``reconciled``, ``drift_detected`` / ``drift_repaired`` / ``drift_accepted``, and
``observe`` / ``forget`` (the CRs' status conditions). Labels are bounded: a CR kind, a run mode, a playbook file
name, an outcome, a namespace (on the condition gauges only), an HTTP method, a LiteLLM route template and a status
class; never a CR's name, an id or a key.

LiteLLM requests happen in the runs' module processes, not here: the operator names a fresh file in the run's
environment (``LLMOPS_OPERATOR_REQUEST_LOG``), the collection's HTTP client appends one JSON line per request to it
(method, route template, status, seconds) and ``fold`` reads it into the histogram when the run ends.

Operator SDK roles post their own metrics with ``operator_sdk.util.osdk_metric`` to ansible-operator's metrics
listener (``POST /metrics`` on port 5050, JSON ``{name, description, counter|gauge|histogram|summary}``):
``serve_user_metrics`` is that listener and ``user_metric`` registers and updates them in the registry that
``/metrics`` serves, as ansible-operator does with controller-runtime's.
"""

from __future__ import annotations

import collections
import contextlib
import http.server
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, Summary, disable_created_metrics, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from llmops_operator import httpd

disable_created_metrics()  # no ``*_created`` series: they double the series count and no panel needs them
LOG = logging.getLogger("llmops_operator.metrics")
PREFIX = "llmops_operator_"
DEFAULT_PORT = 8383
REQUEST_LOG_ENV = "LLMOPS_OPERATOR_REQUEST_LOG"  # the same name as plugins/module_utils/_client.py's
METHODS = frozenset(("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"))
ROUTE = re.compile(r"^(/([a-z0-9_.-]+|\{id\}))+$")
MAX_ROUTE = 120

RUNS = Counter(PREFIX + "runs", "ansible-runner runs by CR kind, mode (reconcile, batch, delete, drift, prune) and "
               "outcome (success, failure)", ["kind", "mode", "outcome"])
RUN_SECONDS = Histogram(PREFIX + "run_duration_seconds", "Duration of ansible-runner runs (without the wait for a "
                        "worker slot) by CR kind, mode and playbook file", ["kind", "mode", "playbook"],
                        buckets=(0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300, 600))
LAST_SUCCESS = Gauge(PREFIX + "last_successful_run_timestamp_seconds", "Unix time of the last successful run by "
                     "CR kind (any mode)", ["kind"])
RECONCILES = Counter(PREFIX + "reconciles", "Reconcile handler results by CR kind and outcome (success; error: "
                     "retried; permanent_error: invalid spec or licence, not retried; waiting: a reference is "
                     "missing, no run)", ["kind", "outcome"])
DRIFT_DETECTED = Counter(PREFIX + "drift_detected", "Drift checks that found LiteLLM differing from the spec, by CR "
                         "kind and conflictResolution policy", ["kind", "policy"])
DRIFT_REPAIRED = Counter(PREFIX + "drift_repaired", "Drift put back to the spec in LiteLLM (crd-wins) by CR kind",
                         ["kind"])
DRIFT_ACCEPTED = Counter(PREFIX + "drift_accepted", "Drift taken from LiteLLM into the spec (api-wins) by CR kind",
                         ["kind"])
QUEUED = Gauge(PREFIX + "runs_queued", "Runs waiting for a worker slot")
IN_FLIGHT = Gauge(PREFIX + "runs_in_flight", "Runs holding a worker slot")
SLOTS = Gauge(PREFIX + "run_slots", "Worker slots (MAX_CONCURRENT_RECONCILES)")
API_SECONDS = Histogram(PREFIX + "litellm_request_duration_seconds", "LiteLLM API requests made by the runs, by "
                        "HTTP method, route template and status class (2xx, 3xx, 4xx, 5xx; error: no answer)",
                        ["method", "route", "status_class"],
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


class Conditions(Collector):
    """``llmops_operator_resources`` and ``llmops_operator_resource_conditions`` from the last body seen of each CR."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {}

    def observe(self, kind: str, body: Mapping[str, Any]) -> None:
        meta = body.get("metadata") or {}
        conditions = ((body.get("status") or {}).get("conditions")) or []
        pairs = tuple(sorted({(str(c.get("type")), str(c.get("status"))) for c in conditions
                              if isinstance(c, Mapping) and c.get("type")}))
        with self.lock:
            self.seen[_uid(meta)] = (kind, meta.get("namespace") or "", pairs)

    def forget(self, body: Mapping[str, Any]) -> None:
        with self.lock:
            self.seen.pop(_uid(body.get("metadata") or {}), None)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.lock:
            seen = list(self.seen.values())
        resources = GaugeMetricFamily(PREFIX + "resources", "Custom resources the operator watches, by kind and "
                                      "namespace", labels=["kind", "namespace"])
        by_condition = GaugeMetricFamily(PREFIX + "resource_conditions", "Custom resources by kind, namespace, "
                                         "status condition type and its status (True, False, Unknown)",
                                         labels=["kind", "namespace", "condition", "status"])
        counted = collections.Counter((kind, namespace) for kind, namespace, _pairs in seen)
        for labels, count in sorted(counted.items()):
            resources.add_metric(list(labels), count)
        conditions = collections.Counter((kind, namespace, *pair) for kind, namespace, pairs in seen for pair in pairs)
        for labels, count in sorted(conditions.items()):
            by_condition.add_metric(list(labels), count)
        yield resources
        yield by_condition

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())


CONDITIONS = Conditions()
REGISTRY.register(CONDITIONS)


def _uid(meta: Mapping[str, Any]) -> str:
    return str(meta.get("uid") or f"{meta.get('namespace', '')}/{meta.get('name', '')}")


def serve(port: int, address: str = "0.0.0.0") -> None:
    """Serve ``/metrics`` on ``address:port`` in a daemon thread (port 0: no metrics endpoint)."""
    if port:
        start_http_server(port, address)
        LOG.info("Metrics on http://%s:%d/metrics", address, port)


def port_from_env(env: Mapping[str, str]) -> int:
    """``LLMOPS_OPERATOR_METRICS_PORT`` (0 disables the endpoint), else 8383."""
    value = env.get("LLMOPS_OPERATOR_METRICS_PORT", "").strip()
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or int(value) > 65535:
        raise ValueError(f"LLMOPS_OPERATOR_METRICS_PORT: {value!r} is not a port number (0 disables metrics)")
    return int(value)


def set_slots(slots: int) -> None:
    SLOTS.set(slots)


def reconciled(kind: str, outcome: str) -> None:
    RECONCILES.labels(kind, outcome).inc()


def drift_detected(kind: str, policy: str) -> None:
    DRIFT_DETECTED.labels(kind, policy).inc()


def drift_repaired(kind: str) -> None:
    DRIFT_REPAIRED.labels(kind).inc()


def drift_accepted(kind: str) -> None:
    DRIFT_ACCEPTED.labels(kind).inc()


def observe(kind: str, body: Mapping[str, Any]) -> None:
    """Record the CR's current status conditions (call it with every body seen)."""
    CONDITIONS.observe(kind, body)


def forget(body: Mapping[str, Any]) -> None:
    """The CR is gone: drop it from the condition gauges."""
    CONDITIONS.forget(body)


def status_class(status: Any) -> str:
    return f"{status // 100}xx" if isinstance(status, int) and not isinstance(status, bool) and 100 <= status < 600 else "error"


def fold(lines: Iterable[str]) -> int:
    """Observe each well-formed request line (method, route template, status, seconds); return how many.

    A line that is not exactly that (bad JSON, an unknown method, a route with characters an id could hold,
    other fields) is skipped: the file is written by another process and must not widen the labels.
    """
    folded = 0
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or set(entry) != {"method", "route", "status", "seconds"}:
            continue
        method, route, status, seconds = entry["method"], entry["route"], entry["status"], entry["seconds"]
        if (method not in METHODS or not isinstance(route, str) or len(route) > MAX_ROUTE or not ROUTE.match(route)
                or not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0
                or not (status is None or isinstance(status, int))):
            continue
        API_SECONDS.labels(method, route, status_class(status)).observe(seconds)
        folded += 1
    return folded


class Run:
    """One ansible-runner run, as a context manager around the wait for a slot and the run::

        with metrics.Run(kind, mode, playbook) as run:
            async with slots:
                run.start()
                result = ...run it with run.env...
            run.finish(result.ok)

    ``env`` names the run's request log; leaving the block folds and deletes it. A run left by an exception
    counts as a failure.
    """

    def __init__(self, kind: str, mode: str, playbook: str) -> None:
        self.kind, self.mode, self.playbook = kind, mode, playbook
        self.started: float | None = None
        self.done = False
        fd, self.log = tempfile.mkstemp(prefix="llmops-requests-", suffix=".jsonl")
        os.close(fd)
        self.env = {REQUEST_LOG_ENV: self.log}

    def __enter__(self) -> Run:
        QUEUED.inc()
        return self

    def start(self) -> None:
        QUEUED.dec()
        IN_FLIGHT.inc()
        self.started = time.monotonic()

    def finish(self, ok: bool) -> None:
        if self.done:
            return
        self.done = True
        if self.started is None:
            QUEUED.dec()
        else:
            IN_FLIGHT.dec()
            RUN_SECONDS.labels(self.kind, self.mode, self.playbook).observe(time.monotonic() - self.started)
            RUNS.labels(self.kind, self.mode, "success" if ok else "failure").inc()
            if ok:
                LAST_SUCCESS.labels(self.kind).set_to_current_time()
        self.fold()

    def fold(self) -> None:
        with contextlib.suppress(OSError), open(self.log, encoding="utf-8", errors="replace") as stream:
            fold(stream)
        with contextlib.suppress(OSError):
            os.unlink(self.log)

    def __exit__(self, *exc: object) -> None:
        self.finish(False)


USER_TYPES = {"counter": Counter, "gauge": Gauge, "histogram": Histogram, "summary": Summary}
USER_METRICS: dict[str, Any] = {}
USER_LOCK = threading.Lock()
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: {value!r} is not a number")
    return float(value)


def user_metric(spec: Any) -> None:
    """Create (first use) and update one metric posted by ``osdk_metric``; ValueError names what is wrong."""
    if not isinstance(spec, dict):
        raise ValueError("the request must be a JSON object")
    name = spec.get("name")
    if not isinstance(name, str) or not METRIC_NAME.match(name) or name.startswith(PREFIX):
        raise ValueError(f"name: {name!r} is not a metric name (letters, digits, _ and :, not {PREFIX}*)")
    kinds = [kind for kind in USER_TYPES if spec.get(kind) is not None]
    if len(kinds) != 1:
        raise ValueError(f"{name}: a request needs exactly one of counter, gauge, histogram, summary")
    kind, args = kinds[0], spec[kinds[0]]
    if not isinstance(args, dict):
        raise ValueError(f"{name}.{kind}: must be an object")
    with USER_LOCK:
        metric = USER_METRICS.get(name)
        if metric is None:
            metric = USER_TYPES[kind](name, str(spec.get("description") or name))
            USER_METRICS[name] = metric
        elif not isinstance(metric, USER_TYPES[kind]):
            raise ValueError(f"cannot change metric type of {name}, which is a {type(metric).__name__.lower()}")
        _apply(metric, kind, name, args)


def _apply(metric: Any, kind: str, name: str, args: dict[str, Any]) -> None:
    """The first operation given, in ansible-operator's order."""
    if kind == "counter":
        if args.get("increment"):
            metric.inc()
        elif args.get("add") is not None:
            amount = _number(args["add"], f"{name}.counter.add")
            if amount < 0:
                raise ValueError(f"{name}: counter metrics cannot decrease in value")
            metric.inc(amount)
    elif kind == "gauge":
        if args.get("increment"):
            metric.inc()
        elif args.get("decrement"):
            metric.dec()
        elif args.get("add") is not None:
            metric.inc(_number(args["add"], f"{name}.gauge.add"))
        elif args.get("subtract") is not None:
            metric.dec(_number(args["subtract"], f"{name}.gauge.subtract"))
        elif args.get("set") is not None:
            metric.set(_number(args["set"], f"{name}.gauge.set"))
        elif args.get("set_to_current_time"):
            metric.set_to_current_time()
    elif args.get("observe") is not None:
        metric.observe(_number(args["observe"], f"{name}.{kind}.observe"))


class _UserMetricsHandler(httpd.Handler):
    log, log_name = LOG, "osdk_metric listener"

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path.split("?")[0] != "/metrics":
            self._answer(404, "not found")
            return
        try:
            user_metric(json.loads(body or b"null"))
        except ValueError as exc:
            self._answer(400, str(exc))
            return
        self._answer(200, "")

    def _answer(self, code: int, message: str) -> None:
        self.answer(code, message.encode(), "text/plain; charset=utf-8")


def serve_user_metrics(port: int, address: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """ansible-operator's metrics listener for ``osdk_metric`` (``POST /metrics``) in a daemon thread; port 0: any."""
    server = httpd.serve(_UserMetricsHandler, port, address, "osdk-metrics")
    LOG.info("osdk_metric listener on http://%s:%d/metrics", address, server.server_address[1])
    return server
