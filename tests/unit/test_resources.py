"""The shipped files are found by purpose, from one module."""

from __future__ import annotations

import nbformat

from visionkit import _resources as resources
from visionkit import cli


def test_every_shipped_file_is_found() -> None:
    assert resources.demo_path().is_file()
    assert nbformat.read(resources.roadmap_workbook(), as_version=4).cells
    assert resources.roadmap_workbook().name in resources.workbook_names()
    for name in resources.workbook_names():
        assert nbformat.reads(resources.workbook_bytes(name).decode("utf-8"), as_version=4).cells
    assert "capabilities:" in resources.catalog_text()
    assert (resources.templates_dir() / "visionkit" / "index.html.j2").is_file()
    assert ".vk-doc" in resources.stylesheet()
    assert resources.typst_template().strip()


def test_the_command_line_still_offers_the_demo_and_the_workbook() -> None:
    # Tests and notebooks name them as `visionkit.cli.demo_path` and `visionkit.cli.roadmap_workbook`.
    assert cli.demo_path is resources.demo_path
    assert cli.roadmap_workbook is resources.roadmap_workbook
