"""Every API call of the collection exists in the OpenAPI document of each LiteLLM version we keep a route list for.

The lists (tests/data/litellm-routes/<version>.txt) are extracted offline from each version's wheel by
scripts/litellm-routes, which records each wheel's file name and sha256 in wheels.sha256; the pinned version's list
is checked against the installed wheel when it is importable, and each recorded wheel against its sha256 when
scripts/litellm-routes left it in .cache/wheels.
"""

import hashlib
import importlib
import importlib.metadata
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils import kinds
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import (
    Requires,
    Undescribed,
    collection_calls,
    missing_calls,
    undescribed_calls,
)
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Resource
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import DECLARED, ROUTE_WORDS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "litellm-routes"
VERSIONS = sorted(path.stem for path in DATA.glob("*.txt"))
WHEELS = dict(line.split(" ", 1) for line in (DATA / "wheels.sha256").read_text().splitlines())
PINNED = re.search(r"^litellm\[proxy\]==(\S+)", (ROOT / "requirements.txt").read_text(), re.M).group(1)
# A call with a literal path in the collection's code: client.get("/budget/list"), client.post("/key/%s/...").
LITERAL_CALL = re.compile(r"\.(?:get|get_kept|post|request)\(\s*(?:\"[A-Z]+\",\s*)?\"(/[^\"]*)\"")


def declared():
    """Every Resource, Requires and Undescribed the kind files declare."""
    found = {}
    for info in pkgutil.iter_modules(kinds.__path__):
        module = importlib.import_module("%s.%s" % (kinds.__name__, info.name))
        found.update((id(v), v) for v in vars(module).values() if isinstance(v, (Resource, Requires, Undescribed)))
    return list(found.values())


def routes(version):
    return (DATA / ("%s.txt" % version)).read_text().splitlines()


def as_openapi(lines):
    paths = {}
    for line in lines:
        method, path = line.split(" ", 1)
        paths.setdefault(path, {})[method.lower()] = {}
    return {"paths": paths}


def test_pinned_and_newest_versions_have_lists():
    assert PINNED in VERSIONS
    assert len(VERSIONS) >= 2
    assert not [v for v in VERSIONS if v.startswith("1.107.")]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_call_exists(version):
    assert missing_calls(as_openapi(routes(version)), collection_calls(declared())) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_undescribed_calls_are_left_out_of_the_description(version):
    """The calls a kind declares Undescribed are not checked above: each must still be missing from the description
    (once LiteLLM describes one, it belongs with the checked calls), and none is also a checked call."""
    undescribed = undescribed_calls(declared())
    assert ("GET", "/config/list") in undescribed  # the walk finds what it is for
    assert missing_calls(as_openapi(routes(version)), undescribed) == ["%s %s" % call for call in undescribed]
    assert set(undescribed).isdisjoint(collection_calls(declared()))


def test_route_words_hold_every_call():
    """The operator's request log keeps the words of every call the collection makes, described or not."""
    calls = collection_calls(declared()) + undescribed_calls(declared())
    words = set(s for _m, path in calls for s in path.split("/") if s and not s.startswith("{"))
    assert {"config", "field", "callbacks"} <= words
    assert sorted(words - ROUTE_WORDS) == []


def test_calls_cover_kinds_and_hooks():
    calls = collection_calls(declared())
    for call in [("POST", "/team/new"), ("POST", "/team/member_add"), ("PATCH", "/model/{id}/update"),
                 ("POST", "/key/{key}/regenerate"), ("GET", "/guardrails/ui/add_guardrail_settings")]:
        assert call in calls


def test_registry_declares_every_resource_and_requires():
    """The route words of the request log come from registry.DECLARED: every Resource, Requires and Undescribed of
    the kind files is in it, or held by a Resource in it (its own or one of its fields')."""
    held = set(id(item) for item in DECLARED)
    for item in DECLARED:
        if isinstance(item, Resource):
            held.update(id(requires) for requires in [item.requires] + [f.requires for f in item.fields])
    assert [getattr(v, "kind", None) or getattr(v, "reason", None) or v.what or v.paths
            for v in declared() if id(v) not in held] == []


def test_literal_calls_are_declared():
    """A call written with a literal path outside the specs must be in OTHER_CALLS or an Undescribed (else the route
    test misses it)."""
    calls = collection_calls(declared()) + undescribed_calls(declared())
    known = missing_calls(as_openapi("%s %s" % (m or "GET", p) for m, p in calls),
                          [(None, path.replace("%s", "{}")) for path in literal_paths()])
    assert known == []


def literal_paths():
    found = set()
    for source in (ROOT / "plugins").rglob("*.py"):
        found.update(LITERAL_CALL.findall(source.read_text()))
    found.discard("/openapi.json")  # how the document itself is read
    assert "/organization/info" in found  # the pattern still finds what it is for
    return sorted(found)


def test_missing_calls_found_in_a_list():
    """The check can fail: a route the list lacks is reported."""
    lines = [line for line in routes(PINNED) if line != "POST /team/new"]
    assert missing_calls(as_openapi(lines), collection_calls(declared())) == ["POST /team/new"]


def test_pinned_list_matches_installed_wheel():
    try:
        installed = importlib.metadata.version("litellm")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("litellm is not installed here")
    if installed != PINNED:
        pytest.skip("litellm %s is installed, not the pinned %s" % (installed, PINNED))
    dumped = subprocess.run([sys.executable, str(ROOT / "scripts" / "litellm-routes"), "--dump"],
                            capture_output=True, text=True, check=True, cwd=str(DATA)).stdout
    assert [line for line in dumped.splitlines() if re.match(r"^[A-Z]+ /", line)] == routes(PINNED), (
        "tests/data/litellm-routes/%s.txt is stale: re-run scripts/litellm-routes %s" % (PINNED, PINNED))


def test_every_list_names_its_wheel():
    assert sorted(WHEELS) == VERSIONS
    for version, record in WHEELS.items():
        assert re.match(r"^litellm-%s-\S+\.whl sha256:[0-9a-f]{64}$" % re.escape(version), record), record


@pytest.mark.parametrize("version", VERSIONS)
def test_recorded_wheel_is_the_one_downloaded(version):
    name, digest = WHEELS[version].split(" sha256:")
    path = ROOT / ".cache" / "wheels" / name
    if not path.exists():
        pytest.skip("%s is not in .cache/wheels (scripts/litellm-routes %s downloads it)" % (name, version))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
