"""meta/runtime.yml's action group lists every module (test_module_defaults.py runs them all through it)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.lib.playbook import REPO


def modules() -> set[str]:
    return {p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__"}


def test_action_group_lists_every_module_once():
    runtime = yaml.safe_load(Path(REPO / "meta" / "runtime.yml").read_text())
    group = runtime["action_groups"]["litellm"]
    assert len(group) == len(set(group)), "a module is listed twice"
    assert set(group) == modules()
