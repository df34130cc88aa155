"""The three-way merge of engagement data: engagement-shaped cases, and properties over random nested data."""

from __future__ import annotations

import ast
import copy
import datetime
import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import visionkit._merge
from visionkit._merge import MISSING, Conflict, Merge, merge

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PRIYA_STORY = ("perfect_days", 0, "moments", 0, "story")


def engagement() -> dict[str, Any]:
    """A small engagement's data, as `EngagementFile.data()` gives it."""
    return {
        "client": "Northwind Outfitters",
        "industry": "retail",
        "scenario": {"start": "2027-Q1", "waves": 3, "capacity": [12, 12, 12], "exclude": ["social-listening"]},
        "catalog": {
            "extends": "default",
            "capabilities": [
                {"id": "same-day-courier", "name": "Same-day courier network", "effort_per_level": 3},
                {"id": "store-pickup", "name": "Store pickup", "effort_per_level": 2},
            ],
        },
        "assessment": {"customer-360": 1, "consent-management": 2},
        "perfect_days": [
            {
                "id": "priya-saturday",
                "title": "Priya's perfect Saturday",
                "persona": "Priya, parent of two",
                "priority": 1,
                "moments": [
                    {
                        "at": "08:10",
                        "channel": "mobile app",
                        "story": "The app offers the next size.",
                        "needs": {"c": 3},
                    },
                    {"at": "10:30", "channel": "store", "story": "The shoes wait at the counter.", "needs": {"c": 2}},
                    {"at": "16:00", "channel": "email", "story": "A fitting tip arrives.", "needs": {"c": 1}},
                ],
            },
            {
                "id": "omar-return",
                "title": "Omar returns a jacket",
                "priority": 2,
                "moments": [
                    {"id": "drop", "at": "12:00", "story": "Omar drops the jacket in a locker.", "needs": {"r": 2}},
                    {"at": "12:05", "story": "The refund is already on its way.", "needs": {"p": 3}},
                    {"id": "thanks", "at": "12:30", "story": "A thank-you note.", "needs": {"p": 1}},
                ],
            },
        ],
    }


def moments(data: dict[str, Any], day: int = 0) -> list[dict[str, Any]]:
    """The moments of one perfect day."""
    result: list[dict[str, Any]] = data["perfect_days"][day]["moments"]
    return result


def edit(change: Any) -> dict[str, Any]:
    """A copy of the engagement with `change(data)` applied."""
    data = engagement()
    change(data)
    return data


def strict(value: Any) -> Any:
    """A form of a value whose equality also compares types, key order and float signs (NaN equals NaN)."""
    if isinstance(value, dict):
        return ("dict", [(strict(k), strict(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [strict(v) for v in value])
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)


def bag(value: Any) -> str:
    """A form of a value that ignores the order of keys and list items (types still count)."""
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{bag(k)}:{bag(v)}" for k, v in value.items())) + "}"
    if isinstance(value, list):
        return "[" + ",".join(sorted(bag(v) for v in value)) + "]"
    if isinstance(value, float):
        return f"float:{value.hex()}"
    return f"{type(value).__name__}:{value!r}"


# --- engagement-shaped cases ------------------------------------------------------------------------------


def test_capacity_changed_on_disk_and_persona_edited_here_are_both_kept() -> None:
    mine = edit(lambda d: d["perfect_days"][0].update(persona="Priya, parent of three"))
    theirs = edit(lambda d: d["scenario"].update(capacity=[12, 16, 16]))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert result.clean
    assert result.data == edit(
        lambda d: (
            d["perfect_days"][0].update(persona="Priya, parent of three"),
            d["scenario"].update(capacity=[12, 16, 16]),
        )
    )


def test_both_editing_one_story_is_one_conflict_named_by_day_and_moment() -> None:
    mine = edit(lambda d: moments(d)[0].update(story="Mine."))
    theirs = edit(lambda d: moments(d)[0].update(story="Theirs."))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == [
        Conflict(
            PRIYA_STORY,
            base="The app offers the next size.",
            mine="Mine.",
            theirs="Theirs.",
            where="Priya's perfect Saturday › moment at 08:10 › story",
        )
    ]
    assert result.conflicts[0].label(mine) == "Priya's perfect Saturday › moment at 08:10 › story"
    assert result.data == mine
    assert result.resolved({PRIYA_STORY: "mine"}) == mine
    assert result.resolved({PRIYA_STORY: "theirs"}) == theirs


def test_resolving_needs_a_choice_for_every_conflict() -> None:
    mine = edit(lambda d: (moments(d)[0].update(story="Mine."), d["assessment"].update({"customer-360": 2})))
    theirs = edit(lambda d: (moments(d)[0].update(story="Theirs."), d["assessment"].update({"customer-360": 3})))
    result = merge(engagement(), mine, theirs)
    assert [c.path for c in result.conflicts] == [("assessment", "customer-360"), PRIYA_STORY]

    with pytest.raises(
        ValueError, match=r"choose mine or theirs for: Priya's perfect Saturday › moment at 08:10 › story"
    ):
        result.resolved({("assessment", "customer-360"): "theirs"})
    with pytest.raises(ValueError, match="no conflict at"):
        result.resolved({("assessment", "customer-360"): "mine", PRIYA_STORY: "mine", ("client",): "mine"})
    with pytest.raises(ValueError, match="choose 'mine' or 'theirs'"):
        result.resolved({("assessment", "customer-360"): "both", PRIYA_STORY: "mine"})  # type: ignore[dict-item]

    settled = result.resolved({("assessment", "customer-360"): "theirs", PRIYA_STORY: "mine"})
    assert settled == edit(lambda d: (moments(d)[0].update(story="Mine."), d["assessment"].update({"customer-360": 3})))


def test_moment_added_on_disk_while_another_is_edited_here() -> None:
    added = {"at": "09:00", "channel": "store", "story": "A greeter knows her name.", "needs": {"c": 4}}
    mine = edit(lambda d: moments(d)[2].update(wow="It is the right tip."))
    theirs = edit(lambda d: moments(d).insert(1, added))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert moments(result.data) == [moments(engagement())[0], added, moments(engagement())[1], moments(mine)[2]]


def test_moment_moved_here_while_its_story_is_edited_on_disk() -> None:
    first, second, third = moments(engagement())
    mine = edit(lambda d: d["perfect_days"][0].update(moments=[second, third, first]))
    theirs = edit(lambda d: moments(d)[0].update(story="The app offers the next size, in stock nearby."))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert moments(result.data) == [second, third, {**first, "story": "The app offers the next size, in stock nearby."}]


def test_moment_moved_on_disk_while_edited_here_keeps_the_move_and_the_edit() -> None:
    first, second, third = moments(engagement())
    mine = edit(lambda d: moments(d)[2].update(channel="sms"))
    theirs = edit(lambda d: d["perfect_days"][0].update(moments=[third, first, second]))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert moments(result.data) == [{**third, "channel": "sms"}, first, second]


def test_moment_deleted_on_disk_but_edited_here_is_a_conflict_on_the_whole_moment() -> None:
    mine = edit(lambda d: moments(d)[1].update(story="The shoes wait, gift-wrapped."))
    theirs = edit(lambda d: moments(d).pop(1))

    result = merge(engagement(), mine, theirs)

    path = ("perfect_days", 0, "moments", 1)
    assert result.conflicts == [
        Conflict(
            path,
            base=moments(engagement())[1],
            mine=moments(mine)[1],
            theirs=MISSING,
            where="Priya's perfect Saturday › moment at 10:30",
        )
    ]
    assert result.data == mine
    assert result.resolved({path: "mine"}) == mine
    assert result.resolved({path: "theirs"}) == theirs


def test_moment_deleted_here_but_edited_on_disk_keeps_its_place_when_taken_back() -> None:
    mine = edit(lambda d: (moments(d).pop(1), moments(d)[1].update(wow="Warm words.")))
    theirs = edit(lambda d: moments(d)[1].update(story="The shoes wait, gift-wrapped."))

    result = merge(engagement(), mine, theirs)

    # The deleted moment holds position 1 in the path even though the provisional data (mine) lacks it.
    path = ("perfect_days", 0, "moments", 1)
    assert [(c.path, c.mine, c.theirs, c.where) for c in result.conflicts] == [
        (path, MISSING, moments(theirs)[1], "Priya's perfect Saturday › moment at 10:30")
    ]
    assert result.data == mine
    first, _, third = moments(engagement())
    assert moments(result.resolved({path: "theirs"})) == [first, moments(theirs)[1], {**third, "wow": "Warm words."}]


def test_moment_deleted_here_and_its_neighbour_edited_on_both_sides_is_still_one_moment() -> None:
    first, _, third = moments(engagement())
    mine = edit(lambda d: (moments(d).pop(1), moments(d)[1].update(wow="Warm words.")))
    theirs = edit(lambda d: moments(d)[2].update(channel="sms"))

    result = merge(engagement(), mine, theirs)

    # Two went, one came: the one that came is paired with the most alike (the edited neighbour).
    assert result.conflicts == []
    assert moments(result.data) == [first, {**third, "wow": "Warm words.", "channel": "sms"}]


def test_moments_sharing_a_time_are_named_by_position() -> None:
    base = edit(lambda d: moments(d)[1].update(at="08:10"))
    mine = copy.deepcopy(base)
    moments(mine)[1]["story"] = "Mine."
    theirs = copy.deepcopy(base)
    moments(theirs)[1]["story"] = "Theirs."

    result = merge(base, mine, theirs)

    assert [c.where for c in result.conflicts] == ["Priya's perfect Saturday › moment 2 › story"]


def test_moment_deleted_on_one_side_and_untouched_on_the_other_is_deleted() -> None:
    mine = edit(lambda d: moments(d).pop(0))
    theirs = edit(lambda d: moments(d)[2].update(story="A fitting tip, with a video."))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert moments(result.data) == [moments(engagement())[1], moments(theirs)[2]]


def test_whole_day_deleted_on_disk_but_edited_here_names_the_day() -> None:
    mine = edit(lambda d: d["perfect_days"][1].update(priority=3))
    theirs = edit(lambda d: d["perfect_days"].pop(1))

    result = merge(engagement(), mine, theirs)

    assert [(c.path, c.where, c.theirs) for c in result.conflicts] == [
        (("perfect_days", 1), "Omar returns a jacket", MISSING)
    ]


def test_assessment_keys_added_on_both_sides_are_all_kept() -> None:
    mine = edit(lambda d: d["assessment"].update({"next-best-action": 1, "payments": 2}))
    theirs = edit(lambda d: d["assessment"].update({"inventory-visibility": 3, "payments": 2}))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert list(result.data["assessment"].items()) == [
        ("customer-360", 1),
        ("consent-management", 2),
        ("next-best-action", 1),
        ("inventory-visibility", 3),  # after its predecessor in theirs, behind mine's own addition there
        ("payments", 2),
    ]


def test_assessment_key_added_on_both_sides_differently_is_a_conflict_named_by_the_key() -> None:
    mine = edit(lambda d: d["assessment"].update(payments=2))
    theirs = edit(lambda d: d["assessment"].update(payments=4))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == [Conflict(("assessment", "payments"), MISSING, 2, 4, "assessment › payments")]


def test_a_key_only_theirs_added_lands_after_its_predecessor_in_theirs() -> None:
    base = {"a": 1, "b": 2, "c": 3}
    result = merge(base, {"z": 0, "a": 1, "b": 2, "c": 3, "m": 9}, {"a": 1, "b": 2, "t": 7, "c": 3})
    assert list(result.data.items()) == [("z", 0), ("a", 1), ("b", 2), ("t", 7), ("c", 3), ("m", 9)]


def test_moments_with_and_without_ids_are_matched_by_id_or_by_alignment() -> None:
    drop, refund, thanks = moments(engagement(), 1)
    # Mine moves the moment that has an id to the end and edits it; theirs edits the one without an id.
    mine = edit(lambda d: d["perfect_days"][1].update(moments=[refund, thanks, {**drop, "story": "Locker 12."}]))
    theirs = edit(lambda d: moments(d, 1)[1].update(story="The refund is on its way."))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert moments(result.data, 1) == [
        {**refund, "story": "The refund is on its way."},
        thanks,
        {**drop, "story": "Locker 12."},
    ]


def test_moment_with_an_id_edited_on_both_sides_is_named_by_its_time() -> None:
    def reverse_and_edit(d: dict[str, Any]) -> None:
        moments(d, 1).reverse()
        moments(d, 1)[0].update(story="Thank you!")

    mine = edit(lambda d: moments(d, 1)[2].update(story="Thanks, Omar."))
    theirs = edit(reverse_and_edit)

    result = merge(engagement(), mine, theirs)

    # Theirs reversed the order and mine did not, so theirs' order stands: the moment is now first.
    path = ("perfect_days", 1, "moments", 0, "story")
    assert [(c.path, c.where, c.mine, c.theirs) for c in result.conflicts] == [
        (path, "Omar returns a jacket › moment at 12:30 › story", "Thanks, Omar.", "Thank you!")
    ]
    assert [m["at"] for m in moments(result.data, 1)] == ["12:30", "12:05", "12:00"]


def test_perfect_days_are_matched_by_id_even_when_reordered_on_disk() -> None:
    mine = edit(lambda d: d["perfect_days"][0].update(persona="Priya, parent of three"))
    theirs = edit(
        lambda d: d.update(perfect_days=[{**d["perfect_days"][1], "title": "Omar's easy return"}, d["perfect_days"][0]])
    )

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert [(day["id"], day["title"], day.get("persona")) for day in result.data["perfect_days"]] == [
        ("omar-return", "Omar's easy return", None),
        ("priya-saturday", "Priya's perfect Saturday", "Priya, parent of three"),
    ]


def test_when_both_sides_reorder_mine_order_wins_for_shared_items() -> None:
    first, second, third = moments(engagement())
    mine = edit(lambda d: d["perfect_days"][0].update(moments=[third, first, second]))
    theirs = edit(lambda d: d["perfect_days"][0].update(moments=[second, first, {**third, "wow": "Video tip."}]))

    result = merge(engagement(), mine, theirs)

    assert result.conflicts == []
    assert moments(result.data) == [{**third, "wow": "Video tip."}, first, second]


def test_moments_inserted_on_both_sides_are_kept_mine_first_and_identical_ones_once() -> None:
    same = {"at": "09:00", "story": "A greeter knows her name.", "needs": {"c": 4}}
    mine_new = {"at": "09:15", "story": "Coffee is on the house.", "needs": {"c": 1}}
    theirs_new = {"at": "09:20", "story": "Parking is free.", "needs": {"c": 1}}
    mine = edit(lambda d: moments(d).__setitem__(slice(1, 1), [same, mine_new]))
    theirs = edit(lambda d: moments(d).__setitem__(slice(1, 1), [same, theirs_new]))

    result = merge(engagement(), mine, theirs)

    first, second, third = moments(engagement())
    assert result.conflicts == []
    assert moments(result.data) == [first, same, mine_new, theirs_new, second, third]


def test_capabilities_are_matched_by_id_and_named_by_it() -> None:
    def reverse_and_edit(d: dict[str, Any]) -> None:
        capabilities = d["catalog"]["capabilities"]
        capabilities.reverse()
        capabilities[0].update(name="Pick up in store")
        capabilities[1].update(effort_per_level=4)

    mine = edit(lambda d: d["catalog"]["capabilities"][1].update(name="Click and collect"))
    theirs = edit(reverse_and_edit)

    result = merge(engagement(), mine, theirs)

    assert [(c.path, c.where) for c in result.conflicts] == [
        (("catalog", "capabilities", 0, "name"), "catalog › capability store-pickup › name")
    ]
    assert result.data["catalog"]["capabilities"] == [
        {"id": "store-pickup", "name": "Click and collect", "effort_per_level": 2},
        {"id": "same-day-courier", "name": "Same-day courier network", "effort_per_level": 4},
    ]


def test_capacity_per_wave_merges_wave_by_wave() -> None:
    mine = edit(lambda d: d["scenario"].update(capacity=[12, 14, 12]))
    theirs = edit(lambda d: d["scenario"].update(capacity=[12, 12, 16]))
    assert merge(engagement(), mine, theirs).data["scenario"]["capacity"] == [12, 14, 16]

    theirs = edit(lambda d: d["scenario"].update(capacity=[12, 15, 12]))
    result = merge(engagement(), mine, theirs)
    assert result.conflicts == [Conflict(("scenario", "capacity", 1), 12, 14, 15, "scenario › capacity › wave 2")]


def test_exclusions_merge_as_an_ordered_set() -> None:
    base = edit(lambda d: d["scenario"].update(exclude=["a", "b", "c"]))
    mine = edit(lambda d: d["scenario"].update(exclude=["a", "c", "m"]))
    theirs = edit(lambda d: d["scenario"].update(exclude=["t", "a", "b"]))

    result = merge(base, mine, theirs)

    assert result.conflicts == []
    assert result.data["scenario"]["exclude"] == ["t", "a", "m"]


def test_a_value_changed_to_another_type_is_a_change() -> None:
    assert merge({"v": 1}, {"v": 1.0}, {"v": 1}).data == {"v": 1.0}
    assert type(merge({"v": 1}, {"v": 1.0}, {"v": 1}).data["v"]) is float
    assert type(merge({"v": 1}, {"v": 1}, {"v": True}).data["v"]) is bool
    result = merge({"v": 1}, {"v": True}, {"v": 1.0})
    assert result.conflicts == [Conflict(("v",), 1, True, 1.0, "v")]


def test_dates_and_none_merge_as_values() -> None:
    base = {"start": datetime.date(2027, 1, 4), "industry": None}
    result = merge(base, {**base, "start": datetime.date(2027, 2, 1)}, {**base, "industry": "retail"})
    assert result.data == {"start": datetime.date(2027, 2, 1), "industry": "retail"}


def test_an_empty_mapping_filled_on_both_sides_merges_key_by_key() -> None:
    result = merge({"assessment": None}, {"assessment": {"a": 1}}, {"assessment": {"b": 2}})
    assert result.data == {"assessment": {"a": 1, "b": 2}}


def test_different_values_at_the_root_are_one_conflict() -> None:
    result = merge(1, 2, 3)
    assert result.conflicts == [Conflict((), 1, 2, 3, "the whole engagement")]
    assert result.resolved({(): "theirs"}) == 3


def test_merge_leaves_its_inputs_alone_and_shares_nothing_with_them() -> None:
    base = engagement()
    mine = edit(lambda d: moments(d)[0].update(story="Mine."))
    theirs = edit(lambda d: moments(d)[0].update(story="Theirs."))
    before = copy.deepcopy((base, mine, theirs))

    result = merge(base, mine, theirs)
    result.data["perfect_days"][0]["moments"][1]["needs"]["c"] = 5
    mine["perfect_days"][0]["moments"][0]["story"] = "Changed later."

    assert (base, mine, theirs) != before  # only because of the edit just made to mine
    mine["perfect_days"][0]["moments"][0]["story"] = "Mine."
    assert (base, mine, theirs) == before
    assert result.resolved({PRIYA_STORY: "mine"}) == before[1]
    assert result.conflicts[0].mine == "Mine."


def test_merge_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(visionkit._merge.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


# --- properties over random nested data -------------------------------------------------------------------

KEYS = st.sampled_from(["a", "b", "c", "at", "title", "story"])
IDS = st.sampled_from(["p", "q", "r", 1])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, math.nan, math.inf]),
    st.text("xyz", max_size=2),
    st.dates(min_value=datetime.date(2027, 1, 1), max_value=datetime.date(2027, 1, 3)),
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Lists, mappings, and lists of mappings with ids (like perfect days and moments)."""
    with_id = st.builds(lambda i, rest: {"id": i, **rest}, IDS, st.dictionaries(KEYS, children, max_size=3))
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=4),
        st.lists(with_id, max_size=4),
    )


data = st.recursive(scalars, _containers, max_leaves=20)


@st.composite
def edited(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """A version of `value` with random edits: values changed, keys and items added, deleted and moved."""
    if depth > 4 or draw(st.integers(0, 9)) == 0:
        return draw(data)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            action = draw(st.sampled_from(["keep", "keep", "edit", "drop"]))
            if action != "drop":
                out[key] = draw(edited(item, depth + 1)) if action == "edit" else item
        for key in draw(st.lists(KEYS, max_size=2)):
            out.setdefault(key, draw(data))
        return out
    if isinstance(value, list):
        out_list = [draw(edited(item, depth + 1)) if draw(st.booleans()) else item for item in value]
        for _ in range(draw(st.integers(0, 2))):
            action = draw(st.sampled_from(["insert", "delete", "move"]))
            if action == "insert":
                out_list.insert(draw(st.integers(0, len(out_list))), draw(data))
            elif out_list:
                item = out_list.pop(draw(st.integers(0, len(out_list) - 1)))
                if action == "move":
                    out_list.insert(draw(st.integers(0, len(out_list))), item)
        return out_list
    return draw(scalars) if draw(st.booleans()) else value


def _versions(base: Any) -> st.SearchStrategy[tuple[Any, Any, Any]]:
    """Base with two independently edited versions of it."""
    return st.tuples(st.just(base), edited(base), edited(base))


triples = st.one_of(data.flatmap(_versions), st.tuples(data, data, data))
pairs = st.one_of(data.flatmap(lambda x: st.tuples(st.just(x), edited(x))), st.tuples(data, data))


@SETTINGS
@given(pairs)
def test_a_side_that_changed_nothing_takes_the_other_side_exactly(pair: tuple[Any, Any]) -> None:
    x, y = pair
    for result in (merge(x, x, y), merge(x, y, x), merge(x, y, y)):
        assert result.conflicts == []
        assert strict(result.data) == strict(y)


@SETTINGS
@given(triples)
def test_every_merge_gives_distinct_real_conflicts_that_resolve(triple: tuple[Any, Any, Any]) -> None:
    base, mine, theirs = triple
    result = merge(base, mine, theirs)
    paths = [c.path for c in result.conflicts]
    assert len(set(paths)) == len(paths)
    for c in result.conflicts:
        assert strict(c.mine) != strict(c.theirs)
        assert strict(c.mine) != strict(c.base) and strict(c.theirs) != strict(c.base)
        assert c.where
    assert strict(result.resolved(dict.fromkeys(paths, "mine"))) == strict(result.data)
    result.resolved(dict.fromkeys(paths, "theirs"))


@SETTINGS
@given(triples)
def test_merge_is_symmetric_up_to_order(triple: tuple[Any, Any, Any]) -> None:
    base, mine, theirs = triple
    ours, swapped = merge(base, mine, theirs), merge(base, theirs, mine)
    assert sorted(bag([c.base, c.mine, c.theirs]) for c in ours.conflicts) == sorted(
        bag([c.base, c.theirs, c.mine]) for c in swapped.conflicts
    )
    if not ours.conflicts:
        assert bag(ours.data) == bag(swapped.data)


@st.composite
def disjoint_edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A mapping, two versions editing different keys (changes, deletions, additions), and both edits applied."""
    base = draw(st.dictionaries(st.sampled_from("abcde"), data, max_size=5))
    sides = {k: draw(st.sampled_from(["mine", "theirs"])) for k in base}
    mine, theirs, expected = dict(base), dict(base), dict(base)
    for key, side in sides.items():
        version = mine if side == "mine" else theirs
        action = draw(st.sampled_from(["keep", "edit", "drop"]))
        if action == "edit":
            version[key] = expected[key] = draw(edited(base[key]))
        elif action == "drop":
            del version[key], expected[key]
    for key in draw(st.lists(st.sampled_from(["m1", "m2"]), unique=True)):
        mine[key] = expected[key] = draw(data)
    for key in draw(st.lists(st.sampled_from(["t1", "t2"]), unique=True)):
        theirs[key] = expected[key] = draw(data)
    return base, mine, theirs, expected


@SETTINGS
@given(disjoint_edits())
def test_edits_to_different_keys_never_conflict_and_all_survive(case: tuple[dict[str, Any], ...]) -> None:
    base, mine, theirs, expected = case
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert {k: strict(v) for k, v in result.data.items()} == {k: strict(v) for k, v in expected.items()}


@st.composite
def items_edited_apart(draw: st.DrawFn) -> tuple[list[dict[str, Any]], ...]:
    """Items with ids; mine edits one field of some, theirs another field of others and shuffles them all."""
    ids = draw(st.lists(st.sampled_from("pqrstu"), min_size=1, unique=True))
    base = [{"id": i, "story": draw(st.text("xyz", max_size=2)), "at": draw(st.text("0189", max_size=2))} for i in ids]
    mine = [{**item, "story": f"mine {item['id']}"} if draw(st.booleans()) else item for item in base]
    theirs = [{**item, "at": f"theirs {item['id']}"} if draw(st.booleans()) else item for item in base]
    theirs = draw(st.permutations(theirs))
    expected = [
        {**item, "story": m["story"], "at": t["at"]}
        for item in theirs
        for m in mine
        if m["id"] == item["id"]
        for t in theirs
        if t["id"] == item["id"]
    ]
    return base, mine, list(theirs), expected


@SETTINGS
@given(items_edited_apart())
def test_items_with_ids_keep_both_sides_edits_through_a_reorder(case: tuple[list[dict[str, Any]], ...]) -> None:
    base, mine, theirs, expected = case
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert json.dumps(result.data) == json.dumps(expected)
    assert isinstance(result, Merge)
