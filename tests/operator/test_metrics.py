"""The operator's Prometheus metrics: the request log of the collection's client, its fold, ``/metrics`` of a running
operator while CRs converge against the real LiteLLM, and the dashboard and alerts of deploy/monitoring/ checked
against the metrics the operator really exports.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import requests
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import REPO, ensure_collection_link
from tests.lib.stack import LiteLLMProxy, free_port
from tests.operator.conftest import (
    Cluster,
    OperatorProcess,
    external_instance,
    is_true,
    operator_watches,
    start_operator,
    unique,
    wait_for,
)

sys.path.insert(0, str(ensure_collection_link()))  # the collection as Ansible imports it (as tests/unit do)
from ansible_collections.llmops.litellm.plugins.module_utils import _client  # isort: skip  # noqa: E402
from ansible_collections.llmops.litellm.plugins.module_utils import _model_discovery  # isort: skip  # noqa: E402
from llmops_operator import metrics  # isort: skip  # noqa: E402
from llmops_operator.__main__ import main  # isort: skip  # noqa: E402

MONITORING = REPO / "deploy" / "monitoring"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


# --- the request log: the collection's client writes it, the operator folds it --------------------------------

def route_literals() -> set[str]:
    """Every LiteLLM route the collection's module_utils name (``/key/%s/regenerate`` and an Endpoint's
    ``/prompts/{prompt_id}`` written ``/key/{id}/...``, ``/prompts/{id}``)."""
    found = set()
    for path in (REPO / "plugins" / "module_utils").rglob("*.py"):
        for literal in re.findall(r'"(/[A-Za-z0-9_./{}%-]+)"', path.read_text()):
            found.add(re.sub(r"\{[A-Za-z_]+\}", "{id}", literal.replace("%s", "{id}")))
    return found - {_model_discovery.PROVIDER_MODELS}  # a provider's route, called unlogged: not LiteLLM's


@pytest.mark.parametrize("object_id", ["3f2b9c1e-8d4a-4f6b-9a0e-1c2d3e4f5a6b", "openai", "Team-1", "a" * 64, "x y/z"])
def test_route_template_keeps_route_words_and_hides_every_id(object_id: str) -> None:
    """Any segment outside the route words is ``{id}`` (an id that is itself a route word, e.g. a credential named
    ``team``, stays: the labels remain bounded by the words)."""
    routes = route_literals()
    assert {"/team/new", "/key/{id}/regenerate", "/model/{id}/update", "/credentials/by_name/{id}"} <= routes
    for route in routes:
        concrete = route.replace("{id}", requests.utils.quote(object_id, safe=""))
        assert _client.route_template(concrete + "?team_id=" + object_id) == route, concrete
        assert metrics.ROUTE.match(route), f"{route}: the operator's fold would drop it"


def test_the_client_logs_method_route_status_and_seconds_only(litellm_proxy: LiteLLMProxy, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "requests.jsonl"
    monkeypatch.setenv(_client.REQUEST_LOG_ENV, str(log))
    client = _client.Client(litellm_proxy.url, litellm_proxy.master_key, retries=0)
    client.get("/team/list")
    team_id = "metrics-" + unique("missing")
    with pytest.raises(_client.LiteLLMError):
        client.get("/team/info", params={"team_id": team_id})
    with pytest.raises(_client.LiteLLMError):
        _client.Client("http://127.0.0.1:%d" % free_port(), litellm_proxy.master_key, retries=0).get("/key/list")
    monkeypatch.delenv(_client.REQUEST_LOG_ENV)
    client.get("/team/list")  # not logged: the variable is gone
    lines = log.read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [(e["method"], e["route"]) for e in entries] == [("GET", "/team/list"), ("GET", "/team/info"), ("GET", "/key/list")]
    assert entries[0]["status"] == 200 and 400 <= entries[1]["status"] < 500 and entries[2]["status"] is None
    assert all(set(e) == {"method", "route", "status", "seconds"} and e["seconds"] >= 0 for e in entries)
    text = log.read_text()
    assert litellm_proxy.master_key not in text and team_id not in text and "Bearer" not in text
    assert (log.stat().st_mode & 0o777) == 0o600


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_fold_observes_well_formed_lines_and_skips_the_rest() -> None:
    route = "/test_fold/" + unique("r").replace("-", "_")  # a route of its own: the registry is the process's
    good = [{"method": "POST", "route": route, "status": 200, "seconds": 0.02},
            {"method": "POST", "route": route, "status": 503, "seconds": 1.5},
            {"method": "POST", "route": route, "status": None, "seconds": 0.5}]
    bad = [
        "not json", "[]", json.dumps({"method": "POST", "route": route, "status": 200}),  # a field missing
        json.dumps({"method": "POST", "route": route, "status": 200, "seconds": 1, "key": "sk-secret"}),  # one more
        json.dumps({"method": "BREW", "route": route, "status": 200, "seconds": 1}),
        json.dumps({"method": "POST", "route": "/team/info?team_id=abc", "status": 200, "seconds": 1}),
        json.dumps({"method": "POST", "route": "/key/sk-ABC123", "status": 200, "seconds": 1}),  # upper case: not a route
        json.dumps({"method": "POST", "route": route, "status": "200", "seconds": 1}),
        json.dumps({"method": "POST", "route": route, "status": 200, "seconds": -1}),
        json.dumps({"method": "POST", "route": "/" + "a" * 200, "status": 200, "seconds": 1}),
    ]
    assert metrics.fold([json.dumps(e) for e in good[:1]] + bad + [json.dumps(e) for e in good[1:]]) == 3
    count = "llmops_operator_litellm_request_duration_seconds_count"
    assert sample(count, method="POST", route=route, status_class="2xx") == 1
    assert sample(count, method="POST", route=route, status_class="5xx") == 1
    assert sample(count, method="POST", route=route, status_class="error") == 1
    assert sample("llmops_operator_litellm_request_duration_seconds_sum", method="POST", route=route, status_class="5xx") == 1.5
    text = generate_latest(metrics.REGISTRY).decode()
    assert "sk-secret" not in text and "sk-ABC123" not in text and "team_id=abc" not in text


def test_metrics_port_from_the_environment() -> None:
    assert metrics.port_from_env({}) == 8383
    assert metrics.port_from_env({"LLMOPS_OPERATOR_METRICS_PORT": "0"}) == 0
    assert metrics.port_from_env({"LLMOPS_OPERATOR_METRICS_PORT": "9100"}) == 9100
    with pytest.raises(ValueError, match="LLMOPS_OPERATOR_METRICS_PORT: 'http' is not a port number"):
        metrics.port_from_env({"LLMOPS_OPERATOR_METRICS_PORT": "http"})


def test_a_taken_metrics_port_stops_the_operator_with_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--standalone", "--metrics-port", str(port)]) == 2
    assert f"cannot serve metrics on port {port}: Address already in use" in capsys.readouterr().err


# --- a running operator --------------------------------------------------------------------------------------

@dataclasses.dataclass
class Env:
    k8s: Cluster
    proxy: LiteLLMProxy
    operator: OperatorProcess
    namespace: str
    prefix: str
    url: str

    def scrape(self) -> str:
        response = requests.get(self.url, timeout=10)
        response.raise_for_status()
        return response.text

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        return self.k8s.get(kind, self.namespace, name)


def samples(text: str) -> Samples:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(v for (n, sample_labels), v in found.items() if n == name and set(labels.items()) <= set(sample_labels))


def exported(text: str) -> dict[str, set[str]]:
    """The metric families of a scrape and their series names (a histogram's _bucket/_count/_sum, a counter's
    _total), from the families' types: a family without samples yet is exported all the same."""
    suffixes = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("_total",)}
    return {family.name: {family.name + suffix for suffix in suffixes.get(family.type, ("",))}
            for family in text_string_to_metric_families(text)}


@pytest.fixture(scope="module")
def env(kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    workdir = tmp_path_factory.mktemp("metrics")
    namespace = k8s.namespace(unique("metrics"))
    prefix = unique("metrics")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key,
                      config_sync={"interval": "2s", "conflictResolution": "crd-wins"})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMTeam", "LiteLLMVirtualKey"))
    port = free_port()
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,),
                        LLMOPS_OPERATOR_METRICS_PORT=str(port)) as operator:
        env = Env(k8s, litellm_proxy, operator, namespace, prefix, f"http://127.0.0.1:{port}/metrics")
        wait_for(lambda: _answers(env.url), "the operator serves /metrics")
        yield env
        for team in [t for t in litellm_proxy.api("GET", "/team/list").json() if str(t.get("team_alias", "")).startswith(prefix)]:
            litellm_proxy.api("POST", "/team/delete", json={"team_ids": [team["team_id"]]})


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_counters_move_while_crs_converge_and_drift_is_repaired(env: Env) -> None:
    before = samples(env.scrape())
    assert value(before, "llmops_operator_run_slots") == 4
    team_alias = f"{env.prefix}-eng"
    env.k8s.create("LiteLLMTeam", env.namespace, "eng", {"instanceRef": {"name": "gw"}, "teamAlias": team_alias, "maxBudget": 5})
    env.k8s.create("LiteLLMVirtualKey", env.namespace, "ci", {
        "instanceRef": {"name": "gw"}, "keyAlias": f"{env.prefix}-ci", "teamRef": {"name": "eng"}, "maxBudget": 3})
    for kind, name in (("LiteLLMTeam", "eng"), ("LiteLLMVirtualKey", "ci")):
        wait_for(lambda kind=kind, name=name: is_true(env.get(kind, name), "Ready"), f"{kind} {name} Ready")
    key_value = (env.k8s.read_secret(env.namespace, "ci-key") or {}).get("api_key")
    assert key_value and key_value.startswith("sk-")

    def ready_in_metrics() -> Samples | None:
        found = samples(env.scrape())
        ready = [value(found, "llmops_operator_resource_conditions", kind=kind, namespace=env.namespace,
                       condition="Ready", status="True") for kind in ("LiteLLMTeam", "LiteLLMVirtualKey")]
        return found if ready == [1, 1] else None
    after = wait_for(ready_in_metrics, "the condition gauge shows the team and the key Ready")

    # a team's and a new virtual key's reconciles ride their instance's batch (docs/operator.md, "Batched reconcile":
    # runs counted under LiteLLMInstance, mode batch)
    runs_of = {"LiteLLMTeam": ("LiteLLMInstance", "batch"), "LiteLLMVirtualKey": ("LiteLLMInstance", "batch")}
    for kind, (run_kind, mode) in runs_of.items():
        assert value(after, "llmops_operator_reconciles_total", kind=kind, outcome="success") > \
            value(before, "llmops_operator_reconciles_total", kind=kind, outcome="success"), kind
        assert value(after, "llmops_operator_runs_total", kind=run_kind, mode=mode, outcome="success") > \
            value(before, "llmops_operator_runs_total", kind=run_kind, mode=mode, outcome="success"), kind
        assert value(after, "llmops_operator_run_duration_seconds_count", kind=run_kind, mode=mode) > \
            value(before, "llmops_operator_run_duration_seconds_count", kind=run_kind, mode=mode), kind
        assert value(after, "llmops_operator_resources", kind=kind, namespace=env.namespace) == 1
        assert value(after, "llmops_operator_last_successful_run_timestamp_seconds", kind=run_kind) > 0
    for kind in runs_of:
        assert value(after, "llmops_operator_runs_total", kind=kind, mode="reconcile") == \
            value(before, "llmops_operator_runs_total", kind=kind, mode="reconcile"), f"no per-CR run of {kind}"
    assert value(after, "llmops_operator_run_duration_seconds_count", kind="LiteLLMInstance", playbook="batch.yml") > 0
    for method, route in (("POST", "/team/new"), ("POST", "/key/generate")):
        assert value(after, "llmops_operator_litellm_request_duration_seconds_count", method=method, route=route,
                     status_class="2xx") > value(before, "llmops_operator_litellm_request_duration_seconds_count",
                                                 method=method, route=route, status_class="2xx"), route
    assert value(after, "llmops_operator_runs_queued") == 0 and value(after, "llmops_operator_runs_in_flight") >= 0

    # Drift: the team changed behind the operator's back; crd-wins detects and repairs it.
    team_id = env.get("LiteLLMTeam", "eng")["status"]["litellmId"]
    env.proxy.api("POST", "/team/update", json={"team_id": team_id, "max_budget": 9}).raise_for_status()
    wait_for(lambda: "DriftRepaired" in env.k8s.reasons(env.namespace, "eng"), "crd-wins repairs the drift")

    def drift_counted() -> Samples | None:
        found = samples(env.scrape())
        return found if value(found, "llmops_operator_drift_repaired_total", kind="LiteLLMTeam") > \
            value(after, "llmops_operator_drift_repaired_total", kind="LiteLLMTeam") else None
    drifted = wait_for(drift_counted, "drift repaired counted")
    assert value(drifted, "llmops_operator_drift_detected_total", kind="LiteLLMTeam", policy="crd-wins") > \
        value(after, "llmops_operator_drift_detected_total", kind="LiteLLMTeam", policy="crd-wins")
    # one drift run per instance covers its custom resources: counted under LiteLLMInstance
    assert value(drifted, "llmops_operator_runs_total", kind="LiteLLMInstance", mode="drift", outcome="success") > 0
    assert value(drifted, "llmops_operator_litellm_request_duration_seconds_count", method="POST", route="/team/update") > 0

    text = env.scrape()
    for secret in (env.proxy.master_key, key_value, team_id):
        assert secret not in text, "a secret or an id in /metrics"
    assert "eng" not in re.findall(r'"([^"]*)"', text), "a CR name in a label"
    assert "Handler 'metrics' succeeded." not in env.operator.log, "the per-event handler is not logged"

    # Deleted CRs leave the condition gauges.
    env.k8s.delete("LiteLLMVirtualKey", env.namespace, "ci")
    env.k8s.delete("LiteLLMTeam", env.namespace, "eng")
    for kind, name in (("LiteLLMVirtualKey", "ci"), ("LiteLLMTeam", "eng")):
        wait_for(lambda kind=kind, name=name: env.get(kind, name) is None, f"{kind} {name} deleted")
    gone = wait_for(lambda: (found := samples(env.scrape())) and value(
        found, "llmops_operator_resources", namespace=env.namespace) == 0 and found, "the deleted CRs leave the gauges")
    assert value(gone, "llmops_operator_resource_conditions", namespace=env.namespace) == 0
    # the deletions ride the instance's batch too (no per-CR finalizer run)
    assert value(gone, "llmops_operator_runs_total", kind="LiteLLMInstance", mode="batch", outcome="success") > \
        value(drifted, "llmops_operator_runs_total", kind="LiteLLMInstance", mode="batch", outcome="success")
    assert value(gone, "llmops_operator_runs_total", kind="LiteLLMTeam", mode="delete") == \
        value(before, "llmops_operator_runs_total", kind="LiteLLMTeam", mode="delete"), "no per-CR deletion run"


# --- deploy/monitoring: the dashboard and the alerts name only what the operator exports -------------------------

GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def promql_names(expr: str) -> set[str]:
    """The metric names an expression selects (Grafana's interval variables replaced by a duration first)."""
    for variable, duration in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, duration)
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"{expr}: a selector without a metric name"
            names.add(node.name)
    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def dashboard_queries() -> list[str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", []) if target.get("expr")]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
            match = re.fullmatch(r"label_values\((.+),\s*\w+\)", query)
            assert match, f"dashboard variable {variable['name']}: {query!r} is not label_values(<selector>, <label>)"
            queries.append(match.group(1))
    return queries


def rules() -> list[dict[str, Any]]:
    rule = yaml.safe_load((MONITORING / "prometheusrule.yaml").read_text())
    assert rule["apiVersion"] == "monitoring.coreos.com/v1" and rule["kind"] == "PrometheusRule"
    assert rule["metadata"]["name"] and set(rule["spec"]) == {"groups"}
    found = []
    for group in rule["spec"]["groups"]:
        assert group["name"] and group["rules"], group
        for entry in group["rules"]:
            assert set(entry) <= {"alert", "record", "expr", "for", "labels", "annotations", "keep_firing_for"}, entry
            found.append(entry)
    return found


def test_the_prometheusrule_is_well_formed() -> None:
    entries = rules()
    alerts = {entry["alert"] for entry in entries if "alert" in entry}
    assert len(alerts) == len([entry for entry in entries if "alert" in entry]), "alert names are unique"
    assert {"LLMOpsOperatorReconcileFailures", "LLMOpsOperatorDriftPersisting", "LLMOpsOperatorNoSuccessfulRun",
            "LLMOpsOperatorRunBacklog", "LLMOpsOperatorLiteLLMAPIErrors"} <= alerts
    for entry in entries:
        assert promql_names(entry["expr"]), entry
        if "alert" in entry:
            assert re.fullmatch(r"\d+[smh]", entry.get("for", "0s")), entry
            assert entry["labels"]["severity"] in {"info", "warning", "critical"}, entry
            assert {"summary", "description", "runbook"} <= set(entry["annotations"]), entry["alert"]


def test_the_dashboard_and_the_alerts_query_only_exported_metrics(env: Env) -> None:
    """Every series the dashboard and the rules select is one the running operator exports."""
    families = exported(env.scrape())
    series = set().union(*families.values())
    dashboard = {name for query in dashboard_queries() for name in promql_names(query)}
    alerting = {name for entry in rules() for name in promql_names(entry["expr"])}
    assert dashboard and alerting
    assert dashboard - series == set(), "the dashboard queries metrics the operator does not export"
    assert alerting - series == set(), "the rules query metrics the operator does not export"
    without_panel = [name for name, names in families.items() if name.startswith(metrics.PREFIX) and not names & dashboard]
    assert without_panel == [], "a metric of the operator without a panel"


def test_the_monitoring_kustomization_lists_its_files() -> None:
    kustomization = yaml.safe_load((MONITORING / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"]) | {
        entry.split("=")[-1] for generator in kustomization.get("configMapGenerator", []) for entry in generator["files"]}
    assert listed == {path.name for path in MONITORING.iterdir()} - {"kustomization.yaml"}
    documents = [doc for name in kustomization["resources"] for doc in yaml.safe_load_all((MONITORING / name).read_text()) if doc]
    [monitor] = [doc for doc in documents if doc["kind"] == "ServiceMonitor"]
    manager = yaml.safe_load_all((REPO / "deploy" / "manager" / "metrics_service.yaml").read_text())
    [service] = [doc for doc in manager if doc]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert [e["port"] for e in monitor["spec"]["endpoints"]] == [p["name"] for p in service["spec"]["ports"]] == ["metrics"]
    [deployment] = [doc for doc in yaml.safe_load_all((REPO / "deploy" / "manager" / "deployment.yaml").read_text()) if doc]
    ports = {p["name"]: p["containerPort"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]}
    assert ports["metrics"] == 8383 == metrics.DEFAULT_PORT and service["spec"]["ports"][0]["targetPort"] == "metrics"
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    if shutil.which("kubectl"):  # kubectl's own kustomize builds it (the dashboard as a ConfigMap for Grafana)
        built = subprocess.run(["kubectl", "kustomize", str(MONITORING)], check=True, capture_output=True, text=True).stdout
        objects = [doc for doc in yaml.safe_load_all(built) if doc]
        assert sorted(o["kind"] for o in objects) == ["ConfigMap", "PrometheusRule", "ServiceMonitor"]
        [configmap] = [o for o in objects if o["kind"] == "ConfigMap"]
        assert configmap["metadata"]["labels"] == {"grafana_dashboard": "1"}
        assert json.loads(configmap["data"]["grafana-dashboard.json"])["uid"] == "llmops-litellm-operator"
