"""Kopf handlers, registered per watches.yaml entry: reconcile, finalizer, drift timer, metrics, dependent Secrets.

Each handler is async: it resolves references and writes status through the ``kubernetes`` client in a
thread, and runs ansible-runner in a bounded pool (``MAX_CONCURRENT_RECONCILES``). One lock per CR keeps the
drift timer and a reconcile of the same CR from running at once. Runs, reconcile outcomes, drift and every
CR's conditions (a watch-event handler per kind) are reported to ``metrics``.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import datetime
import functools
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kopf
import kubernetes
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import spec_patch
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND

from llmops_operator import batch, events, metrics, params, proxy, refs, runner, status, sweep
from llmops_operator.index import Index, instance_key
from llmops_operator.config import (
    ADOPTED_ANNOTATION,
    ANNOTATION_PREFIX,
    ARTIFACTS_ANNOTATION,
    BUNDLED_COLLECTIONS,
    CONFLICT_ANNOTATION,
    CONFLICT_POLICIES,
    DEFAULT_DRIFT_INTERVAL,
    DELETE_ADOPTED_ANNOTATION,
    KOPF_PREFIX,
    MANAGED_BY,
    RECONCILE_PERIOD_ANNOTATION,
    TRIGGER_ANNOTATION,
    UNMANAGED_ANNOTATION,
    UNMANAGED_POLICIES,
    VERBOSITY_ANNOTATION,
    Config,
    collections_dir,
    has_sdk_util,
)
from llmops_operator.watches import DEFAULT_COLLECTIONS_PATH, Watch, WatchesError, collection_roots, collection_root, parse_duration

LOG = logging.getLogger("llmops_operator")


def plain(value: Any) -> Any:
    """Kopf's read-only body views as plain dicts and lists (for YAML and for the ``kubernetes`` client)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def backoff(retry: int) -> float:
    """Delay before retrying a failed run: 5 s doubling up to 5 min."""
    return float(min(5 * 2 ** min(retry, 6), 300))


def wait_delay(retry: int) -> float:
    """Delay before looking again for a missing reference: cheap (no run), so short, growing to 30 s."""
    return float(min(3 + 3 * retry, 30))


class NotAnswering(kopf.TemporaryError):
    """The reconcile succeeded, but the proxy it deployed does not answer yet."""


class Shim:
    """The state the handlers share: settings, the API client, the runner pool, per-CR locks."""

    def __init__(self, config: Config, watches: list[Watch]) -> None:
        self.config = config
        self.watches = watches
        self.kube: refs.Kube | None = None
        self.pool = concurrent.futures.ThreadPoolExecutor(config.max_concurrent_reconciles, thread_name_prefix="runner")
        self.slots = asyncio.Semaphore(config.max_concurrent_reconciles)
        metrics.set_slots(config.max_concurrent_reconciles)
        self.locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        # One run at a time per LiteLLMInstance among its own run, its batches and its drift checks (execute's
        # ``instance``): no batch runs against a proxy its instance's run is deploying or checking, and the
        # operator's process tree holds one run of an instance, not two (at 1,000 resources a restart or a
        # configSync change ran the instance's playbook beside a batch of 1,000, 435 MiB against 316).
        self.instance_runs: dict[tuple[str, str], asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self.launch = runner.launcher(config.runner_dir)
        self.warm = runner.WarmStart()  # started by the startup handler when config.warm_start
        self.drift_intervals: dict[tuple[str, str], float] = {}  # configSync.interval per instance (namespace, name)
        # MAX_CONCURRENT_RECONCILES_<KIND>_<GROUP>: a kind's own limit inside the pool
        self.kind_slots = {w.kind: asyncio.Semaphore(w.max_concurrent_reconciles) for w in watches if w.max_concurrent_reconciles}
        self.run_env = self.paths_env()
        self.proxy: proxy.Proxy | None = None
        self.dependents: proxy.Dependents | None = None
        self.user_metrics: Any = None
        self.requeues: dict[str, asyncio.TimerHandle] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.batcher = batch.Batcher(self)
        # what each resource of our group claims in LiteLLM, which Secrets it reads, which instance it uses
        self.index = Index([w for w in watches if self.litellm_kind(w) and w.kind != refs.INSTANCE])

    def paths_env(self) -> dict[str, str]:
        """ANSIBLE_ROLES_PATH and ANSIBLE_COLLECTIONS_PATH of the runs, as ansible-operator's image sets them: the
        given paths, then ``<watches base>/roles``; the collections path (Ansible's default when unset) with the
        collections of the watches' roles and, when the real operator_sdk.util is not installed, ours."""
        roles = [p for p in self.config.roles_path.split(os.pathsep) if p] + [str(self.config.watches_base / "roles")]
        collections = [str(p) for p in collection_roots({"ANSIBLE_COLLECTIONS_PATH": self.config.collections_path})]
        own = collections_dir()
        extra = [own] if own is not None and not self.config.collections_path else []
        for watch in self.watches:
            for role in (watch.role, watch.finalizer.role if watch.finalizer else None):
                root = collection_root(role) if role is not None else None
                if root is not None:
                    extra.append(root)
        if not has_sdk_util([*collection_roots({"ANSIBLE_COLLECTIONS_PATH": self.config.collections_path or DEFAULT_COLLECTIONS_PATH}), *extra]):
            extra.append(BUNDLED_COLLECTIONS)
        for path in extra:
            if str(path) not in collections:
                collections.append(str(path))
        return {"ANSIBLE_ROLES_PATH": os.pathsep.join(roles), "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(collections)}

    def connect(self) -> None:
        try:
            kubernetes.config.load_incluster_config()
        except kubernetes.config.ConfigException:
            kubernetes.config.load_kube_config()
        self.kube = refs.Kube(kubernetes.client.ApiClient())
        self.batcher.remove_files()  # a crash's leftovers
        events.configure(kubernetes.client.ApiClient())
        if any(not self.litellm_kind(w) for w in self.watches):
            client = kubernetes.client.ApiClient()
            self.dependents = proxy.Dependents(client, self.config.namespaces, self.dependent_changed)
            what, option = "the runs' API proxy", f"127.0.0.1:{self.config.proxy_port} (--proxy-port / LLMOPS_OPERATOR_PROXY_PORT"
            try:
                self.proxy = proxy.Proxy(client, self.config.proxy_port, self.config.inject_owner_ref, self.dependent_created)
                what, option = "the osdk_metric listener", f"127.0.0.1:{self.config.osdk_metrics_port} (LLMOPS_OPERATOR_OSDK_METRICS_PORT"
                self.user_metrics = metrics.serve_user_metrics(self.config.osdk_metrics_port)
            except OSError as exc:
                raise kopf.PermanentError(f"cannot serve {what} on {option}; 0: any free port): {exc.strerror}") from None

    def disconnect(self) -> None:
        events.flush()
        self.warm.stop()
        self.batcher.remove_files()
        for handle in self.requeues.values():
            handle.cancel()
        if self.dependents is not None:
            self.dependents.stop()
        if self.proxy is not None:
            self.proxy.stop()
        if self.user_metrics is not None:
            self.user_metrics.shutdown()
            self.user_metrics.server_close()

    @property
    def api(self) -> refs.Kube:
        assert self.kube is not None, "the operator has not started"
        return self.kube

    # --- one CR ---------------------------------------------------------------------------------------

    def litellm_kind(self, watch: Watch) -> bool:
        return watch.group == refs.GROUP

    def drift_swept(self, watch: Watch) -> bool:
        """Whether the instance's drift sweep checks the resources of ``watch`` (sweep.Sweeper.watches)."""
        return self.litellm_kind(watch) and watch.kind in BY_CR_KIND

    async def write_status(self, watch: Watch, body: dict[str, Any], changes: dict[str, Any]) -> None:
        if not watch.manage_status:
            return
        meta = body["metadata"]
        await asyncio.to_thread(self.api.patch_status, watch.group, watch.version, watch.plural,
                                meta.get("namespace", ""), meta["name"], changes)
        body.setdefault("status", {}).update(changes)

    async def set_conditions(self, watch: Watch, body: dict[str, Any], updates: list[dict[str, Any]],
                             remove: tuple[str, ...] = (), **extra: Any) -> None:
        current = body.get("status", {}).get("conditions", [])
        if watch.manage_status and not self.litellm_kind(watch):
            # a foreign role may have set its own conditions (k8s_status) meanwhile: keep them, as ansible-operator
            # reads the CR again before it writes its status
            meta = body["metadata"]
            fresh = await asyncio.to_thread(self.api.get, watch.kind, meta.get("namespace", ""), meta["name"], watch.group, watch.version)
            current = ((fresh or body).get("status") or {}).get("conditions", [])
        await self.write_status(watch, body, {"conditions": status.merge(current, updates, remove), **extra})

    def policies(self, body: dict[str, Any], instance: dict[str, Any] | None) -> dict[str, Any]:
        """conflictResolution / unmanagedResourcePolicy / interval: the instance's configSync, the CR's annotations."""
        sync = ((instance or {}).get("spec") or {}).get("configSync") or {}
        annotations = body["metadata"].get("annotations") or {}
        conflict = annotations.get(CONFLICT_ANNOTATION) or sync.get("conflictResolution") or "crd-wins"
        unmanaged = annotations.get(UNMANAGED_ANNOTATION) or sync.get("unmanagedResourcePolicy") or "preserve"
        if conflict not in CONFLICT_POLICIES:
            raise ValueError(f"invalid spec: {CONFLICT_ANNOTATION} / configSync.conflictResolution {conflict!r} "
                             f"is not one of {', '.join(CONFLICT_POLICIES)}")
        if unmanaged not in UNMANAGED_POLICIES:
            raise ValueError(f"invalid spec: {UNMANAGED_ANNOTATION} / configSync.unmanagedResourcePolicy "
                             f"{unmanaged!r} is not one of {', '.join(UNMANAGED_POLICIES)}")
        try:
            interval = parse_duration(sync["interval"], "configSync.interval") if sync.get("interval") else DEFAULT_DRIFT_INTERVAL
        except WatchesError as exc:
            raise ValueError(f"invalid spec: {exc}") from None
        return {"conflict_resolution": conflict, "unmanaged_resource_policy": unmanaged, "interval": interval}

    def operator_vars(self, watch: Watch, body: dict[str, Any], resolved: refs.Resolved, mode: str) -> dict[str, Any]:
        meta = body["metadata"]
        annotations = meta.get("annotations") or {}
        adopted = annotations.get(ADOPTED_ANNOTATION) == "true"
        spec = body.get("spec") or {}
        instance = resolved.instance_body if watch.kind != refs.INSTANCE else body
        try:
            policies = self.policies(body, instance)
        except ValueError:
            if mode != "delete":
                raise
            # A deletion never depends on a valid spec (the policies do not change what is deleted).
            policies = {"conflict_resolution": "crd-wins", "unmanaged_resource_policy": "preserve"}
        return {
            "mode": mode,
            "owner": {"apiVersion": watch.api_version, "kind": watch.kind, "name": meta["name"],
                      "namespace": meta.get("namespace", ""), "uid": meta.get("uid", "")},
            **({"instance": resolved.instance} if resolved.instance else {}),
            "refs": resolved.refs,
            "secret_env": resolved.secret_env,
            "deletion_policy": spec.get("deletionPolicy") or "Delete",
            "conflict_resolution": policies["conflict_resolution"],
            "unmanaged_resource_policy": policies["unmanaged_resource_policy"],
            "adopted": adopted,
        }

    async def run(self, watch: Watch, body: dict[str, Any], resolved: refs.Resolved, mode: str) -> runner.Result:
        """One ansible-runner run of the watch's playbook (the finalizer's for ``delete``), in the pool."""
        meta = body["metadata"]
        extra: dict[str, Any] = dict(watch.vars)
        if self.litellm_kind(watch):  # ours only: ansible-operator injects no such variable
            extra["state"] = "absent" if mode == "delete" else "present"
        playbook, role = watch.playbook, watch.role
        if mode == "delete" and watch.finalizer is not None:
            extra.update(watch.finalizer.vars)
            if watch.finalizer.playbook or watch.finalizer.role:
                playbook, role = watch.finalizer.playbook, watch.finalizer.role
        if self.litellm_kind(watch):
            extra["litellm_operator"] = self.operator_vars(watch, body, resolved, mode)
        variables = params.extravars(body, cr_var=watch.cr_var, snake_case=watch.snake_case_parameters,
                                     unsafe=watch.mark_unsafe, extra=extra)
        if self.litellm_kind(watch):
            private = self.config.runner_dir / watch.kind.lower() / (meta.get("namespace") or "_cluster") / meta["name"]
        else:  # ansible-operator's layout
            private = self.config.runner_dir.joinpath(*(p for p in (watch.group, watch.version, watch.kind,
                                                                    meta.get("namespace"), meta["name"]) if p))
        gather = not self.litellm_kind(watch) and os.environ.get("ANSIBLE_GATHERING", "").lower() != "explicit"
        prepared = runner.prepare(private, variables, playbook, role, gather_facts=gather)
        owner = {"apiVersion": watch.api_version, "kind": watch.kind, "name": meta["name"],
                 "namespace": meta.get("namespace") or "", "uid": meta.get("uid", "")}
        session = self.proxy.session(owner) if self.proxy is not None and not self.litellm_kind(watch) else contextlib.nullcontext(None)
        with session as kubeconfig:
            extra_env = {"K8S_AUTH_KUBECONFIG": kubeconfig, "KUBECONFIG": kubeconfig} if kubeconfig else {}
            if self.user_metrics is not None:
                extra_env["LLMOPS_OPERATOR_OSDK_METRICS_URL"] = f"http://127.0.0.1:{self.user_metrics.server_address[1]}/metrics"
            own = self.litellm_kind(watch) and watch.kind == refs.INSTANCE
            return await self.execute(watch.kind, mode, private, prepared, resolved.env, check=mode == "drift",
                                      keep=self.annotation_int(body, ARTIFACTS_ANNOTATION, 1) or watch.max_runner_artifacts,
                                      extra_env=extra_env, verbosity=self.verbosity(watch, body),
                                      latest=not self.litellm_kind(watch),
                                      instance=instance_key(watch, body) if own else None)

    def verbosity(self, watch: Watch, body: dict[str, Any]) -> int:
        """The CR's ``ansible.sdk.operatorframework.io/verbosity``, else ANSIBLE_VERBOSITY_<KIND>_<GROUP>, else
        ``--ansible-verbosity``, else 2 (ansible-operator's default) for foreign watches and 0 for ours."""
        for value in (self.annotation_int(body, VERBOSITY_ANNOTATION, 0), watch.ansible_verbosity, self.config.ansible_verbosity):
            if value is not None:
                return min(value, 7)
        return 0 if self.litellm_kind(watch) else 2

    @staticmethod
    def annotation_int(body: dict[str, Any], name: str, low: int) -> int | None:
        value = (body["metadata"].get("annotations") or {}).get(name)
        if value is None:
            return None
        if not str(value).strip().isdigit() or int(value) < low:
            LOG.warning("%s %s: annotation %s=%r is not an integer >= %d: ignored", body.get("kind"),
                        body["metadata"].get("name"), name, value, low)
            return None
        return int(value)

    async def execute(self, kind: str, mode: str, private: Path, playbook: Path, env: dict[str, str], *, check: bool,
                      keep: int, extra_env: dict[str, str] | None = None, verbosity: int = 0,
                      latest: bool = False, instance: tuple[str, str] | None = None) -> runner.Result:
        """One ansible-runner run in the pool (a slot of MAX_CONCURRENT_RECONCILES, and of the kind's own limit);
        ``instance`` (namespace, name): a run of that LiteLLMInstance as a whole (its own, a batch, a drift check),
        which waits for the one in flight (``instance_runs``)."""
        kind_slots = self.kind_slots.get(kind)
        with metrics.Run(kind, mode, playbook.name) as run:
            async with self.instance_runs[instance] if instance is not None else contextlib.nullcontext(), \
                    kind_slots if kind_slots is not None else contextlib.nullcontext(), self.slots:
                run.start()
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self.pool, functools.partial(
                    runner.run, private, playbook, env, check=check, keep=keep, launch=self.launch,
                    public_env={**run.env, **self.run_env, **self.warm.env(), **(extra_env or {})},
                    args=self.config.ansible_args,
                    verbosity=verbosity, latest=latest))
            run.finish(result.ok)
            return result

    async def resolve(self, watch: Watch, body: dict[str, Any], deleting: bool = False) -> refs.Resolved:
        return await asyncio.to_thread(refs.resolve, self.api, watch.kind, body, litellm=self.litellm_kind(watch),
                                       deleting=deleting)

    async def reconcile(self, watch: Watch, body: dict[str, Any], retry: int) -> None:
        generation = body["metadata"].get("generation")
        outcome = "error"
        if watch.kind == refs.INSTANCE:
            self.drift_intervals.pop(instance_key(watch, body), None)  # its configSync may have changed
        try:
            async with self.locks[body["metadata"].get("uid", body["metadata"]["name"])]:
                rival = self.index.rival(watch, body)
                if rival:
                    outcome = "waiting"
                    await self.set_conditions(watch, body, status.conflict(generation, rival))
                    if retry == 0:
                        events.warn(body, reason="Conflict", message=rival)
                    raise kopf.TemporaryError(rival, delay=30)
                # a converged resource resumed or touched (a restart, an annotation): said only if something changes
                quiet = self.litellm_kind(watch) and status.settled(body)
                if not quiet:
                    await self.set_conditions(watch, body, status.running(generation))
                result = None
                if not self.batcher.takes(watch, body):
                    self.arrived(watch, body)
                else:
                    # with the other resources of its instance, in one run; waits alone for a missing reference
                    try:
                        result = await self.resolve_or_wait(watch, body, retry, self.batcher.submit(
                            watch, body, instance_key(watch, body)))
                    except kopf.TemporaryError:
                        outcome = "waiting"
                        raise
                    except batch.OwnPlaybook as exc:  # a key to renew or rotate: its own playbook, now
                        LOG.info("%s %s/%s: by its own playbook (%s)", watch.kind, body["metadata"].get("namespace"),
                                 body["metadata"]["name"], exc)
                if result is None:
                    try:
                        resolved = await self.resolve_or_wait(watch, body, retry)
                    except kopf.TemporaryError:
                        outcome = "waiting"
                        raise
                    try:
                        result = await self.run(watch, body, resolved, "reconcile")
                    except ValueError as exc:
                        await self.fail(watch, body, str(exc), permanent=True, retry=retry)
                        raise AssertionError("unreachable") from exc
                await self.conclude(watch, body, result, retry, reason="Reconciled", quiet=quiet)
                self.schedule_requeue(watch, body, result.requeue_after)
            outcome = "success"
        except kopf.PermanentError:
            outcome = "permanent_error"
            raise
        except NotAnswering:
            outcome = "waiting"
            raise
        finally:
            self.arrived(watch, body)
            metrics.reconciled(watch.kind, outcome)

    def arrived(self, watch: Watch, body: dict[str, Any]) -> None:
        """The resource reached its handler, or is gone: its instance's first run no longer waits for it."""
        if self.litellm_kind(watch) and watch.kind != refs.INSTANCE:
            self.batcher.arrived(batch.ident_of(watch.kind, body), instance_key(watch, body))

    async def resolve_or_wait(self, watch: Watch, body: dict[str, Any], retry: int, pending: Any = None) -> Any:
        """``pending`` (a batch outcome, Batcher.submit) or else the CR's references, resolved; a missing one is
        a wait (TemporaryError), an invalid spec a permanent failure."""
        generation = body["metadata"].get("generation")
        try:
            return await (pending if pending is not None else self.resolve(watch, body))
        except refs.Waiting as exc:
            await self.set_conditions(watch, body, status.waiting(generation, exc.reason, str(exc)))
            if retry == 0:
                events.info(body, reason=exc.reason, message=str(exc))
            raise kopf.TemporaryError(str(exc), delay=wait_delay(retry)) from None
        except ValueError as exc:
            await self.fail(watch, body, str(exc), permanent=True, retry=retry)
            raise AssertionError("unreachable") from exc

    async def fail(self, watch: Watch, body: dict[str, Any], message: str, *, permanent: bool, retry: int,
                   reason: str = "", **extra: Any) -> None:
        """Write the Failure status, post a warning Event, raise Kopf's permanent or temporary error."""
        generation = body["metadata"].get("generation")
        reason = reason or ("InvalidSpec" if permanent else "Failed")
        await self.set_conditions(watch, body, status.failed(generation, message, permanent, reason), **extra)
        events.warn(body, reason=reason if permanent else "ReconcileFailed", message=message)
        if permanent:
            raise kopf.PermanentError(message)
        raise kopf.TemporaryError(message, delay=backoff(retry))

    async def conclude(self, watch: Watch, body: dict[str, Any], result: runner.Result, retry: int, reason: str,
                       quiet: bool = False) -> None:
        """The run's outcome in the status, and an Event. ``quiet``: the resource was settled (status.settled)
        before the run; a successful run that changed nothing in LiteLLM and finds what the status already says
        writes nothing (its ``ansibleResult`` and ``lastReconcileTime`` stay those of the last reconcile that
        did)."""
        generation = body["metadata"].get("generation")
        extra = {"ansibleResult": result.ansible_result(), "lastReconcileTime": status.now()}
        if not result.ok:
            reason = "EnterpriseLicenseRequired" if result.licence_required and not result.invalid_spec else ""
            await self.fail(watch, body, result.message, permanent=result.permanent, retry=retry, reason=reason, **extra)
        answering = result.litellm_status.get("ready") is not False  # a deployed proxy with no replica up yet: False
        found = params.camel_keys(result.litellm_status)
        current = body.get("status") or {}
        if quiet and answering and not result.stats.get("changed") and all(current.get(k) == v for k, v in found.items()):
            return
        updates = status.succeeded(generation, ready=answering)
        if self.drift_swept(watch):  # just made to match: no drift (the first sweep then writes nothing)
            updates += status.applied(body)
            if current.get("drift"):
                extra["drift"] = []
        await self.set_conditions(watch, body, updates, remove=("Failure", "Conflict"),
                                  observedGeneration=generation, **extra, **found)
        events.info(body, reason=reason, message=f"{watch.kind} reconciled: {result.stats['changed']} change(s)")
        if not answering:
            # Ready means the proxy answers: look again until its pods are up (no event says when).
            raise NotAnswering(status.NOT_ANSWERING, delay=wait_delay(retry))

    async def finalize(self, watch: Watch, body: dict[str, Any], retry: int) -> None:
        """The finalizer: for the kinds of our group a deletion in the instance's batch (batch.py), else the
        finalizer run. It runs for Orphan and adopted CRs too: the playbook decides what to delete upstream (and, for
        a key kept in LiteLLM, releases its Secret from the CR's ownership). A CR whose LiteLLM object an older CR
        manages (a Conflict) deletes nothing."""
        meta = body["metadata"]
        rival = self.index.rival(watch, body)
        batched = not rival and self.batcher.takes(watch, body, deleting=True)
        if not batched:  # (a batched one arrives when it is queued)
            self.arrived(watch, body)
        if rival:
            events.info(body, reason="Orphaned", message=f"nothing deleted in LiteLLM: {rival}")
            return
        users = self.index.instance_users(*instance_key(watch, body)) \
            if self.litellm_kind(watch) and watch.kind == refs.INSTANCE else []
        if users:
            # An instance goes last: the CRs that use it need it to delete their objects in LiteLLM (deleting a
            # namespace, or a folder with kubectl, deletes them all at once).
            names = ", ".join(f"{kind} {namespace}/{name}" for kind, namespace, name in users[:5])
            message = f"waiting for the {len(users)} custom resource(s) that use it to be deleted first: {names}"
            if retry == 0:  # (no condition: Ready stays as it is, the CRs' own finalizers need the instance)
                events.info(body, reason="InUse", message=message)
            raise kopf.TemporaryError(message, delay=wait_delay(retry))
        async with self.locks[meta.get("uid", meta["name"])]:
            try:
                if batched:  # with the other resources of its instance
                    result = await self.batcher.submit(watch, body, instance_key(watch, body), delete=True)
                else:
                    result = await self.run(watch, body, await self.resolve(watch, body, deleting=True), "delete")
            except refs.Waiting as exc:
                if "instanceRef" in str(exc) and "does not exist" in str(exc):
                    events.warn(body, reason="InstanceGone", message=f"{exc}; nothing to delete upstream")
                    return
                await self.set_conditions(watch, body, status.waiting(meta.get("generation"), exc.reason, str(exc)))
                raise kopf.TemporaryError(str(exc), delay=wait_delay(retry)) from None
            if not result.ok:
                await self.fail(watch, body, result.message, permanent=False, retry=retry,
                                ansibleResult=result.ansible_result())
            if self.litellm_kind(watch) and self.orphaned(body):
                events.info(body, reason="Orphaned", message=f"{watch.kind} left in LiteLLM (deletionPolicy Orphan or adopted)")
            else:
                events.info(body, reason="Deleted", message=f"{watch.kind} deleted")
        self.locks.pop(meta.get("uid", meta["name"]), None)

    @staticmethod
    def orphaned(body: dict[str, Any]) -> bool:
        annotations = body["metadata"].get("annotations") or {}
        return (body.get("spec") or {}).get("deletionPolicy") == "Orphan" or (
            annotations.get(ADOPTED_ANNOTATION) == "true" and annotations.get(DELETE_ADOPTED_ANNOTATION) != "true")

    async def drift_check(self, watch: Watch, body: dict[str, Any]) -> None:
        meta = body["metadata"]
        current = body.get("status") or {}
        conditions = {c["type"]: c for c in current.get("conditions", [])}
        if conditions.get("Successful", {}).get("status") != "True" or current.get("observedGeneration") != meta.get("generation"):
            return  # not converged yet: the reconcile handler owns it
        lock = self.locks[meta.get("uid", meta["name"])]
        if lock.locked():
            return
        last = max(current.get("lastDriftCheckTime") or "", current.get("lastReconcileTime") or "")
        instance = instance_key(watch, body)
        known = self.drift_intervals.get(instance)
        if known is not None and not _due(last or None, known):
            return  # not due: no read of the instance or its Secrets (a tick comes every DRIFT_CHECK_PERIOD)
        try:
            resolved = await self.resolve(watch, body)
            policies = self.policies(body, resolved.instance_body if watch.kind != refs.INSTANCE else body)
        except (refs.Waiting, ValueError):
            return  # the reconcile handler reports it
        sync = ((resolved.instance_body if watch.kind != refs.INSTANCE else body) or {}).get("spec", {}).get("configSync") or {}
        # the instance's interval, until the instance changes (its reconcile forgets it); off: asked again as often
        self.drift_intervals[instance] = DEFAULT_DRIFT_INTERVAL if sync.get("enabled") is False else policies["interval"]
        if sync.get("enabled") is False:
            return
        if not _due(last or None, policies["interval"]):
            return
        async with lock:
            await self.check_drift(watch, body, resolved, policies["conflict_resolution"])

    async def check_drift(self, watch: Watch, body: dict[str, Any], resolved: refs.Resolved, policy: str) -> None:
        """The drift check of one custom resource, by its own playbook in check mode (a LiteLLMInstance: the
        resources of its instance are checked together, sweep.py)."""
        result = await self.run(watch, body, resolved, "drift")
        if not result.ok:
            await self.write_status(watch, body, {"lastDriftCheckTime": status.now()})
            events.warn(body, reason="DriftCheckFailed", message=result.message)
            return
        await self.drift_found(watch, body, policy, runner.drift_paths(result.drift, body.get("spec") or {}),
                               resolved.secrets, resolved)

    async def drift_found(self, watch: Watch, body: dict[str, Any], policy: str, drift: list[dict[str, Any]],
                          secrets: list[str], resolved: refs.Resolved | None = None) -> None:
        """Write a drift check's outcome ``[{path, desired, live}]`` and apply the conflict policy: crd-wins
        reconciles the resource (resolving it first when ``resolved`` is None), api-wins writes LiteLLM's values
        back into the spec through the collection's table, manual reports."""
        generation = body["metadata"].get("generation")
        before = body.get("status") or {}
        was = {c.get("type"): c for c in before.get("conditions", [])}.get("Drifted", {}).get("status")
        checked = {"lastDriftCheckTime": status.now()}
        drift = _scrubbed(drift, secrets)
        await self.set_conditions(watch, body, status.drifted(generation, drift, policy), drift=drift, **checked)
        # Events tell changes: a check that finds what the last one found posts none (the status has the time).
        if not drift:
            if was != "False":
                events.info(body, reason="InSync", message="drift check: LiteLLM matches the spec")
            return
        paths = ", ".join(d["path"] for d in drift)
        metrics.drift_detected(watch.kind, policy)
        if was != "True" or drift != before.get("drift"):
            events.warn(body, reason="Drifted", message=f"LiteLLM differs from the spec at {paths} (conflictResolution {policy})")
        if policy == "crd-wins":
            try:
                repaired = None
                if self.batcher.takes(watch, body):  # the repairs of one sweep ride one batch
                    with contextlib.suppress(batch.OwnPlaybook):
                        repaired = await self.batcher.submit(watch, body, instance_key(watch, body))
                if repaired is None:
                    resolved = resolved or await self.resolve(watch, body)
                    repaired = await self.run(watch, body, resolved, "reconcile")
            except (refs.Waiting, ValueError) as exc:
                events.warn(body, reason="DriftRepairFailed", message=str(exc))
                return
            if repaired.ok:
                await self.set_conditions(watch, body, [status.condition(
                    "Drifted", False, "Repaired", f"Repaired {paths} (crd-wins)", generation)], drift=[])
                metrics.drift_repaired(watch.kind)
                events.info(body, reason="DriftRepaired", message=f"Repaired {paths} (crd-wins)")
            else:
                events.warn(body, reason="DriftRepairFailed", message=repaired.message)
        elif policy == "api-wins":
            patch, taken = spec_patch(body.get("spec") or {}, drift)
            if patch:
                meta = body["metadata"]
                accepted = ", ".join(sorted({d["path"] for d in taken}))
                if len(taken) == len(drift):
                    # Before the spec changes: the reconcile that the new generation starts keeps this condition
                    # (a status written after it would race with the reconcile's own).
                    await self.set_conditions(watch, body, [status.condition(
                        "Drifted", False, "Accepted", f"Took LiteLLM's {accepted} into the spec (api-wins)",
                        generation)], drift=[])
                try:
                    await asyncio.to_thread(self.api.patch, watch.group, watch.version, watch.plural,
                                            meta["namespace"], meta["name"], {"spec": patch})
                except Exception:
                    await self.set_conditions(watch, body, status.drifted(generation, drift, policy), drift=drift)
                    raise
                metrics.drift_accepted(watch.kind)
                events.info(body, reason="DriftAccepted", message=f"Spec updated from LiteLLM at {accepted} (api-wins)")

    def schedule_requeue(self, watch: Watch, body: dict[str, Any], period: float | None) -> None:
        """Reconcile again after ``period`` (operator_sdk.util.requeue_after) or the CR's
        ``ansible.sdk.operatorframework.io/reconcile-period`` annotation."""
        meta = body["metadata"]
        annotation = (meta.get("annotations") or {}).get(RECONCILE_PERIOD_ANNOTATION)
        if period is None and annotation:
            with contextlib.suppress(WatchesError):
                period = parse_duration(annotation, RECONCILE_PERIOD_ANNOTATION) or None
        key = meta.get("uid", meta["name"])
        old = self.requeues.pop(key, None)
        if old is not None:
            old.cancel()
        if period is None:
            return
        loop = asyncio.get_running_loop()
        namespace, name = meta.get("namespace", ""), meta["name"]

        def fire() -> None:
            self.requeues.pop(key, None)
            task = loop.create_task(asyncio.to_thread(self.request_reconcile, watch, namespace, name, f"requeue after {period:g}s"))
            self.tasks.add(task)  # held until done: the loop keeps only weak references
            task.add_done_callback(self.tasks.discard)

        self.requeues[key] = loop.call_later(period, fire)

    def request_reconcile(self, watch: Watch, namespace: str, name: str, why: str) -> None:
        """Reconcile a CR again (blocking): stamp the trigger annotation, unless the CR is gone or going."""
        try:
            current = self.api.get(watch.kind, namespace, name, watch.group, watch.version)
            if current is None or current["metadata"].get("deletionTimestamp"):
                return
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # unique: a change Kopf sees
            self.api.patch(watch.group, watch.version, watch.plural, namespace, name,
                           {"metadata": {"annotations": {TRIGGER_ANNOTATION: stamp}}})
        except kubernetes.client.exceptions.ApiException as exc:
            if exc.status != 404:
                LOG.warning("%s %s/%s: could not request a reconcile (%s): %s", watch.kind, namespace, name, why, exc.reason)
            return
        LOG.info("%s %s/%s: reconciling again (%s)", watch.kind, namespace, name, why)

    def owner_watch(self, api_version: str, kind: str) -> Watch | None:
        """The foreign watch of an owner (``apiVersion`` or, from the primary-resource annotation, the group)."""
        return next((w for w in self.watches if not self.litellm_kind(w) and w.kind == kind
                     and api_version in (w.api_version, w.group)), None)

    def dependent_created(self, owner: dict[str, Any], target: tuple[str, str, str | None], obj: dict[str, Any]) -> None:
        """A run created ``obj`` (proxy thread): watch its kind when the owner's watch wants dependents."""
        watch = self.owner_watch(owner["apiVersion"], owner["kind"])
        if watch is None or not watch.watch_dependent_resources or self.dependents is None:
            return
        if blacklisted(watch, str(obj.get("apiVersion", "")), str(obj.get("kind", ""))):
            return
        prefix, resource, namespace = target
        if namespace is None and not watch.watch_cluster_scoped_resources:
            return
        self.dependents.watch(prefix, resource, namespace is not None)

    def dependent_changed(self, obj: dict[str, Any], event: str, owners: list[tuple[str, str, str, str]]) -> None:
        """A watched dependent changed or went (watch thread): reconcile its owners that watch dependents."""
        for api_version, kind, namespace, name in owners:
            watch = self.owner_watch(api_version, kind)
            if watch is None or not watch.watch_dependent_resources:
                continue
            if blacklisted(watch, str(obj.get("apiVersion", "")), str(obj.get("kind", ""))):
                continue
            self.request_reconcile(watch, namespace, name, f"{obj.get('kind')} {obj['metadata'].get('name')} {event.lower()}")

    async def dependent_deleted(self, body: dict[str, Any]) -> None:
        """A Secret we created for a CR is gone: reconcile its owner again (it then makes a new one)."""
        kinds = {w.kind: w for w in self.watches if w.watch_dependent_resources}
        namespace = body["metadata"].get("namespace", "")
        for owner in body["metadata"].get("ownerReferences") or []:
            watch = kinds.get(owner.get("kind"))
            if watch is not None and owner.get("apiVersion") == watch.api_version:
                await asyncio.to_thread(self.request_reconcile, watch, namespace, owner["name"],
                                        f"Secret {body['metadata']['name']} was deleted")


def blacklisted(watch: Watch, api_version: str, kind: str) -> bool:
    """Whether the watch's ``blacklist`` names this dependent kind (an entry without version: every version)."""
    group, version = api_version.rpartition("/")[::2]
    return any(k == kind and g == group and v in ("", version) for g, v, k in watch.blacklist)


def _due(last: str | None, interval: float) -> bool:
    if not last:
        return True
    try:
        then = datetime.datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        return True
    return (datetime.datetime.now(datetime.UTC) - then).total_seconds() >= interval


def _scrubbed(drift: list[dict[str, Any]], secrets: list[str]) -> list[dict[str, Any]]:
    """Drift entries with any secret value replaced (the modules never diff secrets; this is the belt)."""
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return runner.scrub(value, secrets)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return [clean(d) for d in drift]


def _filters(watch: Watch) -> dict[str, Any]:
    """Kopf's filter for the watch's ``selector`` (the rule: Watch.selects)."""
    if not watch.selector:
        return {}
    return {"when": lambda body, **_: watch.selects(body.get("metadata", {}).get("labels") or {})}


def register(registry: kopf.OperatorRegistry, shim: Shim) -> None:
    """Register every handler of every watch into ``registry`` (a new one has no login handler: add Kopf's)."""
    kopf.on.login(registry=registry)(kopf.login_via_client)
    for watch in shim.watches:
        _register_watch(registry, shim, watch)
    if any(w.watch_dependent_resources for w in shim.watches):
        @kopf.on.event("", "v1", "secrets", labels={MANAGED_BY[0]: MANAGED_BY[1]}, registry=registry)
        async def secret_event(event: dict[str, Any], body: kopf.Body, **_: Any) -> None:
            if event.get("type") == "DELETED":
                await shim.dependent_deleted(plain(body))

    if shim.index.watches:
        @kopf.on.event("", "v1", "secrets", id="referenced-secret", registry=registry)
        async def referenced_secret(event: dict[str, Any], body: kopf.Body, **_: Any) -> None:
            # A Secret a resource takes values from was created or changed: reconcile it again (its new values are
            # sent, by their fingerprint). Not on the initial listing (type None): each resource resumes anyway.
            if event.get("type") not in ("ADDED", "MODIFIED"):
                return
            namespace, name = body["metadata"].get("namespace", ""), body["metadata"]["name"]
            for kind, reader_namespace, reader in shim.index.secret_readers(namespace, name):
                await asyncio.to_thread(shim.request_reconcile, shim.index.watches[kind], reader_namespace, reader,
                                        f"Secret {name} {str(event['type']).lower()}")

    sweeper = sweep.Sweeper(shim)
    if sweeper.watches():
        @kopf.timer(refs.GROUP, refs.VERSION, "litellminstances", id="drift-sweep",
                    interval=shim.config.drift_check_period, registry=registry)
        async def drift_sweep(body: kopf.Body, **_: Any) -> None:  # the unmanaged-object policy too
            await sweeper.tick(plain(body))

    @kopf.on.startup(registry=registry)
    def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
        names = {w.finalizer.name for w in shim.watches if w.finalizer}
        settings.persistence.finalizer = names.pop() if names else f"{ANNOTATION_PREFIX}/finalizer"
        # Kopf ignores every annotation under its own prefix when it diffs: ours (policies, the reconcile
        # trigger) must stay visible, so Kopf keeps its state under a sub-domain.
        settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=KOPF_PREFIX)
        settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
            prefix=KOPF_PREFIX, key="last-handled-configuration")
        # Kopf posts its own log lines about an object as Events of it: at INFO, two per handled event ("Handler
        # 'reconcile' succeeded.", "Resuming is processed: 1 succeeded; 0 failed."), 2,000 Event writes for a restart
        # with 1,000 resources that tell nothing (the operator's own Events, events.py, say what changed). Kopf's
        # warnings and errors (a handler's exception, a temporary failure) are still posted.
        settings.posting.level = logging.WARNING
        settings.watching.server_timeout = 60
        # A CR's deletion waits for its timers to stop; one in the middle of a tick was polled every 60 s (Kopf's
        # default), which made a deletion take a minute or two.
        settings.background.cancellation_polling = 1
        if shim.config.warm_start:
            shim.warm.start()
        shim.connect()
        # complete before Kopf starts watching, so before any handler runs (Index): the oldest resource naming a
        # LiteLLM object manages it, whatever order the events come in
        shim.index.load(shim.api, shim.config.namespaces)
        for ident, (_claims, _reads, instance) in shim.index.entries.items():
            shim.batcher.expect(shim.index.watches[ident[0]], ident, instance)

    @kopf.on.cleanup(registry=registry)
    def disconnect(**_: Any) -> None:
        shim.disconnect()


def _register_watch(registry: kopf.OperatorRegistry, shim: Shim, watch: Watch) -> None:
    resource = (watch.group, watch.version, watch.plural)
    filters = _filters(watch)

    async def reconcile(body: kopf.Body, retry: int, **_: Any) -> None:
        await shim.reconcile(watch, plain(body), retry)

    # unfiltered: a resource whose labels stop matching the selector leaves the metrics and the index
    @kopf.on.event(*resource, id="metrics", registry=registry)
    async def observe(event: dict[str, Any], body: kopf.Body, **_: Any) -> None:
        gone = event.get("type") == "DELETED" or not watch.selects(body["metadata"].get("labels") or {})
        if gone:
            metrics.forget(body)
        else:
            metrics.observe(watch.kind, body)
        if watch.kind in shim.index.watches:
            cr = plain(body)
            shim.index.observe(watch, cr, deleted=gone)
            if gone:
                shim.arrived(watch, cr)

    for decorator in (kopf.on.create, kopf.on.update, kopf.on.resume):
        decorator(*resource, id="reconcile", registry=registry, **filters)(reconcile)

    if watch.finalizer is not None:
        @kopf.on.delete(*resource, id="finalizer", registry=registry, **filters)
        async def finalize(body: kopf.Body, retry: int, **_: Any) -> None:
            await shim.finalize(watch, plain(body), retry)

    if shim.litellm_kind(watch) and watch.kind == refs.INSTANCE:
        # (the other kinds of our group: one check per instance, the sweep timer of ``register``)
        @kopf.timer(*resource, id="drift", interval=shim.config.drift_check_period, registry=registry, **filters)
        async def drift(body: kopf.Body, **_: Any) -> None:
            await shim.drift_check(watch, plain(body))

    if watch.reconcile_period:
        @kopf.timer(*resource, id="reconcile-period", interval=watch.reconcile_period, initial_delay=watch.reconcile_period,
                    registry=registry, **filters)
        async def periodic(body: kopf.Body, **_: Any) -> None:
            await shim.reconcile(watch, plain(body), 0)
