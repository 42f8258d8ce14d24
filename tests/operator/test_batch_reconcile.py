"""Batched reconcile per LiteLLMInstance (operator/llmops_operator/batch.py) against the real LiteLLM.

The custom resources of one instance are applied together by ``playbooks/operator/batch.yml`` (gateway_state with
``invalid: skip``); each resource still gets its own outcome. The batch runs are counted from the operator's log
(one line each; the runner keeps the artifacts of the last five only).
"""

from __future__ import annotations

import hashlib
import json
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


def keys_with_alias(proxy: LiteLLMProxy, alias: str) -> list[str]:
    response = proxy.api("GET", "/key/list", params={"key_alias": alias, "return_full_object": "true"})
    response.raise_for_status()
    return [k["token"] for k in response.json()["keys"] if k.get("key_alias") == alias]


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


def test_users_ride_the_batch_that_creates_their_teams(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Teams and the users naming them (``teamRefs``), created together: the table names a team that has no LiteLLM
    id yet by its alias, and the engine joins the users to the teams the same run creates: ONE batch run, no user
    ever waits for its team."""
    workdir = tmp_path_factory.mktemp("batchusers")
    namespace, prefix = k8s.namespace(unique("bteam")), unique("bteam")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key, config_sync={"enabled": False})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMTeam", "LiteLLMUser"))
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,)) as operator:
        def ready(kind: str, name: str) -> dict[str, Any] | None:
            body = k8s.get(kind, namespace, name)
            return body if is_true(body, "Ready") and body["status"].get("observedGeneration") == 1 else None

        # a first run under way: what is created meanwhile is queued together for the next one
        k8s.create("LiteLLMTeam", namespace, "first", {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-first"})
        wait_for(lambda: batch_runs(operator, namespace) == 1, "the first batch run started")
        for i in range(2):
            k8s.create("LiteLLMTeam", namespace, f"t{i}", {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-t{i}"})
        for i in range(4):
            k8s.create("LiteLLMUser", namespace, f"u{i}", {"instanceRef": {"name": "gw"}, "userId": f"{prefix}-u{i}",
                                                           "teamRefs": [{"name": f"t{i % 2}"}] + [{"name": "t1"}] * (i == 0)})
        teams = [wait_for(lambda n=f"t{i}": ready("LiteLLMTeam", n), f"team t{i} Ready")["status"]["litellmId"]
                 for i in range(2)]
        for i in range(4):
            wait_for(lambda n=f"u{i}": ready("LiteLLMUser", n), f"user u{i} Ready")
            info = litellm_proxy.api("GET", "/user/info", params={"user_id": f"{prefix}-u{i}"}).json()["user_info"]
            assert sorted(info["teams"]) == sorted({teams[i % 2]} | ({teams[1]} if i == 0 else set())), info
            assert "WaitingForReference" not in k8s.reasons(namespace, f"u{i}"), f"user u{i} waited for its team"
        members = litellm_proxy.api("GET", "/team/info", params={"team_id": teams[1]}).json()["team_info"]
        assert {f"{prefix}-u{i}" for i in (0, 1, 3)} <= {m["user_id"] for m in members["members_with_roles"]}
        assert batch_runs(operator, namespace) == 2, "the first team's run, then one run for the teams and users"
        assert not per_cr_runs(operator.runner_dir)
        users, teams = [f"u{i}" for i in range(4)], ["first", "t0", "t1"]
        for kind, names in (("LiteLLMUser", users), ("LiteLLMTeam", teams)):
            for name in names:
                k8s.delete(kind, namespace, name)
        for kind, names in (("LiteLLMUser", users), ("LiteLLMTeam", teams)):
            for name in names:
                wait_for(lambda k=kind, n=name: k8s.get(k, namespace, n) is None, f"{kind} {name} deleted")


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

        # A restart resumes the 200 in one run: its first run waits until Kopf has handed each resource the startup
        # listing found to its handler (Batcher.settle), not one run for the first and another for the rest.
        operator.stop()
        logged = len(operator.log)
        operator.start()
        wait_for(lambda: operator.log.count("Resuming is processed", logged) >= count, f"the {count} resumed", timeout=300)
        restarted = [line for line in operator.log[logged:].splitlines() if "batch run of " in line]
        assert len(restarted) == 1 and f"batch run of {count} custom resource(s)" in restarted[0], restarted

    # (the finalizers are not what is measured here: the budgets go through LiteLLM's API, after the operator)
    for name in names:
        litellm_proxy.api("POST", "/budget/delete", json={"id": f"{prefix}-{name}"}).raise_for_status()


def test_deletions_ride_the_batch_children_first_and_a_refused_one_keeps_its_finalizer(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Budgets and the customers using them, deleted all at once: LiteLLM's cascade (a budget's customers) lets the
    run delete the customers first, then the budgets, in a few runs; a budget deleted while a customer still uses it
    is held back alone (its finalizer stays, the reason in its status) until the customer goes."""
    workdir = tmp_path_factory.mktemp("batchdel")
    namespace, prefix = k8s.namespace(unique("bdel")), unique("bdel")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key, config_sync={"enabled": False})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMBudget", "LiteLLMCustomer"))
    count = 20
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,)) as operator:
        for i in range(count + 1):  # b020/c020: the refused deletion
            k8s.create("LiteLLMBudget", namespace, f"b{i:03d}",
                       {"instanceRef": {"name": "gw"}, "budgetId": f"{prefix}-b{i:03d}", "maxBudget": 5})
            k8s.create("LiteLLMCustomer", namespace, f"c{i:03d}",
                       {"instanceRef": {"name": "gw"}, "userId": f"{prefix}-c{i:03d}", "budgetRef": {"name": f"b{i:03d}"}})

        def all_ready() -> bool:
            items = [b for plural in ("litellmbudgets", "litellmcustomers") for b in k8s.custom.list_namespaced_custom_object(
                "litellm.llmops.dev", "v1alpha1", namespace, plural)["items"]]
            return len(items) == 2 * (count + 1) and all(is_true(b, "Ready") for b in items)

        wait_for(all_ready, "the budgets and customers Ready", timeout=300)
        before = batch_runs(operator, namespace)

        def budgets() -> dict[str, Any]:
            return {b["budget_id"]: b for b in litellm_proxy.api("GET", "/budget/list").json()
                    if str(b.get("budget_id", "")).startswith(prefix)}

        def customers() -> set[str]:
            listed = litellm_proxy.api("GET", "/customer/list").json()
            return {c["user_id"] for c in listed if str(c.get("user_id", "")).startswith(prefix)}

        # the refused one: its budget goes while its customer stays
        k8s.delete("LiteLLMBudget", namespace, "b020")
        refused = wait_for(lambda: (b := k8s.get("LiteLLMBudget", namespace, "b020")) and condition(b, "Failure")
                           and b, "the deletion of a budget in use refused")
        assert "cascade" in condition(refused, "Failure")["message"], condition(refused, "Failure")
        assert f"{prefix}-c020" in condition(refused, "Failure")["message"]
        assert f"{prefix}-b020" in budgets(), "nothing deleted in LiteLLM"
        assert refused["metadata"].get("finalizers"), "the finalizer stays"

        # everything else at once: customers (children) and budgets (parents) in the same runs
        mark = batch_runs(operator, namespace)
        for i in range(count):
            k8s.delete("LiteLLMBudget", namespace, f"b{i:03d}")
            k8s.delete("LiteLLMCustomer", namespace, f"c{i:03d}")
        k8s.delete("LiteLLMCustomer", namespace, "c020")

        def gone() -> bool:
            left = [b for plural in ("litellmbudgets", "litellmcustomers") for b in k8s.custom.list_namespaced_custom_object(
                "litellm.llmops.dev", "v1alpha1", namespace, plural)["items"]]
            return not left

        wait_for(gone, "every finalizer released (b020 once its customer went)", timeout=300)
        deletion_runs = batch_runs(operator, namespace) - mark
        assert budgets() == {} and customers() == set()
        assert 1 <= deletion_runs <= 6, f"{2 * count + 1} deletions took {deletion_runs} runs"  # (b020's retry)
        assert not per_cr_runs(operator.runner_dir), "no per-resource run: reconciles and deletions batched"
        print(f"\n{2 * (count + 1)} resources: {before} runs to Ready, {deletion_runs} runs for {2 * count + 2} deletions")


def test_virtual_keys_ride_the_batch_secret_first_and_no_value_in_the_artifacts(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """20 keys in 2 teams converge in a few batch runs, each with its value made by the operator and kept in its
    Secret before LiteLLM sees it (a Secret already there, as after a crash before LiteLLM was called, is used: no
    second value); then they are deleted with their teams in a few runs, children first, their Secrets with them.
    No value is in the runner's artifacts, the operator's log or a leftover key file."""
    workdir = tmp_path_factory.mktemp("batchkeys")
    namespace, prefix = k8s.namespace(unique("bkey")), unique("bkey")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key, config_sync={"enabled": False})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMTeam", "LiteLLMVirtualKey"))
    count = 20
    names = [f"k{i:02d}" for i in range(count)]
    kept = "sk-" + hashlib.sha256(prefix.encode()).hexdigest()[:22]  # a value kept by a run that stopped after it
    k8s.secret(namespace, "k00-key", {"api_key": kept})
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,)) as operator:
        for team in ("ta", "tb"):
            k8s.create("LiteLLMTeam", namespace, team, {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-{team}"})
        wait_for(lambda: all(is_true(k8s.get("LiteLLMTeam", namespace, t), "Ready") for t in ("ta", "tb")), "teams Ready")
        mark = batch_runs(operator, namespace)
        for i, name in enumerate(names):
            k8s.create("LiteLLMVirtualKey", namespace, name,
                       {"instanceRef": {"name": "gw"}, "keyAlias": f"{prefix}-{name}",
                        "teamRef": {"name": "ta" if i % 2 else "tb"}, "maxBudget": 2})

        def ready() -> list[dict[str, Any]] | None:
            items = [k8s.get("LiteLLMVirtualKey", namespace, n) for n in names]
            return items if all(is_true(b, "Ready") for b in items) else None

        keys = wait_for(ready, f"{count} keys Ready", timeout=300)
        create_runs = batch_runs(operator, namespace) - mark
        values = {}
        mine = {n: keys_with_alias(litellm_proxy, f"{prefix}-{n}") for n in names}
        assert all(len(found) == 1 for found in mine.values()), "one key per resource, no second one"
        for body in keys:
            name = body["metadata"]["name"]
            secret = k8s.read_secret(namespace, body["status"]["keySecretName"]) or {}
            values[name] = secret["api_key"]
            token = hashlib.sha256(values[name].encode()).hexdigest()
            assert body["status"]["litellmId"] == mine[name][0] == token
            assert body["status"]["keyAlias"] == f"{prefix}-{name}"
        assert values["k00"] == kept, "the value a Secret already held is the key's (never a second value)"
        owned = k8s.core.read_namespaced_secret("k01-key", namespace).metadata
        assert [o.kind for o in owned.owner_references] == ["LiteLLMVirtualKey"] and "value-made-at" in str(owned.annotations)
        assert 1 <= create_runs <= 3, f"{count} keys took {create_runs} runs"

        mark = batch_runs(operator, namespace)
        for name in names:
            k8s.delete("LiteLLMVirtualKey", namespace, name)
        for team in ("ta", "tb"):
            k8s.delete("LiteLLMTeam", namespace, team)
        wait_for(lambda: all(k8s.get(k, namespace, n) is None for k, n in
                             [*(("LiteLLMVirtualKey", n) for n in names), ("LiteLLMTeam", "ta"), ("LiteLLMTeam", "tb")]),
                 "keys and teams deleted", timeout=300)
        delete_runs = batch_runs(operator, namespace) - mark
        assert not [n for n in names if keys_with_alias(litellm_proxy, f"{prefix}-{n}")], "the keys deleted in LiteLLM"
        assert not [t for t in litellm_proxy.api("GET", "/team/list").json() if str(t.get("team_alias", "")).startswith(prefix)]
        assert all(k8s.read_secret(namespace, f"{n}-key") is None for n in names), "the Secrets went with their keys"
        assert 1 <= delete_runs <= 4, f"{count + 2} deletions took {delete_runs} runs"
        assert not per_cr_runs(operator.runner_dir), "no per-resource run: keys batched"
        print(f"\n{count} keys: {create_runs} runs to Ready; {count + 2} deletions: {delete_runs} runs")

    places = {str(p): p.read_text(errors="replace") for p in operator.runner_dir.rglob("*") if p.is_file()}
    assert any("job_events" in where for where in places), "the runs' artifacts are there to scan"
    places["operator log"] = operator.log
    leaks = [(where, name) for where, text in places.items() for name, value in values.items() if value in text]
    assert leaks == [], f"key values found in: {leaks}"


def masked(value: str) -> str:
    """A credential value as LiteLLM's /credentials/by_name shows one under a sensitive name (api_key)."""
    return value[:2] + "****" + value[-2:]


def test_credentials_ride_the_batch_their_secret_values_in_no_artifact_status_event_or_log(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Credentials taking their provider key (apiKeySecretRef) and a parameter (secretParams) from a Secret, and the
    models naming them, converge in a few batch runs and no per-resource run; the values reach LiteLLM (read back
    through /credentials: the key masked by LiteLLM, the parameter as it is). A credential whose Secret is missing
    waits alone (WaitingForSecret, naming the Secret) while the others converge, and converges once the Secret
    exists; a changed Secret value is sent again (the credential is reconciled by the Secret's change, by its
    fingerprint). No value is in the runner's artifacts, the operator's log, a status, an Event or a leftover
    document file."""
    workdir = tmp_path_factory.mktemp("batchcred")
    namespace, prefix = k8s.namespace(unique("bcred")), unique("bcred")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key, config_sync={"enabled": False})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMCredential", "LiteLLMModel"))
    count = 4  # c0..c2 with their Secret, c3 waiting for its Secret
    names = [f"c{i}" for i in range(count)]
    values = {name: {"api-key": f"sk-prov-{prefix}-{name}-a1", "region": f"eu-{prefix}-{name}"} for name in names}
    used = [value for pair in values.values() for value in pair.values()]  # what the scan looks for

    def credential(name: str) -> dict[str, Any]:
        response = litellm_proxy.api("GET", f"/credentials/by_name/{prefix}-{name}")
        return response.json() if response.status_code == 200 else {}

    def ready(kind: str, name: str) -> dict[str, Any] | None:
        body = k8s.get(kind, namespace, name)
        return body if is_true(body, "Ready") else None

    with start_operator(kube_api, workdir, watches, namespaces=(namespace,)) as operator:
        for name in names[:-1]:
            k8s.secret(namespace, f"{name}-provider", values[name])
        for name in names:
            k8s.create("LiteLLMCredential", namespace, name, {
                "instanceRef": {"name": "gw"}, "credentialName": f"{prefix}-{name}",
                "apiKeySecretRef": {"name": f"{name}-provider", "key": "api-key"},
                "secretParams": {"region": {"name": f"{name}-provider", "key": "region"}},
                "apiBase": "http://127.0.0.1:9/v1"})
            k8s.create("LiteLLMModel", namespace, f"m-{name}", {
                "instanceRef": {"name": "gw"}, "modelName": f"{prefix}-m-{name}",
                "litellmParams": {"model": "openai/gpt-4o-mini", "credentialRef": {"name": name}}})
        bodies = {n: wait_for(lambda n=n: ready("LiteLLMCredential", n), f"credential {n} Ready", timeout=180)
                  for n in names[:-1]}
        for name in names[:-1]:
            wait_for(lambda n=name: ready("LiteLLMModel", f"m-{n}"), f"model m-{name} Ready", timeout=180)
            live = credential(name)["credential_values"]
            assert live["api_key"] == masked(values[name]["api-key"]), "the Secret's provider key reached LiteLLM"
            assert live["region"] == values[name]["region"] and live["api_base"] == "http://127.0.0.1:9/v1"
            assert bodies[name]["status"]["litellmId"] == f"{prefix}-{name}"
            assert len(bodies[name]["status"]["appliedSecretsHash"]) == 64
        waiting = wait_for(lambda: (b := k8s.get("LiteLLMCredential", namespace, "c3"))
                           and condition(b, "Ready").get("reason") == "WaitingForSecret" and b, "c3 waits for its Secret")
        assert f"Secret {namespace}/c3-provider does not exist" in condition(waiting, "Ready")["message"]
        assert credential("c3") == {}, "nothing of c3 is written while its Secret is missing"
        create_runs = batch_runs(operator, namespace)
        assert 1 <= create_runs <= 4, f"{2 * count - 2} resources took {create_runs} runs"

        # the missing Secret appears: c3 (and its model) converge; c0's Secret changes: its new values are sent
        mark = batch_runs(operator, namespace)
        k8s.secret(namespace, "c3-provider", values["c3"])
        values["c0"] = {"api-key": f"sk-prov-{prefix}-c0-b2", "region": f"us-{prefix}-c0"}
        used += values["c0"].values()
        k8s.secret(namespace, "c0-provider", values["c0"])
        wait_for(lambda: ready("LiteLLMCredential", "c3"), "c3 Ready once its Secret exists", timeout=180)
        wait_for(lambda: ready("LiteLLMModel", "m-c3"), "model m-c3 Ready", timeout=180)
        assert credential("c3")["credential_values"]["api_key"] == masked(values["c3"]["api-key"])
        wait_for(lambda: credential("c0")["credential_values"] == {
            "api_key": masked(values["c0"]["api-key"]), "region": values["c0"]["region"],
            "api_base": "http://127.0.0.1:9/v1"}, "c0's new Secret values in LiteLLM", timeout=180)
        changed = wait_for(lambda: (b := k8s.get("LiteLLMCredential", namespace, "c0")) and b["status"].get(
            "appliedSecretsHash") != bodies["c0"]["status"]["appliedSecretsHash"] and b, "c0's new fingerprint")
        assert is_true(changed, "Ready")
        assert batch_runs(operator, namespace) - mark <= 4
        assert not per_cr_runs(operator.runner_dir), "no per-resource run: credentials and models batched"

        for name in names:
            k8s.delete("LiteLLMModel", namespace, f"m-{name}")
            k8s.delete("LiteLLMCredential", namespace, name)
        for name in names:
            wait_for(lambda n=name: k8s.get("LiteLLMCredential", namespace, n) is None, f"credential {name} deleted",
                     timeout=180)
            assert credential(name) == {}
        places = {"operator log": operator.log,
                  "events": json.dumps([e.to_dict() for e in k8s.events(namespace)], default=str)}
        places.update({f"{kind} {b['metadata']['name']}": json.dumps(b) for kind in ("LiteLLMCredential", "LiteLLMModel")
                       for b in k8s.custom.list_namespaced_custom_object("litellm.llmops.dev", "v1alpha1", namespace,
                                                                         kind.lower() + "s")["items"]})
        places.update({f"status of {n}": json.dumps(b) for n, b in {**bodies, "c0": changed}.items()})
        print(f"\n{2 * count} credentials and models: {create_runs} runs to Ready (one waiting); "
              f"{batch_runs(operator, namespace)} runs in all")

    places.update({str(p): p.read_text(errors="replace") for p in operator.runner_dir.rglob("*") if p.is_file()})
    assert any("job_events" in where for where in places), "the runs' artifacts are there to scan"
    leaks = [(where, value) for where, text in places.items() for value in used if value in text]
    assert leaks == [], f"Secret values found in: {leaks}"


def test_organizations_ride_the_batch_with_the_users_of_their_members_by_email(
        kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy_premium: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Organizations (LiteLLM Enterprise: the premium twin of the shared proxy) with members given by email whose users
    do not exist: the batch creates the users (as organization.yml does) and the organizations take them as members
    in the next run; no organization has a run of its own, and their deletion rides the batch too."""
    workdir = tmp_path_factory.mktemp("batchorg")
    namespace, prefix = k8s.namespace(unique("borg")), unique("borg")
    proxy = litellm_proxy_premium
    external_instance(k8s, namespace, "gw", proxy.url, proxy.master_key, config_sync={"enabled": False})
    watches = operator_watches(workdir / "watches.yaml", only=("LiteLLMOrganization",))
    emails = [f"{prefix}-{who}@example.com" for who in ("boss", "dev")]
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,)) as operator:
        for name in ("oa", "ob"):
            k8s.create("LiteLLMOrganization", namespace, name, {
                "instanceRef": {"name": "gw"}, "organizationAlias": f"{prefix}-{name}", "maxBudget": 10,
                "members": [{"email": emails[0], "role": "org_admin"}, {"email": emails[1]}]})
        bodies = {n: wait_for(lambda n=n: (b := k8s.get("LiteLLMOrganization", namespace, n)) and is_true(b, "Ready") and b,
                              f"organization {n} Ready", timeout=120) for n in ("oa", "ob")}
        for name, body in bodies.items():
            live = proxy.api("GET", "/organization/info", params={"organization_id": body["status"]["litellmId"]}).json()
            assert live["organization_alias"] == f"{prefix}-{name}"
            assert sorted((m["user_email"], m["user_role"]) for m in live["members"]) == [
                (emails[0], "org_admin"), (emails[1], "internal_user")]
        runs = batch_runs(operator, namespace)
        assert 2 <= runs <= 4, runs  # the users, then the organizations that waited for them
        for name in ("oa", "ob"):
            k8s.delete("LiteLLMOrganization", namespace, name)
        for name in ("oa", "ob"):
            wait_for(lambda n=name: k8s.get("LiteLLMOrganization", namespace, n) is None, f"organization {name} deleted")
            assert proxy.api("GET", "/organization/info",
                             params={"organization_id": bodies[name]["status"]["litellmId"]}).status_code != 200
        assert not per_cr_runs(operator.runner_dir), "no per-resource run of an organization"
        print(f"\n2 organizations, 2 new member users: {runs} runs to Ready")
    users = proxy.api("GET", "/user/list", params={"user_email": emails[0]}).json()
    ids = [u["user_id"] for u in users.get("users", []) if str(u.get("user_email", "")).startswith(prefix)]
    ids += [u["user_id"] for u in proxy.api("GET", "/user/list", params={"user_email": emails[1]}).json().get("users", [])
            if str(u.get("user_email", "")).startswith(prefix)]
    if ids:
        proxy.api("POST", "/user/delete", json={"user_ids": ids})
