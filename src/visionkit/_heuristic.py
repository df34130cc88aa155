"""The `experience` strategy: a fast, deterministic search for the plan that delivers the most experience.

Moments with the same stages are merged into bundles; three greedy starts order them; bundle
moves, then stage moves with seeded kicks, improve each start within a budget of work (never
of time); the best plan gets the capacity nothing needs as work ahead. docs/planner.md says
it for users.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass

from ._board import Board, place_pins, work_ahead
from ._schedule import Problem, Schedule, experience, live_wave, topological_rank


@dataclass(frozen=True)
class _Bundles:
    """Moments with the same stages, merged: worth, stages (in dependency order), effort."""

    worth: list[float]
    stages: list[tuple[int, ...]]
    members: dict[int, list[int]]
    """Stage -> the bundles that need it."""
    orders: list[tuple[tuple[int, ...], ...]]
    """Each bundle's stages in the orders worth trying, dependencies always first."""


def _bundles(problem: Problem, rank: Sequence[int]) -> _Bundles:
    merged: dict[tuple[int, ...], float] = {}
    closed = problem.closed
    for worth, stages in problem.moments:
        if not stages or any(i in closed for i in stages):
            continue  # live today, or never: nothing to decide
        key = tuple(sorted(stages, key=rank.__getitem__))
        merged[key] = merged.get(key, 0.0) + worth
    keys = sorted(merged, key=lambda k: (-merged[k], k))
    members: dict[int, list[int]] = {}
    for b, key in enumerate(keys):
        for i in key:
            members.setdefault(i, []).append(b)
    smallest = min(problem.capacities, default=0)
    if sum(len(k) for k in keys) > TRIAL_SIZE:
        # Large engagements get one order per moment: trying three costs about 0.5 s at 2,000
        # capabilities x 5,000 moments, for no measured gain at that size.
        return _Bundles([merged[k] for k in keys], keys, members, [(k,) for k in keys])
    return _Bundles([merged[k] for k in keys], keys, members, [_orders(problem, k, rank, smallest) for k in keys])


def _orders(
    problem: Problem, stages: tuple[int, ...], rank: Sequence[int], smallest: int
) -> tuple[tuple[int, ...], ...]:
    """The orders a bundle's stages are tried in (each keeps dependencies before what needs them).

    Longest chain first, then largest, as in bin packing: small stages take the gaps large ones
    leave. Then the same with large stages nothing in the bundle waits for moved last: running
    over several waves, they take what the others leave. Then plain dependency order.
    """
    efforts = problem.efforts
    height = _heights(problem, stages)
    first = tuple(sorted(stages, key=lambda i: (-height[i], -efforts[i], rank[i])))
    last = tuple(
        sorted(stages, key=lambda i: (height[i] == 0 and efforts[i] > smallest, -height[i], -efforts[i], rank[i]))
    )
    out = [first]
    for order in (last, stages):
        if order not in out:
            out.append(order)
    return tuple(out)


def _heights(problem: Problem, stages: Sequence[int]) -> dict[int, int]:
    """Each of these stages' longest chain of stages among them that depend on it (`stages` in dependency order)."""
    height = dict.fromkeys(stages, 0)
    for i in reversed(stages):
        for d in problem.deps[i]:
            if d in height:
                height[d] = max(height[d], height[i] + 1)
    return height


def greedy_order(problem: Problem, bundles: _Bundles, board: Board) -> list[int]:
    """Bundles in the order a greedy takes them: most worth per missing effort point first.

    A bundle's missing effort counts each stage not yet placed once, so work shared with a
    bundle already taken is free; the order is decided as the board fills, and `board` ends
    up holding the greedy plan.
    """
    efforts = problem.efforts
    missing = [sum(efforts[i] for i in stages if board.alloc[i] is None) for stages in bundles.stages]
    heap = [(-_ratio(bundles.worth[b], missing[b]), b) for b in range(len(missing))]
    heapq.heapify(heap)
    order, done = [], [False] * len(missing)
    while heap:
        key, b = heapq.heappop(heap)
        if done[b] or key != -_ratio(bundles.worth[b], missing[b]):
            continue  # a stale entry: the bundle was taken, or got cheaper and was pushed again
        done[b] = True
        order.append(b)
        before = len(board.log)
        if board.place(bundles.orders[b]):
            cheaper = set()
            for i in board.log[before:]:
                for other in bundles.members.get(i, ()):
                    if not done[other]:
                        missing[other] -= efforts[i]
                        cheaper.add(other)
            for other in cheaper:  # once each, however many of its stages were placed
                heapq.heappush(heap, (-_ratio(bundles.worth[other], missing[other]), other))
    return order


def static_order(problem: Problem, bundles: _Bundles, board: Board) -> list[int]:
    """Bundles by worth per point of the work they still need, counted whole; `board` gets them placed.

    At 2,000 capabilities x 5,000 moments this plans about 2 % more experience than the greedy
    that lets shared work count as free (three seeds), in a tenth of the time (0.03 s against 0.3 s).
    """
    efforts = problem.efforts
    cost = [sum(efforts[i] for i in stages if board.alloc[i] is None) for stages in bundles.stages]
    order = sorted(range(len(cost)), key=lambda b: (-_ratio(bundles.worth[b], cost[b]), b))
    for b in order:
        board.place(bundles.orders[b])
    return order


def timed_greedy_order(problem: Problem, bundles: _Bundles, board: Board) -> list[int]:
    """Bundles in the order a greedy takes them: most experience per effort point placed first.

    Each candidate is placed on trial to see when it would go live: its worth counts for every
    wave it is live, together with the worth of any other moment its stages complete, per point
    of work it adds (shared stages already placed are free). A candidate's score is taken again
    before it is chosen, since what was placed meanwhile may have delayed it or made it cheaper.
    """
    efforts, worth, stages = problem.efforts, bundles.worth, bundles.stages
    top = problem.waves + 1
    done = [False] * len(worth)
    missing = [sum(efforts[i] for i in st if board.alloc[i] is None) for st in stages]

    def trial(b: int) -> tuple[float, list[int]] | None:
        mark = len(board.log)
        if not board.place(bundles.orders[b]):
            return None
        placed = board.log[mark:]
        gain = 0.0
        completed = []
        own = live_wave(board.end, stages[b]) or 0
        covered: dict[int, int] = {}
        for i in placed:
            for o in bundles.members[i]:
                if not done[o]:
                    covered[o] = covered.get(o, 0) + efforts[i]
        covered[b] = covered.get(b, 0)
        for o, part in covered.items():
            live = live_wave(board.end, stages[o])
            if live is not None:
                gain += worth[o] * (top - live)
                completed.append(o)
            elif missing[o]:
                # Work shared with a moment still incomplete counts for its share of that moment.
                gain += SHARED * worth[o] * (top - own) * part / missing[o]
        cost = sum(efforts[i] for i in placed)
        board.undo(mark)
        return (gain / cost if cost else gain * 1e9), completed

    heap = []
    for b in range(len(worth)):
        tried = trial(b)
        if tried is not None:
            heap.append((-tried[0], b))
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, b = heapq.heappop(heap)
        if done[b]:
            continue
        tried = trial(b)
        if tried is None:
            continue  # it no longer fits
        score, completed = tried
        if heap and score < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-score, b))  # delayed or dearer since it was scored: score the next
            continue
        mark = len(board.log)
        board.place(bundles.orders[b])
        for i in board.log[mark:]:
            for o in bundles.members[i]:
                missing[o] -= efforts[i]
        for o in sorted(completed, key=lambda o: o != b):
            done[o] = True
            order.append(o)
    order.extend(b for b in range(len(worth)) if not done[b])
    return order


SHARED = 0.5
"""How much of an incomplete moment's worth a greedy step earns for the share of its work it does."""


def _ratio(worth: float, effort: int) -> float:
    return worth / effort if effort > 0 else worth * 1e9


def decode(problem: Problem, bundles: _Bundles, order: Sequence[int], rank: Sequence[int]) -> Board:
    """Pins, then each bundle in `order`, placed as early as it fits, or skipped if it cannot go live."""
    board = Board(problem)
    place_pins(board, problem, rank)
    for b in order:
        board.place(bundles.orders[b])
    return board


def improve(problem: Problem, bundles: _Bundles, order: list[int], rank: Sequence[int], budget: int) -> list[int]:
    """Move bundles earlier in the order while that delivers more; at most `budget` decodes.

    A bundle moves alone (to the front, halfway, or one place), or to the front together with
    the later bundles that share most of its work: a costly chain pays off only for all the
    moments on it, and moving them one at a time never shows the gain. Deterministic: the moves
    are tried in a fixed sequence, and only strict gains are kept.
    """
    best = experience(problem, decode(problem, bundles, order, rank).end)
    efforts = problem.efforts
    sets = [set(st) for st in bundles.stages]
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        for p in range(1, len(order)):
            b = order[p]
            own = sum(efforts[i] for i in sets[b]) or 1
            group = [o for o in order[p + 1 :] if sum(efforts[i] for i in sets[o] & sets[b]) * 2 >= own]
            moves = [[*order[:q], b, *order[q:p], *order[p + 1 :]] for q in (0, p // 2, p - 1)]
            if group:
                moves.append([b, *group, *(o for o in order if o != b and o not in group)])
            for candidate in moves:
                if tries >= budget:
                    return order
                if candidate == order:
                    continue
                tries += 1
                value = experience(problem, decode(problem, bundles, candidate, rank).end)
                if value > best + 1e-9:
                    best, order, improved = value, candidate, True
                    break
            if improved:
                break
    return order


def _decode_stages(problem: Problem, sequence: Sequence[int], rank: Sequence[int]) -> Board:
    """Pins, then each stage in `sequence` as early as it fits; one that cannot finish is left out."""
    board = Board(problem)
    place_pins(board, problem, rank)
    for i in sequence:
        if board.alloc[i] is not None:
            continue
        first = board.ready_wave(i)
        placement = board.fit(i, first) if first is not None else None
        if placement is not None:
            board.put(i, placement)
    return board


def _useless(problem: Problem, board: Board) -> set[int]:
    """Placed stages that no moment live within the horizon needs: work that buys nothing."""
    needed: set[int] = set()
    for _, stages in problem.moments:
        if all(board.end[i] is not None for i in stages):
            needed.update(stages)
    return {i for i in board.log if i not in needed}


def _try_sequence(problem: Problem, sequence: list[int], rank: Sequence[int]) -> tuple[float, list[int]]:
    """The experience of a stage sequence, with stages that end up buying nothing taken out."""
    board = _decode_stages(problem, sequence, rank)
    useless = _useless(problem, board)
    if useless:
        sequence = [i for i in sequence if i not in useless]
        board = _decode_stages(problem, sequence, rank)
    return experience(problem, board.end), sequence


class _Refiner:
    """Local search over stage sequences, within a budget of placements, deterministic."""

    def __init__(self, problem: Problem, rank: Sequence[int], budget: int, bundles: _Bundles) -> None:
        self.problem, self.rank, self.budget, self.bundles = problem, rank, budget, bundles
        self.spent = 0
        # Small plans can afford a longer search: kicks cost a decode each, and a decode of
        # twenty stages is cheap.
        self.kicks = KICKS * max(1, SMALL // max(1, len(problem.efforts)))
        dependents: list[list[int]] = [[] for _ in problem.efforts]
        for i, ds in enumerate(problem.deps):
            for d in ds:
                dependents[d].append(i)
        self.dependents = dependents
        # The search comes back to the same sequence often (56% of tries on the demo); a decode is
        # deterministic, so a repeat is looked up. It still counts against the budget, so the search,
        # and the plan it finds, are exactly those without the memo.
        self._tried: dict[tuple[int, ...], tuple[float, list[int]]] = {}

    def value(self, sequence: list[int]) -> tuple[float, list[int]]:
        """The experience of a sequence (stages that buy nothing taken out), counted against the budget."""
        self.spent += 2 * len(sequence)
        key = tuple(sequence)
        if key not in self._tried:
            self._tried[key] = _try_sequence(self.problem, sequence, self.rank)
        value, kept = self._tried[key]
        return value, list(kept)

    def span(self, sequence: list[int], p: int) -> tuple[int, int]:
        """The positions stage `sequence[p]` may move to: after what it needs, before what needs it."""
        i = sequence[p]
        where = {s: k for k, s in enumerate(sequence)}
        deps = [where[d] for d in self.problem.deps[i] if d in where]
        after = [where[j] for j in self.dependents[i] if j in where]
        low = max(deps, default=-1) + 1
        high = min(after, default=len(sequence)) - 1
        return low, high

    @staticmethod
    def moved(sequence: list[int], p: int, q: int) -> list[int]:
        """The sequence with the stage at `p` moved to position `q`."""
        out = [*sequence[:p], *sequence[p + 1 :]]
        out.insert(q, sequence[p])
        return out

    def descend(self, best: float, sequence: list[int]) -> tuple[float, list[int]]:
        """Single-stage moves, then whole moments added at the end, first gain taken, until none gains."""
        improved = True
        while improved and self.spent < self.budget:
            improved = False
            for p in range(len(sequence)):
                low, high = self.span(sequence, p)
                for q in sorted({low, p - 1, p - 2, p - 4, p + 1, p + 2, p + 4, high} - {p}):
                    if not low <= q <= high or self.spent >= self.budget:
                        continue
                    value, candidate = self.value(self.moved(sequence, p, q))
                    if value > best + 1e-9:
                        best, sequence, improved = value, candidate, True
                        break
                if improved:
                    break
            if not improved:
                best, sequence, improved = self.add_moment(best, sequence)
        return best, sequence

    def add_moment(self, best: float, sequence: list[int]) -> tuple[float, list[int], bool]:
        """Add a moment not yet live (its missing stages at the end), alone or in place of one worth less.

        The swap takes out the stages only the weaker moment needs: a moment worth a quarter that
        holds the wave a moment worth three needs is the trade a single move never makes.
        """
        present = set(sequence)
        worth, stages = self.bundles.worth, self.bundles.stages
        board = _decode_stages(self.problem, sequence, self.rank)
        live = [b for b in range(len(stages)) if all(board.end[i] is not None for i in stages[b])]
        needers: dict[int, int] = {}
        for b in live:
            for i in stages[b]:
                needers[i] = needers.get(i, 0) + 1
        for b, order in enumerate(self.bundles.orders):
            missing = [i for i in order[0] if i not in present]
            if not missing or self.spent >= self.budget:
                continue
            value, candidate = self.value([*sequence, *missing])
            if value > best + 1e-9:
                return value, candidate, True
            for o in live:
                if worth[o] >= worth[b] or self.spent >= self.budget:
                    continue
                own = {i for i in stages[o] if needers.get(i) == 1 and i not in stages[b]}
                if not own:
                    continue
                value, candidate = self.value([*(i for i in sequence if i not in own), *missing])
                if value > best + 1e-9:
                    return value, candidate, True
        return best, sequence, False

    def run(self, sequence: list[int]) -> list[int]:
        """Descend, then kick the sequence (two random moves, seeded) and descend again while budget lasts."""
        best, sequence = self.value(sequence)
        best, sequence = self.descend(best, sequence)
        rng = random.Random(0)
        idle = 0
        while self.spent < self.budget and len(sequence) > 1 and idle < self.kicks:
            idle += 1
            kicked = sequence
            for _ in range(2):
                p = rng.randrange(len(kicked))
                low, high = self.span(kicked, p)
                kicked = self.moved(kicked, p, rng.randint(low, high))
            value, kicked = self.value(kicked)
            value, kicked = self.descend(value, kicked)
            if value > best + 1e-9:
                best, sequence, idle = value, kicked, 0
        return sequence


KICKS = 8
"""Kicks in a row that find nothing better before the search stops (more for small plans)."""


SMALL = 40
"""Below this many stages, the kicks in a row are multiplied by SMALL // stages."""


def plan_experience(problem: Problem, budget: int | None = None) -> Schedule:
    """The `experience` heuristic: greedy bundles, moves that deliver more, stages interleaved, work ahead.

    Two greedy starts (worth per point; experience per point with shared work credited) are each
    improved, and the better plan is kept: each wins on different shapes of engagement.
    """
    rank = topological_rank(problem)
    bundles = _bundles(problem, rank)
    if budget is None:
        budget = _budget(problem, bundles)
    size = sum(len(s) for s in bundles.stages) + 1
    best: tuple[float, Board] | None = None
    # The timed greedy places every candidate on trial at each step: about 8 s at 2,000
    # capabilities x 5,000 moments (50,000 bundle entries), against 0.3 s for the plain one.
    starts = (static_order, greedy_order, timed_greedy_order) if size <= TRIAL_SIZE else (static_order,)
    for greedy in starts:
        board = Board(problem)
        place_pins(board, problem, rank)
        order = greedy(problem, bundles, board)
        if budget > 1 and len(order) > 1:
            order = improve(problem, bundles, order, rank, budget)
            board = decode(problem, bundles, order, rank)
        if budget > 1 and board.log:
            sequence = _Refiner(problem, rank, budget * size, bundles).run(list(board.log))
            board = _decode_stages(problem, sequence, rank)
        value = experience(problem, board.end)
        if best is None or value > best[0] + 1e-9:
            best = (value, board)
    assert best is not None
    board = best[1]
    by_rank = sorted(range(len(problem.efforts)), key=rank.__getitem__)
    work_ahead(board, problem, by_rank)
    return board.schedule()


TRIAL_SIZE = 5_000
"""Up to this many bundle entries (moments' stages), the timed greedy is tried as a second start."""


WORK_BUDGET = 20_000
"""How many stage placements the improving moves may cost in all (a decode places each needed stage)."""


def _budget(problem: Problem, bundles: _Bundles) -> int:
    size = sum(len(s) for s in bundles.stages) + 1
    return WORK_BUDGET // size
