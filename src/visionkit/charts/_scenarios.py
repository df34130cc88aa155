"""Scenarios' burn-ups overlaid: moments live by the end of each wave under each scenario compared."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._axes import _int_ticks, _legend_columns, _period_depth, _period_ends, _set_period_ticks, _title
from ._burnup import _DAY_DASHES, _DAY_MARKERS
from ._colour import _day_colours
from ._layout import (
    LABEL_PAD,
    PAD,
    TICK,
    TICK_PAD,
    TITLE_ROOM,
    _Built,
    _fit_ends,
    _lay_out,
    _Margins,
    _Measure,
    _new_figure,
)
from ._style import BASE_SIZE, PAGE_WIDTH_IN, RULE, SMALL_SIZE, style
from ._text import _clip_middle, _plural

if TYPE_CHECKING:
    from ..compare import Comparison


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
        ax.set_xlim(-0.25, waves + 0.25)
        top_value = max(total, 1)
        ax.set_ylim(0, top_value)
        y_ticks = _int_ticks(total)
        y_labels = [str(tick) for tick in y_ticks]
        ax.set_yticks(y_ticks, labels=y_labels)
        ax.yaxis.grid(True, color=RULE, linewidth=0.5)
        ax.set_axisbelow(True)
        axes_width_pt = (PAGE_WIDTH_IN - 0.75) * 72
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
                top += measure.box(y_labels[-1], SMALL_SIZE, ha="right", va="center_baseline").y1
            x_title_height = measure.box(x_title, BASE_SIZE, va="top").height
            depth = _period_depth(measure, shown, rotation)
            bottom = measure.above_legend(legend) + TICK + TICK_PAD + depth + LABEL_PAD + x_title_height
            return _Margins(left, right, top, bottom)

        _lay_out(fig, ax, heading, place, 180)

        ends = ", ".join(f"{live_by(name, len(r.labels))} in {name}" for name, r in plans.items())
        alt = (
            f"Experience burn-up of {_plural(len(plans), 'scenario')}: "
            f"of {_plural(total, 'moment')}, live by the end {ends}."
        )
        return _Built(fig, title, alt)
