"""Benchmark (not a test): gateway_state against a playbook looping the per-object modules and the raw HTTP floor.

One run, side by side on the same LiteLLM proxy, for each N (mixed objects: budgets, credentials, models, teams,
users, virtual keys, customers) and each phase (create, no-op, drift check, update of 10%, delete):

  (a) loop   ansible-playbook with one task per kind looping the object modules (llmops.litellm.team, ...), the
             objects spread over as many local hosts as the others' concurrency, with as many forks
  (b) state  ansible-playbook with one llmops.litellm.gateway_state task reading the document file (as
             playbooks/reconcile.yml and drift.yml do)
  (s) skip   as (b), with ``invalid: skip`` and, beside the N objects, 3 invalid ones (a team without a name, a team
             with a misread budget_duration, a model whose api_base is not a URL) and 2 keys waiting (one of the
             invalid team, one of a team that exists nowhere): each run must hold exactly those 5 back
  (c) raw    a plain Python HTTP loop (requests, ThreadPoolExecutor with the same concurrency) sending the same
             writes; for no-op and drift check, the list reads that a comparison needs at least

Every contender talks to LiteLLM through tests/lib/recording_proxy.py, which counts the requests that reach
LiteLLM. Each contender has its own unique name prefix; everything is deleted by the delete phase (and again by a
cleanup at the end, whatever happened). Prints a table per N: wall time, ratio to the raw floor, requests (writes).

    .venv/bin/python bench/gateway_state.py --n 100 1000 [--contenders raw,state,loop] [--workers 8]
      [--json results.json]

The proxy comes from /tmp/llmops-dev-proxy.json or LITELLM_PROXY_URL / LITELLM_PROXY_API_KEY.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.lib.playbook import ansible_env  # noqa: E402
from tests.lib.recording_proxy import RecordingProxy  # noqa: E402

PHASES = ("create", "no-op", "drift check", "update 10%", "delete")
# Per 10 objects: which kinds, in creation order (a model names its credential, a key its team, a customer its
# budget).
MIX = (("budgets", 1), ("credentials", 1), ("models", 2), ("teams", 2), ("users", 2), ("virtual_keys", 1),
       ("customers", 1))
MODULES = {"budgets": "budget", "credentials": "credential", "models": "model", "teams": "team", "users": "user",
           "virtual_keys": "virtual_key", "customers": "customer"}
# The options the loop playbook passes per kind (the same the document uses).
OPTIONS = {
    "budgets": ("budget_id", "max_budget"),
    "credentials": ("credential_name", "credential_values", "credential_info", "update_secrets"),
    "models": ("model_name", "litellm_params"),
    "teams": ("team_alias", "max_budget"),
    "users": ("user_email", "max_budget"),
    "virtual_keys": ("key_alias", "team_alias", "max_budget"),
    "customers": ("user_id", "budget_id", "alias"),
}


# --- the objects -------------------------------------------------------------------------------------------------

def document(prefix: str, n: int, changed: int = 0) -> dict[str, list[dict[str, Any]]]:
    """N mixed objects named with ``prefix``; the first ``changed`` of them (spread over kinds) changed."""
    counts = dict((kind, n * share // 10) for kind, share in MIX)
    counts["users"] += n - sum(counts.values())
    doc: dict[str, list[dict[str, Any]]] = dict((kind, []) for kind, _share in MIX)
    every = max(1, n // changed) if changed else 0
    seen = 0
    for kind, _share in MIX:
        for i in range(counts[kind]):
            bump = bool(every) and seen % every == 0
            seen += 1
            doc[kind].append(make(kind, prefix, i, counts, bump))
    return doc


def make(kind: str, prefix: str, i: int, counts: dict[str, int], bump: bool) -> dict[str, Any]:
    budget = 10.0 + i + (1 if bump else 0)
    if kind == "budgets":
        return {"budget_id": f"{prefix}budget-{i}", "max_budget": budget}
    if kind == "credentials":
        return {"credential_name": f"{prefix}cred-{i}", "credential_values": {"api_key": "sk-bench-upstream"},
                "credential_info": {"tier": "b" if bump else "a"}, "update_secrets": "on_create"}
    if kind == "models":
        return {"model_name": f"{prefix}model-{i}", "litellm_params": {
            "model": "openai/gpt-4o", "mock_response": "hi", "rpm": 100 + (1 if bump else 0),
            "litellm_credential_name": f"{prefix}cred-{i % max(1, counts['credentials'])}"}}
    if kind == "teams":
        return {"team_alias": f"{prefix}team-{i}", "max_budget": budget}
    if kind == "users":
        return {"user_email": f"{prefix}user-{i}@example.com", "max_budget": budget}
    if kind == "virtual_keys":
        return {"key_alias": f"{prefix}key-{i}", "team_alias": f"{prefix}team-{i % max(1, counts['teams'])}",
                "max_budget": budget}
    return {"user_id": f"{prefix}cust-{i}", "budget_id": f"{prefix}budget-{i % max(1, counts['budgets'])}",
            "alias": f"customer {i}{' v2' if bump else ''}"}


def absent(doc: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The same objects with state=absent (only what finds them)."""
    keys = {"budgets": "budget_id", "credentials": "credential_name", "models": "model_name", "teams": "team_alias",
            "users": "user_email", "virtual_keys": "key_alias", "customers": "user_id"}
    found = dict((kind, [{keys[kind]: o[keys[kind]], "state": "absent"} for o in objects])
                 for kind, objects in doc.items())
    for model, declared in zip(found["models"], doc["models"]):
        model["litellm_params"] = {"model": declared["litellm_params"]["model"]}
    return found


def changed_count(n: int) -> int:
    return max(1, n // 10)


# --- contenders --------------------------------------------------------------------------------------------------

def task_seconds(duration: dict[str, str]) -> float:
    """Seconds between the json callback's start and end of a task."""
    start, end = (datetime.datetime.fromisoformat(duration[k].replace("Z", "+00:00")) for k in ("start", "end"))
    return (end - start).total_seconds()


class Contender:
    """Runs one phase; ``run`` returns the seconds of the work itself when they differ from the wall time (the
    tasks of a playbook, without ansible-playbook's start), else None."""

    name = ""

    def __init__(self, url: str, key: str, workers: int, workdir: Path) -> None:
        self.url, self.key, self.workers, self.workdir = url, key, workers, workdir
        self.keydir = workdir / "keys"
        self.keydir.mkdir(parents=True, exist_ok=True)

    def run(self, phase: str, doc: dict[str, Any]) -> float | None:
        raise NotImplementedError


class Playbook(Contender):
    """Runs ansible-playbook; the play is written by ``plays``."""

    def play(self, doc: dict[str, Any], check: bool) -> float:
        """Run the play; returns the seconds its tasks took (the json callback's durations, without the
        ansible-playbook start)."""
        path = self.workdir / f"{self.name}.yml"
        path.write_text(yaml.safe_dump(self.plays(doc), sort_keys=False))
        inventory = self.workdir / f"{self.name}-inventory.yml"
        inventory.write_text(yaml.safe_dump(self.inventory(doc), sort_keys=False))
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(path)]
        if check:
            cmd.append("--check")
        env = ansible_env({"ANSIBLE_FORKS": str(self.workers)})
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{self.name}: ansible-playbook failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
        plays = json.loads(proc.stdout[proc.stdout.index("{"):])["plays"]
        self.last_plays = plays
        return sum(task_seconds(t["task"]["duration"]) for play in plays for t in play["tasks"])

    def inventory(self, doc: dict[str, Any]) -> dict[str, Any]:
        """One local host (the play runs on localhost)."""
        return {"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}}

    def defaults(self) -> dict[str, Any]:
        return {"group/llmops.litellm.litellm": {"api_url": self.url, "api_key": self.key}}

    def run(self, phase: str, doc: dict[str, Any]) -> float:
        return self.play(doc, check=phase == "drift check")

    def plays(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError


class Loop(Playbook):
    """A task per kind looping its module, on ``workers`` local hosts each taking every workers-th object, with as
    many forks: the same concurrency as the others (the tasks run in kind order, each on all hosts at once)."""

    name = "loop"

    def inventory(self, doc: dict[str, Any]) -> dict[str, Any]:
        return {"all": {"hosts": dict(
            (f"w{i}", {"ansible_connection": "local",
                       "objects": dict((kind, objects[i::self.workers]) for kind, objects in doc.items())})
            for i in range(self.workers))}}

    def plays(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        tasks = []
        kinds = [k for k, _s in MIX]
        if any(o.get("state") == "absent" for objects in doc.values() for o in objects):
            kinds.reverse()
        for kind in kinds:
            options = dict((o, "{{ item.%s | default(omit) }}" % o) for o in OPTIONS[kind] + ("state",))
            if kind == "virtual_keys":
                options["key_file"] = str(self.keydir) + "/{{ item.key_alias }}"
            tasks.append({"name": kind, f"llmops.litellm.{MODULES[kind]}": options, "loop": "{{ objects.%s }}" % kind,
                          "loop_control": {"label": "{{ item | dict2items | first }}"}, "no_log": False})
        return [{"name": "loop", "hosts": "all", "gather_facts": False, "module_defaults": self.defaults(),
                 "tasks": tasks}]


class State(Playbook):
    name = "state"

    def plays(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        # As playbooks/reconcile.yml and drift.yml take it: document files, read by the module itself.
        path = self.workdir / "gateway.yml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        task = {"name": "gateway", "llmops.litellm.gateway_state": {
            "files": [str(path)], "key_dir": str(self.keydir), "workers": self.workers}}
        return [{"name": "state", "hosts": "localhost", "gather_facts": False, "module_defaults": self.defaults(),
                 "tasks": [task]}]


class Skip(State):
    """gateway_state with ``invalid: skip``, the N objects and 5 held back (3 invalid, 2 waiting on them)."""

    name = "skip"

    def plays(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        prefix = doc["teams"][0]["team_alias"].rsplit("team-", 1)[0]
        held = dict((kind, list(objects)) for kind, objects in doc.items())
        held["teams"] += [{"max_budget": 1}, {"team_alias": prefix + "bad-team", "budget_duration": "30 days"}]
        bad_params = {"model": "openai/gpt-4o", "api_base": "not-a-url"}
        held["models"] += [{"model_name": prefix + "bad-model", "litellm_params": bad_params}]
        held["virtual_keys"] += [{"key_alias": prefix + "key-of-bad-team", "team_alias": prefix + "bad-team"},
                                 {"key_alias": prefix + "key-of-ghost", "team_alias": prefix + "ghost-team"}]
        plays = super().plays(held)
        plays[0]["tasks"][0]["llmops.litellm.gateway_state"]["invalid"] = "skip"
        return plays

    def run(self, phase: str, doc: dict[str, Any]) -> float:
        seconds = super().run(phase, doc)
        result = self.last_plays[0]["tasks"][0]["hosts"]["localhost"]
        statuses = [o.get("status") for o in result["objects"] if "where" in o]
        if (statuses.count("invalid"), statuses.count("waiting")) != (3, 2):
            raise RuntimeError(f"skip: held back {statuses.count('invalid')} invalid and "
                               f"{statuses.count('waiting')} waiting objects, not 3 and 2")
        return seconds


class Raw(Contender):
    """The floor: the writes alone (ids remembered from the creates), or the list reads alone."""

    last: dict[str, Any]

    name = "raw"
    LISTS = (("/budget/list", None), ("/credentials", None), ("/v2/model/info", "size"), ("/v2/team/list", "page_size"),
             ("/user/list", "page_size"), ("/key/list", "size"), ("/customer/list", None))

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.ids: dict[tuple[str, str], str] = {}
        self.local = __import__("threading").local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.local.session.headers["Authorization"] = f"Bearer {self.key}"
        return self.local.session

    def call(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        answer = self.session().request(method, self.url + path, json=body, params=params, timeout=300)
        if answer.status_code >= 400:
            raise RuntimeError(f"raw: {method} {path} -> {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else None

    def each(self, work: list[Callable[[], None]]) -> None:
        with ThreadPoolExecutor(self.workers) as pool:
            list(pool.map(lambda f: f(), work))

    def run(self, phase: str, doc: dict[str, Any]) -> float | None:
        if phase in ("no-op", "drift check"):
            self.read_lists()
            return None
        kinds = [k for k, _s in MIX]
        for kind in reversed(kinds) if phase == "delete" else kinds:
            objects = doc[kind]
            if phase == "update 10%":
                objects = [o for o, old in zip(objects, self.last[kind]) if o != old]
            self.each([lambda o=o, k=kind: getattr(self, phase.split()[0])(k, o) for o in objects])
        self.last = doc
        return None

    def read_lists(self) -> None:
        def read(path: str, size: str | None) -> None:
            page = 1
            while True:
                answer = self.call("GET", path, params={"page": page, size: 100} if size else None)
                if not size or page >= (answer.get("total_pages") or 1):
                    return
                page += 1
        self.each([lambda p=p, s=s: read(p, s) for p, s in self.LISTS])

    def create(self, kind: str, o: dict[str, Any]) -> None:
        if kind == "budgets":
            self.call("POST", "/budget/new", o)
        elif kind == "credentials":
            self.call("POST", "/credentials", {k: o[k] for k in ("credential_name", "credential_values",
                                                                 "credential_info")})
        elif kind == "models":
            answer = self.call("POST", "/model/new", {"model_name": o["model_name"],
                                                      "litellm_params": o["litellm_params"], "model_info": {}})
            self.ids[("model", o["model_name"])] = answer["model_id"]
        elif kind == "teams":
            self.ids[("team", o["team_alias"])] = self.call("POST", "/team/new", o)["team_id"]
        elif kind == "users":
            answer = self.call("POST", "/user/new", dict(o, auto_create_key=False, send_invite_email=False))
            self.ids[("user", o["user_email"])] = answer["user_id"]
        elif kind == "virtual_keys":
            answer = self.call("POST", "/key/generate", {"key_alias": o["key_alias"], "max_budget": o["max_budget"],
                                                         "team_id": self.ids[("team", o["team_alias"])]})
            self.ids[("key", o["key_alias"])] = answer["token"]
        else:
            self.call("POST", "/customer/new", o)

    def update(self, kind: str, o: dict[str, Any]) -> None:
        if kind == "budgets":
            self.call("POST", "/budget/update", o)
        elif kind == "credentials":
            body = {"credential_name": o["credential_name"], "credential_info": o["credential_info"]}
            self.call("PATCH", f"/credentials/{o['credential_name']}", body)
        elif kind == "models":
            self.call("PATCH", f"/model/{self.ids[('model', o['model_name'])]}/update",
                      {"litellm_params": {"rpm": o["litellm_params"]["rpm"]}})
        elif kind == "teams":
            self.call("POST", "/team/update", {"team_id": self.ids[("team", o["team_alias"])],
                                               "max_budget": o["max_budget"]})
        elif kind == "users":
            self.call("POST", "/user/update", {"user_id": self.ids[("user", o["user_email"])],
                                               "max_budget": o["max_budget"]})
        elif kind == "virtual_keys":
            self.call("POST", "/key/update", {"key": self.ids[("key", o["key_alias"])], "max_budget": o["max_budget"]})
        else:
            self.call("POST", "/customer/update", {"user_id": o["user_id"], "alias": o["alias"]})

    def delete(self, kind: str, o: dict[str, Any]) -> None:
        if kind == "budgets":
            self.call("POST", "/budget/delete", {"id": o["budget_id"]})
        elif kind == "credentials":
            self.call("DELETE", f"/credentials/{o['credential_name']}")
        elif kind == "models":
            self.call("POST", "/model/delete", {"id": self.ids[("model", o["model_name"])]})
        elif kind == "teams":
            self.call("POST", "/team/delete", {"team_ids": [self.ids[("team", o["team_alias"])]]})
        elif kind == "users":
            self.call("POST", "/user/delete", {"user_ids": [self.ids[("user", o["user_email"])]]})
        elif kind == "virtual_keys":
            self.call("POST", "/key/delete", {"keys": [self.ids[("key", o["key_alias"])]]})
        else:
            self.call("POST", "/customer/delete", {"user_ids": [o["user_id"]]})


CONTENDERS = {"raw": Raw, "state": State, "skip": Skip, "loop": Loop}


# --- the run -----------------------------------------------------------------------------------------------------

def phase_documents(prefix: str, n: int) -> dict[str, dict[str, Any]]:
    base = document(prefix, n)
    changed = document(prefix, n, changed_count(n))
    return {"create": base, "no-op": base, "drift check": changed, "update 10%": changed, "delete": absent(changed)}


def measure(contender: Contender, recorder: RecordingProxy, n: int, prefix: str, results: dict[str, Any],
            deadline: float | None) -> None:
    docs = phase_documents(prefix, n)
    if isinstance(contender, Raw):
        contender.last = docs["create"]
    for phase in PHASES:
        if deadline and time.time() > deadline:
            print(f"  {contender.name} N={n} {phase}: not measured (deadline)", flush=True)
            continue
        recorder.reset()
        started = time.perf_counter()
        try:
            worked = contender.run(phase, docs[phase])
        except Exception as exc:  # a failed cell is reported, and the rest still runs
            print(f"  {contender.name} N={n} {phase}: FAILED {exc}", flush=True)
            results[phase] = {"error": str(exc)[:500]}
            continue
        seconds = time.perf_counter() - started
        seen = recorder.reset()
        writes = sum(1 for m, _p in seen if m in ("POST", "PUT", "PATCH", "DELETE"))
        tasks = worked if worked is not None else seconds
        results[phase] = {"seconds": round(seconds, 3), "tasks": round(tasks, 3), "requests": len(seen),
                          "writes": writes}
        print(f"  {contender.name} N={n} {phase}: {seconds:.2f} s (tasks {tasks:.2f} s), {len(seen)} requests "
              f"({writes} writes)", flush=True)


def cleanup(url: str, key: str, prefixes: list[str]) -> None:
    """Delete whatever a contender left behind (a failed phase), through the engine itself with prune."""
    kinds = [k for k, _s in MIX]
    for prefix in prefixes:
        play = [{"hosts": "localhost", "gather_facts": False, "tasks": [{"llmops.litellm.gateway_state": {
            "api_url": url, "api_key": key, "document": dict((k, []) for k in kinds),
            "scope": {"name_prefix": prefix}, "unmanaged": "prune"}}]}]
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
            yaml.safe_dump(play, handle)
        subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                        handle.name], env=ansible_env(json_output=False), capture_output=True, check=False)
        os.unlink(handle.name)


def table(results: dict[str, Any], n: int, contenders: list[str]) -> str:
    """Per contender: wall seconds (tasks' seconds), the ratio of each to the raw floor, requests (writes)."""
    lines = [f"N = {n}", "",
             "| phase | " + " | ".join(
                 f"{c}: wall s (tasks s) | {c}: ×raw wall (tasks) | {c}: requests (writes)" for c in contenders) + " |",
             "|---|" + "---|---|---|" * len(contenders)]
    for phase in PHASES:
        floor = results.get("raw", {}).get(phase, {}).get("seconds")
        cells = []
        for name in contenders:
            cell = results.get(name, {}).get(phase)
            if not cell or "seconds" not in cell:
                cells += ["not measured" if not cell else "failed", "", ""]
                continue
            ratio = f"{cell['seconds'] / floor:.2f} ({cell['tasks'] / floor:.2f})" if floor else ""
            cells += [f"{cell['seconds']:.2f} ({cell['tasks']:.2f})", ratio, f"{cell['requests']} ({cell['writes']})"]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--contenders", default="raw,state,loop")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--deadline", type=float, help="unix time after which no new cell is started")
    parser.add_argument("--skip", nargs="*", default=[], metavar="CONTENDER@N",
                        help="contenders not to run at one N (measured by an earlier run), e.g. loop@100")
    args = parser.parse_args()
    dev = Path("/tmp/llmops-dev-proxy.json")
    config = json.loads(dev.read_text()) if dev.exists() else {}
    url = os.environ.get("LITELLM_PROXY_URL") or config["url"]
    key = os.environ.get("LITELLM_PROXY_API_KEY") or config["master_key"]
    contenders = args.contenders.split(",")
    run = uuid.uuid4().hex[:6]
    everything: dict[str, Any] = {}
    prefixes = []
    with RecordingProxy(url) as recorder, tempfile.TemporaryDirectory(prefix="llmops-bench-") as tmp:
        try:
            for n in args.n:
                results: dict[str, Any] = {}
                everything[str(n)] = results
                for name in contenders:
                    if f"{name}@{n}" in args.skip:
                        continue
                    prefix = f"bench-{run}-{name}-{n}-"
                    prefixes.append(prefix)
                    contender = CONTENDERS[name](recorder.url, key, args.workers, Path(tmp) / f"{name}-{n}")
                    results[name] = {}
                    measure(contender, recorder, n, prefix, results[name], args.deadline)
                print(table(results, n, contenders), flush=True)
                if args.json:
                    args.json.write_text(json.dumps(everything, indent=1))
        finally:
            cleanup(url, key, prefixes)
    for n in args.n:
        print()
        print(table(everything.get(str(n), {}), n, contenders))


if __name__ == "__main__":
    main()
