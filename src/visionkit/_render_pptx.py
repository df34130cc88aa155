"""A roadmap document as an editable PowerPoint deck, made from the same document model as its HTML and PDF.

`_typeset.read_document` reads the executed notebook into sections and other blocks; this module lays
them out on 16:9 slides with python-pptx: a title slide (the cover), the executive summary, one slide
per perfect day (each moment's time and channel, when it goes live, its story and its wow), every chart
on a slide of its own, and tables (the uplifts with their why) split across slides when long. Sections
it has no layout of its own for (a strategist's markdown cells, "What changed") become text slides; the
rubrics appendix is left to the PDF.

Every piece of text is in a placeholder, a text box or a table cell, so that it can be edited, and it
goes in as plain text (python-pptx escapes it for XML): no user text becomes markup. A chart is a
picture: the SVG itself, which PowerPoint 2016 and later show through the `asvg:svgBlip` extension,
over a PNG of it drawn by Typst (`_typeset.rasterise`) that older readers show instead. Its alternative
text is the picture's description.

Sizes are chosen so that the text fits: its lines are estimated from an average character width, and
each text box also asks PowerPoint to shrink text that overflows when it is edited.

A new kind of element needs a branch in `_Slides.paragraphs` (it raises TypeError for a node it does
not know). docs/architecture.md ("A document section") gives every step.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ._ooxml import document_time, reproducible_zip, rgb_hex
from ._render_typst import chart_size_pt, trim
from ._typeset import Blocks, NotebookDocument, rasterise, read_document
from .doctree import (
    Block,
    BulletList,
    Card,
    Cell,
    Chart,
    Chips,
    Code,
    Cover,
    Facts,
    Group,
    Heading,
    Image,
    Inline,
    Levels,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
    Wow,
    from_json,
    plain_text,
)

if TYPE_CHECKING:
    from pptx.presentation import Presentation as Deck
    from pptx.slide import Slide
    from pptx.text.text import _Paragraph
    from pptx.util import Length

    from .sections import Section

__all__ = ["CHART_PPI", "CUT_NOTE", "MIN_CARD_SIZE", "MOMENTS_PER_SLIDE", "SVG_EXTENSION", "deck", "notebook_to_pptx"]

CHART_PPI = 200.0
"""The resolution of a chart's PNG fallback: sharp on a projector and in print, about 50-130 KB a chart."""
MOMENTS_PER_SLIDE = 8
"""The most moments on one perfect day's slide (four by two); a longer day goes on over more slides."""
MIN_CARD_SIZE = 11.0
"""The smallest text on a moment's card, in points: read from the back of a room. A day whose stories
do not fit at this size goes on over more slides, fewer cards to each; a story too long for a card
of its own is cut, and the card says that the document has it whole."""
CARD_SIZES = (16.0, 15.0, 14.0, 13.0, 12.0, MIN_CARD_SIZE)
CUT_NOTE = "The full story is in the document."
SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
"""The `a:ext` uri under which PowerPoint 2016 and later read a picture's SVG (`asvg:svgBlip`)."""
_SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
_PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# The slide, in inches: 16:9, with the margins and bands every content slide shares.
WIDTH, HEIGHT = 13.333, 7.5
MARGIN = 0.6
TITLE_TOP, TITLE_HEIGHT = 0.35, 0.85
BODY_TOP, BODY_BOTTOM = 1.35, 6.95
SIDE = 3.3
"""The text column beside a chart."""

INK, MUTED, LIVE, LIVE_NEVER, RULE = "1D2430", "5D6675", "1D6B3A", "9A5B00", "D5DAE1"
"""The style sheet's colours: text, muted text, live, not live within the horizon, and table rules."""
_SPAN: dict[str, dict[str, Any]] = {
    "strong": {"bold": True},
    "emph": {"italic": True},
    "code": {"mono": True},
    "sub": {"baseline": -25000},
    "sup": {"baseline": 30000},
    "level": {"bold": True, "colour": "brand"},
    "muted": {"colour": MUTED},
    "note": {"colour": MUTED, "italic": True},
    "when": {"bold": True, "colour": "brand"},
    "live": {"colour": LIVE},
    "live-never": {"colour": LIVE_NEVER},
    "client": {"bold": True},
}
_PARAGRAPH: dict[str, dict[str, Any]] = {
    "persona": {"italic": True, "colour": MUTED},
    "day-facts": {"colour": MUTED, "scale": 0.9},
    "rubric-desc": {"colour": MUTED},
}
_SPACE = re.compile(r"\s+")
CHAR_EM = 0.5
"""The average width of a character, in ems, for estimating where text wraps (Calibri's is about 0.47)."""
LEADING = 1.2


@dataclass(frozen=True)
class _Style:
    """How a run of text is set."""

    bold: bool = False
    italic: bool = False
    mono: bool = False
    colour: str = INK
    baseline: int = 0
    scale: float = 1.0

    def but(self, **changes: Any) -> _Style:
        return replace(self, **changes)


@dataclass
class _Para:
    """One paragraph of a text box: inline content in a style, maybe a list item."""

    content: list[Inline]
    style: _Style = field(default_factory=_Style)
    bullet: str = ""
    """"" for none, "•" for a bullet, "1." and on for a numbered item, " " to indent without a mark."""
    level: int = 0
    space_before: float = 0.0
    """In ems of the paragraph's size."""
    heading: bool = False

    def text(self) -> str:
        return (self.bullet + " " if self.bullet.strip() else "") + _plain(self.content)


@dataclass
class _Picture:
    svg: str
    alt: str


@dataclass
class _Raster:
    data: bytes
    alt: str


Item = _Para | Table | _Picture | _Raster


def notebook_to_pptx(nb: Any) -> bytes:
    """A roadmap notebook's document as an editable PowerPoint deck (bytes of a .pptx file)."""
    return deck(read_document(nb))


def deck(document: NotebookDocument) -> bytes:
    """The deck of a document read by `_typeset.read_document`; the same document gives the same bytes."""
    return _Slides(document).build()


def _plain(content: Sequence[Inline]) -> str:
    """Inline content as the text a slide shows: white space collapsed, a break a new line."""

    def text(items: Sequence[Inline]) -> str:
        return "".join(
            _SPACE.sub(" ", i) if isinstance(i, str) else "\n" if i.style == "break" else text(i.content) for i in items
        )

    return text(content).strip()


def _lines(text: str, chars: float) -> int:
    """How many lines `text` takes wrapped at about `chars` characters, word by word as a text box wraps it."""
    chars = max(chars, 4.0)
    count = 0
    for piece in text.split("\n"):
        count += 1
        line = 0
        for word in piece.split(" "):
            if not word:
                continue
            if line and line + 1 + len(word) > chars:
                count += 1
                line = 0
            if len(word) > chars:  # a word longer than the line breaks where it must
                count += math.ceil(len(word) / chars) - 1
                line = len(word) % int(chars)
            else:
                line += (1 if line else 0) + len(word)
    return max(count, 1)


def _para_height(para: _Para, size: float, width_in: float) -> float:
    """A paragraph's height in inches at `size` points in a text area `width_in` wide."""
    pt = size * para.style.scale
    indent = (para.level + (1 if para.bullet else 0)) * pt * 1.2 / 72
    chars = (width_in - indent) * 72 / (pt * CHAR_EM * (1.06 if para.style.bold else 1.0))
    return (_lines(para.text(), chars) * pt * LEADING + para.space_before * pt + 0.3 * pt) / 72


def _height(paras: Sequence[_Para], size: float, width_in: float) -> float:
    """Paragraphs' height in inches in a text box `width_in` wide (its insets included)."""
    return sum(_para_height(p, size, width_in - 0.2) for p in paras) + 0.1


def _fit(paras: Sequence[_Para], width_in: float, height_in: float, sizes: Sequence[float]) -> float | None:
    """The largest of `sizes` at which the paragraphs fit the box; None if none does."""
    return next((s for s in sizes if _height(paras, s, width_in) <= height_in), None)


LONGEST_WORD_SHARE = 1 / 3
"""The most of a table's width one unbroken word may claim for its column."""
CARD_GAP = 0.2
"""The space between two moments' cards, in inches."""


def _grid(count: int, top: float) -> tuple[int, float, float]:
    """Columns, card width and card height for `count` cards below `top`: one row up to four, else two."""
    columns = count if count <= 4 else math.ceil(count / 2)
    rows = math.ceil(count / columns)
    width = (WIDTH - 2 * MARGIN - CARD_GAP * (columns - 1)) / columns
    return columns, width, (BODY_BOTTOM - top - CARD_GAP * (rows - 1)) / rows


def _card_size(contents: Sequence[list[_Para]], top: float) -> float | None:
    """The largest size at which every card of a slide fits, all set alike; None below `MIN_CARD_SIZE`."""
    _, width, height = _grid(len(contents), top)
    sizes = [_fit(paras, width, height, CARD_SIZES) for paras in contents]
    return None if None in sizes else min(s for s in sizes if s is not None)


def _card_pages(contents: list[list[_Para]], top: float) -> list[list[list[_Para]]]:
    """Moments' cards split over slides: as few slides as fit every card at `MIN_CARD_SIZE` or more, evened out."""
    pages: list[list[list[_Para]]] = []
    start = 0
    while start < len(contents):
        count = min(MOMENTS_PER_SLIDE, len(contents) - start)
        while count > 1 and _card_size(contents[start : start + count], top) is None:
            count -= 1
        pages.append(contents[start : start + count])
        start += count
    # Filled greedily, the last slide may hold one card beside seven: share them out when that fits too.
    total, slides = len(contents), len(pages)
    counts = [total // slides + (1 if n < total % slides else 0) for n in range(slides)] if slides else []
    starts = [sum(counts[:n]) for n in range(slides)]
    even = [contents[at : at + count] for at, count in zip(starts, counts, strict=True)]
    if all(_card_size(page, top) is not None for page in even):
        pages = even
    _, width, height = _grid(1, top)
    return [[_cut_card(page[0], width, height)] if _card_size(page, top) is None else page for page in pages]


def _cut_card(paras: list[_Para], width: float, height: float) -> list[_Para]:
    """A card too long for a slide of its own, its longest paragraph cut at a word to fit at `MIN_CARD_SIZE`."""
    note = _Para([CUT_NOTE], style=_Style(italic=True, colour=MUTED), space_before=0.35)
    return _cut_to_fit(paras, width, height, MIN_CARD_SIZE, after=[note])


def _cut_to_fit(
    paras: list[_Para], width: float, height: float, size: float, *, after: Sequence[_Para] = ()
) -> list[_Para]:
    """Paragraphs with the longest cut at a word, with "…", so that they (and `after`) fit a box at `size`."""
    longest = max(range(len(paras)), key=lambda n: len(paras[n].text()))
    text = paras[longest].text()

    def cut(limit: int) -> list[_Para]:
        para = replace(paras[longest], content=_cut_inline(paras[longest].content, limit))
        return [*paras[:longest], para, *paras[longest + 1 :], *after]

    low, high = 0, len(text)  # the most characters that fit lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _height(cut(middle), size, width) <= height else (low, middle)
    return cut(low)


def _cut_inline(content: Sequence[Inline], limit: int) -> list[Inline]:
    """Inline content cut to at most `limit` characters at a word, spans kept, ending in "…"."""
    left = limit

    def walk(items: Sequence[Inline]) -> list[Inline]:
        nonlocal left
        out: list[Inline] = []
        for item in items:
            if left <= 0:
                break
            if isinstance(item, str):
                if len(item) > left:
                    item = item[:left].rsplit(" ", 1)[0] if " " in item[:left] else item[:left]
                    left = 0
                else:
                    left -= len(item)
                out.append(item)
            else:
                out.append(Span(item.style, walk(item.content)))
        return out

    cut = walk(content)
    if cut and isinstance(cut[-1], str):
        cut[-1] = cut[-1].rstrip(" ,;:")
    return [*cut, "…"]


class _Slides:
    """The deck under construction: python-pptx's default template, made 16:9, in the document's brand colour."""

    def __init__(self, document: NotebookDocument) -> None:
        from pptx import Presentation

        self.document = document
        self.brand = rgb_hex(document.brand)
        self.tint = _mix(self.brand, 0.1)
        self.prs: Deck = Presentation()
        self._widen()
        self.pngs: dict[str, bytes] = {}
        self.svg_parts: dict[str, Any] = {}

    # The deck

    def build(self) -> bytes:
        """Lay out every part of the document, then write the package reproducibly."""
        charts = list(dict.fromkeys(c.svg for c in self._charts()))
        self.pngs = dict(zip(charts, rasterise(charts, CHART_PPI), strict=True))
        parts = self.document.parts
        if not any(not isinstance(p, Blocks) and _cover(p.blocks) for p in parts):
            self._title_slide(None)
        for part in parts:
            if isinstance(part, Blocks):
                self._blocks(part.blocks, _heading_text(part.blocks))
            else:
                self._section(part)
        self._properties()
        out = io.BytesIO()
        self.prs.save(out)
        slides = len(self.prs.slides)
        return reproducible_zip(out.getvalue(), {"docProps/app.xml": _app_xml(slides)})

    def _charts(self) -> list[Chart]:
        """Every chart the deck shows, so that all are drawn in one go."""
        found: list[Chart] = []

        def walk(blocks: Sequence[Block]) -> None:
            for block in blocks:
                if isinstance(block, Chart):
                    found.append(block)
                elif isinstance(block, Group):
                    if block.style != "day":  # a day's journey stays in the document: its slide shows the moments
                        walk(block.children)
                elif isinstance(block, Card | Quote):
                    walk(block.body if isinstance(block, Card) else block.children)
                elif isinstance(block, BulletList):
                    for item in block.items:
                        walk(item)

        for part in self.document.parts:
            if isinstance(part, Blocks) or part.style != "appendix":
                walk(part.blocks)
            if not isinstance(part, Blocks):
                walk(from_json(part.meta.get("slides") or []))
        return found

    def _widen(self) -> None:
        """16:9 slides; the template's master and layouts are 4:3, so their placeholders are widened to match."""
        from pptx.util import Inches

        prs = self.prs
        factor = Inches(WIDTH) / prs.slide_width
        prs.slide_width, prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
        for owner in (prs.slide_master, *prs.slide_layouts):
            for shape in owner.shapes:
                if shape.left is not None and shape.width is not None:
                    shape.left, shape.width = round(shape.left * factor), round(shape.width * factor)

    def _properties(self) -> None:
        """The document's own properties, dated by its date so that the same document gives the same bytes."""
        props = self.prs.core_properties
        when = document_time(self.document.date)
        props.title = self.document.title
        props.subject = self.document.client
        props.author = props.last_modified_by = props.keywords = props.category = props.comments = ""
        props.revision = 1
        props.created = props.modified = when

    # Sections

    def _section(self, section: Section) -> None:
        """A section's slides: the cover's, a slide per perfect day, a slide per chart, then the rest as it comes."""
        blocks = list(section.blocks)
        if section.style == "appendix" or not blocks:
            return
        cover = _cover(blocks)
        if cover is not None:
            self._title_slide(cover)
            blocks = [b for b in blocks if b is not cover]
        title = _heading_text(blocks) or section.title
        days = [b for b in blocks if isinstance(b, Group) and b.style == "day"]
        for day in days:
            self._day(day)
        charts = [] if days else [b for b in blocks if isinstance(b, Chart)]
        intro = (
            next((b for b in blocks[: blocks.index(charts[0])] if isinstance(b, Paragraph)), None) if charts else None
        )
        # A section may carry its charts cut to a slide's size (a long roadmap): shown instead of the page's.
        slides = [c for c in from_json(section.meta.get("slides") or []) if isinstance(c, Chart)] if charts else []
        shown_charts = slides or charts
        for n, chart in enumerate(shown_charts, start=1):
            count = len(shown_charts)
            self._chart_slide(f"{title} ({n} of {count})" if count > 1 else title, chart.svg, chart.alt, intro)
        shown = {id(b) for b in [*days, *charts]} | ({id(intro)} if intro is not None else set())
        self._blocks([b for b in blocks if id(b) not in shown], title, continued=bool(days or charts))

    def _blocks(self, blocks: Sequence[Block], title: str, *, continued: bool = False) -> None:
        """Blocks as slides of text, tables and pictures, in order; the first level-2 heading is the title.

        `continued`: the section has slides already, so these go on under "(continued)".
        """
        skip = next((b for b in blocks if isinstance(b, Heading) and b.level == 2), None)
        items: list[Item] = []
        for block in blocks:
            if block is not skip:
                items.extend(self.items(block))
        run: list[_Para] = []
        first = not continued

        def flush() -> str:
            """Set the text so far; a heading that ends it titles what follows instead (its table)."""
            nonlocal first
            label = ""
            if run and run[-1].heading:
                label = _plain(run.pop().content)
            if run:
                self._text_slides(title, list(run), continued=not first)
                first = False
                run.clear()
            return label

        # A section of text and one table (the executive summary and its waves) goes on one slide when both fit.
        only_tables = [i for i in items if isinstance(i, Table)]
        if len(only_tables) == 1 and all(isinstance(i, _Para | Table) for i in items):
            paras = [i for i in items if isinstance(i, _Para)]
            if paras and self._text_and_table(title if first else f"{title} (continued)", paras, only_tables[0]):
                return
        for item in items:
            if isinstance(item, _Para):
                run.append(item)
                continue
            label = flush()
            if isinstance(item, Table):
                named = f"{title}: {label}" if label else title
                self._table_slides(named, item, continued=not first and not label)
            elif isinstance(item, _Picture):
                self._chart_slide(title if first else f"{title} (continued)", item.svg, item.alt, None)
            else:
                self._raster_slide(title if first else f"{title} (continued)", item.data, item.alt)
            first = False
        flush()

    # Blocks as paragraphs

    def items(self, block: Block, level: int = 0) -> list[Item]:
        """A block as paragraphs, tables and pictures, in order."""
        if isinstance(block, Table):
            return [block]
        if isinstance(block, Chart):
            return [_Picture(block.svg, block.alt)]
        if isinstance(block, Image):
            data = _image_data(block.src)
            if data is not None:
                return [_Raster(data, block.alt)]
            return [_Para([block.alt], _Style(colour=MUTED, italic=True), level=level)] if block.alt else []
        if isinstance(block, Group):
            return [i for child in block.children for i in self.items(child, level)]
        if isinstance(block, Quote):
            out = [i for child in block.children for i in self.items(child, level + 1)]
            return [replace(i, style=i.style.but(italic=True)) if isinstance(i, _Para) else i for i in out]
        if isinstance(block, BulletList):
            listed: list[Item] = []
            for n, item in enumerate(block.items, start=1):
                inner = [i for c in item for i in self.items(c, level + 1 if isinstance(c, BulletList) else level)]
                marked = False
                for i in inner:
                    if isinstance(i, _Para) and i.level == level:
                        i.bullet = (f"{n}." if block.numbered else "•") if not marked else " "
                        marked = True
                    listed.append(i)
            return listed
        if isinstance(block, Card):
            head = [_Para(trim(h), level=level) for h in block.head if trim(h)]
            if head:
                head[0].space_before = 0.4
            body = [i for child in block.body for i in self.items(child, level + 1)]
            return [*head, *body]
        return list(self.paragraphs(block, level))

    def paragraphs(self, block: Block, level: int = 0) -> list[_Para]:
        """A block of text as paragraphs."""
        if isinstance(block, Heading):
            scale = 1.15 if block.level <= 3 else 1.0
            style = _Style(bold=True, colour="brand", scale=scale)
            return [_Para(trim(block.content), style, space_before=0.5, heading=True)]
        if isinstance(block, Paragraph):
            style = _Style(**_PARAGRAPH.get(block.style, {}))
            return [_Para(trim(block.content), style, level=level)] if trim(block.content) else []
        if isinstance(block, Chips):
            joined: list[Inline] = []
            for n, chip in enumerate(block.items):
                joined += ([" · "] if n else []) + trim(chip)
            return [_Para(joined, _Style(colour=MUTED, scale=0.9), level=level)] if joined else []
        if isinstance(block, Facts):
            return [_Para([Span("strong", trim(term)), "  ", *trim(value)], level=level) for term, value in block.pairs]
        if isinstance(block, Wow):
            return [_Para([Span("strong", [block.label + ": "]), Span("emph", trim(block.content))], level=level)]
        if isinstance(block, Levels):
            out = []
            for item in block.items:
                marks = [m for m, on in (("today", item.now), ("target", item.target)) if on]
                tail: list[Inline] = [Span("muted", [f"  ({', '.join(marks)})"])] if marks else []
                out.append(_Para([*trim(item.content), *tail], _Style(bold=item.target), "•", level))
            return out
        if isinstance(block, Code):
            lines: list[Inline] = []
            for n, line in enumerate(block.text.rstrip("\n").split("\n")):
                lines += ([Span("break")] if n else []) + [Span("code", [line])]
            return [_Para(lines, level=level)]
        if isinstance(block, Rule):
            return []
        if isinstance(block, Cover):
            return [
                _Para([block.title], _Style(bold=True, colour="brand", scale=1.3)),
                _Para([block.client], _Style(bold=True)),
                _Para([block.subtitle], _Style(colour=MUTED)),
                *self.paragraphs(block.facts, level),
            ]
        if isinstance(block, Table | Chart | Image | Group | Quote | BulletList | Card):
            return [i for i in self.items(block, level) if isinstance(i, _Para)]
        raise TypeError(f"no slide for {type(block).__name__}")

    # Slides

    def _slide(self, title: str, *, layout: str = "Title Only") -> Slide:
        """A new slide with its title (a real title placeholder, so outlines and screen readers find it)."""
        from pptx.enum.shapes import MSO_SHAPE

        chosen = next(lay for lay in self.prs.slide_layouts if lay.name == layout)
        slide: Slide = self.prs.slides.add_slide(chosen)
        if layout != "Title Only":
            return slide
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, _in(0), _in(0), _in(WIDTH), _in(0.12))
        self._fill(band, self.brand)
        shape = slide.shapes.title
        assert shape is not None
        if not title:
            shape._element.getparent().remove(shape._element)
        else:
            self._place(shape, MARGIN, TITLE_TOP, WIDTH - 2 * MARGIN, TITLE_HEIGHT)
            para = _Para([title], _Style(bold=True, colour="brand"))
            size = _fit([para], WIDTH - 2 * MARGIN, TITLE_HEIGHT, (28, 26, 24, 22, 20, 18)) or 16
            self._write(shape.text_frame, [para], size, anchor="middle")
        self._footer(slide)
        return slide

    def _footer(self, slide: Slide) -> None:
        name = " · ".join(t for t in (self.document.client, self.document.title) if t)
        width = WIDTH - 2 * MARGIN - 0.8
        # One line at the slide's foot: a long client name is set smaller, then cut, never wrapped off the slide.
        line = [_Para([name], _Style(colour=MUTED))]
        size = _fit(line, width, 0.3, (10, 9, 8))
        box = self._box(slide, MARGIN, 7.05, width, 0.3)
        self._write(box.text_frame, line if size else _cut_to_fit(line, width, 0.3, 8), size or 8, shrink=False)
        number = self._box(slide, WIDTH - MARGIN - 0.8, 7.05, 0.8, 0.3)
        self._write(number.text_frame, [_Para([str(len(self.prs.slides))], _Style(colour=MUTED))], 10, align="right")

    def _title_slide(self, cover: Cover | None) -> None:
        from pptx.enum.shapes import MSO_SHAPE

        doc = self.document
        slide = self._slide("", layout="Title Slide")
        panel = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, _in(0), _in(0), _in(4.4), _in(HEIGHT))
        self._fill(panel, self.brand)
        client = cover.client if cover else doc.client
        box = self._box(slide, 0.5, 2.2, 3.5, 3.0)
        para = _Para([client], _Style(bold=True, colour="FFFFFF"))
        self._write(box.text_frame, [para], _fit([para], 3.5, 3.0, (32, 28, 24, 20, 18)) or 16, anchor="bottom")
        title, subtitle = slide.shapes.title, slide.placeholders[1]
        assert title is not None
        heading = _Para([cover.title if cover else doc.title], _Style(bold=True, colour="brand"))
        self._place(title, 5.0, 1.2, 7.7, 1.9)
        self._write(title.text_frame, [heading], _fit([heading], 7.7, 1.9, (40, 36, 32, 28, 24)) or 20, anchor="bottom")
        self._place(subtitle, 5.0, 3.2, 7.7, 0.6)
        line = _Para([cover.subtitle if cover else ""], _Style(colour=MUTED))
        self._write(subtitle.text_frame, [line], 20, anchor="top")
        facts = self.paragraphs(cover.facts) if cover else [_Para([Span("strong", ["Date"]), "  ", doc.date])]
        for fact in facts:
            fact.content = [
                Span("level", c.content) if isinstance(c, Span) and c.style == "strong" else c for c in fact.content
            ]
        box = self._box(slide, 5.0, 4.1, 7.7, 2.8)
        self._write(box.text_frame, facts, _fit(facts, 7.7, 2.8, (16, 15, 14, 13, 12, 11)) or 10)

    def _day(self, day: Group) -> None:
        """A perfect day: its title, persona and facts, and its moments as cards, over as many slides as they need."""
        heading = next((b for b in day.children if isinstance(b, Heading)), None)
        title = _plain(heading.content) if heading else "Perfect day"
        facts = [p for b in day.children if isinstance(b, Paragraph) for p in self.paragraphs(b)]
        cards = [c for b in day.children if isinstance(b, Group) for c in b.children if isinstance(c, Card)]
        top = BODY_TOP - 0.1 + (0.7 if facts else 0.0)
        pages = _card_pages([self._card_paragraphs(card) for card in cards], top) or [[]]
        for n, page in enumerate(pages, start=1):
            slide = self._slide(f"{title} ({n} of {len(pages)})" if len(pages) > 1 else title)
            if facts:
                box = self._box(slide, MARGIN, BODY_TOP - 0.1, WIDTH - 2 * MARGIN, 0.62)
                size = _fit(facts, WIDTH - 2 * MARGIN, 0.62, (14, 13, 12, 11, 10))
                # A persona of a paragraph is cut rather than set too small to read; the document has it whole.
                shown = facts if size else _cut_to_fit(facts, WIDTH - 2 * MARGIN, 0.62, 10)
                self._write(box.text_frame, shown, size or 10)
            self._cards(slide, page, top)

    def _cards(self, slide: Slide, contents: Sequence[list[_Para]], top: float) -> None:
        if not contents:
            return
        columns, width, height = _grid(len(contents), top)
        size = _card_size(contents, top) or MIN_CARD_SIZE
        for n, paras in enumerate(contents):
            x = MARGIN + (n % columns) * (width + CARD_GAP)
            y = top + (n // columns) * (height + CARD_GAP)
            shape = self._card(slide, x, y, width, height)
            self._write(shape.text_frame, paras, size)

    def _card_paragraphs(self, card: Card) -> list[_Para]:
        """A moment on a slide: time and channel, when it goes live, the story and the wow."""
        paras = [_Para(trim(h)) for h in card.head if trim(h)]
        for block in card.body:
            # How it goes today and the capabilities it needs stay in the document: a slide has room for the day.
            if isinstance(block, Chips) or (isinstance(block, Paragraph) and block.style == "today"):
                continue
            for item in self.items(block):
                if isinstance(item, _Para):
                    item.level = 0
                    item.space_before = 0.35
                    paras.append(item)
        return paras

    def _chart_slide(self, title: str, svg: str, alt: str, intro: Paragraph | None) -> None:
        """A chart beside its introduction and its text alternative, as large as the slide allows."""
        slide = self._slide(title)
        paras = [_Para(trim(intro.content))] if intro is not None and trim(intro.content) else []
        if alt:
            paras.append(_Para([alt], _Style(colour=MUTED), space_before=0.6))
        if paras:
            box = self._box(slide, MARGIN, BODY_TOP, SIDE, BODY_BOTTOM - BODY_TOP)
            height = BODY_BOTTOM - BODY_TOP
            self._write(box.text_frame, paras, _fit(paras, SIDE, height, (16, 15, 14, 13, 12, 11, 10)) or 9)
        left = MARGIN + SIDE + 0.3 if paras else MARGIN
        size = chart_size_pt(svg) or (4.0, 3.0)
        self._picture(
            slide, self._png(svg), svg, alt, left, BODY_TOP, WIDTH - MARGIN - left, BODY_BOTTOM - BODY_TOP, size
        )

    def _png(self, svg: str) -> bytes:
        """A chart's PNG: drawn with the others at the start, or now for one found only on the way."""
        if svg not in self.pngs:
            self.pngs[svg] = rasterise([svg], CHART_PPI)[0]
        return self.pngs[svg]

    def _raster_slide(self, title: str, data: bytes, alt: str) -> None:
        from PIL import Image as Pil

        slide = self._slide(title)
        with Pil.open(io.BytesIO(data)) as picture:
            size = picture.size
        self._picture(slide, data, None, alt, MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_TOP, size)

    def _picture(
        self,
        slide: Slide,
        png: bytes,
        svg: str | None,
        alt: str,
        left: float,
        top: float,
        width: float,
        height: float,
        size: tuple[float, float],
    ) -> None:
        """A picture fitted and centred in a box; with `svg`, the SVG is the picture and the PNG its fallback."""
        from pptx.opc.constants import RELATIONSHIP_TYPE
        from pptx.opc.package import Part
        from pptx.oxml.ns import qn

        scale = min(width / size[0], height / size[1])
        w, h = size[0] * scale, size[1] * scale
        x, y = left + (width - w) / 2, top + (height - h) / 2
        picture = slide.shapes.add_picture(io.BytesIO(png), _in(x), _in(y), _in(w), _in(h))
        picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", alt)
        if svg is None:
            return
        part = self.svg_parts.get(svg)
        if part is None:
            package = self.prs.part.package
            name = package.next_partname("/ppt/media/chart%d.svg")
            part = self.svg_parts[svg] = Part(name, "image/svg+xml", package, svg.encode("utf-8"))
        rid = slide.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE)
        blip = picture._element.xpath("./p:blipFill/a:blip")[0]
        extensions = blip.makeelement(qn("a:extLst"), {})
        extension = extensions.makeelement(qn("a:ext"), {"uri": SVG_EXTENSION})
        extension.append(extension.makeelement(f"{{{_SVG_NS}}}svgBlip", {qn("r:embed"): rid}, nsmap={"asvg": _SVG_NS}))
        extensions.append(extension)
        blip.append(extensions)

    def _text_slides(self, title: str, paras: list[_Para], *, continued: bool) -> None:
        """Paragraphs on as few slides as they fit at a readable size."""
        width, height = WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_TOP
        size = _fit(paras, width, height, (20, 18, 16, 15, 14))
        pages = [paras] if size else _paginate(paras, width, height, 14)
        for n, page in enumerate(pages):
            slide = self._slide(title if not (continued or n) else f"{title} (continued)")
            box = self._box(slide, MARGIN, BODY_TOP, width, height)
            self._write(box.text_frame, page, size or _fit(page, width, height, (14, 13, 12, 11, 10)) or 9)

    def _text_and_table(self, title: str, paras: list[_Para], table: Table) -> bool:
        """Text beside a short table on one slide, if both fit; False leaves it to separate slides."""
        height = BODY_BOTTOM - BODY_TOP
        side = min(max(sum(_columns(table, None, 11)), 3.6), 5.6)
        columns = _columns(table, side, 11)
        rows = [_row_height(table.header, columns, 11, bold=True), *(_row_height(r, columns, 11) for r in table.rows)]
        text_width = WIDTH - 2 * MARGIN - side - 0.3
        size = _fit(paras, text_width, height, (18, 16, 15, 14, 13))
        if size is None or sum(rows) > height:
            return False
        slide = self._slide(title)
        box = self._box(slide, MARGIN, BODY_TOP, text_width, height)
        self._write(box.text_frame, paras, size)
        self._table(slide, table.header, table.rows, WIDTH - MARGIN - sum(columns), BODY_TOP, columns, rows, 11)
        return True

    def _table_slides(self, title: str, table: Table, *, continued: bool) -> None:
        """A table over as many slides as it needs, its header on each."""
        size = 12 if len(table.rows) <= 8 else 11
        columns = _columns(table, WIDTH - 2 * MARGIN, size)
        header = _row_height(table.header, columns, size, bold=True) if table.header else 0.0
        room = BODY_BOTTOM - BODY_TOP - header
        pages: list[list[int]] = [[]]
        used = 0.0
        heights = [_row_height(r, columns, size) for r in table.rows]
        for n, h in enumerate(heights):
            if pages[-1] and used + h > room:
                pages.append([])
                used = 0.0
            pages[-1].append(n)
            used += h
        for n, page in enumerate(pages, start=1):
            label = f"{title} ({n} of {len(pages)})" if len(pages) > 1 else title
            slide = self._slide(f"{label} (continued)" if continued and n == 1 else label)
            rows = [table.rows[i] for i in page]
            self._table(
                slide, table.header, rows, MARGIN, BODY_TOP, columns, [header, *(heights[i] for i in page)], size
            )

    def _table(
        self,
        slide: Slide,
        header: list[Cell],
        rows: list[list[Cell]],
        left: float,
        top: float,
        columns: list[float],
        heights: list[float],
        size: float,
    ) -> None:
        """A native table: the header in the brand colour, rows banded, numbers to the right."""
        body = ([header] if header else []) + rows
        if not header:
            heights = heights[1:]
        count = max(len(columns), 1)
        frame = slide.shapes.add_table(
            len(body), count, _in(left), _in(top), _in(sum(columns)), _in(sum(heights) or 0.3)
        )
        table = frame.table
        table.first_row = bool(header)
        table.horz_banding = False
        for x, width in enumerate(columns):
            table.columns[x].width = _in(width)
        right = [c.num for c in (header or (rows[0] if rows else []))]
        for y, row in enumerate(body):
            table.rows[y].height = _in(heights[y])
            head = bool(header) and y == 0
            for x in range(count):
                cell = table.cell(y, x)
                data = row[x] if x < len(row) else Cell()
                cell.fill.solid()  # type: ignore[no-untyped-call]
                cell.fill.fore_color.rgb = _rgb(self.brand if head else ("FFFFFF" if y % 2 else self.tint))
                for side in ("margin_left", "margin_right"):
                    setattr(cell, side, _in(0.06))
                for side in ("margin_top", "margin_bottom"):
                    setattr(cell, side, _in(0.03))
                style = _Style(bold=True, colour="FFFFFF") if head else _Style()
                paras = (
                    [_Para(trim(data.content), style)]
                    if data.blocks is None
                    else [p for b in data.blocks for p in self.paragraphs(b)]
                )
                self._write(cell.text_frame, paras, size, align="right" if x < len(right) and right[x] else "left")

    # Shapes and text

    @staticmethod
    def _box(slide: Slide, left: float, top: float, width: float, height: float) -> Any:
        return slide.shapes.add_textbox(_in(left), _in(top), _in(width), _in(height))

    def _card(self, slide: Slide, left: float, top: float, width: float, height: float) -> Any:
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Pt

        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, _in(left), _in(top), _in(width), _in(height))
        shape.adjustments[0] = 0.04
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(self.tint)
        shape.line.color.rgb = _rgb(_mix(self.brand, 0.35))
        shape.line.width = Pt(0.75)
        shape.shadow.inherit = False
        frame = shape.text_frame
        frame.margin_left = frame.margin_right = _in(0.12)
        frame.margin_top = frame.margin_bottom = _in(0.08)
        return shape

    @staticmethod
    def _place(shape: Any, left: float, top: float, width: float, height: float) -> None:
        shape.left, shape.top, shape.width, shape.height = _in(left), _in(top), _in(width), _in(height)

    def _fill(self, shape: Any, colour: str) -> None:
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(colour)
        shape.line.fill.background()
        shape.shadow.inherit = False

    def _write(
        self,
        frame: Any,
        paras: Sequence[_Para],
        size: float,
        *,
        anchor: str = "top",
        align: str = "left",
        shrink: bool = True,
    ) -> None:
        """Paragraphs into a text frame at `size` points, wrapped, anchored and aligned."""
        from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
        from pptx.util import Pt

        frame.clear()
        frame.word_wrap = True
        frame.vertical_anchor = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}[
            anchor
        ]
        # Text that grows past the box when edited is shrunk by PowerPoint rather than spilling over the slide.
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE if shrink else MSO_AUTO_SIZE.NONE
        for n, para in enumerate(paras or [_Para([])]):
            p = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
            p.alignment = PP_ALIGN.RIGHT if align == "right" else PP_ALIGN.LEFT
            pt = size * para.style.scale
            p.font.size = Pt(pt)
            if para.space_before and n:
                p.space_before = Pt(para.space_before * pt)
            if para.bullet or para.level:
                self._indent(p, para, pt)
            self._runs(p, para.content, para.style, size)

    def _indent(self, p: _Paragraph, para: _Para, pt: float) -> None:
        from pptx.oxml.ns import qn

        step = round(pt * 1.2 * 12700)  # EMU per point
        ppr = p._p.get_or_add_pPr()
        marked = bool(para.bullet.strip())
        ppr.set("marL", str(step * (para.level + (1 if para.bullet else 0))))
        ppr.set("indent", str(-step if marked else 0))
        if not marked:
            ppr.append(ppr.makeelement(qn("a:buNone"), {}))
        elif para.bullet == "•":
            ppr.append(ppr.makeelement(qn("a:buChar"), {"char": "•"}))
        else:
            ppr.append(ppr.makeelement(qn("a:buAutoNum"), {"type": "arabicPeriod", "startAt": para.bullet.rstrip(".")}))

    def _runs(self, p: _Paragraph, content: Sequence[Inline], style: _Style, size: float) -> None:
        from pptx.util import Pt

        for item in content:
            if isinstance(item, Span):
                if item.style == "break":
                    p.add_line_break()  # type: ignore[no-untyped-call]
                else:
                    self._runs(p, item.content, style.but(**_SPAN.get(item.style, {})), size)
                continue
            text = item if style.mono else _SPACE.sub(" ", item)
            if not text:
                continue
            run = p.add_run()
            run.text = text
            font = run.font
            font.size = Pt(size * style.scale)
            font.bold = style.bold or None
            font.italic = style.italic or None
            font.color.rgb = _rgb(self.brand if style.colour == "brand" else style.colour)
            if style.mono:
                font.name = "Consolas"
            if style.baseline:
                font._rPr.set("baseline", str(style.baseline))


def _cover(blocks: Sequence[Block]) -> Cover | None:
    return next((b for b in blocks if isinstance(b, Cover)), None)


def _heading_text(blocks: Sequence[Block]) -> str:
    heading = next((b for b in blocks if isinstance(b, Heading) and b.level <= 2), None)
    return _plain(heading.content) if heading else ""


def _paginate(paras: list[_Para], width: float, height: float, size: float) -> list[list[_Para]]:
    """Paragraphs in slide-sized runs at `size` points; a heading never ends a slide."""
    pages: list[list[_Para]] = [[]]
    for para in paras:
        if pages[-1] and _height([*pages[-1], para], size, width) > height:
            carry = [pages[-1].pop()] if pages[-1][-1].style.colour == "brand" and len(pages[-1]) > 1 else []
            pages.append(carry)
        pages[-1].append(para)
    return pages


def _cell_text(cell: Cell) -> str:
    if cell.blocks is None:
        return _plain(cell.content)
    return " ".join(plain_text(b.content) for b in cell.blocks if isinstance(b, Paragraph | Heading))


def _columns(table: Table, width: float | None, size: float) -> list[float]:
    """Column widths (inches) within `width`: numbers and unbroken cells as wide as their longest line, the
    other columns sharing the rest by how much they hold, as the PDF's tables do; no column narrower than its
    longest word. Without a width, each column's narrowest."""
    rows = [table.header, *table.rows] if table.header else table.rows
    count = max((len(r) for r in rows), default=0)
    if not count:
        return []
    # Widths are reckoned generously (a word is never broken, whatever font stands in for the theme's): only a
    # column's extra room, shared below, follows the text's length.
    wide, bold, pad = size * 0.62 / 72, size * 0.75 / 72, 0.16

    def cells(x: int, body: bool = False) -> list[str]:
        return [_cell_text(r[x]) for r in (table.rows if body else rows) if x < len(r)]

    fixed = [any(x < len(r) and (r[x].num or r[x].nowrap) for r in rows) for x in range(count)]
    word = [max((len(w) for t in cells(x, body=True) for w in t.split()), default=1) for x in range(count)]
    head = [max((len(w) for w in _cell_text(table.header[x]).split()), default=1) if x < len(table.header) else 1
            for x in range(count)]  # fmt: skip
    line = [max((len(w) for t in cells(x, body=True) for w in t.split("\n")), default=1) for x in range(count)]
    # A cell kept on one line is measured generously too: wrapped, it would make its row taller than reckoned.
    widths = [max(word[x] * wide, head[x] * bold, line[x] * wide if fixed[x] else 0) + pad for x in range(count)]
    if width is None:
        return widths
    free = [x for x in range(count) if not fixed[x]]
    for x in free:
        # A word longer than a third of the table (a run of emoji, a pasted URL) breaks where it must rather
        # than squeeze every other column until their words break: the table would lose its header to it.
        widths[x] = min(widths[x], max(width * LONGEST_WORD_SHARE, head[x] * bold + pad))
    room = width - sum(widths)
    if free and room > 0:
        # Long text gets more of the room, short text keeps some; no column grows past its longest line, so a
        # table of short cells stays narrow, as a browser sets it.
        want = {x: max(line[x] * wide + pad - widths[x], 0.0) for x in free}
        weights = {x: max(sum(len(t) for t in cells(x, body=True)), 1) ** 0.5 for x in free}
        while room > 1e-6 and any(want[x] > 1e-6 for x in free):
            growing = [x for x in free if want[x] > 1e-6]
            total = sum(weights[x] for x in growing)
            given = 0.0
            for x in growing:
                step = min(room * weights[x] / total, want[x])
                widths[x] += step
                want[x] -= step
                given += step
            room -= given
    scale = min(width / sum(widths), 1.0)
    return [w * scale for w in widths]


def _row_height(row: Sequence[Cell], columns: Sequence[float], size: float, *, bold: bool = False) -> float:
    """A table row's height in inches: its tallest cell, wrapped to its column."""
    tallest = 1
    for x, cell in enumerate(row[: len(columns)]):
        chars = (columns[x] - 0.12) * 72 / (size * CHAR_EM * (1.06 if bold else 1.0))
        tallest = max(tallest, _lines(_cell_text(cell), chars))
    return (tallest * size * LEADING + size * 0.3) / 72 + 0.07


def _image_data(src: str) -> bytes | None:
    """The bytes of a PNG, JPEG or GIF data URI (PowerPoint's own picture types), else None."""
    import base64
    import binascii

    match = re.match(r"data:image/(png|jpeg|gif);base64,(.*)$", src, re.DOTALL)
    if not match:
        return None
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        return None
    try:
        from PIL import Image as Pil

        with Pil.open(io.BytesIO(data)) as picture:
            picture.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken picture; it is left out all the same
        return None
    return data


def _in(inches: float) -> Length:
    from pptx.util import Emu

    return Emu(round(inches * 914400))


def _rgb(hex6: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex6)  # type: ignore[no-untyped-call]


def _mix(hex6: str, share: float) -> str:
    """`share` of the colour over white: the brand's tint, as the style sheet mixes it."""
    channels = [int(hex6[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * share):02X}" for c in channels)


def _app_xml(slides: int) -> bytes:
    """The extended properties: the template's say "On-screen Show (4:3)" and no slides."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<PresentationFormat>Widescreen</PresentationFormat><Slides>{slides}</Slides></Properties>"
    ).encode()
