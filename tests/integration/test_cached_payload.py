"""The collection's modules keep their AnsiballZ payload between ansible-playbook processes
(plugins/action/cached_payload.py): the first process builds it and keeps it with its bytecode, the next one uses it
without building it, a change to the collection's module_utils builds it again and removes the old one, and what is
kept holds no task argument (the master key is one)."""

from __future__ import annotations

import base64
import io
import pickle
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from tests.lib.playbook import COLLECTIONS, REPO, ensure_collection_link, run_playbook

FQN = "ansible_collections.llmops.litellm.plugins.modules.team_info"


def collection_copy(base: Path) -> Path:
    """The collection as Galaxy would install it: a folder of its own (the payloads are kept per collection)."""
    target = base / "ansible_collections" / "llmops" / "litellm"
    for name in ("galaxy.yml", "meta", "plugins"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)
    return target


def kept(local_tmp: Path) -> list[Path]:
    """The kept payloads of team_info: ``<local_tmp>/llmops-litellm-payloads/<collection>/<fqn>@<key>/<file>``."""
    return sorted((local_tmp / "llmops-litellm-payloads").glob(f"*/{FQN}@*/{FQN}-*"))


def run(proxy, collections: Path, local_tmp: Path) -> str:
    """One ansible-playbook process running team_info (the master key as a task argument); its debug output."""
    task = {"name": "info", "llmops.litellm.team_info": {
        "api_url": proxy.url, "api_key": proxy.master_key, "team_alias": "it-payload-none"}}
    result = run_playbook([{"name": "payload", "hosts": "localhost", "gather_facts": False, "tasks": [task]}],
                          inprocess=False, json_output=False,
                          env={"ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_LOCAL_TEMP": str(local_tmp),
                               "ANSIBLE_DEBUG": "1", "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false"})
    assert result.rc == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ok: [localhost]" in result.stdout
    return result.stdout + result.stderr


def entries(path: Path) -> dict[str, bytes]:
    module = pickle.loads(path.read_bytes())  # ansible-core's own _CachedModule, as it reads it
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(module.zip_data)))
    return {name: archive.read(name) for name in archive.namelist()}


def test_a_module_payload_is_kept_used_and_built_again_after_a_change(litellm_proxy, tmp_path):
    collections, local_tmp = tmp_path / "collections", tmp_path / "local"
    collection = collection_copy(collections)

    first = run(litellm_proxy, collections, local_tmp)
    assert "ANSIBALLZ: Creating module" in first
    [payload] = kept(local_tmp)
    files = entries(payload)
    ours = "ansible_collections/llmops/litellm/plugins/module_utils/_client.py"
    assert ours in files and ours + "c" in files  # the bytecode beside the source
    assert "ansible/module_utils/basic.pyc" in files
    assert not any(litellm_proxy.master_key.encode() in data for data in files.values())
    assert litellm_proxy.master_key.encode() not in payload.read_bytes()

    second = run(litellm_proxy, collections, local_tmp)
    assert "ANSIBALLZ: using cached module" in second
    assert "ANSIBALLZ: Creating module" not in second
    assert kept(local_tmp) == [payload]

    with (collection / "plugins" / "module_utils" / "_client.py").open("a") as stream:
        stream.write("\n# changed\n")
    third = run(litellm_proxy, collections, local_tmp)
    assert "ANSIBALLZ: Creating module" in third
    [again] = kept(local_tmp)
    assert again != payload and not payload.exists()  # the older payload is removed
    assert entries(again)[ours].endswith(b"# changed\n")


def test_every_module_runs_through_the_action_that_keeps_its_payload():
    """A module without its action plugin would run, but build its payload and compile it on every run."""
    modules = sorted(p.name for p in (REPO / "plugins" / "modules").glob("*.py"))
    line = "from ansible_collections.llmops.litellm.plugins.plugin_utils.cached_payload import ActionModule"
    missing = [m for m in modules if line not in ((REPO / "plugins" / "action" / m).read_text()
                                                  if (REPO / "plugins" / "action" / m).exists() else "")]
    assert modules and not missing, f"plugins/action/ lacks the action of {missing}"


def test_bytecode_of_another_python_falls_back_to_the_source(tmp_path):
    """A kept payload run by another Python (a remote host's) ignores the bytecode its magic number refuses."""
    if str(COLLECTIONS) not in sys.path:
        sys.path.insert(0, str(ensure_collection_link()))
    from ansible_collections.llmops.litellm.plugins.plugin_utils.cached_payload import with_bytecode

    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("probe.py", "VALUE = 'from source'\n")
    zipped = zipfile.ZipFile(io.BytesIO(base64.b64decode(with_bytecode(base64.b64encode(source.getvalue())))))
    pyc = zipped.read("probe.pyc")
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        import probe
        print(probe.__file__.rsplit("/", 1)[-1], probe.VALUE)
    """)
    for name, data in (("same", pyc), ("other", b"\x00\x00" + pyc[2:])):
        path = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("probe.py", "VALUE = 'from source'\n")
            archive.writestr("probe.pyc", data)
        found = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
        assert found.stdout.split() == (["probe.pyc", "from", "source"] if name == "same" else ["probe.py", "from", "source"])
