"""The layout engine: margins worked out from text extents, and the axes placed inside them."""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from ._style import FONT, SMALL_SIZE, TITLE_SIZE
from ._svg import _svg_classes

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.legend import Legend
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

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


class _Built(NamedTuple):
    figure: Figure
    title: str
    alt: str
    tips: dict[str, str] | None = None
    """Text shown on hover, by the `gid` of the artist it explains (a Gantt bar: why it is there)."""


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
