"""One drift check per LiteLLMInstance (operator/llmops_operator/sweep.py) against the real LiteLLM.

Several custom resources of one instance converge with drift checks off; then fields are changed behind the
operator's back (through LiteLLM's API) on exactly K of them, and drift checks are switched on with an interval
longer than the test: the sweep that follows is one ansible-runner run (its artifacts are counted), and it reports
drift on exactly those K resources, by the spec path of the field down to the leaf. The same run applies the
instance's unmanaged-object policy through the engine's own ``unmanaged`` option: a team made in LiteLLM behind the
operator's back (in the instance's name prefix) is reported on the instance, and a rotated key's predecessor
(``<alias>.retiring-<until>``, its key declared by a CR) is not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.stack import LiteLLMProxy, free_port
from tests.operator.conftest import (
    Cluster,
    condition,
    external_instance,
    is_true,
    operator_watches,
    run_spans,
    start_operator,
    unique,
    wait_for,
)

pytestmark = pytest.mark.slow(60)


def instance_runs(port: int) -> dict[tuple[str, str], float]:
    """llmops_operator_runs_total of LiteLLMInstance by (mode, outcome), scraped from the operator's /metrics."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {(s.labels["mode"], s.labels["outcome"]): s.value for family in text_string_to_metric_families(text)
            for s in family.samples if s.name == "llmops_operator_runs_total" and s.labels.get("kind") == "LiteLLMInstance"}


def test_one_run_checks_every_resource_of_an_instance_and_names_the_leaves(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("sweep")
    namespace, prefix = k8s.namespace(unique("sweep")), unique("sweep")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key, config_sync={"enabled": False},
                      annotations={"litellm.llmops.dev/unmanaged-name-prefix": f"{prefix}-"})
    teams = {f"t{i}": {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-t{i}", "maxBudget": 5} for i in range(4)}
    teams["monthly"] = {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-monthly", "maxBudgetMonthly": 10}
    models = {f"m{i}": {"instanceRef": {"name": "gw"}, "modelName": f"{prefix}-m{i}",
                        "litellmParams": {"model": "openai/gpt-4o", "mock_response": "hi", "rpm": 5}} for i in range(2)}
    keys = {"k0": {"instanceRef": {"name": "gw"}, "keyAlias": f"{prefix}-k0", "teamRef": {"name": "t0"}, "maxBudget": 1}}
    created = [("LiteLLMTeam", teams), ("LiteLLMModel", models), ("LiteLLMVirtualKey", keys)]
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMTeam", "LiteLLMModel", "LiteLLMVirtualKey"))
    port = free_port()
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,),
                        LLMOPS_OPERATOR_METRICS_PORT=str(port)) as operator:
        for kind, specs in created:
            for name, spec in specs.items():
                k8s.create(kind, namespace, name, spec)

        def ready(kind: str, name: str) -> dict[str, Any] | None:
            body = k8s.get(kind, namespace, name)
            return body if is_true(body, "Ready") and body["status"].get("observedGeneration") == 1 else None

        ids = {name: wait_for(lambda k=kind, n=name: ready(k, n), f"{kind} {name} Ready")["status"]["litellmId"]
               for kind, specs in created for name in specs}
        sweeps = operator.runner_dir / "drift" / namespace / "gw" / "artifacts"
        assert not sweeps.exists(), "drift checks are off"

        # Behind the operator's back, K = 3 of the N = 8 resources: two teams and one model; and a team no resource
        # declares, and a predecessor of the declared key k0 (as a rotation by succession leaves one).
        litellm_proxy.api("POST", "/team/new", json={"team_alias": f"{prefix}-stray"}).raise_for_status()
        retiring = f"{prefix}-k0.retiring-20991231T000000Z"
        litellm_proxy.api("POST", "/key/generate", json={"key_alias": retiring, "team_id": ids["t0"]}).raise_for_status()
        litellm_proxy.api("POST", "/team/update", json={"team_id": ids["t1"], "max_budget": 9}).raise_for_status()
        litellm_proxy.api("POST", "/team/update", json={"team_id": ids["monthly"], "max_budget": 12}).raise_for_status()
        litellm_proxy.api("PATCH", f"/model/{ids['m1']}/update",
                          json={"litellm_params": {"rpm": 9}}).raise_for_status()

        everything = [(kind, name) for kind, specs in created for name in specs]
        # a converged resource already says Drifted False (its reconcile just made LiteLLM match it)
        versions = {}
        for kind, name in everything:
            body = k8s.get(kind, namespace, name)
            assert condition(body, "Drifted")["status"] == "False" and condition(body, "Drifted")["reason"] == "InSync"
            versions[(kind, name)] = body["metadata"]["resourceVersion"]
        k8s.patch("LiteLLMInstance", namespace, "gw", {"spec": {"configSync": {
            "enabled": True, "interval": "1h", "conflictResolution": "manual"}}})

        def checked() -> dict[tuple[str, str], dict[str, Any]] | None:
            # the sweep is done when the instance has its time (its unmanaged objects are the run's last step)
            if not ((k8s.get("LiteLLMInstance", namespace, "gw") or {}).get("status") or {}).get("lastUnmanagedCheckTime"):
                return None
            return {(kind, name): k8s.get(kind, namespace, name) for kind, name in everything}

        bodies = wait_for(checked, "the instance's resources checked for drift")
        runs = [p for p in sweeps.iterdir() if p.is_dir() and not p.is_symlink()]
        assert len(runs) == 1, f"one run checked all {len(everything)} resources: {runs}"

        drifted = {key: body["status"]["drift"] for key, body in bodies.items() if body["status"].get("drift")}
        assert set(drifted) == {("LiteLLMTeam", "t1"), ("LiteLLMTeam", "monthly"), ("LiteLLMModel", "m1")}, drifted
        assert drifted[("LiteLLMTeam", "t1")] == [{"path": "spec.maxBudget", "desired": 5.0, "live": 9.0}]
        assert drifted[("LiteLLMTeam", "monthly")] == [{"path": "spec.maxBudgetMonthly", "desired": 10.0, "live": 12.0}]
        assert drifted[("LiteLLMModel", "m1")] == [{"path": "spec.litellmParams.rpm", "desired": 5, "live": 9}]
        for key, body in bodies.items():
            assert is_true(body, "Drifted") == (key in drifted), (key, condition(body, "Drifted"))
            assert bool(body["status"].get("lastDriftCheckTime")) == (key in drifted), key
            # the check wrote nothing to a resource in sync: its status already said so
            assert (body["metadata"]["resourceVersion"] == versions[key]) == (key not in drifted), key
        assert "spec.litellmParams.rpm" in condition(bodies[("LiteLLMModel", "m1")], "Drifted")["message"]
        wait_for(lambda: "Drifted" in k8s.reasons(namespace, "m1"), "the Drifted Event")
        assert "Drifted" not in k8s.reasons(namespace, "t0"), "no Event where nothing differs"
        assert (litellm_proxy.api("GET", "/team/info", params={"team_id": ids["t1"]}).json()["team_info"]
                ["max_budget"]) == 9, "manual writes nothing"

        # The same run found the objects no resource declares: no run of its own (runs_total by mode, and the
        # runner's private data dirs: only reconciles and this one check).
        instance = wait_for(lambda: (k8s.get("LiteLLMInstance", namespace, "gw") or {}).get("status", {}).get("unmanaged")
                            is not None and k8s.get("LiteLLMInstance", namespace, "gw"), "status.unmanaged written")
        assert instance["status"]["unmanaged"] == [{"kind": "LiteLLMTeam", "name": f"{prefix}-stray"}]
        assert instance["status"]["lastUnmanagedCheckTime"]
        wait_for(lambda: any(e.reason == "Unmanaged" and f"LiteLLMTeam {prefix}-stray" in e.message
                             for e in k8s.events(namespace, "gw")), "the Unmanaged Event on the instance")
        assert retiring not in json.dumps(instance["status"]), "a key's predecessor is not unmanaged"
        # reconciles: the instance's batches (teams, models) and the per-CR runs of the kinds not batched (keys)
        # (documents: the batches' 0600 document files, no run)
        dirs = {p.name for p in operator.runner_dir.iterdir() if not p.name.startswith(".")} - {"documents"}
        assert "drift" in dirs and dirs - {"drift"} <= {"batch", "litellmmodel", "litellmteam", "litellmvirtualkey"}, \
            f"no other run than reconciles and the check: {sorted(dirs)}"
        assert [p.name for p in (operator.runner_dir / "drift" / namespace).iterdir()] == ["gw"], "the instance's own"
        # the runs of the instance as a whole never overlap (Shim.instance_runs)
        spans = run_spans(operator.runner_dir, namespace, "gw")
        assert {name.split("/")[0] for _start, _end, name in spans} == {"batch", "drift"}, spans
        for (_start, end, before), (start, _end, after) in zip(spans, spans[1:]):
            assert start >= end, f"{after} started before {before} ended"
        runs = instance_runs(port)
        batches = runs.pop(("batch", "success"), 0.0)
        assert batches >= 1 and runs == {("drift", "success"): 1.0}, \
            f"one run of the instance besides its batched reconciles: the check ({runs}, {batches} batch runs)"

        for team in litellm_proxy.api("GET", "/team/list").json():
            if team.get("team_alias") == f"{prefix}-stray":
                litellm_proxy.api("POST", "/team/delete", json={"team_ids": [team["team_id"]]})
        for kind, specs in reversed(created):
            for name in specs:
                k8s.delete(kind, namespace, name)
        for kind, name in everything:
            wait_for(lambda k=kind, n=name: k8s.get(k, namespace, n) is None, f"{kind} {name} deleted")
