"""kubernetes.core (k8s, k8s_info) through real ansible-playbook processes, as the roles will use it."""

from __future__ import annotations

import copy
from typing import Any

from kubernetes.dynamic import DynamicClient

from tests.kubeapi.common import widget
from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import PlaybookResult, run_tasks


def run(kube_api: KubeCluster, tasks: list[dict[str, Any]], **kwargs: Any) -> PlaybookResult:
    result = run_tasks(tasks, env=kube_api.env, **kwargs)
    assert result.rc == 0, f"{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    return result


def k8s(name: str, definition: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"name": name, "kubernetes.core.k8s": {"definition": definition, **options}}


def configmap(namespace: str, name: str = "settings", **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace, "labels": {"app": "litellm"}}, "data": data}


def deployment(namespace: str, image: str, env: dict[str, str]) -> dict[str, Any]:
    labels = {"app": "litellm"}
    container = {"name": "proxy", "image": image, "env": [{"name": key, "value": value} for key, value in env.items()]}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "litellm", "namespace": namespace, "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}},
    }


def test_present_absent_and_idempotence(kube_api: KubeCluster, dyn: DynamicClient, kube_namespace: str) -> None:
    definition = configmap(kube_namespace, a="1")
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "key", "namespace": kube_namespace}, "stringData": {"api_key": "sk-1"}}
    result = run(kube_api, [
        k8s("create", definition),
        k8s("again", definition),
        k8s("change", configmap(kube_namespace, a="2")),
        {"name": "read", "kubernetes.core.k8s_info": {"kind": "ConfigMap", "namespace": kube_namespace, "label_selectors": ["app=litellm"]}},
        k8s("delete", definition, state="absent"),
        k8s("delete again", definition, state="absent"),
        k8s("secret", secret),
        k8s("secret again", secret),
    ])
    changed = [result.task(name)["changed"] for name in ("create", "again", "change", "delete", "delete again", "secret", "secret again")]
    assert changed == [True, False, True, True, False, True, False]
    assert [r["data"] for r in result.task("read")["resources"]] == [{"a": "2"}]
    assert result.task("secret again")["result"]["data"] == {"api_key": "c2stMQ=="}
    assert not dyn.resources.get(api_version="v1", kind="ConfigMap").get(namespace=kube_namespace, label_selector="app=litellm").items


def test_check_diff_persists_nothing_and_shows_the_diff(kube_api: KubeCluster, dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    existing = configmaps.create(configmap(kube_namespace, "existing", a="1")).to_dict()
    doomed = configmaps.create(configmap(kube_namespace, "doomed")).to_dict()
    mark = kube_api.server.mark() if kube_api.server is not None else 0
    result = run(kube_api, [
        k8s("create", configmap(kube_namespace, "new", a="1")),
        k8s("update", configmap(kube_namespace, "existing", a="2")),
        k8s("apply", configmap(kube_namespace, "existing", a="3"), apply=True),
        k8s("delete", configmap(kube_namespace, "doomed"), state="absent"),
    ], check=True, diff=True)
    assert all(result.task(name)["changed"] for name in ("create", "update", "apply", "delete"))
    assert result.task("update")["diff"]["before"]["data"] == {"a": "1"}
    assert result.task("update")["diff"]["after"]["data"] == {"a": "2"}
    assert result.task("apply")["diff"]["after"]["data"] == {"a": "3"}
    assert not configmaps.get(namespace=kube_namespace, field_selector="metadata.name=new").items
    assert configmaps.get(name="existing", namespace=kube_namespace).to_dict() == existing
    assert configmaps.get(name="doomed", namespace=kube_namespace).to_dict() == doomed
    if kube_api.server is not None:  # kmock's request log: check mode writes, but only as server-side dry runs
        writes = [r for r in kube_api.server.requests_since(mark) if r.method in ("POST", "PUT", "PATCH", "DELETE")]
        assert len(writes) == 4
        assert all(r.params.get("dryRun") == "All" for r in writes), [(r.method, r.url) for r in writes]


def test_apply_is_a_three_way_merge_with_the_last_applied_configuration(kube_api: KubeCluster, dyn: DynamicClient, kube_namespace: str) -> None:
    first = deployment(kube_namespace, "litellm:1", {"A": "1", "B": "2"})
    second = deployment(kube_namespace, "litellm:2", {"A": "1"})
    result = run(kube_api, [
        k8s("apply", first, apply=True),
        k8s("apply again", first, apply=True),
        k8s("apply changed", second, apply=True),
        k8s("apply changed again", second, apply=True),
    ])
    assert [result.task(name)["changed"] for name in ("apply", "apply again", "apply changed", "apply changed again")] == [True, False, True, False]
    live = dyn.resources.get(api_version="apps/v1", kind="Deployment").get(name="litellm", namespace=kube_namespace).to_dict()
    assert live["spec"]["template"]["spec"]["containers"] == [{"name": "proxy", "image": "litellm:2", "env": [{"name": "A", "value": "1"}]}]
    assert "kubectl.kubernetes.io/last-applied-configuration" in live["metadata"]["annotations"]
    assert live["metadata"]["generation"] == 2


def test_force_replaces_the_whole_object(kube_api: KubeCluster, dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(configmap(kube_namespace, a="1", stray="x"))
    result = run(kube_api, [
        k8s("merge", configmap(kube_namespace, a="2")),
        k8s("force", configmap(kube_namespace, a="2"), force=True),
        k8s("force again", configmap(kube_namespace, a="2"), force=True),
    ])
    assert [result.task(name)["changed"] for name in ("merge", "force", "force again")] == [True, True, False]
    assert configmaps.get(name="settings", namespace=kube_namespace).data.to_dict() == {"a": "2"}


def test_k8s_info_with_selectors(kube_api: KubeCluster, dyn: DynamicClient, kube_namespace: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    for name, labels in {"web-1": {"app": "web"}, "web-2": {"app": "web", "tier": "edge"}, "db": {"app": "db"}}.items():
        configmaps.create({"metadata": {"name": name, "namespace": kube_namespace, "labels": labels}})
    info = {"kind": "ConfigMap", "namespace": kube_namespace}
    result = run(kube_api, [
        {"name": "web", "kubernetes.core.k8s_info": info | {"label_selectors": ["app=web"]}},
        {"name": "edge", "kubernetes.core.k8s_info": info | {"label_selectors": ["app in (web)", "tier"]}},
        {"name": "by name", "kubernetes.core.k8s_info": info | {"field_selectors": ["metadata.name=db"]}},
        {"name": "one", "kubernetes.core.k8s_info": info | {"name": "web-1"}},
    ])
    assert sorted(r["metadata"]["name"] for r in result.task("web")["resources"]) == ["web-1", "web-2"]
    assert [r["metadata"]["name"] for r in result.task("edge")["resources"]] == ["web-2"]
    assert [r["metadata"]["name"] for r in result.task("by name")["resources"]] == ["db"]
    assert [r["metadata"]["name"] for r in result.task("one")["resources"]] == ["web-1"]


def test_custom_resources_and_their_validation(kube_api: KubeCluster, widgets: Any, kube_namespace: str) -> None:
    good = widget("managed", kube_namespace, size=2)
    bigger = copy.deepcopy(good)
    bigger["spec"]["size"] = 3
    bad = copy.deepcopy(good)
    bad["spec"]["size"] = "big"
    result = run_tasks([
        k8s("create", good),
        k8s("again", good),
        k8s("update", bigger),
        k8s("apply", bigger, apply=True),
        k8s("invalid", bad) | {"ignore_errors": True},
    ], env=kube_api.env)
    assert [result.task(name)["changed"] for name in ("create", "again", "update", "apply")] == [True, False, True, True]
    assert result.task("invalid")["failed"]
    assert "spec.size in body must be of type integer" in result.task("invalid")["msg"]
    assert widgets.get(name="managed", namespace=kube_namespace).spec.size == 3
