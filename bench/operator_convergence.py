"""The operator against ansible-playbook runs of gateway_state doing the same work, side by side (a benchmark, not a
test): every target of issue 12 in one invocation.

N custom resources of one LiteLLMInstance, mixed (``--mix issue``, per 10: 3 LiteLLMTeams, 3 LiteLLMUsers each in a
team, 2 LiteLLMModels each naming a LiteLLMCredential, 1 LiteLLMCredential with its provider key in a Secret, 1
LiteLLMVirtualKey naming a team), in phases:

1. ``scratch``: one ``ansible-playbook`` run of ``gateway_state`` applying the same objects (its own names), then
   those pruned again; the operator (``python -m llmops_operator``) started and the N CRs created (4 threads):
   time until every CR is Ready at its generation.
2. ``change``: one CR changed (a team's ``maxBudget``), time until it is Ready at its new generation; ``--changes``
   times, one team after the other: p50 and max.
3. ``restart``: a ``gateway_state`` no-op run on the document of the converged CRs (the table's
   ``document_from_crs``); then the operator stopped (SIGTERM) and started again: time until every CR has been
   reconciled again (the operator's log says each was resumed, and each is Ready), and the writes that reached
   LiteLLM meanwhile (0 is the target).
4. ``sweep``: a ``gateway_state`` check-mode run on the same document; ``max_budget`` changed through LiteLLM's API
   on ``--drifted`` teams, drift checks switched on (``configSync``, manual): time until every CR's status says it
   was checked, the runs it took, and the CRs reporting drift (exactly those teams, at ``spec.maxBudget``). When the
   operator logs its sweeps, a second, steady-state sweep: the first teams put back, ``--drifted`` other teams
   changed, ``configSync.interval`` set so that the next sweep starts by itself 20 s later (no instance change
   beside it); its time as the operator logs it (from its start to its last status write), the CRs whose status it
   wrote (their resourceVersion changed) and the CRs reporting drift (exactly the new ones).

Throughout: the peak RSS of the operator process and of its process tree (ansible-runner runs included), sampled
every 0.1 s per phase, next to the playbook's; the CPU seconds of the operator's tree and of the Kubernetes API
emulator per phase. Every request to LiteLLM of either side goes through tests/lib/recording_proxy.py, which counts
the writes per phase. ``--profile DIR`` attaches py-spy (``pip install --target /tmp/pyspy py-spy``; ``--py-spy``
names its binary) to the operator and to the emulator for the whole run and writes their collapsed stacks per
session, for finding where the time goes.

Every kind of the mix rides one batch per instance (virtual keys with their values kept in their Secrets first,
credentials with their Secret's value read by the operator; both reach the run in its 0600 document file).
``--mix teams-users`` (5+5 per 10) and ``--mix teams-keys`` give the earlier benchmarks' mixes.

The operator runs on the project's Kubernetes API emulator (tests/lib/kubeapi, in its own process: no cluster
here) against the development proxy (LITELLM_PROXY_URL / LITELLM_PROXY_API_KEY, else LLMOPS_TEST_PROXY_URL / _KEY
of /work/devstack/env, else /tmp/llmops-dev-proxy.json). Everything it creates in LiteLLM carries a unique prefix
and is pruned at the end (by ``gateway_state`` with ``unmanaged: prune``), whatever state the run stopped in.

    .venv/bin/python -m bench.operator_convergence [--n 100] [--changes 10] [--workers 4] [--drifted 10]
        [--mix issue] [--json FILE] [--profile DIR]

(Run it as a module, or with ``python -P``: as a script its folder would come first on sys.path and its name
would hide the standard library's ``operator``.)
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import datetime
import json
import os
import re
import signal
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

from tests.lib.playbook import COLLECTIONS, ensure_collection_link
from tests.lib.recording_proxy import RecordingProxy

GROUP, VERSION = "litellm.llmops.dev", "v1alpha1"
MIB = 1024 * 1024
# Per 10 CRs, in creation order (a user names its team, a model its credential, a key its team).
MIXES = {
    "issue": (("LiteLLMTeam", 3), ("LiteLLMCredential", 1), ("LiteLLMUser", 3), ("LiteLLMModel", 2),
              ("LiteLLMVirtualKey", 1)),
    "teams-users": (("LiteLLMTeam", 5), ("LiteLLMUser", 5)),
    "teams-keys": (("LiteLLMTeam", 5), ("LiteLLMVirtualKey", 5)),
}
SHORT = {"LiteLLMTeam": "t", "LiteLLMUser": "u", "LiteLLMModel": "m", "LiteLLMCredential": "c", "LiteLLMVirtualKey": "k"}
PLURAL = {"LiteLLMTeam": "teams", "LiteLLMUser": "users", "LiteLLMModel": "models", "LiteLLMCredential": "credentials",
          "LiteLLMVirtualKey": "virtual_keys"}
UPSTREAM_KEY = "sk-bench-upstream-not-a-real-key"
SWEEP_LOG = re.compile(r"drift sweep of LiteLLMInstance \S+: (?P<checked>\d+) custom resource\(s\) checked .* in (?P<seconds>[\d.]+) s")


class Sampler:
    """Peak RSS of a process and of its process tree, sampled in a thread, per phase (``phase`` names the current
    one); the CPU seconds of the tree (the process and its reaped children) at each phase's start."""

    def __init__(self, period: float = 0.1) -> None:
        self.period = period
        self.process: psutil.Process | None = None
        self.phase = "start"
        self.peaks: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def watch(self, pid: int) -> None:
        self.process = psutil.Process(pid)

    def _run(self) -> None:
        while not self._stop.is_set():
            process = self.process
            if process is not None:
                try:
                    own = process.memory_info().rss
                    tree = own
                    for child in process.children(recursive=True):
                        try:
                            tree += child.memory_info().rss
                        except psutil.Error:
                            pass
                    old = self.peaks.get(self.phase, (0, 0))
                    self.peaks[self.phase] = (max(old[0], own), max(old[1], tree))
                except psutil.Error:
                    pass
            time.sleep(self.period)

    def peak(self) -> tuple[int, int]:
        return max((p[0] for p in self.peaks.values()), default=0), max((p[1] for p in self.peaks.values()), default=0)


def cpu_seconds(process: psutil.Process | None) -> float:
    """CPU seconds of a process and of its children it has waited for (0 once it is gone)."""
    try:
        times = process.cpu_times() if process is not None else None
    except psutil.Error:
        return 0.0
    return 0.0 if times is None else times.user + times.system + times.children_user + times.children_system


def proxy() -> tuple[str, str]:
    for url, key in (("LITELLM_PROXY_URL", "LITELLM_PROXY_API_KEY"), ("LLMOPS_TEST_PROXY_URL", "LLMOPS_TEST_PROXY_KEY")):
        if os.environ.get(url) and os.environ.get(key):
            return os.environ[url].rstrip("/"), os.environ[key]
    dev = json.loads(Path("/tmp/llmops-dev-proxy.json").read_text())
    return dev["url"].rstrip("/"), dev["master_key"]


def wait(condition: Callable[[], Any], timeout: float, what: str, period: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(period)
    return found


def stamp() -> str:
    """Now, as the operator writes times in status (whole seconds)."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def condition_true(body: dict[str, Any], kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in (body.get("status") or {}).get("conditions") or [])


def ready(body: dict[str, Any]) -> bool:
    return condition_true(body, "Ready") and (body.get("status") or {}).get("observedGeneration") == body["metadata"]["generation"]


class Bench:
    def __init__(self, url: str, key: str, workdir: Path, args: argparse.Namespace) -> None:
        self.upstream, self.key, self.workdir = url, key, workdir
        self.n, self.workers, self.mix = args.n, args.workers, MIXES[args.mix]
        self.profile: Path | None = args.profile
        self.py_spy = args.py_spy
        self.prefix = f"bop-{uuid.uuid4().hex[:6]}"
        self.namespace = self.prefix
        self.counts = {kind: args.n * share // 10 for kind, share in self.mix}
        self.counts[self.mix[0][0]] += args.n - sum(self.counts.values())
        ensure_collection_link()  # this checkout as llmops.litellm, for every ansible-playbook run
        self.recorder = RecordingProxy(url).start()
        self.url = self.recorder.url  # both sides reach LiteLLM through the recorder
        self.sampler = Sampler().__enter__()
        self.operator: subprocess.Popen[bytes] | None = None
        self.emulator: subprocess.Popen[bytes] | None = None
        self.spies: list[subprocess.Popen[bytes]] = []
        self.sessions = 0
        self.cpu_finished = 0.0  # CPU seconds of the operator sessions that ended
        self.results: dict[str, Any] = {"n": args.n, "mix": args.mix, "counts": self.counts, "workers": self.workers,
                                        "phases": {}}
        self._phase_start: dict[str, Any] = {}

    def scrub(self, text: str) -> str:
        """``text`` (a run's output, printed on failure) without the master key."""
        return text.replace(self.key, "********")

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """LiteLLM's API directly (not through the recorder: the bench's own requests are not counted)."""
        return requests.request(method, self.upstream + path, headers={"Authorization": f"Bearer {self.key}"},
                                timeout=120, **kwargs)

    # --- phases: writes to LiteLLM, CPU and RSS per phase ---------------------------------------------------

    def begin(self, phase: str) -> None:
        self.sampler.phase = phase
        self.recorder.reset()
        self._phase_start = {"cpu_operator": self.operator_cpu(),
                             "cpu_emulator": cpu_seconds(psutil.Process(self.emulator.pid)) if self.emulator else 0.0}
        print(f"[{stamp()}] {phase} (load average {os.getloadavg()[0]:.1f})", flush=True)

    def end(self, phase: str, **found: Any) -> dict[str, Any]:
        seen = self.recorder.reset()
        writes = [r for r in seen if r[0] in ("POST", "PUT", "PATCH", "DELETE")]
        emulator = cpu_seconds(psutil.Process(self.emulator.pid)) if self.emulator else 0.0
        own, tree = self.sampler.peaks.get(phase, (0, 0))
        # (a playbook phase gives its own process tree's RSS in ``found``)
        result = {"requests": len(seen), "writes": len(writes),
                  "cpu_operator_s": round(self.operator_cpu() - self._phase_start["cpu_operator"], 1),
                  "cpu_emulator_s": round(emulator - self._phase_start["cpu_emulator"], 1),
                  "rss_own_mib": round(own / MIB), "rss_tree_mib": round(tree / MIB), "load": round(os.getloadavg()[0], 1),
                  **found}
        if writes and phase.startswith("operator restart"):
            result["write_paths"] = sorted({f"{m} {p}" for m, p in writes})
        self.results["phases"][phase] = result
        print(f"[{stamp()}]   {json.dumps(result)}", flush=True)
        return result

    # --- Kubernetes side ---------------------------------------------------------------------------------

    def start_emulator(self) -> None:
        """The emulator in its own process (its CPU is counted apart, and it does not share the bench's GIL)."""
        config = self.workdir / "kubeconfig"
        log = (self.workdir / "emulator.log").open("wb")
        self.emulator = subprocess.Popen([sys.executable, "-m", "tests.lib.kubeapi", "serve", "--kubeconfig", str(config),
                                          "--timings", str(self.workdir / "emulator-timings.json")],
                                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=log, stderr=subprocess.STDOUT)
        wait(lambda: config.exists() and "current-context" in config.read_text(), 60, "the emulator serves", period=0.1)
        self.kubeconfig = config
        self.spy(self.emulator.pid, "emulator")
        self.client = kubernetes.config.new_client_from_config(config_file=str(config))
        self.client.rest_client.pool_manager.connection_pool_kw["maxsize"] = 8
        self.custom = kubernetes.client.CustomObjectsApi(self.client)
        self.core = kubernetes.client.CoreV1Api(self.client)
        extensions = kubernetes.client.ApiextensionsV1Api(self.client)
        for path in sorted((REPO / "crds").glob("litellm.llmops.dev_*.yaml")):
            extensions.create_custom_resource_definition(yaml.safe_load(path.read_text()))
        wait(self._served, 60, "the CRDs are served")
        self.core.create_namespace({"metadata": {"name": self.namespace}})
        for name, key, value in (("master", "key", self.key), ("provider", "api_key", UPSTREAM_KEY)):
            self.core.create_namespaced_secret(self.namespace, {"metadata": {"name": name},
                                                                "data": {key: base64.b64encode(value.encode()).decode()}})
        self.create("LiteLLMInstance", "gw", {"external": {"url": self.url, "masterKeySecretRef": {"name": "master", "key": "key"}},
                                              "configSync": {"enabled": False}})

    def spy(self, pid: int, name: str) -> None:
        if self.profile is None:
            return
        self.profile.mkdir(parents=True, exist_ok=True)
        self.spies.append(subprocess.Popen([self.py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "50",
                                            "--nonblocking", "-o", str(self.profile / f"{name}.txt")],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def _served(self) -> bool:
        try:
            self.custom.list_namespaced_custom_object(GROUP, VERSION, "default", "litellmvirtualkeys")
            return True
        except kubernetes.client.exceptions.ApiException:
            return False

    def create(self, kind: str, name: str, spec: dict[str, Any]) -> None:
        self.custom.create_namespaced_custom_object(GROUP, VERSION, self.namespace, kind.lower() + "s", {
            "apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": {"name": name}, "spec": spec})

    def items(self, kind: str) -> list[dict[str, Any]]:
        found = self.custom.list_namespaced_custom_object(GROUP, VERSION, self.namespace, kind.lower() + "s")["items"]
        return [{**item, "kind": kind} for item in found]

    def everything(self) -> list[dict[str, Any]]:
        return [item for kind in self.counts for item in self.items(kind)]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        return self.custom.get_namespaced_custom_object(GROUP, VERSION, self.namespace, kind.lower() + "s", name)

    def start_operator(self) -> None:
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
        self.sessions += 1
        log = (self.workdir / f"operator-{self.sessions}.log").open("wb")
        self.operator = subprocess.Popen([sys.executable, "-m", "llmops_operator", "--standalone"], cwd=REPO / "operator",
                                         env=env, stdout=log, stderr=subprocess.STDOUT)
        self.sampler.watch(self.operator.pid)
        self.spy(self.operator.pid, f"operator-{self.sessions}")

    def operator_up(self) -> None:
        """Wait until the operator has reconciled the instance: it watches."""
        wait(lambda: ready(self.get("LiteLLMInstance", "gw")), 300, "the LiteLLMInstance Ready", period=0.2)

    def operator_cpu(self) -> float:
        """CPU seconds of the operator's process trees so far (its runs included, once they ended)."""
        return self.cpu_finished + (cpu_seconds(psutil.Process(self.operator.pid)) if self.operator else 0.0)

    def stop_operator(self) -> None:
        if self.operator is None:
            return
        self.cpu_finished = self.operator_cpu()  # (its last moments, shutting down, are not counted)
        self.operator.send_signal(signal.SIGTERM)
        try:
            self.operator.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.operator.kill()
            self.operator.wait()
        self.operator = None

    def resumed(self) -> int:
        """Resources the running operator has resumed and reconciled (Kopf logs one line each)."""
        log = self.workdir / f"operator-{self.sessions}.log"
        return log.read_text(errors="replace").count("Resuming is processed: 1 succeeded") if log.is_file() else 0

    def runs(self) -> dict[str, int]:
        """ansible-runner runs so far: per folder of the runner directory (litellmvirtualkey ...: the artifacts each
        CR keeps, one run each here) and batch runs (the operators' logs: an instance keeps the artifacts of its last 5
        batches only)."""
        root = self.workdir / "runner"
        found = {p.name: len(list(p.glob("*/*/artifacts/*/status"))) for p in sorted(root.iterdir())
                 if p.is_dir() and p.name not in ("batch", ".bin")} if root.is_dir() else {}
        found["batch"] = sum(log.read_text(errors="replace").count("] batch run of ") for log in self.workdir.glob("operator-*.log"))
        return found

    # --- the CRs and the same objects as a gateway_state document ------------------------------------------

    def specs(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(kind, name, spec) of the N CRs, in creation order."""
        teams, creds = self.counts.get("LiteLLMTeam", 0), self.counts.get("LiteLLMCredential", 0)
        gw = {"instanceRef": {"name": "gw"}}
        made = []
        for kind, _share in self.mix:
            for i in range(self.counts[kind]):
                name = f"{SHORT[kind]}{i}"
                alias = f"{self.prefix}-op-{name}"
                if kind == "LiteLLMTeam":
                    spec = {**gw, "teamAlias": alias, "maxBudget": 10}
                elif kind == "LiteLLMUser":
                    spec = {**gw, "userId": alias, "teamRefs": [{"name": f"t{i % teams}"}], "maxBudget": 1}
                elif kind == "LiteLLMVirtualKey":
                    spec = {**gw, "keyAlias": alias, "teamRef": {"name": f"t{i % teams}"}, "maxBudget": 1}
                elif kind == "LiteLLMCredential":
                    spec = {**gw, "credentialName": alias, "apiKeySecretRef": {"name": "provider", "key": "api_key"}}
                else:
                    spec = {**gw, "modelName": alias, "litellmParams": {
                        "model": "openai/gpt-4o", "mock_response": "hi", "rpm": 100,
                        "credentialRef": {"name": f"c{i % creds}"}}}
                made.append((kind, name, spec))
        return made

    def scratch_document(self) -> dict[str, list[dict[str, Any]]]:
        """The same objects as the CRs, with their own names, as one gateway_state document (a team gets its id
        from its alias so that users and keys can name it, as the operator's table names it by id)."""
        teams, creds = self.counts.get("LiteLLMTeam", 0), self.counts.get("LiteLLMCredential", 0)

        def name(short: str, i: int) -> str:
            return f"{self.prefix}-gs-{short}{i}"

        document: dict[str, list[dict[str, Any]]] = {}
        for kind, _share in self.mix:
            objects = document.setdefault(PLURAL[kind], [])
            for i in range(self.counts[kind]):
                if kind == "LiteLLMTeam":
                    objects.append({"team_alias": name("t", i), "team_id": name("t", i), "max_budget": 10})
                elif kind == "LiteLLMUser":
                    objects.append({"user_id": name("u", i), "teams": [name("t", i % teams)], "max_budget": 1})
                elif kind == "LiteLLMVirtualKey":
                    objects.append({"key_alias": name("k", i), "team_id": name("t", i % teams), "max_budget": 1})
                elif kind == "LiteLLMCredential":
                    objects.append({"credential_name": name("c", i), "credential_values": {"api_key": UPSTREAM_KEY}})
                else:
                    objects.append({"model_name": name("m", i), "litellm_params": {
                        "model": "openai/gpt-4o", "mock_response": "hi", "rpm": 100,
                        "litellm_credential_name": name("c", i % creds)}})
        return document

    def crs_document(self) -> dict[str, Any]:
        """The gateway_state document of the operator's CRs, by the collection's table (secrets left out, as the
        operator's drift check leaves them out)."""
        sys.path.insert(0, str(COLLECTIONS))
        from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import document_from_crs

        document, _index, problems = document_from_crs(self.everything())
        assert not problems, problems
        return document

    def playbook(self, name: str, document: dict[str, Any], *, check: bool = False, **options: Any) -> tuple[float, tuple[int, int]]:
        """One ansible-playbook run of gateway_state on ``document`` (read from a file): wall time, peak RSS."""
        path = self.workdir / f"{name}-document.yml"
        path.write_text(yaml.safe_dump(document))
        play = [{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": [
            {"name": "gateway_state", "llmops.litellm.gateway_state": {"files": [str(path)], **options}}]}]
        playbook = self.workdir / f"{name}.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False))
        env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
               "LITELLM_PROXY_URL": self.url, "LITELLM_PROXY_API_KEY": self.key}
        sampler = Sampler()
        start = time.monotonic()
        process = subprocess.Popen([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                                    *(["--check"] if check else []), str(playbook)], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        sampler.watch(process.pid)
        with sampler:
            output = process.communicate()[0]
        elapsed = time.monotonic() - start
        if process.returncode != 0:  # its message and the objects that did not converge, then the output's end
            text = self.scrub(output.decode())
            why = re.findall(r'"msg": "(?:[^"\\]|\\.)*"', text)[:3] + re.findall(
                r'\{[^{}]*"status": "(?:failed|invalid|waiting|skipped)"[^{}]*\}', text)[:10]
            raise SystemExit(f"ansible-playbook {name} failed:\n" + "\n".join(w[:1000] for w in why) + f"\n{text[-3000:]}")
        return elapsed, sampler.peak()

    def prune(self, prefix: str) -> None:
        """Delete what ``prefix`` names in LiteLLM, through the engine itself (unmanaged: prune)."""
        kinds = sorted({PLURAL[kind] for kind, _share in MIXES["issue"]})
        self.playbook("prune", dict.fromkeys(kinds, []), scope={"name_prefix": prefix}, unmanaged="prune")

    # --- the measurements --------------------------------------------------------------------------------

    def converged(self, since: str | None = None) -> bool:
        """Every CR Ready at its generation (and, with ``since``, reconciled at or after that time)."""
        found = self.everything()
        done = [b for b in found if ready(b) and (since is None or ((b.get("status") or {}).get("lastReconcileTime") or "") >= since)]
        return len(found) == self.n and len(done) == self.n

    def playbook_scratch(self) -> None:
        self.begin("playbook scratch")
        document = self.scratch_document()
        (self.workdir / "keys").mkdir(mode=0o700)
        elapsed, (own, tree) = self.playbook("scratch", document, key_dir=str(self.workdir / "keys"))
        self.end("playbook scratch", seconds=round(elapsed, 1), rss_own_mib=round(own / MIB), rss_tree_mib=round(tree / MIB))
        self.prune(f"{self.prefix}-gs-")  # the operator then starts from the same database

    def operator_scratch(self) -> None:
        self.start_operator()
        self.operator_up()
        period = max(0.25, self.n / 400)
        self.begin("operator scratch")
        before = self.runs()
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda made: self.create(*made), self.specs()))
        created = time.monotonic() - start
        wait(self.converged, 7200, f"{self.n} CRs Ready", period=period)
        elapsed = time.monotonic() - start
        runs = {k: v - before.get(k, 0) for k, v in self.runs().items() if v - before.get(k, 0)}
        self.end("operator scratch", seconds=round(elapsed, 1), created_s=round(created, 1), runs=runs)

    def changes(self, count: int) -> None:
        """One CR changed at a time (a team's maxBudget): time until Ready at its new generation."""
        self.begin("operator one CR changed")
        times = []
        for index in range(count):
            name = f"t{index % self.counts['LiteLLMTeam']}"
            start = time.monotonic()
            self.custom.patch_namespaced_custom_object(GROUP, VERSION, self.namespace, "litellmteams", name,
                                                       {"spec": {"maxBudget": 11 + index}})
            wait(lambda n=name: ready(self.get("LiteLLMTeam", n)), 600, f"team {name} Ready again", period=0.02)
            times.append(time.monotonic() - start)
        self.end("operator one CR changed", p50=round(statistics.median(times), 2), max=round(max(times), 2),
                 samples=[round(t, 2) for t in times])

    def restart(self) -> None:
        document = self.crs_document()
        self.begin("playbook no-op")
        elapsed, (own, tree) = self.playbook("noop", document)
        self.end("playbook no-op", seconds=round(elapsed, 1), rss_own_mib=round(own / MIB), rss_tree_mib=round(tree / MIB))
        self.begin("operator restart")
        self.stop_operator()
        before = self.runs()
        start, started = time.monotonic(), time.time()
        self.start_operator()
        # every CR (and the instance) resumed by this operator and Ready: a converged CR's resume that changes
        # nothing writes no status (status.settled), so its lastReconcileTime does not move any more
        wait(lambda: self.resumed() >= self.n + 1 and self.converged(), 7200, f"{self.n} CRs reconciled again",
             period=max(0.25, self.n / 400))
        detected = time.monotonic() - start
        # done at the operator's log line of the last resume (this check looks every n / 400 s: 2.5 s at 1,000)
        elapsed = self.last_resume() - started
        runs = {k: v - before.get(k, 0) for k, v in self.runs().items() if v - before.get(k, 0)}
        self.end("operator restart", seconds=round(elapsed, 1), detected_seconds=round(detected, 1), runs=runs)

    def last_resume(self) -> float:
        """The time (epoch seconds) of the running operator's last "Resuming is processed" log line."""
        log = (self.workdir / f"operator-{self.sessions}.log").read_text(errors="replace")
        stamps = [line[:23] for line in log.splitlines() if "Resuming is processed: 1 succeeded" in line]
        when = datetime.datetime.strptime(max(stamps), "%Y-%m-%d %H:%M:%S,%f")  # the operator logs local time
        return when.timestamp()

    def sweeps(self, drifted: int) -> None:
        document = self.crs_document()
        self.begin("playbook check")
        elapsed, (own, tree) = self.playbook("check", document, check=True)
        self.end("playbook check", seconds=round(elapsed, 1), rss_own_mib=round(own / MIB), rss_tree_mib=round(tree / MIB))

        teams = {t["metadata"]["name"]: t for t in self.items("LiteLLMTeam")}
        first = [f"t{i}" for i in range(drifted)]
        for name in first:
            self.api("POST", "/team/update", json={"team_id": teams[name]["status"]["litellmId"], "max_budget": 99}).raise_for_status()
        versions = {(b["kind"], b["metadata"]["name"]): b["metadata"]["resourceVersion"] for b in self.everything()}
        self.begin("operator sweep")
        start = time.monotonic()
        self.custom.patch_namespaced_custom_object(GROUP, VERSION, self.namespace, "litellminstances", "gw", {
            "spec": {"configSync": {"enabled": True, "interval": "1h", "conflictResolution": "manual"}}})
        # done when the operator logs it (after the last status it writes: a resource in sync gets none, its
        # status already says Drifted False since its reconcile); then the instance has its check time too
        logged = wait(self.sweep_logs, 3600, "the first sweep", period=0.2)
        wait(lambda: ((self.get("LiteLLMInstance", "gw") or {}).get("status") or {}).get("lastUnmanagedCheckTime"),
             60, "the instance's check time", period=0.2)
        elapsed = time.monotonic() - start
        written = sorted(f"{k}/{n}" for b in self.everything() for k, n in [(b["kind"], b["metadata"]["name"])]
                         if versions.get((k, n)) != b["metadata"]["resourceVersion"])
        # timed as the steady sweep is, by the operator from the sweep's start to its last status write; the wall
        # time from the change also holds the sweep timer's period and the instance's own reconcile (the change of
        # its configSync), which the sweep waits for
        self.end("operator sweep", seconds=logged[0]["seconds"], runs=self.drift_runs(), **self.drift_found(first),
                 statuses_written=len(written), wall_seconds=round(elapsed, 1))

        # The next sweep comes by itself, ``interval`` after the first began (the interval is set to 20 s from now:
        # the instance's reconcile that the change starts is over by then): the steady state, timed by the operator
        # from its start to its last status write (its log line).
        if not self.sweep_logs():
            self.results["phases"]["operator steady sweep"] = {"skipped": "the operator logs no sweep"}
            return
        second = [f"t{i}" for i in range(drifted, 2 * drifted)]
        for name in first:  # back to the spec
            self.api("POST", "/team/update", json={"team_id": teams[name]["status"]["litellmId"],
                                                   "max_budget": self.get("LiteLLMTeam", name)["spec"]["maxBudget"]}).raise_for_status()
        for name in second:
            self.api("POST", "/team/update", json={"team_id": teams[name]["status"]["litellmId"], "max_budget": 99}).raise_for_status()
        versions = {(b["kind"], b["metadata"]["name"]): b["metadata"]["resourceVersion"] for b in self.everything()}
        runs_before, logged = self.drift_runs(), len(self.sweep_logs())
        self.custom.patch_namespaced_custom_object(GROUP, VERSION, self.namespace, "litellminstances", "gw", {
            "spec": {"configSync": {"interval": f"{int(time.monotonic() - start) + 20}s"}}})
        self.begin("operator steady sweep")
        line = wait(lambda: self.sweep_logs()[logged:], 3600, "the next sweep", period=0.2)[0]
        written = sorted(f"{k}/{n}" for b in self.everything() for k, n in [(b["kind"], b["metadata"]["name"])]
                         if versions.get((k, n)) != b["metadata"]["resourceVersion"])
        self.end("operator steady sweep", seconds=line["seconds"], runs=self.drift_runs() - runs_before,
                 statuses_written=len(written), **self.drift_found(second))

    def sweep_logs(self) -> list[dict[str, Any]]:
        """The sweeps the operator logged (sweep.py): {seconds, ...} each, in order."""
        found = []
        for log in sorted(self.workdir.glob("operator-*.log")):
            for text in log.read_text(errors="replace").splitlines():
                match = SWEEP_LOG.search(text)
                if match:
                    found.append({"checked": int(match["checked"]), "seconds": float(match["seconds"])})
        return found

    def drift_runs(self) -> int:
        runs = self.workdir / "runner" / "drift" / self.namespace / "gw" / "artifacts"
        return len([p for p in runs.iterdir() if p.is_dir() and not p.is_symlink()]) if runs.is_dir() else 0

    def drift_found(self, expected: list[str]) -> dict[str, Any]:
        found = {f"{b['kind']}/{b['metadata']['name']}": b["status"]["drift"] for b in self.everything()
                 if (b.get("status") or {}).get("drift")}
        paths = sorted({d["path"] for entries in found.values() for d in entries})
        exact = sorted(found) == sorted(f"LiteLLMTeam/{name}" for name in expected) and paths == ["spec.maxBudget"]
        return {"drifted_crs": len(found), "drift_paths": paths, "exactly_the_changed": exact}

    def close(self) -> None:
        self.stop_operator()
        for spy in self.spies:
            spy.send_signal(signal.SIGINT)
        for spy in self.spies:
            try:
                spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                spy.kill()
        if self.emulator is not None:
            self.emulator.terminate()
            self.emulator.wait(timeout=60)
            timings = self.workdir / "emulator-timings.json"
            if timings.exists():  # what serving took, the costliest kinds of request first
                found = json.loads(timings.read_text())
                self.results["emulator"] = dict(sorted(found.items(), key=lambda item: -item[1]["seconds"])[:12])
        self.sampler.__exit__()

    def cleanup(self) -> None:
        """Delete what this run made in LiteLLM (its name prefix), whatever state it stopped in."""
        try:
            self.prune(f"{self.prefix}-")
        except SystemExit as exc:
            print(f"cleanup by prune failed, left with prefix {self.prefix}-: {exc}", file=sys.stderr)
        self.recorder.stop()


def report(results: dict[str, Any]) -> str:
    """The targets of issue 12, measured vs target, as a Markdown table."""
    phases = results["phases"]

    def get(phase: str, field: str, default: Any = None) -> Any:
        return phases.get(phase, {}).get(field, default)

    rows = []
    scratch, pb = get("operator scratch", "seconds"), get("playbook scratch", "seconds")
    if scratch and pb:
        runs = get("operator scratch", "runs", {})
        rows.append(("from scratch to all Ready", f"{scratch:.1f} s vs {pb:.1f} s = {scratch / pb:.2f}x "
                     f"({', '.join(f'{v} {k}' for k, v in runs.items())} runs)", "≤ 1.25x", scratch / pb <= 1.25))
    restart, noop = get("operator restart", "seconds"), get("playbook no-op", "seconds")
    if restart and noop:
        writes = get("operator restart", "writes")
        runs = get("operator restart", "runs", {})
        rows.append(("restart: all Ready again, 0 writes", f"{restart:.1f} s vs {noop:.1f} s = {restart / noop:.2f}x, "
                     f"{writes} writes ({', '.join(f'{v} {k}' for k, v in runs.items())} runs)", "< 3x, 0 writes",
                     restart / noop < 3 and writes == 0))
    check = get("playbook check", "seconds")
    for phase, label in (("operator sweep", "first drift sweep"),
                         ("operator steady sweep", "drift sweep, steady state")):
        sweep = get(phase, "seconds")
        if sweep and check:
            exact = get(phase, "exactly_the_changed")
            rows.append((label, f"{sweep:.1f} s vs {check:.1f} s = {sweep / check:.2f}x, {get(phase, 'runs')} run(s), "
                         f"{get(phase, 'drifted_crs')} CRs drifted ({'exactly the changed' if exact else 'NOT exactly the changed'})"
                         + (f", {get(phase, 'statuses_written')} statuses written" if get(phase, "statuses_written") is not None else "")
                         + (f" ({get(phase, 'wall_seconds')} s from the configSync change)" if get(phase, "wall_seconds") else ""),
                         "< 1.5x, 1 run, exactly those", sweep / check < 1.5 and get(phase, "runs") == 1 and exact))
    p50 = get("operator one CR changed", "p50")
    if p50 is not None:
        rows.append(("one CR changed, converged p50", f"{p50:.2f} s (max {get('operator one CR changed', 'max'):.2f} s)",
                     "< 2 s", p50 < 2))
    trees = [p.get("rss_tree_mib", 0) for name, p in phases.items() if name.startswith("operator")]
    owns = [p.get("rss_own_mib", 0) for name, p in phases.items() if name.startswith("operator")]
    if trees:
        rows.append(("peak RSS of the operator's process tree", f"{max(trees)} MiB (process {max(owns)} MiB)", "< 400 MiB",
                     max(trees) < 400))
    lines = ["| target | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {what} | {measured} | {target} | {'yes' if met else 'no'} |" for what, measured, target, met in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="CRs (see --mix)")
    parser.add_argument("--changes", type=int, default=10, help="one-CR changes timed one after the other")
    parser.add_argument("--workers", type=int, default=4, help="MAX_CONCURRENT_RECONCILES")
    parser.add_argument("--drifted", type=int, default=10, help="teams changed behind the operator's back")
    parser.add_argument("--mix", choices=sorted(MIXES), default="issue", help="the kinds of the N CRs")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--profile", type=Path, help="py-spy's collapsed stacks of the operator and the emulator here")
    parser.add_argument("--py-spy", default="/tmp/pyspy/bin/py-spy", help="the py-spy binary (with --profile)")
    args = parser.parse_args()
    url, key = proxy()
    workdir = Path(tempfile.mkdtemp(prefix="bench-operator-"))
    bench = Bench(url, key, workdir, args)
    print(f"workdir {workdir}; LiteLLM {url}; {args.n} CRs: {bench.counts}; MAX_CONCURRENT_RECONCILES={args.workers}", flush=True)
    bench.results["started"] = stamp()
    try:
        bench.start_emulator()
        bench.playbook_scratch()
        bench.operator_scratch()
        bench.changes(args.changes)
        bench.restart()
        bench.sweeps(args.drifted)
    finally:
        bench.close()
        bench.cleanup()
        bench.results["ended"] = stamp()
        if args.json:
            args.json.write_text(json.dumps(bench.results, indent=2))
    print(f"\n{args.n} CRs ({', '.join(f'{v} {k}' for k, v in bench.counts.items())}), "
          f"{bench.results['started']} to {bench.results['ended']}\n")
    print(report(bench.results))
    if bench.results.get("emulator"):
        print("\nthe emulator's costliest kinds of request (watches left out):")
        for what, spent in bench.results["emulator"].items():
            print(f"  {what}: {spent['requests']} requests, {spent['seconds']:.1f} s, slowest {spent['slowest'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
