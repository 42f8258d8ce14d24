"""The module tests' in-process runs (tests/lib/inprocess.py) record what ansible-playbook records.

One play, run through ``ansible-playbook`` and then in this process against the same LiteLLM: the four steps of a
create (registered), a refused argument (ignored), an info with an ``environment``, a read templated from the
registered result, a fact from a file lookup and a filter, a ``no_log`` read, a check-mode ``gateway_state``, the
delete, and a failure that ends the play. Every task's result must be the same, but for what differs between any two runs (ids, times).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.lib.inprocess import plan
from tests.lib.lifecycle import module_task, read_task, run

VOLATILE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                      r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?|it-inproc-[0-9a-f]{8}")
HEADERS = ("date", "elapsed", "content_length", "x_litellm_call_id", "x_litellm_response_duration_ms")


def masked(value: Any) -> Any:
    if isinstance(value, dict):
        return dict((k, "<volatile>" if k in HEADERS else masked(v)) for k, v in value.items())
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, str):
        return VOLATILE.sub("<id>", value)
    return value


def play(proxy: Any, alias: str, secret_file: str) -> list[dict[str, Any]]:
    team = {"team_alias": alias, "max_budget": 3, "metadata": {"owner": "inprocess"}}
    return [
        module_task("create: check", "team", team, check=True, diff=True),
        dict(module_task("create: apply", "team", team, diff=True), register="created"),
        module_task("create: check again", "team", team, check=True),
        module_task("create: apply again", "team", team),
        module_task("refused", "team", dict(team, max_budget="lots"), ignore_errors=True),
        dict(module_task("info", "team_info", {"team_alias": alias}), environment={"LLMOPS_PROBE": "1"}),
        read_task("read", proxy, "/v2/team/list", params={"team_alias": alias}),
        read_task("read by the registered id", proxy, "/team/info?team_id={{ created.team.team_id }}"),
        {"name": "a fact", "ansible.builtin.set_fact": {
            "digest": "{{ lookup('file', '%s') | hash('sha256') }}" % secret_file}},
        dict(module_task("a fact used", "team", dict(team, metadata={"digest": "{{ digest }}"}), check=True),
             diff=True),
        dict(read_task("hidden", proxy, "/team/info?team_id={{ created.team.team_id }}"), no_log=True),
        module_task("gateway check", "gateway_state", {"document": {"teams": [dict(team, max_budget=4)]},
                                                      "scope": {"name_prefix": alias}},
                    check=True, diff=True),
        module_task("absent", "team", {"team_alias": alias, "state": "absent"}, diff=True),
        module_task("fails", "team", {"max_budget": 3}),
        module_task("never runs", "team_info", {"team_alias": alias}),
    ]


def test_a_play_run_in_process_records_what_ansible_playbook_records(litellm_proxy, tmp_path):
    alias = f"it-inproc-{uuid.uuid4().hex[:8]}"
    (tmp_path / "secret").write_text("sk-not-a-real-secret")
    tasks = play(litellm_proxy, alias, str(tmp_path / "secret"))
    assert plan([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], check=False, diff=False,
                env=None), "the play must be one the in-process runner takes"
    through_playbook = run(litellm_proxy, *tasks, inprocess=False)
    in_process = run(litellm_proxy, *tasks)
    assert through_playbook.rc == in_process.rc == 2
    assert through_playbook.stats == in_process.stats
    names = [[t["task"]["name"] for t in p["tasks"]] for p in (through_playbook.plays + in_process.plays)]
    assert names[0] == names[1] == [t["name"] for t in tasks[:-1]]
    for task in tasks[:-1]:
        assert masked(in_process.task(task["name"])) == masked(through_playbook.task(task["name"])), task["name"]
    assert in_process.task("create: apply")["changed"] and not in_process.task("create: apply again")["changed"]
    assert in_process.task("refused")["failed"] and "max_budget" in in_process.task("refused")["msg"]
    assert in_process.task("read")["json"]["teams"][0]["max_budget"] == 3
    team_id = in_process.task("create: apply")["team"]["team_id"]
    assert in_process.task("read by the registered id")["json"]["team_id"] == team_id
    digest = in_process.task("a fact")["ansible_facts"]["digest"]
    assert len(digest) == 64 and in_process.task("a fact used")["changed"] is True  # (the digest shows as ****)
    assert set(in_process.task("hidden")) == {"action", "censored", "changed", "_ansible_no_log"}
    assert litellm_proxy.master_key not in in_process.stdout + in_process.stderr


def test_plays_that_need_the_controller_are_left_to_ansible_playbook():
    task = module_task("t", "team", {"team_alias": "x"})
    base = {"hosts": "localhost", "gather_facts": False}

    def planned(tasks: list[dict[str, Any]], **play: Any) -> bool:
        return plan([dict(base, tasks=tasks, **play)], check=False, diff=False, env=None) is not None
    assert planned([task])
    assert planned([dict(module_task("t", "team", {"team_alias": "{{ x.team.team_alias }}"}), register="x")])
    assert not planned([dict(task, when="x")]), "a keyword the runner does not know"
    assert not planned([{"name": "d", "ansible.builtin.debug": {"msg": "x"}}]), "an action plugin"
    assert not planned([task], vars={"a": 1}), "play variables"
    assert not planned([task], module_defaults={"ansible.builtin.uri": {"timeout": 3}}), "another module's defaults"
    assert not planned([task], gather_facts=True), "facts"
    assert plan([dict(base, tasks=[task])], check=False, diff=False, env={"ANSIBLE_STRATEGY": "free"}) is None
