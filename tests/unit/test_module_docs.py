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


def documentation(module: str) -> dict:
    """A module's DOCUMENTATION as its file writes it (without its doc fragments)."""
    source = (REPO / "plugins" / "modules" / f"{module}.py").read_text()
    return yaml.safe_load(source.split("DOCUMENTATION = r'''", 1)[1].split("'''", 1)[0])


def test_member_modules_take_the_user_options_from_one_fragment() -> None:
    """team_member, organization_member and their info modules document user_id and user_email once, in
    plugins/doc_fragments/member.py (ansible-doc renders them, test above)."""
    for module, fragment in [("team_member", "llmops.litellm.member"), ("organization_member", "llmops.litellm.member"),
                             ("team_member_info", "llmops.litellm.member.INFO"),
                             ("organization_member_info", "llmops.litellm.member.INFO")]:
        doc = documentation(module)
        assert fragment in doc["extends_documentation_fragment"], module
        assert not {"user_id", "user_email"} & set(doc["options"]), module
