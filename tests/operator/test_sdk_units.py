"""ansible-operator compatibility, piece by piece (fast, no cluster): role lookup, watches.yaml's environment,
per-kind settings and blacklist, extravars, the proxy's owner rules, osdk_metric's listener, and what a run's events
say (requeue_after's period, a playbook that fails while loading) with real ansible-runner runs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml
from llmops_operator import metrics, params, proxy, runner
from llmops_operator.watches import WatchesError, load, role_candidates, role_reference

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import COLLECTIONS
from tests.operator.conftest import Cluster, unique

OWNER = {"apiVersion": "cache.example.com/v1alpha1", "kind": "Memcached", "name": "m1", "namespace": "ns", "uid": "u-1"}


def _watches(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    path = tmp_path / "watches.yaml"
    path.write_text(yaml.safe_dump(entries))
    return path


def _role(root: Path, *parts: str) -> Path:
    path = root.joinpath(*parts)
    (path / "tasks").mkdir(parents=True)
    (path / "tasks" / "main.yml").write_text("---\n[]\n")
    return path


def test_roles_are_found_where_ansible_operator_looks(tmp_path: Path) -> None:
    project, elsewhere, collections = tmp_path / "project", tmp_path / "roles-path", tmp_path / "collections"
    scaffolded = _role(project, "roles", "memcached")
    from_env = _role(elsewhere, "shared")
    collection = _role(collections, "ansible_collections", "example", "cache", "roles", "backup")
    env = {"ANSIBLE_ROLES_PATH": str(elsewhere), "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    entry = {"version": "v1", "group": "x.example.com"}
    watches = load(_watches(project, [
        {**entry, "kind": "A", "role": "memcached"},
        {**entry, "kind": "B", "role": "shared", "finalizer": {"name": "x.example.com/f", "role": "example.cache.backup"}},
        {**entry, "kind": "C", "role": "roles/memcached"},  # ours before: a path relative to the watches' base
    ]), env=env)
    assert [w.role for w in watches] == [scaffolded, from_env, scaffolded]
    assert watches[1].finalizer is not None and watches[1].finalizer.role == collection
    assert role_reference(collection) == "example.cache.backup" and role_reference(scaffolded) == str(scaffolded)
    assert role_candidates("example.cache.backup", project, env)[0] == collection
    with pytest.raises(WatchesError, match=r"watches\[0\] \(A\)\.role: role 'nope' not found \(looked in .*roles/nope"):
        load(_watches(project, [{**entry, "kind": "A", "role": "nope"}]), env=env)


def test_watches_take_the_environment_and_per_kind_settings(tmp_path: Path) -> None:
    (tmp_path / "play.yml").write_text("---\n[]\n")
    path = _watches(tmp_path, [{"version": "v1", "group": "cache.example.com", "kind": "Memcached", "playbook": "play.yml",
                                "vars": {"label": "${LABEL}", "kept": "$UNSET_VARIABLE_X"},
                                "blacklist": [{"group": "apps", "version": "v1", "kind": "ReplicaSet"}, {"kind": "Pod"}]}])
    env = {"LABEL": "nightly", "MAX_CONCURRENT_RECONCILES_MEMCACHED_CACHE_EXAMPLE_COM": "2",
           "ANSIBLE_VERBOSITY_MEMCACHED_CACHE_EXAMPLE_COM": "4"}
    (watch,) = load(path, env=env)
    assert watch.vars == {"label": "nightly", "kept": "$UNSET_VARIABLE_X"}
    assert watch.blacklist == (("apps", "v1", "ReplicaSet"), ("", "", "Pod"))
    assert watch.max_concurrent_reconciles == 2 and watch.ansible_verbosity == 4
    with pytest.raises(WatchesError, match="ANSIBLE_VERBOSITY_MEMCACHED_CACHE_EXAMPLE_COM: '9' is not an integer between 0 and 7"):
        load(path, env={**env, "ANSIBLE_VERBOSITY_MEMCACHED_CACHE_EXAMPLE_COM": "9"})


def test_extravars_carry_the_raw_spec_and_no_state_of_their_own(tmp_path: Path) -> None:
    body = {"metadata": {"name": "m1", "namespace": "ns"}, "spec": {"messageOfTheDay": "{{ x }}", "size": 2}}
    variables = params.extravars(body, cr_var="_cache_example_com_memcached", snake_case=True, unsafe=True, extra={"v": 1})
    params.write_extravars(tmp_path / "extravars", variables)
    text = (tmp_path / "extravars").read_text()
    assert "_cache_example_com_memcached_spec:\n  messageOfTheDay: !unsafe '{{ x }}'\n  size: 2" in text
    assert "message_of_the_day: !unsafe" in text and "state" not in variables


@pytest.mark.parametrize(("path", "target"), [
    ("/api/v1/namespaces/ns/configmaps", ("/api/v1", "configmaps", "ns")),
    ("/apis/apps/v1/namespaces/ns/deployments?fieldManager=x", ("/apis/apps", "deployments", "ns")),
    ("/api/v1/namespaces", ("/api/v1", "namespaces", None)),
    ("/apis/rbac.authorization.k8s.io/v1/clusterroles", ("/apis/rbac.authorization.k8s.io", "clusterroles", None)),
    ("/api/v1/namespaces/ns/configmaps/name", None),
    ("/api/v1/namespaces/ns/pods/p/eviction", None),
    ("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", None),
])
def test_which_requests_create_objects(path: str, target: Any) -> None:
    expected = None if target is None else (target[0] + ("/v1" if target[0].startswith("/apis/") else ""), *target[1:])
    assert proxy.create_target(path) == expected


def test_owner_references_and_annotations_as_ansible_operator_sets_them() -> None:
    same: dict[str, Any] = {"kind": "ConfigMap", "metadata": {"name": "a"}}
    proxy.inject_owner(same, OWNER, "ns")
    proxy.inject_owner(same, OWNER, "ns")  # never twice
    assert same["metadata"]["ownerReferences"] == [{"apiVersion": OWNER["apiVersion"], "kind": "Memcached", "name": "m1", "uid": "u-1"}]
    for namespace in ("other", None):  # another namespace, or cluster-scoped: a namespaced owner cannot own it
        obj: dict[str, Any] = {"kind": "ClusterRole", "metadata": {"name": "b"}}
        proxy.inject_owner(obj, OWNER, namespace)
        assert obj["metadata"] == {"name": "b", "annotations": {"operator-sdk/primary-resource": "ns/m1",
                                                                "operator-sdk/primary-resource-type": "Memcached.cache.example.com"}}
        assert proxy.owners_of({**obj, "metadata": {**obj["metadata"], "namespace": namespace}}) == [("cache.example.com", "Memcached", "ns", "m1")]
    cluster_owner: dict[str, Any] = {"kind": "ConfigMap", "metadata": {}}
    proxy.inject_owner(cluster_owner, {**OWNER, "namespace": ""}, "anywhere")
    assert cluster_owner["metadata"]["ownerReferences"][0]["uid"] == "u-1"
    assert proxy.essence({"metadata": {"resourceVersion": "2", "name": "a"}, "status": {"x": 1}, "data": {}}) == {"metadata": {"name": "a"}, "data": {}}


def test_osdk_metric_listener_follows_ansible_operator() -> None:
    server = metrics.serve_user_metrics(0)
    url = f"http://127.0.0.1:{server.server_address[1]}/metrics"

    def post(body: Any) -> tuple[int, str]:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    try:
        assert post({"name": "unit_things", "description": "things", "counter": {"increment": True}}) == (200, "")
        assert post({"name": "unit_things", "description": "things", "counter": {"add": 2.5}}) == (200, "")
        assert post({"name": "unit_level", "description": "level", "gauge": {"set": 7}}) == (200, "")
        assert post({"name": "unit_level", "description": "level", "gauge": {"subtract": 2}}) == (200, "")
        assert post({"name": "unit_things", "description": "x", "gauge": {"set": 1}}) == (400, "cannot change metric type of unit_things, which is a counter")
        assert post({"name": "unit_things", "description": "x", "counter": {"add": -1}}) == (400, "unit_things: counter metrics cannot decrease in value")
        assert post({"name": "unit_two", "description": "x", "counter": {}, "gauge": {}})[0] == 400
        assert post({"name": "llmops_operator_runs", "description": "x", "counter": {}})[0] == 400  # ours are not theirs
        assert metrics.REGISTRY.get_sample_value("unit_things_total") == 3.5
        assert metrics.REGISTRY.get_sample_value("unit_level") == 5.0
    finally:
        server.shutdown()
        server.server_close()


def _run(tmp_path: Path, tasks: list[dict[str, Any]]) -> runner.Result:
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    private = tmp_path / "private"
    prepared = runner.prepare(private, {}, playbook, None)
    bundled = Path(runner.__file__).parents[1] / "collections"
    return runner.run(private, prepared, {}, check=False, keep=2, launch=runner.launcher(tmp_path),
                      public_env={"ANSIBLE_COLLECTIONS_PATH": f"{COLLECTIONS}:{bundled}"}, latest=True)


def test_requeue_after_gives_its_period(tmp_path: Path) -> None:
    result = _run(tmp_path, [{"operator_sdk.util.requeue_after": {"time": "1m30s"}}])
    assert result.ok and result.requeue_after == 90.0
    assert (tmp_path / "private" / "artifacts" / "latest" / "status").read_text() == "successful"


def test_a_playbook_failing_while_loading_says_why(tmp_path: Path) -> None:
    result = _run(tmp_path, [{"nosuch.collection.module": {"a": 1}}])
    assert not result.ok
    assert result.message.startswith("couldn't resolve module/action 'nosuch.collection.module'"), result.message


def test_ansible_args_and_verbosity_reach_the_command_line() -> None:
    assert runner.command_line(False, "--skip-tags 'slow one'", 2) == "--skip-tags 'slow one' -vv"
    assert runner.command_line(True) == "--check --diff" and runner.command_line(False) is None


def test_the_proxy_makes_the_run_s_cr_the_owner_unless_told_not_to(kube_api: KubeCluster, k8s: Cluster) -> None:
    namespace = k8s.namespace(unique("sdk-proxy"))
    created: list[tuple[str, str | None]] = []
    owner = {**OWNER, "namespace": namespace}
    for inject in (True, False):
        server = proxy.Proxy(k8s.api, 0, inject, lambda _owner, target, _obj: created.append((target[1], target[2])))
        try:
            with server.session(owner) as kubeconfig:
                api = kubernetes.config.new_client_from_config(config_file=kubeconfig)
                core = kubernetes.client.CoreV1Api(api)
                name = f"cm-{str(inject).lower()}"
                core.create_namespaced_config_map(namespace, {"metadata": {"name": name}, "data": {"a": "1"}})
                refs = core.read_namespaced_config_map(name, namespace).metadata.owner_references
                assert [(r.kind, r.name, r.uid) for r in refs or []] == ([("Memcached", "m1", "u-1")] if inject else [])
            with pytest.raises(kubernetes.client.exceptions.ApiException) as refused:  # the run is over: its token too
                core.read_namespaced_config_map(name, namespace)
            assert refused.value.status == 401
        finally:
            server.stop()
    assert created == [("configmaps", namespace), ("configmaps", namespace)]  # read back: an owned object's kind
