"""llmops.litellm.gateway_state and gateway_state_info against the real LiteLLM proxy, through ansible-playbook.

The modules talk to LiteLLM through tests/lib/recording_proxy.py, a pass-through HTTP proxy that counts the
requests that reach LiteLLM; ``uri`` tasks that GET its ``/__mark__/<step>`` split one playbook run into steps, so
each step's requests (and writes) are counted at the proxy. Every object gets a unique prefix; each test removes
its objects with the engine's own prune at the end (and again through the API if the test failed before).

Documents that include organizations (a LiteLLM Enterprise feature) run against ``litellm_proxy_premium``, the
twin proxy on the same database with LiteLLM's Enterprise licence check switched on (TEST ONLY, see
tests/lib/premium/sitecustomize.py).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.lib.playbook import REPO, PlaybookResult, run_playbook, run_tasks
from tests.lib.recording_proxy import WRITE_METHODS, RecordingProxy, recording

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there
SECRET = "sk-upstream-provider-secret-4711"
KINDS = ("budgets", "credentials", "guardrails", "tags", "mcp_servers", "mcp_toolsets", "search_tools", "vector_stores",
         "prompts", "models", "fallbacks", "agents", "organizations", "teams", "users", "virtual_keys", "jwt_key_mappings",
         "customers", "access_groups", "policies")


@pytest.fixture
def prefix() -> str:
    return f"it_gs_{uuid.uuid4().hex[:8]}_"  # MCP server names may not hold '-'


@pytest.fixture
def premium_recorder(litellm_proxy_premium) -> Iterator[RecordingProxy]:
    yield from recording(litellm_proxy_premium)


class Play:
    """Tasks of one playbook: gateway_state / gateway_state_info steps through the recorder, with marks between."""

    def __init__(self, recorder: RecordingProxy, key: str, key_dir: Path) -> None:
        self.recorder, self.key, self.key_dir = recorder, key, key_dir
        self.tasks: list[dict[str, Any]] = []
        self.result: PlaybookResult | None = None

    def mark(self, name: str) -> None:
        self.tasks.append({"name": f"mark {name}", "ansible.builtin.uri": {"url": self.recorder.mark_url(name)}})

    def state(self, name: str, document: Any, check: bool = False, **options: Any) -> None:
        self.mark(name)
        task = {"name": name, "llmops.litellm.gateway_state": dict(document=document, key_dir=str(self.key_dir),
                                                                   **options),
                "ignore_errors": True, "diff": True}
        if check:
            task["check_mode"] = True
        self.tasks.append(task)

    def info(self, name: str, **options: Any) -> None:
        self.mark(name)
        self.tasks.append({"name": name, "llmops.litellm.gateway_state_info": options})

    def run(self) -> PlaybookResult:
        self.mark("end")
        defaults = {"group/llmops.litellm.litellm": {"api_url": self.recorder.url, "api_key": self.key}}
        self.result = run_tasks(self.tasks, module_defaults=defaults)
        return self.result

    def __getitem__(self, name: str) -> dict[str, Any]:
        assert self.result is not None
        try:
            return self.result.task(name)
        except KeyError:
            failed = [(t["task"]["name"], t["hosts"]["localhost"].get("msg")) for play in self.result.plays
                      for t in play["tasks"] if t["hosts"].get("localhost", {}).get("failed")]
            raise AssertionError(f"step {name!r} did not run; failed steps: {failed}") from None

    def requests(self, name: str) -> list[tuple[str, str]]:
        """The requests that reached LiteLLM during step ``name``."""
        names = [t["name"][5:] for t in self.tasks if t["name"].startswith("mark ")]
        return self.recorder.between(name, names[names.index(name) + 1])

    def writes(self, name: str) -> list[tuple[str, str]]:
        return [r for r in self.requests(name) if r[0] in WRITE_METHODS]


def prune_everything(recorder: RecordingProxy, key: str, prefix: str, key_dir: Path,
                     kinds: tuple[str, ...] = KINDS) -> None:
    """Delete every object with the prefix, with the engine's own prune (the cleanup is a test of prune too); the
    key files in ``key_dir`` go with their keys."""
    play = Play(recorder, key, key_dir)
    play.state("cleanup", dict((k, []) for k in kinds), scope={"name_prefix": prefix}, unmanaged="prune")
    play.run()
    assert not play["cleanup"].get("failed"), play["cleanup"].get("msg")


def by_name(entries: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return dict(((e["kind"], e["name"]), e) for e in entries)


def every_kind(p: str, jwt_key: str = "") -> dict[str, list[dict[str, Any]]]:
    """Every kind's object; ``jwt_key``: the value of a key made beforehand (outside the scope), which the JWT key
    mapping maps to (the document's own key gets its value only when it is created)."""
    return {
        "budgets": [{"budget_id": p + "budget", "max_budget": 5}],
        "credentials": [{"credential_name": p + "cred", "credential_values": {"api_key": SECRET},
                         "credential_info": {"owner": "it"}}],
        "guardrails": [{"guardrail_name": p + "guard", "provider": "generic_guardrail_api", "mode": ["pre_call"],
                        "api_base": NOWHERE + "/guard"}],
        "tags": [{"name": p + "tag", "description": "a tag"}],
        "mcp_servers": [{"server_name": p + "mcp", "url": NOWHERE + "/mcp", "transport": "http",
                         "description": "an MCP server"}],
        "mcp_toolsets": [{"toolset_name": p + "toolset", "description": "a toolset",
                          "tools": [{"server_id": p + "srv", "tool_name": "search"}]}],
        "search_tools": [{"search_tool_name": p + "search", "search_provider": "tavily", "provider_api_key": SECRET,
                          "update_secrets": "on_create", "api_base": NOWHERE, "provider_timeout": 5.0}],
        "vector_stores": [{"vector_store_id": p + "vs", "custom_llm_provider": "openai", "vector_store_name": "docs",
                           "litellm_params": {"api_base": NOWHERE}, "secret_litellm_params": {"api_key": SECRET},
                           "litellm_credential_name": p + "cred"}],
        "prompts": [{"prompt_id": p + "prompt", "environment": "staging", "dotprompt_content": "Hello",
                     "ignore_prompt_manager_model": True}],
        "agents": [{"agent_name": p + "agent", "agent_card_params": {"description": "an agent", "url": NOWHERE + "/"},
                    "litellm_params": {"model": "a2a/" + p}, "secret_litellm_params": {"api_key": SECRET},
                    "update_secrets": "on_create", "public": True, "rpm_limit": 5,
                    "kill_switch": {"url": NOWHERE + "/stop"}}],
        "models": [{"model_name": p + "model", "litellm_params": {
            "model": "openai/gpt-4o", "mock_response": "hi", "litellm_credential_name": p + "cred", "rpm": 10}}],
        "fallbacks": [{"model": p + "model", "fallback_models": ["mock-gpt"]}],
        "jwt_key_mappings": [{"jwt_claim_name": "sub", "jwt_claim_value": p + "sub", "key": jwt_key,
                              "update_secrets": "on_create", "description": "a mapping"}],
        "organizations": [{"organization_alias": p + "org", "max_budget": 100}],
        "teams": [{"team_alias": p + "team", "organization_alias": p + "org", "max_budget": 50,
                   "members": [{"user_email": p + "member@example.com", "role": "admin"}]}],
        "users": [{"user_email": p + "user@example.com", "max_budget": 3, "metadata": {"dept": "x"}}],
        "virtual_keys": [{"key_alias": p + "key", "team_alias": p + "team", "max_budget": 2}],
        "customers": [{"user_id": p + "cust", "budget_id": p + "budget"}],
        "access_groups": [{"access_group_name": p + "ag", "description": "a group",
                           "access_model_names": [p + "model"]}],
        # attached to the team by alias: LiteLLM refuses an attachment to a team that does not exist yet
        "policies": [{"policy_name": p + "policy", "description": "a policy", "guardrails_add": [p + "guard"],
                      "attachments": [{"teams": [p + "team"]}]}],
    }


def test_every_kind_applied_reapplied_drifted_fixed_and_exported(litellm_proxy_premium, premium_recorder, prefix,
                                                                 tmp_path):
    """A document of every kind (organizations: premium twin): check mode writes nothing; apply creates all;
    re-apply makes no write at all; changes made through the API behind the engine's back are each reported with
    path, desired and live, and fixed by apply; the export, applied back, changes nothing; no secret in any output."""
    proxy, key_dir = litellm_proxy_premium, tmp_path / "keys"
    key_dir.mkdir()
    jwt_key = proxy.api("POST", "/key/generate", json={"key_alias": "jwt-" + prefix}).json()["key"]
    document, scope = every_kind(prefix, jwt_key), {"name_prefix": prefix}
    try:
        first = Play(premium_recorder, proxy.master_key, key_dir)
        first.state("check", document, check=True, scope=scope)
        first.state("apply", document, scope=scope)
        first.state("reapply", document, scope=scope)
        first.run()

        check = first["check"]
        assert check["changed"] is True and not check.get("failed"), check.get("msg")
        assert {(c["kind"], c["action"]) for c in check["changes"]} == {
            (kind, "create") for kind in ("budget", "credential", "guardrail", "tag", "mcp_server", "mcp_toolset",
                                          "search_tool", "vector_store", "prompt", "model", "fallback", "agent", "organization",
                                          "team", "user", "virtual_key", "jwt_key_mapping", "customer", "access_group",
                                          "policy")}
        assert first.writes("check") == [], "check mode wrote to LiteLLM"
        apply = first["apply"]
        assert apply["changed"] is True and not apply.get("failed"), apply.get("msg")
        assert {o["status"] for o in apply["objects"] if o["name"].startswith(prefix) and o["action"] == "create"} \
            == {"created"}
        assert len([o for o in apply["objects"] if o["action"] == "create"]) == 20
        reapply = first["reapply"]
        assert reapply["changed"] is False and reapply["changes"] == [], reapply["changes"]
        assert first.writes("reapply") == [], "a no-op run sent writes"
        reads = first.requests("reapply")
        assert len(reads) <= 2 * len(KINDS), reads  # a few list calls per kind, never one GET per object
        key_value = (key_dir / (prefix + "key")).read_text().strip()
        assert (key_dir / (prefix + "key")).stat().st_mode & 0o777 == 0o600

        # behind the engine's back
        team = proxy.api("GET", "/v2/team/list", params={"team_alias": prefix + "team"}).json()["teams"][0]
        model = proxy.api("GET", "/v2/model/info", params={"model": prefix + "model"}).json()["data"][0]
        token = proxy.api("GET", "/key/list", params={"key_alias": prefix + "key"}).json()["keys"][0]
        user = proxy.api("GET", "/user/list", params={"user_email": prefix + "user@example.com"}).json()["users"][0]
        agent = next(a for a in proxy.api("GET", "/v1/agents").json() if a["agent_name"] == prefix + "agent")
        toolset = next(t for t in proxy.api("GET", "/v1/mcp/toolset").json() if t["toolset_name"] == prefix + "toolset")
        mapping = next(m for m in proxy.api("GET", "/jwt/key/mapping/list", params={"size": 100}).json()["mappings"]
                       if m["jwt_claim_value"] == prefix + "sub")
        search = next(t for t in proxy.api("GET", "/search_tools/list").json()["search_tools"]
                      if t["search_tool_name"] == prefix + "search")
        attachment = next(a for a in proxy.api("GET", "/policies/attachments/list").json()["attachments"]
                          if a["policy_name"] == prefix + "policy")
        for method, path, body in (
                ("POST", "/team/update", {"team_id": team["team_id"], "max_budget": 77}),
                ("PATCH", f"/model/{model['model_info']['id']}/update", {"litellm_params": {"rpm": 99}}),
                ("POST", "/key/update", {"key": token, "max_budget": 9}),
                ("POST", "/user/update", {"user_id": user["user_id"], "metadata": {"dept": "y"}}),
                ("POST", "/team/member_update", {"team_id": team["team_id"], "role": "user",
                                                 "user_email": prefix + "member@example.com"}),
                ("PATCH", f"/v1/agents/{agent['agent_id']}", {"rpm_limit": 7}),
                ("POST", "/v1/agents/make_public", {"agent_ids": []}),
                ("PUT", "/v1/mcp/toolset", {"toolset_id": toolset["toolset_id"], "description": "changed"}),
                ("POST", "/fallback", {"model": prefix + "model", "fallback_models": ["mock-gpt", "upstream-echo"]}),
                ("POST", "/jwt/key/mapping/update", {"id": mapping["id"], "is_active": False,
                                                     "description": "changed"}),
                ("PUT", f"/search_tools/{search['search_tool_id']}", {"search_tool": {
                    "search_tool_name": prefix + "search", "litellm_params": {
                        "search_provider": "tavily", "api_key": SECRET, "api_base": NOWHERE, "timeout": 9}}}),
                ("POST", "/vector_store/update", {"vector_store_id": prefix + "vs", "vector_store_name": "changed"}),
                # the prompt's next version in its environment, its template changed
                ("PUT", f"/prompts/{prefix}prompt", {"prompt_id": prefix + "prompt", "litellm_params": {
                    "prompt_id": prefix + "prompt", "prompt_integration": "dotprompt", "dotprompt_content": "changed",
                    "ignore_prompt_manager_model": True}, "prompt_info": {"prompt_type": "db", "environment": "staging"}}),
                ("DELETE", f"/policies/attachments/{attachment['attachment_id']}", None)):
            answer = proxy.api(method, path, json=body)
            assert answer.status_code == 200, answer.text

        second = Play(premium_recorder, proxy.master_key, key_dir)
        second.state("drift", document, check=True, scope=scope)
        second.state("fix", document, scope=scope)
        second.state("fixed", document, check=True, scope=scope)
        second.info("export", name_prefix=prefix, instance_ref="gw")
        second.tasks[-1]["register"] = "exported"
        second.state("export applied (check)", "{{ exported.document }}", check=True, scope=scope)
        second.state("export applied", "{{ exported.document }}", scope=scope)
        second.run()

        drift = by_name(second["drift"]["changes"])
        assert second.writes("drift") == []
        expected = {
            ("team", prefix + "team"): [{"path": "max_budget", "desired": 50.0, "live": 77.0},
                                        {"path": f"members[user_email={prefix}member@example.com]",
                                         "desired": "admin", "live": "user"}],
            ("model", prefix + "model"): [{"path": "litellm_params.rpm", "desired": 10, "live": 99}],
            ("virtual_key", prefix + "key"): [{"path": "max_budget", "desired": 2.0, "live": 9.0}],
            ("user", prefix + "user@example.com"): [{"path": "metadata.dept", "desired": "x", "live": "y"}],
            ("agent", prefix + "agent"): [{"path": "public", "desired": True, "live": False},
                                          {"path": "rpm_limit", "desired": 5, "live": 7}],
            ("mcp_toolset", prefix + "toolset"): [{"path": "description", "desired": "a toolset", "live": "changed"}],
            ("fallback", prefix + "model"): [{"path": "fallback_models", "desired": ["mock-gpt"],
                                              "live": ["mock-gpt", "upstream-echo"]}],
            # is_active is not declared: changed behind the back, it is no drift (and the export keeps it)
            ("jwt_key_mapping", prefix + "sub"): [{"path": "description", "desired": "a mapping", "live": "changed"}],
            ("search_tool", prefix + "search"): [{"path": "provider_timeout", "desired": 5.0, "live": 9.0}],
            ("vector_store", prefix + "vs"): [{"path": "vector_store_name", "desired": "docs", "live": "changed"}],
            ("prompt", prefix + "prompt"): [{"path": "dotprompt_content", "desired": "Hello", "live": "changed"}],
            ("policy", prefix + "policy"): [{"path": "attachments", "desired": [{"teams": [prefix + "team"]}],
                                             "live": None}],
        }
        assert set(drift) == set(expected), drift
        for name, changes in expected.items():
            assert drift[name]["action"] == "update"
            assert drift[name]["changes"] == changes, name
        assert second["fix"]["changed"] is True and not second["fix"].get("failed"), second["fix"].get("msg")
        assert {o["status"] for o in second["fix"]["changes"]} == {"updated"}
        assert second["fixed"]["changed"] is False and second["fixed"]["changes"] == []

        exported = second["export"]["document"]
        assert {k for k, v in exported.items() if v} == set(KINDS)
        assert exported["credentials"][0]["credential_values"].startswith("llmops-secret/")
        assert exported["virtual_keys"][0]["team_alias"] == prefix + "team"
        assert exported["teams"][0]["organization_alias"] == prefix + "org"
        assert exported["agents"][0]["secret_litellm_params"].startswith("llmops-secret/")
        assert "security" not in exported["agents"][0]["agent_card_params"]
        assert exported["mcp_toolsets"][0]["tools"] == [{"server_id": prefix + "srv", "tool_name": "search"}]
        assert exported["fallbacks"] == [{"model": prefix + "model", "fallback_models": ["mock-gpt"]}]
        (exported_mapping,) = exported["jwt_key_mappings"]
        assert exported_mapping["key"].startswith("llmops-secret/") and exported_mapping["is_active"] is False
        assert exported["search_tools"][0]["provider_api_key"].startswith("llmops-secret/")
        assert exported["vector_stores"][0]["litellm_params"]["api_base"] == NOWHERE
        assert "secret_litellm_params" not in exported["vector_stores"][0]
        (exported_prompt,) = exported["prompts"]
        assert {k: exported_prompt.get(k) for k in ("prompt_id", "environment", "dotprompt_content", "prompt_ref")} == {
            "prompt_id": prefix + "prompt", "environment": "staging", "dotprompt_content": "Hello", "prompt_ref": None}
        assert exported["policies"] == [{"policy_name": prefix + "policy", "description": "a policy",
                                         "guardrails_add": [prefix + "guard"], "attachments": [{"teams": [prefix + "team"]}]}]
        assert second["export applied (check)"]["changed"] is False, second["export applied (check)"]["changes"]
        assert second["export applied"]["changed"] is False
        assert second.writes("export applied") == []
        kinds = {m["kind"] for m in second["export"]["manifests"]}
        assert {"LiteLLMModel", "LiteLLMTeam", "LiteLLMUser", "LiteLLMOrganization", "LiteLLMCustomer",
                "LiteLLMCredential", "LiteLLMGuardrail", "LiteLLMVirtualKey", "LiteLLMBudget",
                "LiteLLMMCPServer", "LiteLLMMCPToolset", "LiteLLMAgent", "LiteLLMSearchTool", "LiteLLMVectorStore",
                "LiteLLMPrompt", "LiteLLMPolicy"} <= kinds
        team_cr = next(m for m in second["export"]["manifests"] if m["kind"] == "LiteLLMTeam")
        assert team_cr["apiVersion"] == "litellm.llmops.dev/v1alpha1"
        assert team_cr["spec"]["instanceRef"] == {"name": "gw"}
        assert team_cr["spec"]["organizationRef"] == {"name": (prefix + "org").replace("_", "-")}
        assert team_cr["spec"]["teamAlias"] == prefix + "team"

        for output in (first.result.stdout, second.result.stdout, first.result.stderr, second.result.stderr):
            assert SECRET not in output and key_value not in output and proxy.master_key not in output
            assert jwt_key not in output
    finally:
        prune_everything(premium_recorder, proxy.master_key, prefix, key_dir)
        proxy.api("POST", "/key/delete", json={"key_aliases": ["jwt-" + prefix]})
    left = proxy.api("GET", "/v2/team/list", params={"team_alias": prefix + "team"}).json()["teams"]
    assert left == [], "the prune left the team"
    assert not (key_dir / (prefix + "key")).exists(), "deleting the key left its key file"


def test_unmanaged_objects_follow_the_policy_and_only_owned_ones_are_pruned(litellm_proxy, recorder, prefix, tmp_path):
    """preserve reports, adopt exports, prune deletes only what the scope owns (prefix and owner marker)."""
    proxy = litellm_proxy
    stray = proxy.api("POST", "/team/new", json={"team_alias": prefix + "stray", "max_budget": 1}).json()
    assert "team_id" in stray, stray
    outside = proxy.api("POST", "/team/new", json={"team_alias": "other-" + prefix, "max_budget": 1}).json()
    mine = {"teams": [{"team_alias": prefix + "mine", "max_budget": 2}]}
    owned = {"name_prefix": prefix, "owner": "it-owner"}
    try:
        play = Play(recorder, proxy.master_key, tmp_path)
        play.state("create with owner", mine, scope=owned)
        play.state("preserve", mine, scope={"name_prefix": prefix})
        play.state("adopt", mine, scope={"name_prefix": prefix}, unmanaged="adopt")
        play.state("prune owned (check)", {"teams": []}, check=True, scope=owned, unmanaged="prune")
        play.state("prune owned", {"teams": []}, scope=owned, unmanaged="prune")
        play.run()

        created = play["create with owner"]
        assert created["changed"] is True and not created.get("failed"), created.get("msg")
        marker = {"path": "metadata.llmops_owner", "desired": "it-owner", "live": None}
        assert marker in created["changes"][0]["changes"]
        preserve = play["preserve"]
        assert preserve["changed"] is False
        assert by_name(preserve["objects"])[("team", prefix + "stray")]["action"] == "unmanaged"
        assert ("team", "other-" + prefix) not in by_name(preserve["objects"]), "an object outside the scope"
        assert play.writes("preserve") == []
        adopt = play["adopt"]
        assert adopt["changed"] is False and play.writes("adopt") == []
        assert by_name(adopt["objects"])[("team", prefix + "stray")]["action"] == "adopt"
        assert [(t["team_alias"], t["max_budget"]) for t in adopt["adopted"]["teams"]] == [(prefix + "stray", 1.0)]
        check = play["prune owned (check)"]
        assert [(c["name"], c["action"]) for c in check["changes"]] == [(prefix + "mine", "delete")]
        assert play.writes("prune owned (check)") == []
        pruned = play["prune owned"]
        assert [(c["name"], c["status"]) for c in pruned["changes"]] == [(prefix + "mine", "deleted")]
        teams = proxy.api("GET", "/v2/team/list", params={"team_alias": prefix}).json()["teams"]
        assert sorted(t["team_alias"] for t in teams if t["team_alias"].startswith(prefix)) == [prefix + "stray"]
    finally:
        proxy.api("POST", "/team/delete", json={"team_ids": [outside["team_id"]]})
        prune_everything(recorder, proxy.master_key, prefix, tmp_path, kinds=("teams",))
    assert proxy.api("GET", "/v2/team/list", params={"team_alias": prefix + "stray"}).json()["teams"] == []


def test_a_user_joins_a_team_the_same_run_creates_named_by_its_alias(litellm_proxy, recorder, prefix, tmp_path):
    """A user's ``teams`` may name a team by its alias: a team the same run creates is the user's parent (created
    first, its new id joined), in one run; the next run, where the alias resolves to the live id, changes nothing."""
    proxy = litellm_proxy
    document = {"teams": [{"team_alias": prefix + "team"}],
                "users": [{"user_id": prefix + "user", "teams": [prefix + "team"]}]}
    try:
        play = Play(recorder, proxy.master_key, tmp_path)
        play.state("check", document, check=True)
        play.state("apply", document)
        play.state("check again", document, check=True)
        play.state("apply again", document)
        play.run()

        check = play["check"]
        assert check["changed"] is True and not check.get("failed"), check.get("msg")
        assert play.writes("check") == []
        user = by_name(check["changes"])[("user", prefix + "user")]
        assert {"path": "teams", "desired": [f"(known after apply: team '{prefix}team')"], "live": None} \
            in user["changes"]
        apply = play["apply"]
        assert apply["changed"] is True and not apply.get("failed"), apply.get("msg")
        status = dict(((c["kind"], c["name"]), c["status"]) for c in apply["changes"])
        assert status == {("team", prefix + "team"): "created", ("user", prefix + "user"): "created"}
        team_id = by_name(apply["objects"])[("team", prefix + "team")]["id"]
        info = proxy.api("GET", "/user/info", params={"user_id": prefix + "user"}).json()["user_info"]
        assert info["teams"] == [team_id]
        members = proxy.api("GET", "/team/info", params={"team_id": team_id}).json()["team_info"]["members_with_roles"]
        assert prefix + "user" in [m["user_id"] for m in members]
        for step in ("check again", "apply again"):
            assert play[step]["changed"] is False and play[step]["changes"] == [], play[step]["changes"]
            assert play.writes(step) == []
    finally:
        prune_everything(recorder, proxy.master_key, prefix, tmp_path, kinds=("teams", "users"))


def test_a_failed_parent_stops_its_children_and_a_bad_reference_writes_nothing(
        litellm_proxy_premium, premium_recorder, prefix, tmp_path):
    """Organizations: premium twin. LiteLLM refuses a team whose budget exceeds its organization's: the team's
    key is skipped, independent objects are applied, and the run fails naming both. A key naming a team that
    exists nowhere, or a new key without a place for its value, fails before any write."""
    proxy = litellm_proxy_premium
    document = {
        "organizations": [{"organization_alias": prefix + "org", "max_budget": 10}],
        "teams": [{"team_alias": prefix + "too-big", "organization_alias": prefix + "org", "max_budget": 100},
                  {"team_alias": prefix + "fine", "max_budget": 1}],
        "virtual_keys": [{"key_alias": prefix + "orphan", "team_alias": prefix + "too-big"},
                         {"key_alias": prefix + "fine", "team_alias": prefix + "fine"}],
    }
    try:
        play = Play(premium_recorder, proxy.master_key, tmp_path)
        play.state("apply", document)
        play.state("unknown team", {"virtual_keys": [{"key_alias": prefix + "k", "team_alias": prefix + "nowhere"}]})
        play.mark("no key dir")
        play.tasks.append({"name": "no key dir", "llmops.litellm.gateway_state": {
            "document": {"virtual_keys": [{"key_alias": prefix + "k2"}]}}, "ignore_errors": True})
        play.run()

        apply = play["apply"]
        assert apply["failed"] is True
        status = dict((c["kind"] + " " + c["name"], c["status"]) for c in apply["changes"])
        assert status == {"organization " + prefix + "org": "created", "team " + prefix + "too-big": "failed",
                          "team " + prefix + "fine": "created", "virtual_key " + prefix + "orphan": "skipped",
                          "virtual_key " + prefix + "fine": "created"}
        errors = dict((c["name"], c.get("error", "")) for c in apply["changes"])
        assert "exceeds" in errors[prefix + "too-big"]
        assert f"team '{prefix}too-big' failed" in errors[prefix + "orphan"]
        assert "2 of 5 changes not applied" in apply["msg"]
        keys = proxy.api("GET", "/key/list", params={"key_alias": prefix + "orphan"}).json()["keys"]
        assert keys == [], "the key of the failed team was created"
        assert proxy.api("GET", "/v2/team/list", params={"team_alias": prefix + "too-big"}).json()["teams"] == []

        unknown = play["unknown team"]
        assert unknown["failed"] is True
        assert f"no team has team_alias '{prefix}nowhere'" in unknown["msg"]
        assert play.writes("unknown team") == []
        no_dir = play["no key dir"]
        assert no_dir["failed"] is True and "key_dir" in no_dir["msg"]
        assert play.writes("no key dir") == []
    finally:
        prune_everything(premium_recorder, proxy.master_key, prefix, tmp_path)


def test_playbooks_reconcile_report_drift_for_ci_and_export(litellm_proxy, prefix, tmp_path):
    """reconcile.yml applies a document; drift.yml writes a JSON report of the field-level drift and fails the run
    with gateway_fail_on_drift; export.yml writes the live objects as a document; reconcile.yml prunes."""
    proxy = litellm_proxy
    connection = {"gateway_api_url": proxy.url, "gateway_api_key": proxy.master_key,
                  "gateway_scope": {"name_prefix": prefix}, "gateway_key_dir": str(tmp_path / "keys")}
    document = {"teams": [{"team_alias": prefix + "team", "max_budget": 5}],
                "virtual_keys": [{"key_alias": prefix + "key", "team_alias": prefix + "team"}]}
    report, exported = tmp_path / "drift.json", tmp_path / "export.yml"
    playbooks = REPO / "playbooks"
    try:
        applied = run_playbook(playbooks / "reconcile.yml", extra_vars=dict(connection, gateway_document=document))
        assert applied.rc == 0, applied.stdout[-3000:]
        assert applied.task("Apply the document")["summary"] == {"created": 2}
        team = proxy.api("GET", "/v2/team/list", params={"team_alias": prefix + "team"}).json()["teams"][0]
        assert proxy.api("POST", "/team/update", json={"team_id": team["team_id"], "max_budget": 6}).status_code == 200

        drift = run_playbook(playbooks / "drift.yml", extra_vars=dict(
            connection, gateway_document=document, gateway_drift_report=str(report),
            gateway_drift_markdown=str(tmp_path / "drift.md"), gateway_fail_on_drift=True))
        assert drift.rc != 0, "drift.yml did not fail on drift"
        assert json.loads(report.read_text()) == {"drifted": True, "summary": {"none": 1, "update": 1}, "drift": [
            {"kind": "team", "name": prefix + "team", "action": "update", "id": team["team_id"], "where": "teams[0]",
             "changes": [{"path": "max_budget", "desired": 5.0, "live": 6.0}]}]}

        export = run_playbook(playbooks / "export.yml", extra_vars=dict(
            connection, gateway_kinds=["teams", "virtual_keys"], gateway_name_prefix=prefix,
            gateway_export_path=str(exported)))
        assert export.rc == 0, export.stdout[-3000:]
        written = yaml.safe_load(exported.read_text())
        assert [(t["team_alias"], t["max_budget"]) for t in written["teams"]] == [(prefix + "team", 6.0)]
        keys = [(k["key_alias"], k["team_alias"]) for k in written["virtual_keys"]]
        assert keys == [(prefix + "key", prefix + "team")]
    finally:
        pruned = run_playbook(playbooks / "reconcile.yml", extra_vars=dict(
            connection, gateway_document={"teams": [], "virtual_keys": []}, gateway_unmanaged="prune"))
    assert pruned.rc == 0, pruned.stdout[-3000:]
    assert pruned.task("Apply the document")["summary"] == {"deleted": 2}


def test_a_user_the_list_moves_to_a_page_already_read_is_not_planned_as_a_create(litellm_proxy, recorder, tmp_path):
    """Lists are read by offset, their pages at once: users deleted between the reads of page 1 and page 2 move the
    first users of page 2 to page 1, which was read already. The pages then do not add up (their totals differ), so
    the list is read again, and no declared user is planned as a create; a list that does not change is read once.
    The deletion is made through the real API by the recording proxy, just before it forwards the read of page 2."""
    proxy = litellm_proxy
    p = f"000_it_gs_{uuid.uuid4().hex[:8]}_"  # ids that sort before the other users': ours span pages 1 and 2
    ids = [f"{p}u{i:03d}" for i in range(110)]
    spare, declared = ids[:5], ids[5:]  # the spare users are deleted mid-read; the others are declared
    document = {"users": [{"user_id": user_id} for user_id in declared]}
    seen: dict[str, Any] = {}

    def delete_spare_users(query: str) -> None:
        if "page=2" not in query or seen:
            return
        query = {"page": 1, "page_size": 100, "sort_by": "user_id", "sort_order": "asc"}
        first = proxy.api("GET", "/user/list", params=query).json()
        seen.update(total=first["total"], page_1=[u["user_id"] for u in first["users"]])
        proxy.api("POST", "/user/delete", json={"user_ids": spare[:3]}).raise_for_status()

    try:
        for user_id in ids:
            proxy.api("POST", "/user/new", json={"user_id": user_id}).raise_for_status()
        recorder.before[("GET", "/user/list")] = delete_spare_users
        play = Play(recorder, proxy.master_key, tmp_path)
        play.state("check while users are deleted", document, check=True)
        play.state("check again", document, check=True)
        play.run()

        # the precondition: the spare users were on page 1 and declared ones on page 2 when they were deleted
        assert set(spare[:3]) <= set(seen["page_1"]) and seen["total"] > 100 and declared[-1] not in seen["page_1"]
        for step in ("check while users are deleted", "check again"):
            result = play[step]
            assert not result.get("failed"), result.get("msg")
            assert [c for c in result["changes"] if c["action"] == "create"] == [], step
            assert result["changed"] is False
        lists = [len([r for r in play.requests(step) if r == ("GET", "/user/list")])
                 for step in ("check while users are deleted", "check again")]
        before, after = -(-seen["total"] // 100), -(-(seen["total"] - 3) // 100)  # pages before and after
        assert lists == [before + after, after]  # read, and read again; then read once
    finally:
        recorder.before.clear()
        left = [user_id for user_id in ids if user_id not in spare[:3] or not seen]  # (LiteLLM refuses an unknown id)
        proxy.api("POST", "/user/delete", json={"user_ids": left}).raise_for_status()
