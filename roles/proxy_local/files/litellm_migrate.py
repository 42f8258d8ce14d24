# Copyright: llmops.litellm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply LiteLLM's SQL migrations without Prisma's schema engine.

LiteLLM ships its schema history as Prisma migration folders in ``litellm_proxy_extras``. Prisma's
``migrate deploy`` needs a native schema engine that cannot be downloaded on air-gapped hosts, so this
applies the same files the same way: folders in lexicographic order, each ``migration.sql`` as one
simple-query script, each recorded in ``_prisma_migrations`` with the SHA-256 of the file, so that a
later ``prisma migrate deploy`` (where it works) sees them as applied. Applied migrations are skipped.

Prints one JSON line: {"applied": [...], "skipped": N}.
"""

import argparse
import datetime
import hashlib
import json
import sys
import urllib.parse
import uuid
from pathlib import Path

import psycopg

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)
"""


PRISMA_ONLY_PARAMS = {
    "connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size", "socket_timeout", "schema",
}


def libpq_url(url: str) -> str:
    """Drop the query parameters only Prisma understands; ``schema`` becomes libpq's search_path option."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k not in PRISMA_ONLY_PARAMS]
    schema = dict(query).get("schema")
    if schema:
        kept.append(("options", f"-c search_path={schema}"))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept, quote_via=urllib.parse.quote)))


def migrations_dir() -> Path:
    import litellm_proxy_extras  # pylint: disable=import-outside-toplevel

    return Path(litellm_proxy_extras.__file__).parent / "migrations"


def pending(directory: Path, applied: set) -> list:
    folders = sorted(p for p in directory.iterdir() if (p / "migration.sql").is_file())
    return [p for p in folders if p.name not in applied]


def apply(database_url: str, directory: Path) -> dict:
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute(CREATE_TABLE)
        rows = conn.execute(
            'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL'
        ).fetchall()
        applied = {r[0] for r in rows}
        todo = pending(directory, applied)
        for folder in todo:
            script = (folder / "migration.sql").read_bytes()
            started = datetime.datetime.now(datetime.timezone.utc)
            try:
                conn.execute(script.decode("utf-8"))
            except psycopg.Error as exc:
                raise SystemExit(f"migration {folder.name} failed: {exc}") from exc
            conn.execute(
                'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)'
                " VALUES (%s, %s, now(), %s, %s, 1)",
                (str(uuid.uuid4()), hashlib.sha256(script).hexdigest(), folder.name, started),
            )
    return {"applied": [p.name for p in todo], "skipped": len(applied)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL of LiteLLM's database")
    parser.add_argument("--migrations", type=Path, default=None, help="folder of Prisma migrations (default: litellm_proxy_extras')")
    args = parser.parse_args(argv)
    result = apply(args.database_url, args.migrations or migrations_dir())
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
