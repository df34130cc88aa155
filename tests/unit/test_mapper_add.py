"""The Capabilities tab's Add box: capabilities offered as you type; a click on one adds the need."""

from __future__ import annotations

from pathlib import Path

from visionkit.engagement_file import load_engagement
from visionkit.widgets import CapabilityMapper, EngagementSession

LABEL = "Social customer care (Social listening and engagement)"


def shown(mapper: CapabilityMapper) -> list[str]:
    return [b.description for b in mapper.add_picker.offers if b.layout.display != "none"]


def needs(path: Path) -> dict[str, int]:
    return dict(load_engagement(path).perfect_days[0].moments[0].needs)


def test_typing_whatsapp_offers_a_messaging_capability_and_a_click_adds_it(
    session: EngagementSession, engagement_path: Path
) -> None:
    mapper = CapabilityMapper(session)
    try:
        before = engagement_path.read_bytes()
        mapper.level.value = 2
        for i in range(1, len("whatsapp") + 1):  # letter by letter, as the page sends them
            mapper.search.value = "whatsapp"[:i]
        assert shown(mapper) == [LABEL] and mapper.add_picker.offers[0].tooltip == "add social-customer-care"
        assert engagement_path.read_bytes() == before  # offered, not added
        mapper.add_picker.offers[0].click()
        assert needs(engagement_path)["social-customer-care"] == 2
        assert "social-customer-care" in [row.capability for row in mapper.needs_box.children]
        assert mapper.search.value == "" and shown(mapper) == [] and mapper.errors.value == ""
        assert mapper.level.value == 2  # kept for the next one
    finally:
        mapper.close()


def test_a_name_typed_whole_waits_for_add_need_and_a_partial_one_is_explained(
    session: EngagementSession, engagement_path: Path
) -> None:
    mapper = CapabilityMapper(session)
    try:
        before = engagement_path.read_bytes()
        mapper.search.value = "Appointment booking"
        assert mapper.add_picker.chosen() == "appointment-booking"
        assert engagement_path.read_bytes() == before  # typing alone writes nothing
        mapper.add_button.click()
        assert needs(engagement_path)["appointment-booking"] == 3 and mapper.search.value == ""
        before = engagement_path.read_bytes()
        mapper.search.value = "loyalty and memb"
        assert shown(mapper) == ["Loyalty and membership (Relationship management)"]
        mapper.add_button.click()
        assert engagement_path.read_bytes() == before
        assert "did you mean &#x27;Loyalty and membership&#x27;?" in mapper.errors.value
        assert mapper.search.value == "loyalty and memb"  # kept, to finish or to pick from the offers
    finally:
        mapper.close()


def test_the_add_box_follows_the_catalog_in_the_file(session: EngagementSession) -> None:
    mapper = CapabilityMapper(session)
    try:
        spec = {
            "id": "rota-magic",
            "name": "Rota magic",
            "domain": "fulfilment",
            "effort_per_level": 1,
            "keywords": ["shift swap"],
        }
        assert not session.edit(lambda data: data["catalog"]["capabilities"].append(spec))
        assert any(option.startswith("Rota magic (") for option in mapper.search.options)
        mapper.search.value = "shift sw"
        assert mapper.add_picker.offered == ["rota-magic"]
    finally:
        mapper.close()
