"""A warm start for ansible-playbook: a process that has imported what every run imports first, and forks a run.

``ansible-playbook`` spends ~0.8 CPU-s before its first task, ~0.4 s of it importing Python modules. This process,
started by the shim (runner.WarmStart), imports once the part of them that reads no Ansible configuration (Jinja2,
PyYAML, ansible-core's errors, templating and module_utils, ...), then waits on a Unix socket in a 0700 folder. The
run's launcher (launch.py, what ansible-runner starts) sends it the run's command line, environment and working
folder, and its terminal (the three standard file descriptors); it forks a child that takes them and runs
ansible-playbook's own ``main()``, which imports the rest and reads the configuration in the run's own environment,
as a fresh ``ansible-playbook`` would. The child's pid and then its exit status go back to the launcher, which exits
with that status, so ansible-runner sees what it always saw.

Nothing of Ansible's configuration is read here: the process refuses to serve if a preloaded module imported
``ansible.constants`` (the launcher then starts ansible-playbook itself). A launcher that goes away before its run
ends (killed by ansible-runner) takes the run with it: SIGTERM to the run's process group, SIGKILL 5 s later. It
exits when the shim that started it is gone. Standalone on purpose, like launch.py: it runs as a script.
"""

import json
import os
import select
import signal
import socket
import struct
import sys
import time

# What ansible-playbook imports that reads no configuration (ansible.constants would read it at import).
PRELOAD = (
    "jinja2", "jinja2.nativetypes", "jinja2.sandbox", "jinja2.bccache", "yaml", "importlib.metadata", "inspect", "pkgutil",
    "multiprocessing.managers", "multiprocessing.queues", "concurrent.futures", "email.message", "typing_extensions",
    "cryptography.exceptions", "packaging.specifiers",
    "ansible.release", "ansible.errors", "ansible.config.manager", "ansible.context", "ansible.inventory",
    "ansible.vars.hostvars", "ansible.parsing.yaml", "ansible.parsing.splitter", "ansible.parsing.utils.addresses",
    "ansible.utils.collection_loader._collection_finder", "ansible._internal._templating._jinja_patches",
    "ansible._internal._templating._utils", "ansible._internal._plugins._strategy", "ansible._internal._worker._inventory_rpc",
    "ansible._internal._ansiballz", "ansible._internal._ssh._ssh_agent", "ansible._internal._collection_proxy",
    "ansible._internal._datatag._wrappers", "ansible.module_utils.distro", "ansible.module_utils.common.sys_info",
    "ansible.module_utils.compat.selinux", "ansible.executor.powershell", "ansible.utils.lock", "ansible.utils.helpers",
    "ansible.utils.multiprocessing",
)
HEADER = struct.Struct("!I")
GRACE = 5.0  # seconds between SIGTERM and SIGKILL for a run whose launcher went away


def preload() -> None:
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    if "ansible.constants" in sys.modules:
        sys.exit("llmops_operator warm start: a preloaded module read Ansible's configuration; not serving")


def receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """One request: its JSON (argv, env, cwd) and the launcher's standard file descriptors."""
    data, fds, _flags, _addr = socket.recv_fds(conn, 65536, 3)
    while len(data) < HEADER.size or len(data) < HEADER.size + HEADER.unpack_from(data)[0]:
        more = conn.recv(65536)
        if not more:
            raise EOFError("the launcher went away before its request was complete")
        data += more
    size = HEADER.unpack_from(data)[0]
    return json.loads(data[HEADER.size:HEADER.size + size]), list(fds)


def run_child(request: dict, fds: list[int]) -> None:
    """In the forked child: become the run, then ansible-playbook's main() (which exits)."""
    os.setsid()  # a group of its own: the run and its workers are stopped together
    for number, fd in enumerate(fds):
        os.dup2(fd, number)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    from ansible.cli.playbook import main
    main(sys.argv)
    sys.exit(0)


def serve(path: str) -> None:
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the operator's ^C is the shim's to handle
    runs: dict[int, socket.socket] = {}  # child pid -> its launcher's connection
    orphans: dict[int, float] = {}  # child pid -> when it gets SIGKILL (its launcher went away)
    served = 0
    while True:
        if os.getppid() != parent:
            for pid in runs:
                _kill(pid, signal.SIGTERM)
            return
        readable, _w, _x = select.select([listener, wake_read, *runs.values()], [], [], 1.0)
        if wake_read in readable:
            os.read(wake_read, 4096)
        _reaped(runs, orphans)
        now = time.monotonic()
        for pid, deadline in list(orphans.items()):
            if now >= deadline:
                _kill(pid, signal.SIGKILL)
                orphans[pid] = now + 3600
        for pid, conn in list(runs.items()):
            if conn in readable and pid not in orphans and not _receives(conn):  # EOF: the launcher went away
                _kill(pid, signal.SIGTERM)
                orphans[pid] = now + GRACE
        if listener in readable:
            conn, _addr = listener.accept()
            try:
                request, fds = receive(conn)
            except (OSError, EOFError, ValueError):
                conn.close()
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                for other in [conn, *runs.values()]:
                    other.close()
                signal.set_wakeup_fd(-1)
                os.close(wake_read)
                os.close(wake_write)
                for number in (signal.SIGCHLD, signal.SIGINT):
                    signal.signal(number, signal.SIG_DFL)
                run_child(request, fds)
            for fd in fds:
                os.close(fd)
            served += 1
            try:
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:
                pass
            runs[pid] = conn
            _write(os.path.join(os.path.dirname(path), "served"), str(served))


def _reaped(runs: dict[int, socket.socket], orphans: dict[int, float]) -> None:
    """Send each ended run's exit status to its launcher."""
    while runs:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        conn = runs.pop(pid, None)
        orphans.pop(pid, None)
        if conn is not None:
            try:
                conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
            except OSError:
                pass
            conn.close()


def _receives(conn: socket.socket) -> bool:
    try:
        return bool(conn.recv(4096))
    except OSError:
        return False


def _kill(pid: int, number: int) -> None:
    try:
        os.killpg(pid, number)
    except OSError:
        pass


def _write(path: str, text: str) -> None:
    part = path + ".part"
    with open(part, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(part, path)


def main() -> None:
    preload()
    serve(sys.argv[1])


if __name__ == "__main__":
    main()
