"""Status conditions with the Operator SDK's meaning (Running, Successful, Failure) plus Ready and Drifted.

A condition keeps its ``lastTransitionTime`` while its status does not change, as Kubernetes' own helpers do.
"""

from __future__ import annotations

import datetime
from typing import Any


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def condition(type_: str, status: bool, reason: str, message: str, generation: int | None) -> dict[str, Any]:
    return {"type": type_, "status": "True" if status else "False", "reason": reason, "message": message,
            "observedGeneration": generation, "lastTransitionTime": now()}


def merge(current: list[dict[str, Any]], updates: list[dict[str, Any]], remove: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """``current`` with ``updates`` applied by type (keeping lastTransitionTime when the status is unchanged)."""
    by_type = {c["type"]: c for c in current if c.get("type") not in remove}
    for update in updates:
        old = by_type.get(update["type"])
        if old is not None and old.get("status") == update["status"]:
            update = {**update, "lastTransitionTime": old.get("lastTransitionTime", update["lastTransitionTime"])}
        by_type[update["type"]] = update
    return list(by_type.values())


def settled(body: dict[str, Any]) -> bool:
    """Successful and Ready at the resource's current generation, with nothing failed or contested since: a
    reconcile of it that changes nothing has nothing to say (no Running, no status, no Event). An operator restart
    resumes every resource; with 1,000 converged ones it wrote 2,000 statuses and posted 1,000 Events, and Kopf
    took the 2,000 watch events back, to say what the statuses already said."""
    current = body.get("status") or {}
    generation = body["metadata"].get("generation")
    by_type = {c.get("type"): c for c in current.get("conditions") or []}
    return current.get("observedGeneration") == generation and "Failure" not in by_type and \
        "Conflict" not in by_type and by_type.get("Running", {}).get("reason") == "Successful" and \
        all(by_type.get(t, {}).get("status") == "True" and by_type[t].get("observedGeneration") == generation
            for t in ("Successful", "Ready"))


def running(generation: int | None) -> list[dict[str, Any]]:
    return [condition("Running", True, "Running", "Running reconciliation", generation)]


NOT_ANSWERING = "The proxy is deployed but does not answer yet: no replica of its Deployment is available"


def succeeded(generation: int | None, ready: bool = True) -> list[dict[str, Any]]:
    """A successful reconcile; ``ready`` False for a deployed proxy that does not answer yet (Ready means it does)."""
    return [
        condition("Running", True, "Successful", "Awaiting next reconciliation", generation),
        condition("Successful", True, "Successful", "Last reconciliation succeeded", generation),
        condition("Ready", True, "Reconciled", "The object matches its spec in LiteLLM", generation) if ready
        else condition("Ready", False, "ProxyNotAnswering", NOT_ANSWERING, generation),
    ]


def failed(generation: int | None, message: str, permanent: bool, reason: str) -> list[dict[str, Any]]:
    return [
        condition("Running", False, "Failed", "Reconciliation failed" + (" permanently" if permanent else "; retrying"), generation),
        condition("Successful", False, "Failed", "Last reconciliation failed", generation),
        condition("Failure", True, reason, message, generation),
        condition("Ready", False, reason, message, generation),
    ]


def conflict(generation: int | None, message: str) -> list[dict[str, Any]]:
    """Another, older CR manages the LiteLLM object this one names: this one writes nothing."""
    return [
        condition("Running", False, "Conflict", message, generation),
        condition("Conflict", True, "Conflict", message, generation),
        condition("Ready", False, "Conflict", message, generation),
    ]


def waiting(generation: int | None, reason: str, message: str) -> list[dict[str, Any]]:
    return [
        condition("Running", False, reason, message, generation),
        condition("Ready", False, reason, message, generation),
    ]


def applied(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The Drifted condition after a successful reconcile: LiteLLM was just made to match the spec at the resource's
    generation, so it is False at that generation (the reason of a False one kept: Repaired, Accepted). The first
    drift sweep after a resource converged then finds its status already saying what the check found, and writes
    nothing (sweep.in_sync): at 1,000 resources it wrote 1,000 statuses, one per resource's first check."""
    generation = body["metadata"].get("generation")
    was = {c.get("type"): c for c in (body.get("status") or {}).get("conditions") or []}.get("Drifted") or {}
    if was.get("status") == "False":
        return [condition("Drifted", False, was.get("reason") or "InSync", was.get("message") or "", generation)]
    return [condition("Drifted", False, "InSync", "LiteLLM matches the spec (reconciled)", generation)]


def drifted(generation: int | None, drift: list[dict[str, Any]], policy: str) -> list[dict[str, Any]]:
    if not drift:
        return [condition("Drifted", False, "InSync", "LiteLLM matches the spec", generation)]
    paths = ", ".join(sorted({d["path"] for d in drift}))
    return [condition("Drifted", True, "Drifted", f"LiteLLM differs from the spec at {paths} (conflictResolution {policy})", generation)]
