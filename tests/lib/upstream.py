"""A tiny OpenAI-compatible upstream, so chat requests through LiteLLM need no provider account.

It answers ``POST /v1/chat/completions`` (plain and ``stream: true``), ``POST /v1/embeddings`` and
``GET /v1/models`` deterministically, echoing the last user message, and records every request it
received (path, model, Authorization header) so tests can check what LiteLLM sent upstream.

``GET /v1/models`` lists ``models`` (ids; default ``upstream-echo``), which a test sets directly or, from inside a
playbook, with ``PUT /_models`` and the body ``{"data": [ids]}`` (model discovery tests: a model gone upstream).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: "UpstreamServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        return

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self.server.listings.append(self.headers.get("Authorization"))
            self._send(200, {"object": "list", "data": [{"id": i, "object": "model", "owned_by": "tests"}
                                                        for i in self.server.models]})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_PUT(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") == "/_models" and isinstance(body.get("data"), list):
            self.server.models = [str(i) for i in body["data"]]
            self._send(200, {"data": self.server.models})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append(
            {"path": self.path, "model": body.get("model"), "authorization": self.headers.get("Authorization")}
        )
        path = self.path.rstrip("/")
        if path.endswith("/chat/completions"):
            self._chat(body)
        elif path.endswith("/embeddings"):
            inputs = body.get("input")
            inputs = inputs if isinstance(inputs, list) else [inputs]
            self._send(200, {
                "object": "list", "model": body.get("model"),
                "data": [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]} for i in range(len(inputs))],
                "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
            })
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def _chat(self, body: dict[str, Any]) -> None:
        messages = body.get("messages") or [{}]
        content = f"echo: {messages[-1].get('content', '')}"
        created = int(time.time())
        usage = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for delta, finish in (({"role": "assistant", "content": content}, None), ({}, "stop")):
                chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": created,
                         "model": body.get("model"), "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        self._send(200, {
            "id": "chatcmpl-test", "object": "chat.completion", "created": created, "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": usage,
        })


class UpstreamServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.models: list[str] = ["upstream-echo"]
        self.listings: list[str | None] = []  # the Authorization header of each GET /models
        self._thread = threading.Thread(target=self.serve_forever, name="upstream", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "UpstreamServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
