"""Every role's meta/argument_specs.yml documents exactly its defaults, with the same default values."""

from pathlib import Path

import pytest
import yaml

ROLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "roles").iterdir() if (p / "defaults" / "main.yml").is_file())


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_argument_specs_match_defaults(role: Path) -> None:
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    public = {k: v for k, v in defaults.items() if not k.startswith("__")}
    assert sorted(public) == sorted(spec), "options in defaults/main.yml and meta/argument_specs.yml differ"
    for name, value in public.items():
        assert spec[name].get("default") == value, f"{name}: default {value!r} != documented {spec[name].get('default')!r}"
        assert spec[name].get("description"), f"{name} has no description"
        assert name.startswith(role.name + "_"), f"{name} is not prefixed with the role name"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_argument_spec_types_fit_defaults(role: Path) -> None:
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    python_types = {"str": str, "path": str, "int": int, "bool": bool, "dict": dict, "list": list}
    for name, option in spec.items():
        default = option.get("default")
        if default is not None:
            assert isinstance(default, python_types[option["type"]]), f"{name}: default is not a {option['type']}"
        if "choices" in option:
            assert default in option["choices"], f"{name}: default {default!r} not among the choices"
