"""Batched reconcile per LiteLLMInstance (operator/llmops_operator/batch.py) against the real LiteLLM.

The custom resources of one instance are applied together by ``playbooks/operator/batch.yml`` (gateway_state with
``invalid: skip``); each resource still gets its own outcome. The batch runs are counted from the operator's log
(one line each; the runner keeps the artifacts of the last five only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.stack import LiteLLMProxy
from tests.operator.conftest import (
    Cluster,
    OperatorProcess,
    condition,
    external_instance,
    is_true,
    operator_watches,
    start_operator,
    unique,
    wait_for,
)

pytestmark = pytest.mark.slow(90)


def batch_runs(operator: OperatorProcess, namespace: str) -> int:
    """Batch runs of instance ``gw``, from the operator's log (the runner keeps the artifacts of the last 5 only)."""
    return sum(1 for line in operator.log.splitlines()
               if "batch run of " in line and line.endswith(f"LiteLLMInstance {namespace}/gw"))


def per_cr_runs(runner_dir: Path) -> list[Path]:
    return list(runner_dir.glob("litellm*/*/*/artifacts/*/status"))


def test_a_batch_isolates_an_invalid_resource_and_one_waiting_for_a_reference(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("batch")
    namespace, prefix = k8s.namespace(unique("batch")), unique("batch")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key, config_sync={"enabled": False})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMTeam", "LiteLLMUser", "LiteLLMBudget"))
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,)) as operator:
        for i in range(3):
            k8s.create("LiteLLMTeam", namespace, f"t{i}", {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-t{i}",
                                                           "maxBudget": 5})
        # The collection's own check (the CRD lets it pass): a member's email. Invalid alone; the others converge.
        k8s.create("LiteLLMTeam", namespace, "bad", {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-bad",
                                                     "members": [{"email": "not-an-email"}]})
        # An Enterprise-only field on this community proxy: refused alone, permanently, as a licence matter.
        k8s.create("LiteLLMTeam", namespace, "lic", {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-lic",
                                                     "tags": ["prod"]})
        # A user in a team no resource declares yet: it waits, alone.
        k8s.create("LiteLLMUser", namespace, "u", {"instanceRef": {"name": "gw"}, "userId": f"{prefix}-u",
                                                   "teamRefs": [{"name": "later"}]})

        def ready(kind: str, name: str) -> dict[str, Any] | None:
            body = k8s.get(kind, namespace, name)
            return body if is_true(body, "Ready") and body["status"].get("observedGeneration") == 1 else None

        teams = {f"t{i}": wait_for(lambda n=f"t{i}": ready("LiteLLMTeam", n), f"team t{i} Ready") for i in range(3)}
        for name, body in teams.items():
            live = litellm_proxy.api("GET", "/team/info", params={"team_id": body["status"]["litellmId"]}).json()
            assert live["team_info"]["team_alias"] == f"{prefix}-{name}"
            assert condition(body, "Successful")["status"] == "True"

        bad = wait_for(lambda: (b := k8s.get("LiteLLMTeam", namespace, "bad")) and condition(b, "Failure") and b,
                       "the invalid team failed")
        failure = condition(bad, "Failure")
        assert failure["reason"] == "InvalidSpec", failure
        assert "spec.members" in failure["message"] and "teams[" not in failure["message"], failure
        assert "permanently" in condition(bad, "Running")["message"]
        assert "litellmId" not in bad["status"]
        wait_for(lambda: "InvalidSpec" in k8s.reasons(namespace, "bad"), "the InvalidSpec Event")
        lic = wait_for(lambda: (b := k8s.get("LiteLLMTeam", namespace, "lic")) and condition(b, "Failure") and b,
                       "the Enterprise-only team failed")
        assert condition(lic, "Failure")["reason"] == "EnterpriseLicenseRequired", condition(lic, "Failure")
        assert "spec.tags" in condition(lic, "Failure")["message"], condition(lic, "Failure")
        assert "permanently" in condition(lic, "Running")["message"]

        user = wait_for(lambda: (b := k8s.get("LiteLLMUser", namespace, "u"))
                        and condition(b, "Ready").get("reason") == "WaitingForReference" and b, "the user waits")
        assert "LiteLLMTeam" in condition(user, "Ready")["message"] and "later" in condition(user, "Ready")["message"]
        assert not is_true(user, "Successful")

        # The reference appears: the user converges (its retry rides the next batch).
        k8s.create("LiteLLMTeam", namespace, "later", {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-later"})
        later = wait_for(lambda: ready("LiteLLMTeam", "later"), "team later Ready")
        user = wait_for(lambda: ready("LiteLLMUser", "u"), "the user Ready once its team exists")
        info = litellm_proxy.api("GET", "/user/info", params={"user_id": f"{prefix}-u"}).json()
        assert later["status"]["litellmId"] in info["user_info"]["teams"]

        # The invalid one stays failed (permanent: no retry) until its spec changes; fixed, it converges.
        assert is_true(k8s.get("LiteLLMTeam", namespace, "bad"), "Failure")
        k8s.patch("LiteLLMTeam", namespace, "bad", {"spec": {"members": []}})
        wait_for(lambda: (b := k8s.get("LiteLLMTeam", namespace, "bad")) and is_true(b, "Ready")
                 and b["status"].get("observedGeneration") == 2, "the fixed team Ready")

        runs = batch_runs(operator, namespace)
        assert 1 <= runs <= 8, runs
        assert not per_cr_runs(operator.runner_dir), "no per-resource reconcile run of a batched kind"

        for kind, name in [("LiteLLMUser", "u"), *[("LiteLLMTeam", n) for n in ("t0", "t1", "t2", "bad", "lic", "later")]]:
            k8s.delete(kind, namespace, name)
        for name in ("t0", "t1", "t2", "bad", "lic", "later"):
            wait_for(lambda n=name: k8s.get("LiteLLMTeam", namespace, n) is None, f"team {name} deleted")


def test_two_hundred_resources_converge_in_a_handful_of_runs(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("batch200")
    namespace, prefix = k8s.namespace(unique("b200")), unique("b200")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key, config_sync={"enabled": False})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMBudget",))
    count = 200
    names = [f"b{i:03d}" for i in range(count)]
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,)) as operator:
        for i, name in enumerate(names):
            k8s.create("LiteLLMBudget", namespace, name, {"instanceRef": {"name": "gw"}, "budgetId": f"{prefix}-{name}",
                                                          "maxBudget": i + 1})

        def converged() -> list[dict[str, Any]] | None:
            items = k8s.custom.list_namespaced_custom_object("litellm.llmops.dev", "v1alpha1", namespace,
                                                             "litellmbudgets")["items"]
            done = [b for b in items if is_true(b, "Ready") and (b.get("status") or {}).get("observedGeneration") == 1]
            return items if len(done) == count else None

        items = wait_for(converged, f"{count} budgets Ready", timeout=600)
        runs = batch_runs(operator, namespace)
        assert 1 <= runs <= 10, f"{count} resources took {runs} runs"
        assert not per_cr_runs(operator.runner_dir)
        assert {b["status"]["litellmId"] for b in items} == {f"{prefix}-{n}" for n in names}
        live = litellm_proxy.api("GET", "/budget/list").json()
        mine = {b["budget_id"]: b["max_budget"] for b in live if str(b.get("budget_id", "")).startswith(prefix)}
        assert mine == {f"{prefix}-{n}": float(i + 1) for i, n in enumerate(names)}

    # (the finalizers are not what is measured here: the budgets go through LiteLLM's API, after the operator)
    for name in names:
        litellm_proxy.api("POST", "/budget/delete", json={"id": f"{prefix}-{name}"}).raise_for_status()
