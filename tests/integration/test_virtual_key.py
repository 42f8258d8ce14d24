"""llmops.litellm.virtual_key and virtual_key_info against the real LiteLLM proxy, driven through ansible-playbook.

One playbook per test (each ansible-playbook costs seconds): the four steps of create, each option changed alone
and delete, with plain HTTP reads between them, and chat requests made with the key the module created (read
from its key_file inside the play, never printed). Options that need a LiteLLM Enterprise licence, and rotation
with /key/regenerate, run against the licensed twin proxy (same database); rotation by succession, grace periods
and revoked values are in test_virtual_key_rotation.py.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.lib.playbook import run_playbook
from tests.lib.lifecycle import GROUP, Steps, check_each_option, check_four_steps

pytestmark = pytest.mark.slow(120)  # measured in CI; make test starts it early (tests/conftest.py)

LIST = "/key/list"


def token_of(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_value() -> str:
    return "sk-" + secrets.token_urlsafe(16)


class Corner:
    """One test's keys and teams: unique names, and everything named so removed afterwards."""

    def __init__(self, proxy: Any, tmp_path: Path) -> None:
        self.proxy, self.tmp_path = proxy, tmp_path
        self.alias = f"it-key-{uuid.uuid4().hex[:8]}"
        self.teams: list[str] = []

    def team(self, suffix: str) -> tuple[str, str]:
        alias = f"{self.alias}-{suffix}"
        answer = self.proxy.api("POST", "/team/new", json={"team_alias": alias})
        assert answer.status_code == 200, answer.text
        self.teams.append(answer.json()["team_id"])
        return alias, answer.json()["team_id"]

    def keys(self, alias: str | None = None) -> list[dict[str, Any]]:
        alias = alias or self.alias
        answer = self.proxy.api("GET", LIST, params={"key_alias": alias, "return_full_object": "true", "size": 100})
        return [k for k in answer.json()["keys"] if k["key_alias"] == alias]

    def cleanup(self) -> None:
        listed = self.proxy.api("GET", LIST, params={"key_alias": self.alias, "substring_matching": "true",
                                                     "return_full_object": "true", "size": 100}).json()["keys"]
        if listed:
            self.proxy.api("POST", "/key/delete", json={"keys": [k["token"] for k in listed]})
        if self.teams:
            self.proxy.api("POST", "/team/delete", json={"team_ids": self.teams})


@pytest.fixture
def corner(litellm_proxy, tmp_path):
    c = Corner(litellm_proxy, tmp_path)
    yield c
    c.cleanup()


@pytest.fixture
def premium_corner(litellm_proxy_premium, tmp_path):
    c = Corner(litellm_proxy_premium, tmp_path)
    yield c
    c.cleanup()


def found(steps: Steps, alias: str):
    def pick(task: str) -> dict[str, Any] | None:
        matches = [k for k in steps[task]["json"]["keys"] if k["key_alias"] == alias]
        assert len(matches) <= 1, "two keys with one alias"
        return matches[0] if matches else None
    return pick


def with_key(steps: Steps, label: str, bearer: str, status: int = 200) -> None:
    """A chat request authenticated with ``bearer`` (a Jinja expression), its value kept out of the output."""
    steps.tasks.append({"name": label, "no_log": True, "ansible.builtin.uri": {
        "url": steps.proxy.url + "/v1/chat/completions", "method": "POST", "status_code": [status],
        "headers": {"Authorization": "Bearer " + bearer}, "body_format": "json", "timeout": 60,
        "body": {"model": "mock-gpt", "user": "it-user",  # enforced_params of the key in the rotation test
                 "messages": [{"role": "user", "content": label}]}}})


def key_info_by_file(steps: Steps, label: str, key_file: Path) -> None:
    steps.read(label, "/key/info?key={{ lookup('file', '%s') | hash('sha256') }}" % key_file)


def checksum(steps: Steps, label: str, path: Path) -> None:
    steps.tasks.append({"name": label, "ansible.builtin.stat": {"path": str(path), "checksum_algorithm": "sha256"}})


def metadata(option: str):
    return lambda key: (key["metadata"] or {}).get(option)


CHANGES = [
    ("user_id", "it-key-user"),
    ("models", ["mock-gpt", "upstream-echo"]),
    ("max_budget", 20.0),
    ("soft_budget", 2.5),
    ("budget_duration", "7d"),
    ("tpm_limit", 2000),
    ("rpm_limit", 20),
    ("tpd_limit", 100000),
    ("max_parallel_requests", 4),
    ("model_rpm_limit", {"mock-gpt": 7}),
    ("model_tpm_limit", {"mock-gpt": 700}),
    ("rpm_limit_type", "best_effort_throughput"),
    ("tpm_limit_type", "best_effort_throughput"),
    ("metadata", {"owner": "b", "cost_center": "42"}),
    ("aliases", {"fast": "mock-gpt"}),
    ("permissions", {"pii_masking": True}),
    ("allowed_routes", ["/chat/completions", "/v1/chat/completions"]),
    ("rotation_interval", "90d"),
    ("auto_rotate", True),
]

LIVE = {
    "soft_budget": lambda key: (key.get("litellm_budget_table") or {}).get("soft_budget"),
    "model_rpm_limit": metadata("model_rpm_limit"),
    "model_tpm_limit": metadata("model_tpm_limit"),
    "rpm_limit_type": metadata("rpm_limit_type"),
    "tpm_limit_type": metadata("tpm_limit_type"),
    "metadata": lambda key: {k: v for k, v in key["metadata"].items() if k in ("owner", "cost_center")},
}


# What a read of a key is compared on: its identity and the fields this module sets (as LiteLLM returns them).
# LiteLLM writes other fields on its own, asynchronously (spend, updated_at, last_active...), even between two
# reads of one key made one after the other, so a whole-record comparison is flaky.
OWNED = ("token", "key_alias", "team_id", "blocked", "expires", *(change[0] for change in CHANGES))


def owned(key: dict[str, Any]) -> dict[str, Any]:
    missing = {"token", "key_alias", "team_id", "blocked", "models", "max_budget", "metadata"} - key.keys()
    assert not missing, f"a read of the key lacks {sorted(missing)}"
    return {field: key[field] for field in OWNED if field in key}


def expected(option: str, value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def test_virtual_key_lifecycle_each_option_chat_and_info(litellm_proxy, corner):
    team_a, team_a_id = corner.team("a")
    _team_b, team_b_id = corner.team("b")
    key_file = corner.tmp_path / "key"
    steps = Steps(litellm_proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.four_steps("create", LIST + f"?key_alias={corner.alias}&return_full_object=true",
                     team_alias=team_a, models=["mock-gpt"], max_budget=10, metadata={"owner": "a"}, duration="30d")
    checksum(steps, "key file after create", key_file)
    key_info_by_file(steps, "key info after create", key_file)
    read = LIST + f"?key_alias={corner.alias}&return_full_object=true"
    steps.each_option(read, [("team_id", team_b_id)] + CHANGES)
    # a chat request changes the key's spend: after the steps that compare reads
    with_key(steps, "chat with the key", "{{ lookup('file', '%s') }}" % key_file)
    steps.apply("blocked: check", check=True, blocked=True)
    steps.apply("blocked: apply", blocked=True)
    steps.apply("blocked: check again", check=True, blocked=True)
    steps.apply("blocked: apply again", blocked=True)
    with_key(steps, "chat with the blocked key", "{{ lookup('file', '%s') }}" % key_file, status=401)
    steps.task("info by alias", {"key_alias": corner.alias}, module="virtual_key_info")
    steps.task("info by token", {"token": "{{ lookup('file', '%s') | hash('sha256') }}" % key_file},
               module="virtual_key_info")
    steps.task("info unknown alias", {"key_alias": corner.alias + "-none"}, module="virtual_key_info")
    steps.task("info all", {}, module="virtual_key_info")
    steps.four_steps("delete", read, state="absent")
    steps.run()
    steps.ok()

    pick = found(steps, corner.alias)
    check_four_steps(steps, "create", "virtual_key", pick)
    live = pick("create: read after apply")
    assert (live["team_id"], live["models"], live["max_budget"], live["metadata"]) == (
        team_a_id, ["mock-gpt"], 10.0, {"owner": "a"})
    assert steps["key info after create"]["json"]["info"]["expires"] is not None, "duration applied"
    assert steps["key file after create"]["stat"]["mode"] == "0600"
    created = steps["create: apply"]
    assert "key" not in created, "the value is returned only with return_key"
    assert created["virtual_key"]["token"] == "********" and created["virtual_key"]["team_id"] == team_a_id
    assert steps["create: check"]["virtual_key"]["token"] is None

    live_of = dict(LIVE, team_id=lambda key: key["team_id"])
    check_each_option(steps, "virtual_key", [("team_id", team_b_id)] + CHANGES, pick, live, expected)
    final = pick("options: read after applies")
    for option, value in [("team_id", team_b_id)] + CHANGES:
        got = live_of.get(option, lambda key, o=option: key[o])(final)
        assert (sorted(got) if isinstance(got, list) else got) == expected(option, value), option

    assert [steps[f"blocked: {s}"]["changed"] for s in ("check", "apply", "check again", "apply again")] == [
        True, True, False, False]
    assert steps["blocked: apply"]["virtual_key"]["blocked"] is True

    (by_alias,) = steps["info by alias"]["virtual_keys"]
    assert owned(by_alias) == owned(steps["blocked: apply again"]["virtual_key"])
    assert [owned(key) for key in steps["info by token"]["virtual_keys"]] == [owned(by_alias)]
    assert steps["info unknown alias"]["virtual_keys"] == []
    listed = [key for key in steps["info all"]["virtual_keys"] if key.get("key_alias") == corner.alias]
    assert [owned(key) for key in listed] == [owned(by_alias)]

    check_four_steps(steps, "delete", "virtual_key", pick, absent=True)
    assert not key_file.exists(), "state=absent removes the key file of the deleted key"


ENTERPRISE_CHANGES = [
    ("tags", ["team-a", "paid"]),
    ("guardrails", ["it-guardrail"]),
    ("model_max_budget", {"mock-gpt": {"budget_limit": 1.0, "time_period": "1d"}}),
    ("allowed_passthrough_routes", ["/it-passthrough"]),
    ("denied_passthrough_routes", ["/it-passthrough/admin"]),
    ("enforced_params", ["user"]),
]


def test_enterprise_options_and_rotation_keep_spend(litellm_proxy_premium, premium_corner):
    """Against the proxy with the Enterprise licence check switched on (TEST ONLY: tests/lib/premium)."""
    proxy, corner = litellm_proxy_premium, premium_corner
    organization = proxy.api("POST", "/organization/new", json={"organization_alias": corner.alias})
    assert organization.status_code == 200, organization.text
    organization_id = organization.json()["organization_id"]
    key_file = corner.tmp_path / "key"
    read = LIST + f"?key_alias={corner.alias}&return_full_object=true"
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    changes = ENTERPRISE_CHANGES + [("organization_id", organization_id)]
    try:
        steps.apply("create", models=["mock-gpt"])
        steps.read("read before", read)
        steps.each_option(read, changes)
        steps.tasks.append({"name": "remember the value before rotation", "no_log": True,
                            "ansible.builtin.set_fact": {"old_key": "{{ lookup('file', '%s') }}" % key_file}})
        steps.read("spend", "/key/update", method="POST",
                   body={"key": "{{ old_key | hash('sha256') }}", "spend": 1.5})
        checksum(steps, "key file before rotation", key_file)
        steps.apply("rotate: check", check=True, regenerate=True)
        checksum(steps, "key file after check", key_file)
        steps.apply("rotate", regenerate=True)
        steps.apply("rotate again", regenerate=True)
        checksum(steps, "key file after rotation", key_file)
        # read before the chat: LiteLLM adds a chat's cost to the key's spend asynchronously, whenever it flushes
        key_info_by_file(steps, "key after rotation", key_file)
        with_key(steps, "chat with the rotated key", "{{ lookup('file', '%s') }}" % key_file)
        with_key(steps, "chat with the old key", "{{ old_key }}", status=401)
        steps.read("keys with the alias", read)
        steps.apply("delete", state="absent")
        steps.run()
        steps.ok()
    finally:
        proxy.api("POST", "/organization/delete", json={"organization_ids": [organization_id]})

    pick = found(steps, corner.alias)
    check_each_option(steps, "virtual_key", changes, pick, pick("read before"), expected)
    final = pick("options: read after applies")
    assert sorted(final["metadata"]["tags"]) == ["paid", "team-a"] and final["org_id"] == organization_id
    assert final["metadata"]["allowed_passthrough_routes"] == ["/it-passthrough"]

    assert steps["rotate: check"]["changed"] is True
    assert steps["key file after check"]["stat"]["checksum"] == steps["key file before rotation"]["stat"]["checksum"]
    assert steps["rotate"]["changed"] is True and steps["rotate again"]["changed"] is True
    assert steps["key file after rotation"]["stat"]["checksum"] != steps["key file before rotation"]["stat"]["checksum"]
    assert steps["key file after rotation"]["stat"]["mode"] == "0600"
    info = steps["key after rotation"]["json"]["info"]
    assert (info["spend"], info["key_alias"], info["team_id"]) == (1.5, corner.alias, None), "rotation keeps spend"
    assert len(steps["keys with the alias"]["json"]["keys"]) == 1
    assert not key_file.exists() and not Path(f"{key_file}.pending").exists()


def test_crash_safe_creation_adopts_and_never_mints_twice(litellm_proxy, corner):
    after_request, before_request, own, rotated = new_value(), new_value(), new_value(), new_value()
    key_file = corner.tmp_path / "after-request"
    key_file.write_text(after_request + "\n")
    key_file.chmod(0o600)
    # A run that stopped after LiteLLM created the key: the key exists with the value the module had sent.
    answer = litellm_proxy.api("POST", "/key/generate", json={"key_alias": corner.alias, "key": after_request,
                                                              "max_budget": 1.0})
    assert answer.status_code == 200, answer.text
    # One that stopped before: the key file holds the value, LiteLLM has no key.
    pending_file = corner.tmp_path / "before-request"
    pending_file.write_text(before_request + "\n")
    # A key made by a user-supplied value, created outside the module.
    assert litellm_proxy.api("POST", "/key/generate", json={"key_alias": corner.alias + "-own", "key": own}).ok

    steps = Steps(litellm_proxy, "virtual_key", {"key_alias": corner.alias})
    steps.apply("retry after the request", key_file=str(key_file), max_budget=1.0)
    steps.apply("retry after the request, changed option", key_file=str(key_file), max_budget=2.0)
    steps.task("retry before the request", {"key_alias": corner.alias + "-2", "key_file": str(pending_file)})
    steps.task("own value", {"key_alias": corner.alias + "-own", "key": own})
    steps.task("own value, rotated by succession", {"key_alias": corner.alias + "-own", "key": rotated})
    steps.task("value would be lost", {"key_alias": corner.alias + "-3"}, ignore_errors=True)
    steps.task("value would be lost, check mode", {"key_alias": corner.alias + "-3"}, check=True, ignore_errors=True)
    steps.task("not a key", {"key_alias": corner.alias + "-3", "key": "abc"}, ignore_errors=True)
    steps.task("key file of another key", {"key_alias": corner.alias + "-own", "key_file": str(key_file)},
               ignore_errors=True)
    steps.task("missing key file", {"key_alias": corner.alias + "-own", "key_file": str(corner.tmp_path / "none")},
               ignore_errors=True)
    steps.task("unknown team", {"key_alias": corner.alias + "-3", "team_alias": corner.alias + "-no-team",
                                "return_key": True}, ignore_errors=True)
    steps.read("keys", LIST + f"?key_alias={corner.alias}&substring_matching=true&return_full_object=true&size=100")
    steps.run()

    keys = sorted((k["key_alias"], k["token"]) for k in steps["keys"]["json"]["keys"])
    assert keys == sorted([(corner.alias, token_of(after_request)), (corner.alias + "-2", token_of(before_request)),
                           (corner.alias + "-own", token_of(rotated))]), "one key each, with the value kept"
    assert steps["retry after the request"]["changed"] is False
    assert steps["retry after the request, changed option"]["changed"] is True
    assert steps["retry before the request"]["changed"] is True
    assert pending_file.read_text().strip() == before_request and key_file.read_text().strip() == after_request
    assert steps["own value"]["changed"] is False
    assert steps["own value, rotated by succession"]["changed"] is True
    assert steps["own value, rotated by succession"]["retired"][0].startswith(corner.alias + "-own.retiring-")
    lost = (f"failed to create virtual_key '{corner.alias}-3': the value of a new virtual key is known only now: set "
            "key_file (or return_key: true, or key) so that it is not lost")
    assert steps["value would be lost"]["msg"] == lost
    assert steps["value would be lost, check mode"]["msg"] == lost
    assert steps["not a key"]["msg"] == (f"failed to validate virtual_key '{corner.alias}-3': key must start with sk- "
                                         "(LiteLLM takes any other value for a key's hash)")
    assert steps["key file of another key"]["msg"] == (
        f"failed to check the key_file of virtual_key '{corner.alias}-own': key_file {key_file} holds another key "
        f"than virtual_key '{corner.alias}-own' (its hash is not the key's token); the module does not overwrite it")
    assert "does not exist, and LiteLLM never returns the value of an existing key" in steps["missing key file"]["msg"]
    assert steps["unknown team"]["msg"] == (f"failed to find the team '{corner.alias}-no-team' of virtual_key "
                                            f"'{corner.alias}-3': no team has team_alias '{corner.alias}-no-team'")


def test_key_value_never_printed_with_vvv(litellm_proxy, corner):
    """The value of a created key appears in no output of a -vvv run, unless the task asks for it (return_key
    without no_log, the last task: proof that the scan would see it)."""
    files = {name: corner.tmp_path / name for name in ("kept", "returned", "shown")}
    defaults = {GROUP: {"api_url": litellm_proxy.url, "api_key": litellm_proxy.master_key}}
    tasks = [
        {"name": "create", "llmops.litellm.virtual_key": {"key_alias": corner.alias, "key_file": str(files["kept"]),
                                                          "max_budget": 1}, "diff": True},
        {"name": "update", "llmops.litellm.virtual_key": {"key_alias": corner.alias, "key_file": str(files["kept"]),
                                                          "max_budget": 2}, "diff": True},
        {"name": "read", "llmops.litellm.virtual_key_info": {"key_alias": corner.alias}},
        {"name": "returned under no_log", "no_log": True, "register": "returned",
         "llmops.litellm.virtual_key": {"key_alias": corner.alias + "-r", "key_file": str(files["returned"]),
                                        "return_key": True}},
        {"name": "failing task", "llmops.litellm.virtual_key": {"key_alias": corner.alias, "key_file":
                                                                str(files["returned"])}, "ignore_errors": True},
        {"name": "returned and shown", "llmops.litellm.virtual_key": {
            "key_alias": corner.alias + "-s", "key_file": str(files["shown"]), "return_key": True}},
    ]
    result = run_playbook([{"name": "keys stay secret", "hosts": "localhost", "gather_facts": False,
                            "module_defaults": defaults, "tasks": tasks}], verbosity=3, json_output=False)
    output = result.stdout + result.stderr
    assert result.rc == 0, output[-3000:]
    kept, returned, shown = (files[n].read_text().strip() for n in ("kept", "returned", "shown"))
    assert stat.S_IMODE(os.stat(files["kept"]).st_mode) == 0o600
    assert "TASK [returned and shown]" in output and "holds another key" in output
    assert kept not in output and token_of(kept) not in output
    assert returned not in output and token_of(returned) not in output
    assert shown in output, "the scan sees a value the task asked to show"
    assert litellm_proxy.master_key not in output
