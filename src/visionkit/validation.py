"""Validate raw engagement data into an `Engagement`, collecting every problem in one go."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ._wording import problems_from_validation_error as problems_from_validation_error
from ._wording import quoted
from .catalog import Catalog, base_catalog, merge_entries
from .errors import EngagementError, PathPart, Problem, format_path
from .model import BASELINE, Engagement, Scenario


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_map(value: Any) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def _check_ids(data: Mapping[str, Any], catalog: Catalog, broken: set[str], problems: list[Problem]) -> None:
    known = set(catalog) | broken

    def check(cid: Any, path: tuple[PathPart, ...], what: str) -> None:
        if isinstance(cid, str) and cid not in known:
            problems.append(Problem(f"unknown capability {quoted(cid)} in {what}", path, catalog.unknown_id_hint(cid)))

    for cid in _as_map(data.get("assessment")):
        check(cid, ("assessment", cid), "the assessment")
    settings: list[tuple[tuple[PathPart, ...], Mapping[Any, Any]]] = [(("scenario",), _as_map(data.get("scenario")))]
    settings += [(("scenarios", i), _as_map(named)) for i, named in enumerate(_as_list(data.get("scenarios")))]
    for at, scenario in settings:
        for ref in _as_map(scenario.get("pin")):
            check(str(ref).split("@")[0], (*at, "pin", ref), "a pin")
        for index, ref in enumerate(_as_list(scenario.get("exclude"))):
            check(str(ref).split("@")[0], (*at, "exclude", index), "an exclusion")
    for index, item in enumerate(_as_list(_as_map(data.get("catalog")).get("capabilities"))):
        item = _as_map(item)
        for cid in _as_map(item.get("requires")):
            check(cid, ("catalog", "capabilities", index, "requires", cid), "requires")
        for gate, reqs in _as_map(item.get("requires_at")).items():
            for cid in _as_map(reqs):
                check(cid, ("catalog", "capabilities", index, "requires_at", gate, cid), "requires_at")
    day_ids: dict[str, int] = {}  # ids of another type are reported by the schema pass
    for d, day in enumerate(_as_list(data.get("perfect_days"))):
        day = _as_map(day)
        day_id = day.get("id")
        if isinstance(day_id, str):
            if day_id in day_ids:
                problems.append(
                    Problem(
                        f"duplicate perfect day id '{day_id}' (also perfect day {day_ids[day_id] + 1})",
                        ("perfect_days", d, "id"),
                        "every perfect day needs its own id",
                    )
                )
            day_ids.setdefault(day_id, d)
        moment_ids: dict[str, int] = {}
        for m, moment in enumerate(_as_list(day.get("moments"))):
            moment = _as_map(moment)
            mid = moment.get("id")
            if isinstance(mid, str):
                if mid in moment_ids:
                    problems.append(
                        Problem(
                            f"duplicate moment id '{mid}' (also moment {moment_ids[mid] + 1})",
                            ("perfect_days", d, "moments", m, "id"),
                            "every moment in a perfect day needs its own id",
                        )
                    )
                moment_ids.setdefault(mid, m)
            for cid in _as_map(moment.get("needs")):
                check(cid, ("perfect_days", d, "moments", m, "needs", cid), "needs")


def _check_cycle(data: Mapping[str, Any], catalog: Catalog, problems: list[Problem]) -> None:
    cycle = catalog.find_cycle()
    if not cycle:
        return
    overrides = [_as_map(i).get("id") for i in _as_list(_as_map(data.get("catalog")).get("capabilities"))]
    path: tuple[PathPart, ...] = ("catalog",)
    for cid in cycle:
        if cid in overrides:
            path = ("catalog", "capabilities", overrides.index(cid), "id")
            break
    problems.append(
        Problem(
            "prerequisite cycle: " + " needs ".join(cycle),
            path,
            "a capability cannot depend on itself, directly or through others; remove one of these prerequisites",
        )
    )


def scenario_problems(scenario: Scenario, at: tuple[PathPart, ...] = ("scenario",)) -> list[Problem]:
    """What is wrong with a scenario beyond its schema: its start, pins beyond the horizon, levels named.

    `at` is where the scenario is written: `scenario`, or `scenarios, <i>` for a named one.
    """
    from ._periods import PeriodError, wave_labels

    problems = []
    try:
        wave_labels(scenario.start, scenario.wave_length, 1)
    except PeriodError as exc:
        problems.append(Problem(str(exc), (*at, "start"), exc.hint))
    for ref, wave in scenario.pin.items():
        if wave > scenario.waves:
            problems.append(
                Problem(
                    f"pinned to wave {wave}, but the scenario has {scenario.waves} waves",
                    (*at, "pin", ref),
                    "pin to a wave within the horizon, or add waves",
                )
            )
    for ref in [*scenario.pin, *scenario.exclude]:
        _, _, level = ref.partition("@")
        if level and not (level.isdigit() and 1 <= int(level) <= 5):
            problems.append(
                Problem(
                    f"{quoted(ref)} names level {quoted(level)}",
                    (*at, "pin" if ref in scenario.pin else "exclude", ref),
                    "write `capability` or `capability@level` with a level from 1 to 5",
                )
            )
    return problems


def named_scenario_problems(engagement: Engagement, data: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with the named scenarios: a name taken twice (or "baseline"), a setting that is not
    one, or settings that do not hold once merged with the baseline."""
    problems: list[Problem] = []
    seen: set[str] = set()
    raw = _as_list(data.get("scenarios"))
    for i, named in enumerate(engagement.scenarios):
        at: tuple[PathPart, ...] = ("scenarios", i)
        folded = named.name.casefold()
        if folded == BASELINE:
            problems.append(
                Problem(
                    f"{quoted(named.name)} is what the engagement's own `scenario` is called",
                    (*at, "name"),
                    "give this scenario another name",
                )
            )
        elif folded in seen:
            problems.append(
                Problem(f"another scenario is named {quoted(named.name)}", (*at, "name"), "give each its own name")
            )
        seen.add(folded)
        changes = named.changes()
        unknown = [key for key in changes if key not in Scenario.model_fields]
        for key in unknown:
            problems.append(
                Problem(
                    f"{quoted(key)} is not a scenario setting",
                    (*at, key),
                    f"a scenario sets {', '.join(Scenario.model_fields)}",
                )
            )
        if unknown:
            continue
        try:
            merged = engagement.scenario.changed(**changes)
        except ValidationError as exc:
            problems.extend(problems_from_validation_error(exc, at, _as_map(raw[i]) if i < len(raw) else None))
            continue
        problems.extend(scenario_problems(merged, at))
    return problems


def validate_engagement(data: Any, *, base: Catalog | None = None) -> Engagement:
    """Validate raw engagement data (parsed YAML) or raise `EngagementError` listing every problem."""
    if not isinstance(data, Mapping):
        kinds = {str: "a line of text", int: "a number", float: "a number", bool: "true or false", list: "a list"}
        kind = "empty" if data is None else kinds.get(type(data), f"a {type(data).__name__}")
        raise EngagementError(
            [
                Problem(
                    f"an engagement must be a mapping of fields, but this is {kind}",
                    (),
                    "start from `visionkit init`, or see docs/engagement-file.md",
                )
            ]
        )
    problems: list[Problem] = []
    engagement: Engagement | None = None
    try:
        engagement = Engagement.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from_validation_error(exc, (), data))
    catalog_data = _as_map(data.get("catalog"))
    if base is None:
        base = base_catalog(catalog_data.get("extends", "default"))
    merged = merge_entries(base, _as_list(catalog_data.get("capabilities")), ("catalog", "capabilities"))
    problems.extend(merged.problems)
    _check_ids(data, merged.catalog, merged.broken, problems)
    _check_cycle(data, merged.catalog, problems)
    if engagement is not None:
        problems.extend(scenario_problems(engagement.scenario))
        problems.extend(named_scenario_problems(engagement, data))
    if problems or engagement is None:
        raise EngagementError(problems)
    engagement.use_catalog(merged.catalog)
    return engagement


__all__ = ["format_path", "problems_from_validation_error", "scenario_problems", "validate_engagement"]
