"""Fuzzing the loader and the planner with mutations of valid engagement files.

Whatever the mutation, loading has two allowed outcomes: an engagement, or `EngagementError`
with located problems. A loaded engagement is then planned: a roadmap, or `EngagementError`.
Any other exception, or an example running longer than `ALARM_SECONDS`, fails the test.
Set VISIONKIT_FUZZ_EXAMPLES to run more examples than the default (e.g. 5000 overnight).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from visionkit._yamlio import dump
from visionkit.cli import demo_path
from visionkit.engagement_file import EngagementFile
from visionkit.errors import EngagementError
from visionkit.planner import plan
from visionkit.roadmap import Roadmap

SOURCES = [*sorted((Path(__file__).parents[1] / "corpus" / "good").glob("*.yaml")), demo_path()]
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in SOURCES}
EXAMPLES = int(os.environ.get("VISIONKIT_FUZZ_EXAMPLES", "250"))
ALARM_SECONDS = 20
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=dt.timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("VISIONKIT_FUZZ_RANDOM") is None,  # reproducible in CI, random on demand
)

# Fragments that tend to break YAML or the schema in interesting ways.
YAML_BITS = [
    ":", ": ", "- ", "-", "\t", "  ", "\n", "\n  ", '"', "'", "#", "{", "}", "[", "]", ",", "&a ", "*a", "!",
    "!!str ", "!!python/object:os.system ", "? ", "|", ">", "%", "@", "`", "---\n", "...\n", "<<: ", "\ufeff",
    "\r\n", "\x00", "\x85", "\u2028", "é", "😀", "~", "null", "yes", "0x1F", "1e400", ".nan", "-.inf",
    "2027-02-30", "2027-Q5", "8:10", "8.10",
]  # fmt: skip

SCALAR_TEXT = st.sampled_from(
    [
        "", "~", "null", "true", "false", "yes", "no", "0", "-1", "6", "200", "201", "1e400", ".nan", "-.inf",
        "0x1F", "0o17", "1_000", "2.5", "2027", "2027-Q1", "2027-Q5", "Q1 2027", "2027-02-30", "2027-13-01",
        "2027-01-04T10:00:00+01:00", "08:10", "8.10", "[]", "{}", "[1, 2]", "{a: 1}", '""', "''", "'x'",
        "customer-360", "customer-36", "customer-360@9", "value", "fastest", "quarter", "#zzz", "\"#1f4e79\"",
        "!!int x", "!!float x", "!!bool x", "!!null x", "!!timestamp x", "*a", "&a x", "- a", "a: b", "? a",
    ]
)  # fmt: skip

PLAIN_KEYS = st.one_of(
    st.sampled_from(["id", "needs", "story", "requires", "requires_at", "capacity", "waves", "start", "pin", "x"]),
    st.integers(min_value=-2, max_value=7),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
    st.none(),
    st.booleans(),
)
PLAIN_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    st.sampled_from(["customer-360", "next-best-action", "same-day-courier", "priya-saturday", "2027-Q1"]),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
)
PLAIN_VALUES = st.recursive(
    PLAIN_SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(PLAIN_KEYS, children, max_size=4)),
    max_leaves=12,
)


class Hang(Exception):
    """An example ran for longer than ALARM_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail the example if it takes longer than `seconds` (a hang, not a slow run)."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_outcome(text: str) -> str:
    """Load `text` and plan what loads; return the outcome, failing on anything not allowed."""
    lines = text.count("\n") + text.count("\r") + 2
    with time_limit(ALARM_SECONDS):
        try:
            file = EngagementFile.from_text(text, Path("x.yaml"))
        except EngagementError as exc:
            assert exc.problems, "an EngagementError must carry at least one problem"
            for problem in exc.problems:
                assert problem.file == "x.yaml"
                assert isinstance(problem.message, str) and problem.message
                assert problem.line is None or 1 <= problem.line <= lines, problem
                assert (problem.line is None) == (problem.column is None), problem
            assert str(exc)
            return "refused"
        try:
            roadmap = plan(file.engagement)
        except EngagementError as exc:
            assert exc.problems
            return "loaded, plan refused"
        assert isinstance(roadmap, Roadmap)
        assert roadmap.summary()
        return "planned"


@st.composite
def text_mutations(draw: st.DrawFn) -> str:
    """A good file's text with 1-4 character- or line-level mutations."""
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        lines = text.split("\n")
        kind = draw(
            st.sampled_from(["insert", "delete", "swap", "indent", "value", "drop-line", "duplicate-line", "truncate"])
        )
        if kind == "insert":
            at = draw(st.integers(min_value=0, max_value=len(text)))
            bit = draw(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=4)))
            text = text[:at] + bit + text[at:]
        elif kind == "delete":
            at = draw(st.integers(min_value=0, max_value=max(len(text) - 1, 0)))
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=30)) :]
        elif kind == "truncate":
            text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
        else:
            i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            if kind == "swap":
                j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            elif kind == "indent":
                shift = draw(st.sampled_from([-4, -2, -1, 1, 2, 4, 0]))
                line = lines[i]
                lines[i] = "\t" + line if shift == 0 else (" " * shift + line if shift > 0 else line[-shift:])
            elif kind == "value":
                key, sep, _ = lines[i].partition(": ")
                lines[i] = key + (sep or ": ") + draw(SCALAR_TEXT)
            elif kind == "drop-line":
                del lines[i]
            else:
                lines.insert(i, lines[i])
            text = "\n".join(lines)
    return text


def paths_in(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside plain data."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths_in(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths_in(value, (*prefix, index))


@st.composite
def data_mutations(draw: st.DrawFn) -> str:
    """A good file's data with 1-3 values replaced, keys deleted or renamed, or list items duplicated."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    data = EngagementFile.from_text(TEXTS[name], Path(name)).data()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(paths_in(data))))
        if not path:
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        kind = draw(st.sampled_from(["replace", "delete", "rename", "duplicate"]))
        if kind == "replace":
            parent[last] = draw(PLAIN_VALUES)
        elif kind == "delete":
            del parent[last]
        elif kind == "rename" and isinstance(parent, dict):
            new_key = draw(PLAIN_KEYS)
            parent[new_key] = parent.pop(last)
        elif kind == "duplicate" and isinstance(parent, list):
            parent.insert(last, parent[last])
    return str(dump(data))


@FUZZ
@given(text_mutations())
def test_mutated_text_loads_or_is_refused(text: str) -> None:
    event(check_outcome(text))


@FUZZ
@given(data_mutations())
def test_mutated_data_loads_or_is_refused(text: str) -> None:
    event(check_outcome(text))


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text_loads_or_is_refused(text: str) -> None:
    event(check_outcome(text))


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_unmutated_sources_plan(name: str) -> None:
    assert check_outcome(TEXTS[name]) == "planned"


ENGAGEMENTS = {name: EngagementFile.from_text(text, Path(name)).engagement for name, text in TEXTS.items()}
CAPABILITY_REFS = st.one_of(
    st.sampled_from(["customer-360", "customer-360@3", "customer-360@9", "same-day-courier@1", "nope", "nope@2", ""]),
    st.text(max_size=12),
)


@FUZZ
@given(
    name=st.sampled_from(sorted(ENGAGEMENTS)),
    waves=st.one_of(st.none(), st.integers(min_value=-3, max_value=250)),
    capacity=st.one_of(
        st.none(),
        st.integers(min_value=-3, max_value=100),
        st.lists(st.integers(min_value=-1, max_value=30), max_size=8),
    ),
    strategy=st.one_of(st.none(), st.sampled_from(["value", "foundations", "quick-wins", "fastest", ""])),
    pin=st.one_of(st.none(), st.dictionaries(CAPABILITY_REFS, st.integers(min_value=-2, max_value=300), max_size=3)),
    exclude=st.one_of(st.none(), st.lists(CAPABILITY_REFS, max_size=3)),
)
def test_planner_overrides_plan_or_are_refused(
    name: str,
    waves: int | None,
    capacity: int | list[int] | None,
    strategy: str | None,
    pin: dict[str, int] | None,
    exclude: list[str] | None,
) -> None:
    with time_limit(ALARM_SECONDS):
        try:
            roadmap = plan(
                ENGAGEMENTS[name], waves=waves, capacity=capacity, strategy=strategy, pin=pin, exclude=exclude
            )
        except EngagementError as exc:
            assert exc.problems and all(p.message for p in exc.problems)
            event("refused")
            return
    assert isinstance(roadmap, Roadmap)
    event("planned")
