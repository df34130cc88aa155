"""Workshop widgets driven through their child widgets, asserting on the model and the file written."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

import visionkit as vk
from visionkit.cli import demo_path
from visionkit.engagement_file import load_engagement
from visionkit.widgets import (
    CapabilityMapper,
    EngagementSession,
    MaturityAssessor,
    PerfectDayEditor,
    RoadmapExplorer,
)


@pytest.fixture
def engagement_path(tmp_path: Path) -> Path:
    path = tmp_path / "northwind.yaml"
    shutil.copyfile(demo_path(), path)
    return path


@pytest.fixture
def session(engagement_path: Path) -> EngagementSession:
    return EngagementSession(engagement_path, debounce=0)


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


def test_conflict_with_the_file_on_disk(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session)
    engagement_path.write_text(engagement_path.read_text(encoding="utf-8") + "# edited in git\n", encoding="utf-8")
    editor.title.value = "Changed in the workshop"
    assert session.status == "conflict"
    assert "changed on disk since it was loaded" in editor.status.label.value
    assert editor.status.reload_button.layout.display is None
    text = engagement_path.read_text(encoding="utf-8")
    assert text.endswith("# edited in git\n") and "Changed in the workshop" not in text
    session.keep_mine()
    assert "title: Changed in the workshop" in engagement_path.read_text(encoding="utf-8")
    assert editor.status.reload_button.layout.display == "none"
    engagement_path.write_text(engagement_path.read_text(encoding="utf-8").replace("Changed in", "Renamed in"))
    editor.persona.value = "someone"
    assert session.status == "conflict"
    session.reload()
    assert editor.title.value == "Renamed in the workshop"
    assert session.status == "loaded"


def test_edits_are_debounced_into_one_write(engagement_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import visionkit.engagement_file as ef

    writes: list[str] = []
    real = ef.atomic_write_text
    monkeypatch.setattr(ef, "atomic_write_text", lambda path, text: (writes.append(text), real(path, text)))
    session = EngagementSession(engagement_path, debounce=0.2)
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
    shown = " ".join(child.children[0].description for child in mapper.suggestions.children)
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
    assert mapper.search.ensure_option is True
    mapper.set_level("customer-360", 4)
    assert load_engagement(engagement_path).perfect_days[0].moments[0].needs["customer-360"] == 4
    mapper.remove_need("personalisation-engine")
    assert "personalisation-engine" not in load_engagement(engagement_path).perfect_days[0].moments[0].needs


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
    tabs = vk.workshop(engagement_path, debounce=0)
    assert [tabs.get_title(i) for i in range(4)] == ["Perfect days", "Capabilities", "Assessment", "Roadmap"]
    assert {id(child.session) for child in tabs.children} == {id(tabs.session)}
