"""Unit tests import the collection the way Ansible does: as ansible_collections.llmops.litellm."""

import sys

import pytest

from tests.lib.playbook import ensure_collection_link
from tests.unit.httpstub import StubServer

sys.path.insert(0, str(ensure_collection_link()))


@pytest.fixture
def stub():
    """A started StubServer; set ``stub.routes`` in the test."""
    with StubServer() as server:
        yield server
