# Copyright: llmops.litellm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the LiteLLM proxy as a background process with a pid file, where there is no systemd.

Commands (each prints one JSON line):
  start    start unless running (``--restart`` restarts), then wait until /health/liveliness answers
  stop     stop the process group if running
  status   {"running": bool, "pid": int|null}

Secrets come from ``--env-file`` (KEY=VALUE lines, the same file a systemd unit reads with
EnvironmentFile=), never from the command line, so they do not show in ``ps``. Failure messages quote
the end of the proxy log with every value from the env file masked.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def read_env_file(path: Path) -> dict:
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            env[name.strip()] = value.strip()
    return env


def masked(text: str, secrets) -> str:
    for value in secrets:
        if len(value) >= 8:
            text = text.replace(value, "********")
    return text


class Proxy:
    def __init__(self, args):
        self.args = args
        self.pidfile = Path(args.pidfile)

    def pid(self):
        try:
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def health_url(self) -> str:
        host = "127.0.0.1" if self.args.host in ("0.0.0.0", "::") else self.args.host
        return f"http://{host}:{self.args.port}/health/liveliness"

    def start(self) -> dict:
        env = dict(os.environ)
        env.update(read_env_file(Path(self.args.env_file)))
        log = open(self.args.log, "ab")  # pylint: disable=consider-using-with
        with log:
            proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, self.args.launcher, "--config", self.args.config,
                 "--host", self.args.host, "--port", str(self.args.port), "--num_workers", str(self.args.workers)],
                env=env, cwd=self.args.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pidfile.write_text(f"{proc.pid}\n")
        started = time.monotonic()
        self.wait_healthy(proc, started)
        return {"pid": proc.pid, "seconds_to_healthy": round(time.monotonic() - started, 2)}

    def wait_healthy(self, proc, started: float) -> None:
        while True:
            if proc.poll() is not None:
                self.fail(f"the LiteLLM proxy exited with code {proc.returncode} before it became healthy")
            try:
                with urllib.request.urlopen(self.health_url(), timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() - started > self.args.timeout:
                self.stop()
                self.fail(f"the LiteLLM proxy was not healthy at {self.health_url()} within {self.args.timeout} s")
            time.sleep(0.5)

    def fail(self, message: str) -> None:
        secrets = read_env_file(Path(self.args.env_file)).values()
        try:
            tail = Path(self.args.log).read_text(errors="replace").splitlines()[-40:]
        except OSError:
            tail = []
        raise SystemExit(masked(message + "; end of " + self.args.log + ":\n" + "\n".join(tail), secrets))

    def stop(self) -> bool:
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return False
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and self.group_alive(pid):
                time.sleep(0.2)
            if not self.group_alive(pid):
                break
        self.pidfile.unlink(missing_ok=True)
        return True

    @staticmethod
    def group_alive(pgid: int) -> bool:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        try:
            os.waitpid(pgid, os.WNOHANG)
        except ChildProcessError:
            pass
        return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--pidfile", required=True)
    parser.add_argument("--env-file")
    parser.add_argument("--launcher")
    parser.add_argument("--config")
    parser.add_argument("--log")
    parser.add_argument("--workdir")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--restart", action="store_true")
    args = parser.parse_args(argv)
    proxy = Proxy(args)
    if args.command == "status":
        pid = proxy.pid()
        result = {"running": pid is not None, "pid": pid}
    elif args.command == "stop":
        result = {"changed": proxy.stop()}
    else:
        running = proxy.pid() is not None
        if running and not args.restart:
            result = {"changed": False, "pid": proxy.pid()}
        else:
            if running:
                proxy.stop()
            result = {"changed": True, **proxy.start()}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
