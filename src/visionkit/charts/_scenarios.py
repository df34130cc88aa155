"""Scenarios' burn-ups overlaid: moments live by the end of each wave under each scenario compared."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._axes import _legend_columns, _title
from ._burnup import _DAY_DASHES, _DAY_MARKERS, _burnup_axes
from ._colour import _day_colours
from ._layout import (
    _Built,
    _new_figure,
)
from ._style import PAGE_WIDTH_IN, style
from ._text import _clip_middle, _plural

if TYPE_CHECKING:
    from ..comparison import Comparison


def _scenarios(comparison: Comparison, brand: str) -> _Built:
    from matplotlib.lines import Line2D

    with style():
        plans = comparison.plans
        reference = comparison.reference
        waves = max(len(r.labels) for r in plans.values())
        xs = list(range(waves + 1))
        total = len(reference.moments)
        # Periods name the waves when every scenario keeps the reference's calendar; else wave numbers do.
        same = all(r.labels == reference.labels[: len(r.labels)] for r in plans.values())
        longest = max(plans.values(), key=lambda r: len(r.labels))
        periods = [longest.period(x) if same else ("today" if x == 0 else f"wave {x}") for x in xs]

        def live_by(name: str, wave: int) -> int:
            return sum(1 for mp in plans[name].moments if mp.live_wave is not None and mp.live_wave <= wave)

        labels = [_clip_middle(name, 60) for name in plans]
        ncol = _legend_columns(labels, PAGE_WIDTH_IN)
        fig, ax = _new_figure(PAGE_WIDTH_IN, 3.5)
        title = "Experience burn-up by scenario"
        heading = _title(fig, title)
        others = _day_colours(brand, max(len(plans) - 1, 1))
        handles: list[Line2D] = []
        for i, (name, label) in enumerate(zip(plans, labels, strict=True)):
            first = i == 0
            count = len(plans[name].labels)
            (line,) = ax.plot(
                xs[: count + 1],
                [live_by(name, w) for w in xs[: count + 1]],
                color=brand if first else others[(i - 1) % len(others)],
                # The reference is the thick line the others are read against, drawn beneath them.
                linewidth=2.8 if first else 1.4,
                linestyle="-" if first else _DAY_DASHES[(i - 1) % len(_DAY_DASHES)],
                marker="o" if first else _DAY_MARKERS[(i - 1) % len(_DAY_MARKERS)],
                markersize=5.5 if first else 4.5,
                markeredgecolor="white",
                markeredgewidth=0.6,
                label=label,
                clip_on=False,
                zorder=2 if first else 3,
            )
            handles.append(line)
        _burnup_axes(fig, ax, heading, handles, periods, total, ncol)

        ends = ", ".join(f"{live_by(name, len(r.labels))} in {name}" for name, r in plans.items())
        alt = (
            f"Experience burn-up of {_plural(len(plans), 'scenario')}: "
            f"of {_plural(total, 'moment')}, live by the end {ends}."
        )
        return _Built(fig, title, alt)
