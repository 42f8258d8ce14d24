"""What the operator's metrics cost, side by side in one run (not a test).

1. The collection's client with and without the request log (``LLMOPS_OPERATOR_REQUEST_LOG``): the same GET
   /team/list against the real LiteLLM, alternating, so the ratio shows what the per-request line adds.
2. The operator's fold of a run's request log: lines per second, against json.loads alone (the floor).

    .venv/bin/python -m bench.metrics_overhead [--requests 200] [--lines 100000]

The proxy comes from LITELLM_PROXY_URL / LITELLM_PROXY_API_KEY (or the tests' LLMOPS_TEST_PROXY_URL/KEY).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

from tests.lib.playbook import REPO, ensure_collection_link

sys.path.insert(0, str(ensure_collection_link()))
sys.path.insert(0, str(REPO / "operator"))
from ansible_collections.llmops.litellm.plugins.module_utils import _client  # noqa: E402
from llmops_operator import metrics  # noqa: E402


def client_overhead(url: str, key: str, requests: int) -> tuple[float, float]:
    client = _client.Client(url, key, retries=0)
    plain, logged = [], []
    with tempfile.TemporaryDirectory() as directory:
        log = os.path.join(directory, "requests.jsonl")
        for i in range(requests * 2):
            if i % 2:
                os.environ[_client.REQUEST_LOG_ENV] = log
            else:
                os.environ.pop(_client.REQUEST_LOG_ENV, None)
            started = time.perf_counter()
            client.get("/team/list")
            (logged if i % 2 else plain).append(time.perf_counter() - started)
        os.environ.pop(_client.REQUEST_LOG_ENV, None)
    return statistics.median(plain), statistics.median(logged)


def fold_rate(lines: int) -> tuple[float, float]:
    text = [json.dumps({"method": "POST", "route": "/team/update", "status": 200, "seconds": 0.01 * (i % 7)}) for i in range(lines)]
    started = time.perf_counter()
    for line in text:
        json.loads(line)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    assert metrics.fold(text) == lines
    return floor, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("LITELLM_PROXY_URL") or os.environ["LLMOPS_TEST_PROXY_URL"]
    key = os.environ.get("LITELLM_PROXY_API_KEY") or os.environ["LLMOPS_TEST_PROXY_KEY"]
    plain, logged = client_overhead(url, key, args.requests)
    print(f"GET /team/list, median of {args.requests}: {plain * 1000:.2f} ms without the request log, "
          f"{logged * 1000:.2f} ms with it (ratio {logged / plain:.3f})")
    floor, folded = fold_rate(args.lines)
    print(f"fold of {args.lines} lines: {folded:.3f} s ({args.lines / folded:,.0f} lines/s); json.loads alone "
          f"{floor:.3f} s (ratio {folded / floor:.1f})")


if __name__ == "__main__":
    main()
