"""The export job: an executed notebook rendered to each document format, and the warm-up of the export template."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from .._atomic import atomic_write_bytes, atomic_write_text

FORMATS = ("ipynb", "html", "pdf", "pptx", "xlsx")
"""What a build can keep of each client, as `roadmap.<format>`; `--to` offers these.

Add yours here. Then `export_job` writes it (and `EXPORTED` names it), and the `--to` help in cli.py
lists it. docs/architecture.md ("An export format") gives every step.
"""
DEFAULT_FORMATS = ("ipynb", "html", "pdf")
"""What a build keeps when `--to` does not say: the deck and the spreadsheet only when asked."""
EXPORTED = ("html", "pdf", "pptx", "xlsx")
"""The formats `export_job` makes from the executed notebook (the notebook itself is papermill's)."""


def warm_exporters() -> None:
    """Load the HTML templates and find the fonts once, so that forked exporters start with them.

    Nothing is typeset here: Typst starts worker threads when it compiles, and a process that forks
    must not have any.
    """
    import nbformat

    from .._typeset import fonts
    from ..exporters import HTMLExporter

    HTMLExporter().from_notebook_node(nbformat.v4.new_notebook())
    fonts()


def export_job(notebook: str, folder: str, formats: Sequence[str]) -> None:
    """Render an executed notebook to roadmap.<format> in `folder` for each of `formats`, with the time each took."""
    import nbformat

    from .._typeset import notebook_to_pdf
    from ..exporters import HTMLExporter

    started = time.perf_counter()
    nb = nbformat.read(notebook, as_version=4)
    seconds: dict[str, float] = {}
    if "html" in formats:
        atomic_write_text(Path(folder) / "roadmap.html", HTMLExporter().from_notebook_node(nb)[0])
        seconds["html"] = time.perf_counter() - started
    if "pdf" in formats:
        started = time.perf_counter()
        atomic_write_bytes(Path(folder) / "roadmap.pdf", notebook_to_pdf(nb))
        seconds["pdf"] = time.perf_counter() - started
    if "pptx" in formats:
        from .._render_pptx import notebook_to_pptx

        started = time.perf_counter()
        atomic_write_bytes(Path(folder) / "roadmap.pptx", notebook_to_pptx(nb))
        seconds["pptx"] = time.perf_counter() - started
    if "xlsx" in formats:
        from .._xlsx import notebook_to_xlsx

        started = time.perf_counter()
        atomic_write_bytes(Path(folder) / "roadmap.xlsx", notebook_to_xlsx(nb))
        seconds["xlsx"] = time.perf_counter() - started
    atomic_write_text(Path(folder) / "timings.json", json.dumps(seconds))
