"""LiteLLMVirtualKey's value over its life: scheduled rotation with a grace period, and a revoked value never reused.

playbooks/operator/virtual_key.yml against the real LiteLLM (plain proxy: rotation by succession) and the
Kubernetes API emulator, as the shim runs it (tests/operator/test_playbooks.CR). The Secret's value is made older by
moving its annotation litellm.llmops.dev/value-made-at back, and a predecessor's grace period is ended by renaming
it to a retiring alias in the past: what the clock would do, without waiting. Chat requests are made with the
Secret's values through the proxy's ``mock-gpt`` model; the values are never printed.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import requests

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.operator.test_playbooks import CR, Secrets, keep_status, last_failure, run_phase

MADE_AT = "litellm.llmops.dev/value-made-at"
RETIRED = ".retiring-20000101T000000Z"


def token_of(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def keys_like(proxy: Any, alias: str) -> list[tuple[str, str]]:
    """(alias, token) of the live keys whose alias starts with ``alias``."""
    answer = proxy.api("GET", "/key/list", params={"key_alias": alias, "substring_matching": "true",
                                                   "return_full_object": "true", "size": 100})
    assert answer.status_code == 200, answer.text
    return sorted((k["key_alias"], k["token"]) for k in answer.json()["keys"] if k["key_alias"].startswith(alias))


def chat(proxy: Any, value: str) -> int:
    answer = requests.post(proxy.url + "/v1/chat/completions", timeout=60,
                           headers={"Authorization": "Bearer " + value},
                           json={"model": "mock-gpt", "messages": [{"role": "user", "content": "rotation"}]})
    return answer.status_code


def test_scheduled_rotation_grace_period_and_revoked_value(litellm_proxy: Any, kube_api: KubeCluster,
                                                           kube_namespace: str, tmp_path: Path) -> None:
    proxy, alias = litellm_proxy, f"pbr-{uuid.uuid4().hex[:8]}"
    env = {"LITELLM_PROXY_URL": proxy.url, "LITELLM_PROXY_API_KEY": proxy.master_key, **kube_api.env}
    cr = CR("key", "virtual_key", "rotated", {"instanceRef": {"name": "gw"}, "keyAlias": alias,
                                              "models": ["mock-gpt"], "rotationPeriod": "1d", "gracePeriod": "1h"})
    secrets = Secrets(kube_api, kube_namespace)

    def reconcile(times: int = 1, **kwargs: Any) -> Any:
        plays = [play for _run in range(times) for play in (cr.imported(kube_namespace), keep_status(cr.label))]
        phase = run_phase(plays, [cr.label], env, **kwargs)
        assert phase.result.rc == 0, last_failure(phase.result) or phase.result.stderr[-3000:]
        return phase

    def age_secret() -> None:
        secrets.api.patch_namespaced_secret("rotated-key", kube_namespace,
                                            {"metadata": {"annotations": {MADE_AT: "20000101T000000Z"}}})

    try:
        first_phase = reconcile(times=2)
        first = secrets.value("rotated-key")
        assert first_phase.changed(cr.label, 0) and not first_phase.changed(cr.label, 1)
        assert MADE_AT in (secrets.read("rotated-key").metadata.annotations or {})
        assert keys_like(proxy, alias) == [(alias, token_of(first))]

        # the value is older than rotationPeriod: a new value in the Secret, the old one works for gracePeriod
        age_secret()
        rotation = reconcile(times=2, verbosity=3)
        second = secrets.value("rotated-key")
        assert second != first and rotation.changed(cr.label, 0) and not rotation.changed(cr.label, 1)
        output = rotation.result.stdout + rotation.result.stderr
        assert first not in output and second not in output and proxy.master_key not in output
        live = keys_like(proxy, alias)
        assert live[0] == (alias, token_of(second)) and len(live) == 2
        assert live[1][0].startswith(alias + ".retiring-") and live[1][1] == token_of(first)
        assert rotation.status(cr.label, 0)["litellmId"] == token_of(second)
        assert (chat(proxy, first), chat(proxy, second)) == (200, 200), "both values work in the grace period"

        # the grace period ends: the next reconcile deletes the old key
        assert proxy.api("POST", "/key/update", json={"key": token_of(first), "key_alias": alias + RETIRED}).ok
        after_grace = reconcile()
        assert after_grace.changed(cr.label, 0)
        assert keys_like(proxy, alias) == [(alias, token_of(second))]
        assert (chat(proxy, first), chat(proxy, second)) == (401, 200)

        # an admin revokes the key: the Secret gets a new value, the revoked one is never used again
        assert proxy.api("POST", "/key/delete", json={"keys": [token_of(second)]}).ok
        reconcile()
        third = secrets.value("rotated-key")
        assert third not in (first, second)
        assert keys_like(proxy, alias) == [(alias, token_of(third))]
        assert (chat(proxy, second), chat(proxy, third)) == (401, 200)

        # deleted: the key, any predecessor and the Secret go
        age_secret()
        reconcile()
        assert len(keys_like(proxy, alias)) == 2, "a predecessor in its grace period"
        phase = run_phase([cr.imported(kube_namespace, state="absent")], [cr.label], env)
        assert phase.result.rc == 0, last_failure(phase.result)
        assert keys_like(proxy, alias) == [] and secrets.read("rotated-key") is None
    finally:
        listed = keys_like(proxy, alias)
        if listed:
            proxy.api("POST", "/key/delete", json={"keys": [token for _alias, token in listed]})
