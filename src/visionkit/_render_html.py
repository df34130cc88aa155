"""The document model as HTML: each node as elements with the `vk-` classes of static/style.css.

Text is escaped here and nowhere else; a chart's SVG is the one piece of markup passed through,
and it is drawn by visionkit's own charts from escaped text.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._markup import escape, inline_html
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
    Levels,
    Paragraph,
    Quote,
    Rule,
    Table,
    Wow,
)

_SECTION_CLASSES = {"": "vk-section", "chart": "vk-section vk-chart-section", "appendix": "vk-section vk-appendix"}


def _class(*names: str) -> str:
    """A class attribute of the names given (empty names dropped), or nothing."""
    joined = " ".join(n for n in names if n)
    return f' class="{joined}"' if joined else ""


def blocks_html(blocks: Sequence[Block]) -> str:
    """Blocks one after another."""
    return "\n".join(block_html(b) for b in blocks)


def _facts(node: Facts, cls: str = "") -> str:
    pairs = "".join(f"<dt>{inline_html(t)}</dt><dd>{inline_html(v)}</dd>" for t, v in node.pairs)
    return f"<dl{_class(cls)}>{pairs}</dl>"


def _cell(cell: Cell, tag: str) -> str:
    body = blocks_html(cell.blocks) if cell.blocks is not None else inline_html(cell.content)
    return f"<{tag}{_class('num' if cell.num else '', 'nowrap' if cell.nowrap else '')}>{body}</{tag}>"


def _item(blocks: Sequence[Block]) -> str:
    # A list item of one plain paragraph is set as its text, as a browser would set `<li>text</li>`.
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph) and not blocks[0].style:
        return inline_html(blocks[0].content)
    return blocks_html(blocks)


def block_html(node: Block) -> str:
    """One block as HTML."""
    if isinstance(node, Heading):
        return f"<h{node.level}>{inline_html(node.content)}</h{node.level}>"
    if isinstance(node, Paragraph):
        return f"<p{_class('vk-' + node.style if node.style else '')}>{inline_html(node.content)}</p>"
    if isinstance(node, BulletList):
        tag = "ol" if node.numbered else "ul"
        items = "".join(f"<li>{_item(item)}</li>" for item in node.items)
        return f"<{tag}{_class('vk-' + node.style if node.style else '')}>{items}</{tag}>"
    if isinstance(node, Chips):
        return '<ul class="vk-needs">' + "".join(f"<li>{inline_html(i)}</li>" for i in node.items) + "</ul>"
    if isinstance(node, Facts):
        return _facts(node)
    if isinstance(node, Table):
        head = "".join(_cell(c, "th") for c in node.header)
        thead = f"<thead><tr>{head}</tr></thead>" if node.header else ""
        rows = "".join("<tr>" + "".join(_cell(c, "td") for c in row) + "</tr>" for row in node.rows)
        cls = _class("vk-table", "vk-" + node.style if node.style else "")
        return f"<table{cls}>{thead}<tbody>{rows}</tbody></table>"
    if isinstance(node, Wow):
        return f'<p class="vk-wow"><span>{escape(node.label)}</span> {inline_html(node.content)}</p>'
    if isinstance(node, Card):
        head = "\n  ".join(inline_html(item) for item in node.head)
        return f'<article class="vk-moment">\n  <header>{head}</header>\n  {blocks_html(node.body)}\n</article>'
    if isinstance(node, Group):
        return f"<div{_class('vk-' + node.style if node.style else '')}>{blocks_html(node.children)}</div>"
    if isinstance(node, Levels):
        items = "".join(
            f"<li{_class('vk-now' if i.now else '', 'vk-target' if i.target else '')}>{inline_html(i.content)}</li>"
            for i in node.items
        )
        return f'<ol class="vk-levels">{items}</ol>'
    if isinstance(node, Chart):
        return f'<figure class="vk-chart" role="img" aria-label="{escape(node.alt)}">{node.svg}</figure>'
    if isinstance(node, Image):
        src = node.src if node.src.startswith("data:image/") else ""
        return f'<figure class="vk-chart"><img alt="{escape(node.alt)}" src="{escape(src)}"></figure>'
    if isinstance(node, Code):
        return f"<pre>{escape(node.text)}</pre>"
    if isinstance(node, Quote):
        return f"<blockquote>{blocks_html(node.children)}</blockquote>"
    if isinstance(node, Rule):
        return "<hr>"
    if isinstance(node, Cover):
        return (
            '<div class="vk-cover-band"></div>\n'
            f'<p class="vk-cover-client"><span class="vk-running-client">{escape(node.client)}</span></p>\n'
            f'<h1 class="vk-cover-title">{escape(node.title)}</h1>\n'
            f'<p class="vk-cover-sub">{escape(node.subtitle)}</p>\n' + _facts(node.facts, "vk-cover-facts")
        )
    raise TypeError(f"no HTML for {type(node).__name__}")


def section_html(section_id: str, style: str, blocks: Sequence[Block]) -> str:
    """A section of the document: its blocks in a `<section>` with its anchor id."""
    cls = "vk-cover" if style == "cover" else _SECTION_CLASSES[style]
    return f'\n<section class="{cls}" id="{escape(section_id)}">\n{blocks_html(blocks)}\n</section>'
