"""Nothing bad gets in: bad inputs to every module and to gateway_state, refused before the first write.

A table of bad inputs (names that are not names, formats, bounds, objects named that do not exist, duplicates
in a document, documented rules) runs as one ansible-playbook, each input a task with ``ignore_errors``, against
the real LiteLLM through tests/lib/recording_proxy.py. Each result must fail with the one sentence that names the
object (the module's object, or ``teams[3]`` in a document), the option and the reason; the recording proxy must
have seen no write request at all (so no input wrote anything), and no object with the run's prefix may exist.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import pytest

from tests.lib.playbook import run_tasks

pytestmark = pytest.mark.slow(130)  # started first by make test (tests/conftest.py)

NOWHERE = "http://127.0.0.1:9"
STRINGIFIED = "must be a string, not a list"


class Case(NamedTuple):
    name: str
    module: str           # a module's short name, or gateway_state
    options: dict[str, Any]
    expected: str         # the whole tail of the sentence: "<object>: <option> <reason>" (see sentence())


def module_case(name: str, module: str, options: dict[str, Any], label: str, reason: str) -> Case:
    """A module's failure reads ``failed to <action> <label>: <option> <reason>``."""
    return Case(name, module, options, f"{label}: {reason}")


def gateway_case(name: str, document: dict[str, Any], where: str | None, reason: str, action: str = "validate",
                 **options: Any) -> Case:
    """A document's failure reads ``failed to validate the document: <where>: <option> <reason>``; what is checked
    against the live state (the objects named) reads ``failed to plan the document: ...``."""
    return Case(name, "gateway_state", dict(options, document=document),
                f"failed to {action} the document: {where}: {reason}" if where else reason)


# Each kind's natural key in its module (and in a document), the label its messages use, and options it needs.
KEYS = {
    "team": ("team_alias", {}),
    "virtual_key": ("key_alias", {}),
    "credential": ("credential_name", {}),
    "customer": ("user_id", {}),
    "budget": ("budget_id", {}),
    "tag": ("name", {}),
    "guardrail": ("guardrail_name", {}),
    "access_group": ("access_group_name", {}),
    "mcp_server": ("server_name", {}),
    "model": ("model_name", {}),
    "organization": ("organization_alias", {}),
    "user": ("user_id", {}),
}
PLURALS = {"team": "teams", "virtual_key": "virtual_keys", "credential": "credentials", "customer": "customers",
           "budget": "budgets", "tag": "tags", "guardrail": "guardrails", "access_group": "access_groups",
           "mcp_server": "mcp_servers", "model": "models", "organization": "organizations", "user": "users"}
# The kinds whose natural key is their id: a document without it (or with it empty) misses a required option.
KEY_IS_ID = ("credential", "customer", "budget", "tag")
IDS = {"team": "team_id", "organization": "organization_id", "model": "model_id", "guardrail": "guardrail_id",
       "mcp_server": "server_id", "access_group": "access_group_id"}


def bad_names(p: str) -> list[tuple[str, Any, str]]:
    """(what, value, reason) of names that are not names."""
    return [("empty", "", "must not be empty"),
            ("whitespace", "   ", "must not be only whitespace"),
            ("surrounding whitespace", f" {p}x ", "must not begin or end with whitespace"),
            ("a list", [p + "a", p + "b"], STRINGIFIED)]


def shown_value(value: Any) -> str:
    """A value as messages show it: a list as the string Ansible made of it."""
    return value if isinstance(value, str) else str(value)


def label(kind: str, value: Any) -> str:
    if value in ("", None):
        return f"failed to validate {kind}"
    return f"failed to validate {kind} '{shown_value(value)}'"


def name_cases(p: str) -> list[Case]:
    cases = []
    for kind, (key, extra) in KEYS.items():
        for what, value, reason in bad_names(p):
            shown = value if isinstance(value, str) else str(value)
            cases.append(module_case(f"{kind} {key} {what}", kind, dict(extra, **{key: value}),
                                     label(kind, shown), f"{key} {reason}"))
            document_reason = f"{key} is required" if kind in KEY_IS_ID and value == "" else f"{key} {reason}"
            cases.append(gateway_case(f"gateway {kind} {key} {what}", {PLURALS[kind]: [{key: value}]},
                                      f"{PLURALS[kind]}[0]", document_reason))
    for what, value, reason in bad_names(p):  # a team member: its email (an empty one matched LiteLLM's own user)
        cases.append(module_case(f"team_member user_email {what}", "team_member",
                                 {"team_alias": p + "team", "user_email": value},
                                 f"failed to validate member '{shown_value(value)}' of team '{p}team'",
                                 f"user_email {reason}"))
    for kind, id_field in IDS.items():
        key = KEYS[kind][0]
        cases.append(module_case(f"{kind} {id_field} whitespace", kind, {key: p + kind, id_field: " "},
                                 label(kind, p + kind), f"{id_field} must not be only whitespace"))
        cases.append(gateway_case(f"gateway {kind} {id_field} surrounding whitespace",
                                  {PLURALS[kind]: [{key: p + kind, id_field: " id"}]}, f"{PLURALS[kind]}[0]",
                                  f"{id_field} must not begin or end with whitespace"))
    return cases


DURATION = "must be a duration such as 30s, 15m, 24h, 30d, 2w or 1mo (or hourly, daily, weekly, monthly), got"


def format_cases(p: str) -> list[Case]:
    cases = []
    durations = [("team", "budget_duration", "30 days"), ("team", "team_member_budget_duration", "1 month"),
                 ("team", "team_member_key_duration", "forever"), ("budget", "budget_duration", "x"),
                 ("virtual_key", "budget_duration", "1.5d"), ("virtual_key", "duration", "10 years"),
                 ("virtual_key", "rotation_interval", "weekly-ish"), ("user", "budget_duration", "d30"),
                 ("customer", "budget_duration", "month"), ("tag", "budget_duration", "-1d"),
                 ("organization", "budget_duration", "1y")]
    for kind, option, value in durations:
        key = KEYS[kind][0]
        cases.append(module_case(f"{kind} {option} {value}", kind, {key: p + kind, option: value},
                                 label(kind, p + kind), f"{option} {DURATION} '{value}'"))
    cases.append(module_case("team_member budget_duration", "team_member",
                             {"team_alias": p + "team", "user_email": p + "m@example.com", "budget_duration": "soon"},
                             f"failed to validate member '{p}m@example.com' of team '{p}team'", f"budget_duration {DURATION} 'soon'"))
    for kind, option, value in durations[:1] + durations[3:5] + durations[7:10]:
        key = KEYS[kind][0]
        cases.append(gateway_case(f"gateway {kind} {option} {value}", {PLURALS[kind]: [{key: p + kind, option: value}]},
                                  f"{PLURALS[kind]}[0]", f"{option} {DURATION} '{value}'"))
    url = "must be an http:// or https:// URL, got"
    cases += [
        module_case("mcp_server url without scheme", "mcp_server",
                    {"server_name": p + "mcp", "url": "localhost:8080", "transport": "http"},
                    label("mcp_server", p + "mcp"), f"url {url} 'localhost:8080'"),
        module_case("mcp_server url ftp", "mcp_server", {"server_name": p + "mcp", "url": "ftp://host/x"},
                    label("mcp_server", p + "mcp"), f"url {url} 'ftp://host/x'"),
        module_case("guardrail api_base not a url", "guardrail",
                    {"guardrail_name": p + "guard", "provider": "generic_guardrail_api", "mode": ["pre_call"],
                     "api_base": "not a url"}, label("guardrail", p + "guard"), f"api_base {url} 'not a url'"),
        module_case("model api_base not a url", "model",
                    {"model_name": p + "model", "litellm_params": {"model": "openai/x", "api_base": "127.0.0.1:9"}},
                    label("model", p + "model"), f"litellm_params.api_base {url} '127.0.0.1:9'"),
        gateway_case("gateway mcp url without scheme", {"mcp_servers": [{"server_name": p + "mcp", "url": "host"}]},
                     "mcp_servers[0]", f"url {url} 'host'"),
        gateway_case("gateway guardrail api_base", {"guardrails": [{"guardrail_name": p + "g", "provider": "x",
                                                                    "mode": ["pre_call"], "api_base": "x:y"}]},
                     "guardrails[0]", f"api_base {url} 'x:y'"),
        gateway_case("gateway model api_base", {"models": [{"model_name": p + "m", "litellm_params": {
            "model": "openai/x", "api_base": "/v1"}}]}, "models[0]", f"litellm_params.api_base {url} '/v1'"),
    ]
    email = "must be an email address (name@domain), got"
    cases += [
        module_case("user email without @", "user", {"user_email": p + "nope"}, label("user", p + "nope"),
                    f"user_email {email} '{p}nope'"),
        module_case("user email with two @", "user", {"user_email": "a@b@c"}, label("user", "a@b@c"),
                    f"user_email {email} 'a@b@c'"),
        module_case("team_member email without domain", "team_member",
                    {"team_alias": p + "team", "user_email": p + "m@"}, f"failed to validate member '{p}m@' of team '{p}team'",
                    f"user_email {email} '{p}m@'"),
        module_case("team members email", "team", {"team_alias": p + "team", "members": [{"user_email": "bob"}]},
                    label("team", p + "team"), f"members[0].user_email {email} 'bob'"),
        module_case("team members empty email", "team", {"team_alias": p + "team", "members": [{"user_email": ""}]},
                    label("team", p + "team"), "members[0].user_email must not be empty"),
        module_case("organization members email", "organization",
                    {"organization_alias": p + "org", "members": [{"user_email": "x y@z"}]},
                    label("organization", p + "org"), f"members[0].user_email {email} 'x y@z'"),
        gateway_case("gateway user email", {"users": [{"user_email": "nope"}]}, "users[0]",
                     f"user_email {email} 'nope'"),
        gateway_case("gateway team members empty email",
                     {"teams": [{"team_alias": p + "team", "members": [{"user_email": ""}]}]},
                     "teams[0]", "members[0].user_email must not be empty"),
        gateway_case("gateway team members whitespace user_id",
                     {"teams": [{"team_alias": p + "team", "members": [{"user_id": " u"}]}]},
                     "teams[0]", "members[0].user_id must not begin or end with whitespace"),
        gateway_case("gateway team members listed twice",
                     {"teams": [{"team_alias": p + "team", "members": [{"user_email": "a@x.io"},
                                                                       {"user_email": "a@x.io"}]}]},
                     "teams[0]", "members lists user_email=a@x.io twice"),
        module_case("team members listed twice", "team",
                    {"team_alias": p + "team", "members": [{"user_id": "u1"}, {"user_id": "u1", "role": "admin"}]},
                    label("team", p + "team"), "members lists user_id=u1 twice"),
    ]
    return cases


def bound_cases(p: str) -> list[Case]:
    bounds = [("team", "max_budget", -1, "-1.0", 0), ("virtual_key", "tpm_limit", -5, "-5", 0),
              ("budget", "max_parallel_requests", -1, "-1", 0), ("customer", "max_budget", -0.5, "-0.5", 0),
              ("tag", "rpm_limit", -1, "-1", 0), ("user", "max_budget", -1, "-1.0", 0),
              ("mcp_server", "max_concurrent_requests", 0, "0", 1), ("organization", "max_budget", -1, "-1.0", 0),
              ("team", "model_rpm_limit", {"m": -2}, "-2", 0)]
    cases = []
    for kind, option, value, shown, minimum in bounds:
        key = KEYS[kind][0]
        where = f"{option}[m]" if isinstance(value, dict) else option
        cases.append(module_case(f"{kind} {option} {value}", kind, {key: p + kind, option: value},
                                 label(kind, p + kind), f"{where} must be >= {minimum}, got {shown}"))
    cases.append(module_case("team_member max_budget_in_team -1", "team_member",
                             {"team_alias": p + "team", "user_email": p + "m@example.com", "max_budget_in_team": -1},
                             f"failed to validate member '{p}m@example.com' of team '{p}team'", "max_budget_in_team must be >= 0, got -1.0"))
    cases += [
        gateway_case("gateway team max_budget", {"teams": [{"team_alias": p + "t", "max_budget": -1}]}, "teams[0]",
                     "max_budget must be >= 0, got -1.0"),
        gateway_case("gateway budget tpm_limit", {"budgets": [{"budget_id": p + "b", "tpm_limit": -1}]}, "budgets[0]",
                     "tpm_limit must be >= 0, got -1"),
        gateway_case("gateway workers 0", {"budgets": [{"budget_id": p + "b"}]}, None,
                     "failed to validate the options: workers must be >= 1, got 0", workers=0),
        gateway_case("gateway workers -1", {"budgets": [{"budget_id": p + "b"}]}, None,
                     "failed to validate the options: workers must be >= 1, got -1", workers=-1),
    ]
    rule = "default_team_member_models must be a subset of models: {} not in models"
    cases += [
        module_case("team default_team_member_models outside models", "team",
                    {"team_alias": p + "team", "models": ["a"], "default_team_member_models": ["a", "b"]},
                    label("team", p + "team"), rule.format("b is")),
        gateway_case("gateway team default_team_member_models outside models",
                     {"teams": [{"team_alias": p + "team", "models": ["a"],
                                 "default_team_member_models": ["c", "b"]}]}, "teams[0]", rule.format("b, c are")),
    ]
    return cases


def reference_cases(p: str) -> list[Case]:
    missing = "which does not exist"
    model = {"model_name": p + "model", "litellm_params": {"model": "openai/x", "litellm_credential_name": p + "nocred"}}
    cases = [
        module_case("model names a missing credential", "model", model, label("model", p + "model"),
                    f"litellm_params.litellm_credential_name names a credential '{p}nocred', {missing}"),
        module_case("tag names a missing model", "tag", {"name": p + "tag", "models": [p + "nomodel"]},
                    label("tag", p + "tag"), f"models names a model '{p}nomodel', {missing}"),
        module_case("access group names a missing model", "access_group",
                    {"access_group_name": p + "ag", "access_model_names": [p + "nomodel"]}, label("access_group", p + "ag"),
                    f"access_model_names names a model '{p}nomodel', {missing}"),
        module_case("access group names a missing team", "access_group",
                    {"access_group_name": p + "ag", "assigned_team_ids": [p + "noteam"]}, label("access_group", p + "ag"),
                    f"assigned_team_ids names a team '{p}noteam', {missing}"),
        module_case("customer names a missing budget", "customer", {"user_id": p + "cust", "budget_id": p + "nobudget"},
                    label("customer", p + "cust"), f"budget_id names a budget '{p}nobudget', {missing}"),
        module_case("user joins a missing team", "user", {"user_email": p + "u@example.com", "teams": [p + "noteam"]},
                    label("user", p + "u@example.com"), f"teams names a team '{p}noteam', {missing}"),
        gateway_case("gateway user joins a missing team", {"users": [{"user_email": p + "u@example.com",
                                                                      "teams": [p + "noteam"]}]},
                     "users[0]", f"teams names a team '{p}noteam', {missing}", "plan"),
        module_case("key names a missing team", "virtual_key", {"key_alias": p + "key", "team_id": p + "noteam"},
                    label("virtual_key", p + "key"), f"team_id names a team '{p}noteam', {missing}"),
        gateway_case("gateway model names a missing credential", {"models": [model]}, "models[0]",
                     f"litellm_params.litellm_credential_name names a credential '{p}nocred', {missing}", "plan"),
        gateway_case("gateway model names a credential the document deletes",
                     {"credentials": [{"credential_name": p + "nocred", "state": "absent"}], "models": [model]},
                     "models[0]", f"litellm_params.litellm_credential_name names a credential '{p}nocred', {missing}",
                     "plan"),
        gateway_case("gateway tag names a missing model", {"tags": [{"name": p + "tag", "models": [p + "nomodel"]}]},
                     "tags[0]", f"models names a model '{p}nomodel', {missing}", "plan"),
        gateway_case("gateway access group names a missing model",
                     {"access_groups": [{"access_group_name": p + "ag", "access_model_names": ["x", p + "nomodel"]}],
                      "models": [{"model_name": "x", "litellm_params": {"model": "openai/x"}}]},
                     "access_groups[0]", f"access_model_names names a model '{p}nomodel', {missing}", "plan"),
        gateway_case("gateway customer names a missing budget",
                     {"customers": [{"user_id": p + "cust", "budget_id": p + "nobudget"}]},
                     "customers[0]", f"budget_id names a budget '{p}nobudget', {missing}", "plan"),
        gateway_case("gateway key names a missing team", {"virtual_keys": [{"key_alias": p + "k", "team_id": p + "t"}]},
                     "virtual_keys[0]", f"team_id names a team '{p}t', {missing}", "plan"),
        gateway_case("gateway key names a missing team by alias",
                     {"virtual_keys": [{"key_alias": p + "k", "team_alias": p + "t"}]},
                     "virtual_keys[0]", f"no team has team_alias '{p}t'", "plan"),
    ]
    return cases


def duplicate_cases(p: str) -> list[Case]:
    twice = "is declared twice"
    team = {"team_alias": p + "team", "max_budget": 1}
    model = {"model_name": p + "m", "litellm_params": {"model": "openai/x"}}
    return [
        gateway_case("gateway two identical teams", {"teams": [team, dict(team)]}, "teams[1]",
                     f"team_alias '{p}team' {twice} (teams[0] declares it too)"),
        gateway_case("gateway duplicate team_id", {"teams": [{"team_alias": p + "a", "team_id": p + "id"},
                                                             {"team_alias": p + "b", "team_id": p + "id"}]},
                     "teams[1]", f"team_id '{p}id' {twice} (teams[0] declares it too)"),
        gateway_case("gateway two identical models", {"models": [model, dict(model)]}, "models[1]",
                     f"model_name '{p}m' with litellm_params.model 'openai/x' {twice} (models[0] declares it too)"),
        gateway_case("gateway two budgets with one id", {"budgets": [{"budget_id": p + "b"},
                                                                     {"budget_id": p + "b", "max_budget": 2}]},
                     "budgets[1]", f"budget_id '{p}b' {twice} (budgets[0] declares it too)"),
        gateway_case("gateway two keys with one alias", {"virtual_keys": [{"key_alias": p + "k"}, {"key_alias": p + "k"}]},
                     "virtual_keys[1]", f"key_alias '{p}k' {twice} (virtual_keys[0] declares it too)"),
        gateway_case("gateway a tag present and absent", {"tags": [{"name": p + "t"}, {"name": p + "t", "state": "absent"}]},
                     "tags[1]", f"name '{p}t' {twice} (tags[0] declares it too)"),
        gateway_case("gateway a duplicate after many", {"budgets": [{"budget_id": f"{p}b{i}"} for i in range(5)]
                                                        + [{"budget_id": p + "b3"}]},
                     "budgets[5]", f"budget_id '{p}b3' {twice} (budgets[3] declares it too)"),
    ]


def type_cases(p: str) -> list[Case]:
    """Types, choices and the shape of a document, which Ansible's argument spec checks (a module's message is
    Ansible's own: it names the option and the reason)."""
    to_float = "argument 'max_budget' is of type str and we were unable to convert to float"
    region = "value of allowed_model_region must be one of: eu, us, got: asia"
    boolean = "argument 'blocked' is of type str and we were unable to convert to bool"
    return [
        Case("team max_budget not a number", "team", {"team_alias": p + "team", "max_budget": "lots"},
             "argument 'max_budget' is of type"),
        Case("customer region not a region", "customer", {"user_id": p + "cust", "allowed_model_region": "asia"},
             region),
        Case("key blocked not a boolean", "virtual_key", {"key_alias": p + "key", "blocked": "maybe"},
             "argument 'blocked' is of type"),
        gateway_case("gateway team max_budget not a number", {"teams": [{"team_alias": p + "t", "max_budget": "lots"}]},
                     "teams[0]", to_float),
        gateway_case("gateway customer region", {"customers": [{"user_id": p + "c", "allowed_model_region": "asia"}]},
                     "customers[0]", region),
        gateway_case("gateway key blocked", {"virtual_keys": [{"key_alias": p + "k", "blocked": "maybe"}]},
                     "virtual_keys[0]", boolean),
        gateway_case("gateway team rpm_limit not an integer", {"teams": [{"team_alias": p + "t", "rpm_limit": 1.5}]},
                     "teams[0]", "argument 'rpm_limit' is of type float and we were unable to convert to int"),
        gateway_case("gateway kind not a list", {"teams": {"team_alias": p + "t"}}, None,
                     "failed to read the document: document: teams must be a list of objects"),
        gateway_case("gateway object not a mapping", {"teams": [p + "t"]}, None,
                     "failed to validate the document: teams[0] must be a mapping of options"),
        gateway_case("gateway unknown kind", {"widgets": [{"name": p}]}, None,
                     "failed to validate the document: unknown kind widgets in the document"),
        gateway_case("gateway unknown option", {"teams": [{"team_alias": p + "t", "colour": "red"}]}, "teams[0]",
                     "unsupported option colour for a team"),
        gateway_case("gateway key rotation declared", {"virtual_keys": [{"key_alias": p + "k", "regenerate": True}]},
                     None, "failed to validate the document: virtual_keys[0]: regenerate not allowed in a document"),
        gateway_case("gateway key value not a key", {"virtual_keys": [{"key_alias": p + "k", "key": "no-key-" + p}]},
                     "virtual_keys[0]", "key must start with sk- (LiteLLM takes any other value for a key's hash)",
                     action="plan"),
        gateway_case("gateway key value too short", {"virtual_keys": [{"key_alias": p + "k", "key": "sk-short"}]},
                     "virtual_keys[0]", "key must be at least 16 characters long", action="plan"),
    ]


def all_cases(p: str) -> list[Case]:
    cases = (name_cases(p) + format_cases(p) + bound_cases(p) + reference_cases(p) + duplicate_cases(p)
             + type_cases(p))
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    return cases


@pytest.fixture
def prefix() -> str:
    return f"it_bad_{uuid.uuid4().hex[:8]}_"


# Where each kind lists its objects, for the count of rows with the run's prefix.
LISTS = (("/v2/team/list", {"page_size": 100, "team_alias": "it_bad_"}), ("/key/list", {"key_alias": "it_bad_"}),
         ("/budget/list", {}), ("/credentials", {}), ("/tag/list", {}), ("/customer/list", {}), ("/v2/model/info", {}),
         ("/v1/access_group", {}), ("/v1/mcp/server", {}), ("/v2/guardrails/list", {}),
         ("/user/list", {"page_size": 100, "user_email": "it_bad_"}))


def rows(proxy: Any, prefix: str) -> dict[str, int]:
    """How many objects of each list mention ``prefix``."""
    found = {}
    for path, params in LISTS:
        answer = proxy.api("GET", path, params=params)
        assert answer.status_code == 200, (path, answer.text)
        items = answer.json()
        if isinstance(items, dict):
            items = next((v for v in items.values() if isinstance(v, list)), [])
        found[path] = sum(1 for item in items if prefix in json.dumps(item))
    return found


def test_bad_inputs_are_refused_with_one_sentence_and_nothing_is_written(litellm_proxy, recorder, prefix, tmp_path):
    cases = all_cases(prefix)
    assert len(cases) >= 150, len(cases)
    tasks = []
    for case in cases:
        options = dict(case.options)
        if case.module == "gateway_state":
            options["key_dir"] = str(tmp_path)
        tasks.append({"name": case.name, f"llmops.litellm.{case.module}": options, "ignore_errors": True})
    before = rows(litellm_proxy, prefix)
    defaults = {"group/llmops.litellm.litellm": {"api_url": recorder.url, "api_key": litellm_proxy.master_key}}
    # two ansible-playbook runs at once, half of the inputs each (one per core)
    halves = [tasks[0::2], tasks[1::2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda half: run_tasks(half, module_defaults=defaults,
                                                       env={"ANSIBLE_PIPELINING": "true"}), halves))

    wrong = []
    for index, case in enumerate(cases):
        outcome = results[index % 2].task(case.name)
        msg = outcome.get("msg") or ""
        if not outcome.get("failed") or case.expected not in msg or "Traceback" in json.dumps(outcome):
            wrong.append((case.name, case.expected, msg))
    assert not wrong, "\n".join("%s\n  expected: %s\n  got:      %s" % w for w in wrong)
    assert recorder.writes() == [], recorder.writes()
    assert rows(litellm_proxy, prefix) == before == dict((path, 0) for path, _params in LISTS)
