"""The LiteLLM stack the tests run against: how it is deployed (through roles/proxy_local) and reached."""

from __future__ import annotations

import dataclasses
import socket
import sys
from pathlib import Path
from typing import Any

import requests

from tests.lib.upstream import UpstreamServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class LiteLLMProxy:
    url: str
    master_key: str
    upstream: UpstreamServer
    workdir: Path | None = None
    start_seconds: float | None = None

    @property
    def upstream_url(self) -> str:
        return self.upstream.url

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the proxy's REST API with the master key (for tests to check what the modules did)."""
        headers = {"Authorization": f"Bearer {self.master_key}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)


def stack_play(workdir: Path, state: str, **role_vars: Any) -> list[dict[str, Any]]:
    return [{
        "name": f"LiteLLM stack for the tests ({state})",
        "hosts": "localhost",
        "gather_facts": False,
        "roles": [{"role": "llmops.litellm.proxy_local", "vars": {
            "proxy_local_state": state,
            "proxy_local_dir": str(workdir),
            "proxy_local_venv": sys.prefix,
            **role_vars,
        }}],
    }]


def stack_models(upstream: UpstreamServer) -> dict[str, Any]:
    return {"model_list": [
        {"model_name": "mock-gpt", "litellm_params": {"model": "openai/gpt-4o", "mock_response": "hello from mock", "api_key": "not-used"}},
        {"model_name": "upstream-echo", "litellm_params": {
            "model": "openai/upstream-echo", "api_base": upstream.url, "api_key": "os.environ/UPSTREAM_API_KEY",
        }},
    ]}
