"""A schedule under construction: stages placed wave by wave under the rules of `visionkit._schedule`."""

from __future__ import annotations

from collections.abc import Sequence

from ._schedule import Problem, Schedule, topological_rank


class Board:
    """A schedule under construction: capacity left per wave, placed stages, and an undo log.

    A stage done in one wave holds its points there. A stage running over several waves holds a
    *window* (start, deadline) instead: its points per wave are shared out only when the board
    is frozen, earliest deadline first, after everything placed later has taken its own. So a
    stage placed after it can still use a wave it spans, as long as every window still gets its
    points in time: that is what lets a large stage run alongside the small ones around it.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.caps = [0, *problem.capacities]
        self.left = list(self.caps)
        """Capacity per wave not held by stages done in one wave (windows are not counted here)."""
        n = len(problem.efforts)
        self.end: list[int | None] = [None] * n
        """The wave each placed stage finishes by (for a window, its deadline)."""
        self.alloc: list[tuple[tuple[int, int], ...] | None] = [None] * n
        self.window: dict[int, tuple[int, int]] = {}
        self.log: list[int] = []

    def ready_wave(self, i: int) -> int | None:
        """The first wave stage `i` may start in, or None while a dependency is not finished."""
        first = self.problem.pins.get(i, 1)
        for d in self.problem.deps[i]:
            e = self.end[d]
            if e is None:
                return None
            if e >= first:
                first = e + 1
        return first

    def share(
        self, windows: dict[int, tuple[int, int]], left: Sequence[int]
    ) -> dict[int, list[tuple[int, int]]] | None:
        """Points per wave for each window out of `left`, or None if some window cannot be met.

        Wave by wave: every window under way gets a point (rule 4: some work in each wave it spans),
        then what is left goes to the earliest deadline first, so a window takes all that is left
        of a wave it does not finish in.
        """
        if not windows:
            return {}
        efforts = self.problem.efforts
        need = {i: efforts[i] for i in windows}
        order = sorted(windows, key=lambda i: (windows[i][1], windows[i][0], i))
        out: dict[int, list[tuple[int, int]]] = {i: [] for i in windows}
        first = min(s for s, _ in windows.values())
        last = max(f for _, f in windows.values())
        for w in range(first, last + 1):
            active = [i for i in order if windows[i][0] <= w and need[i] > 0]
            if not active:
                continue
            free = left[w] - len(active)
            if free < 0 or windows[active[0]][1] < w:
                return None
            for i in active:
                extra = min(free, need[i] - 1)
                free -= extra
                out[i].append((w, 1 + extra))
                need[i] -= 1 + extra
        return out if not any(need.values()) else None

    def _covered(self, w: int) -> bool:
        return any(s <= w <= f for s, f in self.window.values())

    def _fits_whole(self, w: int, effort: int) -> bool:
        if self.left[w] < effort:
            return False
        if not effort or not self._covered(w):
            return True
        self.left[w] -= effort
        ok = self.share(self.window, self.left) is not None
        self.left[w] += effort
        return ok

    def fit(self, i: int, first: int, *, finish: bool = True) -> tuple[tuple[int, int], ...] | tuple[int, int] | None:
        """Where stage `i` would go starting no earlier than `first` (rules 3 and 4), or None.

        A stage that fits a wave's capacity gets that wave, as `((wave, points),)`; a larger one
        gets a window `(start, deadline)`: the earliest deadline, and of the starts that meet it
        the latest, since a point taken from an earlier wave would buy nothing and cost what
        others could do there. Without `finish` (after `freeze`), a large stage may instead take
        all that is left from its start to the horizon and run on past it.
        """
        effort = self.problem.efforts[i]
        caps, left = self.caps, self.left
        last = len(caps) - 1
        best: tuple[int, int] | None = None
        for s in range(first, last + 1):
            if best is not None and s > best[1]:
                break
            if effort <= caps[s]:
                if self._fits_whole(s, effort):
                    return ((s, effort),)
                continue
            if left[s] < 1:
                continue
            if not finish:
                parts, got = [], 0
                for w in range(s, last + 1):
                    if left[w] < 1:
                        break
                    take = min(left[w], effort - got)
                    parts.append((w, take))
                    got += take
                    if got == effort:
                        break
                if got == effort or parts[-1][0] == last:
                    return tuple(parts)
                continue
            deadline = self._deadline(i, s, best[1] if best is not None else last)
            if deadline is not None and (best is None or deadline <= best[1]):
                best = (s, deadline)
        return best

    def _deadline(self, i: int, start: int, latest: int) -> int | None:
        """The earliest deadline a window for stage `i` from `start` can meet, up to `latest`."""
        effort = self.problem.efforts[i]
        room = 0
        for f in range(start, latest + 1):
            room += self.left[f]
            if f == start or room < effort:
                continue
            self.window[i] = (start, f)
            ok = self.share(self.window, self.left) is not None
            del self.window[i]
            if ok:
                return f
        return None

    def put(self, i: int, placement: tuple[tuple[int, int], ...] | tuple[int, int]) -> None:
        """Record a placement from `fit`: points per wave, or a window."""
        if placement and isinstance(placement[0], int):
            start, deadline = placement
            self.window[i] = (start, deadline)
            self.alloc[i] = ()
            self.end[i] = deadline
        else:
            parts: tuple[tuple[int, int], ...] = placement
            for w, amount in parts:
                self.left[w] -= amount
            self.alloc[i] = parts
            if sum(a for _, a in parts) == self.problem.efforts[i]:
                self.end[i] = parts[-1][0]
        self.log.append(i)

    def undo(self, mark: int) -> None:
        """Take back every placement made since the log had `mark` entries."""
        while len(self.log) > mark:
            i = self.log.pop()
            if self.window.pop(i, None) is None:
                for w, amount in self.alloc[i] or ():
                    self.left[w] += amount
            self.alloc[i] = None
            self.end[i] = None

    def freeze(self) -> None:
        """Share out the windows' points for good; a window may finish before its deadline."""
        shares = self.share(self.window, self.left)
        if shares is None:  # pragma: no cover - every window was checked as it was placed
            raise AssertionError("a window cannot be met")
        for i, parts in shares.items():
            for w, amount in parts:
                self.left[w] -= amount
            self.alloc[i] = tuple(parts)
            self.end[i] = parts[-1][0]
        self.window.clear()
        self.log.clear()

    def place(self, orders: Sequence[Sequence[int]]) -> bool:
        """Place a bundle's stages so that all finish, or none; of several orders, the one live soonest.

        Ties go to the order that leaves more of the early waves free, then to the first given.
        """
        if len(orders) == 1:
            return self._place(orders[0])
        best: tuple[int, int, int] | None = None
        for k, order in enumerate(orders):
            mark = len(self.log)
            if self._place(order):
                live = max((self.end[i] or 0) for i in order)
                early = sum(amount * (len(self.caps) - w) for i in self.log[mark:] for w, amount in self.alloc[i] or ())
                if best is None or (live, early) < best[:2]:
                    best = (live, early, k)
                self.undo(mark)
        if best is None:
            return False
        return self._place(orders[best[2]])

    def _place(self, stages: Sequence[int]) -> bool:
        mark = len(self.log)
        for i in stages:
            if self.alloc[i] is not None:
                if self.end[i] is None:
                    break
                continue
            first = self.ready_wave(i)
            parts = self.fit(i, first) if first is not None else None
            if parts is None:
                break
            self.put(i, parts)
        else:
            return True
        self.undo(mark)
        return False

    def schedule(self) -> Schedule:
        """The placements made so far, as a schedule (windows are shared out first)."""
        self.freeze()
        allocation = [dict(parts) if parts else {} for parts in self.alloc]
        return Schedule(allocation, list(self.end))


def place_pins(board: Board, problem: Problem, rank: Sequence[int] | None = None) -> None:
    """Pinned stages first, earliest pin first, each with what it depends on placed as early as it can."""
    rank = rank if rank is not None else topological_rank(problem)
    for i in sorted(problem.pins, key=lambda i: (problem.pins[i], rank[i])):
        if i in problem.closed or board.alloc[i] is not None:
            continue
        needed = _ancestors(problem, i)
        for j in sorted(needed, key=rank.__getitem__):
            if board.alloc[j] is None:
                first = board.ready_wave(j)
                parts = board.fit(j, first) if first is not None else None
                if parts is None and j == i and first is not None:
                    board.freeze()
                    parts = board.fit(j, first, finish=False)  # a pin holds even for work running on
                if parts is None:
                    break
                board.put(j, parts)
    board.log.clear()  # pins are never taken back


def _ancestors(problem: Problem, i: int) -> set[int]:
    seen = {i}
    todo = [i]
    while todo:
        for d in problem.deps[todo.pop()]:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def work_ahead(board: Board, problem: Problem, order: Sequence[int]) -> None:
    """Give capacity no plan decision needs to stages that are ready, in `order`, as early as they fit.

    Only capacity left over is used, so no moment goes live later; a large stage may start and
    run on past the horizon, so that the work after it is under way.
    """
    board.freeze()
    for i in order:
        if board.alloc[i] is not None or i in problem.closed:
            continue
        first = board.ready_wave(i)
        if first is None:
            continue
        parts = board.fit(i, first, finish=False)
        if parts is not None:
            board.put(i, parts)
