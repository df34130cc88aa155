"""The SVG backend: text extents as it measures them, a renderer and canvas that cache them, and the SVG text."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from ._style import FONT, FONT_STACK, style

if TYPE_CHECKING:
    from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties


def _svg(fig: Figure, title: str, alt: str, tips: Mapping[str, str] | None = None) -> str:
    _, canvas = _svg_classes()
    buffer = io.StringIO()
    with style():
        canvas(fig)
        # No date: the same roadmap must give byte-identical output.
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue().replace(f"font-family: '{FONT}'", f"font-family: {FONT_STACK}")
    # <title> and <desc> are what screen readers announce for an SVG embedded as a document.
    label = f"<title>{escape(title, quote=False)}</title><desc>{escape(alt, quote=False)}</desc>"
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + "\n " + label, svg, count=1)
    if tips:
        # A <title> first in an artist's group is what a browser shows on hover over it.
        def tip(match: re.Match[str]) -> str:
            text = tips.get(match.group(2))
            return match.group(0) if text is None else f"{match.group(0)}<title>{escape(text, quote=False)}</title>"

        svg = re.sub(r'(<g id=")([^"]+)(">)', tip, svg)
    return svg


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
