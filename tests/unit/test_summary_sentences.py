"""The executive summary's sentences say what the plan's own tables say, on generated engagements of every shape."""

from __future__ import annotations

import re

import pytest

from visionkit.doctree import plain_text
from visionkit.planner import plan
from visionkit.roadmap import Roadmap
from visionkit.sections import summary_sentences
from visionkit.testing import generate_engagement
from visionkit.validation import validate_engagement

CASES = [
    (caps, moments, seed, waves, capacity)
    for seed in range(6)
    for caps, moments, waves, capacity in ((12, 6, 6, 8), (30, 14, 8, 4), (20, 9, 12, 20), (25, 12, 3, 2))
]


def _wave_named(roadmap: Roadmap, words: str) -> int:
    """The wave a sentence names by its prose period, e.g. "2027-Q3 (wave 3)"."""
    named = [w for w in range(len(roadmap.labels) + 1) if roadmap.period(w, prose=True) == words]
    assert len(named) == 1, words
    return named[0]


@pytest.mark.parametrize(("caps", "moments", "seed", "waves", "capacity"), CASES)
def test_the_summary_agrees_with_the_readiness_and_wave_tables(
    caps: int, moments: int, seed: int, waves: int, capacity: int
) -> None:
    data = generate_engagement(caps, moments, seed=seed, waves=waves, capacity=capacity)
    roadmap = plan(validate_engagement(data))
    sentences = [plain_text(s) for s in summary_sentences(roadmap)]
    rows = [r for r in roadmap.readiness_rows() if r["kind"] == "moment"]
    waves_table = {0: 0, **{r["wave"]: r["moments_live"] for r in roadmap.wave_rows()}}
    waves_table[0] = sum(1 for r in rows if r["live_wave"] == 0)
    live = [r["live_wave"] for r in rows if r["live_wave"] is not None]

    first = sentences[0]
    assert first.startswith(f"Of the {len(rows)} moment")
    match = re.search(
        r", (?:all )?(\d+) (?:is|are) live (?:by (.+?)|today)(?: and (\d+) (?:is|are) not live.*)?[;.]", first
    )
    if not live:
        assert "none is live by the end of the horizon" in first, first
    else:
        assert match, first
        assert int(match.group(1)) == len(live)
        latest = 0 if match.group(2) is None else _wave_named(roadmap, match.group(2))
        assert latest == max(live)  # the wave the last of them goes live, as the readiness table says
        assert waves_table[latest] == len(live) and (latest == 0 or waves_table[latest - 1] < len(live))
        assert int(match.group(3) or 0) == len(rows) - len(live)

    half = next((s for s in sentences if s.startswith("Half of them")), None)
    need = (len(rows) + 1) // 2
    reached = [w for w in range(1, len(roadmap.labels) + 1) if waves_table[w] >= need]
    if half is None:
        assert not reached
    else:
        count, words = re.fullmatch(r"Half of them \((\d+)\) are live by (.+)\.", half).groups()  # type: ignore[union-attr]
        wave = _wave_named(roadmap, words)
        assert wave == reached[0] and int(count) == waves_table[wave]

    for day in roadmap.engagement.perfect_days:
        [said] = [s for s in sentences if s.startswith(day.title + " is ")]
        day_row = next(r for r in roadmap.readiness_rows() if r["kind"] == "perfect day" and r["perfect_day"] == day.id)
        if day_row["live_wave"] is None:
            assert "is not complete within the horizon" in said
        else:
            assert f"is live in full by {roadmap.period(day_row['live_wave'], prose=True)}" in said


def test_no_raw_id_reaches_the_documents_text() -> None:
    from visionkit.cli import demo_path
    from visionkit.document import RoadmapDocument

    doc = RoadmapDocument.from_parameters(str(demo_path()), strategy="value", waves=4, date="2027-01-04")
    text = " ".join(plain_text(s) for s in summary_sentences(doc.roadmap))
    html = doc.html()
    body = re.sub(r"<[^>]+>", " ", html[html.index("<body") :])  # text only: ids may stay in anchors
    prose = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    for up in doc.roadmap.uplifts:
        assert up.id not in body and up.id not in text, up.id
        if "-" in up.capability:  # an id that reads as a word ("clienteling") may appear as that word
            assert up.capability not in prose, up.capability
