"""Session fixtures: the real LiteLLM stack, brought up once per test run through the proxy_local role.

``litellm_proxy`` deploys LiteLLM + an embedded PostgreSQL with ``roles/proxy_local`` on free ports in a
temporary directory (so every test run also tests the role), with a tiny OpenAI-compatible upstream for
chat requests, and removes it all at the end. Set LLMOPS_TEST_PROXY_URL and LLMOPS_TEST_PROXY_KEY to run
the tests against a LiteLLM that is already running instead.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.lib.kubeapi.fixtures import kube_api, kube_namespace
from tests.lib.playbook import REPO, run_playbook
from tests.lib.stack import LiteLLMProxy, free_port, stack_models, stack_play
from tests.lib.upstream import UpstreamServer

# One Kubernetes API per test process (per xdist worker): defined here once, because a session fixture imported into
# several modules is several fixtures, and each would make its own kubeconfig the process-wide default.
__all__ = ["kube_api", "kube_namespace"]


@pytest.fixture(scope="session")
def litellm_proxy() -> Iterator[LiteLLMProxy]:
    upstream = UpstreamServer().start()
    url, key = os.environ.get("LLMOPS_TEST_PROXY_URL"), os.environ.get("LLMOPS_TEST_PROXY_KEY")
    if url and key:
        yield LiteLLMProxy(url.rstrip("/"), key, upstream)
        upstream.stop()
        return
    workdir = Path(tempfile.mkdtemp(prefix="llmops-stack-", dir=os.environ.get("LLMOPS_TEST_WORKDIR")))
    workdir.chmod(0o755)
    port = free_port()
    role_vars = {
        "proxy_local_port": port,
        "proxy_local_postgres_port": free_port(),
        "proxy_local_config": stack_models(upstream),
        "proxy_local_environment": {"UPSTREAM_API_KEY": "upstream-test-key"},
    }
    result = run_playbook(stack_play(workdir, "present", **role_vars))
    try:
        assert result.rc == 0, f"proxy_local failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        service = result.task("Run the proxy as a background process")
        started = json.loads(service["stdout"])
        master_key = (workdir / "secrets" / "master_key").read_text().strip()
        yield LiteLLMProxy(f"http://127.0.0.1:{port}", master_key, upstream, workdir, started.get("seconds_to_healthy"))
    finally:
        down = run_playbook(stack_play(workdir, "absent", proxy_local_remove_data=True, **role_vars))
        upstream.stop()
        if down.rc != 0:
            print(f"proxy_local absent failed:\n{down.stdout[-3000:]}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def litellm_proxy_premium(litellm_proxy: LiteLLMProxy) -> Iterator[LiteLLMProxy]:
    """A second proxy with LiteLLM's Enterprise licence check switched on (TEST ONLY: see
    tests/lib/premium/sitecustomize.py), on the same database, master key and salt key as ``litellm_proxy``.

    It also exercises proxy_local with an existing database given by URL. Started only when a test asks for it.
    With LLMOPS_TEST_PREMIUM_PROXY_URL set, that running proxy is used instead (same master key as the first).
    """
    external = os.environ.get("LLMOPS_TEST_PREMIUM_PROXY_URL")
    if external:
        yield LiteLLMProxy(external.rstrip("/"), litellm_proxy.master_key, litellm_proxy.upstream)
        return
    if litellm_proxy.workdir is None:
        pytest.skip("the tests run against an external proxy and LLMOPS_TEST_PREMIUM_PROXY_URL is not set")
    first = litellm_proxy.workdir
    secrets = first / "secrets"
    pg_port = (first / "data" / "postgresql" / "postmaster.pid").read_text().splitlines()[3]
    workdir = Path(tempfile.mkdtemp(prefix="llmops-premium-", dir=os.environ.get("LLMOPS_TEST_WORKDIR")))
    workdir.chmod(0o755)
    port = free_port()
    role_vars = {
        "proxy_local_port": port,
        "proxy_local_database_url": "postgresql://postgres:%s@127.0.0.1:%s/litellm" % (
            (secrets / "postgres_password").read_text().strip(), pg_port),
        "proxy_local_master_key": litellm_proxy.master_key,
        "proxy_local_salt_key": (secrets / "salt_key").read_text().strip(),
        "proxy_local_config": stack_models(litellm_proxy.upstream),
        "proxy_local_environment": {"UPSTREAM_API_KEY": "upstream-test-key",
                                    "PYTHONPATH": str(REPO / "tests" / "lib" / "premium")},
    }
    result = run_playbook(stack_play(workdir, "present", **role_vars))
    try:
        assert result.rc == 0, f"proxy_local (premium twin) failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        yield LiteLLMProxy(f"http://127.0.0.1:{port}", litellm_proxy.master_key, litellm_proxy.upstream, workdir)
    finally:
        run_playbook(stack_play(workdir, "absent", proxy_local_remove_data=True, **role_vars))
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
