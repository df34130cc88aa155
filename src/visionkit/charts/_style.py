"""The look every chart shares: page width, font, sizes, ink and the matplotlib settings they are drawn with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

PAGE_WIDTH_IN = 6.7  # A4 portrait with 2 cm margins: 17 cm of content width
FONT = "DejaVu Sans"  # ships with matplotlib, so measurements match on every machine
# What an SVG asks for when it is shown where DejaVu Sans is not installed (most Windows and Mac
# machines opening the HTML, PowerPoint drawing the deck's charts). Verdana is, like DejaVu Sans,
# a wide sans-serif made for screens, so labels keep about the room measured for them; without a
# generic family last, a browser falls back to its default serif.
FONT_STACK = f"'{FONT}', Verdana, sans-serif"
BASE_SIZE = 8.0
SMALL_SIZE = 7.0
TITLE_SIZE = 10.0
INK = "#262626"
MUTED = "#595959"
RULE = "#d9d9d9"

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
    # Pinned because margins are computed from them (see _layout.py), whatever the local matplotlibrc.
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


@contextmanager
def style() -> Iterator[None]:
    """The matplotlib settings charts are built and drawn with, for this block only."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        yield
