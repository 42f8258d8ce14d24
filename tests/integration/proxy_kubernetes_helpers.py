"""Shared by the tests of the role proxy_kubernetes: plays, what a play changed, diffs, and a stand-in for the
Deployment and Job controllers (the emulator runs no controllers and no pods)."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

import kubernetes

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import PlaybookResult, run_playbook

ROLE = "llmops.litellm.proxy_kubernetes"
REVISION = "deployment.kubernetes.io/revision"
# What a server changes on every write, and the annotation kubernetes.core's apply keeps: not fields the role set.
BOOKKEEPING = {"metadata.resourceVersion", "metadata.generation", "metadata.managedFields",
               "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration"}


def role_play(namespace: str, variables: dict[str, Any], name: str, *, check: bool = False, rescue: bool = False) -> dict[str, Any]:
    """A play that includes the role once (``check``: in check mode; ``rescue``: a failure is caught and its message
    kept as the fact ``failure``, so the later plays of the run still run). Every play shows diffs."""
    include: dict[str, Any] = {"name": "role", "ansible.builtin.include_role": {"name": ROLE},
                               "vars": {"proxy_kubernetes_namespace": namespace} | variables}
    tasks = [{"name": "check mode", "block": [include], "check_mode": True} if check else include]
    if rescue:
        tasks = [{"name": "attempt", "block": tasks,
                  "rescue": [{"name": "failure", "ansible.builtin.set_fact": {"failure": "{{ ansible_failed_result.msg }}"}}]}]
    return {"name": name, "hosts": "localhost", "gather_facts": False, "diff": True, "tasks": tasks}


def run(kube_api: KubeCluster, plays: list[dict[str, Any]], **kwargs: Any) -> PlaybookResult:
    result = run_playbook(plays, env=kube_api.env, **kwargs)
    assert result.rc == 0, f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return result


def play_tasks(result: PlaybookResult, play_name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(task name, result) of every task of one play, in order."""
    (found,) = [p for p in result.plays if p["play"]["name"] == play_name]
    for entry in found["tasks"]:
        yield entry["task"]["name"], entry["hosts"]["localhost"]


def task(result: PlaybookResult, play_name: str, name: str) -> dict[str, Any]:
    """The last result of the role task ``name`` (or a task of the play itself) in one play."""
    matches = [r for task_name, r in play_tasks(result, play_name) if task_name == name or task_name.endswith(f" : {name}")]
    assert matches, f"{name!r} did not run in {play_name!r}"
    return matches[-1]


def applied(result: PlaybookResult, play_name: str) -> dict[str, dict[str, Any]]:
    """{Kind/name: result} of the role's one apply of all manifests."""
    return {f"{r['result']['kind']}/{r['result']['metadata']['name']}": r for r in task(result, play_name, "Apply the manifests")["result"]["results"]}


def changes(result: PlaybookResult, play_name: str) -> set[str]:
    """Every object one play wrote, as Kind/name (created, updated or deleted), from the results of all its tasks."""
    written = {name for name, r in applied(result, play_name).items() if r["changed"]} if _ran(result, play_name, "Apply the manifests") else set()
    for name, outcome in play_tasks(result, play_name):
        if name.endswith(" : Apply the manifests"):
            continue
        for item in outcome.get("results") or [outcome]:
            if item.get("changed") and isinstance(item.get("result"), dict) and item["result"].get("kind"):
                written.add(f"{item['result']['kind']}/{item['result']['metadata']['name']}")
            elif item.get("changed") and item.get("censored"):
                written.add(f"{name} (no_log)")
            elif item.get("changed") and not name.startswith(("llmops.litellm.proxy_config", "failure")):
                written.add(f"{name}: {item.get('item', '')}")
    return written


def _ran(result: PlaybookResult, play_name: str, name: str) -> bool:
    return any(task_name.endswith(f" : {name}") and not r.get("skipped") for task_name, r in play_tasks(result, play_name))


def changed_paths(before: Any, after: Any, prefix: str = "") -> set[str]:
    """Dotted paths of the fields that differ (lists compared whole), minus the server's bookkeeping."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths: set[str] = set()
        for key in before.keys() | after.keys():
            paths |= changed_paths(before.get(key), after.get(key), f"{prefix}.{key}" if prefix else key)
        return paths - BOOKKEEPING
    return set() if before == after else {prefix}


def env_of(obj: dict[str, Any]) -> dict[str, Any]:
    """{name: value or valueFrom} of the first container of a Deployment or Job."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in obj["spec"]["template"]["spec"]["containers"][0]["env"]}


def live(kube_api: KubeCluster, namespace: str, api_version: str, kind: str, name: str) -> dict[str, Any] | None:
    with kube_api.client() as api:
        found = kubernetes.dynamic.DynamicClient(api).resources.get(api_version=api_version, kind=kind).get(
            namespace=namespace, field_selector=f"metadata.name={name}").items
        return found[0].to_dict() if found else None


class Controllers:
    """Plays the Deployment and Job controllers for one namespace from a thread, as far as the role can see.

    A Job completes, or fails when its image tag contains ``fail``. A Deployment whose spec the controller has not
    observed gets a ReplicaSet for its pod template (a new revision, or the existing ReplicaSet of the same template
    with its revision raised, as the real controller does), then a status: complete, or Progressing False with
    reason ProgressDeadlineExceeded when its image tag contains ``broken``.
    """

    def __init__(self, kube_api: KubeCluster, namespace: str) -> None:
        self.kube_api, self.namespace = kube_api, namespace
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="controllers", daemon=True)
        self.errors: list[BaseException] = []

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        assert not self.errors, f"the controllers failed: {self.errors!r}"

    def _run(self) -> None:
        with self.kube_api.client() as api:
            dyn = kubernetes.dynamic.DynamicClient(api)
            apps, batch = kubernetes.client.AppsV1Api(api), kubernetes.client.BatchV1Api(api)
            while not self._stop.wait(0.3):
                try:
                    self._jobs(dyn, batch)
                    self._deployments(dyn, apps)
                except Exception as error:  # noqa: BLE001 - reported by __exit__
                    self.errors.append(error)
                    return

    def _jobs(self, dyn: kubernetes.dynamic.DynamicClient, batch: kubernetes.client.BatchV1Api) -> None:
        for job in dyn.resources.get(api_version="batch/v1", kind="Job").get(namespace=self.namespace).to_dict()["items"]:
            if (job.get("status") or {}).get("conditions"):
                continue
            failed = "fail" in job["spec"]["template"]["spec"]["containers"][0]["image"].rsplit(":", 1)[1]
            condition = {"type": "Failed" if failed else "Complete", "status": "True", "reason": "BackoffLimitExceeded" if failed else "Completed"}
            status = {"conditions": [condition], ("failed" if failed else "succeeded"): 1}
            batch.patch_namespaced_job_status(job["metadata"]["name"], self.namespace, {"status": status})

    def _deployments(self, dyn: kubernetes.dynamic.DynamicClient, apps: kubernetes.client.AppsV1Api) -> None:
        replica_sets = dyn.resources.get(api_version="apps/v1", kind="ReplicaSet")
        for deployment in dyn.resources.get(api_version="apps/v1", kind="Deployment").get(namespace=self.namespace).to_dict()["items"]:
            metadata = deployment["metadata"]
            if (deployment.get("status") or {}).get("observedGeneration") == metadata["generation"]:
                continue
            owned = [rs for rs in replica_sets.get(namespace=self.namespace).to_dict()["items"]
                     if any(ref["uid"] == metadata["uid"] for ref in rs["metadata"].get("ownerReferences", []))]
            revision = 1 + max((int(rs["metadata"]["annotations"][REVISION]) for rs in owned), default=0)
            template = deployment["spec"]["template"]
            same = [rs for rs in owned if _without_hash(rs["spec"]["template"]) == template]
            if same:
                name = same[0]["metadata"]["name"]
                replica_sets.patch(name=name, namespace=self.namespace, body={"metadata": {"annotations": {REVISION: str(revision)}}},
                                   content_type="application/merge-patch+json")
            else:
                name = self._replica_set(replica_sets, deployment, revision)
            apps.patch_namespaced_deployment(metadata["name"], self.namespace, {"metadata": {"annotations": {REVISION: str(revision)}}})
            apps.patch_namespaced_deployment_status(metadata["name"], self.namespace, {"status": _status(deployment, name)})

    def _replica_set(self, replica_sets: Any, deployment: dict[str, Any], revision: int) -> str:
        template = copy.deepcopy(deployment["spec"]["template"])
        pod_hash = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]
        template["metadata"]["labels"]["pod-template-hash"] = pod_hash
        metadata = deployment["metadata"]
        name = f"{metadata['name']}-{pod_hash}"
        replica_sets.create(namespace=self.namespace, body={
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "labels": template["metadata"]["labels"], "annotations": {REVISION: str(revision)},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": metadata["name"],
                                              "uid": metadata["uid"], "controller": True}]},
            "spec": {"replicas": deployment["spec"].get("replicas", 1), "template": template,
                     "selector": {"matchLabels": template["metadata"]["labels"]}}})
        return name


def _without_hash(template: dict[str, Any]) -> dict[str, Any]:
    template = copy.deepcopy(template)
    template["metadata"]["labels"].pop("pod-template-hash", None)
    return template


def _status(deployment: dict[str, Any], replica_set: str) -> dict[str, Any]:
    replicas = deployment["spec"].get("replicas", 1)
    generation = deployment["metadata"]["generation"]
    if "broken" in deployment["spec"]["template"]["spec"]["containers"][0]["image"].rsplit(":", 1)[1]:
        return {"observedGeneration": generation, "replicas": replicas, "updatedReplicas": 1, "unavailableReplicas": replicas,
                "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                                "message": f'ReplicaSet "{replica_set}" has timed out progressing.'}]}
    return {"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": replicas,
            "availableReplicas": replicas,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                           {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                            "message": f'ReplicaSet "{replica_set}" has successfully progressed.'}]}
