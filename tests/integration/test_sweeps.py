"""Sweeps: one document per combination of settings, and one per client comparing them, built like any client."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from visionkit.batch import Client, sweep_clients
from visionkit.cli import demo_path
from visionkit.parameters import BadValue, sweep_axes, sweep_points, sweep_text


def visionkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "visionkit", *args], capture_output=True, text=True, timeout=600)


def test_a_sweep_is_read_by_each_parameters_own_rule() -> None:
    axes = sweep_axes(" capacity = 8,12,16 ;strategy=value,quick-wins,value; time-limit=2.5")
    assert axes == [("capacity", [8, 12, 16]), ("strategy", ["value", "quick-wins"]), ("time_limit", [2.5])]
    assert sweep_text(axes) == "capacity=8,12,16; strategy=value,quick-wins; time_limit=2.5"
    assert sweep_axes(sweep_text(axes)) == axes
    points = sweep_points(axes)
    assert len(points) == 6
    assert points[1] == (
        "capacity 8, strategy quick-wins, time limit 2.5",
        {"capacity": 8, "strategy": "quick-wins", "time_limit": 2.5},
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("capacity=8,x", "capacity values are each a whole number of 0 or more"),
        ("colour=red", "the settings that can vary are scenario, waves, capacity, strategy, time_limit"),
        ("capacity=8; capacity=9", "capacity is given twice"),
        ("strategy=fastest", "strategy values are each one of: experience"),
        ("waves=1,2,3,4,5,6,7,8,9; capacity=1,2,3,4,5,6,7,8", "at most 64 combinations, not 72"),
        ("capacity=", "give capacity at least one value"),
    ],
)
def test_a_bad_sweep_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(BadValue) as caught:
        sweep_axes(text)
    assert says in f"{caught.value.expected} {caught.value.hint}"


def test_each_client_is_swept_and_compared_the_sweep_winning_over_its_row() -> None:
    client = Client("Acme", Path("acme.yaml"), {"capacity": 20, "title": "Plan"})
    swept = sweep_clients([client], sweep_axes("capacity=8,12"))
    assert [c.name for c in swept] == ["Acme · capacity 8", "Acme · capacity 12", "Acme · comparison"]
    assert [c.parameters for c in swept] == [
        {"capacity": 8, "title": "Plan"},
        {"capacity": 12, "title": "Plan"},
        {"capacity": 20, "title": "Plan", "sweep": "capacity=8,12"},
    ]


def test_build_sweep_writes_a_document_per_combination_and_one_comparing_them(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("build", str(demo_path()), "--out", str(out), "--to", "pdf", "--sweep", "capacity=10,16")
    result = visionkit(*args, "--sweep", "strategy=experience")
    assert result.returncode == 0, result.stdout + result.stderr
    folders = sorted(p.name for p in out.iterdir())
    assert folders == [
        "northwind-outfitters-capacity-10-strategy-experience",
        "northwind-outfitters-capacity-16-strategy-experience",
        "northwind-outfitters-comparison",
    ]
    for folder in folders:
        assert (out / folder / "roadmap.pdf").is_file()
        stamp = json.loads((out / folder / ".visionkit-build.json").read_text(encoding="utf-8"))
        assert stamp["client"].startswith("Northwind Outfitters · ")
    text = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(out / folders[2] / "roadmap.pdf").pages
    )
    assert (
        "planned under each of 2 combinations of settings; each is compared with the first, "
        "capacity 10, strategy experience" in text
    )
    assert "With 16 points a wave (capacity 16, strategy experience)" in text
    again = visionkit(*args, "--sweep", "strategy=experience")
    assert again.returncode == 0 and again.stdout.count("skipped") == 3, again.stdout  # incremental like any build


def test_a_bad_sweep_option_exits_2_and_builds_nothing(tmp_path: Path) -> None:
    result = visionkit("build", str(demo_path()), "--out", str(tmp_path / "out"), "--sweep", "capacity=8,x")
    assert result.returncode == 2 and "argument --sweep:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
