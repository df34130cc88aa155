"""The exact plan: the scheduling rules as a mixed-integer program, solved by HiGHS.

Time-indexed, with cumulative binaries: F[i,w] = 1 once stage i has finished by wave w, and
for a stage that may run over several waves, S[i,w] = 1 once it has started and x[i,w] its
points in wave w. A moment's L[m,w] <= F[i,w] for every stage it needs, and the objective is
the sum of worth x L over moments and waves, which is the plan's experience (see
`visionkit._schedule`). The heuristic plan is the starting solution, so the answer is never
worse than it; when time runs out, the best plan found and HiGHS's bound give the proven gap.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._board import Board, place_pins, work_ahead
from ._heuristic import plan_experience
from ._schedule import Problem, Schedule, ceiling, experience, live_wave, topological_rank, violations
from .strategies import OPTIMAL_SECONDS


@dataclass(frozen=True)
class Solved:
    """An exact solve's plan and what is proven about it."""

    schedule: Schedule
    value: float
    """The plan's experience."""
    bound: float
    """No plan for this scenario delivers more than this."""
    seconds: float
    timed_out: bool

    @property
    def gap(self) -> float:
        """How far below the best possible the plan may be, as a share of that bound (0 when proven)."""
        return max(0.0, (self.bound - self.value) / self.bound) if self.bound > 0 else 0.0


_BANNER = threading.Lock()
_quiet = False


@contextlib.contextmanager
def _no_banner() -> Iterator[None]:
    """Keep HiGHS's one-time copyright banner out of standard output (it is printed from C++)."""
    global _quiet
    with _BANNER:
        if _quiet:
            yield
            return
        try:
            saved = os.dup(1)
        except OSError:
            yield
            return
        try:
            with Path(os.devnull).open("wb") as null:
                os.dup2(null.fileno(), 1)
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            _quiet = True


def solve(problem: Problem, seconds: float = OPTIMAL_SECONDS, start: Schedule | None = None) -> Solved:
    """The best plan HiGHS finds within `seconds`, starting from `start` (default: the heuristic plan)."""
    import highspy

    began = time.perf_counter()
    start = start if start is not None else plan_experience(problem)
    fixed = Board(problem)
    place_pins(fixed, problem)
    fixed.freeze()
    model = _Model(problem, fixed)
    with _no_banner():
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", max(0.01, float(seconds)))
    highs.setOptionValue("mip_rel_gap", 1e-6)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    model.build(highs, highspy)
    highs.setSolution(model.solution_of(start, highspy))
    highs.run()
    status = highs.getModelStatus()
    timed_out = status == highspy.HighsModelStatus.kTimeLimit
    schedule = start
    info = highs.getInfo()
    if highs.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible:
        found = model.schedule_of(list(highs.getSolution().col_value))
        if not violations(problem, found) and experience(problem, found.end) >= experience(problem, start.end):
            schedule = found
    value = experience(problem, schedule.end)
    bound = value
    if timed_out:
        # Stopped before HiGHS had a bound of its own, the plain one holds: each moment live as
        # soon as its chain of stages allows, whatever the capacity.
        bound = ceiling(problem)
        found_bound = model.constant + float(info.mip_dual_bound)
        if math.isfinite(found_bound):
            bound = min(bound, found_bound)
        bound = max(bound, value)
    return Solved(schedule, value, bound, time.perf_counter() - began, timed_out)


class _Model:
    """Columns and rows of the program, and the way between its solution and a schedule."""

    def __init__(self, problem: Problem, fixed: Board) -> None:
        self.problem, self.fixed = problem, fixed
        caps = list(problem.capacities)
        for parts in fixed.alloc:
            for w, amount in parts or ():
                caps[w - 1] -= amount
        self.left = caps  # what the pinned placements leave of each wave
        self.free = [i for i in range(len(problem.efforts)) if fixed.alloc[i] is None and i not in problem.closed]
        self.free_set = set(self.free)
        self.first: dict[int, int] = {}
        self.constant = 0.0
        self.columns: list[tuple[float, float, float, bool]] = []  # lower, upper, cost, integer
        self.F: dict[tuple[int, int], int] = {}
        self.S: dict[tuple[int, int], int] = {}
        self.x: dict[tuple[int, int], int] = {}
        self.rows: list[tuple[float, float, list[int], list[float]]] = []

    def _column(self, lower: float, upper: float, cost: float = 0.0, integer: bool = True) -> int:
        self.columns.append((lower, upper, cost, integer))
        return len(self.columns) - 1

    def _row(self, lower: float, upper: float, terms: list[tuple[int, float]]) -> None:
        self.rows.append((lower, upper, [c for c, _ in terms], [v for _, v in terms]))

    def _spans(self, i: int) -> bool:
        effort = self.problem.efforts[i]
        return any(effort > c for c in self.problem.capacities)

    def _finished(self, i: int, w: int) -> tuple[list[tuple[int, float]], int]:
        """F[i,w] as terms plus a constant: a constant alone before wave 1 and for fixed or closed stages."""
        if w < 1:
            return [], 0
        if i in self.free_set:
            return [(self.F[(i, w)], 1.0)], 0
        end = self.fixed.end[i]
        return [], 1 if end is not None and end <= w else 0

    def build(self, highs: Any, highspy: Any) -> None:
        """Declare every column and row and hand them to HiGHS."""
        problem, W = self.problem, self.problem.waves
        inf = highspy.kHighsInf
        for i in self.free:
            first = self._first_wave(i)
            for w in range(1, W + 1):
                self.F[(i, w)] = self._column(0, 1 if w >= first else 0)
                if self._spans(i):
                    self.S[(i, w)] = self._column(0, 1 if w >= first else 0)
                    cap = min(problem.efforts[i], max(0, self.left[w - 1]))
                    self.x[(i, w)] = self._column(0, cap)
        for i in self.free:
            self._stage_rows(i, inf)
        self._capacity_rows(inf)
        self._moment_rows(inf)

        lp = highspy.HighsLp()
        lp.num_col_ = len(self.columns)
        lp.num_row_ = len(self.rows)
        lp.col_lower_ = [c[0] for c in self.columns]
        lp.col_upper_ = [c[1] for c in self.columns]
        lp.col_cost_ = [c[2] for c in self.columns]
        lp.row_lower_ = [r[0] for r in self.rows]
        lp.row_upper_ = [r[1] for r in self.rows]
        lp.sense_ = highspy.ObjSense.kMaximize
        matrix = highspy.HighsSparseMatrix()
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_, matrix.num_row_ = lp.num_col_, lp.num_row_
        starts, index, value = [0], [], []
        for _, _, cols, vals in self.rows:
            index.extend(cols)
            value.extend(vals)
            starts.append(len(index))
        matrix.start_, matrix.index_, matrix.value_ = starts, index, value
        lp.a_matrix_ = matrix
        integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        lp.integrality_ = [integer if c[3] else continuous for c in self.columns]
        highs.passModel(lp)

    def _first_wave(self, i: int) -> int:
        """The earliest wave a stage could start in: its pin, and one wave per dependency in a chain."""
        if i not in self.first:
            first = self.problem.pins.get(i, 1)
            for d in self.problem.deps[i]:
                if d in self.free_set:
                    first = max(first, self._first_wave(d) + 1)
                else:
                    end = self.fixed.end[d]
                    first = max(first, end + 1 if end is not None else self.problem.waves + 1)
            self.first[i] = first
        return self.first[i]

    def _started_by(self, i: int, w: int) -> list[tuple[int, float]]:
        """S[i,w] as terms: its own column for a stage that may span, else F[i,w] (start = finish)."""
        if w < 1:
            return []
        return [(self.S[(i, w)], 1.0)] if (i, w) in self.S else [(self.F[(i, w)], 1.0)]

    def _stage_rows(self, i: int, inf: float) -> None:
        problem, W = self.problem, self.problem.waves
        effort = problem.efforts[i]
        for w in range(2, W + 1):
            self._row(-inf, 0, [(self.F[(i, w - 1)], 1), (self.F[(i, w)], -1)])  # once finished, finished
        for d in problem.deps[i]:
            for w in range(1, W + 1):
                # Rule 1: S[i,w] <= F[d,w-1].
                terms, done = self._finished(d, w - 1)
                if done:
                    continue
                self._row(-inf, 0, [*self._started_by(i, w), *((c, -v) for c, v in terms)])
        if (i, 1) not in self.S:
            return
        for w in range(1, W + 1):
            S, F = self.S[(i, w)], self.F[(i, w)]
            self._row(-inf, 0, [(F, 1), (S, -1)])  # finished only once started
            if w > 1:
                self._row(-inf, 0, [(self.S[(i, w - 1)], 1), (S, -1)])
            if effort <= problem.capacities[w - 1]:
                # Rule 3: started here and fitting here means finished here: S[w]-S[w-1] <= F[w]-F[w-1].
                terms = [(S, 1), (F, -1)]
                if w > 1:
                    terms += [(self.S[(i, w - 1)], -1), (self.F[(i, w - 1)], 1)]
                self._row(-inf, 0, terms)
            x = self.x[(i, w)]
            active = [(S, 1.0)] + ([(self.F[(i, w - 1)], -1.0)] if w > 1 else [])
            cap = min(effort, max(0, self.left[w - 1]))
            self._row(-inf, 0, [(x, 1), *((c, -cap * v) for c, v in active)])  # work only while active
            if effort > 0:
                self._row(0, inf, [(x, 1), *((c, -v) for c, v in active)])  # some work in every wave spanned
        self._row(0, 0, [(self.S[(i, W)], 1), (self.F[(i, W)], -1)])  # what starts, finishes in the horizon
        self._row(0, 0, [*((self.x[(i, w)], 1) for w in range(1, W + 1)), (self.F[(i, W)], -effort)])

    def _usage(self, w: int) -> list[tuple[int, float]]:
        """The points given out in wave `w`, as terms."""
        terms: list[tuple[int, float]] = []
        for i in self.free:
            if (i, w) in self.x:
                terms.append((self.x[(i, w)], 1))
            elif self.problem.efforts[i]:
                terms.append((self.F[(i, w)], self.problem.efforts[i]))
                if w > 1:
                    terms.append((self.F[(i, w - 1)], -self.problem.efforts[i]))
        return terms

    def _capacity_rows(self, inf: float) -> None:
        for w in range(1, self.problem.waves + 1):
            usage = self._usage(w)
            self._row(-inf, self.left[w - 1], usage)
            for i in self.free:
                if (i, w) in self.S and self.left[w - 1] > 0:
                    # Rule 4: a stage spanning wave w and not finishing there leaves none of it unused.
                    full = self.left[w - 1]
                    self._row(0, inf, [*usage, (self.S[(i, w)], -full), (self.F[(i, w)], full)])

    def _moment_rows(self, inf: float) -> None:
        problem, W = self.problem, self.problem.waves
        merged: dict[tuple[int, ...], float] = {}
        for worth, stages in problem.moments:
            merged[tuple(sorted(stages))] = merged.get(tuple(sorted(stages)), 0.0) + worth
        self.moments: list[tuple[tuple[int, ...], list[int]]] = []
        for stages, worth in sorted(merged.items()):
            free = [i for i in stages if i in self.free_set]
            fixed_live = _live_of_fixed(self, stages)
            if fixed_live is None:
                continue  # never within the horizon
            if not free:
                self.constant += worth * (W + 1 - fixed_live)
                continue
            columns = []
            for w in range(1, W + 1):
                upper = 1 if w >= fixed_live else 0
                column = self._column(0, upper, worth, integer=False)
                columns.append(column)
                for i in free:
                    self._row(-inf, 0, [(column, 1), (self.F[(i, w)], -1)])
            self.moments.append((stages, columns))

    def solution_of(self, schedule: Schedule, highspy: Any) -> Any:
        """A column vector for `schedule`, for HiGHS to start from."""
        values = [0.0] * len(self.columns)
        W = self.problem.waves
        for i in self.free:
            end = schedule.end[i]
            start = schedule.start(i) if end is not None else None
            for w in range(1, W + 1):
                values[self.F[(i, w)]] = 1.0 if end is not None and end <= w else 0.0
                if (i, w) in self.S:
                    values[self.S[(i, w)]] = 1.0 if start is not None and start <= w else 0.0
                    values[self.x[(i, w)]] = float(schedule.allocation[i].get(w, 0)) if end is not None else 0.0
        for stages, columns in self.moments:
            live = live_wave(schedule.end, stages)
            for w, column in enumerate(columns, start=1):
                values[column] = 1.0 if live is not None and live <= w else 0.0
        solution = highspy.HighsSolution()
        solution.col_value = values
        solution.value_valid = True
        return solution

    def schedule_of(self, values: list[float]) -> Schedule:
        """The schedule in a HiGHS solution, with the pinned placements and work ahead added."""
        problem, W = self.problem, self.problem.waves
        board = Board(problem)
        for i, parts in enumerate(self.fixed.alloc):
            if parts is not None:
                board.put(i, parts)
        placed = []
        for i in self.free:
            finished = [w for w in range(1, W + 1) if values[self.F[(i, w)]] > 0.5]
            if not finished:
                continue
            end = finished[0]
            if (i, 1) in self.S:
                points = [(w, round(values[self.x[(i, w)]])) for w in range(1, end + 1)]
                parts = tuple((w, amount) for w, amount in points if amount > 0)
            else:
                parts = ((end, problem.efforts[i]),)
            placed.append((i, parts))
        for i, parts in placed:
            board.put(i, parts)
        rank = topological_rank(problem)
        work_ahead(board, problem, sorted(range(len(problem.efforts)), key=rank.__getitem__))
        return board.schedule()


def _live_of_fixed(model: _Model, stages: tuple[int, ...]) -> int | None:
    """The earliest a moment could go live given its fixed and closed stages: None if never."""
    live = 0
    for i in stages:
        if i in model.problem.closed:
            return None
        if model.fixed.alloc[i] is not None:
            end = model.fixed.end[i]
            if end is None:
                return None
            live = max(live, end)
    return live
