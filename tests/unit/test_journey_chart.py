"""The journey chart: a perfect day's moments in channel lanes, when each goes live, and how it feels."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from visionkit import charts
from visionkit.cli import demo_path
from visionkit.doctree import Chart, Group, Heading, Paragraph
from visionkit.engagement_file import load_engagement
from visionkit.planner import plan
from visionkit.roadmap import Roadmap
from visionkit.sections import Section, storyboards
from visionkit.validation import validate_engagement

SVG = "{http://www.w3.org/2000/svg}"
BRAND = "#1f4e79"


def day_of(channels: list[str | None], feelings: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """One perfect day with a moment per channel given (None: no channel), at 09:00, 09:15, ..."""
    moments: list[dict[str, Any]] = []
    for i, channel in enumerate(channels):
        at = f"{9 + i // 4:02d}:{i % 4 * 15:02d}"
        moment: dict[str, Any] = {"at": at, "story": f"Step {i + 1}.", "needs": {"a": 1 + i % 3}}
        if channel is not None:
            moment["channel"] = channel
        if feelings is not None and feelings[i]:
            moment["feeling"] = feelings[i]
        moments.append(moment)
    return {
        "client": "Lanes",
        "scenario": {"start": "2027-Q1", "waves": 4, "capacity": 2},
        "catalog": {
            "extends": "none",
            "capabilities": [
                {"id": "a", "name": "A", "domain": "data", "effort_per_level": 1},
                {"id": "b", "name": "B", "domain": "data", "effort_per_level": 3},  # 15 points to level 5: never live
            ],
        },
        "perfect_days": [{"id": "d", "title": "The day", "moments": moments}],
    }


@pytest.fixture(scope="module")
def demo() -> Roadmap:
    return plan(load_engagement(demo_path()))


def figure_of(roadmap: Roadmap, day: str | None = None) -> Figure:
    with charts.style():
        return charts._journey(roadmap, BRAND, day).figure


def texts_of(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def lane_labels(fig: Figure, names: set[str]) -> list[Text]:
    """The lane names drawn on the left, top to bottom (the y axis runs downwards)."""
    found = [t for t in fig.axes[0].texts if t.get_text() in names]
    return sorted(found, key=lambda t: float(t.get_position()[1]))


def markers(fig: Figure) -> list[Line2D]:
    """One marker per moment, in the moments' order."""
    found = [line for line in fig.axes[0].get_lines() if str(line.get_gid() or "").startswith("vk-moment-")]
    return sorted(found, key=lambda line: int(str(line.get_gid()).rsplit("-", 1)[1]))


def curve(fig: Figure, label: str) -> Line2D | None:
    return next((line for line in fig.axes[0].get_lines() if line.get_label() == label), None)


def test_lanes_are_the_channels_in_order_of_first_appearance_and_each_moment_sits_in_its_own() -> None:
    channels: list[str | None] = ["store", None, "mobile app", "store", "email", "mobile app"]
    roadmap = plan(validate_engagement(day_of(channels)))
    fig = figure_of(roadmap)
    lanes = lane_labels(fig, {"store", "mobile app", "email", "other"})
    # First appearance, not alphabetical or by count; the moments without a channel last, in a lane of their own.
    assert [t.get_text() for t in lanes] == ["store", "mobile app", "email", "other"]
    lane_y = {t.get_text(): float(t.get_position()[1]) for t in lanes}
    for channel, marker in zip(channels, markers(fig), strict=True):
        y = float(marker.get_ydata()[0])  # type: ignore[index]
        nearest = min(lane_y, key=lambda name: abs(lane_y[name] - y))
        assert nearest == (channel or "other")
    assert [float(m.get_xdata()[0]) for m in markers(fig)] == list(range(len(channels)))  # type: ignore[index]


def test_a_channel_named_other_keeps_its_name_and_moments_without_one_get_another_lane() -> None:
    roadmap = plan(validate_engagement(day_of(["Other", None, "app"])))
    names = [t.get_text() for t in lane_labels(figure_of(roadmap), {"Other", "app", "other", "no channel"})]
    assert names == ["Other", "app", "no channel"]


def test_the_demo_days_lanes_and_period_labels(demo: Roadmap) -> None:
    texts = texts_of(charts.journey(demo, day="sam-shift").svg)
    assert [t for t in texts if t in {"associate app", "store", "social"}] == ["associate app", "store", "social"]
    for mp in demo.moments_of("sam-shift"):
        assert mp.at in texts
        period = demo.period(mp.live_wave)
        assert period in texts or period.replace(" ", "\n", 1).replace("-", "\n", 1) in texts


def test_a_moment_never_live_is_hollow_and_grey_and_a_live_one_is_filled_in_the_brand_colour(demo: Roadmap) -> None:
    moments = demo.moments_of("sam-shift")
    assert [mp.live_wave is None for mp in moments] == [True, False, False, False]
    fig = figure_of(demo, "sam-shift")
    drawn = markers(fig)
    assert len(drawn) == len(moments)
    never, *live = drawn
    assert never.get_markerfacecolor() == "white"
    assert never.get_markeredgecolor() not in ("white", BRAND)
    for marker in live:
        assert marker.get_markerfacecolor() == marker.get_markeredgecolor() == BRAND
    assert "beyond horizon" in texts_of(charts.journey(demo, day="sam-shift").svg)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Not live within the horizon" in legend
    # A day with every moment live says nothing about moments that are not.
    assert "Not live within the horizon" not in [t.get_text() for t in figure_of(demo).legends[0].get_texts()]
    assert "#aa3300" in charts.journey(demo, colour="#aa3300").svg


def test_the_feeling_curves_follow_the_scores_and_break_where_one_is_missing(demo: Roadmap) -> None:
    moments = demo.moments_of("priya-saturday")
    fig = figure_of(demo, "priya-saturday")
    today, perfect = curve(fig, "Feeling today"), curve(fig, "Feeling on the perfect day")
    assert today is not None and perfect is not None
    assert today.get_linestyle() == "--" and perfect.get_linestyle() == "-"
    assert perfect.get_color() == BRAND and today.get_color() != BRAND
    for line, scores in (
        (today, [mp.feeling_today for mp in moments]),
        (perfect, [mp.feeling_perfect for mp in moments]),
    ):
        ys = [float(y) for y in line.get_ydata()]  # type: ignore[union-attr]
        assert [math.isnan(y) for y in ys] == [s is None for s in scores]  # a gap wherever a score is missing
        # Higher scores are drawn higher up: the y axis runs downwards, so their y is smaller.
        given = sorted((s, y) for s, y in zip(scores, ys, strict=True) if s is not None)
        assert [y for _, y in given] == sorted((y for _, y in given), reverse=True)
    # −2 today and +2 on the perfect day at 11:00: the two curves are four score steps apart there.
    third = [mp.at for mp in moments].index("11:00")
    step = abs(float(today.get_ydata()[third]) - float(perfect.get_ydata()[third])) / 4  # type: ignore[index]
    assert step > 0
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Feeling today" in legend and "Feeling on the perfect day" in legend
    assert {"Feeling", "+2", "0", "\u22122"} <= set(texts_of(charts.journey(demo).svg))


def test_a_day_without_feelings_has_no_band_and_says_nothing_of_one(demo: Roadmap) -> None:
    assert all(mp.feeling_today is None and mp.feeling_perfect is None for mp in demo.moments_of("sam-shift"))
    fig = figure_of(demo, "sam-shift")
    assert curve(fig, "Feeling today") is None and curve(fig, "Feeling on the perfect day") is None
    chart = charts.journey(demo, day="sam-shift")
    texts = texts_of(chart.svg)
    assert not any("Feeling" in t or t in ("+2", "\u22122") for t in texts)
    assert "feeling" not in chart.alt.lower()
    # One score of one moment is enough for the band, and for its curve alone.
    one = plan(validate_engagement(day_of(["app", "store"], [{}, {"perfect": 1}])))
    felt = figure_of(one)
    assert curve(felt, "Feeling on the perfect day") is not None and curve(felt, "Feeling today") is not None
    assert (
        figure_of(one).get_figheight() > figure_of(plan(validate_engagement(day_of(["app", "store"])))).get_figheight()
    )


def test_the_alt_text_is_one_sentence_with_the_moments_channels_and_largest_gap(demo: Roadmap) -> None:
    alt = charts.journey(demo).alt
    assert alt.startswith("Journey of Priya's perfect Saturday: 5 moments across 3 channels")
    assert "largest feeling gap is at 11:00, \u22122 today against +2 on the perfect day" in alt
    sam = charts.journey(demo, day="sam-shift").alt
    assert "4 moments across 3 channels, 3 of them live by " in sam and "gap" not in sam
    for text in (alt, sam):
        assert text.endswith(".") and text.count(". ") == 0
    none = plan(validate_engagement(day_of([None, None])))
    assert "2 moments, none with a channel" in charts.journey(none).alt


def test_moments_without_a_time_are_numbered() -> None:
    data = day_of(["app", "app", "store"])
    del data["perfect_days"][0]["moments"][1]["at"]
    texts = texts_of(charts.journey(plan(validate_engagement(data))).svg)
    assert "09:00" in texts and "Moment 2" in texts and "09:30" in texts


def test_the_day_is_chosen_by_id_the_first_by_default_and_an_unknown_one_is_refused(demo: Roadmap) -> None:
    assert charts.journey(demo).title == "Journey: Priya's perfect Saturday"
    assert charts.journey(demo, day="sam-shift").title == "Journey: Sam's perfect shift"
    assert charts.figure("journey", demo).texts[0].get_text() == "Journey: Priya's perfect Saturday"
    with pytest.raises(ValueError, match=r"'sams-shift'.*priya-saturday, sam-shift"):
        charts.journey(demo, day="sams-shift")


def test_the_storyboard_shows_each_days_journey_between_its_facts_and_its_moments(demo: Roadmap) -> None:
    section = storyboards(demo)
    days = [b for b in section.blocks if isinstance(b, Group) and b.style == "day"]
    assert len(days) == len(demo.engagement.perfect_days) == 2
    for group, day in zip(days, demo.engagement.perfect_days, strict=True):
        kinds = [type(b).__name__ if not isinstance(b, Group) else b.style for b in group.children]
        assert kinds == ["Heading", "Paragraph", "Paragraph", "Chart", "moments"]
        heading, facts, chart = group.children[0], group.children[2], group.children[3]
        assert isinstance(heading, Heading) and heading.content == [day.title]
        assert isinstance(facts, Paragraph) and facts.style == "day-facts"
        assert isinstance(chart, Chart)
        expected = charts.journey(demo, day=day.id)
        assert chart.svg.startswith("<svg") and chart.svg == expected.svg[expected.svg.index("<svg") :].rstrip()
        assert chart.alt == expected.alt
    # The charts survive the section's JSON, and each is in the HTML once, with its alt text.
    again = Section.from_payload(section.payload())
    assert sum(isinstance(b, Chart) for g in again.blocks if isinstance(g, Group) for b in g.children) == 2
    assert section.html.count("<svg") == 2
    assert section.html.count('class="vk-chart"') == 2


def test_a_crowded_day_keeps_every_live_moments_period_and_may_drop_beyond_horizon() -> None:
    data = day_of(["app", "app", "store", None, "kiosk", "kiosk"] * 5)
    for moment in data["perfect_days"][0]["moments"][1::4]:
        moment["needs"] = {"b": 5}
    roadmap = plan(validate_engagement(data))
    moments = roadmap.moments_of("d")
    assert len(moments) == 30 and any(mp.live_wave is None for mp in moments)
    texts = texts_of(charts.journey(roadmap).svg)
    for mp in moments:
        if mp.live_wave is not None:
            period = roadmap.period(mp.live_wave)
            assert period in texts or period.replace("-", "\n", 1) in texts, period
    live = sum(mp.live_wave is not None for mp in moments)
    periods = [t for t in texts if t.replace("\n", "-") in roadmap.labels or t == "today"]
    assert len(periods) == live  # one label per live moment, none lost to crowding
    assert "Not live within the horizon" in texts  # the legend still says what a hollow marker means
