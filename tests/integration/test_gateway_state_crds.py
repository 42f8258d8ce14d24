"""The custom resources gateway_state_info renders are accepted whole by the operator's CRDs (crds/).

Every CRD of crds/ is registered on the test Kubernetes API (``kube_api``: the emulator over real HTTP, with
openAPIV3Schema validation and pruning of unknown fields, as a real API server does), with the operator CRD
tests' own fixture and check (tests/operator/test_crds.py). A document setting many
options of every kind with a custom resource is rendered with the engine's ``manifests`` (what the module returns
as ``manifests``) and each manifest is created: none is refused, and none loses a field to pruning (which is how a
wrong field name would show).
"""

from __future__ import annotations

import sys
from typing import Any

from kubernetes.client.exceptions import ApiException

from tests.lib.playbook import ensure_collection_link
from tests.operator.test_crds import contains, custom_api

sys.path.insert(0, str(ensure_collection_link()))

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CR_API_VERSION  # noqa: E402
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import document_from_crs  # noqa: E402
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.manifests import manifests  # noqa: E402

__all__ = ["custom_api"]

DOCUMENT: dict[str, list[dict[str, Any]]] = {
    "budgets": [{"budget_id": "free-tier", "max_budget": 1.0, "soft_budget": 0.5, "budget_duration": "1d",
                 "tpm_limit": 1000, "rpm_limit": 10, "tpd_limit": 10000, "max_parallel_requests": 2,
                 "model_max_budget": {"gpt-4o": {"max_budget": 1}}}],
    "credentials": [{"credential_name": "openai-prod", "display_name": "OpenAI",
                     "credential_values": "llmops-secret/CREDENTIAL_OPENAI_PROD_CREDENTIAL_VALUES",
                     "credential_info": {"api_base": "https://api.openai.com/v1"}}],
    "guardrails": [{"guardrail_name": "pii", "provider": "presidio", "mode": ["pre_call"], "default_on": True,
                    "api_base": "http://presidio:3000", "provider_api_key": "llmops-secret/GUARDRAIL_PII_KEY",
                    "litellm_params": {"presidio_language": "en"}, "guardrail_info": {"owner": "sec"}}],
    "mcp_servers": [{"server_name": "docs_mcp", "alias": "docs", "description": "docs", "transport": "http",
                     "url": "https://mcp.example.com/mcp", "auth_type": "bearer_token", "allowed_tools": ["search"],
                     "mcp_access_groups": ["eng"], "extra_headers": ["x-user"], "allow_all_keys": False,
                     "available_on_public_internet": False, "server_timeout": 30.0, "max_concurrent_requests": 4,
                     "rpm": 60, "tool_name_to_display_name": {"search": "Search"},
                     "tool_name_to_description": {"search": "Searches"}, "instructions": "be brief",
                     "credentials": "llmops-secret/MCP_SERVER_DOCS_MCP_CREDENTIALS"}],
    "mcp_toolsets": [{"toolset_name": "docs-search", "description": "search only",
                      "tools": [{"server_id": "docs-id", "tool_name": "search"}]}],
    "search_tools": [{"search_tool_name": "web-search", "search_provider": "tavily", "api_base": "https://api.tavily.com",
                      "provider_timeout": 5.0, "max_retries": 2, "search_tool_info": {"description": "web"},
                      "provider_api_key": "llmops-secret/SEARCH_TOOL_WEB_SEARCH_PROVIDER_API_KEY"}],
    "vector_stores": [{"vector_store_id": "vs_abc123", "custom_llm_provider": "openai", "vector_store_name": "docs",
                       "vector_store_description": "manuals", "vector_store_metadata": {"team": "search"},
                       "litellm_credential_name": "openai-prod", "litellm_params": {"api_base": "https://api.openai.com/v1"}}],
    "prompts": [{"prompt_id": "support-greeting", "environment": "production", "prompt_integration": "dotprompt",
                 "dotprompt_content": "---\nmodel: gpt-4o\n---\nGreet {{name}}.", "api_base": "https://prompts.example.com",
                 "provider_specific_query_params": {"label": "prod"}, "ignore_prompt_manager_model": True,
                 "ignore_prompt_manager_optional_params": False,
                 "provider_api_key": "llmops-secret/PROMPT_SUPPORT_GREETING_PROVIDER_API_KEY"}],
    "agents": [{"agent_name": "researcher", "agent_card_params": {"url": "http://researcher:9999/", "name": "R"},
                "litellm_params": {"model": "a2a/researcher"}, "public": True, "enabled": True,
                "object_permission": {"mcp_access_groups": ["eng"], "mcp_tool_permissions": {"docs-id": ["search"]}},
                "tpm_limit": 10, "rpm_limit": 1, "session_tpm_limit": 5, "session_rpm_limit": 1,
                "extra_headers": ["x-user"], "secret_litellm_params": "llmops-secret/AGENT_RESEARCHER_SECRET",
                "kill_switch": {"url": "https://ops/stop", "auth": {"type": "bearer"}}}],
    "models": [{"model_name": "gpt-4o", "model_id": "gpt-4o-openai",
                "litellm_params": {"model": "openai/gpt-4o", "api_base": "https://api.openai.com/v1", "rpm": 600,
                                   "litellm_credential_name": "openai-prod", "rpd": 10000, "tpd": 1000000,
                                   "daily_reset_time": "00:00"},
                "provider_api_key": "os.environ/OPENAI_API_KEY",
                "model_info": {"team": "eng", "ptu_shares": {"east": 2}, "enforce_supported_endpoints": True,
                               "max_embedding_batch_size": 64, "pricing_provider": "azure"}, "tags": ["paid"],
                "access_groups": ["general"], "blocked": False}],
    "fallbacks": [{"model": "gpt-4o", "fallback_models": ["claude", "llama"],
                   "content_policy_fallback_models": ["llama"]}],
    "model_aliases": [{"alias": "claude-opus-4[1m]", "model": "claude-opus-4", "hidden": True}],
    "jwt_key_mappings": [{"jwt_claim_name": "sub", "jwt_claim_value": "svc-batch",
                          "jwt_issuer": "https://login.example.com",
                          "description": "batch", "is_active": False, "key": "llmops-secret/JWT_KEY_MAPPING_SVC_BATCH_KEY"}],
    "organizations": [{"organization_alias": "acme-corp", "models": ["gpt-4o"], "max_budget": 5000.0,
                       "budget_duration": "30d", "tpm_limit": 100000, "rpm_limit": 1000, "metadata": {"cc": "42"},
                       "members": [{"user_email": "admin@example.com", "role": "org_admin"}]}],
    "teams": [{"team_alias": "acme-engineering", "organization_alias": "acme-corp", "models": ["gpt-4o"],
               "max_budget": 1000.0, "soft_budget": 800.5, "budget_duration": "30d", "tpm_limit": 1000,
               "rpm_limit": 100, "tpd_limit": 100000, "blocked": False, "model_aliases": {"fast": "gpt-4o"},
               "tags": ["paid"], "guardrails": ["pii"], "metadata": {"cost_center": "eng"},
               "model_max_budget": {"gpt-4o": {"max_budget": 10.5, "budget_duration": "1d"}},
               "model_rpm_limit": {"gpt-4o": 10},
               "model_tpm_limit": {"gpt-4o": 100}, "team_member_budget": 10.0, "team_member_budget_duration": "30d",
               "team_member_rpm_limit": 10, "team_member_tpm_limit": 100, "team_member_key_duration": "7d",
               "default_team_member_models": ["gpt-4o"], "require_trace_id": True,
               "team_member_model_max_budget": {"gpt-4o": {"max_budget": 2.5, "budget_duration": "1d"}},
               "members": [{"user_email": "dev@example.com", "role": "user"},
                           {"user_id": "u-42", "user_email": "lead@example.com", "role": "admin"}]}],
    "users": [{"user_id": "u-42", "user_email": "lead@example.com", "user_alias": "Lead",
               "user_role": "internal_user", "models": ["gpt-4o"], "max_budget": 100.0, "budget_duration": "30d",
               "tpm_limit": 1000, "rpm_limit": 10, "max_parallel_requests": 2, "metadata": {"team": "eng"},
               "teams": ["t-1"]}],
    "virtual_keys": [{"key_alias": "eng-ci-key", "team_alias": "acme-engineering", "organization_alias": "acme-corp",
                      "user_id": "u-42", "models": ["gpt-4o"], "max_budget": 100.0, "soft_budget": 80.0,
                      "budget_duration": "30d", "tpm_limit": 1000, "rpm_limit": 10, "tpd_limit": 10000,
                      "max_parallel_requests": 2,
                      "model_max_budget": {"gpt-4o": {"budget_limit": 1.0, "time_period": "30d"}},
                      "model_rpm_limit": {"gpt-4o": 5}, "model_tpm_limit": {"gpt-4o": 50},
                      "rpm_limit_type": "best_effort_throughput", "tpm_limit_type": "guaranteed_throughput",
                      "tags": ["ci"], "guardrails": ["pii"], "enforced_params": ["user"], "metadata": {"ci": True},
                      "aliases": {"fast": "gpt-4o"}, "permissions": {"pii_masking": True},
                      "allowed_routes": ["llm_api_routes"], "allowed_passthrough_routes": ["/vertex"],
                      "denied_passthrough_routes": ["/bedrock"], "blocked": False, "auto_rotate": True,
                      "rotation_interval": "90d"}],
    "customers": [{"user_id": "customer-4711", "alias": "ACME GmbH", "blocked": False, "budget_id": "free-tier",
                   "allowed_model_region": "eu", "default_model": "gpt-4o", "models": ["gpt-4o"]}],
    "policies": [{"policy_name": "global-baseline", "description": "base", "inherit": "root",
                  "guardrails_add": ["pii"], "guardrails_remove": ["toxicity"], "condition": {"model": "gpt-4.*"},
                  "attachments": [{"scope": "*"}, {"teams": ["acme-*"], "priority": 10, "default": True}]}],
    "proxy_settings": [
        {"general_settings": {"maximum_spend_logs_retention_period": "30d", "alerting": ["slack"],
                              "alert_to_webhook_url": {"budget_alerts": "os.environ/SLACK_WEBHOOK_URL"},
                              "max_ui_session_budget": 2.5}},
        {"router_settings": {"num_retries": 3, "routing_strategy": "simple-shuffle"}}],
}


def test_rendered_manifests_are_accepted_whole_by_the_crds(custom_api, kube_namespace):
    rendered = manifests(DOCUMENT, "my-gateway", kube_namespace)
    assert sorted(m["kind"] for m in rendered) == sorted([
        "LiteLLMBudget", "LiteLLMCredential", "LiteLLMGuardrail", "LiteLLMMCPServer", "LiteLLMModel",
        "LiteLLMOrganization", "LiteLLMTeam", "LiteLLMUser", "LiteLLMVirtualKey", "LiteLLMCustomer",
        "LiteLLMMCPToolset", "LiteLLMAgent", "LiteLLMFallback", "LiteLLMModelAlias", "LiteLLMJWTKeyMapping",
        "LiteLLMSearchTool", "LiteLLMVectorStore", "LiteLLMPrompt", "LiteLLMPolicy", "LiteLLMProxySettings"])
    for manifest in rendered:
        assert manifest["apiVersion"] == CR_API_VERSION
        assert not any(str(v).startswith("llmops-secret/") for v in manifest["spec"].values()), manifest
        try:
            stored = custom_api.create_namespaced_custom_object(
                "litellm.llmops.dev", "v1alpha1", kube_namespace, manifest["kind"].lower() + "s", manifest)
        except ApiException as exc:
            raise AssertionError(f"{manifest['kind']} refused: {exc.body}") from None
        assert contains(stored["spec"], manifest["spec"]), (
            f"{manifest['kind']}: fields were pruned\ngiven  {manifest['spec']}\nstored {stored['spec']}")
    # and back: the stored resources are the document again (the engine's one table, both ways)
    stored = custom_api.list_namespaced_custom_object("litellm.llmops.dev", "v1alpha1", kube_namespace,
                                                      "litellmproxysettingss")["items"]
    document, _index, problems = document_from_crs([dict(s, kind="LiteLLMProxySettings") for s in stored])
    assert problems == [] and document == {"proxy_settings": [{
        "general_settings": DOCUMENT["proxy_settings"][0]["general_settings"],
        "router_settings": DOCUMENT["proxy_settings"][1]["router_settings"]}]}
