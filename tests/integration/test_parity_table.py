"""One table, every kind: the same input given to the kind's module and to ``gateway_state`` gives the same plan, the
same writes and the same error sentence, against the real LiteLLM.

``TABLE`` holds, for each kind that has a module (those of ``kinds/registry.py`` KINDS and
``team_member``, whose gateway form is a team's ``members``), the input of a create, the one field an update changes,
and each refusal the kind has. Every kind goes through the same steps, module and gateway side by side, each on its
own object (the two names differ only by their last letter, and ids are LiteLLM's): create in check mode, create,
apply again (no-op), update in check mode, update, delete; then each refusal. The steps of all kinds run in ONE
ansible-playbook run (~0.5 CPU-s per task with pipelining, against ~4 s per playbook start): one module task per
kind and step, and ONE ``gateway_state`` task per step whose document holds the objects of every kind (a second one
for the rows that run on the premium twin), as a user declares a gateway; each refusal is a task of its own on both
sides. Each task's requests are told apart by the base URL it is given (tests/lib/recording_proxy.py ``step_url``),
so no mark tasks are needed; within a gateway step, its diff names each object, and each write is given to the
object whose name or LiteLLM id it sends (or, naming none, to the only kind whose module sent the same call in that
step), but a write carrying a whole map of the router settings (a model alias's /config/update names every alias in
force) to the one object of this run it adds, changes or removes in that map; a write given to no object, or to two,
fails every row of that step. Organizations run against the
Enterprise-switched twin (``litellm_proxy_premium``: same database, premium check on, TEST ONLY), through a second
recorder; the licence refusals against the plain proxy.

What is compared, per step and object:

- the plan: the module's diff (before/after, check mode's prediction or what a real run read back) and the
  gateway's diff entry of that object, as the user declares it (options and members: secrets, read-only attributes
  and unset options left out; the object's own name and generated id written as placeholders); a no-op is no
  change in both. After a real update the gateway shows its prediction (it reads an object back after a create
  only, where the module reads it back after every change): there, what the prediction shows must be what the
  module read back (a team member's user_id, which LiteLLM fills in, is not predicted);
- the writes: POST/PUT/PATCH/DELETE that reached LiteLLM, as a multiset of (method, path) with the object's name
  and ids in paths as placeholders. A multiset, because the two engines may order independent calls differently
  and read differently: the gateway reads each kind's list once (paged) where the module reads one object by its
  key or id, so reads (GET) are not compared at all;
- a refusal: both fail, the module's reason (what follows ``failed to <action> <object>: ``) is word for word the
  end of the gateway's message, which names the object (``teams[0]``), and neither sent a write.

Where the two differ, the engine is fixed in the one place both call (_checks.py, _write.py, _spec.py, gateway/plan.py), and the
case stays in the table.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import re
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.lib.playbook import ensure_collection_link, run_tasks
from tests.lib.recording_proxy import WRITE_METHODS, RecordingProxy

sys.path.insert(0, str(ensure_collection_link()))

from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model_alias import CONFIG_UPDATE  # noqa: E402
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_KIND, KINDS  # noqa: E402

pytestmark = pytest.mark.slow(400)  # started first by make test (tests/conftest.py)

NOWHERE = "http://127.0.0.1:9"
TOOL = {"server_id": "parity-server", "tool_name": "a_tool"}  # LiteLLM does not check that it exists
ENGINES = ("module", "gateway")


@dataclasses.dataclass
class Refusal:
    """Input that both engines must refuse before any write: ``options`` for the module, ``document`` (default: the
    same) as the object of a document; ``check``: both run in check mode (for refusals about objects the tests do
    not own, such as the proxy's config models, so that a broken refusal changes nothing)."""

    name: str
    options: Callable[["Fixtures"], dict[str, Any]]
    document: Callable[["Fixtures"], dict[str, Any]] | None = None
    check: bool = False
    premium: bool = False
    contains: str = ""  # a part of the sentence, so that the case proves the refusal it names


@dataclasses.dataclass
class Kind:
    """One kind's row: ``create(fixtures, name)`` the input of a create, ``update`` the options an update changes."""

    kind: str
    create: Callable[["Fixtures", str], dict[str, Any]]
    update: dict[str, Any]
    refusals: list[Refusal]
    premium: bool = False
    plural: str = ""

    def __post_init__(self) -> None:
        self.plural = self.plural or BY_KIND[self.kind].plural


@dataclasses.dataclass
class Fixtures:
    """Objects made once with LiteLLM's API before the playbook, for the cases to name."""

    prefix: str
    key_dir: Path
    user_id: str = ""
    user_email: str = ""
    team_alias: str = ""
    team_id: str = ""
    member_teams: dict[str, str] = dataclasses.field(default_factory=dict)   # engine -> team alias
    member_live: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)  # engine -> members
    rename_ids: list[str] = dataclasses.field(default_factory=list)
    jwt_key: str = ""  # the value of the virtual key the jwt_key_mapping rows map to

    def name(self, kind: str, engine: str) -> str:
        """The natural key of a kind's object for one engine (users: an email)."""
        name = f"{self.prefix}{kind}_{engine[0]}"
        return f"{name}@example.com" if kind == "user" else name


def member_of(fixtures: Fixtures, name: str, role: str = "admin", state: str = "present") -> dict[str, Any]:
    """A team_member's input; ``name`` is the team's alias."""
    return dict(team_alias=name, user_email=fixtures.user_email, role=role, state=state)


TABLE = [
    Kind("budget", lambda f, n: dict(budget_id=n, max_budget=5, budget_duration="30d"), dict(max_budget=7), [
        Refusal("negative budget", lambda f: dict(budget_id=f.prefix + "neg", max_budget=-1),
                contains="max_budget must be >= 0, got -1"),
    ]),
    Kind("credential", lambda f, n: dict(credential_name=n, credential_values={"api_key": "sk-parity-secret"},
                                         credential_info={"owner": "parity"}, update_secrets="on_create"),
         dict(credential_info={"owner": "parity", "tier": "gold"}), [
        Refusal("create without its secret", lambda f: dict(credential_name=f.prefix + "nosecret",
                                                            credential_info={"owner": "parity"}),
                contains="credential_values is required to create"),
    ]),
    Kind("guardrail", lambda f, n: dict(guardrail_name=n, provider="generic_guardrail_api", mode=["pre_call"],
                                        api_base=NOWHERE + "/guard"), dict(default_on=True), [
        Refusal("unknown provider", lambda f: dict(guardrail_name=f.prefix + "noprov", provider="no_such_provider",
                                                   mode=["pre_call"], api_base=NOWHERE),
                contains="this LiteLLM has no guardrail provider 'no_such_provider'"),
        Refusal("mode the provider lacks", lambda f: dict(guardrail_name=f.prefix + "nomode",
                                                          provider="generic_guardrail_api", mode=["no_such_mode"],
                                                          api_base=NOWHERE),
                contains="mode no_such_mode is not supported"),
        Refusal("id LiteLLM chooses", lambda f: dict(guardrail_id=str(uuid.uuid4()), guardrail_name=f.prefix + "byid",
                                                     provider="generic_guardrail_api", mode=["pre_call"],
                                                     api_base=NOWHERE),
                contains="LiteLLM chooses the guardrail_id of a new guardrail"),
        Refusal("create without mode", lambda f: dict(guardrail_name=f.prefix + "nomodes",
                                                      provider="generic_guardrail_api", api_base=NOWHERE),
                contains="mode is required to create"),
    ]),
    Kind("tag", lambda f, n: dict(name=n, description="a tag"), dict(description="another"), [
        Refusal("Enterprise option", lambda f: dict(name=f.prefix + "mmb", model_max_budget={
            "mock-gpt": {"max_budget": 2.0, "budget_duration": "1d"}}),
            contains="model_max_budget of a tag needs a LiteLLM Enterprise licence"),
    ]),
    Kind("mcp_server", lambda f, n: dict(server_name=n, url=NOWHERE + "/mcp", transport="http",
                                         description="an MCP server"), dict(description="another"), [
        Refusal("stdio disabled", lambda f: dict(server_name=f.prefix + "stdio", transport="stdio", command="npx",
                                                 args=["-y", "nothing"]),
                contains="stdio MCP servers are disabled on this LiteLLM"),
    ]),
    Kind("model", lambda f, n: dict(model_name=n, litellm_params={"model": "openai/gpt-4o", "mock_response": "hi"},
                                    model_info={"owner": "parity"}),
         dict(model_info={"owner": "parity", "stage": "two"}), [
        Refusal("config model changed", lambda f: dict(model_name="mock-gpt", litellm_params={
            "model": "openai/gpt-4o", "rpm": 7}), check=True, contains="defined in the proxy's config file"),
        Refusal("config model deleted", lambda f: dict(model_name="mock-gpt", litellm_params={
            "model": "openai/gpt-4o"}, state="absent"), check=True, contains="defined in the proxy's config file"),
        Refusal("secret in litellm_params", lambda f: dict(model_name=f.prefix + "secret", litellm_params={
            "model": "openai/gpt-4o", "aws_secret_access_key": "nope"}),
            contains="litellm_params.aws_secret_access_key is a secret LiteLLM never returns"),
        Refusal("create without provider model", lambda f: dict(model_name=f.prefix + "noparams",
                                                                model_info={"owner": "parity"}),
                contains="litellm_params.model is required to create"),
    ]),
    Kind("organization", lambda f, n: dict(organization_alias=n, max_budget=100, members=[
        {"user_email": f.user_email, "role": "org_admin"}]), dict(max_budget=150), [
        Refusal("no licence", lambda f: dict(organization_alias=f.prefix + "nolicence"),
                contains="an organization needs a LiteLLM Enterprise licence"),
        Refusal("member nobody is", lambda f: dict(organization_alias=f.prefix + "nobody", members=[
            {"user_email": f.prefix + "nobody@example.com"}]), premium=True, contains="no user has this email"),
    ], premium=True),
    Kind("team", lambda f, n: dict(team_alias=n, max_budget=5, models=["mock-gpt"], members=[
        {"user_email": f.user_email, "role": "admin"}], purge_members=True), dict(max_budget=9), [
        Refusal("rename onto a taken alias", lambda f: dict(team_id=f.rename_ids[0], team_alias=f.prefix + "second"),
                contains="is already used by team_id"),
        Refusal("member twice", lambda f: dict(team_alias=f.prefix + "twice", members=[
            {"user_email": f.user_email}, {"user_email": f.user_email, "role": "admin"}]),
            contains="twice"),
    ]),
    Kind("user", lambda f, n: dict(user_email=n, max_budget=3, models=["mock-gpt"], metadata={"dept": "x"},
                                   teams=[f.team_id]), dict(max_budget=4), [
        Refusal("models emptied", lambda f: dict(user_email=f.user_email, models=[]),
                contains="models cannot be emptied once set"),
    ]),
    Kind("virtual_key", lambda f, n: dict(key_alias=n, team_alias=f.team_alias, max_budget=2,
                                          key_file=str(f.key_dir / n)), dict(max_budget=3), [
        Refusal("team by id and alias", lambda f: dict(key_alias=f.prefix + "both", team_id=f.team_id,
                                                       team_alias=f.team_alias, key_file=str(f.key_dir / "both")),
                contains="mutually exclusive"),
        Refusal("team nobody has", lambda f: dict(key_alias=f.prefix + "noteam", team_alias=f.prefix + "noteam",
                                                  key_file=str(f.key_dir / "noteam")),
                contains="no team has team_alias"),
    ]),
    Kind("customer", lambda f, n: dict(user_id=n, alias="a customer", max_budget=10), dict(max_budget=12), [
        Refusal("budget and limits", lambda f: dict(user_id=f.prefix + "both", budget_id=f.prefix + "b",
                                                    max_budget=3), contains="mutually exclusive"),
    ]),
    Kind("access_group", lambda f, n: dict(access_group_name=n, description="a group",
                                           access_model_names=["mock-gpt"]), dict(description="another"), [
        Refusal("id LiteLLM chooses", lambda f: dict(access_group_id=str(uuid.uuid4()),
                                                     access_group_name=f.prefix + "byid"),
                contains="LiteLLM chooses the access_group_id of a new access_group"),
    ]),
    Kind("fallback", lambda f, n: dict(model=n, fallback_models=[f.prefix + "fallback_target"]),
         dict(context_window_fallback_models=["mock-gpt"]), [
        Refusal("its own fallback", lambda f: dict(model=f.name("fallback", "module"),
                                                   fallback_models=[f.name("fallback", "module")]),
                contains="LiteLLM refuses a model that is its own fallback"),
        Refusal("unknown model", lambda f: dict(model=f.prefix + "nomodel", fallback_models=["mock-gpt"]),
                contains="which does not exist"),
    ]),
    Kind("jwt_key_mapping", lambda f, n: dict(jwt_claim_name="sub", jwt_claim_value=n, key=f.jwt_key,
                                              update_secrets="on_create", description="first"),
         dict(description="second"), [
        Refusal("create without its key", lambda f: dict(jwt_claim_name="sub", jwt_claim_value=f.prefix + "nokey"),
                contains="key is required to create a jwt_key_mapping"),
    ]),
    Kind("agent", lambda f, n: dict(agent_name=n, litellm_params={"model": "a2a/parity"}, agent_card_params=dict(
        protocolVersion="1.0", name="Parity agent", description="first", url=NOWHERE + "/")), dict(rpm_limit=60), [
        Refusal("protocol version", lambda f: dict(agent_name=f.prefix + "proto",
                                                   agent_card_params={"protocolVersion": "2.0"}),
                contains="agent_card_params.protocolVersion must be one of 0.3, 1.0"),
    ]),
    Kind("mcp_toolset", lambda f, n: dict(toolset_name=n, description="a toolset", tools=[TOOL]),
         dict(description="another"), [
        Refusal("a tool twice", lambda f: dict(toolset_name=f.prefix + "twice", tools=[TOOL, TOOL]), contains="a_tool"),
    ]),
    Kind("search_tool", lambda f, n: dict(search_tool_name=n, search_provider="tavily", api_base=NOWHERE,
                                          provider_api_key="os.environ/PARITY_SEARCH_KEY"), dict(provider_timeout=5.0), [
        Refusal("not a URL", lambda f: dict(search_tool_name=f.prefix + "url", search_provider="tavily",
                                            api_base="ftp://x"), contains="api_base must be an http:// or https:// URL"),
    ]),
    Kind("vector_store", lambda f, n: dict(vector_store_id=n, custom_llm_provider="openai", vector_store_name="a store",
                                           litellm_params={"api_base": NOWHERE}), dict(vector_store_description="another"), [
        Refusal("secret in litellm_params", lambda f: dict(vector_store_id=f.prefix + "secret", custom_llm_provider="openai",
                                                           litellm_params={"api_key": "sk-parity"}),
                contains="litellm_params.api_key holds a secret"),
    ]),
    # a change is the prompt's next version in its environment; the delete names the environment as a query parameter
    Kind("prompt", lambda f, n: dict(prompt_id=n, environment="staging", dotprompt_content="first"),
         dict(dotprompt_content="another"), [
        Refusal("a version suffix in the id", lambda f: dict(prompt_id=f.prefix + "x_v2", dotprompt_content="x"),
                contains="must not contain '_v'"),
    ]),
    # a change is a new version (draft, edit, publish, promote); attachments by create and delete
    Kind("policy", lambda f, n: dict(policy_name=n, description="first", guardrails_add=["parity-guard"],
                                     attachments=[{"tags": [n + "-*"]}]),
         dict(description="another"), [
        Refusal("attachment applying nowhere",
                lambda f: dict(policy_name=f.prefix + "nowhere", attachments=[{"priority": 1}]),
                contains="attachments has an entry that applies nowhere"),
    ]),
    Kind("model_alias", lambda f, n: dict(alias=n, model="mock-gpt"), dict(hidden=True), [
        Refusal("naming itself", lambda f: dict(alias=f.prefix + "self", model=f.prefix + "self"),
                contains="must not name itself as its model"),
        Refusal("not a model name", lambda f: dict(alias=f.prefix + "two words", model="mock-gpt"),
                contains="is not a model name clients can send"),
    ]),
    # LiteLLM makes a team admin only with its Enterprise licence (a team's create is the exception)
    Kind("team_member", lambda f, n: member_of(f, n, "user"), dict(role="admin"), [], premium=True, plural="teams"),
]

STEPS = (("create (check)", "create", True), ("create", "create", False), ("again", "create", False),
         ("update (check)", "update", True), ("update", "update", False), ("delete", "delete", False))
BY_ROW = dict((row.kind, row) for row in TABLE)


def test_a_model_plan_compares_the_model_info_keys_its_row_declares():
    """The model_info keys compared are those the model row gives (LiteLLM fills the others from its cost map)."""
    fixtures = Fixtures(prefix="p-", key_dir=Path("."))
    view = {"model_name": "p-model_m", "model_info": {"owner": "parity", "stage": "two", "team": "t", "max_tokens": 64}}
    assert declared("model", view, fixtures)["model_info"] == {"owner": "parity", "stage": "two"}
    row = dataclasses.replace(BY_ROW["model"], update=dict(model_info={"owner": "parity", "team": "t"}))
    assert declared("model", view, fixtures, row)["model_info"] == {"owner": "parity", "team": "t"}


def test_the_table_covers_every_kind():
    """Every kind the gateway engine manages has a row, and so has the one kind only a module manages. The proxy's
    settings are no engine kind (gateway_state plans them apart)."""
    assert sorted(BY_ROW) == sorted([r.kind for r in KINDS] + ["team_member"])
    assert all(row.update for row in TABLE)


def step_name(kind: str, step: str, engine: str) -> str:
    return f"{kind}/{step}/{engine}"


def gateway_step(step: str, premium: bool) -> str:
    """The one gateway task of a step, for the rows of the plain proxy or for those of the premium twin."""
    return f"{step}/gateway" + (" (premium)" if premium else "")


def inputs(row: Kind, fixtures: Fixtures, step: str, engine: str) -> dict[str, Any]:
    """The module's options for one step; the gateway's object is made from the same (``as_document``)."""
    options = row.create(fixtures, fixtures.name(row.kind, engine))
    if step == "update":
        options.update(row.update)
    if step == "delete":
        options["state"] = "absent"
    return options


def as_document(row: Kind, fixtures: Fixtures, options: dict[str, Any], engine: str) -> dict[str, Any]:
    """The gateway document of a module's options: the object under its kind; a team member as its team's members
    (the other members kept; its removal as purge_members with the others)."""
    if row.kind != "team_member":
        return {row.plural: [options]}
    others = fixtures.member_live[engine]
    member = dict(user_email=options["user_email"], role=options["role"])
    if options.get("state") == "absent":
        team = dict(team_alias=options["team_alias"], members=others, purge_members=True)
    else:
        team = dict(team_alias=options["team_alias"], members=others + [member])
    return {"teams": [team]}


class Playbook:
    """The tasks of the one playbook: each step's module or gateway task, through its recorder's step URL."""

    def __init__(self, recorders: dict[bool, RecordingProxy], key: str, key_dir: Path) -> None:
        self.recorders, self.key, self.key_dir = recorders, key, key_dir
        self.tasks: list[dict[str, Any]] = []
        self.premium: dict[str, bool] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.seconds: dict[str, float] = {}  # each task's time, printed with -s (the slowest first)

    def add(self, name: str, module: str, options: dict[str, Any], check: bool, premium: bool) -> None:
        self.premium[name] = premium
        task = {"name": name, module: dict(options, api_url=self.recorders[premium].step_url(name)),
                "ignore_errors": True, "diff": True}
        if check:
            task["check_mode"] = True
        self.tasks.append(task)

    def module(self, name: str, kind: str, options: dict[str, Any], check: bool, premium: bool) -> None:
        self.add(name, f"llmops.litellm.{kind}", options, check, premium)

    def gateway(self, name: str, document: dict[str, Any], check: bool, premium: bool, **more: Any) -> None:
        self.add(name, "llmops.litellm.gateway_state", dict(document=document, key_dir=str(self.key_dir), **more),
                 check, premium)

    def run(self) -> None:
        defaults = {"group/llmops.litellm.litellm": {"api_key": self.key}}
        result = run_tasks(self.tasks, module_defaults=defaults, env={"ANSIBLE_PIPELINING": "true"},
                           timeout=2400)  # one run of every row: ~10 min on a quiet machine, more when loaded
        for play in result.plays:
            for task in play["tasks"]:
                self.results[task["task"]["name"]] = task["hosts"]["localhost"]
                duration = task["task"].get("duration") or {}
                if duration.get("start") and duration.get("end"):
                    self.seconds[task["task"]["name"]] = (datetime.fromisoformat(duration["end"].rstrip("Z"))
                                                          - datetime.fromisoformat(duration["start"].rstrip("Z"))
                                                          ).total_seconds()
        missing = [t["name"] for t in self.tasks if t["name"] not in self.results]
        assert not missing, (missing[:5], result.stderr[-2000:])

    def writes(self, name: str) -> list[tuple[str, str]]:
        return [r for r in self.recorders[self.premium[name]].step(name) if r[0] in WRITE_METHODS]

    def bodies(self, name: str) -> list[tuple[str, str, str]]:
        """The writes of a task with their query and body."""
        return self.recorders[self.premium[name]].step_writes(name)


@dataclasses.dataclass
class Outcome:
    fixtures: Fixtures
    playbook: Playbook
    sent: dict[str, dict[str, collections.Counter]] = dataclasses.field(default_factory=dict)  # task -> kind -> writes
    unattributed: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # task -> writes of no one row

    def __post_init__(self) -> None:
        rows = [row for row in TABLE if step_name(row.kind, STEPS[0][0], "module") in self.playbook.results]
        for task, write, kind in gateway_writes(self.playbook, self.fixtures, rows):
            if kind is None:
                self.unattributed.setdefault(task, []).append(write)
            else:
                self.sent.setdefault(task, {}).setdefault(kind, collections.Counter())[write] += 1


def make_fixtures(proxy: Any, prefix: str, key_dir: Path) -> Fixtures:
    """The user that members and links name, a team for keys and user links, the teams of the team_member rows and
    the two teams of the rename refusal: made with LiteLLM's API, removed by the playbook's last (prune) tasks."""
    fixtures = Fixtures(prefix, key_dir, user_email=prefix + "member@example.com", team_alias=prefix + "fixture")

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = proxy.api("POST", path, json=body)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()
    fixtures.user_id = post("/user/new", {"user_email": fixtures.user_email, "auto_create_key": False,
                                          "models": ["mock-gpt"]})["user_id"]
    fixtures.team_id = post("/team/new", {"team_alias": fixtures.team_alias})["team_id"]
    for engine in ENGINES:
        alias = fixtures.name("team_member", engine)
        team_id = post("/team/new", {"team_alias": alias})["team_id"]
        info = proxy.api("GET", "/team/info", params={"team_id": team_id}).json()["team_info"]
        fixtures.member_live[engine] = [dict((k, m[k]) for k in ("user_id", "user_email", "role") if m.get(k))
                                        for m in info["members_with_roles"]]
    fixtures.rename_ids = [post("/team/new", {"team_alias": prefix + alias})["team_id"] for alias in ("first", "second")]
    # the fallback rows' models (named like their objects) and the model they fall back to; the jwt rows' key
    for model in [fixtures.name("fallback", engine) for engine in ENGINES] + [prefix + "fallback_target"]:
        post("/model/new", {"model_name": model, "litellm_params": {"model": "openai/mock", "mock_response": "hi"}})
    fixtures.jwt_key = post("/key/generate", {"key_alias": prefix + "jwt_key"})["key"]
    return fixtures


def selected_kinds(request: pytest.FixtureRequest) -> set[str]:
    """The kinds of the tests this session runs (``-k credential`` plays only that row)."""
    return set(item.callspec.params["kind"] for item in request.session.items
               if hasattr(item, "callspec") and "kind" in item.callspec.params)


@pytest.fixture(scope="module")
def outcome(request, litellm_proxy, litellm_proxy_premium, tmp_path_factory) -> Iterator[Outcome]:
    """Every row's steps and refusals, module and gateway, in one ansible-playbook run."""
    kinds = selected_kinds(request)
    prefix = f"it_pt_{uuid.uuid4().hex[:8]}_"
    key_dir = tmp_path_factory.mktemp("parity-keys")
    with RecordingProxy(litellm_proxy.url) as plain, RecordingProxy(litellm_proxy_premium.url) as premium:
        playbook = Playbook({False: plain, True: premium}, litellm_proxy.master_key, key_dir)
        fixtures = make_fixtures(litellm_proxy, prefix, key_dir)
        rows = [r for r in TABLE if r.kind in kinds]
        for step, what, check in STEPS:
            documents: dict[bool, dict[str, list[Any]]] = {}
            for row in rows:
                playbook.module(step_name(row.kind, step, "module"), row.kind,
                                inputs(row, fixtures, what, "module"), check, row.premium)
                document = as_document(row, fixtures, inputs(row, fixtures, what, "gateway"), "gateway")
                for plural, objects in document.items():
                    documents.setdefault(row.premium, {}).setdefault(plural, []).extend(objects)
            for on_premium, document in documents.items():  # one write at a time, as the modules write
                playbook.gateway(gateway_step(step, on_premium), document, check, on_premium, workers=1)
        for row in rows:
            for refusal in row.refusals:
                options = refusal.options(fixtures)
                document = refusal.document(fixtures) if refusal.document else options
                name = step_name(row.kind, "refuse " + refusal.name, "%s")
                playbook.module(name % "module", row.kind, options, refusal.check, refusal.premium)
                playbook.gateway(name % "gateway", {row.plural: [document]}, refusal.check, refusal.premium)
        kinds = [row.plural for row in TABLE if row.plural != "organizations"]
        playbook.gateway("cleanup", dict((plural, []) for plural in kinds), False, False,
                         scope={"name_prefix": prefix}, unmanaged="prune")
        playbook.gateway("cleanup organizations", {"organizations": []}, False, True,
                         scope={"name_prefix": prefix}, unmanaged="prune")
        started = time.monotonic()
        playbook.run()
        print("\nparity playbook: %d tasks in %.1f s; slowest: %s" % (
            len(playbook.tasks), time.monotonic() - started, ", ".join(
                "%s %.1f s" % (n, t) for n, t in sorted(playbook.seconds.items(), key=lambda i: -i[1])[:8])))
        yield Outcome(fixtures, playbook)
    for name in ("cleanup", "cleanup organizations"):
        assert not playbook.results[name].get("failed"), playbook.results[name].get("msg")


# comparing ---------------------------------------------------------------------------------------------------------

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32,64}\b")


def placeholders(value: Any, fixtures: Fixtures, kind: str) -> Any:
    """``value`` with both engines' names of the kind's object written ``<name>``, and ids ``<id>``."""
    if isinstance(value, dict):
        return dict((k, placeholders(v, fixtures, kind)) for k, v in value.items())
    if isinstance(value, list):
        return [placeholders(v, fixtures, kind) for v in value]
    if isinstance(value, str):
        for engine in ENGINES:
            value = value.replace(fixtures.name(kind, engine), "<name>")
        return UUID.sub("<id>", value)
    return value


def row_keys(row: Kind, fixtures: Fixtures, option: str) -> set[str]:
    """The keys of a dict option that the row declares, in its create or its update."""
    given = [row.create(fixtures, fixtures.name(row.kind, "module")).get(option), row.update.get(option)]
    return set(key for value in given if isinstance(value, dict) for key in value)


def declared(kind: str, view: dict[str, Any] | None, fixtures: Fixtures, row: Kind | None = None) -> dict[str, Any]:
    """What a diff shows of the options the user declares (``row``: the kind's row of TABLE): no secrets, no
    read-only attributes, no unset options; the object's generated id as ``<id>``."""
    resource, row = BY_KIND[kind], row or BY_ROW[kind]
    shown = {}
    for name, value in (view or {}).items():
        field = resource.by_name.get(name)
        if value is None or (field is not None and (field.no_log or not field.option or field.create_only)):
            continue
        shown[name] = "<id>" if name == resource.id_field != resource.key_field else value
    if kind == "model" and isinstance(shown.get("model_info"), dict):
        # the keys the row declares: LiteLLM fills the others from its cost map, which is one per proxy process and
        # changes while other tests register pricing for the same provider model (max_tokens 16384 read as 64)
        keys = row_keys(row, fixtures, "model_info")
        shown["model_info"] = dict((k, v) for k, v in shown["model_info"].items() if k in keys)
    return placeholders(shown, fixtures, kind)


def member_part(view: dict[str, Any] | None, fixtures: Fixtures) -> dict[str, Any]:
    """The fixture user's membership in a member's view (team_member) or a team's view (its members)."""
    view = view or {}
    if "members" in view:
        view = next((m for m in view["members"] or [] if (m.get("user_email") or "").lower() == fixtures.user_email),
                    {})
    return dict((k, view.get(k)) for k in ("user_id", "user_email", "role") if view.get(k) is not None)


def subject(row: Kind, fixtures: Fixtures) -> tuple[str, str]:
    """(kind, name) of a row's gateway object, as the gateway reports it (a team member's: its team)."""
    return ("team" if row.kind == "team_member" else row.kind), fixtures.name(row.kind, "gateway")


def entries(result: dict[str, Any], key: str, of: tuple[str, str]) -> list[dict[str, Any]]:
    """The entries of one object in a gateway result's ``diff`` or ``changes``."""
    if key == "diff":
        return [d for d in result.get("diff") or [] if d["before_header"] == "%s %s" % of]
    return [c for c in result.get("changes") or [] if (c["kind"], c["name"]) == of]


def plan(kind: str, diff: dict[str, Any] | None, fixtures: Fixtures) -> tuple[bool, Any]:
    """(changed, [before, after]) of one object's diff, as the user declares the object."""
    if diff is None:
        return False, None
    if kind == "team_member":
        return True, [member_part(diff["before"], fixtures), member_part(diff["after"], fixtures)]
    return True, [declared(kind, diff["before"], fixtures), declared(kind, diff["after"], fixtures)]


def module_plan(kind: str, result: dict[str, Any], fixtures: Fixtures) -> tuple[bool, Any]:
    if not result.get("changed"):
        return False, None
    assert result.get("diff"), result
    return plan(kind, result["diff"], fixtures)


def gateway_plan(row: Kind, result: dict[str, Any], fixtures: Fixtures) -> tuple[bool, Any]:
    found = entries(result, "diff", subject(row, fixtures))
    assert len(found) <= 1, found
    return plan(row.kind, found[0] if found else None, fixtures)


def predicted_after(step: str, changes: list[dict[str, Any]]) -> bool:
    """Whether the gateway's diff shows its prediction of the object after a real run: it reads no object back
    after an update (only after a create), where the module does."""
    return not step.endswith("(check)") and any(c["action"] == "update" for c in changes)


def writes(playbook: Playbook, name: str, fixtures: Fixtures, kind: str) -> collections.Counter:
    return collections.Counter(placeholders("%s %s" % w, fixtures, kind) for w in playbook.writes(name))


def ids_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(ids_in(v) for v in value))
    return set(UUID.findall(value)) if isinstance(value, str) else set()


# The writes that carry a whole map of the router settings, and where the map is in their body: each names every
# entry in force, so the entries it adds, changes or removes say which object it writes.
WHOLE_MAPS = {("POST", CONFIG_UPDATE): ("router_settings", "model_group_alias")}


def whole_map_changes(tasks: list[tuple[str, bool, list[tuple[str, str, str]]]],
                      prefix: str) -> dict[tuple[str, int], set[str]]:
    """The entries named with this run's ``prefix`` that each whole-map write (WHOLE_MAPS) adds, changes or removes,
    keyed by (task, the write's index among the task's writes); ``tasks``: (name, premium, writes with their
    bodies) in the order they ran. A map is compared with the map the write before it sent through the same recorder
    (the tasks run one at a time; other writers of a shared proxy write entries of their own prefix)."""
    sent: dict[tuple[bool, str, str], dict[str, Any]] = {}
    found = {}
    for name, premium, bodies in tasks:
        for index, (method, path, text) in enumerate(bodies):
            if (method, path) not in WHOLE_MAPS:
                continue
            after = json.loads(text.split("\n", 1)[1] or "null")  # the recorder's text: query, newline, body
            for key in WHOLE_MAPS[method, path]:
                after = after.get(key) if isinstance(after, dict) else None
            if not isinstance(after, dict):  # the call without the map (the proxy settings' other keys)
                continue
            before = sent.get((premium, method, path), {})
            sent[premium, method, path] = after
            found[name, index] = set(entry for entry in set(before) | set(after)
                                     if entry.startswith(prefix) and before.get(entry) != after.get(entry))
    return found


def gateway_writes(playbook: Playbook, fixtures: Fixtures, rows: list[Kind]) -> Iterator[tuple[str, str, str | None]]:
    """(gateway task, write with placeholders, kind of the row whose object it writes, or None: given to no object
    or to two) of every write of the gateway steps. A write belongs to the object whose name or LiteLLM id (from the
    gateway's diffs of it, less the ids two rows or the fixtures share) it sends; one naming none of them, to the
    only row whose module sent the same call in that step; a whole-map write, to the row whose object is the one
    entry of this run it changes (whole_map_changes), never by the names it sends."""
    tasks = [(step, premium) for step, _what, _check in STEPS for premium in (False, True)
             if gateway_step(step, premium) in playbook.results]
    found = {}
    for row in rows:
        diffs = [entries(playbook.results[gateway_step(*task)], "diff", subject(row, fixtures)) for task in tasks]
        found[row.kind] = ids_in(diffs) | {fixtures.name(row.kind, "gateway")}
    counted = collections.Counter(i for names in found.values() for i in names)
    shared = {fixtures.user_id, fixtures.team_id, *fixtures.rename_ids} | {i for i, n in counted.items() if n > 1}
    patterns = dict((kind, [re.compile(r"(?<![\w.@+-])%s(?![\w.@+-])" % re.escape(i)) for i in names - shared])
                    for kind, names in found.items())
    changing = whole_map_changes([(t["name"], playbook.premium[t["name"]], playbook.bodies(t["name"]))
                                  for t in playbook.tasks], fixtures.prefix)
    for step, premium in tasks:
        task = gateway_step(step, premium)
        group = [row for row in rows if row.premium == premium]
        module = dict((row.kind, writes(playbook, step_name(row.kind, step, "module"), fixtures, row.kind))
                      for row in group)
        for index, (method, path, text) in enumerate(playbook.bodies(task)):
            if (task, index) in changing:  # it sends every alias in force: the one it changes is its object
                owners = [row for row in group if changing[task, index] == {fixtures.name(row.kind, "gateway")}]
            else:
                owners = [row for row in group if any(p.search(path + "\n" + text) for p in patterns[row.kind])]
                if len(owners) != 1:
                    owners = [row for row in group if placeholders("%s %s" % (method, path), fixtures, row.kind)
                              in module[row.kind]]
            if len(owners) == 1:
                yield task, placeholders("%s %s" % (method, path), fixtures, owners[0].kind), owners[0].kind
            else:
                yield task, "%s %s" % (method, path), None


def test_a_whole_map_write_names_the_aliases_it_changes():
    """A /config/update of the alias map is given to the aliases of this run it adds, changes or removes against the
    map sent before it through the same recorder, whatever else the map holds: one that also drops another alias of
    this run names two (and is then given to no row); one without the map is no whole-map write."""
    def update(aliases: dict[str, Any]) -> tuple[str, str, str]:
        return "POST", CONFIG_UPDATE, "\n" + json.dumps({"router_settings": {"model_group_alias": aliases}})
    tasks = [("module", False, [update({"p-a_m": "x", "theirs": "y"})]),
             ("premium", True, [update({"p-b_m": "x"})]),
             ("gateway", False, [update({"p-a_m": "x", "p-a_g": "x"}),
                                 update({"p-a_g": {"model": "x", "hidden": True}}),
                                 ("POST", CONFIG_UPDATE, "\n" + json.dumps({"router_settings": {"num_retries": 2}}))])]
    assert whole_map_changes(tasks, "p-") == {("module", 0): {"p-a_m"}, ("premium", 0): {"p-b_m"},
                                              ("gateway", 0): {"p-a_g"}, ("gateway", 1): {"p-a_g", "p-a_m"}}


def test_a_gateway_step_changes_only_the_objects_of_the_rows(outcome: Outcome):
    """Each gateway step reports one diff entry per object it changes (no cascade, no other object), it is changed
    exactly when it has one, and every write it sends is one row's object's."""
    playbook, fixtures = outcome.playbook, outcome.fixtures
    subjects = ["%s %s" % subject(row, fixtures) for row in TABLE]
    for step, _what, _check in STEPS:
        for premium in (False, True):
            result = playbook.results.get(gateway_step(step, premium))
            if result is None:
                continue
            headers = [d["before_header"] for d in result.get("diff") or []]
            assert len(headers) == len(set(headers)) and set(headers) <= set(subjects), (step, headers)
            assert bool(result.get("changed")) is bool(headers), (step, result.get("changed"), headers)
            assert not outcome.unattributed.get(gateway_step(step, premium)), outcome.unattributed


@pytest.mark.parametrize("kind", [row.kind for row in TABLE])
def test_same_plan_and_writes(outcome: Outcome, kind: str):
    """Create (check mode, then applied), apply again, update (check mode, then applied), delete: the module and
    the gateway report the same change and send the same writes."""
    playbook, fixtures, row = outcome.playbook, outcome.fixtures, BY_ROW[kind]
    differences = []
    for step, _what, _check in STEPS:
        task = gateway_step(step, row.premium)
        results = {"module": playbook.results[step_name(kind, step, "module")], "gateway": playbook.results[task]}
        for engine, result in results.items():
            assert not result.get("failed"), (step, engine, result.get("msg"))
        plans = {"module": module_plan(kind, results["module"], fixtures),
                 "gateway": gateway_plan(row, results["gateway"], fixtures)}
        expected = step != "again"
        assert plans["module"][0] is expected, (step, results["module"])
        changes = entries(results["gateway"], "changes", subject(row, fixtures))
        if predicted_after(step, changes) and plans["module"][0] and plans["gateway"][0]:
            # the gateway predicts; the module read back: what the prediction shows must be what was read
            after = plans["gateway"][1][1]
            plans["module"][1][1] = dict((k, v) for k, v in plans["module"][1][1].items() if k in after)
        if plans["module"] != plans["gateway"]:
            differences.append((step, "plan", plans["module"], plans["gateway"]))
        sent = {"module": writes(playbook, step_name(kind, step, "module"), fixtures, kind),
                "gateway": outcome.sent.get(task, {}).get(kind, collections.Counter())}
        if sent["module"] != sent["gateway"]:
            differences.append((step, "writes", dict(sent["module"]), dict(sent["gateway"])))
        if outcome.unattributed.get(task):
            differences.append((step, "gateway writes of no object or of two", outcome.unattributed[task]))
        if step.endswith("(check)") or step == "again":
            assert not sent["module"], (step, sent)
        else:
            assert sent["module"], (step, "no write")
    assert not differences, "\n".join(repr(d) for d in differences)


def reason(message: str) -> str:
    """The module's sentence: what follows ``failed to <action> <object>: `` (an option check has no prefix)."""
    return message.split(": ", 1)[1] if message.startswith("failed to ") else message


@pytest.mark.parametrize("kind,case", [(row.kind, refusal.name) for row in TABLE for refusal in row.refusals])
def test_same_refusal(outcome: Outcome, kind: str, case: str):
    """The module and the gateway refuse the same input with the same sentence (the gateway naming the object in
    its document), before any write."""
    playbook = outcome.playbook
    refusal = next(r for r in BY_ROW[kind].refusals if r.name == case)
    name = step_name(kind, "refuse " + case, "%s")
    module, gateway = playbook.results[name % "module"], playbook.results[name % "gateway"]
    assert module.get("failed"), module
    sentence = reason(module["msg"])
    assert refusal.contains in sentence, sentence
    assert gateway.get("failed"), gateway
    where = f"{BY_ROW[kind].plural}[0]"
    assert where in gateway["msg"] and gateway["msg"].endswith(": " + sentence), (gateway["msg"], sentence)
    assert playbook.writes(name % "module") == [] and playbook.writes(name % "gateway") == []
