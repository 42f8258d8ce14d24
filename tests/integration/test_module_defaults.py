"""ONE playbook drives every module of the collection with its connection from module_defaults alone.

The play sets ``module_defaults: {group/llmops.litellm.litellm: {api_url, api_key}}`` and nothing else: no task
names a connection option and the LITELLM_* environment variables are emptied. Every module in meta/runtime.yml's
action group runs once: each entity module creates one object, its _info module reads it back, and at the end the
objects are deleted in reverse order (in an ``always:`` section, so a failure leaves nothing behind).

A module without a row in ROWS fails the test: add one when you add a module.

The play runs against ``litellm_proxy_premium``, the twin proxy with LiteLLM's Enterprise licence check switched on
(TEST ONLY, see tests/lib/premium/sitecustomize.py), because the organization modules need the licence.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path
from typing import Any

import yaml

from tests.lib.playbook import REPO, run_tasks

GROUP = "group/llmops.litellm.litellm"


@dataclasses.dataclass
class Row:
    """One module: ``present`` creates its object and ``absent`` deletes it (entity modules); ``info`` reads the
    object back and ``found`` names the list it comes in (info modules). Strings may hold ``{name}`` (this run's
    unique prefix) and ``{tmp}`` (a temporary directory)."""

    module: str
    present: dict[str, Any] | None = None
    absent: dict[str, Any] | None = None
    info: dict[str, Any] | None = None
    found: str | None = None
    size: int = 1  # how many entries ``found`` has


# In dependency order: a row may use the objects of the rows above it.
ROWS = [
    Row("credential", present={"credential_name": "{name}-cred", "credential_values": {"api_key": "sk-not-used"}},
        absent={"credential_name": "{name}-cred", "state": "absent"}),
    Row("credential_info", info={"credential_name": "{name}-cred"}, found="credentials"),
    Row("model", present={"model_name": "{name}-model", "litellm_params": {
        "model": "openai/gpt-4o", "mock_response": "hello", "litellm_credential_name": "{name}-cred"}},
        absent={"model_name": "{name}-model", "state": "absent"}),
    Row("model_info", info={"model_name": "{name}-model"}, found="models"),
    Row("fallback", present={"model": "{name}-model", "fallback_models": ["mock-gpt"]},
        absent={"model": "{name}-model", "state": "absent"}),
    Row("fallback_info", info={"model": "{name}-model"}, found="fallbacks"),
    Row("team", present={"team_alias": "{name}-team", "models": ["{name}-model"]},
        absent={"team_alias": "{name}-team", "state": "absent"}),
    Row("team_info", info={"team_alias": "{name}-team"}, found="teams"),
    Row("virtual_key", present={"key_alias": "{name}-key", "team_alias": "{name}-team", "key_file": "{tmp}/key"},
        absent={"key_alias": "{name}-key", "key_file": "{tmp}/key", "state": "absent"}),
    Row("virtual_key_info", info={"key_alias": "{name}-key"}, found="virtual_keys"),
    Row("jwt_key_mapping", present={"jwt_claim_name": "sub", "jwt_claim_value": "{name}-sub",
                                    "key": "{{ lookup('file', '{tmp}/key') }}", "update_secrets": "on_create"},
        absent={"jwt_claim_name": "sub", "jwt_claim_value": "{name}-sub", "state": "absent"}),
    Row("jwt_key_mapping_info", info={"jwt_claim_value": "{name}-sub"}, found="jwt_key_mappings"),
    Row("budget", present={"budget_id": "{name}-budget", "max_budget": 1},
        absent={"budget_id": "{name}-budget", "state": "absent"}),
    Row("budget_info", info={"budget_id": "{name}-budget"}, found="budgets"),
    Row("customer", present={"user_id": "{name}-customer", "budget_id": "{name}-budget"},
        absent={"user_id": "{name}-customer", "state": "absent"}),
    Row("customer_info", info={"user_id": "{name}-customer"}, found="customers"),
    Row("user", present={"user_id": "{name}-user", "user_email": "{name}-user@example.com"},
        absent={"user_id": "{name}-user", "state": "absent"}),
    Row("user_info", info={"user_id": "{name}-user"}, found="users"),
    Row("organization", present={"organization_alias": "{name}-org",
                                 "members": [{"user_id": "{name}-user", "role": "org_admin"}]},
        absent={"organization_alias": "{name}-org", "state": "absent"}),
    Row("organization_info", info={"organization_alias": "{name}-org"}, found="organizations"),
    Row("organization_member", present={"organization_alias": "{name}-org", "user_id": "{name}-user",
                                        "role": "internal_user"},
        absent={"organization_alias": "{name}-org", "user_id": "{name}-user", "state": "absent"}),
    Row("organization_member_info", info={"organization_alias": "{name}-org", "user_id": "{name}-user"},
        found="organization_members"),
    Row("team_member", present={"team_alias": "{name}-team", "user_id": "{name}-user"},
        absent={"team_alias": "{name}-team", "user_id": "{name}-user", "state": "absent"}),
    Row("team_member_info", info={"team_alias": "{name}-team", "user_id": "{name}-user"}, found="team_members"),
    Row("guardrail", present={"guardrail_name": "{name}-guard", "provider": "generic_guardrail_api",
                              "mode": ["pre_call"], "api_base": "http://127.0.0.1:9"},
        absent={"guardrail_name": "{name}-guard", "state": "absent"}),
    Row("guardrail_info", info={"guardrail_name": "{name}-guard"}, found="guardrails"),
    Row("tag", present={"name": "{name}-tag", "models": ["{name}-model"]}, absent={"name": "{name}-tag", "state": "absent"}),
    Row("tag_info", info={"name": "{name}-tag"}, found="tags"),
    # MCP server names cannot hold '-': the task templates it away
    Row("mcp_server", present={"server_name": "{{ '{name}_mcp' | replace('-', '_') }}", "url": "http://127.0.0.1:9/mcp"},
        absent={"server_name": "{{ '{name}_mcp' | replace('-', '_') }}", "state": "absent"}),
    Row("mcp_server_info", info={"server_name": "{{ '{name}_mcp' | replace('-', '_') }}"}, found="mcp_servers"),
    Row("access_group", present={"access_group_name": "{name}-group", "access_model_names": ["{name}-model"]},
        absent={"access_group_name": "{name}-group", "state": "absent"}),
    Row("access_group_info", info={"access_group_name": "{name}-group"}, found="access_groups"),
    Row("mcp_toolset", present={"toolset_name": "{name}-toolset", "tools": [{"server_id": "{name}-srv", "tool_name": "a"}]},
        absent={"toolset_name": "{name}-toolset", "state": "absent"}),
    Row("mcp_toolset_info", info={"toolset_name": "{name}-toolset"}, found="mcp_toolsets"),
    Row("agent", present={"agent_name": "{name}-agent", "agent_card_params": {"url": "http://127.0.0.1:9/"}},
        absent={"agent_name": "{name}-agent", "state": "absent"}),
    Row("agent_info", info={"agent_name": "{name}-agent"}, found="agents"),
    Row("search_tool", present={"search_tool_name": "{name}-search", "search_provider": "tavily"},
        absent={"search_tool_name": "{name}-search", "state": "absent"}),
    Row("search_tool_info", info={"search_tool_name": "{name}-search"}, found="search_tools"),
    Row("vector_store", present={"vector_store_id": "{name}-vs", "custom_llm_provider": "openai"},
        absent={"vector_store_id": "{name}-vs", "state": "absent"}),
    Row("vector_store_info", info={"vector_store_id": "{name}-vs"}, found="vector_stores"),
    Row("prompt", present={"prompt_id": "{name}-prompt", "dotprompt_content": "Hello"},
        absent={"prompt_id": "{name}-prompt", "state": "absent"}),
    Row("prompt_info", info={"prompt_id": "{name}-prompt"}, found="prompts"),
    Row("model_alias", present={"alias": "{name}-alias", "model": "{name}-model"},
        absent={"alias": "{name}-alias", "state": "absent"}),
    Row("model_alias_info", info={"alias": "{name}-alias"}, found="model_aliases"),
    # the session's OpenAI-compatible upstream lists its models; the discovery declares its echo model
    Row("model_discovery", present={"name": "{name}-disc", "api_base": "{upstream}", "prefix": "{name}-disc",
                                    "include": ["upstream-echo$"]},
        absent={"name": "{name}-disc", "api_base": "{upstream}", "prefix": "{name}-disc", "state": "absent"}),
    Row("model_discovery_info", info={"name": "{name}-disc", "api_base": "{upstream}", "prefix": "{name}-disc",
                                      "include": ["upstream-echo$"]}, found="discovered"),
    Row("policy", present={"policy_name": "{name}-policy", "attachments": [{"models": ["{name}-model"]}]},
        absent={"policy_name": "{name}-policy", "state": "absent"}),
    Row("policy_info", info={"policy_name": "{name}-policy"}, found="policies"),
    # the proxy's one set of settings: a harmless key, removed again
    Row("proxy_settings", present={"general_settings": {"allow_cli_sso_verification_uri_complete": True}},
        absent={"general_settings": {"allow_cli_sso_verification_uri_complete": None}, "state": "absent"}),
    Row("proxy_settings_info", info={}, found="proxy_settings", size=3),
    # the document's one kind, read back with only this run's prefix in scope
    Row("gateway_state", present={"document": {"tags": [{"name": "{name}-gs-tag", "models": ["{name}-model"]}]}},
        absent={"document": {"tags": [{"name": "{name}-gs-tag", "state": "absent"}]}}),
    Row("gateway_state_info", info={"kinds": ["tags"], "name_prefix": "{name}-gs"}, found="document"),
]


def fill(value: Any, **names: str) -> Any:
    """``value`` with ``{name}`` and ``{tmp}`` replaced in every string."""
    text = json.dumps(value)
    for placeholder, filled in names.items():
        text = text.replace("{%s}" % placeholder, filled)
    return json.loads(text)


def group_modules() -> list[str]:
    return yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())["action_groups"]["litellm"]


def test_every_module_has_a_row():
    modules = set(group_modules()) | {p.stem for p in (REPO / "plugins" / "modules").glob("*.py")} - {"__init__"}
    missing = sorted(modules - {row.module for row in ROWS})
    assert not missing, f"add a row to ROWS in {Path(__file__).name} for: {', '.join(missing)}"


def test_every_module_through_module_defaults_only(litellm_proxy_premium, tmp_path):
    litellm_proxy = litellm_proxy_premium
    names = {"name": f"it-defaults-{uuid.uuid4().hex[:8]}", "tmp": str(tmp_path), "upstream": litellm_proxy.upstream.url}
    rows = [row for row in ROWS if row.module in group_modules()]
    creates = [{"name": f"create {r.module}", f"llmops.litellm.{r.module}": fill(r.present, **names)} if r.present
               else {"name": f"read {r.module}", f"llmops.litellm.{r.module}": fill(r.info, **names)} for r in rows]
    deletes = [{"name": f"delete {r.module}", f"llmops.litellm.{r.module}": fill(r.absent, **names)}
               for r in reversed(rows) if r.absent]
    for task in creates + deletes:
        (options,) = [v for k, v in task.items() if k != "name"]
        assert not {"api_url", "api_key"} & set(options), "connection options come from module_defaults only"
    result = run_tasks([{"name": "every module", "block": creates, "always": deletes}],
                       module_defaults={GROUP: {"api_url": litellm_proxy.url, "api_key": litellm_proxy.master_key}},
                       env={"LITELLM_PROXY_URL": "", "LITELLM_PROXY_API_KEY": "", "LITELLM_MASTER_KEY": ""},
                       inprocess=False)  # about ansible-playbook's module_defaults groups: never in process
    assert result.rc == 0, result.stdout[-3000:]
    for row in rows:
        if row.present:
            assert result.task(f"create {row.module}")["changed"] is True, row.module
        else:
            assert len(result.task(f"read {row.module}")[row.found]) == row.size, row.module
        if row.absent:
            assert result.task(f"delete {row.module}")["changed"] is True, row.module
