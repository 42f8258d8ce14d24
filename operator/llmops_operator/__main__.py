"""``python -m llmops_operator``: load watches.yaml, register the handlers, run Kopf.

Options follow ``kopf run``: ``--standalone`` (no peering; the default unless ``--peering`` or
``LLMOPS_OPERATOR_PEERING`` names a peering object, which running more than one replica needs),
``--liveness`` (e.g. ``http://0.0.0.0:8080/healthz``; env ``LLMOPS_OPERATOR_LIVENESS``), ``--priority`` (env
``LLMOPS_OPERATOR_PRIORITY``), ``--metrics-port`` (Prometheus metrics on ``0.0.0.0:<port>/metrics``, default
8383, 0: none; env ``LLMOPS_OPERATOR_METRICS_PORT``). Namespaces come from ``WATCH_NAMESPACE`` (empty: all
namespaces; or a comma-separated list).

Peers with the same priority all pause (Kopf's rule), so replicas must differ: without a priority given, each
process picks a random one, and the pod with the highest works while the others stand by, taking over when it
stops.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import random
import sys
from collections.abc import Mapping

import kopf

from llmops_operator import metrics
from llmops_operator.config import Config, truth
from llmops_operator.handlers import Shim, register
from llmops_operator.watches import WatchesError, load


class QuietTimers(logging.Filter):
    """Drops Kopf's "Timer 'drift' succeeded." lines: the timers tick every few seconds for every CR and mostly
    find nothing due; what they do is logged and posted as Events. Also "Handler 'metrics' succeeded.": the
    metrics' watch-event handler runs on every event of every CR."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Timer '") and message.endswith("' succeeded.")
                    or message == "Handler 'metrics' succeeded.")


def build(config: Config) -> kopf.OperatorRegistry:
    """A Kopf registry with the handlers of ``config``'s watches.yaml (raises WatchesError when it is invalid)."""
    registry = kopf.OperatorRegistry()
    env = {**os.environ, "ANSIBLE_ROLES_PATH": config.roles_path, "ANSIBLE_COLLECTIONS_PATH": config.collections_path}
    register(registry, Shim(config, load(config.watches_file, config.watches_base, env)))
    return registry


def priority_from_env(env: Mapping[str, str]) -> int:
    """``LLMOPS_OPERATOR_PRIORITY``, else a random priority (replicas that share one would all pause)."""
    value = env.get("LLMOPS_OPERATOR_PRIORITY", "").strip()
    if not value:
        return random.SystemRandom().randint(1, 2**31 - 1)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"LLMOPS_OPERATOR_PRIORITY: {value!r} is not an integer") from None


def _bool(value: str) -> bool:
    """``true`` / ``false`` (Go's flag syntax: ``--inject-owner-ref=false``)."""
    try:
        return truth(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llmops_operator", description=__doc__.splitlines()[0])
    parser.add_argument("--peering", default=os.environ.get("LLMOPS_OPERATOR_PEERING") or None,
                        help="Kopf peering name (needed for more than one replica)")
    parser.add_argument("--standalone", action="store_true", help="no peering (the default without --peering)")
    parser.add_argument("--liveness", default=os.environ.get("LLMOPS_OPERATOR_LIVENESS") or None,
                        help="liveness endpoint, e.g. http://0.0.0.0:8080/healthz")
    parser.add_argument("--priority", type=int, default=None,
                        help="peering priority: the highest works, the others stand by (default: random per process)")
    parser.add_argument("--metrics-port", type=int, default=None,
                        help="port of the Prometheus endpoint /metrics on 0.0.0.0 (default 8383; 0: none)")
    parser.add_argument("--verbose", action="store_true", help="debug logging")
    # ansible-operator's flags (ansible-operator-plugins' internal/ansible/flags) that the shim honours
    parser.add_argument("--watches-file", default=None, help="the watches file (env WATCHES_FILE)")
    parser.add_argument("--inject-owner-ref", type=_bool, default=True, metavar="true|false",
                        help="make the CR the owner of what its runs create (foreign watches; default true)")
    parser.add_argument("--proxy-port", type=int, default=None,
                        help="port of the runs' Kubernetes API proxy on 127.0.0.1 (default 8888; 0: any free port)")
    parser.add_argument("--max-concurrent-reconciles", type=int, default=None,
                        help="ansible-runner runs at once (env MAX_CONCURRENT_RECONCILES; per kind: "
                             "MAX_CONCURRENT_RECONCILES_<KIND>_<GROUP>)")
    parser.add_argument("--ansible-verbosity", type=int, default=None, choices=range(8), metavar="0-7",
                        help="ansible-playbook -v count (default 2 for foreign watches, 0 for ours; per kind: "
                             "ANSIBLE_VERBOSITY_<KIND>_<GROUP>; per CR: ansible.sdk.operatorframework.io/verbosity)")
    parser.add_argument("--ansible-args", default="", help="more ansible-playbook arguments for every run")
    parser.add_argument("--ansible-roles-path", default=None, help="ANSIBLE_ROLES_PATH for role lookup and the runs")
    parser.add_argument("--ansible-collections-path", default=None, help="ANSIBLE_COLLECTIONS_PATH for role lookup and the runs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietTimers())
    # The kubernetes client logs every response body at DEBUG, the Secrets the shim reads (master keys) included:
    # --verbose is for the shim's and Kopf's own messages.
    logging.getLogger("kubernetes.client.rest").setLevel(logging.INFO)
    for flag, name in ((args.ansible_roles_path, "ANSIBLE_ROLES_PATH"), (args.ansible_collections_path, "ANSIBLE_COLLECTIONS_PATH"),
                       (args.watches_file, "WATCHES_FILE"), (args.max_concurrent_reconciles, "MAX_CONCURRENT_RECONCILES")):
        if flag is not None:
            os.environ[name] = str(flag)  # read by watches.yaml's role lookup and inherited by the runs
    try:
        config = Config.from_env()
        config = dataclasses.replace(
            config, inject_owner_ref=args.inject_owner_ref, ansible_args=args.ansible_args,
            ansible_verbosity=args.ansible_verbosity,
            proxy_port=config.proxy_port if args.proxy_port is None else args.proxy_port)
        registry = build(config)
        priority = args.priority if args.priority is not None else priority_from_env(os.environ)
        metrics_port = args.metrics_port if args.metrics_port is not None else metrics.port_from_env(os.environ)
        metrics.serve(metrics_port)
    except OSError as exc:
        print(f"llmops_operator: cannot serve metrics on port {metrics_port}: {exc.strerror} "
              "(--metrics-port / LLMOPS_OPERATOR_METRICS_PORT; 0 disables metrics)", file=sys.stderr)
        return 2
    except (WatchesError, ValueError) as exc:
        print(f"llmops_operator: {exc}", file=sys.stderr)
        return 2
    standalone = args.standalone or not args.peering
    kopf.run(registry=registry, standalone=standalone, peering_name=None if standalone else args.peering,
             priority=priority, liveness_endpoint=args.liveness, clusterwide=not config.namespaces, namespaces=config.namespaces)
    return 0


if __name__ == "__main__":
    sys.exit(main())
