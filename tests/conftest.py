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

from tests.lib.playbook import REPO, run_playbook
from tests.lib.stack import LiteLLMProxy, free_port, stack_models, stack_play
from tests.lib.upstream import UpstreamServer


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
def repo() -> Path:
    return REPO
