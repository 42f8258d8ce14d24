"""The PATCH formats of the Kubernetes API: JSON merge (RFC 7386), JSON (RFC 6902), strategic merge.

Strategic merge needs to know, per field, whether a list is merged (and by which key) or replaced.
A real server reads that from the OpenAPI extensions ``x-kubernetes-patch-strategy`` and
``x-kubernetes-patch-merge-key`` of its built-in types. The same schemas ship with PyPI
``kubernetes-validate``; we read them from there (its newest Kubernetes version), so containers merge
by ``name``, volumeMounts by ``mountPath``, container ports by ``containerPort``, finalizers as a set,
and so on, exactly as the server's own type definitions say.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import json
from collections.abc import Mapping
from typing import Any

import jsonpatch
import kubernetes_validate

JSONPatchError = (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException)


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch: maps merge recursively, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: Mapping[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply a JSON patch (add/remove/replace/move/copy/test); raises one of ``JSONPatchError``."""
    result: dict[str, Any] = jsonpatch.apply_patch(target, operations)
    return result


@functools.cache
def _definitions() -> dict[str, Any]:
    version = kubernetes_validate.latest_version()
    root = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
    definitions: dict[str, Any] = json.loads((root / f"v{version}-local" / "_definitions.json").read_text())["$defs"]
    return definitions


@functools.cache
def _definition_names() -> dict[tuple[str, str, str], str]:
    return {
        (gvk["group"], gvk["version"], gvk["kind"]): name
        for name, definition in _definitions().items()
        for gvk in definition.get("x-kubernetes-group-version-kind", [])
    }


def builtin_schema(group: str, version: str, kind: str) -> Mapping[str, Any] | None:
    """The OpenAPI schema of a built-in kind, or None if Kubernetes has no such kind."""
    name = _definition_names().get((group, version, kind))
    schema: Mapping[str, Any] | None = _definitions()[name] if name else None
    return schema


def _resolve(schema: Mapping[str, Any] | None) -> Mapping[str, Any]:
    while schema and "$ref" in schema:
        schema = _definitions()[schema["$ref"].rsplit("/", 1)[-1]]
    return schema or {}


def strategic_merge_patch(original: Mapping[str, Any], patch: Mapping[str, Any], schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """Apply a strategic merge patch to ``original``, a map described by ``schema``.

    Supported directives: ``$patch: replace|delete`` (maps and list items), ``$retainKeys``,
    ``$deleteFromPrimitiveList/<field>``; ``$setElementOrder/<field>`` is accepted and ignored
    (merged lists keep the original order, new items are appended).
    """
    if patch.get("$patch") == "replace":
        replaced: dict[str, Any] = _without_directives(patch)
        return replaced
    schema = _resolve(schema)
    properties = schema.get("properties", {})
    result = copy.deepcopy(dict(original))
    for key, value in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [item for item in result.get(field) or [] if item not in value]
        elif key.startswith("$"):
            continue
        elif value is None or (isinstance(value, Mapping) and value.get("$patch") == "delete"):
            result.pop(key, None)
        else:
            field_schema = _resolve(properties.get(key) or schema.get("additionalProperties") or None)
            current = result.get(key)
            if isinstance(value, Mapping):
                result[key] = strategic_merge_patch(current if isinstance(current, Mapping) else {}, value, field_schema)
            elif isinstance(value, list) and isinstance(current, list) and "merge" in field_schema.get("x-kubernetes-patch-strategy", "").split(","):
                result[key] = _merge_list(current, value, field_schema)
            else:
                result[key] = _without_directives(value)
    if "$retainKeys" in patch:
        result = {key: value for key, value in result.items() if key in patch["$retainKeys"]}
    return result


def _merge_list(current: list[Any], patch: list[Any], schema: Mapping[str, Any]) -> list[Any]:
    if any(isinstance(item, Mapping) and item.get("$patch") == "replace" for item in patch):
        return [_without_directives(item) for item in patch if not (isinstance(item, Mapping) and "$patch" in item)]
    merge_key = schema.get("x-kubernetes-patch-merge-key")
    if merge_key is None:  # a list of scalars merged as a set, e.g. metadata.finalizers
        return current + [item for item in patch if item not in current]
    item_schema = _resolve(schema.get("items"))
    result = copy.deepcopy(current)
    for item in patch:
        index = next((n for n, old in enumerate(result) if old.get(merge_key) == item.get(merge_key)), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
        elif index is None:
            result.append(strategic_merge_patch({}, item, item_schema))
        else:
            result[index] = strategic_merge_patch(result[index], item, item_schema)
    return result


def _without_directives(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _without_directives(item) for key, item in value.items() if not key.startswith("$") and item is not None}
    if isinstance(value, list):
        return [_without_directives(item) for item in value]
    return value
