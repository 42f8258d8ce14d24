"""llmops.litellm.guardrail and guardrail_info against the real LiteLLM proxy, driven through ansible-playbook.

Only configuration is written: the guardrails point at a closed local port and are never asked for a verdict
(none is default_on except a local keyword filter for a word no other test sends). Guardrails need no Enterprise
license in LiteLLM 1.106.2, so everything runs against the non-licensed proxy. One playbook per test; API state
is read with plain HTTP calls between the steps.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.playbook import run_playbook
from tests.lib.lifecycle import GROUP, Steps, check_each_option, check_four_steps

LIST = "/v2/guardrails/list"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there
BLOCKED = "llmopsneverxyz"      # the keyword filter's word: no other test sends it


@pytest.fixture
def name(litellm_proxy):
    name = f"it-guard-{uuid.uuid4().hex[:8]}"
    yield name
    for guardrail in litellm_proxy.api("GET", LIST).json()["guardrails"]:
        if guardrail["guardrail_name"].startswith(name):
            litellm_proxy.api("DELETE", f"/guardrails/{guardrail['guardrail_id']}")


def found(steps: Steps, name: str):
    def pick(task: str) -> dict[str, Any] | None:
        guardrails = [g for g in steps[task]["json"]["guardrails"] if g["guardrail_name"] == name]
        if not guardrails:
            return None
        (guardrail,) = guardrails
        return guardrail
    return pick


def chat(steps: Steps, task: str, content: str = "hello", status: int = 200) -> None:
    steps.read(task, "/chat/completions", method="POST",
               body={"model": "mock-gpt", "messages": [{"role": "user", "content": content}]})
    steps.tasks[-1]["ansible.builtin.uri"]["status_code"] = status


CHANGES = [
    ("mode", ["post_call", "pre_call"]),
    ("api_base", NOWHERE + "/guard2"),
    ("guardrail_info", {"description": "second", "owner": "platform"}),
    ("litellm_params", {"unreachable_fallback": "fail_closed", "violation_message_template": "no"}),
    ("provider_api_key", "os.environ/LLMOPS_TEST_GUARD_KEY"),
    ("provider", "lakera_v2"),
]


def expected(option: str, value: Any) -> Any:
    if option == "provider_api_key":
        return "********"  # compared in LiteLLM's masked form, shown blanked
    if option == "litellm_params":
        return None  # the whole dict: checked below
    return sorted(value) if isinstance(value, list) else value


def live(guardrail: dict[str, Any], option: str) -> Any:
    params = guardrail["litellm_params"]
    return {"mode": params["mode"], "api_base": params["api_base"], "guardrail_info": guardrail["guardrail_info"],
            "provider_api_key": params.get("api_key"), "provider": params["guardrail"]}[option]


def test_generic_guardrail_lifecycle_each_option_rename_info_and_chat(litellm_proxy, name):
    """The custom kind of guardrail: LiteLLM's generic guardrail API, a service of one's own."""
    renamed = name + "-renamed"
    steps = Steps(litellm_proxy, "guardrail", {"guardrail_name": name})
    created = dict(provider="generic_guardrail_api", mode=["pre_call"], api_base=NOWHERE + "/guard",
                   guardrail_info={"description": "first"}, litellm_params={"unreachable_fallback": "fail_open"})
    steps.four_steps("create", LIST, **created)
    steps.tasks[-4]["register"] = "created"
    chat(steps, "chat with a guardrail stored")
    steps.each_option(LIST, [(o, v) for o, v in CHANGES if o != "litellm_params"], together=True)
    steps.apply("litellm_params: check", check=True, diff=True, litellm_params=CHANGES[3][1])
    steps.apply("litellm_params: apply", diff=True, litellm_params=CHANGES[3][1])
    steps.apply("litellm_params: check again", check=True, litellm_params=CHANGES[3][1])
    steps.apply("litellm_params: apply again", litellm_params=CHANGES[3][1])
    by_id = {"guardrail_id": "{{ created.guardrail.guardrail_id }}", "guardrail_name": renamed}
    steps.task("rename: check", by_id, check=True)
    steps.read("rename: read after check", LIST)
    steps.task("rename: apply", by_id)
    steps.task("rename: check again", by_id, check=True)
    steps.task("rename: apply again", by_id)
    steps.task("info by name", {"guardrail_name": renamed}, module="guardrail_info")
    steps.task("info by id", {"guardrail_id": "{{ created.guardrail.guardrail_id }}"}, module="guardrail_info")
    steps.task("info unknown id", {"guardrail_id": name}, module="guardrail_info")
    steps.task("info all", {}, module="guardrail_info")
    steps.read("read renamed", LIST)
    steps.key = {"guardrail_name": renamed}
    steps.four_steps("delete", LIST, state="absent")
    steps.run()
    steps.ok()

    pick = found(steps, name)
    check_four_steps(steps, "create", "guardrail", pick)
    guardrail = pick("create: read after apply")
    params = guardrail["litellm_params"]
    assert (params["guardrail"], params["mode"], params["api_base"], params["unreachable_fallback"],
            guardrail["guardrail_info"]) == ("generic_guardrail_api", ["pre_call"], NOWHERE + "/guard", "fail_open",
                                             {"description": "first"})
    assert steps["create: check"]["guardrail"]["guardrail_id"] is None
    assert steps["chat with a guardrail stored"]["json"]["choices"][0]["message"]["content"]

    changes = [(o, v) for o, v in CHANGES if o != "litellm_params"]
    check_each_option(steps, "guardrail", changes, pick, guardrail, expected, together=True)
    final = pick("options: read after applies")
    for option, value in changes:
        if option != "provider_api_key":
            assert live(final, option) == expected(option, value), option
    assert final["litellm_params"]["api_key"] == "os****EY"  # LiteLLM's mask of the reference

    check = steps["litellm_params: check"]
    assert check["changed"] is True and steps["litellm_params: apply"]["changed"] is True
    assert check["diff"]["before"]["litellm_params"]["unreachable_fallback"] == "fail_open"
    assert check["diff"]["after"]["litellm_params"]["unreachable_fallback"] == "fail_closed"
    assert steps["litellm_params: apply"]["guardrail"]["litellm_params"]["violation_message_template"] == "no"
    assert steps["litellm_params: check again"]["changed"] is False
    assert steps["litellm_params: apply again"]["changed"] is False

    assert steps["rename: check"]["changed"] is True
    assert found(steps, renamed)("rename: read after check") is None
    assert steps["rename: apply"]["guardrail"]["guardrail_name"] == renamed
    assert steps["rename: check again"]["changed"] is False and steps["rename: apply again"]["changed"] is False
    (by_name,) = steps["info by name"]["guardrails"]
    assert steps["info by id"]["guardrails"] == [by_name] and by_name in steps["info all"]["guardrails"]
    assert by_name == steps["rename: apply again"]["guardrail"]
    assert steps["info unknown id"]["guardrails"] == []
    assert found(steps, renamed)("read renamed")["guardrail_id"] == guardrail["guardrail_id"]

    check_four_steps(steps, "delete", "guardrail", found(steps, renamed), absent=True)


def test_default_on_keyword_filter_blocks_chats_and_others_still_pass(litellm_proxy, name):
    steps = Steps(litellm_proxy, "guardrail", {"guardrail_name": name})
    steps.apply("create", provider="litellm_content_filter", mode=["pre_call"], default_on=False,
                litellm_params={"blocked_words": [{"keyword": BLOCKED, "action": "BLOCK"}]})
    steps.read("read before", LIST)
    steps.each_option(LIST, [("default_on", True)], together=True)
    chat(steps, "chat without the word")
    chat(steps, "chat with the word", content=f"say {BLOCKED}", status=400)
    steps.apply("delete", state="absent")
    steps.run()
    steps.ok()
    pick = found(steps, name)
    assert steps["create"]["guardrail"]["litellm_params"]["blocked_words"] == [{"keyword": BLOCKED, "action": "BLOCK"}]
    check_each_option(steps, "guardrail", [("default_on", True)], pick, pick("read before"), lambda o, v: v,
                      together=True)
    assert pick("options: read after applies")["litellm_params"]["default_on"] is True
    assert steps["chat without the word"]["status"] == 200
    assert f"keyword '{BLOCKED}' detected" in steps["chat with the word"]["json"]["error"]["message"]


PROVIDERS = {
    "lakera": dict(provider="lakera_v2", mode=["pre_call"], api_base=NOWHERE, provider_api_key="lk-test-key-0001",
                   litellm_params={"project_id": "project-1"}),
    "bedrock": dict(provider="bedrock", mode=["pre_call", "post_call"],
                    litellm_params={"guardrailIdentifier": "ff6ujrregl1q", "guardrailVersion": "DRAFT",
                                    "aws_region_name": "eu-west-1", "aws_access_key_id": "os.environ/AWS_KEY_ID"},
                    secret_litellm_params={"aws_secret_access_key": "aws-test-secret-0001"}),
    "presidio": dict(provider="presidio", mode=["pre_call"],
                     litellm_params={"presidio_analyzer_api_base": NOWHERE + "/analyzer/",
                                     "presidio_anonymizer_api_base": NOWHERE + "/anonymizer/"}),
    "azure": dict(provider="azure/prompt_shield", mode=["pre_call"], api_base=NOWHERE,
                  provider_api_key="os.environ/AZURE_CONTENT_SAFETY_KEY"),
}
WITH_SECRETS = ("lakera", "bedrock")


def test_providers_secrets_and_update_secrets(litellm_proxy, name):
    """Guardrails of four providers; literal secrets are write-only, sent again only with update_secrets=always."""
    steps = Steps(litellm_proxy, "guardrail", {})
    for label, options in PROVIDERS.items():
        steps.task(f"{label}: create", dict(options, guardrail_name=f"{name}-{label}", update_secrets="on_create"),
                   diff=True)
    for label in WITH_SECRETS:
        steps.task(f"{label}: again", dict(PROVIDERS[label], guardrail_name=f"{name}-{label}",
                                           update_secrets="on_create"))
    steps.read("read", LIST)
    for label in WITH_SECRETS:
        options = dict(PROVIDERS[label], guardrail_name=f"{name}-{label}")
        steps.task(f"{label}: always, check", options, check=True, diff=True)
        steps.task(f"{label}: always", options)
    steps.task("lakera: another key, on_create", dict(PROVIDERS["lakera"], guardrail_name=f"{name}-lakera",
                                                      provider_api_key="lk-other-key-0002",
                                                      update_secrets="on_create"))
    steps.read("read again", LIST)
    chat(steps, "chat with guardrails stored")
    for label in PROVIDERS:
        steps.task(f"{label}: delete", {"guardrail_name": f"{name}-{label}", "state": "absent"})
    steps.run()
    steps.ok()

    for label, options in PROVIDERS.items():
        created = steps[f"{label}: create"]
        assert created["changed"] is True, label
        assert created["guardrail"]["provider"] == options["provider"], label
        assert "secret_litellm_params" not in created["guardrail"], label
        assert "secret_litellm_params" not in created["diff"]["after"], label
        stored = found(steps, f"{name}-{label}")("read")
        assert stored["litellm_params"]["guardrail"] == options["provider"], label
        for key, value in options.get("litellm_params", {}).items():
            if key != "aws_access_key_id":
                assert stored["litellm_params"][key] == value, (label, key)
        assert steps[f"{label}: delete"]["changed"] is True, label
    lakera = found(steps, f"{name}-lakera")
    assert lakera("read")["litellm_params"]["api_key"] == "lk****01"  # the key reached LiteLLM
    assert steps["lakera: create"]["guardrail"]["provider_api_key"] == "********"
    bedrock = found(steps, f"{name}-bedrock")("read")["litellm_params"]
    assert bedrock["aws_secret_access_key"] == "aw****01" and bedrock["aws_access_key_id"] == "os****ID"
    assert found(steps, f"{name}-azure")("read")["litellm_params"]["api_key"] == "os****EY"
    for label in WITH_SECRETS:
        assert steps[f"{label}: again"]["changed"] is False, label
        assert steps[f"{label}: always, check"]["changed"] is True, label
        assert steps[f"{label}: always"]["changed"] is True, label
        diff = steps[f"{label}: always, check"]["diff"]
        assert diff["before"] == diff["after"], "write-only values never show in a diff"
    assert steps["lakera: another key, on_create"]["changed"] is False
    assert lakera("read again")["litellm_params"]["api_key"] == "lk****01", "on_create sent the key again"
    assert steps["chat with guardrails stored"]["status"] == 200


def test_refusals_in_one_sentence_before_anything_is_written(litellm_proxy, name):
    steps = Steps(litellm_proxy, "guardrail", {"guardrail_name": name})
    for check in (True, False):
        label = "check" if check else "apply"
        steps.apply(f"llm_guard: {label}", check=check, ignore_errors=True, provider="llm_guard", mode=["pre_call"])
        steps.apply(f"unsupported mode: {label}", check=check, ignore_errors=True, provider="aporia",
                    mode=["pre_call"], api_base=NOWHERE)
        steps.apply(f"no mode: {label}", check=check, ignore_errors=True, provider="presidio")
        steps.apply(f"unknown id: {label}", check=check, ignore_errors=True, guardrail_id=f"{name}-id",
                    provider="presidio", mode=["pre_call"])
    steps.apply("literal secret in litellm_params", ignore_errors=True, provider="bedrock", mode=["pre_call"],
                litellm_params={"aws_secret_access_key": "plain"})
    steps.apply("reserved key in litellm_params", ignore_errors=True, provider="bedrock", mode=["pre_call"],
                litellm_params={"mode": "post_call"})
    steps.read("read", LIST)
    steps.run()

    label = f"guardrail '{name}'"
    for step in ("check", "apply"):
        assert steps[f"llm_guard: {step}"]["msg"].startswith(
            f"failed to manage {label}: this LiteLLM has no guardrail provider 'llm_guard': LLM Guard is only a "
            "legacy Enterprise callback (llmguard_moderations in litellm_settings.callbacks) "
            "(GET /guardrails/ui/add_guardrail_settings and /guardrails/ui/provider_specific_params list ")
        assert steps[f"unsupported mode: {step}"]["msg"] == (
            f"failed to manage {label}: mode pre_call is not supported by guardrail provider 'aporia' on this "
            "LiteLLM (supported: during_call, post_call)")
        assert steps[f"no mode: {step}"]["msg"] == f"failed to create {label}: mode is required to create a guardrail"
        assert steps[f"unknown id: {step}"]["msg"] == (
            f"failed to create {label}: no guardrail has guardrail_id '{name}-id', and LiteLLM chooses "
            "the guardrail_id of a new guardrail: leave guardrail_id out to create one")
    assert steps["literal secret in litellm_params"]["msg"] == (
        f"failed to validate {label}: litellm_params.aws_secret_access_key holds a secret, which LiteLLM never "
        "returns: set it in secret_litellm_params (write-only, never logged) or as an os.environ/NAME reference")
    assert steps["reserved key in litellm_params"]["msg"].startswith(
        f"failed to validate {label}: litellm_params must not set mode: ")
    assert found(steps, name)("read") is None


def test_secrets_never_printed_with_vvv(litellm_proxy, name):
    """Write-only values of guardrail and mcp_server stay out of -vvv output, diffs and errors included."""
    key, secret, token = "lk-leak-" + uuid.uuid4().hex, "aws-leak-" + uuid.uuid4().hex, "tok-leak-" + uuid.uuid4().hex
    server = name.replace("-", "_")
    guardrail = {"guardrail_name": name, "provider": "lakera_v2", "mode": ["pre_call"], "provider_api_key": key,
                 "secret_litellm_params": {"aws_secret_access_key": secret}}
    mcp = {"server_name": server, "url": NOWHERE + "/mcp", "transport": "http", "auth_type": "bearer_token",
           "credentials": {"auth_value": token}}
    no_url = {k: v for k, v in dict(mcp, server_name=server + "_nourl").items() if k != "url"}
    play = {
        "name": "write-only values stay secret", "hosts": "localhost", "gather_facts": False,
        "module_defaults": {GROUP: {"api_url": litellm_proxy.url, "api_key": litellm_proxy.master_key}},
        "tasks": [
            {"name": "create guardrail", "llmops.litellm.guardrail": guardrail, "diff": True},
            {"name": "check guardrail", "llmops.litellm.guardrail": guardrail, "check_mode": True, "diff": True},
            {"name": "read guardrail", "llmops.litellm.guardrail_info": {"guardrail_name": name}},
            {"name": "create mcp", "llmops.litellm.mcp_server": mcp, "diff": True},
            {"name": "update mcp", "llmops.litellm.mcp_server": dict(mcp, description="x"), "diff": True},
            {"name": "refused mcp", "llmops.litellm.mcp_server": no_url, "ignore_errors": True},
            {"name": "delete guardrail", "llmops.litellm.guardrail": {"guardrail_name": name, "state": "absent"}},
            {"name": "delete mcp", "llmops.litellm.mcp_server": {"server_name": server, "state": "absent"}},
        ],
    }
    try:
        result = run_playbook([play], verbosity=3, json_output=False)
    finally:
        for entry in litellm_proxy.api("GET", "/v1/mcp/server").json():
            if entry["server_name"] == server:
                litellm_proxy.api("DELETE", f"/v1/mcp/server/{entry['server_id']}")
    output = result.stdout + result.stderr
    assert result.rc == 0, output[-3000:]
    assert "TASK [delete mcp]" in output and "url or spec_path is required for HTTP/SSE transport" in output
    for value in (key, secret, token, key[3:], secret[4:], token[4:]):
        assert value not in output
