"""Minimal-change YAML saving: edit the author's text only where the data changed.

A save composes the original text into ruamel.yaml nodes (which know where they sit in the
text), pairs every node with its plain value, and walks the old and the new data together,
collecting local edits:

- A changed scalar is written again in place: short text keeps the author's quoting, long
  text becomes a folded block wrapped at `WRAP_AT` (see `_yamlio.write_text`); the comment on
  its line stays, at its column where it can.
- In a block mapping, keys already in the file keep the file's order, whatever the order of
  the new data. A removed key takes its lines with it. A new key goes right after the entry
  of the key that precedes it in the new data (in front of the first entry if it comes
  first), so inside its mapping and before the blank lines and comments that introduce the
  next section. Comments are never copied or moved.
- In a block list, items are matched by `_yamlio.match_items`: an unchanged or moved item
  keeps its lines byte for byte (comments inside it included), an edited one is edited in
  place, a new one is written like its neighbours, a removed one takes its lines with it.
  Comment lines between items stay where they are.
- A changed flow collection (`needs: {a: 3, b: 2}`) is written again in flow style, its
  unchanged entries copied as they were, wrapped if the line would grow too long.

What cannot be expressed as local edits (aliases, a changed document root) raises
`Unspliceable`; the caller then writes the whole document. The caller also parses the
result and compares it with the data, so a wrong splice is never saved.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ._yamlio import (
    LONGEST_LINE,
    WRAP_AT,
    FlowPart,
    Layout,
    Written,
    flow_parts,
    flow_text,
    key_text,
    match_items,
    reads_as,
    same,
    wrap_flow,
    write_item,
    write_scalar,
    write_value,
)

Edit = tuple[int, int, str, int]  # replace text[a:b] with this text; the last number is the nesting depth


class Unspliceable(Exception):
    """The change cannot be expressed as local edits; use the full dump."""


@dataclass(eq=False)
class Node:
    """A composed YAML node with its plain value and where its own text starts and ends."""

    raw: Any
    data: Any
    start: int
    end: int  # just after its last character, not counting trailing comments or blank lines
    depth: int
    parent: Node | None = None
    entries: list[Entry] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """'map', 'seq' or 'scalar'."""
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        return "map" if isinstance(self.raw, MappingNode) else "seq" if isinstance(self.raw, SequenceNode) else "scalar"

    @property
    def flow(self) -> bool:
        """A flow collection: `{...}` or `[...]`."""
        return self.kind != "scalar" and bool(self.raw.flow_style)

    @property
    def block(self) -> bool:
        """A block collection with at least one entry or item."""
        return self.kind != "scalar" and not self.raw.flow_style and bool(self.raw.value)

    @property
    def style(self) -> str | None:
        """A scalar's style: None (plain), "'", '"', '|' or '>'."""
        return self.raw.style if self.kind == "scalar" else None


@dataclass(eq=False)
class Entry:
    """A mapping entry: its key, where the key starts, just after its ':' (-1 if none), its value."""

    key: Any
    key_start: int
    colon: int
    node: Node

    @property
    def end(self) -> int:
        """Where the entry's text ends (an empty value ends at the colon)."""
        return max(self.colon, self.node.end)


@dataclass(eq=False)
class Item:
    """A list item: where its dash is (-1 in a flow list), and its value."""

    dash: int
    node: Node


@dataclass(frozen=True)
class Slot:
    """Where a value sits: just after its entry's ':' or its item's '-', and the column of that key or dash."""

    anchor: int
    owner: int
    item: bool


class Source:
    """The original text, with line arithmetic."""

    def __init__(self, text: str):
        self.text = text

    def line_start(self, i: int) -> int:
        """Where the line holding index `i` starts."""
        return self.text.rfind("\n", 0, i) + 1

    def line_end(self, i: int) -> int:
        """Where the line holding index `i` ends (its line break, or the end of the text)."""
        j = self.text.find("\n", i)
        return len(self.text) if j < 0 else j

    def col(self, i: int) -> int:
        """The 0-based column of index `i`."""
        return i - self.line_start(i)

    def first_on_line(self, i: int) -> bool:
        """Whether only spaces precede index `i` on its line."""
        return not self.text[self.line_start(i) : i].strip()

    def chunk_end(self, end: int, col: int) -> int:
        """The end of the lines of something ending at `end` whose lines are indented past `col`.

        The line holding `end` is included with its line break, and so are comment lines below
        it indented deeper than `col` (they belong inside); trailing blank lines are not.
        """
        text = self.text
        best = pos = min(self.line_end(end) + 1, len(text))
        while pos < len(text):
            stop = self.line_end(pos)
            line = text[pos:stop]
            body = line.lstrip(" ")
            if body and not (body.startswith("#") and len(line) - len(body) > col):
                break
            pos = min(stop + 1, len(text))
            if body:
                best = pos
        return best

    def blank_line_at(self, i: int) -> bool:
        """Whether the line starting at `i` is blank."""
        return i < len(self.text) and not self.text[i : self.line_end(i)].strip()


def _colon_after(text: str, i: int) -> int:
    """Just after the ':' that follows a key ending at `i`, or -1."""
    while i < len(text) and text[i] == " ":
        i += 1
    return i + 1 if text[i : i + 1] == ":" else -1


def _dash_before(text: str, i: int) -> int:
    """The '-' introducing a block list item that starts at `i`, or -1."""
    j = i - 1
    while j >= 0 and text[j] in " \n":
        j -= 1
    return j if j >= 0 and text[j] == "-" else -1


def _block_scalar_end(text: str, start: int, end: int) -> int:
    """Where a block scalar's last non-blank line ends (trailing blank lines separate, they are not its text)."""
    lines = text[start:end].split("\n")
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return start + len("\n".join(lines))


def build(text: str, raw: Any, data: Any, *, anchor: int = 0, parent: Node | None = None, seen: set[int]) -> Node:
    """The node tree of a composed document, each node paired with its plain value."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if id(raw) in seen:
        raise Unspliceable("an alias: its text is elsewhere")
    seen.add(id(raw))
    depth = parent.depth + 1 if parent else 0
    node = Node(raw, data, int(raw.start_mark.index), int(raw.end_mark.index), depth, parent)
    if isinstance(raw, MappingNode):
        if not isinstance(data, dict) or len(data) != len(raw.value):
            raise Unspliceable("a mapping whose keys do not match its data (a merge key?)")
        for (key_node, value_node), (key, value) in zip(raw.value, data.items(), strict=True):
            colon = _colon_after(text, int(key_node.end_mark.index))
            at = colon if colon >= 0 else int(key_node.end_mark.index)
            child = build(text, value_node, value, anchor=at, parent=node, seen=seen)
            node.entries.append(Entry(key, int(key_node.start_mark.index), colon, child))
        if node.block:
            node.end = node.entries[-1].end
    elif isinstance(raw, SequenceNode):
        if not isinstance(data, list) or len(data) != len(raw.value):
            raise Unspliceable("a list that does not match its data")
        for value_node, value in zip(raw.value, data, strict=True):
            dash = -1 if raw.flow_style else _dash_before(text, int(value_node.start_mark.index))
            at = dash + 1 if dash >= 0 else int(value_node.start_mark.index)
            node.items.append(Item(dash, build(text, value_node, value, anchor=at, parent=node, seen=seen)))
        if node.block:
            node.end = max(node.items[-1].dash + 1, node.items[-1].node.end)
    elif raw.style is None and raw.value == "":
        node.start = node.end = anchor  # an empty value: ruamel marks it at the next token
    elif raw.style in ("|", ">"):
        node.end = _block_scalar_end(text, node.start, node.end)
    return node


def _walk(node: Node) -> Iterator[Node]:
    """A node and everything under it."""
    yield node
    for entry in node.entries:
        yield from _walk(entry.node)
    for item in node.items:
        yield from _walk(item.node)


def detect_layout(root: Node, src: Source) -> Layout:
    """The file's own indentation: the most common step, list offset and gap after a dash (2, 2, 2 if none)."""
    steps: Counter[int] = Counter()
    offsets: Counter[int] = Counter()
    gaps: Counter[int] = Counter()
    for node in _walk(root):
        if not node.block:
            continue
        for entry in node.entries:
            child = entry.node
            if child.block and child.kind == "map":
                steps[src.col(child.entries[0].key_start) - src.col(entry.key_start)] += 1
            elif child.block and child.kind == "seq" and child.items[0].dash >= 0:
                offsets[src.col(child.items[0].dash) - src.col(entry.key_start)] += 1
        for item in node.items:
            value = item.node
            if value.block and value.kind == "map" and item.dash >= 0 and not src.first_on_line(value.start):
                gaps[src.col(value.entries[0].key_start) - src.col(item.dash)] += 1

    def common(counts: Counter[int], default: int, least: int) -> int:
        usable = [(n, value) for value, n in counts.items() if value >= least]
        return max(usable)[1] if usable else default

    return Layout(step=common(steps, 2, 1), offset=common(offsets, 2, 0), gap=common(gaps, 2, 2))


def _placement(old_keys: list[Any], new: dict[Any, Any]) -> dict[Any, list[Any]]:
    """New keys grouped by the old key they follow (None: the front): each goes after its predecessor in `new`."""
    known = set(old_keys)
    groups: dict[Any, list[Any]] = {}
    after: Any = _FRONT
    for key in new:
        if key in known:
            after = key
        else:
            groups.setdefault(after, []).append(key)
    return groups


_FRONT = object()  # the group of new keys that go in front of a mapping's first entry


def _stable(matches: list[int | None]) -> set[int]:
    """The new positions whose old items stay in place: a longest run of increasing old positions."""
    pairs = [(j, i) for j, i in enumerate(matches) if i is not None]
    tails: list[int] = []  # tails[k]: index in pairs ending the best run of length k + 1
    back: list[int] = [-1] * len(pairs)
    for n, (_, i) in enumerate(pairs):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if pairs[tails[mid]][1] < i:
                lo = mid + 1
            else:
                hi = mid
        back[n] = tails[lo - 1] if lo else -1
        tails[lo : lo + 1] = [n]
    stable: set[int] = set()
    n = tails[-1] if tails else -1
    while n >= 0:
        stable.add(pairs[n][0])
        n = back[n]
    return stable


def apply_edits(text: str, edits: list[Edit], lo: int = 0, hi: int | None = None) -> str:
    """`text[lo:hi]` with the edits made; at one position, deeper edits land first."""
    hi = len(text) if hi is None else hi
    out = text[lo:hi]
    last = hi
    for a, b, new, _ in sorted(edits, key=lambda e: (e[0], e[1], -e[3]), reverse=True):
        if a < lo or b > last:
            raise Unspliceable("overlapping edits")
        out = out[: a - lo] + new + out[b - lo :]
        last = a
    return out


class Splicer:
    """Collects the edits that turn the old text into one holding the new data."""

    def __init__(self, src: Source, layout: Layout):
        self.src = src
        self.text = src.text
        self.layout = layout
        self.edits: list[Edit] = []

    def diff(self, node: Node, new: Any, slot: Slot | None) -> None:
        """Edits for `node` to hold `new`."""
        if same(node.data, new):
            return
        if node.block and node.kind == "map" and isinstance(new, dict) and new:
            self.mapping(node, new, slot)
        elif node.block and node.kind == "seq" and isinstance(new, list) and new:
            self.sequence(node, new)
        elif node.flow and node.raw.value and isinstance(new, dict if node.kind == "map" else list) and new:
            self.replace(node, slot, self.flow(node, new, slot))
        else:
            self.replace(node, slot, self.written(node, new, slot))

    # -- block mappings --------------------------------------------------------------------

    def mapping(self, node: Node, new: dict[Any, Any], slot: Slot | None) -> None:
        """Edits for a block mapping: keys removed, added after their predecessor, values changed."""
        kept = [e for e in node.entries if e.key in new]
        if not kept:
            self.replace(node, slot, self.written(node, new, slot))
            return
        col = self.src.col(node.entries[0].key_start)
        by_key = {e.key: e for e in node.entries}
        for after, keys in _placement(list(by_key), new).items():
            lines = [line for key in keys for line in self.entry_lines(node, key, new[key], col)]
            if after is _FRONT:
                at = kept[0].key_start  # the first key may follow a list item's dash
                text = "\n".join([lines[0][col:], *lines[1:]]) + "\n" + " " * col
            else:
                at = self.src.chunk_end(by_key[after].end, col)
                text = "".join(line + "\n" for line in lines)
            self.edits.append((at, at, text, node.depth))
        self.remove_entries(node, new, col)
        for entry in kept:
            if entry.colon < 0 and not same(entry.node.data, new[entry.key]):
                raise Unspliceable("a key without a colon")
            self.diff(entry.node, new[entry.key], Slot(entry.colon, col, item=False))

    def entry_lines(self, node: Node, key: Any, value: Any, col: int) -> list[str]:
        """A new mapping entry as lines, laid out like the same key in a sibling item where there is one."""
        head = " " * col + key_text(key) + ":"
        written = write_value(value, column=len(head) + 1, owner=col, layout=self.layout, like=self.like(node, key))
        return [head + (" " + written.first if written.first else ""), *written.rest]

    @staticmethod
    def like(node: Node, key: Any) -> Any:
        """The value of `key` in another item of the list holding this mapping: a hint for flow or block style."""
        if node.parent is None or node.parent.kind != "seq":
            return None
        for item in node.parent.items:
            for entry in item.node.entries:
                if entry.key == key and entry.node is not node:
                    return entry.node.raw
        return None

    def remove_entries(self, node: Node, new: dict[Any, Any], col: int) -> None:
        """Edits removing the lines of the entries `new` no longer has."""
        entries = node.entries
        i = 0
        while i < len(entries):
            entry = entries[i]
            if entry.key in new:
                i += 1
                continue
            if not self.src.first_on_line(entry.key_start):
                # The first key of a list item shares the dash's line: the next kept key moves up to it.
                j = next((k for k in range(i + 1, len(entries)) if entries[k].key in new), -1)
                if j < 0:
                    raise Unspliceable("no key left after a list item's dash")
                stop = entries[j].key_start
                if "#" in self.text[entry.key_start : stop]:
                    raise Unspliceable("a comment between a removed first key and the next")
                self.edits.append((entry.key_start, stop, "", node.depth))
                i = j
                continue
            start, stop = self.src.line_start(entry.key_start), self.src.chunk_end(entry.end, col)
            self.edits.append((start, self.take_blank_lines(start, stop), "", node.depth))
            i += 1

    def take_blank_lines(self, start: int, stop: int) -> int:
        """Where a removal between blank lines ends: past the blank lines after it, so one separation remains."""
        if start == 0 or self.src.blank_line_at(self.src.line_start(start - 1)):
            while self.src.blank_line_at(stop):
                stop = self.src.line_end(stop) + 1
        return min(stop, len(self.text))

    # -- block lists -----------------------------------------------------------------------

    def sequence(self, node: Node, new: list[Any]) -> None:
        """Edits for a block list: items matched, kept in place, moved as they are, added, removed."""
        src, items = self.src, node.items
        if any(item.dash < 0 or not src.first_on_line(item.dash) for item in items):
            raise Unspliceable("a list item that does not start its line")
        matches = match_items(node.data, new)
        stable = _stable(matches)
        if not stable:
            raise Unspliceable("no item kept")
        dash_col = src.col(items[0].dash)
        starts = [src.line_start(item.dash) for item in items]
        ends = [src.chunk_end(max(item.dash + 1, item.node.end), dash_col) for item in items]
        if len(new) == len(items) and None not in matches and matches != list(range(len(items))):
            self.reorder(node, new, matches, starts, ends, dash_col)
            return
        sep = self.item_separator(starts, ends)
        groups: dict[int | None, list[str]] = {}
        last: int | None = None
        for j, value in enumerate(new):
            i = matches[j]
            if j in stable and i is not None:
                last = i
                continue
            if i is not None:
                chunk = self.moved(items[i], value, starts[i], ends[i], dash_col)
            else:
                chunk = self.new_item(node, value, dash_col, items[last if last is not None else 0])
            groups.setdefault(last, []).append(chunk)
        kept = sorted(i for j in stable if (i := matches[j]) is not None)
        first = kept[0]
        for after, chunks in groups.items():
            if after is None:
                self.edits.append((starts[first], starts[first], "".join(c + sep for c in chunks), node.depth))
            else:
                self.edits.append((ends[after], ends[after], "".join(sep + c for c in chunks), node.depth))
        self.remove_items([i for i in range(len(items)) if i not in kept], starts, ends, sep, node.depth)
        for j in sorted(stable):
            if (i := matches[j]) is not None:
                self.diff(items[i].node, new[j], Slot(items[i].dash + 1, dash_col, item=True))

    def reorder(
        self, node: Node, new: list[Any], matches: list[int | None], starts: list[int], ends: list[int], dash_col: int
    ) -> None:
        """Edits for a list whose items were only reordered (and maybe edited): the items' lines trade places.

        What lies between items (blank lines, comment lines) stays where it is, so a reorder and
        its inverse give back the original text byte for byte.
        """
        items = node.items
        chunks = [
            self.moved(items[i], new[j], starts[i], ends[i], dash_col) for j, i in enumerate(matches) if i is not None
        ]
        gaps = [self.text[ends[k] : starts[k + 1]] for k in range(len(items) - 1)]
        text = chunks[0] + "".join(gap + chunk for gap, chunk in zip(gaps, chunks[1:], strict=True))
        self.edits.append((starts[0], ends[-1], text, node.depth))

    def item_separator(self, starts: list[int], ends: list[int]) -> str:
        """The blank lines between items, if the author separates every item by the same blank lines."""
        gaps = {self.text[ends[i] : starts[i + 1]] for i in range(len(starts) - 1)}
        if len(gaps) == 1:
            (gap,) = gaps
            if gap and set(gap) == {"\n"}:
                return gap
        return ""

    def moved(self, item: Item, value: Any, start: int, end: int, dash_col: int) -> str:
        """A moved item's lines as they are, with its own edits if it also changed."""
        inner = Splicer(self.src, self.layout)
        inner.diff(item.node, value, Slot(item.dash + 1, dash_col, item=True))
        return apply_edits(self.text, inner.edits, start, end)

    def new_item(self, node: Node, value: Any, dash_col: int, neighbour: Item) -> str:
        """A new list item as lines, laid out like its neighbour (the gap after the dash, flow or block)."""
        layout = replace(self.layout, gap=self.item_gap(node))
        written = write_item(value, dash=dash_col, layout=layout, like=neighbour.node.raw)
        head = " " * dash_col + "-" + (" " * (layout.gap - 1) + written.first if written.first else "")
        return "\n".join([head, *written.rest]) + "\n"

    def item_gap(self, node: Node) -> int:
        """The columns from an item's dash to its text, as the author writes them in this list."""
        for item in node.items:
            if not self.src.first_on_line(item.node.start) and item.node.kind != "scalar":
                return item.node.start - item.dash
        return self.layout.gap

    def remove_items(self, gone: list[int], starts: list[int], ends: list[int], sep: str, depth: int) -> None:
        """Edits removing items' lines (and, between blank-separated items, one separation each)."""
        if not sep:
            for i in gone:
                self.edits.append((starts[i], ends[i], "", depth))
            return
        runs: list[list[int]] = []
        for i in gone:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            p, q = run[0], run[-1]
            if q + 1 < len(starts):
                self.edits.append((starts[p], starts[q + 1], "", depth))
            else:
                self.edits.append((ends[p - 1], ends[q], "", depth))

    # -- flow collections ------------------------------------------------------------------

    def flow(self, node: Node, new: Any, slot: Slot | None) -> Written:
        """A changed flow collection written again in flow style, unchanged entries copied as they are."""
        if slot is None:
            raise Unspliceable("the document root")
        if self.has_comment(node):
            raise Unspliceable("a flow collection with comments inside")
        parts = self.flow_parts(node, new)
        sep, pad = self.flow_spacing(node)
        brackets = "{}" if node.kind == "map" else "[]"
        line = brackets[0] + pad + sep.join(part.text for part in parts) + pad + brackets[1]
        column = self.value_column(node, slot)
        one_line = "\n" not in self.text[node.start : node.end]
        if column + len(line) <= (LONGEST_LINE if one_line else WRAP_AT):
            return Written(line)  # an author's one-line collection stays on one line while it fits
        indent = self.continuation_indent(node, slot)
        return wrap_flow(parts, brackets, column=column, indent=indent, sep=sep, pad=pad)

    def flow_parts(self, node: Node, new: Any) -> list[FlowPart]:
        """The entries (or items) of a flow collection holding `new`: unchanged ones as the author wrote them."""
        text = self.text
        if node.kind == "map":
            by_key = {e.key: e for e in node.entries}
            groups = _placement(list(by_key), new)
            order = [*groups.get(_FRONT, [])]
            for key in by_key:
                if key in new:
                    order += [key, *groups.get(key, [])]
            parts = []
            for key in order:
                entry = by_key.get(key)
                if entry is None:
                    parts += flow_parts({key: new[key]})
                elif same(entry.node.data, new[key]):
                    parts.append(FlowPart(text[entry.key_start : entry.end]))
                elif entry.colon < 0:
                    raise Unspliceable("a flow key without a colon")
                else:
                    prefix = text[entry.key_start : entry.colon] + " "
                    value = new[key] if isinstance(new[key], str) else None
                    parts.append(FlowPart(prefix + self.flow_value(entry.node, new[key]), prefix, value))
            return parts
        matches = match_items(node.data, new)
        like = node.items[0].node.raw if node.items else None
        parts = []
        for j, value in enumerate(new):
            i = matches[j]
            if i is None:
                parts += flow_parts([value], like)
            elif same(node.items[i].node.data, value):
                parts.append(FlowPart(text[node.items[i].node.start : node.items[i].node.end]))
            else:
                item = self.flow_value(node.items[i].node, value)
                parts.append(FlowPart(item, "", value if isinstance(value, str) else None))
        return parts

    def flow_value(self, node: Node, new: Any) -> str:
        """A changed value inside a flow collection, on one line (a scalar keeps the author's quoting)."""
        if node.flow and node.raw.value and isinstance(new, dict if node.kind == "map" else list) and new:
            sep, pad = self.flow_spacing(node)
            brackets = "{}" if node.kind == "map" else "[]"
            return brackets[0] + pad + sep.join(part.text for part in self.flow_parts(node, new)) + pad + brackets[1]
        if isinstance(new, (dict, list)):
            return flow_text(new, node.raw)
        return write_scalar(new, column=0, indent=0, style=node.style, flow=True).first or "null"

    def flow_spacing(self, node: Node) -> tuple[str, str]:
        """The author's separator between flow entries (', ') and padding inside the brackets ('' or ' ')."""
        starts = [e.key_start for e in node.entries] or [i.node.start for i in node.items]
        ends = [e.end for e in node.entries] or [i.node.end for i in node.items]
        sep = self.text[ends[0] : starts[1]] if len(starts) > 1 else ", "
        pad = self.text[node.start + 1 : starts[0]] if starts else ""
        sep = sep if re.fullmatch(r" *, *", sep) else ", "
        return sep, pad if pad in ("", " ") else ""

    def has_comment(self, node: Node) -> bool:
        """Whether a flow collection holds a comment (which writing it again would lose)."""
        spans = sorted((n.start, n.end) for n in _walk(node) if n.kind == "scalar")
        pos, rest = node.start, []
        for a, b in spans:
            rest.append(self.text[pos:a])
            pos = max(pos, b)
        rest.append(self.text[pos : node.end])
        return any("#" in part for part in rest)

    # -- writing a value in place ----------------------------------------------------------

    def value_column(self, node: Node, slot: Slot) -> int:
        """The column where a value's text starts after its ':' or '-'."""
        return self.src.col(slot.anchor) + len(self.separator(node, slot))

    def separator(self, node: Node, slot: Slot) -> str:
        """The spaces between ':' (or '-') and the value: the author's, else one (or the list's gap)."""
        between = self.text[slot.anchor : node.start]
        if node.start > slot.anchor and not between.strip(" "):
            return between
        if slot.item:
            return " " * (self.item_gap(node.parent) - 1 if node.parent else self.layout.gap - 1)
        return " "

    def continuation_indent(self, node: Node, slot: Slot) -> int:
        """The indentation of a value's second line: the author's if it had one, else one step in."""
        first_line_end = self.src.line_end(node.start)
        if node.style in ("|", ">") or node.end > first_line_end:
            following = self.text[first_line_end + 1 : node.end].split("\n")
            indents = [len(line) - len(line.lstrip(" ")) for line in following if line.strip()]
            if indents and indents[0] > slot.owner:
                return indents[0]
        if slot.item:
            return slot.owner + (self.item_gap(node.parent) if node.parent else self.layout.gap)
        return slot.owner + self.layout.step

    def written(self, node: Node, new: Any, slot: Slot | None) -> Written:
        """A new value for `node`'s place, in the style of the old one where it has one."""
        if slot is None:
            raise Unspliceable("the document root")
        column = self.value_column(node, slot)
        if not isinstance(new, (dict, list)):
            style = node.style if node.kind == "scalar" else None
            indent = self.continuation_indent(node, slot)
            return write_scalar(new, column=column, indent=indent, style=style)
        like = node.raw if node.kind != "scalar" else None
        if slot.item:
            layout = replace(self.layout, gap=self.item_gap(node.parent) if node.parent else self.layout.gap)
            return write_item(new, dash=slot.owner, layout=layout, like=like)
        return write_value(new, column=column, owner=slot.owner, layout=self.layout, like=like)

    def replace(self, node: Node, slot: Slot | None, written: Written) -> None:
        """Replace a value's text from just after its ':' or '-', keeping the comment on its line."""
        if slot is None:
            raise Unspliceable("the document root")
        src, text, a = self.src, self.text, slot.anchor
        if node.style in ("|", ">"):
            header = re.match(r"[|>][0-9+-]*", text[node.start :])
            tail_start = node.start + (header.end() if header else 1)
        elif node.start > src.line_end(a):
            tail_start = a  # a block collection starts on the next line: the comment is after the ':'
        else:
            tail_start = node.end
        tail = re.fullmatch(r"( *)(#[^\n]*)?", text[tail_start : src.line_end(tail_start)])
        if tail is None:
            raise Unspliceable("text after the value")
        comment, old_gap = tail.group(2) or "", len(tail.group(1))
        comment_col = src.col(tail_start) + old_gap
        lines = [self.separator(node, slot) + written.first if written.first else "", *written.rest]
        if comment:
            at = 0 if written.block or len(lines) == 1 else len(lines) - 1
            width = (src.col(a) if at == 0 else 0) + len(lines[at])
            pad = max(comment_col - width, min(old_gap, 2), 1)
            if width + pad + len(comment) > LONGEST_LINE:
                pad = max(min(old_gap, 2), 1)  # the comment's column is kept only while the line stays short
            lines[at] += " " * pad + comment
        self.edits.append((a, src.line_end(node.end), "\n".join(lines), node.depth))


def splice(old_text: str, old_data: Any, new_data: Any) -> str | None:
    """The old text edited locally to hold `new_data`; None if that is not possible."""
    from ruamel.yaml import YAML

    if same(old_data, new_data):
        return old_text
    if "\r" in old_text:
        return None  # a lone carriage return is a line break to YAML but not to the line arithmetic
    text = old_text if old_text.endswith("\n") else old_text + "\n"
    try:
        raw = YAML().compose(text)
        if raw is None:
            return None
        src = Source(text)
        root = build(text, raw, old_data, seen=set())
        splicer = Splicer(src, detect_layout(root, src))
        splicer.diff(root, new_data, None)
        out = apply_edits(text, splicer.edits)
    except Unspliceable:
        return None
    if text is not old_text and out.endswith("\n") and reads_as(out[:-1], new_data):
        # The author's file had no final line break; keep it that way unless the last line now ends a
        # block scalar whose value ends with a break (`d: |`), which the missing break would cut off.
        out = out[:-1]
    return out
