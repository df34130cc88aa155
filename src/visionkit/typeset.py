"""Roadmap notebooks typeset to PDF with Typst: each section's HTML read as a small tree and set in print.

The sections are HTML from one small vocabulary (sections.py); this module maps that vocabulary, and
the plain HTML of markdown cells and other outputs, onto the functions of templates/visionkit/document.typ.
Every piece of text reaches Typst as a string literal, so no user text is ever read as Typst markup.
"""

from __future__ import annotations

import base64
import datetime as _dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .brand import DEFAULT_BRAND
from .resources import typst_template
from .sections import SECTION_MIME

if TYPE_CHECKING:
    import typst

TEXT_WIDTH_MM = 176.0
"""The A4 text width the template's margins leave."""
CHART_MAX_HEIGHT_MM = 225.0
"""A chart is scaled down to fit one page, below its section heading."""
SKIPPED_TAGS = ("remove-cell", "parameters", "injected-parameters")

_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_DROPPED = frozenset("script style template head title noscript iframe object svg math".split())
_INLINE = frozenset(
    "a abbr b bdi bdo br cite code data dfn em i kbd mark q s samp small span strong sub sup time u var".split()
)
_SVG = re.compile(r"<svg\b.*?</svg\s*>", re.DOTALL | re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_LENGTH = re.compile(r"\s*([0-9.]+)\s*(pt|px|mm|cm|in)?\s*$")
_UNITS_PT = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg"}


class TypesetError(RuntimeError):
    """A document that Typst could not set."""


def lit(text: str) -> str:
    """A Typst string literal holding `text` exactly."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + escaped.replace("\t", "\\t") + '"'


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


def _length_pt(value: str) -> float | None:
    match = _LENGTH.match(value or "")
    if not match:
        return None
    return float(match.group(1)) * _UNITS_PT[match.group(2) or "px"]


def chart_width_mm(svg: str) -> float:
    """The width to set a chart at: its own, at most the text width, and short enough to fit a page."""
    head = svg[: svg.find(">") + 1]
    width = _length_pt(_attr(head, "width"))
    height = _length_pt(_attr(head, "height"))
    if not width or not height:
        view = _attr(head, "viewBox").split()
        if len(view) == 4:
            width, height = float(view[2]), float(view[3])
    if not width or not height:
        return TEXT_WIDTH_MM
    natural = width * 25.4 / 72
    return round(min(TEXT_WIDTH_MM, natural, CHART_MAX_HEIGHT_MM * width / height), 2)


def _attr(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}\s*=\s*"([^"]*)"', tag)
    return match.group(1) if match else ""


class _Setter:
    """Turns one notebook's document outputs into Typst markup, collecting images as files."""

    def __init__(self) -> None:
        self.assets: dict[str, bytes] = {}
        self.svgs: list[str] = []

    # Files

    def _asset(self, data: bytes, extension: str) -> str:
        name = f"asset-{len(self.assets) + 1}.{extension}"
        self.assets[name] = data
        return name

    def chart(self, svg: str) -> str:
        """A chart from SVG text, as wide as it fits."""
        name = self._asset(svg.encode("utf-8"), "svg")
        return f"#vk-chart({lit(name)}, {chart_width_mm(svg)}mm)"

    def image(self, data: bytes, kind: str) -> str:
        """A raster or SVG picture from an output or a data URI."""
        name = self._asset(data, kind)
        return f"#vk-chart({lit(name)}, auto)"

    # Inline content

    def inline(self, children: Iterable[Node | str]) -> str:
        """Text and inline elements as markup; whitespace collapsed as HTML does."""
        parts: list[str] = []
        for child in children:
            if isinstance(child, str):
                text = _SPACE.sub(" ", child)
                if text:
                    parts.append("#" + lit(text))
            else:
                parts.append(self._inline_element(child))
        return "".join(parts)

    def _inline_element(self, node: Node) -> str:
        tag, classes = node.tag, node.classes
        if tag == "br":
            return "#linebreak()"
        if tag == "img":
            return self._img(node)
        if tag == "vk-svg":
            return self.chart(self.svgs[int(node.attrs.get("data-n", "0"))])
        if tag == "code":
            return f"#raw({lit(node.text())})"
        body = self.inline(node.children)
        if tag in ("strong", "b"):
            body = f"#strong[{body}]"
        elif tag in ("em", "i", "cite", "dfn", "var"):
            body = f"#emph[{body}]"
        elif tag == "sub":
            body = f"#sub[{body}]"
        elif tag == "sup":
            body = f"#super[{body}]"
        for style in ("vk-level", "vk-muted", "vk-note", "vk-when", "vk-live", "vk-live-never"):
            if style in classes:
                body = f"#{style}[{body}]"
        return body

    def _img(self, node: Node) -> str:
        source = node.attrs.get("src", "")
        match = re.match(r"data:(image/[\w.+-]+);base64,(.*)$", source, re.DOTALL)
        if match and match.group(1) in _IMAGE_TYPES:
            try:
                data = base64.b64decode(match.group(2), validate=False)
            except ValueError:
                data = b""
            if data:
                return self.image(data, _IMAGE_TYPES[match.group(1)])
        alt = node.attrs.get("alt", "")
        return f"#vk-muted[{self.inline([alt])}]" if alt else ""

    # Blocks

    def flow(self, children: Iterable[Node | str]) -> str:
        """Mixed content: runs of inline content become paragraphs, block elements are set as blocks."""
        out: list[str] = []
        run: list[Node | str] = []

        def flush() -> None:
            text = self.inline(_trim(run)).strip()
            if text:
                out.append(f"#par[{text}]")
            run.clear()

        previous_chart = False
        for child in children:
            if isinstance(child, str) or child.tag in _INLINE or child.tag == "img":
                run.append(child)
                continue
            flush()
            is_chart = child.tag == "figure" and "vk-chart" in child.classes
            if is_chart and previous_chart:
                out.append("#pagebreak()")
            previous_chart = is_chart
            out.append(self.block(child))
        flush()
        return "\n".join(part for part in out if part)

    def block(self, node: Node) -> str:
        """One block element as markup."""
        tag, classes = node.tag, node.classes
        handler = getattr(self, "_block_" + tag.replace("-", "_"), None)
        if handler is not None:
            result: str = handler(node, classes)
            return result
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return self._heading(node, classes)
        if tag == "div" and "vk-cover-band" in classes:
            return "#vk-cover-band()"
        for style in ("vk-day", "vk-rubric"):
            if style in classes:
                return f"#{style}[{self.flow(node.children)}]"
        return self.flow(node.children)

    def _block_section(self, node: Node, classes: set[str]) -> str:
        if "vk-cover" in classes:
            return f"#vk-cover[{self.flow(node.children)}]"
        charts = [i for i, c in enumerate(node.children) if isinstance(c, Node) and c.tag == "figure"]
        if "vk-chart-section" in classes and charts:
            # The heading and introduction go to the page of the first chart, never alone above a page break.
            lead, rest = node.children[: charts[0] + 1], node.children[charts[0] + 1 :]
            return f"#vk-section[#block(breakable: false)[{self.flow(lead)}]\n{self.flow(rest)}]"
        return f"#vk-section[{self.flow(node.children)}]"

    def _block_p(self, node: Node, classes: set[str]) -> str:
        if "vk-wow" in classes:
            labels = [e for e in node.elements() if e.tag == "span"]
            label = labels[0] if labels else None
            rest = [c for c in node.children if c is not label]
            return f"#vk-wow[{self.inline(label.children) if label else ''}][{self.inline(_trim(rest))}]"
        body = self.inline(_trim(node.children))
        for style in ("vk-cover-client", "vk-cover-sub", "vk-persona", "vk-day-facts", "vk-story"):
            if style in classes:
                return f"#{style}[{body}]"
        return f"#par[{body}]" if body else ""

    def _heading(self, node: Node, classes: set[str]) -> str:
        body = self.inline(_trim(node.children))
        if "vk-cover-title" in classes:
            return f"#vk-cover-title[{body}]"
        level = {"h1": 1, "h2": 1, "h3": 2}.get(node.tag, 3)
        outlined = "true" if node.attrs.get("data-vk-contents") == "true" else "false"
        return f"#heading(level: {level}, outlined: {outlined})[{body}]"

    def _block_article(self, node: Node, classes: set[str]) -> str:
        heads = [e for e in node.elements() if e.tag == "header"]
        head = "#h(1fr)".join(self.inline([e]) for e in heads[0].elements()) if heads else ""
        rest = [c for c in node.children if not (heads and c is heads[0])]
        body = self.flow(rest)
        if "vk-moment" in classes:
            return f"#vk-moment[{head}][{body}]"
        return f"#block(width: 100%)[{head}{body}]"

    def _items(self, node: Node) -> list[Node]:
        return [e for e in node.elements() if e.tag == "li"]

    def _block_ul(self, node: Node, classes: set[str]) -> str:
        items = self._items(node)
        if "vk-needs" in classes:
            return "#vk-needs(" + ", ".join(f"[{self.inline(_trim(i.children))}]" for i in items) + ")"
        if "vk-levels" in classes:
            rows = []
            for item in items:
                marks = item.classes
                now = "true" if "vk-now" in marks else "false"
                target = "true" if "vk-target" in marks else "false"
                rows.append(f"vk-level-item({now}, {target})[{self.inline(_trim(item.children))}]")
            return "#vk-levels(" + ", ".join(rows) + ")"
        kind = "enum" if node.tag == "ol" else "list"
        if not items:
            return self.flow(node.children)
        return f"#{kind}(" + ", ".join(f"[{self.flow(i.children)}]" for i in items) + ")"

    _block_ol = _block_ul

    def _block_dl(self, node: Node, classes: set[str]) -> str:
        pairs: list[str] = []
        term = ""
        for element in node.elements():
            if element.tag == "dt":
                term = self.inline(_trim(element.children))
            elif element.tag == "dd":
                pairs.append(f"([{term}], [{self.inline(_trim(element.children))}])")
                term = ""
        return "#vk-facts(" + ", ".join(pairs) + ")" if pairs else ""

    def _block_figure(self, node: Node, classes: set[str]) -> str:
        return self.flow(node.children)

    def _block_vk_svg(self, node: Node, classes: set[str]) -> str:
        return self.chart(self.svgs[int(node.attrs.get("data-n", "0"))])

    def _block_pre(self, node: Node, classes: set[str]) -> str:
        return f"#vk-code[#raw({lit(node.text())}, block: true)]"

    def _block_blockquote(self, node: Node, classes: set[str]) -> str:
        return f"#vk-quote[{self.flow(node.children)}]"

    def _block_hr(self, node: Node, classes: set[str]) -> str:
        return "#vk-rule()"

    def _block_table(self, node: Node, classes: set[str]) -> str:
        header: list[Node] = []
        rows: list[list[Node]] = []
        for row in _rows(node):
            found = [e for e in row.elements() if e.tag in ("th", "td")]
            if not header and not rows and found and all(c.tag == "th" for c in found):
                header = found
            elif found:
                rows.append(found)
        width = max([len(header), *(len(r) for r in rows)], default=0)
        if not width:
            return ""
        fixed = [False] * width
        right = [False] * width
        for r in [header, *rows]:
            for x, cell in enumerate(r):
                fixed[x] = fixed[x] or bool(cell.classes & {"num", "nowrap"})
        for x, cell in enumerate(header or (rows[0] if rows else [])):
            right[x] = "num" in cell.classes
        # Free columns share the width in proportion to how much they hold, as a browser's table layout does.
        length = [0] * width
        for r in rows:
            for x, cell in enumerate(r):
                length[x] += len(_SPACE.sub(" ", cell.text()).strip())
        mean = [n / max(1, len(rows)) for n in length]
        widest = max(1.0, *mean)
        share = [max(1, round(8 * m / widest)) for m in mean]
        columns = "(" + ", ".join("auto" if f else f"{share[x]}fr" for x, f in enumerate(fixed)) + ",)"
        aligns = "(" + ", ".join("right" if r else "left" for r in right) + ",)"
        heads = "(" + "".join(f"[{self.inline(_trim(c.children))}], " for c in header) + ")"
        cells: list[str] = []
        for r in rows:
            for cell in r:
                body = (
                    self.flow(cell.children)
                    if any(isinstance(c, Node) and c.tag not in _INLINE for c in cell.children)
                    else self.inline(_trim(cell.children))
                )
                cells.append(f"box[{body}]" if "nowrap" in cell.classes or "num" in cell.classes else f"[{body}]")
            cells.extend("[]" for _ in range(width - len(r)))
        return f"#vk-table({columns}, {aligns}, {heads}" + "".join(", " + c for c in cells) + ")"


def _rows(table: Node) -> Iterator[Node]:
    for element in table.elements():
        if element.tag == "tr":
            yield element
        elif element.tag in ("thead", "tbody", "tfoot"):
            yield from (e for e in element.elements() if e.tag == "tr")


def _trim(children: list[Node | str]) -> list[Node | str]:
    """Children without the whitespace HTML ignores at the start and end of a block."""
    out = list(children)
    while out and isinstance(out[0], str) and not out[0].strip():
        out.pop(0)
    while out and isinstance(out[-1], str) and not out[-1].strip():
        out.pop()
    if out and isinstance(out[0], str):
        out[0] = out[0].lstrip()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return out


def document_source(nb: Any) -> tuple[str, dict[str, bytes]]:
    """The Typst source of a roadmap notebook's document, and the image files it refers to."""
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
    setter = _Setter()
    body: list[str] = []
    contents_done = False
    for cell in nb.cells:
        if any(tag in SKIPPED_TAGS for tag in cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            body.append(f"#vk-section[{setter.flow(parse(_markdown(cell.source), setter.svgs).children)}]")
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            meta = data.get(SECTION_MIME)
            if isinstance(meta, dict):
                tree = parse(str(meta.get("html", "")), setter.svgs)
                if meta.get("id") in in_contents:
                    _mark_title(tree)
                body.append(setter.flow(tree.children))
                if meta.get("id") == "cover" and not contents_done and in_contents:
                    contents_done = True
                    body.append("#vk-contents()")
            elif "text/html" in data:
                body.append(f"#vk-section[{setter.flow(parse(_text(data['text/html']), setter.svgs).children)}]")
            elif "image/svg+xml" in data:
                body.append(setter.chart(_text(data["image/svg+xml"])))
            elif "image/png" in data:
                body.append(setter.image(base64.b64decode(_text(data["image/png"])), "png"))
            elif "text/markdown" in data:
                markdown = _markdown(_text(data["text/markdown"]))
                body.append(f"#vk-section[{setter.flow(parse(markdown, setter.svgs).children)}]")
    if not _HEX.fullmatch(brand):
        brand = DEFAULT_BRAND
    preamble = (
        f"#let client = {lit(client)}\n#let doctitle = {lit(title)}\n#let brand = rgb({lit(brand)})\n"
        f"#let docdate = {_date(date)}\n"
    )
    return preamble + typst_template() + "\n" + "\n".join(part for part in body if part) + "\n", setter.assets


def _date(text: str) -> str:
    """The document's date as a Typst value; none leaves the PDF without one, so that it is reproducible."""
    try:
        day = _dt.date.fromisoformat(text)
    except ValueError:
        return "none"
    return f"datetime(year: {day.year}, month: {day.month}, day: {day.day})"


def _mark_title(tree: Node) -> None:
    """Mark a section's own heading (its first h2) as the one the contents lists."""
    stack = list(tree.elements())
    while stack:
        node = stack.pop(0)
        if node.tag == "h2":
            node.attrs["data-vk-contents"] = "true"
            return
        stack[:0] = list(node.elements())


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


def typeset(source: str, assets: dict[str, bytes]) -> bytes:
    """Compile Typst source, with its image files beside it, to PDF bytes."""
    import typst

    with tempfile.TemporaryDirectory(prefix="visionkit-typeset-") as folder:
        root = Path(folder)
        for name, data in assets.items():
            (root / name).write_bytes(data)
        (root / "main.typ").write_text(source, encoding="utf-8")
        compiler = typst.Compiler(root=folder, font_paths=fonts())
        try:
            pdf = compiler.compile(input=str(root / "main.typ"), format="pdf")
        except typst.TypstError as exc:
            raise TypesetError(f"the PDF could not be typeset: {exc.message}") from None
    if not isinstance(pdf, bytes):
        raise TypesetError("the PDF could not be typeset: Typst returned no document")
    return pdf


def notebook_to_pdf(nb: Any) -> bytes:
    """A roadmap notebook's document as PDF bytes."""
    return typeset(*document_source(nb))
