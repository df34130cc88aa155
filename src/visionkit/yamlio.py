"""Reading and writing YAML with ruamel.yaml: the configured round-trip parser and plain data."""

from __future__ import annotations

import datetime as _dt
import io
import re
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
        del doc[len(new) :]
        for i, value in enumerate(new):
            if i < len(doc):
                doc[i] = apply(doc[i], value)
            else:
                doc.append(styled_like(value, doc[i - 1] if i else None))
        return doc
    if to_plain(doc) == new and type(to_plain(doc)) is type(new):
        return doc
    if isinstance(doc, str) and isinstance(new, str) and type(doc) is not str:
        try:
            return type(doc)(new)  # keep a quoted or block style the author chose
        except TypeError:
            return new
    return new


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
