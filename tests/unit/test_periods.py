"""Wave labels from a scenario start and wave length."""

from typing import get_args

import pytest

from visionkit._periods import MONTHS_PER, WAVE_LENGTHS, PeriodError, WaveLength, parse_start, wave_labels
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
