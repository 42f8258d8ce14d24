"""The amazon.aws four steps for one object, batched into one playbook run (each ansible-playbook costs seconds).

``Lifecycle.tasks()`` builds the tasks: create (--check, then a plain HTTP read proving nothing was written,
apply, --check again, apply again); every updatable option changed alone (each option's --check first, one HTTP
read proving none of them wrote, then each option applied alone, then --check and apply once more with all of
them, which are no change only if no option alone is one, and an HTTP read of the result); then ``state: absent``
the same four steps. ``Lifecycle.verify()`` asserts every step from the playbook's results.

The read after the options' --check shows both what the create wrote and, each option still having its created
value there, that none of the --check runs wrote.
Reads go through ``ansible.builtin.uri`` against LiteLLM's own endpoints, never through the modules under test.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable
from urllib.parse import urlencode

from tests.lib.playbook import PlaybookResult, run_tasks

GROUP = "group/llmops.litellm.litellm"


def module_task(name: str, module: str, args: dict[str, Any], check: bool = False, diff: bool = False,
                ignore_errors: bool = False) -> dict[str, Any]:
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
    """A plain HTTP read of LiteLLM (its answer is in the task result's ``json``; 404 is an answer too)."""
    args: dict[str, Any] = {
        "url": proxy.url + path + ("?" + urlencode(params) if params else ""),
        "method": method,
        "headers": {"Authorization": f"Bearer {proxy.master_key}"},
        "status_code": [200, 404],
        "return_content": True,
    }
    if body is not None:
        args.update(body=body, body_format="json")
    return {"name": name, "ansible.builtin.uri": args}


def run(proxy: Any, *tasks: dict[str, Any], **kwargs: Any) -> PlaybookResult:
    return run_tasks(list(tasks), module_defaults={GROUP: {"api_url": proxy.url, "api_key": proxy.master_key}},
                     **kwargs)


Read = Callable[[PlaybookResult, str], Any]


@dataclasses.dataclass
class Lifecycle:
    """The tasks and the checks of one object's life: create, each option alone, delete.

    ``read(result, task name)`` returns the object as LiteLLM answered the HTTP read of that name (None when it
    does not exist); ``live[option](object)`` returns an option's value from it, as the module normalises it.
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
    extra: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    expected: dict[str, Any] = dataclasses.field(default_factory=dict)  # an option's value after its change, when
    # that is not the value set (a list the option adds to)

    def after(self, option: str, value: Any) -> Any:
        return self.expected[option] if option in self.expected else self.normalise(option, value)

    @property
    def kind(self) -> str:
        return self.module

    def tasks(self) -> list[dict[str, Any]]:
        m, key, create = self.module, self.key, dict(self.key, **self.create)
        absent = dict(key, state="absent")
        steps = [
            module_task("create --check", m, create, check=True, diff=True),
            self.read("read after create --check"),
            module_task("create", m, create, diff=True),
            module_task("create --check again", m, create, check=True),
            module_task("create again", m, create),
        ]
        steps += [module_task(f"{o} --check", m, dict(key, **{o: v}), check=True, diff=True) for o, v in self.changes.items()]
        steps.append(self.read("read after the options' --check"))
        steps += [module_task(option, m, dict(key, **{option: value})) for option, value in self.changes.items()]
        steps += [
            module_task("options --check again", m, dict(key, **self.changes), check=True),
            module_task("options again", m, dict(key, **self.changes)),
            self.read("read after the options"),
        ]
        steps += self.extra
        steps += [
            module_task("absent --check", m, absent, check=True, diff=True),
            self.read("read after absent --check"),
            module_task("absent", m, absent),
            module_task("absent --check again", m, absent, check=True),
            module_task("absent again", m, absent),
            self.read("read after absent"),
        ]
        return steps

    def run(self) -> PlaybookResult:
        result = run(self.proxy, *self.tasks())
        assert result.rc == 0, failures(result)
        return result

    def object(self, result: PlaybookResult, read_name: str) -> Any:
        return self.parse(result.task(read_name))

    def verify(self, result: PlaybookResult) -> dict[str, Any]:
        """Assert the four steps of create, of each option and of absent; return the object's final state."""
        kind = self.kind
        step = result.task

        predicted = step("create --check")
        assert predicted["changed"] is True
        assert self.object(result, "read after create --check") is None, "create --check wrote to LiteLLM"
        assert predicted["diff"]["before"] == {}
        created = step("create")
        assert created["changed"] is True
        for option, value in self.create.items():
            assert created[kind][option] == predicted[kind][option] == self.normalise(option, value), option
        assert step("create --check again")["changed"] is False
        again = step("create again")
        assert again["changed"] is False and again[kind] == created[kind]
        # One read after every option's --check: it shows what the create wrote, and that no --check wrote.
        live = self.object(result, "read after the options' --check")
        for option, value in self.create.items():
            if option in self.live:
                assert self.live[option](live) == self.normalise(option, value), option
        for option, value in self.changes.items():
            check = step(f"{option} --check")
            assert check["changed"] is True, option
            assert check[kind][option] == self.after(option, value), option
            assert check["diff"]["after"][option] == self.after(option, value), option
            assert self.live[option](live) == created[kind][option], f"the --check of {option} wrote to LiteLLM"
        for option, value in self.changes.items():
            applied = step(option)
            assert applied["changed"] is True, option
            assert applied[kind][option] == self.after(option, value), option
        assert step("options --check again")["changed"] is False
        assert step("options again")["changed"] is False
        final = self.object(result, "read after the options")
        for option, value in self.changes.items():
            assert self.live[option](final) == self.after(option, value), option

        gone = step("absent --check")
        assert gone["changed"] is True and gone[kind] == {}
        assert gone["diff"]["after"] == {} and gone["diff"]["before"]
        assert self.object(result, "read after absent --check") is not None, "absent --check deleted the object"
        assert step("absent")["changed"] is True
        assert step("absent --check again")["changed"] is False
        assert step("absent again")["changed"] is False
        assert self.object(result, "read after absent") is None
        return final


def failures(result: PlaybookResult) -> str:
    """The messages of the failed tasks of a run, for assertion messages."""
    found = []
    for play in result.plays:
        for task in play["tasks"]:
            for outcome in task["hosts"].values():
                if outcome.get("failed") and not outcome.get("ignore_errors"):
                    found.append(f"{task['task']['name']}: {outcome.get('msg')}")
    return "\n".join(found) or (result.stdout[-3000:] + result.stderr[-3000:])


def ok(answer: dict[str, Any]) -> Any:
    """The JSON of a uri read, None when LiteLLM answered 404."""
    return None if answer["status"] == 404 else answer["json"]


def sort(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value
