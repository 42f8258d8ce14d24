"""The Grafana dashboard and the PrometheusRule of the role proxy_kubernetes query metrics that exist.

LiteLLM's metrics are read from the installed package's source (litellm/integrations/prometheus.py: every metric
made with ``_counter_factory``, ``_histogram_factory`` or ``_gauge_factory``) with the names prometheus_client
exposes (counters ``_total``, histograms ``_bucket``/``_sum``/``_count``), and their label names from LiteLLM's own
``PrometheusMetricLabels``. The alerts use kube-state-metrics and cAdvisor metrics, listed here.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

ROLE = Path(__file__).resolve().parents[2] / "roles" / "proxy_kubernetes"
FACTORIES = {"_counter_factory": ("_total",), "_histogram_factory": ("_bucket", "_sum", "_count"), "_gauge_factory": ("",)}
# Infrastructure metrics the alerts use: kube-state-metrics and the kubelet's cAdvisor.
KUBERNETES_METRICS = {"kube_deployment_status_replicas_available", "kube_deployment_spec_replicas", "kube_pod_container_status_restarts_total",
                      "kube_pod_status_ready", "kube_pod_container_resource_limits", "container_memory_working_set_bytes",
                      "container_cpu_usage_seconds_total"}
# Labels Prometheus adds to every scraped series (the ServiceMonitor's target labels).
TARGET_LABELS = {"namespace", "service", "pod", "instance", "job", "container", "endpoint"}
METRIC = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")
BY = re.compile(r"\bby \(([^)]*)\)\s*\(?\s*(?:rate|increase)?\(?\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")


def litellm_metrics() -> dict[str, str]:
    """{exposed series name: LiteLLM metric name} of every metric litellm/integrations/prometheus.py defines."""
    spec = importlib.util.find_spec("litellm")  # not imported: the source is enough
    assert spec is not None and spec.submodule_search_locations
    tree = ast.parse((Path(spec.submodule_search_locations[0]) / "integrations" / "prometheus.py").read_text())
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in FACTORIES:
            name = next((k.value for k in node.keywords if k.arg == "name"), node.args[0] if node.args else None)
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found |= {name.value + suffix: name.value for suffix in FACTORIES[node.func.attr]}
    return found


@pytest.fixture(scope="module")
def metric_labels() -> Any:
    """LiteLLM's PrometheusMetricLabels (importing litellm is slow, and needs the local cost map)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from litellm.types.integrations.prometheus import PrometheusMetricLabels  # noqa: PLC0415
    return PrometheusMetricLabels


def dashboard_queries() -> list[str]:
    dashboard = json.loads((ROLE / "files" / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def rule_queries() -> list[str]:
    return re.findall(r"'expr': ('.*?')", (ROLE / "templates" / "prometheusrule.yml.j2").read_text(), flags=re.S)


def test_the_source_has_the_metrics() -> None:
    metrics = litellm_metrics()
    assert len(set(metrics.values())) > 50 and "litellm_proxy_total_requests_metric_total" in metrics


@pytest.mark.parametrize("query", dashboard_queries())
def test_dashboard_metrics_and_labels_exist_in_litellm(query: str, metric_labels: Any) -> None:
    metrics = litellm_metrics()
    used = METRIC.findall(query)
    assert used and all(name in metrics for name in used), f"{used} not among LiteLLM 1.106.2's metrics"
    for labels, series in BY.findall(query):
        known = set(metric_labels.get_labels(metrics[series])) | TARGET_LABELS | {"le"}
        assert {label.strip() for label in labels.split(",")} <= known, f"{series} has no label among {labels}"


def test_rule_metrics_exist() -> None:
    queries = rule_queries()
    assert len(queries) == 6
    used = {name for query in queries for name in METRIC.findall(query)}
    metrics = litellm_metrics()
    assert used and all(name in KUBERNETES_METRICS or name in metrics for name in used), used - KUBERNETES_METRICS
