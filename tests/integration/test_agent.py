"""llmops.litellm.agent and agent_info against the real LiteLLM proxy, driven through ansible-playbook.

No agent runs: LiteLLM does not call an agent when it is registered or changed, and the kill switch webhook is
declared, never fired, so they point at the discard port. API state is read with plain HTTP calls between the
steps (GET /v1/agents, which also says whether each agent is public).
"""

from __future__ import annotations

import http.server
import threading
import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Steps, check_each_option, check_four_steps

pytestmark = pytest.mark.slow(70)  # measured in CI; make test starts it early (tests/conftest.py)

LIST = "/v1/agents"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there
CARD = {"protocolVersion": "1.0", "name": "Probe agent", "description": "first", "url": NOWHERE + "/",
        "capabilities": {"streaming": True}}
HIDDEN = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


@pytest.fixture
def name(litellm_proxy):
    name = f"it-agent-{uuid.uuid4().hex[:8]}"
    yield name
    for agent in litellm_proxy.api("GET", LIST).json():
        if agent["agent_name"].startswith(name):
            litellm_proxy.api("DELETE", f"{LIST}/{agent['agent_id']}")


@pytest.fixture
def webhook():
    """A local endpoint for the kill switch: records the method, path and headers of each call it gets."""
    calls: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            calls.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"stopped")

        do_POST = do_PATCH = do_PUT = answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", calls
    server.shutdown()


def found(steps: Steps, name: str):
    def pick(task: str) -> dict[str, Any] | None:
        agents = [a for a in steps[task]["json"] if a["agent_name"] == name]
        if not agents:
            return None
        (agent,) = agents
        return agent
    return pick


CHANGES: list[tuple[str, Any]] = [
    ("agent_card_params", {"description": "second", "protocolVersion": "1.0.0", "version": "2.0.0"}),
    ("litellm_params", {"model": "a2a/probe-2"}),
    ("public", True),
    ("enabled", False),
    ("object_permission", {"models": ["m-b", "m-a"], "mcp_access_groups": ["g1"]}),
    ("tpm_limit", 1000),
    ("rpm_limit", 60),
    ("session_tpm_limit", 100),
    ("session_rpm_limit", 6),
    ("static_headers", {"X-Static": "static-header-value"}),
    ("extra_headers", ["x-b", "x-a"]),
    # without auth here: a secret is sent on every run with update_secrets=always (the secret steps test it)
    ("kill_switch", {"url": NOWHERE + "/stop2", "method": "PUT", "query_params": {"reason": "drill"}}),
]


def expected(option: str, value: Any, before: Any = None) -> Any:
    if option == "agent_card_params":
        return None  # a partial dict: checked against the whole card below
    if option == "object_permission":
        return {"mcp_access_groups": ["g1"], "models": ["m-a", "m-b"]}
    if option == "static_headers":
        return {k: HIDDEN for k in value}
    if option == "kill_switch":
        return {"url": NOWHERE + "/stop2", "method": "PUT", "query_params": {"reason": "drill"}}
    return sorted(value) if isinstance(value, list) else value


def test_agent_lifecycle_each_option_public_kill_switch_rename_info_and_secrets(litellm_proxy, name):
    renamed = name + "-renamed"
    steps = Steps(litellm_proxy, "agent", {"agent_name": name})
    created = dict(agent_card_params=CARD, litellm_params={"model": "a2a/probe"},
                   secret_litellm_params={"api_key": "agent-secret-0001"}, update_secrets="on_create",
                   kill_switch={"url": NOWHERE + "/stop", "auth": {"type": "bearer", "token": "kill-token-0001"}})
    steps.four_steps("create", LIST, **created)
    steps.tasks[-4]["register"] = "created"
    # every option at once, so that each later step changes one option alone
    steps.each_option(LIST, CHANGES, together=True)
    steps.apply("private: check", check=True, public=False)
    steps.read("private: read after check", LIST)
    steps.apply("private: apply", public=False)
    steps.apply("private: apply again", public=False)
    secret = dict(secret_litellm_params={"api_key": "agent-secret-0002"})
    steps.apply("secrets always: check", check=True, diff=True, **secret)
    steps.apply("secrets always: apply", **secret)
    steps.apply("secrets on_create", update_secrets="on_create", **secret)
    steps.read("secrets: read", LIST)
    kill = dict(kill_switch={"url": NOWHERE + "/stop3", "auth": {"type": "api_key", "api_key": "kill-key-0003"}},
                update_secrets="on_create")
    steps.apply("kill switch auth: apply", **kill)
    steps.apply("kill switch auth: apply again", **kill)
    kill["kill_switch"] = dict(kill["kill_switch"], method="PATCH")
    steps.apply("kill switch method, secret kept", **kill)
    steps.read("kill switch: read", LIST)
    by_id = {"agent_id": "{{ created.agent.agent_id }}", "agent_name": renamed}
    steps.task("rename: check", by_id, check=True)
    steps.read("rename: read after check", LIST)
    steps.task("rename: apply", by_id)
    steps.task("rename: check again", by_id, check=True)
    steps.task("rename: apply again", by_id)
    steps.task("info by name", {"agent_name": renamed}, module="agent_info")
    steps.task("info by id", {"agent_id": "{{ created.agent.agent_id }}"}, module="agent_info")
    steps.task("info all", {}, module="agent_info")
    steps.key = {"agent_name": renamed}
    steps.four_steps("delete", LIST, state="absent")
    steps.run()
    steps.ok()

    pick = found(steps, name)
    check_four_steps(steps, "create", "agent", pick)
    agent = pick("create: read after apply")
    assert agent["litellm_params"] == {"model": "a2a/probe", "api_key": "REDACTED_BY_LITELM", "is_public": False}
    assert agent["agent_card_params"]["description"] == "first" and agent["agent_card_params"]["url"] == NOWHERE + "/"
    assert agent["kill_switch"]["auth"] == {"type": "bearer", "token": "REDACTED_BY_LITELM"}
    result = steps["create: apply"]["agent"]
    assert "secret_litellm_params" not in result and result["kill_switch"]["auth"] == {"type": "bearer"}
    assert result["public"] is False and steps["create: check"]["agent"]["agent_id"] is None
    assert "agent-secret-0001" not in str(steps.result.stdout) and "kill-token-0001" not in str(steps.result.stdout)

    check_each_option(steps, "agent", [c for c in CHANGES if c[0] != "agent_card_params"], pick, agent,
                      expected, together=True)
    card = steps["agent_card_params: check"]
    assert card["changed"] is True
    assert card["diff"]["after"]["agent_card_params"]["description"] == "second"
    assert card["diff"]["after"]["agent_card_params"]["protocolVersion"] == "1.0", "stored as major.minor"
    final = pick("options: read after applies")
    assert final["agent_card_params"]["description"] == "second" and final["agent_card_params"]["version"] == "2.0.0"
    assert final["agent_card_params"]["name"] == "Probe agent", "the card's other keys are kept"
    assert final["litellm_params"] == {"model": "a2a/probe-2", "api_key": "REDACTED_BY_LITELM", "is_public": True}
    assert (final["enabled"], final["tpm_limit"], final["rpm_limit"], final["session_tpm_limit"],
            final["session_rpm_limit"]) == (False, 1000, 60, 100, 6)
    assert final["static_headers"] == {"X-Static": "static-header-value"}
    assert sorted(final["extra_headers"]) == ["x-a", "x-b"]
    assert sorted(final["object_permission"]["models"]) == ["m-a", "m-b"]
    assert final["kill_switch"] == {"url": NOWHERE + "/stop2", "method": "PUT", "headers": {},
                                    "query_params": {"reason": "drill"}, "body": None, "auth": None}

    assert steps["private: check"]["changed"] is True
    assert pick("private: read after check")["litellm_params"]["is_public"] is True, "check mode wrote"
    assert steps["private: apply"]["changed"] is True and steps["private: apply"]["agent"]["public"] is False
    assert steps["private: apply again"]["changed"] is False
    assert pick("secrets: read")["litellm_params"]["is_public"] is False

    assert steps["secrets always: check"]["changed"] is True
    diff = steps["secrets always: check"]["diff"]
    assert diff["before"] == diff["after"], "write-only values never show in a diff"
    assert steps["secrets always: apply"]["changed"] is True
    assert steps["secrets on_create"]["changed"] is False
    assert pick("secrets: read")["litellm_params"]["model"] == "a2a/probe-2", "sending a secret keeps the rest"
    assert steps["kill switch auth: apply"]["changed"] is True
    assert steps["kill switch auth: apply again"]["changed"] is False
    assert steps["kill switch method, secret kept"]["changed"] is True
    assert pick("kill switch: read")["kill_switch"] == {
        "url": NOWHERE + "/stop3", "method": "PATCH", "headers": {}, "query_params": {}, "body": None,
        "auth": {"type": "api_key", "header_name": "x-api-key", "api_key": "REDACTED_BY_LITELM"}}
    assert "kill-key-0003" not in steps.result.stdout

    assert steps["rename: check"]["changed"] is True
    assert found(steps, renamed)("rename: read after check") is None
    assert steps["rename: apply"]["agent"]["agent_name"] == renamed
    assert steps["rename: check again"]["changed"] is False and steps["rename: apply again"]["changed"] is False
    (by_name,) = steps["info by name"]["agents"]
    assert steps["info by id"]["agents"] == [by_name] and by_name in steps["info all"]["agents"]
    assert by_name == steps["rename: apply again"]["agent"]

    check_four_steps(steps, "delete", "agent", found(steps, renamed), absent=True)


def test_agent_refusals_in_one_sentence_before_anything_is_written(litellm_proxy, name):
    steps = Steps(litellm_proxy, "agent", {"agent_name": name})
    steps.apply("secret in litellm_params", litellm_params={"model": "a2a/x", "api_key": "literal-secret"},
                ignore_errors=True)
    steps.apply("is_public in litellm_params", litellm_params={"is_public": True}, ignore_errors=True)
    steps.apply("security in the card", agent_card_params={"security": []}, ignore_errors=True)
    steps.apply("protocol version", agent_card_params={"protocolVersion": "2.0"}, ignore_errors=True)
    steps.apply("kill switch url", kill_switch={"url": "ftp://x"}, ignore_errors=True)
    steps.apply("kill switch auth", kill_switch={"url": NOWHERE, "auth": {"type": "bearer", "password": "kill-password-0004"}},
                ignore_errors=True)
    steps.apply("negative rpm", rpm_limit=-1, ignore_errors=True)
    steps.read("read", LIST)
    steps.run()
    prefix = f"failed to validate agent '{name}': "
    assert steps["secret in litellm_params"]["msg"] == prefix + (
        "litellm_params.api_key holds a secret, which LiteLLM never returns: set it in secret_litellm_params "
        "(write-only, never logged)")
    assert "literal-secret" not in str(steps.result.stdout)
    assert steps["is_public in litellm_params"]["msg"] == prefix + (
        "litellm_params.is_public is set by LiteLLM: use the public option")
    assert steps["security in the card"]["msg"] == prefix + (
        "agent_card_params must not set security: LiteLLM replaces them with its own, so that clients reach the "
        "agent through the proxy")
    assert steps["protocol version"]["msg"] == prefix + (
        "agent_card_params.protocolVersion must be one of 0.3, 1.0 (LiteLLM serves no other A2A version), got 2.0")
    assert steps["kill switch url"]["msg"] == prefix + "kill_switch.url must be an absolute http(s) URL, got 'ftp://x'"
    assert steps["kill switch auth"]["msg"] == prefix + "kill_switch.auth of type bearer takes no password (only token)"
    assert steps["negative rpm"]["msg"] == prefix + "rpm_limit must be >= 0, got -1"
    assert [a for a in steps["read"]["json"] if a["agent_name"].startswith(name)] == []


def test_agent_kill_switch_fires_with_the_secret_kept_and_replaced(litellm_proxy, name, webhook):
    """The kill switch's secret is write-only: a change of its other settings keeps the stored secret (the webhook,
    fired through LiteLLM, still gets it), and update_secrets=always replaces it."""
    url, calls = webhook
    first = {"url": url + "/stop", "auth": {"type": "api_key", "api_key": "ks-secret-0001"}}
    steps = Steps(litellm_proxy, "agent", {"agent_name": name})
    steps.apply("create", kill_switch=first, update_secrets="on_create")
    steps.tasks[-1]["register"] = "created"
    fire = "/v1/agents/{{ created.agent.agent_id }}/kill_switch"
    steps.read("fire 1", fire, method="POST")
    steps.apply("method", kill_switch=dict(first, method="PATCH"), update_secrets="on_create")
    steps.apply("method again", kill_switch=dict(first, method="PATCH"), update_secrets="on_create")
    steps.read("fire 2", fire, method="POST")
    second = dict(first, method="PATCH", auth={"type": "api_key", "api_key": "ks-secret-0002"})
    steps.apply("new secret", kill_switch=second)
    steps.read("fire 3", fire, method="POST")
    steps.apply("delete", state="absent")
    steps.run()
    steps.ok()

    assert steps["create"]["changed"] is True
    assert steps["method"]["changed"] is True and steps["method again"]["changed"] is False
    assert steps["new secret"]["changed"] is True
    assert [(c["method"], c["path"], c["headers"].get("x-api-key")) for c in calls] == [
        ("POST", "/stop", "ks-secret-0001"), ("PATCH", "/stop", "ks-secret-0001"), ("PATCH", "/stop", "ks-secret-0002")]
    assert steps["fire 3"]["json"]["status_code"] == 200
    output = steps.result.stdout + steps.result.stderr
    assert "ks-secret-0001" not in output and "ks-secret-0002" not in output
