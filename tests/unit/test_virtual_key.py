"""The virtual key's value: its format, hash, key file, and what a run does with key_file, table-driven."""

import os
import stat

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import VIRTUAL_KEY
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    RETIRING,
    duration_seconds,
    key_file_plan,
    key_hash,
    key_problem,
    new_key,
    parse_time,
    read_key_file,
    retiring_alias,
    rotation_due,
    write_key_file,
)

OLD, NEW = "sk-old-value-0123456789", "sk-new-value-0123456789"
TOKEN = key_hash(OLD)


def test_key_hash_is_litellms_token():
    # the token LiteLLM 1.106.2 stored for a key generated with this value
    assert key_hash("sk-probeprobeprobe1234567") == "2630b765aba858d9ce2eeb8dc85551fd7b1744ceb42578aa272c712cc6894db7"


def test_new_keys_have_litellms_format_and_differ():
    first, second = new_key(), new_key()
    assert first.startswith("sk-") and len(first) == 25 and first != second
    assert key_problem(first) is None


@pytest.mark.parametrize("value, problem", [
    ("sk-0123456789abcdef", None),
    ("0123456789abcdef0123", "must start with sk-"),
    ("sk-short", "must be at least 16 characters long"),
])
def test_key_problem(value, problem):
    found = key_problem(value)
    assert (found if found is None else found[:len(problem)]) == problem


def test_key_file_is_0600_and_never_replaced(tmp_path):
    path = str(tmp_path / "key")
    assert read_key_file(path) is None
    write_key_file(path, OLD)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_key_file(path) == OLD
    with pytest.raises(ValidationError, match="cannot create .*: File exists"):
        write_key_file(path, NEW)
    assert read_key_file(path) == OLD


@pytest.mark.parametrize("key, regenerate, kept, pending, expected", [
    # no key_file: rotate when asked, or when the key option holds another value
    (None, False, "-", "-", (False, None)),
    (OLD, False, "-", "-", (False, None)),
    (NEW, False, "-", "-", (True, None)),
    (None, True, "-", "-", (True, None)),
    # key_file holds this key
    (None, False, OLD, None, (False, None)),
    (None, True, OLD, None, (True, None)),
    (None, False, OLD, NEW, (False, ("drop", "f.pending"))),  # a rotation that never reached LiteLLM
    # the rotation happened, the rename did not
    (None, False, "sk-older-value-0123456", OLD, (False, ("finish", "f"))),
    (None, False, None, OLD, (False, ("finish", "f"))),
    # no key_file yet
    (OLD, False, None, None, (False, ("write", "f"))),
    (None, True, None, None, (True, None)),
    (NEW, False, None, None, (True, None)),
], ids=["no-file", "no-file-same-key", "no-file-other-key", "no-file-regenerate", "file-ok", "file-ok-regenerate",
        "stale-pending", "unrenamed", "unrenamed-no-file", "write-given-key", "regenerate-writes", "rotate-to-key"])
def test_key_file_plan(key, regenerate, kept, pending, expected):
    key_file = None if kept == "-" else "f"
    assert key_file_plan(TOKEN, key, regenerate, key_file, None if kept == "-" else kept,
                         None if pending == "-" else pending, "virtual_key 'a'") == expected


@pytest.mark.parametrize("key, regenerate, kept, error", [
    (None, False, NEW, "key_file f holds another key than virtual_key 'a'"),
    (None, True, NEW, "key_file f holds another key than virtual_key 'a'"),
    (None, False, None, "key_file f does not exist, and LiteLLM never returns the value of an existing key"),
])
def test_key_file_plan_refuses(key, regenerate, kept, error):
    with pytest.raises(ValidationError, match=error):
        key_file_plan(TOKEN, key, regenerate, "f", kept, None, "virtual_key 'a'")


@pytest.mark.parametrize("answer, expected", [
    ({"key": "h", "info": {"key_alias": "a", "status": "active"}}, {"key_alias": "a", "status": "active", "token": "h"}),
    ({"key": "h", "info": {"key_alias": "a", "status": "deleted"}}, None),  # LiteLLM answers for deleted keys too
])
def test_key_info_answer(answer, expected):
    assert VIRTUAL_KEY.get.unwrap(answer) == expected


@pytest.mark.parametrize("body, raw, expected", [
    ({"key_alias": "a", "max_budget": 1.0}, None, {"key_alias": "a", "max_budget": 1.0}),
    ({"max_budget": 1.0, "token": "h"}, {"token": "h"}, {"max_budget": 1.0, "key": "h"}),
])
def test_key_request_body(body, raw, expected):
    assert VIRTUAL_KEY.request_body(dict(body), raw) == expected


def test_options_not_compared_or_returned():
    assert {"duration", "key_type"} <= {f.name for f in VIRTUAL_KEY.fields if f.create_only}
    assert VIRTUAL_KEY.argument_spec()["key_alias"]["no_log"] is False
    assert VIRTUAL_KEY.argument_spec()["token"]["no_log"] is True
    assert "update_secrets" not in VIRTUAL_KEY.argument_spec(), "the value is compared through its hash"


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("15m", 900), ("24h", 86400), ("90d", 7776000), ("2w", 1209600),
                                           ("0s", 0)])
def test_duration_seconds(text, seconds):
    assert duration_seconds("grace_period", text) == seconds


@pytest.mark.parametrize("text", ["", "1.5h", "monthly", "30", "-1d", "1mo", None, 30])
def test_duration_seconds_refuses(text):
    with pytest.raises(ValidationError, match="^grace_period '%s' is not a duration: write a whole number" % text):
        duration_seconds("grace_period", text)


@pytest.mark.parametrize("text, epoch", [
    ("2026-12-06T21:00:00.123000Z", 1796590800),
    ("2026-12-06T21:00:00+00:00", 1796590800),
    ("2026-12-06 21:00:00", 1796590800),
    ("20261206T210000Z", 1796590800),
    ("yesterday", None),
    (None, None),
])
def test_parse_time(text, epoch):
    assert parse_time(text) == epoch


@pytest.mark.parametrize("started, period, due", [
    ("20261206T210000Z", "1h", True),       # an hour old at 22:00
    ("20261206T210001Z", "1h", False),
    ("2026-12-06T21:30:00Z", "1d", False),
    (None, "1d", True),                     # an unknown age is due
])
def test_rotation_due(started, period, due):
    assert rotation_due(started, period, now=1796594400) is due


def test_retiring_alias_reads_back_its_time():
    alias = retiring_alias("ci.key", 1796594400)
    assert alias == "ci.key.retiring-20261206T220000Z"
    assert parse_time(alias[len("ci.key" + RETIRING):]) == 1796594400


def test_a_key_file_is_written_whole_or_not_at_all(tmp_path):
    """The value is synced in a temporary file, then linked into place: 0600, never replaced, no leftovers."""
    path = tmp_path / "ci.key"
    write_key_file(str(path), "sk-first-value-123456")
    assert path.read_text() == "sk-first-value-123456\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(ValidationError) as error:
        write_key_file(str(path), "sk-second-value-123456")
    assert "cannot create" in error.value.msg and "File exists" in error.value.msg
    assert path.read_text() == "sk-first-value-123456\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ci.key"]
