# Copyright: llmops.litellm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate prisma-client-py's client for LiteLLM's schema, once per schema.

``prisma generate`` writes the client into the ``prisma`` package of this environment. It is run
again only when LiteLLM's schema changes (a LiteLLM upgrade): a marker beside the generated client
records the SHA-256 of the schema it was generated from. With ``--engine wasm`` the Prisma engines
are this role's stand-ins (``prisma_engine/``), so nothing is downloaded.

Prints one JSON line: {"changed": bool}.
"""

import argparse
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["generate"])
    parser.add_argument("--engine", choices=["wasm", "native"], default="wasm")
    parser.add_argument("--engine-dir", type=Path, help="folder of the WASM engine's query-engine and schema-engine")
    parser.add_argument("--node-bin", default="", help="folder holding node and npm (prisma generate installs its CLI with npm)")
    args = parser.parse_args(argv)

    schema = package_dir("litellm") / "proxy" / "schema.prisma"
    marker = package_dir("prisma") / "llmops_generated_schema.sha256"
    digest = hashlib.sha256(schema.read_bytes()).hexdigest()
    if marker.is_file() and marker.read_text().strip() == digest:
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
    proc = subprocess.run([str(bindir / "prisma"), "generate", "--schema", str(schema)],
                          env=env, capture_output=True, text=True, check=False, timeout=600)
    if proc.returncode:
        raise SystemExit(f"prisma generate failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    marker.write_text(digest + "\n")
    print(json.dumps({"changed": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
