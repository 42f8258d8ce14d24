"""The policy spec: attachments compared as a set with LiteLLM's defaults left out; inputs refused before a write."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.policy import POLICY, attachment

RAW = {"policy_id": "p1", "policy_name": "n", "description": "d", "guardrails_add": ["b", "a"],
       "guardrails_remove": [], "condition": None, "inherit": None,
       "attachments": [{"attachment_id": "a1", "policy_name": "n", "scope": None, "teams": [], "keys": [],
                        "models": [], "tags": ["y", "x"], "priority": None, "default": False}]}


@pytest.mark.parametrize("desired, changed", [
    ({"guardrails_add": ["a", "b"]}, []),
    ({"guardrails_add": ["a"]}, ["guardrails_add"]),
    ({"guardrails_remove": []}, []),
    ({"attachments": [{"tags": ["x", "y"], "default": False}]}, []),
    ({"attachments": [{"tags": ["x", "y"], "default": True}]}, ["attachments"]),
    ({"attachments": []}, ["attachments"]),
    ({"condition": {"model": "gpt-4.*"}}, ["condition"]),
])
def test_changes(desired, changed):
    assert sorted(POLICY.changes(POLICY.desired(desired), POLICY.view(RAW))) == changed


@pytest.mark.parametrize("entry, wanted", [
    ({"scope": "*", "teams": None, "priority": None, "default": False}, {"scope": "*"}),
    ({"models": ["b", "a"], "priority": 0, "default": True}, {"models": ["a", "b"], "priority": 0, "default": True}),
])
def test_attachment_as_the_option_holds_it(entry, wanted):
    assert attachment(entry) == wanted


@pytest.mark.parametrize("desired, message", [
    ({"attachments": [{"priority": 2}]}, "attachments has an entry that applies nowhere"),
    ({"attachments": [{"keys": ["k"]}, {"keys": ["k"], "default": False}]}, "attachments lists"),
    ({"policy_name": " n"}, "policy_name must not begin or end with whitespace"),
])
def test_bad_input_is_refused(desired, message):
    with pytest.raises(ValidationError, match=message):
        POLICY.desired(desired)


def test_inherit_cannot_be_emptied():
    with pytest.raises(ValidationError, match="inherit cannot be emptied once set"):
        POLICY.changes({"inherit": ""}, POLICY.view(dict(RAW, inherit="parent")))


def test_create_leaves_the_attachments_to_the_update_after_it():
    body = POLICY.payload({"policy_name": "n", "attachments": [{"scope": "*"}], "description": "d"})
    assert body == {"policy_name": "n", "description": "d"}
