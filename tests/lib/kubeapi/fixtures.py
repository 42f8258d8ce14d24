"""pytest fixtures: a Kubernetes API for the tests — the emulator by default, a real cluster on request.

``kube_api`` (session) serves the emulated API (``server.KubeAPI``) from its own thread, writes a
kubeconfig for it and makes that kubeconfig the default for the whole session: ``KUBECONFIG`` for
subprocesses (ansible-playbook, kubernetes.core) and, because the ``kubernetes`` package reads
``KUBECONFIG`` only once, at import, its import-time default too — so that code calling
``kubernetes.config.load_kube_config()`` without a path (Kopf's login) reaches the same API.

With ``LLMOPS_TEST_REAL_CLUSTER=1`` and ``KUBECONFIG`` pointing at a cluster (e.g. kind), the same
fixture yields that cluster instead, with the same interface; ``.server`` is then None.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import kubernetes
import pytest
import yaml

from tests.lib.kubeapi.server import KubeAPI, ServerThread


@dataclasses.dataclass(frozen=True)
class KubeCluster:
    url: str
    kubeconfig: Path
    server: KubeAPI | None = None  # the emulator's kmock handler (request log, reaction DSL)

    @property
    def emulated(self) -> bool:
        return self.server is not None

    @property
    def env(self) -> dict[str, str]:
        """Environment for subprocesses: the kubeconfig for the ``kubernetes`` client and kubernetes.core."""
        return {"KUBECONFIG": str(self.kubeconfig), "K8S_AUTH_KUBECONFIG": str(self.kubeconfig)}

    def client(self) -> kubernetes.client.ApiClient:
        """A new ``kubernetes`` API client for this cluster (close it, or use it as a context manager)."""
        return kubernetes.config.new_client_from_config(config_file=str(self.kubeconfig), persist_config=False)


def kubeconfig(url: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kube-api-emulator", "cluster": {"server": url}}],
        "users": [{"name": "tests", "user": {"token": "the-emulator-accepts-any-token"}}],
        "contexts": [{"name": "kube-api-emulator", "context": {"cluster": "kube-api-emulator", "user": "tests", "namespace": "default"}}],
        "current-context": "kube-api-emulator",
    }


@contextlib.contextmanager
def default_kubeconfig(path: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KUBECONFIG", str(path))
        patch.setattr(kubernetes.config.kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(path))
        yield


@pytest.fixture(scope="session")
def kube_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeCluster]:
    """The Kubernetes API of the test session (see the module's docstring)."""
    if os.environ.get("LLMOPS_TEST_REAL_CLUSTER") == "1" and os.environ.get("KUBECONFIG"):
        path = Path(os.environ["KUBECONFIG"])
        with kubernetes.config.new_client_from_config(config_file=str(path), persist_config=False) as api:
            url = api.configuration.host
        with default_kubeconfig(path):
            yield KubeCluster(url, path)
        return
    with ServerThread() as server:
        assert server.handler is not None
        path = tmp_path_factory.mktemp("kube-api") / "kubeconfig"
        path.write_text(yaml.safe_dump(kubeconfig(server.url)))
        with default_kubeconfig(path):
            yield KubeCluster(server.url, path, server.handler)


@pytest.fixture
def kube_namespace(kube_api: KubeCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new namespace for one test, deleted afterwards."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:50] + "-" + uuid.uuid4().hex[:5]
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        core.create_namespace({"metadata": {"name": name}})
        yield name
        core.delete_namespace(name)
