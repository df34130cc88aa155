"""The journey in the Perfect days tab: its model, its messages, and what they do to the file."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from visionkit.catalog import base_catalog
from visionkit.engagement_file import load_engagement
from visionkit.widgets import EngagementSession, PerfectDayEditor
from visionkit.widgets.journey import NO_CHANNEL, journey_model, parse_message


@pytest.fixture()
def editor(engagement_path: Path) -> Iterator[PerfectDayEditor]:
    session = EngagementSession(engagement_path, debounce=0.0, watch=False)
    editor = PerfectDayEditor(session)
    yield editor
    editor.close()
    session.close()


def send(editor: PerfectDayEditor, **message: Any) -> None:
    """What the page sends, on the journey the page was last given."""
    editor.journey._received(editor.journey, {"version": editor.journey.journey["version"], **message}, [])
    editor.session.flush()


def stories(path: Path, day: int = 0) -> list[str]:
    return [m.story for m in load_engagement(path).perfect_days[day].moments]


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines a save took out and put in."""
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    return removed, added


def test_the_model_has_lanes_in_order_of_first_use_and_chips_marked_when_met_today() -> None:
    day = {
        "id": "d",
        "title": "A day",
        "moments": [
            {"at": "09:00", "channel": "store", "story": "a", "needs": {"customer-360": 2}},
            {"story": "b", "needs": {"customer-360": 4}, "feeling": {"today": -1, "perfect": True}},
            {"at": "later", "channel": "web", "story": "c", "needs": {"clienteling": 1}},
            {"channel": "store", "story": "d", "needs": {"clienteling": 1}},
        ],
    }
    model = journey_model(day, base_catalog("default"), {"customer-360": 3}, brand="#123456", version=7)
    assert model["version"] == 7 and model["brand"] == "#123456"
    assert model["lanes"] == [
        {"name": "store", "channel": "store"},
        {"name": NO_CHANNEL, "channel": ""},
        {"name": "web", "channel": "web"},
    ]
    assert [m["lane"] for m in model["moments"]] == [0, 1, 2, 0]
    assert [m["minutes"] for m in model["moments"]] == [540, None, None, None]
    assert model["moments"][1]["feeling"] == {"today": -1}  # a flag is not a score
    first, second = model["moments"][0]["needs"][0], model["moments"][1]["needs"][0]
    assert (first["name"], first["level"], first["met"]) == ("Single customer view", 2, True)
    assert second["met"] is False  # level 4 is above today's 3


@pytest.mark.parametrize(
    "content",
    [
        None,
        "move",
        {"type": "delete", "version": 1, "index": 0},
        {"type": "select", "version": 1},
        {"type": "select", "version": True, "index": 0},
        {"type": "move", "version": 1, "index": 0, "to": "2", "channel": None},
        {"type": "move", "version": 1, "index": 0, "to": 2, "channel": 3},
        {"type": "retime", "version": 1, "index": 0, "at": "25:00"},
        {"type": "retime", "version": 1, "index": 0},
    ],
)
def test_a_malformed_message_is_ignored(content: Any) -> None:
    assert parse_message(content) is None


def test_well_formed_messages_are_read_field_by_field() -> None:
    assert parse_message({"type": "select", "version": 2, "index": 1, "extra": "x"}) == {
        "type": "select",
        "version": 2,
        "index": 1,
    }
    assert parse_message({"type": "move", "version": 2, "index": 1, "to": 0}) == {
        "type": "move",
        "version": 2,
        "index": 1,
        "to": 0,
        "channel": None,
    }
    assert parse_message({"type": "retime", "version": 2, "index": 1, "at": "07:05"})["at"] == "07:05"  # type: ignore[index]


def test_a_card_dragged_later_moves_its_lines_as_they_are(editor: PerfectDayEditor) -> None:
    path = editor.session.path
    before_text, before = path.read_text(encoding="utf-8"), stories(path)
    send(editor, type="move", index=0, to=2, channel=None)
    assert stories(path) == [before[1], before[2], before[0], *before[3:]]
    removed, added = changed_lines(before_text, path.read_text(encoding="utf-8"))
    assert sorted(removed) == sorted(added)  # the moment's lines moved whole, nothing rewritten
    assert [m["story"] for m in editor.journey.journey["moments"]][2] == before[0]
    assert editor.rows[2].fields["story"].value == before[0]


def test_a_card_dropped_in_another_lane_changes_one_line(editor: PerfectDayEditor) -> None:
    path = editor.session.path
    before_text, before = path.read_text(encoding="utf-8"), stories(path)
    send(editor, type="move", index=0, to=3, channel="store")
    moment = load_engagement(path).perfect_days[0].moments[3]
    assert (moment.story, moment.channel) == (before[0], "store")
    removed, added = changed_lines(before_text, path.read_text(encoding="utf-8"))
    assert [line for line in removed if line not in added] == ["        channel: mobile app"]
    assert [line for line in added if line not in removed] == ["        channel: store"]


def test_the_lane_of_moments_without_a_channel_takes_the_channel_away(editor: PerfectDayEditor) -> None:
    send(editor, type="move", index=1, to=1, channel="")
    assert load_engagement(editor.session.path).perfect_days[0].moments[1].channel is None


def test_a_pin_dragged_on_the_ruler_retimes_the_moment(editor: PerfectDayEditor) -> None:
    path = editor.session.path
    before = path.read_text(encoding="utf-8")
    send(editor, type="retime", index=2, at="10:45")
    assert load_engagement(path).perfect_days[0].moments[2].at == "10:45"
    assert changed_lines(before, path.read_text(encoding="utf-8")) == (['      - at: "11:00"'], ['      - at: "10:45"'])
    assert editor.rows[2].fields["at"].value == "10:45"
    assert editor.journey.journey["moments"][2]["at"] == "10:45"


def test_a_message_about_an_older_picture_of_the_day_changes_nothing(editor: PerfectDayEditor) -> None:
    path = editor.session.path
    stale = editor.journey.journey["version"]
    editor.title.value = "Priya's Saturday, retitled"  # the journey is redrawn: a new version
    editor.session.flush()
    before = path.read_text(encoding="utf-8")
    editor.journey._received(editor.journey, {"type": "move", "version": stale, "index": 0, "to": 1}, [])
    editor.session.flush()
    assert path.read_text(encoding="utf-8") == before
    assert "nothing was moved" in editor.journey.note


def test_a_move_out_of_range_changes_nothing(editor: PerfectDayEditor) -> None:
    path = editor.session.path
    before = path.read_text(encoding="utf-8")
    send(editor, type="move", index=0, to=99, channel=None)
    send(editor, type="move", index=42, to=0, channel=None)
    assert path.read_text(encoding="utf-8") == before


def test_clicking_a_card_marks_it_and_puts_the_cursor_in_its_story(editor: PerfectDayEditor) -> None:
    focused: list[Any] = []
    editor.rows[3].fields["story"].focus = lambda: focused.append(editor.rows[3])
    send(editor, type="select", index=3)
    assert editor.journey.selected == 3 and focused == [editor.rows[3]]
    editor.picker.value = editor.picker.options[1][1]  # another day: nothing of it is selected
    assert editor.journey.selected == -1


def test_a_new_day_is_written_only_with_its_first_moment_and_its_id_follows_its_title(
    editor: PerfectDayEditor,
) -> None:
    path = editor.session.path
    before = path.read_text(encoding="utf-8")
    editor.new_day()
    assert editor.editing_new_day() and editor.title.value == ""
    editor.title.value = "Ravi's first week"
    editor.persona.value = "Ravi, a new associate"
    assert editor.day_id == "ravis-first-week"
    assert editor.picker.options[-1] == ("Ravi's first week (not saved yet)", "ravis-first-week")
    assert "a new perfect day is saved with its first moment" in editor.session.status_text()
    editor.title.value = "Ravi’s first week at Northwind"  # still not saved: the id keeps following
    assert editor.day_id == "ravis-first-week-at-northwind"
    editor.session.flush()
    assert path.read_text(encoding="utf-8") == before
    row = editor.drafts[editor.day_id][0]
    row.fields["story"].value = "His laptop and badge are waiting on his desk."
    row.need.value = "knowledge-management"
    editor.session.flush()
    new = load_engagement(path).perfect_days[-1]
    assert (new.id, new.title, new.persona, new.priority) == (
        "ravis-first-week-at-northwind",
        "Ravi’s first week at Northwind",
        "Ravi, a new associate",
        3,
    )
    assert [(m.story, dict(m.needs)) for m in new.moments] == [
        ("His laptop and badge are waiting on his desk.", {"knowledge-management": 3})
    ]
    assert not editor.editing_new_day() and editor.session.status_text().startswith("Saved to")
    editor.title.value = "Ravi's first month"  # saved: the id stays
    editor.session.flush()
    assert load_engagement(path).perfect_days[-1].id == "ravis-first-week-at-northwind"


def test_a_new_days_id_never_takes_one_the_file_has(editor: PerfectDayEditor) -> None:
    editor.new_day()
    editor.title.value = "Sam shift"
    assert editor.day_id == "sam-shift-2"


def test_delete_day_on_a_new_day_drops_it_and_writes_nothing(editor: PerfectDayEditor) -> None:
    path = editor.session.path
    before = path.read_text(encoding="utf-8")
    editor.new_day()
    editor.title.value = "A day to drop"
    editor.delete_day()
    editor.session.flush()
    assert not editor.editing_new_day() and all("drop" not in label for label, _ in editor.picker.options)
    assert path.read_text(encoding="utf-8") == before
    assert "perfect day" not in editor.session.status_text()
