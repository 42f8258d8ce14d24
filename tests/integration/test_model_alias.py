"""llmops.litellm.model_alias and model_alias_info against the real LiteLLM proxy, driven through ansible-playbook.

One playbook run: the four steps of the create, of each option changed alone and of the delete, the info module and
the refusals, with plain HTTP reads of the router settings in force (/router/settings) between them. An alias
set beside the test's (by /config/update, as another owner would) must survive every write. The gateway_state steps
write six aliases at once from its thread pool: each write replaces the whole map, so none may be lost (created,
then deleted, together).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task

SETTINGS = "/router/settings"


def aliases(proxy) -> dict[str, Any]:
    return dict(proxy.api("GET", SETTINGS).json()["current_values"].get("model_group_alias") or {})


def write(proxy, found: dict[str, Any]) -> None:
    answer = proxy.api("POST", "/config/update", json={"router_settings": {"model_group_alias": found}})
    assert answer.status_code == 200, answer.text


@pytest.fixture
def names(litellm_proxy):
    prefix = f"it-alias-{uuid.uuid4().hex[:8]}"
    write(litellm_proxy, dict(aliases(litellm_proxy), **{f"{prefix}-other": "gpt-other"}))
    yield prefix
    write(litellm_proxy, {k: v for k, v in aliases(litellm_proxy).items() if not k.startswith(prefix)})


def test_model_alias_four_steps_each_option_info_and_bad_input(litellm_proxy, names):
    alias = f"{names}-opus[1m]"

    def read(name: str) -> dict[str, Any]:
        return read_task(name, litellm_proxy, SETTINGS)

    def parse(answer: dict[str, Any]) -> Any:
        entry = (ok(answer)["current_values"].get("model_group_alias") or {}).get(alias)
        if entry is None:
            return None
        return dict(entry) if isinstance(entry, dict) else {"model": entry}

    document = {"model_aliases": [{"alias": f"{names}-doc", "model": f"{names}-opus", "hidden": True}] + [
        {"alias": f"{names}-doc{n}", "model": f"{names}-opus"} for n in range(5)]}
    lifecycle = Lifecycle(
        proxy=litellm_proxy, module="model_alias", key={"alias": alias},
        create={"model": f"{names}-opus"},
        changes={"model": f"{names}-opus-next", "hidden": True},
        read=read, parse=parse,
        live={"model": lambda found: found["model"], "hidden": lambda found: bool(found.get("hidden", False))},
        extra=[
            module_task("info of the alias", "model_alias_info", {"alias": alias}),
            module_task("info of every alias", "model_alias_info", {}),
            module_task("bad name", "model_alias", {"alias": f"{names} spaced", "model": "x"}, ignore_errors=True),
            module_task("itself", "model_alias", {"alias": f"{names}-self", "model": f"{names}-self"},
                        ignore_errors=True),
            module_task("nothing to create", "model_alias", {"alias": f"{names}-none"}, ignore_errors=True),
            module_task("document: check", "gateway_state", {"document": document}, check=True),
            module_task("document: apply", "gateway_state", {"document": document}),
            module_task("document: apply again", "gateway_state", {"document": document}),
            module_task("document: export", "gateway_state_info", {"kinds": ["model_aliases"]}),
            module_task("document: absent", "gateway_state", {"document": {"model_aliases": [
                dict(a, state="absent") for a in document["model_aliases"]]}}),
        ])
    steps = lifecycle.run()
    final = lifecycle.verify(steps)
    assert final == {"model": f"{names}-opus-next", "hidden": True}

    step = steps.result.task
    assert step("info of the alias")["model_aliases"] == [{"alias": alias, "model": f"{names}-opus-next", "hidden": True}]
    assert {"alias": f"{names}-other", "model": "gpt-other", "hidden": False} in step("info of every alias")["model_aliases"]
    assert "is not a model name clients can send" in step("bad name")["msg"]
    assert "must not name itself as its model" in step("itself")["msg"]
    assert "model" in step("nothing to create")["msg"]
    # a gateway_state kind: planned, applied once (all six written, none lost), exported, deleted
    assert sorted((c["kind"], c["name"], c["action"]) for c in step("document: check")["changes"]) == sorted(
        ("model_alias", a["alias"], "create") for a in document["model_aliases"])
    assert step("document: apply")["changed"] is True
    assert step("document: apply again")["changes"] == [], "an alias written at the same time as another was lost"
    exported = [a for a in step("document: export")["document"]["model_aliases"] if a["alias"].startswith(names + "-doc")]
    assert sorted((a["alias"], a["model"], bool(a.get("hidden"))) for a in exported) == sorted(
        (a["alias"], a["model"], bool(a.get("hidden"))) for a in document["model_aliases"])
    assert [c["action"] for c in step("document: absent")["changes"]] == ["delete"] * 6
    after = aliases(litellm_proxy)
    assert after.get(f"{names}-other") == "gpt-other", "an alias of another owner was lost"
    assert not any(k.startswith(names) and k != f"{names}-other" for k in after)
