"""The LiteLLM stack the tests run against: how it is deployed (through roles/proxy_local) and reached.

The stack runs the pinned LiteLLM of .venv, or the LiteLLM release LLMOPS_TEST_LITELLM_VERSION names (the tier of
another version, ``make test-litellm-1.110``: see ``litellm_version_vars``).

One test run (all its xdist workers) shares one stack and one premium twin: ``SharedStacks`` is made by the
run's main process (the xdist controller, or pytest itself without xdist) in ``pytest_configure``, which also
serves the upstream of the stack's ``upstream-echo`` model for the whole run. Its directory reaches the workers
through ``LLMOPS_TEST_SHARED_DIR``; the first worker that needs a stack starts it under a file lock and writes
where it runs, the others read that, and the main process removes the stacks in ``pytest_unconfigure``, once
every worker is done.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.lib.playbook import REPO, run_playbook
from tests.lib.upstream import UpstreamServer

SHARED_DIR_ENV = "LLMOPS_TEST_SHARED_DIR"
SHARED_UPSTREAM_ENV = "LLMOPS_TEST_SHARED_UPSTREAM"
LITELLM_VERSION_ENV = "LLMOPS_TEST_LITELLM_VERSION"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class LiteLLMProxy:
    url: str
    master_key: str = dataclasses.field(repr=False)  # never in a repr (assertion messages, logs)
    upstream: UpstreamServer
    workdir: Path | None = None
    start_seconds: float | None = None

    @property
    def upstream_url(self) -> str:
        return self.upstream.url

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the proxy's REST API with the master key (for tests to check what the modules did)."""
        headers = {"Authorization": f"Bearer {self.master_key}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)


@functools.cache
def litellm_version_vars() -> dict[str, Any]:
    """The role variables that run the stack on the LiteLLM release LLMOPS_TEST_LITELLM_VERSION names instead of
    .venv's (none when it is unset): the virtualenv scripts/litellm-routes makes once for that release (litellm and
    the requirements of its proxy extra that PyPI serves), and the role's packages with ``litellm`` itself for
    ``litellm[proxy]``, whose extra may pin releases PyPI does not serve (1.110.2's does: docs/litellm-versions.md).
    """
    version = os.environ.get(LITELLM_VERSION_ENV)
    if not version:
        return {}
    made = subprocess.run([sys.executable, str(REPO / "scripts" / "litellm-routes"), "--venv", version],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise AssertionError(f"no virtualenv with litellm {version} ({LITELLM_VERSION_ENV}):\n{made.stderr[-3000:]}")
    python = Path(made.stdout.strip().splitlines()[-1])
    defaults = yaml.safe_load((REPO / "roles" / "proxy_local" / "defaults" / "main.yml").read_text())
    packages = [f"litellm=={version}" if p.startswith("litellm[proxy]") else p for p in defaults["proxy_local_packages"]]
    # 300 s to start: the first tier run's proxy printed nothing within the role's default 120 s on a loaded machine
    return {"proxy_local_venv": str(python.parent.parent), "proxy_local_litellm_version": version,
            "proxy_local_packages": packages, "proxy_local_start_timeout": 300}


def stack_play(workdir: Path, state: str, **role_vars: Any) -> list[dict[str, Any]]:
    return [{
        "name": f"LiteLLM stack for the tests ({state})",
        "hosts": "localhost",
        "gather_facts": False,
        "roles": [{"role": "llmops.litellm.proxy_local", "vars": {
            "proxy_local_state": state,
            "proxy_local_dir": str(workdir),
            "proxy_local_venv": sys.prefix,
            **litellm_version_vars(),
            **role_vars,
        }}],
    }]


def stack_models(upstream: UpstreamServer | str) -> dict[str, Any]:
    """The stack's models; ``upstream-echo`` chats with ``upstream`` (a server or its URL)."""
    url = upstream if isinstance(upstream, str) else upstream.url
    return {"model_list": [
        {"model_name": "mock-gpt", "litellm_params": {"model": "openai/gpt-4o", "mock_response": "hello from mock", "api_key": "not-used"}},
        {"model_name": "upstream-echo", "litellm_params": {
            "model": "openai/upstream-echo", "api_base": url, "api_key": "os.environ/UPSTREAM_API_KEY",
        }},
    ]}


@dataclasses.dataclass(frozen=True)
class Deployed:
    """A stack deployed by proxy_local: where it runs and the (secret-free) variables it was deployed with."""

    url: str
    workdir: Path
    role_vars: dict[str, Any]
    start_seconds: float | None = None

    @property
    def master_key(self) -> str:
        return (self.workdir / "secrets" / "master_key").read_text().strip()

    def to_json(self) -> str:
        return json.dumps({**dataclasses.asdict(self), "workdir": str(self.workdir)})

    @classmethod
    def from_json(cls, text: str) -> Deployed:
        data = json.loads(text)
        return cls(**{**data, "workdir": Path(data["workdir"])})


def _workdir(prefix: str) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("LLMOPS_TEST_WORKDIR")))
    workdir.chmod(0o755)
    return workdir


def deploy_stack(upstream_url: str) -> Deployed:
    """LiteLLM + an embedded PostgreSQL through proxy_local on free ports (removed again if it fails to start)."""
    workdir = _workdir("llmops-stack-")
    port = free_port()
    role_vars = {
        "proxy_local_port": port,
        "proxy_local_postgres_port": free_port(),
        "proxy_local_config": stack_models(upstream_url),
        "proxy_local_environment": {"UPSTREAM_API_KEY": "upstream-test-key"},
    }
    return _deploy(workdir, role_vars, "proxy_local")


def deploy_premium(first: Deployed, upstream_url: str) -> Deployed:
    """The premium twin of ``first`` (see the ``litellm_proxy_premium`` fixture)."""
    workdir = _workdir("llmops-premium-")
    return _deploy(workdir, {"proxy_local_port": free_port(), "proxy_local_config": stack_models(upstream_url),
                             "_first": str(first.workdir)}, "proxy_local (premium twin)")


def _role_vars(deployed_vars: dict[str, Any]) -> dict[str, Any]:
    """The role's variables: a premium twin's secrets (the first stack's database URL and keys) read from its files."""
    role_vars = {key: value for key, value in deployed_vars.items() if not key.startswith("_")}
    if "_first" not in deployed_vars:
        return role_vars
    secrets = Path(deployed_vars["_first"]) / "secrets"
    pg_port = (Path(deployed_vars["_first"]) / "data" / "postgresql" / "postmaster.pid").read_text().splitlines()[3]
    return role_vars | {
        "proxy_local_database_url": "postgresql://postgres:%s@127.0.0.1:%s/litellm" % (
            (secrets / "postgres_password").read_text().strip(), pg_port),
        "proxy_local_master_key": (secrets / "master_key").read_text().strip(),
        "proxy_local_salt_key": (secrets / "salt_key").read_text().strip(),
        "proxy_local_environment": {"UPSTREAM_API_KEY": "upstream-test-key", "PYTHONPATH": str(REPO / "tests" / "lib" / "premium")},
    }


def _deploy(workdir: Path, deployed_vars: dict[str, Any], what: str) -> Deployed:
    result = run_playbook(stack_play(workdir, "present", **_role_vars(deployed_vars)))
    deployed = Deployed(f"http://127.0.0.1:{deployed_vars['proxy_local_port']}", workdir, deployed_vars)
    if result.rc != 0:
        remove_stack(deployed)
        raise AssertionError(f"{what} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    started = json.loads(result.task("Run the proxy as a background process")["stdout"])
    return dataclasses.replace(deployed, start_seconds=started.get("seconds_to_healthy"))


def remove_stack(deployed: Deployed) -> None:
    """proxy_local state=absent with its data, then the directory."""
    down = run_playbook(stack_play(deployed.workdir, "absent", proxy_local_remove_data=True, **_role_vars(deployed.role_vars)))
    if down.rc != 0:
        print(f"proxy_local absent failed:\n{down.stdout[-3000:]}", file=sys.stderr)
    shutil.rmtree(deployed.workdir, ignore_errors=True)


class SharedStacks:
    """The stacks of one test run, shared by its processes (see the module's docstring)."""

    ORDER = ("premium", "stack")  # removal order: the twin uses the first stack's database

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def from_env(cls) -> SharedStacks | None:
        directory = os.environ.get(SHARED_DIR_ENV)
        return cls(Path(directory)) if directory else None

    @staticmethod
    def upstream_url() -> str:
        return os.environ[SHARED_UPSTREAM_ENV]

    def get(self, name: str, deploy: Callable[[], Deployed]) -> Deployed:
        """The run's stack ``name``: deployed by the first process that asks, under a lock; a failure is remembered."""
        record, failed = self.directory / f"{name}.json", self.directory / f"{name}.failed"
        with self._lock(name):
            if record.exists():
                return Deployed.from_json(record.read_text())
            if failed.exists():
                raise AssertionError(f"another test process failed to start the shared {name}:\n{failed.read_text()}")
            try:
                deployed = deploy()
            except BaseException as exc:
                failed.write_text(str(exc))
                raise
            record.write_text(deployed.to_json())
            return deployed

    @contextlib.contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        with (self.directory / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def remove_all(self) -> None:
        for name in self.ORDER:
            record = self.directory / f"{name}.json"
            if record.exists():
                remove_stack(Deployed.from_json(record.read_text()))
        shutil.rmtree(self.directory, ignore_errors=True)
