"""The Assessment tab: today's level against the target, the gap, why each capability is in play, the rubric ladder."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from visionkit.engagement_file import load_engagement
from visionkit.widgets import EngagementSession, MaturityAssessor
from visionkit.widgets.assessor import (
    ON_THE_WAY_MARK,
    TARGET_MARK,
    TODAY_MARK,
    AssessmentRow,
    capabilities_in_play,
    gap_text,
)


@pytest.fixture
def session(engagement_path: Path) -> Iterator[EngagementSession]:
    session = EngagementSession(engagement_path, debounce=0, watch=False)
    yield session
    session.close()


@pytest.fixture
def assessor(session: EngagementSession) -> MaturityAssessor:
    return MaturityAssessor(session)


def text(value: str) -> str:
    """What a person reads in an HTML widget: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())


def ladder_rows(row: AssessmentRow) -> dict[int, str]:
    """The ladder's lines by level, as read."""
    found = re.findall(r"<tr class='vk-level-(\d)'[^>]*>(.*?)</tr>", row.ladder.value)
    return {int(level): text(cells) for level, cells in found}


def direct_needs(session: EngagementSession) -> dict[str, list[tuple[str, int]]]:
    """Each capability a moment needs itself: (perfect-day title · time, level) of those moments."""
    found: dict[str, list[tuple[str, int]]] = {}
    for day in session.engagement.perfect_days:
        for index, moment in enumerate(day.moments):
            for cid, level in moment.needs.items():
                found.setdefault(cid, []).append((f"{day.title} · {moment.at or f'moment {index + 1}'}", level))
    return found


def test_every_capability_in_play_shows_its_target_and_gap(
    assessor: MaturityAssessor, session: EngagementSession
) -> None:
    engagement = session.engagement
    targets = engagement.target_levels()
    assert set(assessor.rows) == set(targets)
    for cid, target in targets.items():
        row = assessor.rows[cid]
        today = engagement.assessment.get(cid, 0)
        assert row.picker.value == today
        assert text(row.target.value) == f"Target: {target}"
        gap = target - today
        assert text(row.gap.value) == ("Gap: ✓ met" if gap <= 0 else f"Gap: {gap} level{'s' if gap > 1 else ''}")
    # The demo has both kinds: open gaps and met targets.
    assert any("met" in row.gap.value for row in assessor.rows.values())
    assert any("levels" in row.gap.value for row in assessor.rows.values())


def test_direct_needs_name_their_moments_and_prerequisites_name_their_capabilities(
    assessor: MaturityAssessor, session: EngagementSession
) -> None:
    engagement = session.engagement
    catalog = engagement.capabilities
    targets = engagement.target_levels()
    direct = direct_needs(session)
    raw_ids = {day.id for day in engagement.perfect_days} | {
        engagement.moment_key(d, m) for d, day in enumerate(engagement.perfect_days) for m in range(len(day.moments))
    }
    prerequisite_only = set(targets) - set(direct)
    assert direct and prerequisite_only  # the demo has both
    for cid in targets:
        shown = text(assessor.rows[cid].name.value)
        assert catalog[cid].name in shown
        assert not any(re.search(rf"(?<![\w-]){re.escape(raw)}(?![\w-])", shown) for raw in raw_ids), shown
        requiring = {
            other: catalog[other].prerequisites(level)[cid]
            for other, level in targets.items()
            if cid in catalog[other].prerequisites(level)
        }
        if cid in direct:
            assert "needed directly by" in shown and "prerequisite only" not in shown
            for label, level in direct[cid]:
                assert f"{label} (level {level})" in shown
            if requiring:
                assert "also a prerequisite of" in shown
        else:
            assert "prerequisite only of" in shown and "needed directly" not in shown
            assert requiring
            for other, level in requiring.items():
                assert f"{catalog[other].name} (at {level})" in shown
    # Consent management is both: a moment needs it, and so does the single customer view at its target.
    both = text(assessor.rows["consent-management"].name.value)
    assert "needed directly by" in both and "Single customer view (at 2)" in both


def test_the_target_is_the_highest_level_a_moment_or_a_prerequisite_needs(session: EngagementSession) -> None:
    in_play = capabilities_in_play(session.engagement)
    assert {cid: p.target for cid, p in in_play.items()} == session.engagement.target_levels()
    for cid, p in in_play.items():
        levels = [level for _, level in p.moments] + [level for _, level in p.prerequisite_of]
        assert max(levels) == p.target, cid


def test_the_ladder_shows_every_rubric_level_with_today_and_the_target_marked(
    assessor: MaturityAssessor, session: EngagementSession
) -> None:
    catalog = session.engagement.capabilities
    for cid, target in session.engagement.target_levels().items():
        row = assessor.rows[cid]
        today = row.picker.value
        lines = ladder_rows(row)
        assert set(lines) == ({0} if today == 0 else set()) | {1, 2, 3, 4, 5}
        for level in range(1, 6):
            assert catalog[cid].rubric[level] in lines[level]
            assert (TODAY_MARK in lines[level]) == (level == today), (cid, level)
            assert (TARGET_MARK in lines[level]) == (level == target), (cid, level)
        # Marked in words and in weight, not by colour alone.
        bold = re.findall(r"<tr class='vk-level-(\d)'[^>]*><td style='[^']*font-weight:bold", row.ladder.value)
        assert {int(level) for level in bold} == {today, target}


def test_changing_todays_level_updates_the_gap_the_ladder_and_the_file(
    assessor: MaturityAssessor, session: EngagementSession, engagement_path: Path
) -> None:
    row = assessor.rows["customer-360"]
    target = session.engagement.target_levels()["customer-360"]
    assert target == 3 and row.picker.value == 1
    assert text(row.gap.value) == "Gap: 2 levels"
    widgets = (row.name, row.picker, row.target, row.gap, row.ladder)
    row.picker.value = 2
    assert load_engagement(engagement_path).assessment["customer-360"] == 2
    assert text(row.gap.value) == "Gap: 1 level"
    assert TODAY_MARK in ladder_rows(row)[2] and ON_THE_WAY_MARK not in " ".join(ladder_rows(row).values())
    row.picker.value = 4
    assert text(row.gap.value) == "Gap: ✓ met"
    assert "every target met" not in assessor.summary.value
    row.picker.value = 0
    assert "customer-360" not in load_engagement(engagement_path).assessment
    assert text(row.gap.value) == "Gap: 3 levels" and TODAY_MARK in ladder_rows(row)[0]
    assert (row.name, row.picker, row.target, row.gap, row.ladder) == widgets  # updated in place
    assert assessor.rows["customer-360"] is row


def test_a_new_need_raises_the_target_and_marks_the_capability_direct(
    assessor: MaturityAssessor, session: EngagementSession
) -> None:
    cid = "data-quality-management"
    row = assessor.rows[cid]
    assert "prerequisite only" in text(row.name.value)

    def need_it(data: dict) -> None:  # type: ignore[type-arg]
        data["perfect_days"][1]["moments"][0]["needs"][cid] = 4

    from ipywidgets.widgets.widget import _instances

    before = len(_instances)
    session.edit(need_it)  # as another tab would
    assert assessor.rows[cid] is row and len(_instances) == before  # updated in place, no widget made
    assert text(row.target.value) == "Target: 4"
    shown = text(row.name.value)
    assert "needed directly by Sam's perfect shift · 07:45 (level 4)" in shown
    assert "also a prerequisite of" in shown


def test_order_by_gap_puts_the_largest_gaps_first_and_keeps_the_rows(
    assessor: MaturityAssessor, session: EngagementSession
) -> None:
    rows = dict(assessor.rows)
    assessor.order.value = "gap"
    (box,) = assessor.groups.children
    shown = [row.capability for row in box.children]
    targets = session.engagement.target_levels()
    gaps = [max(targets[c] - session.engagement.assessment.get(c, 0), 0) for c in shown]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] > 0
    assert set(shown) == set(targets)
    catalog = session.engagement.capabilities
    assert catalog.domain_name(catalog[shown[0]].domain) in text(box.children[0].name.value)
    assessor.order.value = "domain"
    assert assessor.rows == rows and all(assessor.rows[c] is rows[c] for c in rows)
    headings = [text(group.children[0].value) for group in assessor.groups.children]
    ranks = list(catalog.domains)
    assert headings == [catalog.domain_name(d) for d in ranks if any(catalog[c].domain == d for c in targets)]
    for group in assessor.groups.children:
        names = [catalog[row.capability].name.casefold() for row in group.children[1:]]
        assert names == sorted(names)


def test_a_hidden_tab_waits_and_catches_up_when_shown(assessor: MaturityAssessor, session: EngagementSession) -> None:
    row = assessor.rows["social-listening"]
    assessor.set_visible(False)

    def assess(data: dict) -> None:  # type: ignore[type-arg]
        data.setdefault("assessment", {})["social-listening"] = 2

    session.edit(assess)
    assert row.picker.value == 0  # not followed while hidden
    assessor.set_visible(True)
    assert row.picker.value == 2 and text(row.gap.value) == "Gap: ✓ met"


def test_capabilities_no_moment_needs_show_no_target(assessor: MaturityAssessor, session: EngagementSession) -> None:
    catalog = session.engagement.capabilities
    assert "same-day-courier" not in assessor.rows
    assessor.show_all.value = True
    assert set(assessor.rows) == set(catalog)
    row = assessor.rows["same-day-courier"]
    assert text(row.target.value) == "Target: none" and text(row.gap.value) == "Gap: —"
    assert "not needed by any moment" in text(row.name.value)
    lines = ladder_rows(row)
    assert not any(TARGET_MARK in line for line in lines.values())
    assessor.show_all.value = False
    assert "same-day-courier" not in assessor.rows


def test_gap_text() -> None:
    assert [gap_text(today, 3) for today in range(5)] == ["3 levels", "2 levels", "1 level", "met", "met"]
    assert gap_text(2, None) == "—"
