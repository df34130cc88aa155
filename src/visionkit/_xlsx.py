"""A roadmap's tables as an Excel workbook: one sheet per table, typed cells, and no cell that runs as a formula.

The sheets are the roadmap (`Roadmap.table()`'s columns, the domain by name, then each uplift's first
and last day as dates), readiness (with each moment's whole story), traceability, waves (with their
first and last day) and the assessment (each capability in play with today's level, its target, the gap
and whether a moment needs it directly or only as a prerequisite, as the workshop's Assessment tab
says). Numbers are numbers, periods and ids are text, the header row is frozen and filtered, and columns
are as wide as their content (within bounds).

Every text cell is stored as a string, never as a formula, and keeps the text as written. Text that
a spreadsheet would run as a formula if typed (`_spreadsheet.FORMULA_STARTS`) is also marked
"quote prefix", as Excel marks a cell typed with a leading `'`: shown as typed, sorted as text, and
still text when the cell is edited. (A CSV has no such mark, so there the `'` is in the text.) Text holding
characters XML cannot carry (C0 controls) shows U+FFFD in their place.

An executed roadmap notebook holds sections, not the roadmap itself: `notebook_to_xlsx` plans again
from the notebook's parameters (its parameters cell, then what papermill injected), exactly as its
workbook did; planning is deterministic. The plan is then checked against the notebook's own
uplift section, so an engagement file changed since the notebook ran is refused, never written.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._ooxml import document_time, reproducible_zip, rgb_hex
from ._spreadsheet import FORMULA_STARTS

if TYPE_CHECKING:
    from .roadmap import Roadmap

__all__ = ["SHEETS", "SpreadsheetError", "notebook_parameters", "notebook_to_xlsx", "roadmap_to_xlsx"]

SHEETS = ("Roadmap", "Readiness", "Traceability", "Waves", "Assessment")
"""The workbook's sheets, in order."""
MIN_WIDTH, MAX_WIDTH = 8, 60
"""Bounds of a column's width, in characters: a long "why" wraps past the screen rather than off it."""
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_PERCENT = {"utilisation"}
_COLUMN_ID = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
DATE_COLUMNS = ("start_date", "end_date")
"""The last columns of the Roadmap and Waves sheets: an uplift's or a wave's first day and last day."""


class SpreadsheetError(RuntimeError):
    """A notebook whose roadmap cannot be planned again as it was."""


def notebook_to_xlsx(nb: Any, base: str | Path | None = None) -> bytes:
    """An executed roadmap notebook's tables as .xlsx bytes; a relative engagement path is read in `base`."""
    from ._resources import demo_path
    from ._typeset import read_document
    from .doctree import to_json
    from .engagement_file import load_engagement
    from .errors import EngagementError
    from .planner import plan
    from .sections import uplift_list

    parameters = notebook_parameters(nb)
    path = Path(str(parameters.get("engagement_file") or demo_path()))
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    # As `RoadmapDocument.from_parameters` plans (the workbook's own call); the check below catches any drift.
    settings = {k: parameters.get(k) for k in ("scenario", "waves", "capacity", "strategy", "time_limit")}
    try:
        roadmap = plan(load_engagement(path), **settings)
    except (EngagementError, OSError, ValueError, TypeError) as exc:
        raise SpreadsheetError(f"the roadmap cannot be planned again from the notebook's parameters: {exc}") from None
    read = read_document(nb)
    shown = next((p for p in read.parts if getattr(p, "id", None) == "uplifts"), None)
    if shown is not None:
        # JSON both ways, so that tuples and lists compare alike.
        again = json.loads(json.dumps(to_json(uplift_list(roadmap).blocks)))
        if again != json.loads(json.dumps(to_json(shown.blocks))):
            raise SpreadsheetError(
                "the roadmap planned again from the notebook's parameters differs from the one in the notebook "
                "(its engagement file changed since it ran, or a time limit stopped the solver): run it again"
            )
    return roadmap_to_xlsx(roadmap, date=read.date or str(parameters.get("date") or ""))


def notebook_parameters(nb: Any) -> dict[str, Any]:
    """The parameters a roadmap notebook ran with: its parameters cell's values, then those papermill injected."""
    values: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            values.update(_literals(cell.source))
    injected = nb.metadata.get("papermill", {}).get("parameters", {})
    values.update(injected if isinstance(injected, dict) else {})
    return values


def _literals(source: str) -> dict[str, Any]:
    """The names a cell gives literal values to (`name: type = value` or `name = value`); nothing is run."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    out: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        else:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if len(names) != len(targets):
            continue  # an attribute or a subscript is no parameter
        try:
            literal = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError):
            continue
        out.update(dict.fromkeys(names, literal))
    return out


def roadmap_to_xlsx(roadmap: Roadmap, *, date: str = "") -> bytes:
    """The roadmap's tables as .xlsx bytes; dated `date` (YYYY-MM-DD), so the same plan gives the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    brand = rgb_hex(roadmap.engagement.branding.primary)
    first = True
    for name, (header, rows) in zip(SHEETS, _tables(roadmap), strict=True):
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = name
        _fill(sheet, header, rows, brand)
    when = document_time(date)
    props = book.properties
    props.title = "Roadmap tables"
    props.subject = roadmap.engagement.client
    props.creator = ""
    props.lastModifiedBy = None
    props.created = props.modified = when
    out = io.BytesIO()
    # ExcelWriter rather than `save`, which would stamp the time of saving as `modified`.
    ExcelWriter(book, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)).save()
    return reproducible_zip(out.getvalue())


def _tables(roadmap: Roadmap) -> list[tuple[list[str], list[list[Any]]]]:
    """Each sheet's header and rows, from the tables the roadmap and the Assessment tab already compute."""
    from .assessment import capabilities_in_play
    from .roadmap import TABLE_COLUMNS

    catalog = roadmap.engagement.capabilities
    # The roadmap's own columns, the domain by its name as on the Assessment sheet, then the calendar
    # dates of its waves (empty when the scenario has no start), as dates a filter can take ranges of.
    day = roadmap.wave_day
    uplift_rows = [
        [catalog.domain_name(row[c]) if c == "domain" else row[c] for c in TABLE_COLUMNS]
        + [day(row["start_wave"], end=False), day(row["end_wave"], end=True)]
        for row in roadmap.table_rows()
    ]
    tables = [([*TABLE_COLUMNS, *DATE_COLUMNS], uplift_rows)]
    # Every engagement has a perfect day and a wave, so the first row names the columns.
    readiness = roadmap.readiness_rows()
    # The readiness table's title is a story's first words; a sheet has room for the whole story beside it.
    stories = {mp.key: mp.story for mp in roadmap.moments}
    ready = [[*row.values(), stories.get(row["moment"], "") if row["kind"] == "moment" else ""] for row in readiness]
    tables.append(([*readiness[0], "story"], ready))
    capabilities, grid = roadmap.traceability_grid()
    trace = [[mp.perfect_day, mp.key, mp.at or "", *levels] for mp, levels in zip(roadmap.moments, grid, strict=True)]
    tables.append((["perfect_day", "moment", "at", *(catalog[c].name for c in capabilities)], trace))
    waves = roadmap.wave_rows()
    wave_rows = [[*w.values(), day(w["wave"], end=False), day(w["wave"], end=True)] for w in waves]
    tables.append(([*waves[0], *DATE_COLUMNS], wave_rows))
    in_play = capabilities_in_play(roadmap.engagement)
    assessment = []
    for cid in catalog.in_domain_order(in_play):
        why = in_play[cid]
        today = roadmap.current.get(cid, 0)
        known = cid in catalog
        assessment.append(
            [
                cid,
                catalog[cid].name if known else cid,
                catalog.domain_name(catalog[cid].domain) if known else "",
                today,
                why.target,
                max(why.target - today, 0),
                "directly" if why.direct else "prerequisite only",
                "; ".join(f"{label} (level {level})" for label, level in why.moments),
                "; ".join(f"{catalog[c].name if c in catalog else c} (level {lv})" for c, lv in why.prerequisite_of),
            ]
        )
    header = ["capability", "name", "domain", "today", "target", "gap", "needed", "by_moments", "prerequisite_of"]
    tables.append((header, assessment))
    return tables


def _value(value: Any) -> Any:
    """A cell's value: numbers as numbers, lists as text, text as written (less what XML cannot hold)."""
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return _ILLEGAL.sub("\ufffd", str(value))


def heading(column: str) -> str:
    """A column's heading for people: `value_per_effort` as "Value per effort"; other names as they are."""
    # Only the tables' own snake_case names: a capability's name (the traceability's columns) is shown as written.
    return column.replace("_", " ").capitalize() if _COLUMN_ID.fullmatch(column) else column


def _fill(sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], brand: str) -> None:
    """Write a table: a frozen, filtered header row in the brand colour, typed cells, fitted columns."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    widths = [len(heading(str(h))) for h in header]
    for y, row in enumerate([[heading(str(h)) for h in header], *rows], start=1):
        for x, raw in enumerate(row, start=1):
            value = _value(raw)
            cell = sheet.cell(row=y, column=x, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, whatever it looks like: openpyxl makes "=..." a formula otherwise
                if value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True  # and stays text when edited, as a cell typed with a leading '

            if y > 1 and header[x - 1] in _PERCENT and isinstance(value, float):
                cell.number_format = "0.0%"
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            shown = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            widths[x - 1] = max(widths[x - 1], len(shown))
    for x in range(1, len(header) + 1):
        cell = sheet.cell(row=1, column=x)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", start_color=brand, end_color=brand)
    for x, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(x)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(rows) + 1}"
