"""The role proxy_kubernetes over an instance's life, against the Kubernetes API emulator.

Three ansible-playbook runs:
(1) one instance applied, applied again, then one field changed per play (replicas, a fallback, the cache type, the
    image tag) and each play's set of written objects compared with what that field must change; the migration Job per
    image tag; licence detection (an Enterprise feature without a licence Secret fails before anything is written; with
    {instance}-license the pods get LITELLM_LICENSE);
(2) ``--check --diff`` of one field change: exactly which objects and fields would change, nothing persisted;
(3) with ``proxy_kubernetes_wait`` and a thread of the test playing the Job and Deployment controllers: the role
    waits for the migration Job, watches the rollout, rolls back a rollout that exceeded its progress deadline
    (``kubectl rollout undo``) and fails saying so, and stops before the Deployment when the migrations failed.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import kubernetes
import pytest

from tests.integration.proxy_kubernetes_helpers import (
    Controllers, applied, changed_paths, changes, env_of, live, role_play, run, task)
from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import PlaybookResult

pytestmark = pytest.mark.slow(80)  # measured in CI; make test starts it early (tests/conftest.py)


CHECKSUM = "spec.template.metadata.annotations.litellm.llmops.dev/config-checksum"
SECRETS_CHECKSUM = "spec.template.metadata.annotations.litellm.llmops.dev/secrets-checksum"
CONTAINERS = "spec.template.spec.containers"
DB = {"external": {"connection_secret_ref": {"name": "litellm-db-credentials", "key": "DATABASE_URL"}}}
BASE: dict[str, Any] = {
    "proxy_kubernetes_name": "life",
    "proxy_kubernetes_replicas": 2,
    "proxy_kubernetes_database": DB,
    "proxy_config_models": [
        {"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o"}, "api_key_env": "OPENAI_API_KEY"},
        {"model_name": "claude-3-haiku", "litellm_params": {"model": "anthropic/claude-3-haiku-20240307"}, "api_key_env": "ANTHROPIC_API_KEY"},
    ],
    "proxy_config_fallbacks": {"default": ["claude-3-haiku"]},
    "proxy_config_cache": {"type": "local", "ttl": 600},
}
REPLICAS = BASE | {"proxy_kubernetes_replicas": 3}
FALLBACK = REPLICAS | {"proxy_config_fallbacks": {"default": ["claude-3-haiku"], "models": [{"model": "gpt-4o", "fallbacks": ["claude-3-haiku"]}]}}
REDIS_CACHE = FALLBACK | {
    "proxy_config_cache": {"type": "redis", "ttl": 600},
    "proxy_config_redis": {"host": "os.environ/REDIS_HOST", "port": "os.environ/REDIS_PORT", "password": "os.environ/REDIS_PASSWORD"},
    "proxy_kubernetes_redis": {"host": "redis.cache.svc", "port": 6379, "password_secret_ref": {"name": "redis", "key": "password"}},
}
NEW_TAG = REDIS_CACHE | {"proxy_kubernetes_image": {"tag": "v1.106.3"}}
IP_ALLOWLIST = {"proxy_config_ip_allowlist": {"enabled": True, "allowed_ips": ["10.0.0.0/8"]}}
LICENCE_VALUE = f"licence-{uuid.uuid4().hex}"


def secret(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace}, "stringData": data}


@pytest.fixture(scope="module")
def namespaces(kube_api: KubeCluster) -> Iterator[list[str]]:
    """Two namespaces: the first with the licence Secret of the instance ``lic``, the second with the namespace-wide
    ``litellm-license``."""
    names = [f"pk-life-{uuid.uuid4().hex[:6]}", f"pk-roll-{uuid.uuid4().hex[:6]}"]
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        for name in names:
            core.create_namespace({"metadata": {"name": name}})
        core.create_namespaced_secret(names[0], secret(names[0], "lic-license", {"license-key": LICENCE_VALUE}))
        core.create_namespaced_secret(names[1], secret(names[1], "litellm-license", {"license-key": LICENCE_VALUE}))
        yield names
        for name in names:
            core.delete_namespace(name)


@pytest.fixture(scope="module")
def lifecycle(kube_api: KubeCluster, namespaces: list[str]) -> PlaybookResult:
    namespace = namespaces[0]
    return run(kube_api, [
        role_play(namespace, BASE, "base"),
        role_play(namespace, BASE, "again"),
        role_play(namespace, REPLICAS, "replicas"),
        role_play(namespace, FALLBACK, "fallback"),
        role_play(namespace, REDIS_CACHE, "cache"),
        role_play(namespace, NEW_TAG, "tag"),
        role_play(namespace, BASE | IP_ALLOWLIST | {"proxy_kubernetes_name": "nolic"}, "unlicensed", rescue=True),
        role_play(namespace, BASE | IP_ALLOWLIST | {"proxy_kubernetes_name": "lic"}, "licensed"),
    ])


def deployment_diff(result: PlaybookResult, play: str, name: str = "life") -> set[str]:
    diff = applied(result, play)[f"Deployment/{name}"]["diff"]
    return changed_paths(diff["before"], diff["after"])


def test_applying_again_changes_nothing(lifecycle: PlaybookResult) -> None:
    assert changes(lifecycle, "base") == {"ServiceAccount/life", "ConfigMap/life-config", "Deployment/life", "Service/life",
                                          "Job/life-migrate-v1-106-2", "llmops.litellm.proxy_kubernetes : Create the generated keys (no_log)"}
    assert changes(lifecycle, "again") == set()


def test_replicas_change_only_the_deployment(lifecycle: PlaybookResult) -> None:
    assert changes(lifecycle, "replicas") == {"Deployment/life"}
    assert deployment_diff(lifecycle, "replicas") == {"spec.replicas"}


def test_a_fallback_changes_the_configmap_and_rolls_the_pods(lifecycle: PlaybookResult) -> None:
    assert changes(lifecycle, "fallback") == {"ConfigMap/life-config", "Deployment/life"}
    assert deployment_diff(lifecycle, "fallback") == {CHECKSUM}
    config = applied(lifecycle, "fallback")["ConfigMap/life-config"]["diff"]
    assert changed_paths(config["before"], config["after"]) == {"data.proxy_server_config.yaml"}
    assert "fallbacks:" in config["after"]["data"]["proxy_server_config.yaml"]


def test_the_cache_type_changes_the_configmap_and_the_redis_wiring(lifecycle: PlaybookResult) -> None:
    assert changes(lifecycle, "cache") == {"ConfigMap/life-config", "Deployment/life"}
    assert deployment_diff(lifecycle, "cache") == {CHECKSUM, SECRETS_CHECKSUM, CONTAINERS}
    after = applied(lifecycle, "cache")["Deployment/life"]["diff"]["after"]
    before = applied(lifecycle, "cache")["Deployment/life"]["diff"]["before"]
    added = {k: v for k, v in env_of(after).items() if k not in env_of(before)}
    assert added == {"REDIS_HOST": "redis.cache.svc", "REDIS_PORT": "6379", "REDIS_PASSWORD": {"secretKeyRef": {"name": "redis", "key": "password"}}}
    config = applied(lifecycle, "cache")["ConfigMap/life-config"]["diff"]["after"]["data"]["proxy_server_config.yaml"]
    assert "type: redis" in config and "host: os.environ/REDIS_HOST" in config


def test_a_migration_job_per_image_tag(kube_api: KubeCluster, namespaces: list[str], lifecycle: PlaybookResult) -> None:
    namespace = namespaces[0]
    # the new tag's Job made, the old one deleted, the pods rolled to the new image
    assert changes(lifecycle, "tag") == {"Job/life-migrate-v1-106-3", "Job/life-migrate-v1-106-2", "Deployment/life"}
    assert task(lifecycle, "tag", "Delete the migration Jobs of other image tags")["results"][0]["item"] == "life-migrate-v1-106-2"
    assert deployment_diff(lifecycle, "tag") == {CONTAINERS}
    assert live(kube_api, namespace, "batch/v1", "Job", "life-migrate-v1-106-2") is None
    job = live(kube_api, namespace, "batch/v1", "Job", "life-migrate-v1-106-3")
    deployment = live(kube_api, namespace, "apps/v1", "Deployment", "life")
    assert job is not None and deployment is not None
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/berriai/litellm-database:v1.106.3"
    assert (container["command"], container["workingDir"]) == (["python", "litellm/proxy/prisma_migration.py"], "/app")
    job_env, proxy_env = env_of(job), env_of(deployment)
    assert (job_env.pop("DISABLE_SCHEMA_UPDATE"), proxy_env.pop("DISABLE_SCHEMA_UPDATE")) == ("false", "true")
    assert job_env == proxy_env  # the same secret references (DATABASE_URL, keys, provider keys, Redis)
    assert proxy_env["DATABASE_URL"] == {"secretKeyRef": DB["external"]["connection_secret_ref"]}
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "litellm-migrations"  # not the Service's pods


def test_enterprise_features_need_a_licence(kube_api: KubeCluster, namespaces: list[str], lifecycle: PlaybookResult) -> None:
    failure = task(lifecycle, "unlicensed", "failure")["ansible_facts"]["failure"]
    assert "LiteLLM Enterprise licence required for IP allow-list" in failure
    assert "nolic-license or litellm-license" in failure and "EnterpriseLicenseRequired" in failure
    assert task(lifecycle, "unlicensed", "Take the licence status")["ansible_facts"]["proxy_kubernetes_license_status"] == {
        "active": False, "secretName": None}
    assert changes(lifecycle, "unlicensed") == set()  # refused before anything was written
    assert live(kube_api, namespaces[0], "apps/v1", "Deployment", "nolic") is None
    assert task(lifecycle, "licensed", "Take the licence status")["ansible_facts"]["proxy_kubernetes_license_status"] == {
        "active": True, "secretName": "lic-license"}
    deployment = live(kube_api, namespaces[0], "apps/v1", "Deployment", "lic")
    assert deployment is not None
    assert env_of(deployment)["LITELLM_LICENSE"] == {"secretKeyRef": {"name": "lic-license", "key": "license-key"}}
    for text in (lifecycle.stdout, lifecycle.stderr):
        assert LICENCE_VALUE not in text and base64.b64encode(LICENCE_VALUE.encode()).decode() not in text


def test_check_diff_shows_exactly_the_fields_that_would_change(kube_api: KubeCluster, namespaces: list[str], lifecycle: PlaybookResult) -> None:
    namespace = namespaces[0]
    kinds = [("v1", "ConfigMap", "life-config"), ("apps/v1", "Deployment", "life"), ("v1", "Service", "life"),
             ("v1", "ServiceAccount", "life"), ("batch/v1", "Job", "life-migrate-v1-106-3")]
    before = {kind: live(kube_api, namespace, api_version, kind, name) for api_version, kind, name in kinds}
    mark = kube_api.server.mark() if kube_api.server is not None else 0
    ttl = NEW_TAG | {"proxy_config_cache": {"type": "redis", "ttl": 60}}
    result = run(kube_api, [role_play(namespace, ttl, "check")], check=True, diff=True)
    assert changes(result, "check") == {"ConfigMap/life-config", "Deployment/life"}
    config = applied(result, "check")["ConfigMap/life-config"]["diff"]
    assert changed_paths(config["before"], config["after"]) == {"data.proxy_server_config.yaml"}
    old, new = (config[side]["data"]["proxy_server_config.yaml"].splitlines() for side in ("before", "after"))
    assert sorted(set(old) ^ set(new)) == ["    ttl: 60", "    ttl: 600"]
    assert deployment_diff(result, "check") == {CHECKSUM}
    assert {kind: live(kube_api, namespace, api_version, kind, name) for api_version, kind, name in kinds} == before
    if kube_api.server is not None:  # every write of the check run was a server-side dry run
        writes = [r for r in kube_api.server.requests_since(mark) if r.method in ("POST", "PUT", "PATCH", "DELETE")]
        assert writes and all(r.params.get("dryRun") == "All" for r in writes), [(r.method, r.url) for r in writes]


ROLLOUT: dict[str, Any] = {
    "proxy_kubernetes_name": "roll",
    "proxy_kubernetes_database": DB,
    "proxy_kubernetes_wait": True,
    "proxy_kubernetes_wait_timeout": 120,
    "proxy_kubernetes_upgrade": {"auto_rollback": True, "progress_deadline_seconds": 120},
}


@pytest.fixture(scope="module")
def rollouts(kube_api: KubeCluster, namespaces: list[str]) -> PlaybookResult:
    namespace = namespaces[1]
    with Controllers(kube_api, namespace):
        return run(kube_api, [
            role_play(namespace, ROLLOUT, "good"),
            role_play(namespace, ROLLOUT | {"proxy_kubernetes_image": {"tag": "v1.106.3-broken"}}, "broken", rescue=True),
            role_play(namespace, ROLLOUT | {"proxy_kubernetes_image": {"tag": "v1.106.4-failing"}}, "failed migration", rescue=True),
        ])


def test_the_role_waits_for_the_migrations_and_the_rollout(rollouts: PlaybookResult) -> None:
    job = task(rollouts, "good", "Wait for the migrations")["resources"][0]
    assert job["metadata"]["name"] == "roll-migrate-v1-106-2" and job["status"]["conditions"][0]["type"] == "Complete"
    deployment = task(rollouts, "good", "Wait for the rollout of the Deployment")["resources"][0]
    assert deployment["status"]["conditions"][-1]["reason"] == "NewReplicaSetAvailable"
    assert task(rollouts, "good", "Find the ReplicaSets of the Deployment")["skipped"]
    # the namespace-wide licence Secret
    assert task(rollouts, "good", "Take the licence status")["ansible_facts"]["proxy_kubernetes_license_status"] == {
        "active": True, "secretName": "litellm-license"}


def test_a_rollout_past_its_deadline_is_rolled_back(kube_api: KubeCluster, namespaces: list[str], rollouts: PlaybookResult) -> None:
    failure = task(rollouts, "broken", "failure")["ansible_facts"]["failure"]
    assert "exceeded its progress deadline of 120s (ProgressDeadlineExceeded" in failure
    assert "has timed out progressing" in failure and "Rolled back to revision 1" in failure
    assert task(rollouts, "broken", "Restore the pod template of the previous revision")["changed"]
    deployment = live(kube_api, namespaces[1], "apps/v1", "Deployment", "roll")
    assert deployment is not None
    template = deployment["spec"]["template"]
    assert template["spec"]["containers"][0]["image"] == "ghcr.io/berriai/litellm-database:v1.106.2"
    assert "pod-template-hash" not in template["metadata"]["labels"]


def test_failed_migrations_stop_before_the_deployment(kube_api: KubeCluster, namespaces: list[str], rollouts: PlaybookResult) -> None:
    failure = task(rollouts, "failed migration", "failure")["ansible_facts"]["failure"]
    assert f"The migration Job {namespaces[1]}/roll-migrate-v1-106-4-failing failed; the Deployment was not changed" in failure
    assert changes(rollouts, "failed migration") == {"Job/roll-migrate-v1-106-4-failing"}  # the Job of the last tag is kept
    deployment = live(kube_api, namespaces[1], "apps/v1", "Deployment", "roll")
    assert deployment is not None and deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v1.106.2")
