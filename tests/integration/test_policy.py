"""llmops.litellm.policy and policy_info against the real LiteLLM proxy, driven through ansible-playbook.

One playbook run: the four steps of the create, of each option changed alone (each change a new production
version) and of the delete, then the attachments' own four steps, with plain HTTP reads of LiteLLM between them.
Policies need no licence: the community proxy serves them.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task

LIST = "/policies/list"
ATTACHMENTS = "/policies/attachments/list"


def remove(proxy, name: str) -> None:
    for found in proxy.api("GET", ATTACHMENTS).json()["attachments"]:
        if found["policy_name"] == name:
            proxy.api("DELETE", f"/policies/attachments/{found['attachment_id']}")
    proxy.api("DELETE", f"/policies/name/{name}/all-versions")


@pytest.fixture
def name(litellm_proxy):
    name = f"it-policy-{uuid.uuid4().hex[:8]}"
    yield name
    remove(litellm_proxy, name)


def production(name: str):
    def parse(answer: dict[str, Any]) -> Any:
        found = [p for p in ok(answer)["policies"] if p["policy_name"] == name]
        return found[0] if found else None
    return parse


def field(key: str):
    return lambda policy: (sorted(policy[key]) if isinstance(policy[key], list) else policy[key]) or None


def attached(steps, task: str, name: str) -> list[dict[str, Any]]:
    """The policy's attachments in a read of the attachment list, as the module returns them."""
    found = []
    for raw in ok(steps[task])["attachments"]:
        if raw["policy_name"] == name:
            entry = {k: sorted(raw[k]) for k in ("teams", "keys", "models", "tags") if raw[k]}
            entry.update({k: raw[k] for k in ("scope", "priority") if raw[k] is not None})
            entry.update({"default": True} if raw["default"] else {})
            found.append(entry)
    return sorted(found, key=str)


def test_policy_four_steps_for_create_each_option_attachments_and_absent(litellm_proxy, name):
    proxy = litellm_proxy
    key = {"policy_name": name}
    everywhere, tagged = [{"scope": "*"}], [{"tags": ["it-b-*", "it-a-*"], "priority": 5}, {"scope": "*"}]
    lifecycle = Lifecycle(
        proxy=proxy, module="policy", key=key,
        create={"description": "first", "guardrails_add": ["it-guard-a"]},
        changes={"description": "second", "inherit": name + "-parent", "guardrails_add": ["it-guard-b", "it-guard-a"],
                 "guardrails_remove": ["it-guard-c"], "condition": {"model": "gpt-4.*"}},
        read=lambda task: read_task(task, proxy, LIST, params={"version_status": "production"}),
        parse=production(name),
        live={option: field(option) for option in ("description", "inherit", "guardrails_add", "guardrails_remove",
                                                   "condition")},
        normalise=lambda option, value: sorted(value) if isinstance(value, list) else value,
        extra=[
            module_task("attach: check", "policy", dict(key, attachments=everywhere), check=True, diff=True),
            read_task("attach: read after check", proxy, ATTACHMENTS),
            module_task("attach: apply", "policy", dict(key, attachments=everywhere)),
            module_task("attach: check again", "policy", dict(key, attachments=everywhere), check=True),
            module_task("attach: apply again", "policy", dict(key, attachments=everywhere)),
            module_task("reattach: apply", "policy", dict(key, attachments=tagged)),
            module_task("reattach: apply in another order", "policy", dict(key, attachments=list(reversed(tagged)))),
            read_task("reattach: read", proxy, ATTACHMENTS),
            read_task("versions", proxy, f"/policies/name/{name}/versions"),
            module_task("info by name", "policy_info", key),
            module_task("info of all", "policy_info", {}),
            module_task("info of an unknown name", "policy_info", {"policy_name": name + "-none"}),
            module_task("attachment applying nowhere", "policy", dict(key, attachments=[{"priority": 1}]),
                        ignore_errors=True),
            module_task("attachment twice", "policy", dict(key, attachments=everywhere * 2), ignore_errors=True),
            module_task("unset inherit", "policy", dict(key, inherit=""), ignore_errors=True),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)
    step = steps.result.task

    assert step("create: apply")["policy"]["version_number"] == 1
    assert step("options: apply again")["policy"]["version_number"] == 1 + len(lifecycle.changes)
    assert step("attach: check")["changed"] is True and step("attach: check")["diff"]["after"]["attachments"] \
        == everywhere
    assert attached(steps, "attach: read after check", name) == [], "check mode wrote to LiteLLM"
    assert step("attach: apply")["changed"] is True and step("attach: apply")["policy"]["attachments"] == everywhere
    assert step("attach: check again")["changed"] is False and step("attach: apply again")["changed"] is False
    assert step("reattach: apply")["changed"] is True
    assert step("reattach: apply in another order")["changed"] is False
    expected = sorted([{"tags": ["it-a-*", "it-b-*"], "priority": 5}, {"scope": "*"}], key=str)
    assert attached(steps, "reattach: read", name) == expected
    # Attachments are not versions of the policy: only the option changes made versions.
    assert ok(step("versions"))["total_count"] == 1 + len(lifecycle.changes)

    (by_name,) = step("info by name")["policies"]
    assert by_name == step("reattach: apply in another order")["policy"]
    assert by_name in step("info of all")["policies"]
    assert step("info of an unknown name")["policies"] == []
    assert step("attachment applying nowhere")["msg"] == (
        f"failed to validate policy '{name}': attachments has an entry that applies nowhere: set scope '*' or at "
        "least one of teams, keys, models, tags")
    assert step("attachment twice")["msg"] == (
        f"failed to validate policy '{name}': attachments lists [('scope', '*')] twice")
    assert step("unset inherit")["msg"] == (
        f"failed to update policy '{name}': inherit cannot be emptied once set: LiteLLM ignores an empty value when "
        "it updates a policy")
    # The delete took the attachments with it (LiteLLM's own deletion of a policy leaves them).
    assert all(a["policy_name"] != name for a in proxy.api("GET", ATTACHMENTS).json()["attachments"])
