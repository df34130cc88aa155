"""Labels for planning waves: 2027-Q1, 2027-H2, 2027-03 or 2027, from a start and a wave length."""

from __future__ import annotations

import re

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})\s*-?\s*H([12])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTHS_PER = {"month": 1, "quarter": 3, "half": 6, "year": 12}


class PeriodError(ValueError):
    """A scenario start that is not a period visionkit can read."""

    hint = "write the start as 2027-Q1, 2027-H1, 2027-01, 2027-01-15 or 2027"


def parse_start(start: str) -> tuple[int, int]:
    """The (year, month) a start like `2027-Q2` or `2027-04-01` begins in."""
    text = start.strip()
    if m := _QUARTER.match(text):
        return int(m[1]), (int(m[2]) - 1) * 3 + 1
    if m := _HALF.match(text):
        return int(m[1]), (int(m[2]) - 1) * 6 + 1
    if m := _MONTH.match(text):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{start}' has no month {month}")
        if m[3] is not None and not 1 <= int(m[3]) <= 31:
            raise PeriodError(f"'{start}' has no day {m[3]}")
        return int(m[1]), month
    if m := _YEAR.match(text):
        return int(m[1]), 1
    raise PeriodError(f"cannot read '{start}' as a start period")


def _label(year: int, month: int, wave_length: str) -> str:
    if wave_length == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if wave_length == "half":
        return f"{year}-H{(month - 1) // 6 + 1}"
    if wave_length == "year":
        return str(year)
    return f"{year}-{month:02d}"


def wave_labels(start: str | None, wave_length: str, waves: int) -> list[str]:
    """The label of each wave 1..`waves`; `Wave N` when the scenario has no start."""
    if start is None:
        return [f"Wave {n}" for n in range(1, waves + 1)]
    year, month = parse_start(start)
    step = _MONTHS_PER[wave_length]
    # Align to the period containing the start, so 2027-02 in quarters is 2027-Q1.
    month = (month - 1) // step * step + 1
    labels = []
    for n in range(waves):
        index = (year * 12 + month - 1) + n * step
        labels.append(_label(index // 12, index % 12 + 1, wave_length))
    return labels
