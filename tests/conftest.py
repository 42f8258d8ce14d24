"""Session fixtures: the real LiteLLM stack, brought up once per test run through the proxy_local role.

``litellm_proxy`` deploys LiteLLM + an embedded PostgreSQL with ``roles/proxy_local`` on free ports in a
temporary directory (so every test run also tests the role), with a tiny OpenAI-compatible upstream for
chat requests. One stack (and one premium twin) serves the whole run, all xdist workers included: the run's
main process owns them (``pytest_configure`` / ``pytest_unconfigure``, see tests/lib/stack.py), the first worker
that needs one starts it. Set LLMOPS_TEST_PROXY_URL and LLMOPS_TEST_PROXY_KEY to run the tests against a
LiteLLM that is already running instead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.lib.kubeapi.fixtures import kube_api, kube_namespace
from tests.lib.playbook import REPO
from tests.lib.stack import SHARED_DIR_ENV, SHARED_UPSTREAM_ENV, LiteLLMProxy, SharedStacks, deploy_premium, deploy_stack
from tests.lib.upstream import UpstreamServer

# One Kubernetes API per test process (per xdist worker): defined here once, because a session fixture imported into
# several modules is several fixtures, and each would make its own kubeconfig the process-wide default.
__all__ = ["kube_api", "kube_namespace"]

_RUN = pytest.StashKey[tuple[SharedStacks, UpstreamServer]]()


def pytest_configure(config: pytest.Config) -> None:
    """In the run's main process (before xdist spawns its workers): the shared stacks' directory and upstream."""
    if hasattr(config, "workerinput") or os.environ.get(SHARED_DIR_ENV):
        return
    directory = Path(tempfile.mkdtemp(prefix="llmops-shared-", dir=os.environ.get("LLMOPS_TEST_WORKDIR")))
    upstream = UpstreamServer().start()
    os.environ[SHARED_DIR_ENV], os.environ[SHARED_UPSTREAM_ENV] = str(directory), upstream.url
    config.stash[_RUN] = (SharedStacks(directory), upstream)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked ``slow(seconds)`` first, longest first; the others after them in their usual order.

    ``make test`` hands whole files to its workers in this order (``--dist loadfile --no-loadscope-reorder``), so a
    file of minutes never starts last and keeps one worker busy after the others are done. Only the order changes.
    """
    def cost(item: pytest.Item) -> float:
        marker = item.get_closest_marker("slow")
        return -float(marker.args[0]) if marker and marker.args else 0.0

    items.sort(key=cost)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Every worker is done: remove the stacks the run started."""
    run = config.stash.get(_RUN, None)
    if run is None:
        return
    stacks, upstream = run
    try:
        stacks.remove_all()
    finally:
        upstream.stop()
        for name in (SHARED_DIR_ENV, SHARED_UPSTREAM_ENV):
            os.environ.pop(name, None)


def _shared() -> SharedStacks:
    stacks = SharedStacks.from_env()
    assert stacks is not None, "tests/conftest.py's pytest_configure did not run in the main process"
    return stacks


@pytest.fixture(scope="session")
def litellm_proxy() -> Iterator[LiteLLMProxy]:
    """The run's LiteLLM; ``.upstream`` is this process's own upstream (its requests are recorded here)."""
    upstream = UpstreamServer().start()
    url, key = os.environ.get("LLMOPS_TEST_PROXY_URL"), os.environ.get("LLMOPS_TEST_PROXY_KEY")
    try:
        if url and key:
            yield LiteLLMProxy(url.rstrip("/"), key, upstream)
            return
        stacks = _shared()
        deployed = stacks.get("stack", lambda: deploy_stack(stacks.upstream_url()))
        yield LiteLLMProxy(deployed.url, deployed.master_key, upstream, deployed.workdir, deployed.start_seconds)
    finally:
        upstream.stop()


@pytest.fixture(scope="session")
def litellm_proxy_premium(litellm_proxy: LiteLLMProxy) -> Iterator[LiteLLMProxy]:
    """A second proxy with LiteLLM's Enterprise licence check switched on (TEST ONLY: see
    tests/lib/premium/sitecustomize.py), on the same database, master key and salt key as ``litellm_proxy``.

    It also exercises proxy_local with an existing database given by URL. Started only when a test asks for it
    (once per run, like ``litellm_proxy``). With LLMOPS_TEST_PREMIUM_PROXY_URL set, that running proxy is used
    instead (same master key as the first).
    """
    external = os.environ.get("LLMOPS_TEST_PREMIUM_PROXY_URL")
    if external:
        yield LiteLLMProxy(external.rstrip("/"), litellm_proxy.master_key, litellm_proxy.upstream)
        return
    if litellm_proxy.workdir is None:
        pytest.skip("the tests run against an external proxy and LLMOPS_TEST_PREMIUM_PROXY_URL is not set")
    stacks = _shared()
    first = stacks.get("stack", lambda: pytest.fail("the shared stack is gone"))
    deployed = stacks.get("premium", lambda: deploy_premium(first, stacks.upstream_url()))
    yield LiteLLMProxy(deployed.url, litellm_proxy.master_key, litellm_proxy.upstream, deployed.workdir)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
