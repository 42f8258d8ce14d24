"""How the gateway plan grows with the number of objects (not a test): users naming teams by alias, in process.

N objects, half teams and half users, each user in two teams (one named by its alias, one by its id), planned
against two live states: ``scratch`` (none of them live: every object is created, a user's team named by alias
is a stand-in known after apply, the one named by id is one of N/2 other live teams, not declared) and
``steady`` (everything live as declared: a no-op). The parse (``parse_document``) and the plan
(``Planner.plan``, and ``IsolatingPlanner.plan`` for ``invalid: skip``) are timed apart, best of ``--rounds``.
A plan that grows linearly costs the same per object at every N: the table gives each N's time per object as a
ratio to the smallest N's (target: at most 2 from 1,000 to 10,000 objects; a plan quadratic in the users and
teams gives about 10).

    .venv/bin/python -m bench.planner_scale [--n 1000 10000] [--rounds 3] [--json FILE]

Nothing is sent to LiteLLM.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from typing import Any, Callable

from tests.lib.playbook import ensure_collection_link

sys.path.insert(0, str(ensure_collection_link()))
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import document as documents  # noqa: E402
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import isolate  # noqa: E402
from ansible_collections.llmops.litellm.plugins.module_utils.gateway import plan as planning  # noqa: E402

TARGET = 2.0  # time per object at the largest N against the smallest


def document(n: int) -> dict[str, Any]:
    teams = n // 2
    return {
        "teams": [{"team_alias": f"bench-team-{i}", "max_budget": 10.0} for i in range(teams)],
        "users": [{"user_id": f"bench-user-{i}", "user_email": f"u{i}@example.com",
                   "teams": [f"bench-team-{i % teams}", f"bench-team-id-{(i + 1) % teams}"]}
                  for i in range(n - teams)],
    }


def live_state(n: int, steady: bool) -> dict[str, list[dict[str, Any]]]:
    teams = n // 2
    if not steady:
        return {"team": [dict(team_id=f"bench-team-id-{i}", team_alias=f"bench-team-other-{i}", max_budget=1.0,
                              metadata={}) for i in range(teams)], "user": []}
    return {
        "team": [dict(team_id=f"bench-team-id-{i}", team_alias=f"bench-team-{i}", max_budget=10.0, metadata={})
                 for i in range(teams)],
        "user": [dict(user_id=f"bench-user-{i}", user_email=f"u{i}@example.com",
                      teams=sorted([f"bench-team-id-{i % teams}", f"bench-team-id-{(i + 1) % teams}"]))
                 for i in range(n - teams)],
    }


def best(rounds: int, step: Callable[[Any], Any], prepare: Callable[[], Any] = lambda: None) -> tuple[float, Any]:
    """The best time of ``step(prepare())`` over the rounds, ``prepare`` (and a garbage collection) untimed, and the
    last result."""
    times: list[float] = []
    result = None
    while len(times) < rounds:
        ready = prepare()
        gc.collect()
        started = time.perf_counter()
        result = step(ready)
        times.append(time.perf_counter() - started)
    return min(times), result


def measure(n: int, state: str, rounds: int) -> dict[str, Any]:
    doc, live = document(n), live_state(n, state == "steady")
    scope = documents.make_scope(doc)
    parse = best(rounds, lambda ready: documents.parse_document(doc))[0]
    row: dict[str, Any] = {"n": n, "state": state, "parse_s": parse}
    for mode, planner in (("fail", planning.Planner), ("skip", isolate.IsolatingPlanner)):
        def plan(declared: Any) -> planning.Plan:
            return planner(declared, live, scope, "preserve", key_dir="/tmp").plan()
        # each round parses the document again, untimed: a plan changes its params (names resolved)
        seconds, result = best(rounds, plan, lambda: documents.parse_document(doc))
        summary = result.summary()
        expected = {"create": n, "unmanaged": n // 2} if state == "scratch" else {"none": n}
        if summary != expected:
            raise SystemExit(f"n={n} {state} {mode}: planned {summary}, expected {expected}")
        row[f"{mode}_s"] = seconds
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = [measure(n, state, args.rounds) for state in ("scratch", "steady") for n in sorted(args.n)]
    print("| state | N | parse s | plan s (fail) | plan s (skip) | per object ×smallest N (fail, skip) |")
    print("|---|---|---|---|---|---|")
    failed = False
    for row in rows:
        first = next(r for r in rows if r["state"] == row["state"])
        ratios = [(row[m] / row["n"]) / (first[m] / first["n"]) if first[m] else 0.0 for m in ("fail_s", "skip_s")]
        row["ratio_fail"], row["ratio_skip"] = ratios
        failed = failed or max(ratios) > TARGET
        print(f"| {row['state']} | {row['n']:,} | {row['parse_s']:.2f} | {row['fail_s']:.2f} | {row['skip_s']:.2f} | "
              f"{ratios[0]:.2f}, {ratios[1]:.2f} |")
    print(f"target: per object at most {TARGET}x the smallest N's: {'missed' if failed else 'met'}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
