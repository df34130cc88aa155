"""Saves change only the lines of what changed: before/after cases in tests/corpus/saves.

Each case is a folder holding `before.yaml` and one or more steps, each an edit and the exact
text expected after it: `edit.yaml` + `after.yaml`, or numbered `edit-1.yaml` + `after-1.yaml`,
`edit-2.yaml` + `after-2.yaml`, ... (each step loads the file the previous one saved). See the
README there for the edit format.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from visionkit._yamlio import LONGEST_LINE, round_trip_yaml, same, to_plain
from visionkit._yamlsplice import splice
from visionkit.cli import demo_path
from visionkit.engagement_file import EngagementFile, parse_yaml

SAVES = Path(__file__).parents[1] / "corpus" / "saves"


@dataclass(frozen=True)
class Step:
    """One save: the edit file and the expected text."""

    edit: Path
    after: Path


@dataclass(frozen=True)
class Case:
    """A corpus case: its folder, its steps, and what is wrong with it (empty if nothing)."""

    folder: Path
    steps: tuple[Step, ...]
    problem: str = ""


def load_cases() -> list[Case]:
    """Every case folder; a malformed one is still a case, so its test fails with the reason."""
    cases = []
    for folder in sorted(p for p in SAVES.iterdir() if p.is_dir()):
        edits = sorted(folder.glob("edit*.yaml"), key=lambda p: [int(n) for n in re.findall(r"\d+", p.name)])
        steps = tuple(Step(e, folder / e.name.replace("edit", "after", 1)) for e in edits)
        problem = ""
        if not (folder / "before.yaml").is_file():
            problem = "no before.yaml"
        elif not steps:
            problem = "no edit.yaml (or edit-1.yaml, ...)"
        elif missing := [s.after.name for s in steps if not s.after.is_file()]:
            problem = f"missing {', '.join(missing)}"
        cases.append(Case(folder, steps, problem))
    return cases


CASES = load_cases()


def read_yaml(path: Path) -> Any:
    """Plain data from a small YAML file of the corpus."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def walk(data: Any, path: list[Any]) -> Any:
    """The value at `path` (keys and list positions)."""
    for part in path:
        data = data[part]
    return data


def put(mapping: dict[Any, Any], key: Any, value: Any, *, after: Any = None, first: bool = False) -> None:
    """Set a key; a new one goes last, first, or right after `after` in the mapping's order."""
    if key in mapping or (after is None and not first):
        mapping[key] = value
        return
    items = list(mapping.items())
    at = 0 if first else next(i for i, (k, _) in enumerate(items) if k == after) + 1
    items.insert(at, (key, value))
    mapping.clear()
    mapping.update(items)


def apply_edit(data: Any, edit: dict[str, Any]) -> Any:
    """The new data: `data` (the full new data) or `ops`, applied in order (see the corpus README)."""
    if "data" in edit:
        return edit["data"]
    data = copy.deepcopy(data)
    for op in edit.get("ops", []):
        if "set" in op:
            *parent, key = op["set"]
            put(walk(data, parent), key, op["value"], after=op.get("after"), first=op.get("first", False))
        elif "delete" in op:
            *parent, key = op["delete"]
            del walk(data, parent)[key]
        elif "move" in op:
            items = walk(data, op["move"])
            items.insert(op["to"], items.pop(op["from"]))
        elif "insert" in op:
            items = walk(data, op["insert"])
            items.insert(op.get("at", len(items)), op["value"])
        elif "reorder" in op:
            mapping = walk(data, op["reorder"])
            keys = op["keys"]
            reordered = {k: mapping[k] for k in keys} | {k: v for k, v in mapping.items() if k not in keys}
            mapping.clear()
            mapping.update(reordered)
        else:
            raise AssertionError(f"unknown operation {op!r}")
    return data


def stored(text: str, edit: dict[str, Any]) -> bytes:
    """The bytes of a file in the case's form: CRLF line breaks and a byte-order mark on request."""
    if edit.get("newline") == "crlf":
        text = text.replace("\n", "\r\n")
    return ("\ufeff" if edit.get("bom") else "").encode("utf-8") + text.encode("utf-8")


def check_lines(before: str, after: str) -> list[str]:
    """Lines a save wrote that are too long: over `LONGEST_LINE` without the author's own trailing comment,
    and without a word too long to wrap (over 40 characters)."""
    old = set(before.splitlines())
    too_long = []
    for line in after.splitlines():
        code, hash_, comment = line.partition(" #")
        if hash_ and hash_ + comment in before:
            line = code.rstrip()
        if line not in old and len(line) > LONGEST_LINE and max(len(word) for word in line.split()) <= 40:
            too_long.append(line)
    return too_long


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.folder.name)
def test_save_changes_only_what_changed(tmp_path: Path, case: Case) -> None:
    assert not case.problem, f"{case.folder}: {case.problem}"
    first = read_yaml(case.steps[0].edit) or {}
    path = tmp_path / "engagement.yaml"
    path.write_bytes(stored((case.folder / "before.yaml").read_text(encoding="utf-8"), first))
    for step in case.steps:
        edit = read_yaml(step.edit) or {}
        before = path.read_bytes()
        expected = stored(step.after.read_text(encoding="utf-8"), edit)
        if edit.get("render_only"):
            # Not an engagement: render without validating (save would refuse it).
            text = before.decode("utf-8-sig").replace("\r\n", "\n")
            file = EngagementFile(path, text, parse_yaml(text, str(path)), None)  # type: ignore[arg-type]
            data = apply_edit(file.data(), edit)
            path.write_bytes(stored(file.render(data), edit))
        else:
            file = EngagementFile.load(path)
            data = apply_edit(file.data(), edit)
            file.save(data)
        written = path.read_bytes()
        assert written.decode("utf-8") == expected.decode("utf-8"), f"{step.after.name} differs"
        assert written == expected
        assert same(to_plain(round_trip_yaml().load(written.decode("utf-8-sig"))), data)
        assert not check_lines(before.decode("utf-8-sig"), written.decode("utf-8-sig"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.folder.name)
def test_saving_unchanged_data_writes_the_same_bytes(tmp_path: Path, case: Case) -> None:
    if case.problem:
        pytest.skip(case.problem)
    edit = read_yaml(case.steps[-1].edit) or {}
    if edit.get("render_only"):
        pytest.skip("not an engagement")
    path = tmp_path / "engagement.yaml"
    path.write_bytes(stored(case.steps[-1].after.read_text(encoding="utf-8"), edit))
    before = path.read_bytes()
    file = EngagementFile.load(path)
    assert file.render(file.data()) == file.text
    file.save(file.data())
    assert path.read_bytes() == before


REQUIRED = {
    "assessment-three-new-keys",
    "flow-mapping-add-change-remove",
    "block-mapping-keys",
    "remove-keys",
    "clear-and-retype",
    "move-moment-up-and-back",
    "add-moment",
    "remove-first-moment",
    "remove-middle-moment",
    "remove-last-moment",
    "long-story-folded",
    "long-story-literal",
    "tricky-text",
    "comments-between-sections-and-in-lists",
    "crlf-and-bom",
    "key-added-in-front",
    "four-space-indent",
    "two-space-indentless-lists",
}


def test_the_corpus_has_every_required_case() -> None:
    assert {case.folder.name for case in CASES} >= REQUIRED


# -- random edits: every one is spliced, reads back exactly, and writes no over-long line --------

GOOD = sorted((Path(__file__).parents[1] / "corpus" / "good").glob("*.yaml"))
SOURCES = [*GOOD, demo_path(), *sorted(SAVES.glob("*/before.yaml"))]
TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            "x",
            "08:10",
            "yes",
            "a: b",
            "x # y",
            "#tag",
            "- item",
            "  leading",
            "trailing  ",
            "two\nlines",
            "ends with a break\n",
            "para one\n\npara two",
            "tab\there",
            "quote ' and \" both",
            "é😀 ünïcode",
            "word " * 40,
            ("A long sentence about a perfect day that keeps going. " * 6).strip(),
            "line one\n" + "a very long line " * 8 + "\nline three",
            "x" * 120,
        ]
    ),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=150),
)
SCALARS = st.one_of(TEXTS, st.integers(-5, 500), st.booleans(), st.none(), st.floats(allow_nan=False))


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in plain data (the root included)."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += paths(value, (*prefix, i))
    return found


def random_edit(data: Any, draw: Any) -> None:
    """One random change somewhere in `data`, in place."""
    path = draw(st.sampled_from(paths(data)))
    target = walk(data, list(path))
    if isinstance(target, dict) and target:
        key = draw(st.sampled_from(list(target)))
        choice = draw(st.sampled_from(["set", "delete", "add", "reorder"]))
        if choice == "set":
            target[key] = draw(SCALARS)
        elif choice == "delete" and len(target) > 1:
            del target[key]
        elif choice == "add":
            items = list(target.items())
            items.insert(
                draw(st.integers(0, len(items))), (draw(st.sampled_from(["new", "id", "at", "zz"])), draw(SCALARS))
            )
            target.clear()
            target.update(items)
        else:
            items = draw(st.permutations(list(target.items())))
            target.clear()
            target.update(items)
    elif isinstance(target, list) and target:
        i = draw(st.integers(0, len(target) - 1))
        choice = draw(st.sampled_from(["move", "delete", "insert"]))
        if choice == "move":
            target.insert(draw(st.integers(0, len(target) - 1)), target.pop(i))
        elif choice == "delete" and len(target) > 1:
            del target[i]
        else:
            target.insert(draw(st.integers(0, len(target))), copy.deepcopy(target[i]))
    elif path:
        *parent, last = path
        walk(data, parent)[last] = draw(SCALARS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SOURCES), draw=st.data(), edits=st.integers(1, 4))
def test_random_edits_are_spliced_and_read_back(source: Path, draw: Any, edits: int) -> None:
    text = source.read_text(encoding="utf-8")
    file = EngagementFile(source, text, parse_yaml(text, str(source)), None)  # type: ignore[arg-type]
    data = file.data()
    for _ in range(edits):
        random_edit(data, draw.draw)
    spliced = splice(text, file.data(), data)
    assert spliced is not None, "fell back to the full dump"
    assert same(to_plain(round_trip_yaml().load(spliced)), data)
    assert file.render(data) == spliced
    assert not check_lines(text, spliced)


def lists(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every list of two or more items."""
    return [p for p in paths(data, prefix) if isinstance(walk(data, list(p)), list) and len(walk(data, list(p))) > 1]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SOURCES), draw=st.data())
def test_moving_items_moves_their_lines_and_moving_back_restores_the_file(source: Path, draw: Any) -> None:
    text = source.read_text(encoding="utf-8")
    doc = parse_yaml(text, str(source))
    file = EngagementFile(source, text, doc, None)  # type: ignore[arg-type]
    data = file.data()
    candidates = lists(data)
    if not candidates:
        return
    path = list(draw.draw(st.sampled_from(candidates)))
    items = walk(data, path)
    order = draw.draw(st.permutations(range(len(items))))
    items[:] = [items[i] for i in order]
    moved = splice(text, file.data(), data)
    assert moved is not None
    if not walk(doc, path).fa.flow_style():
        assert sorted(moved.splitlines()) == sorted(text.splitlines())  # lines moved, none rewritten
    assert same(to_plain(round_trip_yaml().load(moved)), data)
    back = EngagementFile(source, moved, parse_yaml(moved, str(source)), None)  # type: ignore[arg-type]
    assert back.render(file.data()) == text
