"""The one custom resource <-> document table (gateway/custom_resources.py, each kind's ``cr_map``): both ways,
every kind, the special cases the operator's playbooks implement, and drift paths from the engine's to the CR's."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import custom_resources as table
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import parse_document
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.manifests import manifests
from ansible_collections.llmops.litellm.plugins.module_utils.kinds import proxy_settings
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND, BY_KIND, CR_KINDS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import cr_claims

# One object of every kind that has a custom resource, with references between them, nested option keys, money,
# members and a model's credential: what an export writes as custom resources.
DOCUMENT: dict[str, list[dict[str, Any]]] = {
    "budgets": [{"budget_id": "shared", "max_budget": 10.5, "budget_duration": "30d",
                 "model_max_budget": {"gpt_4o": {"max_budget": 2.0, "budget_duration": "1d"}}}],
    "credentials": [{"credential_name": "openai-cred", "credential_info": {"provider": "openai"}}],
    "guardrails": [{"guardrail_name": "pii", "provider": "generic_guardrail_api", "mode": ["pre_call"],
                    "api_base": "http://127.0.0.1:9/guard", "default_on": False}],
    "mcp_servers": [{"server_name": "srv_one", "transport": "http", "url": "http://127.0.0.1:9/mcp",
                     "description": "tools", "allowed_tools": ["a"]}],
    "mcp_toolsets": [{"toolset_name": "kit", "tools": [{"server_id": "s-1", "tool_name": "search"}]}],
    "models": [{"model_name": "gpt", "model_id": "m-1",
                "litellm_params": {"model": "openai/gpt-4o", "rpm": 5, "api_base": "http://127.0.0.1:9/v1",
                                   "litellm_credential_name": "openai-cred", "rpd": 100, "daily_reset_time": "00:00"},
                "model_info": {"input_cost_per_token": 1.0, "ptu_shares": {"east": 2}, "pricing_provider": "azure"},
                "tags": ["t"]}],
    "agents": [{"agent_name": "helper", "agent_card_params": {"url": "http://127.0.0.1:9/"}, "rpm_limit": 5,
                "object_permission": {"mcp_servers": ["srv_one"], "mcp_access_groups": ["g"]},
                "kill_switch": {"url": "http://127.0.0.1:9/stop", "method": "POST"}}],
    "organizations": [{"organization_alias": "acme", "max_budget": 100.0,
                       "members": [{"user_email": "boss@example.com", "role": "org_admin"}], "purge_members": True}],
    "teams": [{"team_alias": "eng", "organization_alias": "acme", "max_budget": 5.0, "budget_duration": "30d",
               "members": [{"user_email": "dev@example.com", "role": "admin"}], "purge_members": True,
               "metadata": {"cost_center": "42"}, "model_max_budget": {"my_model": {"max_budget": 1.5}},
               "require_trace_id": True,
               "team_member_model_max_budget": {"my_model": {"max_budget": 0.5, "budget_duration": "1d"}}}],
    "users": [{"user_id": "u-1", "user_email": "u1@example.com", "max_budget": 3.0, "teams": ["t-1"]}],
    "virtual_keys": [{"key_alias": "ci", "team_alias": "eng", "max_budget": 1.0, "models": ["gpt"],
                      "user_id": "u-1", "metadata": {"owner": "ci"}}],
    "customers": [{"user_id": "cust-1", "alias": "first", "budget_id": "shared"}],
    "fallbacks": [{"model": "gpt", "fallback_models": ["gpt-mini", "claude"], "context_window_fallback_models": []}],
    "model_aliases": [{"alias": "claude-opus-4[1m]", "model": "gpt", "hidden": True}],
    "jwt_key_mappings": [{"jwt_claim_value": "platform", "jwt_claim_name": "groups", "jwt_issuer": "https://idp.example.com",
                          "description": "platform team", "is_active": True}],
    "search_tools": [{"search_tool_name": "web", "search_provider": "tavily", "api_base": "http://127.0.0.1:9/search",
                      "provider_timeout": 2.5, "max_retries": 3, "search_tool_info": {"description": "web search",
                                                                                      "rate_limit_rpm": 10}}],
    "vector_stores": [{"vector_store_id": "vs-1", "custom_llm_provider": "bedrock", "vector_store_name": "docs",
                       "vector_store_metadata": {"owner_team": "eng"}, "litellm_credential_name": "openai-cred",
                       "litellm_params": {"vector_store_region": "eu-west-1"}}],
    "prompts": [{"prompt_id": "greet", "environment": "production", "dotprompt_content": "Hi {{name}}",
                 "ignore_prompt_manager_model": True, "provider_specific_query_params": {"label": "prod"}}],
    "policies": [{"policy_name": "safe", "description": "pii everywhere", "guardrails_add": ["pii"],
                  "condition": {"model": "gpt.*"}, "attachments": [{"teams": ["eng"], "priority": 1, "default": False}]}],
    "proxy_settings": [{"general_settings": {
        "maximum_spend_logs_retention_period": "30d",
        "alert_to_webhook_url": {"budget_alerts": "os.environ/SLACK_WEBHOOK_URL"}}, "router_settings": {"num_retries": 3}}],
}


def crs(document: dict[str, Any]) -> list[dict[str, Any]]:
    return manifests(document, "gw", "ns")


def test_every_kind_with_a_custom_resource_has_a_table() -> None:
    assert {r.cr_kind for r in CR_KINDS if r.cr_kind} == set(BY_CR_KIND)
    assert all(r.cr_map is not None for r in BY_CR_KIND.values())
    covered = {BY_KIND[r.kind].cr_kind for r in CR_KINDS if r.plural in DOCUMENT}
    assert covered == set(BY_CR_KIND), "the round trip covers every kind"


def test_document_to_custom_resources_and_back_is_the_same_document() -> None:
    rest, declared = proxy_settings.from_document(copy.deepcopy(DOCUMENT))  # as gateway_state reads a document
    parse_document(rest)  # a valid document for gateway_state
    assert declared == {section: DOCUMENT["proxy_settings"][0][section] for section in proxy_settings.SECTIONS}
    rendered = crs(DOCUMENT)
    document, index, problems = table.document_from_crs(rendered)
    assert problems == []
    assert document == DOCUMENT
    assert index[("team", "eng")][0]["kind"] == "LiteLLMTeam" and index[("team", "eng")][0]["name"] == "eng"
    assert {(e["kind"], e["namespace"]) for entries in index.values() for e in entries} == \
        {(m["kind"], "ns") for m in rendered}


def test_the_export_writes_the_crd_fields() -> None:
    by_kind = {m["kind"]: m["spec"] for m in crs(DOCUMENT)}
    assert by_kind["LiteLLMTeam"]["organizationRef"] == {"name": "acme"}
    assert by_kind["LiteLLMTeam"]["maxBudget"] == 5
    assert by_kind["LiteLLMTeam"]["members"] == [{"email": "dev@example.com", "role": "admin"}]
    assert by_kind["LiteLLMTeam"]["modelMaxBudget"] == {"my_model": {"maxBudget": "1.5"}}
    assert by_kind["LiteLLMModel"]["litellmParams"] == {
        "model": "openai/gpt-4o", "rpm": 5, "apiBase": "http://127.0.0.1:9/v1", "credentialRef": {"name": "openai-cred"},
        "rpd": 100, "dailyResetTime": "00:00"}
    assert by_kind["LiteLLMModel"]["modelInfo"] == {"inputCostPerToken": 1.0, "ptuShares": {"east": 2},
                                                    "pricingProvider": "azure"}
    assert by_kind["LiteLLMTeam"]["requireTraceId"] is True
    assert by_kind["LiteLLMTeam"]["teamMemberModelMaxBudget"] == {"my_model": {"maxBudget": "0.5", "budgetDuration": "1d"}}
    # the proxy's settings: one resource, LiteLLM's keys as they are (not camelCased), secrets as references
    assert by_kind["LiteLLMProxySettings"] == {
        "instanceRef": {"name": "gw"}, "routerSettings": {"num_retries": 3},
        "generalSettings": {"maximum_spend_logs_retention_period": "30d",
                            "alert_to_webhook_url": {"budget_alerts": "os.environ/SLACK_WEBHOOK_URL"}}}
    assert by_kind["LiteLLMVirtualKey"]["teamRef"] == {"name": "eng"}
    assert by_kind["LiteLLMAgent"]["objectPermission"] == {"mcpServers": ["srv_one"], "mcpAccessGroups": ["g"]}
    assert by_kind["LiteLLMMCPToolset"]["tools"] == [{"serverId": "s-1", "toolName": "search"}]
    assert by_kind["LiteLLMBudget"]["maxBudget"] == "10.5"
    # an alias is no DNS name: spec.alias holds it, the resource's name is its DNS form
    assert by_kind["LiteLLMModelAlias"] == {"instanceRef": {"name": "gw"}, "alias": "claude-opus-4[1m]", "model": "gpt",
                                            "hidden": True}
    assert [m["metadata"]["name"] for m in crs(DOCUMENT) if m["kind"] == "LiteLLMModelAlias"] == ["claude-opus-4-1m"]


def cr(kind: str, name: str, spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"apiVersion": "litellm.llmops.dev/v1alpha1", "kind": kind, "metadata": {"name": name, "namespace": "ns"},
            "spec": {"instanceRef": {"name": "gw"}, **spec}}
    if status:
        body["status"] = status
    return body


def one(kind: str, spec: dict[str, Any], others: tuple[dict[str, Any], ...] = (), name: str = "x",
        secrets: dict[str, Any] | None = None, status: dict[str, Any] | None = None) -> dict[str, Any]:
    document, _index, problems = table.document_from_crs(
        [cr(kind, name, spec, status)], others, None if secrets is None else {("ns", name): secrets})
    assert problems == []
    (objects,) = list(document.values())
    return objects[0]


def problem(kind: str, spec: dict[str, Any], others: tuple[dict[str, Any], ...] = ()) -> str:
    _document, _index, problems = table.document_from_crs([cr(kind, "x", spec)], others)
    (found,) = problems
    assert (found["kind"], found["namespace"], found["name"]) == (kind, "ns", "x")
    return found["message"]


def test_proxy_settings_one_per_instance_and_spec_paths() -> None:
    """The proxy's settings: the older resource of an instance manages them, a later one is a problem; the engine's
    paths (``general_settings.<key>``) are spec paths with LiteLLM's key as it is; entries of a document merge."""
    settings = {"generalSettings": {"max_ui_session_budget": 2.5}}
    older, later = cr("LiteLLMProxySettings", "a", settings), cr("LiteLLMProxySettings", "b", settings)
    older["metadata"]["creationTimestamp"], later["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
    document, index, problems = table.document_from_crs([later, older])
    assert document == {"proxy_settings": [{"general_settings": {"max_ui_session_budget": 2.5}}]}
    assert [(p["name"], p["message"]) for p in problems] == [("b", "invalid spec: spec.instanceRef: 'proxy' names the "
                                                              "LiteLLM object that LiteLLMProxySettings ns/a (the older) manages")]
    (entry,) = index[("proxy_settings", "proxy")]
    resource = BY_CR_KIND["LiteLLMProxySettings"]
    assert table.spec_path(resource, entry["origins"], "general_settings.max_ui_session_budget") == \
        "spec.generalSettings.max_ui_session_budget"
    drift = [{"path": "spec.generalSettings.max_ui_session_budget", "desired": 2.5, "live": 4}]
    assert table.spec_patch(older["spec"], drift) == ({"generalSettings": {"max_ui_session_budget": 4}}, drift)
    entries = [{"general_settings": {"a": 1}}, {"general_settings": {"b": 2}, "router_settings": {"c": 3}}]
    (merged,) = crs({"proxy_settings": entries})
    assert merged["metadata"]["name"] == "proxy" and merged["spec"] == {
        "instanceRef": {"name": "gw"}, "generalSettings": {"a": 1, "b": 2}, "routerSettings": {"c": 3}}
    assert "not a field" in problem("LiteLLMProxySettings", {"callbacks": ["langfuse"]})


def test_palenaai_monthly_budget() -> None:
    assert one("LiteLLMTeam", {"maxBudgetMonthly": 100}) == {
        "team_alias": "x", "max_budget": 100, "budget_duration": "1mo"}
    assert one("LiteLLMTeam", {"maxBudgetMonthly": "50", "budgetDuration": "30d"})["budget_duration"] == "30d"
    assert problem("LiteLLMTeam", {"maxBudget": 1, "maxBudgetMonthly": 2}) == \
        "invalid spec: spec.maxBudgetMonthly: set either maxBudget or maxBudgetMonthly, not both"


@pytest.mark.parametrize("management, members, purge", [
    ("crd", [{"user_email": "a@example.com", "role": "user"}], True),
    ("mixed", [{"user_email": "a@example.com", "role": "user"}], False),
    ("sso", None, None),
])
def test_member_management(management: str, members: Any, purge: Any) -> None:
    found = one("LiteLLMTeam", {"members": [{"email": "a@example.com"}], "memberManagement": management})
    assert found.get("members") == members and found.get("purge_members") == purge
    org = one("LiteLLMOrganization", {"members": [{"userId": "u1"}]})
    assert org["members"] == [{"user_id": "u1", "role": "internal_user"}] and org["organization_alias"] == "x"
    assert problem("LiteLLMTeam", {"members": [{"email": "a@x.io"}, {"email": "A@x.io"}]}) == \
        "invalid spec: spec.members: an email is listed more than once"


def test_names_default_to_the_resource_name() -> None:
    assert one("LiteLLMTeam", {})["team_alias"] == "x"
    assert one("LiteLLMVirtualKey", {}, name="ci-key")["key_alias"] == "ci-key"
    assert one("LiteLLMMCPServer", {"url": "http://h/mcp"}, name="my-srv")["server_name"] == "my_srv"
    assert one("LiteLLMUser", {"userEmail": "a@example.com"}) == {"user_email": "a@example.com"}
    assert one("LiteLLMUser", {})["user_id"] == "x"
    assert one("LiteLLMTeam", {}, status={"litellmId": "t-9"}) == {"team_alias": "x", "team_id": "t-9"}
    model = one("LiteLLMModel", {"modelName": "m", "litellmParams": {"model": "openai/gpt-4o"}})
    assert model["model_id"] == str(uuid.uuid5(uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "ns/x"))


def test_references_resolve_to_the_referenced_resources_names() -> None:
    team = cr("LiteLLMTeam", "eng", {"teamAlias": "Engineering"}, {"litellmId": "t-1"})
    user = cr("LiteLLMUser", "bob", {"userEmail": "bob@example.com"}, {"litellmId": "u-7"})
    key = one("LiteLLMVirtualKey", {"teamRef": {"name": "eng"}, "userRef": {"name": "bob"}}, (team, user))
    assert key == {"key_alias": "x", "team_alias": "Engineering", "user_id": "u-7"}
    assert one("LiteLLMUser", {"teams": ["t-0"], "teamRefs": [{"name": "eng"}]}, (team,))["teams"] == ["t-0", "t-1"]
    credential = cr("LiteLLMCredential", "openai", {})
    model = one("LiteLLMModel", {"modelName": "m", "litellmParams": {"model": "o/g", "credentialRef": {"name": "openai"}}},
                (credential,))
    assert model["litellm_params"] == {"model": "o/g", "litellm_credential_name": "openai"}
    assert problem("LiteLLMVirtualKey", {"teamRef": {"name": "gone"}}) == \
        "invalid spec: spec.teamRef: LiteLLMTeam ns/gone does not exist"
    # a team without its LiteLLM id yet: named by its alias, which the engine resolves in the run that creates it
    new = cr("LiteLLMTeam", "new", {"teamAlias": "New Team"})
    assert one("LiteLLMUser", {"teamRefs": [{"name": "eng"}, {"name": "new"}]}, (team, new))["teams"] == \
        ["t-1", "New Team"]
    assert problem("LiteLLMUser", {"teamRefs": [{"name": "gone"}]}) == \
        "invalid spec: spec.teamRefs: LiteLLMTeam ns/gone does not exist"
    assert problem("LiteLLMVirtualKey", {"userRef": {"name": "ann"}}, (cr("LiteLLMUser", "ann", {"userEmail": "a@x.io"}),)) \
        == "invalid spec: spec.userRef: LiteLLMUser ns/ann is not Ready"


def test_secrets_only_when_handed_in() -> None:
    spec = {"modelName": "m", "litellmParams": {"model": "o/g", "apiKeySecretRef": {"name": "s", "key": "k"}},
            "secretLitellmParams": {"vertex_credentials": {"name": "s", "key": "v"}}}
    assert "provider_api_key" not in one("LiteLLMModel", spec) and "secret_litellm_params" not in one("LiteLLMModel", spec)
    found = one("LiteLLMModel", spec, secrets={"litellmParams.apiKeySecretRef": "sk-1",
                                               "secretLitellmParams.vertex_credentials": "{}"})
    assert found["provider_api_key"] == "sk-1" and found["secret_litellm_params"] == {"vertex_credentials": "{}"}
    assert found["litellm_params"] == {"model": "o/g"}
    credential = {"apiKeySecretRef": {"name": "s", "key": "k"}, "apiBase": "http://h", "params": {"region": "eu"}}
    assert one("LiteLLMCredential", credential) == {"credential_name": "x"}
    assert one("LiteLLMCredential", credential, secrets={"apiKeySecretRef": "sk-2"})["credential_values"] == {
        "api_key": "sk-2", "api_base": "http://h", "region": "eu"}
    auth = {"type": "basic", "username": "u", "credentialSecretRef": {"name": "s", "key": "p"}}
    agent = {"agentName": "a", "killSwitch": {"url": "http://h", "auth": auth}}
    assert one("LiteLLMAgent", agent, secrets={"killSwitch.auth.credentialSecretRef": "pw"})["kill_switch"] == {
        "url": "http://h", "method": "POST", "auth": {"type": "basic", "username": "u", "password": "pw"}}


def test_secret_references_and_ids_as_the_playbooks_map_them() -> None:
    mapping = {"jwtClaimName": "groups", "jwtClaimValue": "platform", "keySecretRef": {"name": "s", "key": "k"}}
    assert one("LiteLLMJWTKeyMapping", mapping, status={"litellmId": "map-1"}) == {
        "jwt_claim_name": "groups", "jwt_claim_value": "platform", "mapping_id": "map-1"}
    assert one("LiteLLMJWTKeyMapping", mapping, secrets={"keySecretRef": "sk-virtual"})["key"] == "sk-virtual"
    tool = {"searchToolName": "web", "searchProvider": "tavily", "providerApiKeySecretRef": {"name": "s", "key": "k"}}
    assert one("LiteLLMSearchTool", tool, status={"litellmId": "st-1"}) == {
        "search_tool_name": "web", "search_provider": "tavily", "search_tool_id": "st-1"}
    assert one("LiteLLMSearchTool", tool, secrets={"providerApiKeySecretRef": "tvly-1"})["provider_api_key"] == "tvly-1"
    reference = {"searchToolName": "web", "searchProvider": "tavily", "providerApiKey": "os.environ/TAVILY_KEY"}
    assert one("LiteLLMSearchTool", reference)["provider_api_key"] == "os.environ/TAVILY_KEY"
    store = {"vectorStoreId": "vs-1", "customLlmProvider": "pg_vector", "litellmParams": {"api_base": "http://h"},
             "secretLitellmParams": {"connection_string": {"name": "s", "key": "dsn"}}}
    assert one("LiteLLMVectorStore", store, status={"litellmId": "other"}) == {
        "vector_store_id": "vs-1", "custom_llm_provider": "pg_vector", "litellm_params": {"api_base": "http://h"}}
    found = one("LiteLLMVectorStore", store, secrets={"secretLitellmParams.connection_string": "postgres://u:p@h/db"})
    assert found["secret_litellm_params"] == {"connection_string": "postgres://u:p@h/db"}
    assert one("LiteLLMPolicy", {"policyName": "safe"}, status={"litellmId": "safe"}) == {"policy_name": "safe"}
    prompt = {"promptId": "greet", "environment": "staging", "providerApiKeySecretRef": {"name": "s", "key": "k"}}
    assert one("LiteLLMPrompt", prompt, status={"litellmId": "greet::staging"}) == {
        "prompt_id": "greet", "environment": "staging"}
    assert one("LiteLLMPrompt", prompt, secrets={"providerApiKeySecretRef": "lf-1"})["provider_api_key"] == "lf-1"
    assert one("LiteLLMFallback", {"model": "gpt", "fallbackModels": ["b"]}) == {"model": "gpt", "fallback_models": ["b"]}


@pytest.mark.parametrize("kind, spec, message", [
    ("LiteLLMModel", {"litellmParams": {"model": "o/g"}}, "spec.modelName: required"),
    ("LiteLLMModel", {"modelName": "m", "litellmParams": {"model": "o/g", "apiKey": "sk-x"}},
     "spec.litellmParams.apiKey: a provider key is a secret; use apiKeySecretRef or credentialRef"),
    ("LiteLLMVirtualKey", {"autoRotate": True}, "spec.autoRotate: LiteLLM would rotate"),
    ("LiteLLMTeam", {"maxBudget": "lots"}, "spec.maxBudget: 'lots' is not a number"),
    ("LiteLLMTeam", {"colour": "red"}, "spec.colour: not a field of LiteLLMTeam"),
    ("LiteLLMCredential", {"params": {"api_key": "x"}}, "spec.params: cannot set api_key"),
    ("LiteLLMFallback", {"fallbackModels": ["b"]}, "spec.model: required"),
    ("LiteLLMJWTKeyMapping", {"jwtClaimValue": "v"}, "spec.jwtClaimName: required"),
    ("LiteLLMSearchTool", {"searchProvider": "tavily"}, "spec.searchToolName: required"),
    ("LiteLLMVectorStore", {"vectorStoreId": "vs"}, "spec.customLlmProvider: required"),
    ("LiteLLMPolicy", {"description": "d"}, "spec.policyName: required"),
    ("LiteLLMPrompt", {"environment": "staging"}, "spec.promptId: required"),
    ("LiteLLMModelAlias", {"model": "gpt"}, "spec.alias: required"),
    ("LiteLLMModelAlias", {"alias": "smart"}, "spec.model: required"),
    ("LiteLLMModelAlias", {"alias": "smart", "model": "gpt", "value": "gpt"}, "spec.value: not a field of LiteLLMModelAlias"),
])
def test_invalid_specs_name_the_field(kind: str, spec: dict[str, Any], message: str) -> None:
    assert problem(kind, spec).startswith("invalid spec: " + message)


def test_two_resources_naming_one_object_the_later_gets_a_problem() -> None:
    older = cr("LiteLLMTeam", "a", {"teamAlias": "same"})
    older["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    later = cr("LiteLLMTeam", "b", {"teamAlias": "same"})
    later["metadata"]["creationTimestamp"] = "2026-01-02T00:00:00Z"
    document, _index, problems = table.document_from_crs([later, older])
    assert document == {"teams": [{"team_alias": "same"}]}
    assert [(p["name"], p["message"]) for p in problems] == [
        ("b", "invalid spec: spec.teamAlias: 'same' names the LiteLLM object that LiteLLMTeam ns/a (the older) manages")]


def dated(kind: str, name: str, spec: dict[str, Any], day: int) -> dict[str, Any]:
    body = cr(kind, name, spec)
    body["metadata"]["creationTimestamp"] = "2026-01-%02dT00:00:00Z" % day
    return body


def test_each_model_alias_resource_owns_one_alias() -> None:
    """Every alias lives in one map of the router, but each resource is one alias: two resources of one instance
    are two objects, and a later one naming an alias an older one holds gets a problem (the operator's Conflict)."""
    smart = dated("LiteLLMModelAlias", "smart", {"alias": "smart", "model": "gpt", "hidden": True}, 1)
    fast = dated("LiteLLMModelAlias", "fast", {"alias": "fast", "model": "gpt-mini"}, 2)
    again = dated("LiteLLMModelAlias", "smart-too", {"alias": "smart", "model": "claude"}, 3)
    document, index, problems = table.document_from_crs([again, fast, smart])
    assert document == {"model_aliases": [{"alias": "smart", "model": "gpt", "hidden": True},
                                          {"alias": "fast", "model": "gpt-mini"}]}
    assert [e["name"] for e in index[("model_alias", "smart")]] == ["smart"]
    assert [(p["name"], p["message"]) for p in problems] == [("smart-too", "invalid spec: spec.alias: 'smart' names the "
                                                             "LiteLLM object that LiteLLMModelAlias ns/smart (the older) manages")]
    assert cr_claims("LiteLLMModelAlias", smart["spec"]) == [("alias", "smart")]
    assert table.cr_object_names(smart) == ("model_aliases", ["smart"])


def test_jwt_mappings_of_one_claim_and_other_issuers_are_two_objects() -> None:
    """One rule names the object a resource claims, here and in the operator's Conflict (registry.cr_claims): a JWT
    key mapping's natural key is its claim value with its claim name and issuer."""
    base = {"jwtClaimName": "sub", "jwtClaimValue": "svc"}
    first = dated("LiteLLMJWTKeyMapping", "a", dict(base, jwtIssuer="https://idp-a"), 1)
    second = dated("LiteLLMJWTKeyMapping", "b", dict(base, jwtIssuer="https://idp-b"), 2)
    document, _index, problems = table.document_from_crs([second, first])
    assert problems == []
    assert [m["jwt_issuer"] for m in document["jwt_key_mappings"]] == ["https://idp-a", "https://idp-b"]
    assert cr_claims("LiteLLMJWTKeyMapping", first["spec"]) != cr_claims("LiteLLMJWTKeyMapping", second["spec"])
    again = dated("LiteLLMJWTKeyMapping", "c", dict(base, jwtIssuer="https://idp-a"), 3)
    _document, _index, problems = table.document_from_crs([again, second, first])
    assert [(p["name"], p["message"]) for p in problems] == [
        ("c", "invalid spec: spec.jwtClaimValue: \"svc with jwt_claim_name 'sub' with jwt_issuer 'https://idp-a'\" "
              "names the LiteLLM object that LiteLLMJWTKeyMapping ns/a (the older) manages")]
    assert cr_claims("LiteLLMJWTKeyMapping", again["spec"]) == cr_claims("LiteLLMJWTKeyMapping", first["spec"])


def test_a_user_claims_its_id_as_the_operator_does() -> None:
    """Two users of other emails and one userId name one LiteLLM user: the later gets a problem (and a Conflict)."""
    older = dated("LiteLLMUser", "a", {"userEmail": "a@example.com", "userId": "u1"}, 1)
    later = dated("LiteLLMUser", "b", {"userEmail": "b@example.com", "userId": "u1"}, 2)
    _document, _index, problems = table.document_from_crs([later, older])
    assert [(p["name"], p["message"]) for p in problems] == [
        ("b", "invalid spec: spec.userId: 'u1' names the LiteLLM object that LiteLLMUser ns/a (the older) manages")]
    assert set(cr_claims("LiteLLMUser", older["spec"])) & set(cr_claims("LiteLLMUser", later["spec"])) == {
        ("userId", "u1")}


def origins(kind: str, spec: dict[str, Any], others: tuple[dict[str, Any], ...] = ()) -> dict[str, str]:
    _document, index, problems = table.document_from_crs([cr(kind, "x", spec)], others)
    assert problems == []
    ((entry,),) = list(index.values())
    return entry["origins"]


@pytest.mark.parametrize("kind, spec, path, expected", [
    ("LiteLLMTeam", {"maxBudgetMonthly": 5}, "max_budget", "spec.maxBudgetMonthly"),   # the issue's first example
    ("LiteLLMTeam", {"maxBudgetMonthly": 5}, "budget_duration", "spec.maxBudgetMonthly"),
    ("LiteLLMTeam", {"maxBudget": 5}, "max_budget", "spec.maxBudget"),
    ("LiteLLMModel", {"modelName": "m", "litellmParams": {"model": "o/g", "rpm": 7}}, "litellm_params.rpm",
     "spec.litellmParams.rpm"),                                                          # the issue's second example
    ("LiteLLMModel", {"modelName": "m", "litellmParams": {"model": "o/g", "apiBase": "http://h"}},
     "litellm_params.api_base", "spec.litellmParams.apiBase"),
    ("LiteLLMTeam", {"members": [{"email": "a@example.com"}]}, "members[user_email=a@example.com]",
     "spec.members[email=a@example.com]"),
    ("LiteLLMTeam", {"metadata": {"cost_center": "1"}}, "metadata.cost_center", "spec.metadata.cost_center"),
    ("LiteLLMAgent", {"agentName": "a", "objectPermission": {"mcpServers": ["s"]}}, "object_permission.mcp_servers",
     "spec.objectPermission.mcpServers"),
    ("LiteLLMTeam", {}, "team_alias", "spec.teamAlias"),
])
def test_drift_paths_name_the_spec_field_down_to_the_leaf(
        kind: str, spec: dict[str, Any], path: str, expected: str) -> None:
    assert table.spec_path(BY_CR_KIND[kind], origins(kind, spec), path) == expected


def test_a_reference_drift_names_the_reference() -> None:
    team = cr("LiteLLMTeam", "eng", {})
    found = origins("LiteLLMVirtualKey", {"teamRef": {"name": "eng"}}, (team,))
    assert table.spec_path(BY_CR_KIND["LiteLLMVirtualKey"], found, "team_alias") == "spec.teamRef"
    credential = cr("LiteLLMCredential", "c", {})
    found = origins("LiteLLMModel", {"modelName": "m", "litellmParams": {"model": "o/g", "credentialRef": {"name": "c"}}},
                    (credential,))
    assert table.spec_path(BY_CR_KIND["LiteLLMModel"], found, "litellm_params.litellm_credential_name") == \
        "spec.litellmParams.credentialRef"
    # a user's teams, by the id of a Ready team and by the alias of one not created yet: a change of membership
    found = origins("LiteLLMUser", {"teamRefs": [{"name": "eng"}, {"name": "new"}]},
                    (cr("LiteLLMTeam", "eng", {}, {"litellmId": "t-1"}), cr("LiteLLMTeam", "new", {})))
    assert table.spec_path(BY_CR_KIND["LiteLLMUser"], found, "teams") == "spec.teamRefs"


def test_api_wins_writes_back_what_the_spec_holds_as_sent() -> None:
    spec = {"maxBudgetMonthly": "5", "litellmParams": {"rpm": 7}, "teamRef": {"name": "eng"}, "models": ["a"]}
    drift = [{"path": "spec.maxBudgetMonthly", "desired": 5.0, "live": 9.0},
             {"path": "spec.maxBudgetMonthly", "desired": "1mo", "live": "30d"},   # budget_duration: derived
             {"path": "spec.litellmParams.rpm", "desired": 7, "live": 8},
             {"path": "spec.teamRef", "desired": "Engineering", "live": "Other"},   # a reference: not written
             {"path": "spec.models", "desired": ["a"], "live": ["a", "b"]}]
    patch, taken = table.spec_patch(spec, drift)
    assert patch == {"maxBudgetMonthly": "9.0", "litellmParams": {"rpm": 8}, "models": ["a", "b"]}
    assert taken == [drift[0], drift[2], drift[4]]


@pytest.mark.parametrize(("kind", "spec", "status", "absent"), [
    ("LiteLLMTeam", {"teamAlias": "eng", "organizationRef": {"name": "gone"}, "maxBudget": 5}, {"litellmId": "t-1"},
     {"team_alias": "eng", "team_id": "t-1", "state": "absent"}),
    ("LiteLLMTeam", {"maxBudget": "not a number"}, {}, None),  # does not map: the finalizer's own playbook
    ("LiteLLMBudget", {"maxBudget": 1}, {}, {"budget_id": "my-res", "state": "absent"}),
    ("LiteLLMModel", {"modelName": "gpt", "litellmParams": {"model": "openai/x", "credentialRef": {"name": "c"}}}, {},
     {"model_name": "gpt", "model_id": str(uuid.uuid5(uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "ns/my-res")),
      "state": "absent"}),
    ("LiteLLMCredential", {"apiKeySecretRef": {"name": "s", "key": "k"}}, {},
     {"credential_name": "my-res", "state": "absent"}),
    ("LiteLLMUser", {"userEmail": "a@example.com", "teamRefs": [{"name": "t"}]}, {"litellmId": "u-9"},
     {"user_id": "u-9", "user_email": "a@example.com", "state": "absent"}),
    ("LiteLLMJWTKeyMapping", {"jwtClaimName": "groups", "jwtClaimValue": "eng"}, {},
     {"jwt_claim_name": "groups", "jwt_claim_value": "eng", "state": "absent"}),
    ("LiteLLMProxySettings", {}, {}, None),
])
def test_a_deletion_names_only_its_object(kind: str, spec: dict[str, Any], status: dict[str, Any],
                                          absent: dict[str, Any] | None) -> None:
    cr = {"kind": kind, "metadata": {"name": "my-res", "namespace": "ns"}, "spec": dict(spec, instanceRef={"name": "gw"}),
          "status": status}
    assert table.cr_absent(cr) == absent
    if absent is not None:  # a document object gateway_state takes
        resource = BY_CR_KIND[kind]
        assert [p["state"] for _r, _w, p in parse_document({resource.plural: [absent]})] == ["absent"]


def test_the_users_an_organization_s_members_by_email_need() -> None:
    """LiteLLM adds organization members by user_id only: the operator declares the users of members given by email
    (once each, whatever the case), not those a user object declares, nor a team's (LiteLLM adds those by email)."""
    document = {
        "organizations": [
            {"organization_alias": "a", "members": [{"user_email": "Boss@example.com", "role": "org_admin"},
                                                    {"user_email": "dev@example.com", "user_id": "u-dev"}]},
            {"organization_alias": "b", "members": [{"user_email": "boss@example.com"}, {"user_email": "new@example.com"},
                                                    {"user_email": "cr@example.com"}]},
        ],
        "teams": [{"team_alias": "t", "members": [{"user_email": "teammate@example.com"}]}],
        "users": [{"user_id": "u-cr", "user_email": "CR@example.com"}],
    }
    assert table.member_users(document) == [{"user_email": "Boss@example.com"}, {"user_email": "new@example.com"}]
    assert table.member_users({"teams": document["teams"]}) == []
