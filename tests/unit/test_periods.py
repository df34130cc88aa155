"""Wave labels from a scenario start and wave length."""

import itertools
from typing import get_args

import pytest

from visionkit._periods import MONTHS_PER, WAVE_LENGTHS, PeriodError, WaveLength, parse_start, wave_dates, wave_labels
from visionkit.model import Scenario


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        ("2027-Q1", "quarter", ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1"]),
        ("2027-Q3", "half", ["2027-H2", "2028-H1", "2028-H2", "2029-H1", "2029-H2"]),
        ("2027-11", "month", ["2027-11", "2027-12", "2028-01", "2028-02", "2028-03"]),
        ("2027-02-15", "quarter", ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1"]),
        ("2027", "year", ["2027", "2028", "2029", "2030", "2031"]),
        ("2027 q2", "quarter", ["2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1", "2028-Q2"]),
        (None, "quarter", ["Wave 1", "Wave 2", "Wave 3", "Wave 4", "Wave 5"]),
    ],
)
def test_wave_labels(start: str | None, length: str, expected: list[str]) -> None:
    assert wave_labels(start, length, 5) == expected


@pytest.mark.parametrize("start", ["Q1 2027", "2027-13", "2027-Q5", "next spring", "2027-02-40"])
def test_unreadable_starts_are_refused(start: str) -> None:
    with pytest.raises(PeriodError):
        parse_start(start)


def test_wave_lengths_are_the_scenario_type() -> None:
    assert WAVE_LENGTHS == get_args(WaveLength) == get_args(Scenario.model_fields["wave_length"].annotation)
    assert set(MONTHS_PER) == set(WAVE_LENGTHS)


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        ("2027-Q1", "quarter", [("2027-01-01", "2027-03-31"), ("2027-04-01", "2027-06-30")]),
        ("2027-02-15", "quarter", [("2027-01-01", "2027-03-31"), ("2027-04-01", "2027-06-30")]),
        ("2027-Q3", "half", [("2027-07-01", "2027-12-31"), ("2028-01-01", "2028-06-30")]),
        ("2027-12", "month", [("2027-12-01", "2027-12-31"), ("2028-01-01", "2028-01-31")]),
        ("2028-02", "month", [("2028-02-01", "2028-02-29"), ("2028-03-01", "2028-03-31")]),
        ("2027", "year", [("2027-01-01", "2027-12-31"), ("2028-01-01", "2028-12-31")]),
    ],
)
def test_wave_dates_are_each_waves_first_and_last_day(start: str, length: WaveLength, expected: list) -> None:
    assert [(a.isoformat(), b.isoformat()) for a, b in wave_dates(start, length, 2)] == expected


@pytest.mark.parametrize("length", WAVE_LENGTHS)
def test_wave_dates_follow_the_labels_without_gaps(length: WaveLength) -> None:
    days = wave_dates("2027-05-20", length, 30)
    labels = wave_labels("2027-05-20", length, 30)
    assert len(days) == len(labels) == 30
    for (first, last), (after, _) in itertools.pairwise(days):
        assert (after - last).days == 1 and first <= last
    for (first, _), label in zip(days, labels, strict=True):
        assert label.startswith(str(first.year))
    assert wave_dates(None, length, 4) == []  # no start, no dates
    assert wave_dates("9999", length, 200) == []  # past the last calendar year: labels only
