"""Roadmap notebooks typeset to PDF with Typst, from the document model (doctree.py) of every output.

A visionkit section carries its tree in its output; markdown cells and other HTML outputs (a cell a
strategist adds to the workbook) are read into the same tree here (`read_document`, which the deck's
renderer reads too). `_render_typst` sets the tree on the functions of templates/visionkit/document.typ;
every piece of text reaches Typst as a string literal, so no user text is ever read as Typst markup.
`rasterise` draws charts as PNG pictures for formats that need them.
"""

from __future__ import annotations

import datetime as _dt
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._brand import DEFAULT_BRAND
from ._render_typst import TEXT_WIDTH_MM, TypstRenderer, chart_size_pt, chart_width_mm, lit, trim
from ._resources import typst_template
from .doctree import (
    Block,
    BulletList,
    Cell,
    Chart,
    Code,
    Facts,
    Heading,
    Image,
    Inline,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
)
from .sections import SECTION_MIME, Section

if TYPE_CHECKING:
    import typst

__all__ = [
    "Blocks",
    "NotebookDocument",
    "TypesetError",
    "chart_width_mm",
    "document_source",
    "lit",
    "notebook_to_pdf",
    "parse",
    "rasterise",
    "read_document",
    "typeset",
]

SKIPPED_TAGS = ("remove-cell", "parameters", "injected-parameters")

_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_DROPPED = frozenset("script style template head title noscript iframe object svg math".split())
_INLINE = frozenset(
    "a abbr b bdi bdo br cite code data dfn em i kbd mark q s samp small span strong sub sup time u var".split()
)
_SVG = re.compile(r"<svg\b.*?</svg\s*>", re.DOTALL | re.IGNORECASE)
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_STYLES = {"strong": "strong", "b": "strong", "em": "emph", "i": "emph", "cite": "emph", "dfn": "emph", "var": "emph",
           "sub": "sub", "sup": "sup"}  # fmt: skip


RASTER_MAX_PT = 1440.0
"""The longest side of a chart drawn as a picture, in points (20 inches: 4000 pixels at 200 ppi)."""


class TypesetError(RuntimeError):
    """A document that Typst could not set."""


@dataclass
class Node:
    """An HTML element: its tag, attributes and children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        """The element's classes."""
        return set(self.attrs.get("class", "").split())

    def elements(self) -> Iterator[Node]:
        """The child elements, skipping text."""
        return (c for c in self.children if isinstance(c, Node))

    def text(self) -> str:
        """All the text inside the element."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self._open = [self.root]
        self._dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropping or tag in _DROPPED:
            if tag not in _VOID:
                self._dropping.append(tag)
            return
        node = Node(tag, {k: v or "" for k, v in attrs})
        self._open[-1].children.append(node)
        if tag not in _VOID:
            self._open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._dropping and tag not in _DROPPED:
            self._open[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag == self._dropping[-1]:
                self._dropping.pop()
            return
        # Close up to the matching open element; a stray end tag closes nothing.
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self._open[-1].children.append(data)


def parse(html: str, svgs: list[str]) -> Node:
    """HTML as a tree; each inline `<svg>` becomes a `vk-svg` element pointing into `svgs`."""

    def keep(match: re.Match[str]) -> str:
        svgs.append(match.group(0))
        return f'<vk-svg data-n="{len(svgs) - 1}"></vk-svg>'

    builder = _TreeBuilder()
    builder.feed(_SVG.sub(keep, html))
    builder.close()
    return builder.root


class _Reader:
    """HTML from a markdown cell or an output, read into document blocks."""

    def __init__(self, svgs: list[str]) -> None:
        self.svgs = svgs

    def inline(self, children: list[Node | str]) -> list[Inline]:
        """Text and inline elements as inline content; other markup keeps only its text."""
        out: list[Inline] = []
        for child in children:
            if isinstance(child, str):
                out.append(child)
            elif child.tag == "br":
                out.append(Span("break"))
            elif child.tag == "code":
                out.append(Span("code", [child.text()]))
            elif child.tag == "img":
                alt = child.attrs.get("alt", "")
                out.extend([Span("muted", [alt])] if alt else [])
            elif child.tag in _STYLES:
                out.append(Span(_STYLES[child.tag], self.inline(child.children)))  # type: ignore[arg-type]
            else:
                out.extend(self.inline(child.children))
        return out

    def flow(self, children: list[Node | str]) -> list[Block]:
        """Mixed content: runs of inline content become paragraphs, block elements become blocks."""
        out: list[Block] = []
        run: list[Node | str] = []

        def flush() -> None:
            content = trim(self.inline(run))
            if content:
                out.append(Paragraph(content))
            run.clear()

        for child in children:
            if isinstance(child, str) or (child.tag in _INLINE and child.tag != "vk-svg"):
                run.append(child)
                continue
            flush()
            out.extend(self.block(child))
        flush()
        return out

    def block(self, node: Node) -> list[Block]:
        """One block element as blocks."""
        tag = node.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return [Heading(int(tag[1]), trim(self.inline(node.children)))]
        if tag == "p":
            if any(isinstance(c, Node) and c.tag == "img" for c in node.children):
                return self.flow(node.children)  # a picture is set as a block of its own, text around it as paragraphs
            return [Paragraph(trim(self.inline(node.children)))]
        if tag in ("ul", "ol"):
            items = [e for e in node.elements() if e.tag == "li"]
            if not items:
                return self.flow(node.children)
            return [BulletList([self.flow(i.children) for i in items], numbered=tag == "ol")]
        if tag == "dl":
            pairs: list[tuple[list[Inline], list[Inline]]] = []
            term: list[Inline] = []
            for element in node.elements():
                if element.tag == "dt":
                    term = trim(self.inline(element.children))
                elif element.tag == "dd":
                    pairs.append((term, trim(self.inline(element.children))))
                    term = []
            return [Facts(pairs)]
        if tag == "table":
            return [self.table(node)]
        if tag == "vk-svg":
            return [Chart(self.svgs[int(node.attrs.get("data-n", "0"))])]
        if tag == "img":
            return [Image(node.attrs.get("src", ""), node.attrs.get("alt", ""))]
        if tag == "pre":
            return [Code(node.text())]
        if tag == "blockquote":
            return [Quote(self.flow(node.children))]
        if tag == "hr":
            return [Rule()]
        return self.flow(node.children)

    def table(self, node: Node) -> Table:
        """A table: a first row of header cells only is its header."""
        header: list[Cell] = []
        rows: list[list[Cell]] = []
        for row in _rows(node):
            found = [e for e in row.elements() if e.tag in ("th", "td")]
            cells = [self.cell(c) for c in found]
            if not header and not rows and found and all(c.tag == "th" for c in found):
                header = cells
            elif found:
                rows.append(cells)
        return Table(header, rows)

    def cell(self, node: Node) -> Cell:
        """A table cell, with blocks when it holds any."""
        num, nowrap = "num" in node.classes, "nowrap" in node.classes
        if any(isinstance(c, Node) and c.tag not in _INLINE for c in node.children):
            return Cell(blocks=self.flow(node.children), num=num, nowrap=nowrap)
        return Cell(trim(self.inline(node.children)), num=num, nowrap=nowrap)


def _rows(table: Node) -> Iterator[Node]:
    for element in table.elements():
        if element.tag == "tr":
            yield element
        elif element.tag in ("thead", "tbody", "tfoot"):
            yield from (e for e in element.elements() if e.tag == "tr")


def html_blocks(html: str) -> list[Block]:
    """HTML (a markdown cell's, or another output's) as document blocks; scripts and styles dropped."""
    svgs: list[str] = []
    return _Reader(svgs).flow(parse(html, svgs).children)


@dataclass(frozen=True)
class Blocks:
    """Blocks that come from no visionkit section: a markdown cell, or another cell's HTML, SVG or PNG output."""

    blocks: list[Block]
    framed: bool = True
    """Set as a section of their own (markdown and HTML), or bare (a picture output)."""


@dataclass(frozen=True)
class NotebookDocument:
    """An executed roadmap notebook read into the document model: the cover's facts and every part, in order."""

    client: str
    title: str
    date: str
    """The cover's date as YYYY-MM-DD, or empty."""
    brand: str
    """The brand colour as #rgb or #rrggbb (the default brand when the sections carry none that is valid)."""
    parts: list[Section | Blocks]
    contents: frozenset[str]
    """The ids of the sections listed in the contents."""


def read_document(nb: Any) -> NotebookDocument:
    """A roadmap notebook's sections and other blocks, in order: what every document format is made from.

    Cells tagged `remove-cell`, `parameters` or `injected-parameters` are left out.
    """
    client = title = date = ""
    brand = DEFAULT_BRAND
    in_contents: set[str] = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = output.get("data", {}).get(SECTION_MIME)
            if output.get("output_type") not in ("display_data", "execute_result") or not isinstance(meta, dict):
                continue
            client = client or str(meta.get("client") or "")
            title = title or str(meta.get("title") or "")
            date = date or str(meta.get("date") or "")
            brand = str(meta.get("brand") or brand)
            if meta.get("in_contents"):
                in_contents.add(str(meta.get("id")))
    parts: list[Section | Blocks] = []
    for cell in nb.cells:
        if any(tag in SKIPPED_TAGS for tag in cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            parts.append(Blocks(html_blocks(_markdown(cell.source))))
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            meta = data.get(SECTION_MIME)
            if isinstance(meta, dict):
                try:
                    parts.append(Section.from_payload(meta))
                except (ValueError, TypeError) as exc:
                    raise TypesetError(f"a document section cannot be read: {exc}") from None
            elif "text/html" in data:
                parts.append(Blocks(html_blocks(_text(data["text/html"]))))
            elif "image/svg+xml" in data:
                parts.append(Blocks([Chart(_text(data["image/svg+xml"]))], framed=False))
            elif "image/png" in data:
                parts.append(Blocks([Image("data:image/png;base64," + _text(data["image/png"]))], framed=False))
            elif "text/markdown" in data:
                parts.append(Blocks(html_blocks(_markdown(_text(data["text/markdown"])))))
    if not _HEX.fullmatch(brand):
        brand = DEFAULT_BRAND
    return NotebookDocument(client, title, date, brand, parts, frozenset(in_contents))


def document_source(nb: Any) -> tuple[str, dict[str, bytes]]:
    """The Typst source of a roadmap notebook's document, and the image files it refers to."""
    document = read_document(nb)
    setter = TypstRenderer()
    body: list[str] = []
    contents_done = False
    for part in document.parts:
        if isinstance(part, Blocks):
            inner = setter.blocks(part.blocks)
            body.append(f"#vk-section[{inner}]" if part.framed else inner)
            continue
        body.append(setter.section(part.blocks, part.style, in_contents=part.id in document.contents))
        if part.id == "cover" and not contents_done and document.contents:
            contents_done = True
            body.append("#vk-contents()")
    preamble = (
        f"#let client = {lit(document.client)}\n#let doctitle = {lit(document.title)}\n"
        f"#let brand = rgb({lit(document.brand)})\n#let docdate = {_date(document.date)}\n"
    )
    return preamble + typst_template() + "\n" + "\n".join(part for part in body if part) + "\n", setter.assets


def _date(text: str) -> str:
    """The document's date as a Typst value; none leaves the PDF without one, so that it is reproducible."""
    try:
        day = _dt.date.fromisoformat(text)
    except ValueError:
        return "none"
    return f"datetime(year: {day.year}, month: {day.month}, day: {day.day})"


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _markdown(source: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return str(markdown2html_mistune(source))


@cache
def fonts() -> typst.Fonts:
    """The fonts Typst may use: the system's and its own; found once per process."""
    import typst

    return typst.Fonts()


def _compile(source: str, assets: dict[str, bytes], what: str, **options: Any) -> Any:
    import typst

    with tempfile.TemporaryDirectory(prefix="visionkit-typeset-") as folder:
        root = Path(folder)
        for name, data in assets.items():
            (root / name).write_bytes(data)
        (root / "main.typ").write_text(source, encoding="utf-8")
        compiler = typst.Compiler(root=folder, font_paths=fonts())
        try:
            return compiler.compile(input=str(root / "main.typ"), **options)
        except typst.TypstError as exc:
            raise TypesetError(f"the {what} could not be typeset: {exc.message}") from None


def typeset(source: str, assets: dict[str, bytes]) -> bytes:
    """Compile Typst source, with its image files beside it, to PDF bytes."""
    pdf = _compile(source, assets, "PDF", format="pdf")
    if not isinstance(pdf, bytes):
        raise TypesetError("the PDF could not be typeset: Typst returned no document")
    return pdf


def rasterise(svgs: list[str], ppi: float = 200.0) -> list[bytes]:
    """Each SVG chart as a PNG of its own size at `ppi`, drawn by Typst with the document's fonts (one compile)."""
    if not svgs:
        return []
    pages = []
    for n, svg in enumerate(svgs):
        width, height = chart_size_pt(svg) or (TEXT_WIDTH_MM * 72 / 25.4, TEXT_WIDTH_MM * 72 / 25.4)
        # A page as large as the SVG says, up to a poster's: the picture's pixels stay bounded whatever it claims.
        scale = min(1.0, RASTER_MAX_PT / max(width, height))
        width, height = round(width * scale, 3), round(height * scale, 3)
        pages.append(f'#page(width: {width}pt, height: {height}pt, margin: 0pt, image("chart-{n}.svg", width: 100%))')
    assets = {f"chart-{n}.svg": svg.encode("utf-8") for n, svg in enumerate(svgs)}
    pngs = _compile("\n".join(pages), assets, "charts", format="png", ppi=ppi)
    # Typst returns one PNG for a one-page document, a list of them otherwise.
    out = [pngs] if isinstance(pngs, bytes) else list(pngs)
    if len(out) != len(svgs) or not all(isinstance(png, bytes) for png in out):
        raise TypesetError("the charts could not be typeset: Typst returned the wrong number of pictures")
    return out


def notebook_to_pdf(nb: Any) -> bytes:
    """A roadmap notebook's document as PDF bytes."""
    return typeset(*document_source(nb))
