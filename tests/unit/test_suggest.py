"""Capability suggestions: whole words and phrases, rare words weighted, reasons as the user typed them."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from visionkit._suggest import Suggestion, suggest, suggest_for_moment
from visionkit.catalog import Capability, Catalog, default_catalog


def small_catalog() -> Catalog:
    """A catalog whose words are known, so that each test says exactly what should match."""
    caps = [
        Capability(
            "orders",
            "Order orchestration",
            "fulfilment",
            "Capturing orders from every channel and tracking them to the customer.",
            keywords=("order status", "where is my order", "split order"),
        ),
        Capability(
            "rota",
            "Workforce scheduling",
            "people",
            "Scheduling colleagues with the right skills at the right time.",
            keywords=("rota", "shift pattern", "understaffed"),
        ),
        Capability(
            "welcome",
            "Clienteling",
            "relationship",
            "Store staff who know each client and their preferences.",
            keywords=("greets by name", "remembers my preferences", "personal shopper"),
        ),
        Capability(
            "stock",
            "Inventory visibility",
            "fulfilment",
            "Available stock across stores and warehouses, shown to customers and staff.",
            keywords=("in stock", "sold out", "on the shelf"),
        ),
        Capability(
            "refunds",
            "Returns management",
            "fulfilment",
            "Easy returns and refunds in any channel, and returned goods back to stock.",
            keywords=("refund", "money back", "wrong size"),
        ),
    ]
    return Catalog(caps)


def ids(found: list[Suggestion]) -> list[str]:
    return [s.capability for s in found]


@pytest.mark.parametrize(
    "story",
    [
        "The border guard waves the coach through.",  # "order" inside "border"
        "She sorted the recorder lessons for the kids.",  # "order" inside "recorder"
        "A disordered queue of holidaymakers.",  # "order" inside "disordered"
    ],
)
def test_a_word_inside_another_word_never_matches(story: str) -> None:
    assert suggest(f"{story} Where is her order now? Order status unknown.", small_catalog())  # the control
    assert "orders" not in ids(suggest(story, small_catalog()))


def test_a_word_and_the_word_with_an_e_stay_apart() -> None:
    catalog = Catalog(
        [
            Capability("care", "Social customer care", "social", keywords=("care", "customer care")),
            Capability("rules", "Business rules", "process", keywords=("same answer", "eligibility")),
        ]
    )
    assert ids(suggest("Nobody cared.", catalog)) == ["care"]  # the control
    assert suggest("Sam parks the car and finds the answer.", catalog) == []
    assert ids(suggest("Every channel gives the same answer.", catalog)) == ["rules"]


def test_a_keyword_matches_as_a_whole_phrase_in_any_inflection() -> None:
    found = suggest("Her favourite trainers sell out within the hour.", small_catalog())
    assert ids(found) == ["stock"]
    assert ids(suggest("The trainers are sold out.", small_catalog())) == ["stock"]
    # The words of the phrase, but not together: no phrase, and "sell" and "out" are not rare words.
    assert suggest("Out in the garden she decides to sell the old bike.", small_catalog()) == []


def keyword_reasons(found: list[Suggestion]) -> list[str]:
    return [r for s in found for r in s.reasons if r.startswith("keywords")]


def test_a_phrase_may_have_a_pronoun_or_a_few_words_inside_it_but_not_many() -> None:
    assert suggest("The assistant greets her by name.", small_catalog())[0].why == "keywords 'greets her by name'"
    assert suggest("He remembers all of their preferences.", small_catalog())[0].why == (
        "keywords 'remembers all of their preferences'"
    )
    # Too far apart for the phrase. ("greets" and "name" are still two rare words of the capability.)
    found = suggest("The assistant greets her warmly and then, much later, by name.", small_catalog())
    assert keyword_reasons(found) == [] and found[0].why == "words 'greets', 'name'"
    assert suggest("Sold, and rather later on, out.", small_catalog()) == []


def test_a_phrase_never_runs_from_one_sentence_into_the_next() -> None:
    assert suggest("The last pair sold. Out came the next box.", small_catalog()) == []
    assert keyword_reasons(suggest("Sam greets. By name, nobody.", small_catalog())) == []
    moment = {"story": "The assistant greets her", "wow": "by name"}
    assert keyword_reasons(suggest_for_moment(moment, small_catalog())) == []


def test_reasons_are_the_words_as_typed_not_stems() -> None:
    (found,) = suggest("The assistant GREETS her by name, and she is Refunded? No.", small_catalog())[:1]
    assert found.capability == "welcome"
    assert found.reasons == ("keywords 'GREETS her by name'",)
    assert found.why == "keywords 'GREETS her by name'"
    (refund,) = suggest("The money's back on her card: a full refund, no receipt.", small_catalog())
    assert refund.why == "keywords 'money's back', 'refund'"
    assert "'greet'" not in found.why and "'refund'" in refund.why


def test_two_rare_shared_words_suggest_without_a_phrase_and_show_as_typed() -> None:
    # "warehouses" and "stores" are words of the description and the name of "stock" only.
    found = suggest_for_moment({"story": "Inventory moves between warehouses overnight."}, small_catalog())
    assert ids(found) == ["stock"]
    assert found[0].why == "words 'Inventory', 'warehouses'"


def test_one_rare_word_alone_is_not_enough() -> None:
    assert suggest("The warehouses are by the river.", small_catalog()) == []
    assert suggest("Meet me by the rota board.", small_catalog()) != []  # a one-word keyword is a phrase


def test_everyday_words_cannot_carry_a_suggestion() -> None:
    catalog = default_catalog()
    stories = [
        "A shift in how she banks: last summer she moved her savings.",
        "She picks the next size up in the school shoes he wore last summer.",
        "Next week is the last week of the summer holidays.",
    ]
    for story in stories:
        found = ids(suggest(story, catalog))
        for noise in ("workforce-scheduling", "returns-management", "next-best-action", "last-mile-delivery"):
            assert noise not in found, (story, found)


def test_a_story_sharing_no_meaningful_words_gets_no_suggestion() -> None:
    catalog = default_catalog()
    assert (
        suggest_for_moment({"story": "Priya sits in the garden with a coffee while the children play."}, catalog) == []
    )
    assert suggest_for_moment({"story": "", "wow": None}, catalog) == []
    assert suggest_for_moment({"story": "the and of it is"}, catalog) == []
    assert suggest("anything", Catalog([])) == []


def test_the_trial_cases() -> None:
    catalog = default_catalog()
    greets = ids(suggest_for_moment({"story": "The assistant greets her by name as she walks in."}, catalog))
    assert {"clienteling", "personalisation-engine"} <= set(greets)
    sells_out = ids(suggest_for_moment({"story": "Her favourite blend usually sells out by Friday."}, catalog))
    assert sells_out[0] == "inventory-visibility"


def test_rare_words_outweigh_common_ones() -> None:
    catalog = default_catalog()
    # "loyalty" is a word of few capabilities, "customer" and "service" of many: only the rare one counts.
    (first, *_) = suggest("Loyalty for every customer service channel.", catalog)
    assert first.capability == "loyalty-management"
    assert "customer" not in first.why and "service" not in first.why


def test_what_the_moment_already_needs_is_left_out_and_count_is_kept() -> None:
    moment = {"story": "Where is my order? The order status page says it is in stock.", "needs": {"orders": 2}}
    assert ids(suggest_for_moment(moment, small_catalog())) == ["stock"]
    assert len(suggest_for_moment({"story": "Where is my order? It is in stock."}, small_catalog(), count=1)) == 1


def test_the_ranking_is_by_score_then_id() -> None:
    found = suggest("Where is my order? Order status: in stock, on the shelf.", small_catalog())
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert set(ids(found)) == {"orders", "stock"}


def test_the_mapper_shows_the_reasons_as_typed(tmp_path: Path) -> None:
    from visionkit.cli import demo_path
    from visionkit.widgets import CapabilityMapper, EngagementSession

    path = tmp_path / "northwind.yaml"
    shutil.copyfile(demo_path(), path)
    session = EngagementSession(path, debounce=0, watch=False)
    session.edit(
        lambda data: data["perfect_days"][0]["moments"].append(
            {"story": "The assistant Greets her by name.", "needs": {"customer-360": 1}}
        )
    )
    mapper = CapabilityMapper(session, status_bar=False)
    try:
        mapper.picker.value = (0, len(session.data["perfect_days"][0]["moments"]) - 1)
        chips = {c.children[0].description: c.children[1].value for c in mapper.suggestions.children}
        assert html.escape("keywords 'Greets her by name'") in chips["+ Clienteling"]
    finally:
        mapper.close()
        session.close()
