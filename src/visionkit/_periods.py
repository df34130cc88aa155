"""Labels for planning waves: 2027-Q1, 2027-H2, 2027-03 or 2027, from a start and a wave length."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Literal, get_args

WaveLength = Literal["quarter", "month", "half", "year"]
"""How long a planning wave is."""
WAVE_LENGTHS: tuple[WaveLength, ...] = get_args(WaveLength)
MONTHS_PER: dict[WaveLength, int] = {"quarter": 3, "month": 1, "half": 6, "year": 12}
"""Months in a wave of each length."""

_QUARTER = re.compile(r"^(\d{4})\s*[-/]?\s*Q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})\s*[-/]?\s*H([12])$", re.IGNORECASE)
# 2027-01, 2027-1, 2027/01, 2027-01-15, 2027/01/15, and a date with a time (2027-01-15T10:00:00+01:00).
_MONTH = re.compile(
    r"^(\d{4})([-/])(\d{1,2})(?:\2(\d{1,2})"
    r"(?:[Tt ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{1,2}(?::?\d{2})?)?)?)?$"
)
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_LAST = re.compile(r"^(Q[1-4]|H[12])\s*[-/ ]?\s*(\d{4})$", re.IGNORECASE)
_SHORT_YEAR = re.compile(r"^(\d{2})\s*[-/]?\s*(Q[1-4]|H[12])$", re.IGNORECASE)


class PeriodError(ValueError):
    """A scenario start that is not a period visionkit can read."""

    hint = "write the start as 2027-Q1, 2027-H1, 2027-01, 2027-01-15 or 2027"

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint


def parse_start(start: str) -> tuple[int, int]:
    """The (year, month) a start like `2027-Q2`, `2027/04` or `2027-04-01` begins in."""
    text = start.strip()
    if m := _QUARTER.match(text):
        return int(m[1]), (int(m[2]) - 1) * 3 + 1
    if m := _HALF.match(text):
        return int(m[1]), (int(m[2]) - 1) * 6 + 1
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[3])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{start}' has no month {month}")
        if m[4] is not None:
            day = int(m[4])
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                raise PeriodError(
                    f"'{start}' has no day {day}: {calendar.month_name[month]} {year} has "
                    f"{calendar.monthrange(year, month)[1]} days"
                )
        if m[5] is not None and (int(m[5]) > 23 or int(m[6]) > 59):
            raise PeriodError(f"'{start}' has no time {m[5]}:{m[6]}")
        return year, month
    if m := _YEAR.match(text):
        return int(m[1]), 1
    if m := _YEAR_LAST.match(text):
        raise PeriodError(f"cannot read '{start}' as a start period", f"write the year first: {m[2]}-{m[1].upper()}")
    if m := _SHORT_YEAR.match(text):
        raise PeriodError(
            f"cannot read '{start}' as a start period",
            f"write the year in full, e.g. 20{m[1]}-{m[2].upper()}",
        )
    raise PeriodError(f"cannot read '{start}' as a start period")


def _label(year: int, month: int, wave_length: str) -> str:
    if wave_length == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if wave_length == "half":
        return f"{year}-H{(month - 1) // 6 + 1}"
    if wave_length == "year":
        return str(year)
    return f"{year}-{month:02d}"


def wave_labels(start: str | None, wave_length: WaveLength, waves: int) -> list[str]:
    """The label of each wave 1..`waves`; `Wave N` when the scenario has no start."""
    if start is None:
        return [f"Wave {n}" for n in range(1, waves + 1)]
    year, month = parse_start(start)
    step = MONTHS_PER[wave_length]
    # Align to the period containing the start, so 2027-02 in quarters is 2027-Q1.
    month = (month - 1) // step * step + 1
    labels = []
    for n in range(waves):
        index = (year * 12 + month - 1) + n * step
        labels.append(_label(index // 12, index % 12 + 1, wave_length))
    return labels


def wave_dates(start: str | None, wave_length: WaveLength, waves: int) -> list[tuple[date, date]]:
    """The first and last day of each wave 1..`waves`; empty when the scenario has no start.

    Waves follow `wave_labels`: the first begins on the first day of the period holding the start
    (2027-02-15 in quarters begins 2027-01-01), and each ends the day before the next begins.
    """
    if start is None:
        return []
    year, month = parse_start(start)
    step = MONTHS_PER[wave_length]
    first = (year * 12 + month - 1) // step * step  # months since year 0, aligned like the labels
    if (first + waves * step) // 12 > date.max.year:
        return []  # a horizon past the year 9999 has labels but no calendar dates

    def first_day(index: int) -> date:
        return date(index // 12, index % 12 + 1, 1)

    return [(first_day(first + n * step), first_day(first + (n + 1) * step) - timedelta(days=1)) for n in range(waves)]
