"""llmops.litellm.jwt_key_mapping and jwt_key_mapping_info against the real LiteLLM proxy, driven through
ansible-playbook.

The mapping's virtual key is made for the test; its value is write-only and must never show in the run's output.
The mapping API needs no Enterprise licence (only JWT authentication itself does). One playbook run.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task

LIST = "/jwt/key/mapping/list"


@pytest.fixture
def key(litellm_proxy):
    alias = f"it-jwt-{uuid.uuid4().hex[:8]}"
    answer = litellm_proxy.api("POST", "/key/generate", json={"key_alias": alias})
    assert answer.status_code == 200, answer.text
    yield alias, answer.json()["key"]
    for mapping in litellm_proxy.api("GET", LIST, params={"size": 100}).json()["mappings"]:
        if mapping["jwt_claim_value"].startswith(alias):
            litellm_proxy.api("POST", "/jwt/key/mapping/delete", json={"id": mapping["id"]})
    litellm_proxy.api("POST", "/key/delete", json={"key_aliases": [alias]})


def mapping_of(answer: dict[str, Any], value: str, issuer: str | None = None) -> Any:
    found = [m for m in ok(answer)["mappings"] if m["jwt_claim_value"] == value and m["jwt_issuer"] == issuer]
    assert len(found) <= 1
    return found[0] if found else None


def test_jwt_key_mapping_four_steps_each_option_secret_and_bad_input(litellm_proxy, key):
    alias, value = key
    claim = alias + "-svc"
    issuer = "https://login.example.com"
    identity = {"jwt_claim_name": "sub", "jwt_claim_value": claim}

    def read(name: str) -> dict[str, Any]:
        return read_task(name, litellm_proxy, LIST + "?size=100")

    lifecycle = Lifecycle(
        proxy=litellm_proxy, module="jwt_key_mapping",
        key=dict(identity, key=value, update_secrets="on_create"),
        create={"description": "first", "is_active": False},
        changes={"description": "second", "is_active": True},
        read=read, parse=lambda answer: mapping_of(answer, claim),
        live={"description": lambda m: m["description"], "is_active": lambda m: m["is_active"]},
        extra=[
            module_task("send the key again", "jwt_key_mapping", dict(identity, key=value), diff=True),
            module_task("same claim, one issuer", "jwt_key_mapping", dict(identity, key=value, jwt_issuer=issuer)),
            module_task("same claim, one issuer again", "jwt_key_mapping",
                        dict(identity, key=value, jwt_issuer=issuer, update_secrets="on_create")),
            module_task("info of the claim", "jwt_key_mapping_info", {"jwt_claim_value": claim}),
            module_task("info by id", "jwt_key_mapping_info", {"mapping_id": "{{ by_issuer.jwt_key_mapping.mapping_id }}"}),
            module_task("change the claim name", "jwt_key_mapping", {
                "mapping_id": "{{ by_issuer.jwt_key_mapping.mapping_id }}", "jwt_claim_name": "email"},
                ignore_errors=True),
            module_task("no key", "jwt_key_mapping", {"jwt_claim_name": "sub", "jwt_claim_value": claim + "-2"},
                        ignore_errors=True),
            module_task("issuer's absent", "jwt_key_mapping", dict(identity, jwt_issuer=issuer, state="absent")),
            read("read after the extras"),
        ])
    steps = lifecycle.steps()
    steps.tasks[[t["name"] for t in steps.tasks].index("same claim, one issuer")]["register"] = "by_issuer"
    steps.run()
    steps.ok()
    lifecycle.verify(steps)

    step = steps.result.task
    assert value not in steps.result.stdout + steps.result.stderr, "the key's value leaked into the output"
    created = step("create: apply")["jwt_key_mapping"]
    assert "key" not in created and "key" not in step("create: check")["diff"]["after"]
    assert created["jwt_claim_name"] == "sub" and created["jwt_issuer"] is None and created["mapping_id"]
    assert step("create: check")["jwt_key_mapping"]["mapping_id"] is None
    assert step("send the key again")["changed"] is True, "update_secrets=always sends the key on every run"
    assert step("send the key again")["diff"]["before"] == step("send the key again")["diff"]["after"]
    by_issuer = step("same claim, one issuer")["jwt_key_mapping"]
    assert step("same claim, one issuer")["changed"] is True and by_issuer["jwt_issuer"] == issuer
    assert by_issuer["mapping_id"] != created["mapping_id"]
    assert step("same claim, one issuer again")["changed"] is False
    assert sorted(m["jwt_issuer"] or "" for m in step("info of the claim")["jwt_key_mappings"]) == ["", issuer]
    assert step("info by id")["jwt_key_mappings"] == [by_issuer]
    assert step("change the claim name")["msg"] == (
        f"failed to update jwt_key_mapping '{by_issuer['mapping_id']}': jwt_claim_name of jwt_key_mapping '{claim}' "
        "cannot be changed: LiteLLM's /jwt/key/mapping/update does not take it; delete the mapping and create another")
    assert step("no key")["msg"] == f"failed to create jwt_key_mapping '{claim}-2': key is required to create a jwt_key_mapping"
    assert step("issuer's absent")["changed"] is True
    assert mapping_of(step("read after the extras"), claim, issuer) is None
    assert mapping_of(step("read after the extras"), claim)["jwt_claim_name"] == "sub"
