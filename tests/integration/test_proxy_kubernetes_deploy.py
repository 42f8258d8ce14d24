"""playbooks/deploy_kubernetes.yml: the role against the Kubernetes API emulator, the API modules against the real
LiteLLM proxy of the test session (the emulator runs no pods, so the gateway URL and master key are overridden with
the dev proxy's, as the playbook allows). The playbook runs twice in one ansible-playbook run (imported twice): the
first pass makes everything, the second changes nothing; LiteLLM's API shows the objects; no secret is printed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import REPO, PlaybookResult, run_playbook
from tests.lib.stack import LiteLLMProxy


PREFIX = f"it-dk-{uuid.uuid4().hex[:6]}"
CREDENTIAL_KEY = f"sk-provider-{uuid.uuid4().hex}"


def passes(result: PlaybookResult) -> list[dict[str, Any]]:
    """The playbook's two passes (plays of the same name, in order)."""
    plays = [p for p in result.plays if p["play"]["name"] == "Deploy and configure a LiteLLM gateway on Kubernetes"]
    assert len(plays) == 2
    return plays


def changed_tasks(play: dict[str, Any]) -> list[str]:
    return [t["task"]["name"] for t in play["tasks"] if t["hosts"]["localhost"].get("changed")]


@pytest.fixture(scope="module")
def deployed(kube_api: KubeCluster, litellm_proxy: LiteLLMProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    namespace = f"{PREFIX}-ns"
    key_dir = tmp_path_factory.mktemp("keys")
    extra_vars = {
        "deploy_kubernetes_name": PREFIX,
        "deploy_kubernetes_namespace": namespace,
        "deploy_kubernetes_instance": {"replicas": 2, "masterKey": {"autoGenerate": True},
                                       "database": {"external": {"connectionSecretRef": {"name": "litellm-db", "key": "DATABASE_URL"}}}},
        "deploy_kubernetes_url": litellm_proxy.url,
        "deploy_kubernetes_master_key": litellm_proxy.master_key,
        "deploy_kubernetes_key_dir": str(key_dir),
        "deploy_kubernetes_credentials": [{"credential_name": f"{PREFIX}-cred", "credential_values": {"api_key": CREDENTIAL_KEY}}],
        "deploy_kubernetes_models": [{"model_name": f"{PREFIX}-model", "model_id": f"{PREFIX}-model-id",
                                      "litellm_params": {"model": "openai/gpt-4o", "litellm_credential_name": f"{PREFIX}-cred",
                                                         "mock_response": "hello"}}],
        "deploy_kubernetes_teams": [{"team_alias": f"{PREFIX}-team", "models": [f"{PREFIX}-model"], "max_budget": 10}],
        "deploy_kubernetes_virtual_keys": [{"key_alias": f"{PREFIX}-key", "team_alias": f"{PREFIX}-team", "models": [f"{PREFIX}-model"]}],
    }
    playbook = str(REPO / "playbooks" / "deploy_kubernetes.yml")
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        core.create_namespace({"metadata": {"name": namespace}})
        try:
            result = run_playbook([{"import_playbook": playbook}, {"import_playbook": playbook}], extra_vars=extra_vars, env=kube_api.env)
            yield {"result": result, "namespace": namespace, "key_file": key_dir / f"{PREFIX}-key"}
        finally:
            cleanup(litellm_proxy)
            core.delete_namespace(namespace)


def cleanup(proxy: LiteLLMProxy) -> None:
    proxy.api("POST", "/key/delete", json={"key_aliases": [f"{PREFIX}-key"]})
    teams = [t for t in proxy.api("GET", "/team/list").json() if t.get("team_alias") == f"{PREFIX}-team"]
    if teams:
        proxy.api("POST", "/team/delete", json={"team_ids": [t["team_id"] for t in teams]})
    proxy.api("POST", "/model/delete", json={"id": f"{PREFIX}-model-id"})
    proxy.api("DELETE", f"/credentials/{PREFIX}-cred")


def test_first_pass_deploys_and_configures_the_gateway(kube_api: KubeCluster, litellm_proxy: LiteLLMProxy, deployed: dict[str, Any]) -> None:
    result = deployed["result"]
    assert result.rc == 0, result.stdout[-6000:] + result.stderr[-3000:]
    first = passes(result)[0]
    assert {"Credentials (stored encrypted by LiteLLM, never printed)", "Models", "Teams", "Virtual keys, each value in its 0600 file",
            "llmops.litellm.proxy_kubernetes : Apply the manifests"} <= set(changed_tasks(first))
    with kube_api.client() as api:
        deployment = kubernetes.client.AppsV1Api(api).read_namespaced_deployment(PREFIX, deployed["namespace"])
    assert deployment.spec.replicas == 2
    team = [t for t in litellm_proxy.api("GET", "/team/list").json() if t.get("team_alias") == f"{PREFIX}-team"]
    assert len(team) == 1 and team[0]["models"] == [f"{PREFIX}-model"]
    model = litellm_proxy.api("GET", f"/model/info?litellm_model_id={PREFIX}-model-id").json()["data"]
    assert model and model[0]["model_name"] == f"{PREFIX}-model"
    key_file: Path = deployed["key_file"]
    assert key_file.stat().st_mode & 0o777 == 0o600
    info = litellm_proxy.api("GET", "/key/info", params={"key": key_file.read_text().strip()})
    assert info.status_code == 200 and info.json()["info"]["key_alias"] == f"{PREFIX}-key"
    assert info.json()["info"]["team_id"] == team[0]["team_id"]


def test_second_pass_changes_nothing(deployed: dict[str, Any]) -> None:
    assert changed_tasks(passes(deployed["result"])[1]) == []


def test_no_secret_in_the_output(litellm_proxy: LiteLLMProxy, deployed: dict[str, Any]) -> None:
    result = deployed["result"]
    for secret in (litellm_proxy.master_key, CREDENTIAL_KEY, deployed["key_file"].read_text().strip()):
        assert secret not in result.stdout and secret not in result.stderr
