"""Capabilities found by what they are: `Catalog.search`, and the editor's Needs box that offers its results."""

from __future__ import annotations

import html
from pathlib import Path

from visionkit.catalog import Capability, Catalog, default_catalog
from visionkit.engagement_file import load_engagement
from visionkit.widgets import EngagementSession, PerfectDayEditor
from visionkit.widgets.editor import chosen_capability

CATALOG = Catalog(
    [
        Capability("social-customer-care", "Social customer care", "social", keywords=("whatsapp", "direct message")),
        Capability("social-listening", "Social listening", "social", keywords=("mentions", "sentiment")),
        Capability("contact-centre", "Contact centre", "channels", keywords=("call centre", "social media queue")),
        Capability("conversational-ai", "Conversational AI", "channels", keywords=("chatbot", "whatsapp bot")),
        Capability("returns", "Returns", "fulfilment", keywords=("send it back",)),
        Capability("returns-management", "Returns management", "fulfilment", keywords=("refund",)),
    ],
    {"social": "Social listening and engagement", "channels": "Channels and experience", "fulfilment": "Fulfilment"},
)


def ids(query: str, limit: int = 8) -> list[str]:
    return [cap.id for cap in CATALOG.search(query, limit)]


def test_a_capability_is_found_by_its_name_in_any_case() -> None:
    assert ids("Contact CENTRE") == ["contact-centre"]
    assert ids("conversational") == ["conversational-ai"]


def test_a_capability_is_found_by_its_id() -> None:
    assert ids("social-customer-care") == ["social-customer-care"]
    assert ids("conversational-ai") == ["conversational-ai"]


def test_a_capability_is_found_by_its_domain_name_or_domain_id() -> None:
    assert ids("engagement") == ["social-customer-care", "social-listening"]
    assert ids("fulfilment") == ["returns", "returns-management"]


def test_a_capability_is_found_by_a_keyword_and_by_the_start_of_one() -> None:
    assert ids("refund") == ["returns-management"]
    assert ids("whats") == ids("WhatsApp") == ["conversational-ai", "social-customer-care"]  # keywords tie: by name
    assert ids("direct mess") == ["social-customer-care"]


def test_every_word_typed_must_match_and_nothing_matching_gives_nothing() -> None:
    assert ids("whatsapp bot") == ["conversational-ai"]
    assert ids("whatsapp xyzzy") == []
    assert ids("xyz") == []
    assert ids("") == ids("  -- ") == []
    assert ids("centr") == ["contact-centre"]  # a prefix of a word, not a piece in its middle
    assert ids("entre") == []


def test_names_rank_above_ids_domains_and_keywords_and_whole_words_above_prefixes() -> None:
    # "social": two names, then a keyword ("social media queue"); the names tie and go by name.
    assert ids("social") == ["social-customer-care", "social-listening", "contact-centre"]
    # "return": both names start with it; "returns" is the whole name of one, which comes first.
    assert ids("returns") == ["returns", "returns-management"]
    assert ids("return") == ["returns", "returns-management"]
    # "listening": the name of one, the domain ("Social listening and engagement") of both: the name first.
    assert ids("listening") == ["social-listening", "social-customer-care"]
    # Two prefixes of names tie, and go by name.
    assert ids("con") == ["contact-centre", "conversational-ai"]


def test_ties_are_broken_by_name_and_the_limit_keeps_the_best() -> None:
    assert ids("c") == ids("c", 20)[:8]
    assert ids("social", limit=1) == ["social-customer-care"]
    assert ids("social", limit=0) == []
    assert CATALOG.search("whats") == CATALOG.search("whats")


def test_the_shipped_catalog_finds_whatsapp_by_its_start() -> None:
    assert "social-customer-care" in [cap.id for cap in default_catalog().search("whats")]


def test_a_capability_is_taken_only_once_typed_whole_and_unlike_the_start_of_another() -> None:
    assert chosen_capability("Returns (Fulfilment)", CATALOG) == "returns"  # as offered: taken
    assert chosen_capability("returns", CATALOG) is None  # "returns-management" starts with it: wait
    assert chosen_capability("Returns management", CATALOG) == "returns-management"
    assert chosen_capability("social-customer-care", CATALOG) == "social-customer-care"
    assert chosen_capability("whats", CATALOG) is None


# -- the editor's Needs box ----------------------------------------------------------------------


def shown_offers(row: object) -> list[str]:
    return [b.description for b in row.offers if b.layout.display != "none"]  # type: ignore[attr-defined]


def test_typing_a_keyword_offers_the_capability_by_name_and_domain(session: EngagementSession) -> None:
    editor = PerfectDayEditor(session, "sam-shift")
    row = editor.add_moment()
    children = list(row.children)
    for i in range(1, len("whatsapp") + 1):  # letter by letter, as typed
        row.need.value = "whatsapp"[:i]
    assert shown_offers(row)[0] == "Social customer care (Social listening and engagement)"
    assert row.offered[0] == "social-customer-care"
    assert "no capability" not in row.draft_note.value and "Not saved yet" in row.draft_note.value
    assert list(row.children) == children  # updated in place
    row.need.value = ""
    assert shown_offers(row) == []


def test_choosing_an_offer_adds_its_id_to_the_moment_in_the_file(
    session: EngagementSession, engagement_path: Path
) -> None:
    editor = PerfectDayEditor(session, "sam-shift")
    row = editor.add_moment()
    row.fields["story"].value = "Sam answers a customer's WhatsApp message from the shop floor."
    row.need.value = "whats"
    assert "whats" not in engagement_path.read_text(encoding="utf-8").casefold()
    number = row.offered.index("social-customer-care")
    row.offers[number].click()
    assert row.need.value == "Social customer care (Social listening and engagement)"
    moment = load_engagement(engagement_path).perfect_days[1].moments[-1]
    assert moment.story.startswith("Sam answers") and dict(moment.needs) == {"social-customer-care": 3}
    assert row.index is not None and row.draft_box.layout.display == "none"


def test_a_name_or_an_id_typed_whole_is_taken_as_before(session: EngagementSession, engagement_path: Path) -> None:
    editor = PerfectDayEditor(session, "sam-shift")
    for typed, cid in (
        ("social customer care", "social-customer-care"),
        ("appointment-booking", "appointment-booking"),
    ):
        row = editor.add_moment()
        row.fields["story"].value = f"A moment needing {cid}."
        for i in range(1, len(typed) + 1):
            row.need.value = typed[:i]
        moment = load_engagement(engagement_path).perfect_days[1].moments[-1]
        assert moment.story == f"A moment needing {cid}." and dict(moment.needs) == {cid: 3}


def test_a_query_that_matches_nothing_says_so_in_one_line(session: EngagementSession, engagement_path: Path) -> None:
    before = engagement_path.read_bytes()
    editor = PerfectDayEditor(session, "sam-shift")
    row = editor.add_moment()
    row.fields["story"].value = "Sam does something no catalog knows."
    row.need.value = "whats"
    assert shown_offers(row)
    row.need.value = "xyzzy"
    assert shown_offers(row) == [] and row.offered == []
    note = html.unescape(row.draft_note.value)
    assert "no capability matches 'xyzzy'" in note and note.count("<div") == 1
    assert engagement_path.read_bytes() == before
    assert session.status_text() == "Not saved: 1 new moment needs a story and a capability"


def test_the_mapper_offers_names_takes_them_and_says_which_ones_are_close(
    session: EngagementSession, engagement_path: Path
) -> None:
    from visionkit.widgets import CapabilityMapper

    mapper = CapabilityMapper(session)
    try:
        catalog = session.engagement.capabilities
        label = (
            f"{catalog['social-customer-care'].name} ({catalog.domain_name(catalog['social-customer-care'].domain)})"
        )
        assert label in mapper.search.options and not any(" — " in option for option in mapper.search.options)
        mapper.add_need(label, 2)
        assert load_engagement(engagement_path).perfect_days[0].moments[0].needs["social-customer-care"] == 2
        before = engagement_path.read_bytes()
        mapper.add_need("social customer", 2)  # the start of a name, not a whole one: nothing written
        assert engagement_path.read_bytes() == before
        assert "did you mean &#x27;Social customer care&#x27;?" in mapper.errors.value
    finally:
        mapper.close()
