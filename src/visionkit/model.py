"""Validated engagement objects: the schema of an engagement file, as pydantic models."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator

from ._brand import DEFAULT_BRAND
from ._periods import WAVE_LENGTHS as WAVE_LENGTHS  # validation names them from here
from ._periods import WaveLength
from ._schema import CapabilityId, Effort, Level, Maturity, NonEmptyText, Strict
from ._schema import CapabilitySpec as CapabilitySpec  # catalog files and overrides; long imported from here
from .errors import EngagementError, Problem
from .strategies import DEFAULT_STRATEGY, OPTIMAL_SECONDS, Strategy

if TYPE_CHECKING:
    from .catalog import Catalog

_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
TIME_HINT = "write the time as hh:mm, from 00:00 to 23:59 (e.g. 08:10)"


def time_of_day(text: str | None) -> int | None:
    """Minutes after midnight of an `hh:mm` time (00:00-23:59), or None for anything else."""
    match = _TIME_OF_DAY.match(text.strip()) if isinstance(text, str) else None
    return int(match[1]) * 60 + int(match[2]) if match else None


class Branding(Strict):
    """How the client's documents look."""

    primary: str = DEFAULT_BRAND
    secondary: str | None = None
    logo: str | None = None

    @field_validator("primary", "secondary")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None and not _COLOUR.match(value):
            raise ValueError(f"'{value}' is not a colour; write it as #rrggbb, e.g. {DEFAULT_BRAND}")
        return value


class Scenario(Strict):
    """Planning settings: the waves, their capacity, the strategy, pins and exclusions."""

    start: str | None = None
    waves: int = Field(default=6, ge=1, le=200)
    wave_length: WaveLength = "quarter"
    capacity: Effort | list[Effort] = 12
    strategy: Strategy = DEFAULT_STRATEGY
    time_limit: float = Field(default=OPTIMAL_SECONDS, gt=0, le=3600)
    """Seconds `strategy: optimal` may search for the best plan before it settles for the best found."""
    pin: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("start", mode="before")
    @classmethod
    def _start_text(cls, value: Any) -> Any:
        # YAML turns 2027-01-04 into a date and 2027 into an int; both are fine starts.
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool | float):
            raise ValueError(f"start must be a period such as 2027-Q1, 2027-01 or 2027, not {value!r}")
        if isinstance(value, int | datetime.date):
            return str(value)
        return value  # a list or a mapping: refused as "expected text"

    @field_validator("capacity")
    @classmethod
    def _capacity_per_wave(cls, value: int | list[int], info: ValidationInfo) -> int | list[int]:
        waves = info.data.get("waves")
        if isinstance(value, list) and waves is not None and len(value) != waves:
            raise ValueError(
                f"capacity lists {len(value)} values but there are {waves} waves; "
                "give one number for every wave, or a single number"
            )
        return value

    def capacities(self) -> list[int]:
        """Capacity of each wave, in effort points."""
        if isinstance(self.capacity, list):
            return list(self.capacity)
        return [self.capacity] * self.waves

    def changed(self, **changes: Any) -> Scenario:
        """This scenario with some settings changed (raises pydantic's ValidationError if they do not hold).

        A per-wave capacity list follows a new number of waves when no capacity is given: cut, or
        extended with its last value.
        """
        data = self.model_dump()
        if "waves" in changes and "capacity" not in changes and isinstance(data["capacity"], list):
            caps = data["capacity"]
            data["capacity"] = (caps + [caps[-1]] * changes["waves"])[: changes["waves"]]
        data.update(changes)
        return Scenario.model_validate(data)


BASELINE = "baseline"
"""What the engagement's own `scenario:` is called beside its named scenarios (no named one may take it)."""


class NamedScenario(Strict):
    """A scenario to compare with the baseline: its name and the settings it changes; the rest are the baseline's.

    The settings are `Scenario`'s fields, checked against it once merged with the baseline
    (`validation.validate_engagement`), so that a named scenario follows every rule the baseline does.
    A `pin` or `exclude` given here replaces the baseline's.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, str_strip_whitespace=True)
    name: NonEmptyText

    def changes(self) -> dict[str, Any]:
        """The settings this scenario changes, each named as `Scenario`'s field (`wave-length` as `wave_length`)."""
        return {str(key).replace("-", "_"): value for key, value in (self.model_extra or {}).items()}


class CatalogSpec(Strict):
    """Which catalog an engagement starts from, and its additions or overrides."""

    extends: Literal["default", "none"] = "default"
    capabilities: list[CapabilitySpec] = Field(default_factory=list)

    @field_validator("extends", mode="before")
    @classmethod
    def _none_word(cls, value: Any) -> Any:
        return "none" if value is None or value is False else value


Score = Annotated[int, Field(ge=-2, le=2)]
"""How a moment feels to the customer, from -2 (awful) to +2 (delighted)."""


class Feeling(Strict):
    """How a moment feels today and how it should feel on the perfect day (-2..+2 each)."""

    today: Score | None = None
    perfect: Score | None = None

    @property
    def gap(self) -> int | None:
        """How far today falls short of the perfect day (None unless both are given)."""
        return None if self.today is None or self.perfect is None else self.perfect - self.today


class Moment(Strict):
    """One step of a perfect day: time, channel, story, wow and the capabilities it needs."""

    id: str | None = None
    at: str | None = None
    channel: str | None = None
    story: NonEmptyText
    wow: str | None = None
    today: str | None = None
    """How this moment goes today, for the same customer."""
    feeling: Feeling = Field(default_factory=Feeling)
    weight: float = Field(default=1.0, gt=0, le=1000)
    needs: dict[CapabilityId, Level] = Field(min_length=1)

    @field_validator("at", mode="before")
    @classmethod
    def _time_text(cls, value: Any) -> Any:
        # A time written unquoted may arrive as a whole number or a date; show it as written.
        if isinstance(value, float):
            # 8.10 would read as 8.1: refuse rather than show a time the author did not write.
            raise ValueError(f"{value!r} reads as a number, not a time of day")
        if isinstance(value, int | datetime.date) and not isinstance(value, bool):
            return str(value)
        return value  # text is kept; anything else is refused as "expected text"


class PerfectDay(Strict):
    """A narrative of moments for one persona; priority 1 is the most important."""

    id: CapabilityId
    title: NonEmptyText
    persona: str | None = None
    priority: int = Field(default=1, ge=1, le=100)
    moments: list[Moment] = Field(min_length=1)


class Engagement(Strict):
    """One client's work: narratives, assessment, scenario settings and branding."""

    client: NonEmptyText
    industry: str | None = None
    branding: Branding = Field(default_factory=Branding)
    scenario: Scenario = Field(default_factory=Scenario)
    scenarios: list[NamedScenario] = Field(default_factory=list)
    """Other scenarios to compare with `scenario` (the baseline), each changing some of its settings."""
    catalog: CatalogSpec = Field(default_factory=CatalogSpec)
    assessment: dict[CapabilityId, Maturity] = Field(default_factory=dict)
    perfect_days: list[PerfectDay] = Field(min_length=1)
    _catalog: Catalog | None = PrivateAttr(default=None)

    @property
    def capabilities(self) -> Catalog:
        """The catalog this engagement plans against: the base catalog with its overrides."""
        if self._catalog is None:
            from .catalog import base_catalog

            base = base_catalog(self.catalog.extends)
            self._catalog = base.with_overrides(self.catalog.capabilities, ("catalog", "capabilities"))
        return self._catalog

    def use_catalog(self, catalog: Catalog) -> None:
        """Plan against `catalog`: validation passes the one it merged and checked, rather than merge it again."""
        self._catalog = catalog

    def target_levels(self) -> dict[str, int]:
        """The capabilities in play: each one the moments need, directly or as a prerequisite, at its highest level."""
        catalog = self.capabilities
        levels: dict[str, int] = {}
        for day in self.perfect_days:
            for moment in day.moments:
                for cid, level in catalog.closure(moment.needs).items():
                    if levels.get(cid, 0) < level:
                        levels[cid] = level
        return levels

    def scenario_names(self) -> list[str]:
        """The baseline's name, then each named scenario's, in the file's order."""
        return [BASELINE, *(named.name for named in self.scenarios)]

    def scenario_named(self, name: str | None) -> Scenario:
        """The settings of a scenario by name: the baseline (None or "baseline"), or a named one merged with it."""
        if name is None or name == BASELINE:
            return self.scenario
        for named in self.scenarios:
            if named.name == name:
                return self.scenario.changed(**named.changes())
        raise EngagementError(
            [
                Problem(
                    f"no scenario {name!r}",
                    ("scenarios",),
                    f"the scenarios are {', '.join(map(repr, self.scenario_names()))}",
                )
            ]
        )

    def moment_key(self, day_index: int, moment_index: int) -> str:
        """The stable key of a moment: its own id, or `<day id>.<position from 1>`."""
        day = self.perfect_days[day_index]
        moment = day.moments[moment_index]
        return moment.id or f"{day.id}.{moment_index + 1}"
