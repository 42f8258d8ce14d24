"""The integration tests' one helper for driving the modules: the amazon.aws four steps of an object's life,
batched into as few ansible-playbook runs as a test allows (each ansible-playbook process costs seconds).

The four steps, for the create, for each option changed alone and for the delete: apply --check (changed, and a
plain HTTP read of LiteLLM shows nothing written), apply (changed), apply --check again (not changed), apply again
(not changed), then an HTTP read of the result. Reads go through ``ansible.builtin.uri`` against LiteLLM's own
endpoints, never through the modules under test.

- ``Steps`` builds one play step by step (``four_steps``, ``each_option``, any other module task or read) and
  runs it once; ``check_four_steps`` / ``check_each_option`` assert what those steps must show.
- ``Lifecycle`` is the table-driven form: a key, the create's options and the options to change, built with
  ``Steps`` (create, every option, the ``extra`` tasks, absent) and verified with the same checks.
- ``Scenario`` is one test's corner of the proxy for the tests that run a task at a time (the team module's):
  a unique alias, the users it made, direct API reads and the cleanup.

Option changes are batched: every option's --check runs first, alone and from the same state, then one read
shows that none of them wrote, then each option is applied alone (changed). With ``together=True`` the last two
steps run once with every changed option set instead of once per option: the engine compares each option on its
own (``changed`` is true when any set option differs, and nothing is sent otherwise), so they say of each option
what they would say alone, and also catch an update that undoes an earlier one, in two tasks instead of two per
option.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable
from urllib.parse import urlencode

from tests.lib.playbook import PlaybookResult, run_tasks

GROUP = "group/llmops.litellm.litellm"


def module_task(name: str, module: str, args: dict[str, Any], check: bool = False, diff: bool = False,
                ignore_errors: bool = False) -> dict[str, Any]:
    """A task of ``llmops.litellm.<module>``; ``ignore_errors`` for the steps meant to fail."""
    task: dict[str, Any] = {"name": name, f"llmops.litellm.{module}": args}
    if check:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def read_task(name: str, proxy: Any, path: str, params: dict[str, Any] | None = None,
              method: str = "GET", body: Any = None) -> dict[str, Any]:
    """A plain HTTP call of LiteLLM with the master key (its answer is in the task result's ``json``; 404 is an
    answer too)."""
    args: dict[str, Any] = {
        "url": proxy.url + path + ("?" + urlencode(params) if params else ""),
        "method": method,
        "headers": {"Authorization": f"Bearer {proxy.master_key}"},
        "status_code": [200, 404],
        "return_content": True,
        "timeout": 60,
    }
    if body is not None:
        args.update(body=body, body_format="json")
    return {"name": name, "ansible.builtin.uri": args}


def run(proxy: Any, *tasks: dict[str, Any], connection: dict[str, Any] | None = None, **kwargs: Any) -> PlaybookResult:
    """One play of ``tasks`` with the module group's connection to ``proxy`` (or ``connection``) as defaults."""
    defaults = {"api_url": proxy.url, "api_key": proxy.master_key} if connection is None else connection
    return run_tasks(list(tasks), module_defaults={GROUP: defaults}, **kwargs)


def failures(result: PlaybookResult) -> str:
    """The messages of the failed tasks of a run, for assertion messages."""
    found = []
    for play in result.plays:
        for task in play["tasks"]:
            for outcome in task["hosts"].values():
                if outcome.get("failed") and not outcome.get("ignore_errors"):
                    found.append(f"task {task['task']['name']!r} failed: {outcome.get('msg')}")
    return "\n".join(found) or (result.stdout[-3000:] + result.stderr[-3000:])


def ok(answer: dict[str, Any]) -> Any:
    """The JSON of a uri read, None when LiteLLM answered 404."""
    return None if answer["status"] == 404 else answer["json"]


def sort(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


# Where a step reads the object: an API path (a GET of it) or a function of the read's task name making the task.
Where = str | Callable[[str], dict[str, Any]]


@dataclasses.dataclass
class Steps:
    """The tasks of one play against ``proxy`` for one module, and its result once run."""

    proxy: Any
    module: str                     # short name: "tag"
    key: dict[str, Any]             # the options that find the object: {"name": "it-tag-1234"}
    # (the reads' tasks hold the master key: left out of the repr, as is the run's output)
    tasks: list[dict[str, Any]] = dataclasses.field(default_factory=list, repr=False)
    result: PlaybookResult | None = dataclasses.field(default=None, repr=False)

    def task(self, name: str, options: dict[str, Any], *, module: str | None = None, check: bool = False,
             diff: bool = False, ignore_errors: bool = False, **keywords: Any) -> None:
        """A module task (``module``: another module than the object's); ``keywords``: further task keywords."""
        self.tasks.append(dict(module_task(name, module or self.module, options, check, diff, ignore_errors),
                               **keywords))

    def apply(self, name: str, check: bool = False, diff: bool = False, ignore_errors: bool = False,
              **options: Any) -> None:
        """The module with the object's key and ``options``."""
        self.task(name, dict(self.key, **options), check=check, diff=diff, ignore_errors=ignore_errors)

    def read(self, name: str, where: Where, method: str = "GET", body: Any = None) -> None:
        self.tasks.append(read_task(name, self.proxy, where, method=method, body=body) if isinstance(where, str)
                          else where(name))

    def four_steps(self, label: str, where: Where, **options: Any) -> None:
        """--check, read, apply, --check, apply (create, or delete with state=absent), then a read."""
        self.apply(f"{label}: check", check=True, diff=True, **options)
        self.read(f"{label}: read after check", where)
        self.apply(f"{label}: apply", diff=True, **options)
        self.apply(f"{label}: check again", check=True, **options)
        self.apply(f"{label}: apply again", **options)
        self.read(f"{label}: read after apply", where)

    def each_option(self, where: Where, changes: list[tuple[str, Any]], together: bool = False) -> None:
        """Each option changed alone: all check-mode steps, one read, then apply/check/apply per option (with
        ``together``: apply per option, then check and apply once with all of them)."""
        for option, value in changes:
            self.apply(f"{option}: check", check=True, diff=True, **{option: value})
        self.read("options: read after checks", where)
        for option, value in changes:
            self.apply(f"{option}: apply", diff=True, **{option: value})
            if not together:
                self.apply(f"{option}: check again", check=True, **{option: value})
                self.apply(f"{option}: apply again", **{option: value})
        if together:
            self.apply("options: check again", check=True, **dict(changes))
            self.apply("options: apply again", **dict(changes))
        self.read("options: read after applies", where)

    def run(self, **kwargs: Any) -> PlaybookResult:
        self.result = run(self.proxy, *self.tasks, **kwargs)
        return self.result

    def __getitem__(self, name: str) -> dict[str, Any]:
        assert self.result is not None, "run() first"
        return self.result.task(name)

    def ok(self) -> None:
        """The play ran to its end; else name the failed tasks and their messages."""
        assert self.result is not None
        assert self.result.rc == 0, failures(self.result)


Found = Callable[[str], Any]  # the object out of the read of that task name, None when it does not exist


def check_four_steps(steps: Steps, label: str, kind: str, found: Found, absent: bool = False) -> None:
    """The four steps of ``label`` went as they must."""
    assert steps[f"{label}: check"]["changed"] is True
    before_check = found(f"{label}: read after check")
    assert (before_check is not None) is absent, "check mode wrote to LiteLLM"
    assert steps[f"{label}: apply"]["changed"] is True
    assert steps[f"{label}: check again"]["changed"] is False
    assert steps[f"{label}: apply again"]["changed"] is False
    assert (found(f"{label}: read after apply") is None) is absent
    if absent:
        assert steps[f"{label}: apply"][kind] == {}
    else:
        assert steps[f"{label}: apply again"][kind] == steps[f"{label}: apply"][kind]


def check_each_option(steps: Steps, kind: str, changes: list[tuple[str, Any]], found: Found,
                      base: dict[str, Any], expected: Callable[[str, Any], Any], together: bool = False) -> None:
    """Each option's four steps (as ``each_option`` ran them); ``base`` is the object as read before the checks,
    ``expected(option, value)`` the option's value as the module returns it."""
    assert found("options: read after checks") == base, "check mode wrote to LiteLLM"
    for option, value in changes:
        check, apply = steps[f"{option}: check"], steps[f"{option}: apply"]
        assert check["changed"] is True, option
        assert check["diff"]["after"][option] == expected(option, value), option
        assert check["diff"]["before"][option] != check["diff"]["after"][option], option
        assert apply["changed"] is True, option
        assert apply[kind][option] == expected(option, value), option
        if not together:
            assert steps[f"{option}: check again"]["changed"] is False, option
            assert steps[f"{option}: apply again"]["changed"] is False, option
    if together:
        assert steps["options: check again"]["changed"] is False
        assert steps["options: apply again"]["changed"] is False


@dataclasses.dataclass
class Lifecycle:
    """One object's life as a table: create, each option alone, the ``extra`` tasks, delete; one playbook run.

    ``read(task name)`` makes the HTTP read of the object, ``parse(task result)`` returns the object from its
    answer (None when it does not exist), ``live[option](object)`` an option's value in it as the module
    normalises it.
    """

    proxy: Any
    module: str
    key: dict[str, Any]
    create: dict[str, Any]
    changes: dict[str, Any]
    read: Callable[[str], dict[str, Any]]
    parse: Callable[[dict[str, Any]], Any]
    live: dict[str, Callable[[Any], Any]]
    normalise: Callable[[str, Any], Any] = staticmethod(lambda option, value: value)  # type: ignore[assignment]
    extra: list[dict[str, Any]] = dataclasses.field(default_factory=list, repr=False)  # reads hold the master key
    expected: dict[str, Any] = dataclasses.field(default_factory=dict)  # an option's value after its change, when
    # that is not the value set (a list the option adds to)
    absent: dict[str, Any] = dataclasses.field(default_factory=dict)  # more options of the delete (cascade: true)

    def after(self, option: str, value: Any) -> Any:
        return self.expected[option] if option in self.expected else self.normalise(option, value)

    @property
    def kind(self) -> str:
        return self.module

    def steps(self) -> Steps:
        steps = Steps(self.proxy, self.module, self.key)
        steps.four_steps("create", self.read, **self.create)
        steps.each_option(self.read, list(self.changes.items()), together=True)
        steps.tasks += self.extra
        steps.four_steps("absent", self.read, state="absent", **self.absent)
        return steps

    def run(self) -> Steps:
        steps = self.steps()
        steps.run()
        steps.ok()
        return steps

    def verify(self, steps: Steps) -> dict[str, Any]:
        """Assert the four steps of create, of each option and of absent; return the object's final state."""
        kind = self.kind

        def found(name: str) -> Any:
            return self.parse(steps[name])

        check_four_steps(steps, "create", kind, found)
        predicted, created = steps["create: check"], steps["create: apply"]
        assert predicted["diff"]["before"] == {}
        for option, value in self.create.items():
            assert created[kind][option] == predicted[kind][option] == self.normalise(option, value), option
        # One read after every option's --check: it shows what the create wrote, and that no --check wrote.
        live = found("options: read after checks")
        for option, value in self.create.items():
            if option in self.live:
                assert self.live[option](live) == self.normalise(option, value), option
        for option, value in self.changes.items():
            check = steps[f"{option}: check"]
            assert check["changed"] is True, option
            assert check[kind][option] == self.after(option, value), option
            assert check["diff"]["after"][option] == self.after(option, value), option
            assert self.live[option](live) == created[kind][option], f"the --check of {option} wrote to LiteLLM"
        for option, value in self.changes.items():
            applied = steps[f"{option}: apply"]
            assert applied["changed"] is True, option
            assert applied[kind][option] == self.after(option, value), option
        assert steps["options: check again"]["changed"] is False
        assert steps["options: apply again"]["changed"] is False
        final = found("options: read after applies")
        for option, value in self.changes.items():
            assert self.live[option](final) == self.after(option, value), option

        check_four_steps(steps, "absent", kind, found, absent=True)
        gone = steps["absent: check"]
        assert gone[kind] == {} and gone["diff"]["after"] == {} and gone["diff"]["before"]
        return final


@dataclasses.dataclass
class Scenario:
    """One test's corner of the proxy: a unique alias, the users it made, playbook runs and API reads."""

    proxy: Any
    alias: str
    users: list[str] = dataclasses.field(default_factory=list)

    def user(self, name: str) -> str:
        user_id = f"{self.alias}-{name}"
        self.users.append(user_id)
        return user_id

    def run(self, *tasks: dict[str, Any], connection: dict[str, Any] | None = None, **kwargs: Any) -> PlaybookResult:
        return run(self.proxy, *tasks, connection=connection, **kwargs)

    def apply(self, check: bool = False, diff: bool = False, **options: Any) -> dict[str, Any]:
        """Run llmops.litellm.team once with ``options`` and return its task result (failing on error)."""
        result = self.run(team_task(**options), check=check, diff=diff)
        assert result.rc == 0, failures(result)
        return result.task("team")

    def fail(self, connection: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        result = self.run(team_task(**options), connection=connection)
        assert result.rc != 0
        outcome = result.task("team")
        assert outcome["failed"]
        return outcome

    def teams(self, alias: str | None = None) -> list[dict[str, Any]]:
        """The teams with exactly this alias (default: the scenario's), from /team/info."""
        alias = alias or self.alias
        listed = self.proxy.api("GET", "/v2/team/list", params={"team_alias": alias, "page_size": 100})
        listed.raise_for_status()
        return [self.info(t["team_id"]) for t in listed.json()["teams"] if t["team_alias"] == alias]

    def info(self, team_id: str) -> dict[str, Any]:
        answer = self.proxy.api("GET", "/team/info", params={"team_id": team_id})
        answer.raise_for_status()
        return team_info(answer.json())

    def only_team(self, alias: str | None = None) -> dict[str, Any]:
        (team,) = self.teams(alias)
        return team

    def create_directly(self, **body: Any) -> str:
        answer = self.proxy.api("POST", "/team/new", json={"team_alias": self.alias, **body})
        assert answer.status_code == 200, answer.text
        return answer.json()["team_id"]

    def cleanup(self) -> None:
        listed = self.proxy.api("GET", "/v2/team/list", params={"team_alias": self.alias, "page_size": 100}).json()
        teams = listed.get("teams", [])
        members = {m["user_id"] for t in teams for m in t["members_with_roles"] if m.get("user_id")}
        if teams:
            self.proxy.api("POST", "/team/delete", json={"team_ids": [t["team_id"] for t in teams]})
        users = sorted((members | set(self.users)) - {"default_user_id"})
        if users:
            self.proxy.api("POST", "/user/delete", json={"user_ids": users})


def team_task(**options: Any) -> dict[str, Any]:
    return module_task("team", "team", options)


def team_info(answer: dict[str, Any]) -> dict[str, Any]:
    """The team of LiteLLM's answer to /team/info, without its usage counters (not state)."""
    team = dict(answer["team_info"])
    team.pop("model_max_budget_usage", None)
    return team


def members_of(team: dict[str, Any]) -> list[tuple[str | None, str]]:
    return sorted((m["user_id"] if not m["user_id"].startswith("default") else "default", m["role"])
                  for m in team["members_with_roles"])
