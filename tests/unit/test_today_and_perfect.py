"""A moment may say how it goes today and how it feels, today and on the perfect day; the document shows the gap."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ruamel.yaml import YAML

from visionkit.cli import demo_path
from visionkit.doctree import plain_text
from visionkit.errors import EngagementError
from visionkit.planner import plan
from visionkit.sections import storyboards, summary_sentences
from visionkit.validation import validate_engagement


@pytest.fixture(scope="module")
def demo_data() -> Any:
    return YAML(typ="safe").load(demo_path().read_text(encoding="utf-8"))


def _without_today(data: Any) -> Any:
    data = copy.deepcopy(data)
    for day in data["perfect_days"]:
        for moment in day["moments"]:
            moment.pop("today", None)
            moment.pop("feeling", None)
    return data


def test_files_without_the_new_fields_load_and_say_nothing_of_them(demo_data: Any) -> None:
    roadmap = plan(validate_engagement(_without_today(demo_data)))
    assert all(mp.today is None and mp.gap is None for mp in roadmap.moments)
    assert roadmap.largest_gaps() == []
    assert not any("Furthest from the perfect day" in plain_text(s) for s in summary_sentences(roadmap))


def test_a_feeling_out_of_range_is_one_located_problem_with_the_scale(demo_data: Any) -> None:
    data = copy.deepcopy(demo_data)
    data["perfect_days"][0]["moments"][1]["feeling"] = {"today": -3}
    with pytest.raises(EngagementError) as error:
        validate_engagement(data)
    [problem] = error.value.problems
    assert problem.path == ("perfect_days", 0, "moments", 1, "feeling", "today")
    assert "-2 (awful)" in problem.hint


def test_the_storyboard_shows_today_and_the_summary_names_the_largest_gaps(demo_data: Any) -> None:
    data = _without_today(demo_data)
    moments = data["perfect_days"][0]["moments"]
    moments[0].update(today="She queues *twenty* minutes.", feeling={"today": -2, "perfect": 2})
    moments[1].update(feeling={"today": 0, "perfect": 1})
    moments[2].update(feeling={"today": 1})  # one score alone: no gap
    roadmap = plan(validate_engagement(data))
    first, second, third = (roadmap.moments[i] for i in range(3))
    assert (first.gap, second.gap, third.gap) == (4, 1, None)
    assert roadmap.largest_gaps() == [first, second]

    board = storyboards(roadmap)
    html = board.html
    assert "<strong>Today: </strong>She queues <em>twenty</em> minutes." in html
    assert "feels −2 today, +2 on the perfect day" in html and "feels 0 today, +1 on the perfect day" in html
    [said] = [plain_text(s) for s in summary_sentences(roadmap) if plain_text(s).startswith("Furthest")]
    day = roadmap.engagement.perfect_days[0].title
    assert said.startswith(f"Furthest from the perfect day today: {day}, {first.at} (−2 → +2, live ")
    assert f"{day}, {second.at} (0 → +1" in said
