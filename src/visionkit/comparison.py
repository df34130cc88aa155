"""Scenarios side by side: the same engagement planned under each, and what each change of settings buys.

`compare(engagement)` plans the baseline and every named scenario; `Comparison` gives when each
perfect day and moment goes live under each, what each delivers, and sentences that say what a
scenario changes against the first one ("With 16 points a wave, Sam's perfect shift is live in full
two quarters earlier").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .model import BASELINE, Engagement, Scenario
from .planner import plan
from .roadmap import Roadmap

if TYPE_CHECKING:
    import pandas as pd

_UNITS = {"quarter": ("quarter", "quarters"), "month": ("month", "months"), "half": ("half-year", "half-years"),
          "year": ("year", "years")}  # fmt: skip
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int, unit: tuple[str, str]) -> str:
    """A number of periods in words: "two quarters", "one month", "14 months"."""
    return f"{_NUMBERS[n] if n < len(_NUMBERS) else n} {unit[0] if n == 1 else unit[1]}"


def _capacity(scenario: Scenario) -> str:
    caps = scenario.capacities()
    if len(set(caps)) == 1:
        return f"{caps[0]} points a wave"
    shown = ", ".join(map(str, caps[:4])) + (", …" if len(caps) > 4 else "")
    return f"{shown} points in the waves"


def _refs(refs: Sequence[str], engagement: Engagement) -> str:
    """Pins and exclusions by name: "Single customer view to level 3", "Social listening"."""
    catalog = engagement.capabilities
    named = []
    for ref in refs:
        cid, _, level = ref.partition("@")
        name = catalog[cid].name if cid in catalog else cid
        named.append(f"{name} to level {level}" if level else name)
    return ", ".join(named)


def _called(name: str) -> str:
    """How a sentence names a scenario: "the baseline", or its own name."""
    return f"the {BASELINE}" if name == BASELINE else name


def settings_changed(scenario: Scenario, reference: Scenario, engagement: Engagement) -> list[str]:
    """What a scenario sets differently from the reference, in words ("16 points a wave", "strategy foundations")."""
    said: list[str] = []
    if scenario.capacity != reference.capacity:  # 12 a wave over 4 waves or 6 is the same capacity
        said.append(_capacity(scenario))
    if scenario.waves != reference.waves:
        said.append(f"{scenario.waves} waves")
    if scenario.wave_length != reference.wave_length:
        said.append(f"{_UNITS[scenario.wave_length][0]}-long waves")
    if scenario.start != reference.start:
        said.append(f"a start in {scenario.start}")
    if scenario.strategy != reference.strategy:
        said.append(f"strategy {scenario.strategy}")
    if scenario.pin != reference.pin:
        pins = [f"{_refs([ref], engagement)} pinned to wave {wave}" for ref, wave in sorted(scenario.pin.items())]
        said.append(", ".join(pins) if pins else "no pins")
    if scenario.exclude != reference.exclude:
        said.append(f"leaving out {_refs(scenario.exclude, engagement)}" if scenario.exclude else "nothing left out")
    return list(dict.fromkeys(said))


@dataclass(frozen=True)
class Comparison:
    """The engagement planned under several scenarios; the first is the one the others are compared with."""

    engagement: Engagement
    plans: dict[str, Roadmap]

    @property
    def names(self) -> list[str]:
        """The scenarios compared, the reference first."""
        return list(self.plans)

    @property
    def reference(self) -> Roadmap:
        """The plan the others are compared with (the first)."""
        return next(iter(self.plans.values()))

    def _moment_label(self, roadmap: Roadmap, key: str) -> str:
        mp = next(m for m in roadmap.moments if m.key == key)
        title = next(d.title for d in self.engagement.perfect_days if d.id == mp.perfect_day)
        return f"{title} · {mp.at or f'moment {mp.position}'}"

    def day_rows(self) -> list[dict[str, Any]]:
        """Per perfect day: when it is live in full under each scenario (a period, `today` or `beyond horizon`)."""
        return [
            {"perfect_day": day.title, **{n: r.period(r.day_live_wave(day.id)) for n, r in self.plans.items()}}
            for day in self.engagement.perfect_days
        ]

    def moment_rows(self) -> list[dict[str, Any]]:
        """Per moment: when it goes live under each scenario."""
        ref = self.reference
        rows = []
        for i, mp in enumerate(ref.moments):
            row: dict[str, Any] = {"moment": self._moment_label(ref, mp.key)}
            for name, roadmap in self.plans.items():
                row[name] = roadmap.period(roadmap.moments[i].live_wave)
            rows.append(row)
        return rows

    def summary_rows(self) -> list[dict[str, Any]]:
        """Per scenario: its settings against the reference, the experience delivered, effort, what is left out."""
        ref = self.reference
        rows = []
        for name, r in self.plans.items():
            changed = settings_changed(r.scenario, ref.scenario, self.engagement) if r is not ref else []
            rows.append(
                {
                    "scenario": name,
                    "settings": "; ".join(changed) if r is not ref else "reference",
                    "experience": round(r.experience(), 2),
                    "moments_live": sum(1 for mp in r.moments if mp.live_wave is not None),
                    "perfect_days_live": sum(
                        1 for d in self.engagement.perfect_days if r.day_live_wave(d.id) is not None
                    ),
                    "effort_used": sum(sum(up.allocation.values()) for up in r.uplifts),
                    "capacity": sum(r.capacities),
                    "beyond_horizon": sum(1 for up in r.uplifts if up.status == "beyond-horizon"),
                    "horizon": r.period(len(r.labels)),
                }
            )
        return rows

    def days(self) -> pd.DataFrame:
        """`day_rows` as a DataFrame indexed by perfect day."""
        import pandas as pd

        return pd.DataFrame(self.day_rows()).set_index("perfect_day")

    def moments(self) -> pd.DataFrame:
        """`moment_rows` as a DataFrame indexed by moment."""
        import pandas as pd

        return pd.DataFrame(self.moment_rows()).set_index("moment")

    def summary(self) -> pd.DataFrame:
        """`summary_rows` as a DataFrame indexed by scenario."""
        import pandas as pd

        return pd.DataFrame(self.summary_rows()).set_index("scenario")

    def sentences(self) -> list[str]:
        """For each scenario after the first, what its settings buy against the first, in one sentence."""
        return [self._sentence(name, r) for name, r in list(self.plans.items())[1:]]

    def _sentence(self, name: str, r: Roadmap) -> str:
        ref = self.reference
        changed = settings_changed(r.scenario, ref.scenario, self.engagement)
        lead = f"With {' and '.join(changed)} ({name})" if changed else f"In {name}, with the same settings"
        same_calendar = (r.scenario.start, r.scenario.wave_length) == (ref.scenario.start, ref.scenario.wave_length)
        unit = _UNITS[r.scenario.wave_length]
        effects: list[str] = []
        for day in self.engagement.perfect_days:
            now, then = ref.day_live_wave(day.id), r.day_live_wave(day.id)
            if now == then:
                continue
            if then is None:
                effects.append(f"{day.title} is no longer live in full within the horizon")
            elif now is None:
                effects.append(f"{day.title} is live in full by {r.period(then)}, where it was not before")
            elif same_calendar:
                word = "earlier" if then < now else "later"
                effects.append(f"{day.title} is live in full {_count(abs(now - then), unit)} {word} ({r.period(then)})")
            else:
                effects.append(f"{day.title} is live in full by {r.period(then)} instead of {ref.period(now)}")
        sooner = later = 0
        for a, b in zip(ref.moments, r.moments, strict=True):
            if a.live_wave == b.live_wave:
                continue
            if b.live_wave is not None and (a.live_wave is None or (same_calendar and b.live_wave < a.live_wave)):
                sooner += 1
            elif a.live_wave is not None and (b.live_wave is None or (same_calendar and b.live_wave > a.live_wave)):
                later += 1
        if sooner:
            effects.append(f"{sooner} moment{'s' if sooner != 1 else ''} go{'es' if sooner == 1 else ''} live sooner")
        if later:
            effects.append(f"{later} moment{'s' if later != 1 else ''} go{'es' if later == 1 else ''} live later")
        if r.scenario.waves == ref.scenario.waves and ref.experience() > 0 and r.experience() != ref.experience():
            change = (r.experience() - ref.experience()) / ref.experience()
            percent = int(abs(change) * 100 + 0.5)  # half up: 12.5 % reads as 13 %, as a reader rounds it
            effects.append(f"the experience delivered {'rises' if change > 0 else 'falls'} {percent}%")
        if not effects:
            return f"{lead}, every moment goes live when it does in {_called(self.names[0])}."
        body = effects[0] if len(effects) == 1 else f"{', '.join(effects[:-1])} and {effects[-1]}"
        return f"{lead}, {body}."


def compare(engagement: Engagement, names: Sequence[str] | None = None, **overrides: Any) -> Comparison:
    """Plan the engagement under each scenario named (default: the baseline, then every named scenario).

    `overrides` (waves, capacity, strategy, ...) apply to every scenario, as `plan`'s do.
    """
    chosen = list(dict.fromkeys(names)) if names else engagement.scenario_names()
    return Comparison(engagement, {name: plan(engagement, scenario=name, **overrides) for name in chosen})
