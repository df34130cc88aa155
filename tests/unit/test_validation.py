"""Validation messages: every problem located, worded for a strategist, with a hint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from visionkit.engagement_file import load_engagement
from visionkit.errors import EngagementError, Problem

BROKEN = """
client: Northwind
scenario: {waves: 0, capacity: -3, strategy: fastest, wave_length: quartr}
catalog:
  capabilities:
    - id: same-day-courier
      name: Same-day courier
      domain: fulfilment
      effort_per_level: -1
      requires: {inventory-visibilty: 3}
    - id: loop-a
      name: A
      domain: x
      effort_per_level: 1
      requires: {loop-b: 1}
    - id: loop-b
      name: B
      domain: x
      effort_per_level: 1
      requires: {loop-a: 2}
    - id: brand-new
assessment:
  customer-360: 7
  customr-360: 1
perfect_days:
  - id: p
    title: P
    moments: []
  - id: p
    title: Q
    prority: 2
    moments:
      - story: ""
        needs: {}
      - story: ok
        needs: {customer-36: 3, consent-management: 6}
"""


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(EngagementError) as info:
        load_engagement(path)
    return info.value.problems


def test_every_problem_is_reported_in_one_go(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(BROKEN)
    got = [(p.line, p.column, p.message) for p in problems_of(path)]
    assert got == [
        (2, 19, "0 is out of range: must be at least 1"),
        (2, 32, "-3 is out of range: must be at least 0"),
        (2, 46, "'fastest' is not one of 'experience', 'optimal', 'value', 'foundations' or 'quick-wins'"),
        (2, 68, "'quartr' is not one of 'quarter', 'month', 'half' or 'year'"),
        (8, 25, "-1 is out of range: must be at least 0"),
        (9, 39, "unknown capability 'inventory-visibilty' in requires"),
        (10, 11, "prerequisite cycle: loop-a needs loop-b needs loop-a"),
        (20, 7, "new capability 'brand-new' is missing name, domain, effort_per_level"),
        (22, 17, "level 7 is out of range 0-5"),
        (23, 16, "unknown capability 'customr-360' in the assessment"),
        (27, 5, "a perfect day needs at least one moment"),
        (28, 5, "duplicate perfect day id 'p' (also perfect day 1)"),
        (30, 5, "unknown field 'prority'"),
        (32, 16, "story must not be empty"),
        (33, 9, "a moment needs at least one capability"),
        (35, 30, "unknown capability 'customer-36' in needs"),
        (35, 53, "level 6 is out of range 1-5"),
    ]


def test_messages_name_file_line_field_and_hint(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(BROKEN)
    text = {p.message: str(p) for p in problems_of(path)}
    assert text["unknown capability 'customer-36' in needs"] == (
        f"{path}:35:30: perfect_days[1].moments[1].needs.customer-36: unknown capability 'customer-36' in needs\n"
        "  hint: did you mean 'customer-360'?"
    )
    assert text["unknown field 'prority'"].endswith(
        "perfect_days[1].prority: unknown field 'prority'\n  hint: did you mean 'priority'?"
    )
    assert "hint: did you mean 'quarter'?" in text["'quartr' is not one of 'quarter', 'month', 'half' or 'year'"]
    assert (
        "hint: strategies: experience, optimal, value, foundations, quick-wins"
        in text["'fastest' is not one of 'experience', 'optimal', 'value', 'foundations' or 'quick-wins'"]
    )
    assert "hint: maturity levels run from 1 (ad hoc) to 5 (leading practice)" in text["level 6 is out of range 1-5"]
    assert "remove one of these prerequisites" in text["prerequisite cycle: loop-a needs loop-b needs loop-a"]


@pytest.mark.parametrize(
    ("text", "location", "message", "hint"),
    [
        ("client: x\n\tperfect_days: 1\n", (2, 1), "found character '\\t' that cannot start any token", "tabs"),
        ('client: "x\nperfect_days: []\n', (1, 9), "while scanning a quoted scalar", "never closed"),
        ("client: a\nclient: b\n", (2, 1), 'found duplicate key "client"', "merge the two entries"),
        ("client: a\n  perfect_days: []\n x: 1\n", (2, 15), "mapping values are not allowed here", "indentation"),
        ("- a\n- b\n", (1, 1), "must be a mapping of fields, but this is a list", "visionkit init"),
        ("", (None, None), "must be a mapping of fields, but this is empty", "visionkit init"),
        ("client: x\n", (1, 1), "missing required field 'perfect_days'", ""),
        (
            "client: x\nscenario: {waves: 2, capacity: [1, 2, 3]}\nperfect_days: [{id: d, title: T, "
            "moments: [{story: s, needs: {customer-360: 1}}]}]\n",
            (2, 22),
            "capacity lists 3 values but there are 2 waves",
            "",
        ),
        (
            "client: x\nscenario: {start: next spring}\nperfect_days: [{id: d, title: T, "
            "moments: [{story: s, needs: {customer-360: 1}}]}]\n",
            (2, 19),
            "cannot read 'next spring' as a start period",
            "2027-Q1",
        ),
        (
            "client: x\nscenario: {waves: 2, pin: {customer-360: 5}}\nperfect_days: [{id: d, title: T, "
            "moments: [{story: s, needs: {customer-360: 1}}]}]\n",
            (2, 42),
            "pinned to wave 5, but the scenario has 2 waves",
            "within the horizon",
        ),
        ("client: x\nbranding: {primary: blue}\nperfect_days: []\n", (2, 21), "'blue' is not a colour", ""),
    ],
)
def test_single_problem_messages(
    write_yaml: Callable[..., Path], text: str, location: tuple[int, int], message: str, hint: str
) -> None:
    path = write_yaml("")
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    first = problems[0]
    assert message in first.message
    assert hint in first.hint
    assert (first.line, first.column) == location
    assert first.file == str(path)


def test_not_utf8_names_the_byte_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("client: x\nindustry: caf\xe9\n".encode("latin-1"))
    (problem,) = problems_of(path)
    assert problem.message == "the file is not UTF-8 text (byte 0xe9)"
    assert (problem.line, problem.column) == (2, 14)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml")[0].message == "no such file"
    assert "folder" in problems_of(tmp_path)[0].message


def test_override_of_shipped_capability_keeps_other_fields(write_yaml: Callable[..., Path]) -> None:
    engagement = load_engagement(Path(__file__).parents[1] / "corpus" / "good" / "styles.yaml")
    cap = engagement.capabilities["customer-360"]
    assert cap.effort == (2, 2, 3, 5, 8)
    assert cap.name == "Single customer view"  # from the shipped catalog
    assert engagement.capabilities["gear-rental"].prerequisites(4) == {
        "inventory-visibility": 2,
        "order-orchestration": 3,
    }
    assert engagement.scenario.wave_length == "quarter"  # written as wave-length


def test_cycle_through_an_engagement_override(write_yaml: Callable[..., Path]) -> None:
    # identity-resolution is a foundation; making it require customer-360 closes a loop.
    path = write_yaml(
        """
        client: x
        catalog:
          capabilities:
            - id: identity-resolution
              requires: {customer-360: 1}
        perfect_days: [{id: d, title: T, moments: [{story: s, needs: {customer-360: 1}}]}]
        """
    )
    (problem,) = problems_of(path)
    assert problem.message.startswith("prerequisite cycle: ")
    cycle = problem.message.removeprefix("prerequisite cycle: ").split(" needs ")
    assert cycle[0] == cycle[-1]
    assert {"identity-resolution", "customer-360"} <= set(cycle)
    assert (problem.line, problem.column) == (4, 11)
