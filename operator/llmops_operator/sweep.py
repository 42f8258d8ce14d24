"""One drift check per LiteLLMInstance: every converged custom resource of the instance, and the objects no custom
resource declares, in one ansible-runner run.

On the instance's drift schedule (``configSync.interval``), the shim lists the custom resources of our kinds that
name the instance, builds one gateway document from them with the collection's table
(``gateway/custom_resources.py``: no per-kind mapping here), and runs ``playbooks/operator/drift.yml``
(``gateway_state`` in check mode) once, with the instance's ``unmanagedResourcePolicy`` as the engine's own
``unmanaged`` option, its scope the watched kinds (and the instance's name prefix annotation), and the resources left
out of the document (not converged, busy, invalid) in ``scope.exclude``, so that their objects are never unmanaged.
The engine's per-object ``changes`` are mapped back, through the table's index, to each resource and its spec paths
(``spec.maxBudgetMonthly``, ``spec.litellmParams.rpm``); each resource then gets its own ``status.drift``,
``Drifted`` condition, Events and policy (Shim.drift_found). The objects no resource declares go to the instance's
``status.unmanaged`` and Events; ``adopt`` creates a custom resource for each (from the engine's ``adopted``
document), ``prune`` deletes what the check planned to delete in one more run (not in check mode) of the same
playbook. No secret goes into the document: check mode never compares write-only values.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from typing import Any


from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import (
    cr_object_names,
    document_from_crs,
    spec_path,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.manifests import manifests
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND, BY_KIND, BY_PLURAL

from llmops_operator import events, params, refs, runner, status
from llmops_operator.config import ADOPTED_ANNOTATION, COLLECTION_ROOT, DEFAULT_DRIFT_INTERVAL, SCOPE_ANNOTATION

LOG = logging.getLogger("llmops_operator")
PLAYBOOK = COLLECTION_ROOT / "playbooks" / "operator" / "drift.yml"
MISSING = {"path": "spec", "desired": "present", "live": "absent"}  # the object is not in LiteLLM


def in_sync(body: dict[str, Any], drift: list[dict[str, Any]]) -> bool:
    """Whether a check that found ``drift`` tells nothing new: no drift, and ``body``'s status already says so (its
    Drifted condition False with reason InSync at its generation, no drift recorded). The sweep then writes nothing
    to the resource: a sweep of 1,000 resources in sync writes no status (its time is the instance's
    ``lastUnmanagedCheckTime``), where it wrote 1,000 statuses (and Kopf took 1,000 watch events) each interval."""
    current = body.get("status") or {}
    drifted = {c.get("type"): c for c in current.get("conditions") or []}.get("Drifted") or {}
    return not drift and not current.get("drift") and drifted.get("status") == "False" and \
        drifted.get("reason") == "InSync" and drifted.get("observedGeneration") == body["metadata"].get("generation")


def converged(body: dict[str, Any]) -> bool:
    """Successful at its current generation: the reconcile handler is done with it."""
    current = body.get("status") or {}
    conditions = {c.get("type"): c for c in current.get("conditions") or []}
    return conditions.get("Successful", {}).get("status") == "True" and \
        current.get("observedGeneration") == body["metadata"].get("generation") and \
        not body["metadata"].get("deletionTimestamp")


def uses(instance: dict[str, Any], body: dict[str, Any]) -> bool:
    ns, name = instance["metadata"].get("namespace", ""), instance["metadata"]["name"]
    ref = (body.get("spec") or {}).get("instanceRef") or {}
    return ref.get("name") == name and (ref.get("namespace") or body["metadata"].get("namespace", "")) == ns


def drift_by_resource(changes: list[dict[str, Any]], index: dict[Any, list[dict[str, Any]]]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """{(kind, namespace, name): [{path, desired, live}]}: gateway_state's changes by custom resource and spec path."""
    found: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for change in changes:
        resource = BY_KIND.get(change.get("kind"))
        for entry in index.get((change.get("kind"), change.get("name")), []) if resource else []:
            key = (entry["kind"], entry["namespace"], entry["name"])
            if change.get("action") == "create":
                found.setdefault(key, []).append(dict(MISSING))
                continue
            for diff in change.get("changes") or []:
                found.setdefault(key, []).append({"path": spec_path(resource, entry["origins"], diff["path"]),
                                                  "desired": diff.get("desired"), "live": diff.get("live")})
    return found


class Sweeper:
    """The drift sweep of each instance; ``shim`` (handlers.Shim) runs, writes status and applies the policies."""

    def __init__(self, shim: Any) -> None:
        self.shim = shim
        self.last: dict[str, float] = {}  # instance uid -> loop time of its last sweep

    def watches(self) -> dict[str, Any]:
        """Our kinds that the table maps (every kind of our group but LiteLLMInstance), by kind."""
        return {w.kind: w for w in self.shim.watches if self.shim.drift_swept(w)}

    async def tick(self, instance: dict[str, Any]) -> None:
        meta = instance["metadata"]
        sync = (instance.get("spec") or {}).get("configSync") or {}
        if sync.get("enabled") is False or meta.get("deletionTimestamp") or not self.watches():
            return
        try:
            interval = self.shim.policies(instance, instance)["interval"]
        except ValueError:
            return  # the instance's own reconcile reports it
        key = meta.get("uid", meta["name"]) + "/drift"
        loop = asyncio.get_running_loop()
        lock = self.shim.locks[key]
        if lock.locked() or loop.time() - self.last.get(key, float("-inf")) < (interval or DEFAULT_DRIFT_INTERVAL):
            return
        if self.shim.locks[meta.get("uid", meta["name"])].locked():
            return  # the instance is being reconciled (its proxy, its policies may change): the next tick checks
        async with lock:
            self.last[key] = loop.time()
            if not await self.sweep(instance):
                self.last.pop(key, None)  # the instance does not answer yet: look again at the next tick

    async def sweep(self, instance: dict[str, Any]) -> bool:
        """One check-mode run of every converged custom resource of ``instance`` (not locked by a reconcile); False
        when the instance cannot be reached yet."""
        started = asyncio.get_running_loop().time()
        watches = self.watches()
        namespace = instance["metadata"].get("namespace", "")
        # one list call per watched kind, side by side
        lists = await asyncio.gather(*(asyncio.to_thread(self.shim.api.list, kind, namespace) for kind in watches))
        listed = [{**item, "kind": kind, "apiVersion": watch.api_version}
                  for (kind, watch), items in zip(watches.items(), lists) for item in items if uses(instance, item)]
        async with contextlib.AsyncExitStack() as stack:
            due = []
            for body in listed:
                lock = self.shim.locks[body["metadata"].get("uid", body["metadata"]["name"])]
                if converged(body) and not lock.locked():
                    await stack.enter_async_context(lock)
                    due.append(body)
            document, index, problems = document_from_crs(due, others=listed)
            for problem in problems:  # the reconcile handler reports an invalid spec; a conflict has its condition
                LOG.debug("drift check of %s %s/%s skipped: %s", problem["kind"], problem["namespace"],
                          problem["name"], problem["message"])
            skipped = {(p["kind"], p["namespace"], p["name"]) for p in problems}
            checked = [b for b in due if (b["kind"], namespace, b["metadata"]["name"]) not in skipped]
            try:
                url, key, _external = await asyncio.to_thread(refs.connection, self.shim.api, instance)
            except refs.Waiting:
                return False
            env = {"LITELLM_PROXY_URL": url, "LITELLM_PROXY_API_KEY": key}
            unmanaged_policy = self.shim.policies(instance, instance)["unmanaged_resource_policy"]
            taken = {id(c) for c in checked}
            scope = {"kinds": scope_kinds(watches),
                     "name_prefix": (instance["metadata"].get("annotations") or {}).get(SCOPE_ANNOTATION) or None,
                     "exclude": excluded([b for b in listed if id(b) not in taken])}
            result = await self.run(instance, document, env, unmanaged_policy, scope)
            found = drift_by_resource(result.litellm_status.get("changes") or [], index) if result.ok else {}
            outcomes = []
            for body in checked:
                watch = watches[body["kind"]]
                if not result.ok:
                    await self.shim.write_status(watch, body, {"lastDriftCheckTime": status.now()})
                    continue
                try:
                    conflict = self.shim.policies(body, instance)["conflict_resolution"]
                except ValueError:
                    continue  # its reconcile reports the invalid annotation
                drift = found.get((body["kind"], namespace, body["metadata"]["name"]), [])
                if not in_sync(body, drift):  # (a resource whose status says what this check found: nothing written)
                    outcomes.append(self.shim.drift_found(watch, body, conflict, drift, [key]))
            # each resource's status, Events and policy (crd-wins repairs run in the pool, side by side)
            await asyncio.gather(*outcomes)
            if not result.ok:
                events.warn(instance, reason="DriftCheckFailed", message=result.message)
        # the instance's objects no resource declares (no resource's lock needed: they have none)
        await self.unmanaged(instance, result, unmanaged_policy, scope, env)
        LOG.info("drift sweep of LiteLLMInstance %s/%s: %d custom resource(s) checked in one run (%s), %d drifted, "
                 "%d status(es) written, in %.1f s", namespace, instance["metadata"]["name"], len(checked),
                 "ok" if result.ok else "failed", len(found), len(checked) if not result.ok else len(outcomes),
                 asyncio.get_running_loop().time() - started)
        return True

    async def unmanaged(self, instance: dict[str, Any], result: runner.Result, policy: str, scope: dict[str, Any],
                        env: dict[str, str]) -> None:
        """The instance's ``status.unmanaged`` and Events from the check, then its policy: adopt creates the custom
        resources, prune deletes (in one run) what the check planned to delete."""
        meta = instance["metadata"]
        changes: dict[str, Any] = {"lastUnmanagedCheckTime": status.now()}
        if not result.ok:
            await self.write_instance_status(instance, changes)
            return
        objects = [o for o in result.litellm_status.get("unmanaged") or [] if o.get("kind") in BY_KIND]
        found = [{"kind": BY_KIND[o["kind"]].cr_kind or o["kind"], "name": o.get("name")} for o in objects]
        before = (instance.get("status") or {}).get("unmanaged") or []
        changes["unmanaged"] = found
        await self.write_instance_status(instance, changes)
        if not found:
            return

        def told(entries: list[dict[str, Any]]) -> str:
            names = ", ".join(f"{o['kind']} {o['name']}" for o in entries[:20])
            return f"{len(entries)} object(s) of LiteLLM no resource declares: {names}"

        if policy == "adopt":
            await asyncio.to_thread(self.adopt, instance, result.litellm_status.get("adopted") or {})
            events.info(instance, reason="Adopted", message=told(found))
        elif policy == "prune":
            # what the check planned to delete (not the proxy's config file's objects, which it only reports)
            doomed = [i for i, o in enumerate(objects) if o.get("action") == "delete" and o.get("id") is not None]
            pruned: dict[str, list[dict[str, Any]]] = {}
            for obj in (objects[i] for i in doomed):
                resource = BY_KIND[obj["kind"]]
                pruned.setdefault(resource.plural, []).append({resource.id_field: obj["id"], "state": "absent"})
            if not pruned:
                return
            done = await self.run(instance, pruned, env, "preserve", dict(scope, kinds=sorted(pruned)), check=False)
            if not done.ok:
                events.warn(instance, reason="PruneFailed", message=done.message)
                return
            events.info(instance, reason="Pruned", message=told([found[i] for i in doomed]))
            await self.write_instance_status(instance, {"unmanaged": [f for i, f in enumerate(found) if i not in doomed]})
        elif found != before:  # preserve: an Event when what is found changes
            events.info(instance, reason="Unmanaged", message=told(found))
        LOG.debug("LiteLLMInstance %s/%s: %s", meta.get("namespace", ""), meta["name"], told(found))

    def adopt(self, instance: dict[str, Any], document: dict[str, Any]) -> None:
        """A custom resource for each object of the engine's ``adopted`` document (secrets are placeholders, which
        the table leaves out), annotated as adopted and orphaned on deletion; a name already taken is left alone."""
        meta = instance["metadata"]
        namespace = meta.get("namespace", "")
        for manifest in manifests(document, meta["name"], namespace):
            manifest["metadata"]["annotations"] = {ADOPTED_ANNOTATION: "true"}
            manifest["spec"]["deletionPolicy"] = "Orphan"
            if not self.shim.api.create(manifest):
                LOG.info("%s %s/%s exists: the unmanaged object it would adopt is left alone", manifest["kind"],
                         namespace, manifest["metadata"]["name"])

    async def write_instance_status(self, instance: dict[str, Any], changes: dict[str, Any]) -> None:
        meta = instance["metadata"]
        await asyncio.to_thread(self.shim.api.patch_status, refs.GROUP, refs.VERSION, "litellminstances",
                                meta.get("namespace", ""), meta["name"], changes)

    async def run(self, instance: dict[str, Any], document: dict[str, Any], env: dict[str, str], policy: str,
                  scope: dict[str, Any], check: bool = True) -> runner.Result:
        """drift.yml on ``document``: the check (``check``), else the prune of the objects the check planned to
        delete, each in its own private data dir."""
        meta = instance["metadata"]
        mode = "drift" if check else "prune"
        private = self.shim.config.runner_dir / mode / (meta.get("namespace") or "_cluster") / meta["name"]
        # the document goes in a file that gateway_state reads itself (``files``): as extravars, Ansible parsed and
        # templated every string of it, ~1 s of CPU for 1,000 resources, and it is never templated this way
        document_file = private / "document.json"
        private.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(document_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as stream:
            json.dump(document, stream)
        operator = {"mode": mode, "document_file": str(document_file), "unmanaged_resource_policy": policy,
                    "scope": scope}
        variables = {"litellm_operator": params.mark_unsafe(operator),
                     "ansible_operator_meta": {"name": meta["name"], "namespace": meta.get("namespace", "")}}
        playbook = runner.prepare(private, variables, PLAYBOOK, None)
        return await self.shim.execute(refs.INSTANCE, mode, private, playbook, env, check=check, keep=5,
                                       instance=(meta.get("namespace", ""), meta["name"]))


def scope_kinds(cr_kinds: Any) -> list[str]:
    """gateway_state's ``scope.kinds`` of the watched custom resource kinds: the engine's kinds only (a kind planned
    apart, the proxy's settings, one per proxy, has no unmanaged objects; the engine refuses it in a scope, which
    failed every check)."""
    return sorted({BY_CR_KIND[kind].plural for kind in cr_kinds} & set(BY_PLURAL))


def excluded(bodies: list[dict[str, Any]]) -> dict[str, list[str]]:
    """``scope.exclude`` of the resources a check leaves out: the names of their objects, by document kind."""
    found: dict[str, set[str]] = {}
    for body in bodies:
        plural, names = cr_object_names(body)
        if plural in BY_PLURAL:
            found.setdefault(plural, set()).update(names)
    return {plural: sorted(names) for plural, names in found.items()}
