"""A recording pass-through HTTP proxy: forwards every request to a real server and counts method + path.

Put it between a client (a module, a benchmark contender) and the real LiteLLM proxy to count the requests that
reach LiteLLM: ``RecordingProxy(upstream_url).start()``, point the client at ``.url``, read ``.requests`` (a
list of (method, path without query)) or ``.counts()``. Real HTTP on both sides; it answers nothing itself but
marks: ``GET /__mark__/<name>`` (from a playbook's ``uri`` task between two steps) is recorded as ("MARK",
name) and never forwarded, so that one playbook run can be split into steps with ``between(a, b)``. A client
pointed at ``step_url(name)`` (a base URL ending in ``/__step__/<name>``) has its requests forwarded without that
prefix and recorded under the step too (``step(name)``; its writes with their bodies: ``step_writes(name)``): one
playbook's tasks are told apart without mark tasks.
``refuse[(method, path)] = (status, body)`` answers that request itself (recorded, not forwarded), as LiteLLM
answers a request it turns down: a failure at a chosen point of a run, every other request reaching LiteLLM.
``before[(method, path)] = function(query)`` is called (with the query string) before that request is forwarded:
a change made through the real API at a chosen point of a run (an object deleted between two pages of a list).
"""

from __future__ import annotations

import collections
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import quote, unquote, urlsplit

import requests

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length", "content-encoding", "host"}
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
MARK = "/__mark__/"
STEP = "/__step__/"


class RecordingProxy:
    """A threaded HTTP server on 127.0.0.1 forwarding to ``upstream`` (keep-alive on both sides)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests: list[tuple[str, str]] = []
        self.refuse: dict[tuple[str, str], tuple[int, Any]] = {}
        self.before: dict[tuple[str, str], Callable[[str], None]] = {}
        self.steps: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
        self.step_bodies: dict[str, list[tuple[str, str, str]]] = collections.defaultdict(list)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="recording-proxy", daemon=True)

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def start(self) -> "RecordingProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "RecordingProxy":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def reset(self) -> list[tuple[str, str]]:
        """The requests recorded so far, and start a new count."""
        with self._lock:
            seen, self.requests = self.requests, []
        return seen

    def counts(self) -> collections.Counter:
        with self._lock:
            return collections.Counter("%s %s" % r for r in self.requests)

    def writes(self) -> list[tuple[str, str]]:
        with self._lock:
            return [r for r in self.requests if r[0] in WRITE_METHODS]

    def mark_url(self, name: str) -> str:
        return f"{self.url}{MARK}{quote(name, safe='')}"

    def step_url(self, name: str) -> str:
        """A base URL for a client whose requests are recorded under the step ``name``."""
        return f"{self.url}{STEP}{quote(name, safe='')}"

    def step(self, name: str) -> list[tuple[str, str]]:
        """The requests (method, path) sent through ``step_url(name)``, in order."""
        with self._lock:
            return list(self.steps.get(name, ()))

    def step_writes(self, name: str) -> list[tuple[str, str, str]]:
        """The writes (method, path, query and body as text) sent through ``step_url(name)``, in order."""
        with self._lock:
            return list(self.step_bodies.get(name, ()))

    def between(self, first: str, last: str | None = None) -> list[tuple[str, str]]:
        """The requests recorded after the mark ``first`` and before the mark ``last`` (or the end)."""
        with self._lock:
            seen = list(self.requests)
        start = seen.index(("MARK", first)) + 1
        end = seen.index(("MARK", last)) if last else len(seen)
        return [r for r in seen[start:end] if r[0] != "MARK"]

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def _record(self, method: str, path: str, step: str | None = None, body: bytes | None = None) -> None:
        with self._lock:
            self.requests.append((method, urlsplit(path).path))
            if step is not None:
                self.steps[step].append((method, urlsplit(path).path))
                if method in WRITE_METHODS:
                    text = urlsplit(path).query + "\n" + (body or b"").decode("utf-8", "replace")
                    self.step_bodies[step].append((method, urlsplit(path).path, text))

    def serve(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        """Answer one recorded request (a subclass may do otherwise: see tests/lib/fault_proxy.py)."""
        self.reply(handler, self.forward(handler, body))

    def forward(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> requests.Response:
        """Send the request to the upstream and return its answer."""
        headers = dict((k, v) for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP)
        return self._session().request(handler.command, self.upstream + handler.path, data=body, headers=headers,
                                       timeout=300, allow_redirects=False)

    @staticmethod
    def reply(handler: BaseHTTPRequestHandler, answer: requests.Response) -> None:
        content = answer.content
        handler.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in HOP_BY_HOP:
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.path.startswith(MARK):
                    with proxy._lock:
                        proxy.requests.append(("MARK", unquote(self.path[len(MARK):])))
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, step = self.path, None
                if path.startswith(STEP):
                    name, _sep, rest = path[len(STEP):].partition("/")
                    path, step = "/" + rest, unquote(name)
                    self.path = path  # forwarded without the step's prefix
                proxy._record(self.command, path, step, body)
                refused = proxy.refuse.get((self.command, urlsplit(path).path))
                if refused is not None:
                    content = json.dumps(refused[1]).encode()
                    self.send_response(refused[0])
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                    return
                before = proxy.before.get((self.command, urlsplit(path).path))
                if before is not None:
                    before(urlsplit(path).query)
                proxy.serve(self, body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def recording(proxy: Any) -> Iterator[RecordingProxy]:
    """A RecordingProxy in front of a LiteLLM stack (``proxy.url``) for the time of a fixture."""
    with RecordingProxy(proxy.url) as recorder:
        yield recorder
