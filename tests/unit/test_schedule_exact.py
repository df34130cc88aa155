"""The exact plan against brute force on tiny problems, and the heuristic against the exact plan."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import pytest

from visionkit._heuristic import plan_experience
from visionkit._optimal import solve
from visionkit._schedule import Problem, Schedule, ceiling, experience, violations


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    if parts == 1:
        if total >= 1:
            yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _placements(effort: int, waves: int) -> Iterator[dict[int, int] | None]:
    """Every way one stage could get its points: not at all, one wave, or consecutive waves."""
    yield None
    for start in range(1, waves + 1):
        yield {start: effort}
        for end in range(start + 1, waves + 1):
            for split in _compositions(effort, end - start + 1):
                yield dict(zip(range(start, end + 1), split, strict=True))


def brute_force(problem: Problem) -> float:
    """The most experience of any schedule that keeps the rules, by trying them all."""
    options = [
        [None] if i in problem.closed else list(_placements(e, problem.waves)) for i, e in enumerate(problem.efforts)
    ]
    best = 0.0
    for combo in itertools.product(*options):
        schedule = Schedule([c or {} for c in combo], [max(c) if c else None for c in combo])
        if not violations(problem, schedule):
            best = max(best, experience(problem, schedule.end))
    return best


def tiny_problem(rng: random.Random) -> Problem:
    """Up to four stages in up to three waves, with dependencies, large stages and moments."""
    n, waves = rng.randint(1, 4), rng.randint(1, 3)
    deps = [sorted(rng.sample(range(i), rng.randint(0, min(2, i)))) for i in range(n)]

    def closed_over(stages: list[int]) -> tuple[int, ...]:
        out: set[int] = set()
        todo = list(stages)
        while todo:
            i = todo.pop()
            if i not in out:
                out.add(i)
                todo.extend(deps[i])
        return tuple(sorted(out))

    moments = [(rng.choice([0.5, 1.0, 2.0]), closed_over(rng.sample(range(n), rng.randint(1, n)))) for _ in range(3)]
    return Problem(
        efforts=[rng.randint(0, 5) for _ in range(n)],
        deps=deps,
        capacities=[rng.randint(0, 5) for _ in range(waves)],
        moments=moments,
    )


CASES = [tiny_problem(random.Random(seed)) for seed in range(120)]


@pytest.mark.parametrize("problem", CASES, ids=[f"seed-{k}" for k in range(len(CASES))])
def test_the_exact_plan_is_the_best_of_all_schedules(problem: Problem) -> None:
    best = brute_force(problem)
    solved = solve(problem, seconds=10)
    assert not violations(problem, solved.schedule)
    assert solved.value == pytest.approx(best) and not solved.timed_out and solved.gap == 0
    heuristic = plan_experience(problem)
    assert not violations(problem, heuristic)
    assert experience(problem, heuristic.end) <= best + 1e-9 <= ceiling(problem) + 1e-9


def test_a_solve_stopped_by_its_time_limit_still_proves_a_bound() -> None:
    problem = CASES[7]
    solved = solve(problem, seconds=1e-6)
    assert not violations(problem, solved.schedule)
    assert solved.value <= brute_force(problem) <= solved.bound + 1e-9
