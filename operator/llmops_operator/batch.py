"""Batched reconcile: the custom resources of one LiteLLMInstance applied together, in one ansible-runner run.

Each reconcile handler of a kind of our group (Shim.reconcile) hands its custom resource to ``Batcher.submit``
and awaits its own outcome. Resources are queued per instance; one worker per instance takes everything queued,
builds one gateway document from it with the collection's table (``gateway/custom_resources.py``, no per-kind
mapping here), runs ``playbooks/operator/batch.yml`` (``gateway_state`` with ``invalid: skip``) once, and hands
each resource the engine's result for its own object: a ``runner.Result`` (the handler concludes it as it does a
per-resource run: conditions, ``litellmId``, Events, the permanent licence and 422 refusals), ``refs.Waiting``
(a reference missing or held back: that resource waits alone) or ``ValueError('invalid spec: ...')`` (a permanent
failure naming the spec field). The next run starts as soon as the previous one ends, with what came meanwhile.

Not batched (their own playbook, one run each, as before): LiteLLMInstance, virtual keys (their value is generated
and stored in a Secret before LiteLLM is called), organizations (their playbook creates the users of members given
by email first), singleton kinds (LiteLLMProxySettings: gateway_state plans the proxy's settings apart from its
objects and reports no object of its own to conclude it from), resources with Secret references (their values go by environment
variables to the per-resource playbooks, never into a document), watches whose playbook is not the collection's
own, deletions (the finalizer), drift repairs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from pathlib import Path
from typing import Any

from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import document_from_crs, spec_path
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import natural_name
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND

from llmops_operator import params, refs, runner
from llmops_operator.config import COLLECTION_ROOT
from llmops_operator.watches import Watch

LOG = logging.getLogger("llmops_operator")
PLAYBOOKS = COLLECTION_ROOT / "playbooks" / "operator"
PLAYBOOK = PLAYBOOKS / "batch.yml"
# LiteLLMVirtualKey: crash-safe key values (the virtual_key playbook's Secret-first protocol). LiteLLMOrganization:
# its playbook first creates the users of members given by email (LiteLLM adds members by user_id only), which the
# table does not declare.
PER_CR_KINDS = ("LiteLLMVirtualKey", "LiteLLMOrganization")
APPLIED = ("created", "updated", "unchanged")

Ident = tuple[str, str, str]  # (kind, namespace, name)


@dataclasses.dataclass
class Pending:
    watch: Watch
    body: dict[str, Any]
    futures: list[asyncio.Future[runner.Result]]


def _ident(kind: str, body: dict[str, Any]) -> Ident:
    return kind, body["metadata"].get("namespace") or "", body["metadata"]["name"]


def cr_message(error: str, where: str, resource: Any, origins: dict[str, str]) -> str:
    """The engine's sentence about a document object (``teams[3]: max_budget must be >= 0``) told of its custom
    resource: without the document position, each option it names as the spec path it comes from."""
    message = error[len(where) + 2:] if error.startswith(where + ": ") else error.replace(where, "this object")
    for option in sorted(origins, key=len, reverse=True):
        message = re.sub(r"(?<![\w.])%s(?![\w])" % re.escape(option), spec_path(resource, origins, option), message)
    return message


def outcome(obj: dict[str, Any], resource: Any, origins: dict[str, str]) -> runner.Result | Exception:
    """One resource's outcome from its object in gateway_state's ``objects``."""
    state = obj.get("status")
    message = cr_message(str(obj.get("error") or ""), str(obj.get("where") or ""), resource, origins)
    if state in APPLIED:
        return runner.Result(True, "successful", {"ok": 1, "changed": int(state != "unchanged"), "skipped": 0, "failures": 0},
                             {"litellmId": obj.get("id")}, [], [])
    if state in ("waiting", "skipped"):  # skipped: its parent failed in this run; it waits on it
        return refs.Waiting("WaitingForReference", message)
    failed = runner.Result(False, "failed", {"ok": 0, "changed": 0, "skipped": 0, "failures": 1}, {},
                           [message or f"{obj.get('kind')} {obj.get('name')}: {state}"], [],
                           rejected=obj.get("http_status") == 422)
    if state == "invalid" and not failed.licence_required:
        return ValueError(f"{runner.INVALID_SPEC} {message}")
    return failed  # a licence refusal stays permanent (EnterpriseLicenseRequired), a 422 too; else retried


class Batcher:
    """The queue and the worker of each instance; ``shim`` (handlers.Shim) resolves, runs and reports."""

    def __init__(self, shim: Any) -> None:
        self.shim = shim
        self.queues: dict[tuple[str, str], dict[Ident, Pending]] = {}
        self.workers: dict[tuple[str, str], asyncio.Task[None]] = {}

    def takes(self, watch: Watch, body: dict[str, Any]) -> bool:
        """Whether ``body`` is reconciled in its instance's batch (else by its own playbook)."""
        resource = BY_CR_KIND.get(watch.kind)
        if not self.shim.litellm_kind(watch) or resource is None or resource.cr_map is None or watch.kind in PER_CR_KINDS:
            return False
        if resource.cr_map.singleton:  # the proxy's settings: gateway_state plans them apart, with no object result
            return False
        if watch.role is not None or watch.playbook is None or watch.vars:
            return False
        own = PLAYBOOKS / f"{resource.kind}.yml"
        if not own.exists() or Path(watch.playbook).resolve() != own.resolve():
            return False
        return not refs.secret_refs(body.get("spec") or {})

    async def submit(self, watch: Watch, body: dict[str, Any], instance: tuple[str, str]) -> runner.Result:
        """Queue ``body`` for the next run of ``instance`` ((namespace, name)) and return its own outcome (or raise
        it: ``refs.Waiting``, ``ValueError``)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[runner.Result] = loop.create_future()
        queue = self.queues.setdefault(instance, {})
        ident = _ident(watch.kind, body)
        if ident in queue:  # coalesced: the newest body, every waiter gets its outcome
            queue[ident].body = body
            queue[ident].futures.append(future)
        else:
            queue[ident] = Pending(watch, body, [future])
        if instance not in self.workers:
            task = loop.create_task(self.work(instance))
            self.workers[instance] = task
        return await future

    async def work(self, instance: tuple[str, str]) -> None:
        """Run batches of ``instance`` until its queue is empty (no await between the last look and the exit: a
        resource queued meanwhile always finds this worker or starts the next one)."""
        try:
            while self.queues.get(instance):
                batch = self.queues.pop(instance)
                try:
                    outcomes = await self.run_batch(batch)
                except Exception as exc:  # pylint: disable=broad-exception-caught  # each resource gets it
                    outcomes = dict.fromkeys(batch, exc)
                for ident, pending in batch.items():
                    found = outcomes.get(ident) or RuntimeError("the batch gave no outcome for this resource")
                    for future in pending.futures:
                        if future.done():
                            continue
                        if isinstance(found, BaseException):
                            future.set_exception(found)
                        else:
                            future.set_result(found)
        finally:
            self.workers.pop(instance, None)

    async def run_batch(self, batch: dict[Ident, Pending]) -> dict[Ident, runner.Result | Exception]:
        first = next(iter(batch.values())).body
        resolved = refs.Resolved()
        # the instance's URL and master key; Waiting or ValueError (an invalid instanceRef) go to every resource
        await asyncio.to_thread(refs.resolve_instance, self.shim.api, first.get("spec") or {},
                                first["metadata"].get("namespace") or "", resolved)
        outcomes: dict[Ident, runner.Result | Exception] = {}
        crs = []
        for ident, pending in batch.items():
            try:
                self.shim.policies(pending.body, resolved.instance_body)
            except ValueError as exc:
                outcomes[ident] = exc
                continue
            crs.append({**pending.body, "kind": pending.watch.kind, "apiVersion": pending.watch.api_version})
        others = await asyncio.to_thread(self.referenced, crs)
        document, index, problems = document_from_crs(crs, others=others)
        for problem in problems:
            ident = (problem["kind"], problem["namespace"], problem["name"])
            message = problem["message"]
            outcomes[ident] = refs.Waiting("WaitingForReference", message[len(runner.INVALID_SPEC) + 1:]) \
                if problem.get("waiting") else ValueError(message)
        if not document:
            return outcomes
        instance = resolved.instance or {}
        LOG.info("batch run of %d custom resource(s) of LiteLLMInstance %s/%s", sum(map(len, document.values())),
                 instance.get("namespace"), instance.get("name"))
        result = await self.run(instance, document, resolved.env)
        objects = {o.get("where"): o for o in result.litellm_status.get("objects") or [] if o.get("where")}
        for where, resource, entry in self.places(document, index):
            ident = (entry["kind"], entry["namespace"], entry["name"])
            obj = objects.get(where)
            if obj is None:  # the run failed before its plan (LiteLLM down, the document refused whole)
                error = runner.scrub(str(result.litellm_status.get("error") or "gateway_state reported nothing"),
                                     resolved.secrets)  # (the module's no_log already hides the master key)
                outcomes[ident] = result if not result.ok else runner.Result(False, "failed", result.stats, {}, [error], [])
            else:
                outcomes[ident] = outcome(obj, resource, entry["origins"])
        return outcomes

    @staticmethod
    def places(document: dict[str, Any], index: dict[Any, list[dict[str, Any]]]) -> list[tuple[str, Any, dict[str, Any]]]:
        """(where, resource, index entry) of each document object: ``teams[3]`` as gateway_state names it."""
        by_plural = {r.plural: r for r in BY_CR_KIND.values()}
        taken: dict[Any, int] = {}
        found = []
        for plural, objects in document.items():
            resource = by_plural[plural]
            for position, options in enumerate(objects):
                key = (resource.kind, natural_name(resource, options))
                entries = index.get(key) or []
                seen = taken[key] = taken.get(key, 0) + 1
                if seen <= len(entries):
                    found.append((f"{plural}[{position}]", resource, entries[seen - 1]))
        return found

    def referenced(self, crs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The custom resources (of the kinds the batch's kinds reference, in their namespaces) the batch may name
        (blocking: a list call per kind and namespace)."""
        wanted = {(ref.target.cr_kind, cr["metadata"].get("namespace") or "")
                  for cr in crs for ref in BY_CR_KIND[cr["kind"]].cr_map.refs}
        watches = {w.kind: w for w in self.shim.watches if self.shim.litellm_kind(w)}
        found = []
        for kind, namespace in sorted(wanted):
            if kind not in watches:
                continue
            for item in self.shim.api.list(kind, namespace):
                found.append({**item, "kind": kind, "apiVersion": watches[kind].api_version})
        return found

    async def run(self, instance: dict[str, Any], document: dict[str, Any], env: dict[str, str]) -> runner.Result:
        namespace, name = instance.get("namespace") or "", instance.get("name") or "_"
        private = self.shim.config.runner_dir / "batch" / (namespace or "_cluster") / name
        variables = {"litellm_operator": {"mode": "reconcile", "document": params.mark_unsafe(document)},
                     "ansible_operator_meta": {"name": name, "namespace": namespace}}
        playbook = runner.prepare(private, variables, PLAYBOOK, None)
        return await self.shim.execute(refs.INSTANCE, "batch", private, playbook, env, check=False, keep=5)
