"""The Kubernetes API over real HTTP: kmock's ``KubernetesScaffold`` plus the project's layer.

kmock 0.8 gives the request handling, its reaction DSL (reactions above the emulation answer first,
for the rest of the session: ``server.override[kmock.action.CREATE] << 503``), Status objects for
errors, the bundled definitions of the built-in resources, and discovery (/api, /api/v1,
/apis/<group>/<version>) built from them. This layer adds, on top:

- a request log that does not slow the server down: kmock keeps every request it serves and, to
  find the reaction for a new one, walks that whole history once per reaction (``request in view``),
  so each request cost more than the one before (3 ms fresh, 0.4 s after an hour of operator tests).
  Here a reaction's filters see only the request being served (filters on its method, path, action,
  resource... work; count-based slices such as ``server[...][:2]`` do not), and the log keeps the last
  ``REQUEST_LOG`` requests (iterate the handler; ``mark()`` and ``requests_since(mark)`` for the
  requests a step sent);

- its own path parsing: kmock's raises on ``/api/v1/namespaces`` and reads ``/api/v1/namespaces/x``
  as a namespace without a resource;
- the object semantics of a real server (store.py): GET, typed lists, POST, PUT, PATCH (JSON merge,
  JSON, strategic merge), DELETE of one object or a collection, the status subresource, ``dryRun``;
- label and field selectors, on lists, watches and collection deletes;
- watches from a ``resourceVersion`` (only later changes), honouring ``timeoutSeconds``;
- streaming lists (``sendInitialEvents=true``, client-go's WatchList, as Helm 4 uses): the current objects as
  ADDED, then the BOOKMARK annotated ``k8s.io/initial-events-end``;
- Protobuf request bodies of Secrets and ConfigMaps (protobuf.py; client-go's typed clients send them so);
- ``/version``: the oldest Kubernetes the project supports (validate.OLDEST; kmock says 1.26), for clients that
  check it (Helm's ``kubeVersion``);
- discovery fixes: the core group's ``groupVersion`` (kmock says ``/v1``) and a stable preferred
  version per group (kmock takes any version of a set);
- ``events.k8s.io/v1`` Events as a view of the core/v1 Events, as on a real server.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextvars
import dataclasses
import json
import logging
import re
import threading
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self, override

import aiohttp.web
import attrs
import kmock

from tests.lib.kubeapi import errors, patches, protobuf, selectors
from tests.lib.kubeapi.registry import Registry, Resource
from tests.lib.kubeapi.store import Change, Object, Store
from tests.lib.kubeapi.validate import OLDEST

logger = logging.getLogger(__name__)

NAMESPACE_SUBRESOURCES = ("status", "finalize")
EVENTS_V1_FIELDS = {  # events.k8s.io/v1 field -> the same field of a core/v1 Event
    "note": "message",
    "regarding": "involvedObject",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "reportingController": "reportingComponent",
}
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
VERSION = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")
REQUEST_LOG = 10_000  # requests kept for the tests to inspect (the most recent ones)
Selector = Callable[[Object], bool]
_MATCHING: contextvars.ContextVar[kmock.Request | None] = contextvars.ContextVar("kube_api_matching", default=None)


@dataclasses.dataclass(frozen=True)
class Route:
    """A request path split the way the API server routes it."""

    group: str | None = None
    version: str | None = None
    plural: str | None = None
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None

    @classmethod
    def parse(cls, path: str) -> Route:
        parts = [part for part in path.split("/") if part]
        version: str | None
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 2 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2] if len(parts) > 2 else None, parts[3:]
        else:
            return cls()
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and not (len(rest) == 3 and rest[2] in NAMESPACE_SUBRESOURCES):
            namespace, rest = rest[1], rest[2:]
        plural, name = ([*rest, None, None])[:2]
        return cls(group, version, plural, namespace, name, "/".join(rest[2:]) or None)

    def action(self, method: str, params: Mapping[str, str]) -> kmock.action | None:
        if self.plural is None:
            return None
        if method == "GET":
            if _true(params.get("watch")):
                return kmock.action.WATCH
            return kmock.action.FETCH if self.name else kmock.action.LIST
        return {"POST": kmock.action.CREATE, "PUT": kmock.action.UPDATE, "PATCH": kmock.action.UPDATE, "DELETE": kmock.action.DELETE}.get(method)


@attrs.define(kw_only=True)
class KubeAPI(kmock.KubernetesScaffold):
    """kmock's Kubernetes scaffold serving the objects of a ``Store``."""

    store: Store = attrs.field(init=False)
    served: int = attrs.field(default=0, init=False)  # requests served so far
    # "<METHOD> <plural>[/<subresource>]" -> [requests, seconds, slowest]: what serving took, watches left out
    timings: dict[str, list[float]] = attrs.field(factory=dict, init=False)
    _log: collections.deque[kmock.Request] = attrs.field(factory=lambda: collections.deque(maxlen=REQUEST_LOG), init=False)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        with warnings.catch_warnings(action="ignore", category=DeprecationWarning):  # kmock 0.8 reads it with importlib's old API
            self.resources.load_bundled()
        self.store = Store(Registry(self.resources))
        self[kmock.action.LIST] << self._list
        self[kmock.action.WATCH] << self._watch
        self[kmock.action.FETCH] << self._fetch
        self[kmock.action.CREATE] << self._create
        self[kmock.action.UPDATE] << self._update
        self[kmock.action.DELETE] << self._delete

    @override
    def __iter__(self) -> Iterator[kmock.Request]:
        """The request log (the last ``REQUEST_LOG``); while a reaction is chosen, only the request being served."""
        matching = _MATCHING.get()
        if matching is not None:
            yield matching
        else:
            yield from self._log

    def mark(self) -> int:
        """A position in the request log, for ``requests_since``."""
        return self.served

    def requests_since(self, mark: int) -> list[kmock.Request]:
        """The requests served after ``mark()`` returned ``mark`` (at most the last ``REQUEST_LOG``)."""
        count = self.served - mark
        return list(self._log)[-count:] if count > 0 else []

    @override
    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        request = await self._parse(raw_request)
        self.served += 1
        self._log.append(request)
        token = _MATCHING.set(request)
        started = time.perf_counter()
        try:
            return await self._handle(request)
        except kmock.KubernetesNotFoundError:  # kmock's own 404s, e.g. "Endpoint Not Found", in the server's words
            return await self._render_error(errors.unknown_resource(raw_request.path))
        except Exception as exc:
            if not isinstance(exc, kmock.KubernetesError):
                logger.exception("kube-api: %s %s failed", raw_request.method, raw_request.path_qs)
            return await self._render_error(exc)
        finally:
            _MATCHING.reset(token)
            if request.action != kmock.action.WATCH:
                self._time(request, time.perf_counter() - started)
            for payload in self._payloads:  # each reaction keeps the requests it served, too: the recent ones
                if len(payload._requests) > 2 * REQUEST_LOG:
                    del payload._requests[:-REQUEST_LOG]

    def _time(self, request: kmock.Request, seconds: float) -> None:
        method = getattr(request.method, "value", request.method)
        what = f"{method} {request.resource.plural if request.resource else request.url.path}"
        entry = self.timings.setdefault(what + (f"/{request.subresource}" if request.subresource else ""), [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += seconds
        entry[2] = max(entry[2], seconds)

    async def _parse(self, raw: aiohttp.web.BaseRequest) -> kmock.Request:
        body = await raw.read()
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        route = Route.parse(raw.path)
        params = dict(raw.query)
        return kmock.Request(
            id=self.served,
            raw_request=raw,
            url=raw.url,
            method=raw.method,
            params=params,
            headers=dict(raw.headers),
            cookies=dict(raw.cookies),
            body=body,
            text=body.decode("utf-8", errors="replace"),
            data=data,
            action=route.action(raw.method, params),
            resource=None if route.group is None else kmock.resource(group=route.group, version=route.version, plural=route.plural),
            namespace=route.namespace,
            name=route.name,
            subresource=route.subresource,
        )

    @override
    async def _serve_server_version(self, request: kmock.Request) -> Object:
        doc = await super()._serve_server_version(request)
        assert isinstance(doc, dict)
        major, minor = OLDEST.split(".")
        return doc | {"major": major, "minor": minor, "gitVersion": f"v{OLDEST}.0", "goVersion": "go1.20"}

    # Discovery fixes: kmock names the core group version "/v1", and picks a group's preferred
    # version from an unordered set.
    @override
    async def _serve_version(self, request: kmock.Request) -> Object:
        doc = await super()._serve_version(request)
        assert isinstance(doc, dict)
        return doc | {"groupVersion": doc["groupVersion"].lstrip("/")}

    @override
    async def _serve_apis(self, request: kmock.Request) -> Object:
        groups = sorted({resource.group for resource in self.resources if resource.group})
        return {"apiVersion": "v1", "kind": "APIGroupList", "groups": [self._group(group) for group in groups]}

    @override
    async def _serve_group(self, request: kmock.Request) -> Object:
        assert request.resource is not None
        if not any(resource.group == request.resource.group for resource in self.resources):
            raise errors.unknown_resource(request.url.path)
        return {"apiVersion": "v1", "kind": "APIGroup", **self._group(str(request.resource.group))}

    def _group(self, group: str) -> Object:
        versions = sorted({str(resource.version) for resource in self.resources if resource.group == group}, key=_version_priority, reverse=True)
        entries = [{"groupVersion": f"{group}/{version}", "version": version} for version in versions]
        return {"name": group, "versions": entries, "preferredVersion": entries[0]}

    # Objects.
    def _resource(self, request: kmock.Request) -> Resource:
        assert request.resource is not None
        found = self.store.registry.find(str(request.resource.group), str(request.resource.version), str(request.resource.plural))
        path = request.url.path
        if found is None or (request.namespace and not found.namespaced) or (request.subresource and request.subresource not in found.subresources):
            raise errors.unknown_resource(path)
        if request.subresource not in (None, "status"):
            raise errors.method_not_allowed(str(request.method), path)
        return found

    def _storage(self, resource: Resource) -> Resource:
        """Where the objects of ``resource`` live: events.k8s.io/v1 Events are core/v1 Events."""
        if (resource.group, resource.plural) == ("events.k8s.io", "events"):
            events = self.store.registry.find("", "v1", "events")
            assert events is not None
            return events
        return resource

    def _selector(self, request: kmock.Request, resource: Resource) -> Selector:
        try:
            labels = selectors.label_selector(request.params.get("labelSelector", ""))
            fields = selectors.field_selector(request.params.get("fieldSelector", ""), resource.plural)
        except selectors.SelectorError as exc:
            raise errors.bad_request(str(exc)) from exc
        name = request.name
        return lambda obj: labels(obj["metadata"].get("labels") or {}) and fields(obj) and name in (None, obj["metadata"]["name"])

    async def _list(self, request: kmock.Request) -> kmock.Response:
        resource = self._resource(request)
        selected = self._selector(request, resource)
        items = [_to_client(resource, obj) for obj in self.store.list(self._storage(resource), request.namespace, copy_objects=False)
                 if selected(obj)]
        if not resource.custom:  # like a real server, items of built-in lists carry no apiVersion/kind
            items = [{key: value for key, value in item.items() if key not in ("apiVersion", "kind")} for item in items]
        return self._typed_list(resource, items)

    def _typed_list(self, resource: Resource, items: list[Object]) -> kmock.Response:
        return _ok({
            "apiVersion": resource.api_version,
            "kind": f"{resource.kind}List",
            "metadata": {"resourceVersion": str(self.store.revision)},
            "items": items,
        })

    async def _fetch(self, request: kmock.Request) -> kmock.Response:
        resource = self._resource(request)
        return _ok(_to_client(resource, self.store.get(self._storage(resource), request.namespace, str(request.name))))

    async def _create(self, request: kmock.Request) -> kmock.Response:
        resource = self._resource(request)
        if request.name or (resource.namespaced and request.namespace is None):
            raise errors.method_not_allowed(str(request.method), request.url.path)
        body = _to_storage(resource, _body(request))
        obj = self.store.create(self._storage(resource), request.namespace, body, dry_run=_dry_run(request))
        return _ok(_to_client(resource, obj), status=201)

    async def _update(self, request: kmock.Request) -> kmock.Response:
        resource = self._resource(request)
        if request.name is None:
            raise errors.method_not_allowed(str(request.method), request.url.path)
        obj = self.store.update(
            self._storage(resource), request.namespace, request.name, _change(request, resource),
            subresource=request.subresource, dry_run=_dry_run(request),
        )
        return _ok(_to_client(resource, obj))

    async def _delete(self, request: kmock.Request) -> kmock.Response:
        resource = self._resource(request)
        storage = self._storage(resource)
        options = request.data if isinstance(request.data, dict) else {}
        dry_run = _dry_run(request) or "All" in (options.get("dryRun") or [])
        if request.name is not None:
            obj = self.store.delete(storage, request.namespace, request.name, preconditions=options.get("preconditions"), dry_run=dry_run)
            return _ok(_to_client(resource, obj))
        deleted = self.store.delete_all(storage, request.namespace, self._selector(request, resource), dry_run=dry_run)
        return self._typed_list(resource, [_to_client(resource, obj) for obj in deleted])

    async def _watch(self, request: kmock.Request) -> kmock.Response:
        resource = self._resource(request)
        since = request.params.get("resourceVersion") or "0"
        timeout = request.params.get("timeoutSeconds")
        if not since.isdigit() or not (timeout or "0").isdigit():
            raise errors.bad_request(f"invalid resourceVersion {since!r} or timeoutSeconds {timeout!r}")
        initial = _true(request.params.get("sendInitialEvents"))
        events = self._events(resource, request.namespace, self._selector(request, resource), 0 if initial else int(since),
                              int(timeout) if timeout else None, initial_events_end=initial)
        return kmock.Response(status=200, headers={"Content-Type": "application/json"}, payload=events)

    async def _events(self, resource: Resource, namespace: str | None, selected: Selector, since: int, timeout: int | None, *,
                      initial_events_end: bool = False) -> AsyncIterator[bytes | Object]:
        """The watch stream: changes after revision ``since`` (0: the current objects first, as ADDED, and with
        ``initial_events_end`` the bookmark that ends them).

        It waits for the store's next change (no polling). A ``since`` older than the change log the store
        keeps ends the stream with a 410 Expired ERROR event, as a real server does after compaction: the
        client lists again and watches from there.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        storage = self._storage(resource)
        yield b""  # the headers, at once: the watch is established
        if since == 0:
            since = self.store.revision
            for obj in [obj for obj in self.store.list(storage, namespace, copy_objects=False) if selected(obj)]:
                yield {"type": "ADDED", "object": _to_client(resource, obj)}
            if initial_events_end:
                yield {"type": "BOOKMARK", "object": {"apiVersion": resource.api_version, "kind": resource.kind, "metadata": {
                    "resourceVersion": str(since), "annotations": {"k8s.io/initial-events-end": "true"}}}}
        while True:
            if since < self.store.oldest_revision:
                yield {"type": "ERROR", "object": errors.status(errors.expired(since, self.store.oldest_revision))}
                return
            changes = self.store.changes
            position = bisect.bisect_right(changes, since, key=lambda change: change.revision)
            for change in changes[position:]:  # a copy: the store may trim its log while we yield
                since = change.revision
                event = _watch_event(change, resource, storage, namespace, selected)
                if event is not None:
                    yield event
            wakeup = self.store.wakeup
            remaining = None if deadline is None else deadline - loop.time()
            if self.store.closed or (remaining is not None and remaining <= 0):
                return
            if self.store.revision > since:
                continue
            try:
                await asyncio.wait_for(wakeup.wait(), remaining)
            except TimeoutError:
                return


def _watch_event(change: Change, resource: Resource, storage: Resource, namespace: str | None, selected: Selector) -> Object | None:
    if change.key[:2] != (storage.group, storage.plural) or namespace not in (None, change.key[2]):
        return None
    matches, matched = selected(change.obj), change.old is not None and selected(change.old)
    event_type = change.type
    if event_type == "MODIFIED" and matches != matched:  # moved into or out of the selection
        event_type = "ADDED" if matches else "DELETED"
    elif not matches:
        return None
    return {"type": event_type, "object": _to_client(resource, change.obj)}


def _change(request: kmock.Request, resource: Resource) -> Callable[[Object], Object]:
    """What a PUT or a PATCH makes of the current object."""
    if request.method == "PUT":
        body = _to_storage(resource, _body(request))
        return lambda current: body
    patch = _patcher(request, resource)
    return lambda current: _to_storage(resource, patch(_to_client(resource, current)))


def _patcher(request: kmock.Request, resource: Resource) -> Callable[[Object], Object]:
    content_type = next((value for key, value in request.headers.items() if key.lower() == "content-type"), "")
    content_type = content_type.split(";")[0].strip()
    accepted = {MERGE_PATCH: dict, JSON_PATCH: list} | ({} if resource.custom else {STRATEGIC_MERGE_PATCH: dict})
    if content_type not in accepted:  # like a real server: custom resources have no strategic merge
        raise errors.unsupported_media_type(content_type, accepted)
    patch = request.data
    if not isinstance(patch, accepted[content_type]):
        raise errors.bad_request(f"the body of the request is not a valid {content_type} patch")
    if content_type == MERGE_PATCH:
        return lambda obj: patches.merge_patch(obj, patch)
    if content_type == JSON_PATCH:
        return lambda obj: _json_patch(obj, patch)
    schema = patches.builtin_schema(resource.group, resource.version, resource.kind)
    return lambda obj: patches.strategic_merge_patch(obj, patch, schema)


def _json_patch(obj: Object, operations: list[dict[str, Any]]) -> Object:
    try:
        return patches.json_patch(obj, operations)
    except patches.JSONPatchError as exc:
        raise errors.unprocessable(f"the server rejected our request due to an error in our request: {exc}") from exc


def _to_storage(resource: Resource, obj: Object) -> Object:
    if resource.group == "events.k8s.io":
        return {EVENTS_V1_FIELDS.get(key, key): value for key, value in obj.items()}
    return obj


def _to_client(resource: Resource, obj: Object) -> Object:
    if resource.group == "events.k8s.io":
        renames = {core: v1 for v1, core in EVENTS_V1_FIELDS.items()}
        obj = {renames.get(key, key): value for key, value in obj.items()}
    return obj | {"apiVersion": resource.api_version}


def _body(request: kmock.Request) -> Object:
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    if content_type == protobuf.CONTENT_TYPE:  # client-go's typed clients (Helm 4's release Secrets)
        try:
            return protobuf.decode(request.body)
        except protobuf.ProtobufError as exc:
            raise errors.unsupported_media_type(f"{content_type} ({exc})", ["application/json", *protobuf.KINDS_TEXT]) from exc
    if not isinstance(request.data, dict):
        raise errors.bad_request("the request body must be a JSON object")
    return request.data


def _ok(payload: Object, status: int = 200) -> kmock.Response:
    # Always with an explicit status: kmock keeps the last status a reaction answered with.
    return kmock.Response(status=status, payload=payload)


def _true(value: str | None) -> bool:
    return (value or "").lower() in ("true", "t", "1")


def _dry_run(request: kmock.Request) -> bool:
    return request.params.get("dryRun") == "All"


def _version_priority(version: str) -> tuple[int, int, int]:
    match = VERSION.fullmatch(version)
    if match is None:
        return -1, 0, 0
    return {"alpha": 0, "beta": 1, None: 2}[match[2]], int(match[1]), int(match[3] or 0)


class ServerThread:
    """A ``KubeAPI`` on a free port of 127.0.0.1, served from its own thread and event loop.

    Its own loop keeps it answering while a test blocks its thread (ansible-playbook, a KopfRunner):
    kmock's pytest fixture serves from the test's loop and would stall. aiohttp's low-level server
    is used rather than ``kmock.Server``, which also patches aiohttp's name resolution process-wide.
    """

    def __init__(self) -> None:
        self.url = ""
        self.handler: KubeAPI | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="kube-api", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(timeout=60) or self.handler is None:
            raise RuntimeError("the Kubernetes API emulator did not start (its thread's error is reported above)")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        try:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            async with KubeAPI() as handler:
                runner = aiohttp.web.ServerRunner(aiohttp.web.Server(handler, handler_cancellation=True, access_log=None), shutdown_timeout=1)
                await runner.setup()
                await aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start()
                host, port = runner.addresses[0][:2]
                self.url, self.handler = f"http://{host}:{port}", handler
                self._ready.set()
                await self._stop.wait()
                handler.store.close()
                await runner.cleanup()
        finally:
            self._ready.set()
