"""Each module offers every field of the pinned LiteLLM's request models, or docs/completeness.yml says why not.

The request models come from the installed LiteLLM (the pinned one, whose source is the API spec); a module's
options from its DOCUMENTATION (which ansible-test's validate-modules holds equal to its argument spec). When a
newer LiteLLM adds a field, this fails until the field is offered or listed with a reason. Modules listed in the
YAML that do not exist yet are skipped, so new modules join by existing.
"""

from __future__ import annotations

import ast
import importlib
import os
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

    missing = sorted(f for f in fields if f not in offered and renamed.get(f) not in offered and f not in not_offered)
    assert not missing, (f"{module} neither offers nor lists in docs/completeness.yml these fields of "
                         f"{', '.join(entry['request_models'])}: {', '.join(missing)}")
    assert not [f for f, reason in not_offered.items() if not str(reason or "").strip()], "give every field a reason"
    stale = sorted(f for f in not_offered if f in offered or f not in fields)
    assert not stale, f"docs/completeness.yml lists for {module} fields it offers or LiteLLM does not have: {stale}"
    assert not [f for f, option in renamed.items() if f not in fields or option not in offered], renamed
