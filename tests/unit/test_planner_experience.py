"""The experience planner on hand-checked engagements: each cause of the old strategies' losses."""

from __future__ import annotations

from typing import Any

import pytest

from visionkit.planner import plan
from visionkit.validation import validate_engagement


def engagement(waves: int, capacity: int, caps: list[dict[str, Any]], moments: list[dict[str, Any]]) -> Any:
    """A one-day engagement with its own catalog: each capability is needed at level 1."""
    catalog = [{"name": c["id"].upper(), "domain": "x", **c} for c in caps]
    return validate_engagement(
        {
            "client": "Hand Co",
            "scenario": {"waves": waves, "capacity": capacity},
            "catalog": {"extends": "none", "capabilities": catalog},
            "perfect_days": [{"id": "d", "title": "Day", "moments": moments}],
        }
    )


def best(data: Any) -> float:
    roadmap = plan(data, strategy="optimal", time_limit=30)
    assert roadmap.proof is not None and roadmap.proof.gap == 0
    return roadmap.experience()


def test_a_large_uplift_is_not_started_on_a_sliver() -> None:
    # Capacity 5 over 3 waves. a (3 points) serves A and opens c (5 points), which serves C (worth 2);
    # b (8 points) serves B. Started on the 2 points a leaves in wave 1, b takes all of wave 2 and c
    # never fits: A in wave 1 and B in wave 3 make 3 + 1 = 4. Leaving b alone: A in wave 1 (3) and
    # C in wave 2 (2 x 2 = 4) make 7.
    data = engagement(
        3,
        5,
        [
            {"id": "a", "effort_per_level": 3},
            {"id": "b", "effort_per_level": 8},
            {"id": "c", "effort_per_level": 5, "requires": {"a": 1}},
        ],
        [
            {"story": "A", "needs": {"a": 1}},
            {"story": "B", "needs": {"b": 1}},
            {"story": "C", "needs": {"c": 1}, "weight": 2},
        ],
    )
    assert plan(data, strategy="value").experience() == 4
    roadmap = plan(data, strategy="experience")
    assert roadmap.experience() == best(data) == 7
    assert roadmap.uplift("c@1").end_wave == 2 and roadmap.uplift("b@1").end_wave is None


def test_work_that_buys_nothing_is_left_for_work_that_does() -> None:
    # Capacity 5 over 2 waves. The moment needing x (4) and y (10) cannot go live: y needs more
    # than both waves. Value per point puts x first anyway (1/4 against z's 0.5/4), and y takes
    # the rest: nothing goes live. z alone in wave 1 is live for two waves: 0.5 x 2 = 1.
    data = engagement(
        2,
        5,
        [{"id": "x", "effort_per_level": 4}, {"id": "y", "effort_per_level": 10}, {"id": "z", "effort_per_level": 4}],
        [{"story": "XY", "needs": {"x": 1, "y": 1}}, {"story": "Z", "needs": {"z": 1}, "weight": 0.5}],
    )
    assert plan(data, strategy="value").experience() == 0
    roadmap = plan(data, strategy="experience")
    assert roadmap.experience() == best(data) == 1
    assert roadmap.uplift("z@1").end_wave == 1


def test_a_cheap_uplift_in_front_of_a_chain_too_long_for_the_horizon_waits() -> None:
    # Capacity 2 over 3 waves. p -> q -> r -> u, a point each, serve M (worth 5): four waves of
    # chain, one too many, but p's value per point is 5. Doing the chain leaves a point a wave,
    # too little for s or t (2 points each, worth 1 each): nothing goes live. s in wave 1 and t in
    # wave 2 make 1 x 3 + 1 x 2 = 5.
    data = engagement(
        3,
        2,
        [
            {"id": "p", "effort_per_level": 1},
            {"id": "q", "effort_per_level": 1, "requires": {"p": 1}},
            {"id": "r", "effort_per_level": 1, "requires": {"q": 1}},
            {"id": "u", "effort_per_level": 1, "requires": {"r": 1}},
            {"id": "s", "effort_per_level": 2},
            {"id": "t", "effort_per_level": 2},
        ],
        [
            {"story": "M", "needs": {"u": 1}, "weight": 5},
            {"story": "S", "needs": {"s": 1}},
            {"story": "T", "needs": {"t": 1}},
        ],
    )
    assert plan(data, strategy="value").experience() == 0
    roadmap = plan(data, strategy="experience")
    assert roadmap.experience() == best(data) == 5
    assert {roadmap.uplift("s@1").end_wave, roadmap.uplift("t@1").end_wave} == {1, 2}


@pytest.mark.parametrize("strategy", ["experience", "optimal"])
def test_the_demo_gets_the_best_plan(strategy: str) -> None:
    from visionkit.cli import demo_path
    from visionkit.engagement_file import EngagementFile

    demo = EngagementFile.load(demo_path()).engagement
    assert plan(demo, strategy=strategy).experience() == best(demo)


def test_an_optimal_plan_stopped_by_its_time_limit_says_how_close_it_is() -> None:
    from visionkit.testing import generate_engagement

    data = generate_engagement(80, 200, seed=3, capacity=6)
    roadmap = plan(validate_engagement(data), strategy="optimal", time_limit=0.01)
    proof = roadmap.proof
    assert proof is not None and proof.timed_out  # far too little time for 80 capabilities
    assert proof.bound >= roadmap.experience() > 0
    assert proof.gap == pytest.approx((proof.bound - roadmap.experience()) / proof.bound)
    assert proof.gap > 0 and proof.sentence().startswith("within ") and "best possible plan" in proof.sentence()
    assert roadmap.experience() >= plan(validate_engagement(data), strategy="experience").experience()
