"""The operator's playbooks (playbooks/operator/<kind>.yml), run the way the shim runs them, against the real LiteLLM.

Each CR is one import of its kind's playbook with the contract's extravars (``ansible_operator_meta``, the spec
snake_cased at top level, the raw CR as ``_litellm_llmops_dev_<kind>``, ``state``, ``litellm_operator``) as the
import's vars, and the secrets in the environment only (``LITELLM_PROXY_URL`` / ``LITELLM_PROXY_API_KEY``,
``LLMOPS_SECRET_<n>``). Every CR of every kind goes through one ansible-playbook process per phase:

1. create (v1), then the same again with the status the first run returned (what the shim keeps in ``.status``):
   nothing changes; run with -vvv, and its output is scanned for every secret;
2. ``--check --diff`` with the v2 specs: every CR reports its change with a diff, LiteLLM still holds v1; the run
   ends with a guardrail whose provider the proxy does not know: ``invalid spec: spec.provider``;
3. update to v2 (the virtual key's Secret deleted before: the key is rotated), checked with LiteLLM's API; the
   run ends with a model that sets credentialRef and apiKeySecretRef: ``invalid spec``;
4. the finalizer run (state=absent): deleted from LiteLLM, except with deletionPolicy Orphan (kept; the key's
   Secret loses its ownerReference) and for an adopted CR (kept).

Everything runs on the premium twin (``litellm_proxy_premium``): organizations need LiteLLM's Enterprise licence.
The virtual key's rotation does not (delete and create again); the end-to-end test proves it on the plain proxy.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import uuid
from typing import Any

import kubernetes
import pytest
import requests
from kubernetes.client.exceptions import ApiException

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import REPO, PlaybookResult, run_playbook

pytestmark = pytest.mark.slow(185)

API_VERSION = "litellm.llmops.dev/v1alpha1"
PLAYBOOKS = REPO / "playbooks" / "operator"
KINDS = {
    "budget": "LiteLLMBudget", "customer": "LiteLLMCustomer", "user": "LiteLLMUser", "credential": "LiteLLMCredential",
    "model": "LiteLLMModel", "organization": "LiteLLMOrganization", "team": "LiteLLMTeam",
    "guardrail": "LiteLLMGuardrail", "mcp_server": "LiteLLMMCPServer", "agent": "LiteLLMAgent",
    "mcp_toolset": "LiteLLMMCPToolset", "search_tool": "LiteLLMSearchTool", "vector_store": "LiteLLMVectorStore",
    "virtual_key": "LiteLLMVirtualKey", "policy": "LiteLLMPolicy", "model_alias": "LiteLLMModelAlias",
}
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there
MANAGED_BY = "app.kubernetes.io/managed-by"


def snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()


def snaked(value: Any) -> Any:
    """The Operator SDK's recursive snake-casing of the spec (which mangles free-form maps, as it does there)."""
    if isinstance(value, dict):
        return {snake(k): snaked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snaked(v) for v in value]
    return value


@dataclasses.dataclass
class CR:
    """One custom resource: the playbook of its kind and what the shim would pass besides the spec."""

    label: str                      # unique in a test: "team", "model-ref" ...
    short: str                      # the playbook: playbooks/operator/<short>.yml
    name: str
    spec: dict[str, Any]
    refs: dict[str, Any] = dataclasses.field(default_factory=dict)
    secret_env: dict[str, str] = dataclasses.field(default_factory=dict)
    deletion_policy: str = "Delete"
    adopted: bool = False
    uid: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def kind(self) -> str:
        return KINDS[self.short]

    def imported(self, namespace: str, *, state: str = "present", spec: dict[str, Any] | None = None,
                 status: Any = None) -> dict[str, Any]:
        """The import of the kind's playbook with the contract's extravars as its vars."""
        spec = self.spec if spec is None else spec
        body = {"apiVersion": API_VERSION, "kind": self.kind,
                "metadata": {"name": self.name, "namespace": namespace, "uid": self.uid, "annotations": {}},
                "spec": spec, "status": status if status is not None else {}}
        operator = {
            "mode": "delete" if state == "absent" else "reconcile",
            "owner": {"apiVersion": API_VERSION, "kind": self.kind, "name": self.name, "namespace": namespace,
                      "uid": self.uid},
            "instance": {"name": "gw", "namespace": namespace, "url": "set in the environment", "external": True},
            "refs": self.refs, "secret_env": self.secret_env, "deletion_policy": self.deletion_policy,
            "conflict_resolution": "crd-wins", "unmanaged_resource_policy": "preserve", "adopted": self.adopted,
        }
        # `tags` is a keyword of import_playbook (as extravars the shim passes it, and Ansible warns of the name)
        top = {k: v for k, v in snaked(spec).items() if k != "tags"}
        variables = {**top, "ansible_operator_meta": {"name": self.name, "namespace": namespace},
                     f"_litellm_llmops_dev_{self.kind.lower()}": body, "state": state, "litellm_operator": operator}
        return {"ansible.builtin.import_playbook": str(PLAYBOOKS / f"{self.short}.yml"), "vars": variables}


def keep_status(label: str) -> dict[str, Any]:
    """A play after an import that keeps the status it returned, for the CRs imported later in the same run."""
    value = ("{{ pbt_status | default({}) | combine({'" + label
             + "': operator_status_result.ansible_stats.data.litellm_status | default({})}) }}")
    return {"name": f"pbt: {label}", "hosts": "localhost", "gather_facts": False,
            "tasks": [{"name": f"keep the status of {label}", "ansible.builtin.set_fact": {"pbt_status": value}}]}


@dataclasses.dataclass
class Phase:
    """One ansible-playbook run of many CRs; ``plays[label]`` is the result of each CR's run, in order."""

    result: PlaybookResult
    labels: list[str]

    def runs(self, label: str) -> list[dict[str, dict[str, Any]]]:
        """Each run of CR ``label``: {task name: the task's result on localhost}."""
        found, pending = [], None
        for play in self.result.plays:
            name = play["play"]["name"]
            if name.startswith("pbt: "):
                if name == f"pbt: {label}" and pending is not None:
                    found.append(pending)
                pending = None
            else:
                pending = {t["task"]["name"]: t["hosts"].get("localhost", {}) for t in play["tasks"]}
        return found

    def changed(self, label: str, index: int = 0) -> bool:
        return any(r.get("changed") for r in self.runs(label)[index].values())

    def status(self, label: str, index: int = 0) -> dict[str, Any]:
        return self.runs(label)[index]["Return the status"]["ansible_stats"]["data"]["litellm_status"]

    def module(self, label: str, task: str, index: int = 0) -> dict[str, Any]:
        return self.runs(label)[index][task]


def run_phase(plays: list[dict[str, Any]], labels: list[str], env: dict[str, str], **kwargs: Any) -> Phase:
    return Phase(run_playbook(plays, env={**env, "ANSIBLE_SHOW_CUSTOM_STATS": "1"}, **kwargs), labels)


def last_failure(result: PlaybookResult) -> str:
    """The message of the task that failed the run."""
    for play in reversed(result.plays):
        for task in reversed(play["tasks"]):
            outcome = task["hosts"].get("localhost", {})
            if outcome.get("failed") and not outcome.get("ignore_errors"):
                return outcome.get("msg", "")
    return ""


def ok(result: PlaybookResult) -> None:
    assert result.rc == 0, last_failure(result) or result.stderr[-3000:]


class LiteLLM:
    """Reads of what the playbooks did, through LiteLLM's REST API with the master key."""

    def __init__(self, proxy: Any) -> None:
        self.proxy = proxy

    def get(self, path: str, **params: Any) -> Any:
        answer = self.proxy.api("GET", path, params=params)
        return answer.json() if answer.status_code == 200 else None

    def team(self, team_id: str) -> dict[str, Any] | None:
        return (self.get("/team/info", team_id=team_id) or {}).get("team_info")

    def organization(self, organization_id: str) -> dict[str, Any] | None:
        return self.get("/organization/info", organization_id=organization_id)

    def user(self, user_id: str) -> dict[str, Any] | None:
        info = (self.get("/user/info", user_id=user_id) or {}).get("user_info")
        return info if info and info.get("user_id") == user_id else None

    def customer(self, user_id: str) -> dict[str, Any] | None:
        return self.get("/customer/info", end_user_id=user_id)

    def budget(self, budget_id: str) -> dict[str, Any] | None:
        return next((b for b in self.get("/budget/list") or [] if b["budget_id"] == budget_id), None)

    def credential(self, name: str) -> dict[str, Any] | None:
        return self.get(f"/credentials/by_name/{name}")

    def model(self, model_id: str) -> dict[str, Any] | None:
        data = (self.get("/v2/model/info", modelId=model_id) or {}).get("data") or []
        return next((m for m in data if m["model_info"]["id"] == model_id), None)

    def guardrail(self, guardrail_id: str) -> dict[str, Any] | None:
        return self.get(f"/guardrails/{guardrail_id}/info")

    def mcp_server(self, server_id: str) -> dict[str, Any] | None:
        return next((s for s in self.get("/v1/mcp/server") or [] if s["server_id"] == server_id), None)

    def fallback(self, model: str) -> dict[str, Any] | None:
        """The model's general fallbacks in the router settings ({model: [...]}), None when it has none."""
        rules = ((self.get("/router/settings") or {}).get("current_values") or {}).get("fallbacks") or []
        return next((r for r in rules if isinstance(r, dict) and model in r), None)

    def model_alias(self, alias: str) -> dict[str, Any] | None:
        """The alias's entry of the router's model_group_alias as {model, hidden}, None when the map lacks it."""
        aliases = ((self.get("/router/settings") or {}).get("current_values") or {}).get("model_group_alias") or {}
        entry = aliases.get(alias)
        return None if entry is None else dict(entry) if isinstance(entry, dict) else {"model": entry, "hidden": False}

    def prompt(self, prompt_ref: str) -> dict[str, Any] | None:
        """The latest version of a prompt in an environment (``prompt_id::environment``), None when it has none."""
        prompt_id, _sep, environment = prompt_ref.partition("::")
        return (self.get(f"/prompts/{prompt_id}", environment=environment) or {}).get("prompt_spec")

    def jwt_key_mapping(self, mapping_id: str) -> dict[str, Any] | None:
        return self.get("/jwt/key/mapping/info", id=mapping_id)

    def mcp_toolset(self, toolset_id: str) -> dict[str, Any] | None:
        return self.get(f"/v1/mcp/toolset/{toolset_id}")

    def policy(self, name: str) -> dict[str, Any] | None:
        """The production version of the policy with this name, with its attachments' tags."""
        found = next((p for p in (self.get("/policies/list", version_status="production") or {}).get("policies", [])
                      if p["policy_name"] == name), None)
        if found:
            found["attached_tags"] = sorted(t for a in self.get("/policies/attachments/list")["attachments"]
                                            if a["policy_name"] == name for t in a["tags"])
        return found

    def agent(self, agent_id: str) -> dict[str, Any] | None:
        return next((a for a in self.get("/v1/agents") or [] if a["agent_id"] == agent_id), None)

    def search_tool(self, search_tool_id: str) -> dict[str, Any] | None:
        return next((t for t in (self.get("/search_tools/list") or {}).get("search_tools", [])
                     if t["search_tool_id"] == search_tool_id), None)

    def vector_store(self, vector_store_id: str) -> dict[str, Any] | None:
        return next((s for s in (self.get("/vector_store/list") or {}).get("data", [])
                     if s["vector_store_id"] == vector_store_id), None)

    def key(self, token: str) -> dict[str, Any] | None:
        """The key with this token; None when there is none, or it was deleted (LiteLLM answers for deleted keys)."""
        info = (self.get("/key/info", key=token) or {}).get("info")
        return None if not info or info.get("deleted_at") else info

    def key_by_alias(self, alias: str) -> dict[str, Any] | None:
        keys = (self.get("/key/list", key_alias=alias, return_full_object="true") or {}).get("keys") or []
        return next((k for k in keys if k.get("key_alias") == alias), None)

    def works(self, key: str) -> bool:
        """Whether LiteLLM accepts ``key`` as a client's key."""
        answer = requests.get(self.proxy.url + "/key/info", headers={"Authorization": f"Bearer {key}"}, timeout=60)
        return answer.status_code == 200


class Secrets:
    """Secrets of the test namespace through the ``kubernetes`` client."""

    def __init__(self, cluster: KubeCluster, namespace: str) -> None:
        self.api = kubernetes.client.CoreV1Api(cluster.client())
        self.namespace = namespace

    def read(self, name: str) -> Any:
        try:
            return self.api.read_namespaced_secret(name, self.namespace)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def value(self, name: str) -> str:
        return base64.b64decode(self.read(name).data["api_key"]).decode()

    def delete(self, name: str) -> None:
        self.api.delete_namespaced_secret(name, self.namespace)


@pytest.fixture
def proxy(litellm_proxy_premium: Any) -> Any:
    return litellm_proxy_premium


def test_every_kind_create_check_update_delete(proxy: Any, kube_api: KubeCluster, kube_namespace: str) -> None:
    prefix = f"pbt-{uuid.uuid4().hex[:8]}"
    ns = kube_namespace
    provider_keys = {f"LLMOPS_SECRET_{n}": f"sk-provider-{n}-{uuid.uuid4().hex}" for n in range(8)}
    env = {"LITELLM_PROXY_URL": proxy.url, "LITELLM_PROXY_API_KEY": proxy.master_key, **kube_api.env, **provider_keys}
    ref = {"name": "provider", "key": "api-key"}
    instance = {"instanceRef": {"name": "gw"}}
    crs = [
        CR("budget", "budget", "budget", {**instance, "budgetId": f"{prefix}-budget", "maxBudget": 10,
                                          "budgetDuration": "30d"}, deletion_policy="Orphan"),
        CR("customer", "customer", "customer", {**instance, "userId": f"{prefix}-cust", "alias": "first",
                                                "maxBudget": 5}, adopted=True),
        CR("user", "user", "user", {**instance, "userId": f"{prefix}-user", "userEmail": f"{prefix}-user@example.com",
                                    "userAlias": "first", "maxBudget": 3}),
        CR("credential", "credential", "openai-prod", {
            **instance, "credentialName": f"{prefix}-cred", "apiKeySecretRef": ref, "apiBase": proxy.upstream_url,
            "credentialInfo": {"custom_llm_provider": "openai"}}, secret_env={"api_key_secret_ref": "LLMOPS_SECRET_0"}),
        CR("model-ref", "model", "upstream", {
            **instance, "modelName": f"{prefix}-upstream",
            "litellmParams": {"model": "openai/upstream-echo", "credentialRef": {"name": "openai-prod"}},
            "tags": ["paid"]}, refs={"credential": {"name": "openai-prod", "litellm_id": f"{prefix}-cred",
                                                    "alias": f"{prefix}-cred"}}),
        CR("model-key", "model", "mock", {
            **instance, "modelName": f"{prefix}-mock",
            "litellmParams": {"model": "openai/gpt-4o", "apiKeySecretRef": ref, "mock_response": "hello"},
            "modelInfo": {"maxTokens": 64}}, secret_env={"litellm_params.api_key_secret_ref": "LLMOPS_SECRET_1"}),
        CR("organization", "organization", "acme-corp", {
            **instance, "organizationAlias": f"{prefix}-org", "models": [f"{prefix}-mock"], "maxBudget": 500,
            "budgetDuration": "30d", "members": [{"email": f"{prefix}-admin@example.com", "role": "org_admin"}]}),
        CR("team", "team", "engineering", {
            **instance, "teamAlias": f"{prefix}-team", "organizationRef": {"name": "acme-corp"},
            "models": [f"{prefix}-mock"], "maxBudgetMonthly": 100, "budgetDuration": "30d",
            "members": [{"email": f"{prefix}-member@example.com", "role": "user"}],
            "metadata": {"costCenter": {"Keep-This_Case": 1}}},
           refs={"organization": {"name": "acme-corp", "litellm_id": "{{ pbt_status.organization.litellmId }}",
                                  "alias": f"{prefix}-org"}}),
        CR("guardrail", "guardrail", "guard", {
            **instance, "guardrailName": f"{prefix}-guard", "provider": "generic_guardrail_api", "mode": ["pre_call"],
            "apiBase": NOWHERE + "/guard", "apiKeySecretRef": ref, "defaultOn": False},
           secret_env={"api_key_secret_ref": "LLMOPS_SECRET_2"}),
        CR("mcp_server", "mcp_server", "tools", {
            **instance, "serverName": prefix.replace("-", "_") + "_mcp", "transport": "http", "url": NOWHERE + "/mcp",
            "authType": "bearer_token", "credentials": {"auth_value": ref}, "description": "first"},
           secret_env={"credentials.auth_value": "LLMOPS_SECRET_3"}),
        CR("mcp_toolset", "mcp_toolset", "triage", {
            **instance, "toolsetName": f"{prefix}-toolset", "description": "first",
            "tools": [{"serverId": f"{prefix}-srv", "toolName": "get_issue"}]}),
        CR("agent", "agent", "researcher", {
            **instance, "agentName": f"{prefix}-agent", "agentCardParams": {"description": "first", "url": NOWHERE + "/"},
            "litellmParams": {"model": "a2a/researcher"}, "secretLitellmParams": {"api_key": ref}, "public": True,
            "objectPermission": {"mcpAccessGroups": ["g1"]}, "rpmLimit": 10,
            "killSwitch": {"url": NOWHERE + "/stop", "auth": {"type": "bearer", "credentialSecretRef": ref}}},
           secret_env={"secret_litellm_params.api_key": "LLMOPS_SECRET_4",
                       "kill_switch.auth.credential_secret_ref": "LLMOPS_SECRET_5"}),
        CR("search_tool", "search_tool", "web-search", {
            **instance, "searchToolName": f"{prefix}-search", "searchProvider": "tavily",
            "providerApiKeySecretRef": ref, "apiBase": NOWHERE, "searchToolInfo": {"description": "first"}},
           secret_env={"provider_api_key_secret_ref": "LLMOPS_SECRET_6"}),
        CR("vector_store", "vector_store", "docs", {
            **instance, "vectorStoreId": f"vs_{prefix}", "customLlmProvider": "openai", "vectorStoreName": "first",
            "litellmParams": {"api_base": NOWHERE}, "secretLitellmParams": {"api_key": ref}},
           secret_env={"secret_litellm_params.api_key": "LLMOPS_SECRET_7"}),
        CR("policy", "policy", "baseline", {
            **instance, "policyName": f"{prefix}-policy", "description": "first", "guardrailsAdd": ["g1"],
            "attachments": [{"tags": [f"{prefix}-*"]}]}),
        CR("model_alias", "model_alias", "smart", {**instance, "alias": f"{prefix}-smart[1m]", "model": f"{prefix}-mock"}),
        CR("virtual_key", "virtual_key", "eng-ci-key", {
            **instance, "keyAlias": f"{prefix}-key", "teamRef": {"name": "engineering"}, "models": [f"{prefix}-mock"],
            "maxBudget": "100"}, refs={"team": {"name": "engineering", "litellm_id": "{{ pbt_status.team.litellmId }}",
                                                "alias": f"{prefix}-team"}}),
        CR("orphan_key", "virtual_key", "kept-key", {**instance, "keyAlias": f"{prefix}-kept"},
           deletion_policy="Orphan"),
    ]
    by_label = {cr.label: cr for cr in crs}
    v2 = {
        "budget": {"maxBudget": 20},
        "customer": {"alias": "second"},
        "user": {"userAlias": "second"},
        "credential": {"credentialInfo": {"custom_llm_provider": "openai", "description": "second"}},
        "model-ref": {"tags": ["paid", "second"]},
        "model-key": {"litellmParams": {"model": "openai/gpt-4o", "apiKeySecretRef": ref, "mock_response": "hello",
                                        "rpm": 7}},
        "organization": {"maxBudget": 600},
        "team": {"maxBudgetMonthly": 200, "members": [{"email": f"{prefix}-member@example.com", "role": "admin"}]},
        "guardrail": {"guardrailInfo": {"description": "second"}},
        "mcp_server": {"description": "second"},
        "mcp_toolset": {"tools": [{"serverId": f"{prefix}-srv", "toolName": "list_issues"}]},
        "agent": {"public": False, "rpmLimit": 20},
        "search_tool": {"providerTimeout": 7},
        "vector_store": {"vectorStoreName": "second"},
        "policy": {"description": "second"},
        "model_alias": {"model": f"{prefix}-upstream", "hidden": True},
        "virtual_key": {"maxBudget": "150"},
    }
    litellm = LiteLLM(proxy)
    secrets = Secrets(kube_api, ns)
    labels = [cr.label for cr in crs]
    try:
        # 1. create, then the same again with the returned status: nothing changes. -vvv: scanned for secrets.
        plays = []
        for cr in crs:
            plays += [cr.imported(ns), keep_status(cr.label)]
        for cr in crs:
            if cr.label != "orphan_key":  # the same playbook as virtual_key
                plays += [cr.imported(ns, status=f"{{{{ pbt_status['{cr.label}'] }}}}"), keep_status(cr.label)]
        first = run_phase(plays, labels, env, verbosity=3)
        ok(first.result)
        for label in labels:
            assert first.changed(label, 0), f"{label}: the first run changed nothing"
            if label != "orphan_key":
                assert not first.changed(label, 1), f"{label}: the second run changed something: {first.runs(label)[1]}"
        status = {label: first.status(label) for label in labels}
        key_value = secrets.value("eng-ci-key-key")
        output = first.result.stdout + first.result.stderr
        for secret in [proxy.master_key, key_value, secrets.value("kept-key-key"), *provider_keys.values()]:
            assert secret not in output, "a secret is in the -vvv output of the first run"
        assert_created(litellm, secrets, by_label, status, key_value, prefix)

        # 2. --check --diff of the v2 specs: each reports its change with a diff; LiteLLM still holds v1.
        crs_v2 = [cr for cr in crs if cr.label in v2]
        for cr in crs_v2:
            resolve(cr, status)
        plays = [play for cr in crs_v2
                 for play in (cr.imported(ns, spec={**cr.spec, **v2[cr.label]}, status=status[cr.label]),
                              keep_status(cr.label))]
        unknown = CR("bad-guardrail", "guardrail", "bad", {
            **instance, "guardrailName": f"{prefix}-bad", "provider": "no_such_provider", "mode": ["pre_call"]})
        plays.append(unknown.imported(ns))
        check = run_phase(plays, labels, env, check=True, diff=True)
        assert check.result.rc != 0 and last_failure(check.result).startswith("invalid spec: spec.provider: "), (
            last_failure(check.result))
        for cr in crs_v2:
            run = check.runs(cr.label)[0]
            diffs = [r["diff"] for r in run.values() if r.get("changed") and r.get("diff")]
            assert diffs and any(d["before"] != d["after"] for d in diffs), f"{cr.label}: no diff in check mode: {run}"
        assert_created(litellm, secrets, by_label, status, key_value, prefix)  # nothing written

        # 3. update to v2; the key's Secret deleted first: the key is rotated (deleted and created again).
        secrets.delete("eng-ci-key-key")
        plays = [play for cr in crs_v2
                 for play in (cr.imported(ns, spec={**cr.spec, **v2[cr.label]}, status=status[cr.label]),
                              keep_status(cr.label))]
        invalid = CR("bad-model", "model", "bad", {
            **instance, "modelName": f"{prefix}-bad",
            "litellmParams": {"model": "openai/gpt-4o", "apiKeySecretRef": ref, "credentialRef": {"name": "x"}}},
            refs={"credential": {"name": "x", "litellm_id": "x", "alias": "x"}},
            secret_env={"litellm_params.api_key_secret_ref": "LLMOPS_SECRET_1"})
        plays.append(invalid.imported(ns))
        update = run_phase(plays, labels, env, verbosity=3)
        assert update.result.rc != 0 and last_failure(update.result) == (
            "invalid spec: spec.litellmParams.credentialRef: cannot be combined with apiKeySecretRef (the credential "
            "holds the key)"), last_failure(update.result)
        for cr in crs_v2:
            assert update.changed(cr.label), f"{cr.label}: the update changed nothing"
        new_value = secrets.value("eng-ci-key-key")
        output = update.result.stdout + update.result.stderr
        for secret in [proxy.master_key, new_value, *provider_keys.values()]:
            assert secret not in output, "a secret is in the -vvv output of the update"
        assert_updated(litellm, status, prefix, key_value, new_value, update.status("virtual_key"))
        status["virtual_key"] = update.status("virtual_key")

        # 4. the finalizer: deleted upstream, except Orphan (budget, orphan_key) and adopted (customer).
        plays = [cr.imported(ns, state="absent", status=status[cr.label]) for cr in reversed(crs)]
        ok(run_playbook(plays, env=env))
        assert_deleted(litellm, secrets, status, prefix)
    finally:
        cleanup(proxy, prefix)


def resolve(cr: CR, status: dict[str, dict[str, Any]]) -> None:
    """The refs the first run resolved in-run from the status of other CRs, now literal (as the shim passes them)."""
    for ref in cr.refs.values():
        if "pbt_status." in ref["litellm_id"]:
            ref["litellm_id"] = status[ref["litellm_id"].split(".")[1]]["litellmId"]


def assert_created(litellm: LiteLLM, secrets: Secrets, crs: dict[str, CR], status: dict[str, dict[str, Any]],
                   key_value: str, prefix: str) -> None:
    """Every CR of the first run is in LiteLLM with its v1 spec, and the statuses say where."""
    assert litellm.budget(f"{prefix}-budget")["max_budget"] == 10
    assert litellm.customer(f"{prefix}-cust")["alias"] == "first"
    assert litellm.user(f"{prefix}-user")["user_alias"] == "first"
    credential = litellm.credential(f"{prefix}-cred")
    assert credential["credential_info"]["custom_llm_provider"] == "openai"
    assert status["credential"]["litellmId"] == f"{prefix}-cred" and len(status["credential"]["appliedSecretsHash"]) == 64
    model = litellm.model(status["model-ref"]["litellmId"])
    assert model["litellm_params"]["litellm_credential_name"] == f"{prefix}-cred"
    assert model["litellm_params"]["tags"] == ["paid"]
    mock = litellm.model(status["model-key"]["litellmId"])
    assert mock["model_name"] == f"{prefix}-mock" and mock["model_info"]["max_tokens"] == 64
    assert "rpm" not in mock["litellm_params"]
    organization = litellm.organization(status["organization"]["litellmId"])
    assert organization["organization_alias"] == f"{prefix}-org"
    assert organization["litellm_budget_table"]["max_budget"] == 500
    assert [m["user_role"] for m in organization["members"]] == ["org_admin"]
    team = litellm.team(status["team"]["litellmId"])
    assert team["team_alias"] == f"{prefix}-team" and team["organization_id"] == status["organization"]["litellmId"]
    assert (team["max_budget"], team["budget_duration"]) == (100, "30d")
    assert team["metadata"] == {"costCenter": {"Keep-This_Case": 1}}  # from the raw CR: keys kept as written
    assert [m["role"] for m in team["members_with_roles"]] == ["user"]
    assert litellm.guardrail(status["guardrail"]["litellmId"])["guardrail_info"] in (None, {})
    assert litellm.mcp_server(status["mcp_server"]["litellmId"])["description"] == "first"
    toolset = litellm.mcp_toolset(status["mcp_toolset"]["litellmId"])
    assert toolset["tools"] == [{"server_id": f"{prefix}-srv", "tool_name": "get_issue"}]
    agent = litellm.agent(status["agent"]["litellmId"])
    assert agent["litellm_params"] == {"model": "a2a/researcher", "api_key": "REDACTED_BY_LITELM", "is_public": True}
    assert (agent["rpm_limit"], agent["object_permission"]["mcp_access_groups"]) == (10, ["g1"])
    assert agent["kill_switch"]["auth"] == {"type": "bearer", "token": "REDACTED_BY_LITELM"}
    assert len(status["agent"]["appliedSecretsHash"]) == 64
    search_tool = litellm.search_tool(status["search_tool"]["litellmId"])
    assert search_tool["search_tool_name"] == f"{prefix}-search" and search_tool["search_tool_info"] == {
        "description": "first"}
    assert search_tool["litellm_params"]["api_key"].startswith("sk****")  # the Secret's value, masked by LiteLLM
    store = litellm.vector_store(status["vector_store"]["litellmId"])
    assert (store["vector_store_id"], store["vector_store_name"]) == (f"vs_{prefix}", "first")
    assert store["litellm_params"]["api_key"] == "REDACTED_BY_LITELM" and store["litellm_params"]["api_base"] == NOWHERE
    policy = litellm.policy(f"{prefix}-policy")
    assert (policy["description"], policy["guardrails_add"], policy["attached_tags"]) == ("first", ["g1"], [f"{prefix}-*"])
    assert status["policy"]["litellmId"] == f"{prefix}-policy"  # its name: the id of every version
    assert litellm.model_alias(f"{prefix}-smart[1m]") == {"model": f"{prefix}-mock", "hidden": False}
    assert status["model_alias"]["litellmId"] == f"{prefix}-smart[1m]"
    # the key: its value in the owned Secret, its hash (never the value) in the status, and it works
    secret = secrets.read("eng-ci-key-key")
    assert secret.metadata.labels[MANAGED_BY] == "llmops-litellm-operator"
    assert [(o.kind, o.name, o.uid, o.controller) for o in secret.metadata.owner_references] == [
        ("LiteLLMVirtualKey", "eng-ci-key", crs["virtual_key"].uid, True)]
    assert status["virtual_key"]["keySecretName"] == "eng-ci-key-key"
    assert status["virtual_key"]["litellmId"] == hash_of(key_value) and key_value.startswith("sk-")
    key = litellm.key(status["virtual_key"]["litellmId"])
    assert (key["key_alias"], key["team_id"], key["max_budget"]) == (f"{prefix}-key", status["team"]["litellmId"], 100)
    assert litellm.works(key_value)


def assert_updated(litellm: LiteLLM, status: dict[str, dict[str, Any]], prefix: str, old_value: str, new_value: str,
                   key_status: dict[str, Any]) -> None:
    """Every v2 change reached LiteLLM; the key was rotated to the new Secret's value, under the same alias."""
    assert litellm.budget(f"{prefix}-budget")["max_budget"] == 20
    assert litellm.customer(f"{prefix}-cust")["alias"] == "second"
    assert litellm.user(f"{prefix}-user")["user_alias"] == "second"
    assert litellm.credential(f"{prefix}-cred")["credential_info"]["description"] == "second"
    assert litellm.model(status["model-ref"]["litellmId"])["litellm_params"]["tags"] == ["paid", "second"]
    assert litellm.model(status["model-key"]["litellmId"])["litellm_params"]["rpm"] == 7
    assert litellm.organization(status["organization"]["litellmId"])["litellm_budget_table"]["max_budget"] == 600
    team = litellm.team(status["team"]["litellmId"])
    assert team["max_budget"] == 200 and [m["role"] for m in team["members_with_roles"]] == ["admin"]
    assert litellm.guardrail(status["guardrail"]["litellmId"])["guardrail_info"] == {"description": "second"}
    assert litellm.mcp_server(status["mcp_server"]["litellmId"])["description"] == "second"
    assert litellm.mcp_toolset(status["mcp_toolset"]["litellmId"])["tools"] == [
        {"server_id": f"{prefix}-srv", "tool_name": "list_issues"}]
    agent = litellm.agent(status["agent"]["litellmId"])
    assert (agent["litellm_params"]["is_public"], agent["rpm_limit"]) == (False, 20)
    search_tool = litellm.search_tool(status["search_tool"]["litellmId"])
    assert search_tool["litellm_params"]["timeout"] == 7 and search_tool["litellm_params"]["api_key"].startswith("sk****")
    assert litellm.vector_store(status["vector_store"]["litellmId"])["vector_store_name"] == "second"
    policy = litellm.policy(status["policy"]["litellmId"])
    assert (policy["description"], policy["version_number"]) == ("second", 2)  # a new production version
    assert litellm.model_alias(f"{prefix}-smart[1m]") == {"model": f"{prefix}-upstream", "hidden": True}
    assert new_value != old_value and key_status["litellmId"] == hash_of(new_value)
    # one key under the alias, with the new value; the old one deleted: its value no longer works
    assert litellm.key(hash_of(old_value)) is None and not litellm.works(old_value)
    assert litellm.key_by_alias(f"{prefix}-key")["token"] == hash_of(new_value)
    key = litellm.key(hash_of(new_value))
    assert (key["key_alias"], key["max_budget"], key["team_id"]) == (f"{prefix}-key", 150, status["team"]["litellmId"])
    assert litellm.works(new_value)


def assert_deleted(litellm: LiteLLM, secrets: Secrets, status: dict[str, dict[str, Any]], prefix: str) -> None:
    for gone in (litellm.user(f"{prefix}-user"), litellm.credential(f"{prefix}-cred"),
                 litellm.model(status["model-ref"]["litellmId"]), litellm.model(status["model-key"]["litellmId"]),
                 litellm.organization(status["organization"]["litellmId"]), litellm.team(status["team"]["litellmId"]),
                 litellm.guardrail(status["guardrail"]["litellmId"]), litellm.mcp_server(status["mcp_server"]["litellmId"]),
                 litellm.mcp_toolset(status["mcp_toolset"]["litellmId"]), litellm.agent(status["agent"]["litellmId"]),
                 litellm.search_tool(status["search_tool"]["litellmId"]),
                 litellm.vector_store(status["vector_store"]["litellmId"]),
                 litellm.key(status["virtual_key"]["litellmId"]), litellm.policy(f"{prefix}-policy"),
                 litellm.model_alias(f"{prefix}-smart[1m]")):
        assert not gone, f"still in LiteLLM after the finalizer run: {gone}"
    assert secrets.read("eng-ci-key-key") is None
    # Orphan: the budget and the key stay, and the key's Secret (its value) outlives the CR
    assert litellm.budget(f"{prefix}-budget") is not None
    assert litellm.key(status["orphan_key"]["litellmId"]) is not None
    kept = secrets.read("kept-key-key")
    assert kept is not None and not kept.metadata.owner_references
    # adopted from LiteLLM, without the delete-adopted annotation: kept
    assert litellm.customer(f"{prefix}-cust") is not None


def hash_of(value: str) -> str:
    """The token LiteLLM keeps of a key's value."""
    return hashlib.sha256(value.encode()).hexdigest()


def cleanup(proxy: Any, prefix: str) -> None:
    """Remove what the test left in LiteLLM (the shared proxy), whatever step failed."""
    api = proxy.api
    keys = (api("GET", "/key/list", params={"return_full_object": "true", "size": 100}).json().get("keys") or [])
    tokens = [k["token"] for k in keys if (k.get("key_alias") or "").startswith(prefix)]
    if tokens:
        api("POST", "/key/delete", json={"keys": tokens})
    teams = api("GET", "/team/list").json() or []
    for team in teams if isinstance(teams, list) else []:
        if (team.get("team_alias") or "").startswith(prefix):
            api("POST", "/team/delete", json={"team_ids": [team["team_id"]]})
    for org in api("GET", "/organization/list").json() or []:
        if (org.get("organization_alias") or "").startswith(prefix):
            api("DELETE", "/organization/delete", json={"organization_ids": [org["organization_id"]]})
    users = api("GET", "/user/list", params={"page_size": 100, "user_email": prefix}).json().get("users") or []
    user_ids = [u["user_id"] for u in users if (u.get("user_email") or "").startswith(prefix)] + [f"{prefix}-user"]
    api("POST", "/user/delete", json={"user_ids": user_ids})
    api("POST", "/customer/delete", json={"user_ids": [f"{prefix}-cust"]})
    api("POST", "/budget/delete", json={"id": f"{prefix}-budget"})
    api("DELETE", f"/credentials/{prefix}-cred")
    for model in (api("GET", "/v2/model/info", params={"size": 500}).json().get("data") or []):
        if model["model_name"].startswith(prefix):
            api("POST", "/model/delete", json={"id": model["model_info"]["id"]})
    for guardrail in (api("GET", "/v2/guardrails/list").json().get("guardrails") or []):
        if (guardrail.get("guardrail_name") or "").startswith(prefix):
            api("DELETE", f"/guardrails/{guardrail['guardrail_id']}")
    for server in api("GET", "/v1/mcp/server").json() or []:
        if (server.get("server_name") or "").startswith(prefix.replace("-", "_")):
            api("DELETE", f"/v1/mcp/server/{server['server_id']}")
    for toolset in api("GET", "/v1/mcp/toolset").json() or []:
        if toolset["toolset_name"].startswith(prefix):
            api("DELETE", f"/v1/mcp/toolset/{toolset['toolset_id']}")
    for agent in api("GET", "/v1/agents").json() or []:
        if agent["agent_name"].startswith(prefix):
            api("DELETE", f"/v1/agents/{agent['agent_id']}")
    for tool in api("GET", "/search_tools/list").json().get("search_tools") or []:
        if tool["search_tool_name"].startswith(prefix) and tool["search_tool_id"]:
            api("DELETE", f"/search_tools/{tool['search_tool_id']}")
    for store in api("GET", "/vector_store/list").json().get("data") or []:
        if store["vector_store_id"].startswith(f"vs_{prefix}"):
            api("POST", "/vector_store/delete", json={"vector_store_id": store["vector_store_id"]})
    for attachment in api("GET", "/policies/attachments/list").json()["attachments"]:
        if attachment["policy_name"].startswith(prefix):
            api("DELETE", f"/policies/attachments/{attachment['attachment_id']}")
    api("DELETE", f"/policies/name/{prefix}-policy/all-versions")
    aliases = (api("GET", "/router/settings").json().get("current_values") or {}).get("model_group_alias") or {}
    if any(alias.startswith(prefix) for alias in aliases):
        api("POST", "/config/update", json={"router_settings": {"model_group_alias": {
            alias: entry for alias, entry in aliases.items() if not alias.startswith(prefix)}}})
