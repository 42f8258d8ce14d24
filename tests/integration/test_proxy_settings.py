"""llmops.litellm.proxy_settings and proxy_settings_info against the real LiteLLM proxy, through ansible-playbook.

The settings belong to the whole (shared) proxy: the test sets only harmless keys (the retention of daily tag spend
rows, the slow-response alert threshold with no alerting configured, the router's allowed failures before a
cooldown) and puts them back as they were, whatever happens. The refusals use the one key
the test stack's config file sets (store_model_in_db) and keys that do not exist: nothing is written.
One playbook run, plain HTTP reads of LiteLLM between the steps.

LiteLLM's /config/update reloads every model of the proxy before it answers (measured: 85 s with the 204 models of
the loaded shared dev proxy), so the router setting is written once (and once more to restore it), and the tasks
have a timeout of 300 s.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.lib.lifecycle import Steps, ok, read_task

GENERAL = {"maximum_daily_tag_spend_retention_period": "400d", "alerting_threshold": 301}
KEYS = tuple(GENERAL)
TIMEOUT = 300


@pytest.fixture
def restored(litellm_proxy):
    """The router's allowed_fails as it was; the general settings keys the test touches removed afterwards."""
    proxy = litellm_proxy
    router = proxy.api("GET", "/get/config/callbacks").json()["router_settings"]
    listed = {f["field_name"]: f for f in proxy.api("GET", "/config/list",
                                                    params={"config_type": "general_settings"}).json()}
    assert listed["store_model_in_db"]["source"] == "config", "the test stack sets store_model_in_db in its config"
    assert all(listed.get(k, {}).get("source") in (None, "unset") for k in KEYS), "a key of the test is in use"
    yield router["allowed_fails"]
    for key in KEYS:
        proxy.api("POST", "/config/field/delete", json={"config_type": "general_settings", "field_name": key})
    requests.post(proxy.url + "/config/update", json={"router_settings": {"allowed_fails": router["allowed_fails"]}},
                  headers={"Authorization": f"Bearer {proxy.master_key}"}, timeout=TIMEOUT)


def general(answer: dict[str, Any], key: str) -> Any:
    """A general setting in a read of /config/list, or of /config/field/info (None when LiteLLM says it is unset)."""
    if answer["status"] == 400:
        assert answer["json"]["detail"]["error"] == f"Field name={key} is not set"
        return None
    found = ok(answer)
    if isinstance(found, list):
        (field,) = [f for f in found if f["field_name"] == key]
        return field["field_value"] if field["source"] != "unset" else None
    return found.get("field_value") if "field_value" in found else None


def test_proxy_settings_four_steps_each_key_absent_and_refusals(litellm_proxy, restored):
    proxy, fails = litellm_proxy, restored
    steps = Steps(proxy, "proxy_settings", {"timeout": TIMEOUT})
    listed = "/config/list?config_type=general_settings"
    callbacks = "/get/config/callbacks"

    def reads(label: str) -> None:
        steps.read(f"{label}: list", listed)
        threshold = read_task(f"{label}: threshold", proxy, "/config/field/info?field_name=alerting_threshold")
        threshold["ansible.builtin.uri"]["status_code"] = [200, 400]  # 400: "Field name=... is not set"
        steps.tasks.append(threshold)
        steps.read(f"{label}: router", callbacks)

    create = {"general_settings": dict(GENERAL)}
    steps.apply("create: check", check=True, diff=True, **create)
    reads("create: read after check")
    steps.apply("create: apply", diff=True, **create)
    steps.apply("create: check again", check=True, **create)
    steps.apply("create: apply again", **create)
    changed = [("general_settings", {"maximum_daily_tag_spend_retention_period": "500d"}),
               ("router_settings", {"allowed_fails": fails + 1})]
    for section, value in changed:
        name = f"{section}.{next(iter(value))}"
        steps.apply(f"{name}: check", check=True, diff=True, **{section: value})
        steps.apply(f"{name}: apply", **{section: value})
        steps.apply(f"{name}: check again", check=True, **{section: value})
        steps.apply(f"{name}: apply again", **{section: value})
    reads("options: read after applies")
    steps.task("info", {}, module="proxy_settings_info")
    # gateway_state: a click in the Admin UI behind the engine's back is drift, fixed by the same document
    steps.read("clicked", "/config/field/update", method="POST", body={
        "config_type": "general_settings", "field_name": "maximum_daily_tag_spend_retention_period",
        "field_value": "600d"})
    document = {"proxy_settings": [{"general_settings": {"maximum_daily_tag_spend_retention_period": "500d"}},
                                   {"router_settings": {"allowed_fails": fails + 1}}]}
    steps.task("gateway: drift", {"timeout": TIMEOUT, "document": document}, module="gateway_state", check=True)
    steps.task("gateway: fix", {"timeout": TIMEOUT, "document": document}, module="gateway_state")
    steps.task("gateway: fixed", {"timeout": TIMEOUT, "document": document}, module="gateway_state", check=True)
    steps.task("gateway: export", {"kinds": ["proxy_settings"]}, module="gateway_state_info", register="exported")
    steps.task("gateway: export applied", {"timeout": TIMEOUT, "document": "{{ exported.document }}"},
               module="gateway_state", check=True)
    steps.task("gateway: literal secret", {"document": {"proxy_settings": [{"general_settings": {
        "database_url": "postgres://u:p@h/db"}}]}}, module="gateway_state", ignore_errors=True)
    gone = {"general_settings": dict.fromkeys(KEYS), "state": "absent"}
    steps.apply("absent: check", check=True, diff=True, **gone)
    reads("absent: read after check")
    steps.apply("absent: apply", **gone)
    steps.apply("absent: check again", check=True, **gone)
    steps.apply("absent: apply again", **gone)
    reads("absent: read after apply")
    steps.apply("literal secret", ignore_errors=True,
                general_settings={"alert_to_webhook_url": {"budget_alerts": "https://hooks.example.com/T0"}})
    steps.apply("from the config file", ignore_errors=True, general_settings={"store_model_in_db": False})
    steps.apply("unknown key", ignore_errors=True, general_settings={"no_such_setting": 1})
    steps.apply("unknown router key", ignore_errors=True, router_settings={"no_such_setting": 1})
    steps.apply("router absent", ignore_errors=True, router_settings={"allowed_fails": 1}, state="absent")
    steps.apply("nothing declared", ignore_errors=True)
    steps.run()
    steps.ok()
    step = steps.__getitem__

    def live(label: str) -> tuple[Any, Any, Any]:
        return (general(step(f"{label}: list"), "maximum_daily_tag_spend_retention_period"),
                general(step(f"{label}: threshold"), "alerting_threshold"),
                ok(step(f"{label}: router"))["router_settings"]["allowed_fails"])

    check = step("create: check")
    assert check["changed"] is True
    assert check["diff"]["before"] == {"general_settings": dict.fromkeys(GENERAL)}
    assert check["diff"]["after"] == check["proxy_settings"] == create
    assert {c["path"] for c in check["changes"]} == {
        "general_settings.maximum_daily_tag_spend_retention_period", "general_settings.alerting_threshold"}
    assert live("create: read after check") == (None, None, fails), "check mode wrote to LiteLLM"
    assert step("create: apply")["changed"] is True and step("create: apply")["proxy_settings"] == create
    assert step("create: check again")["changed"] is False and step("create: apply again")["changed"] is False
    assert step("create: apply again")["changes"] == []

    for section, value in changed:
        name = f"{section}.{next(iter(value))}"
        assert step(f"{name}: check")["changed"] is True, name
        assert step(f"{name}: check")["diff"]["after"] == {section: value}, name
        assert [c["path"] for c in step(f"{name}: check")["changes"]] == [name]
        assert step(f"{name}: apply")["changed"] is True, name
        assert step(f"{name}: check again")["changed"] is False, name
        assert step(f"{name}: apply again")["changed"] is False, name
    # Each key alone: the others declared before kept their values (only the keys declared are owned).
    assert live("options: read after applies") == ("500d", 301, fails + 1)
    info = step("info")["proxy_settings"]
    assert info["general_settings"]["maximum_daily_tag_spend_retention_period"] == "500d"
    assert info["general_settings_sources"]["store_model_in_db"] == "config"
    assert info["router_settings"]["allowed_fails"] == fails + 1

    drift = step("gateway: drift")
    assert drift["changed"] is True and drift["changes"] == [{
        "kind": "proxy_settings", "name": "proxy", "action": "update", "changes": [{
            "path": "general_settings.maximum_daily_tag_spend_retention_period", "live": "600d", "desired": "500d"}]}]
    assert step("gateway: fix")["changed"] is True and step("gateway: fix")["changes"][0]["status"] == "updated"
    assert step("gateway: fixed")["changed"] is False and step("gateway: fixed")["changes"] == []
    # The export holds what LiteLLM's database holds (the shared dev database is written by two proxies and other
    # tests at once, so which keys it holds is not asserted here), and applied back it changes nothing.
    assert all(set(entry) == {"general_settings"} for entry in step("gateway: export")["document"]["proxy_settings"])
    assert step("gateway: export applied")["changed"] is False, step("gateway: export applied")["changes"]
    assert step("gateway: literal secret")["msg"] == (
        "failed to validate the document: general_settings.database_url is a secret: give it as an os.environ/NAME "
        "reference (LiteLLM stores and shows a literal in plain text)")

    assert step("absent: check")["changed"] is True
    assert live("absent: read after check") == ("500d", 301, fails + 1), "check mode wrote to LiteLLM"
    assert step("absent: apply")["changed"] is True
    assert step("absent: check again")["changed"] is False and step("absent: apply again")["changed"] is False
    # Removed: unset again; the router settings, not declared, kept.
    assert live("absent: read after apply") == (None, None, fails + 1)

    assert step("literal secret")["msg"] == (
        "failed to validate proxy_settings: general_settings.alert_to_webhook_url.budget_alerts is a secret: give it "
        "as an os.environ/NAME reference (LiteLLM stores and shows a literal in plain text)")
    assert step("from the config file")["msg"] == (
        "failed to update proxy_settings: general_settings.store_model_in_db is set in the proxy's config file, "
        "which LiteLLM does not let the API override: change it there")
    assert step("unknown key")["msg"] == (
        "failed to read proxy_settings: general_settings.no_such_setting is not a general setting this LiteLLM "
        "knows (its /config/field/info refuses it)")
    assert "Unsupported router settings: no_such_setting" in step("unknown router key")["msg"]
    assert step("router absent")["msg"].startswith("failed to validate proxy_settings: router_settings cannot be "
                                                   "removed")
    assert step("nothing declared")["msg"] == (
        "failed to validate proxy_settings: set general_settings or router_settings: proxy_settings owns only the "
        "keys it declares")
    for name in ("literal secret", "from the config file", "unknown key", "unknown router key", "router absent"):
        assert "written" not in step(name), name
