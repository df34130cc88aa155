"""Dates and times written every which way: what loads (and what it means), what is refused.

Refused forms live in tests/corpus/bad (category `dates`, see expected.tsv); here are the forms
that load, with the wave or the moment label they give, and the refusals' messages and hints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from visionkit._periods import PeriodError, parse_start, wave_labels
from visionkit.engagement_file import EngagementFile
from visionkit.errors import EngagementError

DAY = """perfect_days:
  - id: priya-saturday
    title: Priya's perfect Saturday
    moments:
      - at: {at}
        story: The app offers the next shoe size.
        needs: {{customer-360: 3}}
"""


def load(start: str = "2027-Q1", at: str = '"08:10"', wave_length: str = "quarter") -> EngagementFile:
    text = f"client: Northwind\nscenario: {{start: {start}, waves: 2, wave_length: {wave_length}}}\n" + DAY.format(
        at=at
    )
    return EngagementFile.from_text(text, Path("dates.yaml"))


@pytest.mark.parametrize(
    ("start", "first_wave"),
    [
        ("2027-Q1", "2027-Q1"),
        ("'2027-Q1'", "2027-Q1"),
        ("2027q1", "2027-Q1"),
        ("2027-q2", "2027-Q2"),
        ('"2027 Q3"', "2027-Q3"),
        ("2027/Q4", "2027-Q4"),
        ("2027-H2", "2027-Q3"),
        ("2027-01-04", "2027-Q1"),  # YAML reads it as a date
        ('"2027-05-31"', "2027-Q2"),  # the same, quoted
        ("2027/05/31", "2027-Q2"),
        ("2027-1", "2027-Q1"),
        ("2027-04", "2027-Q2"),
        ("2027/07", "2027-Q3"),
        ("2027/7", "2027-Q3"),
        ("2027", "2027-Q1"),  # YAML reads it as a number
        ('"2027"', "2027-Q1"),
        ("2027-03-31T23:30:00-05:00", "2027-Q1"),  # a date and time: the date as written counts
        ("2027-04-01 00:30:00+14:00", "2027-Q2"),
        ('"2027-04-01T08:00Z"', "2027-Q2"),
        ("2028-02-29", "2028-Q1"),  # a leap day
        ("' 2027-Q1 '", "2027-Q1"),
    ],
)
def test_start_forms_that_load(start: str, first_wave: str) -> None:
    scenario = load(start=start).engagement.scenario
    assert wave_labels(scenario.start, scenario.wave_length, 1) == [first_wave]


@pytest.mark.parametrize(
    ("start", "wave_length", "labels"),
    [
        ("2027/02", "month", ["2027-02", "2027-03"]),
        ("2027-12-31T10:00:00Z", "year", ["2027", "2028"]),
        ("2027 h2", "half", ["2027-H2", "2028-H1"]),
    ],
)
def test_start_forms_with_other_wave_lengths(start: str, wave_length: str, labels: list[str]) -> None:
    scenario = load(start=start, wave_length=wave_length).engagement.scenario
    assert wave_labels(scenario.start, scenario.wave_length, 2) == labels


@pytest.mark.parametrize(
    ("start", "message", "hint"),
    [
        ("Q1 2027", "cannot read 'Q1 2027' as a start period", "write the year first: 2027-Q1"),
        ("h2-2027", "cannot read 'h2-2027' as a start period", "write the year first: 2027-H2"),
        ("27-Q1", "cannot read '27-Q1' as a start period", "write the year in full, e.g. 2027-Q1"),
        ("2027-02-29", "'2027-02-29' has no day 29: February 2027 has 28 days", "2027-Q1"),
        ("2027-01-04T25:00", "'2027-01-04T25:00' has no time 25:00", "2027-Q1"),
        ("2027.1", "cannot read '2027.1' as a start period", "2027-Q1"),
        ("2027-01/04", "cannot read '2027-01/04' as a start period", "2027-Q1"),
    ],
)
def test_start_forms_that_are_refused(start: str, message: str, hint: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_start(start)
    assert str(info.value) == message
    assert hint in info.value.hint


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        ('"08:10"', "08:10"),
        ("08:10", "08:10"),  # YAML 1.2 has no base-60 numbers: unquoted, it stays text
        ("8:10", "8:10"),
        ('"8.10am"', "8.10am"),
        ("8.10am", "8.10am"),
        ("Friday 17:30", "Friday 17:30"),
        ("2027-01-04 08:10", "2027-01-04 08:10"),  # no seconds: not a YAML timestamp, so text
        ("2027-01-04T08:10:00", "2027-01-04 08:10:00"),  # a YAML timestamp, shown in ISO form
        ("2027-01-04T08:10:00+01:00", "2027-01-04 08:10:00+01:00"),
        ("2027-01-04", "2027-01-04"),
        ("830", "830"),
    ],
)
def test_moment_times_that_load(at: str, shown: str) -> None:
    assert load(at=at).engagement.perfect_days[0].moments[0].at == shown


@pytest.mark.parametrize(
    ("at", "message", "hint"),
    [
        ("8.10", "8.1 reads as a number, not a time of day", 'at: "08:10"'),
        ("8.5", "8.5 reads as a number, not a time of day", 'at: "08:10"'),
        ("2027-04-31 08:10:00", "'2027-04-31 08:10:00' is not a real date or time", "check the year"),
        ("true", "expected text, got True", "quote the value"),
        ("{hour: 8}", "expected text", "quote the value"),
    ],
)
def test_moment_times_that_are_refused(at: str, message: str, hint: str) -> None:
    with pytest.raises(EngagementError) as info:
        load(at=at)
    (problem,) = info.value.problems
    assert message in problem.message
    assert hint in problem.hint
    assert problem.line == 7
