"""Charts of a roadmap as standalone vector SVG: burn-up, traceability heatmap, maturity, Gantt and journey.

Each chart function returns a `Chart` (SVG text, a title and a one-sentence alt text) that
JupyterLab shows inline and a document can embed. Figures are sized for an A4 portrait page
(17 cm of content width) and grow in height with the data, so 40 capabilities and 30 moments
stay readable. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from ._burnup import _burnup
from ._colour import _brand
from ._colour import _contrast as _contrast  # tests/unit/test_charts.py checks the total's contrast with it
from ._gantt import _gantt
from ._heatmap import _heatmap
from ._journey import _journey
from ._layout import _Built
from ._maturity import _maturity
from ._scenarios import _scenarios
from ._style import BASE_SIZE, FONT, INK, MUTED, PAGE_WIDTH_IN, RULE, SMALL_SIZE, TITLE_SIZE, style
from ._svg import _svg

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..comparison import Comparison
    from ..roadmap import Roadmap

__all__ = [
    "BASE_SIZE",
    "CHART_KINDS",
    "FONT",
    "INK",
    "MUTED",
    "PAGE_WIDTH_IN",
    "RULE",
    "SMALL_SIZE",
    "TITLE_SIZE",
    "Chart",
    "ChartKind",
    "burnup",
    "figure",
    "gantt",
    "heatmap",
    "journey",
    "maturity",
    "scenarios",
    "style",
]

ChartKind = Literal["burnup", "heatmap", "maturity", "gantt", "journey"]
"""The charts, each named like its public function below.

Add yours here (`CHART_KINDS` follows) and in `_BUILDERS` (at the end of this module), with a public
function of the same name: tests/unit/test_charts.py draws every kind in `CHART_KINDS` and checks its text for
overlaps and cuts. In a document, a chart needs a section too; docs/architecture.md ("A chart") gives
every step.

The chart itself is a builder `_name(roadmap, brand) -> _Built` in a module of its own, `_name.py` in
this package (`_maturity.py` is the shortest), drawn inside `with style():` and laid out by a `place`
function given to `_layout._lay_out`. The shared parts live beside it: `_style` (page width, font, sizes,
ink, matplotlib settings), `_layout` (margins and placement), `_axes` (ticks, legend, title, empty chart),
`_text` (clipping, wrapping, widths), `_colour` (brand ink, tints, contrast) and `_svg` (the SVG backend).
"""
CHART_KINDS: tuple[ChartKind, ...] = get_args(ChartKind)


@dataclass(frozen=True)
class Chart:
    """A rendered chart: a standalone SVG document, its title and a one-sentence alt text."""

    svg: str
    title: str
    alt: str

    def _repr_svg_(self) -> str:
        """The SVG, so that Jupyter shows the chart inline."""
        return self.svg


def figure(kind: ChartKind, roadmap: Roadmap, *, colour: str | None = None) -> Figure:
    """The matplotlib figure behind a chart, e.g. to save a PNG inside `with style():`."""
    return _BUILDERS[kind](roadmap, _brand(roadmap, colour)).figure


def burnup(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """The experience burn-up: moments live by the end of each wave, per perfect day and in total."""
    return _chart(_burnup(roadmap, _brand(roadmap, colour)))


def heatmap(roadmap: Roadmap, *, colour: str | None = None, part: tuple[int, int, Roadmap] | None = None) -> Chart:
    """The traceability heatmap: the maturity level each moment needs of each capability.

    `part` is (n, of, whole) when `roadmap` holds the n-th of `of` groups of the moments of `whole`:
    the alt text then says which part it is and how many moments there are in all.
    """
    return _chart(_heatmap(roadmap, _brand(roadmap, colour), part))


def maturity(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """Maturity by domain: average level today against the average level the moments need."""
    return _chart(_maturity(roadmap, _brand(roadmap, colour)))


def gantt(roadmap: Roadmap, *, colour: str | None = None, part: tuple[int, int, Roadmap] | None = None) -> Chart:
    """The roadmap as a Gantt chart with one swimlane per domain.

    `part` is (n, of, whole) when `roadmap` is the n-th of `of` views of the plan `whole`, cut to fit
    pages: the alt text then says which part it is and what the whole plan holds.
    """
    return _chart(_gantt(roadmap, _brand(roadmap, colour), part))


def journey(roadmap: Roadmap, *, day: str | None = None, colour: str | None = None) -> Chart:
    """One perfect day (by id; the first if None) as a journey: moments by channel, when each goes live, feelings."""
    return _chart(_journey(roadmap, _brand(roadmap, colour), day))


def scenarios(comparison: Comparison, *, colour: str | None = None) -> Chart:
    """Scenarios' burn-ups overlaid: moments live by the end of each wave under each scenario compared.

    Drawn from a comparison, not one roadmap, so it is not a `ChartKind`; tests/unit/test_charts.py
    checks its text as it does every kind's.
    """
    return _chart(_scenarios(comparison, _brand(comparison.reference, colour)))


def _chart(built: _Built) -> Chart:
    return Chart(svg=_svg(built.figure, built.title, built.alt, built.tips), title=built.title, alt=built.alt)


# Every `ChartKind` and the function that builds it: add yours here too.
_BUILDERS: dict[ChartKind, Callable[[Roadmap, str], _Built]] = {
    "burnup": _burnup,
    "heatmap": _heatmap,
    "maturity": _maturity,
    "gantt": _gantt,
    "journey": _journey,  # the first perfect day; `journey(roadmap, day=...)` draws any other
}
