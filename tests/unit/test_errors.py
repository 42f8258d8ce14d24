"""Secret scrubbing and LiteLLM error-message extraction, table-driven."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    REDACTED,
    SECRET_NAME,
    error_message,
    scrub,
    scrub_data,
)


@pytest.mark.parametrize("text, secrets, expected", [
    ("nothing secret here", (), "nothing secret here"),
    ("Authorization: Bearer abc.def", (), "Authorization: Bearer " + REDACTED),
    ("Received API Key = sk-1234abcd, Key Hash", (), "Received API Key = %s, Key Hash" % REDACTED),
    ('{"api_key": "xyz", "team_alias": "a"}', (), '{"api_key": "%s", "team_alias": "a"}' % REDACTED),
    ('{"key": "plain"}', (), '{"key": "%s"}' % REDACTED),
    ("url?master_key=abc&x=1", (), "url?master_key=%s&x=1" % REDACTED),
    ("password: hunter2", (), "password: " + REDACTED),
    ("client_secret=s3", (), "client_secret=" + REDACTED),
    ("the value mysecretvalue leaked", ("mysecretvalue",), "the value %s leaked" % REDACTED),
    ("monkey: 1, key_alias: k, max_tokens: 5", (), "monkey: 1, key_alias: k, max_tokens: 5"),
    ("team_member_key_duration: 1d", (), "team_member_key_duration: 1d"),
    ("task-123 and disk-9", (), "task-123 and disk-9"),
    ("Key Hash (Token) =" + "ab12" * 16 + ". Unable", (), "Key Hash (Token) =%s. Unable" % REDACTED),
    ("team a2e0a536-1db5-4694-95c6-ae4a43713446", (), "team a2e0a536-1db5-4694-95c6-ae4a43713446"),
    (None, (), None),
])
def test_scrub(text, secrets, expected):
    assert scrub(text, secrets) == expected


@pytest.mark.parametrize("name, secret", [
    ("key", True), ("api_key", True), ("master_key", True), ("access_token", True), ("client_secret", True),
    ("password", True), ("key_alias", False), ("team_member_key_duration", False), ("max_tokens", False),
    ("monkey", False), ("keys", False), ("token_count", False),
])
def test_secret_name(name, secret):
    assert bool(SECRET_NAME.search(name)) is secret


def test_scrub_data_blanks_secret_fields_and_strings():
    data = {"team_alias": "a", "metadata": {"api_key": "v", "note": "Bearer t0k", "empty_key": None},
            "list": [{"token": "t"}, "sk-abcdef"], "n": 1}
    assert scrub_data(data) == {
        "team_alias": "a", "metadata": {"api_key": REDACTED, "note": "Bearer " + REDACTED, "empty_key": None},
        "list": [{"token": REDACTED}, REDACTED], "n": 1}


@pytest.mark.parametrize("body, expected", [
    ({"error": {"message": "m", "type": "t", "param": "p", "code": "400"}}, "m"),
    ({"error": "flat"}, "flat"),
    ({"detail": {"error": "nested"}}, "nested"),
    ({"detail": "d"}, "d"),
    ({"detail": [{"loc": ["body", "a", 0], "msg": "bad"}, {"loc": ["query"], "msg": "worse"}]}, "a.0: bad; query: worse"),
    ({"message": "top"}, "top"),
    ({"something": "else"}, '{"something": "else"}'),
    ("  text  ", "text"),
    ({"error": {"message": "{'error': 'Enterprise only: tags'}", "code": "403"}}, "Enterprise only: tags"),
    ({"error": {"message": "{'message': 'Team not found.'}"}}, "Team not found."),
    ("{not a dict}", "{not a dict}"),
    (None, ""),
])
def test_error_message(body, expected):
    assert error_message(body) == expected
