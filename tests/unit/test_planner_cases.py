"""The planner on small hand-checked engagements with known answers."""

from __future__ import annotations

from typing import Any

import pytest

from visionkit.errors import EngagementError
from visionkit.planner import plan
from visionkit.validation import validate_engagement


def chain_engagement(**scenario: Any) -> dict[str, Any]:
    """a <- b <- c (c at 3 needs b at 2, b needs a at 2); two moments."""
    return {
        "client": "Tiny Co",
        "scenario": {"waves": 4, "capacity": 5, "strategy": "value", **scenario},
        "catalog": {
            "extends": "none",
            "capabilities": [
                {"id": "a", "name": "A", "domain": "data", "effort_per_level": 1},
                {"id": "b", "name": "B", "domain": "data", "effort_per_level": 2, "requires": {"a": 2}},
                {"id": "c", "name": "C", "domain": "channels", "effort_per_level": 4, "requires_at": {3: {"b": 2}}},
            ],
        },
        "assessment": {"a": 1},
        "perfect_days": [
            {
                "id": "d1",
                "title": "Day one",
                "moments": [
                    {"story": "needs c at 3", "needs": {"c": 3}},
                    {"story": "needs a at 3", "needs": {"a": 3}},
                ],
            }
        ],
    }


def by_id(roadmap: Any) -> dict[str, Any]:
    return {u.id: u for u in roadmap.uplifts}


def test_closure_stages_and_schedule() -> None:
    roadmap = plan(validate_engagement(chain_engagement()))
    ups = by_id(roadmap)
    # a is needed at 2 (by b) and at 3 (directly): two stages from today's level 1.
    assert sorted(ups) == ["a@2", "a@3", "b@2", "c@3"]
    assert (ups["a@2"].from_level, ups["a@2"].to_level, ups["a@2"].effort) == (1, 2, 1)
    assert (ups["a@3"].from_level, ups["a@3"].effort) == (2, 1)
    assert ups["b@2"].effort == 4 and ups["b@2"].prerequisites == ("a@2",)
    assert ups["c@3"].prerequisites == ("b@2",)
    # Wave 1: only a@2 is ready. Wave 2: a@3 and b@2 (1 + 4 = 5 points).
    assert ups["a@2"].allocation == {1: 1}
    assert ups["a@3"].allocation == {2: 1}
    assert ups["b@2"].allocation == {2: 4}
    # c@3 costs 12 > 5: it starts in wave 3 with the whole wave and carries on.
    assert ups["c@3"].allocation == {3: 5, 4: 5}
    assert ups["c@3"].status == "beyond-horizon" and ups["c@3"].end_wave is None
    lives = {m.key: m.live_wave for m in roadmap.moments}
    assert lives == {"d1.1": None, "d1.2": 2}
    assert roadmap.moments[0].waiting_for == ["c@3"]


def test_value_counts_every_moment_that_needs_an_uplift() -> None:
    data = chain_engagement()
    data["perfect_days"].append(
        {
            "id": "d2",
            "title": "Day two",
            "priority": 2,
            "moments": [{"story": "a at 2", "needs": {"a": 2}, "weight": 3}],
        }
    )
    ups = by_id(plan(validate_engagement(data)))
    # worth = weight / priority: 1 + 1 + 3/2 for a@2; a@3 only the second moment of day one.
    assert ups["a@2"].value == pytest.approx(3.5)
    assert ups["a@3"].value == pytest.approx(1.0)
    assert ups["c@3"].value == pytest.approx(1.0)


def test_longer_horizon_finishes_everything() -> None:
    roadmap = plan(validate_engagement(chain_engagement()), waves=5)
    ups = by_id(roadmap)
    assert ups["c@3"].allocation == {3: 5, 4: 5, 5: 2}
    assert ups["c@3"].end_wave == 5
    assert [m.live_wave for m in roadmap.moments] == [5, 2]
    assert "5 of 5" not in roadmap.summary()
    assert roadmap.summary().startswith("By Wave 5, 2 of 2 moments are live")


def test_capacity_list_and_strategies_order_ready_uplifts() -> None:
    data = {
        "client": "Order Co",
        "scenario": {"waves": 2, "capacity": [4, 10]},
        "catalog": {
            "extends": "none",
            "capabilities": [
                {"id": "big", "name": "Big", "domain": "x", "effort_per_level": 4},
                {"id": "small", "name": "Small", "domain": "x", "effort_per_level": 1},
                {"id": "base", "name": "Base", "domain": "x", "effort_per_level": 4},
                {"id": "top", "name": "Top", "domain": "x", "effort_per_level": 1, "requires": {"base": 1}},
            ],
        },
        "perfect_days": [
            {
                "id": "d",
                "title": "D",
                "moments": [
                    {"story": "big, worth 3", "needs": {"big": 1}, "weight": 3},
                    {"story": "small", "needs": {"small": 1}},
                    {"story": "top", "needs": {"top": 1}},
                ],
            }
        ],
    }
    engagement = validate_engagement(data)
    # value: small (1/1) first, then big (3/4) fits exactly? 1 + 4 > 4, so base (1/4) cannot either.
    value = by_id(plan(engagement, strategy="value"))
    assert value["small@1"].start_wave == 1
    assert value["big@1"].start_wave == 2 and value["base@1"].start_wave == 2
    assert value["top@1"].start_wave is None  # base finishes in wave 2, top would start in 3
    # foundations: base has an uplift building on it, so it goes first.
    found = by_id(plan(engagement, strategy="foundations"))
    assert found["base@1"].allocation == {1: 4}
    assert found["top@1"].allocation == {2: 1}
    # quick-wins: the cheapest moment to complete is small's (1 point).
    quick = by_id(plan(engagement, strategy="quick-wins"))
    assert quick["small@1"].start_wave == 1


def test_pin_and_exclude() -> None:
    engagement = validate_engagement(chain_engagement(waves=6))
    roadmap = plan(engagement, pin={"a@3": 3}, exclude=["b"])
    ups = by_id(roadmap)
    assert ups["a@3"].start_wave == 3 and ups["a@3"].pinned == 3
    assert ups["b@2"].status == "excluded" and not ups["b@2"].allocation
    assert ups["c@3"].status == "beyond-horizon" and "waits for excluded B to level 2" in ups["c@3"].notes
    assert roadmap.moments[0].live_wave is None


def test_pin_that_cannot_hold_says_why() -> None:
    roadmap = plan(validate_engagement(chain_engagement(waves=6)), pin={"b": 1})
    up = by_id(roadmap)["b@2"]
    assert up.start_wave == 2
    assert any("pinned to wave 1, but its prerequisite A to level 2 finishes in wave 1" in n for n in up.notes)


def test_pin_and_exclude_without_effect_are_warned() -> None:
    roadmap = plan(validate_engagement(chain_engagement()), exclude=["a@1"])
    assert any("already at level 1" in w for w in roadmap.warnings)


def test_unknown_override_is_refused_with_hint() -> None:
    with pytest.raises(EngagementError) as info:
        plan(validate_engagement(chain_engagement()), pin={"bb": 2})
    assert "unknown capability 'bb'" in str(info.value)
    assert "did you mean 'b'?" in str(info.value)
    with pytest.raises(EngagementError, match="pinned to wave 9, but the scenario has 4 waves"):
        plan(validate_engagement(chain_engagement()), pin={"b": 9})
    with pytest.raises(EngagementError, match="'b@x' names level 'x'"):
        plan(validate_engagement(chain_engagement()), pin={"b@x": 2})
    with pytest.raises(
        EngagementError, match="is not one of 'experience', 'optimal', 'value', 'foundations' or 'quick"
    ):
        plan(validate_engagement(chain_engagement()), strategy="fastest")


def test_already_met_needs_are_live_today() -> None:
    data = chain_engagement()
    data["assessment"] = {"a": 3}
    data["perfect_days"][0]["moments"] = [{"story": "a is there", "needs": {"a": 3}}]
    roadmap = plan(validate_engagement(data))
    assert roadmap.uplifts == []
    assert roadmap.moments[0].live_wave == 0
    assert roadmap.readiness()["live"].tolist() == ["today", "today"]


def test_frames_have_documented_columns() -> None:
    roadmap = plan(validate_engagement(chain_engagement(waves=5, start="2027-Q1")))
    table = roadmap.table()
    assert list(table.columns[:10]) == [
        "uplift",
        "capability",
        "name",
        "domain",
        "from_level",
        "to_level",
        "effort",
        "value",
        "value_per_effort",
        "status",
    ]
    assert table["uplift"].tolist() == ["a@2", "a@3", "b@2", "c@3"]
    assert table.loc[table["uplift"] == "c@3", "end"].item() == "2028-Q1"
    trace = roadmap.traceability()
    assert trace.loc[("d1", "d1.1"), "c"] == 3 and trace.loc[("d1", "d1.1"), "a"] == 0
    assert roadmap.traceability(with_prerequisites=True).loc[("d1", "d1.1"), "a"] == 2
    waves = roadmap.waves()
    assert waves["effort"].tolist() == [1, 5, 5, 5, 2]
    assert waves["moments_live"].tolist() == [0, 1, 1, 1, 2]
    assert waves["perfect_days_live"].tolist() == [0, 0, 0, 0, 1]
