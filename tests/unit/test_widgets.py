"""Workshop widgets driven through their child widgets, asserting on the model and the file written."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest

import visionkit as vk
from visionkit.engagement_file import load_engagement
from visionkit.widgets import (
    CapabilityMapper,
    EngagementSession,
    MaturityAssessor,
    PerfectDayEditor,
    RoadmapExplorer,
)
from visionkit.widgets.mapper import traceability_html


def test_editor_saves_day_fields_keeping_the_rest(session: EngagementSession, engagement_path: Path) -> None:
    before = engagement_path.read_text(encoding="utf-8")
    editor = PerfectDayEditor(session, "sam-shift")
    editor.title.value = "Sam's best shift"
    editor.priority.value = 3
    after = engagement_path.read_text(encoding="utf-8")
    assert "title: Sam's best shift" in after and "priority: 3" in after
    changed = [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == ["    title: Sam's perfect shift", "    priority: 2"]
    assert "Saved to northwind.yaml at" in editor.status.label.value


def test_new_moment_is_a_draft_until_it_has_a_story_and_a_need(
    session: EngagementSession, engagement_path: Path
) -> None:
    editor = PerfectDayEditor(session, "sam-shift")
    row = editor.add_moment()
    row.fields["at"].value = "21:00"
    row.fields["story"].value = "Sam hands over to the evening team with notes."
    assert "hands over" not in engagement_path.read_text(encoding="utf-8")
    assert "Not saved yet" in row.draft_note.value
    row.need.value = "knowledge-management"
    text = engagement_path.read_text(encoding="utf-8")
    assert '- at: "21:00"\n        story: Sam hands over to the evening team with notes.\n' in text
    assert "needs: {knowledge-management: 3}" in text
    moments = load_engagement(engagement_path).perfect_days[1].moments
    assert moments[-1].story == "Sam hands over to the evening team with notes." and moments[-1].at == "21:00"
    row.fields["wow"].value = "Nothing falls through the cracks."
    assert load_engagement(engagement_path).perfect_days[1].moments[-1].wow == "Nothing falls through the cracks."
    assert "<b>Wow</b> Nothing falls through the cracks." in editor.preview.value


def test_invalid_input_is_shown_and_not_saved(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session)
    before = engagement_path.read_bytes()
    row = editor.rows[0]
    row.fields["story"].value = "   "
    assert "story must not be empty" in row.errors["story"].value
    assert engagement_path.read_bytes() == before
    assert row.fields["story"].value == "   "  # what was typed stays in the field
    row.fields["wow"].value = "Still saved while the story is being fixed."
    assert "Still saved while the story is being fixed." in engagement_path.read_text(encoding="utf-8")
    row.fields["story"].value = "A better story."
    assert row.errors["story"].value == ""
    assert load_engagement(engagement_path).perfect_days[0].moments[0].story == "A better story."


def test_reorder_and_remove_moments(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session, "sam-shift")
    first = [m.at for m in load_engagement(engagement_path).perfect_days[1].moments]
    editor.move(editor.rows[0], +1)
    assert [m.at for m in load_engagement(engagement_path).perfect_days[1].moments] == [first[1], first[0], *first[2:]]
    editor.remove(editor.rows[3])
    assert [m.at for m in load_engagement(engagement_path).perfect_days[1].moments] == [first[1], first[0], first[2]]
    assert len(editor.rows) == 3
    for _ in range(len(editor.rows) - 1):
        editor.remove(editor.rows[0])
    editor.remove(editor.rows[0])  # the last moment of a day stays
    assert "a perfect day needs at least one moment" in editor.rows[0].draft_note.value
    assert len(load_engagement(engagement_path).perfect_days[1].moments) == 1


def test_edits_are_debounced_into_one_write(engagement_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import visionkit.engagement_file as ef

    writes: list[str] = []
    real = ef.atomic_write_text
    monkeypatch.setattr(ef, "atomic_write_text", lambda path, text: (writes.append(text), real(path, text)))
    session = EngagementSession(engagement_path, debounce=0.2, watch=False)
    editor = PerfectDayEditor(session)
    for text in ("P", "Pr", "Pri", "Priya's day"):
        editor.title.value = text
    assert session.status == "unsaved" and writes == []
    deadline = time.monotonic() + 5
    while session.status != "saved" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(writes) == 1 and "title: Priya's day" in writes[0]


def test_mapper_suggests_adds_and_refuses_unknown_ids(session: EngagementSession, engagement_path: Path) -> None:
    mapper = CapabilityMapper(session)
    shown = " ".join(
        child.children[0].description for child in mapper.suggestions.children if child is not mapper.no_suggestion
    )
    assert "Inventory visibility" not in shown  # already needed by this moment
    session.edit(
        lambda data: data["perfect_days"][0]["moments"].append(
            {"story": "Priya earns loyalty points and a member reward.", "needs": {"customer-360": 1}}
        )
    )
    mapper.picker.value = (0, 5)
    why = " ".join(child.children[1].value for child in mapper.suggestions.children)
    assert "keywords &#x27;loyalty&#x27;" in why
    assert mapper.suggestions.children[0].children[0].description == "+ Loyalty and membership"
    mapper.picker.value = (0, 0)
    mapper.add_need("personalisation-engine", 2)
    needs = load_engagement(engagement_path).perfect_days[0].moments[0].needs
    assert needs["personalisation-engine"] == 2
    assert "Personalisation" in mapper.matrix.value
    before = engagement_path.read_bytes()
    mapper.add_need("personalisation-engin", 2)
    assert engagement_path.read_bytes() == before
    assert "personalisation-engin —" not in " ".join(mapper.search.options)
    assert "no capability &#x27;personalisation-engin&#x27; in the catalog" in mapper.errors.value
    mapper.set_level("customer-360", 4)
    assert load_engagement(engagement_path).perfect_days[0].moments[0].needs["customer-360"] == 4
    mapper.remove_need("personalisation-engine")
    assert "personalisation-engine" not in load_engagement(engagement_path).perfect_days[0].moments[0].needs


def test_mapper_matrix_has_the_roadmap_traceability_columns(session: EngagementSession) -> None:
    catalog = session.engagement.capabilities
    matrix = traceability_html(session.data, catalog)
    ids, _ = vk.plan(session.engagement).traceability_grid()
    heads = re.findall(r"<th style='writing-mode[^>]*>(.*?)</th>", matrix)
    assert heads == [html.escape(catalog[c].name) for c in ids]


def test_mapper_shows_moments_typed_in_the_editor(session: EngagementSession) -> None:
    editor = PerfectDayEditor(session, "sam-shift")
    mapper = CapabilityMapper(session)
    row = editor.add_moment()
    row.fields["story"].value = "Sam books a repair appointment for a customer's tent."
    row.need.value = "appointment-booking"
    labels = [label for label, _ in mapper.picker.options]
    assert any("Sam books a repair appointment" in label for label in labels)


def test_assessor_in_play_by_default_and_rubric_follows_level(
    session: EngagementSession, engagement_path: Path
) -> None:
    assessor = MaturityAssessor(session)
    catalog = session.engagement.capabilities
    assert 0 < len(assessor.pickers) < len(catalog)
    assert "same-day-courier" not in assessor.pickers  # not needed by any moment
    assessor.pickers["social-listening"].value = 2
    assert load_engagement(engagement_path).assessment["social-listening"] == 2
    assert catalog["social-listening"].rubric[2] in assessor.pickers["social-listening"].rubric_label.value
    assessor.pickers["social-listening"].value = 0
    assert "social-listening" not in load_engagement(engagement_path).assessment
    assessor.show_all.value = True
    assert len(assessor.pickers) == len(catalog)


def test_explorer_replans_as_controls_change(session: EngagementSession) -> None:
    explorer = RoadmapExplorer(session, background=False)
    assert explorer.last_roadmap.scenario.waves == 6
    explorer.waves.value = 9
    explorer.strategy.value = "foundations"
    assert explorer.last_roadmap.scenario.waves == 9
    assert explorer.last_roadmap.scenario.strategy == "foundations"
    assert "<svg" in explorer.gantt.value and "<svg" in explorer.burnup.value
    assert "Priya&#x27;s perfect Saturday" in explorer.readiness.value
    explorer.save_scenario()
    assert load_engagement(session.path).scenario.waves == 9


def test_explorer_plans_in_the_background(session: EngagementSession) -> None:
    explorer = RoadmapExplorer(session)
    future = explorer.replan()
    assert future is not None
    future.result(timeout=60)
    assert explorer.last_roadmap is not None and explorer.busy.value.count("moments are live") == 1


def test_workshop_has_four_tabs_sharing_one_session(engagement_path: Path) -> None:
    workshop = vk.workshop(engagement_path, debounce=0)
    tabs = workshop.tabs
    assert [tabs.get_title(i) for i in range(4)] == ["Perfect days", "Capabilities", "Assessment", "Roadmap"]
    assert {id(child.session) for child in tabs.children} == {id(workshop.session)}
    workshop.session.close()


def live_widgets() -> int:
    """How many widgets the kernel holds (each is a model the page keeps in sync)."""
    from ipywidgets.widgets.widget import _instances

    return len(_instances)


def test_typing_a_story_into_a_draft_keeps_its_widgets(engagement_path: Path) -> None:
    session = EngagementSession(engagement_path, debounce=60, watch=False)  # one save, at the end
    editor = PerfectDayEditor(session, "sam-shift")
    others = (CapabilityMapper(session), MaturityAssessor(session))
    row = editor.add_moment()
    row.need.value = "knowledge-management"  # the capability first, then the story, as users do
    children = [list(row.children), list(editor.rows_box.children)]
    before = live_widgets()
    story = "At the store Sam finds the handover notes waiting, sorted by what matters most this evening. " * 2
    for i in range(1, len(story) + 1):
        row.fields["story"].value = story[:i]
    assert live_widgets() == before  # 200 keystrokes, no widget made
    assert [list(row.children), list(editor.rows_box.children)[: len(children[1])]] == children
    assert row.index is not None and row in editor.rows  # the draft became a saved moment in place
    session.close()
    assert load_engagement(engagement_path).perfect_days[1].moments[-1].story == story.strip()
    assert others[0].session is session


def test_removing_a_moment_closes_its_widgets(session: EngagementSession) -> None:
    editor = PerfectDayEditor(session, "sam-shift")
    before = live_widgets()
    editor.remove(editor.rows[0])
    assert live_widgets() < before
    row = editor.add_moment()
    with_draft = live_widgets()
    editor.remove(row)
    assert live_widgets() < with_draft


def test_a_time_must_be_a_time_of_day(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session)
    before = engagement_path.read_bytes()
    row = editor.rows[0]
    row.fields["at"].value = "25:99"
    assert "not a time of day" in row.errors["at"].value and "00:00 to 23:59" in row.errors["at"].value
    assert engagement_path.read_bytes() == before
    assert session.status_text() == "Not saved: 1 field needs attention"
    row.fields["at"].value = "07:05"
    assert row.errors["at"].value == ""
    assert load_engagement(engagement_path).perfect_days[0].moments[0].at == "07:05"
    assert session.status_text().startswith("Saved to northwind.yaml at")


def test_moments_out_of_time_order_are_flagged_and_sorted(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session)
    times = [m.at for m in load_engagement(engagement_path).perfect_days[0].moments]
    assert editor.order_note.value == "" and editor.sort_button.layout.display == "none"
    editor.rows[0].fields["at"].value = "23:00"
    assert "not in time order" in editor.order_note.value and editor.sort_button.layout.display is None
    editor.sort_by_time()
    assert [m.at for m in load_engagement(engagement_path).perfect_days[0].moments] == [*times[1:], "23:00"]
    assert editor.order_note.value == ""
    assert editor.rows[-1].fields["at"].value == "23:00"


def test_a_failed_save_says_why_and_keeps_the_edit(
    session: EngagementSession, engagement_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import visionkit.engagement_file as ef

    real = ef.atomic_write_text

    def full(path: object, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ef, "atomic_write_text", full)
    editor = PerfectDayEditor(session)
    editor.persona.value = "Priya, who shops on Saturdays"
    assert session.status == "failed"
    assert editor.status is not None
    assert "Not saved: No space left on device" in editor.status.label.value
    assert editor.status.retry_button.layout.display is None
    assert session.data["perfect_days"][0]["persona"] == "Priya, who shops on Saturdays"
    monkeypatch.setattr(ef, "atomic_write_text", real)
    assert session.retry()
    assert load_engagement(engagement_path).perfect_days[0].persona == "Priya, who shops on Saturdays"
    assert editor.status.retry_button.layout.display == "none"


def test_a_failed_save_in_the_background_is_reported(engagement_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import visionkit.engagement_file as ef

    monkeypatch.setattr(
        ef, "atomic_write_text", lambda path, text: (_ for _ in ()).throw(PermissionError(13, "Permission denied"))
    )
    session = EngagementSession(engagement_path, debounce=0.05, watch=False)
    editor = PerfectDayEditor(session)
    editor.title.value = "Priya's day"
    deadline = time.monotonic() + 5
    while session.status != "failed" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert session.status_text() == "Not saved: Permission denied"


def test_a_change_on_disk_is_merged_with_the_edits(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session)
    text = engagement_path.read_text(encoding="utf-8")
    engagement_path.write_text(text.replace("capacity: 12", "capacity: 14"), encoding="utf-8")
    editor.persona.value = "Priya, parent of three"  # the save finds the file changed and merges
    saved = load_engagement(engagement_path)
    assert saved.scenario.capacity == 14 and saved.perfect_days[0].persona == "Priya, parent of three"
    assert session.status == "saved" and "took in changes made on disk" in session.status_text()
    engagement_path.write_text(
        engagement_path.read_text(encoding="utf-8").replace("Priya's perfect Saturday", "Priya's Saturday"),
        encoding="utf-8",
    )
    assert session.check_disk()
    assert editor.title.value == "Priya's Saturday"  # shown without any edit here


def test_the_same_field_changed_on_both_sides_asks_which_to_keep(
    session: EngagementSession, engagement_path: Path
) -> None:
    editor = PerfectDayEditor(session)
    text = engagement_path.read_text(encoding="utf-8")
    editor.persona.value = "Priya, as the workshop wrote her"
    engagement_path.write_text(
        engagement_path.read_text(encoding="utf-8").replace("Priya, as the workshop wrote her", "Priya, from git"),
        encoding="utf-8",
    )
    editor.persona.value = "Priya, as the workshop sees her"
    editor.title.value = "Priya's Saturday"
    assert session.status == "conflict"
    assert editor.status is not None
    rows = editor.status.conflicts.children
    assert (
        len(rows) == 1 and "Priya, from git" in rows[0].text.value and "as the workshop sees her" in rows[0].text.value
    )
    on_disk = engagement_path.read_text(encoding="utf-8")
    assert "Priya, from git" in on_disk and "Priya's Saturday" not in on_disk  # nothing written before the choice
    editor.persona.value = "Priya, as the workshop sees her now"  # typing on: the choice shows what is typed
    rows = editor.status.conflicts.children
    assert len(rows) == 1 and "as the workshop sees her now" in rows[0].text.value
    rows[0].theirs.click()
    saved = load_engagement(engagement_path).perfect_days[0]
    assert saved.persona == "Priya, from git" and saved.title == "Priya's Saturday"
    assert editor.persona.value == "Priya, from git" and session.status == "saved"
    assert editor.status.conflicts.children == ()
    assert text != on_disk


def test_a_broken_file_on_disk_pauses_saving_and_keeps_the_edits(
    session: EngagementSession, engagement_path: Path
) -> None:
    editor = PerfectDayEditor(session)
    good = engagement_path.read_text(encoding="utf-8")
    engagement_path.write_text(good + "perfect_days: [\n", encoding="utf-8")
    assert session.check_disk() and session.status == "disk-invalid"
    editor.title.value = "Priya's Saturday"
    assert engagement_path.read_text(encoding="utf-8").endswith("perfect_days: [\n")  # not overwritten
    assert "does not load" in session.status_text()
    engagement_path.write_text(good, encoding="utf-8")
    assert session.check_disk()
    assert load_engagement(engagement_path).perfect_days[0].title == "Priya's Saturday"


def test_reload_drops_the_edits_and_says_when(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session)
    session.debounce = 60  # the edit stays in memory
    editor.title.value = "Not kept"
    session.reload()
    assert editor.title.value == "Priya's perfect Saturday"
    assert session.status_text().startswith("Editing northwind.yaml (loaded at ")
    session.close()


def test_the_saved_plan_follows_each_save(session: EngagementSession) -> None:
    from visionkit.widgets import SavedPlan

    plan = SavedPlan(session)
    deadline = time.monotonic() + 30
    while plan.roadmap is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert plan.roadmap is not None and plan.roadmap.scenario.capacity == 12
    explorer = RoadmapExplorer(session, background=False)
    explorer.capacity.value = 20
    explorer.save_scenario()
    deadline = time.monotonic() + 30
    while plan.roadmap.scenario.capacity != 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert plan.roadmap.scenario.capacity == 20
    assert "dataframe" in plan.table.value


def test_hidden_tabs_catch_up_when_shown(engagement_path: Path) -> None:
    workshop = vk.workshop(engagement_path, debounce=0)
    try:
        mapper = workshop.mapper
        workshop.editor.rows[0].fields["story"].value = "Priya sees her loyalty points and a member reward."
        assert "loyalty" not in " ".join(label for label, _ in mapper.picker.options)
        workshop.tabs.selected_index = 1
        assert "loyalty" in " ".join(label for label, _ in mapper.picker.options)
    finally:
        workshop.session.close()


def test_a_moment_inserted_above_keeps_the_typing_in_its_own_moment(
    session: EngagementSession, engagement_path: Path
) -> None:
    from visionkit.engagement_file import EngagementFile

    editor = PerfectDayEditor(session, "sam-shift")
    children = list(editor.rows_box.children)
    row = editor.rows[1]
    row.fields["story"].value = "Sam is typing this"
    # A colleague inserts a moment above it and saves.
    colleague = EngagementFile.load(engagement_path)
    data = colleague.data()
    data["perfect_days"][1]["moments"].insert(
        1, {"at": "06:45", "story": "Inserted on disk.", "needs": {"workforce-scheduling": 2}}
    )
    colleague.save(data)
    assert session.check_disk()
    assert row.index == 2 and row.fields["story"].value == "Sam is typing this"
    assert row.layout.order == "2"  # moved on screen by CSS, its widgets and focus untouched
    assert list(editor.rows_box.children)[: len(children)] == children
    row.fields["story"].value = "Sam is typing this, still"
    moments = load_engagement(engagement_path).perfect_days[1].moments
    assert [m.story for m in moments[1:3]] == ["Inserted on disk.", "Sam is typing this, still"]


def test_the_explorer_follows_the_file_and_writes_only_what_it_changed(
    session: EngagementSession, engagement_path: Path
) -> None:
    explorer = RoadmapExplorer(session, background=False)
    explorer.strategy.value = "foundations"  # a what-if, not saved
    text = engagement_path.read_text(encoding="utf-8")
    engagement_path.write_text(text.replace("capacity: 12", "capacity: [8, 10, 10, 10, 10, 10]"), encoding="utf-8")
    assert session.check_disk()
    assert explorer.capacity.value == 8 and explorer.strategy.value == "foundations"
    explorer.save_scenario()
    scenario = load_engagement(engagement_path).scenario
    assert scenario.capacity == [8, 10, 10, 10, 10, 10] and scenario.strategy == "foundations"


def test_capabilities_are_found_by_id_or_name_and_unknown_ones_are_explained(
    session: EngagementSession, engagement_path: Path
) -> None:
    mapper = CapabilityMapper(session)
    mapper.add_need("Loyalty and membership", 2)  # its name, typed
    mapper.add_need("appointment-booking", 1)  # its id
    needs = load_engagement(engagement_path).perfect_days[0].moments[0].needs
    assert needs["loyalty-management"] == 2 and needs["appointment-booking"] == 1
    editor = PerfectDayEditor(session, "sam-shift")
    row = editor.add_moment()
    row.fields["story"].value = "Sam checks the rota."
    assert session.status_text() == "Not saved: 1 new moment needs a story and a capability"
    row.need.value = "rota magic"
    assert "no capability &#x27;rota magic&#x27; in the catalog" in row.draft_note.value
    row.need.value = "workforce MANAGEMENT and scheduling"  # a name, in any case
    assert load_engagement(engagement_path).perfect_days[1].moments[-1].needs == {"workforce-scheduling": 3}
    assert session.status_text().startswith("Saved to northwind.yaml at")


def test_a_removed_moment_can_be_brought_back(session: EngagementSession, engagement_path: Path) -> None:
    from visionkit.engagement_file import EngagementFile

    before = EngagementFile.load(engagement_path).data()
    editor = PerfectDayEditor(session, "sam-shift")
    editor.remove(editor.rows[1])
    assert editor.undo_button.layout.display is None and "Undo: bring back" in editor.undo_button.description
    editor.undo_remove()
    assert EngagementFile.load(engagement_path).data() == before  # back where it was
    assert editor.undo_button.layout.display == "none"


def test_running_the_workshop_again_keeps_its_edits_and_no_more_widgets(engagement_path: Path) -> None:
    first = vk.workshop(engagement_path, debounce=60)
    first.editor.title.value = "A title not saved yet"
    count = live_widgets()
    second = vk.workshop(engagement_path, debounce=60)
    assert second.session is first.session
    assert second.editor.title.value == "A title not saved yet"
    third = vk.workshop(engagement_path, debounce=60)
    assert live_widgets() == count
    third.close()
    assert load_engagement(engagement_path).perfect_days[0].title == "A title not saved yet"


def test_sliders_re_plan_once_on_release(engagement_path: Path) -> None:
    from visionkit.widgets import RoadmapExplorer

    explorer = RoadmapExplorer(engagement_path, background=False)
    try:
        assert explorer.waves.continuous_update is False and explorer.capacity.continuous_update is False
    finally:
        explorer.close()


def test_a_session_on_a_file_that_does_not_load_leaves_nothing_behind(tmp_path: Path) -> None:
    # Its __del__ once stopped a watcher it had not started yet, an error pytest reported later in an
    # unrelated test ("Exception ignored in EngagementSession.__del__").
    import gc

    from visionkit.errors import EngagementError
    from visionkit.widgets.session import EngagementSession

    bad = tmp_path / "bad.yaml"
    bad.write_text("client: [unclosed\n", encoding="utf-8")
    with pytest.raises(EngagementError):
        EngagementSession(bad)
    gc.collect()  # with the old __del__, pytest turns the ignored AttributeError into a failure here
