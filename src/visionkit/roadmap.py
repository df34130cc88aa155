"""The planner's result: uplifts in waves, moment readiness, and the tables built from them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from .model import Engagement, Scenario

UpliftStatus = Literal["scheduled", "beyond-horizon", "excluded"]
"""Where an uplift stands in a plan: done within the horizon, not done within it, or left out by the scenario."""
STATUSES: tuple[UpliftStatus, ...] = get_args(UpliftStatus)
_NEVER = 10**9  # sorts a wave that never comes after every real one


TABLE_COLUMNS = [
    "uplift",
    "capability",
    "name",
    "domain",
    "from_level",
    "to_level",
    "effort",
    "value",
    "value_per_effort",
    "status",
    "start_wave",
    "end_wave",
    "start",
    "end",
    "pinned",
    "prerequisites",
    "moments",
    "unlocks",
    "why",
    "notes",
]
"""The columns of `Roadmap.table()`, in order."""


@dataclass
class Uplift:
    """A roadmap item: one capability from one maturity level to a higher one."""

    id: str
    capability: str
    name: str
    domain: str
    from_level: int
    to_level: int
    effort: int
    value: float = 0.0
    moments: tuple[str, ...] = ()
    unlocks: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    pinned: int | None = None
    start_wave: int | None = None
    end_wave: int | None = None
    allocation: dict[int, int] = field(default_factory=dict)
    status: UpliftStatus = "beyond-horizon"
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How a reader is told which uplift this is: "Customer 360 to level 2" (ids are for files, not people)."""
        return f"{self.name} to level {self.to_level}"


@dataclass
class MomentPlan:
    """A moment as the planner sees it: what it needs and when it goes live."""

    key: str
    perfect_day: str
    position: int
    at: str | None
    channel: str | None
    story: str
    worth: float
    needs: dict[str, int]
    required: dict[str, int]
    uplifts: list[str] = field(default_factory=list)
    live_wave: int | None = None  # 0: live today; None: not within the horizon
    waiting_for: list[str] = field(default_factory=list)
    today: str | None = None
    """How the moment goes today."""
    feeling_today: int | None = None
    feeling_perfect: int | None = None

    @property
    def gap(self) -> int | None:
        """How far today's feeling falls short of the perfect day's (-2..+2 each); None unless both are given."""
        if self.feeling_today is None or self.feeling_perfect is None:
            return None
        return self.feeling_perfect - self.feeling_today


@dataclass(frozen=True)
class Proof:
    """What an exact solve proved about a plan: no plan for the scenario delivers more than `bound`."""

    bound: float
    gap: float
    """How far below the bound the plan may be, as a share of the bound (0: proven optimal)."""
    timed_out: bool
    seconds: float

    def sentence(self) -> str:
        """ "proven optimal", or "within X % of the best possible plan for this scenario"."""
        if self.gap <= 1e-9:
            return "proven optimal"
        return f"within {_percent(self.gap)} of the best possible plan for this scenario"


def _percent(share: float) -> str:
    """A share as a percentage that never rounds a gap down to zero."""
    value = share * 100
    return f"{value:.1f} %" if value >= 0.1 else "0.1 %"


@dataclass(frozen=True)
class Headroom:
    """What one more effort point in every wave would buy, with the same strategy and settings."""

    sooner: list[tuple[str, int | None, int]]
    """Moments that would go live sooner: key, live wave now (None: beyond the horizon), live wave then."""
    gain: float
    """The experience it would add (0 if none)."""


@dataclass
class Roadmap:
    """Uplifts placed in waves, what falls beyond the horizon, and when each moment goes live."""

    engagement: Engagement
    scenario: Scenario
    labels: list[str]
    capacities: list[int]
    uplifts: list[Uplift]
    moments: list[MomentPlan]
    current: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    proof: Proof | None = None
    """For `strategy: optimal`, what the solver proved; None for the other strategies."""
    scenario_name: str | None = None
    """The named scenario (of the engagement's `scenarios`) this plan follows; None for the baseline."""
    replan: Callable[..., Roadmap] | None = field(default=None, repr=False, compare=False)
    """How this roadmap was made (`planner.plan`), so that `headroom` can plan again; the planner sets it."""

    def experience(self) -> float:
        """Experience delivered over the horizon: worth x (waves - live wave + 1), summed over live moments."""
        top = len(self.labels) + 1
        return sum(mp.worth * (top - mp.live_wave) for mp in self.moments if mp.live_wave is not None)

    def uplift(self, uplift_id: str) -> Uplift:
        """The uplift with this id (`capability@level`)."""
        return self._uplift_index[uplift_id]

    def period(self, wave: int | None, *, prose: bool = False) -> str:
        """How a wave is named: its label, `today` for 0, `beyond horizon` for None.

        Tables and the readiness `live` column use these short names; with `prose`, a sentence
        names a wave `2027-Q1 (wave 1)` and None `beyond the horizon`.
        """
        if wave is None:
            return "beyond the horizon" if prose else "beyond horizon"
        if wave == 0:
            return "today"
        label = self.labels[wave - 1]
        return f"{label} (wave {wave})" if prose else label

    @cached_property
    def wave_days(self) -> list[tuple[date, date]]:
        """The first and last day of each wave of the plan; empty when its scenario has no start."""
        from ._periods import wave_dates

        return wave_dates(self.scenario.start, self.scenario.wave_length, len(self.labels))

    def wave_day(self, wave: int | None, *, end: bool) -> date | None:
        """A wave's first (or, with `end`, last) day; None for no wave, for today, or without dates."""
        if wave is None or not 1 <= wave <= len(self.wave_days):
            return None
        return self.wave_days[wave - 1][1 if end else 0]

    def when(self, uplift_id: str) -> str:
        """When an uplift lands, as tables show it: its period or first–last period, else its status."""
        up = self.uplift(uplift_id)
        if up.status != "scheduled":
            return up.status.replace("-", " ")
        end = self.period(up.end_wave)
        return end if up.start_wave == up.end_wave else f"{self.period(up.start_wave)}–{end}"

    def in_delivery_order(self) -> list[Uplift]:
        """The uplifts by start wave, then end wave, then id; what never starts or ends comes after."""

        def delivery(up: Uplift) -> tuple[int, int, str]:
            start, end = up.start_wave, up.end_wave
            return (_NEVER if start is None else start, _NEVER if end is None else end, up.id)

        return sorted(self.uplifts, key=delivery)

    def moments_of(self, day_id: str) -> list[MomentPlan]:
        """The moments of one perfect day, in order."""
        return self._day_moments[day_id]

    def day_live_wave(self, day_id: str) -> int | None:
        """When a perfect day is live in full: its last moment's live wave (0: today; None: not within the horizon)."""
        waves = [mp.live_wave for mp in self.moments_of(day_id)]
        if None in waves:
            return None
        return max((wave for wave in waves if wave is not None), default=0)

    @cached_property
    def _moment_index(self) -> dict[str, MomentPlan]:
        return {mp.key: mp for mp in self.moments}

    @cached_property
    def _day_moments(self) -> dict[str, list[MomentPlan]]:
        grouped: dict[str, list[MomentPlan]] = {day.id: [] for day in self.engagement.perfect_days}
        for mp in self.moments:
            grouped.setdefault(mp.perfect_day, []).append(mp)
        return grouped

    @cached_property
    def _day_titles(self) -> dict[str, str]:
        return {d.id: d.title for d in self.engagement.perfect_days}

    @cached_property
    def _uplift_index(self) -> dict[str, Uplift]:
        return {up.id: up for up in self.uplifts}

    @cached_property
    def _dependents(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for up in self.uplifts:
            for pre in up.prerequisites:
                out.setdefault(pre, []).append(up.id)
        return out

    def _moments_by_day(self, keys: Sequence[str]) -> str:
        """Moments named by perfect day and time: "Day title (08:10, moment 3); Other day (...)"."""
        grouped: dict[str, list[str]] = {}
        for key in keys:
            mp = self._moment_index[key]
            grouped.setdefault(mp.perfect_day, []).append(mp.at or f"moment {mp.position}")
        return "; ".join(f"{self._day_titles[d]} ({', '.join(whens)})" for d, whens in grouped.items())

    def why(self, uplift_id: str) -> str:
        """A sentence answering "why is this uplift here?": the moments it serves, what it unlocks and when."""
        up = self.uplift(uplift_id)
        parts = []
        if up.moments:
            n = len(up.moments)
            parts.append(f"{n} moment{'s' if n != 1 else ''}: {self._moments_by_day(up.moments)}")
        if up.unlocks and up.end_wave is not None:
            n = len(up.unlocks)
            parts.append(
                f"unlocks {n} moment{'s' if n != 1 else ''} in {self.period(up.end_wave)}: "
                f"{self._moments_by_day(up.unlocks)}"
            )
        dependents = self._dependents.get(up.id, [])
        if dependents:
            shown = ", ".join(self.uplift(d).label for d in dependents[:3])
            more = f" and {len(dependents) - 3} more" if len(dependents) > 3 else ""
            parts.append(f"prerequisite of {shown}{more}")
        return "; ".join(parts)

    @cached_property
    def _headroom(self) -> Headroom:
        if self.replan is None:
            raise ValueError("this roadmap was not made by the planner, so it cannot be planned again")
        sc = self.scenario
        wider = self.replan(
            self.engagement,
            scenario=self.scenario_name,
            waves=sc.waves,
            capacity=[c + 1 for c in self.capacities],
            strategy=sc.strategy,
            pin=sc.pin,
            exclude=sc.exclude,
            time_limit=sc.time_limit,
        )
        sooner = []
        for now, then in zip(self.moments, wider.moments, strict=True):
            if then.live_wave is not None and (now.live_wave is None or then.live_wave < now.live_wave):
                sooner.append((now.key, now.live_wave, then.live_wave))
        return Headroom(sooner, max(0.0, wider.experience() - self.experience()) if sooner else 0.0)

    def largest_gaps(self, count: int = 3) -> list[MomentPlan]:
        """The moments today falls furthest short of, the ones that go live first ahead of ties."""
        gapped = [mp for mp in self.moments if mp.gap is not None and mp.gap > 0]
        never = len(self.labels) + 1
        gapped.sort(key=lambda mp: (-(mp.gap or 0), never if mp.live_wave is None else mp.live_wave, mp.key))
        return gapped[:count]

    def headroom(self) -> Headroom:
        """What one more effort point in every wave would buy: the same plan made again with it."""
        return self._headroom

    def headroom_sentence(self) -> str:
        """The headroom in a sentence, naming up to three of the moments that would go live sooner."""
        room = self.headroom()
        if not room.sooner:
            return "One more effort point in every wave would bring no moment live sooner."
        n = len(room.sooner)
        shown = []
        for key, now, then in room.sooner[:3]:
            mp = self._moment_index[key]
            name = f"{self._day_titles[mp.perfect_day]} {mp.at or f'moment {mp.position}'}"
            shown.append(f"{name} from {self.period(now)} to {self.period(then)}")
        more = f" and {n - 3} more" if n > 3 else ""
        return (
            f"One more effort point in every wave would bring {n} moment{'s' if n != 1 else ''} live sooner "
            f"({'; '.join(shown)}{more}), adding {room.gain:.1f} to the experience delivered."
        )

    def table_rows(self) -> list[dict[str, Any]]:
        """The rows of `table()` as plain dicts, in delivery order (no pandas needed)."""
        rows = []
        for up in self.in_delivery_order():
            rows.append(
                {
                    "uplift": up.id,
                    "capability": up.capability,
                    "name": up.name,
                    "domain": up.domain,
                    "from_level": up.from_level,
                    "to_level": up.to_level,
                    "effort": up.effort,
                    "value": round(up.value, 4),
                    "value_per_effort": round(up.value / up.effort, 4) if up.effort else None,
                    "status": up.status,
                    "start_wave": up.start_wave,
                    "end_wave": up.end_wave,
                    "start": self.period(up.start_wave) if up.start_wave else "",
                    "end": self.period(up.end_wave),
                    "pinned": up.pinned,
                    "prerequisites": list(up.prerequisites),
                    "moments": list(up.moments),
                    "unlocks": list(up.unlocks),
                    "why": self.why(up.id),
                    "notes": "; ".join(up.notes),
                }
            )
        return rows

    def table(self) -> pd.DataFrame:
        """The roadmap: one row per uplift, in delivery order.

        Columns: uplift (id), capability, name, domain, from_level, to_level, effort,
        value, value_per_effort, status (scheduled / beyond-horizon / excluded),
        start_wave and end_wave (nullable ints), start and end (period labels),
        pinned (wave or NA), prerequisites (uplift ids), moments (keys of the moments
        that need it), unlocks (moments that go live when it finishes), why (a sentence),
        notes (pins that could not hold, exclusions, partial progress).
        """
        import pandas as pd

        frame = pd.DataFrame(self.table_rows(), columns=TABLE_COLUMNS)
        for col in ("start_wave", "end_wave", "pinned"):
            frame[col] = frame[col].astype("Int64")
        frame["value_per_effort"] = frame["value_per_effort"].astype("Float64")
        return frame

    def traceability_grid(self, *, with_prerequisites: bool = False) -> tuple[list[str], list[list[int]]]:
        """The capability ids and, per moment in order, the level each needs, as `traceability()` has them."""
        used: set[str] = set()
        for mp in self.moments:
            used.update(mp.required if with_prerequisites else mp.needs)
        cols = self.engagement.capabilities.in_domain_order(used)
        data = [[(mp.required if with_prerequisites else mp.needs).get(c, 0) for c in cols] for mp in self.moments]
        return cols, data

    def traceability(self, *, with_prerequisites: bool = False) -> pd.DataFrame:
        """Moments x capabilities: the level each moment needs (0: not needed).

        Rows are indexed by (perfect_day, moment key); columns are capability ids, by
        domain in the catalog's order, then id. With `with_prerequisites`, levels pulled in through
        prerequisites count too.
        """
        import pandas as pd

        cols, data = self.traceability_grid(with_prerequisites=with_prerequisites)
        idx = pd.MultiIndex.from_tuples(
            [(mp.perfect_day, mp.key) for mp in self.moments], names=["perfect_day", "moment"]
        )
        return pd.DataFrame(data, index=idx, columns=pd.Index(cols, name="capability"))

    def readiness_rows(self) -> list[dict[str, Any]]:
        """The rows of `readiness()` as plain dicts (no pandas needed; `live_wave` None for never)."""
        rows = []
        for day in self.engagement.perfect_days:
            mps = self.moments_of(day.id)
            day_live = self.day_live_wave(day.id)
            rows.append(
                {
                    "perfect_day": day.id,
                    "moment": "",
                    "kind": "perfect day",
                    "title": day.title,
                    "at": "",
                    "channel": "",
                    "live_wave": day_live,
                    "live": self.period(day_live),
                    "waiting_for": sorted({u for mp in mps for u in mp.waiting_for}),
                }
            )
            for mp in mps:
                rows.append(
                    {
                        "perfect_day": day.id,
                        "moment": mp.key,
                        "kind": "moment",
                        "title": _first_words(mp.story),
                        "at": mp.at or "",
                        "channel": mp.channel or "",
                        "live_wave": mp.live_wave,
                        "live": self.period(mp.live_wave),
                        "waiting_for": list(mp.waiting_for),
                    }
                )
        return rows

    def readiness(self) -> pd.DataFrame:
        """When each perfect day and each of its moments goes live.

        Columns: perfect_day, moment (key; empty on a perfect day's own row), kind
        ("perfect day" or "moment"), title, at, channel, live_wave (0 = live today,
        NA = not within the horizon), live (period label), waiting_for (uplift ids not
        finished within the horizon).
        """
        import pandas as pd

        frame = pd.DataFrame(self.readiness_rows())
        frame["live_wave"] = frame["live_wave"].astype("Int64")
        return frame

    def wave_rows(self) -> list[dict[str, Any]]:
        """The rows of `waves()` as plain dicts (no pandas needed)."""
        days_live_at = [self.day_live_wave(d.id) for d in self.engagement.perfect_days]
        rows = []
        for wave in range(1, len(self.labels) + 1):
            used = sum(up.allocation.get(wave, 0) for up in self.uplifts)
            cap = self.capacities[wave - 1]
            live = sum(1 for mp in self.moments if mp.live_wave is not None and mp.live_wave <= wave)
            days_live = sum(1 for at in days_live_at if at is not None and at <= wave)
            rows.append(
                {
                    "wave": wave,
                    "period": self.labels[wave - 1],
                    "capacity": cap,
                    "effort": used,
                    "utilisation": round(used / cap, 3) if cap else None,
                    "started": sum(1 for up in self.uplifts if up.start_wave == wave),
                    "finished": sum(1 for up in self.uplifts if up.end_wave == wave),
                    "moments_live": live,
                    "perfect_days_live": days_live,
                }
            )
        return rows

    def waves(self) -> pd.DataFrame:
        """Per wave: period, capacity, effort used, utilisation, uplifts started and finished,
        moments and perfect days live by the end of the wave (cumulative)."""
        import pandas as pd

        frame = pd.DataFrame(self.wave_rows())
        frame["utilisation"] = frame["utilisation"].astype("Float64")
        return frame

    def summary(self, *, headroom: bool = True) -> str:
        """What the roadmap delivers, in experiences and in capabilities, and what more capacity would buy.

        The last sentence plans again with one more effort point per wave; `headroom=False` leaves
        it out where the summary follows every edit.
        """
        total = len(self.moments)
        live_end = sum(1 for mp in self.moments if mp.live_wave is not None)
        today = sum(1 for mp in self.moments if mp.live_wave == 0)
        scheduled = sum(1 for up in self.uplifts if up.status == "scheduled")
        beyond = sum(1 for up in self.uplifts if up.status == "beyond-horizon")
        text = (
            f"By {self.period(len(self.labels))}, {live_end} of {total} moments are live"
            f" ({today} already today). {scheduled} of {len(self.uplifts)} uplifts are scheduled"
        )
        if beyond:
            text += f"; {beyond} {'falls' if beyond == 1 else 'fall'} beyond the horizon"
        excluded = sum(1 for up in self.uplifts if up.status == "excluded")
        if excluded:
            text += f"; {excluded} excluded"
        text += "."
        return f"{text} {self.headroom_sentence()}" if headroom else text


def _first_words(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
