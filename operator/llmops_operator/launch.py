"""Start ansible-playbook with the run's secrets in its environment, without ansible-runner ever seeing them.

ansible-runner records the whole environment of a run in ``artifacts/<ident>/command``. So the shim passes
secrets in a 0600 file outside the private data dir, named by ``LLMOPS_OPERATOR_SECRETS_FILE``; this launcher
(ansible-runner's ``binary``) reads it, deletes it, puts the values in its environment and runs ansible-playbook,
the one beside the operator's Python (else the next on PATH). It is installed as ``ansible-playbook`` in a folder
first on the run's PATH. Standalone on purpose: it runs as a script, not from the package.

When the shim runs a warm start (warm.py, its socket named by ``LLMOPS_OPERATOR_WARM_SOCKET``) and the
ansible-playbook is the one beside this Python, the launcher hands the run to it: the command line, the environment,
the working folder and its three standard file descriptors (ansible-runner's terminal). It then forwards SIGINT and
SIGTERM to the run, waits for its exit status and exits with it. Without a warm start, or if it does not answer, it
execs ansible-playbook as before.
"""

import json
import os
import shutil
import signal
import socket
import struct
import sys
import time


def main() -> None:
    path = os.environ.pop("LLMOPS_OPERATOR_SECRETS_FILE", "")
    if path:
        with open(path, encoding="utf-8") as stream:
            os.environ.update(json.load(stream))
        os.unlink(path)
    warm = os.environ.pop("LLMOPS_OPERATOR_WARM_SOCKET", "")
    own = os.path.dirname(os.path.abspath(sys.argv[1]))  # the launcher script's folder (its "$0")
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.abspath(p) != own)
    os.environ["PATH"] = path
    beside = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable))
    playbook = beside or shutil.which("ansible-playbook", path=path)
    if playbook is None:
        sys.exit("llmops_operator: ansible-playbook not found beside the operator's Python nor on PATH")
    if warm and beside:
        warm_start(warm, [playbook, *sys.argv[2:]])  # returns only if the warm start took nothing
    os.execv(playbook, [playbook, *sys.argv[2:]])


def warm_start(path: str, argv: list) -> None:
    """Run ``argv`` in a child of the warm start and exit with its status; return if it could not be handed over."""
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
        payload = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
        socket.send_fds(conn, [struct.pack("!I", len(payload))], [0, 1, 2])
        conn.sendall(payload)
        replies = conn.makefile("rb")
        started = json.loads(replies.readline() or b"null")
    except (OSError, ValueError):
        return
    if not isinstance(started, dict) or "pid" not in started:
        return
    pid = started["pid"]

    def forward(number, _frame):
        try:
            os.killpg(pid, number)
        except OSError:
            pass
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, forward)
    try:
        ended = json.loads(replies.readline() or b"null")
    except (OSError, ValueError):
        ended = None
    if not isinstance(ended, dict) or not isinstance(ended.get("exit"), int):
        while _alive(pid):  # the warm start went away: wait for the run, whose status is lost
            time.sleep(0.1)
        sys.exit("llmops_operator: the warm ansible-playbook start went away during the run; its exit status is unknown")
    status = ended["exit"]
    if status < 0:  # killed by a signal: end the same way, as ansible-runner would have seen it
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


if __name__ == "__main__":
    main()
