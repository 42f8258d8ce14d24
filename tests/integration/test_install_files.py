"""llmops.litellm.install_files (plugins/action/install_files.py): what ansible.builtin.file and copy would do, in
one find run when nothing changes: the first run writes, the second changes nothing, check mode with --diff reports
drift and writes nothing, the next run repairs it, and force=false keeps an existing file."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from tests.lib.playbook import PlaybookResult, run_playbook


def install(base: Path, source: Path, **kwargs: Any) -> PlaybookResult:
    task = {"name": "install", "llmops.litellm.install_files": {
        "directories": [{"path": str(base), "mode": "0755"}, {"path": str(base / "private"), "mode": "0750"}],
        "files": [
            {"src": str(source), "dest": str(base / "tool.sh"), "mode": "preserve"},
            {"content": "port: 8080\n", "dest": str(base / "tool.yaml"), "mode": "0644"},
            {"content": "generated\n", "dest": str(base / "private" / "key"), "mode": "0600", "force": False},
        ]}, "register": "installed"}
    play = {"name": "install_files", "hosts": "localhost", "gather_facts": False, "tasks": [task]}
    return run_playbook([play], inprocess=False, **kwargs)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_install_files(tmp_path: Path) -> None:
    source = tmp_path / "tool.sh"
    source.write_text("#!/bin/sh\necho tool\n")
    source.chmod(0o750)
    base = tmp_path / "installed"

    first = install(base, source)
    assert first.rc == 0, first.stdout[-3000:]
    result = first.task("install")
    assert result["changed"] is True
    assert [r.get("path", r.get("dest")) for r in result["results"]] == [
        str(base), str(base / "private"), str(base / "tool.sh"), str(base / "tool.yaml"), str(base / "private" / "key")]
    assert all(r["changed"] for r in result["results"])
    assert (base / "tool.sh").read_text() == source.read_text() and mode(base / "tool.sh") == 0o750
    assert (base / "tool.yaml").read_text() == "port: 8080\n" and mode(base / "tool.yaml") == 0o644
    assert (base / "private" / "key").read_text() == "generated\n" and mode(base / "private" / "key") == 0o600
    assert mode(base / "private") == 0o750

    again = install(base, source)
    assert again.rc == 0, again.stdout[-3000:]
    assert again.task("install")["changed"] is False
    assert not [r for r in again.task("install")["results"] if r["changed"]]

    (base / "tool.sh").chmod(0o700)
    (base / "tool.yaml").write_text("port: 9090\n")
    (base / "private" / "key").write_text("kept\n")
    (base / "private").chmod(0o700)
    checked = install(base, source, check=True, diff=True)
    assert checked.rc == 0, checked.stdout[-3000:]
    result = checked.task("install")
    assert result["changed"] is True
    assert [r["changed"] for r in result["results"]] == [False, True, True, True, False]
    assert any("port: 9090" in str(d.get("before", "")) and "port: 8080" in str(d.get("after", "")) for d in result["diff"])
    assert (base / "tool.yaml").read_text() == "port: 9090\n" and mode(base / "tool.sh") == 0o700, "check mode wrote"
    assert mode(base / "private") == 0o700, "check mode wrote"

    repaired = install(base, source)
    assert repaired.rc == 0, repaired.stdout[-3000:]
    assert [r["changed"] for r in repaired.task("install")["results"]] == [False, True, True, True, False]
    assert (base / "tool.yaml").read_text() == "port: 8080\n" and mode(base / "tool.sh") == 0o750
    assert mode(base / "private") == 0o750
    assert (base / "private" / "key").read_text() == "kept\n", "force=false replaced an existing file"
