"""Extravars the way the Operator SDK's Ansible operator builds them, written as a YAML file.

- spec keys snake_cased recursively (``teamAlias`` -> ``team_alias``, ``HTTPServer`` -> ``http_server``),
- the whole CR as ``_<group>_<kind>`` (minus ``metadata.managedFields``) and its spec as it is written as
  ``_<group>_<kind>_spec``,
- ``ansible_operator_meta: {name, namespace}``,
- with markUnsafe, every string that comes from the CR is tagged ``!unsafe`` so Ansible never templates it.

ansible-runner passes ``env/extravars`` to ansible-playbook as ``-e @file`` without parsing it, and
Ansible's YAML loader turns ``!unsafe`` into untrusted strings (the same marking the Operator SDK uses).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import camel, camel_keys, keys_tree, snake

# camel and snake are the collection's own (one rule for CR fields everywhere), re-exported for the shim
__all__ = ["camel", "camel_keys", "extravars", "mark_unsafe", "raw_cr", "snake", "snake_keys", "write_extravars"]


def snake_keys(value: Any) -> Any:
    return keys_tree(value, snake)


class Unsafe(str):
    """A string Ansible must not template (dumped as ``!unsafe``)."""


def mark_unsafe(value: Any) -> Any:
    if isinstance(value, str):
        return Unsafe(value)
    if isinstance(value, dict):
        return {k: mark_unsafe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mark_unsafe(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes ``Unsafe`` strings with the ``!unsafe`` tag and never uses aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(Unsafe, lambda dumper, data: dumper.represent_scalar("!unsafe", str(data)))


def raw_cr(body: dict[str, Any]) -> dict[str, Any]:
    metadata = {k: v for k, v in body.get("metadata", {}).items() if k != "managedFields"}
    return {**body, "metadata": metadata}


def extravars(body: dict[str, Any], *, cr_var: str, snake_case: bool, unsafe: bool,
              extra: dict[str, Any]) -> dict[str, Any]:
    """The extravars of one run: the CR's spec at top level, the raw CR, the meta, then ``extra``.

    ``extra`` (watches vars, ``state``, ``litellm_operator``) is produced by the operator and stays trusted.
    """
    spec = body.get("spec") or {}
    params = snake_keys(spec) if snake_case else dict(spec)
    cr, raw_spec = raw_cr(body), dict(spec)
    if unsafe:
        params, cr, raw_spec = mark_unsafe(params), mark_unsafe(cr), mark_unsafe(raw_spec)
    meta = {"name": body["metadata"]["name"], "namespace": body["metadata"].get("namespace", "")}
    return {**params, cr_var: cr, f"{cr_var}_spec": raw_spec, "ansible_operator_meta": meta, **extra}


def write_extravars(path: Path, variables: dict[str, Any]) -> None:
    """Write the extravars file (mode 0600; it holds no secret, but the CR's content is the user's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as stream:
        yaml.dump(variables, stream, Dumper=_Dumper, default_flow_style=False, sort_keys=True)
