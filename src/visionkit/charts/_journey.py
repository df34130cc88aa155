"""A perfect day as a journey: its moments in order, one lane per channel, when each goes live and how it feels."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from ._axes import _legend_columns, _period_depth, _period_ends, _title
from ._colour import _mix
from ._layout import PAD, TICK_PAD, TITLE_ROOM, _Built, _fit_ends, _lay_out, _Margins, _Measure, _new_figure
from ._style import INK, MUTED, PAGE_WIDTH_IN, RULE, SMALL_SIZE, style
from ._text import _clean, _clip, _plural, _width_pt, _wrap

if TYPE_CHECKING:
    from ..model import PerfectDay
    from ..roadmap import MomentPlan, Roadmap

_NEVER_COLOUR = "#8c8c8c"  # the outline of a moment that is not live within the horizon
_TODAY_COLOUR = "#7a7a7a"  # today's feeling: grey, as today is what the roadmap leaves behind
_BAND_FILL = "#f4f4f4"
_LANE_WIDTH = 16
"""Characters on a line of a lane's name before it wraps (two lines at most)."""
_RADIUS = 3.5  # points: a marker is 7 pt across
_GAP = 2.5  # points between a marker and its label
_LINE = SMALL_SIZE * 1.2  # the height of a line of small text, at matplotlib's line spacing
_STEP = 12.0  # points between two feeling scores in the band
_BAND_PAD = 7.0  # points between the band's edges and its outermost scores
_BAND_GAP = 14.0  # points between the last lane and the band
_SCORES = (2, 1, 0, -1, -2)


class _Labels(NamedTuple):
    """How the markers' period labels are set: their text, turn, and whether neighbours take turns above and below."""

    text: list[str]
    rotation: float
    alternate: bool
    depth: float
    """How far a label reaches from the marker, in points."""


def _day(roadmap: Roadmap, day: str | None) -> PerfectDay:
    days = roadmap.engagement.perfect_days
    if day is None:
        return days[0]
    for candidate in days:
        if candidate.id == day:
            return candidate
    raise ValueError(f"no perfect day {day!r}; the perfect days are: {', '.join(d.id for d in days)}")


def _lanes(moments: Sequence[MomentPlan]) -> tuple[list[str], list[int]]:
    """The lane names in order of first appearance (moments without a channel last) and each moment's lane."""
    channels = [_clean(mp.channel or "") for mp in moments]
    names = list(dict.fromkeys(c for c in channels if c))
    if "" in channels:
        # A lane of its own for moments without a channel, named so it cannot pass for one of the client's.
        names.append("no channel" if any(n.casefold() == "other" for n in names) else "other")
    index = {name: i for i, name in enumerate(names)}
    return names, [index[c] if c else len(names) - 1 for c in channels]


def _stacked(label: str) -> str:
    """A label over two lines: `2027-Q1` as 2027 / Q1, `beyond horizon` as beyond / horizon."""
    return label.replace(" ", "\n", 1) if " " in label else label.replace("-", "\n", 1)


def _marker_labels(periods: Sequence[str], live: Sequence[bool], lanes: Sequence[int], pitch: float) -> _Labels:
    """The first way of setting the period labels in which no two in a lane touch and none leaves the axes.

    Where even stacked labels crowd each other, a moment that is not live loses its label ("beyond
    horizon"): its hollow marker and the legend say as much, and upright labels are shorter for it.
    """
    stacked = [_stacked(p) for p in periods]
    unlabelled = [p if on else "" for p, on in zip(stacked, live, strict=True)]
    upright = [p if on else "" for p, on in zip(periods, live, strict=True)]
    options = (
        (list(periods), 0.0, False),
        (stacked, 0.0, False),
        (stacked, 0.0, True),
        (unlabelled, 0.0, False),
        (unlabelled, 0.0, True),
        (upright, 90.0, False),
        (upright, 90.0, True),
    )
    for text, rotation, alternate in options:
        # Upright, a label is one line wide whatever it says.
        widths = [(_LINE if rotation else _width_pt(t, SMALL_SIZE)) if t else 0.0 for t in text]
        if _fits(widths, lanes, alternate, pitch, 2.0 if rotation else 4.0):
            break
    if rotation:
        depth = max((_width_pt(t, SMALL_SIZE) for t in text if t), default=0.0)
    else:
        depth = max(t.count("\n") + 1 for t in text) * _LINE + 1
    return _Labels(text, rotation, alternate, depth)


def _sides(lanes: Sequence[int], alternate: bool) -> list[int]:
    """0 for a label below its marker, 1 above: taking turns along each lane when `alternate`."""
    seen: dict[int, int] = {}
    sides = []
    for lane in lanes:
        sides.append(seen.get(lane, 0) % 2 if alternate else 0)
        seen[lane] = seen.get(lane, 0) + 1
    return sides


def _fits(widths: Sequence[float], lanes: Sequence[int], alternate: bool, pitch: float, gap: float) -> bool:
    # The first and last labels may reach half a pitch beyond their moment, and a little into the margin.
    if max(widths[0], widths[-1]) / 2 > pitch / 2 + 2:
        return False
    last: dict[tuple[int, int], int] = {}
    for i, (lane, side) in enumerate(zip(lanes, _sides(lanes, alternate), strict=True)):
        if not widths[i]:
            continue
        before = last.get((lane, side))
        if before is not None and (widths[before] + widths[i]) / 2 + gap > (i - before) * pitch:
            return False
        last[lane, side] = i
    return True


def _moment_labels(moments: Sequence[MomentPlan], pitch: float) -> tuple[list[str], float]:
    """Each moment's time (else "Moment N") above its column: level, stacked, or upright and thinned."""
    labels = [_clip(mp.at, 14) if mp.at and _clean(mp.at) else f"Moment {mp.position}" for mp in moments]
    if max(_width_pt(label, SMALL_SIZE) for label in labels) + 6 <= pitch:
        return labels, 0.0
    stacked = [_wrap(label, math.ceil(len(label) / 2) + 2, 2) if " " in label else label for label in labels]
    if max(_width_pt(label, SMALL_SIZE) for label in stacked) + 6 <= pitch:
        return stacked, 0.0
    every = math.ceil((_LINE + 2) / pitch)
    return [label if i % every == 0 else "" for i, label in enumerate(labels)], 90.0


def _score(value: int) -> str:
    return f"+{value}" if value > 0 else str(value).replace("-", "\u2212")


def _journey(roadmap: Roadmap, brand: str, day: str | None = None) -> _Built:
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    chosen = _day(roadmap, day)
    with style():
        moments = roadmap.moments_of(chosen.id)
        n = len(moments)
        names, lane_of = _lanes(moments)
        lane_labels = [_wrap(name, _LANE_WIDTH, 2) for name in names]
        felt = any(mp.feeling_today is not None or mp.feeling_perfect is not None for mp in moments)
        scores = [_score(s) for s in _SCORES]
        band_title = "Feeling"

        # The plot's width, and so the pitch of the moments, from the widest text on the left.
        left_text = max(_width_pt(label, SMALL_SIZE, "bold") for label in lane_labels)
        score_pt = max(_width_pt(s, SMALL_SIZE) for s in scores)
        if felt:
            left_text = max(left_text, _width_pt(band_title, SMALL_SIZE, "bold") + 6 + score_pt)
        pitch = (PAGE_WIDTH_IN * 72 - 2 * PAD - TICK_PAD - left_text) / max(n, 1) * 0.97
        periods = [roadmap.period(mp.live_wave) for mp in moments]
        marks = _marker_labels(periods, [mp.live_wave is not None for mp in moments], lane_of, pitch)
        sides = _sides(lane_of, marks.alternate)
        shown, rotation = _moment_labels(moments, pitch)

        # The y axis runs in points, top to bottom: lanes, then the feeling band.
        reach = _RADIUS + _GAP + marks.depth
        lane_pt = max((2 * reach if marks.alternate else _RADIUS + reach) + 8, 2 * _LINE + 8, 22.0)
        lanes_pt = lane_pt * len(names)
        band_top = lanes_pt + _BAND_GAP
        band_pt = 2 * _BAND_PAD + 4 * _STEP
        total_pt = band_top + band_pt if felt else lanes_pt

        fig, ax = _new_figure(PAGE_WIDTH_IN, 3.0)  # the height is set once the margins are known
        title = f"Journey: {chosen.title}"
        heading = _title(fig, title)

        lane_fill = _mix(brand, "#ffffff", 0.93)
        for k in range(0, len(names), 2):
            ax.axhspan(k * lane_pt, (k + 1) * lane_pt, color=lane_fill, linewidth=0, zorder=0)

        def lane_y(i: int) -> float:
            centre = (lane_of[i] + 0.5) * lane_pt
            # Alone below its marker, a label is centred with it in the lane; taking turns, the marker is.
            return centre if marks.alternate else centre - (_GAP + marks.depth) / 2

        # A faint rule down each moment's column ties its time to its marker and its feelings; it stops
        # short of the marker and its label, which it would otherwise strike through.
        columns = []
        for i in range(n):
            above = reach if sides[i] == 1 and marks.text[i] else _RADIUS
            below = reach if sides[i] == 0 and marks.text[i] else _RADIUS
            columns += [((i, 0.0), (i, lane_y(i) - above - 1)), ((i, lane_y(i) + below + 1), (i, total_pt))]
        ax.add_collection(LineCollection(columns, colors=RULE, linewidths=0.5, zorder=0.5), autolim=False)

        tips: dict[str, str] = {}
        for i, mp in enumerate(moments):
            live = mp.live_wave is not None
            gid = f"vk-moment-{i + 1}"
            ax.add_line(
                Line2D(
                    [i],
                    [lane_y(i)],
                    linestyle="none",
                    marker="o",
                    markersize=2 * _RADIUS,
                    markerfacecolor=brand if live else "white",
                    markeredgecolor=brand if live else _NEVER_COLOUR,
                    markeredgewidth=1.0 if live else 1.2,
                    label="live" if live else "never live",
                    gid=gid,
                    zorder=3,
                )
            )
            where = " · ".join(_clean(x) for x in (mp.at, mp.channel) if x and _clean(x))
            when = roadmap.period(mp.live_wave, prose=True)
            tips[gid] = f"{where or f'Moment {mp.position}'}: {_clip(mp.story, 160)} Live: {when}."
            if not marks.text[i]:
                continue
            below = sides[i] == 0
            shift = (_RADIUS + _GAP) * (-1 if below else 1)
            ax.text(
                i,
                lane_y(i),
                marks.text[i],
                transform=ax.transData + ScaledTranslation(0, shift / 72, fig.dpi_scale_trans),
                ha="center",
                va="top" if below else "bottom",
                rotation=marks.rotation,
                fontsize=SMALL_SIZE,
                color=INK if live else MUTED,
                linespacing=1.1,
            )

        # Names on the left, where tick labels would go: lanes, then the band's title and its scores.
        at_left = blended_transform_factory(ax.transAxes, ax.transData)
        beside = at_left + ScaledTranslation(-TICK_PAD / 72, 0, fig.dpi_scale_trans)
        for k, label in enumerate(lane_labels):
            ax.text(
                0,
                (k + 0.5) * lane_pt,
                label,
                transform=beside,
                ha="right",
                va="center",
                fontsize=SMALL_SIZE,
                fontweight="bold",
                linespacing=1.1,
            )

        handles: list[Line2D] = []
        if any(mp.live_wave is not None for mp in moments):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=6,
                    color=brand,
                    label="Goes live in the period shown",
                )
            )
        if any(mp.live_wave is None for mp in moments):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=_NEVER_COLOUR,
                    markeredgewidth=1.2,
                    label="Not live within the horizon",
                )
            )

        def score_y(score: float) -> float:
            return band_top + _BAND_PAD + (2 - score) * _STEP

        if felt:
            ax.axhspan(band_top, band_top + band_pt, color=_BAND_FILL, linewidth=0, zorder=0)
            rules = [((-0.5, score_y(s)), (n - 0.5, score_y(s))) for s in _SCORES]
            ax.add_collection(
                LineCollection(
                    rules,
                    colors=["#b3b3b3" if s == 0 else RULE for s in _SCORES],
                    linewidths=[0.7 if s == 0 else 0.5 for s in _SCORES],
                    zorder=0.6,
                ),
                autolim=False,
            )
            for s, label in zip(_SCORES, scores, strict=True):
                ax.text(0, score_y(s), label, transform=beside, ha="right", va="center_baseline", fontsize=SMALL_SIZE)
            title_at = at_left + ScaledTranslation(-(TICK_PAD + score_pt + 6) / 72, 0, fig.dpi_scale_trans)
            ax.text(
                0,
                score_y(0),
                band_title,
                transform=title_at,
                ha="right",
                va="center_baseline",
                fontsize=SMALL_SIZE,
                fontweight="bold",
            )
            # NaN where a score is missing: the curve breaks there instead of inventing a feeling.
            for name, values, colour, dash, width, z in (
                ("Feeling today", [mp.feeling_today for mp in moments], _TODAY_COLOUR, "--", 1.3, 4),
                ("Feeling on the perfect day", [mp.feeling_perfect for mp in moments], brand, "-", 1.8, 5),
            ):
                (curve,) = ax.plot(
                    range(n),
                    [math.nan if v is None else score_y(v) for v in values],
                    color=colour,
                    linestyle=dash,
                    linewidth=width,
                    marker="o",
                    markersize=3.5,
                    label=name,
                    zorder=z,
                )
                handles.append(curve)

        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(total_pt, 0)
        # The moments' names are plain texts where top tick labels would go: ticks cost far more per label.
        ax.set_xticks([])
        ax.set_yticks([])
        over = blended_transform_factory(ax.transData, ax.transAxes) + ScaledTranslation(
            0, TICK_PAD / 72, fig.dpi_scale_trans
        )
        for i, label in enumerate(shown):
            if label:
                ax.text(i, 1, label, transform=over, ha="center", va="bottom", rotation=rotation, fontsize=SMALL_SIZE)
        for spine in ax.spines.values():
            spine.set_visible(False)
        legend_labels = [str(h.get_label()) for h in handles]
        ncol = _legend_columns(legend_labels, PAGE_WIDTH_IN, handle_pt=24.0)
        legend = fig.legend(handles=handles, loc="outside lower center", ncol=ncol, handlelength=2.4)

        def place(measure: _Measure) -> _Margins:
            left = max(measure.width(label, SMALL_SIZE, "bold") for label in lane_labels)
            if felt:
                # The band's title sits left of the scores by their estimated width, which errs wide.
                left = max(left, score_pt + 6 + measure.width(band_title, SMALL_SIZE, "bold"))
            left += PAD + TICK_PAD
            ends = _period_ends(measure, [s or " " for s in (shown[0], shown[-1])], rotation, "bottom")
            left, right = _fit_ends(PAGE_WIDTH_IN * 72, left, PAD, ends, (0.5, 0.5), max(n, 1))
            depth = TICK_PAD + _period_depth(measure, shown, rotation)
            return _Margins(left, right, TITLE_ROOM + depth, measure.above_legend(legend))

        _lay_out(fig, ax, heading, place, total_pt)

        waves = [mp.live_wave for mp in moments if mp.live_wave is not None]
        alt = f"Journey of {chosen.title}: {_plural(n, 'moment')}"
        channels = len({_clean(mp.channel or "") for mp in moments} - {""})
        alt += f" across {_plural(channels, 'channel')}" if channels else ", none with a channel"
        if not waves:
            alt += ", none of them live within the horizon"
        else:
            by = "today" if max(waves) == 0 else f"by {roadmap.period(max(waves))}"
            alt += f", all live {by}" if len(waves) == n else f", {len(waves)} of them live {by}"
        gaps = [mp for mp in moments if mp.gap is not None and mp.gap > 0]
        if gaps:
            widest = max(gaps, key=lambda mp: mp.gap or 0)  # the first of the widest
            at = _clean(widest.at) if widest.at and _clean(widest.at) else f"moment {widest.position}"
            alt += (
                f"; the largest feeling gap is at {at}, {_score(widest.feeling_today or 0)} today"
                f" against {_score(widest.feeling_perfect or 0)} on the perfect day"
            )
        return _Built(fig, title, alt + ".", tips)
