"""Model aliases share one map, which each write replaces whole: the read-and-write of each alias is one at a time on
a host (kinds/model_alias.py ``one_writer``), across the threads of gateway_state's pool and across processes (the
operator's runs side by side)."""

from __future__ import annotations

import fcntl
import os

import pytest
from ansible_collections.llmops.litellm.plugins.module_utils.kinds import model_alias

URL = "http://127.0.0.1:9"


@pytest.mark.parametrize("one, other, same", [
    ("http://127.0.0.1:4000", "http://127.0.0.1:4000/", True),
    ("http://127.0.0.1:4000", "http://127.0.0.1:4001", False),
])
def test_one_lock_file_per_proxy(one: str, other: str, same: bool) -> None:
    assert (model_alias.lock_path(one) == model_alias.lock_path(other)) is same


def test_the_lock_file_is_held_while_the_map_is_written() -> None:
    """Another process (another open file) cannot take the lock while a writer holds it, and can after."""
    with model_alias.one_writer(URL):
        descriptor = os.open(model_alias.lock_path(URL), os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(descriptor)
    descriptor = os.open(model_alias.lock_path(URL), os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(descriptor)


def test_the_threads_of_a_process_are_held_back_too() -> None:
    """gateway_state's pool: another thread of the process cannot start a write while one is under way (an open file
    of the same process would take no flock of its own twice, so the process's lock does it)."""
    with model_alias.one_writer(URL):
        assert not model_alias._WRITING.acquire(blocking=False)  # pylint: disable=protected-access
    assert model_alias._WRITING.acquire(blocking=False)  # pylint: disable=protected-access
    model_alias._WRITING.release()  # pylint: disable=protected-access
