"""Request bodies in Kubernetes' Protobuf encoding, for the few kinds clients send that way.

client-go's typed clients send built-in kinds as ``application/vnd.kubernetes.protobuf`` (Helm 4 stores its
releases in Secrets that way, with no fallback to JSON). ``decode`` reads such a body for the kinds of
``KINDS`` into the JSON form the server works with: the envelope (magic ``k8s\\0`` + runtime.Unknown), then the
object by its generated.proto field numbers. Other kinds are left to the caller to refuse (415).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"


class ProtobufError(ValueError):
    """A body that is not a Protobuf object of a known kind."""


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of a message: varints as int, length-delimited fields as bytes."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(data, position)
            yield number, value
        elif wire == 2:
            length, position = _varint(data, position)
            yield number, data[position:position + length]
            position += length
        elif wire in (1, 5):
            position += 8 if wire == 1 else 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")


def _map_entry(data: bytes) -> tuple[str, bytes]:
    entry = dict(_fields(data))
    key, value = entry.get(1, b""), entry.get(2, b"")
    assert isinstance(key, bytes) and isinstance(value, bytes)
    return key.decode(), value


def _metadata(data: bytes) -> dict[str, Any]:
    """ObjectMeta: the fields a client sets."""
    strings = {1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"}
    maps = {11: "labels", 12: "annotations"}
    meta: dict[str, Any] = {}
    for number, value in _fields(data):
        if number in strings and isinstance(value, bytes):
            if value:  # Go's client writes empty strings; its JSON leaves them out (omitempty)
                meta[strings[number]] = value.decode()
        elif number in maps and isinstance(value, bytes):
            key, text = _map_entry(value)
            meta.setdefault(maps[number], {})[key] = text.decode()
        elif number == 14 and isinstance(value, bytes):
            meta.setdefault("finalizers", []).append(value.decode())
    return meta


def _secret(data: bytes) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for number, value in _fields(data):
        if number == 1 and isinstance(value, bytes):
            obj["metadata"] = _metadata(value)
        elif number in (2, 4) and isinstance(value, bytes):
            key, raw = _map_entry(value)
            if number == 2:
                obj.setdefault("data", {})[key] = base64.b64encode(raw).decode()
            else:
                obj.setdefault("stringData", {})[key] = raw.decode()
        elif number == 3 and isinstance(value, bytes) and value:
            obj["type"] = value.decode()
        elif number == 5:
            obj["immutable"] = bool(value)
    return obj


def _config_map(data: bytes) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for number, value in _fields(data):
        if number == 1 and isinstance(value, bytes):
            obj["metadata"] = _metadata(value)
        elif number in (2, 3) and isinstance(value, bytes):
            key, raw = _map_entry(value)
            if number == 2:
                obj.setdefault("data", {})[key] = raw.decode()
            else:
                obj.setdefault("binaryData", {})[key] = base64.b64encode(raw).decode()
        elif number == 4:
            obj["immutable"] = bool(value)
    return obj


KINDS: dict[tuple[str, str], Callable[[bytes], dict[str, Any]]] = {("v1", "Secret"): _secret, ("v1", "ConfigMap"): _config_map}
KINDS_TEXT = [f"{CONTENT_TYPE} ({kind})" for _version, kind in KINDS]


def decode(body: bytes) -> dict[str, Any]:
    """The object of a Protobuf request body, in its JSON form (raises ProtobufError for other kinds)."""
    if not body.startswith(MAGIC):
        raise ProtobufError("no Kubernetes Protobuf envelope")
    envelope = dict(_fields(body[len(MAGIC):]))
    type_meta, raw = envelope.get(1, b""), envelope.get(2, b"")
    assert isinstance(type_meta, bytes) and isinstance(raw, bytes)
    names = {number: value.decode() for number, value in _fields(type_meta) if isinstance(value, bytes)}
    api_version, kind = names.get(1, ""), names.get(2, "")
    if (api_version, kind) not in KINDS:
        raise ProtobufError(f"{api_version}/{kind} in Protobuf")
    return {"apiVersion": api_version, "kind": kind, **KINDS[(api_version, kind)](raw)}
