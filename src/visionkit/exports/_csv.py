"""What every export target shares: stable ids, dates and periods, and CSV text a spreadsheet cannot run."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import TYPE_CHECKING

from .._spreadsheet import as_text_cell

if TYPE_CHECKING:
    from ..roadmap import Roadmap

Table = list[list[str]]
"""A CSV file as rows of text cells, the header first."""


def digest(client: str, *key: str) -> str:
    """A hex digest of the client and an object's key: the same on every run, different for every client."""
    # The unit separator cannot occur in a client name or an id, so ("a b", "c") and ("a", "b c") differ.
    text = "\x1f".join((client, *key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def object_id(client: str, *key: str) -> str:
    """An id another tool keeps across imports: `id-` and 32 hex digits of the client and the object's key."""
    return f"id-{digest(client, *key)[:32]}"


def csv_bytes(table: Table, *, quote_all: bool = False) -> bytes:
    """The table as UTF-8 CSV with CRLF line ends; a cell that starts like a formula gets a leading '."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, strict=True
    )
    for row in table:
        writer.writerow([as_text_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def day_text(roadmap: Roadmap, wave: int | None, *, end: bool) -> str:
    """A wave's first (or last) day as YYYY-MM-DD; empty for no wave, for today, or without dates."""
    day = roadmap.wave_day(wave, end=end)
    return day.isoformat() if day else ""


def first_words(text: str, limit: int = 60) -> str:
    """The start of a text on one line, cut at a word with an ellipsis when longer than `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"
