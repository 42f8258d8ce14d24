# Copyright: contributors to llmops.litellm
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""llmops.litellm.install_files: directories and files on the host, one find run for the set when nothing changes.

An action plugin of the collection's roles (proxy_local installs its directories, helper programs, the WASM engine's
files, launchers, keys, configuration and environment file with it); it has no module of its own, so ansible-doc
does not list it (tests/sanity/ignore-*.txt: action-plugin-docs). Options:

- ``directories``: list of ``{path, mode}``, made first, like ansible.builtin.file with ``state: directory``
  (missing parents too; ``mode`` optional).
- ``files``: list of ``{dest, src | content, mode, force}``, like ansible.builtin.copy: ``src`` is found as copy
  finds it (a role's ``files/`` first), ``mode`` may be ``preserve``, ``force: false`` writes only a missing file.

Directories and files already as asked cost one ``ansible.builtin.find`` run on the host for the whole set (in
the directories that exist: a shell test asks first, without a module run), where
ansible.builtin.file and ansible.builtin.copy cost one or two module runs each: find reports the type, mode and
SHA-1 of every destination, compared here with what the task asks. Whatever differs, or cannot be compared (a
symbolic mode, a link in the way, a path find did not report), goes through ansible.builtin.file or
ansible.builtin.copy as a task of its own would, so check mode, ``--diff``, ``changed`` and the written files are
theirs. Owner, group and SELinux options are not offered: new paths belong to the connection's (or become) user,
existing ones keep theirs. Secrets in ``content`` need ``no_log`` on the task, as with copy.

Returns ``changed``, ``results`` (one per directory, with ``path``, then one per file, with ``dest``, in the order
given: ``changed`` and, for those that went through file or copy, their results) and the ``diff`` of each change.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile

from ansible import constants as C

from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.action import ActionBase
from ansible.utils.hashing import checksum, checksum_s

ARGUMENT_SPEC = {
    "directories": {"type": "list", "elements": "dict", "default": [], "options": {
        "path": {"type": "path", "required": True},
        "mode": {"type": "raw"},
    }},
    "files": {"type": "list", "elements": "dict", "default": [], "options": {
        "dest": {"type": "path", "required": True},
        "src": {"type": "str"},
        "content": {"type": "str"},
        "mode": {"type": "raw"},
        "force": {"type": "bool", "default": True},
    }, "mutually_exclusive": [["src", "content"]], "required_one_of": [["src", "content"]]},
}


def wanted_mode(mode, source=None):
    """The mode as a number when the task names one find can be compared with; None for no mode; False if not."""
    if mode is None:
        return None
    if mode == "preserve":
        return stat.S_IMODE(os.stat(source).st_mode) if source else False
    if isinstance(mode, int):
        return mode
    try:
        return int(str(mode), 8)
    except ValueError:
        return False  # a symbolic mode: ansible.builtin.file works it out


def as_found(seen, mode):
    """Whether what find reported is ``mode`` (None: any)."""
    return mode is None or (mode is not False and int(seen["mode"], 8) == mode)


class ActionModule(ActionBase):

    TRANSFERS_FILES = True
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        del validation
        try:
            return self._install(args, task_vars or {}, result)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _install(self, args, task_vars, result):
        sources = {}
        for entry in args["files"]:
            if entry["src"] is not None:
                found = self._find_needle("files", entry["src"])
                sources[entry["dest"]] = self._loader.get_real_file(found, decrypt=True)
        seen = self._look(args, task_vars)
        looked = seen is not None
        seen = seen or {}
        results, diffs, changed = [], [], False
        for entry in args["directories"]:
            path = os.path.normpath(entry["path"])
            found = seen.get(path)
            if found and found["isdir"] and as_found(found, wanted_mode(entry["mode"])):
                outcome = {"path": entry["path"], "changed": False, "state": "directory"}
            else:
                module_args = {"path": entry["path"], "state": "directory"}
                if entry["mode"] is not None:
                    module_args["mode"] = entry["mode"]
                outcome = self._execute_module(module_name="ansible.legacy.file", module_args=module_args,
                                               task_vars=task_vars)
            if self._collect(outcome, results, diffs):
                return self._failed(result, outcome, results)
            changed = changed or bool(outcome.get("changed"))
        for entry in args["files"]:
            dest, source = entry["dest"], sources.get(entry["dest"])
            found = seen.get(os.path.normpath(dest))
            if self._unchanged(entry, found, source):
                outcome = {"dest": dest, "changed": False}
            elif looked and not found:
                outcome = self._create(entry, task_vars, source)
            else:
                outcome = self._copy(entry, task_vars)
            if self._collect(outcome, results, diffs):
                return self._failed(result, outcome, results)
            changed = changed or bool(outcome.get("changed"))
        result.update(changed=changed, results=results)
        if diffs:
            result["diff"] = diffs
        return result

    def _look(self, args, task_vars):
        """Type, mode and checksum of every destination that exists, by normalised path, from one find run (None
        when find failed: nothing is known then)."""
        paths = [os.path.normpath(d["path"]) for d in args["directories"]]
        paths += [os.path.normpath(f["dest"]) for f in args["files"]]
        if not paths:
            return {}
        parents = self._directories_of(sorted({os.path.dirname(p) or "." for p in paths}))
        if not parents:
            return {}  # nothing there yet (find would warn about each missing directory)
        found = self._execute_module(module_name="ansible.legacy.find", task_vars=task_vars, module_args={
            "paths": parents,
            "patterns": sorted({glob.escape(os.path.basename(p)) for p in paths}),
            "file_type": "any", "hidden": True, "recurse": False, "follow": False, "get_checksum": True,
        })
        if found.get("failed"):
            return None  # each entry then goes through file or copy, which say what is wrong
        wanted = set(paths)
        return {f["path"]: f for f in found.get("files", []) if f["path"] in wanted}

    def _directories_of(self, paths):
        """Those of ``paths`` that are directories on the host, from one shell command (no module run)."""
        if any("\n" in path for path in paths):
            return paths
        quote = self._connection._shell.quote
        listed = self._low_level_execute_command(
            "for d in %s; do [ -d \"$d\" ] && echo \"$d\"; done; true" % " ".join(quote(path) for path in paths))
        if listed.get("rc") != 0:
            return paths
        there = set(listed.get("stdout", "").splitlines())
        return [path for path in paths if path in there]

    @staticmethod
    def _unchanged(entry, found, source):
        if not found:
            return False
        if not entry["force"]:
            return True  # ansible.builtin.copy leaves an existing destination alone, whatever it is
        if not found["isreg"] or not as_found(found, wanted_mode(entry["mode"], source)):
            return False
        expected = checksum(source) if source is not None else checksum_s(to_bytes(entry["content"]))
        return found.get("checksum") == expected

    def _copy(self, entry, task_vars):
        """ansible.builtin.copy of one entry, as a task of its own would run it."""
        new_task = self._task.copy()
        new_task.args = {"dest": entry["dest"], "force": entry["force"]}
        new_task.args.update({key: entry[key] for key in ("src", "content", "mode") if entry[key] is not None})
        copy_action = self._shared_loader_obj.action_loader.get(
            "ansible.legacy.copy", task=new_task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        outcome = copy_action.run(task_vars=task_vars)
        outcome.setdefault("dest", entry["dest"])
        return outcome

    def _create(self, entry, task_vars, source):
        """A file find did not see: what ansible.builtin.copy does once its stat of the destination says it is
        missing (its diff, check mode, transfer and copy module run), without that stat's module run."""
        dest = entry["dest"]
        local = source
        if local is None:
            handle, local = tempfile.mkstemp(dir=C.DEFAULT_LOCAL_TMP, prefix=".")
            with os.fdopen(handle, "wb") as written:
                written.write(to_bytes(entry["content"]))
        try:
            outcome = {"dest": dest, "changed": True}
            if self._task.diff:
                outcome["diff"] = [self._get_diff_data(dest, local, task_vars, entry["content"])]
            if self._task.check_mode:
                return outcome
            if self._connection._shell.tmpdir is None:
                self._make_tmp_path()
            tmp_src = self._connection._shell.join_path(self._connection._shell.tmpdir, ".source")
            tmp_src += os.path.splitext(dest)[1]
            remote_path = self._transfer_file(local, tmp_src)
            self._fixup_perms2((self._connection._shell.tmpdir, remote_path))
            module_args = {"src": tmp_src, "dest": dest, "force": entry["force"], "follow": False,
                           "_original_basename": os.path.basename(entry["src"] or local), "checksum": checksum(local)}
            if entry["mode"] is not None:
                module_args["mode"] = ("0%03o" % wanted_mode("preserve", local)) if entry["mode"] == "preserve" \
                    else entry["mode"]
            copied = self._execute_module(module_name="ansible.legacy.copy", module_args=module_args,
                                          task_vars=task_vars)
            return dict(outcome, **copied) if not copied.get("failed") else dict(copied, dest=dest)
        finally:
            if source is None:
                os.remove(local)

    @staticmethod
    def _collect(outcome, results, diffs):
        """Keep one entry's outcome; True when it failed."""
        diff = outcome.pop("diff", None)
        if isinstance(diff, list):
            diffs.extend(d for d in diff if d)
        elif diff:
            diffs.append(diff)
        results.append(outcome)
        return bool(outcome.get("failed"))

    @staticmethod
    def _failed(result, outcome, results):
        result.update(failed=True, results=results,
                      msg="%s: %s" % (outcome.get("dest") or outcome.get("path"), outcome.get("msg", "failed")))
        return result
