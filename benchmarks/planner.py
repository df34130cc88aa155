"""Benchmark the planner on generated engagements.

Run `python benchmarks/planner.py` for the full run (up to 20,000 capabilities), or with
`--quick` for a smoke run that stays at 2,000 capabilities or fewer. Timings only: nothing
is asserted. Each repetition validates the raw data afresh and plans the new engagement, so
catalog closures cached by an earlier run never flatter the planning time.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from dataclasses import dataclass

from visionkit.planner import plan
from visionkit.strategies import DEFAULT_STRATEGY
from visionkit.strategies import STRATEGIES as ALL_STRATEGIES
from visionkit.testing import generate_engagement
from visionkit.validation import validate_engagement

GOAL_SECONDS = 1.0
GOAL_SIZE = (2_000, 5_000)
SIZES = (200, 500, 1_000, 2_000, 5_000, 10_000, 20_000)
# Every strategy but the exact one, which has its own benchmark (benchmarks/plan_quality.py).
STRATEGIES = tuple(s for s in ALL_STRATEGIES if s != "optimal")


@dataclass
class Timing:
    """Best-of-n times for one generated engagement."""

    capabilities: int
    moments: int
    uplifts: int
    scheduled: int
    validate: float
    plan: float
    repeat: int


def measure(
    capabilities: int, moments: int, *, strategy: str = DEFAULT_STRATEGY, repeat: int = 3, seed: int = 0
) -> Timing:
    """Validate and plan one generated engagement `repeat` times; keep the best of each."""
    data = generate_engagement(capabilities, moments, seed=seed, strategy=strategy)
    best_validate = best_plan = math.inf
    uplifts = scheduled = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        engagement = validate_engagement(data)
        t1 = time.perf_counter()
        roadmap = plan(engagement)
        t2 = time.perf_counter()
        best_validate, best_plan = min(best_validate, t1 - t0), min(best_plan, t2 - t1)
        uplifts = len(roadmap.uplifts)
        scheduled = sum(1 for up in roadmap.uplifts if up.status == "scheduled")
    return Timing(capabilities, moments, uplifts, scheduled, best_validate, best_plan, repeat)


def print_table(title: str, rows: list[tuple[str, Timing]], first: str) -> None:
    """Print timings as an aligned text table."""
    print(title)
    header = (
        f"{first:>12} {'capabilities':>12} {'moments':>8} {'uplifts':>8} {'scheduled':>9} "
        f"{'validate s':>10} {'plan s':>8} {'plan s/1k uplifts':>17} {'best of':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, t in rows:
        per_k = t.plan / t.uplifts * 1000 if t.uplifts else math.nan
        print(
            f"{label:>12} {t.capabilities:>12,} {t.moments:>8,} {t.uplifts:>8,} {t.scheduled:>9,} "
            f"{t.validate:>10.3f} {t.plan:>8.3f} {per_k:>17.4f} {t.repeat:>7}"
        )
    print()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="only sizes up to 2,000 capabilities")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per size; the best counts (default 3)")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)

    print(f"visionkit planner benchmark: Python {platform.python_version()} on {platform.platform()}")
    print(f"times are the best of {repeat} runs; the largest sizes run once\n")

    measure(200, 500, repeat=1)  # warm up: imports and first-call costs stay out of the timings
    caps, moments = GOAL_SIZE
    goal = measure(caps, moments, repeat=repeat)
    verdict = "met" if goal.plan < GOAL_SECONDS else "MISSED"
    print(f"Goal: plan {caps:,} capabilities and {moments:,} moments in under {GOAL_SECONDS:g} s")
    print(f"  uplifts             {goal.uplifts:,} ({goal.scheduled:,} scheduled within the horizon)")
    print(f"  validate_engagement {goal.validate:.3f} s")
    print(f"  plan                {goal.plan:.3f} s  -> goal {verdict}")
    print()

    sizes = [s for s in SIZES if not args.quick or s <= 2_000]
    rows = []
    for size in sizes:
        n = repeat if size <= 5_000 else 1
        rows.append((DEFAULT_STRATEGY, goal if size == caps else measure(size, int(size * 2.5), repeat=n)))
    print_table(f"How time grows (moments = 2.5 x capabilities, strategy {DEFAULT_STRATEGY})", rows, "strategy")

    by_strategy = [
        (s, goal if s == DEFAULT_STRATEGY else measure(caps, moments, strategy=s, repeat=repeat)) for s in STRATEGIES
    ]
    print_table(f"Strategies at {caps:,} capabilities / {moments:,} moments", by_strategy, "strategy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
