"""Charts of a roadmap as standalone vector SVG: burn-up, traceability heatmap, maturity and Gantt.

Each chart function returns a `Chart` (SVG text, a title and a one-sentence alt text) that
JupyterLab shows inline and a document can embed. Figures are sized for an A4 portrait page
(17 cm of content width) and grow in height with the data, so 40 capabilities and 30 moments
stay readable. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import functools
import io
import math
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.legend import Legend
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox
    from matplotlib.typing import RcKeyType

    from .roadmap import Roadmap, Uplift

ChartKind = Literal["burnup", "heatmap", "maturity", "gantt"]
"""The charts, each named like its public function below.

Add yours here, in `CHART_KINDS` and in `_BUILDERS` (at the end of this module), with a public function
of the same name: tests/unit/test_charts.py draws every kind in `CHART_KINDS` and checks its text for
overlaps and cuts. In a document, a chart needs a section too; docs/architecture.md ("A chart") gives
every step.
"""
CHART_KINDS: tuple[ChartKind, ...] = ("burnup", "heatmap", "maturity", "gantt")

PAGE_WIDTH_IN = 6.7  # A4 portrait with 2 cm margins: 17 cm of content width
FONT = "DejaVu Sans"  # ships with matplotlib, so measurements match on every machine
BASE_SIZE = 8.0
SMALL_SIZE = 7.0
TITLE_SIZE = 10.0
INK = "#262626"
MUTED = "#595959"
RULE = "#d9d9d9"

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Yellow is left out
# because it vanishes on white paper.
_DAY_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#000000")
_DAY_MARKERS = ("s", "^", "D", "v", "P", "X", "<", ">", "p", "h")
_DAY_DASHES: tuple[str | tuple[int, tuple[int, ...]], ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, readable by screen readers
    "svg.hashsalt": "visionkit-charts",  # fixed ids, so the same roadmap gives the same bytes
    "text.parse_math": False,  # client text with `$...$` must print as written
    "text.usetex": False,
    "font.family": FONT,
    "font.size": BASE_SIZE,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.facecolor": "white",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": SMALL_SIZE,
    "ytick.labelsize": SMALL_SIZE,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    # Pinned because margins are computed from them (see the layout section), whatever the local matplotlibrc.
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.major.size": 3.5,
    "ytick.major.size": 3.5,
    "xtick.major.pad": 3.5,
    "ytick.major.pad": 3.5,
    "axes.labelpad": 4.0,
    "legend.borderaxespad": 0.5,
    "legend.frameon": False,
    "legend.fontsize": SMALL_SIZE,
    "hatch.linewidth": 0.7,
    "lines.solid_capstyle": "butt",
}


@dataclass(frozen=True)
class Chart:
    """A rendered chart: a standalone SVG document, its title and a one-sentence alt text."""

    svg: str
    title: str
    alt: str

    def _repr_svg_(self) -> str:
        """The SVG, so that Jupyter shows the chart inline."""
        return self.svg


class _Built(NamedTuple):
    figure: Figure
    title: str
    alt: str


@contextmanager
def style() -> Iterator[None]:
    """The matplotlib settings charts are built and drawn with, for this block only."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        yield


def figure(kind: ChartKind, roadmap: Roadmap, *, colour: str | None = None) -> Figure:
    """The matplotlib figure behind a chart, e.g. to save a PNG inside `with style():`."""
    return _BUILDERS[kind](roadmap, _brand(roadmap, colour)).figure


def burnup(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """The experience burn-up: moments live by the end of each wave, per perfect day and in total."""
    return _chart(_burnup(roadmap, _brand(roadmap, colour)))


def heatmap(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """The traceability heatmap: the maturity level each moment needs of each capability."""
    return _chart(_heatmap(roadmap, _brand(roadmap, colour)))


def maturity(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """Maturity by domain: average level today against the average level the moments need."""
    return _chart(_maturity(roadmap, _brand(roadmap, colour)))


def gantt(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """The roadmap as a Gantt chart with one swimlane per domain."""
    return _chart(_gantt(roadmap, _brand(roadmap, colour)))


# --- rendering -----------------------------------------------------------------------------


def _chart(built: _Built) -> Chart:
    return Chart(svg=_svg(built.figure, built.title, built.alt), title=built.title, alt=built.alt)


def _svg(fig: Figure, title: str, alt: str) -> str:
    _, canvas = _svg_classes()
    buffer = io.StringIO()
    with style():
        canvas(fig)
        # No date: the same roadmap must give byte-identical output.
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    # <title> and <desc> are what screen readers announce for an SVG embedded as a document.
    label = f"<title>{escape(title, quote=False)}</title><desc>{escape(alt, quote=False)}</desc>"
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + "\n " + label, svg, count=1)


_FONT_SCALE = 100.0  # the size matplotlib's SVG backend measures text at, then scales linearly
_EXTENTS: dict[tuple[object, ...], tuple[float, float, float]] = {}
_EXTENTS_LIMIT = 20_000


def _extent(text: str, prop: FontProperties) -> tuple[float, float, float]:
    """Width, height and descent of one line of text in points, exactly as the SVG backend measures it."""
    from matplotlib.font_manager import font_family_aliases
    from matplotlib.textpath import text_to_path

    family = tuple(prop.get_family())
    if any(name.lower() in font_family_aliases for name in family):
        # A generic family resolves through rcParams, which the key below does not capture.
        return text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    key = (text, family, prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(), prop.get_file())
    unit = _EXTENTS.get(key)
    if unit is None:
        # Laying out glyphs costs far more than anything else in a chart, and the same labels
        # (periods, levels, capability and domain names) come back in every chart of every
        # document. Metrics scale linearly with size, so one entry serves every size.
        if len(_EXTENTS) >= _EXTENTS_LIMIT:
            _EXTENTS.clear()
        probe = prop.copy()
        probe.set_size(_FONT_SCALE)
        unit = _EXTENTS[key] = text_to_path.get_text_width_height_descent(text, probe, ismath=False)
    # The same arithmetic as the backend, so the cached figures are bit for bit what it computes.
    scale = prop.get_size_in_points() / _FONT_SCALE
    return unit[0] * scale, unit[1] * scale, unit[2] * scale


@functools.cache
def _svg_classes() -> tuple[type[RendererSVG], type[FigureCanvasSVG]]:
    """The SVG renderer with cached text metrics, and a canvas that saves through it."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG

    class Renderer(RendererSVG):
        def get_text_width_height_descent(
            self, s: str, prop: FontProperties, ismath: bool | Literal["TeX"]
        ) -> tuple[float, float, float]:
            if ismath is False:
                return _extent(s, prop)
            return super().get_text_width_height_descent(s, prop, ismath)  # type: ignore[no-untyped-call,no-any-return]

    class Canvas(FigureCanvasSVG):
        def print_svg(self, filename: io.StringIO, *, metadata: dict[str, Any] | None = None, **_: Any) -> None:
            # FigureCanvasSVG.print_svg, drawing with the renderer above (savefig restores the dpi).
            # Nothing in these charts is rasterized, so no mixed-mode renderer is needed.
            fig = self.figure
            fig.dpi = 72
            width, height = (float(v) * 72 for v in fig.get_size_inches())
            renderer = Renderer(width, height, filename, image_dpi=72, metadata=metadata)  # type: ignore[no-untyped-call]
            fig.draw(renderer)
            renderer.finalize()  # type: ignore[no-untyped-call]

    return Renderer, Canvas


# --- layout --------------------------------------------------------------------------------
#
# Figures are laid out by hand rather than by constrained layout, which draws every figure
# several times over to find its margins. The margins are sums of text extents that are known
# in advance: the figure is sized with the SVG backend's metrics when it is built, and just
# before the axes are drawn the margins are worked out again with the metrics of the renderer
# that draws them, so a raster copy (which hints text a little wider) is never clipped either.

PAD = 4.0  # points of white around everything, as constrained layout left with 4 pt pads
TITLE_ROOM = PAD + TITLE_SIZE + 2 * PAD  # from the top of the figure to whatever sits under the title
LEGEND_EDGE = 0.5 * SMALL_SIZE  # the legend's distance from the bottom: legend.borderaxespad x its font size
LEGEND_GAP = 8.5  # from the top of the legend to whatever sits above it
TICK = 3.5  # xtick/ytick.major.size, pinned in _RC
TICK_PAD = 3.5  # xtick/ytick.major.pad, pinned in _RC
LABEL_PAD = 4.0  # axes.labelpad, pinned in _RC


class _Margins(NamedTuple):
    """Room around the axes, in points."""

    left: float
    right: float
    top: float
    bottom: float


class _Measure:
    """Text extents in points, as the given renderer will draw the text."""

    def __init__(self, fig: Figure, renderer: RendererBase) -> None:
        from matplotlib.text import Text
        from matplotlib.transforms import IdentityTransform

        self._renderer = renderer
        self._per_point = float(renderer.points_to_pixels(1.0))  # type: ignore[arg-type]
        self._props: dict[tuple[float, str], FontProperties] = {}
        self._probe = Text(0, 0, "", fontfamily=FONT, parse_math=False, usetex=False, transform=IdentityTransform())
        self._probe.set_figure(fig)

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        """Width of the widest line: the text's horizontal extent, or its vertical one turned upright."""
        from matplotlib.font_manager import FontProperties

        prop = self._props.get((size, weight))
        if prop is None:
            prop = self._props[size, weight] = FontProperties(family=FONT, size=size, weight=weight)
        measure = self._renderer.get_text_width_height_descent
        return max(measure(line, prop, False)[0] for line in text.split("\n")) / self._per_point

    def box(
        self, text: str, size: float, *, weight: str = "normal", rotation: float = 0.0, ha: str = "center", va: str
    ) -> Bbox:
        """The box the text takes around its anchor point, which is at (0, 0)."""
        from matplotlib.transforms import Bbox

        self._probe.set(text=text, fontsize=size, fontweight=weight, rotation=rotation, ha=ha, va=va)
        box = self._probe.get_window_extent(self._renderer)
        return Bbox.from_extents(*(float(v) / self._per_point for v in box.extents))

    def height(self, artist: Artist) -> float:
        return float(artist.get_window_extent(self._renderer).height) / self._per_point

    def above_legend(self, legend: Legend) -> float:
        """Room the legend takes at the bottom of the figure, up to whatever sits above it."""
        return LEGEND_EDGE + self.height(legend) + LEGEND_GAP


_Place = Callable[[_Measure], _Margins]


def _new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.add_axes((0.0, 0.0, 1.0, 1.0))


def _lay_out(fig: Figure, ax: Axes, title: Text, place: _Place, plot_pt: float | None = None) -> None:
    """Margins from `place`; with `plot_pt`, the figure's height is set so the plot area is that tall."""
    renderer, _ = _svg_classes()
    dpi = fig.dpi
    # Text is measured as the SVG backend draws it, which is at 72 dpi.
    fig.dpi = 72
    try:
        margins = place(_Measure(fig, renderer(1, 1, io.StringIO())))
    finally:
        fig.dpi = dpi
    if plot_pt is not None:
        fig.set_figheight(max((plot_pt + margins.top + margins.bottom) / 72, 1.0))
    title.set_y(1 - PAD / 72 / float(fig.get_figheight()))
    _position(ax, margins)
    fig.add_artist(_layout_class()(ax, place))


def _position(ax: Axes, margins: _Margins) -> None:
    fig = ax.get_figure(root=True)
    assert fig is not None
    width, height = float(fig.get_figwidth()) * 72, float(fig.get_figheight()) * 72
    plot_width = max(width - margins.left - margins.right, 1.0)
    plot_height = max(height - margins.top - margins.bottom, 1.0)
    ax.set_position((margins.left / width, margins.bottom / height, plot_width / width, plot_height / height))


@functools.cache
def _layout_class() -> Callable[[Axes, _Place], Artist]:
    from matplotlib.artist import Artist

    class Layout(Artist):
        """Drawn first: places the axes for the metrics of the renderer at hand."""

        def __init__(self, ax: Axes, place: _Place) -> None:
            super().__init__()
            self._ax = ax
            self._place = place
            self.set_zorder(-math.inf)
            self.set_in_layout(False)

        def draw(self, renderer: RendererBase) -> None:
            fig = self._ax.get_figure(root=True)
            assert fig is not None
            _position(self._ax, self._place(_Measure(fig, renderer)))

    return Layout


def _fit_ends(
    width: float, left: float, right: float, ends: tuple[Bbox, Bbox] | None, insets: tuple[float, float], span: float
) -> tuple[float, float]:
    """Left and right margins widened, if need be, for the first and last x tick labels to fit the page.

    `ends` are the boxes of those labels around their anchors, `insets` how far inside the axes
    their anchors sit and `span` the axes' width, both in data units; `width` is the figure's in points.
    """
    if ends is None:
        return left, right
    first, last = ends
    new_left, new_right = left, right
    # Wider margins make the axes narrower, so the labels stick out further: each pass grows
    # the margins by a fraction (inset / span, well under 1) of the previous growth.
    for _ in range(50):
        unit = max(width - new_left - new_right, 1.0) / span
        next_left = max(left, PAD - first.x0 - insets[0] * unit)
        next_right = max(right, PAD + last.x1 - insets[1] * unit)
        if abs(next_left - new_left) + abs(next_right - new_right) < 1e-6:
            break
        new_left, new_right = next_left, next_right
    return new_left, new_right


# --- text ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters with an ellipsis."""
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clip_middle(text: str, limit: int) -> str:
    """The text on one line, cut in the middle to `limit` characters: titles often differ only at the end."""
    text = _clean(text)
    if len(text) <= limit:
        return text
    words = text.split(" ")
    head: list[str] = []
    tail: list[str] = []
    budget = limit - 3  # room left after " … "
    used = -1  # words in each half are joined by spaces: one fewer than the words
    grew = True
    while grew and len(head) + len(tail) < len(words):
        grew = False
        # Whole words from both ends, taking the end first, where titles differ.
        for side in (tail, head):
            if len(head) + len(tail) == len(words):
                break
            word = words[len(words) - 1 - len(tail)] if side is tail else words[len(head)]
            if used + len(word) + 1 <= budget:
                side.append(word)
                used += len(word) + 1
                grew = True
    if head and tail and used >= budget // 2:
        return " ".join(head) + " … " + " ".join(reversed(tail))
    cut = (limit - 1) * 9 // 20
    return text[:cut].rstrip() + "…" + text[len(text) - (limit - 1 - cut) :].lstrip()


def _wrap(text: str, width: int, lines: int) -> str:
    """The text wrapped to at most `lines` lines of `width` characters, the last cut with an ellipsis."""
    parts = textwrap.wrap(_clean(text), width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], _clip(" ".join(parts[lines - 1 :]), width)]
    return "\n".join(parts)


def _width_pt(text: str, size: float, weight: str = "normal") -> float:
    """Width of the widest line of text in points, measured with the font that will draw it."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family=FONT, size=size, weight=weight)
    widths = [_extent(line, prop)[0] for line in text.split("\n")]
    # Raster renderers hint small text, which can widen it by up to about a tenth; estimates
    # must err on the wide side so that labels never collide in a PNG either.
    return max(widths, default=0.0) * 1.12 + 1.0


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


# --- colour --------------------------------------------------------------------------------


def _brand(roadmap: Roadmap, colour: str | None) -> str:
    from matplotlib.colors import to_hex

    return _ink(to_hex(colour if colour is not None else roadmap.engagement.branding.primary))


def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def _mix(colour: str, other: str, share: float) -> str:
    """`colour` moved `share` of the way towards `other`."""
    from matplotlib.colors import to_hex

    (r, g, b), (r2, g2, b2) = _rgb(colour), _rgb(other)
    return to_hex((r + (r2 - r) * share, g + (g2 - g) * share, b + (b2 - b) * share))


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _ink(colour: str) -> str:
    """The brand colour, darkened just enough to stand out on white paper (3:1, WCAG graphics)."""
    shade = colour
    for step in range(1, 11):
        if _contrast(shade, "#ffffff") >= 3.0:
            break
        shade = _mix(colour, "#000000", step * 0.08)
    return shade


def _tints(colour: str, count: int) -> list[str]:
    """`count` tints of the colour from light to full strength."""
    if count == 1:
        return [colour]
    return [_mix(colour, "#ffffff", 0.82 * (count - 1 - i) / (count - 1)) for i in range(count)]


def _text_on(background: str) -> str:
    return "#ffffff" if _contrast("#ffffff", background) >= _contrast(INK, background) else INK


def _day_colours(brand: str, count: int) -> list[str]:
    # Drop the palette colours that sit too close to the brand colour, which draws the total.
    palette = [c for c in _DAY_COLOURS if sum(abs(x - y) for x, y in zip(_rgb(c), _rgb(brand), strict=True)) > 0.45]
    return [palette[i % len(palette)] for i in range(count)]


# --- axis helpers --------------------------------------------------------------------------


def _set_period_ticks(
    ax: Axes, positions: Sequence[float], labels: Sequence[str], pitch_pt: float
) -> tuple[list[str], float]:
    """Period labels on the x axis: level if they fit, else stacked, else upright (thinned if still too tight).

    Returns the labels as shown and their rotation.
    """
    size = SMALL_SIZE
    widest = max((_width_pt(label, size) for label in labels), default=0.0)
    rotation = 0.0
    shown = list(labels)
    stacked = [label.replace("-", "\n", 1) for label in labels]
    if widest + 6 > pitch_pt and max(_width_pt(label, size) for label in stacked) + 6 <= pitch_pt:
        # 2027-Q1 over two lines (2027 / Q1) reads better than text turned on its side.
        shown = stacked
    elif widest + 6 > pitch_pt:
        rotation = 90.0
        line = size * 1.35
        if line > pitch_pt:
            every = math.ceil(line / pitch_pt)
            shown = [label if i % every == 0 else "" for i, label in enumerate(labels)]
    ax.set_xticks(list(positions), labels=shown)
    ax.tick_params(axis="x", labelrotation=rotation)
    return shown, rotation


def _period_ends(measure: _Measure, shown: Sequence[str], rotation: float, va: str) -> tuple[Bbox, Bbox] | None:
    """Boxes of the first and last period labels, for `_fit_ends`."""
    if not shown:
        return None
    first, last = (measure.box(shown[i], SMALL_SIZE, rotation=rotation, va=va) for i in (0, -1))
    return first, last


def _period_depth(measure: _Measure, shown: Sequence[str], rotation: float) -> float:
    """How far period labels reach from their anchors, across the axis."""
    return max((measure.box(s, SMALL_SIZE, rotation=rotation, va="top").height for s in set(shown) if s), default=0.0)


def _int_ticks(total: int) -> list[int]:
    """Integer ticks from 0 to `total` inclusive, at most about ten."""
    if total <= 0:
        return [0]
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10**9) if total / s <= 10)
    ticks = list(range(0, total + 1, step))
    if ticks[-1] != total:
        # Keep the total as the top tick; drop a neighbour that would crowd it.
        if total - ticks[-1] <= step / 2:
            ticks.pop()
        ticks.append(total)
    return ticks


def _legend_columns(labels: Sequence[str], width_in: float, handle_pt: float = 28.0) -> int:
    """The most legend columns that fit the width (matplotlib fills columns top to bottom)."""
    widths = [_width_pt(label, SMALL_SIZE) + handle_pt + 14 for label in labels]
    for ncol in range(len(labels), 1, -1):
        per_column = math.ceil(len(labels) / ncol)
        columns = [widths[i : i + per_column] for i in range(0, len(widths), per_column)]
        if sum(max(column) for column in columns) <= width_in * 72 * 0.94:
            return ncol
    return 1


def _title(fig: Figure, title: str) -> Text:
    # Left-aligned with the figure, not the axes: long row labels would push it inwards.
    width = float(fig.get_figwidth())
    max_chars = int(width * 72 / (TITLE_SIZE * 0.62))
    return fig.suptitle(
        _clip(title, max_chars), x=5 / 72 / width, ha="left", va="top", fontsize=TITLE_SIZE, fontweight="bold"
    )


def _empty(fig: Figure, ax: Axes, heading: Text, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=ax.transAxes)
    _lay_out(fig, ax, heading, lambda _: _Margins(PAD, PAD, TITLE_ROOM, PAD))


# --- burn-up -------------------------------------------------------------------------------


def _burnup(roadmap: Roadmap, brand: str) -> _Built:
    from matplotlib.lines import Line2D

    with style():
        waves = len(roadmap.labels)
        xs = list(range(waves + 1))
        total_moments = len(roadmap.moments)
        days = roadmap.engagement.perfect_days

        def live_by(wave: int, day: str | None = None) -> int:
            return sum(
                1
                for mp in roadmap.moments
                if (day is None or mp.perfect_day == day) and mp.live_wave is not None and mp.live_wave <= wave
            )

        totals = [live_by(w) for w in xs]
        per_day = {day.id: len(roadmap.moments_of(day.id)) for day in days}
        labels = [f"{_clip_middle(day.title, 80)} ({_plural(per_day[day.id], 'moment')})" for day in days]
        total_label = f"All moments ({total_moments})"
        ncol = _legend_columns([*labels, total_label], PAGE_WIDTH_IN)
        fig, ax = _new_figure(PAGE_WIDTH_IN, 3.5)  # the height is set once the margins are known
        title = "Experience burn-up"
        heading = _title(fig, title)

        colours = _day_colours(brand, len(days))
        handles: list[Line2D] = []
        for i, (day, label) in enumerate(zip(days, labels, strict=True)):
            dash = _DAY_DASHES[(i // len(colours)) % len(_DAY_DASHES)] if len(days) > len(colours) else "-"
            (line,) = ax.plot(
                xs,
                [live_by(w, day.id) for w in xs],
                color=colours[i],
                linestyle=dash,
                linewidth=1.3,
                marker=_DAY_MARKERS[i % len(_DAY_MARKERS)],
                markersize=4.5,
                markeredgecolor="white",
                markeredgewidth=0.6,
                label=label,
                clip_on=False,  # a line that reaches the top of the axis must not lose half its markers
                zorder=3,
            )
            handles.append(line)
        (total_line,) = ax.plot(
            xs,
            totals,
            color=brand,
            linewidth=2.8,
            marker="o",
            markersize=5.5,
            markeredgecolor="white",
            markeredgewidth=0.8,
            label=total_label,
            clip_on=False,
            zorder=4,
        )
        handles.append(total_line)

        ax.set_xlim(-0.25, waves + 0.25)
        top_value = max(total_moments, 1)
        ax.set_ylim(0, top_value)
        y_ticks = _int_ticks(total_moments)
        y_labels = [str(tick) for tick in y_ticks]
        ax.set_yticks(y_ticks, labels=y_labels)
        ax.yaxis.grid(True, color=RULE, linewidth=0.5)
        ax.set_axisbelow(True)
        axes_width_pt = (PAGE_WIDTH_IN - 0.75) * 72
        periods = [roadmap.period(wave) for wave in xs]
        shown, rotation = _set_period_ticks(ax, xs, periods, axes_width_pt / (waves + 0.5))
        y_title, x_title = "Moments live (cumulative)", "End of wave"
        ax.set_ylabel(y_title)
        ax.set_xlabel(x_title)
        legend = fig.legend(handles=handles, loc="outside lower center", ncol=ncol, handlelength=2.6)

        def place(measure: _Measure) -> _Margins:
            numbers = max(measure.width(label, SMALL_SIZE) for label in y_labels)
            y_title_width = measure.box(y_title, BASE_SIZE, rotation=90, va="bottom").width
            left = PAD + y_title_width + LABEL_PAD + numbers + TICK + TICK_PAD
            ends = _period_ends(measure, shown, rotation, "top")
            left, right = _fit_ends(PAGE_WIDTH_IN * 72, left, PAD, ends, (0.25, 0.25), waves + 0.5)
            top = TITLE_ROOM
            if y_ticks[-1] == top_value:
                # The top label is centred on the top edge of the axes: its upper half sticks out.
                top += measure.box(y_labels[-1], SMALL_SIZE, ha="right", va="center_baseline").y1
            x_title_height = measure.box(x_title, BASE_SIZE, va="top").height
            depth = _period_depth(measure, shown, rotation)
            bottom = measure.above_legend(legend) + TICK + TICK_PAD + depth + LABEL_PAD + x_title_height
            return _Margins(left, right, top, bottom)

        _lay_out(fig, ax, heading, place, 180)

        last = roadmap.period(waves)
        days_live = sum(1 for day in days if roadmap.day_live_wave(day.id) is not None)
        alt = (
            f"Experience burn-up: {totals[-1]} of {_plural(total_moments, 'moment')} are live by {last}"
            f" ({totals[0]} already today), and {days_live} of {_plural(len(days), 'perfect day')}"
            " are complete."
        )
        return _Built(fig, title, alt)


# --- heatmap -------------------------------------------------------------------------------


def _heatmap(roadmap: Roadmap, brand: str) -> _Built:
    import numpy as np
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    with style():
        catalog = roadmap.engagement.capabilities
        # The grid rather than the DataFrame: a workbook that draws charts need not import pandas.
        columns, grid = roadmap.traceability_grid(with_prerequisites=False)
        values = np.array(grid, dtype=int).reshape(len(grid), len(columns))
        n_rows, n_cols = values.shape
        titles = {d.id: d.title for d in roadmap.engagement.perfect_days}
        row_labels = [
            f"{_clip_middle(titles[mp.perfect_day], 26)} · {_clip(mp.at, 12) if mp.at else f'#{mp.position}'}"
            for mp in roadmap.moments
        ]
        col_labels = [_clip(catalog[c].name, 40) for c in columns]
        col_domains = [catalog[c].domain for c in columns]
        groups: list[tuple[str, int, int]] = []  # (domain, first column, last column)
        for j, dom in enumerate(col_domains):
            if groups and groups[-1][0] == dom:
                groups[-1] = (dom, groups[-1][1], j)
            else:
                groups.append((dom, j, j))

        # Column pitch decides the label size; below a readable minimum the figure widens instead.
        row_label_pt = max(_width_pt(label, SMALL_SIZE) for label in row_labels) + 10
        room_pt = PAGE_WIDTH_IN * 72 - row_label_pt - 20
        size = SMALL_SIZE
        while size > 5.5 and size * 1.3 > room_pt / n_cols:
            size -= 0.25
        pitch_pt = max(room_pt / n_cols, size * 1.3)
        width = max(PAGE_WIDTH_IN, (row_label_pt + 20 + pitch_pt * n_cols) / 72)
        row_pt = min(20.0, max(13.0, pitch_pt * 0.9))  # near-square cells when there is room
        cap_pt = max(_width_pt(label, size) for label in col_labels)
        dom_labels = [_clip(catalog.domain_name(d), 26) for d, _, _ in groups]
        fig, ax = _new_figure(width, 4.0)  # the height is set once the margins are known
        title = "Traceability: what each moment needs"
        heading = _title(fig, title)

        levels = _tints(brand, 5)
        # Only the cells with a level are drawn: a full mesh writes an invisible path for every blank.
        filled = [(i, j, int(values[i, j])) for i, j in zip(*np.nonzero(values > 0), strict=True)]
        cells = [((j - 0.5, i - 0.5), (j + 0.5, i - 0.5), (j + 0.5, i + 0.5), (j - 0.5, i + 0.5)) for i, j, _ in filled]
        fills = [levels[min(level, 5) - 1] for _, _, level in filled]
        ax.add_collection(
            PolyCollection(cells, facecolors=fills, edgecolors="none", linewidths=0, antialiaseds=False),
            autolim=False,
        )
        number_size = min(SMALL_SIZE, pitch_pt * 0.62, row_pt * 0.62)
        for (i, j, level), fill in zip(filled, fills, strict=True):
            ax.text(j, i, str(level), ha="center", va="center", fontsize=number_size, color=_text_on(fill))

        ax.set_xlim(-0.5, n_cols - 0.5)
        ax.set_ylim(n_rows - 0.5, -0.5)
        # Labels are plain texts placed where tick labels would go: ticks cost far more per label.
        ax.set_xticks([])
        ax.set_yticks([])
        at_left = blended_transform_factory(ax.transAxes, ax.transData) + ScaledTranslation(
            -4 / 72, 0, fig.dpi_scale_trans
        )
        for i, label in enumerate(row_labels):
            ax.text(0, i, label, transform=at_left, ha="right", va="center_baseline", fontsize=SMALL_SIZE)
        above = blended_transform_factory(ax.transData, ax.transAxes)
        on_top = above + ScaledTranslation(0, 3 / 72, fig.dpi_scale_trans)
        for j, label in enumerate(col_labels):
            ax.text(j, 1, label, transform=on_top, rotation=90, ha="center", va="bottom", fontsize=size)
        # Faint cell rules guide the eye along a row of blanks and separate neighbouring cells;
        # drawn above the cells (where a grid "below lines" goes) but below the numbers. One
        # collection per kind of rule, not a tick and grid line per cell edge: far fewer artists.
        left, right, top, bottom = -0.5, n_cols - 0.5, -0.5, n_rows - 0.5
        rules = [((x, top), (x, bottom)) for x in np.arange(n_cols + 1) - 0.5]
        rules += [((left, y), (right, y)) for y in np.arange(n_rows + 1) - 0.5]
        ax.add_collection(LineCollection(rules, colors="#e3e3e3", linewidths=0.5, zorder=1.5), autolim=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        days = [mp.perfect_day for mp in roadmap.moments]
        dividers = [((first - 0.5, top), (first - 0.5, bottom)) for _, first, _ in groups[1:]]
        dividers += [((left, i - 0.5), (right, i - 0.5)) for i in range(1, n_rows) if days[i] != days[i - 1]]
        if dividers:
            ax.add_collection(LineCollection(dividers, colors=MUTED, linewidths=0.6, zorder=2), autolim=False)

        # Domain labels sit above the capability names, with a bracket spanning each group.
        offset = cap_pt + 6
        bracket = above + ScaledTranslation(0, offset / 72, fig.dpi_scale_trans)
        spans = [((a - 0.4, 1), (b + 0.4, 1)) for _, a, b in groups]
        ax.add_collection(
            LineCollection(spans, colors=brand, linewidths=1.0, transform=bracket, clip_on=False, zorder=2),
            autolim=False,
        )
        over = above + ScaledTranslation(0, (offset + 4) / 72, fig.dpi_scale_trans)
        for (_, a, b), label in zip(groups, dom_labels, strict=True):
            ax.text(
                (a + b) / 2,
                1,
                label,
                transform=over,
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=size,
                fontweight="bold",
                color=brand,
            )

        handles = [
            Patch(facecolor=c, edgecolor=RULE, linewidth=0.5, label=f"Level {i + 1}") for i, c in enumerate(levels)
        ]
        legend = fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=5,
            title="Maturity level the moment needs",
            title_fontsize=SMALL_SIZE,
            handlelength=1.4,
            handleheight=1.0,
        )

        def place(measure: _Measure) -> _Margins:
            rows = max(measure.width(label, SMALL_SIZE) for label in row_labels)
            capabilities = max(measure.width(label, size) for label in col_labels)
            domains = max(measure.width(label, size, "bold") for label in dom_labels)
            # The moments sit 4 pt left of the axes, the capabilities 3 pt above it.
            top = TITLE_ROOM + max(3 + capabilities, offset + 4 + domains)
            return _Margins(PAD + 4 + rows, PAD, top, measure.above_legend(legend))

        _lay_out(fig, ax, heading, place, n_rows * row_pt)

        counts = (values > 0).sum(axis=0)
        top_col = int(np.argmax(counts))
        alt = (
            f"Traceability heatmap of {_plural(n_rows, 'moment')} against the"
            f" {_plural(n_cols, 'capability', 'capabilities')} they need directly, in"
            f" {_plural(len(groups), 'domain')}; the most needed is {catalog[columns[top_col]].name}"
            f" ({_plural(int(counts[top_col]), 'moment')}), and the highest level asked for is {int(values.max())}."
        )
        return _Built(fig, title, alt)


# --- maturity by domain --------------------------------------------------------------------


def _maturity(roadmap: Roadmap, brand: str) -> _Built:
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.transforms import ScaledTranslation

    with style():
        catalog = roadmap.engagement.capabilities
        target = roadmap.engagement.target_levels()
        order = {d: i for i, d in enumerate(catalog.domains)}
        by_domain: dict[str, list[str]] = {}
        for cap in catalog.in_domain_order(target):
            by_domain.setdefault(catalog[cap].domain, []).append(cap)
        rows: list[tuple[str, float, float, int]] = []
        for dom, caps in by_domain.items():
            now = [roadmap.current.get(c, 0) for c in caps]
            # A capability already above what the moments ask keeps its level as the target.
            goal = [max(target[c], n) for c, n in zip(caps, now, strict=True)]
            rows.append((dom, sum(now) / len(now), sum(goal) / len(goal), len(caps)))

        labels = [_wrap(catalog.domain_name(dom), 28, 2) for dom, *_ in rows]
        row_in = 0.46
        fig, ax = _new_figure(PAGE_WIDTH_IN, 1.55 + row_in * max(len(rows), 1))
        title = "Maturity by domain: today and target"
        heading = _title(fig, title)
        if not rows:
            _empty(fig, ax, heading, "No capability is in play.")
            return _Built(fig, title, "Maturity by domain: no capability is in play.")

        today_colour = _mix(brand, "#ffffff", 0.62)
        ys = list(range(len(rows)))
        bar = 0.36
        # Plain rectangles and texts rather than barh and bar_label: the limits are set below, and
        # working them out bar by bar costs more than drawing the bars.
        value_at = ax.transData + ScaledTranslation(3 / 72, 0, fig.dpi_scale_trans)
        for shift, column, colour in ((-bar / 2, 1, today_colour), (bar / 2, 2, brand)):
            for y, row in zip(ys, rows, strict=True):
                value = float(row[column])
                ax.add_artist(Rectangle((0, y + shift - bar / 2), value, bar, facecolor=colour))
                ax.text(value, y + shift, f"{value:.1f}", transform=value_at, va="center", fontsize=SMALL_SIZE)
        ax.set_yticks(ys, labels=labels)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 5.45)  # room for the value label of a bar that reaches 5
        ax.set_xticks(range(6))
        ax.xaxis.grid(True, color=RULE, linewidth=0.5)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        x_title = "Average maturity level of the capabilities in play (0 absent, 5 leading practice)"
        ax.set_xlabel(x_title)
        handles = [
            Patch(facecolor=today_colour, label="Today"),
            Patch(facecolor=brand, label="Target: what the moments need"),
        ]
        legend = fig.legend(handles=handles, loc="outside lower center", ncol=2, handlelength=1.4, handleheight=1.0)

        def place(measure: _Measure) -> _Margins:
            zero = measure.box("0", SMALL_SIZE, va="top")  # the first level, centred on the left edge
            left = PAD + max(TICK_PAD + max(measure.width(label, SMALL_SIZE) for label in labels), -zero.x0)
            x_title_height = measure.box(x_title, BASE_SIZE, va="top").height
            bottom = measure.above_legend(legend) + TICK + TICK_PAD + zero.height + LABEL_PAD + x_title_height
            return _Margins(left, PAD, TITLE_ROOM, bottom)

        _lay_out(fig, ax, heading, place, len(rows) * 30)

        n_caps = sum(r[3] for r in rows)
        now_avg = sum(r[1] * r[3] for r in rows) / n_caps
        goal_avg = sum(r[2] * r[3] for r in rows) / n_caps
        widest = max(rows, key=lambda r: (r[2] - r[1], -order.get(r[0], 0)))
        alt = (
            f"Maturity by domain for {_plural(n_caps, 'capability', 'capabilities')} in play"
            f" across {_plural(len(rows), 'domain')}:"
            f" the average level rises from {now_avg:.1f} today to {goal_avg:.1f} at target, with the largest gap"
            f" in {catalog.domain_name(widest[0])} ({widest[1]:.1f} to {widest[2]:.1f})."
        )
        return _Built(fig, title, alt)


# --- Gantt ---------------------------------------------------------------------------------


def _gantt(roadmap: Roadmap, brand: str) -> _Built:
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    with style():
        catalog = roadmap.engagement.capabilities
        waves = len(roadmap.labels)
        shown = [up for up in roadmap.in_delivery_order() if up.status != "excluded"]
        order = {d: i for i, d in enumerate(catalog.domains)}
        lanes: dict[str, list[Uplift]] = {}
        # A stable sort: each domain's swimlane keeps the delivery order.
        for up in sorted(shown, key=lambda u: (order.get(u.domain, len(order)), u.domain)):
            lanes.setdefault(up.domain, []).append(up)

        row_in = 0.2
        n_rows = len(shown) + len(lanes)
        fig, ax = _new_figure(PAGE_WIDTH_IN, 1.6 + row_in * max(n_rows, 2))
        title = "Roadmap by domain"
        heading = _title(fig, title)
        beyond = [up for up in shown if up.status != "scheduled"]
        scheduled = len(shown) - len(beyond)
        if not shown:
            why = "every uplift is excluded" if roadmap.uplifts else "every moment is live today"
            _empty(fig, ax, heading, f"Nothing to schedule: {why}.")
            return _Built(fig, title, f"Roadmap by domain: nothing to schedule, {why}.")

        lane_fill = _mix(brand, "#ffffff", 0.93)
        beyond_fill = _mix(brand, "#ffffff", 0.8)
        right = waves + 1.35  # the strip after the last wave is where work beyond the horizon runs off
        label_rows: list[int] = []
        row_labels: list[str] = []
        bars: list[tuple[int, float, float]] = []  # (row, left, width)
        runs_on: list[tuple[int, float, float]] = []
        row = 0
        for lane_index, (dom, items) in enumerate(lanes.items()):
            first = row
            ax.text(
                0.5 + 0.06,
                row,
                _clip(catalog.domain_name(dom), 44),
                ha="left",
                va="center",
                fontsize=SMALL_SIZE,
                fontweight="bold",
                color=brand,
            )
            row += 1
            for up in items:
                label_rows.append(row)
                name = catalog[up.capability].name if up.capability in catalog else up.name
                row_labels.append(f"{_clip(name, 40)} → L{up.to_level}")
                if up.status == "scheduled" and up.start_wave is not None and up.end_wave is not None:
                    bars.append((row, up.start_wave - 0.42, up.end_wave - up.start_wave + 0.84))
                else:
                    start = up.start_wave if up.start_wave is not None else waves + 1
                    # Deliberately wider than the axes: the clipped edge says "runs on past the horizon".
                    runs_on.append((row, start - 0.42, right - start + 2))
                row += 1
            if lane_index % 2 == 0:
                ax.axhspan(first - 0.5, row - 0.5, color=lane_fill, linewidth=0, zorder=0)

        # Bars are added as plain artists: the limits are set below, so there is no need for
        # barh to work out data limits bar by bar, which costs more than drawing them.
        for bar_row, bar_left, bar_width in bars:
            ax.add_artist(Rectangle((bar_left, bar_row - 0.31), bar_width, 0.62, facecolor=brand))
        for bar_row, bar_left, bar_width in runs_on:
            ax.add_artist(
                Rectangle(
                    (bar_left, bar_row - 0.31),
                    bar_width,
                    0.62,
                    facecolor=beyond_fill,
                    edgecolor=brand,
                    hatch="////",
                    linewidth=0.7,
                )
            )
        ax.axvspan(waves + 0.5, right, color="#f2f2f2", linewidth=0, zorder=0)
        boundaries = [((boundary + 0.5, 0), (boundary + 0.5, 1)) for boundary in range(1, waves + 1)]
        ax.add_collection(
            LineCollection(boundaries, colors=RULE, linewidths=0.5, zorder=0.5, transform=ax.get_xaxis_transform()),
            autolim=False,
        )
        ax.set_xlim(0.5, right)
        ax.set_ylim(row - 0.5, -0.5)
        # Row labels are plain texts where tick labels would go: ticks cost far more per label.
        ax.set_yticks([])
        at_left = blended_transform_factory(ax.transAxes, ax.transData) + ScaledTranslation(
            -TICK_PAD / 72, 0, fig.dpi_scale_trans
        )
        for label_row, label in zip(label_rows, row_labels, strict=True):
            ax.text(0, label_row, label, transform=at_left, ha="right", va="center_baseline", fontsize=SMALL_SIZE)
        # The axes get the page width less the labels, their pad and the layout's padding.
        label_pt = max(_width_pt(label, SMALL_SIZE) for label in row_labels) + 4
        pitch_pt = (PAGE_WIDTH_IN * 72 - label_pt - 8) / (right - 0.5)
        later = (waves + 0.5 + right) / 2
        periods, rotation = _set_period_ticks(ax, [*range(1, waves + 1), later], [*roadmap.labels, "later"], pitch_pt)
        at_bottom = n_rows > 30
        ax.tick_params(axis="x", length=0, top=False, labeltop=True, labelbottom=at_bottom)
        for spine in ax.spines.values():
            spine.set_visible(False)
        handles = [Patch(facecolor=brand, label="Scheduled")]
        if beyond:
            handles.append(
                Patch(facecolor=beyond_fill, edgecolor=brand, hatch="////", linewidth=0.7, label="Beyond the horizon")
            )
        legend = fig.legend(handles=handles, loc="outside lower center", ncol=2, handlelength=2.0, handleheight=1.0)

        def place(measure: _Measure) -> _Margins:
            left = PAD + TICK_PAD + max(measure.width(label, SMALL_SIZE) for label in row_labels)
            ends = _period_ends(measure, periods, rotation, "bottom")
            left, right_margin = _fit_ends(PAGE_WIDTH_IN * 72, left, PAD, ends, (0.5, right - later), right - 0.5)
            depth = TICK_PAD + _period_depth(measure, periods, rotation)
            bottom = measure.above_legend(legend) + (depth if at_bottom else 0.0)
            return _Margins(left, right_margin, TITLE_ROOM + depth, bottom)

        _lay_out(fig, ax, heading, place, n_rows * 14.4)

        alt = (
            f"Roadmap of {_plural(scheduled, 'scheduled uplift')} over {_plural(waves, 'wave')}"
            f" ({roadmap.labels[0]} to {roadmap.labels[-1]}) in {_plural(len(lanes), 'domain swimlane')}"
            f"; {len(beyond)} {'runs' if len(beyond) == 1 else 'run'} beyond the horizon."
        )
        return _Built(fig, title, alt)


# Every `ChartKind` and the function that builds it: add yours here too.
_BUILDERS: dict[ChartKind, Callable[[Roadmap, str], _Built]] = {
    "burnup": _burnup,
    "heatmap": _heatmap,
    "maturity": _maturity,
    "gantt": _gantt,
}
