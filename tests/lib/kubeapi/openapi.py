"""What a real API server enforces from a CustomResourceDefinition's ``openAPIV3Schema``.

In the server's order: prune unknown fields (kept under ``x-kubernetes-preserve-unknown-fields``) and
nulls of non-nullable fields, apply ``default`` values, then validate: ``type``, ``nullable``,
``x-kubernetes-int-or-string``, ``required``, ``enum``, ``pattern``, ``minLength``/``maxLength``,
``minimum``/``maximum`` (and their exclusive forms), ``minItems``/``maxItems``, ``items``,
``properties``, ``additionalProperties``. Failures are the server's field causes, in its wording, e.g.
``spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"``.
Not enforced: ``format``, ``oneOf``/``anyOf``/``allOf``/``not``, CEL rules, list-type uniqueness.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]
ROOT_FIELDS = ("apiVersion", "kind", "metadata")


@dataclasses.dataclass(frozen=True)
class Cause:
    """One failed rule, as in a Status object's ``details.causes``."""

    field: str
    reason: str
    detail: str

    @property
    def message(self) -> str:
        return f"{self.field}: {self.detail}"


def admit(obj: Mapping[str, Any], schema: Schema) -> tuple[dict[str, Any], list[Cause]]:
    """Prune, default and validate a custom resource: its stored form and the rules it breaks."""
    root = {key: obj[key] for key in ROOT_FIELDS if key in obj}
    content = {key: value for key, value in obj.items() if key not in ROOT_FIELDS}
    result = {**root, **_default(_prune(content, schema), schema)}
    return result, _validate(result, schema, "")


def _prune(value: Any, schema: Schema) -> Any:
    if isinstance(value, list) and "items" in schema:
        return [_prune(item, schema["items"]) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties", {})
    additional = schema.get("additionalProperties")
    keep_unknown = bool(schema.get("x-kubernetes-preserve-unknown-fields")) or additional is True
    embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    result = {}
    for key, item in value.items():
        field_schema = properties.get(key) or (additional if isinstance(additional, Mapping) else None)
        if field_schema is not None:
            if item is None and not field_schema.get("nullable") and "default" not in field_schema:
                continue
            result[key] = _prune(item, field_schema)
        elif keep_unknown or (embedded and key in ROOT_FIELDS):
            result[key] = item
    return result


def _default(value: Any, schema: Schema) -> Any:
    if isinstance(value, list) and "items" in schema:
        return [_default(item, schema["items"]) for item in value]
    if not isinstance(value, dict):
        return value
    result = dict(value)
    properties = schema.get("properties", {})
    for key, field_schema in properties.items():
        if "default" in field_schema and result.get(key) is None and not (key in result and field_schema.get("nullable")):
            result[key] = copy.deepcopy(field_schema["default"])
        if key in result:
            result[key] = _default(result[key], field_schema)
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping):
        for key in result.keys() - properties.keys():
            result[key] = _default(result[key], additional)
    return result


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type_matches(value: Any, schema: Schema) -> bool:
    actual = _json_type(value)
    if schema.get("x-kubernetes-int-or-string"):
        return actual in ("integer", "string")
    expected = schema.get("type")
    if expected == "integer":
        return actual == "integer" or (actual == "number" and float(value).is_integer())
    if expected == "number":
        return actual in ("integer", "number")
    return expected is None or actual == expected


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _validate(value: Any, schema: Schema, path: str) -> list[Cause]:
    if value is None and schema.get("nullable"):
        return []
    if not _type_matches(value, schema):
        expected = "integer or string" if schema.get("x-kubernetes-int-or-string") else schema["type"]
        actual = _json_type(value)
        return [Cause(path, "FieldValueTypeInvalid", f'Invalid value: "{actual}": {path} in body must be of type {expected}: "{actual}"')]
    causes: list[Cause] = []
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(_show(item) for item in schema["enum"])
        causes.append(Cause(path, "FieldValueNotSupported", f"Unsupported value: {_show(value)}: supported values: {supported}"))
    if isinstance(value, str):
        causes += _validate_string(value, schema, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        causes += _validate_number(value, schema, path)
    elif isinstance(value, list):
        causes += _validate_array(value, schema, path)
    elif isinstance(value, dict):
        causes += _validate_object(value, schema, path)
    return causes


def _validate_string(value: str, schema: Schema, path: str) -> list[Cause]:
    causes = []
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        causes.append(Cause(path, "FieldValueTooLong", f"Too long: may not be longer than {schema['maxLength']}"))
    if "minLength" in schema and len(value) < schema["minLength"]:
        causes.append(Cause(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should be at least {schema['minLength']} chars long"))
    if "pattern" in schema and not re.search(schema["pattern"], value):
        causes.append(Cause(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should match '{schema['pattern']}'"))
    return causes


def _validate_number(value: float, schema: Schema, path: str) -> list[Cause]:
    causes = []
    if "minimum" in schema:
        exclusive = schema.get("exclusiveMinimum") is True
        if value < schema["minimum"] or (exclusive and value == schema["minimum"]):
            bound = "greater than" if exclusive else "greater than or equal to"
            causes.append(Cause(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should be {bound} {schema['minimum']}"))
    if "maximum" in schema:
        exclusive = schema.get("exclusiveMaximum") is True
        if value > schema["maximum"] or (exclusive and value == schema["maximum"]):
            bound = "less than" if exclusive else "less than or equal to"
            causes.append(Cause(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should be {bound} {schema['maximum']}"))
    return causes


def _validate_array(value: list[Any], schema: Schema, path: str) -> list[Cause]:
    causes = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        causes.append(Cause(path, "FieldValueInvalid", f"Invalid value: {len(value)}: {path} in body should have at least {schema['minItems']} items"))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        causes.append(Cause(path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most {schema['maxItems']} items"))
    if "items" in schema:
        for index, item in enumerate(value):
            causes += _validate(item, schema["items"], f"{path}[{index}]")
    return causes


def _validate_object(value: dict[str, Any], schema: Schema, path: str) -> list[Cause]:
    causes = [
        Cause(_join(path, key), "FieldValueRequired", "Required value")
        for key in schema.get("required", []) if key not in value
    ]
    properties = schema.get("properties", {})
    additional = schema.get("additionalProperties")
    for key, item in value.items():
        if not path and key in ROOT_FIELDS:
            continue
        field_schema = properties.get(key) or (additional if isinstance(additional, Mapping) else None)
        if field_schema is not None:
            causes += _validate(item, field_schema, _join(path, key))
    return causes


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
