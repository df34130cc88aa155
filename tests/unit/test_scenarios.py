"""Named scenarios in the engagement file, planned by name and compared side by side.

The comparison cases are small enough to plan by hand (docs/planner.md's rules): every uplift costs
2 points, and an uplift starts only in a wave after its prerequisites have finished.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import visionkit as vk
from visionkit.cli import demo_path, main
from visionkit.engagement_file import load_engagement
from visionkit.errors import EngagementError
from visionkit.testing import without_scenarios

HAND = """
client: Hand
scenario: {start: 2027-Q1, waves: 3, capacity: 2, strategy: experience}
scenarios:
  - name: more budget
    capacity: 4
  - name: a first
    pin: {a@2: 2}
  - name: longer
    waves: 4
catalog:
  extends: none
  capabilities:
    - {id: a, name: Alpha, domain: data, effort_per_level: 2}
    - {id: b, name: Beta, domain: data, effort_per_level: 2, requires: {a: 1}}
perfect_days:
  - id: day
    title: The day
    moments:
      - {at: "08:00", story: one, needs: {a: 1}}
      - {at: "09:00", story: two, weight: 2, needs: {b: 1}}
      - {at: "10:00", story: three, needs: {a: 2}}
"""

STRATEGY = """
client: Strategy
scenario: {start: 2027-Q1, waves: 2, capacity: 2, strategy: experience}
scenarios:
  - name: foundations first
    strategy: foundations
catalog:
  extends: none
  capabilities:
    - {id: a, name: Alpha, domain: data, effort_per_level: 2}
    - {id: b, name: Beta, domain: data, effort_per_level: 2, requires: {a: 1}}
    - {id: c, name: Gamma, domain: data, effort_per_level: 2}
perfect_days:
  - id: day
    title: The day
    moments:
      - {at: "08:00", story: quick, weight: 3, needs: {c: 1}}
      - {at: "09:00", story: deep, needs: {b: 1}}
"""


def live(roadmap: vk.Roadmap) -> list[int | None]:
    return [mp.live_wave for mp in roadmap.moments]


@pytest.fixture
def hand(write_yaml: Callable[..., Path]) -> vk.Engagement:
    return load_engagement(write_yaml(HAND))


def test_a_file_without_scenarios_has_the_baseline_alone(tmp_path: Path) -> None:
    path = tmp_path / "alone.yaml"
    path.write_text(without_scenarios(demo_path().read_text(encoding="utf-8")), encoding="utf-8")
    engagement = load_engagement(path)
    assert engagement.scenarios == [] and engagement.scenario_names() == ["baseline"]
    assert vk.plan(engagement, scenario="baseline").moments == vk.plan(engagement).moments


def test_a_named_scenario_changes_only_what_it_names(hand: vk.Engagement) -> None:
    more = hand.scenario_named("more budget")
    assert (more.capacity, more.waves, more.start, more.strategy) == (4, 3, "2027-Q1", "experience")
    assert hand.scenario_named("a first").pin == {"a@2": 2}
    assert vk.plan(hand, scenario="longer").labels == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]


def test_capacity_up_brings_the_third_moment_a_wave_earlier(hand: vk.Engagement) -> None:
    # Baseline, 2 points a wave: a@1 in wave 1; then b@1 (weight 2) before a@2; a@2 in wave 3.
    assert live(vk.plan(hand)) == [1, 2, 3]
    # 4 points: b@1 and a@2 both wait for a@1, then both fit in wave 2.
    assert live(vk.plan(hand, scenario="more budget")) == [1, 2, 2]


def test_a_pin_puts_its_uplift_first_and_the_other_waits(hand: vk.Engagement) -> None:
    assert live(vk.plan(hand, scenario="a first")) == [1, 3, 2]


def test_a_strategy_change_moves_the_quick_moment_later() -> None:
    engagement = vk.validate_engagement(__import__("yaml").safe_load(STRATEGY))
    # experience: Gamma (weight 3) in wave 1; Alpha in wave 2, so Beta cannot start in the horizon.
    assert live(vk.plan(engagement)) == [1, None]
    # foundations: Alpha first (Beta builds on it), then Gamma over Beta by value per effort.
    assert live(vk.plan(engagement, scenario="foundations first")) == [2, None]
    sentence = vk.compare(engagement).sentences()[0]
    assert sentence.startswith("With strategy foundations (foundations first), 1 moment goes live later")


def test_the_comparison_tables_and_sentences(hand: vk.Engagement) -> None:
    comparison = vk.compare(hand)
    assert comparison.names == ["baseline", "more budget", "a first", "longer"]
    days = comparison.days()
    assert days.loc["The day"].tolist() == ["2027-Q3", "2027-Q2", "2027-Q3", "2027-Q3"]
    moments = comparison.moments()
    assert moments.loc["The day · 10:00"].tolist() == ["2027-Q3", "2027-Q2", "2027-Q2", "2027-Q3"]
    summary = comparison.summary()
    assert summary.loc["more budget", "settings"] == "4 points a wave"
    assert summary.loc["a first", "settings"] == "Alpha to level 2 pinned to wave 2"
    assert summary.loc["baseline", "effort_used"] == 6 and summary.loc["more budget", "capacity"] == 12
    more, pinned, longer = comparison.sentences()
    assert more == (
        "With 4 points a wave (more budget), The day is live in full one quarter earlier (2027-Q2), "
        "1 moment goes live sooner and the experience delivered rises 13%."
    )
    assert pinned == (
        "With Alpha to level 2 pinned to wave 2 (a first), 1 moment goes live sooner, 1 moment goes live later "
        "and the experience delivered falls 13%."
    )
    assert longer == "With 4 waves (longer), every moment goes live when it does in the baseline."


def test_two_scenarios_compared_by_name_the_first_as_reference(hand: vk.Engagement) -> None:
    comparison = vk.compare(hand, ["more budget", "baseline"])
    assert comparison.names == ["more budget", "baseline"]
    assert comparison.sentences()[0].startswith(
        "With 2 points a wave (baseline), The day is live in full one quarter later"
    )


def test_an_unknown_scenario_name_lists_the_names(hand: vk.Engagement) -> None:
    with pytest.raises(EngagementError, match="no scenario 'less'") as caught:
        vk.plan(hand, scenario="less")
    assert "'baseline', 'more budget', 'a first', 'longer'" in str(caught.value)


def test_named_scenarios_are_checked_where_they_are_written(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(
        HAND.replace(
            "  - name: longer\n    waves: 4\n",
            "  - name: longer\n    waves: 4\n"
            "  - name: More Budget\n    capcity: 3\n"
            "  - name: Baseline\n    waves: 2\n    capacity: [1, 2, 3]\n"
            "  - name: pins\n    pin: {nosuch: 1, b: 9}\n",
        )
    )
    with pytest.raises(EngagementError) as caught:
        load_engagement(path)
    text = str(caught.value.with_file(str(path)))
    for expected in (
        ":10:11: scenarios[3].name: another scenario is named 'More Budget'",
        ":11:14: scenarios[3].capcity: 'capcity' is not a scenario setting",
        ":12:11: scenarios[4].name: 'Baseline' is what the engagement's own `scenario` is called",
        "scenarios[4].capacity: capacity lists 3 values but there are 2 waves",
        "scenarios[5].pin.nosuch: unknown capability 'nosuch' in a pin",
        "scenarios[5].pin.b: pinned to wave 9, but the scenario has 3 waves",
    ):
        assert expected in text, text


def test_plan_compare_on_the_command_line(write_yaml: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_yaml(HAND)
    assert main(["plan", str(path), "--compare"]) == 0
    out = capsys.readouterr().out
    assert "4 scenarios compared" in out and "Moments go live" in out
    assert "With 4 points a wave (more budget), The day is live in full one quarter earlier" in " ".join(out.split())
    assert main(["plan", str(path), "--scenario", "more budget", "--scenario", "a first", "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0] == "moment,more budget,a first" and csv[3] == "The day · 10:00,2027-Q2,2027-Q2"
    assert main(["plan", str(path), "--scenario", "more budget"]) == 0
    assert "of 4 points" in capsys.readouterr().out
    assert main(["plan", str(path), "--scenario", "less"]) == 2
    assert "no scenario 'less'" in capsys.readouterr().err


def test_a_pin_on_the_command_line_adds_to_the_scenarios_own(
    hand: vk.Engagement, write_yaml: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_yaml(HAND)
    assert main(["plan", str(path), "--scenario", "a first", "--pin", "b=3", "--format", "csv"]) == 0
    rows = capsys.readouterr().out
    assert "a@2" in rows and "b@1" in rows


def test_a_document_plans_the_named_scenario_and_compares_the_others(write_yaml: Callable[..., Path]) -> None:
    from visionkit._render_typst import TypstRenderer
    from visionkit.document import RoadmapDocument

    path = write_yaml(HAND)
    doc = RoadmapDocument.from_parameters(engagement_file=str(path), scenario="more budget")
    assert doc.roadmap.scenario.capacity == 4 and doc.roadmap.scenario_name == "more budget"
    section = doc.scenarios()
    assert section.in_contents and section.title == "Scenarios compared"
    html = section.html
    # This document's scenario is the reference, then the others in the file's order.
    assert html.index("more budget") < html.index("baseline") < html.index("a first") < html.index("longer")
    assert "With 2 points a wave (baseline), The day is live in full one quarter later" in html
    assert "<svg" in html and "Experience burn-up of 4 scenarios" in html
    typst = TypstRenderer()
    assert "Scenarios compared" in typst.section(section.blocks, section.style, in_contents=True)
    assert len(typst.assets) == 1  # the chart
    with pytest.raises(EngagementError, match="no scenario 'less'"):
        RoadmapDocument.from_parameters(engagement_file=str(path), scenario="less")


def test_without_named_scenarios_the_section_shows_nothing(tmp_path: Path) -> None:
    from visionkit.document import RoadmapDocument

    path = tmp_path / "alone.yaml"
    path.write_text(without_scenarios(demo_path().read_text(encoding="utf-8")), encoding="utf-8")
    section = RoadmapDocument.from_parameters(engagement_file=str(path)).scenarios()
    assert section.blocks == [] and not section.in_contents and "Scenarios" not in section.html
