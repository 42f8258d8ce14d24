# Copyright: llmops.litellm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the LiteLLM proxy CLI with prisma-client-py 0.15 made compatible with LiteLLM 1.106.

LiteLLM 1.106 swaps the Prisma engine of a connected client by assigning the name-mangled private
attribute ``_Prisma__engine``. prisma-client-py 0.15 keeps the engine in the slot
``_internal_engine`` and has no such attribute, so the assignment fails: a warning at start-up and a
broken engine-restart path (the proxy no longer reconnects after the database or engine restarts).
This gives the client class that attribute as a view of its real slot, then hands over to LiteLLM's
own command line entry point with the arguments unchanged.

It also leaves out LiteLLM's boot-time schema diff (``check_prisma_schema_diff``: ``prisma migrate diff`` through
the Prisma CLI, run when schema updates are disabled, as this role disables them). The role applies LiteLLM's
migrations itself before every start (``litellm_migrate.py``), so the diff can only repeat what that step checked;
as LiteLLM runs it (a relative ``./schema.prisma`` from the service's working directory) it fails anyway, after
starting the Prisma CLI under Node: ~9 CPU-s and seconds of every start, for one line of log.
"""

import sys

from prisma._base_client import BasePrisma


def _get_engine(client):
    return client._internal_engine  # pylint: disable=protected-access


def _set_engine(client, engine):
    client._internal_engine = engine  # pylint: disable=protected-access


def patch_prisma() -> None:
    if not hasattr(BasePrisma, "_Prisma__engine"):
        BasePrisma._Prisma__engine = property(_get_engine, _set_engine)  # pylint: disable=protected-access


def skip_schema_diff() -> None:
    from litellm.proxy.db import check_migration  # pylint: disable=import-outside-toplevel

    def skipped(db_url=None):  # pylint: disable=unused-argument
        print("llmops.litellm proxy_local: the migrations were applied before the start; schema diff skipped",
              flush=True)

    check_migration.check_prisma_schema_diff = skipped


def main() -> None:
    patch_prisma()
    skip_schema_diff()
    from litellm.proxy.proxy_cli import run_server  # pylint: disable=import-outside-toplevel

    sys.argv[0] = "litellm"
    run_server()  # pylint: disable=no-value-for-parameter


if __name__ == "__main__":
    main()
