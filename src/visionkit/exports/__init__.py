"""Export a roadmap for other tools: Archi's CSV import set, ArchiMate's exchange XML, a Jira CSV of Epics.

Each target is a pure function from a `Roadmap` to its files' bytes (`archi.archi_files`,
`archimate.archimate_files`, `jira.jira_files`, built on the tables `archi_tables` and
`jira_table` return), kept apart from
the one function that writes: `export`, which writes every file of a target into a folder
atomically. `visionkit export TARGET FILE --out DIR` is its command line; docs/exports.md says
how to import each into its tool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .archi import archi_files, archi_tables
from .archimate import archimate_files
from .jira import jira_files, jira_table

if TYPE_CHECKING:
    from ..roadmap import Roadmap

__all__ = ["TARGETS", "Target", "archi_tables", "export", "files_of", "jira_table"]


@dataclass(frozen=True)
class Target:
    """An export target: what it is for, in one line, and the function that makes its files."""

    description: str
    files: Callable[[Roadmap], dict[str, bytes]]


# Add new targets here: a module beside this one with a pure function from a roadmap to its files,
# a row in docs/exports.md, and tests in tests/unit/test_exports.py. The command line lists these.
TARGETS: dict[str, Target] = {
    "archi": Target(
        "Archi's CSV import set (elements.csv, relations.csv, properties.csv): capabilities, uplifts, "
        "waves, perfect days and moments, related",
        archi_files,
    ),
    "archimate": Target(
        "the same model in ArchiMate's Open Exchange Format (archimate-model.xml), for any ArchiMate tool",
        archimate_files,
    ),
    "jira": Target(
        "one CSV for Jira's CSV importer: an Epic per uplift, dated, blocked by its prerequisites", jira_files
    ),
}


def files_of(roadmap: Roadmap, target: str) -> dict[str, bytes]:
    """The files a target makes of a roadmap: file name to bytes, the same bytes for the same plan."""
    return TARGETS[target].files(roadmap)


def export(roadmap: Roadmap, target: str, out: str | Path) -> list[Path]:
    """Write a target's files into the folder `out` at once, and return their paths.

    The files are written into a temporary folder beside `out` and moved into place only when all
    are whole: a failure leaves `out` as it was. Other files in `out` are kept; `out` may not be a link.
    """
    from .._atomic import atomic_write_files

    return atomic_write_files(Path(out), files_of(roadmap, target))
