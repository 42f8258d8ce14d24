"""llmops.litellm.credential and credential_info against the real LiteLLM proxy, driven through ansible-playbook.

One playbook per test (each ansible-playbook costs seconds): the four steps of create, each option changed alone
and delete, with plain HTTP reads between them. LiteLLM masks credential values in its answers (first and last
two characters), which is enough to see whether the write-only values were sent.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, check_each_option, check_four_steps

LIST = "/credentials"
SECRET = "sk-cred-" + uuid.uuid4().hex  # never printed: checked against the playbook's whole output
ROTATED = "sk-rotated-" + uuid.uuid4().hex


def masked(value: str) -> str:
    return value[:2] + "****" + value[-2:]


@pytest.fixture
def name(litellm_proxy):
    name = f"it-cred-{uuid.uuid4().hex[:8]}"
    yield name
    for credential in litellm_proxy.api("GET", LIST).json()["credentials"]:
        if credential["credential_name"].startswith(name):
            litellm_proxy.api("DELETE", f"/credentials/{credential['credential_name']}")


def found(steps: Steps, name: str):
    def pick(task: str) -> dict[str, Any] | None:
        matches = [c for c in steps[task]["json"]["credentials"] if c["credential_name"] == name]
        return matches[0] if matches else None
    return pick


CHANGES = [
    ("display_name", "Second name"),
    ("credential_info", {"note": "added"}),
]


def expected(option: str, value: Any) -> Any:
    return {"custom_llm_provider": "openai", **value} if option == "credential_info" else value


def test_credential_lifecycle_secrets_and_info(litellm_proxy, name):
    steps = Steps(litellm_proxy, "credential", {"credential_name": name})
    created = dict(credential_values={"api_key": SECRET, "api_base": litellm_proxy.upstream_url},
                   credential_info={"custom_llm_provider": "openai"}, display_name="First name",
                   update_secrets="on_create")
    steps.four_steps("create", LIST, **created)
    steps.each_option(LIST, CHANGES)
    # write-only values: on_create never sends them again; always sends them (and reports it) on every run
    rotated = {"credential_values": {"api_key": ROTATED}}
    steps.apply("on_create: other value", update_secrets="on_create", **rotated)
    steps.read("on_create: read", LIST)
    steps.apply("always: check", check=True, **rotated)
    steps.read("always: read after check", LIST)
    steps.apply("always: apply", diff=True, **rotated)
    steps.apply("always: apply again", **rotated)
    steps.read("always: read", LIST)
    steps.task("info by name", {"credential_name": name}, module="credential_info")
    steps.task("info unknown name", {"credential_name": name + "-none"}, module="credential_info")
    steps.task("info all", {}, module="credential_info")
    steps.four_steps("delete", LIST, state="absent")
    steps.run()
    steps.ok()

    pick = found(steps, name)
    check_four_steps(steps, "create", "credential", pick)
    live = pick("create: read after apply")
    assert (live["credential_info"], live["display_name"]) == ({"custom_llm_provider": "openai"}, "First name")
    assert live["credential_values"] == {"api_key": masked(SECRET), "api_base": litellm_proxy.upstream_url}
    assert "credential_values" not in steps["create: apply"]["credential"], "write-only values are never returned"
    assert steps["create: check"]["diff"]["before"] == {}

    check_each_option(steps, "credential", CHANGES, pick, live, expected)

    assert steps["on_create: other value"]["changed"] is False
    assert pick("on_create: read")["credential_values"]["api_key"] == masked(SECRET), "on_create sent the value"
    assert steps["always: check"]["changed"] is True
    assert pick("always: read after check")["credential_values"]["api_key"] == masked(SECRET)
    assert steps["always: apply"]["changed"] is True and steps["always: apply again"]["changed"] is True
    assert steps["always: apply"]["diff"]["before"] == steps["always: apply"]["diff"]["after"], "no secret in diff"
    after = pick("always: read")
    assert after["credential_values"] == {"api_key": masked(ROTATED), "api_base": litellm_proxy.upstream_url}
    assert after["credential_info"] == {"custom_llm_provider": "openai", "note": "added"}

    (by_name,) = steps["info by name"]["credentials"]
    assert by_name == steps["credential_info: apply again"]["credential"]
    assert steps["info unknown name"]["credentials"] == []
    assert by_name in steps["info all"]["credentials"]

    check_four_steps(steps, "delete", "credential", pick, absent=True)
    output = steps.result.stdout + steps.result.stderr
    assert SECRET not in output and ROTATED not in output


def test_credential_bad_input_fails_before_writing(litellm_proxy, name):
    steps = Steps(litellm_proxy, "credential", {"credential_name": name})
    key = {"credential_name": name}
    steps.task("no values", dict(key, credential_info={"a": 1}), ignore_errors=True)
    steps.task("no values, check mode", dict(key, credential_info={"a": 1}), check=True, ignore_errors=True)
    steps.task("wrong type", dict(key, credential_values="sk-not-a-dict"), ignore_errors=True)
    steps.task("no name", {"credential_values": {"api_key": "x"}}, ignore_errors=True)
    steps.read("read", LIST)
    steps.run()
    message = f"failed to create credential '{name}': credential_values is required to create a credential"
    assert steps["no values"]["msg"] == message
    assert steps["no values, check mode"]["msg"] == message
    assert "credential_values" in steps["wrong type"]["msg"] and "dict" in steps["wrong type"]["msg"]
    assert steps["no name"]["msg"] == "missing required arguments: credential_name"
    assert found(steps, name)("read") is None
