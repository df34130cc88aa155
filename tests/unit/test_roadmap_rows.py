"""The plain rows behind Roadmap's DataFrames, the facts they are built from, and a document that needs no pandas."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import get_args

import pandas as pd

from visionkit.cli import demo_path
from visionkit.engagement_file import load_engagement
from visionkit.planner import plan
from visionkit.roadmap import STATUSES, UpliftStatus


def test_rows_match_the_dataframes() -> None:
    roadmap = plan(load_engagement(demo_path()), waves=3, capacity=6)
    table = roadmap.table()
    assert list(table["uplift"]) == [r["uplift"] for r in roadmap.table_rows()]
    assert table.astype(object).where(table.notna(), None).to_dict("records") == roadmap.table_rows()
    assert roadmap.waves().astype(object).to_dict("records") == roadmap.wave_rows()
    ids, grid = roadmap.traceability_grid()
    frame = roadmap.traceability()
    assert list(frame.columns) == ids and frame.to_numpy().tolist() == grid
    # Beyond-horizon uplifts come last, as the table orders them.
    statuses = [r["status"] for r in roadmap.table_rows()]
    assert "beyond-horizon" in statuses
    assert statuses.index("beyond-horizon") > max(i for i, s in enumerate(statuses) if s == "scheduled")
    assert isinstance(table, pd.DataFrame)


def test_a_whole_document_is_built_without_importing_pandas(
    imported_after: Callable[[str, Iterable[str]], list[str]],
) -> None:
    code = (
        "from visionkit.cli import demo_path\n"
        "from visionkit.document import RoadmapDocument\n"
        "doc = RoadmapDocument.from_parameters(str(demo_path()), date='2027-03-01')\n"
        "assert len(doc.sections()) == len(RoadmapDocument.SECTIONS)\n"
    )
    assert imported_after(code, ["pandas"]) == []


def test_readiness_rows_match_the_dataframe() -> None:
    roadmap = plan(load_engagement(demo_path()), waves=3, capacity=6)
    frame = roadmap.readiness()
    assert frame.astype(object).where(frame.notna(), None).to_dict("records") == roadmap.readiness_rows()


def test_a_perfect_day_goes_live_with_its_last_moment() -> None:
    roadmap = plan(load_engagement(demo_path()))
    for day in roadmap.engagement.perfect_days:
        moments = roadmap.moments_of(day.id)
        assert [mp.key for mp in moments] == [mp.key for mp in roadmap.moments if mp.perfect_day == day.id]
        waves = [mp.live_wave for mp in moments]
        expected = None if None in waves else max(w for w in waves if w is not None)
        assert roadmap.day_live_wave(day.id) == expected
    # The demo's first day is live in full once its last moment is; the second waits beyond the horizon.
    assert [roadmap.day_live_wave(d.id) for d in roadmap.engagement.perfect_days] == [5, None]
    for moment in roadmap.moments_of("priya-saturday"):
        moment.live_wave = 0
    assert roadmap.day_live_wave("priya-saturday") == 0


def test_uplifts_in_delivery_order_and_when_they_land() -> None:
    roadmap = plan(load_engagement(demo_path()), exclude=["social-listening"])
    ordered = roadmap.in_delivery_order()
    assert sorted(up.id for up in ordered) == sorted(up.id for up in roadmap.uplifts)
    starts = [up.start_wave for up in ordered if up.start_wave is not None]
    assert starts == sorted(starts)
    assert [up.status for up in ordered][-2:] == ["beyond-horizon", "excluded"]
    assert [r["uplift"] for r in roadmap.table_rows()] == [up.id for up in ordered]
    assert roadmap.when("social-listening@2") == "excluded"
    assert roadmap.when(ordered[-2].id) == "beyond horizon"
    spans = [up for up in ordered if up.status == "scheduled" and up.start_wave != up.end_wave]
    for up in spans:
        assert roadmap.when(up.id) == f"{roadmap.labels[up.start_wave - 1]}–{roadmap.labels[up.end_wave - 1]}"
    single = next(up for up in ordered if up.status == "scheduled" and up.start_wave == up.end_wave)
    assert roadmap.when(single.id) == roadmap.labels[single.end_wave - 1]


def test_a_wave_is_named_short_in_tables_and_in_full_in_sentences() -> None:
    roadmap = plan(load_engagement(demo_path()))
    assert [roadmap.period(w) for w in (0, 2, None)] == ["today", "2027-Q2", "beyond horizon"]
    assert [roadmap.period(w, prose=True) for w in (0, 2, None)] == [
        "today",
        "2027-Q2 (wave 2)",
        "beyond the horizon",
    ]


def test_statuses_are_the_status_type() -> None:
    assert get_args(UpliftStatus) == STATUSES == ("scheduled", "beyond-horizon", "excluded")


def test_target_levels_are_the_highest_level_any_moment_needs_with_prerequisites() -> None:
    engagement = load_engagement(demo_path())
    targets = engagement.target_levels()
    roadmap = plan(engagement)
    expected: dict[str, int] = {}
    for mp in roadmap.moments:
        for cid, level in mp.required.items():
            expected[cid] = max(expected.get(cid, 0), level)
    assert targets == expected
    assert targets["customer-360"] == 3
    # Met today and needed only as a prerequisite, it is still in play.
    assert "identity-resolution" not in {c for mp in roadmap.moments for c in mp.needs}
    assert targets["identity-resolution"] == 2 <= engagement.assessment["identity-resolution"]


def test_the_headroom_sentence_rounds_as_the_plan_summary_does(tmp_path: Path) -> None:
    # The gain is a sum of fractional worths (a moment's weight over its day's priority): printed
    # raw it read "adding 4.28095"; the summary and `visionkit plan` show one decimal.
    text = demo_path().read_text(encoding="utf-8").replace("priority: 2", "priority: 7")
    (tmp_path / "sevenths.yaml").write_text(text, encoding="utf-8")
    gains = []
    for capacity in (4, 6, 9, 12):
        roadmap = plan(load_engagement(tmp_path / "sevenths.yaml"), waves=3, capacity=capacity)
        sentence = roadmap.headroom_sentence()
        room = roadmap.headroom()
        gains.append(room.gain)
        if room.sooner:
            assert f"adding {room.gain:.1f} to the experience delivered." in sentence
        assert not re.search(r"\d\.\d{2,}", sentence), sentence
    assert any(round(g, 1) != g for g in gains)  # a gain in sevenths was among them
