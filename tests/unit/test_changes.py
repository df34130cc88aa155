"""What changed between two versions of an engagement: each kind of change in its exact sentence, and the section."""

from __future__ import annotations

import copy
import datetime
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from pypdf import PdfReader

from visionkit._render_typst import TypstRenderer
from visionkit._typeset import notebook_to_pdf
from visionkit.changes import SAME, PlanChanges, compare_versions, match_moments
from visionkit.cli import demo_path
from visionkit.document import RoadmapDocument
from visionkit.engagement_file import load_engagement
from visionkit.errors import EngagementError
from visionkit.planner import plan
from visionkit.sections import SECTION_MIME, changes
from visionkit.validation import validate_engagement

# Alpha 1→2 costs 2 points, Gamma 0→1 costs 3, Beta 0→2 costs 4 and needs Alpha at 2 first. With 4 points a wave
# (strategy value): Alpha@2 in wave 1, Gamma@1 in wave 2 (it no longer fits wave 1), Beta@2 in wave 3.
BASE: dict[str, Any] = {
    "client": "Lumen Bank",
    "scenario": {"start": "2027-Q1", "waves": 4, "capacity": 4, "strategy": "value"},
    "catalog": {
        "extends": "none",
        "capabilities": [
            {"id": "alpha", "name": "Alpha", "domain": "core", "effort_per_level": 2},
            {"id": "beta", "name": "Beta", "domain": "core", "effort_per_level": 2, "requires": {"alpha": 2}},
            {"id": "gamma", "name": "Gamma", "domain": "core", "effort_per_level": 3},
        ],
    },
    "assessment": {"alpha": 1},
    "perfect_days": [
        {
            "id": "mia",
            "title": "Mia's morning",
            "moments": [
                {
                    "at": "08:00",
                    "channel": "app",
                    "story": "Mia opens the app and sees her order is ready",
                    "needs": {"alpha": 2},
                },
                {
                    "at": "09:00",
                    "channel": "store",
                    "story": "Mia collects her order at the counter without waiting",
                    "needs": {"beta": 2},
                },
                {
                    "at": "10:00",
                    "channel": "web",
                    "story": "Mia rates the visit and gets points straight away",
                    "needs": {"gamma": 1},
                },
            ],
        }
    ],
}


def versions(edit: Callable[[dict[str, Any]], object], base: dict[str, Any] = BASE) -> PlanChanges:
    """The changes from `base` to `base` edited."""
    new = copy.deepcopy(base)
    edit(new)
    return compare_versions(validate_engagement(base), validate_engagement(new))


def moments(data: dict[str, Any], day: int = 0) -> list[dict[str, Any]]:
    return data["perfect_days"][day]["moments"]  # type: ignore[no-any-return]


def said(items: list[Any]) -> list[str]:
    return [c.sentence for c in items]


def waves(items: list[Any]) -> list[tuple[str, Any, Any]]:
    return [(c.kind, c.old, c.new) for c in items]


def test_a_moment_added() -> None:
    found = versions(
        lambda d: moments(d).append(
            {
                "at": "11:00",
                "channel": "email",
                "story": "A thank-you note arrives with a voucher",
                "needs": {"gamma": 1},
            }
        )
    )
    assert said(found.narrative) == [
        "Moment added: Mia's morning 11:00 (email), “A thank-you note arrives with a voucher”"
    ]
    assert found.uplifts == []  # Gamma@1 serves it already
    assert said(found.moments) == ["Mia's morning 11:00, a new moment, goes live in 2027-Q2 (wave 2)."]
    assert said(found.days) == ["Mia's morning is live in full by 2027-Q3 (wave 3), as before."]
    assert found.experience.sentence == "Experience delivered over the horizon: 9.0 → 12.0 (+3.0)."


def test_a_moment_removed() -> None:
    found = versions(lambda d: moments(d).pop(2))
    assert said(found.narrative) == [
        "Moment removed: Mia's morning 10:00 (web), “Mia rates the visit and gets points straight away”"
    ]
    assert said(found.uplifts) == [
        "No longer needed: Gamma to level 1 (was 2027-Q2 (wave 2)) — 1 moment: Mia's morning (10:00); "
        "unlocks 1 moment in 2027-Q2: Mia's morning (10:00).",
        "Earlier: Beta to level 2, 2027-Q3 (wave 3) → 2027-Q2 (wave 2) — 1 moment: Mia's morning (09:00); "
        "unlocks 1 moment in 2027-Q2: Mia's morning (09:00).",
    ]
    assert waves(found.uplifts) == [("uplift-removed", 2, None), ("uplift-earlier", 3, 2)]
    assert said(found.moments) == ["Mia's morning 09:00 goes live sooner: 2027-Q3 (wave 3) → 2027-Q2 (wave 2)."]
    assert said(found.days) == ["Mia's morning is live in full: 2027-Q3 (wave 3) → 2027-Q2 (wave 2)."]


def test_a_moment_moved_is_the_only_one_said_to_move() -> None:
    found = versions(lambda d: moments(d).insert(0, moments(d).pop(2)))
    assert said(found.narrative) == ["Mia's morning 10:00 moved: now moment 1 of the day (was moment 3)."]
    assert waves(found.narrative) == [("moment-moved", 3, 1)]
    assert found.uplifts == found.moments == [] and [c.kind for c in found.days] == [SAME]
    assert found.experience.sentence == "Experience delivered over the horizon: 9.0, as before."


def test_a_story_edited_shows_the_words_that_changed() -> None:
    found = versions(lambda d: moments(d)[1].update(story="Mia collects her order at the kerbside without waiting"))
    assert said(found.narrative) == [
        "Mia's morning 09:00: story edited, “…order at the counter without waiting” → "
        "“…order at the kerbside without waiting”"
    ]
    assert found.uplifts == found.moments == []


def test_a_needs_level_raised() -> None:
    found = versions(lambda d: moments(d)[0]["needs"].update(alpha=3))
    assert said(found.narrative) == ["Mia's morning 08:00 needs Alpha at level 3 (was level 2)."]
    assert said(found.uplifts)[0] == (
        "New: Alpha to level 3, 2027-Q2 (wave 2) — 1 moment: Mia's morning (08:00); "
        "unlocks 1 moment in 2027-Q2: Mia's morning (08:00)."
    )
    assert waves(found.uplifts) == [("uplift-added", None, 2), ("uplift-later", 2, 3), ("uplift-later", 3, 4)]
    assert said(found.moments) == [
        "Mia's morning 08:00 goes live later: 2027-Q1 (wave 1) → 2027-Q2 (wave 2).",
        "Mia's morning 09:00 goes live later: 2027-Q3 (wave 3) → 2027-Q4 (wave 4).",
        "Mia's morning 10:00 goes live later: 2027-Q2 (wave 2) → 2027-Q3 (wave 3).",
    ]


def test_a_need_added() -> None:
    found = versions(lambda d: moments(d)[1]["needs"].update(gamma=1))
    assert said(found.narrative) == ["Mia's morning 09:00 now needs Gamma at level 1."]
    assert found.uplifts == found.moments == []  # Beta in wave 3 still decides when it goes live


def test_a_need_removed_and_the_time_and_channel_changed() -> None:
    def edit(d: dict[str, Any]) -> None:
        moments(d)[0].update(at="08:30", channel="web", needs={"gamma": 1})

    found = versions(edit)
    assert said(found.narrative) == [
        "Mia's morning 08:00 now happens at 08:30.",
        "Mia's morning 08:30: channel app → web.",
        "Mia's morning 08:30 now needs Gamma at level 1.",
        "Mia's morning 08:30 no longer needs Alpha (was level 2).",
    ]


def test_an_assessment_raised_so_an_uplift_is_no_longer_needed() -> None:
    found = versions(lambda d: d["assessment"].update(alpha=2))
    assert said(found.assessment) == ["Alpha: level 1 → 2."]
    assert found.uplifts[0].sentence == (
        "No longer needed: Alpha to level 2 (was 2027-Q1 (wave 1)) — 2 moments: Mia's morning (08:00, 09:00); "
        "unlocks 1 moment in 2027-Q1: Mia's morning (08:00); prerequisite of Beta to level 2."
    )
    assert said(found.moments)[0] == "Mia's morning 08:00 goes live sooner: 2027-Q1 (wave 1) → today."
    assert waves(found.moments) == [("live-sooner", 1, 0), ("live-sooner", 3, 2), ("live-sooner", 2, 1)]


def test_capacity_raised_so_uplifts_come_earlier_and_moments_go_live_sooner() -> None:
    found = versions(lambda d: d["scenario"].update(capacity=8))
    assert said(found.scenario) == ["Capacity: 4 points per wave → 8 points per wave."]
    assert said(found.uplifts) == [
        "Earlier: Gamma to level 1, 2027-Q2 (wave 2) → 2027-Q1 (wave 1) — 1 moment: Mia's morning (10:00); "
        "unlocks 1 moment in 2027-Q1: Mia's morning (10:00).",
        "Earlier: Beta to level 2, 2027-Q3 (wave 3) → 2027-Q2 (wave 2) — 1 moment: Mia's morning (09:00); "
        "unlocks 1 moment in 2027-Q2: Mia's morning (09:00).",
    ]
    assert said(found.moments) == [
        "Mia's morning 09:00 goes live sooner: 2027-Q3 (wave 3) → 2027-Q2 (wave 2).",
        "Mia's morning 10:00 goes live sooner: 2027-Q2 (wave 2) → 2027-Q1 (wave 1).",
    ]
    assert said(found.days) == ["Mia's morning is live in full: 2027-Q3 (wave 3) → 2027-Q2 (wave 2)."]
    assert found.experience.sentence == "Experience delivered over the horizon: 9.0 → 11.0 (+2.0)."


def test_a_perfect_day_added() -> None:
    leo = {
        "id": "leo",
        "title": "Leo's lunch",
        "priority": 2,
        "moments": [
            {"at": "12:30", "channel": "app", "story": "Leo pays for lunch with his phone", "needs": {"gamma": 2}}
        ],
    }
    found = versions(lambda d: d["perfect_days"].append(leo))
    assert said(found.narrative) == ["Perfect day added: Leo's lunch (1 moment, priority 2)."]
    assert said(found.uplifts) == [
        "New: Gamma to level 2, 2027-Q4 (wave 4) — 1 moment: Leo's lunch (12:30); "
        "unlocks 1 moment in 2027-Q4: Leo's lunch (12:30)."
    ]
    assert found.moments == []  # a new day's moments are said with the day
    assert said(found.days) == [
        "Mia's morning is live in full by 2027-Q3 (wave 3), as before.",
        "Leo's lunch, a new perfect day, is live in full by 2027-Q4 (wave 4).",
    ]


def test_a_perfect_day_retitled_reprioritised_and_removed() -> None:
    two = copy.deepcopy(BASE)
    two["perfect_days"].append(
        {"id": "leo", "title": "Leo's lunch", "moments": [{"story": "Leo pays", "needs": {"gamma": 1}}]}
    )

    def edit(d: dict[str, Any]) -> None:
        d["perfect_days"][0].update(title="Mia's Monday", priority=2)
        d["perfect_days"].pop(1)

    assert said(versions(edit, two).narrative) == [
        "Mia's morning is now called Mia's Monday.",
        "Mia's Monday: priority 1 → 2 (1 is the most important).",
        "Perfect day removed: Leo's lunch (1 moment).",
    ]


def test_a_strategy_changed() -> None:
    weighty = copy.deepcopy(BASE)
    moments(weighty)[2]["weight"] = 3  # value per effort now puts Gamma before Alpha; foundations still does not
    found = versions(lambda d: d["scenario"].update(strategy="foundations"), weighty)
    assert said(found.scenario) == ["Strategy: value → foundations."]
    assert waves(found.uplifts) == [("uplift-earlier", 2, 1), ("uplift-later", 1, 2)]
    assert said(found.moments) == [
        "Mia's morning 08:00 goes live sooner: 2027-Q2 (wave 2) → 2027-Q1 (wave 1).",
        "Mia's morning 10:00 goes live later: 2027-Q1 (wave 1) → 2027-Q2 (wave 2).",
    ]


def test_pins_exclusions_and_the_catalog_are_named_not_given_as_ids() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["scenario"].update(pin={"beta": 4}, exclude=["gamma@1"], waves=5)
        d["catalog"]["capabilities"][2]["effort_per_level"] = 1
        d["client"] = "Lumen"

    found = versions(edit)
    assert said(found.scenario) == [
        "Waves: 4 → 5.",
        "Pinned: Beta starts in wave 4.",
        "Excluded: Gamma to level 1.",
    ]
    assert said(found.catalog) == ["Catalog entry changed: Gamma (effort per level)."]
    assert said(found.details) == ["Client: Lumen Bank → Lumen."]
    assert said(found.uplifts) == [
        "Later: Beta to level 2, 2027-Q3 (wave 3) → 2027-Q4 (wave 4) — 1 moment: Mia's morning (09:00); "
        "unlocks 1 moment in 2027-Q4: Mia's morning (09:00).",
        "Now excluded: Gamma to level 1 (was 2027-Q2 (wave 2)).",
    ]
    assert "Mia's morning 10:00 is no longer live within the horizon: 2027-Q2 (wave 2) → beyond the horizon." in said(
        found.moments
    )


def test_identical_versions_have_no_changes() -> None:
    engagement = validate_engagement(BASE)
    found = compare_versions(engagement, validate_engagement(copy.deepcopy(BASE)))
    assert not found.changed and found.parts() == []
    assert found.before is found.after  # planned once
    assert json.loads(json.dumps(found.to_json()))["changed"] is False


# Matching moments


def test_moments_match_by_id_whatever_their_stories() -> None:
    old = copy.deepcopy(BASE)
    moments(old)[0]["id"] = "ready"
    new = copy.deepcopy(old)
    moments(new)[0]["story"] = "Something else entirely happens here"
    new["perfect_days"].append({"id": "leo", "title": "Leo's lunch", "moments": [moments(new).pop(0)]})
    assert match_moments(validate_engagement(old), validate_engagement(new)) == {0: 2, 1: 0, 2: 1}
    found = compare_versions(validate_engagement(old), validate_engagement(new))
    assert said(found.narrative)[:2] == [
        "Perfect day added: Leo's lunch (1 moment, priority 1).",
        "Leo's lunch 08:00 moved here from Mia's morning.",
    ]


def test_moments_without_ids_match_by_story_the_most_alike_first() -> None:
    new = copy.deepcopy(BASE)
    moments(new)[0]["story"] = "Mia opens the app and sees that her order is ready"  # one word added
    moments(new)[1]["story"] = "A courier brings the parcel to her office"  # rewritten: another moment
    moments(new).reverse()
    pairs = match_moments(validate_engagement(BASE), validate_engagement(new))
    assert pairs == {0: 2, 2: 0}
    assert match_moments(validate_engagement(BASE), validate_engagement(new), threshold=0.96) == {
        2: 0
    }  # 2 x 10 / 21 words alike: 0.952


def test_a_moment_with_a_story_alike_in_two_days_matches_in_its_own_day() -> None:
    old = copy.deepcopy(BASE)
    twin = {"id": "twin", "title": "Twin", "moments": [copy.deepcopy(moments(old)[0])]}
    old["perfect_days"].append(twin)
    new = copy.deepcopy(old)
    moments(new, 1)[0]["story"] += " at last"
    moments(new, 0)[0]["story"] += " at last"
    assert match_moments(validate_engagement(old), validate_engagement(new)) == {0: 0, 1: 1, 2: 2, 3: 3}


# The section, the document and no raw ids


def northwind_edited(tmp_path: Path) -> Path:
    text = demo_path().read_text(encoding="utf-8")
    for old, new in (
        ("capacity: 12,", "capacity: 14,"),
        ("  customer-360: 1\n", "  customer-360: 2\n"),
        ("next-best-action: 2, inventory", "next-best-action: 3, inventory"),
        ("title: Sam's perfect shift", "title: Sam's perfect Saturday shift"),
    ):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "northwind.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_raw_id_reaches_the_sentences(tmp_path: Path) -> None:
    found = compare_versions(load_engagement(demo_path()), load_engagement(northwind_edited(tmp_path)))
    text = " ".join(c.sentence for _, groups in found.parts() for _, items in groups for c in items)
    assert "Single customer view: level 1 → 2." in text and "Sam's perfect shift is now called" in text
    for up in [*found.before.uplifts, *found.after.uplifts]:
        assert up.id not in text, up.id
        if "-" in up.capability:
            assert up.capability not in text, up.capability


def test_the_section_renders_in_html_and_in_the_pdf(tmp_path: Path) -> None:
    found = versions(lambda d: d["scenario"].update(capacity=8))
    section = changes(found)
    assert section.id == "changes" and section.title == "What changed since the last version"
    html = section.html
    for words in ("What it did to the plan", "Capacity: 4 points per wave → 8 points per wave.", "Uplifts"):
        assert words.replace("'", "&#x27;") in html, words
    source = TypstRenderer().section(section.blocks, section.style, in_contents=True)
    assert "What changed since the last version" in source and "#list(" in source
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("doc.changes(previous)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={SECTION_MIME: section.payload()})]
    nb.cells.append(cell)
    pdf = notebook_to_pdf(nb)
    body = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "What changed since the last version" in body and "8 points per wave" in body
    assert "Experience delivered over the horizon: 9.0 → 11.0 (+2.0)." in body


def test_the_section_says_so_when_nothing_changed() -> None:
    engagement = validate_engagement(BASE)
    section = changes(compare_versions(engagement, engagement))
    assert [type(b).__name__ for b in section.blocks] == ["Heading", "Paragraph"]
    assert "Nothing changed since the last version." in section.html


def test_the_document_compares_with_a_previous_file_or_engagement(tmp_path: Path) -> None:
    path = northwind_edited(tmp_path)
    doc = RoadmapDocument.from_parameters(str(path), date="2027-01-04")
    section = doc.changes(demo_path())
    assert section.meta["client"] == "Northwind Outfitters"
    assert "Single customer view: level 1 → 2." in section.html
    assert doc.changes(load_engagement(demo_path())).blocks == section.blocks
    assert "changes" not in RoadmapDocument.SECTIONS
    # The document's parameters plan both versions: what the section shows is what the versions changed.
    same = RoadmapDocument.from_parameters(str(demo_path()), waves=8, strategy="value", date="2027-01-04")
    assert "Nothing changed since the last version." in same.changes(demo_path()).html


def test_a_previous_file_that_does_not_load_names_itself(tmp_path: Path) -> None:
    broken = tmp_path / "old.yaml"
    shutil.copyfile(demo_path(), broken)
    broken.write_text(broken.read_text(encoding="utf-8").replace("customer-360: 1", "customer-36: 1"), encoding="utf-8")
    doc = RoadmapDocument(
        load_engagement(demo_path()), plan(load_engagement(demo_path())), date=datetime.date(2027, 1, 4)
    )
    with pytest.raises(EngagementError, match=re.escape(str(broken))):
        doc.changes(broken)
