"""The traceability heatmap: the maturity level each moment needs of each capability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._axes import _title
from ._colour import _text_on, _tints
from ._layout import PAD, TITLE_ROOM, _Built, _lay_out, _Margins, _Measure, _new_figure
from ._style import MUTED, PAGE_WIDTH_IN, RULE, SMALL_SIZE, style
from ._text import _clip, _clip_middle, _plural, _width_pt, _wrap

if TYPE_CHECKING:
    from ..roadmap import MomentPlan, Roadmap


_ROW_LABEL_WIDTH = 34
"""Characters on a line of a moment's label before it wraps."""


def _heatmap(roadmap: Roadmap, brand: str, part: tuple[int, int, Roadmap] | None = None) -> _Built:
    import numpy as np
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    with style():
        catalog = roadmap.engagement.capabilities
        # The grid rather than the DataFrame: a workbook that draws charts need not import pandas.
        columns, grid = roadmap.traceability_grid(with_prerequisites=False)
        values = np.array(grid, dtype=int).reshape(len(grid), len(columns))
        n_rows, n_cols = values.shape
        titles = {d.id: d.title for d in roadmap.engagement.perfect_days}

        # A moment is its perfect day and its time. A long day title wraps onto a second line rather than
        # losing its middle ("Maya's … in September" told no one which day it was); rows grow to fit.
        def row_label(mp: MomentPlan) -> str:
            when = f" · {_clip(mp.at, 12) if mp.at else f'#{mp.position}'}"
            # A title too long even for two lines loses whole words from its middle: titles differ at the end.
            title = _clip_middle(titles[mp.perfect_day], 2 * _ROW_LABEL_WIDTH - 16)  # room for " · " and a time
            return _wrap(title + when, _ROW_LABEL_WIDTH, 2)

        row_labels = [row_label(mp) for mp in roadmap.moments]
        two_lines = any("\n" in label for label in row_labels)
        col_labels = [_clip(catalog[c].name, 40) for c in columns]
        col_domains = [catalog[c].domain for c in columns]
        groups: list[tuple[str, int, int]] = []  # (domain, first column, last column)
        for j, dom in enumerate(col_domains):
            if groups and groups[-1][0] == dom:
                groups[-1] = (dom, groups[-1][1], j)
            else:
                groups.append((dom, j, j))

        # Column pitch decides the label size; below a readable minimum the figure widens instead.
        row_label_pt = max(_width_pt(label, SMALL_SIZE) for label in row_labels) + 10
        room_pt = PAGE_WIDTH_IN * 72 - row_label_pt - 20
        size = SMALL_SIZE
        while size > 5.5 and size * 1.3 > room_pt / n_cols:
            size -= 0.25
        pitch_pt = max(room_pt / n_cols, size * 1.3)
        width = max(PAGE_WIDTH_IN, (row_label_pt + 20 + pitch_pt * n_cols) / 72)
        row_pt = min(20.0, max(13.0, pitch_pt * 0.9))  # near-square cells when there is room
        if two_lines:
            row_pt = max(row_pt, 2.5 * SMALL_SIZE)  # two lines of label and a little air between rows
        cap_pt = max(_width_pt(label, size) for label in col_labels)
        dom_labels = [_clip(catalog.domain_name(d), 26) for d, _, _ in groups]
        fig, ax = _new_figure(width, 4.0)  # the height is set once the margins are known
        title = "Traceability: what each moment needs"
        heading = _title(fig, title)

        levels = _tints(brand, 5)
        # Only the cells with a level are drawn: a full mesh writes an invisible path for every blank.
        filled = [(i, j, int(values[i, j])) for i, j in zip(*np.nonzero(values > 0), strict=True)]
        cells = [((j - 0.5, i - 0.5), (j + 0.5, i - 0.5), (j + 0.5, i + 0.5), (j - 0.5, i + 0.5)) for i, j, _ in filled]
        fills = [levels[min(level, 5) - 1] for _, _, level in filled]
        ax.add_collection(
            PolyCollection(cells, facecolors=fills, edgecolors="none", linewidths=0, antialiaseds=False),
            autolim=False,
        )
        number_size = min(SMALL_SIZE, pitch_pt * 0.62, row_pt * 0.62)
        for (i, j, level), fill in zip(filled, fills, strict=True):
            ax.text(j, i, str(level), ha="center", va="center", fontsize=number_size, color=_text_on(fill))

        ax.set_xlim(-0.5, n_cols - 0.5)
        ax.set_ylim(n_rows - 0.5, -0.5)
        # Labels are plain texts placed where tick labels would go: ticks cost far more per label.
        ax.set_xticks([])
        ax.set_yticks([])
        at_left = blended_transform_factory(ax.transAxes, ax.transData) + ScaledTranslation(
            -4 / 72, 0, fig.dpi_scale_trans
        )
        for i, label in enumerate(row_labels):
            va = "center" if "\n" in label else "center_baseline"
            ax.text(0, i, label, transform=at_left, ha="right", va=va, fontsize=SMALL_SIZE, linespacing=1.1)
        above = blended_transform_factory(ax.transData, ax.transAxes)
        on_top = above + ScaledTranslation(0, 3 / 72, fig.dpi_scale_trans)
        for j, label in enumerate(col_labels):
            ax.text(j, 1, label, transform=on_top, rotation=90, ha="center", va="bottom", fontsize=size)
        # Faint cell rules guide the eye along a row of blanks and separate neighbouring cells;
        # drawn above the cells (where a grid "below lines" goes) but below the numbers. One
        # collection per kind of rule, not a tick and grid line per cell edge: far fewer artists.
        left, right, top, bottom = -0.5, n_cols - 0.5, -0.5, n_rows - 0.5
        rules = [((x, top), (x, bottom)) for x in np.arange(n_cols + 1) - 0.5]
        rules += [((left, y), (right, y)) for y in np.arange(n_rows + 1) - 0.5]
        ax.add_collection(LineCollection(rules, colors="#e3e3e3", linewidths=0.5, zorder=1.5), autolim=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        days = [mp.perfect_day for mp in roadmap.moments]
        dividers = [((first - 0.5, top), (first - 0.5, bottom)) for _, first, _ in groups[1:]]
        dividers += [((left, i - 0.5), (right, i - 0.5)) for i in range(1, n_rows) if days[i] != days[i - 1]]
        if dividers:
            ax.add_collection(LineCollection(dividers, colors=MUTED, linewidths=0.6, zorder=2), autolim=False)

        # Domain labels sit above the capability names, with a bracket spanning each group.
        offset = cap_pt + 6
        bracket = above + ScaledTranslation(0, offset / 72, fig.dpi_scale_trans)
        spans = [((a - 0.4, 1), (b + 0.4, 1)) for _, a, b in groups]
        ax.add_collection(
            LineCollection(spans, colors=brand, linewidths=1.0, transform=bracket, clip_on=False, zorder=2),
            autolim=False,
        )
        over = above + ScaledTranslation(0, (offset + 4) / 72, fig.dpi_scale_trans)
        for (_, a, b), label in zip(groups, dom_labels, strict=True):
            ax.text(
                (a + b) / 2,
                1,
                label,
                transform=over,
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=size,
                fontweight="bold",
                color=brand,
            )

        handles = [
            Patch(facecolor=c, edgecolor=RULE, linewidth=0.5, label=f"Level {i + 1}") for i, c in enumerate(levels)
        ]
        legend = fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=5,
            title="Maturity level the moment needs",
            title_fontsize=SMALL_SIZE,
            handlelength=1.4,
            handleheight=1.0,
        )

        def place(measure: _Measure) -> _Margins:
            rows = max(measure.width(label, SMALL_SIZE) for label in row_labels)
            capabilities = max(measure.width(label, size) for label in col_labels)
            domains = max(measure.width(label, size, "bold") for label in dom_labels)
            # The moments sit 4 pt left of the axes, the capabilities 3 pt above it.
            top = TITLE_ROOM + max(3 + capabilities, offset + 4 + domains)
            return _Margins(PAD + 4 + rows, PAD, top, measure.above_legend(legend))

        _lay_out(fig, ax, heading, place, n_rows * row_pt)

        counts = (values > 0).sum(axis=0)
        top_col = int(np.argmax(counts))
        alt = (
            f"Traceability heatmap of {_plural(n_rows, 'moment')} against the"
            f" {_plural(n_cols, 'capability', 'capabilities')} they need directly, in"
            f" {_plural(len(groups), 'domain')}; the most needed is {catalog[columns[top_col]].name}"
            f" ({_plural(int(counts[top_col]), 'moment')}), and the highest level asked for is {int(values.max())}."
        )
        if part is not None:
            n, of, whole = part
            alt = f"Part {n} of {of} of the traceability, {_plural(len(whole.moments), 'moment')} in all. " + alt
        return _Built(fig, title, alt)
