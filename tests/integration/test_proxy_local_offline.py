"""proxy_local deploys with no network at all, from an offline bundle.

The bundle is made by ``playbooks/offline_bundle.yml`` (on this machine, with network). The role then runs
inside a new network namespace that has only loopback, into a fresh directory with a fresh virtual environment
and an empty HOME (no pip, npm or prisma-client-py caches), so pip, npm and ``prisma generate`` can only
succeed from the bundle. The proxy listens on loopback inside that namespace, so every check runs there too.

How the namespace is entered: one worker thread calls unshare(CLONE_NEWNET) and brings ``lo`` up. A network
namespace belongs to a thread, and the processes a thread starts inherit it, so ``run_playbook`` and the HTTP
checks submitted to that thread run inside the namespace (ansible-playbook, pip, npm, node, PostgreSQL and the
proxy included), while the rest of the test process stays outside. Needs root (CAP_SYS_ADMIN); skipped otherwise.
"""

from __future__ import annotations

import concurrent.futures
import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

from tests.lib.playbook import REPO, run_playbook

pytestmark = pytest.mark.slow(290)

# Ports inside the namespace: nothing else listens there, so fixed ports cannot collide.
PROXY_PORT = 4000
POSTGRES_PORT = 5433
MODELS = {"model_list": [{
    "model_name": "mock-gpt",
    "litellm_params": {"model": "openai/gpt-4o", "mock_response": "hello from an air-gapped proxy", "api_key": "not-used"},
}]}


def _loopback_up() -> None:
    """ip link set lo up, without iproute2: SIOCGIFFLAGS / SIOCSIFFLAGS on a socket of this namespace."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, siocgifflags, struct.pack("16sH14x", b"lo", 0)))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))


class NetworkNamespace:
    """A worker thread in a new network namespace with only loopback up; what it runs, and starts, is inside."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="netns")
        try:
            self.inode = self.run(self._enter)
        except BaseException:
            self._pool.shutdown()
            raise

    @staticmethod
    def _enter() -> int:
        os.unshare(os.CLONE_NEWNET)
        _loopback_up()
        return os.stat("/proc/thread-self/ns/net").st_ino

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._pool.submit(func, *args, **kwargs).result()

    def pids(self) -> list[int]:
        """Processes (not this test's own) whose network namespace is this one."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if (entry / "ns" / "net").stat().st_ino == self.inode:
                        found.append(int(entry.name))
                except OSError:
                    pass
        return found

    def close(self) -> list[int]:
        """Kill whatever still runs in the namespace (it then disappears) and stop the thread. Returns the pids killed."""
        deadline = time.monotonic() + 5  # processes that were stopped may take a moment to exit
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers = self.pids()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.pids():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 10
            while self.pids() and time.monotonic() < deadline:
                time.sleep(0.2)
        self._pool.shutdown()
        return leftovers


def _seconds(start: float) -> float:
    return round(time.monotonic() - start, 1)


@pytest.fixture(scope="module")
def netns(workdir: Path) -> Iterator[NetworkNamespace]:  # after workdir: its processes die before it is removed
    try:
        namespace = NetworkNamespace()
    except (PermissionError, AttributeError) as exc:
        pytest.skip(f"cannot create a network namespace here (needs root / CAP_SYS_ADMIN and Python 3.12): {exc}")
    try:
        yield namespace
    finally:
        leftovers = namespace.close()
        assert not leftovers, f"processes were still running in the namespace after state=absent: {leftovers}"


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="llmops-offline-", dir=os.environ.get("LLMOPS_TEST_WORKDIR")))
    path.chmod(0o755)  # the embedded PostgreSQL runs as an unprivileged user and needs to reach the venv
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, float]]:
    measured: dict[str, float] = {}
    yield measured
    print(f"\noffline proxy_local timings (s): {json.dumps(measured)}")


@pytest.fixture(scope="module")
def bundle(netns: NetworkNamespace, workdir: Path, timings: dict[str, float]) -> Path:
    """The offline bundle, made outside the namespace (this is the connected machine)."""
    path = workdir / "bundle"
    start = time.monotonic()
    result = run_playbook(REPO / "playbooks" / "offline_bundle.yml", extra_vars={"offline_bundle_dir": str(path)})
    timings["bundle_build"] = _seconds(start)
    assert result.rc == 0, f"offline_bundle.yml failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    timings["bundle_mb"] = round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)
    return path


def _play(workdir: Path, bundle: Path, state: str, **role_vars: Any) -> list[dict[str, Any]]:
    return [{
        "name": f"proxy_local from an offline bundle ({state})",
        "hosts": "localhost",
        "gather_facts": False,
        "roles": [{"role": "llmops.litellm.proxy_local", "vars": {
            "proxy_local_state": state,
            "proxy_local_dir": str(workdir / "stack"),  # the venv is the role's own, new: <dir>/venv
            "proxy_local_python": os.path.realpath(sys._base_executable),  # pylint: disable=protected-access
            "proxy_local_offline_bundle": str(bundle),
            "proxy_local_port": PROXY_PORT,
            "proxy_local_postgres_port": POSTGRES_PORT,
            "proxy_local_config": MODELS,
            "proxy_local_environment": {"UPSTREAM_API_KEY": "not-used"},  # the second run is idempotent with one too
            **role_vars,
        }}],
    }]


@pytest.fixture(scope="module")
def deployed(netns: NetworkNamespace, workdir: Path, bundle: Path, timings: dict[str, float]) -> Iterator[dict[str, Any]]:
    """proxy_local run inside the namespace, with an empty HOME; state=absent afterwards, also on failure."""
    home = workdir / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    try:
        start = time.monotonic()
        result = netns.run(run_playbook, _play(workdir, bundle, "present"), env=env)
        timings["offline_deploy"] = _seconds(start)
        assert result.rc == 0, f"proxy_local failed offline:\n{result.stdout[-8000:]}\n{result.stderr[-3000:]}"
        started = json.loads(result.task("Run the proxy as a background process")["stdout"])
        timings["proxy_start_to_healthy"] = started["seconds_to_healthy"]
        yield {"result": result, "stack": workdir / "stack", "home": home, "env": env,
               "key": (workdir / "stack" / "secrets" / "master_key").read_text().strip()}
    finally:
        start = time.monotonic()
        down = netns.run(run_playbook, _play(workdir, bundle, "absent", proxy_local_remove_data=True), env=env)
        timings["offline_absent"] = _seconds(start)
        if down.rc != 0:
            print(f"proxy_local absent failed:\n{down.stdout[-3000:]}", file=sys.stderr)


def _no_way_out(public_address: str | None) -> dict[str, Any]:
    """Runs inside the namespace: what networking it has."""
    interfaces = [line.split(":")[0].strip() for line in Path("/proc/thread-self/net/dev").read_text().splitlines()[2:]]
    routes = Path("/proc/thread-self/net/route").read_text().splitlines()[1:]
    attempts = {}
    for host in filter(None, ["pypi.org", "registry.npmjs.org", public_address]):
        try:
            socket.create_connection((host, 443), timeout=5).close()
            attempts[host] = "connected"
        except OSError as exc:
            attempts[host] = f"{type(exc).__name__}: {exc}"
    return {"interfaces": interfaces, "ipv4_routes": routes, "attempts": attempts}


def test_the_namespace_has_no_network(netns: NetworkNamespace) -> None:
    try:  # an address of PyPI as seen from outside, to try without DNS too
        public = socket.getaddrinfo("pypi.org", 443, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    except OSError:
        public = None
    inside = netns.run(_no_way_out, public)
    assert inside["interfaces"] == ["lo"], inside
    assert inside["ipv4_routes"] == [], inside
    assert not [host for host, outcome in inside["attempts"].items() if outcome == "connected"], inside
    assert os.stat("/proc/thread-self/ns/net").st_ino != netns.inode, "the test itself must stay outside"


def test_everything_came_from_the_bundle(deployed: dict[str, Any], bundle: Path) -> None:
    result, stack = deployed["result"], deployed["stack"]
    pip = result.task("Install LiteLLM and its runtime in the virtual environment")
    assert pip["changed"], "the virtual environment must be new"
    assert f"Looking in links: {bundle}/wheels" in pip["stdout"], pip["stdout"][:2000]
    assert "Looking in indexes" not in pip["stdout"]
    assert result.task("Install the WASM Prisma engine's npm packages")["changed"]
    assert (stack / "lib" / "prisma_engine" / "node_modules" / "@prisma" / "query-engine-wasm" / "package.json").is_file()
    assert json.loads(result.task("Generate the Prisma client for LiteLLM's schema")["stdout"])["changed"]
    assert (stack / "lib" / "prisma-cli" / "node_modules" / "prisma" / "build" / "index.js").is_file()
    assert not (deployed["home"] / ".cache" / "prisma-python").exists(), "the Prisma CLI went to HOME, not the role's cache"
    generated = list((stack / "venv" / "lib").glob("python3.*/site-packages/prisma/llmops_generated_schema.sha256"))
    assert generated, "prisma generate did not write the client into the new virtual environment"


def test_second_offline_run_changes_nothing(deployed: dict[str, Any], netns: NetworkNamespace, workdir: Path,
                                            bundle: Path, timings: dict[str, float]) -> None:
    start = time.monotonic()
    again = netns.run(run_playbook, _play(workdir, bundle, "present"), env=deployed["env"])
    timings["offline_second_run"] = _seconds(start)
    assert again.rc == 0, again.stdout[-3000:]
    assert again.stats["localhost"]["changed"] == 0, [
        t["task"]["name"] for p in again.plays for t in p["tasks"] if t["hosts"]["localhost"].get("changed")
    ]


def _use_the_proxy(key: str) -> dict[str, Any]:
    """Runs inside the namespace: the proxy's health, a team and a chat completion."""
    url = f"http://127.0.0.1:{PROXY_PORT}"
    with requests.Session() as http:
        http.trust_env = False
        http.headers["Authorization"] = f"Bearer {key}"
        health = http.get(f"{url}/health/liveliness", timeout=30)
        team = http.post(f"{url}/team/new", json={"team_alias": "air-gapped"}, timeout=60)
        chat = http.post(f"{url}/v1/chat/completions", timeout=60, json={
            "model": "mock-gpt", "messages": [{"role": "user", "content": "anyone out there?"}]})
    return {name: (r.status_code, r.text) for name, r in {"health": health, "team": team, "chat": chat}.items()}


def test_the_proxy_works_offline(deployed: dict[str, Any], netns: NetworkNamespace) -> None:
    answers = netns.run(_use_the_proxy, deployed["key"])
    assert answers["health"][0] == 200, answers["health"]
    assert answers["team"][0] == 200, answers["team"]
    assert json.loads(answers["team"][1])["team_alias"] == "air-gapped"
    assert answers["chat"][0] == 200, answers["chat"]
    assert json.loads(answers["chat"][1])["choices"][0]["message"]["content"] == "hello from an air-gapped proxy"
