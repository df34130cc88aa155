"""The roadmap workbook's parameters: one definition for the workbook, the CSV reader and the command line.

Add yours here: a parameter added to `PARAMETERS` is a CSV column, a `visionkit build` option
(unless it is the engagement file) and, once the workbook's parameters cell is written again from
`parameters_cell()`, a workbook parameter; `tests/unit/test_parameters.py` fails until the
workbook's cell and `RoadmapDocument.from_parameters` take it.
"""

# ruff: noqa: UP045 - the types are written `Optional[int]`, as the workbook declares them for papermill
from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from .strategies import STRATEGIES


class BadValue(ValueError):
    """Text that is not a valid value of a parameter; `expected` says what would be."""

    def __init__(self, expected: str, hint: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


def whole(least: int) -> Callable[[str], int]:
    """A parser of whole numbers of `least` or more."""

    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < least:
            raise BadValue(f"a whole number of {least} or more")
        return int(text)

    return parse


def _seconds(text: str) -> float:
    from .model import Scenario

    # The limits are the scenario's own, so a CSV, an option and an engagement file agree.
    meta = Scenario.model_fields["time_limit"].metadata
    above = next(m.gt for m in meta if hasattr(m, "gt"))
    most = next(m.le for m in meta if hasattr(m, "le"))
    expected = f"a number of seconds more than {above:g} and at most {most:g}"
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and above < seconds <= most):
        raise BadValue(expected, "write the seconds as a number, e.g. 5 or 0.5")
    return seconds


def _strategy(text: str) -> str:
    if text not in STRATEGIES:
        raise BadValue("one of: " + ", ".join(STRATEGIES))
    return text


def _date(text: str) -> str:
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        raise BadValue("a date as YYYY-MM-DD", "for example 2027-01-04") from None
    return text


def _text(text: str) -> str:
    return text


SWEEPABLE: tuple[str, ...] = ("scenario", "waves", "capacity", "strategy", "time_limit")
"""The parameters a sweep may vary: which named scenario, and the scenario settings a build can override."""
SWEEP_LIMIT = 64
"""Most combinations one sweep may ask for: each is a document, and 3 settings of 5 values are already 125."""
_SWEEP_FORM = "settings to compare as name=value,value (several joined by ';'), e.g. capacity=8,12,16"


def sweep_axes(text: str) -> list[tuple[str, list[Any]]]:
    """The settings a sweep varies and their values, from `capacity=8,12,16; strategy=value,quick-wins`.

    Each value is read by its own parameter's rule, so a sweep accepts what a CSV or an option does.
    """
    axes: list[tuple[str, list[Any]]] = []
    for part in (p.strip() for p in str(text).split(";")):
        if not part:
            continue
        name, sep, values = part.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in SWEEPABLE:
            raise BadValue(_SWEEP_FORM, f"the settings that can vary are {', '.join(SWEEPABLE)}")
        if name in (n for n, _ in axes):
            raise BadValue(_SWEEP_FORM, f"{name} is given twice: list all its values once, separated by commas")
        parsed: list[Any] = []
        for value in (v.strip() for v in values.split(",")):
            try:
                found = BY_NAME[name].parse(value) if value else None
            except BadValue as exc:
                raise BadValue(f"a sweep whose {name} values are each {exc.expected}", f"{value!r} is not") from None
            if found is not None and found not in parsed:
                parsed.append(found)
        if not parsed:
            raise BadValue(_SWEEP_FORM, f"give {name} at least one value")
        axes.append((name, parsed))
    if not axes:
        raise BadValue(_SWEEP_FORM)
    count = math.prod(len(values) for _, values in axes)
    if count > SWEEP_LIMIT:
        raise BadValue(f"at most {SWEEP_LIMIT} combinations, not {count}", "vary fewer settings, or fewer values")
    return axes


def sweep_points(axes: Sequence[tuple[str, Sequence[Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Every combination of a sweep's values, in order, each with its name ("capacity 8, strategy value")."""
    import itertools

    names = [name for name, _ in axes]
    points = []
    for values in itertools.product(*(values for _, values in axes)):
        pairs = zip(names, values, strict=True)
        label = ", ".join(f"{name.replace('_', ' ')} {_shown(value)}" for name, value in pairs)
        points.append((label, dict(zip(names, values, strict=True))))
    return points


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def sweep_text(axes: Sequence[tuple[str, Sequence[Any]]]) -> str:
    """A sweep written back as the `sweep` parameter holds it: `capacity=8,12,16; strategy=value`."""
    return "; ".join(f"{name}={','.join(_shown(v) for v in values)}" for name, values in axes)


def _sweep(text: str) -> str:
    return sweep_text(sweep_axes(text))


@dataclass(frozen=True)
class Parameter:
    """One workbook parameter: its name, its type as the workbook declares it, its default and its help."""

    name: str
    type: Any
    default: Any
    help: str
    parse: Callable[[str], Any] = _text
    """Text (a CSV cell, a command-line value) as the parameter's value, or `BadValue`."""
    detail: str = ""
    """More help, for the command line's option."""

    @property
    def annotation(self) -> str:
        """The type as the workbook writes it: `str`, `Optional[int]`."""
        return self.type.__name__ if isinstance(self.type, type) else str(self.type).removeprefix("typing.")

    @property
    def option(self) -> str:
        """The `visionkit build` option that sets it."""
        return "--" + self.name.replace("_", "-")

    def declaration(self) -> str:
        """Its line in the workbook's parameters cell."""
        default = json.dumps(self.default) if isinstance(self.default, str) else repr(self.default)
        return f"{self.name}: {self.annotation} = {default}  # {self.help}"


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("engagement_file", str, "", "path to the engagement file (YAML); empty: the shipped demo"),
    Parameter("title", str, "Experience roadmap", "document title shown on the cover"),
    Parameter(
        "scenario",
        Optional[str],
        None,
        "a named scenario of the engagement to plan (default: its own scenario)",
    ),
    Parameter("waves", Optional[int], None, "number of waves (default: the engagement's scenario)", whole(1)),
    Parameter("capacity", Optional[int], None, "effort points per wave (default: the engagement's scenario)", whole(0)),
    Parameter(
        "strategy",
        Optional[str],
        None,
        f"{', '.join(STRATEGIES[:-1])} or {STRATEGIES[-1]} (default: the engagement's)",
        _strategy,
        "experience is fast and aims at the most experience delivered; optimal is exact, or within a "
        "proven gap when --time-limit runs out; value, foundations and quick-wins start ready uplifts "
        "in a fixed order (see docs/planner.md)",
    ),
    Parameter(
        "time_limit",
        Optional[float],
        None,
        "seconds strategy optimal may search (default: the engagement's scenario)",
        _seconds,
    ),
    Parameter("date", Optional[str], None, "document date as YYYY-MM-DD (default: today)", _date),
    Parameter(
        "sweep",
        Optional[str],
        None,
        "settings to compare in one document, as build --sweep takes them, joined by semicolons",
        _sweep,
    ),
)
"""The parameters every roadmap workbook takes, in the order its parameters cell declares them."""

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
DEFAULT_TITLE: str = BY_NAME["title"].default


def parameters_cell() -> str:
    """The source of the workbook's cell tagged `parameters`, written from `PARAMETERS`."""
    return "\n".join(p.declaration() for p in PARAMETERS)


SCENARIO_NAMES: tuple[str, ...] = ("waves", "capacity", "strategy", "time_limit")
"""The parameters that override the engagement's scenario (each is a field of `model.Scenario`)."""
DOCUMENT_NAMES: tuple[str, ...] = tuple(n for n in NAMES if n not in (*SCENARIO_NAMES, "engagement_file", "sweep"))
"""The parameters that set the document itself: its title, its date and the named scenario it plans.

`sweep` is not among them: `visionkit build --sweep` builds a document per combination and one
comparing them all, which it sets `sweep` for.
"""
