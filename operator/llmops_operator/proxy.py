"""A local Kubernetes API proxy for the runs of foreign watches, and the watches of the objects they create.

ansible-operator runs every playbook against a proxy of the API server (``--proxy-port``, 8888) that adds the
custom resource being reconciled as owner of each object the run creates: an ``ownerReference`` when the owner
may own it (same namespace, or a cluster-scoped owner), else the annotations ``operator-sdk/primary-resource``
(``<namespace>/<name>``) and ``operator-sdk/primary-resource-type`` (``<Kind>.<group>``). Garbage collection then
removes what a run made when its custom resource goes. ``--inject-owner-ref=false`` turns that off.

Here: one proxy per operator on 127.0.0.1; each run gets a kubeconfig (a 0600 file outside its private data dir,
deleted when the run ends) naming the proxy and a token of its own, by which the proxy knows the owner. Requests
are forwarded with the operator's own credentials (``kubernetes`` client configuration: token, client certificate,
CA). A run's token is refused once the run is over.

``Dependents`` is ``watchDependentResources``: when a run creates an object of a kind not watched yet, that kind is
watched (unless ``blacklist``-ed; cluster-scoped kinds only with ``watchClusterScopedResources``), and a change
(not status only) or the deletion of an object owned by a watched custom resource reconciles its owner.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import kubernetes
import urllib3
import yaml

from llmops_operator import httpd

LOG = logging.getLogger("llmops_operator.proxy")
PRIMARY_RESOURCE = "operator-sdk/primary-resource"
PRIMARY_RESOURCE_TYPE = "operator-sdk/primary-resource-type"
# kinds whose create is a question to the API server, not an object (ansible-operator's "virtual resources")
VIRTUAL = {"tokenreviews", "subjectaccessreviews", "selfsubjectaccessreviews", "localsubjectaccessreviews",
           "selfsubjectrulesreviews", "selfsubjectreviews", "bindings", "tokenrequests"}
HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
       "upgrade", "content-length", "host", "authorization"}


def upstream(api: kubernetes.client.ApiClient, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None, stream: bool = False) -> urllib3.BaseHTTPResponse:
    """One request to the API server with the operator's credentials (the client's pool: TLS, certificates)."""
    config = api.configuration
    outgoing = dict(headers or {})
    for setting in config.auth_settings().values():
        if setting.get("in") == "header" and setting.get("value"):
            outgoing[setting["key"]] = setting["value"]
    return api.rest_client.pool_manager.request(
        method, config.host.rstrip("/") + path, body=body, headers=outgoing, preload_content=not stream,
        redirect=False, timeout=urllib3.Timeout(connect=10, read=None if stream else 120))


def create_target(path: str) -> tuple[str, str, str | None] | None:
    """``(api prefix, resource, namespace or None)`` when ``path`` creates an object, else None."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if parts[:1] == ["api"] and len(parts) in (3, 5):
        prefix, rest = "/" + "/".join(parts[:2]), parts[2:]
    elif parts[:1] == ["apis"] and len(parts) in (4, 6):
        prefix, rest = "/" + "/".join(parts[:3]), parts[3:]
    else:
        return None
    if len(rest) == 3 and rest[0] != "namespaces":
        return None
    namespace, resource = (rest[1], rest[2]) if len(rest) == 3 else (None, rest[0])
    return None if resource in VIRTUAL else (prefix, resource, namespace)


def inject_owner(obj: dict[str, Any], owner: dict[str, Any], namespace: str | None) -> None:
    """Make ``owner`` (``{apiVersion, kind, name, namespace, uid}``) the owner of ``obj``, created in ``namespace``."""
    metadata = obj.setdefault("metadata", {})
    if not owner["namespace"] or namespace == owner["namespace"]:
        refs = metadata.setdefault("ownerReferences", [])
        if not any(ref.get("uid") == owner["uid"] for ref in refs):
            refs.append({key: owner[key] for key in ("apiVersion", "kind", "name", "uid")})
    else:
        group = owner["apiVersion"].rpartition("/")[0]
        annotations = metadata.setdefault("annotations", {})
        annotations[PRIMARY_RESOURCE] = f"{owner['namespace']}/{owner['name']}"
        annotations[PRIMARY_RESOURCE_TYPE] = f"{owner['kind']}.{group}"


class _Handler(httpd.Handler):
    protocol_version = "HTTP/1.1"
    log, log_name = LOG, "proxy"

    def _forward(self) -> None:
        proxy: Proxy = self.server.proxy  # type: ignore[attr-defined]
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        owner = proxy.owners.get(token)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if owner is None:
            self._answer(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized",
                               "message": "llmops_operator proxy: unknown or expired run token", "code": 401})
            return
        target = create_target(self.path) if self.command == "POST" else None
        read = create_target(self.path.split("?", 1)[0].rsplit("/", 1)[0]) if self.command == "GET" else None
        created = None
        if target is not None and body and proxy.inject:
            try:
                obj = json.loads(body)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                inject_owner(obj, owner, target[2])
                body = json.dumps(obj).encode()
                created = obj
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        try:
            response = upstream(proxy.api, self.command, self.path, body, headers, stream=True)
        except urllib3.exceptions.HTTPError as exc:
            self._answer(502, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 502,
                               "message": f"llmops_operator proxy: the API server did not answer: {exc}"})
            return
        try:
            data = self._relay(response)
        finally:
            response.release_conn()
        if created is not None and target is not None and 200 <= response.status < 300:
            proxy.created(owner, target, created)
        elif read is not None and data and response.status == 200:
            # an object the owner already owns (a run after a restart reads before it patches): watch its kind too
            with contextlib.suppress(ValueError):
                obj = json.loads(data)
                refs = (obj.get("metadata") or {}).get("ownerReferences") or [] if isinstance(obj, dict) else []
                if any(ref.get("uid") == owner["uid"] for ref in refs):
                    proxy.created(owner, read, obj)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward  # noqa: N815 (http.server's names)

    def _relay(self, response: urllib3.BaseHTTPResponse) -> bytes | None:
        """Send the API server's answer on; return its body when it was read whole (not a stream)."""
        self.send_response(response.status)
        for key, value in response.headers.items():
            if key.lower() not in HOP:
                self.send_header(key, value)
        length = response.headers.get("Content-Length")
        if length is not None and "watch=" not in self.path:
            data = response.read(decode_content=False)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            return data
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunks = response.read_chunked(decode_content=False) if response.chunked else response.stream(8192, decode_content=False)
        with contextlib.suppress(OSError):
            for chunk in chunks:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        return None

    def _answer(self, code: int, status: dict[str, Any]) -> None:
        self.answer(code, json.dumps(status).encode(), "application/json")


class Proxy:
    """The runs' API proxy (see the module's docstring)."""

    def __init__(self, api: kubernetes.client.ApiClient, port: int, inject: bool,
                 on_created: Callable[[dict[str, Any], tuple[str, str, str | None], dict[str, Any]], None]) -> None:
        self.api, self.inject, self.on_created = api, inject, on_created
        self.owners: dict[str, dict[str, Any]] = {}
        self.server = httpd.serve(_Handler, port, "127.0.0.1", "api-proxy", proxy=self)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        LOG.info("Kubernetes API proxy for the runs on %s (owner references %s)", self.url, "on" if inject else "off")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def created(self, owner: dict[str, Any], target: tuple[str, str, str | None], obj: dict[str, Any]) -> None:
        try:
            self.on_created(owner, target, obj)
        except Exception:  # pylint: disable=broad-exception-caught
            LOG.exception("could not watch the kind of %s %s", obj.get("kind"), (obj.get("metadata") or {}).get("name"))

    @contextlib.contextmanager
    def session(self, owner: dict[str, Any]) -> Iterator[str]:
        """A kubeconfig file for one run as ``owner``; the token dies and the file goes when the block ends."""
        token = secrets.token_urlsafe(24)
        context = {"cluster": "proxy", "user": "run", **({"namespace": owner["namespace"]} if owner["namespace"] else {})}
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": "proxy",
            "clusters": [{"name": "proxy", "cluster": {"server": self.url}}],
            "contexts": [{"name": "proxy", "context": context}],
            "users": [{"name": "run", "user": {"token": token}}],
        }
        fd, path = tempfile.mkstemp(prefix="llmops-kubeconfig-")
        with os.fdopen(fd, "w") as stream:
            yaml.safe_dump(config, stream)
        self.owners[token] = owner
        try:
            yield path
        finally:
            self.owners.pop(token, None)
            with contextlib.suppress(OSError):
                os.unlink(path)


def owners_of(obj: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``(apiVersion, kind, namespace, name)`` of the owners of ``obj``: its ownerReferences and the
    ``operator-sdk/primary-resource`` annotations (``apiVersion`` is then the group only)."""
    metadata = obj.get("metadata") or {}
    found = [(ref.get("apiVersion", ""), ref.get("kind", ""), metadata.get("namespace") or "", ref.get("name", ""))
             for ref in metadata.get("ownerReferences") or []]
    annotations = metadata.get("annotations") or {}
    primary, kind_group = annotations.get(PRIMARY_RESOURCE), annotations.get(PRIMARY_RESOURCE_TYPE)
    if primary and kind_group:
        kind, group = kind_group.partition(".")[::2]
        namespace, name = primary.rpartition("/")[::2]
        found.append((group, kind, namespace, name))
    return found


def essence(obj: dict[str, Any]) -> dict[str, Any]:
    """What counts as a change of a dependent: all but status and the bookkeeping of metadata."""
    kept = {k: v for k, v in obj.items() if k != "status"}
    metadata = {k: v for k, v in (obj.get("metadata") or {}).items()
                if k not in ("resourceVersion", "managedFields", "generation")}
    return {**kept, "metadata": metadata}


class Dependents:
    """Watches of the kinds the runs created (one thread per kind and namespace, list then watch, relist on 410)."""

    def __init__(self, api: kubernetes.client.ApiClient, namespaces: tuple[str, ...],
                 changed: Callable[[dict[str, Any], str, list[tuple[str, str, str, str]]], None]) -> None:
        self.api, self.namespaces, self.changed = api, namespaces, changed
        self.started: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def watch(self, prefix: str, resource: str, namespaced: bool) -> bool:
        """Start watching ``prefix/resource`` unless it is already; True when it starts now."""
        with self.lock:
            if (prefix, resource) in self.started:
                return False
            self.started.add((prefix, resource))
        for namespace in (self.namespaces or (None,)) if namespaced else (None,):
            path = f"{prefix}/namespaces/{namespace}/{resource}" if namespace else f"{prefix}/{resource}"
            threading.Thread(target=self._run, args=(path,), name=f"dependents {resource}", daemon=True).start()
        LOG.info("Watching dependent resources %s%s", resource, f" ({prefix})")
        return True

    def stop(self) -> None:
        self.stopping.set()

    def _run(self, path: str) -> None:
        seen: dict[str, dict[str, Any]] = {}
        version: str | None = None
        while not self.stopping.is_set():
            try:
                if version is None:
                    version = self._list(path, seen)
                version = self._stream(path, version, seen)  # None: the history is gone (410), list again
            except Exception as exc:  # pylint: disable=broad-exception-caught
                LOG.warning("watch of %s: %s; watching again", path, exc)
                version = None
                self.stopping.wait(5)

    def _list(self, path: str, seen: dict[str, dict[str, Any]]) -> str:
        response = upstream(self.api, "GET", path)
        if response.status != 200:
            raise RuntimeError(f"list answered {response.status}")
        listing = json.loads(response.data)
        seen.clear()
        for obj in listing.get("items") or []:
            seen[obj["metadata"]["uid"]] = essence(obj)
        return listing.get("metadata", {}).get("resourceVersion", "")

    def _stream(self, path: str, version: str, seen: dict[str, dict[str, Any]]) -> str | None:
        """Watch from ``version`` until the server ends the watch; the last version seen, None to list again."""
        response = upstream(self.api, "GET", f"{path}?watch=true&resourceVersion={version}&timeoutSeconds=300", stream=True)
        try:
            if response.status != 200:
                raise RuntimeError(f"watch answered {response.status}")
            buffer = b""
            for chunk in response.stream(4096):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    if not self._event(event, seen):
                        return None
                    version = ((event.get("object") or {}).get("metadata") or {}).get("resourceVersion") or version
                if self.stopping.is_set():
                    break
        finally:
            response.release_conn()
        return version

    def _event(self, event: dict[str, Any], seen: dict[str, dict[str, Any]]) -> bool:
        obj, kind = event.get("object") or {}, event.get("type")
        if kind == "ERROR":
            return False  # 410 Gone and the like: list again
        uid = (obj.get("metadata") or {}).get("uid")
        if kind == "BOOKMARK" or not uid:
            return True
        before, now = seen.get(uid), essence(obj)
        if kind == "DELETED":
            seen.pop(uid, None)
        else:
            seen[uid] = now
        if kind == "DELETED" or kind == "MODIFIED" and before is not None and before != now:
            self.changed(obj, kind, owners_of(obj))
        return True
