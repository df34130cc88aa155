"""CSV files of build parameters: every problem names the CSV file, its row and its column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from visionkit.batch import collect_clients
from visionkit.cli import demo_path
from visionkit.errors import EngagementError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copyfile(demo_path(), tmp_path / "northwind.yaml")
    return tmp_path


def problems(folder: Path, text: str) -> list[str]:
    """What collect_clients says about a CSV holding `text` (empty if it reads)."""
    csv = folder / "clients.csv"
    csv.write_text(text, encoding="utf-8")
    try:
        collect_clients([str(csv)])
    except EngagementError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_a_good_csv_reads(folder: Path) -> None:
    assert problems(folder, "engagement_file,waves,strategy\nnorthwind.yaml,8,foundations\n") == []
    [client] = collect_clients([str(folder / "clients.csv")])
    assert client.name == "Northwind Outfitters" and client.parameters == {"waves": 8, "strategy": "foundations"}
    assert problems(folder, "engagement_file,strategy,time_limit\nnorthwind.yaml,optimal,2.5\n") == []
    [client] = collect_clients([str(folder / "clients.csv")])
    assert client.parameters == {"strategy": "optimal", "time_limit": 2.5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "engagement_file,waves\nnorthwind.yaml,0\n",
            "clients.csv:2:2: waves: waves must be a whole number of 1",
        ),
        ("engagement_file,strategy\nnorthwind.yaml,fastest\n", "clients.csv:2:2: strategy: strategy must be one of: e"),
        ("engagement_file,capacity\nnorthwind.yaml,-3\n", "clients.csv:2:2: capacity: capacity must be a whole number"),
        (
            "engagement_file,strategy,time_limit\nnorthwind.yaml,optimal,soon\n",
            "clients.csv:2:3: time_limit: time_limit must be a number of seconds more than 0 and at most 3600",
        ),
        (
            "engagement_file,time_limit\nnorthwind.yaml,0\n",
            "clients.csv:2:2: time_limit: time_limit must be a number of seconds more than 0 and at most 3600, got '0'",
        ),
        (
            "engagement_file,time_limit\nnorthwind.yaml,7200\n",
            "clients.csv:2:2: time_limit: time_limit must be a number of seconds more than 0 and at most 3600",
        ),
        (
            "engagement_file,engagement_file\nnorthwind.yaml,other.yaml\n",
            "clients.csv:1: column 'engagement_file' app",
        ),
        ("engagement_file,waves\nnorthwind.yaml,6,extra\n", "clients.csv:2:3: this row has 3 cells but the header"),
        (
            'engagement_file,title\nnorthwind.yaml,"never closed\n',
            "clients.csv:2: the CSV cannot be read: unexpected end",
        ),
        ("engagement_file,title\nnorthwind.yaml," + "x" * 200_000 + "\n", "the CSV cannot be read: field larger than"),
    ],
    ids=[
        "waves-0",
        "bad-strategy",
        "negative-capacity",
        "time-limit-words",
        "time-limit-0",
        "time-limit-too-long",
        "column-twice",
        "extra-cell",
        "unclosed-quote",
        "huge-field",
    ],
)
def test_csv_problems_name_the_file_row_and_column(folder: Path, text: str, expected: str) -> None:
    found = problems(folder, text)
    assert any(expected in p for p in found), found
