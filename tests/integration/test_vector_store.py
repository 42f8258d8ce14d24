"""llmops.litellm.vector_store and vector_store_info against the real LiteLLM proxy, driven through ansible-playbook.

Registering a vector store does not call its provider, so the stores point at the discard port. One playbook run:
the four steps of create, of each option and of absent, a store registered with litellm_params and write-only
secrets, what LiteLLM cannot change after the create refused before any write, and the info module; plain HTTP
reads of LiteLLM between the steps.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.lib.lifecycle import Lifecycle, module_task, ok, read_task

LIST = "/vector_store/list"
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def store_id(litellm_proxy):
    store_id = f"vs_it_{uuid.uuid4().hex[:8]}"
    yield store_id
    for store in litellm_proxy.api("GET", LIST).json()["data"]:
        if store["vector_store_id"].startswith(store_id):
            litellm_proxy.api("POST", "/vector_store/delete", json={"vector_store_id": store["vector_store_id"]})


def field(key: str):
    return lambda store: store[key]


LIVE = dict((name, field(name)) for name in ("custom_llm_provider", "vector_store_name", "vector_store_description",
                                             "vector_store_metadata"))


def test_vector_store_four_steps_for_create_each_option_secrets_and_absent(litellm_proxy, store_id):
    proxy, secret, other = litellm_proxy, f"sk-it-{uuid.uuid4().hex}", store_id + "_params"
    with_params = {"vector_store_id": other, "custom_llm_provider": "openai",
                   "litellm_params": {"api_base": NOWHERE, "api_version": "v1"},
                   "secret_litellm_params": {"api_key": secret, "aws_secret_access_key": "os.environ/AWS_SECRET"}}

    def find(answer: dict[str, Any], wanted: str) -> Any:
        return next((s for s in ok(answer)["data"] if s["vector_store_id"] == wanted), None)

    steps_of_other = []
    for label, check in (("check", True), ("apply", False), ("check again", True), ("apply again", False)):
        steps_of_other.append(module_task(f"params: {label}", "vector_store", with_params, check=check, diff=True))
        if label == "check":
            steps_of_other.append(read_task("params: read after check", proxy, LIST))
    lifecycle = Lifecycle(
        proxy=proxy, module="vector_store", key={"vector_store_id": store_id},
        create={"custom_llm_provider": "openai", "vector_store_name": "first"},
        changes={"custom_llm_provider": "azure", "vector_store_name": "second", "vector_store_description": "docs",
                 "vector_store_metadata": {"team": "search"}},
        read=lambda task: read_task(task, proxy, LIST), parse=lambda answer: find(answer, store_id), live=LIVE,
        extra=steps_of_other + [
            read_task("params: read", proxy, LIST),
            module_task("params changed", "vector_store", dict(with_params, litellm_params={"api_base": NOWHERE + "/x"}),
                        check=True, ignore_errors=True),
            module_task("credential changed", "vector_store", {"vector_store_id": other,
                                                               "litellm_credential_name": "x"}, ignore_errors=True),
            module_task("secret in litellm_params", "vector_store", {"vector_store_id": other,
                                                                     "litellm_params": {"api_key": "sk-x"}},
                        ignore_errors=True),
            module_task("no provider", "vector_store", {"vector_store_id": store_id + "_new"}, ignore_errors=True),
            read_task("params: read after refusals", proxy, LIST),
            module_task("info by id", "vector_store_info", {"vector_store_id": other}),
            module_task("info of all", "vector_store_info", {}),
            module_task("params: absent", "vector_store", {"vector_store_id": other, "state": "absent"}),
        ])
    steps = lifecycle.run()
    lifecycle.verify(steps)
    step = steps.result.task

    assert step("params: check")["changed"] is True and find(step("params: read after check"), other) is None
    assert step("params: apply")["changed"] is True
    assert step("params: check again")["changed"] is False and step("params: apply again")["changed"] is False
    created = step("params: apply")["vector_store"]
    assert "secret_litellm_params" not in created
    assert {k: created["litellm_params"][k] for k in ("api_base", "api_version")} == with_params["litellm_params"]
    stored = find(step("params: read"), other)
    assert stored["litellm_params"]["api_key"] == stored["litellm_params"]["aws_secret_access_key"] == \
        "REDACTED_BY_LITELM"
    assert stored["litellm_params"]["api_base"] == NOWHERE
    for output in (steps.result.stdout, steps.result.stderr):
        assert secret not in output

    assert step("params changed")["msg"] == (
        f"failed to update vector_store '{other}': litellm_params cannot be changed once the vector_store exists: "
        "LiteLLM's update leaves it as it is (delete the vector_store and create it again)")
    assert step("credential changed")["msg"] == (f"failed to validate vector_store '{other}': litellm_credential_name "
                                                 "names a credential 'x', which does not exist")
    assert step("secret in litellm_params")["msg"] == (
        f"failed to validate vector_store '{other}': litellm_params.api_key holds a secret, which LiteLLM never "
        "returns: set it in secret_litellm_params (write-only, never logged)")
    assert step("no provider")["msg"] == (f"failed to create vector_store '{store_id}_new': custom_llm_provider is "
                                          "required to create a vector_store")
    assert find(step("params: read after refusals"), other) == stored, "a refused change wrote"
    assert find(step("params: read after refusals"), store_id + "_new") is None

    (by_id,) = step("info by id")["vector_stores"]
    assert by_id == step("params: apply again")["vector_store"] and by_id in step("info of all")["vector_stores"]
    assert step("params: absent")["changed"] is True
