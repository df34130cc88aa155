"""Capabilities found as you type in a real browser: a new moment's Needs, and the Capabilities tab's Add box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from visionkit.engagement_file import load_engagement

from .test_workshop_e2e import (  # the module's fixtures and helpers: JupyterLab, the workshop notebook run
    KEY_DELAY_MS,
    UPDATE_TIMEOUT_MS,
    Screenshot,
    editor,
    engagement_file,
    open_tab,
    status_bar,
    wait_until,
    workshop,
)

pytestmark = pytest.mark.browser

__all__ = ["editor", "engagement_file", "workshop"]  # fixtures, used by name

STORY = "Priya sends the store a WhatsApp photo of the torn tent and gets a reply within minutes."
NAME = "Social customer care"
LABEL = "Social customer care (Social listening and engagement)"
ADDED = "appointment-booking"
ADDED_LABEL = "Appointment booking (Channels and experience)"


def test_a_capability_typed_by_its_name_is_added_to_the_moment(
    workshop: Page, engagement_file: Path, editor: Locator, screenshot: Screenshot
) -> None:
    page = workshop
    editor.get_by_role("button", name="Add moment").click()
    draft = editor.locator(".widget-vbox", has=page.get_by_text("New moment", exact=True)).last
    draft.get_by_label("Story", exact=True).fill(STORY)
    need = draft.get_by_label("Needs", exact=True)
    # A keyword, or the start of one, offers the capability by its name and domain; the typing stays in the box.
    need.press_sequentially("whats", delay=KEY_DELAY_MS)
    offer = draft.get_by_role("button", name=LABEL, exact=True)
    expect(offer).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    assert page.evaluate("[document.activeElement.tagName, document.activeElement.value]") == ["INPUT", "whats"]
    screenshot(draft, "search")
    # Nothing matching says so.
    need.press_sequentially("qq", delay=KEY_DELAY_MS)
    expect(draft.get_by_text("no capability matches 'whatsqq'")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(offer).to_be_hidden()
    assert "whatsqq" not in engagement_file.read_text(encoding="utf-8")
    # The name typed whole is taken: the moment is saved with the capability's id.
    need.fill("")
    need.press_sequentially(NAME, delay=KEY_DELAY_MS)

    def saved() -> bool:
        return any(m.story == STORY for m in load_engagement(engagement_file).perfect_days[0].moments)

    wait_until(saved, "the new moment in engagement.yaml")
    moment = next(m for m in load_engagement(engagement_file).perfect_days[0].moments if m.story == STORY)
    assert dict(moment.needs) == {"social-customer-care": 3}
    assert "needs: {social-customer-care: 3}" in engagement_file.read_text(encoding="utf-8")
    expect(editor.get_by_text(re.compile(f"Needs: {NAME} L3"))).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(status_bar(page)).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)
    screenshot(editor, "search-added")


def test_a_capability_offered_in_the_capabilities_tab_is_added_with_a_click(
    workshop: Page, engagement_file: Path, screenshot: Screenshot
) -> None:
    page = workshop
    mapper = open_tab(page, "Capabilities")
    mapper.get_by_label("Moment", exact=True).select_option(index=0)  # the first moment of the first day
    assert ADDED not in load_engagement(engagement_file).perfect_days[0].moments[0].needs
    add = mapper.get_by_label("Add", exact=True)
    add.click()
    add.press_sequentially("appoint", delay=KEY_DELAY_MS)
    offer = mapper.get_by_role("button", name=ADDED_LABEL, exact=True)
    expect(offer).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    assert page.evaluate("[document.activeElement.tagName, document.activeElement.value]") == ["INPUT", "appoint"]
    screenshot(mapper, "mapper-add-offers")
    offer.click()

    def added() -> bool:
        return load_engagement(engagement_file).perfect_days[0].moments[0].needs.get(ADDED) == 3

    wait_until(added, f"{ADDED} at level 3 in the first moment's needs in engagement.yaml")
    expect(mapper.locator("code", has_text=re.compile(f"^{ADDED}$"))).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(add).to_have_value("", timeout=UPDATE_TIMEOUT_MS)  # ready for the next one
    expect(offer).to_be_hidden()
    expect(status_bar(page)).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)
    screenshot(mapper, "mapper-add-offer-added")
