"""A fault-injecting HTTP proxy: the recording proxy (tests/lib/recording_proxy.py) that breaks chosen requests.

Put it between the collection and the real LiteLLM proxy, on loopback, and give it rules. A rule matches requests
by method (``"WRITE"`` for any of POST/PUT/PATCH/DELETE, ``"*"`` for any) and a regular expression searched in the
path; the ``nth`` matching request and the ``times - 1`` after it get the rule's fault:

- ``refuse``: the request is forwarded and answered with ``Connection: close``, then the proxy stops listening for
  ``seconds`` (new connections are refused by the kernel; requests on connections still open are dropped unsent).
- ``reset``: the request is read, never forwarded, and the connection is reset (RST).
- ``status``: answered with HTTP ``status`` (500, 502, 503 ...) without forwarding: LiteLLM never saw it.
- ``stall``: held ``seconds`` and then forwarded; the answer goes to a client that has usually given up by then
  (its ``timeout`` is lower), so the write lands after the client's error. ``wait_idle()`` waits for it.
- ``lost``: forwarded (LiteLLM commits the write), then the connection is reset instead of answered.
- ``call``: ``action()`` runs before the request is forwarded (``after=True``: after LiteLLM answered, before the
  answer is sent; ``forward=False``: the request is then dropped, never sent); for example SIGKILL the
  ansible-playbook processes, or restart PostgreSQL.

Every fault fired is kept in ``fired`` as (fault, method, path).
"""

from __future__ import annotations

import dataclasses
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.lib.recording_proxy import WRITE_METHODS, RecordingProxy

FAULTS = ("refuse", "reset", "status", "stall", "lost", "call")


@dataclasses.dataclass
class Rule:
    fault: str
    method: str = "WRITE"
    path: str = ""
    nth: int = 1
    times: int = 1
    status: int = 503
    seconds: float = 30.0
    action: Callable[[], Any] | None = None
    after: bool = False
    forward: bool = True
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        assert self.fault in FAULTS, self.fault
        assert self.fault != "call" or self.action is not None, "a call rule needs an action"

    def matches(self, method: str, path: str) -> bool:
        if self.method == "WRITE":
            if method not in WRITE_METHODS:
                return False
        elif self.method not in ("*", method):
            return False
        return re.search(self.path, urlsplit(path).path) is not None

    def trigger(self, method: str, path: str) -> bool:
        """Count a request; True when this one gets the fault (the caller holds the proxy's lock)."""
        if not self.matches(method, path):
            return False
        self.seen += 1
        if self.seen >= self.nth and self.fired < self.times:
            self.fired += 1
            return True
        return False


class FaultProxy(RecordingProxy):
    """The recording proxy with fault rules (see the module's docstring)."""

    def __init__(self, upstream: str, *rules: Rule) -> None:
        super().__init__(upstream)
        self.rules: list[Rule] = list(rules)
        self.fired: list[tuple[str, str, str]] = []
        self._in_flight: dict[int, str] = {}
        self._idle = threading.Condition(self._lock)
        self._refusing = False
        self._port = self._server.server_address[1]
        self._server.handle_error = lambda *args: None

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self._port

    def add(self, *rules: Rule) -> FaultProxy:
        with self._lock:
            self.rules.extend(rules)
        return self

    def clear(self) -> None:
        """No rules any more (the requests recorded so far stay)."""
        with self._lock:
            self.rules = []

    def wait_idle(self, timeout: float = 300) -> None:
        """Until no request is being handled (a stalled write has reached LiteLLM and been answered)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight:
                left = deadline - time.monotonic()
                assert left > 0, "the fault proxy still handles %d requests: %s" % (
                    len(self._in_flight), ", ".join(sorted(self._in_flight.values())[:10]))
                self._idle.wait(left)

    def serve(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        with self._lock:
            refusing = self._refusing
            rule = None if refusing else next((r for r in self.rules if r.trigger(handler.command, handler.path)), None)
            if rule is not None:
                self.fired.append((rule.fault, handler.command, urlsplit(handler.path).path))
            self._in_flight[threading.get_ident()] = "%s %s" % (handler.command, urlsplit(handler.path).path)
        try:
            if refusing:
                self._reset(None, handler, body)
            elif rule is None:
                super().serve(handler, body)
            else:
                getattr(self, "_" + rule.fault)(rule, handler, body)
        finally:
            with self._idle:
                self._in_flight.pop(threading.get_ident(), None)
                self._idle.notify_all()

    # --- the faults ----------------------------------------------------------------------------------------------

    def _refuse(self, rule: Rule, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        answer = self.forward(handler, body)
        answer.headers["Connection"] = "close"
        handler.close_connection = True
        self.reply(handler, answer)
        with self._lock:
            self._refusing = True
        threading.Thread(target=self._down_for, args=(rule.seconds,), daemon=True).start()

    def _down_for(self, seconds: float) -> None:
        self._server.shutdown()
        self._server.server_close()
        time.sleep(seconds)
        server = ThreadingHTTPServer(("127.0.0.1", self._port), self._handler())
        server.daemon_threads = True
        server.handle_error = lambda *args: None
        self._server = server
        with self._lock:
            self._refusing = False
        threading.Thread(target=server.serve_forever, name="fault-proxy", daemon=True).start()

    @staticmethod
    def _reset(rule: Rule | None, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        handler.close_connection = True
        sock = handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def _status(self, rule: Rule, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        content = b'{"error": {"message": "injected by the fault proxy"}}'
        handler.send_response(rule.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    def _stall(self, rule: Rule, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        time.sleep(rule.seconds)
        answer = self.forward(handler, body)
        try:
            self.reply(handler, answer)
        except OSError:
            handler.close_connection = True

    def _lost(self, rule: Rule, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        self.forward(handler, body)
        self._reset(rule, handler, body)

    def _call(self, rule: Rule, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        assert rule.action is not None
        if not rule.after:
            rule.action()
        if not rule.forward:
            self._reset(rule, handler, body)
            return
        answer = self.forward(handler, body)
        if rule.after:
            rule.action()
        try:
            self.reply(handler, answer)
        except OSError:
            handler.close_connection = True
