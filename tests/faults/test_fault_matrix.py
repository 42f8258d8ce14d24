"""The fault matrix: faults injected between the collection and the real LiteLLM, then the same run again.

Every cell runs a target under one fault, then the same target again without it, and asserts that it converged:
the run after the fault succeeds, the one after it changes nothing, every declared object exists once (no
duplicate, none lost), every virtual key's key file holds the value of the live key and no key value changed
across the runs, and no object outside the document was touched (everything LiteLLM lists that the target does
not declare is byte-for-byte what it was before the cell).

Targets: ``gateway_state`` applying a document of mixed kinds (bench/gateway_state.py's mix: budgets,
credentials, models, teams, users, virtual keys with key files, customers), and the same objects as one playbook
of module tasks (one module run per object, keys with ``key_file``). Faults come from tests/lib/fault_proxy.py
on loopback (refused, reset, 500/502/503, a 30 s stall under a 5 s ``timeout``, an answer lost after LiteLLM
committed the write), from PostgreSQL restarted under LiteLLM, and from SIGKILL of the ``ansible-playbook``
process group at seeded random requests of a 300-object apply and of module runs.

Opt-in (``make fault-matrix``): minutes, and its own LiteLLM stack (tests/faults/conftest.py). The matrix of the
last run is written to .cache/fault-matrix/ and kept in docs/fault-matrix.md.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from bench.gateway_state import MODULES, document
from tests.lib.fault_proxy import FaultProxy, Rule
from tests.lib.playbook import PlaybookResult, run_playbook
from tests.lib.stack import Deployed

pytestmark = pytest.mark.skipif(os.environ.get("LLMOPS_TEST_FAULTS") != "1",
                                reason="opt-in tier: make fault-matrix (LLMOPS_TEST_FAULTS=1); its own LiteLLM stack")

SEED = int(os.environ.get("LLMOPS_FAULT_SEED", "20261206"))
TIMEOUT, STALL_TIMEOUT = 30, 10  # the modules' timeout: the default, and in the stall cells lower than the stall
SMALL, LARGE = 30, 300  # objects in a gateway_state cell, and in the SIGKILL cell

# kind: (list path, items key or None for a bare list, page size parameter or None, natural key, id)
LISTS = {
    "budgets": ("/budget/list", None, None, "budget_id", "budget_id"),
    "credentials": ("/credentials", "credentials", None, "credential_name", "credential_name"),
    "models": ("/v2/model/info", "data", "size", "model_name", "model_info.id"),
    "teams": ("/v2/team/list", "teams", "page_size", "team_alias", "team_id"),
    "users": ("/user/list", "users", "page_size", "user_email", "user_id"),
    "virtual_keys": ("/key/list", "keys", "size", "key_alias", "token"),
    "customers": ("/customer/list", None, None, "user_id", "user_id"),
}
SORT = {"teams": "team_id", "users": "user_id", "virtual_keys": "token"}
QUERY = {"virtual_keys": {"return_full_object": "true"}}


def dig(obj: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        obj = (obj or {}).get(part)
    return obj


def key_file_name(alias: str) -> str:
    """As gateway_state names a key's file in key_dir (gateway/document.py)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in alias)


class Live:
    """LiteLLM's lists, read with the master key straight from LiteLLM (not through the fault proxy)."""

    def __init__(self, stack: Deployed) -> None:
        self.url = stack.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + stack.master_key

    def get(self, path: str, params: dict[str, Any]) -> Any:
        answer = self.session.get(self.url + path, params=params, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def read(self) -> dict[str, list[dict[str, Any]]]:
        live = {}
        for kind, (path, items, size, _key, _id) in LISTS.items():
            found, page, pages = [], 1, 1
            while page <= pages:
                params = dict(QUERY.get(kind, {}))
                if size:
                    params.update({"page": page, size: 100})
                    if kind in SORT:
                        params.update(sort_by=SORT[kind], sort_order="asc")
                answer = self.get(path, params)
                found += answer if items is None else answer[items]
                pages = (answer.get("total_pages") or 1) if size else 1
                page += 1
            live[kind] = found
        return live

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.session.get(self.url + "/health/readiness", timeout=10).json().get("db") == "connected":
                    self.get("/team/list", {})
                    return
            except (requests.RequestException, ValueError):
                pass
            assert time.monotonic() < deadline, "LiteLLM did not get its database back"
            time.sleep(1)


def outside(live: dict[str, list[dict[str, Any]]], prefix: str) -> dict[str, dict[str, str]]:
    """What LiteLLM lists that does not carry ``prefix``: {kind: {id: the object as JSON}}. LiteLLM's own
    ``default_user_id`` (the master key's user) is compared without its ``teams``: LiteLLM adds to it every team
    the master key creates, and ``updated_at`` with it."""
    result = {}
    for kind, objects in live.items():
        key, ident = LISTS[kind][3], LISTS[kind][4]
        result[kind] = {}
        for obj in objects:
            if str(obj.get(key) or "").startswith(prefix):
                continue
            if kind == "users" and obj["user_id"] == "default_user_id":
                obj = {k: v for k, v in obj.items() if k not in ("teams", "updated_at")}
            result[kind][str(dig(obj, ident))] = json.dumps(obj, sort_keys=True, default=str)
    return result


@dataclasses.dataclass
class Cell:
    """One cell: a target (objects of one prefix, key files in ``key_dir``), and what was seen of it so far."""

    stack: Deployed
    target: str
    doc: dict[str, list[dict[str, Any]]]
    prefix: str
    key_dir: Path
    proxy: FaultProxy
    live: Live
    tokens: dict[str, str] = dataclasses.field(default_factory=dict)
    results: list[PlaybookResult] = dataclasses.field(default_factory=list)
    process: subprocess.Popen | None = None
    converged_live: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    timeout: float = TIMEOUT

    @property
    def objects(self) -> int:
        return sum(len(v) for v in self.doc.values())

    def play(self) -> list[dict[str, Any]]:
        defaults = {"api_url": self.proxy.url, "timeout": self.timeout}
        if self.target == "gateway_state":
            tasks = [{"name": "apply", "llmops.litellm.gateway_state": {
                "document": self.doc, "key_dir": str(self.key_dir), "workers": 8}}]
        else:
            tasks = []
            for kind, objects in self.doc.items():
                for obj in objects:
                    options = dict(obj)
                    if kind == "virtual_keys":
                        options["key_file"] = str(self.key_dir / key_file_name(obj["key_alias"]))
                    tasks.append({"name": "%s %s" % (kind, obj[LISTS[kind][3]]),
                                  "llmops.litellm.%s" % MODULES[kind]: options})
        return [{"name": "fault matrix", "hosts": "localhost", "gather_facts": False,
                 "module_defaults": {"group/llmops.litellm.litellm": defaults}, "tasks": tasks}]

    def run(self) -> PlaybookResult:
        def started(process: subprocess.Popen) -> None:
            self.process = process
        result = run_playbook(self.play(), env={"LITELLM_PROXY_API_KEY": self.stack.master_key}, started=started,
                              timeout=1800)
        self.results.append(result)
        return result

    def kill(self) -> None:
        """SIGKILL the running ansible-playbook and every process under it. Its process group is not enough:
        ansible-core's workers (which run the modules) call setsid(), and would go on applying as orphans."""
        assert self.process is not None
        try:
            tree = psutil.Process(self.process.pid)
            processes = [tree] + tree.children(recursive=True)
        except psutil.NoSuchProcess:
            return  # killed already
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)

    def check(self, before: dict[str, dict[str, str]]) -> None:
        """The invariants that hold at any time after a run, finished or not, for whatever exists."""
        live = self.live.read()
        for kind, objects in live.items():
            key = LISTS[kind][3]
            names = collections.Counter(o.get(key) for o in objects if str(o.get(key) or "").startswith(self.prefix))
            twice = sorted(n for n, count in names.items() if count > 1)
            assert not twice, "%s declared once exist more than once: %s" % (kind, twice)
            declared = set(o[key] for o in self.doc.get(kind, []))
            assert set(names) <= declared, "%s not declared exist: %s" % (kind, sorted(set(names) - declared))
        assert outside(live, self.prefix) == before, "an object outside the document changed"
        for key in live["virtual_keys"]:
            alias = key.get("key_alias") or ""
            if not alias.startswith(self.prefix):
                continue
            assert self.tokens.setdefault(alias, key["token"]) == key["token"], "the value of key %s changed" % alias
            kept = self.key_dir / key_file_name(alias)
            assert kept.exists(), "key %s exists but its key file does not" % alias
            assert hashlib.sha256(kept.read_text().strip().encode()).hexdigest() == key["token"], (
                "the key file of %s holds another value than the live key" % alias)
        self.converged_live = live

    def converged(self) -> None:
        """Every object declared present exists (once: check() saw to that), none declared absent does, and the key
        files of deleted keys are gone."""
        live = self.converged_live
        for kind, objects in self.doc.items():
            key = LISTS[kind][3]
            names = set(o.get(key) for o in live[kind])
            lost = sorted(o[key] for o in objects if o.get("state") != "absent" and o[key] not in names)
            assert not lost, "declared %s missing after the run: %s" % (kind, lost)
            kept = sorted(o[key] for o in objects if o.get("state") == "absent" and o[key] in names)
            assert not kept, "%s declared absent still exist: %s" % (kind, kept)
        for obj in self.doc.get("virtual_keys", []):
            if obj.get("state") == "absent":
                assert not (self.key_dir / key_file_name(obj["key_alias"])).exists(), "a deleted key kept its file"


@pytest.fixture
def new_cell(fault_stack: Deployed, tmp_path: Path):
    made: list[FaultProxy] = []
    live = Live(fault_stack)

    def make(target: str, size: int) -> Cell:
        prefix = "fm-%s-" % uuid.uuid4().hex[:8]
        key_dir = tmp_path / prefix
        key_dir.mkdir()
        proxy = FaultProxy(fault_stack.url).start()
        made.append(proxy)
        doc = document(prefix, size)
        return Cell(fault_stack, target, doc, prefix, key_dir, proxy, live)
    yield make
    for proxy in made:
        proxy.stop()


def first_outcome(result: PlaybookResult) -> str:
    if result.rc == -signal.SIGKILL:
        return "killed"
    if result.rc == 0:
        return "ok"
    failed = [h.get("msg") or "" for p in result.plays for t in p["tasks"] for h in t["hosts"].values()
              if h.get("failed")]
    reason = failed[0].replace("|", "/").replace("\n", " ")[:160] if failed else "no task result"
    return "failed (%d task%s: %s)" % (len(failed), "" if len(failed) == 1 else "s", reason)


def converge(cell: Cell, matrix: list[dict[str, Any]], fault: str, faulted: Callable[[], list[PlaybookResult]]) -> None:
    """Run ``faulted`` (the runs under the fault), then the same target without faults until it succeeds (at most
    twice) and once more, which must change nothing; check the invariants after every run; add the cell's row."""
    started = time.monotonic()
    before = outside(cell.live.read(), cell.prefix)
    row = dict(target=cell.target, fault=fault, objects=cell.objects, converged="no", runs="-", where="-",
               first="-", writes="-", seconds="-")
    matrix.append(row)
    runs = faulted()
    row["first"] = ", ".join(first_outcome(r) for r in runs)
    fired = cell.proxy.fired
    row["where"] = "%d hit: %s" % (len(fired), "; ".join(sorted(set("%s %s" % (m, p) for _f, m, p in fired))))
    assert fired, "the fault never hit"
    cell.proxy.clear()
    cell.proxy.wait_idle()
    cell.live.wait_ready()
    cell.check(before)
    again = cell.run()
    retried = 0
    while again.rc != 0 and retried < 1:
        retried += 1
        cell.check(before)
        again = cell.run()
    assert again.rc == 0, "the run after the fault failed:\n%s" % again.stdout[-3000:]
    cell.check(before)
    cell.converged()
    noop = cell.run()
    assert noop.rc == 0 and not noop.changed, "the run after convergence changed something:\n%s" % noop.stdout[-3000:]
    cell.check(before)
    row.update(converged="yes", runs=len(runs) + retried + 1, writes=len(cell.proxy.writes()),
               seconds=round(time.monotonic() - started))


# --- the HTTP faults -------------------------------------------------------------------------------------------

HTTP_FAULTS = {
    "connection refused (10 s)": dict(fault="refuse", seconds=10),
    "reset before forwarding": dict(fault="reset"),
    "HTTP 500 once": dict(fault="status", status=500),
    "HTTP 502 x4": dict(fault="status", status=502, times=4),
    "HTTP 503 x4": dict(fault="status", status=503, times=4),
    "stall 30 s, timeout 10 s": dict(fault="stall", seconds=30),
    "answer lost after commit": dict(fault="lost"),
}


@pytest.mark.parametrize("fault", list(HTTP_FAULTS))
@pytest.mark.parametrize("target", ["gateway_state", "modules"])
def test_http_fault(new_cell, matrix, target: str, fault: str) -> None:
    """The fault at a seeded random write of a gateway_state apply, and at /key/generate of module runs (the key
    value is ours: written to key_file before LiteLLM sees it)."""
    cell = new_cell(target, SMALL if target == "gateway_state" else 10)
    rng = random.Random("%s %s %s" % (SEED, target, fault))
    if target == "gateway_state":
        rule = Rule(method="WRITE", nth=rng.randint(1, SMALL - 2), **HTTP_FAULTS[fault])
    else:
        rule = Rule(method="POST", path="^/key/generate$", **HTTP_FAULTS[fault])
    cell.timeout = STALL_TIMEOUT if rule.fault == "stall" else TIMEOUT
    cell.proxy.add(rule)
    converge(cell, matrix, fault, lambda: [cell.run()])


# --- PostgreSQL restarted under LiteLLM --------------------------------------------------------------------------

def restart_postgres(stack: Deployed) -> None:
    """Stop LiteLLM's PostgreSQL (fast: connections cut) and start it again, as proxy_local runs it."""
    base = [sys.executable, str(stack.workdir / "lib" / "litellm_pg.py")]
    args = ["--data=%s" % (stack.workdir / "data" / "postgresql"),
            "--port=%s" % stack.role_vars["proxy_local_postgres_port"], "--database=litellm",
            "--password-file=%s" % (stack.workdir / "secrets" / "postgres_password"),
            "--system-user=llmops-postgres", "--log=%s" % (stack.workdir / "log" / "postgresql.log")]
    subprocess.run(base + ["stop"] + args, check=True, capture_output=True, timeout=120)
    time.sleep(2)
    subprocess.run(base + ["ensure"] + args, check=True, capture_output=True, timeout=120)


@pytest.mark.parametrize("target", ["gateway_state", "modules"])
def test_postgres_restart(new_cell, matrix, fault_stack: Deployed, target: str) -> None:
    """PostgreSQL restarted while the run writes: the restart starts at a seeded random write, which then goes on
    to LiteLLM at once, as do the writes after it while the database is down."""
    cell = new_cell(target, SMALL if target == "gateway_state" else 10)
    rng = random.Random("%s %s postgres" % (SEED, target))
    restart = threading.Thread(target=restart_postgres, args=(fault_stack,))
    cell.proxy.add(Rule(fault="call", method="WRITE", nth=rng.randint(1, cell.objects // 2), action=restart.start))

    def faulted() -> list[PlaybookResult]:
        result = cell.run()
        restart.join()
        return [result]
    converge(cell, matrix, "PostgreSQL restart", faulted)


# --- SIGKILL of ansible-playbook ---------------------------------------------------------------------------------

def kill_points(rng: random.Random, requests_in_all: int, kills: int) -> list[tuple[int, bool]]:
    """One point per run: a request number of that run (in the first 1/kills of a whole run's requests, so that
    the runs move on a little each), killed before or after the request reached LiteLLM."""
    return [(rng.randint(1, max(1, requests_in_all // kills)), rng.random() < 0.5) for _kill in range(kills)]


def killed_runs(cell: Cell, points: list[tuple[int, bool]], method: str = "*", path: str = "") -> list[PlaybookResult]:
    """One run per point, killed at its nth matching request (counted in that run), until a run is not killed."""
    runs = []
    for nth, after in points:
        cell.proxy.clear()
        cell.proxy.add(Rule(fault="call", method=method, path=path, nth=nth, action=cell.kill, after=after,
                            forward=after))
        result = cell.run()
        runs.append(result)
        cell.proxy.wait_idle()
        if result.rc != -signal.SIGKILL:
            break
    return runs


@pytest.mark.parametrize("target, size, kills, method, expected", [
    ("gateway_state", LARGE, 5, "WRITE", LARGE),  # its reads come first: kill points among its writes
    ("modules", 10, 5, "*", 60),  # about 6 requests per module run
])
def test_sigkill(new_cell, matrix, target: str, size: int, kills: int, method: str, expected: int) -> None:
    """ansible-playbook's process group SIGKILLed at seeded random requests (before or after the request reached
    LiteLLM), run again after each kill."""
    cell = new_cell(target, size)
    rng = random.Random("%s %s sigkill" % (SEED, target))
    points = kill_points(rng, expected, kills)
    converge(cell, matrix, "SIGKILL x%d, at %s %s of successive runs" % (
        kills, "write" if method == "WRITE" else "request",
        ", ".join("%d%s" % (n, " (after)" if after else "") for n, after in points)),
        lambda: killed_runs(cell, points, method=method))


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
def test_sigkill_key_generate(new_cell, matrix, after: bool) -> None:
    """The crash-safe key protocol: SIGKILL when /key/generate of module runs is about to reach LiteLLM (the key
    file is written, the key not created), and once LiteLLM created the key (its answer never read)."""
    cell = new_cell("modules", 10)
    converge(cell, matrix, "SIGKILL %s /key/generate reached LiteLLM" % ("after" if after else "before"),
             lambda: killed_runs(cell, [(1, after)], method="POST", path="^/key/generate$"))


def changed_document(prefix: str, size: int) -> dict[str, list[dict[str, Any]]]:
    """The document of ``size`` objects with a tenth of them changed, and its last user, key and customer absent."""
    doc = document(prefix, size, changed=size // 10)
    for kind, key in (("users", "user_email"), ("virtual_keys", "key_alias"), ("customers", "user_id")):
        doc[kind][-1] = {key: doc[kind][-1][key], "state": "absent"}
    return doc


@pytest.mark.parametrize("fault", ["reset before forwarding", "HTTP 503 x4", "stall 30 s, timeout 10 s",
                                   "answer lost after commit"])
def test_http_fault_on_change(new_cell, matrix, fault: str) -> None:
    """The fault at a seeded random write of a gateway_state apply that updates and deletes: the document applied
    first, then changed (a tenth of it updated, a user, a key and a customer declared absent) and applied under
    the fault."""
    cell = new_cell("gateway_state", SMALL)
    assert cell.run().rc == 0
    cell.doc = changed_document(cell.prefix, SMALL)
    rng = random.Random("%s change %s" % (SEED, fault))
    cell.proxy.reset()
    rule = Rule(method="WRITE", nth=rng.randint(1, 5), **HTTP_FAULTS[fault])
    cell.timeout = STALL_TIMEOUT if rule.fault == "stall" else TIMEOUT
    cell.proxy.add(rule)
    converge(cell, matrix, fault + " (update, delete)", lambda: [cell.run()])
