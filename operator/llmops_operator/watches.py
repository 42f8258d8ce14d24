"""watches.yaml in the Operator SDK's Ansible-operator schema: load it, validate it, resolve its paths.

The schema is the one of operator-framework/ansible-operator-plugins (``internal/ansible/watches``):
one entry per group/version/kind with a playbook or a role, optional vars, finalizer, reconcilePeriod,
manageStatus, watchDependentResources, watchClusterScopedResources, snakeCaseParameters, markUnsafe,
maxRunnerArtifacts, blacklist and selector. Errors name the entry and the field.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ENTRY_KEYS = {
    "group", "version", "kind", "playbook", "role", "vars", "reconcilePeriod", "manageStatus",
    "watchDependentResources", "watchClusterScopedResources", "snakeCaseParameters", "markUnsafe",
    "finalizer", "maxRunnerArtifacts", "blacklist", "selector", "watchAnnotationsChanges",
}
FINALIZER_KEYS = {"name", "playbook", "role", "vars"}
BOOL_DEFAULTS = {
    "manageStatus": True, "watchDependentResources": True, "watchClusterScopedResources": False,
    "snakeCaseParameters": True, "markUnsafe": False, "watchAnnotationsChanges": False,
}
# where Ansible looks for collections when ANSIBLE_COLLECTIONS_PATH is unset (ansible-operator's defaults too)
DEFAULT_COLLECTIONS_PATH = "/usr/share/ansible/collections:~/.ansible/collections"
ENV_REFERENCE = re.compile(r"\$(\w+)|\$\{(\w+)\}")
DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class WatchesError(ValueError):
    """watches.yaml is not valid; the message names the entry and the field."""


@dataclasses.dataclass(frozen=True)
class Finalizer:
    name: str
    playbook: Path | None
    role: Path | None
    vars: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Watch:
    group: str
    version: str
    kind: str
    playbook: Path | None
    role: Path | None
    vars: dict[str, Any]
    finalizer: Finalizer | None
    reconcile_period: float | None
    manage_status: bool
    watch_dependent_resources: bool
    watch_cluster_scoped_resources: bool
    snake_case_parameters: bool
    mark_unsafe: bool
    max_runner_artifacts: int
    selector: dict[str, Any]
    blacklist: tuple[tuple[str, str, str], ...] = ()
    max_concurrent_reconciles: int | None = None  # MAX_CONCURRENT_RECONCILES_<KIND>_<GROUP>; None: the global pool only
    ansible_verbosity: int | None = None  # ANSIBLE_VERBOSITY_<KIND>_<GROUP>; None: the operator's default

    @property
    def plural(self) -> str:
        """The resource name Kopf watches: the kind lowercased plus ``s`` (the Operator SDK's rule too)."""
        return self.kind.lower() + "s"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def cr_var(self) -> str:
        """The extravar holding the whole CR: ``_<group with dots/dashes as _>_<kind lowercased>``."""
        return "_" + re.sub(r"[.\-]", "_", self.group) + "_" + self.kind.lower()

    def selects(self, labels: Mapping[str, str]) -> bool:
        """Whether an object with ``labels`` matches the ``selector`` (matchLabels and matchExpressions, as
        Kubernetes reads a label selector)."""
        if any(labels.get(k) != v for k, v in (self.selector.get("matchLabels") or {}).items()):
            return False
        tests = {"Exists": lambda key, _values: key in labels,
                 "DoesNotExist": lambda key, _values: key not in labels,
                 "In": lambda key, values: key in labels and labels[key] in values,
                 "NotIn": lambda key, values: key not in labels or labels[key] not in values}
        return all(tests[e["operator"]](e.get("key"), e.get("values") or []) for e in self.selector.get("matchExpressions") or [])


def env_suffix(kind: str, group: str) -> str:
    """``<KIND>_<GROUP>`` upper-cased with dots and dashes as ``_``: the Operator SDK's per-watch env suffix."""
    return re.sub(r"[.\-]", "_", f"{kind}_{group}").upper()


def collection_roots(env: Mapping[str, str]) -> list[Path]:
    """The folders holding ``ansible_collections/`` that Ansible searches (ANSIBLE_COLLECTIONS_PATH or its default)."""
    roots = []
    for entry in (env.get("ANSIBLE_COLLECTIONS_PATH") or DEFAULT_COLLECTIONS_PATH).split(os.pathsep):
        if entry:
            path = Path(entry).expanduser()
            roots.append(path.parent if path.name == "ansible_collections" else path)
    return roots


def role_candidates(name: str, base: Path, env: Mapping[str, str]) -> list[Path]:
    """Where a watch's ``role: name`` may be, in ansible-operator's order: a collection role ``ns.coll.role`` in
    the collections path, ``<each ANSIBLE_ROLES_PATH entry>/<name>`` and ``.../roles/<name>``, ``<base>/roles/<name>``;
    then ours: ``<base>/<name>`` (a path relative to the watches' base)."""
    if Path(name).is_absolute():
        return [Path(name)]
    candidates = []
    parts = name.split(".")
    if len(parts) == 3 and all(parts):
        candidates += [root / "ansible_collections" / parts[0] / parts[1] / "roles" / parts[2] for root in collection_roots(env)]
    for entry in (env.get("ANSIBLE_ROLES_PATH") or "").split(os.pathsep):
        if entry:
            candidates += [Path(entry).expanduser() / name, Path(entry).expanduser() / "roles" / name]
    return [*candidates, base / "roles" / name, base / name]


def role_reference(role: Path) -> str:
    """What a generated play names a role by: ``ns.coll.role`` for a role inside a collection (so that it runs in
    its collection's context), else its path."""
    parts = role.parts
    if len(parts) >= 5 and parts[-5] == "ansible_collections" and parts[-2] == "roles":
        return ".".join((parts[-4], parts[-3], parts[-1]))
    return str(role)


def collection_root(role: Path) -> Path | None:
    """The folder holding ``ansible_collections/`` of a collection role, else None."""
    return role.parents[4] if role_reference(role) != str(role) else None


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """``$VAR`` and ``${VAR}`` replaced by the environment's value; unset ones left as written (ansible-operator)."""
    return ENV_REFERENCE.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), text)


def parse_duration(value: Any, where: str) -> float:
    """A Go duration (``30s``, ``5m``, ``1h30m``, ``500ms``) or a number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    text = value.strip() if isinstance(value, str) else ""
    parts = DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise WatchesError(f"{where}: {value!r} is not a duration such as 30s, 5m or 1h30m")
    return sum(float(n) * UNITS[u] for n, u in parts)


def _path(value: Any, base: Path, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise WatchesError(f"{where}: must be a non-empty path")
    path = Path(value) if Path(value).is_absolute() else base / value
    if not path.exists():
        raise WatchesError(f"{where}: {path} does not exist")
    return path


def _role(value: Any, base: Path, where: str, env: Mapping[str, str]) -> Path:
    if not isinstance(value, str) or not value:
        raise WatchesError(f"{where}: must be a non-empty role name or path")
    candidates = role_candidates(value, base, env)
    found = next((c for c in candidates if c.is_dir()), None)
    if found is None:
        raise WatchesError(f"{where}: role {value!r} not found (looked in {', '.join(str(c) for c in candidates)})")
    return found


def _target(entry: dict[str, Any], base: Path, where: str, required: bool,
            env: Mapping[str, str]) -> tuple[Path | None, Path | None]:
    if "playbook" in entry and "role" in entry:
        raise WatchesError(f"{where}: set playbook or role, not both")
    if "playbook" in entry:
        return _path(entry["playbook"], base, f"{where}.playbook"), None
    if "role" in entry:
        return None, _role(entry["role"], base, f"{where}.role", env)
    if required:
        raise WatchesError(f"{where}: one of playbook or role is required")
    return None, None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WatchesError(f"{where}: must be a mapping")
    return value


def _selector(value: Any, where: str) -> dict[str, Any]:
    """A label selector: matchLabels and matchExpressions with the operators Kubernetes has."""
    selector = _mapping(value, where)
    _mapping(selector.get("matchLabels"), f"{where}.matchLabels")
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        raise WatchesError(f"{where}.matchExpressions: must be a list")
    for i, expr in enumerate(expressions):
        operator = expr.get("operator") if isinstance(expr, dict) else None
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise WatchesError(f"{where}.matchExpressions[{i}].operator: {operator!r} is not supported "
                               "(In, NotIn, Exists or DoesNotExist)")
    return selector


def _finalizer(value: Any, base: Path, where: str, env: Mapping[str, str]) -> Finalizer | None:
    if value is None:
        return None
    spec = _mapping(value, where)
    unknown = set(spec) - FINALIZER_KEYS
    if unknown:
        raise WatchesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if not isinstance(spec.get("name"), str) or not spec["name"]:
        raise WatchesError(f"{where}.name: is required")
    playbook, role = _target(spec, base, where, required=False, env=env)
    if playbook is None and role is None and "vars" not in spec:
        raise WatchesError(f"{where}: one of playbook, role or vars is required")
    return Finalizer(spec["name"], playbook, role, _mapping(spec.get("vars"), f"{where}.vars"))


def _blacklist(value: Any, where: str) -> tuple[tuple[str, str, str], ...]:
    """``blacklist: [{group, version, kind}]``: dependent kinds never watched."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) and isinstance(item.get("kind"), str) for item in value):
        raise WatchesError(f"{where}: must be a list of {{group, version, kind}}")
    return tuple((str(item.get("group") or ""), str(item.get("version") or ""), item["kind"]) for item in value)


def _env_int(env: Mapping[str, str], name: str, low: int, high: int | None = None) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.lstrip("-").isdigit() or int(value) < low or (high is not None and int(value) > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise WatchesError(f"{name}: {value!r} is not an integer {bounds}")
    return int(value)


def _entry(raw: Any, base: Path, index: int, env: Mapping[str, str]) -> Watch:
    where = f"watches[{index}]"
    entry = _mapping(raw, where)
    for key in ("version", "kind"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise WatchesError(f"{where}.{key}: is required")
    where = f"watches[{index}] ({entry['kind']})"
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise WatchesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if not isinstance(entry.get("group", ""), str):
        raise WatchesError(f"{where}.group: must be a string")
    flags = {}
    for key, default in BOOL_DEFAULTS.items():
        flags[key] = entry.get(key, default)
        if not isinstance(flags[key], bool):
            raise WatchesError(f"{where}.{key}: must be true or false")
    artifacts = entry.get("maxRunnerArtifacts", 20)
    if not isinstance(artifacts, int) or isinstance(artifacts, bool) or artifacts < 1:
        raise WatchesError(f"{where}.maxRunnerArtifacts: must be a positive integer")
    playbook, role = _target(entry, base, where, required=True, env=env)
    period = entry.get("reconcilePeriod")
    suffix = env_suffix(entry["kind"], str(entry.get("group", "")))
    return Watch(
        group=entry.get("group", ""), version=entry["version"], kind=entry["kind"],
        playbook=playbook, role=role, vars=_mapping(entry.get("vars"), f"{where}.vars"),
        finalizer=_finalizer(entry.get("finalizer"), base, f"{where}.finalizer", env),
        reconcile_period=None if period is None else parse_duration(period, f"{where}.reconcilePeriod") or None,
        manage_status=flags["manageStatus"], watch_dependent_resources=flags["watchDependentResources"],
        watch_cluster_scoped_resources=flags["watchClusterScopedResources"],
        snake_case_parameters=flags["snakeCaseParameters"], mark_unsafe=flags["markUnsafe"],
        max_runner_artifacts=artifacts, selector=_selector(entry.get("selector"), f"{where}.selector"),
        blacklist=_blacklist(entry.get("blacklist"), f"{where}.blacklist"),
        max_concurrent_reconciles=_env_int(env, f"MAX_CONCURRENT_RECONCILES_{suffix}", 1)
        or _env_int(env, f"WORKER_{suffix}", 1),
        ansible_verbosity=_env_int(env, f"ANSIBLE_VERBOSITY_{suffix}", 0, 7),
    )


def load(path: Path, base: Path | None = None, env: Mapping[str, str] | None = None) -> list[Watch]:
    """Load and validate ``path``; relative playbook/role paths resolve against ``base`` (default: its folder).

    ``$VAR`` / ``${VAR}`` in the file are replaced from ``env`` (default: the process's) before parsing, as
    ansible-operator does. Kopf has one finalizer name per operator, so every entry with a finalizer must use the
    same name.
    """
    env = os.environ if env is None else env
    try:
        raw = yaml.safe_load(expand_env(path.read_text(), env))
    except (OSError, yaml.YAMLError) as exc:
        raise WatchesError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(raw, list) or not raw:
        raise WatchesError(f"{path}: must be a non-empty list of watches")
    watches = [_entry(item, base or path.parent, index, env) for index, item in enumerate(raw)]
    seen: set[tuple[str, str, str]] = set()
    for watch in watches:
        gvk = (watch.group, watch.version, watch.kind)
        if gvk in seen:
            raise WatchesError(f"{path}: {watch.api_version} {watch.kind} is watched twice")
        seen.add(gvk)
    names = {w.finalizer.name for w in watches if w.finalizer}
    if len(names) > 1:
        raise WatchesError(f"{path}: all finalizers must share one name (Kopf has one per operator), got {sorted(names)}")
    return watches
