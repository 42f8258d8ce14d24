"""Serve the Kubernetes API emulator outside pytest: ``python -m tests.lib.kubeapi serve --kubeconfig PATH``.

Writes a kubeconfig for it to PATH (and, with ``--pidfile``, its process id) once it answers, then serves until
SIGTERM or SIGINT; with ``--timings FILE``, then writes there what serving took by kind of request (``{"PATCH
litellmteams/status": {"requests", "seconds", "slowest"}}``, watches left out: bench/operator_convergence.py reads
it). Molecule's delegated scenario starts it in ``create`` and stops it in ``destroy``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path

import yaml

from tests.lib.kubeapi.fixtures import kubeconfig
from tests.lib.kubeapi.server import ServerThread


def serve(path: Path, pidfile: Path | None, timings: Path | None = None) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with ServerThread() as server:
        path.write_text(yaml.safe_dump(kubeconfig(server.url)))
        if pidfile is not None:
            pidfile.write_text(str(os.getpid()))
        print(f"Kubernetes API emulator at {server.url}, kubeconfig {path}", flush=True)
        stop.wait()
        if timings is not None and server.handler is not None:
            found = {what: {"requests": int(count), "seconds": round(seconds, 3), "slowest": round(slowest, 4)}
                     for what, (count, seconds, slowest) in sorted(server.handler.timings.items())}
            timings.write_text(json.dumps(found, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.lib.kubeapi")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("serve", help="serve the emulator until SIGTERM")
    command.add_argument("--kubeconfig", type=Path, required=True, help="where to write the kubeconfig")
    command.add_argument("--pidfile", type=Path, help="where to write the process id once serving")
    command.add_argument("--timings", type=Path, help="where to write, on exit, what serving took by kind of request")
    arguments = parser.parse_args()
    serve(arguments.kubeconfig, arguments.pidfile, arguments.timings)


if __name__ == "__main__":
    main()
