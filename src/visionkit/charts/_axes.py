"""Axis helpers: period and integer ticks, legend columns, the title and the message of an empty chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._layout import PAD, TITLE_ROOM, _lay_out, _Margins, _Measure
from ._style import MUTED, SMALL_SIZE, TITLE_SIZE
from ._text import _clip, _width_pt

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox


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
