"""Colour: the brand colour as ink on white, its tints, contrast, and the colours of the perfect days."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._style import INK

if TYPE_CHECKING:
    from ..roadmap import Roadmap

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Yellow is left out
# because it vanishes on white paper.
_DAY_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#000000")


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
