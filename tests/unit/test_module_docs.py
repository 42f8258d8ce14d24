"""Every module's DOCUMENTATION, EXAMPLES and RETURN render with ansible-doc (one ansible-doc run for all)."""

import json
import subprocess
from pathlib import Path

import yaml

from tests.lib.playbook import BIN, REPO, ansible_env

MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")


def test_every_module_renders_with_ansible_doc() -> None:
    names = [f"llmops.litellm.{m}" for m in MODULES]
    proc = subprocess.run([str(BIN / "ansible-doc"), "--json", *names], env=ansible_env(json_output=False),
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    docs = json.loads(proc.stdout)
    assert sorted(docs) == sorted(names)
    for name, entry in docs.items():
        assert entry["doc"]["short_description"], name
        assert entry["doc"]["version_added"] == "0.1.0", name
        assert yaml.safe_load(entry["examples"]), f"{name} has no EXAMPLES"
        assert entry["return"], f"{name} has no RETURN"
        assert "llmops.litellm.connection" in Path(REPO / "plugins" / "modules" / f"{name.split('.')[-1]}.py").read_text(), name
