"""Run a play of module tasks in the test's own process, with ansible-core's module test API.

Most plays of the module tests are nothing but module tasks of this collection and ``ansible.builtin.uri`` reads,
with literal arguments and the connection as ``module_defaults``. For those, ``ansible-playbook`` adds ~0.5 CPU-s
per task (a forked worker, an AnsiballZ payload, a new interpreter compiling ~210 files), most of the suite's time
(docs/test-suite.md). Here each task's module runs its ``main()`` in this process, through
``ansible.module_utils.testing.patch_module_args`` (the arguments an ``AnsibleModule`` reads, with the same
``_ansible_*`` ones the controller sends: check mode, diff, the module's name, a temporary directory), against the
same real LiteLLM, and the results come back in the shape of the ``ansible.posix.json`` callback, task by task: a
failed task ends the play unless ``ignore_errors``, as the linear strategy does.

What the controller does for such a play is done here with the controller's own code where there is any: strings
with ``{{ }}`` are rendered by Ansible's ``Templar`` (lookups and filters included) with the results ``register``ed
so far and the ``set_fact`` facts; ``environment`` is the module's environment; a ``no_log`` task's result is
censored as the callback gets it; the module's warnings are recorded as the controller records them. A play that
needs anything else (another action plugin, ``when``, loops, blocks, play variables, extra vars, verbosity, a
controller setting in the environment) is refused by ``plan`` and runs through ``ansible-playbook``, as do the
tests that are about the controller (``inprocess=False``: module_defaults groups) or about its output (``-vvv``
scans for secrets), the roles and the operator. ``LLMOPS_TEST_MODULES=playbook`` sends every play through
``ansible-playbook``; ``LLMOPS_TEST_MODULES_LOG=FILE`` writes a line per play (how it ran, and why not in process).
tests/integration/test_inprocess.py runs one play both ways and compares every task's result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import json
import os
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

REPO = Path(__file__).resolve().parents[2]
COLLECTION = "llmops.litellm."
GROUP = "group/llmops.litellm.litellm"
KEYWORDS = frozenset(("name", "check_mode", "diff", "ignore_errors", "register", "no_log", "environment"))
# ansible.builtin modules that have no action plugin of their own (or, for uri, one that only handles src)
BUILTINS = dict((prefix + name, "ansible.modules." + name) for name in ("uri", "stat")
                for prefix in ("ansible.builtin.", ""))
SET_FACT = frozenset(("ansible.builtin.set_fact", "set_fact"))
PLAY_KEYS = frozenset(("name", "hosts", "gather_facts", "tasks", "module_defaults"))
# Environment variables a test may set that matter to the controller only, not to a module in this process.
CONTROLLER_ONLY = frozenset(("ANSIBLE_PIPELINING",))
# A module's output goes to this process's stdout, its environment is this process's: one play at a time (tests
# that start two ansible-playbook runs side by side from threads get them one after the other).
ONE_AT_A_TIME = threading.Lock()


@dataclasses.dataclass
class Task:
    name: str
    action: str                   # as the task names it: llmops.litellm.team, ansible.builtin.uri
    module: str                   # the Python module to run
    args: dict[str, Any]
    check: bool
    diff: bool
    ignore_errors: bool
    register: str | None = None
    no_log: bool = False
    environment: dict[str, Any] = dataclasses.field(default_factory=dict)


def enabled() -> bool:
    return os.environ.get("LLMOPS_TEST_MODULES", "inprocess") != "playbook"


def group_members() -> frozenset[str]:
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    return frozenset(runtime["action_groups"]["litellm"])


def templated(value: Any) -> bool:
    """Whether ``value`` holds anything Ansible would template."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value or "{#" in value
    if isinstance(value, dict):
        return any(templated(k) or templated(v) for k, v in value.items())
    if isinstance(value, list):
        return any(templated(v) for v in value)
    return False


# Why the last play given to ``plan`` was left to ansible-playbook (for LLMOPS_TEST_MODULES_LOG).
last_refusal = ""


def refused(reason: str) -> None:
    global last_refusal
    last_refusal = reason
    return None


def plan(plays: Any, *, check: bool, diff: bool, env: dict[str, str] | None) -> list[Task] | None:
    """The tasks of ``plays`` to run here, or None when they need ``ansible-playbook``."""
    if not isinstance(plays, list) or len(plays) != 1 or not isinstance(plays[0], dict):
        return refused('not one play')
    play = plays[0]
    if set(play) - PLAY_KEYS or play.get("hosts") != "localhost" or play.get("gather_facts", True) is not False:
        return refused('play keywords beyond name/hosts/gather_facts/tasks/module_defaults, another host, or facts')
    if any(k.startswith("ANSIBLE_") and k not in CONTROLLER_ONLY for k in env or {}):
        return refused('a controller setting in the environment')
    members = group_members()
    defaults = play.get("module_defaults") or {}
    for key in defaults:
        if key != GROUP and not (key.startswith(COLLECTION) and key[len(COLLECTION):] in members):
            return refused('module_defaults of another module')
    if templated(defaults):
        return refused('templated module_defaults')
    tasks = []
    for entry in play.get("tasks") or []:
        if not isinstance(entry, dict):
            return refused('a task that is not a mapping')
        actions = [k for k in entry if k not in KEYWORDS]
        if len(actions) != 1 or not isinstance(entry[actions[0]], dict):
            return refused(f"task keywords the runner does not know: {sorted(actions)}")
        action = actions[0]
        args = dict(entry[action])
        if not isinstance(entry.get("environment", {}), dict) or not isinstance(entry.get("register", ""), str):
            return refused('a non-literal environment or register')
        if action in SET_FACT:
            module = "set_fact"
        elif action in BUILTINS:
            module = BUILTINS[action]
            if "src" in args:
                return refused("the uri action plugin's src")
        elif action.startswith(COLLECTION):
            short = action[len(COLLECTION):]
            if not (REPO / "plugins" / "modules" / f"{short}.py").is_file():
                return refused('not a module of this collection')
            module = f"ansible_collections.llmops.litellm.plugins.modules.{short}"
            if short in members:
                args = dict(defaults.get(GROUP, {}), **defaults.get(action, {}), **args)
            else:
                args = dict(defaults.get(action, {}), **args)
        else:
            return refused(f"another action: {action}")
        tasks.append(Task(str(entry.get("name", action)), action, module, args,
                          bool(entry.get("check_mode", check)), bool(entry.get("diff", diff)),
                          bool(entry.get("ignore_errors", False)), entry.get("register"),
                          bool(entry.get("no_log", False)), dict(entry.get("environment") or {})))
    return tasks


def render(value: Any, variables: dict[str, Any]) -> Any:
    """``value`` templated by Ansible's own Templar with the registered results and facts, as the controller does
    (the strings of a playbook are trusted templates); ``value`` itself when it holds no template."""
    if not templated(value):
        return value
    from ansible._internal._datatag._tags import TrustedAsTemplate
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar

    def trusted(item: Any) -> Any:
        if isinstance(item, str):
            return TrustedAsTemplate().tag(item)
        if isinstance(item, dict):
            return dict((k, trusted(v)) for k, v in item.items())
        if isinstance(item, list):
            return [trusted(v) for v in item]
        return item
    return plain(Templar(loader=DataLoader(), variables=variables).template(trusted(value)))


def plain(value: Any) -> Any:
    """Templar's answer as plain JSON types (it may hand back tagged or lazy containers)."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def controller_args(task: Task, tmpdir: str) -> dict[str, Any]:
    """The task's arguments with the ``_ansible_*`` ones ansible-playbook adds (plugins/action/__init__.py)."""
    from ansible.module_utils.ansible_release import __version__
    return dict(task.args, _ansible_check_mode=task.check, _ansible_no_log=task.no_log, _ansible_debug=False,
                _ansible_diff=task.diff, _ansible_verbosity=0, _ansible_version=__version__,
                _ansible_module_name=task.action, _ansible_syslog_facility="LOG_USER",
                _ansible_selinux_special_fs=["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"], _ansible_socket=None,
                _ansible_shell_executable="/bin/sh", _ansible_keep_remote_files=False, _ansible_tmpdir=tmpdir,
                _ansible_remote_tmp=tmpdir, _ansible_ignore_unknown_opts=False, _ansible_target_log_info=None,
                _ansible_tracebacks_for=[], _ansible_inject_invocation=False)


def run_module(task: Task) -> tuple[dict[str, Any], str, str]:
    """Run the task's module once; its result as the controller records it, and what it printed."""
    from ansible.module_utils import _internal
    from ansible.module_utils.common import warnings
    from ansible.module_utils.testing import patch_module_args
    module = importlib.import_module(task.module)
    warnings._global_warnings.clear()  # a module process starts with none; this one keeps the last run's
    warnings._global_deprecations.clear()
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory(prefix="llmops-inprocess-") as tmpdir:
        try:
            # a module process is never the controller (this one may have imported the controller's code, which says
            # it is: the module's warnings would go to the display instead of its result)
            with patch_module_args(controller_args(task, tmpdir)), contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(err), mock.patch.object(_internal, "is_controller", False):
                module.main()
        except SystemExit:
            pass
        except Exception:  # an uncaught exception: what ansible-playbook reports of a module that crashed
            return ({"failed": True, "changed": False, "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error",
                     "module_stdout": out.getvalue(), "module_stderr": traceback.format_exc()},
                    out.getvalue(), err.getvalue())
    printed = out.getvalue()
    try:
        result, _ = json.JSONDecoder().raw_decode(printed[printed.index("{"):])
    except ValueError:
        return ({"failed": True, "changed": False, "msg": "MODULE FAILURE: no JSON printed",
                 "module_stdout": printed}, printed, err.getvalue())
    result = dict((k, v) for k, v in result.items() if not k.startswith("_ansible"))
    if result.get("warnings"):  # the controller records a warning's message
        result["warnings"] = [w["event"]["msg"] if isinstance(w, dict) and "event" in w else w
                              for w in result["warnings"]]
    result.setdefault("changed", False)
    if result.get("rc") and "failed" not in result:  # the controller's reading of a non-zero rc
        result["failed"] = True
    if result.get("failed"):
        result.setdefault("exception", "(traceback unavailable)")  # what ansible-playbook records without -vvv
    return result, printed, err.getvalue()


def run(tasks: list[Task], env: dict[str, str] | None) -> tuple[int, str, str, list[dict[str, Any]], dict[str, Any]]:
    """Run ``tasks`` in order: (rc, stdout, stderr, plays, stats) as ``ansible-playbook`` with the json callback."""
    stats = dict(changed=0, failures=0, ignored=0, ok=0, rescued=0, skipped=0, unreachable=0)
    recorded: list[dict[str, Any]] = []
    errors = []
    rc = 0
    variables: dict[str, Any] = {}
    with ONE_AT_A_TIME, mock.patch.dict(os.environ, env or {}):
        for task in tasks:
            try:
                task = dataclasses.replace(task, args=render(task.args, variables),
                                           environment=render(task.environment, variables))
            except Exception as exc:  # noqa: BLE001 - an undefined variable, a failed lookup: the task fails
                result, stderr = {"failed": True, "changed": False, "msg": str(exc)}, ""
            else:
                if task.module == "set_fact":
                    variables.update(task.args)
                    result, stderr = {"ansible_facts": dict(task.args), "changed": False}, ""
                else:
                    with mock.patch.dict(os.environ, dict((k, str(v)) for k, v in task.environment.items())):
                        result, _, stderr = run_module(task)
            errors.append(stderr)
            result["action"] = task.action
            if task.register:
                variables[task.register] = dict(result)
            shown = dict(result)
            if task.no_log:  # what the callback gets of a no_log task (ansible/_internal/_task.py)
                from ansible._internal._task import PRESERVE
                shown = dict((k, result[k]) for k in PRESERVE if k in result)
                shown["censored"] = ("the output has been hidden due to the fact that 'no_log: true' was specified "
                                     "for this result")
                shown.update(action=task.action, _ansible_no_log=True)
            recorded.append({"task": {"name": task.name, "duration": {}}, "hosts": {"localhost": shown}})
            if result.get("skipped"):
                stats["skipped"] += 1
                continue
            if result.get("failed"):
                if not task.ignore_errors:
                    stats["failures"] += 1
                    rc = 2
                    break
                stats["ignored"] += 1
            stats["ok"] += 1
            stats["changed"] += 1 if result.get("changed") else 0
    plays = [{"play": {"name": "test"}, "tasks": recorded}]
    stdout = json.dumps({"plays": plays, "stats": {"localhost": stats}}, sort_keys=True)
    return rc, stdout, "".join(errors), plays, {"localhost": stats}
