"""What Helm 4 (client-go 1.37) needs of the API: streaming lists, Protobuf Secrets, a /version of 1.28 or later.

tests/operator/test_helm.py runs the real Helm; these pin each behaviour down on its own.
"""

from __future__ import annotations

import base64
import json

import requests

from tests.lib.kubeapi import protobuf
from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.kubeapi.validate import OLDEST


def test_version_is_the_oldest_supported_kubernetes(kube_api: KubeCluster) -> None:
    doc = requests.get(f"{kube_api.url}/version", timeout=10).json()
    assert (doc["major"], doc["minor"]) == tuple(OLDEST.split(".")) and doc["gitVersion"] == f"v{OLDEST}.0"


def test_send_initial_events_ends_with_the_initial_events_end_bookmark(kube_api: KubeCluster, kube_namespace: str) -> None:
    url = f"{kube_api.url}/api/v1/namespaces/{kube_namespace}/configmaps"
    for name in ("one", "two"):
        requests.post(url, json={"metadata": {"name": name}}, timeout=10).raise_for_status()
    params = {"watch": "true", "sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true", "timeoutSeconds": "1"}
    with requests.get(url, params=params, stream=True, timeout=10) as response:
        events = [json.loads(line) for line in response.iter_lines() if line]
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in events] == [("ADDED", "one"), ("ADDED", "two"), ("BOOKMARK", None)]
    bookmark = events[-1]["object"]
    assert bookmark["kind"] == "ConfigMap" and bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["metadata"]["resourceVersion"]) >= max(int(e["object"]["metadata"]["resourceVersion"]) for e in events[:-1])


def _field(number: int, value: bytes | str) -> bytes:
    """A length-delimited Protobuf field (the encoding Go's client writes)."""
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _varint(value: int) -> bytes:
    out = b""
    while True:
        byte, value = value & 0x7F, value >> 7
        out += bytes([byte | (0x80 if value else 0)])
        if not value:
            return out


def _secret_body(name: str, namespace: str, data: dict[str, bytes]) -> bytes:
    # ObjectMeta with the empty strings Go writes (generateName, namespace when unset), a label; Secret data and type.
    meta = _field(1, name) + _field(2, "") + _field(3, namespace) + _field(11, _field(1, "owner") + _field(2, "helm"))
    secret = _field(1, meta) + b"".join(_field(2, _field(1, key) + _field(2, value)) for key, value in data.items()) + _field(3, "helm.sh/release.v1")
    envelope = _field(1, _field(1, "v1") + _field(2, "Secret")) + _field(2, secret) + _field(3, "") + _field(4, "")
    return protobuf.MAGIC + envelope


def test_a_protobuf_secret_is_stored_as_its_json_form(kube_api: KubeCluster, kube_namespace: str) -> None:
    url = f"{kube_api.url}/api/v1/namespaces/{kube_namespace}/secrets"
    body = _secret_body("release", "", {"release": b"\x00\xffbinary"})
    created = requests.post(url, data=body, headers={"Content-Type": protobuf.CONTENT_TYPE, "Accept": f"{protobuf.CONTENT_TYPE},application/json"}, timeout=10)
    assert created.status_code == 201, created.text
    stored = requests.get(f"{url}/release", timeout=10).json()
    assert stored["metadata"]["labels"] == {"owner": "helm"} and stored["type"] == "helm.sh/release.v1"
    assert base64.b64decode(stored["data"]["release"]) == b"\x00\xffbinary" and "generateName" not in stored["metadata"]


def test_protobuf_of_another_kind_is_415(kube_api: KubeCluster, kube_namespace: str) -> None:
    url = f"{kube_api.url}/api/v1/namespaces/{kube_namespace}/services"
    body = protobuf.MAGIC + _field(1, _field(1, "v1") + _field(2, "Service")) + _field(2, b"")
    response = requests.post(url, data=body, headers={"Content-Type": protobuf.CONTENT_TYPE}, timeout=10)
    assert response.status_code == 415 and "v1/Service in Protobuf" in response.json()["message"]
