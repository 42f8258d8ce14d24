"""execution-environment.yml through ansible-builder (pinned in requirements.txt): ``ansible-builder create`` writes
the build context (no container engine needed), and the context's own steps that need no container are run here:
the galaxy stage (``ansible-galaxy collection install -r _build/requirements.yml``) and the builder stage's
introspection (``_build/scripts/introspect.py``, which collects every installed collection's Python and system
requirements). No image is built: no container engine and no registry for the base image are reachable here.

The shipped definition takes the collections from Galaxy, which cannot be reached either; the galaxy stage runs on
the same definition with its collection sources replaced by the locally built tarball and the kubernetes.core of the
pinned ``ansible`` package (``type: file`` / ``type: dir``), which the definition's comment documents.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.integration.test_galaxy_install import kubernetes_core
from tests.lib.playbook import BIN, REPO

DEFINITION = REPO / "execution-environment.yml"


def pins() -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", (REPO / "requirements.txt").read_text(), re.M))


def create(definition: dict, context: Path) -> None:
    path = context.parent / f"{context.name}.yml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    # the file's name is the runtime's that ansible-builder finds (a docker CLI without podman: Dockerfile): named here
    run = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", str(path), "-c", str(context),
                          "--output-filename", "Containerfile"],
                         capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(dist), str(REPO)],
                           capture_output=True, text=True, check=False, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    [built] = dist.glob("llmops-litellm-*.tar.gz")
    return built


def test_the_definition_creates_a_context_with_the_collections_and_the_tested_pins(tmp_path: Path) -> None:
    definition = yaml.safe_load(DEFINITION.read_text())
    assert definition["version"] == 3
    context = tmp_path / "context"
    create(definition, context)
    containerfile = (context / "Containerfile").read_text()
    pinned = pins()
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile, re.M).group(1).split()
    assert refs == [f"ansible-core=={pinned['ansible-core']}", f"ansible-runner=={pinned['ansible-runner']}"]
    assert f'ARG EE_BASE_IMAGE="{definition["images"]["base_image"]["name"]}"' in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert "introspect.py introspect" in containerfile
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements == {"collections": [
        {"name": f"{galaxy['namespace']}.{galaxy['name']}", "version": f">={galaxy['version']}"},
        {"name": "kubernetes.core", "version": galaxy["dependencies"]["kubernetes.core"]}]}


def test_the_context_installs_the_collections_and_resolves_their_python_requirements(tmp_path: Path, tarball: Path) -> None:
    """The galaxy stage and the introspection of the builder stage, run from the created context."""
    definition = copy.deepcopy(yaml.safe_load(DEFINITION.read_text()))
    definition["dependencies"]["galaxy"] = {"collections": [
        {"name": str(tarball), "type": "file"}, {"name": str(kubernetes_core()), "type": "dir"}]}
    context, collections = tmp_path / "context", tmp_path / "collections"
    create(definition, context)
    build = context / "_build"
    # As in the image: no collection but those the stage installs (the pinned ansible package's are not seen).
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "ANSIBLE_GALAXY_DISABLE_GPG_VERIFY": "1",
           "ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false"}
    install = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r", "requirements.yml",
                              "--collections-path", str(collections)], cwd=build, env=env, capture_output=True,
                             text=True, check=False, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    installed = sorted(p.parent.name + "." + p.name for p in collections.glob("ansible_collections/*/*"))
    assert installed == ["kubernetes.core", "llmops.litellm"], installed
    pip, bindep = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    introspect = subprocess.run([str(BIN / "python"), str(build / "scripts" / "introspect.py"), "introspect",
                                 str(collections), f"--write-pip={pip}", f"--write-bindep={bindep}"],
                                env=env, capture_output=True, text=True, check=False, timeout=120)
    assert introspect.returncode == 0, introspect.stdout + introspect.stderr
    python = {line.split("#")[0].strip(): line.split("# from collection ")[1]
              for line in pip.read_text().splitlines() if line.strip()}
    ours = {requirement for requirement, collection in python.items() if collection == "llmops.litellm"}
    runtime = {line.strip() for line in (REPO / "requirements-collection.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    # The modules need no Python package (the standard library's HTTP): the image gets none from us.
    assert ours == runtime == set(), ours
    assert any(r.startswith("kubernetes") and c == "kubernetes.core" for r, c in python.items())
    # The development pins (LiteLLM, pytest, ...) stay out of the image.
    assert not [r for r in python if re.match(r"(litellm|pytest|molecule|kopf)\b", r)], python
