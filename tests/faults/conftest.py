"""The fault matrix tier: its own LiteLLM stack, and the matrix of its last run written to .cache/fault-matrix/.

Opt-in (``LLMOPS_TEST_FAULTS=1``, ``make fault-matrix``): it restarts PostgreSQL under LiteLLM, so it never runs
against the shared stack of ``litellm_proxy`` or a LiteLLM given by LLMOPS_TEST_PROXY_URL. It deploys its own
through roles/proxy_local (tests/lib/stack.py); ``LLMOPS_TEST_FAULT_STACK`` may name the JSON record of such a
stack that is already running (``Deployed.to_json()``), kept after the run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lib.playbook import REPO
from tests.lib.stack import Deployed, LiteLLMProxy, deploy_stack, remove_stack

STACK_ENV = "LLMOPS_TEST_FAULT_STACK"
RESULTS = REPO / ".cache" / "fault-matrix"
NOWHERE = "http://127.0.0.1:9"  # nothing chats in this tier: the upstream of upstream-echo is never called


def warm_up(stack: Deployed) -> None:
    """Create and delete a team once: LiteLLM adds its own ``default_user_id`` user on the first team the master
    key creates, which is LiteLLM's doing, not an object a cell touched."""
    proxy = LiteLLMProxy(stack.url, stack.master_key, None)  # type: ignore[arg-type]
    team = proxy.api("POST", "/team/new", json={"team_alias": "fault-matrix-warm-up"})
    team.raise_for_status()
    proxy.api("POST", "/team/delete", json={"team_ids": [team.json()["team_id"]]}).raise_for_status()


@pytest.fixture(scope="session")
def fault_stack() -> Iterator[Deployed]:
    record = os.environ.get(STACK_ENV)
    if record:
        deployed = Deployed.from_json(Path(record).read_text())
        warm_up(deployed)
        yield deployed
        return
    deployed = deploy_stack(NOWHERE)
    try:
        warm_up(deployed)
        yield deployed
    finally:
        remove_stack(deployed)


@pytest.fixture(scope="session")
def matrix() -> Iterator[list[dict[str, Any]]]:
    """The cells of this run; written as JSON and as a Markdown table at the end."""
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    yield rows
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "last-run.json").write_text(json.dumps(
        {"seconds": round(time.monotonic() - started, 1), "cells": rows}, indent=1))
    lines = ["| target | fault | where it hit | first run | runs to converge | objects | writes seen | converged | s |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += ["| {target} | {fault} | {where} | {first} | {runs} | {objects} | {writes} | {converged} | {seconds} |"
              .format(**row) for row in rows]
    lines.append("")
    lines.append("%d cells in %.0f s" % (len(rows), time.monotonic() - started))
    (RESULTS / "last-run.md").write_text("\n".join(lines) + "\n")
