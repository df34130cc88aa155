"""The Assessment tab in a real browser: target and gap per capability, and today's level written to the file.

Reuses the workshop notebook fixture of test_workshop_e2e.py (JupyterLab on a `visionkit init`
folder, every cell run). Other browser tests may have edited engagement.yaml before this one runs,
so the expected values are read from the file, not assumed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from visionkit.engagement_file import load_engagement

from .lab import LabServer
from .test_workshop_e2e import UPDATE_TIMEOUT_MS, Screenshot, open_tab, wait_until
from .test_workshop_e2e import workshop as workshop  # the fixture, used by name

pytestmark = pytest.mark.browser

CAPABILITY = "customer-360"  # needed directly by the scaffold's moment, at level 3
PREREQUISITE = "identity-resolution"  # in play only as a prerequisite of the single customer view


def gap_words(today: int, target: int) -> str:
    gap = target - today
    return "Gap: ✓ met" if gap <= 0 else f"Gap: {gap} level{'s' if gap > 1 else ''}"


def test_the_assessment_shows_target_and_gap_and_saves_todays_level(
    workshop: Page,
    lab_server: LabServer,
    output_dir: Path,
    screenshot: Screenshot,
) -> None:
    engagement_file = lab_server.root / "engagement.yaml"
    engagement = load_engagement(engagement_file)
    catalog = engagement.capabilities
    target = engagement.target_levels()[CAPABILITY]
    today = engagement.assessment.get(CAPABILITY, 0)
    assert target >= 3

    tabs = open_tab(workshop, "Assessment")
    panel = tabs.locator(".vk-assessor")
    row = panel.locator(f".vk-capability-{CAPABILITY}")
    expect(row.get_by_text(catalog[CAPABILITY].name, exact=True)).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(row.locator(".vk-target")).to_have_text(f"Target: {target}")
    expect(row.locator(".vk-gap")).to_have_text(gap_words(today, target))
    expect(row).to_contain_text("needed directly by")
    # The ladder: every level's rubric sentence, today's and the target's marked in words.
    ladder = row.locator(".vk-ladder")
    for level in range(1, 6):
        expect(ladder.locator(f".vk-level-{level}")).to_contain_text(catalog[CAPABILITY].rubric[level])
    expect(ladder.locator(f".vk-level-{target} .vk-mark")).to_contain_text("target")
    expect(ladder.locator(f".vk-level-{today} .vk-mark")).to_contain_text("today")
    expect(panel.locator(f".vk-capability-{PREREQUISITE}")).to_contain_text("prerequisite only of")

    # Change today's level: the gap follows and the file has it.
    new = 1 if today != 1 else 2
    picker = row.get_by_label("Today", exact=True)
    picker.select_option(label=str(new))
    expect(row.locator(".vk-gap")).to_have_text(gap_words(new, target), timeout=UPDATE_TIMEOUT_MS)
    expect(ladder.locator(f".vk-level-{new} .vk-mark")).to_contain_text("today", timeout=UPDATE_TIMEOUT_MS)
    wait_until(
        lambda: load_engagement(engagement_file).assessment.get(CAPABILITY) == new,
        f"assessment: {CAPABILITY}: {new} in engagement.yaml",
    )
    assert re.search(rf"^\s+{CAPABILITY}: {new}$", engagement_file.read_text(encoding="utf-8"), re.MULTILINE)

    # Reaching the target closes the gap.
    picker.select_option(label=str(target))
    expect(row.locator(".vk-gap")).to_have_text("Gap: ✓ met", timeout=UPDATE_TIMEOUT_MS)
    wait_until(
        lambda: load_engagement(engagement_file).assessment.get(CAPABILITY) == target,
        f"assessment: {CAPABILITY}: {target} in engagement.yaml",
    )
    picker.select_option(label=str(new))  # back below the target, for the screenshot to show a gap
    expect(row.locator(".vk-gap")).to_have_text(gap_words(new, target), timeout=UPDATE_TIMEOUT_MS)
    shot = screenshot(tabs, "assessment")
    assert shot == output_dir / "assessment.png" and shot.exists()
