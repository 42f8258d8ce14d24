"""The master key (and a rejected key) never appear in ansible-playbook's -vvv output, whatever the path."""

from __future__ import annotations

import uuid

from tests.lib.lifecycle import GROUP, Scenario
from tests.lib.playbook import run_playbook


def test_master_key_never_printed_with_vvv(litellm_proxy):
    scenario = Scenario(litellm_proxy, f"it-leak-{uuid.uuid4().hex[:8]}")
    wrong_key = "sk-wrong-" + uuid.uuid4().hex
    team = {"team_alias": scenario.alias, "metadata": {"note": "x"}, "members": [{"user_id": scenario.user("u1")}]}
    play = {
        "name": "secrets stay secret", "hosts": "localhost", "gather_facts": False,
        "module_defaults": {GROUP: {"api_url": litellm_proxy.url, "api_key": litellm_proxy.master_key}},
        "tasks": [
            {"name": "create", "llmops.litellm.team": dict(team, max_budget=1)},
            {"name": "update with diff", "llmops.litellm.team": dict(team, max_budget=2), "diff": True},
            {"name": "read", "llmops.litellm.team_info": {"team_alias": scenario.alias}},
            {"name": "invalid input", "llmops.litellm.team": {"team_alias": scenario.alias, "max_budget": -1},
             "ignore_errors": True},
            {"name": "API error", "llmops.litellm.team": {"team_alias": scenario.alias, "tags": ["x"],
                                                          "organization_id": "no-such-org"},
             "ignore_errors": True},
            {"name": "wrong key", "llmops.litellm.team_info": {"api_key": wrong_key}, "ignore_errors": True},
            {"name": "delete", "llmops.litellm.team": {"team_alias": scenario.alias, "state": "absent"}},
        ],
    }
    # The other way in: connection from ansible-playbook's own environment (never from a task's `environment:`,
    # which Ansible itself prints at -vvv).
    from_env = {"name": "key from the environment", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "read with the environment's key", "llmops.litellm.team_info": {"team_alias": scenario.alias}}]}
    env = {"LITELLM_PROXY_URL": litellm_proxy.url, "LITELLM_PROXY_API_KEY": "",
           "LITELLM_MASTER_KEY": litellm_proxy.master_key}
    try:
        results = [run_playbook([play], verbosity=3, json_output=False),
                   run_playbook([from_env], verbosity=3, json_output=False, env=env)]
    finally:
        scenario.cleanup()
    output = "".join(r.stdout + r.stderr for r in results)
    assert [r.rc for r in results] == [0, 0], output[-3000:]
    assert "TASK [delete]" in output and "TASK [read with the environment's key]" in output
    assert "authentication failed: the api_key was rejected" in output and "max_budget must be >= 0" in output
    assert litellm_proxy.master_key not in output
    assert litellm_proxy.master_key[3:] not in output
    assert wrong_key not in output
