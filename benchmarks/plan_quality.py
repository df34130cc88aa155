"""How much experience each strategy delivers, against the exact optimum, on generated engagements.

`python benchmarks/plan_quality.py` generates engagements in three families, plans each with every
heuristic strategy, solves it exactly (`strategy: optimal` with a long time limit), and prints each
strategy's gap below the optimum (median and worst) and the solve times. The objective is the
roadmap's experience: the sum over moments of worth x (waves - live wave + 1), for the moments
live within the horizon (`Roadmap.experience()`).

Families (each engagement brings its own catalog; capacity is tight on purpose):
- small: 8-15 capabilities, 6-14 moments, 6 waves, chains up to 4 deep, capacity 30-50 % of the
  work demanded, so some uplifts are larger than a wave;
- medium: 30-60 capabilities, 20-40 moments, 8 waves, the same shape;
- fits: like small and medium, but every uplift fits a wave's capacity.

Where the exact solve runs out of time, the gap is measured against its proven bound (so it can
only be overstated) and the table says how often. Nothing is asserted: the figures go into notes.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from visionkit.planner import plan
from visionkit.strategies import STRATEGIES
from visionkit.validation import validate_engagement

HEURISTICS = tuple(s for s in STRATEGIES if s != "optimal")
FAMILIES = ("small", "medium", "fits")


def generate(family: str, seed: int) -> dict[str, Any]:
    """Raw engagement data for one member of a family; the same seed gives the same engagement."""
    rng = random.Random(f"{family}-{seed}")
    big = family == "medium" or (family == "fits" and seed % 2 == 1)
    n = rng.randint(30, 60) if big else rng.randint(8, 15)
    moments = rng.randint(20, 40) if big else rng.randint(6, 14)
    waves = 8 if big else 6
    ids = [f"c{i:02d}" for i in range(n)]
    caps = []
    for i, cid in enumerate(ids):
        cap: dict[str, Any] = {
            "id": cid,
            "name": f"Capability {i}",
            "domain": ("data", "channels", "operations", "people")[i % 4],
            "effort_per_level": rng.randint(1, 4)
            if rng.random() < 0.6
            else {lv: rng.randint(1, 6) for lv in range(1, 6)},
        }
        if i > 0 and rng.random() < 0.7:
            # Mostly the few capabilities just below: chains form, several levels deep.
            pool = ids[max(0, i - 6) : i]
            cap["requires"] = {rng.choice(pool): rng.randint(1, 3) for _ in range(rng.randint(1, 2))}
        caps.append(cap)
    assessment = {cid: rng.randint(0, 2) for cid in ids if rng.random() < 0.4}
    days = []
    left = moments
    d = 0
    while left > 0:
        size = min(left, rng.randint(3, 8))
        days.append(
            {
                "id": f"day-{d + 1}",
                "title": f"Day {d + 1}",
                "priority": rng.choice((1, 1, 2, 3)),
                "moments": [
                    {
                        "story": f"moment {m + 1}",
                        "weight": rng.choice((0.5, 1.0, 1.0, 2.0, 3.0)),
                        "needs": {
                            rng.choice(ids): rng.choices((1, 2, 3, 4), (2, 4, 3, 1))[0]
                            for _ in range(rng.randint(1, 3))
                        },
                    }
                    for m in range(size)
                ],
            }
        )
        left -= size
        d += 1
    data = {
        "client": f"{family} {seed}",
        "scenario": {"waves": waves, "capacity": 1},
        "catalog": {"extends": "none", "capabilities": caps},
        "assessment": assessment,
        "perfect_days": days,
    }
    # Capacity from the work the moments demand: tight, and in `fits` never below the largest uplift.
    roadmap = plan(validate_engagement(data), waves=waves, capacity=10**6, strategy="value")
    total = sum(up.effort for up in roadmap.uplifts)
    capacity = max(2, round(total * rng.uniform(0.3, 0.5) / waves))
    if family == "fits":
        capacity = max(capacity, max((up.effort for up in roadmap.uplifts), default=1))
    data["scenario"]["capacity"] = capacity
    return data


@dataclass
class Result:
    """One engagement: each strategy's experience, the optimum (or bound) and the solve."""

    family: str
    seed: int
    uplifts: int
    values: dict[str, float]
    best: float
    proven: bool
    solve_seconds: float
    plan_seconds: dict[str, float]


def measure(family: str, seed: int, time_limit: float) -> Result:
    """Plan one generated engagement with every strategy and solve it exactly."""
    engagement = validate_engagement(generate(family, seed))
    values, seconds = {}, {}
    for strategy in HEURISTICS:
        started = time.perf_counter()
        roadmap = plan(engagement, strategy=strategy)
        seconds[strategy] = time.perf_counter() - started
        values[strategy] = roadmap.experience()
    exact = plan(engagement, strategy="optimal", time_limit=time_limit)
    assert exact.proof is not None
    values["optimal"] = exact.experience()
    proven = not exact.proof.timed_out
    best = exact.experience() if proven else exact.proof.bound
    return Result(family, seed, len(exact.uplifts), values, best, proven, exact.proof.seconds, seconds)


def gap(value: float, best: float) -> float:
    """How far below the best a value is, in percent."""
    return 100.0 * (best - value) / best if best > 0 else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=30, help="engagements per family (default 30)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds for each exact solve (default 60)")
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated, from: " + ", ".join(FAMILIES))
    parser.add_argument("--verbose", action="store_true", help="also print every engagement's gaps")
    args = parser.parse_args(argv)
    print(f"visionkit plan quality: Python {platform.python_version()} on {platform.platform()}")
    print(f"{args.count} engagements per family; exact solves limited to {args.time_limit:g} s\n")
    strategies = (*HEURISTICS, "optimal")
    header = (
        f"{'family':<8} {'uplifts':>9} " + " ".join(f"{s:>17}" for s in strategies) + f" {'solve s':>14} {'proven':>7}"
    )
    print("gap below the optimum, median / worst, in %")
    print(header)
    print("-" * len(header))
    timings: list[Result] = []
    for family in args.families.split(","):
        results = [measure(family, seed, args.time_limit) for seed in range(args.count)]
        cells = []
        for s in strategies:
            gaps = [gap(r.values[s], r.best) for r in results]
            cells.append(f"{statistics.median(gaps):>7.2f} / {max(gaps):>7.2f}")
        sizes = [r.uplifts for r in results]
        solves = [r.solve_seconds for r in results]
        proven = sum(r.proven for r in results)
        print(
            f"{family:<8} {min(sizes):>4}-{max(sizes):<4} "
            + " ".join(f"{c:>17}" for c in cells)
            + f" {statistics.median(solves):>6.2f}/{max(solves):>6.2f} {proven:>3}/{len(results)}"
        )
        if args.verbose:
            for r in results:
                worst = ", ".join(f"{s} {gap(r.values[s], r.best):.2f}" for s in strategies)
                print(f"    seed {r.seed:>3} ({r.uplifts} uplifts): {worst}")
        timings.extend(results)
    print("\nplanning time per engagement, median / worst, ms:")
    for s in HEURISTICS:
        times = [1000 * r.plan_seconds[s] for r in timings]
        print(f"  {s:<12} {statistics.median(times):>8.1f} / {max(times):>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
