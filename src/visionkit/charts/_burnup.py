"""The experience burn-up: moments live by the end of each wave, per perfect day and in total."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._axes import _int_ticks, _legend_columns, _period_depth, _period_ends, _set_period_ticks, _title
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
from ._text import _be, _clip_middle, _plural

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    from ..roadmap import Roadmap

_DAY_MARKERS = ("s", "^", "D", "v", "P", "X", "<", ">", "p", "h")
_DAY_DASHES: tuple[str | tuple[int, tuple[int, ...]], ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))


def _burnup(roadmap: Roadmap, brand: str) -> _Built:

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
            # Beneath the days' thinner lines: where a day's line runs with the total (a single day, or
            # the only day live so far) it shows on top of it instead of hiding under it.
            zorder=2,
        )
        handles.append(total_line)

        periods = [roadmap.period(wave) for wave in xs]
        _burnup_axes(fig, ax, heading, handles, periods, total_moments, ncol)

        last = roadmap.period(waves)
        days_live = sum(1 for day in days if roadmap.day_live_wave(day.id) is not None)
        alt = (
            f"Experience burn-up: {totals[-1]} of {_plural(total_moments, 'moment')} {_be(totals[-1])} live by {last}"
            f" ({totals[0]} already today), and {days_live} of {_plural(len(days), 'perfect day')}"
            f" {_be(days_live)} complete."
        )
        return _Built(fig, title, alt)


def _burnup_axes(
    fig: Figure, ax: Axes, heading: Text, handles: list[Line2D], periods: list[str], total: int, ncol: int
) -> None:
    """The burn-up's axes, titles and legend, laid out: moments live (0 to `total`) by the end of each period."""
    waves = len(periods) - 1
    ax.set_xlim(-0.25, waves + 0.25)
    top_value = max(total, 1)
    ax.set_ylim(0, top_value)
    y_ticks = _int_ticks(total)
    y_labels = [str(tick) for tick in y_ticks]
    ax.set_yticks(y_ticks, labels=y_labels)
    ax.yaxis.grid(True, color=RULE, linewidth=0.5)
    ax.set_axisbelow(True)
    axes_width_pt = (PAGE_WIDTH_IN - 0.75) * 72
    shown, rotation = _set_period_ticks(ax, list(range(waves + 1)), periods, axes_width_pt / (waves + 0.5))
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
