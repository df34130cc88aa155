"""Three-way merge of engagement data: `merge(base, mine, theirs)`, its `Merge` result and each `Conflict`.

The workshop edits an engagement's data in memory while the file may change on disk. `merge` takes the data
as last loaded or saved (base), the workshop's data (mine) and the data now on disk (theirs), keeps every
change that only one side made, and reports a `Conflict` wherever both sides changed the same field
differently, so the user chooses; nothing is dropped without a choice. Pure: plain data in and out, no I/O.

Rules, in short:
- a value one side left as it was takes the other side's value; equal changes are taken once; values of
  different types (1, 1.0, True) are different values;
- mappings merge key by key; the result keeps mine's key order, with keys only theirs has placed after the
  key that precedes them in theirs;
- list items are matched across versions by their `id` when they have one, otherwise by aligning them with
  base (an item edited in place keeps its position, an identical item elsewhere is a move); matched items
  merge recursively, inserts from both sides are kept (mine's first), and an item deleted on one side but
  changed on the other is a conflict on the whole item;
- lists of numbers of one length in all three versions (capacity per wave) merge position by position;
  other lists of plain values (exclusions, keywords) merge as ordered sets: the additions and removals of
  both sides are kept.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import enum
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias

Path: TypeAlias = tuple[Hashable, ...]
"""Where a conflict is: mapping keys and list positions (from 0) into the merged tree; see `Conflict.path`."""
Side: TypeAlias = Literal["mine", "theirs"]
"""Which version's value settles a conflict."""

_SEP: Final = " › "


class _Missing(enum.Enum):
    """The type of `MISSING`."""

    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing.MISSING
"""The value of a field or item that a version does not have (never there, or deleted)."""


@dataclass(frozen=True)
class Conflict:
    """One field or item that both sides changed, differently: the three values and where it is."""

    path: Path
    """Keys and list positions into the merged tree, in which every conflict holds a place. They index
    `Merge.data` directly, except that in a list where an earlier conflict's mine side is a deletion (absent
    from `data`) the later positions count that item too. Unique within a merge: the key for `resolved`."""
    base: Any
    """The value both sides started from (`MISSING` if both added it)."""
    mine: Any
    """The workshop's value (`MISSING` if mine deleted it)."""
    theirs: Any
    """The value on disk (`MISSING` if theirs deleted it)."""
    where: str
    """Human words for the path, e.g. "Priya's perfect Saturday › moment at 08:10 › story"."""

    def label(self, data: Any = None) -> str:
        """Human words for where this conflict is (`data` is accepted and ignored: the words are set at merge)."""
        return self.where


@dataclass(frozen=True)
class Merge:
    """The merged data (mine provisionally chosen at each conflict) and the conflicts left to choose."""

    data: Any
    conflicts: list[Conflict]
    _tree: Any = field(repr=False, compare=False)

    @property
    def clean(self) -> bool:
        """True when nothing conflicts, so `data` is final."""
        return not self.conflicts

    def resolved(self, choices: Mapping[Path, Side]) -> Any:
        """The merged data with each conflict settled as chosen; every conflict must be chosen."""
        known = {c.path for c in self.conflicts}
        unknown = [p for p in choices if p not in known]
        if unknown:
            raise ValueError(f"no conflict at {', '.join(map(repr, unknown))}")
        wrong = [f"{p!r}: {s!r}" for p, s in choices.items() if s not in ("mine", "theirs")]
        if wrong:
            raise ValueError(f"choose 'mine' or 'theirs', not {', '.join(wrong)}")
        missing = [c.where for c in self.conflicts if c.path not in choices]
        if missing:
            raise ValueError(f"choose mine or theirs for: {'; '.join(missing)}")
        return _settle(self._tree, choices)


class _Slot:
    """A place in the merged tree where both sides changed the value differently."""

    __slots__ = ("base", "mine", "path", "theirs")

    def __init__(self, base: Any, mine: Any, theirs: Any) -> None:
        self.base, self.mine, self.theirs = base, mine, theirs
        self.path: Path = ()


def merge(base: Any, mine: Any, theirs: Any) -> Merge:
    """Merge mine's and theirs' changes to base; both-sided different changes become conflicts."""
    # Copied first, so the caller's data is never aliased by the result or changed by later edits to it.
    tree = _merge_value(copy.deepcopy(base), copy.deepcopy(mine), copy.deepcopy(theirs))
    slots = list(_slots(tree, ()))
    conflicts = [_conflict(tree, slot) for slot in slots]
    provisional = _settle(tree, {slot.path: "mine" for slot in slots})
    return Merge(provisional, conflicts, tree)


def _merge_value(base: Any, mine: Any, theirs: Any) -> Any:
    """One merged node: a value, `MISSING` (deleted) or a `_Slot` (a conflict)."""
    if _same(mine, theirs):
        return mine
    if _same(mine, base):
        return theirs
    if _same(theirs, base):
        return mine
    if mine is MISSING or theirs is MISSING:
        return _Slot(base, mine, theirs)  # deleted on one side, changed on the other
    # A mapping both added (or both filled in under an empty `key:`) merges key by key from nothing.
    if isinstance(mine, dict) and isinstance(theirs, dict) and _empty_or_dict(base):
        return _merge_dict(base if isinstance(base, dict) else {}, mine, theirs)
    if isinstance(mine, list) and isinstance(theirs, list) and isinstance(base, list):
        return _merge_list(base, mine, theirs)
    return _Slot(base, mine, theirs)


def _empty_or_dict(value: Any) -> bool:
    """Whether a value is a mapping, or nothing a mapping could have been added to."""
    return isinstance(value, dict) or value is MISSING or value is None


def _merge_dict(base: dict[Any, Any], mine: dict[Any, Any], theirs: dict[Any, Any]) -> dict[Any, Any]:
    """Merge mappings key by key, in mine's key order with theirs' new keys after their predecessor."""
    merged: dict[Any, Any] = {}
    for key in _interleave(list(mine), list(theirs), mine_first=True):
        value = _merge_value(base.get(key, MISSING), mine.get(key, MISSING), theirs.get(key, MISSING))
        if value is not MISSING:
            merged[key] = value
    return merged


_Entry: TypeAlias = tuple[str, int]
"""An item of the merged list: ("b", base index), ("m", mine index) or ("t", theirs index)."""


def _merge_list(base: list[Any], mine: list[Any], theirs: list[Any]) -> list[Any]:
    """Merge lists item by item, items matched by id or by alignment with base."""
    if len(base) == len(mine) == len(theirs) and all(map(_is_number, [*base, *mine, *theirs])):
        # Numbers in the same number of places (capacity per wave): each position is a field. Text lists
        # (exclusions, keywords) are ordered sets instead, merged below.
        return [_merge_value(b, m, t) for b, m, t in zip(base, mine, theirs, strict=True)]
    from_mine, from_theirs = _match(base, mine), _match(base, theirs)
    twins = _match_inserts(mine, theirs, from_mine, from_theirs)
    seq_mine: list[_Entry] = [("b", from_mine[j]) if j in from_mine else ("m", j) for j in range(len(mine))]
    seq_theirs: list[_Entry] = [_theirs_entry(k, from_theirs, twins) for k in range(len(theirs))]
    values = _entry_values(base, mine, theirs, seq_mine, seq_theirs)
    mine_first = _reordered(seq_mine, seq_theirs) or not _reordered(seq_theirs, seq_mine)
    primary, secondary = (seq_mine, seq_theirs) if mine_first else (seq_theirs, seq_mine)
    order = _interleave(primary, secondary, mine_first=mine_first)
    return [values[e] for e in order if values[e] is not MISSING]


def _theirs_entry(k: int, from_theirs: dict[int, int], twins: dict[int, int]) -> _Entry:
    """The merged-list entry of theirs' item `k`: its base item, mine's identical insert, or its own."""
    if k in from_theirs:
        return ("b", from_theirs[k])
    return ("m", twins[k]) if k in twins else ("t", k)


def _entry_values(
    base: list[Any], mine: list[Any], theirs: list[Any], seq_mine: list[_Entry], seq_theirs: list[_Entry]
) -> dict[_Entry, Any]:
    """The merged value of every entry (`MISSING` for an item deleted without conflict)."""
    in_mine = {e: mine[j] for j, e in enumerate(seq_mine)}
    in_theirs = {e: theirs[k] for k, e in enumerate(seq_theirs)}
    values: dict[_Entry, Any] = {}
    for entry in [*seq_mine, *seq_theirs]:  # an item neither side kept was deleted by both
        if entry not in values:
            was = base[entry[1]] if entry[0] == "b" else MISSING
            values[entry] = _merge_value(was, in_mine.get(entry, MISSING), in_theirs.get(entry, MISSING))
    return values


def _reordered(seq: list[_Entry], other: list[_Entry]) -> bool:
    """Whether `seq` changed the base order of the base items that `other` also kept."""
    kept = set(other)
    positions = [i for kind, i in seq if kind == "b" and (kind, i) in kept]
    return positions != sorted(positions)


def _interleave(primary: list[Any], secondary: list[Any], *, mine_first: bool) -> list[Any]:
    """`primary`, with what only `secondary` has placed after its predecessor in `secondary`."""
    result = list(primary)
    shared = set(primary) & set(secondary)
    own = set(primary) - shared
    cursor = -1
    for entry in secondary:
        if entry in shared:
            cursor = result.index(entry)
            continue
        cursor += 1
        # Inserts of both sides at one spot: mine's come first, whichever side gives the order.
        while mine_first and cursor < len(result) and result[cursor] in own:
            cursor += 1
        result.insert(cursor, entry)
    return result


def _match(base: list[Any], side: list[Any]) -> dict[int, int]:
    """Which base item each item of `side` continues, as {side index: base index}."""
    matched = _match_ids(base, range(len(base)), side, range(len(side)))
    taken = set(matched.values())
    # Only items not matched by id are compared whole: a perfect day's text is long, its id is short.
    canon_base = {i: _canon(base[i]) for i in range(len(base)) if i not in taken}
    canon_side = {j: _canon(side[j]) for j in range(len(side)) if j not in matched}
    rest_base, rest_side = list(canon_base), list(canon_side)
    aligner = difflib.SequenceMatcher(None, list(canon_base.values()), list(canon_side.values()), autojunk=False)
    replaced: list[tuple[list[int], list[int]]] = []
    for tag, i1, i2, j1, j2 in aligner.get_opcodes():
        if tag == "equal":
            matched.update(zip(rest_side[j1:j2], rest_base[i1:i2], strict=True))
        elif tag == "replace":
            replaced.append((rest_base[i1:i2], rest_side[j1:j2]))
    # Moves before in-place edits: an identical item elsewhere is the same item, not an edit of another.
    _match_identical(canon_base, canon_side, matched)
    for olds, news in replaced:
        _match_in_place(base, olds, side, news, matched)
    return matched


def _match_ids(a: list[Any], a_idx: Iterable[int], b: list[Any], b_idx: Iterable[int]) -> dict[int, int]:
    """Pair items of `b` with items of `a` that carry the same id, as {b index: a index}."""
    ids_a, ids_b = _unique_ids(a, a_idx), _unique_ids(b, b_idx)
    return {j: ids_a[key] for key, j in ids_b.items() if key in ids_a}


def _unique_ids(items: list[Any], indices: Iterable[int]) -> dict[str, int]:
    """{id: index} of the items whose id no other item repeats (a repeated id identifies nothing)."""
    seen: dict[str, list[int]] = {}
    for i in indices:
        key = _ident(items[i])
        if key is not None:
            seen.setdefault(key, []).append(i)
    return {key: found[0] for key, found in seen.items() if len(found) == 1}


def _match_identical(canon_a: dict[int, str], canon_b: dict[int, str], matched: dict[int, int]) -> None:
    """Pair still-unmatched items of `b` with identical unmatched items of `a`, in order ({index: canon})."""
    taken = set(matched.values())
    free: dict[str, list[int]] = {}
    for i, text in canon_a.items():
        if i not in taken:
            free.setdefault(text, []).append(i)
    for j, text in canon_b.items():
        if j not in matched and free.get(text):
            matched[j] = free[text].pop(0)


def _match_in_place(a: list[Any], olds: list[int], b: list[Any], news: list[int], matched: dict[int, int]) -> None:
    """Pair the items of a replaced block that were edited in place, in order."""
    taken = set(matched.values())
    olds = [i for i in olds if i not in taken]
    news = [j for j in news if j not in matched]
    if len(olds) == len(news):  # as many went as came: each was edited where it stood
        matched.update((j, i) for i, j in zip(olds, news, strict=True) if _editable(a[i], b[j]))
        return
    # Otherwise items were also deleted or inserted here (a moment removed, its neighbour edited): pair each new
    # item with the most alike old one after the last pair, if at least half of it survived.
    start = 0
    for j in news:
        scores = [(_likeness(a[i], b[j]), -k) for k, i in enumerate(olds[start:], start) if _editable(a[i], b[j])]
        best = max(scores, default=(0.0, 0))
        if best[0] >= 0.5:
            matched[j] = olds[-best[1]]
            start = -best[1] + 1


def _likeness(old: Any, new: Any) -> float:
    """The share of an item that an edit left as it was: fields of a mapping, items of a list."""
    if isinstance(old, dict) and isinstance(new, dict):
        kept = sum(1 for key, value in old.items() if key in new and _same(value, new[key]))
        return kept / max(len(old), len(new), 1)
    if isinstance(old, list) and isinstance(new, list):
        return difflib.SequenceMatcher(None, list(map(_canon, old)), list(map(_canon, new)), autojunk=False).ratio()
    return 0.0


def _editable(old: Any, new: Any) -> bool:
    """Whether `new` may be `old` edited: both mappings not told apart by ids, or both lists."""
    if isinstance(old, dict) and isinstance(new, dict):
        ids = _ident(old), _ident(new)
        return ids[0] is None or ids[1] is None or ids[0] == ids[1]
    # A plain value replaced by another is a removal and an addition (ordered-set lists), never an edit.
    return isinstance(old, list) and isinstance(new, list)


def _match_inserts(
    mine: list[Any], theirs: list[Any], from_mine: dict[int, int], from_theirs: dict[int, int]
) -> dict[int, int]:
    """Pair items both sides inserted (same new id, or identical), as {theirs index: mine index}."""
    new_mine = [j for j in range(len(mine)) if j not in from_mine]
    new_theirs = [k for k in range(len(theirs)) if k not in from_theirs]
    twins = _match_ids(mine, new_mine, theirs, new_theirs)
    _match_identical({j: _canon(mine[j]) for j in new_mine}, {k: _canon(theirs[k]) for k in new_theirs}, twins)
    return twins


def _ident(item: Any) -> str | None:
    """An item's identity: its `id` (canonical form) when it is a mapping that has one."""
    if isinstance(item, dict) and item.get("id") is not None:
        return _canon(item["id"])
    return None


def _is_number(value: Any) -> bool:
    """Whether a value is a number (not a flag)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(a: Any, b: Any) -> bool:
    """Strict equality: same types throughout (1, 1.0 and True differ), same key order, NaN equals NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        return len(a) == len(b) and all(
            _same(ka, kb) and _same(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return float.hex(a) == float.hex(b)  # tells -0.0 from 0.0, and NaN is itself
    return bool(a == b)


def _canon(value: Any) -> str:
    """A canonical text of a value for matching: one text per value, types kept, mapping key order ignored."""
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{_canon(k)}:{_canon(v)}" for k, v in value.items())) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(_canon, value)) + "]"
    kind = type(value)
    if kind is float:
        return f"(float {value.hex()})"
    # The repr of a tuple is self-delimiting, so the texts of containers above cannot run together.
    if kind in (str, int, bool) or value is None:
        return repr((kind.__name__, value))
    return repr((kind.__qualname__, repr(value)))


def _slots(node: Any, path: Path) -> Iterator[_Slot]:
    """The conflicts in a merged tree, in document order, each told its path."""
    if isinstance(node, _Slot):
        node.path = path
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _slots(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _slots(value, (*path, index))


def _conflict(tree: Any, slot: _Slot) -> Conflict:
    """The public record of one conflict, with copies of its values."""
    values = copy.deepcopy((slot.base, slot.mine, slot.theirs))
    return Conflict(slot.path, *values, where=_label(tree, slot.path))


def _settle(node: Any, choices: Mapping[Path, Side]) -> Any:
    """A fresh copy of a merged tree with each conflict replaced by the chosen side's value."""
    if isinstance(node, _Slot):
        return copy.deepcopy(node.mine if choices[node.path] == "mine" else node.theirs)
    if isinstance(node, dict):
        settled = {key: _settle(value, choices) for key, value in node.items()}
        return {key: value for key, value in settled.items() if value is not MISSING}
    if isinstance(node, list):
        return [value for value in (_settle(v, choices) for v in node) if value is not MISSING]
    return node


# How list items are named in labels, by the key of their list: the word for one item, the fields that name
# it (best first), and whether the list's key stays in the label ("scenario › capacity › wave 2") or the
# item's name stands for it ("Priya's perfect Saturday", not "perfect_days › Priya's perfect Saturday").
_ITEM_NAMES: Final[dict[Hashable, tuple[str, tuple[str, ...], bool]]] = {
    "perfect_days": ("perfect day", ("title", "id"), False),
    "moments": ("moment", ("at", "id"), False),
    "capabilities": ("capability", ("id", "name"), False),
    "scenarios": ("scenario", ("name",), False),
    "capacity": ("wave", (), True),
}
_ANY_ITEM: Final = ("item", ("title", "name", "id"), True)


def _label(tree: Any, path: Path) -> str:
    """Human words for a path in the merged tree, naming list items by title, time or id."""
    words: list[str] = []
    node, key = tree, None
    for step in path:
        if isinstance(node, list) and isinstance(step, int):
            word, fields, keep_key = _ITEM_NAMES.get(key, _ANY_ITEM) if key is not None else _ANY_ITEM
            if key is not None and not keep_key:
                words.pop()
            words.append(_item_name(node, step, word, fields))
            key = None
        else:
            words.append(str(step))
            key = step
        node = _view(node[step])
    return _SEP.join(words) or "the whole engagement"


def _item_name(items: list[Any], index: int, word: str, fields: tuple[str, ...]) -> str:
    """The name of one list item: its title, "moment at 08:10", "capability <id>", or its position."""
    name = _naming_field(_view(items[index]), fields)
    others = [_naming_field(_view(x), fields) for i, x in enumerate(items) if i != index]
    if name is None or name in others:  # a name two items share names neither: say the position
        return f"{word} {index + 1}"
    field_name, text = name
    if field_name == "title":
        return text
    return f"{word} at {text}" if field_name == "at" else f"{word} {text}"


def _naming_field(item: Any, fields: tuple[str, ...]) -> tuple[str, str] | None:
    """The first of `fields` that names the item, and its text."""
    if not isinstance(item, dict):
        return None
    for name in fields:
        value = _view(item.get(name))
        if isinstance(value, str | int | datetime.date) and not isinstance(value, bool) and str(value).strip():
            return name, str(value)
    return None


def _view(node: Any) -> Any:
    """A node as labels read it: a conflict reads as its base value, else mine's, else theirs'."""
    if isinstance(node, _Slot):
        return next((v for v in (node.base, node.mine, node.theirs) if v is not MISSING), None)
    return node
