"""One playbook per object for the integration tests of guardrail, tag, access_group and mcp_server.

Each ansible-playbook process costs seconds, so a test builds one play with every step of an object's life:
the amazon.aws four steps (apply --check -> changed, the API shows nothing written; apply -> changed;
apply --check -> not changed; apply -> not changed) for the create, for each option changed alone and for the
delete, with plain HTTP reads of the proxy (``ansible.builtin.uri``) between the steps. The test then checks every
step's registered result.

Option changes are batched: every option's check-mode step runs first, alone and from the same state, then one
read shows that none of them wrote, then each option is applied alone (changed), checked again and applied again.
With ``together=True`` the last two steps run once with every changed option set instead of once per option:
the engine compares each option on its own (``changed`` is true when any set option differs, and nothing is sent
otherwise), so they say of each option what they would say alone, and also catch an update that undoes an
earlier one, in two tasks instead of two per option.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from tests.lib.playbook import PlaybookResult, run_tasks

GROUP = "group/llmops.litellm.litellm"


@dataclasses.dataclass
class Steps:
    """The tasks of one play against ``proxy`` for one module, and its result once run."""

    proxy: Any
    module: str                     # short name: "tag"
    key: dict[str, Any]             # the options that find the object: {"name": "it-tag-1234"}
    tasks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    result: PlaybookResult | None = None

    def task(self, name: str, options: dict[str, Any], *, module: str | None = None, check: bool = False,
             diff: bool = False, **keywords: Any) -> None:
        task = {"name": name, f"llmops.litellm.{module or self.module}": options, **keywords}
        if check:
            task["check_mode"] = True
        if diff:
            task["diff"] = True
        self.tasks.append(task)

    def apply(self, name: str, check: bool = False, diff: bool = False, ignore_errors: bool = False,
              **options: Any) -> None:
        """The module with the object's key and ``options``; ``ignore_errors`` for the steps meant to fail."""
        keywords = {"ignore_errors": True} if ignore_errors else {}
        self.task(name, dict(self.key, **options), check=check, diff=diff, **keywords)

    def read(self, name: str, path: str, method: str = "GET", body: Any = None) -> None:
        """A plain HTTP call of the proxy with the master key; its JSON answer is the task's ``json``."""
        uri = {"url": self.proxy.url + path, "method": method, "headers": {"Authorization": "Bearer {{ master_key }}"},
               "timeout": 60}
        if body is not None:
            uri.update(body_format="json", body=body)
        self.tasks.append({"name": name, "ansible.builtin.uri": uri, "no_log": False})

    def four_steps(self, label: str, read_path: str, **options: Any) -> None:
        """--check, read, apply, --check, apply (create, or delete with state=absent), then a read."""
        self.apply(f"{label}: check", check=True, diff=True, **options)
        self.read(f"{label}: read after check", read_path)
        self.apply(f"{label}: apply", diff=True, **options)
        self.apply(f"{label}: check again", check=True, **options)
        self.apply(f"{label}: apply again", **options)
        self.read(f"{label}: read after apply", read_path)

    def each_option(self, read_path: str, changes: list[tuple[str, Any]], together: bool = False) -> None:
        """Each option changed alone: all check-mode steps, one read, then apply/check/apply per option (with
        ``together``: apply per option, then check and apply once with all of them)."""
        for option, value in changes:
            self.apply(f"{option}: check", check=True, diff=True, **{option: value})
        self.read("options: read after checks", read_path)
        for option, value in changes:
            self.apply(f"{option}: apply", diff=True, **{option: value})
            if not together:
                self.apply(f"{option}: check again", check=True, **{option: value})
                self.apply(f"{option}: apply again", **{option: value})
        if together:
            self.apply("options: check again", check=True, **dict(changes))
            self.apply("options: apply again", **dict(changes))
        self.read("options: read after applies", read_path)

    def run(self, **kwargs: Any) -> PlaybookResult:
        defaults = {GROUP: {"api_url": self.proxy.url, "api_key": self.proxy.master_key}}
        self.result = run_tasks(self.tasks, module_defaults=defaults,
                                extra_vars={"master_key": self.proxy.master_key}, **kwargs)
        return self.result

    def __getitem__(self, name: str) -> dict[str, Any]:
        assert self.result is not None, "run() first"
        return self.result.task(name)

    def ok(self) -> None:
        """The play ran to its end; else name the first failed task and its message."""
        assert self.result is not None
        if self.result.rc != 0:
            for play in self.result.plays:
                for task in play["tasks"]:
                    outcome = task["hosts"].get("localhost", {})
                    if outcome.get("failed") and not outcome.get("ignore_errors"):
                        raise AssertionError(f"task {task['task']['name']!r} failed: {outcome.get('msg')}")
            raise AssertionError(self.result.stderr[-3000:] or self.result.stdout[-3000:])


def check_four_steps(steps: Steps, label: str, kind: str, found: Callable[[str], Any], absent: bool = False) -> None:
    """The four steps of ``label`` went as they must; ``found(task name)`` picks the object out of a read."""
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


def check_each_option(steps: Steps, kind: str, changes: list[tuple[str, Any]], found: Callable[[str], Any],
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
