"""The runs' warm start (operator/llmops_operator/warm.py, runner.WarmStart): a run forked from it is a run like any
other to ansible-runner (output, events, status, the secrets in the environment only), a launcher killed mid-run
takes its run with it, a launcher that finds no warm start runs ansible-playbook itself, and what it preloads reads
no Ansible configuration."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import psutil
import yaml
from llmops_operator import runner

from tests.lib.playbook import COLLECTIONS
from tests.operator.conftest import wait_for

SECRET = "sk-warm-start-not-a-real-key"


def play(tmp_path: Path, tasks: list[dict[str, Any]]) -> tuple[Path, Path]:
    private = tmp_path / "private"
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump([{"name": "warm", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    return private, runner.prepare(private, {}, path, None)


def run(tmp_path: Path, tasks: list[dict[str, Any]], warm: dict[str, str]) -> runner.Result:
    private, playbook = play(tmp_path, tasks)
    return runner.run(private, playbook, {"LLMOPS_TEST_WARM_SECRET": SECRET}, check=False, keep=5,
                      launch=runner.launcher(tmp_path), public_env={"ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), **warm})


TASKS = [
    {"name": "the secret reaches the run", "ansible.builtin.assert": {
        "that": ["lookup('ansible.builtin.env', 'LLMOPS_TEST_WARM_SECRET') == '%s'" % SECRET], "quiet": True}},
    {"name": "the working folder is the run's", "ansible.builtin.assert": {
        "that": ["lookup('ansible.builtin.pipe', 'pwd') | length > 0"], "quiet": True}},
    {"name": "stats", "ansible.builtin.set_stats": {"data": {"litellm_status": {"said": "hello"}}, "per_host": False}},
    {"name": "fails", "ansible.builtin.fail": {"msg": "failed on purpose"}},
]


def test_a_run_from_the_warm_start_is_what_ansible_runner_always_saw(tmp_path: Path) -> None:
    warm = runner.WarmStart()
    warm.start()
    try:
        wait_for(warm.env, "the warm start to listen (its imports take a second)")
        warmed = run(tmp_path / "warm", TASKS, warm.env())
        assert warm.served == 1
    finally:
        warm.stop()
    cold = run(tmp_path / "cold", TASKS, {})
    for result in (warmed, cold):
        assert result.status == "failed" and not result.ok
        assert result.failures == ["fails: failed on purpose"]
        assert result.stats == {"ok": 3, "changed": 0, "skipped": 0, "failures": 1}
    assert warmed.litellm_status == cold.litellm_status == {"said": "hello"}
    artifacts = [p for p in (tmp_path / "warm" / "private" / "artifacts").rglob("*") if p.is_file()]
    assert artifacts and not any(SECRET in p.read_text(errors="replace") for p in artifacts)
    assert "failed on purpose" in next((tmp_path / "warm" / "private" / "artifacts").glob("*/stdout")).read_text()


def test_a_killed_launcher_takes_its_run_with_it(tmp_path: Path) -> None:
    warm = runner.WarmStart()
    warm.start()
    try:
        wait_for(warm.env, "the warm start to listen")
        marker = tmp_path / "started"
        tasks = [{"name": "sleep", "ansible.builtin.shell": f"touch {marker} && exec sleep 300"}]
        outcome: list[runner.Result] = []
        thread = threading.Thread(target=lambda: outcome.append(run(tmp_path, tasks, warm.env())))
        thread.start()
        wait_for(marker.exists, "the run to start its task")
        zygote = psutil.Process(warm.process.pid)
        [child] = zygote.children()  # the run, forked from the warm start
        family = [child, *child.children(recursive=True)]
        launcher = next(p for p in psutil.Process().children(recursive=True) if "launch.py" in " ".join(p.cmdline()))
        launcher.send_signal(signal.SIGKILL)
        thread.join(120)
        assert outcome and not outcome[0].ok
        _gone, alive = psutil.wait_procs(family, timeout=60)
        assert not alive, f"still running after their launcher was killed: {[p.cmdline() for p in alive]}"
    finally:
        warm.stop()


def test_without_a_warm_start_the_launcher_runs_ansible_playbook_itself(tmp_path: Path) -> None:
    result = run(tmp_path, TASKS[:1], {"LLMOPS_OPERATOR_WARM_SOCKET": str(tmp_path / "nobody-listens")})
    assert result.ok, result.failures


def test_what_the_warm_start_preloads_reads_no_ansible_configuration() -> None:
    """ansible.constants reads the configuration when it is imported: in the warm start it would be the operator's,
    not the run's. (warm.py also refuses to serve if it happens.)"""
    code = ("import importlib, sys\nfrom llmops_operator.warm import PRELOAD\nfor name in PRELOAD:\n"
            "    importlib.import_module(name)\nprint(len(sys.modules), 'ansible.constants' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(Path(runner.__file__).parents[1]))
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    loaded, constants = found.stdout.split()
    assert constants == "False" and int(loaded) > 300
