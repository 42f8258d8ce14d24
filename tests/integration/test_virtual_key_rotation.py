"""The life of a virtual key's value against the real LiteLLM proxy: a revoked value never comes back, and rotation
(succession on a community proxy, /key/regenerate with a licence) with a grace period, on a schedule, crash-safe.

LiteLLM keeps deleted keys in its archive (LiteLLM_DeletedVerificationToken, read by /key/info on the hash): the
tests delete keys as an admin would (/key/delete, /team/delete) and run the same task again. Chat requests are made
with the values the module kept in its key files (read inside the play, never printed) through the proxy's
``mock-gpt`` model. A predecessor's grace period is ended by renaming it to a retiring alias in the past (what the
clock would do), never by waiting.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_virtual_key import LIST, Corner, new_value, token_of, with_key
from tests.lib.lifecycle import Steps

RETIRED = ".retiring-20000101T000000Z"  # a predecessor whose grace period ended long ago


@pytest.fixture
def corner(litellm_proxy, tmp_path):
    c = Corner(litellm_proxy, tmp_path)
    yield c
    c.cleanup()


def keys_like(proxy: Any, alias: str) -> list[dict[str, Any]]:
    """Live keys whose alias is ``alias`` or starts with it, sorted by alias."""
    answer = proxy.api("GET", LIST, params={"key_alias": alias, "substring_matching": "true",
                                            "return_full_object": "true", "size": 100})
    assert answer.status_code == 200, answer.text
    return sorted((k for k in answer.json()["keys"] if k["key_alias"].startswith(alias)), key=lambda k: k["key_alias"])


def value_in(path: Path) -> str:
    return path.read_text().strip()


def chat_status(steps: Steps, label: str, value: str, status: int) -> None:
    """A chat request with ``value`` (kept out of the output) that must answer ``status``."""
    steps.tasks.append({"name": f"set {label}", "no_log": True, "ansible.builtin.set_fact": {"chat_value": value}})
    with_key(steps, label, "{{ chat_value }}", status=status)


def test_revoked_key_never_comes_back(litellm_proxy, corner):
    proxy, key_file, team_file = litellm_proxy, corner.tmp_path / "key", corner.tmp_path / "team-key"
    _team, team_id = corner.team("t")
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("create", models=["mock-gpt"])
    steps.task("create in team", {"key_alias": corner.alias + "-team", "key_file": str(team_file),
                                  "team_id": team_id})
    steps.run()
    steps.ok()
    first, in_team = value_in(key_file), value_in(team_file)

    # an admin revokes the key; its team is deleted with the other key in it
    assert proxy.api("POST", "/key/delete", json={"keys": [token_of(first)]}).ok
    assert proxy.api("POST", "/team/delete", json={"team_ids": [team_id]}).ok
    corner.teams.remove(team_id)

    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.task("info of the revoked value", {"token": token_of(first)}, module="virtual_key_info")
    steps.apply("again: check", check=True, models=["mock-gpt"])
    steps.apply("again", models=["mock-gpt"])
    steps.apply("again, nothing to do", models=["mock-gpt"])
    steps.task("again in no team", {"key_alias": corner.alias + "-team", "key_file": str(team_file)})
    steps.task("own revoked value", {"key_alias": corner.alias + "-own", "key": first}, ignore_errors=True)
    steps.task("lost key file", {"key_alias": corner.alias, "key_file": str(corner.tmp_path / "lost")},
               ignore_errors=True)
    chat_status(steps, "chat with the revoked value", first, 401)
    with_key(steps, "chat with the new value", "{{ lookup('file', '%s') }}" % key_file)
    steps.run()
    steps.ok()

    second = value_in(key_file)
    assert second != first and value_in(team_file) != in_team, "a revoked value is never used again"
    assert not Path(f"{key_file}.pending").exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    live = {k["key_alias"]: k["token"] for k in keys_like(proxy, corner.alias)}
    assert live == {corner.alias: token_of(second), corner.alias + "-team": token_of(value_in(team_file))}
    assert steps["info of the revoked value"]["revoked"] is True and steps["info of the revoked value"]["virtual_keys"] == []
    assert steps["again: check"]["changed"] is True
    assert steps["again"]["changed"] is True and steps["again, nothing to do"]["changed"] is False
    assert any("holds the value of a key LiteLLM deleted (revoked) at" in w and "gets a new value" in w
               for w in steps["again"]["warnings"])
    assert steps["own revoked value"]["msg"].startswith(
        f"failed to check the value of virtual_key '{corner.alias}-own': key is the value of a key LiteLLM deleted "
        "(revoked) at ")
    assert steps["own revoked value"]["msg"].endswith(
        f"and a revoked value is never used again: give virtual_key '{corner.alias}-own' a new value")
    assert "give the key's value with key to write the file again" in steps["lost key file"]["msg"]


def test_gateway_state_never_reuses_a_revoked_value(litellm_proxy, corner):
    proxy, key_dir = litellm_proxy, corner.tmp_path / "keys"
    key_dir.mkdir()
    document = {"virtual_keys": [{"key_alias": corner.alias, "models": ["mock-gpt"]}]}
    task = {"document": document, "key_dir": str(key_dir), "scope": {"kinds": ["virtual_keys"],
                                                                     "name_prefix": corner.alias}}
    steps = Steps(proxy, "gateway_state", {})
    steps.task("apply", task)
    steps.run()
    steps.ok()
    key_file = key_dir / corner.alias
    first = value_in(key_file)
    assert proxy.api("POST", "/key/delete", json={"keys": [token_of(first)]}).ok

    steps = Steps(proxy, "gateway_state", {})
    steps.task("apply again", task)
    steps.task("apply once more", task)
    steps.run()
    steps.ok()
    second = value_in(key_file)
    assert second != first
    assert [k["token"] for k in keys_like(proxy, corner.alias)] == [token_of(second)]
    created = [o for o in steps["apply again"]["objects"] if o["name"] == corner.alias]
    assert created[0]["status"] == "created" and "LiteLLM deleted (revoked)" in created[0]["note"]
    assert steps["apply once more"]["changed"] is False


def test_rotation_by_succession_with_grace_period(litellm_proxy, corner):
    """A community proxy: no /key/regenerate licence, rotation by succession."""
    proxy, key_file = litellm_proxy, corner.tmp_path / "key"
    settings = {"models": ["mock-gpt"], "max_budget": 5.0, "rpm_limit": 50, "metadata": {"owner": "it"}}
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("create", **settings)
    steps.run()
    steps.ok()
    first = value_in(key_file)

    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("rotate: check", check=True, regenerate=True, grace_period="1h")
    listing = f"?key_alias={corner.alias}&substring_matching=true&return_full_object=true&size=100"
    steps.read("keys after check", LIST + listing)
    steps.apply("rotate", regenerate=True, grace_period="1h", diff=True)
    steps.apply("not due", rotation_period="30d", grace_period="1h", **settings)
    chat_status(steps, "chat with the old value in the grace period", first, 200)
    with_key(steps, "chat with the new value", "{{ lookup('file', '%s') }}" % key_file)
    steps.run()
    steps.ok()
    second = value_in(key_file)
    assert steps["rotate: check"]["changed"] is True and steps["rotate"]["changed"] is True
    assert [k["key_alias"] for k in steps["keys after check"]["json"]["keys"]] == [corner.alias], "check wrote"
    assert second != first and not Path(f"{key_file}.pending").exists()
    assert steps["not due"]["changed"] is False and steps["not due"]["retired"] == []
    live = keys_like(proxy, corner.alias)
    assert [k["key_alias"] for k in live][0] == corner.alias and len(live) == 2
    successor, predecessor = live
    assert successor["token"] == token_of(second) and predecessor["token"] == token_of(first)
    assert predecessor["key_alias"].startswith(corner.alias + ".retiring-")
    for field in ("models", "max_budget", "rpm_limit"):
        assert successor[field] == predecessor[field], field
    assert successor["metadata"]["owner"] == "it"

    # the grace period ends: the next run deletes the predecessor, whose value then stops working
    assert proxy.api("POST", "/key/update", json={"key": token_of(first), "key_alias": corner.alias + RETIRED}).ok
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("after the grace period: check", check=True)
    steps.apply("after the grace period")
    steps.apply("after the grace period, again")
    chat_status(steps, "chat with the old value after the grace period", first, 401)
    with_key(steps, "chat with the new value after the grace period", "{{ lookup('file', '%s') }}" % key_file)
    # no grace period: the old value stops working at once
    steps.apply("rotate without grace", regenerate=True)
    chat_status(steps, "chat with the second value", second, 401)
    with_key(steps, "chat with the third value", "{{ lookup('file', '%s') }}" % key_file)
    steps.run()
    steps.ok()
    assert steps["after the grace period: check"]["retired"] == [corner.alias + RETIRED]
    assert steps["after the grace period"]["changed"] is True
    assert steps["after the grace period"]["retired"] == [corner.alias + RETIRED]
    assert steps["after the grace period, again"]["changed"] is False
    third = value_in(key_file)
    assert third not in (first, second)
    assert [(k["key_alias"], k["token"]) for k in keys_like(proxy, corner.alias)] == [(corner.alias, token_of(third))]
    assert len(steps["rotate without grace"]["retired"]) == 1


def test_scheduled_rotation_and_crash_at_every_step(litellm_proxy, corner):
    proxy, key_file = litellm_proxy, corner.tmp_path / "key"
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("create", models=["mock-gpt"], rotation_period="1d")
    steps.apply("not due", models=["mock-gpt"], rotation_period="1d")
    steps.run()
    steps.ok()
    first = value_in(key_file)
    assert steps["create"]["changed"] is True and steps["not due"]["changed"] is False

    # the value is two days old: due
    old = time.time() - 2 * 86400
    os.utime(key_file, (old, old))
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("due: check", check=True, rotation_period="1d")
    steps.apply("due", rotation_period="1d")
    steps.apply("due, again", rotation_period="1d")
    steps.run()
    steps.ok()
    second = value_in(key_file)
    assert steps["due: check"]["changed"] is True and value_in(key_file) != first
    assert steps["due"]["changed"] is True and steps["due, again"]["changed"] is False
    assert [k["token"] for k in keys_like(proxy, corner.alias)] == [token_of(second)]

    # a run stopped after the new value was kept and the old key renamed, before the successor was created
    pending = new_value()
    Path(f"{key_file}.pending").write_text(pending + "\n")
    assert proxy.api("POST", "/key/update", json={"key": token_of(second), "key_alias": corner.alias + RETIRED}).ok
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("after a crash before the successor")
    steps.apply("after a crash before the successor, again")
    steps.run()
    steps.ok()
    assert value_in(key_file) == pending and not Path(f"{key_file}.pending").exists()
    assert [(k["key_alias"], k["token"]) for k in keys_like(proxy, corner.alias)] == [(corner.alias, token_of(pending))]
    assert steps["after a crash before the successor"]["retired"] == [corner.alias + RETIRED]
    assert steps["after a crash before the successor, again"]["changed"] is False

    # a run stopped after the successor was created, before the rename of the .pending file
    successor = new_value()
    Path(f"{key_file}.pending").write_text(successor + "\n")
    assert proxy.api("POST", "/key/update", json={"key": token_of(pending), "key_alias": corner.alias + RETIRED}).ok
    assert proxy.api("POST", "/key/generate", json={"key_alias": corner.alias, "key": successor,
                                                    "models": ["mock-gpt"]}).ok
    # and one stopped after the new value was kept, before LiteLLM saw it: another rotation is not due
    steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("after a crash before the rename", rotation_period="1d")
    steps.apply("absent", state="absent")
    steps.run()
    steps.ok()
    assert steps["after a crash before the rename"]["changed"] is True
    assert steps["after a crash before the rename"]["retired"] == [corner.alias + RETIRED]
    assert steps["absent"]["changed"] is True and keys_like(proxy, corner.alias) == []
    assert not key_file.exists() and not Path(f"{key_file}.pending").exists()


def test_rotation_with_licence_keeps_spend_and_grace(litellm_proxy_premium, tmp_path):
    """Against the proxy with the Enterprise licence check switched on (TEST ONLY: tests/lib/premium)."""
    proxy = litellm_proxy_premium
    corner = Corner(proxy, tmp_path)
    key_file = tmp_path / "key"
    try:
        steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
        steps.apply("create", models=["mock-gpt"])
        steps.run()
        steps.ok()
        first = value_in(key_file)
        assert proxy.api("POST", "/key/update", json={"key": token_of(first), "spend": 1.25}).ok
        steps = Steps(proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
        steps.apply("rotate", regenerate=True, grace_period="1h")
        steps.read("key after rotation", "/key/info?key={{ lookup('file', '%s') | hash('sha256') }}" % key_file)
        chat_status(steps, "chat with the old value in the grace period", first, 200)
        with_key(steps, "chat with the new value", "{{ lookup('file', '%s') }}" % key_file)
        steps.run()
        steps.ok()
        info = steps["key after rotation"]["json"]["info"]
        assert info["spend"] == 1.25 and info["key_alias"] == corner.alias, "regenerate keeps the spend"
        assert [k["key_alias"] for k in keys_like(proxy, corner.alias)] == [corner.alias], "no predecessor"
        assert value_in(key_file) != first and steps["rotate"]["retired"] == []
    finally:
        corner.cleanup()


def test_options_are_checked_before_writing(litellm_proxy, corner):
    key_file = corner.tmp_path / "key"
    steps = Steps(litellm_proxy, "virtual_key", {"key_alias": corner.alias, "key_file": str(key_file)})
    steps.apply("bad period", rotation_period="monthly", ignore_errors=True)
    steps.apply("bad grace", grace_period="1.5h", ignore_errors=True)
    steps.task("period without key file", {"key_alias": corner.alias, "return_key": True, "rotation_period": "1d"},
               ignore_errors=True)
    steps.run()
    assert steps["bad period"]["msg"] == (f"failed to validate virtual_key '{corner.alias}': rotation_period "
                                          "'monthly' is not a duration: write a whole number and one of s, m, h, d, w "
                                          "(24h, 90d)")
    assert "grace_period '1.5h' is not a duration" in steps["bad grace"]["msg"]
    assert steps["period without key file"]["msg"] == "missing parameter(s) required by 'rotation_period': key_file"
    assert not key_file.exists()
    assert keys_like(litellm_proxy, corner.alias) == []
