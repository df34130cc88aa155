"""Office Open XML packages (the deck and the workbook) made reproducible: the same input, the same bytes.

python-pptx and openpyxl date every zip entry with the current time and openpyxl stamps the
workbook's `modified` property on save; each renderer fixes its document properties to the
document's own date, and `reproducible_zip` writes the package again with fixed entry dates.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from collections.abc import Mapping

from ._brand import DEFAULT_BRAND

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The date of every entry of a package: the earliest a zip file can hold."""
UNDATED = _dt.datetime(2000, 1, 1)
"""The created and modified time of a document that has no date of its own."""

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def reproducible_zip(data: bytes, replace: Mapping[str, bytes] | None = None) -> bytes:
    """The zip package `data` again, entries in the same order, each dated `ZIP_EPOCH` (and some replaced)."""
    swap = dict(replace or {})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            # Whatever system wrote it: the attributes otherwise record the platform and the umask.
            entry.create_system = 0
            entry.external_attr = 0
            target.writestr(entry, swap.pop(info.filename) if info.filename in swap else source.read(info))
        for name, blob in swap.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            target.writestr(entry, blob)
    return out.getvalue()


def document_time(date: str) -> _dt.datetime:
    """The created and modified time of a document: its date (YYYY-MM-DD) at midnight UTC, else `UNDATED`."""
    try:
        day = _dt.date.fromisoformat(date)
    except ValueError:
        return UNDATED
    return _dt.datetime(day.year, day.month, day.day)


def rgb_hex(colour: str) -> str:
    """A brand colour (#rgb or #rrggbb) as six upper-case hex digits; anything else is the default brand's."""
    match = _HEX.fullmatch(colour.strip()) or _HEX.fullmatch(DEFAULT_BRAND)
    assert match is not None  # the default brand is a valid colour
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return digits.upper()
