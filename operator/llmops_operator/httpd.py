"""The operator's small HTTP listeners (the ``osdk_metric`` listener, the runs' API proxy): a handler base that
answers with one body and logs requests at DEBUG only, and a threaded server started in a daemon thread."""

from __future__ import annotations

import http.server
import logging
import threading
from typing import Any

LOG = logging.getLogger("llmops_operator")


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers with ``answer``; ``log`` and ``log_name`` say where its request lines go (DEBUG)."""

    log = LOG
    log_name = "http"

    def answer(self, code: int, data: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        self.log.debug(self.log_name + ": " + format, *args)


def serve(handler: type[Handler], port: int, address: str, thread: str,
          **attributes: Any) -> http.server.ThreadingHTTPServer:
    """A ThreadingHTTPServer of ``handler`` on ``address:port`` (port 0: any free one) with ``attributes`` set on it
    (the handler reads them as ``self.server.<name>``), serving from a daemon thread named ``thread``."""
    server = http.server.ThreadingHTTPServer((address, port), handler)
    server.daemon_threads = True
    for name, value in attributes.items():
        setattr(server, name, value)
    threading.Thread(target=server.serve_forever, name=thread, daemon=True).start()
    return server
