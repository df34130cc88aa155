"""CapabilityPicker: capabilities offered as you type, chosen when typed whole or clicked, widgets made once."""

from __future__ import annotations

from visionkit.catalog import Capability, Catalog
from visionkit.widgets.picker import OFFERS, CapabilityPicker, Choice

CATALOG = Catalog(
    [
        Capability("social-customer-care", "Social customer care", "social", keywords=("whatsapp", "direct message")),
        Capability("social-listening", "Social listening", "social", keywords=("mentions", "sentiment")),
        Capability("conversational-ai", "Conversational AI", "channels", keywords=("chatbot", "whatsapp bot")),
        Capability("returns", "Returns", "fulfilment", keywords=("send it back",)),
        Capability("returns-management", "Returns management", "fulfilment", keywords=("refund",)),
    ],
    {"social": "Social listening and engagement", "channels": "Channels and experience", "fulfilment": "Fulfilment"},
)
SOCIAL_CARE = "Social customer care (Social listening and engagement)"


class Heard:
    """What a picker told its owner."""

    def __init__(self, picker: CapabilityPicker):
        self.typed: list[str] = []
        self.chosen: list[Choice] = []
        picker.on_typed(self.typed.append)
        picker.on_chosen(self.chosen.append)


def shown(picker: CapabilityPicker) -> list[str]:
    return [b.description for b in picker.offers if b.layout.display != "none"]


def type_in(picker: CapabilityPicker, text: str) -> None:
    """Type `text` letter by letter, as the page sends it with continuous_update."""
    for i in range(1, len(text) + 1):
        picker.box.value = text[:i]


def live_widgets() -> int:
    from ipywidgets.widgets.widget import _instances

    return len(_instances)


def test_typing_part_of_a_name_or_a_keyword_offers_the_capability_by_name_and_domain() -> None:
    picker = CapabilityPicker(lambda: CATALOG)
    heard = Heard(picker)
    assert shown(picker) == [] and picker.box.placeholder == "a name, a domain or a keyword"
    assert list(picker.box.options) == sorted(picker.box.options) and SOCIAL_CARE in picker.box.options
    type_in(picker, "social cus")
    assert shown(picker) == [SOCIAL_CARE] and picker.offered == ["social-customer-care"]
    assert picker.offers[0].tooltip == "add social-customer-care"
    assert picker.chosen() is None and heard.chosen == []
    assert heard.typed[-1] == "social cus" and len(heard.typed) == len("social cus")
    picker.box.value = "whats"
    assert picker.offered == ["conversational-ai", "social-customer-care"]
    picker.box.value = "xyzzy"
    assert shown(picker) == [] and picker.offered == []


def test_typing_the_whole_label_an_id_or_a_name_chooses_it() -> None:
    picker = CapabilityPicker(lambda: CATALOG)
    heard = Heard(picker)
    type_in(picker, SOCIAL_CARE)
    assert picker.chosen() == "social-customer-care" and shown(picker) == []  # nothing left to offer
    # Chosen when its name was typed whole, not again at the space after it, and again as the whole label.
    assert heard.chosen == [Choice("social-customer-care", clicked=False)] * 2
    picker.box.value = "conversational-ai"
    assert heard.chosen[-1] == Choice("conversational-ai", clicked=False)
    picker.box.value = "returns"  # the start of "Returns management": it waits, and both are offered
    assert picker.chosen() is None and picker.offered == ["returns", "returns-management"]
    picker.box.value = "Returns management"
    assert heard.chosen[-1] == Choice("returns-management", clicked=False)


def test_clicking_an_offer_puts_its_label_in_the_box_and_chooses_it_once() -> None:
    picker = CapabilityPicker(lambda: CATALOG)
    type_in(picker, "whats")
    heard = Heard(picker)
    picker.offers[picker.offered.index("social-customer-care")].click()
    assert picker.box.value == SOCIAL_CARE and picker.chosen() == "social-customer-care"
    assert heard.chosen == [Choice("social-customer-care", clicked=True)] and heard.typed == [SOCIAL_CARE]
    assert shown(picker) == []
    picker.choose(OFFERS - 1)  # no such offer shown: nothing happens
    assert len(heard.chosen) == 1


def test_the_offers_are_updated_in_place_never_rebuilt() -> None:
    picker = CapabilityPicker(lambda: CATALOG)
    made = [picker.box, picker.level, *picker.offers, *picker.children]
    type_in(picker, "s")
    before = live_widgets()
    for text in ("social", "whatsapp", "returns", "xyzzy", "", "fulfilment", SOCIAL_CARE):
        type_in(picker, text)
    assert live_widgets() == before  # dozens of keystrokes, no widget made
    assert [picker.box, picker.level, *picker.offers, *picker.children] == made
    assert len(picker.offers) == OFFERS and picker.children[1].children == tuple(picker.offers)


def test_a_change_of_catalog_is_followed() -> None:
    current = [CATALOG]
    picker = CapabilityPicker(lambda: current[0])
    picker.box.value = "loyal"
    assert picker.offered == []
    current[0] = Catalog(
        [*CATALOG.values(), Capability("loyalty", "Loyalty and membership", "relationship", keywords=("points",))],
        {**{cap.domain: CATALOG.domain_name(cap.domain) for cap in CATALOG.values()}, "relationship": "Relationship"},
    )
    picker.refresh()  # the owner's cue that the file changed
    assert "Loyalty and membership (Relationship)" in picker.box.options
    assert shown(picker) == ["Loyalty and membership (Relationship)"] and picker.offered == ["loyalty"]
    picker.box.value = "points"
    assert picker.offered == ["loyalty"]


def test_clear_empties_the_box_and_the_offers_and_keeps_the_level() -> None:
    picker = CapabilityPicker(lambda: CATALOG, description="Add")
    picker.level.value = 2
    type_in(picker, "whats")
    heard = Heard(picker)
    picker.clear()
    assert picker.box.value == "" and shown(picker) == [] and picker.offered == []
    assert picker.level.value == 2 and picker.box.description == "Add"
    assert heard.typed == [] and heard.chosen == []  # the owner asked for it
