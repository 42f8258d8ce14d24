"""The operator against one ansible-playbook run doing the same work, side by side (a benchmark, not a test).

1. Event-to-converged latency for one CR: create a LiteLLMTeam, time until its status says Ready (median of
   --repeat), on a running operator.
2. N CRs from scratch (N/2 LiteLLMTeams, N/2 LiteLLMVirtualKeys, each key referencing a team; with ``--mix
   teams-users``, N/2 LiteLLMUsers each in its team instead of the keys, which the operator reconciles in batches
   per instance): time until all are Ready, the ansible-runner runs it took, and the peak RSS of the operator
   process (and of its process tree, ansible runs included), sampled every 0.1 s.
3. The same objects made by one ``ansible-playbook`` run of the collection's modules (team, then virtual_key
   with a key_file per key; ``--mix teams-users``: one run of ``gateway_state`` on the same document): wall time and
   peak RSS of its process tree, sampled the same way.
4. One drift sweep of all N CRs: with ``max_budget`` changed through LiteLLM's API on 10 teams, drift checks are
   switched on (``configSync``, manual) and the time until every CR has been checked is measured, with the runs it
   took and the CRs it found drifted (those 10 exactly, at ``spec.maxBudget``); side by side, one
   ``ansible-playbook`` run of ``gateway_state`` in check mode on the same document (the table's
   ``document_from_crs`` of the same CRs).

The operator runs as ``python -m llmops_operator`` on the project's Kubernetes API emulator (tests/lib/kubeapi,
no cluster here) against the development proxy of /tmp/llmops-dev-proxy.json (or LITELLM_PROXY_URL /
LITELLM_PROXY_API_KEY). Everything it creates carries a unique prefix and is deleted through the API at the end.

    .venv/bin/python -m bench.operator_convergence [--n 100] [--repeat 3] [--workers 4] [--mix teams-users]

(Run it as a module, or with ``python -P``: as a script its folder would come first on sys.path and its name
would hide the standard library's ``operator``.)
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import kubernetes
import psutil
import requests
import yaml

from tests.lib.kubeapi.fixtures import kubeconfig
from tests.lib.kubeapi.server import ServerThread
from tests.lib.playbook import COLLECTIONS, ensure_collection_link

GROUP, VERSION = "litellm.llmops.dev", "v1alpha1"


class Sampler:
    """Peak RSS of a process and of its process tree, sampled in a thread."""

    def __init__(self, pid: int, period: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.period = period
        self.peak_own = self.peak_tree = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                own = self.process.memory_info().rss
                tree = own
                for child in self.process.children(recursive=True):
                    try:
                        tree += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.peak_own, self.peak_tree = max(self.peak_own, own), max(self.peak_tree, tree)
            time.sleep(self.period)


def proxy() -> tuple[str, str]:
    if os.environ.get("LITELLM_PROXY_URL"):
        return os.environ["LITELLM_PROXY_URL"].rstrip("/"), os.environ["LITELLM_PROXY_API_KEY"]
    dev = json.loads(Path("/tmp/llmops-dev-proxy.json").read_text())
    return dev["url"].rstrip("/"), dev["master_key"]


def wait(condition: Callable[[], bool], timeout: float, what: str, period: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(period)


class Bench:
    def __init__(self, url: str, key: str, workdir: Path, workers: int, repeat: int, mix: str = "teams-keys") -> None:
        self.url, self.key, self.workdir, self.workers = url, key, workdir, workers
        self.mix = mix
        self.users = 0  # users of each side to delete at the end (teams-users)
        self.latency_teams = repeat  # teams of the latency measurement, Ready before the bulk starts
        self.prefix = f"bench-op-{uuid.uuid4().hex[:6]}"
        self.namespace = self.prefix

    def scrub(self, text: str) -> str:
        """``text`` (a run's output, printed on failure) without the master key."""
        return text.replace(self.key, "********")

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, self.url + path, headers={"Authorization": f"Bearer {self.key}"}, timeout=60, **kwargs)

    # --- Kubernetes side ---------------------------------------------------------------------------------

    def setup_cluster(self, server_url: str) -> None:
        config = self.workdir / "kubeconfig"
        config.write_text(yaml.safe_dump(kubeconfig(server_url)))
        self.kubeconfig = config
        self.client = kubernetes.config.new_client_from_config(config_file=str(config))
        self.custom = kubernetes.client.CustomObjectsApi(self.client)
        core = kubernetes.client.CoreV1Api(self.client)
        extensions = kubernetes.client.ApiextensionsV1Api(self.client)
        for path in sorted((REPO / "crds").glob("litellm.llmops.dev_*.yaml")):
            extensions.create_custom_resource_definition(yaml.safe_load(path.read_text()))
        wait(self._served, 60, "the CRDs are served")
        core.create_namespace({"metadata": {"name": self.namespace}})
        core.create_namespaced_secret(self.namespace, {"metadata": {"name": "master"},
                                                       "data": {"key": base64.b64encode(self.key.encode()).decode()}})
        self.create("LiteLLMInstance", "gw", {"external": {"url": self.url, "masterKeySecretRef": {"name": "master", "key": "key"}},
                                              "configSync": {"enabled": False}})

    def _served(self) -> bool:
        try:
            self.custom.list_namespaced_custom_object(GROUP, VERSION, "default", "litellmvirtualkeys")
            return True
        except kubernetes.client.exceptions.ApiException:
            return False

    def create(self, kind: str, name: str, spec: dict[str, Any]) -> None:
        self.custom.create_namespaced_custom_object(GROUP, VERSION, self.namespace, kind.lower() + "s", {
            "apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": {"name": name}, "spec": spec})

    def ready(self, kind: str) -> int:
        items = self.custom.list_namespaced_custom_object(GROUP, VERSION, self.namespace, kind.lower() + "s")["items"]
        return sum(any(c["type"] == "Ready" and c["status"] == "True" and (i.get("status") or {}).get("observedGeneration") == i["metadata"]["generation"]
                       for c in (i.get("status") or {}).get("conditions", [])) for i in items)

    def start_operator(self) -> subprocess.Popen[bytes]:
        ensure_collection_link()
        watches = self.workdir / "watches.yaml"
        entries = [{**e, "playbook": str(REPO / e["playbook"])} for e in yaml.safe_load((REPO / "operator" / "watches.yaml").read_text())
                   if (REPO / e["playbook"]).exists()]
        watches.write_text(yaml.safe_dump(entries))
        # the operator's environment holds no secret (ansible-runner records it in each run's artifacts): no
        # variable holding the master key, whatever its name (LITELLM_PROXY_API_KEY, the tests' LLMOPS_TEST_PROXY_KEY)
        inherited = {k: v for k, v in os.environ.items() if self.key not in v}
        env = {**inherited, "KUBECONFIG": str(self.kubeconfig), "PYTHONPATH": str(REPO / "operator"),
               "WATCHES_FILE": str(watches), "WATCH_NAMESPACE": self.namespace,
               "LLMOPS_OPERATOR_RUNNER_DIR": str(self.workdir / "runner"), "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
               "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "MAX_CONCURRENT_RECONCILES": str(self.workers),
               "LLMOPS_OPERATOR_METRICS_PORT": "0", "DRIFT_CHECK_PERIOD": "1"}
        log = (self.workdir / "operator.log").open("wb")
        return subprocess.Popen([sys.executable, "-m", "llmops_operator", "--standalone"], cwd=REPO / "operator",
                                env=env, stdout=log, stderr=subprocess.STDOUT)

    # --- the measurements --------------------------------------------------------------------------------

    def latency(self, repeat: int) -> list[float]:
        times = []
        for index in range(repeat):
            name = f"lat-{index}"
            start = time.monotonic()
            self.create("LiteLLMTeam", name, {"instanceRef": {"name": "gw"}, "teamAlias": f"{self.prefix}-{name}"})
            wait(lambda count=index + 1: self.ready("LiteLLMTeam") == count, 300, f"team {name} Ready", period=0.02)
            times.append(time.monotonic() - start)
        return times

    @property
    def second(self) -> str:
        """The kind of the other half of the N CRs."""
        return "LiteLLMUser" if self.mix == "teams-users" else "LiteLLMVirtualKey"

    def operator_bulk(self, n: int, operator: subprocess.Popen[bytes]) -> tuple[float, Sampler]:
        teams = n // 2
        with Sampler(operator.pid) as sampler:
            start = time.monotonic()
            for index in range(teams):
                self.create("LiteLLMTeam", f"t{index}", {"instanceRef": {"name": "gw"}, "teamAlias": f"{self.prefix}-op-t{index}", "maxBudget": 10})
                if self.mix == "teams-users":
                    self.create("LiteLLMUser", f"u{index}", {
                        "instanceRef": {"name": "gw"}, "userId": f"{self.prefix}-op-u{index}",
                        "teamRefs": [{"name": f"t{index}"}], "maxBudget": 1})
                else:
                    self.create("LiteLLMVirtualKey", f"k{index}", {
                        "instanceRef": {"name": "gw"}, "keyAlias": f"{self.prefix}-op-k{index}",
                        "teamRef": {"name": f"t{index}"}, "maxBudget": 1})
            wait(lambda: self.ready("LiteLLMTeam") >= teams + self.latency_teams and self.ready(self.second) >= teams,
                 3600, f"{n} CRs Ready", period=0.5)
            elapsed = time.monotonic() - start
        return elapsed, sampler

    def runs(self) -> dict[str, int]:
        """ansible-runner runs so far, per folder of the runner directory (litellmteam ...: the artifacts each CR
        keeps) and batch (the operator's log: an instance keeps the artifacts of its last 5 batches only)."""
        root = self.workdir / "runner"
        found = {p.name: len(list(p.glob("*/*/artifacts/*/status"))) for p in sorted(root.iterdir()) if p.is_dir()} \
            if root.is_dir() else {}
        found["batch"] = (self.workdir / "operator.log").read_text(errors="replace").count("] batch run of ")
        return found

    def gateway_state_bulk(self, n: int) -> tuple[float, Sampler]:
        """The same teams and users in one ansible-playbook run of gateway_state (its own names)."""
        teams = n // 2
        # a user names its teams by id (as the operator's table writes them): the document gives the teams theirs
        document = {"teams": [{"team_alias": f"{self.prefix}-gs-t{i}", "team_id": f"{self.prefix}-gs-t{i}", "max_budget": 10}
                              for i in range(teams)],
                    "users": [{"user_id": f"{self.prefix}-gs-u{i}", "teams": [f"{self.prefix}-gs-t{i}"], "max_budget": 1}
                              for i in range(teams)]}
        (self.workdir / "bulk-document.yml").write_text(yaml.safe_dump(document))
        play = [{"name": "The same objects with gateway_state", "hosts": "localhost", "gather_facts": False, "tasks": [
            {"name": "Apply", "llmops.litellm.gateway_state": {"files": [str(self.workdir / "bulk-document.yml")]}}]}]
        playbook = self.workdir / "bulk-gateway-state.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False))
        env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
               "LITELLM_PROXY_URL": self.url, "LITELLM_PROXY_API_KEY": self.key}
        start = time.monotonic()
        process = subprocess.Popen([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                                    str(playbook)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        with Sampler(process.pid) as sampler:
            output = process.communicate()[0]
        elapsed = time.monotonic() - start
        if process.returncode != 0:
            raise SystemExit(f"ansible-playbook of gateway_state failed:\n{output.decode()[-3000:]}")
        return elapsed, sampler

    def playbook_bulk(self, n: int) -> tuple[float, Sampler]:
        teams = n // 2
        keys_dir = self.workdir / "keys"
        keys_dir.mkdir()
        play = [{"name": "The same objects with the collection's modules", "hosts": "localhost", "gather_facts": False,
                 # the master key reaches the modules by the environment (LITELLM_PROXY_API_KEY), never this file
                 "module_defaults": {"group/llmops.litellm.litellm": {"api_url": self.url}},
                 "tasks": [
                     {"name": "Teams", "llmops.litellm.team": {"team_alias": "{{ item }}", "max_budget": 10},
                      "loop": [f"{self.prefix}-pb-t{i}" for i in range(teams)], "register": "teams"},
                     {"name": "Keys", "llmops.litellm.virtual_key": {
                         "key_alias": "{{ item.0 }}", "team_id": "{{ item.1.team.team_id }}", "max_budget": 1,
                         "key_file": f"{keys_dir}/{{{{ item.0 }}}}"},
                      "loop": "{{ keys | zip(teams.results) | list }}",
                      "vars": {"keys": [f"{self.prefix}-pb-k{i}" for i in range(teams)]}},
                 ]}]
        playbook = self.workdir / "bulk.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False))
        env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
               "LITELLM_PROXY_API_KEY": self.key}
        start = time.monotonic()
        process = subprocess.Popen([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        with Sampler(process.pid) as sampler:
            output = process.communicate()[0]
        elapsed = time.monotonic() - start
        if process.returncode != 0:
            raise SystemExit(f"ansible-playbook failed:\n{self.scrub(output.decode())[-3000:]}")
        return elapsed, sampler

    def items(self, kind: str) -> list[dict[str, Any]]:
        found = self.custom.list_namespaced_custom_object(GROUP, VERSION, self.namespace, kind.lower() + "s")["items"]
        return [{**item, "kind": kind} for item in found]

    def operator_sweep(self, drifted: int) -> tuple[float, int, dict[str, list[dict[str, Any]]]]:
        """Change ``drifted`` teams through LiteLLM, switch drift checks on, time until every CR is checked."""
        teams = [t for t in self.items("LiteLLMTeam") if t["metadata"]["name"].startswith("t")]
        for team in teams[:drifted]:
            self.api("POST", "/team/update", json={"team_id": team["status"]["litellmId"], "max_budget": 99}).raise_for_status()
        kinds = ("LiteLLMTeam", self.second)
        start = time.monotonic()
        self.custom.patch_namespaced_custom_object(GROUP, VERSION, self.namespace, "litellminstances", "gw", {
            "spec": {"configSync": {"enabled": True, "interval": "1h", "conflictResolution": "manual"}}})
        wait(lambda: all((i.get("status") or {}).get("lastDriftCheckTime") for kind in kinds for i in self.items(kind)),
             3600, "every CR checked for drift", period=0.2)
        elapsed = time.monotonic() - start
        runs = self.workdir / "runner" / "drift" / self.namespace / "gw" / "artifacts"
        count = len([p for p in runs.iterdir() if p.is_dir() and not p.is_symlink()]) if runs.is_dir() else 0
        found = {i["metadata"]["name"]: i["status"]["drift"] for kind in kinds for i in self.items(kind)
                 if (i.get("status") or {}).get("drift")}
        return elapsed, count, found

    def playbook_check(self) -> float:
        """One ansible-playbook run of gateway_state in check mode on the document of the same CRs."""
        sys.path.insert(0, str(COLLECTIONS))
        from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import document_from_crs

        crs = self.items("LiteLLMTeam") + self.items(self.second)
        document, _index, problems = document_from_crs(crs)
        assert not problems, problems
        (self.workdir / "document.yml").write_text(yaml.safe_dump(document))
        play = [{"name": "Drift check", "hosts": "localhost", "gather_facts": False, "tasks": [
            {"name": "Check", "llmops.litellm.gateway_state": {"files": [str(self.workdir / "document.yml")]}}]}]
        playbook = self.workdir / "check.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False))
        env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
               "LITELLM_PROXY_URL": self.url, "LITELLM_PROXY_API_KEY": self.key}
        start = time.monotonic()
        done = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                               "--check", str(playbook)], env=env, capture_output=True, check=False)
        elapsed = time.monotonic() - start
        if done.returncode != 0:
            raise SystemExit(f"ansible-playbook failed:\n{self.scrub(done.stdout.decode())[-3000:]}")
        return elapsed

    def cleanup(self) -> None:
        """Delete what this run made in LiteLLM (its name prefix), whatever state it stopped in."""
        tokens, page, pages = [], 1, 1
        while page <= pages:
            found = self.api("GET", "/key/list", params={"return_full_object": "true", "size": 100, "page": page}).json()
            tokens += [k["token"] for k in found.get("keys", []) if str(k.get("key_alias") or "").startswith(self.prefix)]
            page, pages = page + 1, found.get("total_pages") or 1
        if tokens:
            self.api("POST", "/key/delete", json={"keys": tokens})
        team_ids = [t["team_id"] for t in self.api("GET", "/team/list").json() if str(t.get("team_alias") or "").startswith(self.prefix)]
        if team_ids:
            self.api("POST", "/team/delete", json={"team_ids": team_ids})
        user_ids = [u["user_id"] for u in self.api("GET", "/user/list", params={"page_size": 100, "user_ids": ",".join(
            f"{self.prefix}-{side}-u{i}" for side in ("op", "gs") for i in range(self.users))}).json().get("users") or []]
        for start in range(0, len(user_ids), 50):
            self.api("POST", "/user/delete", json={"user_ids": user_ids[start:start + 50]})


def sweep_table(total: int, drifted: int, sweep_time: float, sweep_runs: int, drift: dict[str, list[dict[str, Any]]],
                check_time: float) -> None:
    """Printed as soon as measured: the rest of the benchmark may still fail on a loaded proxy."""
    paths = sorted({d["path"] for entries in drift.values() for d in entries})
    print(f"\none drift sweep of all {total} CRs ({drifted} teams changed through LiteLLM's API): {sweep_runs} run(s); "
          f"{len(drift)} CRs report drift, at {', '.join(paths)}\n")
    print("| contender | drift check of all CRs | ratio |")
    print("|---|---|---|")
    print(f"| operator (one sweep per instance, until every CR's status is written) | {sweep_time:.1f} s | {sweep_time / check_time:.2f} |")
    print(f"| one ansible-playbook run of gateway_state, check mode | {check_time:.1f} s | 1.00 |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="CRs to converge (half teams, half keys)")
    parser.add_argument("--repeat", type=int, default=3, help="single-CR latency samples")
    parser.add_argument("--workers", type=int, default=4, help="MAX_CONCURRENT_RECONCILES")
    parser.add_argument("--drifted", type=int, default=10, help="teams changed behind the operator's back")
    parser.add_argument("--mix", choices=("teams-keys", "teams-users"), default="teams-keys",
                        help="the other half of the N CRs: virtual keys (one run each) or users (batched)")
    args = parser.parse_args()
    url, key = proxy()
    workdir = Path(tempfile.mkdtemp(prefix="bench-operator-"))
    bench = Bench(url, key, workdir, args.workers, args.repeat, args.mix)
    bench.users = args.n // 2 if args.mix == "teams-users" else 0
    try:
        with ServerThread() as server:
            bench.setup_cluster(server.url)
            operator = bench.start_operator()
            try:
                latencies = bench.latency(args.repeat)
                before = bench.runs()
                op_time, op_mem = bench.operator_bulk(args.n, operator)
                op_runs = {k: v - before.get(k, 0) for k, v in bench.runs().items() if v - before.get(k, 0)}
                sweep_time, sweep_runs, drift = bench.operator_sweep(args.drifted)
                check_time = bench.playbook_check()
                sweep_table(args.n + args.repeat, args.drifted, sweep_time, sweep_runs, drift, check_time)
            finally:
                operator.terminate()
                operator.wait(timeout=60)
        pb_time, pb_mem = bench.gateway_state_bulk(args.n) if args.mix == "teams-users" else bench.playbook_bulk(args.n)
    finally:
        bench.cleanup()
    mib = 1024 * 1024
    second = "users" if args.mix == "teams-users" else "keys"
    print(f"\nLiteLLM {url}; operator: MAX_CONCURRENT_RECONCILES={args.workers}; {args.n} CRs = {args.n // 2} teams + {args.n // 2} {second}\n")
    print(f"event-to-converged, one LiteLLMTeam: median {statistics.median(latencies):.2f} s (samples {', '.join(f'{t:.2f}' for t in latencies)})\n")
    print("| contender | converge N from scratch | ratio | peak RSS (process) | peak RSS (process tree) |")
    print("|---|---|---|---|---|")
    runs = ", ".join(f"{count} {folder}" for folder, count in op_runs.items())
    print(f"| operator ({sum(op_runs.values())} ansible-runner runs: {runs}) | {op_time:.1f} s | {op_time / pb_time:.2f} "
          f"| {op_mem.peak_own / mib:.0f} MiB | {op_mem.peak_tree / mib:.0f} MiB |")
    contender = "one ansible-playbook run of gateway_state" if args.mix == "teams-users" else "one ansible-playbook run"
    print(f"| {contender} | {pb_time:.1f} s | 1.00 | {pb_mem.peak_own / mib:.0f} MiB | {pb_mem.peak_tree / mib:.0f} MiB |")


if __name__ == "__main__":
    main()
