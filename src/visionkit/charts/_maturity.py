"""Maturity by domain: average level today against the average level the moments need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._axes import _empty, _title
from ._colour import _mix
from ._layout import LABEL_PAD, PAD, TICK, TICK_PAD, TITLE_ROOM, _Built, _lay_out, _Margins, _Measure, _new_figure
from ._style import BASE_SIZE, PAGE_WIDTH_IN, RULE, SMALL_SIZE, style
from ._text import _plural, _wrap

if TYPE_CHECKING:
    from ..roadmap import Roadmap


def _maturity(roadmap: Roadmap, brand: str) -> _Built:
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.transforms import ScaledTranslation

    with style():
        catalog = roadmap.engagement.capabilities
        target = roadmap.engagement.target_levels()
        order = {d: i for i, d in enumerate(catalog.domains)}
        by_domain: dict[str, list[str]] = {}
        for cap in catalog.in_domain_order(target):
            by_domain.setdefault(catalog[cap].domain, []).append(cap)
        rows: list[tuple[str, float, float, int]] = []
        for dom, caps in by_domain.items():
            now = [roadmap.current.get(c, 0) for c in caps]
            # A capability already above what the moments ask keeps its level as the target.
            goal = [max(target[c], n) for c, n in zip(caps, now, strict=True)]
            rows.append((dom, sum(now) / len(now), sum(goal) / len(goal), len(caps)))

        labels = [_wrap(catalog.domain_name(dom), 28, 2) for dom, *_ in rows]
        row_in = 0.46
        fig, ax = _new_figure(PAGE_WIDTH_IN, 1.55 + row_in * max(len(rows), 1))
        title = "Maturity by domain: today and target"
        heading = _title(fig, title)
        if not rows:
            _empty(fig, ax, heading, "No capability is in play.")
            return _Built(fig, title, "Maturity by domain: no capability is in play.")

        today_colour = _mix(brand, "#ffffff", 0.62)
        ys = list(range(len(rows)))
        bar = 0.36
        # Plain rectangles and texts rather than barh and bar_label: the limits are set below, and
        # working them out bar by bar costs more than drawing the bars.
        value_at = ax.transData + ScaledTranslation(3 / 72, 0, fig.dpi_scale_trans)
        for shift, column, colour in ((-bar / 2, 1, today_colour), (bar / 2, 2, brand)):
            for y, row in zip(ys, rows, strict=True):
                value = float(row[column])
                ax.add_artist(Rectangle((0, y + shift - bar / 2), value, bar, facecolor=colour))
                ax.text(value, y + shift, f"{value:.1f}", transform=value_at, va="center", fontsize=SMALL_SIZE)
        ax.set_yticks(ys, labels=labels)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 5.45)  # room for the value label of a bar that reaches 5
        ax.set_xticks(range(6))
        ax.xaxis.grid(True, color=RULE, linewidth=0.5)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        x_title = "Average maturity level of the capabilities in play (0 absent, 5 leading practice)"
        ax.set_xlabel(x_title)
        handles = [
            Patch(facecolor=today_colour, label="Today"),
            Patch(facecolor=brand, label="Target: what the moments need"),
        ]
        legend = fig.legend(handles=handles, loc="outside lower center", ncol=2, handlelength=1.4, handleheight=1.0)

        def place(measure: _Measure) -> _Margins:
            zero = measure.box("0", SMALL_SIZE, va="top")  # the first level, centred on the left edge
            left = PAD + max(TICK_PAD + max(measure.width(label, SMALL_SIZE) for label in labels), -zero.x0)
            x_title_height = measure.box(x_title, BASE_SIZE, va="top").height
            bottom = measure.above_legend(legend) + TICK + TICK_PAD + zero.height + LABEL_PAD + x_title_height
            return _Margins(left, PAD, TITLE_ROOM, bottom)

        _lay_out(fig, ax, heading, place, len(rows) * 30)

        n_caps = sum(r[3] for r in rows)
        now_avg = sum(r[1] * r[3] for r in rows) / n_caps
        goal_avg = sum(r[2] * r[3] for r in rows) / n_caps
        widest = max(rows, key=lambda r: (r[2] - r[1], -order.get(r[0], 0)))
        alt = (
            f"Maturity by domain for {_plural(n_caps, 'capability', 'capabilities')} in play"
            f" across {_plural(len(rows), 'domain')}:"
            f" the average level rises from {now_avg:.1f} today to {goal_avg:.1f} at target, with the largest gap"
            f" in {catalog.domain_name(widest[0])} ({widest[1]:.1f} to {widest[2]:.1f})."
        )
        return _Built(fig, title, alt)
