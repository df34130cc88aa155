"""The files visionkit ships: the demo engagement, the workbooks, the catalog data and the document templates.

Every path into the package's data is named here once; the modules that read these files ask for them
by purpose. Only the standard library is imported, so asking costs nothing at start-up.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

CATALOG_SOURCE = "visionkit/data/catalog.yaml"
"""How problems in the shipped catalog name their file."""


def _shipped(*parts: str) -> Traversable:
    return resources.files("visionkit").joinpath(*parts)


def demo_path() -> Path:
    """The shipped demo engagement file."""
    return Path(str(_shipped("data", "demo", "northwind.yaml")))


def roadmap_workbook() -> Path:
    """The shipped roadmap workbook."""
    return Path(str(_shipped("workbooks", "roadmap.ipynb")))


def workbook_names() -> list[str]:
    """The file names of the shipped workbooks, sorted."""
    return sorted(p.name for p in _shipped("workbooks").iterdir() if p.name.endswith(".ipynb"))


def workbook_bytes(name: str) -> bytes:
    """The content of the shipped workbook called `name`."""
    return _shipped("workbooks", name).read_bytes()


def catalog_text() -> str:
    """The text of the shipped catalog file."""
    return _shipped("data", "catalog.yaml").read_text("utf-8")


def templates_dir() -> Path:
    """The folder holding the document templates: nbconvert's HTML template and Typst's document functions."""
    return Path(str(_shipped("templates")))


@cache
def stylesheet() -> str:
    """The document stylesheet shared by the notebook views and the HTML and PDF documents."""
    return _shipped("templates", "visionkit", "static", "style.css").read_text("utf-8")


@cache
def typst_template() -> str:
    """The Typst functions every PDF document is typeset with."""
    return _shipped("templates", "visionkit", "document.typ").read_text("utf-8")
