"""proxy_settings' rules: key-by-key plans, secrets as references, what is refused before any request."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds import proxy_settings as settings


def live(values, from_config=(), stored=()):
    found = settings.Live()
    found.values, found.from_config, found.stored = dict(values), set(from_config), set(stored)
    return found


@pytest.mark.parametrize("value, found", [
    ({"alert_to_webhook_url": {"budget_alerts": "https://x"}}, ["general_settings.alert_to_webhook_url.budget_alerts"]),
    ({"alert_to_webhook_url": {"budget_alerts": "os.environ/HOOK"}}, []),
    ({"database_url": "postgres://u:p@h/db"}, ["general_settings.database_url"]),
    ({"pass_through_endpoints": [{"headers": {"api_key": "lit"}}]},
     ["general_settings.pass_through_endpoints.headers.api_key"]),
    ({"max_tokens": 5, "alerting": ["slack"]}, []),
])
def test_literal_secrets(value, found):
    assert settings.literal_secrets("general_settings", value) == found


@pytest.mark.parametrize("params, message", [
    ({}, "set general_settings or router_settings"),
    ({"general_settings": {"database_url": "postgres://x"}}, "general_settings.database_url is a secret"),
    ({"router_settings": {"num_retries": 1}, "state": "absent"}, "router_settings cannot be removed"),
])
def test_refused_before_any_request(params, message):
    with pytest.raises(ValidationError, match=message):
        settings.validate(dict(dict(general_settings=None, router_settings=None, state="present"), **params))


def test_plan_compares_only_the_declared_keys_numbers_by_value():
    declared = {"general_settings": {"a": 5, "b": "x"}, "router_settings": {"timeout": 6000}}
    found = {"general_settings": live({"a": 5.0, "b": "y", "c": 1}), "router_settings": live({"timeout": 6000.0})}
    assert settings.plan(declared, found, "present") == {"general_settings": {"b": ("y", "x")}}


def test_absent_removes_only_what_a_write_set():
    declared = {"general_settings": {"a": None, "b": None, "c": None}}
    found = {"general_settings": live({"a": 1, "b": 1.0, "c": None}, stored=["a"])}
    assert settings.plan(declared, found, "absent") == {"general_settings": {"a": (1, None)}}


def test_a_key_of_the_config_file_is_refused():
    found = {"general_settings": live({"store_model_in_db": True}, from_config=["store_model_in_db"])}
    changes = settings.plan({"general_settings": {"store_model_in_db": False}}, found, "present")
    with pytest.raises(ValidationError, match="general_settings.store_model_in_db is set in the proxy's config file"):
        settings.refuse_config_owned(changes, found)


def test_a_secret_literal_read_back_is_blanked():
    assert settings.shown("general_settings", "alert_to_webhook_url", {"x": "https://hook"}) == "********"
    assert settings.shown("router_settings", "num_retries", 3) == 3
