"""Text bound for spreadsheets: a cell that starts like a formula is written so that it stays text.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` (and, in
some versions, a tab or a carriage return) as a formula, so a capability named `=HYPERLINK(...)`
in a client's file would run when its CSV is opened. As OWASP advises for CSV injection, such a
cell is written with a leading single quote, which spreadsheets show as text. Only what is
written for a spreadsheet is changed: the Python API (`Roadmap.table()`) keeps the raw values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a cell must not start with to be read as text by every spreadsheet."""


def as_text_cell(value: Any) -> Any:
    """`value`, with a leading single quote if it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) cannot run as formulas."""
    safe = frame.map(as_text_cell)
    safe.columns = [as_text_cell(column) for column in frame.columns]
    return safe
