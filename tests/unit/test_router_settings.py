"""LiteLLM writes its router settings back whole on every write (model aliases, fallbacks, the proxy settings' router
settings): the writes are one at a time on a host (_router_settings.py ``one_writer``), across the threads of
gateway_state's pool and across processes (the operator's runs side by side)."""

from __future__ import annotations

import fcntl
import os

import pytest
from ansible_collections.llmops.litellm.plugins.module_utils import _router_settings as router_settings

URL = "http://127.0.0.1:9"


@pytest.mark.parametrize("one, other, same", [
    ("http://127.0.0.1:4000", "http://127.0.0.1:4000/", True),
    ("http://127.0.0.1:4000", "http://127.0.0.1:4001", False),
])
def test_one_lock_file_per_proxy(one: str, other: str, same: bool) -> None:
    assert (router_settings.lock_path(one) == router_settings.lock_path(other)) is same


def test_the_lock_file_is_held_while_the_settings_are_written() -> None:
    """Another process (another open file) cannot take the lock while a writer holds it, and can after."""
    with router_settings.one_writer(URL):
        descriptor = os.open(router_settings.lock_path(URL), os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(descriptor)
    descriptor = os.open(router_settings.lock_path(URL), os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(descriptor)


def test_the_threads_of_a_process_are_held_back_too() -> None:
    """gateway_state's pool: another thread of the process cannot start a write while one is under way, also where
    the lock file cannot be opened (a read-only /tmp) or fcntl is missing."""
    with router_settings.one_writer(URL):
        assert not router_settings._WRITING.acquire(blocking=False)  # pylint: disable=protected-access
    assert router_settings._WRITING.acquire(blocking=False)  # pylint: disable=protected-access
    router_settings._WRITING.release()  # pylint: disable=protected-access
