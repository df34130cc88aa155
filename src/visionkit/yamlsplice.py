"""Minimal-change YAML saving: splice only what changed into the author's original text.

ruamel.yaml's round trip keeps comments and key order but re-flows some untouched text
(a plain scalar folded over several lines comes back on one line). To keep untouched
parts byte for byte, a save dumps the updated document with ruamel.yaml, works out which
values, keys and list items changed, and copies just their text from the dump into the
original: a changed value replaces the old one, an added list item or key is inserted
after its neighbour, a removed one is cut out. The caller parses the result again and
falls back to the full dump on any mismatch.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

Path = tuple[Any, ...]


@dataclass
class Spans:
    """Where each node of a YAML text sits: value spans, node starts and ends, key starts."""

    value: dict[Path, tuple[int, int]] = field(default_factory=dict)  # from after the key, or the item start
    start: dict[Path, int] = field(default_factory=dict)  # the node's own first character
    key: dict[Path, int] = field(default_factory=dict)  # a mapping entry's key


class Unspliceable(Exception):
    """The change cannot be expressed as local edits; use the full dump."""


def _node_end(node: Any) -> int:
    """Where a node's own text ends: block collections stop at their last scalar, not at trailing comments."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _node_end(last[1] if isinstance(node, MappingNode) else last)
    return int(node.end_mark.index)


def _key_value(key_node: Any) -> Any:
    from ruamel.yaml import YAML

    if key_node.tag.endswith(":int"):
        try:
            return int(YAML(typ="safe", pure=True).load(key_node.value))
        except (ValueError, TypeError):
            return key_node.value
    return key_node.value


def _walk(node: Any, path: Path, start: int, spans: Spans) -> None:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    spans.value[path] = (start, _node_end(node))
    spans.start[path] = int(node.start_mark.index)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = _key_value(key_node)
            spans.key[(*path, key)] = int(key_node.start_mark.index)
            # A value's span starts right after its key, so ': ' and the line break come along.
            _walk(value_node, (*path, key), int(key_node.end_mark.index), spans)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), int(item.start_mark.index), spans)


def node_spans(text: str) -> Spans:
    """The spans of every node of a YAML text, keyed by data path."""
    from ruamel.yaml import YAML

    spans = Spans()
    root = YAML().compose(text)
    if root is not None:
        _walk(root, (), int(root.start_mark.index), spans)
    return spans


Edit = tuple[int, int, str]  # replace old[a:b] with this text


class _Differ:
    def __init__(self, old_spans: Spans, new_spans: Spans, new_text: str):
        self.o, self.n, self.text = old_spans, new_spans, new_text
        self.edits: list[Edit] = []

    def end_old(self, path: Path) -> int:
        return self.o.value[path][1]

    def end_new(self, path: Path) -> int:
        return self.n.value[path][1]

    def replace(self, opath: Path, npath: Path) -> None:
        if opath == () or opath not in self.o.value or npath not in self.n.value:
            raise Unspliceable
        a, b = self.o.value[opath]
        c, d = self.n.value[npath]
        self.edits.append((a, b, self.text[c:d]))

    def diff(self, old: Any, new: Any, opath: Path, npath: Path) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            self._mapping(old, new, opath, npath)
        elif isinstance(old, list) and isinstance(new, list):
            self._sequence(old, new, opath, npath)
        elif type(old) is not type(new) or old != new:
            self.replace(opath, npath)

    def _mapping(self, old: dict[Any, Any], new: dict[Any, Any], opath: Path, npath: Path) -> None:
        kept = [k for k in old if k in new]
        if [k for k in new if k in old] != kept or not kept:
            self.replace(opath, npath)
            return
        okeys = list(old)
        for i, key in enumerate(okeys):
            if key in new:
                continue
            if i > 0:
                self.edits.append((self.end_old((*opath, okeys[i - 1])), self.end_old((*opath, key)), ""))
            else:
                nxt = next(k for k in okeys[i + 1 :] if k in new)
                self.edits.append((self.o.key[(*opath, key)], self.o.key[(*opath, nxt)], ""))
        nkeys = list(new)
        i = 0
        while i < len(nkeys):
            if nkeys[i] in old:
                i += 1
                continue
            j = i
            while j < len(nkeys) and nkeys[j] not in old:
                j += 1
            if i == 0:
                self.replace(opath, npath)  # a key added in front: re-emit the mapping
                return
            before = nkeys[i - 1]
            text = self.text[self.end_new((*npath, before)) : self.end_new((*npath, nkeys[j - 1]))]
            at = self.end_old((*opath, before))
            self.edits.append((at, at, text))
            i = j
        for key in kept:
            self.diff(old[key], new[key], (*opath, key), (*npath, key))

    def _sequence(self, old: list[Any], new: list[Any], opath: Path, npath: Path) -> None:
        def ident(x: Any) -> str:
            return json.dumps(x, sort_keys=True, default=str)

        matcher = difflib.SequenceMatcher(None, [ident(x) for x in old], [ident(x) for x in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace":
                if i2 - i1 != j2 - j1:
                    self.replace(opath, npath)
                    return
                for k in range(i2 - i1):
                    self.diff(old[i1 + k], new[j1 + k], (*opath, i1 + k), (*npath, j1 + k))
            elif tag == "delete":
                if i1 > 0:
                    self.edits.append((self.end_old((*opath, i1 - 1)), self.end_old((*opath, i2 - 1)), ""))
                elif i2 < len(old):
                    self.edits.append((self.o.start[(*opath, i1)], self.o.start[(*opath, i2)], ""))
                else:
                    self.replace(opath, npath)
                    return
            elif tag == "insert":
                if i1 > 0:
                    text = self.text[self.end_new((*npath, j1 - 1)) : self.end_new((*npath, j2 - 1))]
                    at = self.end_old((*opath, i1 - 1))
                elif old:
                    text = self.text[self.n.start[(*npath, j1)] : self.n.start[(*npath, j2)]]
                    at = self.o.start[(*opath, 0)]
                else:
                    self.replace(opath, npath)
                    return
                self.edits.append((at, at, text))


def splice(old_text: str, old_data: Any, new_text: str, new_data: Any) -> str | None:
    """The old text edited locally to hold `new_data`, taking new parts from `new_text`; None if not possible."""
    try:
        differ = _Differ(node_spans(old_text), node_spans(new_text), new_text)
        differ.diff(old_data, new_data, (), ())
    except (Unspliceable, KeyError, StopIteration):
        return None
    except Exception:  # noqa: BLE001 - any composer failure means "fall back to the full dump"
        return None
    out = old_text
    last_start = len(out) + 1
    for a, b, text in sorted(differ.edits, key=lambda e: (e[0], e[1]), reverse=True):
        if b > last_start:
            return None  # overlapping edits: let the caller use the full dump
        out = out[:a] + text + out[b:]
        last_start = a
    return out
