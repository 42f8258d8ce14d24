"""One ansible-runner run of a watch's playbook (or role) for one CR, and what the shim reads back from it.

Each CR has one stable private data dir (``<runner dir>/<kind>/<namespace>/<name>``) with rotated artifacts
(``maxRunnerArtifacts``), as the Operator SDK keeps them. Secrets go in ``envvars`` only and runner is told not
to write env files (``suppress_env_files``), so they never reach the disk.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ansible_runner
import yaml

from llmops_operator.params import camel, write_extravars
from llmops_operator.watches import WatchesError, parse_duration, role_reference

INVALID_SPEC = "invalid spec:"
LICENCE = "needs a LiteLLM Enterprise licence"
# the collection's refusal of what only a newer LiteLLM has (_capabilities.unsupported): "... needs LiteLLM 1.108.0 or
# newer, which this proxy is not (...)"
NEWER_LITELLM = re.compile(r"needs LiteLLM \S+ or newer, which this proxy is not")
REQUEUE_ACTIONS = {"operator_sdk.util.requeue_after", "requeue_after"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LOAD_ERROR = re.compile(r"^(?:\[ERROR\]:|ERROR!)\s*(.*)$")


@dataclasses.dataclass
class Result:
    """What a run produced, scrubbed of the secrets it was given."""

    ok: bool
    status: str
    stats: dict[str, int]
    litellm_status: dict[str, Any]
    failures: list[str]
    drift: list[dict[str, Any]]
    requeue_after: float | None = None  # operator_sdk.util.requeue_after's period, in seconds
    rejected: bool = False  # LiteLLM refused the request as invalid (HTTP 422, its own validation)

    @property
    def permanent(self) -> bool:
        """A task failed with ``invalid spec: ...``, a licence or version refusal or LiteLLM's 422: retrying cannot
        help (until the spec, or the proxy, changes)."""
        return self.invalid_spec or self.licence_required or self.version_required or self.rejected

    @property
    def invalid_spec(self) -> bool:
        return any(f.split(": ", 1)[-1].startswith(INVALID_SPEC) for f in self.failures)

    @property
    def licence_required(self) -> bool:
        """A feature needs LiteLLM Enterprise: retrying cannot help until the licence changes (a spec change)."""
        return any(LICENCE in f for f in self.failures)

    @property
    def version_required(self) -> bool:
        """A field needs a newer LiteLLM than the proxy runs."""
        return any(NEWER_LITELLM.search(f) for f in self.failures)

    @property
    def message(self) -> str:
        return "; ".join(self.failures) or f"ansible-runner finished with status {self.status}"

    def ansible_result(self) -> dict[str, Any]:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {**self.stats, "completion": now}


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "********")
    return text


def _play_for_role(role: Path, gather_facts: bool) -> list[dict[str, Any]]:
    """The play ansible-runner's ``--role`` writes: the role on localhost (by its collection name when it is a
    collection's), facts gathered unless ``gather_facts`` is false."""
    return [{"name": f"Operator role {role.name}", "hosts": "localhost", "gather_facts": gather_facts,
             "roles": [{"role": role_reference(role)}]}]


def prepare(private_dir: Path, extravars: dict[str, Any], playbook: Path | None, role: Path | None,
            gather_facts: bool = False) -> Path:
    """Write inventory, extravars and (for a role) a playbook into ``private_dir``; return the playbook."""
    (private_dir / "inventory").mkdir(parents=True, exist_ok=True)
    (private_dir / "inventory" / "hosts").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    write_extravars(private_dir / "env" / "extravars", extravars)
    if playbook is not None:
        return playbook
    assert role is not None
    generated = private_dir / "project" / "role.yml"
    generated.parent.mkdir(parents=True, exist_ok=True)
    generated.write_text(yaml.safe_dump(_play_for_role(role, gather_facts)))
    return generated


def launcher(directory: Path) -> Path:
    """A folder holding ``ansible-playbook``: a script running launch.py with the operator's Python.

    It goes first on the run's PATH, so that ansible-runner still runs "ansible-playbook" (with its playbook mode
    and event callback) and gets the launcher.
    """
    directory = directory / ".bin"
    script = directory / "ansible-playbook"
    text = f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).with_name("launch.py")}" "$0" "$@"\n'
    if not script.exists() or script.read_text() != text:
        directory.mkdir(parents=True, exist_ok=True)
        script.write_text(text)
        script.chmod(0o755)
    return directory


class WarmStart:
    """The warm start of the runs (warm.py): one process per operator, its socket in a 0700 folder of its own (a
    short path: a Unix socket's is at most 107 bytes). ``env()`` names it to the runs' launcher while it runs;
    without it (not started, or gone), the launcher starts ansible-playbook itself."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="llmops-warm-"))
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("warm.py")), str(self.socket)],
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def socket(self) -> Path:
        assert self.folder is not None
        return self.folder / "s"

    def env(self) -> dict[str, str]:
        if self.process is None or self.process.poll() is not None or not self.socket.exists():
            return {}
        return {"LLMOPS_OPERATOR_WARM_SOCKET": str(self.socket)}

    @property
    def served(self) -> int:
        """How many runs it has started."""
        try:
            return int((self.folder / "served").read_text()) if self.folder is not None else 0
        except (OSError, ValueError):
            return 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def command_line(check: bool, args: str = "", verbosity: int = 0) -> str | None:
    """ansible-playbook's extra arguments: ``--check --diff`` (drift), ``--ansible-args``, ``-v`` x verbosity."""
    words = (["--check", "--diff"] if check else []) + shlex.split(args) + (["-" + "v" * verbosity] if verbosity > 0 else [])
    return " ".join(shlex.quote(word) for word in words) or None


def run(private_dir: Path, playbook: Path, env: dict[str, str], *, check: bool, keep: int,
        launch: Path, public_env: dict[str, str] | None = None, args: str = "", verbosity: int = 0,
        latest: bool = False) -> Result:
    """Run ``playbook`` (prepared by ``prepare``) and parse its events. Blocking: call it from a worker thread.

    ``env`` (URL, master key, Secret values) is handed over in a 0600 file that ``launch`` reads and deletes,
    because ansible-runner writes the environment it is given into the run's artifacts. ``public_env`` holds
    variables that are no secret (the metrics' request log, roles and collections paths, the kubeconfig's path)
    and go to the run as they are. ``latest``: point ``artifacts/latest`` at this run's artifacts (ansible-operator's
    layout).
    """
    fd, secrets_file = tempfile.mkstemp(prefix="llmops-run-", suffix=".json")
    ident = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
    link = private_dir / "artifacts" / "latest"
    # ansible-runner's rotation counts the link as a run (with the newest run's time, so never the one it removes)
    rotate = keep + 1 if link.is_symlink() else keep
    try:
        with os.fdopen(fd, "w") as stream:
            json.dump(env, stream)
        runner = ansible_runner.run(
            private_data_dir=str(private_dir), playbook=str(playbook),
            envvars={**(public_env or {}), "LLMOPS_OPERATOR_SECRETS_FILE": secrets_file,
                     "PATH": os.pathsep.join([str(launch), os.path.dirname(sys.executable), os.environ.get("PATH", "")])},
            cmdline=command_line(check, args, verbosity), quiet=True, suppress_env_files=True,
            rotate_artifacts=rotate, ident=ident,
        )
    finally:
        if os.path.exists(secrets_file):
            os.unlink(secrets_file)
        if latest and (private_dir / "artifacts" / ident).is_dir():
            fresh = link.with_name(f".latest-{ident}")
            fresh.symlink_to(ident)
            fresh.replace(link)  # atomic: ``latest`` always names a finished run
    return parse(runner.events, runner.status or "unknown", [v for k, v in env.items() if k != "LITELLM_PROXY_URL"])


def parse(events: Iterable[dict[str, Any]], status: str, secrets: list[str]) -> Result:
    stats = {"ok": 0, "changed": 0, "skipped": 0, "failures": 0}
    litellm_status: dict[str, Any] = {}
    failures: list[str] = []
    drift: list[dict[str, Any]] = []
    rejected = False
    load_errors: list[str] = []
    requeue: float | None = None
    for event in events:
        data = event.get("event_data", {})
        kind = event.get("event")
        if kind == "verbose" and (found := LOAD_ERROR.match(ANSI.sub("", str(event.get("stdout") or "")).strip())):
            load_errors.append(scrub(found.group(1)[:500], secrets))
        elif kind == "runner_on_ok" and data.get("task_action") in REQUEUE_ACTIONS:
            requeue = _period(data.get("res", {}).get("period"))
        if kind == "runner_on_failed" and not data.get("ignore_errors"):
            failures.append(scrub(f"{data.get('task', '?')}: {_message(data.get('res', {}))}", secrets))
            rejected = rejected or data.get("res", {}).get("status") == 422
        elif kind == "runner_on_unreachable":
            failures.append(scrub(f"{data.get('task', '?')}: host unreachable", secrets))
        elif kind == "runner_on_ok" and data.get("res", {}).get("changed"):
            drift.extend(_diffs(data))
        elif kind == "playbook_on_stats":
            for key, field in (("ok", "ok"), ("changed", "changed"), ("skipped", "skipped"), ("failures", "failures")):
                stats[key] = sum(data.get(field, {}).values())
            stats["failures"] += sum(data.get("dark", {}).values())
            litellm_status = data.get("artifact_data", {}).get("litellm_status", {}) or {}
    ok = status == "successful"  # a failure a block rescued does not fail the run
    if ok:
        failures = []
    elif not failures:
        failures = load_errors or [f"ansible-runner finished with status {status}"]
    return Result(ok, status, stats, litellm_status, failures, drift, requeue, rejected=rejected and not ok)


def _period(value: Any) -> float | None:
    """requeue_after's ``period`` (``30s``, ``1h5m``) in seconds; None when it is not a duration."""
    try:
        return parse_duration(value, "requeue_after.time") or None
    except WatchesError:
        return None


def _message(res: dict[str, Any]) -> str:
    msg = res.get("msg") or res.get("stderr") or res.get("reason") or "failed"
    if res.get("censored"):
        msg = "the output has been hidden (no_log: true)"
    return str(msg).strip().splitlines()[0][:500] if str(msg).strip() else "failed"


def _diffs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{module, field, desired, live}]`` from a changed task's diff (before/after dicts)."""
    res = data.get("res", {})
    diffs = res.get("diff") or []
    module = str(data.get("task_action", "")).rsplit(".", 1)[-1]
    found = []
    for diff in diffs if isinstance(diffs, list) else [diffs]:
        before, after = diff.get("before"), diff.get("after")
        if isinstance(before, dict) and isinstance(after, dict):
            for field in sorted(set(before) | set(after)):
                if before.get(field) != after.get(field):
                    found.append({"module": module, "field": field, "desired": after.get(field), "live": before.get(field)})
        elif before != after:
            found.append({"module": module, "field": None, "desired": after, "live": before})
    return found


def drift_paths(found: list[dict[str, Any]], spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Name each difference by its CR spec path (``spec.maxBudget``) when the field maps to the spec."""
    out = []
    for item in found:
        field = item["field"]
        if field is not None and camel(field) in spec:
            path = f"spec.{camel(field)}"
        elif field is not None and field in spec:
            path = f"spec.{field}"
        else:
            path = f"{item['module']}.{field}" if field is not None else item["module"]
        out.append({"path": path, "desired": item["desired"], "live": item["live"]})
    return out
