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
from collections.abc import Callable
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
DOCUMENT_NAMES: tuple[str, ...] = tuple(n for n in NAMES if n not in SCENARIO_NAMES and n != "engagement_file")
"""The parameters that set the document itself: its title, its date and the named scenario it plans."""
