"""pydantic's validation errors worded for the person who wrote the file: one problem per place, with a hint."""

from __future__ import annotations

import datetime
import difflib
import reprlib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ._periods import WAVE_LENGTHS
from .errors import PathPart, Problem
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


def quoted(text: str) -> str:
    """Text in quotes for a message, cut short when long."""
    return f"'{text}'" if len(text) <= _MAX_SHOWN else f"'{text[: _MAX_SHOWN - 3]}...'"


def _field_names() -> set[str]:
    """Every field name of visionkit's schema: the pydantic models of visionkit's modules loaded so far.

    Found from the models themselves rather than by importing them, so that this module sits below
    `model` and `catalog`; a file is only ever worded after the model that read it was loaded.
    """
    names: set[str] = set()
    stack: list[type[BaseModel]] = [BaseModel]
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if model.__module__.startswith("visionkit."):
            names.update(model.model_fields)
    return names


def _level_range(path: tuple[PathPart, ...]) -> str:
    return "0-5" if path and path[0] == "assessment" else "1-5"


def _hint(path: tuple[PathPart, ...], kind: str) -> str:
    last = next((p for p in reversed(path) if isinstance(p, str)), "")
    inside = {p for p in path if isinstance(p, str)}
    if inside & {"needs", "requires", "requires_at", "rubric"} and kind == "range":
        return "maturity levels run from 1 (ad hoc) to 5 (leading practice)"
    if "assessment" in inside and kind == "range":
        return "today's maturity runs from 0 (absent) to 5 (leading practice)"
    if "feeling" in inside and kind in ("range", "type"):
        return "a feeling runs from -2 (awful) through 0 (neutral) to +2 (delighted)"
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


def _message(err: Mapping[str, Any], path: tuple[PathPart, ...], fields: set[str]) -> tuple[str, str]:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    last = path[-1] if path else ""
    if kind == "missing":
        return f"missing required field '{last}'", ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(last), sorted(fields), n=1, cutoff=0.6)
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


def _walk(data: Any, loc: tuple[Any, ...], fields: set[str]) -> tuple[tuple[PathPart, ...], bool]:
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
        elif isinstance(node, Mapping) and isinstance(part, str) and part in fields:
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
    fields = _field_names()
    walked = [
        _walk(data, tuple(err["loc"]), fields) if data is not None else (tuple(err["loc"]), False) for err in errors
    ]
    paths = [path for path, _ in walked]
    for err, (path, is_key) in zip(errors, walked, strict=True):
        if path in seen or _wrong_branch(err, path, paths):
            continue  # the other branches of a union failing at the same place add nothing
        seen.add(path)
        message, hint = _message(err, path, fields)
        if is_key:
            message = f"key {message}"
        problems.append(Problem(message, prefix + path, hint))
    return problems
