"""The Kubernetes API emulator (tests/lib/kubeapi) under traffic and idle with an operator watching.

    .venv/bin/python -m bench.kubeapi [--requests 20000] [--idle 60] [--code DIR]

One run measures, against one emulator served in its own process (``python -m tests.lib.kubeapi serve``):

1. the latency of a GET (median of 200, keep-alive) on the fresh emulator;
2. the emulator's CPU while idle with the operator (``python -m llmops_operator``, every kind of
   operator/watches.yaml, all namespaces) watching: CPU-seconds per minute of the emulator process, and of the
   operator process, over ``--idle`` seconds; meanwhile a client makes the reads of the operator's drift timers
   for ``--ticks`` CRs (2 GETs per CR per second, as with ``DRIFT_CHECK_PERIOD=1`` in the operator's tests);
3. ``--requests`` more requests (GETs, lists and, one in ten, a write to a ConfigMap so that the change log
   grows too), then the same GET latency and idle CPU again.

It prints both rows and the ratios after/fresh: an emulator that does not slow down with the traffic it has
served keeps them near 1. ``--code DIR`` serves the emulator from another checkout (e.g. an older commit
extracted with ``git archive``) for a before/after comparison; the operator and CRDs always come from this one.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


class Client:
    """A keep-alive HTTP/1.1 connection to the emulator."""

    def __init__(self, url: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/merge-patch+json" if method == "PATCH" else "application/json"}
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        return response.status, json.loads(response.read() or b"null")


def get_latency(client: Client, path: str, count: int = 200) -> float:
    samples = []
    for _sample in range(count):
        start = time.perf_counter()
        status = client.call("GET", path)[0]
        samples.append(time.perf_counter() - start)
        assert status == 200, status
    return statistics.median(samples)


def idle_cpu(pids: dict[str, int], seconds: float, url: str, path: str, ticks: int) -> dict[str, float]:
    """CPU-s per minute of each process over ``seconds``, while ``ticks`` CRs' drift timers read twice a second."""
    stop = threading.Event()

    def tick() -> None:
        client = Client(url)
        while not stop.is_set():
            started = time.monotonic()
            for _read in range(2 * ticks):
                client.call("GET", path)
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    reader = threading.Thread(target=tick, daemon=True)
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    reader.start()
    time.sleep(seconds)
    after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    stop.set()
    reader.join()
    return {name: (after[name] - before[name]) * 60.0 / seconds for name in pids}


def traffic(client: Client, count: int, namespace: str) -> float:
    start = time.perf_counter()
    for index in range(count):
        if index % 10 == 0:
            status = client.call("PATCH", f"/api/v1/namespaces/{namespace}/configmaps/bench", {"data": {"n": str(index)}})[0]
        elif index % 10 == 1:
            status = client.call("GET", f"/api/v1/namespaces/{namespace}/configmaps")[0]
        else:
            status = client.call("GET", f"/api/v1/namespaces/{namespace}/configmaps/bench")[0]
        assert status == 200, status
    return time.perf_counter() - start


def wait_file(path: Path, process: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000, help="requests served between the two measurements")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of each idle CPU measurement")
    parser.add_argument("--ticks", type=int, default=20, help="CRs whose drift timers read during the idle measurements")
    parser.add_argument("--code", type=Path, default=REPO, help="checkout to serve the emulator from (default: this one)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-kubeapi-"))
    kubeconfig, pidfile = tmp / "kubeconfig", tmp / "pid"
    env = {**os.environ, "PYTHONPATH": str(args.code)}
    server = subprocess.Popen([sys.executable, "-m", "tests.lib.kubeapi", "serve", "--kubeconfig", str(kubeconfig), "--pidfile", str(pidfile)],
                              cwd=args.code, env=env, stdout=subprocess.DEVNULL)
    operator = None
    try:
        wait_file(pidfile, server, "the emulator")
        url = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        client = Client(url)
        for path in sorted((REPO / "crds").glob("*.yaml")):
            for doc in yaml.safe_load_all(path.read_text()):
                if doc and doc.get("kind") == "CustomResourceDefinition":
                    status, body = client.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", doc)
                    assert status == 201, body
        client.call("POST", "/api/v1/namespaces", {"metadata": {"name": "bench"}})
        client.call("POST", "/api/v1/namespaces/bench/configmaps", {"metadata": {"name": "bench"}, "data": {"n": "0"}})
        entries = [{**entry, "playbook": str(REPO / entry["playbook"])} for entry in yaml.safe_load((REPO / "operator" / "watches.yaml").read_text())]
        watches = tmp / "watches.yaml"
        watches.write_text(yaml.safe_dump(entries))
        operator_env = {**os.environ, "KUBECONFIG": str(kubeconfig), "PYTHONPATH": str(REPO / "operator"), "WATCHES_FILE": str(watches),
                        "WATCH_NAMESPACE": "", "LLMOPS_OPERATOR_RUNNER_DIR": str(tmp / "runner")}
        with (tmp / "operator.log").open("wb") as log:
            operator = subprocess.Popen([sys.executable, "-m", "llmops_operator", "--standalone"], cwd=REPO / "operator",
                                        env=operator_env, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(10)  # the operator lists and starts its watches
        pids = {"emulator": server.pid, "operator": operator.pid}
        path = "/api/v1/namespaces/bench/configmaps/bench"
        rows = {"fresh": {"get_ms": get_latency(client, path) * 1000, **idle_cpu(pids, args.idle, url, path, args.ticks)}}
        print(f"fresh: GET {rows['fresh']['get_ms']:.2f} ms, idle CPU-s/min emulator {rows['fresh']['emulator']:.2f}, "
              f"operator {rows['fresh']['operator']:.2f}", flush=True)
        served, chunk = 0, max(args.requests // 10, 1)
        while served < args.requests:
            count = min(chunk, args.requests - served)
            seconds = traffic(client, count, "bench")
            served += count
            print(f"  requests {served - count:>6}-{served:<6}: {seconds / count * 1000:8.2f} ms per request", flush=True)
        rows["after"] = {"get_ms": get_latency(client, path) * 1000, **idle_cpu(pids, args.idle, url, path, args.ticks)}
        print(f"{'':8} {'GET ms':>8} {'emulator CPU-s/min':>19} {'operator CPU-s/min':>19}")
        for name, row in rows.items():
            print(f"{name:8} {row['get_ms']:8.2f} {row['emulator']:19.2f} {row['operator']:19.2f}")
        ratios = {key: rows["after"][key] / max(rows["fresh"][key], 1e-9) for key in ("get_ms", "emulator")}
        print(f"after/fresh: GET x{ratios['get_ms']:.1f}, idle emulator CPU x{ratios['emulator']:.1f}")
        assert operator.poll() is None, (tmp / "operator.log").read_text()[-3000:]
    finally:
        for process in (operator, server):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
