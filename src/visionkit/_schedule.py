"""Scheduling uplifts into waves: the problem, the rules every plan keeps, and a plan's worth.

Pure data in, pure data out: stages are numbered 0..n-1 and waves 1..W. The planner turns an
engagement into a `Problem`, and a `Schedule` back into a roadmap. The `experience` heuristic
(`visionkit._heuristic`, placing stages on a `visionkit._board.Board`) and the exact solver
(`visionkit._optimal`) work on the same `Problem` and are checked by the same `violations`.

The rules (docs/planner.md says them for users):
1. a stage starts only in a wave after every stage it depends on has finished, and not before its pin;
2. no wave gives out more than its capacity;
3. a stage whose effort fits its start wave's capacity is done whole in that wave;
4. a larger one runs over consecutive waves with some work in each, and takes all the capacity
   left in each wave it spans but the one where it finishes.
A moment goes live in the wave its last required stage finishes; the plan's *experience* is
the sum over moments of worth x (waves - live wave + 1), for the moments live within the horizon.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """Stages (uplifts) with effort and dependencies, waves with capacity, moments with worth."""

    efforts: Sequence[int]
    deps: Sequence[Sequence[int]]
    capacities: Sequence[int]
    moments: Sequence[tuple[float, Sequence[int]]]
    """Each moment's worth and the stages it needs, closed over dependencies."""
    pins: dict[int, int] = field(default_factory=dict)
    """Stage -> the wave it must not start before (and is placed in first)."""
    closed: frozenset[int] = frozenset()
    """Stages that are never scheduled (excluded, or waiting for an excluded one)."""

    @property
    def waves(self) -> int:
        """The number of waves in the horizon."""
        return len(self.capacities)


@dataclass
class Schedule:
    """Points of each stage per wave; a stage with an end wave is finished within the horizon."""

    allocation: list[dict[int, int]]
    end: list[int | None]

    def start(self, i: int) -> int | None:
        """The wave stage `i` starts in, or None if it gets no work within the horizon."""
        return min(self.allocation[i]) if self.allocation[i] else None


def live_wave(end: Sequence[int | None], stages: Sequence[int]) -> int | None:
    """The wave a moment needing `stages` goes live: 0 today, None if not within the horizon."""
    live = 0
    for i in stages:
        e = end[i]
        if e is None:
            return None
        live = max(live, e)
    return live


def experience(problem: Problem, end: Sequence[int | None]) -> float:
    """Experience delivered over the horizon: sum of worth x (waves - live wave + 1) over live moments."""
    total = 0.0
    top = problem.waves + 1
    for worth, stages in problem.moments:
        live = live_wave(end, stages)
        if live is not None:
            total += worth * (top - live)
    return total


def ceiling(problem: Problem) -> float:
    """An experience no plan exceeds: every moment live as soon as its chain of stages allows.

    A stage finishes at the earliest one wave after what it depends on (not before its pin),
    and a stage larger than every wave takes at least two; capacity is otherwise ignored.
    """
    rank = topological_rank(problem)
    W = problem.waves
    top = max(problem.capacities, default=0)
    soonest: list[int | None] = [None] * len(problem.efforts)
    for i in sorted(range(len(soonest)), key=rank.__getitem__):
        if i in problem.closed:
            continue
        first = problem.pins.get(i, 1)
        for d in problem.deps[i]:
            done = soonest[d]
            first = max(first, W + 1 if done is None else done + 1)
        finish = first + (1 if problem.efforts[i] > top else 0)
        soonest[i] = finish if finish <= W else None
    return experience(problem, soonest)


def violations(problem: Problem, schedule: Schedule) -> list[str]:
    """Every way a schedule breaks the rules, as sentences (empty for a valid schedule)."""
    out = []
    caps = problem.capacities
    used = [0] * (problem.waves + 1)
    for i, alloc in enumerate(schedule.allocation):
        effort = problem.efforts[i]
        end = schedule.end[i]
        if not alloc:
            if end is not None:
                out.append(f"stage {i} ends in wave {end} without work")
            continue
        if i in problem.closed:
            out.append(f"stage {i} is closed but scheduled")
        waves = sorted(alloc)
        start = waves[0]
        for w, amount in alloc.items():
            used[w] += amount
        if waves != list(range(start, waves[-1] + 1)):
            out.append(f"stage {i} is split over waves {waves} that do not follow each other")
        if len(waves) > 1 and any(alloc[w] < 1 for w in waves):
            out.append(f"stage {i} spans a wave with no work")
        done = sum(alloc.values())
        if end is not None and (done != effort or end != waves[-1]):
            out.append(f"stage {i} ends in wave {end} with {done} of {effort} points")
        if end is None and done >= effort:
            out.append(f"stage {i} has all its points but no end")
        if effort <= caps[start - 1] and len(waves) > 1:
            out.append(f"stage {i} fits wave {start} but is split")
        if start < problem.pins.get(i, 0):
            out.append(f"stage {i} starts before its pin")
        for d in problem.deps[i]:
            before = schedule.end[d]
            if before is None or before >= start:
                out.append(f"stage {i} starts in wave {start} before its dependency {d} has finished")
    for w in range(1, problem.waves + 1):
        if used[w] > caps[w - 1]:
            out.append(f"wave {w} gives out {used[w]} of {caps[w - 1]} points")
    for i, alloc in enumerate(schedule.allocation):
        own = schedule.end[i]
        last = own if own is not None else problem.waves
        for w in sorted(alloc):
            if len(alloc) > 1 and w < last and used[w] < caps[w - 1]:
                out.append(f"stage {i} spans wave {w} but leaves {caps[w - 1] - used[w]} points of it unused")
    return out


def topological_rank(problem: Problem) -> list[int]:
    """Each stage's position in one dependency order (dependencies first, then by number)."""
    n = len(problem.efforts)
    indegree = [len(d) for d in problem.deps]
    dependents: list[list[int]] = [[] for _ in range(n)]
    for i, ds in enumerate(problem.deps):
        for d in ds:
            dependents[d].append(i)
    queue = [i for i in range(n) if indegree[i] == 0]
    heapq.heapify(queue)
    rank = [0] * n
    position = 0
    while queue:
        i = heapq.heappop(queue)
        rank[i] = position
        position += 1
        for j in dependents[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(queue, j)
    return rank
