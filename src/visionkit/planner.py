"""The planner: from perfect days, catalog and assessment to uplifts scheduled in waves.

How a roadmap is made
---------------------
1. Every moment's needs are closed over prerequisites: a need for customer-360 at 3 also
   needs whatever customer-360 at 3 requires, at the highest level anything asks of it.
2. Each capability is lifted in *stages*: one uplift from today's level to the lowest
   level anything needs, then one to the next level needed, and so on. An uplift
   `customer-360@3` takes customer-360 to level 3 from the level below it in that chain.
3. Value. A moment is worth ``weight / priority`` of its perfect day (priority 1 counts
   in full, priority 2 half, ...). An uplift's value is the sum of the worth of every
   moment that needs it, directly or through prerequisites.
4. Scheduling. Every plan keeps the same rules: an uplift starts only after everything it
   depends on has finished in an earlier wave, capacity per wave holds, an uplift that fits
   its start wave is done there whole, and a larger one spans consecutive waves taking all
   that is left of each but the last. Whatever has not finished by the last wave is listed
   as beyond the horizon.
5. Strategies. `experience` (default) and `optimal` plan for the most experience delivered
   over the horizon (`visionkit._heuristic`, `visionkit._optimal`). `value`, `foundations` and
   `quick-wins` fill waves one after another with ready uplifts in a fixed order: value per
   effort, prerequisite depth, or the smallest effort still needed to complete a moment.
   Ties fall to value per effort and then to the uplift id, so the same input gives the
   same roadmap. docs/planner.md describes each exactly.
"""

from __future__ import annotations

import graphlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ._periods import wave_labels
from .errors import EngagementError, Problem
from .model import Engagement, Scenario
from .roadmap import MomentPlan, Proof, Roadmap, Uplift

_INF = math.inf


@dataclass
class _Stage:
    """Mutable scheduling state of one uplift."""

    uplift: Uplift
    deps: list[int] = field(default_factory=list)
    dependents: list[int] = field(default_factory=list)
    moments: list[int] = field(default_factory=list)
    remaining: int = 0
    unmet: int = 0
    earliest: int = 1
    pin: int | None = None
    boost: float = _INF
    height: int = 0
    start: int | None = None
    end: int | None = None
    allocation: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def resolve_scenario(engagement: Engagement, name: str | None = None, **overrides: Any) -> Scenario:
    """A scenario of the engagement (the baseline, or the one named) with `overrides` (waves, capacity, ...) applied."""
    given = {k: v for k, v in overrides.items() if v is not None}
    base = engagement.scenario_named(name)
    try:
        scenario = base.changed(**given)
    except ValidationError as exc:
        from ._wording import problems_from_validation_error

        raise EngagementError(
            problems_from_validation_error(exc, ("scenario",), {**base.model_dump(), **given})
        ) from None
    from .validation import scenario_problems

    known = engagement.capabilities
    problems = scenario_problems(scenario)
    for ref in [*scenario.pin, *scenario.exclude]:
        cap = ref.split("@")[0]
        if cap not in known:
            problems.append(Problem(f"unknown capability '{cap}'", ("scenario", ref), known.unknown_id_hint(cap)))
    if problems:
        raise EngagementError(problems)
    return scenario


def plan(
    engagement: Engagement,
    *,
    scenario: str | None = None,
    waves: int | None = None,
    capacity: int | list[int] | None = None,
    strategy: str | None = None,
    pin: Mapping[str, int] | None = None,
    exclude: Iterable[str] | None = None,
    time_limit: float | None = None,
) -> Roadmap:
    """Sequence the uplifts an engagement's perfect days need into waves under capacity.

    `scenario` names one of the engagement's `scenarios` (default: its own `scenario`, the baseline);
    the other settings override it for this plan only.
    """
    settings = resolve_scenario(
        engagement,
        scenario,
        waves=waves,
        capacity=capacity,
        strategy=strategy,
        time_limit=time_limit,
        pin=dict(pin) if pin is not None else None,
        exclude=list(exclude) if exclude is not None else None,
    )
    return _plan(engagement, settings, scenario)


def _plan(engagement: Engagement, scenario: Scenario, name: str | None) -> Roadmap:
    """The roadmap of one scenario's settings (`name`: the named scenario they come from, None for the baseline)."""
    catalog = engagement.capabilities
    current = {cid: engagement.assessment.get(cid, 0) for cid in catalog}

    moments: list[MomentPlan] = []
    for d, day in enumerate(engagement.perfect_days):
        for m, moment in enumerate(day.moments):
            required = catalog.closure(moment.needs)
            moments.append(
                MomentPlan(
                    key=engagement.moment_key(d, m),
                    perfect_day=day.id,
                    position=m + 1,
                    at=moment.at,
                    channel=moment.channel,
                    story=moment.story,
                    worth=moment.weight / day.priority,
                    needs=dict(moment.needs),
                    required=required,
                    today=moment.today,
                    feeling_today=moment.feeling.today,
                    feeling_perfect=moment.feeling.perfect,
                )
            )

    # Stages: each distinct level above today's that anything asks for.
    demanded: dict[str, set[int]] = {}
    for mp in moments:
        for cid, level in mp.required.items():
            if level > current[cid]:
                demanded.setdefault(cid, set()).add(level)
    stages: list[_Stage] = []
    index: dict[tuple[str, int], int] = {}
    first_stage: dict[str, int] = {}
    # Each capability's needed levels, sorted once: stages, prerequisites and moments all walk them.
    levels = {cid: sorted(found) for cid, found in demanded.items()}
    for cid in sorted(demanded):
        cap = catalog[cid]
        below = current[cid]
        for level in levels[cid]:
            effort = cap.effort_between(below, level)
            uplift = Uplift(
                id=f"{cid}@{level}",
                capability=cid,
                name=cap.name,
                domain=cap.domain,
                from_level=below,
                to_level=level,
                effort=effort,
            )
            index[(cid, level)] = len(stages)
            first_stage.setdefault(cid, len(stages))
            stages.append(_Stage(uplift=uplift, remaining=effort))
            below = level

    def stage_reaching(cid: str, level: int) -> int:
        # The first stage whose target is at least `level` (levels between stages round up).
        for lvl in levels[cid]:
            if lvl >= level:
                return index[(cid, lvl)]
        raise KeyError((cid, level))

    for i, st in enumerate(stages):
        up = st.uplift
        deps = set()
        if up.from_level > current[up.capability]:
            deps.add(index[(up.capability, up.from_level)])
        for pre, lvl in catalog[up.capability].prerequisites(up.to_level).items():
            if lvl > current[pre]:
                deps.add(stage_reaching(pre, lvl))
        st.deps = sorted(deps)
        st.unmet = len(st.deps)
        for dep in st.deps:
            stages[dep].dependents.append(i)

    needs: list[list[int]] = []  # each moment's stages, for the experience planner
    for mi, mp in enumerate(moments):
        needed = []
        for cid, level in mp.required.items():
            if level > current[cid]:
                for lvl in levels[cid]:
                    if lvl > level:
                        break
                    i = index[(cid, lvl)]
                    stages[i].moments.append(mi)
                    needed.append(i)
        needs.append(needed)
    for st in stages:
        st.uplift.value = sum(moments[mi].worth for mi in st.moments)
        st.uplift.moments = tuple(moments[mi].key for mi in st.moments)
        st.uplift.prerequisites = tuple(stages[d].uplift.id for d in st.deps)

    order = list(graphlib.TopologicalSorter({i: st.deps for i, st in enumerate(stages)}).static_order())
    for i in reversed(order):
        st = stages[i]
        st.height = max((stages[j].height + 1 for j in st.dependents), default=0)

    warnings: list[str] = []

    def refs_to_stages(ref: str, what: str) -> list[int]:
        cid, _, lvl = ref.partition("@")
        if cid not in demanded:
            warnings.append(
                f"{what} '{ref}' has no effect: no moment needs {cid} above today's level {current.get(cid, 0)}"
            )
            return []
        if not lvl:
            return [first_stage[cid]] if what == "pin" else [index[(cid, x)] for x in levels[cid]]
        level = int(lvl)
        if level <= current[cid]:
            warnings.append(f"{what} '{ref}' has no effect: {cid} is already at level {current[cid]}")
            return []
        if level > max(demanded[cid]):
            warnings.append(f"{what} '{ref}' has no effect: nothing needs {cid} above level {max(demanded[cid])}")
            return []
        return [stage_reaching(cid, level)]

    excluded: set[int] = set()
    for ref in scenario.exclude:
        excluded.update(refs_to_stages(ref, "exclusion"))
    blocked: dict[int, str] = {}
    for i in order:
        if i in excluded or i in blocked:
            continue
        for d in stages[i].deps:
            if d in excluded or d in blocked:
                blocked[i] = stages[d].uplift.label if d in excluded else blocked[d]
                break
    for ref, wave in sorted(scenario.pin.items()):
        for i in refs_to_stages(ref, "pin"):
            if i in excluded or i in blocked:
                warnings.append(f"pin '{ref}' has no effect: the uplift is excluded or waits for an excluded one")
                continue
            earlier = stages[i].pin
            stages[i].pin = wave if earlier is None else min(earlier, wave)
            stages[i].uplift.pinned = stages[i].pin
    # Prerequisites of pinned uplifts go first, so that the pins can hold.
    for i in reversed(order):
        st = stages[i]
        if st.pin is not None:
            st.boost = min(st.boost, st.pin)
        for d in st.deps:
            stages[d].boost = min(stages[d].boost, st.boost)

    proof = None
    # The dispatch to a strategy (docs/architecture.md, "A strategy"): these two plan the whole horizon
    # on a `_schedule.Problem`; every other name fills waves one after another in `_schedule`'s order.
    if scenario.strategy in ("experience", "optimal"):
        proof = _schedule_for_experience(stages, moments, needs, scenario, excluded | set(blocked))
    else:
        _schedule(stages, moments, scenario, excluded, blocked)

    labels = wave_labels(scenario.start, scenario.wave_length, scenario.waves)
    for i, st in enumerate(stages):
        up = st.uplift
        up.start_wave, up.end_wave, up.allocation = st.start, st.end, dict(st.allocation)
        if i in excluded:
            up.status = "excluded"
            up.notes.append("excluded by the scenario")
        elif i in blocked:
            up.status = "beyond-horizon"
            up.notes.append(f"waits for excluded {blocked[i]}")
        elif st.end is None:
            up.status = "beyond-horizon"
            if st.start is not None:
                up.notes.append(
                    f"started in wave {st.start}; {st.remaining} of {up.effort} points remain at the horizon"
                )
        else:
            up.status = "scheduled"
        up.notes.extend(st.notes)

    for mp in moments:
        live = 0
        waiting = []
        for cid, level in mp.required.items():
            if level > current[cid]:
                st = stages[index[(cid, level)]]
                if st.end is None:
                    waiting.append(st.uplift.id)
                else:
                    live = max(live, st.end)
                mp.uplifts.append(st.uplift.id)
        mp.uplifts.sort()
        mp.live_wave = None if waiting else live
        mp.waiting_for = sorted(waiting)
    for st in stages:
        st.uplift.unlocks = tuple(
            moments[mi].key for mi in st.moments if st.end is not None and moments[mi].live_wave == st.end
        )

    return Roadmap(
        engagement=engagement,
        scenario=scenario,
        scenario_name=name,
        labels=labels,
        capacities=scenario.capacities(),
        uplifts=[st.uplift for st in stages],
        moments=moments,
        current=current,
        warnings=warnings,
        proof=proof,
        replan=plan,
    )


def _schedule_for_experience(
    stages: list[_Stage],
    moments: list[MomentPlan],
    needs: list[list[int]],
    scenario: Scenario,
    closed: set[int],
) -> Proof | None:
    """Place stages for the most experience over the horizon (`visionkit._heuristic`); exact with `optimal`."""
    from ._heuristic import plan_experience
    from ._schedule import Problem

    problem = Problem(
        efforts=[st.uplift.effort for st in stages],
        deps=[st.deps for st in stages],
        capacities=scenario.capacities(),
        moments=[(mp.worth, tuple(sorted(needed))) for mp, needed in zip(moments, needs, strict=True)],
        pins={i: st.pin for i, st in enumerate(stages) if st.pin is not None},
        closed=frozenset(closed),
    )
    proof = None
    if scenario.strategy == "optimal":
        from ._optimal import solve

        solved = solve(problem, scenario.time_limit)
        schedule = solved.schedule
        proof = Proof(bound=solved.bound, gap=solved.gap, timed_out=solved.timed_out, seconds=solved.seconds)
    else:
        schedule = plan_experience(problem)
    for i, st in enumerate(stages):
        st.allocation = dict(schedule.allocation[i])
        st.start, st.end = schedule.start(i), schedule.end[i]
        st.remaining = st.uplift.effort - sum(st.allocation.values())
        if st.pin is not None and (st.start is None or st.start > st.pin):
            st.notes.append(_pin_note(st, stages))
    return proof


def _pin_note(st: _Stage, stages: list[_Stage]) -> str:
    """Why a pinned stage does not start in its wave."""
    pin = st.pin
    if any(stages[d].end is None for d in st.deps):
        return f"pinned to wave {pin}, but its prerequisites do not finish within the horizon"
    late = [stages[d] for d in st.deps if (stages[d].end or 0) >= (pin or 0)]
    if late:
        last = max(d.end or 0 for d in late)
        names = ", ".join(d.uplift.label for d in late)
        return f"pinned to wave {pin}, but its prerequisite {names} finishes in wave {last}"
    return f"pinned to wave {pin}, but it did not fit in the capacity left there"


class _WaveFill:
    """The capacity of one wave as it is handed out."""

    def __init__(self, wave: int, capacity: int, stages: list[_Stage], moment_left: list[int]):
        self.wave, self.full, self.left = wave, capacity, capacity
        self.stages, self.moment_left = stages, moment_left
        self.finished: list[int] = []

    def take(self, i: int, amount: int) -> None:
        """Give `amount` points of this wave to stage `i`."""
        st = self.stages[i]
        if st.start is None:
            st.start = self.wave
        st.allocation[self.wave] = st.allocation.get(self.wave, 0) + amount
        st.remaining -= amount
        self.left -= amount
        for mi in st.moments:
            self.moment_left[mi] -= amount
        if st.remaining == 0:
            st.end = self.wave
            self.finished.append(i)

    def place(self, i: int, carried: list[int]) -> bool:
        """Start stage `i` here if it fits whole, or if it is larger than a whole wave."""
        st = self.stages[i]
        if st.remaining <= self.left:
            self.take(i, st.remaining)
            return True
        if st.remaining > self.full and self.left > 0:
            self.take(i, self.left)
            carried.append(i)
            return True
        return False


def _schedule(
    stages: list[_Stage],
    moments: list[MomentPlan],
    scenario: Scenario,
    excluded: set[int],
    blocked: Mapping[int, str],
) -> None:
    """Place stages into waves in place; see the module docstring for the rules."""
    strategy = scenario.strategy
    capacities = scenario.capacities()
    moment_left = [0] * len(moments)
    for st in stages:
        for mi in st.moments:
            moment_left[mi] += st.remaining

    def ratio(st: _Stage) -> float:
        return st.uplift.value / st.uplift.effort if st.uplift.effort else _INF

    # One order per fixed-order strategy: add yours here. A name without a branch is a mistake, not `value`.
    def key(i: int, wave: int) -> tuple[Any, ...]:
        st = stages[i]
        head = (0 if st.pin is not None and st.pin <= wave else 1, st.boost)
        if strategy == "foundations":
            return (*head, -st.height, -ratio(st), st.uplift.id)
        if strategy == "quick-wins":
            nearest = min((moment_left[mi] for mi in st.moments), default=_INF)
            return (*head, nearest, -ratio(st), st.uplift.id)
        if strategy == "value":
            return (*head, -ratio(st), -st.uplift.value, st.uplift.id)
        raise ValueError(f"strategy {strategy!r} has no order in planner._schedule")

    pool = {i for i, st in enumerate(stages) if st.unmet == 0 and i not in excluded and i not in blocked}
    carried: list[int] = []

    for wave in range(1, len(capacities) + 1):
        fill = _WaveFill(wave, capacities[wave - 1], stages, moment_left)
        finished = fill.finished
        ready = [i for i in pool if stages[i].earliest <= wave]
        for i in sorted((i for i in ready if stages[i].pin == wave), key=lambda i: key(i, wave)):
            pool.discard(i)
            if not fill.place(i, carried):
                pool.add(i)
                stages[i].notes.append(f"pinned to wave {wave}, but it did not fit in the capacity left there")
        for i in list(carried):
            if stages[i].start == wave:
                continue
            if stages[i].remaining:
                fill.take(i, min(fill.left, stages[i].remaining))
        carried[:] = [i for i in carried if stages[i].remaining]
        candidates = [i for i in pool if stages[i].earliest <= wave and (stages[i].pin or 0) < wave]
        for i in sorted(candidates, key=lambda i: key(i, wave)):
            if fill.left <= 0 and stages[i].remaining > 0:
                continue
            if fill.place(i, carried):
                pool.discard(i)

        for i in finished:
            for j in stages[i].dependents:
                dep = stages[j]
                dep.unmet -= 1
                dep.earliest = max(dep.earliest, wave + 1)
                if dep.unmet == 0 and j not in excluded and j not in blocked:
                    pool.add(j)
                    if dep.pin is not None and dep.pin < dep.earliest:
                        late = ", ".join(stages[d].uplift.label for d in dep.deps if (stages[d].end or 0) >= dep.pin)
                        dep.notes.append(
                            f"pinned to wave {dep.pin}, but its prerequisite {late} finishes in wave {wave}"
                        )
    for st in stages:
        if st.pin is not None and st.end is None and st.start is None and st.unmet:
            st.notes.append(f"pinned to wave {st.pin}, but its prerequisites do not finish within the horizon")
