"""Minimal-change YAML saving: splice only what changed into the author's original text.

ruamel.yaml's round trip keeps comments and key order but re-flows some untouched text
(a plain scalar folded over several lines comes back on one line). To keep untouched
parts byte for byte, a save dumps the updated document with ruamel.yaml, finds the
nodes whose data changed, and copies just those nodes' text from the dump into the
original. The result is parsed again and checked; on any mismatch the full dump is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Path = tuple[Any, ...]
Span = tuple[int, int]


def changed_paths(old: Any, new: Any, path: Path = ()) -> list[Path]:
    """The smallest set of paths at which `new` differs from `old` (a changed collection shape counts whole)."""
    if isinstance(old, dict) and isinstance(new, dict):
        if list(old) != list(new):
            return [path]
        out: list[Path] = []
        for key in old:
            out.extend(changed_paths(old[key], new[key], (*path, key)))
        return out
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [path]
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out.extend(changed_paths(a, b, (*path, i)))
        return out
    if type(old) is not type(new) or old != new:
        return [path]
    return []


def _node_end(node: Any) -> int:
    """Where a node's own text ends: block collections stop at their last scalar, not at trailing comments."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _node_end(last[1] if isinstance(node, MappingNode) else last)
    return int(node.end_mark.index)


def _spans(node: Any, path: Path, start: int) -> Iterator[tuple[Path, Span]]:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    yield path, (start, _node_end(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = _key_value(key_node)
            # A value's span starts right after its key, so ': ' and the line break come along.
            yield from _spans(value_node, (*path, key), int(key_node.end_mark.index))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _spans(item, (*path, i), int(item.start_mark.index))


def _key_value(key_node: Any) -> Any:
    from ruamel.yaml import YAML

    text = key_node.value
    if key_node.tag.endswith(":int"):
        try:
            return int(YAML(typ="safe", pure=True).load(text))
        except (ValueError, TypeError):
            return text
    return text


def node_spans(text: str) -> dict[Path, Span]:
    """For every node of a YAML text, the character span of its text, keyed by data path."""
    from ruamel.yaml import YAML

    root = YAML().compose(text)
    if root is None:
        return {}
    return dict(_spans(root, (), int(root.start_mark.index)))


def splice(old_text: str, new_text: str, paths: list[Path]) -> str | None:
    """The old text with the nodes at `paths` replaced by their text in `new_text`; None if not possible."""
    if not paths:
        return old_text
    if () in paths:
        return None
    try:
        old_spans = node_spans(old_text)
        new_spans = node_spans(new_text)
    except Exception:  # noqa: BLE001 - any composer failure means "fall back to the full dump"
        return None
    edits = []
    for path in paths:
        if path not in old_spans or path not in new_spans:
            return None
        (a, b), (c, d) = old_spans[path], new_spans[path]
        edits.append((a, b, new_text[c:d]))
    edits.sort(reverse=True)
    out = old_text
    last_start = len(out) + 1
    for a, b, replacement in edits:
        if b > last_start:
            return None  # overlapping edits: let the caller use the full dump
        out = out[:a] + replacement + out[b:]
        last_start = a
    return out
