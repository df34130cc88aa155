"""Reading and writing YAML with ruamel.yaml: the round-trip parser, plain data, and how new values are written.

A save (see `_yamlsplice`) writes only new and changed values; the functions at the end of
this module decide how: short text on its line in the author's quoting, long or multi-line
text as a block scalar wrapped at `WRAP_AT`, new collections like their neighbours.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import PathPart


def round_trip_yaml() -> Any:
    """A ruamel.yaml instance that keeps comments, quotes and the house indentation."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap text: a long line beats a reflowed paragraph
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump(data: Any) -> str:
    """Serialise a round-trip document to text."""
    stream = io.StringIO()
    round_trip_yaml().dump(data, stream)
    return stream.getvalue()


def to_plain(node: Any) -> Any:
    """Plain dicts, lists, str, int, float, bool, dates from ruamel's round-trip objects."""
    if isinstance(node, dict):
        return {to_plain(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, _dt.datetime):
        return _dt.datetime(*node.timetuple()[:6], node.microsecond, node.tzinfo)
    if isinstance(node, _dt.date):
        return _dt.date(node.year, node.month, node.day)
    return node


def apply(doc: Any, new: Any) -> Any:
    """Update a round-trip node in place to equal `new`, keeping the objects (and comments) of what stays."""
    if isinstance(doc, dict) and isinstance(new, dict):
        for key in [k for k in doc if k not in new]:
            del doc[key]
        for key, value in new.items():
            if key in doc:
                doc[key] = apply(doc[key], value)
            else:
                doc[key] = styled_like(value, None)
        return doc
    if isinstance(doc, list) and isinstance(new, list):
        return _apply_items(doc, new)
    if to_plain(doc) == new and type(to_plain(doc)) is type(new):
        return doc
    if isinstance(doc, str) and isinstance(new, str) and type(doc) is not str:
        try:
            return type(doc)(new)  # keep a quoted or block style the author chose
        except TypeError:
            return new
    return new


def _apply_items(doc: Any, new: list[Any]) -> Any:
    """Update a round-trip list: a moved item keeps its node (key order, quoting) and its comments."""
    old = list(doc)
    matches = match_items([to_plain(item) for item in old], new)
    comments = getattr(getattr(doc, "ca", None), "items", None)
    moved = {j: comments[i] for j, i in enumerate(matches) if i is not None and comments and i in comments}
    items: list[Any] = []
    for value, i in zip(new, matches, strict=True):
        if i is not None:
            items.append(apply(old[i], value))
        else:
            items.append(styled_like(value, items[-1] if items else (old[0] if old else None)))
    del doc[:]
    doc.extend(items)
    if comments is not None:
        comments.clear()
        comments.update(moved)
    return doc


def styled_like(value: Any, sibling: Any) -> Any:
    """A new value laid out like its neighbour: a new moment's `needs` in flow style if the others are."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            like = sibling.get(key) if isinstance(sibling, dict) else None
            out[key] = styled_like(item, like)
        if isinstance(sibling, CommentedMap) and sibling.fa.flow_style():
            out.fa.set_flow_style()
        elif not isinstance(sibling, dict) and all(not isinstance(v, (dict, list)) for v in value.values()):
            out.fa.set_flow_style()  # short mappings of scalars (needs, requires) read best on one line
        return out
    if isinstance(value, list):
        seq = CommentedSeq(styled_like(v, sibling[0] if isinstance(sibling, list) and sibling else None) for v in value)
        if isinstance(sibling, CommentedSeq) and sibling.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _AMBIGUOUS.match(value):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString(value)  # 08:10 or "no" mean other things to YAML 1.1 readers
    return value


_AMBIGUOUS = re.compile(r"^(\d+(:\d+)+|y|n|yes|no|on|off|true|false|null|~|[-+]?[\d._]+([eE][-+]?\d+)?)$", re.I)


def location(doc: Any, path: tuple[PathPart, ...]) -> tuple[int, int] | None:
    """The 1-based (line, column) of the node at `path` in a round-trip document, or its nearest parent."""
    node = doc
    best: tuple[int, int] | None = None
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None:
        best = (lc.line + 1, lc.col + 1)
    for i, part in enumerate(path):
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            is_last = i == len(path) - 1
            if lc is not None:
                try:
                    line, col = lc.key(part) if is_last and isinstance(node[part], (dict, list)) else lc.value(part)
                except (KeyError, TypeError):
                    line, col = lc.key(part)
                best = (line + 1, col + 1)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                line, col = lc.item(part)
                best = (line + 1, col + 1)
            node = node[part]
        else:
            break
    return best


def key_location(doc: Any, path: tuple[PathPart, ...]) -> tuple[int, int] | None:
    """The 1-based (line, column) of the key at the end of `path` (for errors about keys)."""
    parent = doc
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return location(doc, path)
    lc = getattr(parent, "lc", None)
    if isinstance(parent, dict) and path and path[-1] in parent and lc is not None:
        line, col = lc.key(path[-1])
        return line + 1, col + 1
    return location(doc, path)


# -- comparing plain data ------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal plain data, types included (1, 1.0, True and '1' differ); mapping order does not count."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(value, b[key]) for key, value in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return bool(b != b)  # NaN reads back as NaN
    return bool(a == b)


def canonical(value: Any) -> str:
    """A text equal for `same` data: what list items are matched on."""
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{canonical(k)}:{canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    return f"{type(value).__name__}:{value!r}"


def match_items(old: list[Any], new: list[Any]) -> list[int | None]:
    """For each new list item, the old item it continues, or None for a new one.

    Unchanged runs are matched in order first; then an item found elsewhere in the old list
    (a moved item) by equal data; then a mapping by an equal `id` (a moved item that was also
    edited), or one apart from a single free old mapping by one entry; what remains is paired by
    position inside the stretches that changed.
    """
    import difflib

    old_keys, new_keys = [canonical(v) for v in old], [canonical(v) for v in new]
    matches: list[int | None] = [None] * len(new)
    changed: list[tuple[int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
        if tag == "equal":
            matches[j1:j2] = range(i1, i2)
        elif tag == "replace":
            changed.append((i1, i2, j1, j2))
    free = sorted(set(range(len(old))) - set(matches))

    def claim(j: int, found: int | None) -> None:
        if found is not None:
            matches[j] = found
            free.remove(found)

    for j, key in enumerate(new_keys):
        if matches[j] is None:
            claim(j, next((i for i in free if old_keys[i] == key), None))
    for j, value in enumerate(new):
        if matches[j] is None and isinstance(value, dict) and "id" in value:
            claim(j, next((i for i in free if isinstance(old[i], dict) and same(old[i].get("id"), value["id"])), None))
    for j, value in enumerate(new):
        # A mapping moved with one entry changed (a moment dragged to another lane): its lines move with it.
        if matches[j] is None and isinstance(value, dict) and len(value) > 2:
            near = [i for i in free if isinstance(old[i], dict) and _entries_apart(old[i], value) <= 1]
            claim(j, near[0] if len(near) == 1 else None)
    for i1, i2, j1, j2 in changed:
        olds = [i for i in range(i1, i2) if i in free]
        for j, i in zip([j for j in range(j1, j2) if matches[j] is None], olds, strict=False):
            claim(j, i)
    return matches


def _entries_apart(old: dict[Any, Any], new: dict[Any, Any]) -> int:
    """How many keys two mappings differ in: added, removed or holding another value."""
    keys = set(old) | set(new)
    return sum(1 for k in keys if k not in old or k not in new or canonical(old[k]) != canonical(new[k]))


# -- writing new and changed values --------------------------------------------------------

WRAP_AT = 88
"""Text a save writes is wrapped to lines of at most this many characters (the width most authors keep)."""
LONGEST_LINE = 100
"""No line a save writes is longer than this, unless it is a single unbreakable word."""

_LINE_BREAKS = "\n\r\x85\u2028\u2029"
# Characters a block scalar cannot hold as they are: control characters (a tab is fine), the BOM, surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff\ud800-\udfff\ufffe\uffff]")
_BREAK = re.compile(r"(?<=\S) (?=\S)")  # a single space between words: where wrapped text may break


@dataclass(frozen=True)
class Layout:
    """How a file indents: a mapping's keys under their parent key, a list's dashes, an item's text after its dash."""

    step: int = 2
    offset: int = 2
    gap: int = 2


@dataclass(frozen=True)
class Written:
    """A value as text for its place: `first` goes on the key's (or dash's) line, `rest` are whole lines.

    A block value (a block scalar's header, or None for a block collection) takes the line's
    comment right after `first`; an inline value that runs over several lines takes it at its end.
    """

    first: str | None
    rest: tuple[str, ...] = ()
    block: bool = False


def _writer() -> Any:
    """A ruamel.yaml instance that writes single values on one line.

    A new one per call (0.1 ms): widgets save from timer threads, and an instance is not safe to share.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    return yaml


def _dumped(pairs: list[tuple[Any, Any]], flow: bool) -> str:
    """A one-entry mapping as ruamel.yaml writes it, in block or flow style."""
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap(pairs)
    if flow:
        mapping.fa.set_flow_style()
    stream = io.StringIO()
    _writer().dump(mapping, stream)
    return stream.getvalue()


def scalar_text(value: Any, style: str | None = None, *, flow: bool = False) -> str | None:
    """A scalar on one line in the author's quoting `style` where it can be ("'", '"' or None), or None."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(value, (dict, list)):
        return None
    typed = value
    if isinstance(value, str):
        if any(c in value for c in _LINE_BREAKS) or style == '"':
            typed = DoubleQuotedScalarString(value)
        elif style == "'":
            typed = SingleQuotedScalarString(value)
        elif _AMBIGUOUS.match(value):
            typed = DoubleQuotedScalarString(value)  # 08:10 or "no" mean other things to YAML 1.1 readers
    text = _dumped([("k", typed)], flow)
    if not reads_as(text, {"k": value}) and isinstance(value, str):
        # ruamel.yaml 0.19 writes some text plain that does not read back (`?)` in a flow mapping).
        text = _dumped([("k", DoubleQuotedScalarString(value))], flow)
    text = text[4:-2] if flow else text[2:-1].lstrip(" ")
    return None if "\n" in text else text


def reads_as(text: str, expected: Any) -> bool:
    """Whether YAML text reads back as `expected`."""
    try:
        return same(to_plain(round_trip_yaml().load(text)), expected)
    except Exception:  # noqa: BLE001 - text that does not parse does not read back
        return False


def key_text(key: Any, *, flow: bool = False) -> str:
    """A mapping key as YAML text."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    text = _dumped([(key, 0)], flow)
    if not reads_as(text, {key: 0}) and isinstance(key, str):
        text = _dumped([(DoubleQuotedScalarString(key), 0)], flow)
    return text[1 : -len(": 0}\n")] if flow else text[: -len(": 0\n")]


def _wrap(words: str, first: int, width: int) -> list[str]:
    """Text broken at single spaces into lines of at most `first`, then `width` characters (a long word stays whole)."""
    breaks = [m.start() for m in _BREAK.finditer(words)]
    lines: list[str] = []
    start, room = 0, first
    while len(words) - start > room:
        fits = bisect.bisect_right(breaks, start + room) - 1
        if fits >= 0 and breaks[fits] > start:
            cut = breaks[fits]
        else:
            later = bisect.bisect_right(breaks, start)
            if later == len(breaks):
                break
            cut = breaks[later]  # a word longer than the line: break right after it
        lines.append(words[start:cut])
        start, room = cut + 1, width
    lines.append(words[start:])
    return lines


def _chomping(text: str) -> tuple[str, str]:
    """A block scalar's chomping indicator and the text without the trailing line breaks it stands for."""
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    return ("-" if trailing == 0 else "" if trailing == 1 else "+"), body + "\n" * max(trailing - 1, 0)


def _block_safe(text: str) -> bool:
    """Whether a block scalar can hold the text: no leading or trailing blanks, no characters it cannot show."""
    lines = text.rstrip("\n").split("\n")
    return (
        bool(text.strip())
        and not text[:1].isspace()
        and not _UNPRINTABLE.search(text)
        and not any(c in text for c in "\r\x85\u2028\u2029")
        and all(line == line.rstrip(" \t") for line in lines)
    )


def literal_block(text: str, indent: int) -> Written | None:
    """`|-` text with its own line breaks, if every line fits in `LONGEST_LINE` at `indent`."""
    if not _block_safe(text):
        return None
    chomp, body = _chomping(text)
    lines = body.split("\n")
    if any(indent + len(line) > LONGEST_LINE for line in lines):
        return None  # a literal line cannot be wrapped
    return Written("|" + chomp, tuple(" " * indent + line if line else "" for line in lines), block=True)


def folded_block(text: str, indent: int) -> Written | None:
    """`>-` text wrapped at `WRAP_AT`; a line break in the text is written as an empty line."""
    if not _block_safe(text):
        return None
    chomp, body = _chomping(text)
    width = max(WRAP_AT - indent, 20)
    lines: list[str] = []
    for part in re.split(r"(\n+)", body):
        if part.startswith("\n"):
            lines.extend([""] * len(part))  # k line breaks between paragraphs fold from k empty lines
        elif part:
            if part[0].isspace() or part[-1].isspace():
                return None  # a more-indented line would not fold
            lines.extend(" " * indent + line for line in _wrap(part, width, width))
    return Written(">" + chomp, tuple(lines), block=True)


def _escaped(text: str) -> str:
    """Text inside YAML double quotes: JSON escapes, plus what YAML reads as a line break or cannot show."""
    inner = json.dumps(text, ensure_ascii=False)[1:-1]
    return re.sub("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]", lambda m: f"\\u{ord(m.group()):04x}", inner)


def quoted_lines(text: str, column: int, indent: int) -> Written:
    """Double-quoted text wrapped at `WRAP_AT`: it holds anything, leading and trailing spaces included."""
    inner = _escaped(text)
    lines = _wrap(inner, max(WRAP_AT - column - 1, 20), max(WRAP_AT - indent, 20))
    lines[0] = '"' + lines[0]
    lines[-1] += '"'
    return Written(lines[0], tuple(" " * indent + line for line in lines[1:]))


def reads_back(written: Written, value: Any) -> bool:
    """Whether the written value parses back to exactly `value`."""
    text = "k:" + (" " + written.first if written.first else "") + "".join("\n" + line for line in written.rest)
    return reads_as(text + "\n", {"k": value})


def write_text(value: str, *, column: int, indent: int, style: str | None = None) -> Written:
    """A string written at `column` (continuation lines at `indent`): on the line if it fits, else a block.

    A line break, or more than `WRAP_AT` characters on the line, makes a folded `>-` block
    (literal `|-` for text with line breaks); the author's block style is kept. Text a block
    cannot hold, such as leading or trailing spaces, is double-quoted and wrapped.
    """
    single = "\n" not in value
    line = scalar_text(value, style if style in ("'", '"') else None) if single else None
    if line is not None and style not in ("|", ">") and column + len(line) <= WRAP_AT:
        return Written(line)
    makers: list[Callable[[str, int], Written | None]] = [folded_block]
    if not single or style == "|":
        makers.insert(0, literal_block)
    for make in makers:
        written = make(value, indent)
        if written is not None and reads_back(written, value):
            return written
    if line is not None and column + len(line) <= LONGEST_LINE:
        return Written(line)
    quoted = quoted_lines(value, column, indent)
    if reads_back(quoted, value):
        return quoted
    return Written(scalar_text(value, '"'))


def write_scalar(value: Any, *, column: int, indent: int, style: str | None = None, flow: bool = False) -> Written:
    """A scalar (text, number, date, null) written at `column`; see `write_text` for text."""
    if isinstance(value, str) and not flow:
        return write_text(value, column=column, indent=indent, style=style)
    text = scalar_text(value, style if style in ("'", '"') else None, flow=flow)
    return Written(text if text is not None else scalar_text(str(value), '"'))


def _children(like: Any) -> dict[str, Any]:
    """The value nodes of a ruamel mapping node, by key text (a hint for how new values are laid out)."""
    from ruamel.yaml.nodes import MappingNode

    return {str(k.value): v for k, v in like.value} if isinstance(like, MappingNode) else {}


def _first_item(like: Any) -> Any:
    """The first item node of a ruamel sequence node, or None."""
    from ruamel.yaml.nodes import SequenceNode

    return like.value[0] if isinstance(like, SequenceNode) and like.value else None


def _nested(value: Any) -> bool:
    """Whether a collection holds other collections."""
    values = value.values() if isinstance(value, dict) else value
    return any(isinstance(v, (dict, list)) for v in values)


def flow_text(value: Any, like: Any = None) -> str:
    """A new value in flow style on one line: `{a: 3, b: 2}`, `[x, y]`, or a scalar (quoted only if it must be)."""
    if isinstance(value, (dict, list)):
        brackets = "{}" if isinstance(value, dict) else "[]"
        return brackets[0] + ", ".join(part.text for part in flow_parts(value, like)) + brackets[1]
    return write_scalar(value, column=0, indent=0, flow=True).first or "null"


@dataclass(frozen=True)
class FlowPart:
    """An entry of a flow collection as text; `value` is its text value when it may be broken over lines."""

    text: str
    prefix: str = ""
    value: str | None = None


def flow_parts(value: Any, like: Any = None) -> list[FlowPart]:
    """The entries (or items) of a new flow collection."""
    if isinstance(value, dict):
        children = _children(like)
        parts = []
        for k, v in value.items():
            prefix = f"{key_text(k, flow=True)}: "
            parts.append(
                FlowPart(prefix + flow_text(v, children.get(str(k))), prefix, v if isinstance(v, str) else None)
            )
        return parts
    return [FlowPart(flow_text(v, _first_item(like)), "", v if isinstance(v, str) else None) for v in value]


def wrap_flow(
    parts: list[FlowPart], brackets: str, *, column: int, indent: int, sep: str = ", ", pad: str = ""
) -> Written:
    """Flow entries on lines of at most `WRAP_AT`, breaking after a comma; continuation lines at `indent`.

    An entry too long for a line of its own, if it is text, is double-quoted and broken over lines.
    """
    lines = [brackets[0] + pad]
    for n, part in enumerate(parts):
        tail = pad + brackets[1] if n == len(parts) - 1 else ""
        room = WRAP_AT - (column if len(lines) == 1 else indent)
        if n and len(lines[-1]) + len(sep) + len(part.text) + len(tail) > room:
            lines[-1] += sep.rstrip()
            lines.append("")
            room = WRAP_AT - indent
        head = lines[-1] + (sep if n and lines[-1] else "")
        lines[-1] = head + part.text + tail
        if len(lines[-1]) > room and part.value is not None:
            start = (column if len(lines) == 1 else indent) + len(head) + len(part.prefix)
            quoted = quoted_lines(part.value, start, indent)
            lines[-1] = head + part.prefix + (quoted.first or "")
            lines.extend(line[indent:] for line in quoted.rest)
            lines[-1] += tail
    if not parts:
        lines[-1] += pad + brackets[1]
    return Written(lines[0], tuple(" " * indent + line for line in lines[1:]))


def _flow_style(value: Any, like: Any, column: int) -> bool:
    """Whether a new collection is written in flow style: like its neighbour, else if short and flat."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    kind = MappingNode if isinstance(value, dict) else SequenceNode
    if isinstance(like, kind) and like.value:
        return bool(like.flow_style)
    return not _nested(value) and column + len(flow_text(value, like)) <= WRAP_AT


def write_value(value: Any, *, column: int, owner: int, layout: Layout, like: Any = None) -> Written:
    """A new value for a mapping entry whose key is at column `owner`, its text starting at `column`."""
    if isinstance(value, (dict, list)) and value:
        if _flow_style(value, like, column):
            brackets = "{}" if isinstance(value, dict) else "[]"
            text = flow_text(value, like)
            if column + len(text) <= WRAP_AT:
                return Written(text)
            return wrap_flow(flow_parts(value, like), brackets, column=column, indent=owner + layout.step)
        if isinstance(value, dict):
            return Written(None, tuple(mapping_lines(value, owner + layout.step, layout, like)), block=True)
        return Written(None, tuple(sequence_lines(value, owner + layout.offset, layout, like)), block=True)
    if isinstance(value, (dict, list)):
        return Written("{}" if isinstance(value, dict) else "[]")
    return write_scalar(value, column=column, indent=owner + layout.step)  # quoted only if it must be


def write_item(value: Any, *, dash: int, layout: Layout, like: Any = None) -> Written:
    """A list item's value after its dash at column `dash`: a mapping starts on the dash's line."""
    content = dash + layout.gap
    if isinstance(value, (dict, list)) and value and not _flow_style(value, like, content):
        lines = (
            mapping_lines(value, content, layout, like)
            if isinstance(value, dict)
            else sequence_lines(value, content, layout, like)
        )
        return Written(lines[0][content:], tuple(lines[1:]), block=True)
    return write_value(value, column=content, owner=content - layout.step, layout=layout, like=like)


def mapping_lines(value: dict[Any, Any], col: int, layout: Layout, like: Any = None) -> list[str]:
    """A new block mapping, its keys at column `col`."""
    children = _children(like)
    lines: list[str] = []
    for key, item in value.items():
        head = " " * col + key_text(key) + ":"
        written = write_value(item, column=len(head) + 1, owner=col, layout=layout, like=children.get(str(key)))
        lines.append(head + (" " + written.first if written.first else ""))
        lines.extend(written.rest)
    return lines


def sequence_lines(value: list[Any], dash: int, layout: Layout, like: Any = None) -> list[str]:
    """A new block sequence, its dashes at column `dash`."""
    lines: list[str] = []
    for item in value:
        written = write_item(item, dash=dash, layout=layout, like=_first_item(like))
        gap = " " * (layout.gap - 1)
        lines.append(" " * dash + "-" + (gap + written.first if written.first else ""))
        lines.extend(written.rest)
    return lines
