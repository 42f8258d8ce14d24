"""The operator end to end: Kubernetes API emulator + ``python -m llmops_operator`` + the real LiteLLM.

One operator process serves the whole module (runs cost seconds each); the tests run in file order and the
last one scans everything the others left behind for secret values. The operator watches one namespace
(WATCH_NAMESPACE); a CR in another namespace must stay untouched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import signal
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.stack import LiteLLMProxy, free_port
from tests.operator.conftest import (
    GROUP,
    VERSION,
    Cluster,
    OperatorProcess,
    condition,
    external_instance,
    is_true,
    operator_watches,
    run_spans,
    start_operator,
    unique,
    wait_for,
)
from tests.operator.test_playbooks import LiteLLM

pytestmark = pytest.mark.slow(150)  # started first by make test (tests/conftest.py)

TEMPLATE = "{{ lookup('env','HOME') }}"


@dataclasses.dataclass
class Env:
    k8s: Cluster
    proxy: LiteLLMProxy
    operator: OperatorProcess
    namespace: str
    other_namespace: str
    prefix: str
    secrets: list[str] = dataclasses.field(default_factory=list)  # values the final scan looks for

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        return self.k8s.get(kind, self.namespace, name)

    def wait_ready(self, kind: str, name: str, generation: int = 1) -> dict[str, Any]:
        def ready() -> dict[str, Any] | None:
            body = self.get(kind, name)
            status = (body or {}).get("status") or {}
            return body if is_true(body, "Ready") and status.get("observedGeneration") == generation else None
        return wait_for(ready, f"{kind} {name} Ready at generation {generation}")

    def wait_gone(self, kind: str, name: str) -> None:
        wait_for(lambda: self.get(kind, name) is None, f"{kind} {name} deleted (finalizer released)")

    def team(self, team_id: str) -> dict[str, Any] | None:
        response = self.proxy.api("GET", "/team/info", params={"team_id": team_id})
        return response.json()["team_info"] if response.status_code == 200 else None

    def teams_with_alias(self, alias: str) -> list[dict[str, Any]]:
        response = self.proxy.api("GET", "/team/list")
        response.raise_for_status()
        return [t for t in response.json() if t.get("team_alias") == alias]

    def keys_with_alias(self, alias: str) -> list[str]:
        response = self.proxy.api("GET", "/key/list", params={"key_alias": alias, "return_full_object": "true"})
        response.raise_for_status()
        return [k["token"] for k in response.json()["keys"] if k.get("key_alias") == alias]


@pytest.fixture(scope="module")
def env(kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]], litellm_proxy: LiteLLMProxy,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    workdir = tmp_path_factory.mktemp("operator")
    namespace, other = k8s.namespace(unique("shim")), k8s.namespace(unique("shim-other"))
    prefix = unique("shim")
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key)
    external_instance(k8s, other, "gw", litellm_proxy.url, litellm_proxy.master_key)
    # Created before the operator starts: if it watched this namespace, it would reconcile it first.
    k8s.create("LiteLLMTeam", other, "ignored", {"instanceRef": {"name": "gw"}, "teamAlias": f"{prefix}-ignored"})
    # The kinds these tests need (LiteLLMInstance's own playbook is tested by its author: the instances here are
    # external, which the shim resolves from their spec).
    watches = operator_watches(workdir / "watches.yaml", only=(
        "LiteLLMTeam", "LiteLLMVirtualKey", "LiteLLMCredential", "LiteLLMBudget", "LiteLLMCustomer", "LiteLLMUser",
        "LiteLLMGuardrail", "LiteLLMMCPServer", "LiteLLMModel", "LiteLLMAgent", "LiteLLMMCPToolset", "LiteLLMFallback",
        "LiteLLMJWTKeyMapping", "LiteLLMPolicy", "LiteLLMSearchTool", "LiteLLMVectorStore", "LiteLLMProxySettings",
        "LiteLLMModelAlias", "LiteLLMPrompt"))
    # --verbose: the secret scan at the end covers the debug log too (the kubernetes client's response bodies).
    with start_operator(kube_api, workdir, watches, namespaces=(namespace,), args=("--standalone", "--verbose")) as operator:
        yield Env(k8s, litellm_proxy, operator, namespace, other, prefix, [litellm_proxy.master_key])
        for team in [t for t in litellm_proxy.api("GET", "/team/list").json() if str(t.get("team_alias", "")).startswith(prefix)]:
            litellm_proxy.api("POST", "/team/delete", json={"team_ids": [team["team_id"]]})


def test_team_and_virtual_key_lifecycle(env: Env) -> None:
    """Waiting for a missing ref, create, update, key rotation by deleting its Secret, delete — in LiteLLM.

    A LiteLLMCredential with a provider key in a Secret goes along (for the secret scan at the end).
    """
    team_alias, key_alias = f"{env.prefix}-eng", f"{env.prefix}-ci"
    provider_key = "sk-provider-" + unique("value")
    env.secrets.append(provider_key)
    env.k8s.secret(env.namespace, "provider", {"api-key": provider_key})
    env.k8s.create("LiteLLMCredential", env.namespace, "cred", {
        "instanceRef": {"name": "gw"}, "credentialName": f"{env.prefix}-cred", "apiKeySecretRef": {"name": "provider", "key": "api-key"}})
    env.k8s.create("LiteLLMVirtualKey", env.namespace, "ci", {
        "instanceRef": {"name": "gw"}, "keyAlias": key_alias, "teamRef": {"name": "eng"}, "maxBudget": 3})
    waiting = wait_for(lambda: condition(env.get("LiteLLMVirtualKey", "ci"), "Ready").get("reason") == "WaitingForReference"
                       and env.get("LiteLLMVirtualKey", "ci"), "the key waits for its team")
    assert "spec.teamRef" in condition(waiting, "Ready")["message"] and "eng" in condition(waiting, "Ready")["message"]
    assert env.keys_with_alias(key_alias) == [], "nothing is created while a reference is missing"

    env.k8s.create("LiteLLMTeam", env.namespace, "eng", {
        "instanceRef": {"name": "gw"}, "teamAlias": team_alias, "maxBudget": 5, "metadata": {"note": TEMPLATE}})
    team = env.wait_ready("LiteLLMTeam", "eng")
    team_id = team["status"]["litellmId"]
    live = env.team(team_id)
    assert live and live["team_alias"] == team_alias and live["max_budget"] == 5
    assert live["metadata"]["note"] == TEMPLATE, "markUnsafe: a template in a CR field is never evaluated"
    assert team["status"]["ansibleResult"]["failures"] == 0 and team["status"]["lastReconcileTime"]
    assert condition(team, "Successful")["status"] == "True" and condition(team, "Running")["reason"] == "Successful"
    wait_for(lambda: "Reconciled" in env.k8s.reasons(env.namespace, "eng"), "the Reconciled Event")

    key = env.wait_ready("LiteLLMVirtualKey", "ci")
    first = (env.k8s.read_secret(env.namespace, "ci-key") or {}).get("api_key")
    assert first and first.startswith("sk-")
    env.secrets.append(first)
    assert env.keys_with_alias(key_alias) == [hashlib.sha256(first.encode()).hexdigest()]
    info = env.proxy.api("GET", "/key/info", params={"key": first}).json()["info"]
    assert info["team_id"] == team_id and info["max_budget"] == 3
    assert first not in json.dumps(key["status"])

    env.k8s.patch("LiteLLMTeam", env.namespace, "eng", {"spec": {"maxBudget": 7}})
    env.wait_ready("LiteLLMTeam", "eng", generation=2)
    assert (env.team(team_id) or {}).get("max_budget") == 7, "the spec change reached LiteLLM"

    env.k8s.core.delete_namespaced_secret("ci-key", env.namespace)
    second = wait_for(lambda: (value := (env.k8s.read_secret(env.namespace, "ci-key") or {}).get("api_key")) != first and value,
                      "deleting the key's Secret rotates the key")
    env.secrets.append(second)
    wait_for(lambda: env.keys_with_alias(key_alias) == [hashlib.sha256(second.encode()).hexdigest()],
             "LiteLLM holds exactly one key, the new value")

    credential = env.wait_ready("LiteLLMCredential", "cred")
    assert credential["status"]["litellmId"] == f"{env.prefix}-cred"
    live = env.proxy.api("GET", f"/credentials/by_name/{env.prefix}-cred").json()["credential_values"]
    assert live["api_key"] == provider_key[:2] + "****" + provider_key[-2:], "the Secret's key reached LiteLLM (masked)"
    assert not list(env.operator.runner_dir.glob("litellmcredential/*/*/artifacts/*/status")), \
        "the credential rode its instance's batch (its Secret's value in the batch's document file)"
    env.k8s.delete("LiteLLMVirtualKey", env.namespace, "ci")
    env.k8s.delete("LiteLLMCredential", env.namespace, "cred")
    env.wait_gone("LiteLLMVirtualKey", "ci")
    assert env.keys_with_alias(key_alias) == [], "deletion removed the key upstream"
    env.k8s.delete("LiteLLMTeam", env.namespace, "eng")
    env.wait_gone("LiteLLMTeam", "eng")
    assert env.team(team_id) is None, "deletion removed the team upstream"
    env.wait_gone("LiteLLMCredential", "cred")
    assert env.proxy.api("GET", f"/credentials/by_name/{env.prefix}-cred").status_code != 200


def test_invalid_spec_fails_permanently_naming_the_field(env: Env) -> None:
    env.k8s.create("LiteLLMTeam", env.namespace, "bad", {
        "instanceRef": {"name": "gw"}, "teamAlias": f"{env.prefix}-bad", "maxBudget": 1, "maxBudgetMonthly": 2})
    body = wait_for(lambda: is_true(b := env.get("LiteLLMTeam", "bad"), "Failure") and b, "the invalid spec fails")
    failure = condition(body, "Failure")
    assert failure["reason"] == "InvalidSpec" and "spec.maxBudgetMonthly" in failure["message"], failure
    assert condition(body, "Ready")["status"] == "False"
    wait_for(lambda: "InvalidSpec" in env.k8s.reasons(env.namespace, "bad"), "the InvalidSpec Event")
    wait_for(lambda: "Handler 'reconcile' failed permanently" in env.operator.log, "Kopf stops retrying it")
    assert env.teams_with_alias(f"{env.prefix}-bad") == []
    env.k8s.delete("LiteLLMTeam", env.namespace, "bad")
    env.wait_gone("LiteLLMTeam", "bad")


def test_a_bad_policy_annotation_never_blocks_deletion(env: Env) -> None:
    """``conflict-resolution: yolo`` fails the reconcile permanently (the field named), and the CR can still be
    deleted: a deletion never depends on a valid spec."""
    spec = {"instanceRef": {"name": "gw"}, "budgetId": f"{env.prefix}-yolo", "maxBudget": 1}
    env.k8s.create("LiteLLMBudget", env.namespace, "yolo", spec, annotations={"litellm.llmops.dev/conflict-resolution": "yolo"})
    body = wait_for(lambda: is_true(b := env.get("LiteLLMBudget", "yolo"), "Failure") and b, "the bad policy fails")
    failure = condition(body, "Failure")
    assert failure["reason"] == "InvalidSpec" and "conflict-resolution" in failure["message"], failure
    env.k8s.delete("LiteLLMBudget", env.namespace, "yolo")
    env.wait_gone("LiteLLMBudget", "yolo")


def test_an_enterprise_option_on_a_community_proxy_is_permanent(env: Env) -> None:
    """A team with ``tags`` (Enterprise-only) on the proxy without a licence: EnterpriseLicenseRequired, not
    retried, nothing written."""
    env.k8s.create("LiteLLMTeam", env.namespace, "paid", {"instanceRef": {"name": "gw"}, "teamAlias": f"{env.prefix}-paid",
                                                          "tags": ["paid"]})
    body = wait_for(lambda: is_true(b := env.get("LiteLLMTeam", "paid"), "Failure") and b, "the licence refusal")
    failure = condition(body, "Failure")
    assert failure["reason"] == "EnterpriseLicenseRequired" and "tags of a team" in failure["message"], failure
    wait_for(lambda: "EnterpriseLicenseRequired" in env.k8s.reasons(env.namespace, "paid"), "its Event")
    assert env.teams_with_alias(f"{env.prefix}-paid") == []
    env.k8s.delete("LiteLLMTeam", env.namespace, "paid")
    env.wait_gone("LiteLLMTeam", "paid")


def test_two_crs_naming_one_team_the_later_conflicts_and_writes_nothing(env: Env) -> None:
    """Two LiteLLMTeams with one teamAlias: the older manages the team; the later gets Conflict, changes nothing,
    and deleting it leaves the team alone (before, they shared the team and deleting either deleted it)."""
    alias = f"{env.prefix}-claimed"
    env.k8s.create("LiteLLMTeam", env.namespace, "claim-a", {"instanceRef": {"name": "gw"}, "teamAlias": alias, "maxBudget": 5})
    team_id = env.wait_ready("LiteLLMTeam", "claim-a")["status"]["litellmId"]
    env.k8s.create("LiteLLMTeam", env.namespace, "claim-b", {"instanceRef": {"name": "gw"}, "teamAlias": alias, "maxBudget": 9})
    body = wait_for(lambda: is_true(b := env.get("LiteLLMTeam", "claim-b"), "Conflict") and b, "the later CR conflicts")
    message = condition(body, "Conflict")["message"]
    assert "spec.teamAlias" in message and f"{env.namespace}/claim-a" in message, message
    assert condition(body, "Ready")["reason"] == "Conflict"
    wait_for(lambda: "Conflict" in env.k8s.reasons(env.namespace, "claim-b"), "the Conflict Event")
    teams = env.teams_with_alias(alias)
    assert [t["team_id"] for t in teams] == [team_id] and teams[0]["max_budget"] == 5, "the later CR wrote nothing"
    env.k8s.delete("LiteLLMTeam", env.namespace, "claim-b")
    env.wait_gone("LiteLLMTeam", "claim-b")
    assert [t["team_id"] for t in env.teams_with_alias(alias)] == [team_id], "its deletion left the team alone"
    env.k8s.delete("LiteLLMTeam", env.namespace, "claim-a")
    env.wait_gone("LiteLLMTeam", "claim-a")
    assert env.teams_with_alias(alias) == []


def test_drift_is_reported_and_repaired(env: Env) -> None:
    """A change made through LiteLLM's API: reported by path (manual), repaired (crd-wins)."""
    external_instance(env.k8s, env.namespace, "gwd", env.proxy.url, env.proxy.master_key,
                      config_sync={"interval": "2s", "conflictResolution": "crd-wins"},
                      annotations={"litellm.llmops.dev/unmanaged-name-prefix": f"{env.prefix}-d-"})
    manual = {"litellm.llmops.dev/conflict-resolution": "manual"}
    accept = {"litellm.llmops.dev/conflict-resolution": "api-wins"}
    for name, extra in (("manual", manual), ("repair", None), ("accept", accept)):
        env.k8s.custom.create_namespaced_custom_object("litellm.llmops.dev", "v1alpha1", env.namespace, "litellmteams", {
            "apiVersion": "litellm.llmops.dev/v1alpha1", "kind": "LiteLLMTeam",
            "metadata": {"name": name, "annotations": extra or {}},
            "spec": {"instanceRef": {"name": "gwd"}, "teamAlias": f"{env.prefix}-{name}", "maxBudget": 5}})
    ids = {name: env.wait_ready("LiteLLMTeam", name)["status"]["litellmId"] for name in ("manual", "repair", "accept")}
    for team_id in ids.values():
        env.proxy.api("POST", "/team/update", json={"team_id": team_id, "max_budget": 9}).raise_for_status()

    def drifted(name: str) -> dict[str, Any] | None:
        body = env.get("LiteLLMTeam", name)
        entries = ((body or {}).get("status") or {}).get("drift") or []
        return body if any(d["path"] == "spec.maxBudget" for d in entries) and is_true(body, "Drifted") else None

    body = wait_for(lambda: drifted("manual"), "the manual team reports its drift")
    entry = next(d for d in body["status"]["drift"] if d["path"] == "spec.maxBudget")
    assert entry["desired"] == 5 and entry["live"] == 9, entry
    assert "spec.maxBudget" in condition(body, "Drifted")["message"] and body["status"]["lastDriftCheckTime"]
    wait_for(lambda: "Drifted" in env.k8s.reasons(env.namespace, "manual"), "the Drifted Event")
    seen = {body["status"]["lastDriftCheckTime"]}

    def checked_again() -> bool:
        seen.add(((env.get("LiteLLMTeam", "manual") or {}).get("status") or {}).get("lastDriftCheckTime"))
        return len(seen) >= 4

    wait_for(checked_again, "three more drift checks of the manual team")
    reasons = env.k8s.reasons(env.namespace, "manual")
    assert reasons.count("Drifted") == 1 and reasons.count("InSync") <= 1, f"Events tell changes only: {reasons}"

    wait_for(lambda: "DriftRepaired" in env.k8s.reasons(env.namespace, "repair"), "crd-wins repairs the drift")
    assert (env.team(ids["repair"]) or {}).get("max_budget") == 5, "crd-wins put the spec's value back"
    assert "Drifted" in env.k8s.reasons(env.namespace, "repair"), "the drift was reported before the repair"
    wait_for(lambda: len([e for e in env.k8s.events(env.namespace, "manual") if e.reason == "Drifted"]) >= 1
             and drifted("manual"), "manual drift stays reported on later checks")
    assert (env.team(ids["manual"]) or {}).get("max_budget") == 9, "manual never writes to LiteLLM"

    # api-wins: LiteLLM's value goes into the CR's spec (a new generation, reconciled without writing to LiteLLM)
    wait_for(lambda: ((env.get("LiteLLMTeam", "accept") or {}).get("spec") or {}).get("maxBudget") == 9,
             "api-wins copies LiteLLM's value into the spec")
    wait_for(lambda: "DriftAccepted" in env.k8s.reasons(env.namespace, "accept"), "the DriftAccepted Event")
    body = env.wait_ready("LiteLLMTeam", "accept", generation=2)
    assert not is_true(body, "Drifted"), body["status"].get("conditions")
    assert (env.team(ids["accept"]) or {}).get("max_budget") == 9, "api-wins keeps LiteLLM's value"
    # the instance's batches (the reconciles, the repair) and its drift checks (every 2 s): one at a time
    spans = run_spans(env.operator.runner_dir, env.namespace, "gwd")
    assert {name.split("/")[0] for _start, _end, name in spans} == {"batch", "drift"}, spans
    for (_start, end, before), (start, _end, after) in zip(spans, spans[1:]):
        assert start >= end, f"{after} started before {before} ended"
    for name in ids:
        env.k8s.delete("LiteLLMTeam", env.namespace, name)
    for name in ids:
        env.wait_gone("LiteLLMTeam", name)
    env.k8s.delete("LiteLLMInstance", env.namespace, "gwd")  # its 2 s sweep would run until the module ends


def test_a_field_of_a_newer_litellm_is_refused_permanently(env: Env) -> None:
    """A team with ``requireTraceId`` (LiteLLM 1.108) on the pinned 1.106.2: the version sentence at its spec path,
    not retried, nothing written (LiteLLM 1.106.2 would accept the team and drop the setting)."""
    env.k8s.create("LiteLLMTeam", env.namespace, "traced", {"instanceRef": {"name": "gw"}, "teamAlias": f"{env.prefix}-traced",
                                                            "requireTraceId": True})
    body = wait_for(lambda: is_true(b := env.get("LiteLLMTeam", "traced"), "Failure") and b, "the version refusal")
    failure = condition(body, "Failure")
    # the batched reconcile names the spec field (the engine's option name rewritten through the table's origins)
    assert failure["message"].startswith(
        "invalid spec: spec.requireTraceId of a team needs LiteLLM 1.108.0 or newer, which this proxy is not"), failure
    assert failure["reason"] == "InvalidSpec" and condition(body, "Running")["message"].endswith("permanently"), body
    assert env.teams_with_alias(f"{env.prefix}-traced") == []
    env.k8s.delete("LiteLLMTeam", env.namespace, "traced")
    env.wait_gone("LiteLLMTeam", "traced")


SETTING = "maximum_health_check_retention_period"  # harmless on the shared proxy: no health checks are stored there


def test_proxy_settings_one_per_instance_drift_and_delete(env: Env) -> None:
    """LiteLLMProxySettings: applied; a second one for the instance conflicts and writes nothing; a change made in
    LiteLLM is reported at its spec path (manual); deleting the resource removes the general settings it declared
    (LiteLLM's default again), deleting the conflicting one changes nothing."""
    def read() -> Any:
        answer = env.proxy.api("GET", "/config/field/info", params={"field_name": SETTING})
        return answer.json()["field_value"] if answer.status_code == 200 else None

    def live() -> Any:
        """The setting, read until three reads agree: the shared proxy's settings row is rewritten by other tests,
        and a read in between may find it briefly without this key."""
        return wait_for(lambda: (values := [read(), read(), read()]) and values.count(values[0]) == 3 and values,
                        f"three reads of {SETTING} that agree")[0]

    assert live() is None, f"{SETTING} is set on the shared proxy: another test uses it"
    external_instance(env.k8s, env.namespace, "gws", env.proxy.url, env.proxy.master_key,
                      config_sync={"interval": "2s", "conflictResolution": "manual"},
                      annotations={"litellm.llmops.dev/unmanaged-name-prefix": f"{env.prefix}-s-"})
    try:
        env.k8s.create("LiteLLMProxySettings", env.namespace, "settings", {
            "instanceRef": {"name": "gws"}, "generalSettings": {SETTING: "40d"}})
        env.wait_ready("LiteLLMProxySettings", "settings")
        assert live() == "40d"
        env.k8s.create("LiteLLMProxySettings", env.namespace, "settings-b", {
            "instanceRef": {"name": "gws"}, "generalSettings": {SETTING: "41d"}})
        body = wait_for(lambda: is_true(b := env.get("LiteLLMProxySettings", "settings-b"), "Conflict") and b,
                        "the second settings of the instance conflict")
        assert f"{env.namespace}/settings" in condition(body, "Conflict")["message"], body["status"]
        assert live() == "40d", "the conflicting resource wrote nothing"

        env.proxy.api("POST", "/config/field/update", json={"config_type": "general_settings", "field_name": SETTING,
                                                            "field_value": "50d"}).raise_for_status()
        path = f"spec.generalSettings.{SETTING}"

        def drifted() -> dict[str, Any] | None:
            found = env.get("LiteLLMProxySettings", "settings")
            entries = ((found or {}).get("status") or {}).get("drift") or []
            return next((d for d in entries if d["path"] == path), None) if is_true(found, "Drifted") else None

        assert wait_for(drifted, "the change made in LiteLLM reported at its spec path") == {
            "path": path, "desired": "40d", "live": "50d"}
        assert live() == "50d", "manual never writes to LiteLLM"

        env.k8s.delete("LiteLLMProxySettings", env.namespace, "settings-b")
        env.wait_gone("LiteLLMProxySettings", "settings-b")
        assert live() == "50d", "deleting the conflicting resource changed nothing"
        env.k8s.delete("LiteLLMProxySettings", env.namespace, "settings")
        env.wait_gone("LiteLLMProxySettings", "settings")
        assert live() is None, "the declared general setting is removed: LiteLLM's default applies again"
    finally:
        env.proxy.api("POST", "/config/field/delete", json={"config_type": "general_settings", "field_name": SETTING})
        env.k8s.delete("LiteLLMInstance", env.namespace, "gws")


# Kinds the README manifests do not cover: each created, changed and deleted through the operator.
OTHER_KINDS = {
    "LiteLLMBudget": ("budget", lambda p, ref: {"budgetId": f"{p}-budget", "maxBudget": 10, "budgetDuration": "30d"},
                      lambda ref: {"maxBudget": 20}, lambda o: o["max_budget"], (10, 20)),
    "LiteLLMCustomer": ("customer", lambda p, ref: {"userId": f"{p}-cust", "alias": "first", "maxBudget": 5},
                        lambda ref: {"alias": "second"}, lambda o: o["alias"], ("first", "second")),
    "LiteLLMUser": ("user", lambda p, ref: {"userId": f"{p}-user", "userEmail": f"{p}-user@example.com",
                                            "userAlias": "first", "maxBudget": 3},
                    lambda ref: {"userAlias": "second"}, lambda o: o["user_alias"], ("first", "second")),
    "LiteLLMGuardrail": ("guardrail", lambda p, ref: {
        "guardrailName": f"{p}-guard", "provider": "generic_guardrail_api", "mode": ["pre_call"],
        "apiBase": "http://127.0.0.1:9/guard", "apiKeySecretRef": ref, "defaultOn": False},
        lambda ref: {"guardrailInfo": {"description": "second"}}, lambda o: o.get("guardrail_info") or {},
        ({}, {"description": "second"})),
    "LiteLLMMCPServer": ("mcp_server", lambda p, ref: {
        "serverName": p.replace("-", "_") + "_mcp", "transport": "http", "url": "http://127.0.0.1:9/mcp",
        "authType": "bearer_token", "credentials": {"auth_value": ref}, "description": "first"},
        lambda ref: {"description": "second"}, lambda o: o["description"], ("first", "second")),
    "LiteLLMModel": ("model", lambda p, ref: {
        "modelName": f"{p}-mock", "litellmParams": {"model": "openai/gpt-4o", "apiKeySecretRef": ref, "mock_response": "hi"}},
        lambda ref: {"litellmParams": {"model": "openai/gpt-4o", "apiKeySecretRef": ref, "mock_response": "hi", "rpm": 7}},
        lambda o: o["litellm_params"].get("rpm"), (None, 7)),
    "LiteLLMAgent": ("agent", lambda p, ref: {
        "agentName": f"{p}-agent", "agentCardParams": {"url": "http://127.0.0.1:9/"}, "secretLitellmParams": {"api_key": ref},
        "rpmLimit": 5, "killSwitch": {"url": "http://127.0.0.1:9/stop", "auth": {"type": "bearer", "credentialSecretRef": ref}}},
        lambda ref: {"rpmLimit": 6}, lambda o: o["rpm_limit"], (5, 6)),
    "LiteLLMMCPToolset": ("mcp_toolset", lambda p, ref: {
        "toolsetName": f"{p}-toolset", "tools": [{"serverId": f"{p}-srv", "toolName": "a"}]},
        lambda ref: {"description": "second"}, lambda o: o["description"], (None, "second")),
    # on the test's own model (made through the API first), falling back to a config model of the proxy
    "LiteLLMFallback": ("fallback", lambda p, ref: {"model": f"{p}-fbmodel", "fallbackModels": ["mock-gpt"]},
                        lambda ref: {"fallbackModels": ["upstream-echo", "mock-gpt"]}, lambda o: list(o.values())[0],
                        (["mock-gpt"], ["upstream-echo", "mock-gpt"])),
    # maps to a virtual key made through the API first, its value in the Secret other-jwt-key
    "LiteLLMJWTKeyMapping": ("jwt_key_mapping", lambda p, ref: {
        "jwtClaimName": "sub", "jwtClaimValue": f"{p}-sub", "keySecretRef": {"name": "other-jwt-key", "key": "api_key"},
        "description": "first"}, lambda ref: {"description": "second"}, lambda o: o["description"], ("first", "second")),
    "LiteLLMPolicy": ("policy", lambda p, ref: {
        "policyName": f"{p}-policy", "guardrailsAdd": ["g1"], "attachments": [{"tags": [f"{p}-*"]}]},
        lambda ref: {"description": "second"}, lambda o: (o["description"], len(o["attached_tags"])),
        ((None, 1), ("second", 1))),
    "LiteLLMSearchTool": ("search_tool", lambda p, ref: {
        "searchToolName": f"{p}-search", "searchProvider": "tavily", "providerApiKeySecretRef": ref,
        "apiBase": "http://127.0.0.1:9/search", "providerTimeout": 5},
        lambda ref: {"providerTimeout": 7}, lambda o: o["litellm_params"]["timeout"], (5, 7)),
    "LiteLLMVectorStore": ("vector_store", lambda p, ref: {
        "vectorStoreId": f"vs_{p.replace('-', '_')}", "customLlmProvider": "openai", "vectorStoreName": "first",
        "litellmParams": {"api_base": "http://127.0.0.1:9/v1"}, "secretLitellmParams": {"api_key": ref}},
        lambda ref: {"vectorStoreName": "second"}, lambda o: o["vector_store_name"], ("first", "second")),
    # one alias of the router's map; another resource's alias (test below) stays through its create, update, delete
    "LiteLLMModelAlias": ("model_alias", lambda p, ref: {"alias": f"{p}-smart[1m]", "model": "mock-gpt"},
                          lambda ref: {"model": "upstream-echo", "hidden": True}, lambda o: (o["model"], o["hidden"]),
                          (("mock-gpt", False), ("upstream-echo", True))),
    # a change is the prompt's next version in its environment
    "LiteLLMPrompt": ("prompt", lambda p, ref: {"promptId": f"{p}-prompt", "environment": "staging",
                                                "dotpromptContent": "Hello {{name}}"},
                      lambda ref: {"dotpromptContent": "Goodbye {{name}}"},
                      lambda o: (o["litellm_params"]["dotprompt_content"], o["version"]),
                      (("Hello {{name}}", 1), ("Goodbye {{name}}", 2))),
}


def test_other_kinds_create_update_delete_through_the_operator(env: Env) -> None:
    litellm = LiteLLM(env.proxy)
    provider_key = f"sk-provider-{uuid.uuid4().hex}"
    env.k8s.secret(env.namespace, "other-provider", {"api-key": provider_key})
    env.secrets.append(provider_key)
    ref = {"name": "other-provider", "key": "api-key"}
    prefix = f"{env.prefix}-o"
    env.proxy.api("POST", "/model/new", json={"model_name": f"{prefix}-fbmodel", "litellm_params": {
        "model": "openai/gpt-4o", "mock_response": "hi"}}).raise_for_status()
    jwt_key = env.proxy.api("POST", "/key/generate", json={"key_alias": f"{prefix}-jwt"}).json()["key"]
    env.k8s.secret(env.namespace, "other-jwt-key", {"api_key": jwt_key})
    env.secrets.append(jwt_key)
    for kind, (_reader, spec, _change, _field, _values) in OTHER_KINDS.items():
        env.k8s.create(kind, env.namespace, "other", {"instanceRef": {"name": "gw"}, **spec(prefix, ref)})
    # a second alias at once: both are written into the one map, neither loses the other
    env.k8s.create("LiteLLMModelAlias", env.namespace, "other-fast", {
        "instanceRef": {"name": "gw"}, "alias": f"{prefix}-fast", "model": "mock-gpt"})
    ids = {kind: env.wait_ready(kind, "other")["status"]["litellmId"] for kind in OTHER_KINDS}
    assert env.wait_ready("LiteLLMModelAlias", "other-fast")["status"]["litellmId"] == f"{prefix}-fast"
    assert (ids["LiteLLMModelAlias"], ids["LiteLLMPrompt"]) == (f"{prefix}-smart[1m]", f"{prefix}-prompt::staging")

    def live(kind: str) -> dict[str, Any] | None:
        return getattr(litellm, OTHER_KINDS[kind][0])(ids[kind])

    for kind, (_reader, _spec, change, field, (first, _second)) in OTHER_KINDS.items():
        assert field(live(kind)) == first, f"{kind}: LiteLLM holds {live(kind)}"
        env.k8s.patch(kind, env.namespace, "other", {"spec": change(ref)})
    for kind, (_reader, _spec, _change, field, (_first, second)) in OTHER_KINDS.items():
        env.wait_ready(kind, "other", generation=2)
        assert field(live(kind)) == second, f"{kind}: the spec change did not reach LiteLLM: {live(kind)}"
    assert litellm.model_alias(f"{prefix}-fast") == {"model": "mock-gpt", "hidden": False}, "another alias was touched"
    for kind in OTHER_KINDS:
        env.k8s.delete(kind, env.namespace, "other")
    env.k8s.delete("LiteLLMModelAlias", env.namespace, "other-fast")  # two finalizer runs at once on one map
    for kind in OTHER_KINDS:
        env.wait_gone(kind, "other")
        assert live(kind) is None, f"{kind} is still in LiteLLM after its CR was deleted"
    env.wait_gone("LiteLLMModelAlias", "other-fast")
    assert litellm.model_alias(f"{prefix}-fast") is None
    model = env.proxy.api("GET", "/v2/model/info", params={"model": f"{prefix}-fbmodel"}).json()["data"]
    for deployment in model:
        env.proxy.api("POST", "/model/delete", json={"id": deployment["model_info"]["id"]})
    env.proxy.api("POST", "/key/delete", json={"key_aliases": [f"{prefix}-jwt"]})


def test_litellm_down_then_back_converges(env: Env) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    external_instance(env.k8s, env.namespace, "gwx", closed, env.proxy.master_key)
    env.k8s.create("LiteLLMTeam", env.namespace, "late", {"instanceRef": {"name": "gwx"}, "teamAlias": f"{env.prefix}-late"})
    body = wait_for(lambda: is_true(b := env.get("LiteLLMTeam", "late"), "Failure") and b, "the run fails while LiteLLM is down")
    assert condition(body, "Failure")["reason"] == "Failed", "a connection failure is retried, not permanent"
    env.k8s.patch("LiteLLMInstance", env.namespace, "gwx", {"spec": {"external": {"url": env.proxy.url}}})
    body = env.wait_ready("LiteLLMTeam", "late")
    assert len(env.teams_with_alias(f"{env.prefix}-late")) == 1
    env.k8s.delete("LiteLLMTeam", env.namespace, "late")
    env.wait_gone("LiteLLMTeam", "late")


def resumable(env: Env) -> int:
    """The resources the operator resumes when it starts: those of the kinds it watches, in its namespace."""
    kinds = [w["kind"] for w in yaml.safe_load((env.operator.log_path.parent / "watches.yaml").read_text())]
    return sum(len(env.k8s.custom.list_namespaced_custom_object(GROUP, VERSION, env.namespace, Cluster.plural(kind))
                   ["items"]) for kind in kinds)


def test_operator_restart_mid_reconcile_converges_without_duplicates(env: Env) -> None:
    """The operator is killed while a key's run is going; its successor converges with one key, one Secret, and
    resumes a converged team without a word: no status written, no Event (status.settled)."""
    env.k8s.create("LiteLLMTeam", env.namespace, "calm", {"instanceRef": {"name": "gw"}, "teamAlias": f"{env.prefix}-calm"})
    calm = env.wait_ready("LiteLLMTeam", "calm")
    said = len(env.k8s.events(env.namespace, "calm"))
    alias = f"{env.prefix}-crash"
    env.k8s.create("LiteLLMVirtualKey", env.namespace, "crash", {"instanceRef": {"name": "gw"}, "keyAlias": alias})
    wait_for(lambda: condition(env.get("LiteLLMVirtualKey", "crash"), "Running").get("reason") == "Running",
             "the run has started", interval=0.05)
    env.operator.stop(signal.SIGKILL)
    assert not is_true(env.get("LiteLLMVirtualKey", "crash"), "Successful"), "killed before the run concluded"
    logged = len(env.operator.log)
    env.operator.start()
    env.wait_ready("LiteLLMVirtualKey", "crash")
    expected = resumable(env)  # Kopf logs a line for each when its handler is done (the key's was a creation)
    wait_for(lambda: len(re.findall(r"(?:Resuming|Creation|Updating) is processed", env.operator.log[logged:]))
             >= expected, f"the {expected} resources resumed")
    assert env.get("LiteLLMTeam", "calm")["metadata"]["resourceVersion"] == calm["metadata"]["resourceVersion"]
    assert len(env.k8s.events(env.namespace, "calm")) == said, "a resume that changes nothing posts no Event"
    value = (env.k8s.read_secret(env.namespace, "crash-key") or {})["api_key"]
    env.secrets.append(value)
    assert env.keys_with_alias(alias) == [hashlib.sha256(value.encode()).hexdigest()], "one key, the Secret's value"
    env.k8s.delete("LiteLLMVirtualKey", env.namespace, "crash")
    env.wait_gone("LiteLLMVirtualKey", "crash")
    assert env.keys_with_alias(alias) == []


def test_watch_namespace_is_honoured(env: Env) -> None:
    ignored = env.k8s.get("LiteLLMTeam", env.other_namespace, "ignored")
    assert ignored is not None and not ignored.get("status") and not ignored["metadata"].get("finalizers")
    assert env.other_namespace not in env.operator.log
    assert env.teams_with_alias(f"{env.prefix}-ignored") == []


def test_unmanaged_objects_reported_adopted_pruned(env: Env) -> None:
    """A team made in LiteLLM behind the operator's back: preserve reports it, adopt makes a CR of it (Orphan),
    prune deletes it upstream once no CR declares it, and only it: not the key of a converged LiteLLMVirtualKey nor
    that key's predecessor in its rotation's grace period (``<keyAlias>.retiring-<until>``). Scoped to this test's
    name prefix (the proxy is shared)."""
    scope = f"{env.prefix}-u-"
    alias = f"{scope}team"
    env.proxy.api("POST", "/team/new", json={"team_alias": alias, "max_budget": 4}).raise_for_status()
    external_instance(env.k8s, env.namespace, "gwu", env.proxy.url, env.proxy.master_key,
                      config_sync={"interval": "2s", "unmanagedResourcePolicy": "preserve"},
                      annotations={"litellm.llmops.dev/unmanaged-name-prefix": scope})

    def reported(reason: str) -> bool:
        return any(e.reason == reason and f"LiteLLMTeam {alias}" in e.message for e in env.k8s.events(env.namespace, "gwu"))

    wait_for(lambda: reported("Unmanaged"), "preserve reports the unmanaged team (Event)")

    def adopted() -> dict[str, Any] | None:
        items = env.k8s.custom.list_namespaced_custom_object("litellm.llmops.dev", "v1alpha1", env.namespace, "litellmteams")["items"]
        return next((i for i in items if i["spec"].get("teamAlias") == alias), None)

    assert adopted() is None, "preserve creates nothing"
    env.k8s.patch("LiteLLMInstance", env.namespace, "gwu", {"spec": {"configSync": {"unmanagedResourcePolicy": "adopt"}}})
    cr = wait_for(adopted, "adopt creates a LiteLLMTeam for it")
    assert cr["metadata"]["annotations"]["litellm.llmops.dev/adopted"] == "true" and cr["spec"]["deletionPolicy"] == "Orphan"
    assert cr["spec"]["instanceRef"] == {"name": "gwu"} and cr["spec"]["maxBudget"] == 4
    wait_for(lambda: reported("Adopted"), "the adoption is reported (Event)")
    env.wait_ready("LiteLLMTeam", cr["metadata"]["name"])

    # a converged key (crd-wins, the default: the sweep's unmanaged policy is the instance's, not a CR's), and its
    # predecessor as a rotation by succession leaves it
    key_alias = f"{scope}key"
    env.k8s.create("LiteLLMVirtualKey", env.namespace, "ukey", {"instanceRef": {"name": "gwu"}, "keyAlias": key_alias})
    env.wait_ready("LiteLLMVirtualKey", "ukey")
    env.secrets.append((env.k8s.read_secret(env.namespace, "ukey-key") or {})["api_key"])
    retiring = f"{key_alias}.retiring-20991231T000000Z"
    made = env.proxy.api("POST", "/key/generate", json={"key_alias": retiring})
    made.raise_for_status()
    env.secrets.append(made.json()["key"])
    token = hashlib.sha256(made.json()["key"].encode()).hexdigest()
    env.k8s.patch("LiteLLMInstance", env.namespace, "gwu", {"spec": {"configSync": {"unmanagedResourcePolicy": "prune"}}})
    env.k8s.delete("LiteLLMTeam", env.namespace, cr["metadata"]["name"])
    env.wait_gone("LiteLLMTeam", cr["metadata"]["name"])
    wait_for(lambda: "Orphaned" in env.k8s.reasons(env.namespace, cr["metadata"]["name"]), "an adopted CR is orphaned on deletion")
    wait_for(lambda: env.teams_with_alias(alias) == [], "prune deletes the team nobody declares any more")
    wait_for(lambda: reported("Pruned"), "the pruning is reported (Event)")
    assert len(env.keys_with_alias(key_alias)) == 1, "the key of a LiteLLMVirtualKey is not pruned"
    assert env.keys_with_alias(retiring) == [token], "nor is its predecessor in its grace period"
    env.proxy.api("POST", "/key/delete", json={"keys": [token]}).raise_for_status()
    env.k8s.delete("LiteLLMVirtualKey", env.namespace, "ukey")
    env.wait_gone("LiteLLMVirtualKey", "ukey")
    env.k8s.delete("LiteLLMInstance", env.namespace, "gwu")


def test_no_secret_in_artifacts_status_events_or_logs(env: Env) -> None:
    """Scans everything the module produced for the master key, the provider key and the virtual keys' values."""
    secrets = env.secrets
    assert len(secrets) >= 5, "the master key, the provider key and the virtual keys of the earlier tests"
    env.operator.stop()  # a still state to scan (runner artifacts rotate while runs go on)

    runner_files = [p for p in env.operator.runner_dir.rglob("*") if p.is_file()]
    assert any(p.name == "stdout" for p in runner_files) and any("job_events" in p.parts for p in runner_files)
    places: dict[str, str] = {str(p): p.read_text(errors="replace") for p in runner_files}
    places["operator log"] = env.operator.log
    assert " DEBUG " in places["operator log"], "the operator ran with --verbose"
    for kind in ("LiteLLMInstance", "LiteLLMTeam", "LiteLLMVirtualKey", "LiteLLMCredential", *OTHER_KINDS):
        for item in env.k8s.custom.list_namespaced_custom_object("litellm.llmops.dev", "v1alpha1", env.namespace,
                                                                 kind.lower() + "s")["items"]:
            places[f"{kind} {item['metadata']['name']}"] = json.dumps(item)
    places["events"] = json.dumps([e.to_dict() for e in env.k8s.events(env.namespace)], default=str)
    assert len(places["events"]) > 1000 and "Reconciled" in places["events"]
    leaks = [(where, i) for where, text in places.items() for i, secret in enumerate(secrets) if secret in text]
    assert leaks == [], f"secret values found in: {leaks}"
