# Copyright: llmops.litellm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate prisma-client-py's client for LiteLLM's schema, once per schema.

``prisma generate`` writes the client into the ``prisma`` package of this environment. It is run
again only when LiteLLM's schema changes (a LiteLLM upgrade): a marker beside the generated client
records the SHA-256 of the schema it was generated from. With ``--engine wasm`` the Prisma engines
are this role's stand-ins (``prisma_engine/``), so nothing is downloaded.

prisma-client-py npm-installs the Prisma CLI on first use. With ``--offline-bundle`` (a bundle made by
the playbook llmops.litellm.offline_bundle) npm installs it from the bundle's npm cache only, without its
install scripts (they would try to download native engines), into ``--cli-cache``. Only ``prisma generate``
needs that CLI (the role applies the migrations itself and the launcher skips LiteLLM's boot-time schema
diff), so a client generated for the same schema is kept even where a new ``--cli-cache`` holds no CLI yet.

The generated client is ~380,000 lines of Python (``prisma/types.py`` alone 248,000) that every LiteLLM
start imports: its bytecode is compiled here, once, so that no start compiles it again (where
PYTHONDONTWRITEBYTECODE is set, no import ever writes it; measured: 2.2 CPU-s per start).

Two runs at once into one environment (two stacks starting side by side from one virtualenv) take turns: an
exclusive lock on a file beside the marker, so that neither imports a client the other is half-way writing.

Prints one JSON line: {"changed": bool}.
"""

import argparse
import compileall
import fcntl
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"the Python package {name} is not installed in this environment")
    return Path(spec.origin).parent


def compile_client() -> None:
    """Write the bytecode of the generated client where it is missing or older than its source (a cache: not a
    change)."""
    compileall.compile_dir(str(package_dir("prisma")), quiet=1, workers=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["generate"])
    parser.add_argument("--engine", choices=["wasm", "native"], default="wasm")
    parser.add_argument("--engine-dir", type=Path, help="folder of the WASM engine's query-engine and schema-engine")
    parser.add_argument("--node-bin", default="", help="folder holding node and npm (prisma generate installs its CLI with npm)")
    parser.add_argument("--offline-bundle", default="", help="offline bundle: install the CLI from its npm-cache, never from the network")
    parser.add_argument("--cli-cache", default="", help="where prisma-client-py keeps the CLI (PRISMA_BINARY_CACHE_DIR); default its own, under $HOME")
    args = parser.parse_args(argv)
    with open(package_dir("prisma") / "llmops_generate.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        return generate(args)


def generate(args: argparse.Namespace) -> int:
    schema = package_dir("litellm") / "proxy" / "schema.prisma"
    marker = package_dir("prisma") / "llmops_generated_schema.sha256"
    digest = hashlib.sha256(schema.read_bytes()).hexdigest()
    if marker.is_file() and marker.read_text().strip() == digest:
        compile_client()
        print(json.dumps({"changed": False}))
        return 0

    bindir = Path(sys.executable).parent
    path = os.pathsep.join(p for p in (str(bindir), args.node_bin, os.environ.get("PATH", "")) if p)
    env = dict(os.environ, PATH=path,
               CHECKPOINT_DISABLE="1", PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING="1")
    if args.engine == "wasm":
        env.update(PRISMA_QUERY_ENGINE_BINARY=str(args.engine_dir / "query-engine"),
                   PRISMA_SCHEMA_ENGINE_BINARY=str(args.engine_dir / "schema-engine"),
                   LLMOPS_NODE=str(Path(args.node_bin) / "node") if args.node_bin else "node")
    if args.cli_cache:
        env["PRISMA_BINARY_CACHE_DIR"] = args.cli_cache
    if args.offline_bundle:
        env.update(npm_config_cache=str(Path(args.offline_bundle) / "npm-cache"), npm_config_offline="true",
                   npm_config_ignore_scripts="true", npm_config_update_notifier="false",
                   npm_config_audit="false", npm_config_fund="false")
    proc = subprocess.run([str(bindir / "prisma"), "generate", "--schema", str(schema)],
                          env=env, capture_output=True, text=True, check=False, timeout=600)
    if proc.returncode:
        raise SystemExit(f"prisma generate failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    marker.write_text(digest + "\n")
    compile_client()
    print(json.dumps({"changed": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
