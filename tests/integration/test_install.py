"""A non-editable install ships the workbooks, templates, catalog and demo, and builds documents."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (found,) = out.glob("visionkit-*.whl")
    return found


def test_wheel_ships_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "visionkit/data/catalog.yaml",
        "visionkit/data/demo/northwind.yaml",
        "visionkit/workbooks/roadmap.ipynb",
        "visionkit/templates/visionkit/index.html.j2",
        "visionkit/templates/visionkit/conf.json",
        "visionkit/templates/visionkit/document.typ",
        "visionkit/templates/visionkit/static/style.css",
        "visionkit/py.typed",
    ):
        assert needed in names
    entry_points = (
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    )
    assert "visionkit-pdf = visionkit.exporters:PDFExporter" in entry_points
    assert "visionkit = visionkit.cli:main" in entry_points


def test_installed_copy_builds_the_demo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import visionkit; print(visionkit.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(target))  # the installed copy, not the source tree
    result = subprocess.run(
        [sys.executable, "-m", "visionkit", "demo", "--out", str(tmp_path / "out"), "--to", "html,pdf"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pdf = tmp_path / "out" / "northwind-outfitters" / "roadmap.pdf"
    assert pdf.is_file() and str(pdf.resolve()) in result.stdout
