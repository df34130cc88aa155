"""The plain rows behind Roadmap's DataFrames, and a document that needs no pandas."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from visionkit.cli import demo_path
from visionkit.engagement_file import load_engagement
from visionkit.planner import plan


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
        "assert len(doc.sections()) == 9\n"
    )
    assert imported_after(code, ["pandas"]) == []
