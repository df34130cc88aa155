"""Perfect days managed in the workshop: duplicated, deleted and brought back, ordered by priority."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from visionkit.engagement_file import load_engagement
from visionkit.widgets import EngagementSession, PerfectDayEditor


@pytest.fixture()
def editor(engagement_path: Path) -> Any:
    session = EngagementSession(engagement_path, debounce=0.0, watch=False)
    editor = PerfectDayEditor(session)
    yield editor
    editor.close()
    session.close()


def days(editor: PerfectDayEditor) -> list[tuple[str, str]]:
    engagement = load_engagement(editor.session.path)
    return [(d.id, d.title) for d in engagement.perfect_days]


def test_a_duplicated_day_follows_its_source_and_is_edited_next(editor: PerfectDayEditor) -> None:
    first_id, first_title = days(editor)[0]
    editor.duplicate_day()
    editor.session.flush()
    after = days(editor)
    assert after[1] == (f"{first_id}-copy", f"{first_title} (copy)")
    assert editor.day_id == f"{first_id}-copy" and editor.title.value == f"{first_title} (copy)"
    source = load_engagement(editor.session.path).perfect_days[0]
    copy = load_engagement(editor.session.path).perfect_days[1]
    assert [m.story for m in copy.moments] == [m.story for m in source.moments]
    editor.duplicate_day()  # a copy of the copy gets a fresh id too
    editor.session.flush()
    assert len({d for d, _ in days(editor)}) == len(days(editor)) == 4


def test_a_deleted_day_comes_back_with_undo_and_the_last_day_stays(editor: PerfectDayEditor) -> None:
    before = days(editor)
    editor.delete_day()
    editor.session.flush()
    assert days(editor) == before[1:] and editor.day_id == before[1][0]
    assert editor.undo_day_button.layout.display is None  # shown
    editor.undo_delete_day()
    editor.session.flush()
    assert days(editor) == before and editor.day_id == before[0][0]
    editor.delete_day()
    editor.delete_day()  # the last day left: refused, with the reason
    editor.session.flush()
    assert len(days(editor)) == 1 and "at least one perfect day" in editor.day_errors.value


def test_days_are_ordered_by_priority_in_the_file_and_the_picker(editor: PerfectDayEditor) -> None:
    editor.priority.value = 3  # the first day now matters least
    editor.session.flush()
    editor.sort_days()
    editor.session.flush()
    data = YAML(typ="safe").load(editor.session.path.read_text(encoding="utf-8"))
    priorities = [d.get("priority", 1) for d in data["perfect_days"]]
    assert priorities == sorted(priorities) and priorities[-1] == 3
    assert [value for _, value in editor.picker.options] == [d["id"] for d in data["perfect_days"]]
