"""Shared fixtures of the operator's tests: the operator on the Kubernetes API emulator, CRDs, LiteLLM instances.

- ``operator_crds`` (session): every CRD of crds/ registered and established on ``kube_api``.
- ``k8s`` (session): ``Cluster``, a small helper over the ``kubernetes`` client for CRs, Secrets and Events.
- ``start_operator(...)``: a context manager that runs ``python -m llmops_operator`` as a subprocess (so that a
  test can kill it mid-run and start it again) with the watches of operator/watches.yaml, log in a file.
  ``operator_watches`` writes that watches file; a kind whose playbook does not exist yet is left out.
- ``external_instance(k8s, namespace, name, url, master_key)``: a Secret holding the key and a LiteLLMInstance
  with ``spec.external`` pointing at the real LiteLLM (fixture ``litellm_proxy``).
- ``wait_for(fn, what)``: poll until ``fn()`` is truthy, with a generous timeout (assert on state, not speed).

The operator's log and the runner's private data dirs stay on disk for the secret scans of the tests.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import COLLECTIONS, REPO, ensure_collection_link

__all__ = ["k8s", "operator_crds"]

T = TypeVar("T")
GROUP, VERSION = "litellm.llmops.dev", "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
OPERATOR_DIR = REPO / "operator"
TIMEOUT = 240.0
if str(OPERATOR_DIR) not in sys.path:
    sys.path.insert(0, str(OPERATOR_DIR))  # the operator's package, as the image runs it (python -m llmops_operator)


def wait_for(condition: Callable[[], T], what: str, timeout: float = TIMEOUT, interval: float = 0.25) -> T:
    """Poll ``condition`` until it returns something truthy and return it; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting ({timeout:.0f} s) for: {what}")
        time.sleep(interval)
    return result


def condition(body: dict[str, Any] | None, type_: str) -> dict[str, Any]:
    """The condition ``type_`` of a CR's status ({} when absent)."""
    for cond in ((body or {}).get("status") or {}).get("conditions", []):
        if cond.get("type") == type_:
            return cond
    return {}


def is_true(body: dict[str, Any] | None, type_: str) -> bool:
    return condition(body, type_).get("status") == "True"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@dataclasses.dataclass
class Cluster:
    """CRs, Secrets and Events on the test API through the ``kubernetes`` client."""

    api: kubernetes.client.ApiClient

    @property
    def custom(self) -> kubernetes.client.CustomObjectsApi:
        return kubernetes.client.CustomObjectsApi(self.api)

    @property
    def core(self) -> kubernetes.client.CoreV1Api:
        return kubernetes.client.CoreV1Api(self.api)

    @staticmethod
    def plural(kind: str) -> str:
        return kind.lower() + "s"

    def create(self, kind: str, namespace: str, name: str, spec: dict[str, Any], *,
               annotations: dict[str, str] | None = None, group: str = GROUP, version: str = VERSION) -> dict[str, Any]:
        body = {"apiVersion": f"{group}/{version}", "kind": kind,
                "metadata": {"name": name, "namespace": namespace, "annotations": annotations or {}}, "spec": spec}
        return self.custom.create_namespaced_custom_object(group, version, namespace, self.plural(kind), body)

    def get(self, kind: str, namespace: str, name: str, group: str = GROUP, version: str = VERSION) -> dict[str, Any] | None:
        try:
            return self.custom.get_namespaced_custom_object(group, version, namespace, self.plural(kind), name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def patch(self, kind: str, namespace: str, name: str, body: dict[str, Any], group: str = GROUP, version: str = VERSION) -> None:
        self.custom.patch_namespaced_custom_object(group, version, namespace, self.plural(kind), name, body)

    def delete(self, kind: str, namespace: str, name: str, group: str = GROUP, version: str = VERSION) -> None:
        with contextlib.suppress(ApiException):
            self.custom.delete_namespaced_custom_object(group, version, namespace, self.plural(kind), name)

    def secret(self, namespace: str, name: str, data: dict[str, str], labels: dict[str, str] | None = None) -> None:
        body = {"metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
                "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}
        try:
            self.core.create_namespaced_secret(namespace, body)
        except ApiException as exc:
            if exc.status != 409:
                raise
            self.core.replace_namespaced_secret(name, namespace, body)

    def read_secret(self, namespace: str, name: str) -> dict[str, str] | None:
        try:
            secret = self.core.read_namespaced_secret(name, namespace)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}

    def events(self, namespace: str, name: str | None = None) -> list[Any]:
        selector = f"involvedObject.name={name}" if name else None
        return self.core.list_namespaced_event(namespace, field_selector=selector).items

    def reasons(self, namespace: str, name: str) -> list[str]:
        return [event.reason for event in self.events(namespace, name)]

    def namespace(self, name: str) -> str:
        with contextlib.suppress(ApiException):
            self.core.create_namespace({"metadata": {"name": name}})
        return name


@pytest.fixture(scope="session")
def k8s(kube_api: KubeCluster) -> Iterator[Cluster]:
    with kube_api.client() as api:
        yield Cluster(api)


@pytest.fixture(scope="session")
def operator_crds(kube_api: KubeCluster, k8s: Cluster) -> list[dict[str, Any]]:
    """The CRDs of crds/ registered (once per session) and established."""
    extensions = kubernetes.client.ApiextensionsV1Api(k8s.api)
    documents = (yaml.safe_load(path.read_text()) for path in sorted((REPO / "crds").glob("*.yaml")))
    crds = [doc for doc in documents if doc.get("kind") == "CustomResourceDefinition"]
    for crd in crds:
        try:
            extensions.create_custom_resource_definition(crd)
        except ApiException as exc:
            if exc.status != 409:
                raise
    for crd in crds:
        wait_for(lambda name=crd["metadata"]["name"]: any(
            c.type == "Established" and c.status == "True"
            for c in (extensions.read_custom_resource_definition(name).status.conditions or [])), f"CRD {crd['metadata']['name']} established")
    return crds


def configmap_data(k8s: Cluster, namespace: str, name: str) -> dict[str, str] | None:
    """The data of a ConfigMap, None when there is none."""
    try:
        return k8s.core.read_namespaced_config_map(name, namespace).data
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def operator_watches(path: Path, overrides: dict[str, Path] | None = None, only: tuple[str, ...] = ()) -> Path:
    """Write a watches file: operator/watches.yaml with absolute paths; kinds without a playbook are left out.

    ``overrides`` maps a kind to a playbook to use instead (a test's own); ``only`` limits the kinds.
    """
    entries = []
    for entry in yaml.safe_load((OPERATOR_DIR / "watches.yaml").read_text()):
        if only and entry["kind"] not in only:
            continue
        playbook = (overrides or {}).get(entry["kind"]) or REPO / entry["playbook"]
        if playbook.exists():
            entries.append({**entry, "playbook": str(playbook)})
    path.write_text(yaml.safe_dump(entries))
    return path


@dataclasses.dataclass
class OperatorProcess:
    """``python -m llmops_operator`` as a subprocess; its log is kept in ``log_path`` across restarts."""

    env: dict[str, str]
    log_path: Path
    runner_dir: Path
    process: subprocess.Popen[bytes] | None = None
    args: tuple[str, ...] = ("--standalone",)

    def start(self) -> OperatorProcess:
        ensure_collection_link()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "llmops_operator", *self.args],
                                            cwd=OPERATOR_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGKILL: as a crash would, leaving its ansible-playbook children to finish on their own)."""
        if self.process is None or self.process.poll() is not None:
            return
        if sig == signal.SIGKILL:
            self.process.kill()
        else:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def runs(self) -> int:
        """How many ansible-runner runs have finished (their artifacts' status files)."""
        return len(list(self.runner_dir.glob("*/*/*/artifacts/*/status")))


@contextlib.contextmanager
def start_operator(kube_api: KubeCluster, workdir: Path, watches: Path, *, namespaces: tuple[str, ...] = (),
                   args: tuple[str, ...] = ("--standalone",), **env: str) -> Iterator[OperatorProcess]:
    """Run the operator on ``kube_api`` for the duration of the block (stopped with SIGTERM afterwards)."""
    workdir.mkdir(parents=True, exist_ok=True)
    runner_dir = workdir / "runner"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_TEST_")}  # holds the master key
    environment = {
        **inherited, **kube_api.env,
        "PYTHONPATH": str(OPERATOR_DIR), "WATCHES_FILE": str(watches), "WATCH_NAMESPACE": ",".join(namespaces),
        "LLMOPS_OPERATOR_RUNNER_DIR": str(runner_dir), "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "DRIFT_CHECK_PERIOD": "1", "MAX_CONCURRENT_RECONCILES": "4",
        "LLMOPS_OPERATOR_METRICS_PORT": "0",  # no fixed port shared by parallel operators; test_metrics.py sets one
        "LLMOPS_OPERATOR_PROXY_PORT": "0", "LLMOPS_OPERATOR_OSDK_METRICS_PORT": "0",  # foreign watches: any free port
        **env,
    }
    operator = OperatorProcess(environment, workdir / "operator.log", runner_dir, args=args).start()
    try:
        yield operator
    finally:
        operator.stop()


def external_instance(k8s: Cluster, namespace: str, name: str, url: str, master_key: str, *,
                      config_sync: dict[str, Any] | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """A LiteLLMInstance for a LiteLLM that runs elsewhere, its master key in the Secret ``<name>-master-key``."""
    k8s.secret(namespace, f"{name}-master-key", {"masterKey": master_key})
    spec: dict[str, Any] = {"external": {"url": url, "masterKeySecretRef": {"name": f"{name}-master-key", "key": "masterKey"}}}
    if config_sync is not None:
        spec["configSync"] = config_sync
    return k8s.create("LiteLLMInstance", namespace, name, spec, annotations=annotations)


def run_spans(runner_dir: Path, namespace: str, instance: str) -> list[tuple[datetime.datetime, datetime.datetime, str]]:
    """(start, end, run) of each run of the instance as a whole kept in its artifacts (its own playbook, its batches,
    its drift checks): the start is the artifact's ident (the operator's clock when it started the run), the end
    the time of the run's last event (ansible-runner's job_events), or now for a run still going."""
    spans = []
    for mode in ("litellminstance", "batch", "drift", "prune"):
        artifacts = runner_dir / mode / namespace / instance / "artifacts"
        for run in sorted(artifacts.iterdir()) if artifacts.is_dir() else ():
            if not run.is_dir() or run.is_symlink():
                continue
            start = datetime.datetime.strptime(run.name, "%Y%m%dT%H%M%S%f").replace(tzinfo=datetime.UTC)
            # a run still going (no status file yet, maybe no event yet: a drift check just started) lasts till now
            now = datetime.datetime.now(datetime.UTC)
            events = [json.loads(e.read_text()) for e in (run / "job_events").glob("*.json")]
            end = max((datetime.datetime.fromisoformat(e["created"]) for e in events), default=now) \
                if (run / "status").exists() else now
            spans.append((start, end, f"{mode}/{run.name}"))
    return sorted(spans)
