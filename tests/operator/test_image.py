"""The operator image (operator/Dockerfile) run as deploy/manager/deployment.yaml runs it, on the API emulator.

Opt-in: ``LLMOPS_TEST_IMAGE=1`` and podman on PATH (building takes minutes). The image is built with
``scripts/build-operator-image`` (``--local-base`` unless ``LLMOPS_TEST_IMAGE_BASE=registry``: no container registry
is reachable here), then one container runs it with the Deployment's command, arguments, environment and security
context: uid 1001, read-only root file system, a tmpfs at /tmp, no capabilities, no privilege escalation, on the
host's network so that it reaches the Kubernetes API emulator and LiteLLM on 127.0.0.1 (the kubeconfig is mounted
read-only). LiteLLM's master key reaches it only through a Secret of the emulated cluster. A LiteLLMTeam must reach
Ready with the team created in the real LiteLLM, and its deletion must remove the team; the key must appear neither
in the container's log nor in the runner's artifacts inside the container.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import subprocess
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import REPO
from tests.lib.stack import LiteLLMProxy, free_port
from tests.operator.conftest import Cluster, condition, external_instance, is_true, unique, wait_for
from tests.operator.test_shim_peering import _healthy, _register

pytestmark = pytest.mark.skipif(
    os.environ.get("LLMOPS_TEST_IMAGE") != "1" or shutil.which("podman") is None,
    reason="opt-in: set LLMOPS_TEST_IMAGE=1 with podman installed (builds the operator image: minutes)")

IMAGE = os.environ.get("LLMOPS_TEST_IMAGE_NAME", "localhost/llmops/litellm-operator:test")
DEPLOYMENT = REPO / "deploy" / "manager" / "deployment.yaml"
KUBECONFIG = "/etc/llmops/kubeconfig"


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(["podman", *args], capture_output=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.decode()[-3000:]}")
    return result


def host_options() -> list[str]:
    """What this host's podman needs beyond the Deployment's settings (docs/operator-image.md, "Running it here").

    Explicit rlimits: podman's defaults (1048576 open files) exceed what a root without CAP_SYS_RESOURCE may set.
    runc where cgroup v1 and v2 are mounted side by side (crun 1.8 refuses such a host). LLMOPS_TEST_PODMAN_OPTIONS
    adds or overrides.
    """
    options = ["--ulimit", "nofile=16384:16384", "--ulimit", "nproc=16384:16384"]
    if Path("/sys/fs/cgroup/unified").is_dir() and shutil.which("runc"):
        options += ["--runtime", "runc"]
    return options + shlex.split(os.environ.get("LLMOPS_TEST_PODMAN_OPTIONS", ""))


def deployment_container() -> dict[str, Any]:
    documents = [d for d in yaml.safe_load_all(DEPLOYMENT.read_text()) if d and d.get("kind") == "Deployment"]
    pod = documents[0]["spec"]["template"]["spec"]
    return {**pod["containers"][0], "podSecurityContext": pod.get("securityContext") or {}}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The image, built by scripts/build-operator-image (cached layers make a second build quick)."""
    log = tmp_path_factory.mktemp("image") / "build.log"
    local = os.environ.get("LLMOPS_TEST_IMAGE_BASE", "local") == "local"
    command = [str(REPO / "scripts" / "build-operator-image"), *(["--local-base"] if local else []), "--tag", IMAGE]
    started = time.time()  # wall clock: what a user waits
    with log.open("wb") as out:
        result = subprocess.run(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, timeout=1800, check=False)
    text = log.read_text(errors="replace")
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{text[-6000:]}"
    size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout)
    print(f"\n{IMAGE}: built in {time.time() - started:.0f} s, {size / 1e6:.0f} MB")
    return IMAGE


@pytest.fixture
def operator_container(image: str, kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The image running as the Deployment runs it, watching one new namespace (with its KopfPeering)."""
    _register(k8s, REPO / "deploy" / "kopf" / "kopf.dev_kopfpeerings.yaml")
    namespace = k8s.namespace(unique("image"))
    spec = deployment_container()
    env = {e["name"]: e.get("value", "") for e in spec["env"] if "value" in e}
    peering = env["LLMOPS_OPERATOR_PEERING"]
    k8s.custom.create_namespaced_custom_object("kopf.dev", "v1", namespace, "kopfpeerings", {
        "apiVersion": "kopf.dev/v1", "kind": "KopfPeering", "metadata": {"name": peering}})
    name = f"llmops-operator-{uuid.uuid4().hex[:8]}"
    port = free_port()  # the host's network: the Deployment's 8080 may be taken
    env.update(WATCH_NAMESPACE=namespace, POD_ID=name, KUBECONFIG=KUBECONFIG, K8S_AUTH_KUBECONFIG=KUBECONFIG)
    args = [a.replace("http://0.0.0.0:8080", f"http://127.0.0.1:{port}") for a in spec["args"]]
    context, pod_context = spec["securityContext"], spec["podSecurityContext"]
    assert context["readOnlyRootFilesystem"] and not context["allowPrivilegeEscalation"]
    command = [
        "run", "--detach", "--name", name, "--network", "host", *host_options(),
        "--user", f"{pod_context['runAsUser']}:{pod_context['runAsGroup']}",
        "--read-only", "--read-only-tmpfs=false", "--tmpfs", "/tmp:rw,mode=1777",
        "--cap-drop", "all", "--security-opt", "no-new-privileges",
        "--volume", f"{kube_api.kubeconfig}:{KUBECONFIG}:ro",
        *[f"--env={k}={v}" for k, v in env.items()],
        "--entrypoint", spec["command"][0], image, *spec["command"][1:], *args,
    ]
    podman(*command)
    try:
        yield {"name": name, "namespace": namespace, "port": port}
    finally:
        logs = container_log(name)
        podman("rm", "--force", "--time", "10", name, check=False)
        print(f"\n--- container log (last 4000 characters) ---\n{logs[-4000:]}")


def container_log(name: str) -> str:
    result = podman("logs", name, check=False)
    return (result.stdout + result.stderr).decode(errors="replace")


def runner_files(name: str) -> dict[str, bytes]:
    """The runner's private data dirs inside the container (its tmpfs), read through ``tar`` in the container."""
    archive = podman("exec", name, "tar", "-C", "/tmp", "-cf", "-", "llmops-operator").stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def test_image_reconciles_a_team_in_litellm(operator_container: dict[str, Any], k8s: Cluster, litellm_proxy: LiteLLMProxy) -> None:
    name, namespace = operator_container["name"], operator_container["namespace"]
    identity = podman("exec", name, "id", "-u").stdout.decode().strip()
    assert identity == "1001", f"the operator runs as uid {identity}"
    writable = podman("exec", name, "touch", "/opt/llmops/probe", check=False)
    assert writable.returncode != 0 and b"Read-only file system" in writable.stderr, writable.stderr
    wait_for(lambda: _healthy(operator_container["port"]), "the liveness endpoint answers")

    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key)
    alias = unique("image-team")
    k8s.create("LiteLLMTeam", namespace, "team", {"instanceRef": {"name": "gw"}, "teamAlias": alias, "maxBudget": 4})

    def ready() -> dict[str, Any] | None:
        body = k8s.get("LiteLLMTeam", namespace, "team")
        return body if is_true(body, "Ready") and (body or {}).get("status", {}).get("observedGeneration") == 1 else None

    body = wait_for(ready, f"LiteLLMTeam {namespace}/team Ready (container log:\n{container_log(name)[-3000:]})")
    team_id = body["status"]["litellmId"]
    assert condition(body, "Successful")["status"] == "True"
    info = litellm_proxy.api("GET", "/team/info", params={"team_id": team_id})
    assert info.status_code == 200, info.text
    assert info.json()["team_info"]["team_alias"] == alias and info.json()["team_info"]["max_budget"] == 4

    k8s.delete("LiteLLMTeam", namespace, "team")
    wait_for(lambda: k8s.get("LiteLLMTeam", namespace, "team") is None, "the finalizer removes the team and lets go")
    assert litellm_proxy.api("GET", "/team/info", params={"team_id": team_id}).status_code != 200, "the team is gone upstream"

    files = runner_files(name)
    assert any(path.endswith("/status") for path in files), f"runner artifacts in the container: {sorted(files)[:20]}"
    log = container_log(name)
    assert "Handler 'finalizer' succeeded" in log, "the log the scan below reads is the operator's"
    key = litellm_proxy.master_key.encode()
    assert key not in log.encode(), "the master key is in the container's log"
    leaked = [path for path, data in files.items() if key in data]
    assert not leaked, f"the master key is in runner files: {leaked}"
