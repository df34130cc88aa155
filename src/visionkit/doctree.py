"""The document model: what a section says, as a small typed tree that HTML and Typst each render.

Sections (sections.py) build these nodes; `_render_html` and `_render_typst` each map them, and the
tree travels in a notebook output as JSON (`to_json`, `from_json`). Text is always plain text in
the tree: a renderer escapes it for its own format, so no user text is ever read as markup.

Add a new kind of element here: a dataclass with a unique `kind`, listed in `_KINDS`, then a
branch for it in _render_html.py and _render_typst.py (and a rule in style.css and document.typ if it
needs a look of its own). docs/architecture.md ("A document section") gives every step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Union

SpanStyle = Literal[
    "strong", "emph", "code", "sub", "sup", "level", "muted", "note", "when", "live", "live-never", "client", "break"
]
"""How a run of text is set: emphasis, a level chip, muted or noted text, a moment's time and status..."""

Inline = Union[str, "Span"]
"""Text, or a styled span of text and spans."""


@dataclass
class Span:
    """A styled run of inline content (`break` is a line break and holds nothing)."""

    kind: ClassVar[str] = "span"
    style: SpanStyle
    content: list[Inline] = field(default_factory=list)


@dataclass
class Heading:
    """A heading: level 2 is a section's own title, 3 a part of it, 4 an item's."""

    kind: ClassVar[str] = "heading"
    level: int
    content: list[Inline]


@dataclass
class Paragraph:
    """A paragraph, plain or in one of the document's paragraph styles."""

    kind: ClassVar[str] = "paragraph"
    content: list[Inline]
    style: Literal["", "persona", "day-facts", "story", "today", "rubric-desc"] = ""


@dataclass
class BulletList:
    """A bulleted (or numbered) list whose items hold blocks."""

    kind: ClassVar[str] = "list"
    items: list[list[Block]]
    numbered: bool = False
    style: Literal["", "summary"] = ""


@dataclass
class Chips:
    """Short items set side by side, such as the capabilities a moment needs."""

    kind: ClassVar[str] = "chips"
    items: list[list[Inline]]


@dataclass
class Facts:
    """Terms and their values, such as the cover's date, horizon and strategy."""

    kind: ClassVar[str] = "facts"
    pairs: list[tuple[list[Inline], list[Inline]]]

    def __post_init__(self) -> None:
        # JSON has no tuples: pairs read back as lists of two are made pairs again.
        self.pairs = [(term, value) for term, value in self.pairs]


@dataclass
class Cell:
    """A table cell: inline content, or blocks; `num` is right-aligned, `nowrap` keeps to one line."""

    kind: ClassVar[str] = "cell"
    content: list[Inline] = field(default_factory=list)
    blocks: list[Block] | None = None
    num: bool = False
    nowrap: bool = False


@dataclass
class Table:
    """A table with an optional header row."""

    kind: ClassVar[str] = "table"
    header: list[Cell]
    rows: list[list[Cell]]
    style: Literal["", "waves", "uplifts"] = ""


@dataclass
class Wow:
    """A highlighted line under a label: what makes a moment remarkable."""

    kind: ClassVar[str] = "wow"
    label: str
    content: list[Inline]


@dataclass
class Card:
    """A moment's card: a heading line (its time and channel, and its status) over blocks."""

    kind: ClassVar[str] = "card"
    head: list[list[Inline]]
    body: list[Block]


@dataclass
class Group:
    """Blocks kept together: a perfect day, its moments side by side, or a capability's rubric."""

    kind: ClassVar[str] = "group"
    style: Literal["", "day", "moments", "rubric"]
    children: list[Block]


@dataclass
class Level:
    """One level of a maturity rubric, marked when it is today's or the target."""

    kind: ClassVar[str] = "level"
    content: list[Inline]
    now: bool = False
    target: bool = False


@dataclass
class Levels:
    """A maturity rubric's levels, in order."""

    kind: ClassVar[str] = "levels"
    items: list[Level]


@dataclass
class Chart:
    """A vector chart with its text alternative."""

    kind: ClassVar[str] = "chart"
    svg: str
    alt: str = ""


@dataclass
class Image:
    """A picture from a data URI (PNG, JPEG, GIF or SVG), or its alternative text when it has none."""

    kind: ClassVar[str] = "image"
    src: str
    alt: str = ""


@dataclass
class Code:
    """Preformatted text."""

    kind: ClassVar[str] = "code"
    text: str


@dataclass
class Quote:
    """A quoted passage."""

    kind: ClassVar[str] = "quote"
    children: list[Block]


@dataclass
class Rule:
    """A horizontal rule."""

    kind: ClassVar[str] = "rule"


@dataclass
class Cover:
    """The cover page: the client, the title, a subtitle and the facts of the plan."""

    kind: ClassVar[str] = "cover"
    client: str
    title: str
    subtitle: str
    facts: Facts


Block = (
    Heading
    | Paragraph
    | BulletList
    | Chips
    | Facts
    | Table
    | Wow
    | Card
    | Group
    | Levels
    | Chart
    | Image
    | Code
    | Quote
    | Rule
    | Cover
)
"""Anything set as a block of its own."""

_KINDS: dict[str, type] = {
    cls.kind: cls
    for cls in (
        Span, Heading, Paragraph, BulletList, Chips, Facts, Cell, Table, Wow, Card, Group, Level, Levels, Chart,
        Image, Code, Quote, Rule, Cover,
    )
}  # fmt: skip


def to_json(value: Any) -> Any:
    """A node, or a list of them, as plain JSON data (each node a dict with its `kind`)."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return {"kind": value.kind, **{f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}}


def from_json(value: Any) -> Any:
    """Nodes from the JSON `to_json` wrote; an unknown kind is a `ValueError`."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    cls = _KINDS.get(str(value.get("kind")))
    if cls is None:
        raise ValueError(f"unknown document element {value.get('kind')!r}")
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: from_json(v) for k, v in value.items() if k in names})


def plain_text(content: list[Inline]) -> str:
    """The text of inline content, styles dropped."""
    return "".join(c if isinstance(c, str) else plain_text(c.content) for c in content)
