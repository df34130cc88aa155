"""The document model set in Typst: each node as a call of a function of templates/visionkit/document.typ.

Every piece of text reaches Typst as a string literal (`lit`), so no user text is ever read as markup.
Pictures become files beside the source, collected in `TypstRenderer.assets`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

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
    Table,
    Wow,
    plain_text,
)

TEXT_WIDTH_MM = 176.0
"""The A4 text width the template's margins leave."""
CHART_MAX_HEIGHT_MM = 225.0
"""A chart is scaled down to fit one page, below its section heading."""

_SPACE = re.compile(r"\s+")
_LENGTH = re.compile(r"\s*([0-9.]+)\s*(pt|px|mm|cm|in)?\s*$")
_UNITS_PT = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg"}
"""The pictures a document may hold, by mimetype, with the extension of their file."""
_TAGS = {"strong": "strong", "emph": "emph", "sub": "sub", "sup": "super"}
_STYLED = ("level", "muted", "note", "when", "live", "live-never")


def lit(text: str) -> str:
    """A Typst string literal holding `text` exactly."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + escaped.replace("\t", "\\t") + '"'


def _length_pt(value: str) -> float | None:
    match = _LENGTH.match(value or "")
    if not match:
        return None
    return float(match.group(1)) * _UNITS_PT[match.group(2) or "px"]


def _attr(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}\s*=\s*"([^"]*)"', tag)
    return match.group(1) if match else ""


def chart_size_pt(svg: str) -> tuple[float, float] | None:
    """A chart's own width and height in points, from its `<svg>` element (None when it gives neither)."""
    head = svg[: svg.find(">") + 1]
    width = _length_pt(_attr(head, "width"))
    height = _length_pt(_attr(head, "height"))
    if not width or not height:
        view = _attr(head, "viewBox").split()
        if len(view) == 4:
            try:
                width, height = float(view[2]), float(view[3])
            except ValueError:
                return None
    return (width, height) if width and height and width > 0 and height > 0 else None


def chart_width_mm(svg: str) -> float:
    """The width to set a chart at: its own, at most the text width, and short enough to fit a page."""
    size = chart_size_pt(svg)
    if size is None:
        return TEXT_WIDTH_MM
    width, height = size
    natural = width * 25.4 / 72
    return round(min(TEXT_WIDTH_MM, natural, CHART_MAX_HEIGHT_MM * width / height), 2)


def trim(content: Sequence[Inline]) -> list[Inline]:
    """Inline content without the whitespace HTML ignores at the start and end of a block."""
    out = list(content)
    while out and isinstance(out[0], str) and not out[0].strip():
        out.pop(0)
    while out and isinstance(out[-1], str) and not out[-1].strip():
        out.pop()
    if out and isinstance(out[0], str):
        out[0] = out[0].lstrip()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return out


class TypstRenderer:
    """Sets document nodes as Typst markup, collecting pictures as files."""

    def __init__(self) -> None:
        self.assets: dict[str, bytes] = {}

    def _asset(self, data: bytes, extension: str) -> str:
        name = f"asset-{len(self.assets) + 1}.{extension}"
        self.assets[name] = data
        return name

    def chart(self, svg: str) -> str:
        """A chart from SVG text, as wide as it fits."""
        name = self._asset(svg.encode("utf-8"), "svg")
        return f"#vk-chart({lit(name)}, {chart_width_mm(svg)}mm)"

    def image(self, data: bytes, extension: str) -> str:
        """A raster or SVG picture."""
        name = self._asset(data, extension)
        return f"#vk-chart({lit(name)}, auto)"

    # Inline content

    def inline(self, content: Sequence[Inline]) -> str:
        """Text and spans as markup; whitespace collapsed as HTML does."""
        parts: list[str] = []
        for item in content:
            if isinstance(item, str):
                text = _SPACE.sub(" ", item)
                if text:
                    parts.append("#" + lit(text))
            elif item.style == "break":
                parts.append("#linebreak()")
            elif item.style == "code":
                parts.append(f"#raw({lit(plain_text(item.content))})")
            else:
                body = self.inline(item.content)
                if item.style in _TAGS:
                    body = f"#{_TAGS[item.style]}[{body}]"
                elif item.style in _STYLED:
                    body = f"#vk-{item.style}[{body}]"
                parts.append(body)
        return "".join(parts)

    # Blocks

    def blocks(self, blocks: Sequence[Block]) -> str:
        """Blocks one after another; a chart right after a chart starts a new page."""
        return self._joined(blocks, [self.block(b) for b in blocks])

    def block(self, node: Block, *, outlined: bool = False) -> str:
        """One block as markup; `outlined` puts a heading in the contents."""
        if isinstance(node, Heading):
            level = {1: 1, 2: 1, 3: 2}.get(node.level, 3)
            body = self.inline(trim(node.content))
            return f"#heading(level: {level}, outlined: {'true' if outlined else 'false'})[{body}]"
        if isinstance(node, Paragraph):
            body = self.inline(trim(node.content))
            if node.style:
                return f"#vk-{node.style}[{body}]"
            return f"#par[{body}]" if body else ""
        if isinstance(node, BulletList):
            if not node.items:
                return ""
            kind = "enum" if node.numbered else "list"
            return f"#{kind}(" + ", ".join(f"[{self.blocks(item)}]" for item in node.items) + ")"
        if isinstance(node, Chips):
            return "#vk-needs(" + ", ".join(f"[{self.inline(trim(item))}]" for item in node.items) + ")"
        if isinstance(node, Facts):
            pairs = [f"([{self.inline(trim(t))}], [{self.inline(trim(v))}])" for t, v in node.pairs]
            return "#vk-facts(" + ", ".join(pairs) + ")" if pairs else ""
        if isinstance(node, Table):
            return self.table(node)
        if isinstance(node, Wow):
            return f"#vk-wow[{self.inline([node.label])}][{self.inline(trim(node.content))}]"
        if isinstance(node, Card):
            head = "#h(1fr)".join(self.inline(item) for item in node.head)
            return f"#vk-moment[{head}][{self.blocks(node.body)}]"
        if isinstance(node, Group):
            inner = self.blocks(node.children)
            return f"#vk-{node.style}[{inner}]" if node.style in ("day", "rubric") else inner
        if isinstance(node, Levels):
            items = (
                f"vk-level-item({'true' if i.now else 'false'}, {'true' if i.target else 'false'})"
                f"[{self.inline(trim(i.content))}]"
                for i in node.items
            )
            return "#vk-levels(" + ", ".join(items) + ")"
        if isinstance(node, Chart):
            return self.chart(node.svg)
        if isinstance(node, Image):
            return self.picture(node)
        if isinstance(node, Code):
            return f"#vk-code[#raw({lit(node.text)}, block: true)]"
        if isinstance(node, Quote):
            return f"#vk-quote[{self.blocks(node.children)}]"
        if isinstance(node, Rule):
            return "#vk-rule()"
        if isinstance(node, Cover):
            parts = [
                "#vk-cover-band()",
                f"#vk-cover-client[{self.inline([node.client])}]",
                f"#vk-cover-title[{self.inline([node.title])}]",
                f"#vk-cover-sub[{self.inline([node.subtitle])}]",
                self.block(node.facts),
            ]
            return "#vk-cover[" + "\n".join(p for p in parts if p) + "]"
        raise TypeError(f"no Typst for {type(node).__name__}")

    def picture(self, node: Image) -> str:
        """A picture from a data URI, or its alternative text."""
        match = re.match(r"data:(image/[\w.+-]+);base64,(.*)$", node.src, re.DOTALL)
        if match and match.group(1) in IMAGE_TYPES:
            try:
                data = base64.b64decode(match.group(2), validate=False)
            except ValueError:
                data = b""
            if data:
                return self.image(data, IMAGE_TYPES[match.group(1)])
        return f"#vk-muted[{self.inline([node.alt])}]" if node.alt else ""

    def _cell(self, cell: Cell) -> str:
        body = self.blocks(cell.blocks) if cell.blocks is not None else self.inline(trim(cell.content))
        return f"box[{body}]" if cell.nowrap or cell.num else f"[{body}]"

    def table(self, node: Table) -> str:
        """A table whose free columns share the width in proportion to how much they hold."""
        header, rows = node.header, node.rows
        width = max([len(header), *(len(r) for r in rows)], default=0)
        if not width:
            return ""
        fixed = [False] * width
        right = [False] * width
        for r in [header, *rows]:
            for x, cell in enumerate(r):
                fixed[x] = fixed[x] or cell.num or cell.nowrap
        for x, cell in enumerate(header or (rows[0] if rows else [])):
            right[x] = cell.num
        # As a browser's table layout does: a column's share follows the mean length of its text.
        length = [0] * width
        for r in rows:
            for x, cell in enumerate(r):
                length[x] += len(_SPACE.sub(" ", _cell_text(cell)).strip())
        mean = [n / max(1, len(rows)) for n in length]
        widest = max(1.0, *mean)
        share = [max(1, round(8 * m / widest)) for m in mean]
        columns = "(" + ", ".join("auto" if f else f"{share[x]}fr" for x, f in enumerate(fixed)) + ",)"
        aligns = "(" + ", ".join("right" if r else "left" for r in right) + ",)"
        heads = "(" + "".join(f"[{self.inline(trim(c.content))}], " for c in header) + ")"
        cells: list[str] = []
        for r in rows:
            cells.extend(self._cell(cell) for cell in r)
            cells.extend("[]" for _ in range(width - len(r)))
        return f"#vk-table({columns}, {aligns}, {heads}" + "".join(", " + c for c in cells) + ")"

    def section(self, blocks: Sequence[Block], style: str, *, in_contents: bool) -> str:
        """A section's blocks; its first level-2 heading goes in the contents when the section does."""
        marked = next((i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.level == 2), -1)
        parts = [self.block(b, outlined=in_contents and i == marked) for i, b in enumerate(blocks)]
        if style == "cover":
            return "\n".join(p for p in parts if p)
        charts = [i for i, b in enumerate(blocks) if isinstance(b, Chart)]
        if style == "chart" and charts:
            # The heading and introduction go to the page of the first chart, never alone above a page break.
            lead = self._joined(blocks[: charts[0] + 1], parts[: charts[0] + 1])
            rest = self._joined(blocks[charts[0] + 1 :], parts[charts[0] + 1 :])
            return f"#vk-section[#block(breakable: false)[{lead}]\n{rest}]"
        return f"#vk-section[{self._joined(blocks, parts)}]"

    @staticmethod
    def _joined(blocks: Sequence[Block], parts: Sequence[str]) -> str:
        out: list[str] = []
        for i, (block, part) in enumerate(zip(blocks, parts, strict=True)):
            if isinstance(block, Chart) and i and isinstance(blocks[i - 1], Chart):
                out.append("#pagebreak()")
            out.append(part)
        return "\n".join(p for p in out if p)


def _cell_text(cell: Cell) -> str:
    if cell.blocks is None:
        return plain_text(cell.content)
    return " ".join(_block_text(b) for b in cell.blocks)


def _block_text(block: Block) -> str:
    if isinstance(block, Heading | Paragraph):
        return plain_text(block.content)
    if isinstance(block, Code):
        return block.text
    return ""
