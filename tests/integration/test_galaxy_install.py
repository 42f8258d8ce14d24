"""The collection as a Galaxy user gets it: ``ansible-galaxy collection build``, then ``ansible-galaxy collection
install --offline`` of the tarball with its dependency kubernetes.core (taken from the pinned ``ansible`` package, as
Galaxy would resolve the range in galaxy.yml) into an empty collections path; every shipped playbook is then run by
its FQCN from an empty working directory, with ANSIBLE_COLLECTIONS_PATH pointing only at that path (no sys.path scan,
no roles path, no ansible.cfg), HOME a fresh directory and no interpreter given: the playbooks choose it.

Run for real: reconcile, export and drift against the test proxy, deploy_kubernetes against the Kubernetes API
emulator and the test proxy, install_operator in check mode against the emulator (it writes nothing), quickstart
with quickstart_state=absent (it removes its default directory; bringing a stack up costs minutes and a LiteLLM
download and is covered from the repository by test_quickstart.py). offline_bundle downloads LiteLLM's wheels from
PyPI: syntax-checked only, with the role files it reads checked in the installed copy. Every shipped playbook is
syntax-checked. After each run the installed collection is unchanged and the outputs are where documented.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import BIN, REPO
from tests.lib.stack import LiteLLMProxy

# The playbooks a user runs (playbooks/operator/ is the operator's, run by ansible-runner from its image).
USER_PLAYBOOKS = ["deploy_kubernetes", "drift", "export", "install_operator", "offline_bundle", "quickstart", "reconcile"]
PREFIX = f"it-gx-{uuid.uuid4().hex[:6]}-"


def kubernetes_core() -> Path:
    """kubernetes.core as the pinned ``ansible`` package ships it (requirements.txt)."""
    for entry in sys.path:
        candidate = Path(entry) / "ansible_collections" / "kubernetes" / "core"
        if (candidate / "MANIFEST.json").is_file():
            return candidate
    raise AssertionError("kubernetes.core not found on sys.path: is the pinned ansible package installed?")


@dataclass
class Installed:
    tarball: Path
    collections: Path
    home: Path

    @property
    def collection(self) -> Path:
        return self.collections / "ansible_collections" / "llmops" / "litellm"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ANSIBLE_", "LITELLM_", "K8S_AUTH_", "GITHUB_")) and k not in ("KUBECONFIG", "XDG_CACHE_HOME")}
        env.update(ANSIBLE_COLLECTIONS_PATH=str(self.collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1",
                   HOME=str(self.home), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
        env.update(extra or {})
        return env

    def snapshot(self) -> dict[str, int]:
        return {str(p.relative_to(self.collection)): p.stat().st_mtime_ns for p in self.collection.rglob("*")}

    def run(self, args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
        before = self.snapshot()
        proc = subprocess.run(args, cwd=cwd, env=self.env(env), capture_output=True, text=True, timeout=timeout, check=False)
        assert self.snapshot() == before, f"{args[:2]} wrote into the installed collection {self.collection}"
        return proc

    def playbook(self, names: list[str], cwd: Path, extra_vars: dict[str, Any] | None = None, *options: str,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        args = [str(BIN / "ansible-playbook"), *options, *(f"llmops.litellm.{n}" for n in names)]
        if extra_vars:
            vars_file = cwd.parent / f"vars-{uuid.uuid4().hex[:6]}.json"
            vars_file.write_text(json.dumps(extra_vars))
            args += ["-e", f"@{vars_file}"]
        return self.run(args, cwd, env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("galaxy")
    dist, collections, home = root / "dist", root / "collections", root / "home"
    home.mkdir()
    # The user's environment: no collections path of the clone (ansible-galaxy would find llmops.litellm installed).
    clean = Installed(dist / "llmops-litellm.tar.gz", collections, home).env()
    build = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(dist), str(REPO)],
                           env=clean, capture_output=True, text=True, check=False, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    [tarball] = dist.glob("llmops-litellm-*.tar.gz")
    print(f"collection tarball: {tarball.stat().st_size // 1024} KiB")
    install = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(collections),
                              str(tarball), str(kubernetes_core())], env=clean, capture_output=True, text=True,
                             check=False, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    assert "llmops.litellm:" in install.stdout and "kubernetes.core:" in install.stdout, install.stdout
    return Installed(tarball, collections, home)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


def outputs(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout[-5000:] + proc.stderr[-3000:]


def test_the_tarball_ships_the_collection_and_not_the_development_files(installed: Installed) -> None:
    shipped = {Path(p).parts[0] for p in json.loads((installed.collection / "FILES.json").read_text())["files"]
               for p in [p["name"]] if p != "."}
    assert {"LICENSE", "README.md", "requirements-collection.txt", "meta", "plugins", "roles", "playbooks", "docs",
            "changelogs", "operator", "deploy", "crds", "execution-environment.yml"} <= shipped
    assert not shipped & {"tests", "bench", "requirements.txt", "Makefile", "scripts", "molecule", ".venv", ".cache",
                          ".ci", "pytest.ini"}
    assert "GNU GENERAL PUBLIC LICENSE" in (installed.collection / "LICENSE").read_text().splitlines()[0]
    manifest = json.loads((installed.collection / "MANIFEST.json").read_text())["collection_info"]
    assert manifest["license"] == ["GPL-3.0-or-later"]
    assert manifest["dependencies"] == {"kubernetes.core": ">=5.0.0,<7.0.0"}
    assert all(manifest[link].startswith("https://") for link in ("repository", "documentation", "issues", "homepage"))
    # ansible-builder reads the collection's Python requirements from here (and without it would take requirements.txt).
    ee = yaml.safe_load((installed.collection / "meta" / "execution-environment.yml").read_text())
    assert ee == {"version": 1, "dependencies": {"python": "requirements-collection.txt"}}
    assert (installed.collections / "ansible_collections" / "kubernetes" / "core" / "MANIFEST.json").is_file()
    listed = installed.run([str(BIN / "ansible-galaxy"), "collection", "list", "--format", "json"], installed.home)
    assert listed.returncode == 0, outputs(listed)
    found = {name: version for path in json.loads(listed.stdout).values() for name, version in path.items()}
    assert set(found) == {"llmops.litellm", "kubernetes.core"}, found


def test_every_module_documents_its_requirements_from_the_installed_copy(installed: Installed) -> None:
    modules = sorted(p.stem for p in (installed.collection / "plugins" / "modules").glob("*.py"))
    assert len(modules) == len(yaml.safe_load((installed.collection / "meta" / "runtime.yml").read_text())
                               ["action_groups"]["litellm"])
    docs = installed.run([str(BIN / "ansible-doc"), "--json", *(f"llmops.litellm.{m}" for m in modules)], installed.home)
    assert docs.returncode == 0, outputs(docs)
    rendered = json.loads(docs.stdout)
    assert sorted(rendered) == [f"llmops.litellm.{m}" for m in modules]
    for name, entry in rendered.items():
        assert any("standard library" in r for r in entry["doc"]["requirements"]), name
        assert not any("requests" in r for r in entry["doc"]["requirements"]), name
        assert any("requirements-collection.txt" in note for note in entry["doc"]["notes"]), name


def test_the_modules_run_on_a_python_without_any_package(
        installed: Installed, workdir: Path, tmp_path: Path, litellm_proxy: LiteLLMProxy) -> None:
    """What the docs promise: a bare interpreter (a venv with no package at all, not even pip) runs the modules."""
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    probe = subprocess.run([str(bare / "bin" / "python"), "-c", "import requests"], capture_output=True, check=False)
    assert probe.returncode != 0, "the bare interpreter has requests: the test proves nothing"
    play = workdir / "bare.yml"
    play.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"llmops.litellm.team_info": {"team_alias": f"galaxy-bare-{uuid.uuid4().hex[:8]}"}, "register": "info"},
        {"ansible.builtin.assert": {"that": ["info.teams == []"]}}]}]))
    env = {"LITELLM_PROXY_URL": litellm_proxy.url, "LITELLM_PROXY_API_KEY": litellm_proxy.master_key}
    run = installed.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e",
                         f"ansible_python_interpreter={bare / 'bin' / 'python'}", str(play)], workdir, env)
    assert run.returncode == 0, outputs(run)
    assert "ok=2" in run.stdout, outputs(run)


def test_the_runtime_requirements_are_met_by_the_development_pins(installed: Installed) -> None:
    """requirements-collection.txt (ranges for users) and requirements.txt (the pins CI tests) agree."""
    from packaging.requirements import Requirement

    pins = {Requirement(line).name.lower(): Requirement(line) for line in (REPO / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")}
    runtime = [Requirement(line) for line in (installed.collection / "requirements-collection.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert [r.name for r in runtime] == [], "the modules use the standard library only"
    for requirement in runtime:
        [pinned] = [str(s.version) for s in pins[requirement.name.lower()].specifier if s.operator == "=="]
        assert requirement.specifier.contains(pinned), f"{requirement} excludes the tested pin {pinned}"


def test_every_shipped_playbook_passes_the_syntax_check_by_fqcn(installed: Installed, workdir: Path) -> None:
    shipped = sorted(p.stem for p in (installed.collection / "playbooks").glob("*.yml"))
    assert shipped == USER_PLAYBOOKS, "a new playbook: add it to USER_PLAYBOOKS and run it below"
    check = installed.playbook(USER_PLAYBOOKS, workdir, None, "--syntax-check")
    assert check.returncode == 0, outputs(check)
    # The operator's playbooks, which its image runs by path from the installed collection (ansible-runner).
    operator = sorted((installed.collection / "playbooks" / "operator").glob("*.yml"))
    assert len(operator) >= 10
    check = installed.run([str(BIN / "ansible-playbook"), "--syntax-check", *map(str, operator)], workdir)
    assert check.returncode == 0, outputs(check)
    assert sorted(workdir.iterdir()) == []


def test_reconcile_export_and_drift_run_from_the_installed_copy(
        installed: Installed, workdir: Path, litellm_proxy: LiteLLMProxy) -> None:
    """The gateway playbooks from an empty directory: the document read from a relative path, new keys into
    ~/.cache/llmops-litellm/gateway-keys, the export and the drift reports into the working directory."""
    (workdir / "gateway").mkdir()
    (workdir / "gateway" / "teams.yml").write_text(yaml.safe_dump({
        "teams": [{"team_alias": PREFIX + "team", "max_budget": 5}],
        "virtual_keys": [{"key_alias": PREFIX + "key", "team_alias": PREFIX + "team"}]}))
    connection = {"LITELLM_PROXY_URL": litellm_proxy.url, "LITELLM_PROXY_API_KEY": litellm_proxy.master_key}
    scope = {"gateway_files": ["gateway/"], "gateway_scope": {"name_prefix": PREFIX},
             "gateway_kinds": ["teams", "virtual_keys"], "gateway_name_prefix": PREFIX}
    try:
        applied = installed.playbook(["reconcile", "export"], workdir, scope, env=connection)
        assert applied.returncode == 0, outputs(applied)
        key_file = installed.home / ".cache" / "llmops-litellm" / "gateway-keys" / (PREFIX + "key")
        assert key_file.stat().st_mode & 0o777 == 0o600
        info = litellm_proxy.api("GET", "/key/info", params={"key": key_file.read_text().strip()})
        assert info.status_code == 200 and info.json()["info"]["key_alias"] == PREFIX + "key"
        exported = yaml.safe_load((workdir / "gateway-export.yml").read_text())
        assert [(t["team_alias"], t["max_budget"]) for t in exported["teams"]] == [(PREFIX + "team", 5.0)]

        team = litellm_proxy.api("GET", "/v2/team/list", params={"team_alias": PREFIX + "team"}).json()["teams"][0]
        assert litellm_proxy.api("POST", "/team/update", json={"team_id": team["team_id"], "max_budget": 7}).status_code == 200
        drift = installed.playbook(["drift"], workdir, scope, env=connection)
        assert drift.returncode == 0, outputs(drift)
        report = json.loads((workdir / "gateway-drift.json").read_text())
        assert report["drift"] == [{"kind": "team", "name": PREFIX + "team", "action": "update", "id": team["team_id"],
                                    "where": "teams[0]", "changes": [{"path": "max_budget", "desired": 5.0, "live": 7.0}]}]
        assert "| `max_budget` | `5.0` | `7.0` |" in (workdir / "gateway-drift.md").read_text()
        assert sorted(p.name for p in workdir.iterdir()) == ["gateway", "gateway-drift.json", "gateway-drift.md",
                                                             "gateway-export.yml"]
        for secret in (litellm_proxy.master_key, key_file.read_text().strip()):
            for text in (applied.stdout, drift.stdout, *(p.read_text() for p in workdir.glob("gateway-*"))):
                assert secret not in text
    finally:
        pruned = installed.playbook(["reconcile"], workdir, dict(scope, gateway_files=[],
                                    gateway_document={"teams": [], "virtual_keys": []}, gateway_unmanaged="prune"), env=connection)
    assert pruned.returncode == 0, outputs(pruned)


def test_deploy_kubernetes_runs_from_the_installed_copy(
        installed: Installed, workdir: Path, kube_api: KubeCluster, litellm_proxy: LiteLLMProxy) -> None:
    """The role against the emulator, the modules against the test proxy (the emulator runs no pods); the key's value
    goes to ~/.cache/llmops-litellm/<namespace>/<name>/keys/<alias>."""
    name, namespace = PREFIX + "dk", PREFIX + "ns"
    extra_vars = {
        "deploy_kubernetes_name": name, "deploy_kubernetes_namespace": namespace,
        "deploy_kubernetes_instance": {"masterKey": {"autoGenerate": True}, "database": {
            "external": {"connectionSecretRef": {"name": "litellm-db", "key": "DATABASE_URL"}}}},
        "deploy_kubernetes_url": litellm_proxy.url, "deploy_kubernetes_master_key": litellm_proxy.master_key,
        "deploy_kubernetes_teams": [{"team_alias": name + "-team", "max_budget": 3}],
        "deploy_kubernetes_virtual_keys": [{"key_alias": name + "-key", "team_alias": name + "-team"}],
    }
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        core.create_namespace({"metadata": {"name": namespace}})
        try:
            result = installed.playbook(["deploy_kubernetes"], workdir, extra_vars, env=kube_api.env)
            assert result.returncode == 0, outputs(result)
            deployment = kubernetes.client.AppsV1Api(api).read_namespaced_deployment(name, namespace)
            assert deployment.metadata.name == name
            key_file = installed.home / ".cache" / "llmops-litellm" / namespace / name / "keys" / (name + "-key")
            assert key_file.stat().st_mode & 0o777 == 0o600
            info = litellm_proxy.api("GET", "/key/info", params={"key": key_file.read_text().strip()})
            assert info.status_code == 200 and info.json()["info"]["key_alias"] == name + "-key"
            assert key_file.read_text().strip() not in result.stdout
            assert list(workdir.iterdir()) == []
        finally:
            litellm_proxy.api("POST", "/key/delete", json={"key_aliases": [name + "-key"]})
            teams = litellm_proxy.api("GET", "/v2/team/list", params={"team_alias": name + "-team"}).json()["teams"]
            if teams:
                litellm_proxy.api("POST", "/team/delete", json={"team_ids": [t["team_id"] for t in teams]})
            core.delete_namespace(namespace)


def test_install_operator_check_mode_reads_its_manifests_from_the_installed_copy(
        installed: Installed, workdir: Path, kube_api: KubeCluster) -> None:
    """--check: the kustomizations read from the installed collection's deploy/ and dry-run; the cluster unchanged."""
    with kube_api.client() as api:
        core = kubernetes.client.CoreV1Api(api)
        before = core.list_namespace().metadata.resource_version
        result = installed.playbook(["install_operator"], workdir, {"llmops_operator_namespace": PREFIX + "system"},
                                    "--check", env=kube_api.env)
        assert result.returncode == 0, outputs(result)
        assert core.list_namespace().metadata.resource_version == before
    assert "changed=0" not in result.stdout.split("PLAY RECAP")[-1], "check mode predicted no install"
    assert list(workdir.iterdir()) == []


def test_quickstart_and_offline_bundle_from_the_installed_copy(installed: Installed, workdir: Path) -> None:
    """quickstart_state=absent with data removal deletes exactly its default directory, under ~/.cache; the files
    offline_bundle reads from the collection are in the installed copy."""
    default_dir = installed.home / ".cache" / "llmops-litellm" / "quickstart"
    (default_dir / "secrets").mkdir(parents=True)
    (default_dir / "secrets" / "master_key").write_text("sk-left-from-an-earlier-run\n")
    down = installed.playbook(["quickstart"], workdir, {"quickstart_state": "absent", "quickstart_remove_data": True})
    assert down.returncode == 0, outputs(down)
    assert not default_dir.exists() and default_dir.parent.exists()
    assert list(workdir.iterdir()) == []
    role = installed.collection / "roles" / "proxy_local"
    packages = yaml.safe_load((role / "defaults" / "main.yml").read_text())["proxy_local_packages"]
    assert packages and (role / "files" / "prisma_engine" / "package-lock.json").is_file()
