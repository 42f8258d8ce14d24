"""``molecule test -s default``: the role's Molecule scenario against the Kubernetes API emulator (create starts
it with ``python -m tests.lib.kubeapi serve``, destroy stops it), with converge, idempotence and verify. The
scenario ``cluster`` needs a real cluster and is not run here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.lib.playbook import BIN, REPO, ansible_env


def test_molecule_default_scenario() -> None:
    env = ansible_env(json_output=False)
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG"):  # the scenario serves its own API
        env.pop(name, None)
    installed = Path(os.path.expanduser("~/.ansible/collections/ansible_collections/llmops/litellm"))
    was_there = installed.exists()
    proc = subprocess.run([str(BIN / "molecule"), "test", "-s", "default"], cwd=REPO, env=env | {"NO_COLOR": "1"},
                          capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-8000:]
    for step in ("create", "converge", "idempotence", "verify", "destroy"):
        assert f"{step}: Executed: Successful" in output, f"{step} did not run successfully:\n{output[-4000:]}"
    assert "Idempotence completed successfully" in output or "idempotence: Executed: Successful" in output
    assert was_there or not installed.exists(), f"molecule installed the collection into {installed} (prerun)"
    pidfiles = list(Path(os.path.expanduser("~/.ansible/tmp")).glob("molecule.*.default/kube-api.pid"))
    assert not pidfiles, f"the emulator was not stopped: {pidfiles}"
