"""Each module offers every field of the pinned LiteLLM's request models, or docs/completeness.yml says why not.

The request models come from the installed LiteLLM (the pinned one, whose source is the API spec); a module's
options from its DOCUMENTATION (which ansible-test's validate-modules holds equal to its argument spec). When a
newer LiteLLM adds a field, this fails until the field is offered or listed with a reason. Modules listed in the
YAML that do not exist yet are skipped, so new modules join by existing.

The newer LiteLLM we keep a route list for (tests/data/litellm-routes) is held to the same table where its
virtualenv exists (.cache/litellm-<version>/venv, made by scripts/litellm-routes or the tier of that version): its
fields must be offered, renamed, ``not_offered`` or ``not_offered_newer`` (fields only a newer LiteLLM has, with
the reason and the release that added them).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
from typing import Any

import pytest
import yaml

from tests.lib.playbook import REPO

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # else importing litellm fetches its cost map

TABLE = yaml.safe_load((REPO / "docs" / "completeness.yml").read_text())
MODULES = REPO / "plugins" / "modules"


def entity_modules() -> set[str]:
    return {p.stem for p in MODULES.glob("*.py") if p.stem != "__init__" and not p.stem.endswith("_info")}


def documentation(path: Any, name: str = "DOCUMENTATION") -> dict[str, Any]:
    """A module's DOCUMENTATION, or a doc fragment's ``name`` attribute, parsed without importing the file."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{path} has no {name}")


def options(module: str) -> set[str]:
    """The options a module documents: its DOCUMENTATION's and those of the collection's doc fragments it extends."""
    doc = documentation(MODULES / f"{module}.py")
    found = set(doc.get("options") or {})
    for fragment in doc.get("extends_documentation_fragment") or []:
        name, _sep, var = fragment.removeprefix("llmops.litellm.").partition(".")
        found |= set(documentation(REPO / "plugins" / "doc_fragments" / f"{name}.py", var or "DOCUMENTATION")
                     .get("options") or {})
    return found


def request_fields(dotted: str) -> set[str]:
    """The fields of a request model: a pydantic model's, or a TypedDict's keys."""
    module, name = dotted.rsplit(".", 1)
    model: Any = getattr(importlib.import_module(module), name)
    if hasattr(model, "model_fields"):
        return set(model.model_fields)
    return set(model.__required_keys__) | set(model.__optional_keys__)


def test_every_module_has_an_entry():
    missing = sorted(entity_modules() - set(TABLE))
    assert not missing, f"add these modules to docs/completeness.yml: {', '.join(missing)}"


@pytest.mark.parametrize("module", sorted(TABLE))
def test_request_fields_are_options_or_listed_with_a_reason(module):
    if not (MODULES / f"{module}.py").exists():
        pytest.skip(f"no module {module} yet")
    entry = TABLE[module]
    offered = options(module)
    renamed = entry.get("renamed") or {}
    not_offered = entry.get("not_offered") or {}
    fields = set().union(*(request_fields(m) for m in entry["request_models"]))

    assert not set(entry.get("not_offered_newer") or {}) & fields, "the pinned LiteLLM has these: move to not_offered"
    missing = sorted(f for f in fields if f not in offered and renamed.get(f) not in offered and f not in not_offered)
    assert not missing, (f"{module} neither offers nor lists in docs/completeness.yml these fields of "
                         f"{', '.join(entry['request_models'])}: {', '.join(missing)}")
    assert not [f for f, reason in not_offered.items() if not str(reason or "").strip()], "give every field a reason"
    stale = sorted(f for f in not_offered if f in offered or f not in fields)
    assert not stale, f"docs/completeness.yml lists for {module} fields it offers or LiteLLM does not have: {stale}"
    assert not [f for f, option in renamed.items() if f not in fields or option not in offered], renamed


PINNED = re.search(r"^litellm\[proxy\]==(\S+)", (REPO / "requirements.txt").read_text(), re.M).group(1)
NEWER = sorted(p.stem for p in (REPO / "tests" / "data" / "litellm-routes").glob("*.txt") if p.stem != PINNED)
# Prints {dotted request model: its fields} for the litellm of the interpreter that runs it.
FIELDS_OF = """
import importlib, json, os, sys
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
out = {}
for dotted in sys.argv[1:]:
    module, name = dotted.rsplit(".", 1)
    model = getattr(importlib.import_module(module), name)
    out[dotted] = sorted(model.model_fields) if hasattr(model, "model_fields") else sorted(
        set(model.__required_keys__) | set(model.__optional_keys__))
print(json.dumps(out))
"""


@pytest.mark.parametrize("version", NEWER)
def test_a_newer_litellm_s_fields_are_offered_or_listed_with_a_reason(version):
    python = REPO / ".cache" / f"litellm-{version}" / "venv" / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no virtualenv with litellm {version} (scripts/litellm-routes --venv {version} makes it)")
    models = sorted({m for module, entry in TABLE.items() if (MODULES / f"{module}.py").exists()
                     for m in entry["request_models"]})
    answer = subprocess.run([str(python), "-c", FIELDS_OF, *models], capture_output=True, text=True, check=True)
    fields_of = json.loads(answer.stdout.strip().splitlines()[-1])
    problems = {}
    for module, entry in sorted(TABLE.items()):
        if not (MODULES / f"{module}.py").exists():
            continue
        offered = options(module)
        known = set(entry.get("not_offered") or {}) | set(entry.get("not_offered_newer") or {})
        renamed = entry.get("renamed") or {}
        fields = set().union(*(fields_of[m] for m in entry["request_models"]))
        missing = sorted(f for f in fields if f not in offered and renamed.get(f) not in offered and f not in known)
        if missing:
            problems[module] = missing
    assert not problems, f"litellm {version} has request fields no module offers or lists: {problems}"
    for module, entry in TABLE.items():
        for field, reason in (entry.get("not_offered_newer") or {}).items():
            assert re.search(r"\b1\.\d+\.\d+\b", str(reason)), f"{module}.{field}: name the release that added it"
