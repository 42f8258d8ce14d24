"""Whether the pages of a list read one by one add up to one state of it (_read.settled): what makes gateway_state
read a list again (tests/integration/test_gateway_state.py reproduces it against the real LiteLLM)."""

from __future__ import annotations

from ansible_collections.llmops.litellm.plugins.module_utils._read import settled

PAGE = [{"user_id": str(i)} for i in range(100)]


def test_pages_that_agree_on_a_total_they_hold_are_settled():
    assert settled([(PAGE, 2, 150), (PAGE[:50], 2, 150)])
    assert settled([(PAGE[:7], 1, 7)])  # one page: one read
    assert settled([(PAGE, 2, None), (PAGE[:10], 2, None)])  # a list that does not say its total


def test_an_object_deleted_or_created_between_two_pages_unsettles_them():
    assert not settled([(PAGE, 2, 150), (PAGE[:47], 2, 147)])  # 3 deleted: 3 moved to page 1, missed
    assert not settled([(PAGE, 2, 150), (PAGE[:51], 2, 151)])  # 1 created: one repeated or missed
    assert not settled([(PAGE, 2, 150), (PAGE[:49], 2, 150)])  # fewer read than the total says
