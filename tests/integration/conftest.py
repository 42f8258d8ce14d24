"""Fixtures shared by the integration tests of the API modules."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from tests.lib.lifecycle import Scenario
from tests.lib.recording_proxy import RecordingProxy, recording


@pytest.fixture
def scenario(litellm_proxy, request) -> Scenario:
    name = request.node.originalname.replace("test_", "").replace("_", "-")[:24]
    s = Scenario(litellm_proxy, f"it-{name}-{uuid.uuid4().hex[:8]}")
    yield s
    s.cleanup()


@pytest.fixture(scope="session")
def enterprise(litellm_proxy) -> bool:
    """Whether the proxy has an Enterprise license: tags on a new team are refused (403) without one."""
    probe = {"team_alias": f"it-probe-{uuid.uuid4().hex[:8]}", "tags": ["probe"]}
    answer = litellm_proxy.api("POST", "/team/new", json=probe)
    if answer.status_code == 200:
        litellm_proxy.api("POST", "/team/delete", json={"team_ids": [answer.json()["team_id"]]})
        return True
    assert answer.status_code == 403, answer.text
    return False


@pytest.fixture
def recorder(litellm_proxy) -> Iterator[RecordingProxy]:
    """A RecordingProxy in front of the plain LiteLLM proxy: point a module or a playbook at ``recorder.url``."""
    yield from recording(litellm_proxy)
