"""Every manifest of PalenaAI's README, applied to our CRDs with apiVersion changed, converges through the operator.

The manifests are read from the seed (shared/seeds/palenaai-litellm-operator-README.txt) and applied in the README's
order to the Kubernetes API emulator, with the operator (``python -m llmops_operator``) running the playbooks of
playbooks/operator against the real LiteLLM. Besides apiVersion, the test changes only what a shared test proxy needs:

- the secondary manifests name ``instanceRef: my-gateway``: that LiteLLMInstance is an *external* one bound to the
  premium twin (``litellm_proxy_premium``: organizations need LiteLLM's Enterprise licence);
- the names LiteLLM keeps globally (teamAlias, keyAlias, organizationAlias, credentialName, modelName and the model
  names listed in ``models``) get the test's prefix, so that tests running at the same time never meet;
- the seed is a scraped page on which Cloudflare replaced every e-mail address by "[email protected]": each one becomes
  a distinct address again (YAML reads the placeholder as a list); the Secret's "sk-..." placeholder becomes a random value (scanned for below).

The README's LiteLLMInstance manifests that deploy a proxy cannot serve API calls on the emulator (no pods run): the
quick-start one and the IP allow-list one (an Enterprise feature, with the namespace's ``litellm-license``) are applied
in namespaces of their own and must render through the role proxy_kubernetes and report their status (url, master
key Secret, licence). The README's ten other instance sections go through the same role and filter in
tests/integration/test_proxy_kubernetes_examples.py.

Then: the generated key works against LiteLLM; a spec change reaches LiteLLM; on the plain proxy (no licence) the
deletion of a key's Secret rotates the key; deleting the CRs deletes them from LiteLLM; the operator's log and the
runners' artifacts never hold the master key, a provider key or a generated key.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import requests
import yaml

from tests.lib import palenaai
from tests.lib.palenaai import manifest_blocks
from tests.operator.conftest import (
    GROUP,
    VERSION,
    Cluster,
    condition,
    external_instance,
    is_true,
    operator_watches,
    run_spans,
    start_operator,
    wait_for,
)
from tests.operator.test_playbooks import LiteLLM, cleanup, hash_of

pytestmark = pytest.mark.slow(135)  # started first by make test (tests/conftest.py)

SEED = palenaai.README
PALENA_API = "litellm.palena.ai/v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
# what YAML makes of Cloudflare's "[email\u00a0protected]" (a flow sequence; the space is a no-break space)
OBFUSCATED_EMAIL = ["email\u00a0protected"]
README_MODELS = ("gpt-4o", "gpt-4", "claude-4-sonnet")
GLOBAL_NAMES = ("teamAlias", "keyAlias", "organizationAlias", "credentialName", "modelName")


def readme_manifests() -> list[dict[str, Any]]:
    """Every YAML manifest of the README, in order, each block read whole (tests/lib/palenaai.py)."""
    return [doc for block in manifest_blocks(SEED.read_text(), start="apiVersion:") for doc in yaml.safe_load_all(block) if doc]


def adapted(manifest: dict[str, Any], prefix: str, emails: list[str]) -> dict[str, Any]:
    """The manifest with our apiVersion and the test's prefix on LiteLLM's global names (see the module docstring)."""
    doc = copy.deepcopy(manifest)
    if doc["apiVersion"] == PALENA_API:
        doc["apiVersion"] = API_VERSION
    spec = doc.get("spec") or {}
    for field in GLOBAL_NAMES:
        if field in spec:
            spec[field] = f"{prefix}-{spec[field]}"
    if "models" in spec:
        spec["models"] = [f"{prefix}-{m}" if m in README_MODELS else m for m in spec["models"]]
    for member in spec.get("members") or []:
        if member.get("email") == OBFUSCATED_EMAIL:
            member["email"] = f"{prefix}-{len(emails)}@example.com"
            emails.append(member["email"])
    return doc


def rest_of_spec(base: dict[str, Any], fragment: dict[str, Any]) -> dict[str, Any]:
    """A README instance section (``# ... rest of spec``) completed with the quick start's spec."""
    return {**copy.deepcopy(base), **copy.deepcopy(fragment)}


def apply(k8s: Cluster, doc: dict[str, Any], namespace: str) -> None:
    """kubectl apply of one manifest: create it, or replace the spec of the object with that name."""
    if doc["kind"] == "Secret":
        k8s.secret(namespace, doc["metadata"]["name"], doc["stringData"])
        return
    name, kind = doc["metadata"]["name"], doc["kind"]
    live = k8s.get(kind, namespace, name)
    if live is None:
        k8s.create(kind, namespace, name, doc["spec"])
        return
    live["spec"] = doc["spec"]
    k8s.custom.replace_namespaced_custom_object(GROUP, VERSION, namespace, k8s.plural(kind), name, live)


def ready(k8s: Cluster, kind: str, namespace: str, name: str, generation: bool = True) -> dict[str, Any]:
    """Wait until the CR is Ready for its current generation (failing at once with its Failure message)."""
    def check() -> dict[str, Any] | None:
        body = k8s.get(kind, namespace, name)
        failure = condition(body, "Failure")
        if failure.get("status") == "True" and "invalid spec" in failure.get("message", ""):
            raise AssertionError(f"{kind} {name}: {failure['message']}")
        status = (body or {}).get("status") or {}
        current = not generation or status.get("observedGeneration") == body["metadata"].get("generation")
        return body if is_true(body, "Ready") and current else None
    return wait_for(check, f"{kind} {namespace}/{name} Ready")


def works(url: str, key: str) -> bool:
    return requests.get(url + "/key/info", headers={"Authorization": f"Bearer {key}"}, timeout=60).status_code == 200


def test_every_readme_manifest_converges(kube_api: Any, k8s: Cluster, operator_crds: Any, litellm_proxy: Any,
                                         litellm_proxy_premium: Any, tmp_path: Path) -> None:
    prefix = f"palena-{uuid.uuid4().hex[:6]}"
    ns, ns_deploy, ns_licensed = (k8s.namespace(f"{prefix}{suffix}") for suffix in ("", "-deploy", "-licensed"))
    manifests = readme_manifests()
    assert [m["kind"] for m in manifests].count("LiteLLMInstance") == 12 and len(manifests) == 22
    emails: list[str] = []
    docs = [adapted(m, prefix, emails) for m in manifests]
    provider_keys = {"api-key": f"sk-prov-{uuid.uuid4().hex}", "OPENAI_API_KEY": f"sk-prov-{uuid.uuid4().hex}"}
    premium, plain = LiteLLM(litellm_proxy_premium), LiteLLM(litellm_proxy)
    watches = operator_watches(tmp_path / "watches.yaml")
    try:
        with start_operator(kube_api, tmp_path / "operator", watches, namespaces=(ns, ns_deploy, ns_licensed)) as op:
            external_instance(k8s, ns, "my-gateway", litellm_proxy_premium.url, litellm_proxy_premium.master_key)
            external_instance(k8s, ns, "plain", litellm_proxy.url, litellm_proxy.master_key)
            wrong_key = f"sk-{prefix}-not-the-master-key"
            external_instance(k8s, ns, "wrong-key", litellm_proxy.url, wrong_key)
            secondaries = [d for d in docs if d["kind"] != "LiteLLMInstance"]
            instances = [d for d in docs if d["kind"] == "LiteLLMInstance"]
            # the README's Secret, with the key its first model names too (OPENAI_API_KEY), real-looking values
            for doc in secondaries:
                if doc["kind"] == "Secret":
                    doc["stringData"] = dict(provider_keys)
            # the README's first model needs the Secret its "Reusable Credentials" section creates: that Secret first;
            # the two gpt4o manifests are one object: the second (credentialRef) replaces the first once it converged
            secret = next(d for d in secondaries if d["kind"] == "Secret")
            apply(k8s, secret, ns)
            first_gpt4o = next(i for i, d in enumerate(secondaries) if d["metadata"]["name"] == "gpt4o")
            apply(k8s, secondaries[first_gpt4o], ns)
            ready(k8s, "LiteLLMModel", ns, "gpt4o")
            for doc in secondaries[first_gpt4o + 1:]:
                if doc is not secret:
                    apply(k8s, doc, ns)
            quick_start = instances[0]["spec"]
            k8s.secret(ns_deploy, "litellm-db-credentials", {"DATABASE_URL": "postgresql://u:p@db:5432/litellm"})
            k8s.secret(ns_licensed, "litellm-db-credentials", {"DATABASE_URL": "postgresql://u:p@db:5432/litellm"})
            k8s.secret(ns_licensed, "litellm-license", {"license-key": "a-licence-for-the-tests"})
            k8s.create("LiteLLMInstance", ns_deploy, "my-gateway", quick_start)
            ip_allowlist = next(d for d in instances if "ipAllowlist" in (d["spec"].get("security") or {}))
            k8s.create("LiteLLMInstance", ns_licensed, "my-gateway", rest_of_spec(quick_start, ip_allowlist["spec"]))

            bodies = {(d["kind"], d["metadata"]["name"]): ready(k8s, d["kind"], ns, d["metadata"]["name"])
                      for d in secondaries if d["kind"] != "Secret"}
            assert_converged(k8s, ns, bodies, premium, litellm_proxy_premium.url, prefix, emails)
            # the instance's own run and its batches, created together, ran one at a time (Shim.instance_runs)
            spans = run_spans(op.runner_dir, ns, "my-gateway")
            assert {name.split("/")[0] for _start, _end, name in spans} >= {"litellminstance", "batch"}, spans
            for (_start, end, before), (start, _end, after) in zip(spans, spans[1:]):
                assert start >= end, f"{after} started before {before} ended"

            # an external instance's run: LiteLLM answers, takes the master key, and says whether it is licensed
            for name, active in (("my-gateway", True), ("plain", False)):
                body = k8s.get("LiteLLMInstance", ns, name)
                assert is_true(body, "Ready") and body["status"]["license"] == {"active": active}, body["status"]
            refused = wait_for(lambda: (b := k8s.get("LiteLLMInstance", ns, "wrong-key")) and is_true(b, "Failure") and b,
                               "the instance with a wrong master key fails")
            failure = condition(refused, "Failure")
            assert (f"LiteLLM at {litellm_proxy.url} refuses the master key of Secret wrong-key-master-key "
                    "(key masterKey)") in failure["message"], failure
            assert not is_true(refused, "Ready") and wrong_key not in json.dumps(refused)
            k8s.delete("LiteLLMInstance", ns, "wrong-key")

            # a spec change reaches LiteLLM
            k8s.patch("LiteLLMTeam", ns, "engineering", {"spec": {"maxBudgetMonthly": 2000}})
            team_id = ready(k8s, "LiteLLMTeam", ns, "engineering")["status"]["litellmId"]
            assert premium.team(team_id)["max_budget"] == 2000

            # on the plain proxy (no Enterprise licence): deleting the key's Secret rotates the key
            k8s.create("LiteLLMVirtualKey", ns, "plain-key", {"instanceRef": {"name": "plain"}, "keyAlias": f"{prefix}-plain"})
            ready(k8s, "LiteLLMVirtualKey", ns, "plain-key")
            old = k8s.read_secret(ns, "plain-key-key")["api_key"]
            assert works(litellm_proxy.url, old)
            k8s.core.delete_namespaced_secret("plain-key-key", ns)
            new = wait_for(lambda: (s := k8s.read_secret(ns, "plain-key-key")) and s["api_key"] != old and s["api_key"],
                           "a new value in the Secret plain-key-key")
            wait_for(lambda: (plain.key_by_alias(f"{prefix}-plain") or {}).get("token") == hash_of(new),
                     "the key rotated in LiteLLM")
            assert works(litellm_proxy.url, new) and not works(litellm_proxy.url, old)
            generated = [new, old, k8s.read_secret(ns, "eng-ci-key-key")["api_key"]]

            # deletion removes them from LiteLLM, also deleted as ``kubectl delete -f`` of the folder does: the
            # instance and its master key Secret first (the instance waits for its CRs, which remember its key)
            statuses = {key: body["status"] for key, body in bodies.items()}
            k8s.delete("LiteLLMInstance", ns, "my-gateway")
            k8s.core.delete_namespaced_secret("my-gateway-master-key", ns)
            for kind, name in [*bodies, ("LiteLLMVirtualKey", "plain-key")]:
                k8s.delete(kind, ns, name)
            for kind, name in [*bodies, ("LiteLLMVirtualKey", "plain-key"), ("LiteLLMInstance", "my-gateway")]:
                wait_for(lambda kind=kind, name=name: k8s.get(kind, ns, name) is None, f"{kind} {name} deleted")
            assert "InUse" in k8s.reasons(ns, "my-gateway"), "the instance waited for its CRs"
            assert not any("InstanceGone" in k8s.reasons(ns, name) for _kind, name in bodies), "nothing leaked"
            assert_deleted(premium, plain, statuses, prefix)
            assert_deployed(k8s, ns_deploy, ns_licensed)
        scan_for_secrets(op.log, tmp_path / "operator",
                         [litellm_proxy.master_key, *provider_keys.values(), *generated])
    finally:
        cleanup(litellm_proxy_premium, prefix)


def assert_converged(k8s: Cluster, ns: str, bodies: dict[tuple[str, str], dict[str, Any]], litellm: LiteLLM, url: str,
                     prefix: str, emails: list[str]) -> None:
    """Status and Secrets as the README documents them, and LiteLLM holding what the manifests say."""
    status = {name: body["status"] for (_kind, name), body in bodies.items()}
    for (kind, name), body in bodies.items():
        assert body["status"].get("litellmId"), f"{kind} {name} has no status.litellmId"
        assert is_true(body, "Successful"), f"{kind} {name}: {body['status'].get('conditions')}"
    # the generated key: Secret {name}-key, field api_key, owned by the CR; it works; its hash in the status
    secret = k8s.core.read_namespaced_secret("eng-ci-key-key", ns)
    value = k8s.read_secret(ns, "eng-ci-key-key")["api_key"]
    assert [(o.kind, o.name) for o in secret.metadata.owner_references] == [("LiteLLMVirtualKey", "eng-ci-key")]
    assert status["eng-ci-key"]["keySecretName"] == "eng-ci-key-key"
    assert status["eng-ci-key"]["litellmId"] == hash_of(value) and works(url, value)
    key = litellm.key(hash_of(value))
    assert (key["key_alias"], key["team_id"], key["max_budget"], key["models"]) == (
        f"{prefix}-eng-ci-key", status["engineering"]["litellmId"], 100, [f"{prefix}-gpt-4o"])
    team = litellm.team(status["engineering"]["litellmId"])
    assert (team["team_alias"], team["max_budget"], team["budget_duration"], team["models"]) == (
        f"{prefix}-engineering", 1000, "30d", [f"{prefix}-gpt-4o"])
    assert [(m["user_email"], m["role"]) for m in team["members_with_roles"]] == [(emails[0], "user")]
    organization = litellm.organization(status["acme-corp"]["litellmId"])
    assert organization["organization_alias"] == f"{prefix}-acme-corp"
    assert organization["litellm_budget_table"]["max_budget"] == 5000
    assert sorted((m["user_email"], m["user_role"]) for m in organization["members"]) == [
        (emails[1], "org_admin"), (emails[2], "internal_user")]
    assert litellm.team(status["acme-engineering"]["litellmId"])["organization_id"] == status["acme-corp"]["litellmId"]
    paid = litellm.team(status["paid-tier"]["litellmId"])
    assert (paid["team_alias"], paid["metadata"]["tags"]) == (f"{prefix}-paid-tier", ["paid"])
    assert litellm.credential(f"{prefix}-openai-prod") is not None
    gpt4o = litellm.model(status["gpt4o"]["litellmId"])
    assert gpt4o["model_name"] == f"{prefix}-gpt-4o"
    assert gpt4o["litellm_params"]["litellm_credential_name"] == f"{prefix}-openai-prod"
    gpt4 = litellm.model(status["gpt4-paid"]["litellmId"])
    assert (gpt4["model_name"], gpt4["litellm_params"]["tags"]) == (f"{prefix}-gpt-4", ["paid"])


def assert_deployed(k8s: Cluster, ns_deploy: str, ns_licensed: str) -> None:
    """The deploying instances rendered and applied through the role, and report url, master key and licence."""
    for ns, license_ in ((ns_deploy, {"active": False}), (ns_licensed, {"active": True, "secretName": "litellm-license"})):
        body = wait_for(lambda ns=ns: (b := k8s.get("LiteLLMInstance", ns, "my-gateway")) and is_true(b, "Successful") and b,
                        f"LiteLLMInstance {ns}/my-gateway applied")
        status = body["status"]
        assert status["url"] == f"http://my-gateway.{ns}.svc:4000"
        assert status["masterKeySecretRef"] == {"name": "my-gateway-master-key", "key": "master-key"}
        assert {k: v for k, v in status["license"].items() if v is not None} == license_
        assert status["ready"] is False  # no pods run on the emulator
        assert k8s.read_secret(ns, "my-gateway-master-key")["master-key"].startswith("sk-")
        ready = condition(body, "Ready")  # Ready means the proxy answers: not while no replica is available
        assert (ready["status"], ready["reason"]) == ("False", "ProxyNotAnswering"), ready
        apps = kubernetes.client.AppsV1Api(k8s.api)
        deployment = apps.read_namespaced_deployment("my-gateway", ns)
        assert deployment.spec.replicas == 2
        if ns == ns_deploy:  # its pods come up (the emulator runs none: the Deployment's status says so)
            replicas = {"replicas": 2, "availableReplicas": 2, "readyReplicas": 2}
            apps.patch_namespaced_deployment_status("my-gateway", ns, {"status": replicas})
            wait_for(lambda ns=ns: is_true(k8s.get("LiteLLMInstance", ns, "my-gateway"), "Ready"),
                     "the instance is Ready once its replicas are available")


def assert_deleted(premium: LiteLLM, plain: LiteLLM, statuses: dict[tuple[str, str], dict[str, Any]], prefix: str) -> None:
    for (kind, name), status in statuses.items():
        litellm_id = status["litellmId"]
        gone = {"LiteLLMTeam": premium.team, "LiteLLMOrganization": premium.organization, "LiteLLMModel": premium.model,
                "LiteLLMVirtualKey": premium.key, "LiteLLMCredential": premium.credential}[kind](litellm_id)
        assert not gone, f"{kind} {name} is still in LiteLLM after its CR was deleted"
    assert plain.key_by_alias(f"{prefix}-plain") is None


def scan_for_secrets(log: str, workdir: Path, secrets: list[str]) -> None:
    """No secret in the operator's log, nor in any file the runners left (artifacts, env, extravars)."""
    texts = [("operator log", log)]
    texts += [(str(p), p.read_text(errors="replace")) for p in workdir.rglob("*") if p.is_file()]
    assert len(texts) > 10, "no runner artifacts to scan"
    for where, text in texts:
        for secret in secrets:
            assert secret not in text, f"a secret is in {where}"
