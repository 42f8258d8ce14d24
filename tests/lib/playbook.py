"""Run ansible-playbook against this collection and return structured results.

Every test that drives a module or a role goes through here: a real ``ansible-playbook`` process, the collection
found on ``ANSIBLE_COLLECTIONS_PATH``, results read back through the ``ansible.posix.json`` callback. A play that
is nothing but module tasks with literal arguments runs its modules in this process instead (tests/lib/inprocess.py:
the same modules against the same LiteLLM, ~10x less CPU), unless the test asks for ``inprocess=False``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.lib import inprocess as in_process

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".cache" / "collections"
BIN = Path(sys.executable).parent


def ensure_collection_link() -> Path:
    """Expose the working tree as ``ansible_collections/llmops/litellm`` and return the search root."""
    link = COLLECTIONS / "ansible_collections" / "llmops" / "litellm"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(REPO, target_is_directory=True)
    return COLLECTIONS


@dataclasses.dataclass
class PlaybookResult:
    rc: int
    stdout: str
    stderr: str
    plays: list[dict[str, Any]]
    stats: dict[str, dict[str, int]]

    def task(self, name: str, host: str = "localhost") -> dict[str, Any]:
        """The result of the task called ``name`` on ``host`` (the last one, if it ran more than once).

        Tasks of a role are named ``<role> : <name>``; either form matches.
        """
        found = None
        for play in self.plays:
            for task in play["tasks"]:
                full = task["task"]["name"]
                if (full == name or full.endswith(f" : {name}")) and host in task["hosts"]:
                    found = task["hosts"][host]
        if found is None:
            raise KeyError(f"task {name!r} did not run on {host}: rc={self.rc} stderr={self.stderr[-2000:]}")
        return found

    @property
    def changed(self) -> bool:
        return any(s.get("changed", 0) for s in self.stats.values())


def ansible_env(extra: dict[str, str] | None = None, *, json_output: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(ensure_collection_link()),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="true",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_ROLES_PATH=str(REPO / "roles"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    if json_output:
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
        env["ANSIBLE_JSON_INDENT"] = "0"
    if extra:
        env.update(extra)
    return env


def run_playbook(
    playbook: str | Path | list[dict[str, Any]],
    *,
    extra_vars: dict[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    verbosity: int = 0,
    env: dict[str, str] | None = None,
    json_output: bool = True,
    timeout: float = 900,
    started: Callable[[subprocess.Popen], None] | None = None,
    inprocess: bool = True,
) -> PlaybookResult:
    """Run a playbook (a path, or a list of plays written to a temporary file) on localhost.

    With ``json_output`` the stdout callback is ``ansible.posix.json`` and ``plays`` holds its
    structured results; without it, stdout is the default human output (used by the tests that
    scan ``-vvv`` output for secrets). ``started(proc)`` is called once the process runs, in a session of its own
    (the fault matrix kills its process group). With ``inprocess`` a play that tests/lib/inprocess.py can run
    runs there, without ``ansible-playbook``.
    """
    started_at = time.monotonic()
    tasks, how = None, "inprocess=False"
    if inprocess and json_output and not (extra_vars or verbosity or started) and in_process.enabled():
        tasks = in_process.plan(playbook, check=check, diff=diff, env=env)
        how = "in process" if tasks is not None else in_process.last_refusal
    if tasks is not None:
        ensure_collection_link()
        if str(COLLECTIONS) not in sys.path:
            sys.path.insert(0, str(COLLECTIONS))
        result = PlaybookResult(*in_process.run(tasks, env))
    else:
        result = _run_playbook(playbook, extra_vars=extra_vars, check=check, diff=diff, verbosity=verbosity,
                               env=env, json_output=json_output, timeout=timeout, started=started)
    if os.environ.get("LLMOPS_TEST_MODULES_LOG"):  # a line per play: how it ran, its tasks, seconds, why, the test
        count = len(playbook[0].get("tasks") or []) if isinstance(playbook, list) and playbook else "-"
        with open(os.environ["LLMOPS_TEST_MODULES_LOG"], "a", encoding="utf-8") as log:
            log.write("%s\t%s\t%.2f\t%s\t%s\n" % ("inprocess" if tasks is not None else "playbook", count,
                      time.monotonic() - started_at, how, os.environ.get("PYTEST_CURRENT_TEST", "")))
    return result


def _run_playbook(playbook: str | Path | list[dict[str, Any]], *, extra_vars: dict[str, Any] | None, check: bool,
                  diff: bool, verbosity: int, env: dict[str, str] | None, json_output: bool, timeout: float,
                  started: Callable[[subprocess.Popen], None] | None) -> PlaybookResult:
    with tempfile.TemporaryDirectory(prefix="llmops-pb-") as tmp:
        if isinstance(playbook, list):
            path = Path(tmp) / "playbook.yml"
            path.write_text(yaml.safe_dump(playbook, sort_keys=False))
        else:
            path = Path(playbook)
        cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
        if extra_vars:
            vars_file = Path(tmp) / "extra_vars.json"
            vars_file.write_text(json.dumps(extra_vars))
            cmd += ["-e", f"@{vars_file}"]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        with subprocess.Popen(cmd, env=ansible_env(env, json_output=json_output), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=started is not None) as proc:
            if started is not None:
                started(proc)
            try:
                stdout, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
    plays: list[dict[str, Any]] = []
    stats: dict[str, dict[str, int]] = {}
    if json_output and stdout.strip():
        try:
            doc = json.loads(stdout[stdout.index("{"):])
        except ValueError as exc:
            raise AssertionError(f"ansible-playbook printed no JSON (rc={proc.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}") from exc
        plays = doc.get("plays", [])
        stats = doc.get("stats", {})
    return PlaybookResult(proc.returncode, stdout, stderr, plays, stats)


def run_tasks(tasks: list[dict[str, Any]], **kwargs: Any) -> PlaybookResult:
    """Run ``tasks`` in one play on localhost without fact gathering."""
    play = {"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
    if "module_defaults" in kwargs:
        play["module_defaults"] = kwargs.pop("module_defaults")
    return run_playbook([play], **kwargs)
