"""Charts of a roadmap as standalone vector SVG: burn-up, traceability heatmap, maturity and Gantt.

Each chart function returns a `Chart` (SVG text, a title and a one-sentence alt text) that
JupyterLab shows inline and a document can embed. Figures are sized for an A4 portrait page
(17 cm of content width) and grow in height with the data, so 40 capabilities and 30 moments
stay readable. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    from .roadmap import Roadmap, Uplift

ChartKind = Literal["burnup", "heatmap", "maturity", "gantt"]
CHART_KINDS: tuple[ChartKind, ...] = ("burnup", "heatmap", "maturity", "gantt")

PAGE_WIDTH_IN = 6.7  # A4 portrait with 2 cm margins: 17 cm of content width
FONT = "DejaVu Sans"  # ships with matplotlib, so measurements match on every machine
BASE_SIZE = 8.0
SMALL_SIZE = 7.0
TITLE_SIZE = 10.0
INK = "#262626"
MUTED = "#595959"
RULE = "#d9d9d9"

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Yellow is left out
# because it vanishes on white paper.
_DAY_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#000000")
_DAY_MARKERS = ("s", "^", "D", "v", "P", "X", "<", ">", "p", "h")
_DAY_DASHES: tuple[str | tuple[int, tuple[int, ...]], ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))

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
    "legend.frameon": False,
    "legend.fontsize": SMALL_SIZE,
    "hatch.linewidth": 0.7,
    "lines.solid_capstyle": "butt",
}


@dataclass(frozen=True)
class Chart:
    """A rendered chart: a standalone SVG document, its title and a one-sentence alt text."""

    svg: str
    title: str
    alt: str

    def _repr_svg_(self) -> str:
        """The SVG, so that Jupyter shows the chart inline."""
        return self.svg


class _Built(NamedTuple):
    figure: Figure
    title: str
    alt: str


@contextmanager
def style() -> Iterator[None]:
    """The matplotlib settings charts are built and drawn with, for this block only."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        yield


def figure(kind: ChartKind, roadmap: Roadmap, *, colour: str | None = None) -> Figure:
    """The matplotlib figure behind a chart, e.g. to save a PNG inside `with style():`."""
    return _BUILDERS[kind](roadmap, _brand(roadmap, colour)).figure


def burnup(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """The experience burn-up: moments live by the end of each wave, per perfect day and in total."""
    return _chart(_burnup(roadmap, _brand(roadmap, colour)))


def heatmap(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """The traceability heatmap: the maturity level each moment needs of each capability."""
    return _chart(_heatmap(roadmap, _brand(roadmap, colour)))


def maturity(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """Maturity by domain: average level today against the average level the moments need."""
    return _chart(_maturity(roadmap, _brand(roadmap, colour)))


def gantt(roadmap: Roadmap, *, colour: str | None = None) -> Chart:
    """The roadmap as a Gantt chart with one swimlane per domain."""
    return _chart(_gantt(roadmap, _brand(roadmap, colour)))


# --- rendering -----------------------------------------------------------------------------


def _chart(built: _Built) -> Chart:
    return Chart(svg=_svg(built.figure, built.title, built.alt), title=built.title, alt=built.alt)


def _svg(fig: Figure, title: str, alt: str) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    with style():
        FigureCanvasSVG(fig)
        # No date: the same roadmap must give byte-identical output.
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    # <title> and <desc> are what screen readers announce for an SVG embedded as a document.
    label = f"<title>{escape(title, quote=False)}</title><desc>{escape(alt, quote=False)}</desc>"
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + "\n " + label, svg, count=1)


def _fit_height(fig: Figure, ax: Axes, plot_pt: float) -> None:
    """Set the figure's height so that the plot area itself is `plot_pt` tall, whatever the labels take."""
    # Labels, titles and legends take room that is only known once laid out: lay out once,
    # then give the figure exactly the height the rows need on top of that.
    fig.draw_without_rendering()
    height = float(fig.get_figheight())
    actual_pt = ax.get_position().height * height * 72
    fig.set_figheight(max(height + (plot_pt - actual_pt) / 72, 1.0))


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    # Constrained layout keeps the page width fixed and shrinks the axes to make room for
    # labels, so nothing is clipped and the document never has to scale the chart up.
    engine = ConstrainedLayoutEngine(w_pad=4 / 72, h_pad=4 / 72, wspace=0.0, hspace=0.0)
    return Figure(figsize=(width, height), layout=engine)


# --- text ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters with an ellipsis."""
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clip_middle(text: str, limit: int) -> str:
    """The text on one line, cut in the middle to `limit` characters: titles often differ only at the end."""
    text = _clean(text)
    if len(text) <= limit:
        return text
    words = text.split(" ")
    head: list[str] = []
    tail: list[str] = []
    budget = limit - 3  # room left after " … "
    used = -1  # words in each half are joined by spaces: one fewer than the words
    grew = True
    while grew and len(head) + len(tail) < len(words):
        grew = False
        # Whole words from both ends, taking the end first, where titles differ.
        for side in (tail, head):
            if len(head) + len(tail) == len(words):
                break
            word = words[len(words) - 1 - len(tail)] if side is tail else words[len(head)]
            if used + len(word) + 1 <= budget:
                side.append(word)
                used += len(word) + 1
                grew = True
    if head and tail and used >= budget // 2:
        return " ".join(head) + " … " + " ".join(reversed(tail))
    cut = (limit - 1) * 9 // 20
    return text[:cut].rstrip() + "…" + text[len(text) - (limit - 1 - cut) :].lstrip()


def _wrap(text: str, width: int, lines: int) -> str:
    """The text wrapped to at most `lines` lines of `width` characters, the last cut with an ellipsis."""
    parts = textwrap.wrap(_clean(text), width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], _clip(" ".join(parts[lines - 1 :]), width)]
    return "\n".join(parts)


def _width_pt(text: str, size: float, weight: str = "normal") -> float:
    """Width of the widest line of text in points, measured with the font that will draw it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=FONT, size=size, weight=weight)
    widths = [text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] for line in text.split("\n")]
    # Raster renderers hint small text, which can widen it by up to about a tenth; estimates
    # must err on the wide side so that labels never collide in a PNG either.
    return max(widths, default=0.0) * 1.12 + 1.0


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


# --- colour --------------------------------------------------------------------------------


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


# --- axis helpers --------------------------------------------------------------------------


def _set_period_ticks(ax: Axes, positions: Sequence[float], labels: Sequence[str], pitch_pt: float) -> None:
    """Period labels on the x axis: level if they fit, else stacked, else upright (thinned if still too tight)."""
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


def _title(fig: Figure, title: str) -> None:
    # Left-aligned with the figure, not the axes: long row labels would push it inwards.
    width = float(fig.get_figwidth())
    max_chars = int(width * 72 / (TITLE_SIZE * 0.62))
    fig.suptitle(_clip(title, max_chars), x=5 / 72 / width, ha="left", fontsize=TITLE_SIZE, fontweight="bold")


def _empty(ax: Axes, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=ax.transAxes)


# --- burn-up -------------------------------------------------------------------------------


def _burnup(roadmap: Roadmap, brand: str) -> _Built:
    from matplotlib.lines import Line2D

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
        per_day = {day.id: sum(1 for mp in roadmap.moments if mp.perfect_day == day.id) for day in days}
        labels = [f"{_clip_middle(day.title, 80)} ({_plural(per_day[day.id], 'moment')})" for day in days]
        total_label = f"All moments ({total_moments})"
        ncol = _legend_columns([*labels, total_label], PAGE_WIDTH_IN)
        legend_rows = math.ceil((len(labels) + 1) / ncol)
        height = 3.3 + legend_rows * 0.17
        fig = _new_figure(PAGE_WIDTH_IN, height)
        ax = fig.add_subplot()
        title = "Experience burn-up"
        _title(fig, title)

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
            zorder=4,
        )
        handles.append(total_line)

        ax.set_xlim(-0.25, waves + 0.25)
        ax.set_ylim(0, max(total_moments, 1))
        ax.set_yticks(_int_ticks(total_moments))
        ax.yaxis.grid(True, color=RULE, linewidth=0.5)
        ax.set_axisbelow(True)
        axes_width_pt = (PAGE_WIDTH_IN - 0.75) * 72
        _set_period_ticks(ax, xs, ["today", *roadmap.labels], axes_width_pt / (waves + 0.5))
        ax.set_ylabel("Moments live (cumulative)")
        ax.set_xlabel("End of wave")
        fig.legend(handles=handles, loc="outside lower center", ncol=ncol, handlelength=2.6)
        _fit_height(fig, ax, 180)

        last = roadmap.period(waves)
        days_live = sum(
            1 for day in days if all(mp.live_wave is not None for mp in roadmap.moments if mp.perfect_day == day.id)
        )
        alt = (
            f"Experience burn-up: {totals[-1]} of {_plural(total_moments, 'moment')} are live by {last}"
            f" ({totals[0]} already today), and {days_live} of {_plural(len(days), 'perfect day')}"
            " are complete."
        )
        return _Built(fig, title, alt)


# --- heatmap -------------------------------------------------------------------------------


def _heatmap(roadmap: Roadmap, brand: str) -> _Built:
    import numpy as np
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    with style():
        catalog = roadmap.engagement.capabilities
        frame = roadmap.traceability(with_prerequisites=False)
        domain_order = {d: i for i, d in enumerate(catalog.domains)}
        columns = sorted(
            frame.columns, key=lambda c: (domain_order.get(catalog[c].domain, len(domain_order)), catalog[c].domain)
        )
        frame = frame[columns]
        values = frame.to_numpy(dtype=int)
        n_rows, n_cols = values.shape
        titles = {d.id: d.title for d in roadmap.engagement.perfect_days}
        row_labels = [
            f"{_clip_middle(titles[mp.perfect_day], 26)} · {_clip(mp.at, 12) if mp.at else f'#{mp.position}'}"
            for mp in roadmap.moments
        ]
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
        cap_pt = max(_width_pt(label, size) for label in col_labels)
        dom_labels = [_clip(catalog.domain_name(d), 26) for d, _, _ in groups]
        dom_pt = max(_width_pt(label, size, "bold") for label in dom_labels)
        height = (n_rows * row_pt + cap_pt + dom_pt + 14 + 3 * TITLE_SIZE + 52) / 72
        fig = _new_figure(width, height)
        ax = fig.add_subplot()
        title = "Traceability: what each moment needs"
        _title(fig, title)

        levels = _tints(brand, 5)
        cmap = ListedColormap(levels)
        norm = BoundaryNorm([0.5, 1.5, 2.5, 3.5, 4.5, 5.5], cmap.N)
        masked = np.ma.masked_less_equal(values, 0)
        ax.pcolormesh(
            np.arange(n_cols + 1) - 0.5,
            np.arange(n_rows + 1) - 0.5,
            masked,
            cmap=cmap,
            norm=norm,
        )
        number_size = min(SMALL_SIZE, pitch_pt * 0.62, row_pt * 0.62)
        for i in range(n_rows):
            for j in range(n_cols):
                level = int(values[i, j])
                if level > 0:
                    ax.text(
                        j,
                        i,
                        str(level),
                        ha="center",
                        va="center",
                        fontsize=number_size,
                        color=_text_on(levels[min(level, 5) - 1]),
                    )

        ax.set_xlim(-0.5, n_cols - 0.5)
        ax.set_ylim(n_rows - 0.5, -0.5)
        ax.set_xticks(range(n_cols), labels=col_labels)
        ax.set_yticks(range(n_rows), labels=row_labels)
        ax.xaxis.tick_top()
        ax.tick_params(axis="x", labelrotation=90, labelsize=size, length=0, pad=3)
        ax.tick_params(axis="y", length=0, pad=4)
        # Faint cell rules guide the eye along a row of blanks and separate neighbouring cells;
        # drawn above the cells ("line") but below the numbers.
        ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
        ax.tick_params(which="minor", length=0)
        ax.grid(which="minor", color="#e3e3e3", linewidth=0.5)
        ax.set_axisbelow("line")
        for spine in ax.spines.values():
            spine.set_visible(False)
        for j in (first for _, first, _ in groups[1:]):
            ax.axvline(j - 0.5, color=MUTED, linewidth=0.6)
        days = [mp.perfect_day for mp in roadmap.moments]
        for i in range(1, n_rows):
            if days[i] != days[i - 1]:
                ax.axhline(i - 0.5, color=MUTED, linewidth=0.6)

        # Domain labels sit above the capability names, with a bracket spanning each group.
        offset = cap_pt + 6
        top = ax.secondary_xaxis("top")
        top.set_xticks([(a + b) / 2 for _, a, b in groups], labels=dom_labels)
        top.tick_params(axis="x", length=0, pad=offset + 4, labelrotation=90, labelsize=size, labelcolor=brand)
        for label in top.get_xticklabels():
            label.set_fontweight("bold")
        for spine in top.spines.values():
            spine.set_visible(False)
        bracket = blended_transform_factory(ax.transData, ax.transAxes) + ScaledTranslation(
            0, offset / 72, fig.dpi_scale_trans
        )
        for _, a, b in groups:
            ax.plot([a - 0.4, b + 0.4], [1, 1], color=brand, linewidth=1.0, transform=bracket, clip_on=False)

        handles = [
            Patch(facecolor=c, edgecolor=RULE, linewidth=0.5, label=f"Level {i + 1}") for i, c in enumerate(levels)
        ]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=5,
            title="Maturity level the moment needs",
            title_fontsize=SMALL_SIZE,
            handlelength=1.4,
            handleheight=1.0,
        )
        _fit_height(fig, ax, n_rows * row_pt)

        counts = (values > 0).sum(axis=0)
        top_col = int(np.argmax(counts))
        alt = (
            f"Traceability heatmap of {_plural(n_rows, 'moment')} against the"
            f" {_plural(n_cols, 'capability', 'capabilities')} they need directly, in"
            f" {_plural(len(groups), 'domain')}; the most needed is {catalog[columns[top_col]].name}"
            f" ({_plural(int(counts[top_col]), 'moment')}), and the highest level asked for is {int(values.max())}."
        )
        return _Built(fig, title, alt)


# --- maturity by domain --------------------------------------------------------------------


def _maturity(roadmap: Roadmap, brand: str) -> _Built:
    from matplotlib.patches import Patch

    with style():
        catalog = roadmap.engagement.capabilities
        in_play = {up.capability for up in roadmap.uplifts} | {c for mp in roadmap.moments for c in mp.needs}
        target: dict[str, int] = {}
        for mp in roadmap.moments:
            for cap, level in mp.required.items():
                target[cap] = max(target.get(cap, 0), level)
        order = {d: i for i, d in enumerate(catalog.domains)}
        by_domain: dict[str, list[str]] = {}
        for cap in sorted(in_play, key=lambda c: (order.get(catalog[c].domain, len(order)), catalog[c].domain, c)):
            by_domain.setdefault(catalog[cap].domain, []).append(cap)
        rows: list[tuple[str, float, float, int]] = []
        for dom, caps in by_domain.items():
            now = [roadmap.current.get(c, 0) for c in caps]
            # A capability already above what the moments ask keeps its level as the target.
            goal = [max(target.get(c, n), n) for c, n in zip(caps, now, strict=True)]
            rows.append((dom, sum(now) / len(now), sum(goal) / len(goal), len(caps)))

        labels = [_wrap(catalog.domain_name(dom), 28, 2) for dom, *_ in rows]
        row_in = 0.46
        fig = _new_figure(PAGE_WIDTH_IN, 1.55 + row_in * max(len(rows), 1))
        ax = fig.add_subplot()
        title = "Maturity by domain: today and target"
        _title(fig, title)
        if not rows:
            _empty(ax, "No capability is in play.")
            return _Built(fig, title, "Maturity by domain: no capability is in play.")

        today_colour = _mix(brand, "#ffffff", 0.62)
        ys = list(range(len(rows)))
        bar = 0.36
        now_bars = ax.barh([y - bar / 2 for y in ys], [r[1] for r in rows], height=bar, color=today_colour)
        goal_bars = ax.barh([y + bar / 2 for y in ys], [r[2] for r in rows], height=bar, color=brand)
        for bars in (now_bars, goal_bars):
            ax.bar_label(bars, fmt="%.1f", padding=3, fontsize=SMALL_SIZE, color=INK)
        ax.set_yticks(ys, labels=labels)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 5.45)  # room for the value label of a bar that reaches 5
        ax.set_xticks(range(6))
        ax.xaxis.grid(True, color=RULE, linewidth=0.5)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("Average maturity level of the capabilities in play (0 absent, 5 leading practice)")
        handles = [
            Patch(facecolor=today_colour, label="Today"),
            Patch(facecolor=brand, label="Target: what the moments need"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=2, handlelength=1.4, handleheight=1.0)
        _fit_height(fig, ax, len(rows) * 30)

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


# --- Gantt ---------------------------------------------------------------------------------


def _delivery_order(up: Uplift) -> tuple[int, int, str]:
    never = 10**9
    return (up.start_wave or never, up.end_wave or never, up.id)


def _gantt(roadmap: Roadmap, brand: str) -> _Built:
    from matplotlib.patches import Patch

    with style():
        catalog = roadmap.engagement.capabilities
        waves = len(roadmap.labels)
        shown = [up for up in roadmap.uplifts if up.status != "excluded"]
        order = {d: i for i, d in enumerate(catalog.domains)}
        lanes: dict[str, list[Uplift]] = {}
        for up in sorted(shown, key=lambda u: (order.get(u.domain, len(order)), u.domain)):
            lanes.setdefault(up.domain, []).append(up)
        for items in lanes.values():
            items.sort(key=_delivery_order)

        row_in = 0.2
        n_rows = len(shown) + len(lanes)
        fig = _new_figure(PAGE_WIDTH_IN, 1.6 + row_in * max(n_rows, 2))
        ax = fig.add_subplot()
        title = "Roadmap by domain"
        _title(fig, title)
        beyond = [up for up in shown if up.status != "scheduled"]
        scheduled = len(shown) - len(beyond)
        if not shown:
            why = "every uplift is excluded" if roadmap.uplifts else "every moment is live today"
            _empty(ax, f"Nothing to schedule: {why}.")
            return _Built(fig, title, f"Roadmap by domain: nothing to schedule, {why}.")

        lane_fill = _mix(brand, "#ffffff", 0.93)
        beyond_fill = _mix(brand, "#ffffff", 0.8)
        right = waves + 1.35  # the strip after the last wave is where work beyond the horizon runs off
        ticks: list[int] = []
        tick_labels: list[str] = []
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
                ticks.append(row)
                name = catalog[up.capability].name if up.capability in catalog else up.name
                tick_labels.append(f"{_clip(name, 40)} → L{up.to_level}")
                if up.status == "scheduled" and up.start_wave is not None and up.end_wave is not None:
                    ax.barh(
                        row, up.end_wave - up.start_wave + 0.84, left=up.start_wave - 0.42, height=0.62, color=brand
                    )
                else:
                    start = up.start_wave if up.start_wave is not None else waves + 1
                    # Deliberately wider than the axes: the clipped edge says "runs on past the horizon".
                    ax.barh(
                        row,
                        right - start + 2,
                        left=start - 0.42,
                        height=0.62,
                        facecolor=beyond_fill,
                        edgecolor=brand,
                        hatch="////",
                        linewidth=0.7,
                    )
                row += 1
            if lane_index % 2 == 0:
                ax.axhspan(first - 0.5, row - 0.5, color=lane_fill, linewidth=0, zorder=0)

        ax.axvspan(waves + 0.5, right, color="#f2f2f2", linewidth=0, zorder=0)
        for boundary in range(1, waves + 1):
            ax.axvline(boundary + 0.5, color=RULE, linewidth=0.5, zorder=0.5)
        ax.set_xlim(0.5, right)
        ax.set_ylim(row - 0.5, -0.5)
        ax.set_yticks(ticks, labels=tick_labels)
        ax.tick_params(axis="y", length=0)
        # The axes get the page width less the labels, their pad and the layout's padding.
        label_pt = max(_width_pt(label, SMALL_SIZE) for label in tick_labels) + 4
        pitch_pt = (PAGE_WIDTH_IN * 72 - label_pt - 8) / (right - 0.5)
        _set_period_ticks(ax, [*range(1, waves + 1), (waves + 0.5 + right) / 2], [*roadmap.labels, "later"], pitch_pt)
        ax.tick_params(axis="x", length=0, top=False, labeltop=True, labelbottom=n_rows > 30)
        for spine in ax.spines.values():
            spine.set_visible(False)
        handles = [Patch(facecolor=brand, label="Scheduled")]
        if beyond:
            handles.append(
                Patch(facecolor=beyond_fill, edgecolor=brand, hatch="////", linewidth=0.7, label="Beyond the horizon")
            )
        fig.legend(handles=handles, loc="outside lower center", ncol=2, handlelength=2.0, handleheight=1.0)
        _fit_height(fig, ax, n_rows * 14.4)

        alt = (
            f"Roadmap of {_plural(scheduled, 'scheduled uplift')} over {_plural(waves, 'wave')}"
            f" ({roadmap.labels[0]} to {roadmap.labels[-1]}) in {_plural(len(lanes), 'domain swimlane')}"
            f"; {len(beyond)} {'runs' if len(beyond) == 1 else 'run'} beyond the horizon."
        )
        return _Built(fig, title, alt)


_BUILDERS: dict[ChartKind, Callable[[Roadmap, str], _Built]] = {
    "burnup": _burnup,
    "heatmap": _heatmap,
    "maturity": _maturity,
    "gantt": _gantt,
}
