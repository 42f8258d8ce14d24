"""The README's main job, playbooks/quickstart.yml, and the promises of the role proxy_local that it runs.

The quickstart brings up a gateway (credential-backed model, team, user, virtual key, an A2A agent) and the
printed curl command works through the virtual key; a second run changes nothing (and restarts nothing); check mode reports nothing to
do; ``quickstart_state=absent`` stops every process and keeps the data, and the next run comes back with the same
keys and objects. Every run is the whole quickstart, the way a user runs it: the proxy_local checks that stop and
restart a stack run on the stack it deployed (on free ports in a temporary directory, next to the session's shared
one), so one stack deployment serves both. The second run is the -vvv one, whose output is scanned for secrets.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import yaml

from tests.lib.playbook import REPO, PlaybookResult, run_playbook
from tests.lib.stack import free_port, stack_play

pytestmark = pytest.mark.slow(400)

QUICKSTART = REPO / "playbooks" / "quickstart.yml"
NO_OPENAI = {"OPENAI_API_KEY": ""}


@pytest.fixture(scope="module")
def quickstart_vars() -> Iterator[dict[str, Any]]:
    workdir = Path(tempfile.mkdtemp(prefix="llmops-quickstart-", dir=os.environ.get("LLMOPS_TEST_WORKDIR")))
    workdir.chmod(0o755)
    extra = {"quickstart_dir": str(workdir), "quickstart_venv": str(Path(sys.executable).parent.parent),
             "quickstart_port": free_port(), "proxy_local_postgres_port": free_port()}
    yield extra
    run_playbook(QUICKSTART, extra_vars={**extra, "quickstart_state": "absent", "quickstart_remove_data": True})
    shutil.rmtree(workdir, ignore_errors=True)


def quickstart(quickstart_vars: dict[str, Any], **kwargs: Any) -> PlaybookResult:
    """One run of the quickstart (``state``: quickstart_state)."""
    state = {"quickstart_state": kwargs.pop("state")} if "state" in kwargs else {}
    return run_playbook(QUICKSTART, extra_vars={**quickstart_vars, **state}, env=NO_OPENAI, **kwargs)


@pytest.fixture(scope="module")
def first_run(quickstart_vars: dict[str, Any]) -> PlaybookResult:
    result = quickstart(quickstart_vars)
    assert result.rc == 0, result.stdout[-4000:]
    return result


@pytest.fixture(scope="module")
def workdir(first_run: PlaybookResult, quickstart_vars: dict[str, Any]) -> Path:
    return Path(quickstart_vars["quickstart_dir"])


@pytest.fixture(scope="module")
def role_vars(quickstart_vars: dict[str, Any]) -> dict[str, Any]:
    """The role's own variables the quickstart ran it with (for plays of the role alone)."""
    return {"proxy_local_port": quickstart_vars["quickstart_port"],
            "proxy_local_postgres_port": quickstart_vars["proxy_local_postgres_port"]}


@pytest.fixture(scope="module")
def second_run(first_run: PlaybookResult, quickstart_vars: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """The second run, at -vvv (its output is scanned for secrets), with the processes before and after it."""
    before = pids(workdir)
    result = quickstart(quickstart_vars, verbosity=3, json_output=False)
    return {"result": result, "before": before, "after": pids(workdir)}


def pids(workdir: Path) -> dict[str, int | None]:
    def read(path: Path) -> int | None:
        try:
            pid = int(path.read_text().split()[0])
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError, IndexError):
            return None

    return {
        "proxy": read(workdir / "run" / "litellm.pid"),
        "postgres": read(workdir / "data" / "postgresql" / "postmaster.pid"),
    }


def api(quickstart_vars: dict[str, Any], workdir: Path, method: str, path: str, **kwargs: Any) -> requests.Response:
    key = (workdir / "secrets" / "master_key").read_text().strip()
    return requests.request(method, f"http://127.0.0.1:{quickstart_vars['quickstart_port']}{path}",
                            headers={"Authorization": f"Bearer {key}"}, timeout=60, **kwargs)


def changed_tasks(text: str) -> list[str]:
    """The tasks that reported a change in ansible-playbook's human output."""
    changed, task = [], None
    for line in text.splitlines():
        if line.startswith("TASK ["):
            task = line[6:line.index("]")]
        elif line.startswith("changed: ") and task:
            changed.append(task)
    return changed


def test_quickstart_up_and_chat(first_run: PlaybookResult, workdir: Path) -> None:
    secrets = workdir / "secrets"
    for secret in ("master_key", "quickstart-key"):
        value = (secrets / secret).read_text().strip()
        assert value and value not in first_run.stdout and value not in first_run.stderr, f"{secret} was printed"
    assert oct((secrets / "quickstart-key").stat().st_mode & 0o777) == "0o600"

    curl = next(line for line in first_run.task("How to use it")["msg"] if line.startswith("curl "))
    answer = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=60, check=True)
    assert "Hello from LiteLLM" in answer.stdout, answer.stdout
    agent = first_run.task("An A2A agent fronted by the gateway (LiteLLM calls its URL only when a client sends it a task)")
    assert agent["changed"] is True and agent["agent"]["agent_name"] == "quickstart-agent"
    assert agent["agent"]["public"] is False and agent["agent"]["rpm_limit"] == 60
    fronted = next(line for line in first_run.task("How to use it")["msg"] if line.startswith("A2A agent"))
    assert fronted.endswith("/a2a/" + agent["agent"]["agent_id"])


def test_healthy_and_reports_its_start_time(first_run: PlaybookResult, quickstart_vars: dict[str, Any],
                                            workdir: Path) -> None:
    """The role waited for health within its own limit (proxy_local_start_timeout) and says how long it took; the
    time itself depends on the machine's load and is only printed (a timed assertion would be flaky)."""
    assert api(quickstart_vars, workdir, "GET", "/health/liveliness").status_code == 200
    timeout = yaml.safe_load((REPO / "roles" / "proxy_local" / "defaults" / "main.yml").read_text())["proxy_local_start_timeout"]
    seconds = json.loads(first_run.task("Run the proxy as a background process")["stdout"]).get("seconds_to_healthy")
    assert seconds is not None and 0 < seconds <= timeout
    print(f"proxy start to healthy: {seconds} s")


def test_second_run_changes_nothing(second_run: dict[str, Any]) -> None:
    result = second_run["result"]
    assert result.rc == 0, result.stdout[-3000:]
    recap = re.search(r"^localhost\s+:.*\bchanged=(\d+)", result.stdout, re.MULTILINE)
    assert recap, result.stdout[-3000:]
    assert int(recap.group(1)) == 0, changed_tasks(result.stdout)
    assert second_run["after"] == second_run["before"] and all(second_run["before"].values())


def test_check_mode_reports_nothing_to_do(first_run: PlaybookResult, quickstart_vars: dict[str, Any]) -> None:
    result = quickstart(quickstart_vars, check=True, diff=True)
    assert result.rc == 0, result.stdout[-3000:]
    assert result.stats["localhost"]["changed"] == 0, [
        t["task"]["name"] for p in result.plays for t in p["tasks"] if t["hosts"]["localhost"].get("changed")
    ]


def test_secrets_are_private_files_and_never_printed(second_run: dict[str, Any], workdir: Path) -> None:
    for name in ("master_key", "salt_key", "postgres_password", "litellm.env", "quickstart-key"):
        mode = stat.S_IMODE((workdir / "secrets" / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)}"
    assert stat.S_IMODE((workdir / "secrets").stat().st_mode) == 0o700
    for name, generated in (("master_key", r"sk-[0-9a-f]{48}\n"), ("salt_key", r"sk-[0-9a-f]{48}\n"),
                            ("postgres_password", r"[A-Za-z0-9]{32}\n")):
        assert re.fullmatch(generated, (workdir / "secrets" / name).read_text()), f"{name} is not as generated"
    assert (workdir / "secrets" / "master_key").read_text() != (workdir / "secrets" / "salt_key").read_text()
    result = second_run["result"]
    assert result.rc == 0 and "TASK [How to use it]" in result.stdout
    secrets = [(workdir / "secrets" / n).read_text().strip() for n in ("master_key", "salt_key", "postgres_password",
                                                                       "quickstart-key")]
    for secret in secrets:
        assert secret not in result.stdout and secret not in result.stderr
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    for secret in secrets:
        assert secret not in ps, "a secret is visible on a process command line"


def test_absent_stops_everything_and_keeps_data(second_run: dict[str, Any], quickstart_vars: dict[str, Any],
                                                workdir: Path) -> None:
    alias = f"survives-restart-{os.getpid()}"
    created = api(quickstart_vars, workdir, "POST", "/team/new", json={"team_alias": alias})
    assert created.status_code == 200, created.text
    master_key = (workdir / "secrets" / "master_key").read_text().strip()
    running = pids(workdir)
    assert all(running.values())

    down = quickstart(quickstart_vars, state="absent")
    assert down.rc == 0, down.stdout[-3000:]
    assert down.stats["localhost"]["changed"] > 0
    ps = subprocess.run(["ps", "-eo", "pid,stat,args"], capture_output=True, text=True, check=True).stdout
    survivors = [
        line for line in ps.splitlines()[1:]
        if not line.split()[1].startswith("Z")  # a zombie has exited; its parent just has not reaped it yet
        and (str(workdir) in line or line.split()[0] in map(str, running.values()))
    ]
    assert not survivors, f"processes of the stack outlived state=absent: {survivors}"
    assert sorted(p.name for p in workdir.iterdir()) == ["data", "secrets"]

    again = quickstart(quickstart_vars, state="absent")
    assert again.rc == 0 and again.stats["localhost"]["changed"] == 0

    up = quickstart(quickstart_vars)
    assert up.rc == 0, up.stdout[-3000:]
    assert (workdir / "secrets" / "master_key").read_text().strip() == master_key
    teams = [t["team_alias"] for t in api(quickstart_vars, workdir, "GET", "/team/list").json()]
    assert alias in teams and "quickstart-team" in teams


def test_check_mode_on_a_fresh_host_predicts_and_creates_nothing(role_vars: dict[str, Any], tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    result = run_playbook(stack_play(fresh, "present", **dict(role_vars, proxy_local_venv=str(fresh / "venv"))), check=True)
    assert result.rc == 0, result.stdout[-3000:]
    assert result.stats["localhost"]["changed"] > 0
    assert not fresh.exists(), "check mode wrote to the host"
