"""Suggestions are measured on moments a consultant labelled by hand, and must not get worse.

The labelled moments are tests/corpus/suggest/moments.yaml (75 moments across seven sectors, 156
labels), on which the algorithm and the catalog's keywords were tuned, and holdout.yaml (30 moments,
63 labels, written after a first round of tuning and not tuned on).
`python benchmarks/suggest_quality.py --verbose` prints the same figures with each moment's misses
and false hits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from visionkit._suggest import suggest_for_moment
from visionkit.catalog import default_catalog

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "suggest"

# Floors a little below what the algorithm reaches, so that a regression fails and noise does not.
# Measured (micro-averaged over the top 5 suggestions shown for each moment):
#   moments.yaml: precision@5 0.70, recall@5 0.46 (the algorithm before issue 16: 0.21 and 0.16);
#   holdout.yaml: precision@5 0.65, recall@5 0.24 (before: 0.17 and 0.11).
# The held-out recall is low because most of what it misses shares no word with the catalog ("it
# reaches her nephew's flat the next afternoon" is last-mile delivery); its floors are looser, as
# 30 moments move more with one change.
FLOORS = {"moments.yaml": (0.65, 0.42), "holdout.yaml": (0.55, 0.20)}


def micro_precision_recall(moments: list[dict[str, Any]], k: int = 5) -> tuple[float, float]:
    catalog = default_catalog()
    shown = hits = labels = 0
    for m in moments:
        found = {s.capability for s in suggest_for_moment({"story": m["story"], "wow": m.get("wow")}, catalog)[:k]}
        expected = set(m["expect"])
        shown += len(found)
        hits += len(found & expected)
        labels += len(expected)
    return hits / shown, hits / labels


def load(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((CORPUS / name).read_text("utf-8"))["moments"])


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_precision_and_recall_at_5_stay_above_their_floors(name: str) -> None:
    precision, recall = micro_precision_recall(load(name))
    floor_p, floor_r = FLOORS[name]
    assert precision >= floor_p, f"precision@5 {precision:.2f} < {floor_p} on {name}"
    assert recall >= floor_r, f"recall@5 {recall:.2f} < {floor_r} on {name}"


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_labelled_set_names_only_shipped_capabilities(name: str) -> None:
    catalog = default_catalog()
    moments = load(name)
    assert len({m["id"] for m in moments}) == len(moments)
    for m in moments:
        assert m["story"].strip()
        assert all(cid in catalog for cid in m["expect"]), m["id"]


def test_the_labelled_set_is_broad() -> None:
    moments = load("moments.yaml")
    assert len(moments) >= 60
    sectors = {m["sector"] for m in moments}
    assert {"retail", "banking", "travel", "healthcare", "utilities", "public services", "B2B"} <= sectors
