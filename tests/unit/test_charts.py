"""Charts: vector SVG that is deterministic, escaped, readable at 40 capabilities x 30 moments."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from visionkit import charts
from visionkit.cli import demo_path
from visionkit.engagement_file import load_engagement
from visionkit.planner import plan
from visionkit.roadmap import Roadmap
from visionkit.validation import validate_engagement

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
DAY_TITLE = 'Tom & "Jerry\'s" $x^2$ day'
DOMAINS = ("customer-data", "relationship", "channels", "fulfilment", "people", "analytics", "trust", "operations")
ADJECTIVES = (
    "Real-time",
    "Predictive",
    "Omnichannel",
    "Self-service",
    "Consent-aware",
    "Event-driven",
    "Unified",
    "AI",
)
NOUNS = ("customer journey", "inventory and order", "associate knowledge", "loyalty and reward", "service recovery")


def wide_engagement() -> dict[str, Any]:
    """40 capabilities with long-ish names, each needed directly by some moment; 30 moments in 4 days."""
    caps: list[dict[str, Any]] = []
    for i in range(40):
        cap: dict[str, Any] = {
            "id": f"cap-{i:02d}",
            "name": f"{ADJECTIVES[i % 8]} {NOUNS[i // 8]} hub",
            "domain": DOMAINS[i % 8],
            "effort_per_level": 1 + i % 3,
        }
        if i >= 8 and i % 3 == 0:
            cap["requires"] = {f"cap-{i // 3:02d}": 2}
        caps.append(cap)
    titles = [
        "Priya's perfect Saturday",
        "A thoroughly perfect working day for the regional store manager",
        "Sam's shift",
        "A thoroughly perfect working day for the contact-centre agent",
    ]
    days, k = [], 0
    for d, size in enumerate((8, 8, 8, 6)):
        moments = []
        for m in range(size):
            needs = {f"cap-{k % 40:02d}": 1 + k % 5, f"cap-{(k + 17) % 40:02d}": 1 + (k * 3) % 4}
            if k < 10:
                needs[f"cap-{k + 30:02d}"] = 2
            moment: dict[str, Any] = {"story": f"Moment {m + 1} of day {d + 1}.", "needs": needs}
            if m % 3:
                moment["at"] = f"{8 + m:02d}:{(m * 7) % 60:02d}"
            moments.append(moment)
            k += 1
        days.append({"id": f"day-{d + 1}", "title": titles[d], "moments": moments})
    return {
        "client": "Wide & Long Ltd",
        "scenario": {"start": "2027-Q1", "waves": 8, "capacity": 9},
        "catalog": {"extends": "none", "capabilities": caps},
        "assessment": {f"cap-{i:02d}": i % 3 for i in range(0, 40, 2)},
        "perfect_days": days,
    }


def nasty_engagement() -> dict[str, Any]:
    """Markup, math and quotes in a title, a capability name and a moment time."""
    return {
        "client": "Escapes <Ltd> & Co",
        "scenario": {"waves": 3, "capacity": 4},
        "catalog": {
            "extends": "none",
            "capabilities": [
                {"id": "x", "name": SCRIPT, "domain": "data", "effort_per_level": 1},
                {"id": "y", "name": "Costs in $ & <b>bold</b>", "domain": "data", "effort_per_level": 5},
            ],
        },
        "perfect_days": [
            {
                "id": "d",
                "title": DAY_TITLE,
                "moments": [
                    {"at": "9 & 10", "story": "s", "needs": {"x": 2}},
                    {"story": "t", "needs": {"y": 3}},
                ],
            }
        ],
    }


CHANNELS = (
    "Contact centre (outbound telephony)",
    "mobile app",
    "Self-service kiosk in the flagship store",
    "email",
    "Partner marketplace",
    "social",
)


def crowded_engagement(size: int, *, timed: bool) -> dict[str, Any]:
    """One day of `size` moments in six channels with long names (every fourth in none), few of them live."""
    moments: list[dict[str, Any]] = []
    for m in range(size):
        moment: dict[str, Any] = {"story": f"Step {m + 1}.", "needs": {f"c{m % 4}": 1 + m % 5}}
        if m % 4 != 3:
            moment["channel"] = CHANNELS[(m // 2) % len(CHANNELS)]  # pairs of neighbours share a lane
        if timed:
            moment["at"] = f"{8 + m % 14:02d}:{(m * 7) % 60:02d}"
        if m % 3 == 0:
            moment["feeling"] = {"today": -2 + m % 2, "perfect": 2}
        elif m % 3 == 1:
            moment["feeling"] = {"perfect": 1}
        moments.append(moment)
    capabilities = [{"id": f"c{i}", "name": f"C{i}", "domain": "data", "effort_per_level": 1 + i} for i in range(4)]
    return {
        "client": "Crowded",
        "scenario": {"start": "2027-Q1", "waves": 3, "capacity": 4},
        "catalog": {"extends": "none", "capabilities": capabilities},
        "perfect_days": [{"id": "crowd", "title": "A crowded day in many channels", "moments": moments}],
    }


@pytest.fixture(scope="module")
def demo() -> Roadmap:
    return plan(load_engagement(demo_path()))


@pytest.fixture(scope="module")
def wide() -> Roadmap:
    return plan(validate_engagement(wide_engagement()))


@pytest.fixture(scope="module")
def nasty() -> Roadmap:
    return plan(validate_engagement(nasty_engagement()))


def all_charts(roadmap: Roadmap) -> dict[str, charts.Chart]:
    return {kind: getattr(charts, kind)(roadmap) for kind in charts.CHART_KINDS}


@pytest.fixture(scope="module")
def demo_charts(demo: Roadmap) -> dict[str, charts.Chart]:
    return all_charts(demo)


@pytest.fixture(scope="module")
def wide_charts(wide: Roadmap) -> dict[str, charts.Chart]:
    return all_charts(wide)


def texts_of(svg: str) -> list[str]:
    """The content of every <text> element of an SVG document."""
    root = ET.fromstring(svg.encode("utf-8"))
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def drawn(fig: Figure) -> Figure:
    """The figure laid out and drawn on an Agg canvas, so text extents are those of a PNG."""
    with charts.style():
        FigureCanvasAgg(fig)
        fig.draw_without_rendering()
    return fig


def visible_texts(fig: Figure) -> Iterator[Text]:
    for artist in fig.findobj(Text):
        if isinstance(artist, Text) and artist.get_visible() and artist.get_text().strip():
            yield artist


def overlaps(a: Bbox, b: Bbox, tolerance: float = 0.5) -> bool:
    return bool(
        a.x0 < b.x1 - tolerance and b.x0 < a.x1 - tolerance and a.y0 < b.y1 - tolerance and b.y0 < a.y1 - tolerance
    )


def test_importing_charts_does_not_import_matplotlib(imported_after: Callable[[str, Iterable[str]], list[str]]) -> None:
    assert imported_after("import visionkit.charts", ["matplotlib"]) == []


def test_every_chart_is_a_standalone_vector_svg_with_a_title_and_alt(demo_charts: dict[str, charts.Chart]) -> None:
    for kind, chart in demo_charts.items():
        root = ET.fromstring(chart.svg.encode("utf-8"))
        assert root.tag == f"{SVG}svg", kind
        assert root.findtext(f"{SVG}title") == chart.title
        assert root.findtext(f"{SVG}desc") == chart.alt
        assert not list(root.iter(f"{SVG}image")), f"{kind}: no raster images"
        assert chart.title in texts_of(chart.svg), f"{kind}: the title is drawn as text"
        # Every label names the font it was measured in, then fallbacks: never the browser's default serif.
        families = set(re.findall(r"font-family: ([^;\"]+)", chart.svg))
        assert families == {"'DejaVu Sans', Verdana, sans-serif"}, f"{kind}: {families}"
        assert chart._repr_svg_() == chart.svg
        # One sentence, computed from the data.
        assert chart.alt.endswith(".") and chart.alt.count(". ") == 0 and any(c.isdigit() for c in chart.alt)
        assert 'width="482.4pt"' in chart.svg, f"{kind}: 6.7 in wide, the content width of an A4 page"
    with pytest.raises(dataclasses.FrozenInstanceError):
        demo_charts["burnup"].title = "changed"  # type: ignore[misc]


def test_same_roadmap_same_bytes(demo: Roadmap, demo_charts: dict[str, charts.Chart]) -> None:
    for kind, chart in demo_charts.items():
        assert getattr(charts, kind)(demo).svg == chart.svg, kind
    assert "<dc:date>" not in demo_charts["gantt"].svg
    code = (
        "import visionkit as vk, visionkit.charts as c, visionkit.cli as cli;"
        "print(c.burnup(vk.plan(vk.load_engagement(cli.demo_path()))).svg, end='')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == demo_charts["burnup"].svg, "ids and layout do not depend on the process"


def test_rendering_leaves_global_settings_alone(demo: Roadmap) -> None:
    before = dict(matplotlib.rcParams)
    charts.burnup(demo)
    assert dict(matplotlib.rcParams) == before


def test_a_part_of_a_long_roadmap_says_which_part_and_what_the_whole_holds() -> None:
    from visionkit.document import RoadmapDocument, split_by_domain
    from visionkit.model import Engagement
    from visionkit.testing import generate_engagement

    engagement = Engagement.model_validate(generate_engagement(60, 30, seed=1))
    roadmap = plan(engagement)
    parts = split_by_domain(roadmap, 40)
    assert len(parts) >= 2
    kept = [up for up in roadmap.uplifts if up.status != "excluded"]
    domains = len({up.domain for up in kept})
    doc = RoadmapDocument(engagement, roadmap, date=datetime.date(2027, 3, 1))
    figures = [b for b in doc.gantt().blocks if type(b).__name__ == "Chart"]
    assert len(figures) == len(parts)
    for n, (chart, part) in enumerate(zip(figures, parts, strict=True), start=1):
        assert chart.alt.startswith(
            f"Part {n} of {len(parts)} of the roadmap, {domains} domains and {len(kept)} uplifts in all."
        )
        scheduled = sum(1 for up in part.uplifts if up.status == "scheduled")
        assert f"It shows {scheduled} scheduled uplift" in chart.alt
        assert f"<desc>{chart.alt}</desc>" in chart.svg  # what a screen reader announces says the same
    assert charts.gantt(roadmap).alt.startswith("Roadmap of")  # a roadmap shown whole says nothing of parts


def test_the_burnup_alt_text_agrees_in_number() -> None:
    one_day = plan(load_engagement(Path(__file__).parents[1] / "corpus" / "exports" / "no-start.yaml"))
    assert len(one_day.engagement.perfect_days) == 1
    alt = charts.burnup(one_day).alt
    assert " of 1 perfect day is complete." in alt or alt.endswith("0 of 1 perfect day are complete."), alt
    assert not re.search(r"\b1 of \d+ \w+ are\b", alt) and not re.search(r"\b([02-9]|\d\d+) of \d+ \w+ is\b", alt)


def test_burnup_has_every_perfect_day_and_ends_at_the_moments_live(
    demo: Roadmap, wide: Roadmap, demo_charts: dict[str, charts.Chart], wide_charts: dict[str, charts.Chart]
) -> None:
    for roadmap, rendered in ((demo, demo_charts), (wide, wide_charts)):
        texts = texts_of(rendered["burnup"].svg)
        for day in roadmap.engagement.perfect_days:
            assert any(t.startswith(day.title) for t in texts), day.title
        fig = charts.figure("burnup", roadmap)
        ax = fig.axes[0]
        total = next(line for line in ax.get_lines() if str(line.get_label()).startswith("All moments"))
        live_at_end = sum(1 for mp in roadmap.moments if mp.live_wave is not None)
        ys = np.asarray(total.get_ydata(), dtype=float).tolist()
        assert ys[-1] == live_at_end == roadmap.waves()["moments_live"].iloc[-1]
        assert ys == sorted(ys), "cumulative"
        assert ax.get_ylim()[1] == len(roadmap.moments)
        ticks = list(ax.get_yticks())
        assert ticks[-1] == len(roadmap.moments) and all(float(t).is_integer() for t in ticks)
        assert ax.get_xticklabels()[0].get_text() == "today"
        assert len(ax.get_lines()) == len(roadmap.engagement.perfect_days) + 1


def test_heatmap_names_every_capability_and_writes_the_levels(
    demo: Roadmap, wide: Roadmap, demo_charts: dict[str, charts.Chart], wide_charts: dict[str, charts.Chart]
) -> None:
    for roadmap, rendered in ((demo, demo_charts), (wide, wide_charts)):
        frame = roadmap.traceability(with_prerequisites=False)
        catalog = roadmap.engagement.capabilities
        texts = set(texts_of(rendered["heatmap"].svg))
        for cid in frame.columns:
            assert catalog[cid].name in texts, cid
        for domain in {catalog[cid].domain for cid in frame.columns}:
            assert catalog.domain_name(domain) in texts or any(t.endswith("…") for t in texts)
        numbers = [t for t in texts_of(rendered["heatmap"].svg) if t.isdigit() and len(t) == 1]
        assert len(numbers) == int((frame.to_numpy() > 0).sum())
    first = demo.moments[0]
    assert f"Priya's perfect Saturday · {first.at}" in texts_of(demo_charts["heatmap"].svg)


def test_heatmap_labels_moments_without_a_time_by_position(wide_charts: dict[str, charts.Chart]) -> None:
    texts = texts_of(wide_charts["heatmap"].svg)
    assert "Sam's shift · #1" in texts
    # A long title wraps onto a second line that ends with the moment's time; one too long even for two
    # lines loses whole words from its middle, never its end, where titles differ.
    assert "A thoroughly perfect … the" in texts
    assert "regional store manager · #1" in texts and "regional store manager · 09:07" in texts
    assert any(t.endswith("contact-centre agent · #1") for t in texts)
    assert not any(t.endswith("…") for t in texts)


def test_maturity_compares_today_with_what_the_moments_need() -> None:
    data = {
        "client": "Tiny",
        "scenario": {"waves": 4, "capacity": 5},
        "catalog": {
            "extends": "none",
            "capabilities": [
                {"id": "a", "name": "A", "domain": "data", "effort_per_level": 1},
                {"id": "b", "name": "B", "domain": "data", "effort_per_level": 2, "requires": {"a": 2}},
                {"id": "c", "name": "C", "domain": "channels", "effort_per_level": 4, "requires_at": {3: {"b": 2}}},
                {"id": "unused", "name": "U", "domain": "other", "effort_per_level": 1},
            ],
        },
        "assessment": {"a": 1, "unused": 4},
        "perfect_days": [{"id": "d", "title": "D", "moments": [{"story": "s", "needs": {"c": 3, "a": 3}}]}],
    }
    roadmap = plan(validate_engagement(data))
    ax = charts.figure("maturity", roadmap).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Data", "Channels"]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    today, target = bars[:2], bars[2:]
    assert [b.get_width() for b in today] == [0.5, 0.0]  # data: a at 1, b at 0
    assert [b.get_width() for b in target] == [2.5, 3.0]  # data: a to 3, b to 2; channels: c to 3
    assert ax.get_xticks()[0] == 0 and ax.get_xticks()[-1] == 5
    assert "Other" not in texts_of(charts.maturity(roadmap).svg)


def test_gantt_omits_excluded_and_runs_beyond_horizon_off_the_edge() -> None:
    roadmap = plan(load_engagement(demo_path()), exclude=["social-listening"])
    statuses = {up.id: up.status for up in roadmap.uplifts}
    assert statuses["social-listening@2"] == "excluded"
    assert "beyond-horizon" in statuses.values()
    texts = texts_of(charts.gantt(roadmap).svg)
    assert "Social listening → L2" not in texts
    assert "Demand forecasting → L3" in texts
    assert "Social listening and engagement" not in texts, "a lane with nothing left in it is dropped"
    ax = charts.figure("gantt", roadmap).axes[0]
    labels = [t.get_text() for t in ax.texts if " → L" in t.get_text()]  # one row label per uplift
    assert len(labels) == sum(1 for s in statuses.values() if s != "excluded")
    right = ax.get_xlim()[1]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() < 1]  # not the lane shading
    hatched = [p for p in bars if p.get_hatch()]
    assert len(hatched) == sum(1 for s in statuses.values() if s == "beyond-horizon")
    assert all(p.get_x() + p.get_width() > right for p in hatched)
    solid = [p for p in bars if not p.get_hatch()]
    assert all(p.get_x() + p.get_width() < right for p in solid)
    assert len(solid) == sum(1 for s in statuses.values() if s == "scheduled")


def test_gantt_lanes_follow_the_catalog_domains(demo: Roadmap, demo_charts: dict[str, charts.Chart]) -> None:
    texts = texts_of(demo_charts["gantt"].svg)
    catalog = demo.engagement.capabilities
    lanes = [catalog.domain_name(d) for d in catalog.domains if any(up.domain == d for up in demo.uplifts)]
    assert [t for t in texts if t in lanes] == lanes
    # Period labels stay level, on one line or stacked over two (2027 / Q1), as room allows.
    assert all(label in texts or label.split("-")[1] in texts for label in demo.labels)


def assert_text_fits(fig: Figure, kind: str) -> None:
    """No text of the figure, drawn as a PNG would be, overlaps another or leaves the figure."""
    fig = drawn(fig)
    width, height = fig.bbox.width, fig.bbox.height
    assert fig.get_figwidth() <= charts.PAGE_WIDTH_IN + 1e-9
    boxes: list[tuple[str, Bbox]] = []
    for text in visible_texts(fig):
        box = text.get_window_extent()
        name = text.get_text()
        assert box.x0 >= -0.5 and box.y0 >= -0.5, f"{kind}: {name!r} cut off at the left or bottom"
        assert box.x1 <= width + 0.5 and box.y1 <= height + 0.5, f"{kind}: {name!r} cut off at the right or top"
        boxes.append((name, box))
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not overlaps(box_a, box_b), f"{kind}: {a!r} overlaps {b!r}"
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for labels in (
                [t.label1 for t in axis.get_major_ticks() if t.label1.get_visible()],
                [t.label2 for t in axis.get_major_ticks() if t.label2.get_visible()],
            ):
                shown = [t.get_window_extent() for t in labels if t.get_text().strip()]
                for box_a, box_b in itertools.combinations(shown, 2):
                    assert not overlaps(box_a, box_b, tolerance=0.0), f"{kind}: tick labels overlap"


@pytest.mark.parametrize("kind", charts.CHART_KINDS)
def test_no_text_overlaps_or_is_cut_off(kind: charts.ChartKind, demo: Roadmap, wide: Roadmap) -> None:
    assert len(wide.traceability().columns) == 40 and len(wide.moments) == 30
    for roadmap in (demo, wide):
        assert_text_fits(charts.figure(kind, roadmap), kind)


@pytest.mark.parametrize("size", [1, 5, 12, 30])
@pytest.mark.parametrize("timed", [True, False])
def test_every_journey_fits_however_crowded_its_day(
    size: int, timed: bool, demo: Roadmap, wide: Roadmap, nasty: Roadmap
) -> None:
    # `figure` draws a roadmap's first perfect day; the journey of every other day must fit as well.
    crowded = plan(validate_engagement(crowded_engagement(size, timed=timed)))
    if size >= 12:
        assert len({mp.channel for mp in crowded.moments}) == 7  # six channels, and moments without one
    days = [(crowded, "crowd")]
    if size == 12 and timed:
        days += [(r, d.id) for r in (demo, wide, nasty) for d in r.engagement.perfect_days]
    for roadmap, day in days:
        with charts.style():
            fig = charts._journey(roadmap, "#1f4e79", day).figure
        assert_text_fits(fig, f"journey of {day}")


def test_figures_grow_with_the_data(demo: Roadmap, wide: Roadmap) -> None:
    for kind in ("heatmap", "gantt"):
        small = charts.figure(kind, demo).get_figheight()
        large = charts.figure(kind, wide).get_figheight()
        assert large > small, kind


def test_long_labels_are_cut_with_an_ellipsis(wide_charts: dict[str, charts.Chart]) -> None:
    texts = texts_of(wide_charts["heatmap"].svg)
    assert all(len(t) <= 44 for t in texts)
    assert any("…" in t for t in texts)


def test_user_text_is_escaped_and_never_math(nasty: Roadmap) -> None:
    for kind in charts.CHART_KINDS:
        svg = getattr(charts, kind)(nasty).svg
        root = ET.fromstring(svg.encode("utf-8"))
        assert not [el for el in root.iter() if str(el.tag).lower().endswith("script")], kind
        assert "<script" not in svg, kind
        texts = texts_of(svg)
        if kind == "burnup":
            assert f"{DAY_TITLE} (2 moments)" in texts
        if kind == "heatmap":
            assert SCRIPT in texts and "Costs in $ & <b>bold</b>" in texts
            assert f"{DAY_TITLE} · 9 & 10" in texts
        if kind == "gantt":
            assert f"{SCRIPT} → L2" in texts
        if kind == "journey":
            assert f"Journey: {DAY_TITLE}" in texts and "9 & 10" in texts and "Moment 2" in texts
    assert "$x^2$" in charts.burnup(nasty).svg


def test_colour_comes_from_the_brand_and_stays_legible(demo: Roadmap, demo_charts: dict[str, charts.Chart]) -> None:
    assert "#1f4e79" in demo_charts["burnup"].svg
    assert "#aa3300" in charts.maturity(demo, colour="#aa3300").svg
    # A pale brand colour is darkened until it stands out on white paper.
    fig = charts.figure("burnup", demo, colour="#ffee88")
    total = next(line for line in fig.axes[0].get_lines() if str(line.get_label()).startswith("All moments"))
    assert charts._contrast(str(total.get_color()), "#ffffff") >= 3.0
    days = [line for line in fig.axes[0].get_lines() if line is not total]
    assert len({str(line.get_color()) for line in days}) == len(days)
    assert all(isinstance(line, Line2D) for line in days)


def test_every_gantt_bar_says_on_hover_why_it_is_there(demo: Roadmap, demo_charts: dict[str, charts.Chart]) -> None:
    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(demo_charts["gantt"].svg)
    tips = {
        g.get("id"): g.find("svg:title", ns).text  # type: ignore[union-attr]
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if (g.get("id") or "").startswith("vk-uplift-")
    }
    shown = [up for up in demo.in_delivery_order() if up.status != "excluded"]
    assert len(tips) == len(shown)
    said = " | ".join(t or "" for t in tips.values())
    for up in shown:
        assert f"{up.label}, {demo.when(up.id)}" in said
        if demo.why(up.id):
            assert demo.why(up.id) in said
    assert not any("@" in (t or "") for t in tips.values())  # names and levels, never ids


def test_a_days_line_is_drawn_over_the_total_not_under_it(demo: Roadmap) -> None:
    with charts.style():
        fig = charts.figure("burnup", demo)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    total = next(line for label, line in lines.items() if label.startswith("All moments"))
    days = [line for line in lines.values() if line is not total]
    assert days and all(line.get_zorder() > total.get_zorder() for line in days)


def test_the_scenarios_burnups_keep_their_text_apart() -> None:
    import yaml

    import visionkit as vk
    from visionkit.charts._scenarios import _scenarios

    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    data["scenarios"] = [
        {"name": "more budget", "capacity": 16},
        {"name": "a scenario with a rather long name to wrap the legend", "strategy": "foundations"},
        {"name": "longer", "waves": 10},
    ]
    comparison = vk.compare(vk.validate_engagement(data))
    assert_text_fits(_scenarios(comparison, "#1f4e79").figure, "scenarios")
    chart = charts.scenarios(comparison)
    assert chart.alt.startswith("Experience burn-up of 4 scenarios: of 9 moments, live by the end 8 in baseline")
