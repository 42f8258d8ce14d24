"""The shim's pure functions, table-driven: watches.yaml validation, snake_case, durations, Secret references,
drift paths, runner event parsing. No cluster, no LiteLLM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import cr_value as spec_value
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import make_scope
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND
from llmops_operator import params, refs, runner, status
from llmops_operator.sweep import in_sync, scope_kinds
from llmops_operator.watches import WatchesError, load, parse_duration

from tests.operator.conftest import OPERATOR_DIR, REPO


@pytest.mark.parametrize(("name", "expected"), [
    ("teamAlias", "team_alias"), ("apiKeySecretRef", "api_key_secret_ref"), ("maxBudgetUSD", "max_budget_usd"),
    ("HTTPServer", "http_server"), ("size", "size"), ("tpmLimit", "tpm_limit"), ("v1Name", "v1_name"),
])
def test_snake_case_as_the_operator_sdk(name: str, expected: str) -> None:
    assert params.snake(name) == expected


@pytest.mark.parametrize(("value", "seconds"), [("30s", 30), ("5m", 300), ("1h30m", 5400), ("500ms", 0.5), (12, 12)])
def test_go_durations(value: Any, seconds: float) -> None:
    assert parse_duration(value, "x") == seconds


@pytest.mark.parametrize("value", ["5 minutes", "", "m5", "1x", True])
def test_bad_durations_name_the_field(value: Any) -> None:
    with pytest.raises(WatchesError, match="configSync.interval"):
        parse_duration(value, "configSync.interval")


def _watches(tmp_path: Path, entries: Any) -> Path:
    (tmp_path / "play.yml").write_text("- hosts: localhost\n  tasks: []\n")
    path = tmp_path / "watches.yaml"
    path.write_text(yaml.safe_dump(entries))
    return path


BASE = {"group": "x.example.com", "version": "v1", "kind": "Thing", "playbook": "play.yml"}


@pytest.mark.parametrize(("entries", "message"), [
    ([{**BASE, "playbok": "play.yml"}], r"watches\[0\] \(Thing\): unknown field\(s\) playbok"),
    ([{k: v for k, v in BASE.items() if k != "kind"}], r"watches\[0\]\.kind: is required"),
    ([{**BASE, "playbook": "missing.yml"}], r"watches\[0\] \(Thing\)\.playbook: .*missing.yml does not exist"),
    ([{**BASE, "role": "play.yml"}], "set playbook or role, not both"),
    ([{**BASE, "manageStatus": "yes"}], r"\.manageStatus: must be true or false"),
    ([{**BASE, "maxRunnerArtifacts": 0}], r"\.maxRunnerArtifacts: must be a positive integer"),
    ([{**BASE, "reconcilePeriod": "soon"}], r"\.reconcilePeriod: 'soon' is not a duration"),
    ([{**BASE, "finalizer": {"vars": {"state": "absent"}}}], r"\.finalizer\.name: is required"),
    ([BASE, BASE], "is watched twice"),
    ([{**BASE, "finalizer": {"name": "a/b", "vars": {}}}, {**BASE, "kind": "Other", "finalizer": {"name": "c/d", "vars": {}}}],
     "all finalizers must share one name"),
    ({"kind": "Thing"}, "must be a non-empty list"),
    ([{**BASE, "selector": {"matchExpressions": [{"key": "tier", "operator": "Gt", "values": ["1"]}]}}],
     r"\.selector\.matchExpressions\[0\]\.operator: 'Gt' is not supported"),
    ([{**BASE, "selector": {"matchLabels": ["tier"]}}], r"\.selector\.matchLabels: must be a mapping"),
])
def test_watches_errors_name_the_entry_and_field(tmp_path: Path, entries: Any, message: str) -> None:
    with pytest.raises(WatchesError, match=message):
        load(_watches(tmp_path, entries))


def test_the_operators_watches_file_is_valid() -> None:
    watches = load(OPERATOR_DIR / "watches.yaml", REPO)
    assert {w.kind for w in watches} >= {"LiteLLMInstance", "LiteLLMTeam", "LiteLLMVirtualKey", "LiteLLMModel"}
    assert all(w.mark_unsafe and w.finalizer and w.finalizer.name == "litellm.llmops.dev/finalizer" for w in watches)
    assert {w.cr_var for w in watches} >= {"_litellm_llmops_dev_litellmteam", "_litellm_llmops_dev_litellmvirtualkey"}


def test_extravars_mark_cr_strings_unsafe_and_keep_operator_vars_trusted(tmp_path: Path) -> None:
    body = {"metadata": {"name": "t", "namespace": "ns", "managedFields": [{}]},
            "spec": {"teamAlias": "{{ lookup('env','HOME') }}", "maxBudget": 5}}
    variables = params.extravars(body, cr_var="_x_thing", snake_case=True, unsafe=True, extra={"state": "present"})
    params.write_extravars(tmp_path / "extravars", variables)
    text = (tmp_path / "extravars").read_text()
    assert "team_alias: !unsafe '{{ lookup(''env'',''HOME'') }}'" in text and "state: present" in text
    assert "managedFields" not in text and (tmp_path / "extravars").stat().st_mode & 0o777 == 0o600


def test_secret_references_and_their_env_names() -> None:
    spec = {"apiKeySecretRef": {"name": "s", "key": "k"},
            "litellmParams": {"apiKeySecretRef": {"name": "s2", "key": "k2"}, "credentialRef": {"name": "c"}},
            "secretParams": {"vertex_credentials": {"name": "s3", "key": "k3"}}}
    assert [path for path, _env in refs.secret_refs(spec)] == [
        "api_key_secret_ref", "litellm_params.api_key_secret_ref", "secret_params.vertex_credentials"]
    assert refs.entity_refs(spec) == [("credentialRef", {"name": "c"})]


def test_drift_paths_map_module_fields_to_the_spec() -> None:
    found = [{"module": "team", "field": "max_budget", "desired": 5, "live": 9},
             {"module": "team", "field": "members", "desired": [], "live": [1]},
             {"module": "virtual_key", "field": None, "desired": {"a": 1}, "live": None}]
    assert runner.drift_paths(found, {"maxBudget": 5}) == [
        {"path": "spec.maxBudget", "desired": 5, "live": 9},
        {"path": "team.members", "desired": [], "live": [1]},
        {"path": "virtual_key", "desired": {"a": 1}, "live": None}]


def test_runner_events_give_stats_status_failures_and_diffs() -> None:
    events = [
        {"event": "runner_on_ok", "event_data": {"task_action": "llmops.litellm.team", "res": {
            "changed": True, "diff": {"before": {"max_budget": 9, "models": []}, "after": {"max_budget": 5, "models": []}}}}},
        {"event": "runner_on_failed", "event_data": {"task": "Reconcile", "res": {"msg": "denied for sk-secret-1"}}},
        {"event": "playbook_on_stats", "event_data": {"ok": {"localhost": 3}, "changed": {"localhost": 1}, "skipped": {},
                                                      "failures": {"localhost": 1}, "dark": {},
                                                      "artifact_data": {"litellm_status": {"litellmId": "t-1"}}}},
    ]
    result = runner.parse(events, "failed", ["sk-secret-1"])
    assert not result.ok and result.failures == ["Reconcile: denied for ********"]
    assert result.stats == {"ok": 3, "changed": 1, "skipped": 0, "failures": 1}
    assert result.litellm_status == {"litellmId": "t-1"}
    assert result.drift == [{"module": "team", "field": "max_budget", "desired": 5, "live": 9}]
    assert runner.parse(events[:1], "successful", []).ok
    invalid = runner.parse([{"event": "runner_on_failed", "event_data": {
        "task": "Check", "res": {"msg": "invalid spec: spec.maxBudget: must not be negative"}}}], "failed", [])
    assert invalid.permanent and invalid.invalid_spec


def test_a_licence_refusal_and_litellms_own_validation_are_permanent() -> None:
    """Retrying cannot help: the licence sentence (any kind, any option) and LiteLLM's 422 are not retried."""
    def failed(res: dict[str, Any]) -> runner.Result:
        return runner.parse([{"event": "runner_on_failed", "event_data": {"task": "Team", "res": res}}], "failed", [])

    licence = failed({"msg": "failed to manage team 'eng': tags of a team needs a LiteLLM Enterprise licence "
                             "(this proxy reports licence type 'community' at /health/license)", "status": 403})
    assert licence.permanent and licence.licence_required and not licence.rejected
    rejected = failed({"msg": "failed to create team 'eng': POST /team/new returned HTTP 422: max_budget: "
                              "Input should be a valid number", "status": 422})
    assert rejected.permanent and rejected.rejected and not rejected.licence_required
    transient = failed({"msg": "failed to create team 'eng': POST /team/new returned HTTP 503: down", "status": 503})
    assert not transient.permanent


@pytest.mark.parametrize(("field", "live", "current", "expected"), [
    ("maxBudget", 9.0, 5, 9),             # int-or-string: a whole number stays a number
    ("maxBudget", 9.5, 5, "9.5"),         # ... anything else its decimal string
    ("maxBudgetMonthly", 12.0, "100", "12.0"),
    ("tpmLimit", 100, 50, 100),
    ("temperature", 0.5, 0.2, 0.5),       # a number field keeps its number
    ("models", ["a"], [], ["a"]),
])
def test_api_wins_values_fit_the_crd(field: str, live: Any, current: Any, expected: Any) -> None:
    assert spec_value(field, live, current) == expected
    assert type(spec_value(field, live, current)) is type(expected)


def test_the_references_an_export_writes_are_the_ones_the_operator_resolves() -> None:
    """One table: the export to custom resources and the operator name a parent by the field its kind declares."""
    from ansible_collections.llmops.litellm.plugins.module_utils.gateway.manifests import cr_spec
    from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS
    references = [(kind, reference) for kind in KINDS for reference in kind.references]
    assert references
    for kind, reference in references:
        spec = cr_spec(kind, {reference.option: "Parent One"}, "gw")
        (field,) = set(spec) - {"instanceRef"}
        assert spec[field] == {"name": "parent-one"}
        assert refs.REFS[field][:2] == (reference.target.cr_kind, reference.target.kind)


def test_the_operator_imports_the_collection_it_ships_in() -> None:
    from llmops_operator.config import collections_dir

    found = collections_dir({})
    assert found is not None and (found / "ansible_collections" / "llmops" / "litellm").resolve() == REPO.resolve()


@pytest.mark.parametrize(("labels", "selected"), [
    ({"tier": "gold", "team": "a"}, True),
    ({"tier": "gold", "team": "a", "legacy": "1"}, False),  # DoesNotExist
    ({"tier": "silver", "team": "a"}, False),  # matchLabels
    ({"tier": "gold", "team": "c"}, False),  # In
    ({"tier": "gold", "team": "b", "region": "x"}, False),  # NotIn
    ({"tier": "gold"}, False),  # In needs the key
    ({"tier": "gold", "team": "b", "region": "y"}, True),
])
def test_a_watch_selects_by_labels_as_kubernetes_does(tmp_path: Path, labels: dict[str, str], selected: bool) -> None:
    selector = {"matchLabels": {"tier": "gold"}, "matchExpressions": [
        {"key": "team", "operator": "In", "values": ["a", "b"]}, {"key": "region", "operator": "NotIn", "values": ["x"]},
        {"key": "tier", "operator": "Exists"}, {"key": "legacy", "operator": "DoesNotExist"}]}
    [watch] = load(_watches(tmp_path, [{**BASE, "selector": selector}]))
    assert watch.selects(labels) is selected


def _cr(kind: str, name: str, created: str, spec: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "litellm.llmops.dev/v1alpha1", "kind": kind, "spec": {"instanceRef": {"name": "gw"}, **spec},
            "metadata": {"name": name, "namespace": "ns", "creationTimestamp": created, "labels": labels or {}}}


def test_the_index_of_claims_secret_readers_and_instance_users() -> None:
    """The shim's own index (index.Index): the oldest resource claiming a LiteLLM object manages it; a change, a
    deletion or a label that stops matching the selector moves or drops a resource's entries."""
    from llmops_operator.index import Index

    watches = {w.kind: w for w in load(OPERATOR_DIR / "watches.yaml", REPO)}
    team, user = watches["LiteLLMTeam"], watches["LiteLLMUser"]
    index = Index([team, user])
    older = _cr("LiteLLMTeam", "eng", "2026-12-01T00:00:00Z", {"teamAlias": "eng"})
    newer = _cr("LiteLLMTeam", "eng-copy", "2026-12-02T00:00:00Z", {"teamAlias": "eng"})
    reader = _cr("LiteLLMUser", "ann", "2026-12-01T00:00:00Z", {"userId": "ann", "teamRefs": []})
    reader["spec"]["passwordSecretRef"] = {"name": "ann-secret", "key": "k"}
    for watch, body in ((team, newer), (team, older), (user, reader)):
        index.observe(watch, body)

    assert index.rival(team, older) is None
    assert "LiteLLMTeam ns/eng (the older) manages through LiteLLMInstance ns/gw" in index.rival(team, newer)
    assert index.instance_users("ns", "gw") == [("LiteLLMTeam", "ns", "eng"), ("LiteLLMTeam", "ns", "eng-copy"),
                                                ("LiteLLMUser", "ns", "ann")]
    assert index.secret_readers("ns", "ann-secret") == [("LiteLLMUser", "ns", "ann")]
    assert index.secret_readers("other", "ann-secret") == []
    # a user with the same id as a team's alias claims nothing of the team's: claims are per kind
    assert index.rival(user, _cr("LiteLLMUser", "x", "2026-11-01T00:00:00Z", {"userId": "eng"})) is None

    index.observe(team, older, deleted=True)
    assert index.rival(team, newer) is None
    index.observe(team, dict(newer, spec={"instanceRef": {"name": "other"}, "teamAlias": "eng"}))
    assert index.instance_users("ns", "gw") == [("LiteLLMUser", "ns", "ann")]
    assert index.instance_users("ns", "other") == [("LiteLLMTeam", "ns", "eng-copy")]
    index.observe(user, reader, deleted=True)
    assert index.secret_readers("ns", "ann-secret") == [] and ("ns", "ann-secret") not in index.readers


def test_the_index_follows_the_watch_selector(tmp_path: Path) -> None:
    from llmops_operator.index import Index

    entry = {**BASE, "group": "litellm.llmops.dev", "kind": "LiteLLMTeam", "selector": {"matchLabels": {"tier": "gold"}}}
    [watch] = load(_watches(tmp_path, [entry]))
    index = Index([watch])
    body = _cr("LiteLLMTeam", "eng", "2026-12-01T00:00:00Z", {"teamAlias": "eng"}, labels={"tier": "gold"})
    index.observe(watch, body)
    assert index.instance_users("ns", "gw") == [("LiteLLMTeam", "ns", "eng")]
    body["metadata"]["labels"] = {"tier": "silver"}
    index.observe(watch, body)
    assert index.instance_users("ns", "gw") == []
    assert not index.holders and not index.entries


def test_what_a_custom_resource_claims_in_litellm() -> None:
    """The natural keys the collection's kinds declare, by spec field; models share names (LiteLLM load-balances)."""
    from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import cr_claims

    assert cr_claims("LiteLLMTeam", {"teamAlias": "eng", "maxBudget": 5}) == [("teamAlias", "eng")]
    assert cr_claims("LiteLLMUser", {"userEmail": "a@example.com", "userId": "u1"}) == [
        ("userEmail", "a@example.com"), ("userId", "u1")]
    assert cr_claims("LiteLLMTeam", {"teamAlias": "  "}) == []
    assert cr_claims("LiteLLMModel", {"modelName": "gpt-4o"}) == []
    assert cr_claims("Memcached", {"size": 1}) == []
    # a natural key of several fields: the same claim value under another claim name or issuer is another object
    mapping = {"jwtClaimName": "sub", "jwtClaimValue": "svc"}
    assert cr_claims("LiteLLMJWTKeyMapping", mapping) == [("jwtClaimValue", "svc with jwt_claim_name 'sub'")]
    assert cr_claims("LiteLLMJWTKeyMapping", dict(mapping, jwtIssuer="https://idp")) == [
        ("jwtClaimValue", "svc with jwt_claim_name 'sub' with jwt_issuer 'https://idp'")]
    assert cr_claims("LiteLLMFallback", {"model": "gpt-4o", "fallbackModels": ["a"]}) == [("model", "gpt-4o")]
    assert cr_claims("LiteLLMModelAlias", {"alias": "smart", "model": "gpt-4o"}) == [("alias", "smart")]
    assert cr_claims("LiteLLMProxySettings", {"generalSettings": {"alerting": []}}) == [("instanceRef", "proxy")]


TEAM_ORIGINS = {"team_alias": "spec.teamAlias", "max_budget": "spec.maxBudgetMonthly", "members": "spec.members"}


@pytest.mark.parametrize(("obj", "expected"), [
    ({"status": "created", "id": "t-1"}, ("ok", 1, "t-1")),
    ({"status": "unchanged", "id": "t-1"}, ("ok", 0, "t-1")),
    ({"status": "invalid", "where": "teams[2]", "error": "teams[2]: max_budget must be >= 0, got -1.0"},
     (ValueError, "invalid spec: spec.maxBudgetMonthly must be >= 0, got -1.0")),
    ({"status": "invalid", "where": "teams[0]", "error": "teams[0]: members[0].user_email is not an email"},
     (ValueError, "invalid spec: spec.members[0].user_email is not an email")),
    ({"status": "waiting", "where": "teams[1]", "error": "teams[1]: waits for organization 'acme', which is missing"},
     (refs.Waiting, "waits for organization 'acme', which is missing")),
    ({"status": "skipped", "where": "teams[1]", "error": "teams[1]: not applied: organization 'acme' failed"},
     (refs.Waiting, "not applied: organization 'acme' failed")),
    ({"status": "invalid", "where": "teams[0]", "error": "teams[0]: tags of a team needs a LiteLLM Enterprise licence"},
     ("licence", "spec.tags of a team needs a LiteLLM Enterprise licence")),
    ({"status": "failed", "where": "teams[0]", "http_status": 422, "error": "failed to create team 'x': HTTP 422"},
     ("permanent", "failed to create team 'x': HTTP 422")),
    ({"status": "failed", "where": "teams[0]", "http_status": 500, "error": "failed to create team 'x': HTTP 500"},
     ("retried", "failed to create team 'x': HTTP 500")),
])
def test_a_batch_outcome_per_resource(obj: dict[str, Any], expected: tuple[Any, ...]) -> None:
    """gateway_state's result for one object -> what the reconcile handler of its CR concludes (batch.py)."""
    from llmops_operator import batch

    found = batch.outcome({"kind": "team", "name": "x", **obj}, BY_CR_KIND["LiteLLMTeam"],
                          {**TEAM_ORIGINS, "tags": "spec.tags"})
    what, detail = expected[0], expected[1]
    if isinstance(what, type):
        assert isinstance(found, what) and str(found) == detail, found
    elif what == "ok":
        assert isinstance(found, runner.Result) and found.ok and found.stats["changed"] == detail
        assert found.litellm_status == {"litellmId": expected[2]}
    else:
        assert isinstance(found, runner.Result) and not found.ok and found.message == detail
        assert found.permanent == (what != "retried") and found.licence_required == (what == "licence")


@pytest.mark.parametrize(("obj", "ok", "changed"), [
    ({"status": "deleted"}, True, 1),
    ({"status": "unchanged"}, True, 0),  # LiteLLM did not have it: nothing to delete, the finalizer goes
    ({"status": "invalid", "where": "teams[0]", "error": "teams[0]: deleting team 'x' would, by LiteLLM's cascade, "
      "also take 1 object not declared absent: virtual_key 'k' (deleted)"}, False, 0),
    ({"status": "failed", "where": "teams[0]", "http_status": 422, "error": "failed to delete team 'x': HTTP 422"},
     False, 0),
])
def test_a_batch_deletion_outcome_is_never_permanent(obj: dict[str, Any], ok: bool, changed: int) -> None:
    """A deletion the batch could not do keeps its finalizer and is retried, whatever the reason (batch.py)."""
    from llmops_operator import batch

    found = batch.outcome({"kind": "team", "name": "x", **obj}, BY_CR_KIND["LiteLLMTeam"], {}, delete=True)
    assert isinstance(found, runner.Result) and found.ok == ok, found
    assert found.stats["changed"] == changed and not found.permanent
    if not ok:
        assert found.message == obj["error"].removeprefix("teams[0]: "), found.message


@pytest.mark.parametrize(("spec", "annotations", "deleting", "orphaned", "batched"), [
    ({"keyAlias": "ci"}, {}, False, False, True),
    ({"keyAlias": "ci", "gracePeriod": "1h"}, {}, False, False, False),  # its predecessor's end: the module's run
    ({"rotationPeriod": "30d"}, {}, False, False, False),  # scheduled rotation: its playbook
    ({"keyValueSecretRef": {"name": "s", "key": "k"}}, {}, False, False, False),  # the user's value
    ({}, {"litellm.llmops.dev/adopted": "true"}, False, False, False),  # its value may be unknown
    ({}, {}, True, False, True),  # deleted with its Secret
    ({}, {}, True, True, False),  # Orphan: its playbook releases the Secret
])
def test_which_virtual_keys_ride_the_batch(spec: dict[str, Any], annotations: dict[str, str], deleting: bool,
                                           orphaned: bool, batched: bool) -> None:
    from llmops_operator import batch

    body = {"metadata": {"name": "ci", "annotations": annotations}, "spec": spec}
    assert batch.key_batched(body, deleting, orphaned) is batched
    assert batch.key_secret_name(body) == "ci-key"


def test_the_key_secret_carries_the_label_the_operator_lists() -> None:
    """The batch finds the key Secrets of a namespace by the operator's label (config.MANAGED_BY): the Secret the
    collection builds (key_secret) carries it."""
    from llmops_operator import batch
    from llmops_operator.config import MANAGED_BY

    secret = batch.key_secret({"metadata": {"name": "ci"}}, "sk-0123456789abcdef")
    assert secret["metadata"]["labels"][MANAGED_BY[0]] == MANAGED_BY[1]


def test_sweep_scope_kinds_are_the_engines_own() -> None:
    """The drift sweep's scope names every watched kind gateway_state scopes, and not the proxy's settings (planned
    apart): the engine refused a scope naming them, and every drift check of every instance failed."""
    kinds = scope_kinds(BY_CR_KIND)
    assert "proxy_settings" not in kinds and {"teams", "models", "virtual_keys"} <= set(kinds), kinds
    assert make_scope({}, kinds=kinds).kinds == kinds


def _checked(conditions: list[dict[str, Any]], drift: list[dict[str, Any]] | None = None, generation: int = 2) -> dict[str, Any]:
    return {"metadata": {"name": "t", "generation": generation},
            "status": {"conditions": conditions, **({"drift": drift} if drift is not None else {})}}


IN_SYNC = status.drifted(2, [], "manual")
DRIFT = [{"path": "spec.maxBudget", "desired": 5.0, "live": 9.0}]


@pytest.mark.parametrize(("body", "found", "unchanged"), [
    (_checked(IN_SYNC, []), [], True),  # checked before, in sync, still in sync: nothing to write
    (_checked(IN_SYNC), [], True),
    (_checked(IN_SYNC, []), DRIFT, False),  # drift found now
    (_checked([]), [], False),  # never checked: its first Drifted condition
    (_checked(status.drifted(2, DRIFT, "manual"), DRIFT), [], False),  # drift gone
    (_checked(status.drifted(2, DRIFT, "manual"), DRIFT), DRIFT, False),  # drift again: the policy acts
    (_checked(IN_SYNC, [], generation=3), [], False),  # its condition is of an older generation
    (_checked([status.condition("Drifted", False, "Repaired", "Repaired spec.maxBudget (crd-wins)", 2)], []), [], False),
])
def test_a_sweep_writes_a_status_only_when_it_changes(body: dict[str, Any], found: list[dict[str, Any]], unchanged: bool) -> None:
    """A resource whose status already says what the sweep found (in sync) is not written again: a sweep of 1,000
    resources in sync wrote 1,000 statuses each interval."""
    assert in_sync(body, found) == unchanged


def _settled(conditions: list[dict[str, Any]], observed: int = 2, generation: int = 2) -> dict[str, Any]:
    return {"metadata": {"name": "t", "generation": generation},
            "status": {"conditions": conditions, "observedGeneration": observed}}


@pytest.mark.parametrize(("body", "settled"), [
    (_settled(status.succeeded(2)), True),  # converged at its generation: a resume that changes nothing is quiet
    (_settled(status.succeeded(2) + status.drifted(2, [], "manual")), True),
    (_settled(status.succeeded(2), generation=3), False),  # its spec changed since
    (_settled(status.succeeded(1), observed=2), False),  # conditions of an older generation
    (_settled(status.merge(status.succeeded(2), status.running(2))), False),  # a run was going (a crash)
    (_settled(status.succeeded(2, ready=False)), False),  # a proxy that did not answer yet
    (_settled(status.failed(2, "boom", False, "Failed")), False),
    (_settled(status.merge(status.succeeded(2), status.conflict(2, "another CR"))), False),
    (_settled([]), False),  # never reconciled
    ({"metadata": {"name": "t", "generation": 1}}, False),
])
def test_a_settled_resource_is_successful_and_ready_at_its_generation(body: dict[str, Any], settled: bool) -> None:
    assert status.settled(body) is settled
