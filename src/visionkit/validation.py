"""Validate raw engagement data into an `Engagement`, collecting every problem in one go."""

from __future__ import annotations

import datetime
import difflib
import reprlib
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .catalog import Catalog, base_catalog, merge_entries
from .errors import EngagementError, PathPart, Problem, format_path
from .model import WAVE_LENGTHS, Engagement, Scenario
from .strategies import OPTIMAL_SECONDS, STRATEGIES

_MAX_SHOWN = 60


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxstring, _REPR.maxother = 2, 4, 4, _MAX_SHOWN, _MAX_SHOWN


def _show(value: Any) -> str:
    """A short rendering of a value for a message: dates as written, long or deep values cut."""
    if isinstance(value, datetime.date):
        return str(value)
    text = _REPR.repr(value)  # never renders more than it shows, however large the value
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _quoted(text: str) -> str:
    """Text in quotes for a message, cut short when long."""
    return f"'{text}'" if len(text) <= _MAX_SHOWN else f"'{text[: _MAX_SHOWN - 3]}...'"


def _all_field_names() -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            for arg in _types_in(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    walk(arg)

    walk(Engagement)
    return names


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _types_in(arg)


_FIELD_NAMES = _all_field_names()


def _level_range(path: tuple[PathPart, ...]) -> str:
    return "0-5" if path and path[0] == "assessment" else "1-5"


def _hint(path: tuple[PathPart, ...], kind: str) -> str:
    last = next((p for p in reversed(path) if isinstance(p, str)), "")
    inside = {p for p in path if isinstance(p, str)}
    if inside & {"needs", "requires", "requires_at", "rubric"} and kind == "range":
        return "maturity levels run from 1 (ad hoc) to 5 (leading practice)"
    if "assessment" in inside and kind == "range":
        return "today's maturity runs from 0 (absent) to 5 (leading practice)"
    if last in {"effort_per_level", "capacity"} and kind == "range":
        return "effort and capacity are whole, non-negative effort points"
    if last == "strategy":
        return "strategies: " + ", ".join(STRATEGIES)
    if last == "time_limit":
        return f"the seconds strategy optimal may search for the best plan, e.g. {OPTIMAL_SECONDS:g}"
    if last == "wave_length":
        return "wave lengths: " + ", ".join(WAVE_LENGTHS)
    if last == "at":
        return 'write a time in quotes, e.g. at: "08:10", or any label such as at: Friday 17:30'
    if last == "start":
        return "write the start as 2027-Q1, 2027-H1, 2027-01, 2027-01-15 or 2027"
    return ""


def _message(err: Mapping[str, Any], path: tuple[PathPart, ...]) -> tuple[str, str]:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    last = path[-1] if path else ""
    if kind == "missing":
        return f"missing required field '{last}'", ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(last), sorted(_FIELD_NAMES), n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?" if close else "remove it, or check the field names in docs/engagement-file.md"
        )
        return f"unknown field {_show(str(last))}", hint
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        if {"needs", "assessment", "requires", "requires_at"} & {p for p in path if isinstance(p, str)}:
            return f"level {_show(value)} is out of range {_level_range(path)}", _hint(path, "range")
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return f"{_show(value)} is out of range: must be {words} {bound}", _hint(path, "range")
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else _hint(path, "choice") or f"use one of {expected}"
        return f"{_show(value)} is not one of {expected}", hint
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"expected a whole number, got {_show(value)}", _hint(path, "type")
    if kind in {"float_type", "float_parsing"}:
        return f"expected a number, got {_show(value)}", ""
    if kind in {"string_type"}:
        return f"expected text, got {_show(value)}", "quote the value if it should be text"
    if kind == "dict_type":
        return f"expected a mapping of `key: value` entries, got {_show(value)}", ""
    if kind == "list_type":
        return f"expected a list (entries starting with '- '), got {_show(value)}", ""
    if kind in {"too_short", "string_too_short"}:
        if last == "moments":
            return "a perfect day needs at least one moment", "add the moments of the day under `moments:`"
        if last == "needs":
            return "a moment needs at least one capability", "name what it needs, e.g. `needs: {customer-360: 3}`"
        if last == "perfect_days":
            return "an engagement needs at least one perfect day", "add one under `perfect_days:`"
        return f"{last} must not be empty" if isinstance(last, str) else "must not be empty", ""
    if kind == "string_too_long":
        return "text is too long", "ids are at most 200 characters"
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", ""))), _hint(path, kind)
    return str(err.get("msg", kind)), _hint(path, kind)


def _walk(data: Any, loc: tuple[Any, ...]) -> tuple[tuple[PathPart, ...], bool]:
    """The part of `loc` that exists in `data` (pydantic adds union tags), and whether it is a key error."""
    path: list[PathPart] = []
    node = data
    is_key = False
    for part in loc:
        if part == "[key]":
            is_key = True
            break
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif isinstance(node, Mapping) and isinstance(part, str) and part.replace("_", "-") in node:
            part = part.replace("_", "-")
            node = node[part]
        elif isinstance(node, Mapping) and isinstance(part, str) and part in _FIELD_NAMES:
            path.append(part)  # a missing field: name it, then stop
            break
        elif isinstance(part, str) and not isinstance(node, Mapping | list):
            break  # a union tag after a scalar: the scalar is the place
        elif isinstance(part, str):
            continue  # a union tag such as `list[int]` inside a list or mapping: not a place in the file
        else:
            break
        path.append(part)
    return tuple(path), is_key


def _wrong_branch(err: Mapping[str, Any], path: tuple[PathPart, ...], paths: list[tuple[PathPart, ...]]) -> bool:
    """Whether `err` is a union's scalar branch rejecting a list or mapping that another branch explains better."""
    if not isinstance(err.get("input"), list | dict) or not str(err["type"]).endswith(("_type", "_parsing")):
        return False
    return any(len(other) > len(path) and other[: len(path)] == path for other in paths)


def problems_from_validation_error(
    exc: ValidationError, prefix: tuple[PathPart, ...] = (), data: Any = None
) -> list[Problem]:
    """Turn pydantic's errors into problems with readable messages, one per place."""
    problems: list[Problem] = []
    seen: set[tuple[PathPart, ...]] = set()
    errors = exc.errors()
    walked = [_walk(data, tuple(err["loc"])) if data is not None else (tuple(err["loc"]), False) for err in errors]
    paths = [path for path, _ in walked]
    for err, (path, is_key) in zip(errors, walked, strict=True):
        if path in seen or _wrong_branch(err, path, paths):
            continue  # the other branches of a union failing at the same place add nothing
        seen.add(path)
        message, hint = _message(err, path)
        if is_key:
            message = f"key {message}"
        problems.append(Problem(message, prefix + path, hint))
    return problems


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_map(value: Any) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def _check_ids(data: Mapping[str, Any], catalog: Catalog, broken: set[str], problems: list[Problem]) -> None:
    known = set(catalog) | broken

    def check(cid: Any, path: tuple[PathPart, ...], what: str) -> None:
        if isinstance(cid, str) and cid not in known:
            problems.append(Problem(f"unknown capability {_quoted(cid)} in {what}", path, catalog.unknown_id_hint(cid)))

    for cid in _as_map(data.get("assessment")):
        check(cid, ("assessment", cid), "the assessment")
    scenario = _as_map(data.get("scenario"))
    for ref in _as_map(scenario.get("pin")):
        check(str(ref).split("@")[0], ("scenario", "pin", ref), "a pin")
    for index, ref in enumerate(_as_list(scenario.get("exclude"))):
        check(str(ref).split("@")[0], ("scenario", "exclude", index), "an exclusion")
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


def scenario_problems(scenario: Scenario) -> list[Problem]:
    """What is wrong with a scenario beyond its schema: its start, pins beyond the horizon, levels named."""
    from ._periods import PeriodError, wave_labels

    problems = []
    try:
        wave_labels(scenario.start, scenario.wave_length, 1)
    except PeriodError as exc:
        problems.append(Problem(str(exc), ("scenario", "start"), exc.hint))
    for ref, wave in scenario.pin.items():
        if wave > scenario.waves:
            problems.append(
                Problem(
                    f"pinned to wave {wave}, but the scenario has {scenario.waves} waves",
                    ("scenario", "pin", ref),
                    "pin to a wave within the horizon, or add waves",
                )
            )
    for ref in [*scenario.pin, *scenario.exclude]:
        _, _, level = ref.partition("@")
        if level and not (level.isdigit() and 1 <= int(level) <= 5):
            problems.append(
                Problem(
                    f"{_quoted(ref)} names level {_quoted(level)}",
                    ("scenario", "pin" if ref in scenario.pin else "exclude", ref),
                    "write `capability` or `capability@level` with a level from 1 to 5",
                )
            )
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
    if problems or engagement is None:
        raise EngagementError(problems)
    engagement.use_catalog(merged.catalog)
    return engagement


__all__ = ["format_path", "problems_from_validation_error", "scenario_problems", "validate_engagement"]
