"""The roadmap as a Gantt chart with one swimlane per domain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._axes import _empty, _period_depth, _period_ends, _set_period_ticks, _title
from ._colour import _mix
from ._layout import PAD, TICK_PAD, TITLE_ROOM, _Built, _fit_ends, _lay_out, _Margins, _Measure, _new_figure
from ._style import PAGE_WIDTH_IN, RULE, SMALL_SIZE, style
from ._text import _clip, _plural, _width_pt

if TYPE_CHECKING:
    from ..roadmap import Roadmap, Uplift


def _gantt(roadmap: Roadmap, brand: str, part: tuple[int, int, Roadmap] | None = None) -> _Built:
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
        bars: list[tuple[int, float, float, str]] = []  # (row, left, width, gid)
        runs_on: list[tuple[int, float, float, str]] = []
        tips: dict[str, str] = {}
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
                gid = f"vk-uplift-{len(tips) + 1}"
                when = roadmap.when(up.id)
                why = roadmap.why(up.id)
                tips[gid] = f"{up.label}, {when}" + (f": {why}" if why else "")
                if up.status == "scheduled" and up.start_wave is not None and up.end_wave is not None:
                    bars.append((row, up.start_wave - 0.42, up.end_wave - up.start_wave + 0.84, gid))
                else:
                    start = up.start_wave if up.start_wave is not None else waves + 1
                    # Deliberately wider than the axes: the clipped edge says "runs on past the horizon".
                    runs_on.append((row, start - 0.42, right - start + 2, gid))
                row += 1
            if lane_index % 2 == 0:
                ax.axhspan(first - 0.5, row - 0.5, color=lane_fill, linewidth=0, zorder=0)

        # Bars are added as plain artists: the limits are set below, so there is no need for
        # barh to work out data limits bar by bar, which costs more than drawing them.
        for bar_row, bar_left, bar_width, gid in bars:
            ax.add_artist(Rectangle((bar_left, bar_row - 0.31), bar_width, 0.62, facecolor=brand, gid=gid))
        for bar_row, bar_left, bar_width, gid in runs_on:
            ax.add_artist(
                Rectangle(
                    (bar_left, bar_row - 0.31),
                    bar_width,
                    0.62,
                    facecolor=beyond_fill,
                    edgecolor=brand,
                    hatch="////",
                    linewidth=0.7,
                    gid=gid,
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
        if part is not None:
            n, of, whole = part
            kept = [up for up in whole.uplifts if up.status != "excluded"]
            alt = (
                f"Part {n} of {of} of the roadmap, {_plural(len({up.domain for up in kept}), 'domain')} and "
                f"{_plural(len(kept), 'uplift')} in all. " + alt.replace("Roadmap of", "It shows", 1)
            )
        return _Built(fig, title, alt, tips)
