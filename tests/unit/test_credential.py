"""The credential spec: write-only values, merged credential_info, config credentials, request bodies."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL

LIVE = {"credential_name": "c", "display_name": None, "credential_info": {"custom_llm_provider": "openai", "n": 1},
        "credential_values": {"api_key": "sk****78"}, "source": "db"}


def test_values_are_write_only_and_info_merges():
    view = CREDENTIAL.view(LIVE)
    assert view == {"credential_name": "c", "display_name": None,
                    "credential_info": {"custom_llm_provider": "openai", "n": 1}}
    desired = {"credential_name": "c", "credential_values": {"api_key": "sk-new"}, "credential_info": {"n": 1}}
    assert CREDENTIAL.changes(desired, view) == {}, "values are never compared; info keys not given are kept"
    assert CREDENTIAL.secrets(desired) == {"credential_values": {"api_key": "sk-new"}}
    changes = CREDENTIAL.changes(dict(desired, credential_info={"n": 2}), view)
    assert CREDENTIAL.predict(view, changes)["credential_info"] == {"custom_llm_provider": "openai", "n": 2}


@pytest.mark.parametrize("changes, raw, expected", [
    ({"credential_name": "c", "credential_values": {"api_key": "k"}}, None,
     {"credential_name": "c", "credential_values": {"api_key": "k"}, "credential_info": {}}),
    ({"display_name": "C"}, LIVE, {"display_name": "C", "credential_name": "c", "credential_info": {}}),
    ({"credential_info": {"n": 2}}, LIVE, {"credential_info": {"custom_llm_provider": "openai", "n": 2},
                                           "credential_name": "c"}),
])
def test_every_request_carries_credential_info(changes, raw, expected):
    assert CREDENTIAL.payload(changes, raw) == expected


@pytest.mark.parametrize("source, read_only", [("config", True), ("db", False)])
def test_config_credentials_are_read_only(source, read_only):
    assert bool(CREDENTIAL.read_only(dict(LIVE, source=source))) is read_only


def test_update_secrets_defaults_to_always():
    assert CREDENTIAL.argument_spec()["update_secrets"] == {
        "type": "str", "choices": ["always", "on_create"], "default": "always"}
