"""The Roadmap tab saves what it shows as a named scenario, starts from one, and follows the file.

Each test drives the explorer through its own widgets and reads the engagement file it wrote: a new
scenario adds only its own lines, right after `scenario:`; a name the file has is replaced only after
the user says so, and then only that scenario's lines change.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

import visionkit as vk
from visionkit.engagement_file import EngagementFile, load_engagement
from visionkit.widgets import EngagementSession, RoadmapExplorer

BASELINE_LINE = "scenario: {start: 2027-Q1, waves: 6, wave_length: quarter, capacity: 12, strategy: experience}\n"
SCENARIOS = (
    "scenarios:\n"
    "  - name: more budget\n"
    "    capacity: 20          # what finance offered\n"
    "  - name: api first\n"
    "    waves: 8\n"
    "    pin: {api-management@2: 1}\n"
    "  - name: late forecasting\n"
    "    pin: {demand-forecasting@3: 6}\n"
)


@pytest.fixture
def with_scenarios(engagement_path: Path) -> EngagementSession:
    """The demo with three named scenarios after its baseline, and a session on it."""
    text = engagement_path.read_text(encoding="utf-8")
    assert BASELINE_LINE in text
    engagement_path.write_text(text.replace(BASELINE_LINE, BASELINE_LINE + SCENARIOS), encoding="utf-8")
    return EngagementSession(engagement_path, debounce=0, watch=False)


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines a save removed and the lines it added."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def same_plan(a: vk.Roadmap, b: vk.Roadmap) -> bool:
    """Two roadmaps with the same settings, uplifts in the same waves and moments live at the same time."""
    return a.scenario == b.scenario and a.uplifts == b.uplifts and a.moments == b.moments


def test_a_new_scenario_adds_only_its_lines_right_after_the_baseline(
    session: EngagementSession, engagement_path: Path
) -> None:
    before = engagement_path.read_text(encoding="utf-8")
    explorer = RoadmapExplorer(session, background=False)
    assert explorer.scenario.options == ("baseline",) and explorer.scenario.value == "baseline"
    rows = [list(getattr(child, "children", ())) for child in explorer.children]
    explorer.capacity.value = 20
    explorer.strategy.value = "foundations"
    shown = explorer.last_roadmap
    explorer.scenario_name.value = "more budget"
    explorer.save_as_button.click()

    after = engagement_path.read_text(encoding="utf-8")
    removed, added = diff(before, after)
    assert removed == [] and added == ["scenarios:", "  - {name: more budget, capacity: 20, strategy: foundations}"]
    assert BASELINE_LINE + "scenarios:\n" in after  # right after the baseline, before `catalog:`
    engagement = load_engagement(engagement_path)
    assert engagement.scenario_names() == ["baseline", "more budget"]
    assert engagement.scenario.capacity == 12 and engagement.scenario.strategy == "experience"  # baseline kept
    assert same_plan(vk.plan(engagement, scenario="more budget"), shown)
    # The dropdown lists and selects it; nothing was rebuilt; the status bar shows the save.
    assert explorer.scenario.options == ("baseline", "more budget") and explorer.scenario.value == "more budget"
    assert explorer.last_roadmap.scenario_name == "more budget" and same_plan(explorer.last_roadmap, shown)
    assert [list(getattr(child, "children", ())) for child in explorer.children] == rows
    assert explorer.name_note.value == "" and explorer.confirm.layout.display == "none"
    assert explorer.status is not None and "Saved to northwind.yaml at" in explorer.status.label.value


def test_a_scenario_saved_from_a_named_one_keeps_its_other_settings(
    with_scenarios: EngagementSession, engagement_path: Path
) -> None:
    explorer = RoadmapExplorer(with_scenarios, background=False)
    explorer.scenario.value = "api first"
    explorer.capacity.value = 20
    shown = explorer.last_roadmap
    before = engagement_path.read_text(encoding="utf-8")
    explorer.scenario_name.value = "  api first, more budget  "  # spaces around a name are not part of it
    assert explorer.save_as()
    removed, added = diff(before, engagement_path.read_text(encoding="utf-8"))
    assert removed == []
    # Written in the style of the list it joins, after the last entry, the keys in the schema's order.
    assert added == [
        "  - name: api first, more budget",
        "    waves: 8",
        "    capacity: 20",
        "    pin: {api-management@2: 1}",
    ]
    engagement = load_engagement(engagement_path)
    assert same_plan(vk.plan(engagement, scenario="api first, more budget"), shown)
    assert explorer.scenario.value == "api first, more budget"


def test_a_name_the_file_has_is_replaced_only_once_confirmed(
    with_scenarios: EngagementSession, engagement_path: Path
) -> None:
    explorer = RoadmapExplorer(with_scenarios, background=False)
    explorer.capacity.value = 24
    explorer.waves.value = 7
    before = engagement_path.read_text(encoding="utf-8")
    explorer.scenario_name.value = "More Budget"  # names differing only in case are one scenario
    explorer.save_as_button.click()
    assert explorer.confirm.layout.display is None
    assert "Replace &#x27;more budget&#x27;?" in explorer.confirm_text.value
    assert engagement_path.read_text(encoding="utf-8") == before  # asking writes nothing
    explorer.cancel_button.click()
    assert explorer.confirm.layout.display == "none"
    assert engagement_path.read_text(encoding="utf-8") == before and with_scenarios.data["scenarios"][0] == {
        "name": "more budget",
        "capacity": 20,
    }

    explorer.save_as_button.click()
    explorer.replace_button.click()
    after = engagement_path.read_text(encoding="utf-8")
    removed, added = diff(before, after)
    assert removed == ["    capacity: 20          # what finance offered"]
    assert added == ["    waves: 7", "    capacity: 24          # what finance offered"]
    assert after.index("    waves: 7") > after.index("  - name: more budget")  # inside its own entry
    engagement = load_engagement(engagement_path)
    assert engagement.scenario_names() == ["baseline", "more budget", "api first", "late forecasting"]
    more = engagement.scenario_named("more budget")
    assert (more.waves, more.capacity, more.pin) == (7, 24, {})
    assert explorer.scenario.value == "more budget" and explorer.confirm.layout.display == "none"


def test_a_question_left_open_is_closed_by_typing_another_name(with_scenarios: EngagementSession) -> None:
    explorer = RoadmapExplorer(with_scenarios, background=False)
    explorer.scenario_name.value = "more budget"
    explorer.save_as_button.click()
    assert explorer.confirm.layout.display is None
    explorer.scenario_name.value = "more budget, later"
    assert explorer.confirm.layout.display == "none" and not explorer.confirm_replace()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "Type a name for the scenario first."),
        ("   ", "Type a name for the scenario first."),
        ("baseline", "&#x27;baseline&#x27; is the engagement&#x27;s own scenario"),
        ("BaseLine ", "&#x27;BaseLine&#x27; is the engagement&#x27;s own scenario"),
    ],
)
def test_an_empty_name_or_baseline_is_refused_and_nothing_written(
    session: EngagementSession, engagement_path: Path, name: str, said: str
) -> None:
    explorer = RoadmapExplorer(session, background=False)
    explorer.capacity.value = 20
    before = engagement_path.read_bytes()
    explorer.scenario_name.value = name
    explorer.save_as_button.click()
    assert said in explorer.name_note.value and explorer.name_note.value.count("<div") == 1
    assert engagement_path.read_bytes() == before and "scenarios" not in session.data
    explorer.scenario_name.value = "more budget"  # typing again clears the note
    assert explorer.name_note.value == ""


def test_settings_validation_refuses_are_one_line_and_nothing_written(
    with_scenarios: EngagementSession, engagement_path: Path
) -> None:
    explorer = RoadmapExplorer(with_scenarios, background=False)
    explorer.scenario.value = "late forecasting"  # pins an uplift to wave 6
    explorer.waves.value = 3
    before = engagement_path.read_bytes()
    explorer.scenario_name.value = "short"
    explorer.save_as_button.click()
    assert "pinned to wave 6, but the scenario has 3 waves" in explorer.name_note.value
    assert explorer.name_note.value.count("<div") == 1
    assert engagement_path.read_bytes() == before
    assert explorer.scenario.options == ("baseline", "more budget", "api first", "late forecasting")


@pytest.mark.parametrize("name", ["yes", "123", "null", "a: b", "- x", "#tag", "2027-01-01", "Ünïcode ✓"])
def test_names_that_read_as_other_yaml_come_back_as_typed(
    session: EngagementSession, engagement_path: Path, name: str
) -> None:
    explorer = RoadmapExplorer(session, background=False)
    explorer.waves.value = 8
    explorer.scenario_name.value = name
    assert explorer.save_as()
    assert load_engagement(engagement_path).scenario_names() == ["baseline", name]


def test_choosing_a_scenario_sets_the_sliders_and_plans_it_once(with_scenarios: EngagementSession) -> None:
    explorer = RoadmapExplorer(with_scenarios, background=False)
    assert explorer.scenario.options == ("baseline", "more budget", "api first", "late forecasting")
    explorer.strategy.value = "foundations"  # a what-if on the baseline
    plans = explorer._generation
    explorer.scenario.value = "api first"
    assert explorer._generation == plans + 1  # three controls moved, one plan
    assert (explorer.waves.value, explorer.capacity.value, explorer.strategy.value) == (8, 12, "experience")
    roadmap = explorer.last_roadmap
    assert roadmap.scenario_name == "api first" and roadmap.uplift("api-management@2").start_wave == 1
    assert same_plan(roadmap, vk.plan(with_scenarios.engagement, scenario="api first"))
    explorer.scenario.value = "more budget"
    assert (explorer.waves.value, explorer.capacity.value) == (6, 20)
    explorer.scenario.value = "baseline"
    assert (explorer.waves.value, explorer.capacity.value) == (6, 12)
    assert explorer.last_roadmap.scenario_name is None


def test_scenarios_added_or_removed_on_disk_follow_and_a_removed_choice_falls_back(
    with_scenarios: EngagementSession, engagement_path: Path
) -> None:
    explorer = RoadmapExplorer(with_scenarios, background=False)
    explorer.scenario.value = "more budget"
    rows = [list(getattr(child, "children", ())) for child in explorer.children]

    def colleague(change: object) -> None:
        file = EngagementFile.load(engagement_path)
        data = file.data()
        change(data)  # type: ignore[operator]
        file.save(data)
        assert with_scenarios.check_disk()

    colleague(lambda data: data["scenarios"].append({"name": "fewer waves", "waves": 4}))
    assert explorer.scenario.options[-1] == "fewer waves" and explorer.scenario.value == "more budget"
    assert explorer.scenario_note.value == ""
    colleague(lambda data: data["scenarios"].__setitem__(0, {"name": "more budget", "capacity": 30}))
    assert explorer.capacity.value == 30  # the chosen scenario's setting followed

    colleague(lambda data: data["scenarios"].pop(0))
    assert explorer.scenario.options == ("baseline", "api first", "late forecasting", "fewer waves")
    assert explorer.scenario.value == "baseline"
    assert "&#x27;more budget&#x27; is no longer in northwind.yaml: showing the baseline." in (
        explorer.scenario_note.value
    )
    assert (explorer.waves.value, explorer.capacity.value) == (6, 12)
    assert explorer.last_roadmap.scenario_name is None and explorer.last_roadmap.scenario.capacity == 12
    assert [list(getattr(child, "children", ())) for child in explorer.children] == rows
    explorer.scenario.value = "fewer waves"  # choosing again clears the note
    assert explorer.scenario_note.value == "" and explorer.waves.value == 4
