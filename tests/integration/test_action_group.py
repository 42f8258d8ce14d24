"""meta/runtime.yml's action group lists every module, and module_defaults for it reach the modules."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.lib.playbook import REPO, run_tasks

GROUP = "group/llmops.litellm.litellm"


def modules() -> set[str]:
    return {p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__"}


def test_action_group_lists_every_module_once():
    runtime = yaml.safe_load(Path(REPO / "meta" / "runtime.yml").read_text())
    group = runtime["action_groups"]["litellm"]
    assert len(group) == len(set(group)), "a module is listed twice"
    assert set(group) == modules()


def test_module_defaults_for_the_group_reach_every_module(litellm_proxy):
    tasks = [{"name": name, f"llmops.litellm.{name}": {"team_id": "no-such-team", "state": "absent"}
              if name == "team" else {"team_id": "no-such-team"}} for name in sorted(modules())]
    result = run_tasks(tasks, module_defaults={GROUP: {"api_url": litellm_proxy.url, "api_key": litellm_proxy.master_key}},
                       env={"LITELLM_PROXY_URL": "", "LITELLM_PROXY_API_KEY": "", "LITELLM_MASTER_KEY": ""})
    assert result.rc == 0, result.stdout[-2000:]
    for name in modules():
        assert result.task(name)["changed"] is False
