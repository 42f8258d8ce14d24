"""The operator's settings, from the environment (the Operator SDK's names where it has one)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
OPERATOR_DIR = PACKAGE_DIR.parent
COLLECTION_ROOT = OPERATOR_DIR.parent
COLLECTION = ("ansible_collections", "llmops", "litellm")

ANNOTATION_PREFIX = "litellm.llmops.dev"
KOPF_PREFIX = f"operator.{ANNOTATION_PREFIX}"  # Kopf's progress and last-handled-configuration annotations
CONFLICT_ANNOTATION = f"{ANNOTATION_PREFIX}/conflict-resolution"
UNMANAGED_ANNOTATION = f"{ANNOTATION_PREFIX}/unmanaged-resource-policy"
ADOPTED_ANNOTATION = f"{ANNOTATION_PREFIX}/adopted"
DELETE_ADOPTED_ANNOTATION = f"{ANNOTATION_PREFIX}/delete-adopted"
TRIGGER_ANNOTATION = f"{ANNOTATION_PREFIX}/reconcile-requested"
SCOPE_ANNOTATION = f"{ANNOTATION_PREFIX}/unmanaged-name-prefix"  # on an instance: the unmanaged check's scope
MANAGED_BY = ("app.kubernetes.io/managed-by", "llmops-litellm-operator")
CONFLICT_POLICIES = ("crd-wins", "api-wins", "manual")
UNMANAGED_POLICIES = ("preserve", "prune", "adopt")
DEFAULT_DRIFT_INTERVAL = 300.0
SDK_ANNOTATION_PREFIX = "ansible.sdk.operatorframework.io"  # ansible-operator's per-CR annotations
VERBOSITY_ANNOTATION = f"{SDK_ANNOTATION_PREFIX}/verbosity"
ARTIFACTS_ANNOTATION = f"{SDK_ANNOTATION_PREFIX}/max-runner-artifacts"
RECONCILE_PERIOD_ANNOTATION = f"{SDK_ANNOTATION_PREFIX}/reconcile-period"
SDK_UTIL = ("ansible_collections", "operator_sdk", "util")
BUNDLED_COLLECTIONS = OPERATOR_DIR / "collections"  # our operator_sdk.util, used when the real one is absent


def collections_dir(env: dict[str, str] | None = None) -> Path | None:
    """The directory that holds ansible_collections/llmops/litellm, so that the operator imports the collection it
    ships in (its kinds, the custom-resource rules) as Ansible does: the installed collection's (the image installs
    it, /opt/collections), else the repository's link (``make collection``), else an ANSIBLE_COLLECTIONS_PATH entry."""
    env = os.environ if env is None else env
    candidates = [COLLECTION_ROOT.parents[2]] if COLLECTION_ROOT.parts[-3:] == COLLECTION else []
    candidates.append(COLLECTION_ROOT / ".cache" / "collections")
    for entry in env.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        path = Path(entry) if entry else None
        if path is not None:
            candidates.append(path.parent if path.name == COLLECTION[0] else path)
    return next((c for c in candidates if c.joinpath(*COLLECTION).is_dir()), None)


@dataclasses.dataclass(frozen=True)
class Config:
    watches_file: Path
    watches_base: Path
    runner_dir: Path
    max_concurrent_reconciles: int
    drift_check_period: float
    namespaces: tuple[str, ...]
    # ansible-operator's flags (``python -m llmops_operator --help``); the defaults are ansible-operator's
    inject_owner_ref: bool = True
    proxy_port: int = 8888
    osdk_metrics_port: int = 5050
    ansible_args: str = ""
    ansible_verbosity: int | None = None  # None: 2 for foreign watches (ansible-operator's), 0 for ours
    roles_path: str = ""  # ANSIBLE_ROLES_PATH for the runs, before <watches base>/roles
    collections_path: str = ""  # ANSIBLE_COLLECTIONS_PATH for the runs
    warm_start: bool = True  # runs forked from a process that has imported what ansible-playbook imports (warm.py)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        default = OPERATOR_DIR / "watches.yaml"
        watches = Path(env.get("WATCHES_FILE") or default)
        base = Path(env["WATCHES_BASE"]) if env.get("WATCHES_BASE") else (
            COLLECTION_ROOT if watches.resolve() == default else watches.resolve().parent)
        namespaces = tuple(n.strip() for n in env.get("WATCH_NAMESPACE", "").split(",") if n.strip())
        return cls(
            watches_file=watches,
            watches_base=base,
            runner_dir=Path(env.get("LLMOPS_OPERATOR_RUNNER_DIR") or "/tmp/llmops-operator/runner"),
            max_concurrent_reconciles=_positive_int(env, "MAX_CONCURRENT_RECONCILES", 4),
            drift_check_period=_positive_float(env, "DRIFT_CHECK_PERIOD", 30.0),
            namespaces=namespaces,
            proxy_port=_port(env, "LLMOPS_OPERATOR_PROXY_PORT", 8888),
            osdk_metrics_port=_port(env, "LLMOPS_OPERATOR_OSDK_METRICS_PORT", 5050),
            roles_path=env.get("ANSIBLE_ROLES_PATH", ""),
            collections_path=env.get("ANSIBLE_COLLECTIONS_PATH", ""),
            warm_start=_boolean(env, "LLMOPS_OPERATOR_WARM_START", True),
        )


def has_sdk_util(roots: list[Path]) -> bool:
    """Whether the real operator_sdk.util collection is installed in one of ``roots`` or beside Ansible."""
    import importlib.util  # pylint: disable=import-outside-toplevel

    spec = importlib.util.find_spec("ansible_collections")
    beside = [Path(p).parent for p in (spec.submodule_search_locations or [])] if spec else []
    return any(root.joinpath(*SDK_UTIL).is_dir() for root in [*roots, *beside] if root != BUNDLED_COLLECTIONS)


def truth(value: str) -> bool:
    """``true`` / ``false`` as the operator's flags and variables write them (Go's flag syntax too: ``t``, ``f``)."""
    if value.strip().lower() in ("true", "1", "t", "yes"):
        return True
    if value.strip().lower() in ("false", "0", "f", "no"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def _boolean(env: dict[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip()
    try:
        return truth(value) if value else default
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _port(env: dict[str, str], name: str, default: int) -> int:
    return _positive_int(env, name, default, 0, 65535, "a port number (0: any free port)")


def _positive_int(env: dict[str, str], name: str, default: int, low: int = 1, high: int | None = None,
                  what: str = "a positive integer") -> int:
    """The whole number ``env[name]`` from ``low`` to ``high``; ``default`` when it is unset or empty."""
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < low or (high is not None and int(value) > high):
        raise ValueError(f"{name}: {value!r} is not {what}")
    return int(value)


def _positive_float(env: dict[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise ValueError(f"{name}: {value!r} is not a positive number of seconds")
    return number
