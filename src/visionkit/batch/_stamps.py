"""Build stamps: the `.visionkit-build.json` in each client's folder, whose folder it is, and the fingerprint."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from ._inputs import Client

STAMP = ".visionkit-build.json"


def stamped_owner(folder: Path) -> tuple[str, str] | None:
    """Who a client folder in the output belongs to, from its build stamp: (client, engagement file).

    None for a folder without a readable stamp. A stamp from before engagement files were recorded
    names the client only ("" for the file).
    """
    try:
        record = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("client"), str):
        return None
    return record["client"], str(record.get("engagement_file") or "")


@functools.cache
def package_digest(root: Path | None = None) -> bytes:
    """A digest of every file visionkit is made of: its code, templates, stylesheet, catalog and workbooks.

    A change to any of them (a section reworded, a template restyled) makes every client's documents
    out of date, as a new version does. Read once per build: 77 files, about 9 ms.
    """
    root = root or Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def _fingerprint(client: Client, workbook: Path, formats: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for part in (
        client.engagement_file.read_bytes() if client.engagement_file.is_file() else b"",
        workbook.read_bytes(),
        json.dumps(client.parameters, sort_keys=True, default=str).encode(),
        package_digest(),
        ",".join(sorted(formats)).encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()
