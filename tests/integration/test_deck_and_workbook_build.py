"""`visionkit build --to pptx,xlsx` and the `visionkit-pptx` / `visionkit-xlsx` exporters, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from visionkit.batch import STAMP
from visionkit.cli import demo_path


def visionkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "visionkit", *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deck")
    result = visionkit(
        "build", str(demo_path()), "--out", str(out), "--title", "Vision to roadmap", "--date", "2027-01-04",
        "--to", "ipynb,pptx,xlsx",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "northwind-outfitters"


def test_the_build_keeps_the_deck_and_the_workbook_when_asked(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == [STAMP, "roadmap.ipynb", "roadmap.pptx", "roadmap.xlsx"]
    stamp = json.loads((built / STAMP).read_text(encoding="utf-8"))
    assert {"pptx", "xlsx"} <= set(stamp["seconds"])
    deck = Presentation(str(built / "roadmap.pptx"))
    titles = [s.shapes.title.text_frame.text for s in deck.slides if s.shapes.title is not None]
    assert titles[:4] == ["Vision to roadmap", "Executive summary", "Priya's perfect Saturday", "Sam's perfect shift"]
    assert "Experience burn-up" in titles and any(t == "Roadmap" or t.startswith("Roadmap (") for t in titles)
    workbook = openpyxl.load_workbook(built / "roadmap.xlsx")
    assert workbook.sheetnames == ["Roadmap", "Readiness", "Traceability", "Waves", "Assessment"]
    assert workbook["Roadmap"].max_row > 10


def test_the_exporters_make_the_same_bytes_as_the_build(built: Path, tmp_path: Path) -> None:
    source = tmp_path / "executed.ipynb"
    source.write_bytes((built / "roadmap.ipynb").read_bytes())
    for fmt, ext in (("visionkit-pptx", "pptx"), ("visionkit-xlsx", "xlsx")):
        result = subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", fmt, str(source)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / f"executed.{ext}").read_bytes() == (built / f"roadmap.{ext}").read_bytes()
