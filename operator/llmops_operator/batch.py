"""Batched reconcile: the custom resources of one LiteLLMInstance applied together, in one ansible-runner run.

Each reconcile handler of a kind of our group (Shim.reconcile) hands its custom resource to ``Batcher.submit``
and awaits its own outcome. Resources are queued per instance; one worker per instance takes everything queued,
builds one gateway document from it with the collection's table (``gateway/custom_resources.py``, no per-kind
mapping here), runs ``playbooks/operator/batch.yml`` (``gateway_state`` with ``invalid: skip``) once, and hands
each resource the engine's result for its own object: a ``runner.Result`` (the handler concludes it as it does a
per-resource run: conditions, ``litellmId``, Events, the permanent licence and 422 refusals), ``refs.Waiting``
(a reference missing or held back: that resource waits alone) or ``ValueError('invalid spec: ...')`` (a permanent
failure naming the spec field). The next run starts as soon as the previous one ends, with what came meanwhile.

Deletions (the finalizer) ride the same queue: a resource queued with ``delete`` is an object ``state: absent`` named
only by its id and natural key (``cr_absent``: never its references, Secrets, other fields or policy annotations, so a
deletion never waits for a valid spec); the engine deletes after the other work, children before parents, and holds
back alone a deletion its cascade refuses. ``deleted`` or ``unchanged`` releases the finalizer; anything else keeps it
(retried, never permanent). Orphaned resources need no run.

Virtual keys ride it too, crash-safe (``key_values``): each key's value is read from its Secret, or made with the
collection's generator and written to a new Secret (one write per new key) BEFORE the run; the key is declared with
it (``key``), so the engine finds it by the value's hash or creates it with that value: never a second key, whatever
stops in between. The keys go to the run in a 0600 document file outside the runner's directory (never extravars,
which ansible-runner copies into its artifacts), deleted after it. A key the batch cannot converge (a revoked value,
a rotation) is handed to its own playbook (``OwnPlaybook``).

Resources with Secret references ride it (credentials, models, guardrails, MCP servers, ...: each reference the
kind's table declares, ``cr_secret_refs``): their values are read from the Secrets (``secret_values``) and handed to
the table (``document_from_crs(secrets=...)``), so they are in the document file only; a resource whose Secret is
missing waits alone (``WaitingForSecret``, naming the Secret). Their write-only values are sent again only when their
fingerprint (``secrets_hashes``, ``status.appliedSecretsHash``) changed, as the per-resource playbooks do.

Organizations ride it: the users their members given by email need (LiteLLM adds organization members by user_id
only) are declared in the same document (``member_users``), as the organization playbook creates them first; an
organization whose new member users are created by the run waits for them, and converges in the next run.

Not batched (their own playbook, one run each, as before): LiteLLMInstance, virtual keys with ``rotationPeriod``,
``gracePeriod``, ``keyValueSecretRef`` or adopted, and Orphan deletions of keys (the playbook releases their
Secret), singleton kinds (LiteLLMProxySettings: gateway_state plans the proxy's settings apart from its objects and
reports no object of its own to conclude it from), resources with a Secret reference that their kind's table does
not declare, watches whose playbook or finalizer is not the collection's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import (
    cr_absent,
    cr_secret_refs,
    document_from_crs,
    member_users,
    spec_path,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import natural_name
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    KEY_SECRET_FIELD,
    key_hash,
    key_secret,
    key_secret_name,
    new_key,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND

from llmops_operator import refs, runner
from llmops_operator.config import ADOPTED_ANNOTATION, COLLECTION_ROOT, MANAGED_BY
from llmops_operator.watches import Watch

LOG = logging.getLogger("llmops_operator")
PLAYBOOKS = COLLECTION_ROOT / "playbooks" / "operator"
PLAYBOOK = PLAYBOOKS / "batch.yml"
KEY_KIND = "LiteLLMVirtualKey"
KEYS = BY_CR_KIND[KEY_KIND].plural
APPLIED = ("created", "updated", "unchanged")
DELETED = ("deleted", "unchanged")  # unchanged: LiteLLM did not have it (any more)

Ident = tuple[str, str, str]  # (kind, namespace, name)
STARTUP_QUIET = 2.0  # seconds (Batcher.settle)


@dataclasses.dataclass
class Pending:
    watch: Watch
    body: dict[str, Any]
    futures: list[asyncio.Future[runner.Result]]
    delete: bool = False


class OwnPlaybook(Exception):
    """A virtual key the batch cannot converge (its Secret's value is one LiteLLM revoked, or a key with its alias
    holds another value: a rotation): its own playbook (virtual_key.yml) does, at once."""


def key_batched(body: dict[str, Any], deleting: bool, orphaned: bool) -> bool:
    """Whether a LiteLLMVirtualKey rides the batch: one whose value the operator keeps in its Secret and does not
    rotate on a schedule nor keep a predecessor (rotationPeriod, gracePeriod, whose end only the module's run for the
    key enforces, keyValueSecretRef and adopted keys, whose value may be unknown, keep their playbook); a deletion
    that removes the key and its Secret (an Orphan one keeps its playbook, which releases the Secret)."""
    spec = body.get("spec") or {}
    if spec.get("keyValueSecretRef") is not None or spec.get("rotationPeriod") or spec.get("gracePeriod"):
        return False
    if deleting:
        return not orphaned
    return (body["metadata"].get("annotations") or {}).get(ADOPTED_ANNOTATION) != "true"


def ident_of(kind: str, body: dict[str, Any]) -> Ident:
    """(kind, namespace, name): a resource in a batch."""
    return kind, body["metadata"].get("namespace") or "", body["metadata"]["name"]


def cr_message(error: str, where: str, resource: Any, origins: dict[str, str]) -> str:
    """The engine's sentence about a document object (``teams[3]: max_budget must be >= 0``) told of its custom
    resource: without the document position, each option it names as the spec path it comes from."""
    message = error[len(where) + 2:] if error.startswith(where + ": ") else error.replace(where, "this object")
    for option in sorted(origins, key=len, reverse=True):
        message = re.sub(r"(?<![\w.])%s(?![\w])" % re.escape(option), spec_path(resource, origins, option), message)
    return message


def done(changed: int, result: dict[str, Any] | None = None) -> runner.Result:
    """One resource's success, as a run of its own would report it."""
    return runner.Result(True, "successful", {"ok": 1, "changed": changed, "skipped": 0, "failures": 0}, result or {}, [], [])


def failed(message: str, rejected: bool = False) -> runner.Result:
    """One resource's failure, as a run of its own would report it."""
    return runner.Result(False, "failed", {"ok": 0, "changed": 0, "skipped": 0, "failures": 1}, {}, [message], [],
                         rejected=rejected)


def outcome(obj: dict[str, Any], resource: Any, origins: dict[str, str], delete: bool = False) -> runner.Result | Exception:
    """One resource's outcome from its object in gateway_state's ``objects`` (``delete``: its deletion's, which
    never fails permanently: its finalizer stays until it is deleted)."""
    state = obj.get("status")
    message = cr_message(str(obj.get("error") or ""), str(obj.get("where") or ""), resource, origins)
    reason = message or f"{obj.get('kind')} {obj.get('name')}: {state}"
    if delete:
        return done(int(state == "deleted")) if state in DELETED else failed(reason)
    if state in APPLIED:
        return done(int(state != "unchanged"), {"litellmId": obj.get("id")})
    if state in ("waiting", "skipped"):  # skipped: its parent failed in this run; it waits on it
        return refs.Waiting("WaitingForReference", message)
    refused = failed(reason, rejected=obj.get("http_status") == 422)
    if state == "invalid" and not refused.licence_required:
        return ValueError(f"{runner.INVALID_SPEC} {message}")
    return refused  # a licence refusal stays permanent (EnterpriseLicenseRequired), a 422 too; else retried


class Batcher:
    """The queue and the worker of each instance; ``shim`` (handlers.Shim) resolves, runs and reports."""

    def __init__(self, shim: Any) -> None:
        self.shim = shim
        self.queues: dict[tuple[str, str], dict[Ident, Pending]] = {}
        self.workers: dict[tuple[str, str], asyncio.Task[None]] = {}
        # the runs' document files (secrets): the operator's own directory beside the runners' private ones, emptied
        # when it starts and stops (a crash leaves no value behind beyond the next start)
        self.documents = shim.config.runner_dir / "documents"
        self.kinds: dict[tuple[str, str, str], bool] = {}  # batched_kind's answers
        # The operator's start: per instance, the resources of batched kinds its first listing found that have not
        # reached their handler yet (expect, arrived). Kopf hands the listing to the handlers one object after
        # another over a second or two: a run started at the first would take one resource, the next the rest.
        self.starting: dict[tuple[str, str], set[Ident]] = {}
        self.arrivals: dict[tuple[str, str], asyncio.Event] = {}

    def expect(self, watch: Watch, ident: Ident, instance: tuple[str, str]) -> None:
        """A resource the operator found when it started: its instance's first run waits for it (settle)."""
        if self.batched_kind(watch):
            self.starting.setdefault(instance, set()).add(ident)

    def arrived(self, ident: Ident, instance: tuple[str, str]) -> None:
        """A resource reached its handler (queued for a run, or handled otherwise), or is gone."""
        waiting = self.starting.get(instance)
        if waiting:
            waiting.discard(ident)
            if instance in self.arrivals:
                self.arrivals[instance].set()

    async def settle(self, instance: tuple[str, str]) -> None:
        """The first run of an instance after the operator started waits until every resource of it the startup
        listing found has reached its handler, so that one run takes them all. Not for ever: a resource whose
        handler Kopf delays (a retry's backoff that outlived the restart) is left to a later run once nothing has
        arrived for STARTUP_QUIET seconds. Later runs never wait."""
        arrivals = self.arrivals.setdefault(instance, asyncio.Event())
        while self.starting.get(instance):
            arrivals.clear()
            try:
                await asyncio.wait_for(arrivals.wait(), STARTUP_QUIET)
            except TimeoutError:
                break
        self.starting.pop(instance, None)
        self.arrivals.pop(instance, None)

    def batched_kind(self, watch: Watch) -> bool:
        """Whether the resources of ``watch`` can ride the batch: a kind of ours with a table, run by our own
        playbook (a user's watches.yaml may give it another). Asked for every event: the answer is kept (resolving the
        paths again for each of 1,000 resources took ~0.4 s of a restart's event loop, py-spy)."""
        key = (watch.group, watch.version, watch.kind)
        if key not in self.kinds:
            resource = BY_CR_KIND.get(watch.kind)
            own = PLAYBOOKS / f"{resource.kind}.yml" if resource is not None else None
            self.kinds[key] = bool(
                self.shim.litellm_kind(watch) and resource is not None and resource.cr_map is not None
                # the proxy's settings: gateway_state plans them apart, with no object result
                and not resource.cr_map.singleton
                and watch.role is None and watch.playbook is not None and not watch.vars
                and own is not None and own.exists() and Path(watch.playbook).resolve() == own.resolve())
        return self.kinds[key]

    def takes(self, watch: Watch, body: dict[str, Any], deleting: bool = False) -> bool:
        """Whether ``body`` is reconciled (``deleting``: deleted) in its instance's batch (else by its own
        playbook). A deletion needs no reference nor Secret, only the names of its object (``cr_absent``): one
        whose spec does not map is deleted by its own playbook, which never reads the spec's other fields."""
        if not self.batched_kind(watch):
            return False
        if watch.kind == KEY_KIND and not key_batched(body, deleting, self.shim.orphaned(body)):
            return False
        if deleting:
            final = watch.finalizer  # ours: the same playbook with state absent (operator/watches.yaml)
            if final is None or final.playbook is not None or final.role is not None or \
                    dict(final.vars) not in ({}, {"state": "absent"}):
                return False
            return self.shim.orphaned(body) or cr_absent({**body, "kind": watch.kind}) is not None
        # its Secret values ride the document file (secret_values) when the kind's table declares each reference
        declared = {id(ref) for ref in cr_secret_refs({**body, "kind": watch.kind}).values()}
        return all(id(ref) in declared for _path, ref in refs.secret_refs(body.get("spec") or {}))

    async def submit(self, watch: Watch, body: dict[str, Any], instance: tuple[str, str],
                     delete: bool = False) -> runner.Result:
        """Queue ``body`` for the next run of ``instance`` ((namespace, name)), its deletion with ``delete``, and
        return its own outcome (or raise it: ``refs.Waiting``, ``ValueError``)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[runner.Result] = loop.create_future()
        queue = self.queues.setdefault(instance, {})
        ident = ident_of(watch.kind, body)
        if ident in queue:  # coalesced: the newest body, every waiter gets its outcome
            queue[ident].body = body
            queue[ident].delete = delete
            queue[ident].futures.append(future)
        else:
            queue[ident] = Pending(watch, body, [future], delete)
        self.arrived(ident, instance)
        if instance not in self.workers:
            task = loop.create_task(self.work(instance))
            self.workers[instance] = task
        return await future

    async def work(self, instance: tuple[str, str]) -> None:
        """Run batches of ``instance`` until its queue is empty (no await between the last look and the exit: a
        resource queued meanwhile always finds this worker or starts the next one)."""
        try:
            if instance in self.starting:
                await self.settle(instance)
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
        deleting = any(p.delete for p in batch.values())
        # the instance's URL and master key; Waiting or ValueError (an invalid instanceRef) go to every resource (a
        # deletion also works while the instance is being deleted: it waits for its resources)
        await asyncio.to_thread(refs.resolve_instance, self.shim.api, first.get("spec") or {},
                                first["metadata"].get("namespace") or "", resolved, deleting)
        going = (resolved.instance_body or {}).get("metadata", {}).get("deletionTimestamp")
        outcomes: dict[Ident, runner.Result | Exception] = {}
        crs, absent = [], []
        for ident, pending in batch.items():
            cr = {**pending.body, "kind": pending.watch.kind, "apiVersion": pending.watch.api_version}
            if pending.delete:  # never the policies (a deletion never depends on a valid spec)
                if self.shim.orphaned(pending.body):
                    outcomes[ident] = done(0)  # left in LiteLLM: nothing to delete
                else:
                    absent.append(cr)
                continue
            if going:
                instance = resolved.instance or {}
                outcomes[ident] = refs.Waiting("WaitingForReference", f"spec.instanceRef: LiteLLMInstance "
                                               f"{instance.get('namespace')}/{instance.get('name')} is being deleted")
                continue
            try:
                self.shim.policies(pending.body, resolved.instance_body)
            except ValueError as exc:
                outcomes[ident] = exc
                continue
            crs.append(cr)
        secrets = await asyncio.to_thread(self.secret_values, crs, outcomes)  # a missing Secret: that one waits
        crs = [cr for cr in crs if ident_of(cr["kind"], cr) not in outcomes]
        others = await asyncio.to_thread(self.referenced, crs)
        document, index, problems = document_from_crs(crs, others=others, secrets=secrets)
        for cr in absent:  # after the objects declared present (their positions are the table's)
            options = cr_absent(cr)
            resource = BY_CR_KIND[cr["kind"]]
            if options is None:  # its spec changed since it was queued: its own playbook deletes it next time
                outcomes[ident_of(cr["kind"], cr)] = failed(f"{cr['kind']}: the spec no longer names its LiteLLM object")
                continue
            document.setdefault(resource.plural, []).append(options)
            kind, namespace, name = ident_of(cr["kind"], cr)
            index.setdefault((resource.kind, natural_name(resource, options)), []).append(
                {"kind": kind, "namespace": namespace, "name": name, "origins": {}, "delete": True})
        users = member_users(document)  # an organization's members by email: their users first (no resource's own)
        if users:
            document.setdefault(BY_CR_KIND["LiteLLMUser"].plural, []).extend(users)
        for problem in problems:
            ident = (problem["kind"], problem["namespace"], problem["name"])
            message = problem["message"]
            outcomes[ident] = refs.Waiting("WaitingForReference", message[len(runner.INVALID_SPEC) + 1:]) \
                if problem.get("waiting") else ValueError(message)
        bodies = {ident: pending.body for ident, pending in batch.items()}
        tokens = await asyncio.to_thread(self.key_values, document, index, bodies, outcomes)
        hashes = self.secrets_hashes(document, index, bodies, resolved.env.get("LITELLM_PROXY_API_KEY", ""))
        if not any(document.values()):
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
                                     resolved.secrets + [v for values in secrets.values() for v in values.values()])
                outcomes[ident] = result if not result.ok else runner.Result(False, "failed", result.stats, {}, [error], [])
                continue
            found = outcome(obj, resource, entry["origins"], entry.get("delete", False))
            if ident[0] == KEY_KIND:
                found = await asyncio.to_thread(self.key_outcome, found, obj, bodies[ident], tokens.get(ident))
            elif ident in hashes and isinstance(found, runner.Result) and found.ok:
                found.litellm_status["appliedSecretsHash"] = hashes[ident]
            outcomes[ident] = found
        return outcomes

    def secret_values(self, crs: list[dict[str, Any]], outcomes: dict[Ident, Any]) -> dict[tuple[str, str], dict[str, str]]:
        """{(namespace, name): {spec path: value}} of the Secret references of ``crs`` (blocking; the table's paths,
        ``cr_secret_refs``), for ``document_from_crs``; each Secret read once (a namespace's Secrets in one list call
        when the batch names several). A resource whose Secret or key is missing gets ``refs.Waiting`` (it waits
        alone, the message names the Secret, never a value), one with an incomplete reference an invalid spec."""
        wanted: dict[Ident, dict[str, tuple[str, str, str]]] = {}
        for cr in crs:
            namespace = cr["metadata"].get("namespace") or ""
            for where, ref in cr_secret_refs(cr).items():
                if not isinstance(ref, dict) or not ref.get("name") or not ref.get("key"):
                    outcomes[ident_of(cr["kind"], cr)] = ValueError(f"{runner.INVALID_SPEC} spec.{where}: needs name and key")
                    break
                wanted.setdefault(ident_of(cr["kind"], cr), {})[where] = (ref.get("namespace") or namespace, ref["name"], ref["key"])
        names: dict[str, set[str]] = {}
        for ident, paths in wanted.items():
            if ident not in outcomes:
                for namespace, name, _key in paths.values():
                    names.setdefault(namespace, set()).add(name)
        found: dict[tuple[str, str], dict[str, str] | None] = {}
        for namespace, listed in names.items():
            if len(listed) > 2:  # one list call (the kubernetes client's DEBUG log is filtered: __main__)
                every = self.shim.api.labelled_secrets(namespace)
                found.update(((namespace, name), every.get(name)) for name in listed)
            else:
                found.update(((namespace, name), self.shim.api.secret_data(namespace, name)) for name in listed)
        values: dict[tuple[str, str], dict[str, str]] = {}
        for ident, paths in wanted.items():
            if ident in outcomes:
                continue
            for where, (namespace, name, key) in paths.items():
                data = found.get((namespace, name))
                if data is None or key not in data:
                    missing = "does not exist" if data is None else f"has no key {key!r}"
                    outcomes[ident] = refs.Waiting("WaitingForSecret", f"spec.{where}: Secret {namespace}/{name} {missing}")
                    break
                values.setdefault(ident[1:], {})[where] = data[key]
        return values

    @staticmethod
    def secrets_hashes(document: dict[str, Any], index: dict[Any, list[dict[str, Any]]], bodies: dict[Ident, dict[str, Any]],
                       master_key: str) -> dict[Ident, str]:
        """The fingerprint of each resource's write-only values (a provider key, credential values), keyed with the
        master key so that it cannot be guessed back (the rule of ``operator_secrets_hash`` in the playbooks'
        vars/common.yml), returned as ``status.appliedSecretsHash``. Its object sends them again
        (``update_secrets: always``) only when it differs from the one in the resource's status (a Secret's new
        value, a changed ``apiBase``, the first run), unless its spec says ``updateSecrets``; else a run that changes
        nothing writes nothing. Virtual keys keep their own protocol (``key_values``)."""
        hashes = {}
        for where, resource, entry in Batcher.places(document, index):
            if entry.get("delete") or resource.cr_kind == KEY_KIND or not resource.has_secrets:
                continue
            options = document[resource.plural][int(where[:-1].partition("[")[2])]
            written = {name: value for name, value in options.items()
                       if name in resource.by_name and resource.by_name[name].secret(value) is not None}
            if not written:
                continue
            ident = (entry["kind"], entry["namespace"], entry["name"])
            hashes[ident] = hashlib.sha256(f"{master_key}\n{json.dumps(written, sort_keys=True)}".encode()).hexdigest()
            if "update_secrets" not in options and ((bodies[ident].get("status") or {}).get("appliedSecretsHash")
                                                    != hashes[ident]):
                options["update_secrets"] = "always"
        return hashes

    def key_values(self, document: dict[str, Any], index: dict[Any, list[dict[str, Any]]],
                   bodies: dict[Ident, dict[str, Any]], outcomes: dict[Ident, Any]) -> dict[Ident, str]:
        """Secret first (blocking): each key declared present gets its Secret's value as ``key``; a new key's value
        is made here (the collection's generator) and written to its Secret (``{name}-key``, owned by the resource)
        BEFORE LiteLLM is called, one write per new key, so that a run stopped anywhere finds the same value again
        and never mints a second key. A key whose Secret cannot be read or written leaves the document (its
        outcome says why). Returns the token (the value's hash, LiteLLM's id of the key) of each key declared
        present, which gateway_state, keeping it out of its output, does not return."""
        keys = document.get(KEYS) or []
        entries = {where: entry for where, _resource, entry in self.places({KEYS: keys}, index)}
        listed: dict[str, dict[str, dict[str, str]]] = {}  # the operator's Secrets of each namespace: one list call
        kept, tokens = [], {}
        for position, options in enumerate(keys):
            entry = entries.get(f"{KEYS}[{position}]")
            if entry is None or entry.get("delete"):
                kept.append(options)
                continue
            ident = (entry["kind"], entry["namespace"], entry["name"])
            try:
                if entry["namespace"] not in listed:
                    listed[entry["namespace"]] = self.shim.api.labelled_secrets(entry["namespace"], "=".join(MANAGED_BY))
                options["key"] = self.key_value(bodies[ident], listed[entry["namespace"]])
                tokens[ident] = key_hash(options["key"])
            except Exception as exc:  # pylint: disable=broad-exception-caught  # this resource's outcome
                outcomes[ident] = exc
                index[(BY_CR_KIND[KEY_KIND].kind, natural_name(BY_CR_KIND[KEY_KIND], options))].remove(entry)
                continue
            kept.append(options)
        if keys:
            document[KEYS] = kept
        return tokens

    def key_value(self, body: dict[str, Any], listed: dict[str, dict[str, str]]) -> str:
        """The value in the key's Secret (``listed``: the operator's Secrets of its namespace; another is read when
        creating it finds one); a new one made and written first when there is no Secret yet."""
        meta = body["metadata"]
        namespace, name = meta.get("namespace") or "", key_secret_name(body)
        data = listed.get(name)
        for _attempt in range(2):
            if data is not None:
                if not data.get(KEY_SECRET_FIELD):
                    raise OwnPlaybook(f"Secret {namespace}/{name} has no {KEY_SECRET_FIELD}")
                return data[KEY_SECRET_FIELD]
            value = new_key()
            if self.shim.api.create_secret(namespace, key_secret({**body, "kind": KEY_KIND}, value)):
                return value
            data = self.shim.api.secret_data(namespace, name)  # it exists (not the operator's label, or just made)
        raise RuntimeError(f"Secret {namespace}/{name} was created and deleted meanwhile")

    def key_outcome(self, found: runner.Result | Exception, obj: dict[str, Any], body: dict[str, Any],
                    token: str | None) -> runner.Result | Exception:
        """A key's outcome (``token``: its value's hash; None for a deletion): its token and Secret in its status;
        a deleted key's Secret deleted with it; a key the batch could not converge (not waiting for another object)
        handed to its own playbook."""
        if token is None:
            if isinstance(found, runner.Result) and found.ok:
                namespace, name = body["metadata"].get("namespace") or "", key_secret_name(body)
                try:
                    self.shim.api.delete_secret(namespace, name)
                except Exception as exc:  # pylint: disable=broad-exception-caught  # this resource's outcome
                    return failed(f"the key is deleted in LiteLLM, its Secret {namespace}/{name} not: {exc}")
            return found
        if isinstance(found, runner.Result) and found.ok:
            found.litellm_status.update(litellmId=token, keyAlias=obj.get("name"), keySecretName=key_secret_name(body))
            return found
        if isinstance(found, refs.Waiting):
            return found
        return OwnPlaybook(str(found) if not isinstance(found, runner.Result) else found.message)

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
        """One run of batch.yml. The document, with its secrets (the virtual keys' values, the values of the
        resources' Secrets), goes in a 0600 file outside the runner's private data directory (``documents``), read by
        gateway_state itself (nothing of it is templated) and deleted after the run: never in extravars, whose copy
        ansible-runner keeps in its artifacts."""
        namespace, name = instance.get("namespace") or "", instance.get("name") or "_"
        private = self.shim.config.runner_dir / "batch" / (namespace or "_cluster") / name
        self.documents.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix="batch-", suffix=".json", dir=self.documents)  # (mode 0600)
        try:
            with os.fdopen(fd, "w") as stream:
                json.dump(document, stream)
            variables = {"litellm_operator": {"mode": "reconcile", "files": [path]},
                         "ansible_operator_meta": {"name": name, "namespace": namespace}}
            playbook = runner.prepare(private, variables, PLAYBOOK, None)
            return await self.shim.execute(refs.INSTANCE, "batch", private, playbook, env, check=False, keep=5,
                                           instance=(namespace, instance.get("name") or ""))
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def remove_files(self) -> None:
        """Remove every document file: at the start (those a crash left) and at the stop (those of runs in flight,
        whose worker tasks are dropped)."""
        for path in self.documents.glob("*.json"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
