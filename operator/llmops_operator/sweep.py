"""One drift check per LiteLLMInstance: every converged custom resource of the instance in one ansible-runner run.

On the instance's drift schedule (``configSync.interval``), the shim lists the custom resources of our kinds that
name the instance, builds one gateway document from them with the collection's table
(``gateway/custom_resources.py``: no per-kind mapping here), and runs ``playbooks/operator/drift.yml``
(``gateway_state`` in check mode) once. The engine's per-object ``changes`` are mapped back, through the table's
index, to each resource and its spec paths (``spec.maxBudgetMonthly``, ``spec.litellmParams.rpm``); each resource
then gets its own ``status.drift``, ``Drifted`` condition, Events and policy (Shim.drift_found). No secret goes
into the document: check mode never compares write-only values.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any


from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import document_from_crs, spec_path
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND, BY_KIND

from llmops_operator import events, params, refs, runner, status
from llmops_operator.config import COLLECTION_ROOT, DEFAULT_DRIFT_INTERVAL

LOG = logging.getLogger("llmops_operator")
PLAYBOOK = COLLECTION_ROOT / "playbooks" / "operator" / "drift.yml"
MISSING = {"path": "spec", "desired": "present", "live": "absent"}  # the object is not in LiteLLM


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
        return {w.kind: w for w in self.shim.watches if self.shim.litellm_kind(w) and w.kind in BY_CR_KIND}

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
        async with lock:
            self.last[key] = loop.time()
            if not await self.sweep(instance):
                self.last.pop(key, None)  # the instance does not answer yet: look again at the next tick

    async def sweep(self, instance: dict[str, Any]) -> bool:
        """One check-mode run of every converged custom resource of ``instance`` (not locked by a reconcile); False
        when the instance cannot be reached yet."""
        watches = self.watches()
        namespace = instance["metadata"].get("namespace", "")
        listed: list[dict[str, Any]] = []
        for kind, watch in watches.items():
            for item in await asyncio.to_thread(self.shim.api.list, kind, namespace):
                if uses(instance, item):
                    listed.append({**item, "kind": kind, "apiVersion": watch.api_version})
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
            if not checked:
                return True
            try:
                url, key, _external = await asyncio.to_thread(refs.connection, self.shim.api, instance)
            except refs.Waiting:
                return False
            result = await self.run(instance, document, {"LITELLM_PROXY_URL": url, "LITELLM_PROXY_API_KEY": key})
            found = drift_by_resource(result.litellm_status.get("changes") or [], index) if result.ok else {}
            outcomes = []
            for body in checked:
                watch = watches[body["kind"]]
                if not result.ok:
                    await self.shim.write_status(watch, body, {"lastDriftCheckTime": status.now()})
                    continue
                try:
                    policy = self.shim.policies(body, instance)["conflict_resolution"]
                except ValueError:
                    continue  # its reconcile reports the invalid annotation
                drift = found.get((body["kind"], namespace, body["metadata"]["name"]), [])
                outcomes.append(self.shim.drift_found(watch, body, policy, drift, [key]))
            # each resource's status, Events and policy (crd-wins repairs run in the pool, side by side)
            await asyncio.gather(*outcomes)
            if not result.ok:
                events.warn(instance, reason="DriftCheckFailed", message=result.message)
        return True

    async def run(self, instance: dict[str, Any], document: dict[str, Any], env: dict[str, str]) -> runner.Result:
        meta = instance["metadata"]
        private = self.shim.config.runner_dir / "drift" / (meta.get("namespace") or "_cluster") / meta["name"]
        variables = {"litellm_operator": {"mode": "drift", "document": params.mark_unsafe(document)},
                     "ansible_operator_meta": {"name": meta["name"], "namespace": meta.get("namespace", "")}}
        playbook = runner.prepare(private, variables, PLAYBOOK, None)
        return await self.shim.execute(refs.INSTANCE, "drift", private, playbook, env, check=True, keep=5)
