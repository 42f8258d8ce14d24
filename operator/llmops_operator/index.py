"""What every resource of our group claims in LiteLLM, which Secrets it takes values from, and which instance it
uses: three maps the shim keeps itself, from one list per kind at startup and every watch event after.

Kopf's own indexes (``kopf.index``) kept them until 7 Dec 2026. With an index Kopf holds every handler of every
indexed kind until the whole initial listing is indexed (a toggle per object; each dropped toggle wakes every
waiting worker): ~2 s of an operator restart with 1,000 resources. Filled by the startup handler, before Kopf
starts watching, the maps are as complete when the first handler runs, and nothing waits.
"""

from __future__ import annotations

import collections
import logging
from typing import Any

from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import cr_claims

from llmops_operator import refs
from llmops_operator.batch import Ident, ident_of
from llmops_operator.watches import Watch

LOG = logging.getLogger("llmops_operator")

Holder = tuple[str, str, str]  # (creation time, namespace, name): the oldest manages a claimed object


def instance_key(watch: Watch, body: dict[str, Any]) -> tuple[str, str]:
    """(namespace, name) of the LiteLLMInstance that ``body`` uses (an instance: itself)."""
    meta = body["metadata"]
    if watch.kind == refs.INSTANCE:
        return meta.get("namespace", ""), meta["name"]
    ref = (body.get("spec") or {}).get("instanceRef") or {}
    return ref.get("namespace") or meta.get("namespace", ""), str(ref.get("name"))


def claims(watch: Watch, body: dict[str, Any]) -> dict[tuple[str, ...], Holder]:
    """What ``body`` claims in LiteLLM — {(kind, instance namespace, instance name, spec field, value): holder} —
    (the fields come from the collection's kinds)."""
    meta = body["metadata"]
    instance = instance_key(watch, body)
    holder = (meta.get("creationTimestamp") or "", meta.get("namespace", ""), meta["name"])
    return {(watch.kind, *instance, field, value): holder for field, value in cr_claims(watch.kind, body.get("spec") or {})}


class Index:
    """The three maps, for the watches of our group's kinds (the instance excepted: it claims and reads nothing)."""

    def __init__(self, watches: list[Watch]) -> None:
        self.watches = {w.kind: w for w in watches}
        self.entries: dict[Ident, tuple[dict[tuple[str, ...], Holder], set[tuple[str, str]], tuple[str, str]]] = {}
        self.holders: dict[tuple[str, ...], set[Holder]] = collections.defaultdict(set)
        self.readers: dict[tuple[str, str], set[Ident]] = collections.defaultdict(set)
        self.users: dict[tuple[str, str], set[Ident]] = collections.defaultdict(set)

    def load(self, kube: refs.Kube, namespaces: tuple[str, ...]) -> None:
        """Every resource of the watched kinds and namespaces (blocking: one list per kind and namespace)."""
        for watch in self.watches.values():
            for namespace in namespaces or ("",):
                for body in kube.list(watch.kind, namespace, watch.group, watch.version):
                    self.observe(watch, body)
        LOG.info("indexed %d resource(s) of %d kind(s)", len(self.entries), len(self.watches))

    def observe(self, watch: Watch, body: dict[str, Any], deleted: bool = False) -> None:
        """A resource as a watch event shows it: indexed, again, or forgotten (deleted, or its labels no longer
        match the watch's selector)."""
        if watch.kind not in self.watches:
            return
        meta = body["metadata"]
        ident = ident_of(watch.kind, body)
        self.forget(ident)
        if deleted or not watch.selects(meta.get("labels") or {}):
            return
        namespace = meta.get("namespace", "")
        claimed = claims(watch, body)
        reads = {(ref.get("namespace") or namespace, ref["name"]) for _path, ref in refs.secret_refs(body.get("spec") or {})
                 if isinstance(ref.get("name"), str) and ref["name"]}
        instance = instance_key(watch, body)
        self.entries[ident] = (claimed, reads, instance)
        for key, holder in claimed.items():
            self.holders[key].add(holder)
        for secret in reads:
            self.readers[secret].add(ident)
        self.users[instance].add(ident)

    def forget(self, ident: Ident) -> None:
        entry = self.entries.pop(ident, None)
        if entry is None:
            return
        claimed, reads, instance = entry
        for key, holder in claimed.items():
            _discard(self.holders, key, holder)
        for secret in reads:
            _discard(self.readers, secret, ident)
        _discard(self.users, instance, ident)

    def rival(self, watch: Watch, body: dict[str, Any]) -> str | None:
        """Why ``body`` must leave its LiteLLM object alone: an older resource of its kind and instance claims the
        same one."""
        meta = body["metadata"]
        for key, mine in claims(watch, body).items():
            holders = sorted(self.holders.get(key) or [mine])
            if holders[0][1:] != mine[1:]:
                _created, namespace, name = holders[0]
                return (f"spec.{key[3]} {key[4]!r} names the LiteLLM object that {watch.kind} {namespace}/{name} (the "
                        f"older) manages through LiteLLMInstance {key[1]}/{key[2]}: {meta.get('namespace', '')}/"
                        f"{meta['name']} writes nothing while it does")
        return None

    def secret_readers(self, namespace: str, name: str) -> list[Ident]:
        """The resources that take values from Secret ``namespace/name``."""
        return sorted(self.readers.get((namespace, name)) or ())

    def instance_users(self, namespace: str, name: str) -> list[Ident]:
        """The resources that use LiteLLMInstance ``namespace/name``."""
        return sorted(self.users.get((namespace, name)) or ())


def _discard(mapping: dict[Any, set[Any]], key: Any, value: Any) -> None:
    found = mapping.get(key)
    if found is not None:
        found.discard(value)
        if not found:
            del mapping[key]
