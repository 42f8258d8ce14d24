"""The fallback spec: the router settings read as one object per model, ordered lists, and the rules checked before
any request."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.fallback import FALLBACK, _fallbacks

SETTINGS = {"current_values": {
    "fallbacks": [{"a": ["b", "c"]}, {"a": ["z"]}, "not-a-rule", {"d": ["a"], "e": ["a"]}],
    "context_window_fallbacks": [{"a": ["long"]}],
    "content_policy_fallbacks": None,
}}


def test_router_settings_read_as_one_object_per_model_the_first_rule_winning():
    assert _fallbacks(SETTINGS) == [
        {"model": "a", "fallback_models": ["b", "c"], "context_window_fallback_models": ["long"]},
        {"model": "d", "fallback_models": ["a"]},
        {"model": "e", "fallback_models": ["a"]},
    ]


@pytest.mark.parametrize("answer", [None, {}, {"current_values": {}}, {"current_values": {"fallbacks": []}}])
def test_no_fallbacks(answer):
    assert _fallbacks(answer) == []


@pytest.mark.parametrize("desired, changed", [
    ({"fallback_models": ["b", "c"]}, []),
    ({"fallback_models": ["c", "b"]}, ["fallback_models"]),  # order is the priority
    ({"fallback_models": []}, ["fallback_models"]),
    ({"context_window_fallback_models": ["long"]}, []),
    ({"content_policy_fallback_models": ["b"]}, ["content_policy_fallback_models"]),
])
def test_changes(desired, changed):
    view = FALLBACK.view(_fallbacks(SETTINGS)[0])
    assert sorted(FALLBACK.changes(FALLBACK.desired(dict(desired, model="a")), view)) == changed


@pytest.mark.parametrize("desired, problem", [
    ({"model": "a", "fallback_models": ["b", "a"]},
     "fallback_models must not name the model itself ('a'): LiteLLM refuses a model that is its own fallback"),
    ({"model": "a", "content_policy_fallback_models": ["b", "c", "b"]},
     "content_policy_fallback_models lists 'b' more than once"),
    ({"model": " a"}, "model must not begin or end with whitespace"),
])
def test_bad_input_is_refused_in_one_sentence(desired, problem):
    with pytest.raises(ValidationError) as error:
        FALLBACK.desired(desired)
    assert error.value.msg == problem
