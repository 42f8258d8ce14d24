# Copyright: contributors to llmops.litellm
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of every module of this collection: ansible-core's own (``normal``), with the module's AnsiballZ
payload kept from one ansible-playbook process to the next, bytecode included. Each module has an action plugin of
its own name (plugins/action/<module>.py) that is this class, so that the module's name stays the task's canonical
name (ansible-lint's, ``module_defaults``').

ansible-core builds a Python module's payload, a zip of the module and of every module_util it imports, found by
parsing them (``recursive_finder``), once per ansible-playbook process, in that process's own temp folder, and the
module's Python compiles every file of it again on each run, because ``zipimport`` keeps no bytecode. For this
collection's modules, whose engine is ~8,500 lines, that is ~0.35 s of controller CPU per process and ~0.5 s per
module run: most of a one-object ``gateway_state`` run, and the larger part of each of the operator's runs.

So, around ansible-core's action:

- Before the module is built, the payload kept for it is put into the process's cache folder, where ansible-core
  looks first (``<local_tmp>/ansiballz_cache/<module fqn>-<compression>-<extensions>``, as ansible-core names it).
- After the run, a payload ansible-core built is kept, with a ``.pyc`` beside each ``.py`` of the zip: PEP 552's
  unchecked-hash bytecode, compiled by this Python. The module's Python takes it when it is the same version
  (``zipimport`` tries ``.pyc`` first) and falls back to the source when its magic number differs (another Python
  on a remote host).

A kept payload is found by a key of ansible-core's version, this Python's, and the content of the module and of every
file under the collection's plugins/module_utils: a change to any of them builds the payload again, and the older
payloads of the module are removed. The kept payloads live in ``<local_tmp>/llmops-litellm-payloads`` (ansible's
``local_tmp``, ``~/.ansible/tmp`` by default, 0700); they hold code only, never a task's arguments, which ansible-core
writes into each run's wrapper. Where ansible-core has no payload cache of this shape (before 2.19), or anything
about it is not as expected, the module runs exactly as ansible-core alone would run it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import marshal
import os
import shutil
import sys
import tempfile
import zipfile
import base64

from ansible import constants as C
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.utils.display import Display

try:  # ansible-core 2.19 and later keep a pickled _CachedModule per module in the process's cache folder
    from ansible.executor.module_common import _CachedModule, _get_ansible_module_fqn
except ImportError:  # pragma: no cover - older ansible-core: no kept payloads
    _CachedModule = _get_ansible_module_fqn = None

display = Display()

STORE = "llmops-litellm-payloads"
COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
UNCHECKED_HASH = (0b01).to_bytes(4, "little")  # PEP 552 flags: hash-based, source not checked


class ActionModule(NormalAction):

    def run(self, tmp=None, task_vars=None):
        payloads = Payloads.of(self)
        if payloads is not None:
            payloads.seed()
        result = super().run(tmp, task_vars)
        if payloads is not None:
            payloads.keep()
        return result


class Payloads:
    """The kept payloads of one module of this collection, and the process's cache folder they go into."""

    def __init__(self, fqn, key, process_cache, store):
        self.fqn, self.key, self.process_cache, self.store = fqn, key, process_cache, store
        self.kept = os.path.join(store, "%s@%s" % (fqn, key))

    @classmethod
    def of(cls, action):
        """The payloads of the task's module, or None (not this collection's module, no cache of the known shape)."""
        if _CachedModule is None or not {"zip_data"} <= {f.name for f in dataclasses.fields(_CachedModule)}:
            return None
        try:
            found = action._shared_loader_obj.module_loader.find_plugin_with_context(
                action._task.action, collection_list=action._task.collections)
            path = found.plugin_resolved_path if found.resolved else None
            if not path or not path.endswith(".py") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(path)))) != COLLECTION:
                return None
            fqn = _get_ansible_module_fqn(path)  # ansible-core's name of the module, which names its cache file
            local_tmp = C.DEFAULT_LOCAL_TMP
            store = os.path.join(os.path.dirname(local_tmp), STORE, hashlib.sha256(COLLECTION.encode()).hexdigest()[:16])
            return cls(fqn, source_key(path), os.path.join(local_tmp, "ansiballz_cache"), store)
        except Exception as exc:  # never fail a task for its cache
            display.vvvv("llmops.litellm: no kept payload for %s: %s" % (action._task.action, exc))
            return None

    def seed(self):
        """Put the kept payloads into the process's cache folder, where ansible-core does not have them yet."""
        try:
            names = os.listdir(self.kept)
        except OSError:
            return
        try:
            os.makedirs(self.process_cache, exist_ok=True)
            for name in names:
                target = os.path.join(self.process_cache, name)
                if not os.path.exists(target):
                    part = "%s-seed-%d" % (target, os.getpid())
                    shutil.copyfile(os.path.join(self.kept, name), part)
                    os.replace(part, target)
        except OSError as exc:
            display.vvvv("llmops.litellm: could not use the kept payload of %s: %s" % (self.fqn, exc))

    def keep(self):
        """Keep the payloads ansible-core built in this process (with their bytecode), once per key; remove the
        module's payloads kept under other keys."""
        if os.path.isdir(self.kept):
            return
        try:
            built = [n for n in os.listdir(self.process_cache)
                     if n.startswith(self.fqn + "-") and not n.endswith((".lock", "-part")) and "-seed-" not in n]
        except OSError:
            return
        if not built:
            return
        part = None
        try:
            os.makedirs(os.path.dirname(self.store), mode=0o700, exist_ok=True)
            os.makedirs(self.store, mode=0o700, exist_ok=True)
            part = tempfile.mkdtemp(prefix=".%s@%s-" % (self.fqn, self.key), dir=self.store)
            for name in built:
                module = _CachedModule.load(os.path.join(self.process_cache, name))
                module = dataclasses.replace(module, zip_data=with_bytecode(module.zip_data))
                module.dump(os.path.join(part, name))
            os.rename(part, self.kept)
            part = None
            for name in os.listdir(self.store):
                if name.startswith(self.fqn + "@") and name != os.path.basename(self.kept):
                    shutil.rmtree(os.path.join(self.store, name), ignore_errors=True)
        except Exception as exc:  # another process kept it first, or the folder is not writable: nothing is lost
            display.vvvv("llmops.litellm: did not keep the payload of %s: %s" % (self.fqn, exc))
        finally:
            if part is not None:
                shutil.rmtree(part, ignore_errors=True)


def source_key(module_path):
    """A digest of what a payload of this collection's module is built from."""
    digest = hashlib.sha256(("%s\0%s\0" % (ANSIBLE_VERSION, sys.version)).encode())
    utils = os.path.join(COLLECTION, "plugins", "module_utils")
    paths = [module_path]
    for folder, dirs, files in os.walk(utils):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    for path in paths:
        with open(path, "rb") as stream:
            digest.update(os.path.relpath(path, COLLECTION).encode() + b"\0" + stream.read() + b"\0")
    return digest.hexdigest()[:24]


def with_bytecode(zip_data):
    """The base64 zip ``zip_data`` with, beside each ``.py``, its unchecked-hash ``.pyc`` compiled by this Python."""
    source = zipfile.ZipFile(io.BytesIO(base64.b64decode(zip_data)))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target:
        names = set(source.namelist())
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data)
            if info.filename.endswith(".py") and info.filename + "c" not in names:
                try:
                    code = compile(data, info.filename, "exec", dont_inherit=True)
                except (SyntaxError, ValueError):  # the module's Python compiles it (or reports it) as before
                    continue
                pyc = zipfile.ZipInfo(info.filename + "c", date_time=info.date_time)
                pyc.compress_type = info.compress_type
                target.writestr(pyc, importlib.util.MAGIC_NUMBER + UNCHECKED_HASH + importlib.util.source_hash(data)
                                + marshal.dumps(code))
    return base64.b64encode(output.getvalue())
