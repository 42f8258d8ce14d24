"""The test helpers never show the master key: the reprs of LiteLLMProxy and of the lifecycle helpers (Steps,
Lifecycle, Scenario), which assertion messages and pytest's failure reports print, leave it out."""

from __future__ import annotations

import secrets

from tests.lib.lifecycle import Lifecycle, Scenario, Steps, read_task
from tests.lib.stack import LiteLLMProxy


def test_reprs_leave_the_master_key_out() -> None:
    key = "sk-" + secrets.token_hex(16)
    proxy = LiteLLMProxy("http://127.0.0.1:4000", key, upstream=None)  # type: ignore[arg-type]
    lifecycle = Lifecycle(proxy, "team", {"team_alias": "it-team"}, create={"max_budget": 1}, changes={"max_budget": 2},
                          read=lambda name: read_task(name, proxy, "/team/list", {"team_alias": "it-team"}),
                          parse=lambda answer: answer, live={}, extra=[read_task("a read", proxy, "/team/list")])
    steps = lifecycle.steps()
    steps.read("one more read", "/team/info")
    assert key in str(steps.tasks) and key in str(lifecycle.extra), "the reads do carry the key"
    for helper in (proxy, lifecycle, steps, Scenario(proxy, "it-team"), Steps(proxy, "team", {"team_alias": "x"})):
        text = repr(helper)
        assert key not in text, text
        assert type(helper).__name__ in text and "http://127.0.0.1:4000" in text, "the rest is still shown"
