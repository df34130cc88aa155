"""The roadmap as one CSV for Jira's CSV importer: an Epic per uplift, linked by what blocks what.

Columns follow what the importer maps (Atlassian's "Import data from a CSV file" and "Create
issues using the CSV importer"): a header row with a Summary column; `Issue Id`, a number unique
in the file that other rows refer to; one `Labels` column per label, since a label cannot hold a
space or a second label; dates as YYYY-MM-DD; and one `Inward issue link (Blocks)` column per
prerequisite, holding the Issue Id of the uplift that blocks this one (the column name Jira's own
CSV export uses for "is blocked by"). Each prerequisite is written once, on the uplift it blocks,
so Jira makes one link for it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._spreadsheet import FORMULA_STARTS
from ._csv import Table, csv_bytes, day_text, digest

if TYPE_CHECKING:
    from ..roadmap import Roadmap, Uplift

FILE = "jira-epics.csv"
LINK_COLUMN = "Inward issue link (Blocks)"
"""Holds the Issue Id of an issue that blocks the row's issue (the row "is blocked by" it)."""
SUMMARY_LIMIT = 255
"""The longest summary Jira takes."""
# Jira reads a description as its wiki markup, where these characters format text (*strong*, _emphasis_,
# -deleted-, {code}, [link], !image!, |table|, # lists, ...) or draw an emoticon ((y), (i), :), ;), :P),
# and a backslash before one shows it as typed.
_MARKUP = re.compile(r"([*_?\-+^~{}\[\]|!#()]|[:;](?=[PpDd]))")
_BLOCK_START = re.compile(r"^(h[1-6]|bq)\.")  # "h1. " or "bq. " at a line's start makes a heading or a quote


def label(text: str) -> str:
    """Text as one Jira label: each run of spaces becomes `_` (a label cannot hold a space)."""
    return re.sub(r"\s+", "_", text.strip())


def wiki_text(text: str) -> str:
    """Text as Jira wiki markup that shows it as written: on one line, each markup character escaped."""
    text = _MARKUP.sub(r"\\\1", " ".join(text.split()))
    return _BLOCK_START.sub(r"\1\\.", text)


def jira_length(text: str) -> int:
    """A text's length as Jira counts it: UTF-16 code units (an emoji outside the first plane is two)."""
    return len(text.encode("utf-16-le")) // 2


def summary(up: Uplift) -> str:
    """The epic's summary, "Customer 360 to level 3", within Jira's limit: a long name is cut, the level kept."""
    # The limit counts the quote a formula-like summary gets in the file (`_csv.csv_bytes`), as Jira reads it.
    limit = SUMMARY_LIMIT - (1 if up.label.startswith(FORMULA_STARTS) else 0)
    if jira_length(up.label) <= limit:
        return up.label
    tail = f"… to level {up.to_level}"
    # Two uplifts of one capability differ only in their level, so the cut falls in the name.
    name = up.name
    while name and jira_length(name.rstrip()) + jira_length(tail) > limit:
        name = name[:-1]
    return name.rstrip() + tail


def issue_ids(roadmap: Roadmap) -> dict[str, str]:
    """A number for each uplift, from the client and the uplift's id: the same on every run."""
    ids: dict[str, str] = {}
    taken: set[int] = set()
    for up_id in sorted(up.id for up in roadmap.uplifts):  # sorted, so a clash resolves the same way every run
        key: tuple[str, ...] = ("uplift", up_id)
        while (number := int(digest(roadmap.engagement.client, *key)[:8], 16) + 1) in taken:
            key = (*key, "again")
        taken.add(number)
        ids[up_id] = str(number)
    return ids


def _labels(roadmap: Roadmap, up: Uplift) -> list[str]:
    catalog = roadmap.engagement.capabilities
    labels = [label(catalog.domain_name(up.domain))]
    if up.start_wave:
        last = up.end_wave or len(roadmap.labels)
        labels += [label(roadmap.labels[w - 1]) for w in range(up.start_wave, last + 1)]
    if up.status != "scheduled":
        labels.append(up.status)
    return labels


def _description(roadmap: Roadmap, up: Uplift) -> str:
    parts = [
        f"{up.name}: from level {up.from_level} to level {up.to_level}, {up.effort} effort "
        f"point{'' if up.effort == 1 else 's'}.",
        f"When: {roadmap.when(up.id)}.",
    ]
    why = roadmap.why(up.id)
    if why:
        parts.append(f"Why: {why}.")
    if up.notes:
        parts.append(f"Notes: {'; '.join(up.notes)}.")
    return "\n\n".join(wiki_text(part) for part in parts)


def jira_table(roadmap: Roadmap) -> Table:
    """The rows of the Jira CSV, the header first: one Epic per uplift, in delivery order."""
    ids = issue_ids(roadmap)
    order = roadmap.in_delivery_order()
    rows = []
    for up in order:
        blocked_by = [ids[pre] for pre in up.prerequisites if pre in ids]
        rows.append(
            (
                [ids[up.id], "Epic", summary(up), _description(roadmap, up)],
                _labels(roadmap, up),
                [day_text(roadmap, up.start_wave, end=False), day_text(roadmap, up.end_wave, end=True)],
                blocked_by,
            )
        )
    # Repeated columns hold one value each, as many as the fullest row needs (at least one, so that a
    # saved import configuration maps the same columns whatever the plan).
    label_columns = max([1, *(len(r[1]) for r in rows)])
    link_columns = max([1, *(len(r[3]) for r in rows)])
    header = [
        "Issue Id",
        "Issue Type",
        "Summary",
        "Description",
        *["Labels"] * label_columns,
        "Start date",
        "Due date",
        *[LINK_COLUMN] * link_columns,
    ]
    table = [header]
    for fields, labels, dates, links in rows:
        table.append(
            [
                *fields,
                *labels,
                *[""] * (label_columns - len(labels)),
                *dates,
                *links,
                *[""] * (link_columns - len(links)),
            ]
        )
    return table


def jira_tables(roadmap: Roadmap) -> dict[str, Table]:
    """The one file of the Jira export, as a table."""
    return {FILE: jira_table(roadmap)}


def jira_files(roadmap: Roadmap) -> dict[str, bytes]:
    """The Jira CSV's bytes (quoted where a cell needs it)."""
    return {name: csv_bytes(table) for name, table in jira_tables(roadmap).items()}
