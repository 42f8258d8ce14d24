"""The README's main job: playbooks/quickstart.yml brings up a gateway (credential-backed model, team, user,
virtual key, an A2A agent), a second run changes nothing, the printed curl command works through the virtual key, and
quickstart_state=absent takes it down.

It deploys its own stack (on free ports in a temporary directory) next to the session's one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.lib.playbook import REPO, run_playbook
from tests.lib.stack import free_port

QUICKSTART = REPO / "playbooks" / "quickstart.yml"


@pytest.fixture(scope="module")
def quickstart_vars():
    workdir = Path(tempfile.mkdtemp(prefix="llmops-quickstart-", dir=os.environ.get("LLMOPS_TEST_WORKDIR")))
    workdir.chmod(0o755)
    extra = {"quickstart_dir": str(workdir), "quickstart_venv": str(Path(sys.executable).parent.parent),
             "quickstart_port": free_port(), "proxy_local_postgres_port": free_port()}
    yield extra
    run_playbook(QUICKSTART, extra_vars={**extra, "quickstart_state": "absent", "quickstart_remove_data": True})
    shutil.rmtree(workdir, ignore_errors=True)


def test_quickstart_up_twice_and_down(quickstart_vars) -> None:
    first = run_playbook(QUICKSTART, extra_vars=quickstart_vars, env={"OPENAI_API_KEY": ""})
    assert first.rc == 0, first.stdout[-4000:]
    secrets = Path(quickstart_vars["quickstart_dir"]) / "secrets"
    for secret in ("master_key", "quickstart-key"):
        value = (secrets / secret).read_text().strip()
        assert value and value not in first.stdout and value not in first.stderr, f"{secret} was printed"
    assert oct((secrets / "quickstart-key").stat().st_mode & 0o777) == "0o600"

    curl = next(line for line in first.task("How to use it")["msg"] if line.startswith("curl "))
    answer = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=60, check=True)
    assert "Hello from LiteLLM" in answer.stdout, answer.stdout
    agent = first.task("An A2A agent fronted by the gateway (LiteLLM calls its URL only when a client sends it a task)")
    assert agent["changed"] is True and agent["agent"]["agent_name"] == "quickstart-agent"
    assert agent["agent"]["public"] is False and agent["agent"]["rpm_limit"] == 60
    fronted = next(line for line in first.task("How to use it")["msg"] if line.startswith("A2A agent"))
    assert fronted.endswith("/a2a/" + agent["agent"]["agent_id"])

    second = run_playbook(QUICKSTART, extra_vars=quickstart_vars, env={"OPENAI_API_KEY": ""})
    assert second.rc == 0
    assert second.stats["localhost"]["changed"] == 0, [
        t["task"]["name"] for p in second.plays for t in p["tasks"] if t["hosts"]["localhost"].get("changed")
    ]

    down = run_playbook(QUICKSTART, extra_vars={**quickstart_vars, "quickstart_state": "absent"})
    assert down.rc == 0, down.stdout[-3000:]
    assert down.stats["localhost"]["changed"] > 0
