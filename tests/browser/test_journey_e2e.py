"""The day as a journey, and a new perfect day, in a real browser: drag, click, type, then read the file.

A notebook of its own (journey.ipynb on a copy of the demo engagement, two days of moments with
feelings) so that what these tests move and add leaves the other browser tests' file alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from visionkit._resources import demo_path
from visionkit.engagement_file import load_engagement
from visionkit.testing import without_scenarios

from .lab import LabServer
from .test_workshop_e2e import (
    KEY_DELAY_MS,
    UPDATE_TIMEOUT_MS,
    Screenshot,
    notebook_page,
    open_tab,
    wait_until,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "journey.ipynb"
ENGAGEMENT = "journey.yaml"


@pytest.fixture(scope="module")
def journey_file(lab_server: LabServer) -> Path:
    """A copy of the demo engagement (without its scenarios) in the lab's folder, and a notebook opening it."""
    target = lab_server.root / ENGAGEMENT
    # Without the demo's named scenarios, saving one writes the file's first `scenarios:` block.
    target.write_text(without_scenarios(demo_path().read_text(encoding="utf-8")), encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    # Like the notebooks `visionkit init` writes: a kernel named, so JupyterLab starts it without asking.
    notebook.metadata = nbformat.read(lab_server.root / "workshop.ipynb", as_version=4).metadata
    notebook.cells = [nbformat.v4.new_code_cell(f"from visionkit.widgets import workshop\nworkshop({ENGAGEMENT!r})")]
    nbformat.write(notebook, lab_server.root / NOTEBOOK)
    return target


@pytest.fixture(scope="module")
def page(browser: Browser, lab_server: LabServer, output_dir: Path, journey_file: Path) -> Iterator[Page]:
    """journey.ipynb open in JupyterLab with its cell run."""
    with notebook_page(browser, lab_server, output_dir, NOTEBOOK) as page:
        yield page


def journey(page: Page) -> Locator:
    """The journey of the day shown in the Perfect days tab."""
    return open_tab(page, "Perfect days").locator(".vk-journey")


def stories(path: Path, day: int = 0) -> list[str]:
    """The stories of a perfect day as the file has them, in order."""
    return [m.story for m in load_engagement(path).perfect_days[day].moments]


def drag(page: Page, source: Locator, x: float, y: float) -> None:
    """Press on `source`, move the mouse in steps to (x, y) on the page and release, as a hand would."""
    box = source.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(x, y, steps=12)
    page.mouse.up()


def test_the_journey_shows_lanes_cards_and_both_feeling_curves(
    page: Page, journey_file: Path, screenshot: Screenshot
) -> None:
    view = journey(page)
    day = load_engagement(journey_file).perfect_days[0]
    cards = view.locator(".vk-journey-card")
    expect(cards).to_have_count(len(day.moments), timeout=UPDATE_TIMEOUT_MS)
    channels = list(dict.fromkeys(m.channel for m in day.moments if m.channel))
    expect(view.locator(".vk-journey-lane")).to_have_text(channels)
    expect(cards.first).to_contain_text(day.moments[0].at or "")
    expect(cards.first.locator(".vk-chip").first).to_be_visible()
    # Both curves: a dashed one for today and a solid one for the perfect day, from the moments' scores.
    expect(view.locator(".vk-journey-band path.vk-today")).to_have_count(1)
    expect(view.locator(".vk-journey-band path.vk-perfect")).to_have_count(1)
    scored = sum(1 for m in day.moments if m.feeling.today is not None)
    expect(view.locator(".vk-journey-band circle.vk-today")).to_have_count(scored)
    screenshot(view, "journey")


def test_dragging_a_card_later_reorders_the_moments_in_the_file(page: Page, journey_file: Path) -> None:
    view = journey(page)
    before = stories(journey_file)
    cards = view.locator(".vk-journey-card")
    third = cards.nth(2).bounding_box()
    assert third is not None
    # Drop the first card just right of the third card's middle: it becomes the third moment, same lane.
    first = cards.first.bounding_box()
    assert first is not None
    drag(page, cards.first, third["x"] + third["width"] * 0.9, first["y"] + 20)
    expected = [before[1], before[2], before[0], *before[3:]]
    wait_until(lambda: stories(journey_file) == expected, "the first moment moved to third place in the file")
    expect(cards.nth(2)).to_contain_text(before[0][:30], timeout=UPDATE_TIMEOUT_MS)


def test_dragging_a_card_to_another_lane_changes_its_channel(page: Page, journey_file: Path) -> None:
    view = journey(page)
    day = load_engagement(journey_file).perfect_days[0]
    index = next(i for i, m in enumerate(day.moments) if m.channel != "messaging")
    messaging = view.locator(".vk-journey-stripe").nth(
        list(dict.fromkeys(m.channel for m in day.moments)).index("messaging")
    )
    card = view.locator(".vk-journey-card").nth(index)
    lane = messaging.bounding_box()
    box = card.bounding_box()
    assert lane is not None and box is not None
    drag(page, card, box["x"] + box["width"] / 2, lane["y"] + lane["height"] / 2)
    wait_until(
        lambda: load_engagement(journey_file).perfect_days[0].moments[index].channel == "messaging",
        "the moment's channel became messaging",
    )
    assert stories(journey_file) == [m.story for m in day.moments]  # a lane change alone keeps the order


def test_dragging_a_time_pin_retimes_the_moment(page: Page, journey_file: Path) -> None:
    view = journey(page)
    day = load_engagement(journey_file).perfect_days[0]
    last = len(day.moments) - 1
    before = day.moments[last].at
    pin = view.locator(".vk-pin").nth(last)
    box = pin.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 60, box["y"] + box["height"] / 2, steps=10)
    page.mouse.up()

    def retimed() -> bool:
        at = load_engagement(journey_file).perfect_days[0].moments[last].at
        return at is not None and at != before and at < (before or "")

    wait_until(retimed, f"moment {last + 1} got an earlier time than {before}")
    at = load_engagement(journey_file).perfect_days[0].moments[last].at
    assert at is not None and int(at[-2:]) % 5 == 0  # pins land on five minutes
    expect(view.locator(".vk-journey-card").nth(last)).to_contain_text(at, timeout=UPDATE_TIMEOUT_MS)


def test_clicking_a_card_puts_the_cursor_in_that_moments_story(page: Page, journey_file: Path) -> None:
    view = journey(page)
    story = stories(journey_file)[1]
    view.locator(".vk-journey-card").nth(1).click()
    expect(view.locator(".vk-journey-card.vk-selected")).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    focused = page.locator("textarea:focus")
    expect(focused).to_have_value(story, timeout=UPDATE_TIMEOUT_MS)
    page.keyboard.press("End")
    page.keyboard.type(" Again.", delay=KEY_DELAY_MS)
    wait_until(lambda: stories(journey_file)[1] == story + " Again.", "typing after the click saved in that moment")


def test_a_day_duplicated_deleted_and_brought_back_is_in_the_file_each_time(
    page: Page, journey_file: Path, screenshot: Screenshot
) -> None:
    editor = open_tab(page, "Perfect days")
    picker = editor.get_by_label("Perfect day", exact=True)
    first = load_engagement(journey_file).perfect_days[0]

    def ids() -> list[str]:
        return [d.id for d in load_engagement(journey_file).perfect_days]

    start = ids()
    editor.get_by_role("button", name="Duplicate day").click()
    wait_until(lambda: ids() == [start[0], f"{first.id}-copy", *start[1:]], "the copy written after its source")
    expect(picker.locator("option:checked")).to_have_text(f"{first.title} (copy)", timeout=UPDATE_TIMEOUT_MS)
    expect(journey(page).locator(".vk-journey-card")).to_have_count(len(first.moments))
    editor.get_by_role("button", name="Delete day").click()
    wait_until(lambda: ids() == start, "the copy deleted")
    undo = editor.get_by_role("button", name=f"Undo delete of “{first.title} (copy)”")
    screenshot(editor, "editor-day-deleted")
    undo.click()
    wait_until(lambda: ids() == [start[0], f"{first.id}-copy", *start[1:]], "the copy brought back")
    editor.get_by_role("button", name="Delete day").click()  # leave the file as the next test expects
    wait_until(lambda: ids() == start, "the copy deleted again")


def test_a_bar_of_the_roadmap_says_why_it_is_there_and_what_it_unlocks(page: Page, journey_file: Path) -> None:
    roadmap = open_tab(page, "Roadmap")
    bars = roadmap.locator("svg [id^='vk-uplift-']")
    expect(bars.first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    bars.first.hover()  # the browser shows the bar's <title> as its tooltip
    tips = [t.strip() for t in roadmap.locator("svg [id^='vk-uplift-'] > title").all_text_contents()]
    assert len(tips) == bars.count() and all(tips), tips
    assert any("unlocks" in tip for tip in tips), tips
    assert all(", " in tip for tip in tips)  # the uplift's name, when, and why


def test_a_new_day_is_saved_with_its_first_moment_and_its_id_follows_the_title(
    page: Page, journey_file: Path, screenshot: Screenshot
) -> None:
    editor = open_tab(page, "Perfect days")
    before = journey_file.read_text(encoding="utf-8")
    days = len(load_engagement(journey_file).perfect_days)
    editor.get_by_role("button", name="New day").click()
    title = editor.get_by_label("Title", exact=True)
    expect(title).to_be_focused(timeout=UPDATE_TIMEOUT_MS)  # the cursor goes to the new day's title
    expect(title).to_have_value("")
    page.keyboard.type("Ravi's first week", delay=KEY_DELAY_MS)
    picker = editor.get_by_label("Perfect day", exact=True)
    expect(picker.locator("option:checked")).to_have_text(
        "Ravi's first week (not saved yet)", timeout=UPDATE_TIMEOUT_MS
    )
    expect(page.locator(".vk-workshop > .vk-status")).not_to_contain_text("Saved to")
    assert journey_file.read_text(encoding="utf-8") == before  # nothing written before the first moment
    draft = editor.locator(".widget-vbox", has=page.get_by_text("New moment", exact=True)).last
    draft.get_by_label("Story", exact=True).click()
    page.keyboard.type("Ravi's laptop and badge are waiting on his desk.", delay=KEY_DELAY_MS)
    draft.get_by_label("Needs", exact=True).click()
    page.keyboard.type("knowledge-management", delay=KEY_DELAY_MS)
    page.keyboard.press("Tab")
    wait_until(lambda: len(load_engagement(journey_file).perfect_days) == days + 1, "the new day saved")
    new = load_engagement(journey_file).perfect_days[-1]
    assert (new.id, new.title) == ("ravis-first-week", "Ravi's first week")
    assert [m.story for m in new.moments] == ["Ravi's laptop and badge are waiting on his desk."]
    expect(picker.locator("option:checked")).to_have_text("Ravi's first week", timeout=UPDATE_TIMEOUT_MS)
    expect(journey(page).locator(".vk-journey-card")).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    screenshot(editor, "editor-new-day")


def test_the_roadmaps_settings_saved_as_a_named_scenario_are_in_the_file(
    page: Page, journey_file: Path, screenshot: Screenshot
) -> None:
    tabs = open_tab(page, "Roadmap")
    roadmap = tabs.locator(".widget-tab-contents > :not(.lm-mod-hidden)").first
    expect(roadmap.locator("svg").first).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    baseline = load_engagement(journey_file).scenario
    name = "two more points"
    roadmap.get_by_label("Name", exact=True).click()
    page.keyboard.type(name, delay=KEY_DELAY_MS)
    # The slider's handle, focused, moves a step a key; the value goes to the kernel as each key is let go.
    handle = roadmap.locator(".widget-slider").filter(has_text="Capacity").locator(".noUi-handle").first
    handle.focus()
    for _ in range(2):
        page.keyboard.press("ArrowRight", delay=KEY_DELAY_MS)
    capacity = baseline.capacities()[0] + 2
    expect(roadmap.locator(".widget-slider").filter(has_text="Capacity").locator(".widget-readout")).to_have_text(
        str(capacity)
    )
    roadmap.get_by_role("button", name="Save as scenario").click()
    wait_until(lambda: name in load_engagement(journey_file).scenario_names(), f"the scenario {name!r} in the file")
    engagement = load_engagement(journey_file)
    saved = engagement.scenario_named(name)
    assert (saved.capacity, saved.waves, saved.strategy) == (capacity, baseline.waves, baseline.strategy)
    assert engagement.scenario == baseline  # the baseline is untouched
    assert f"  - {{name: {name}, capacity: {capacity}}}" in journey_file.read_text(encoding="utf-8").splitlines()
    picker = roadmap.get_by_label("Scenario", exact=True)
    expect(picker.locator("option:checked")).to_have_text(name, timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".vk-workshop > .vk-status")).to_contain_text("Saved to journey.yaml at")
    screenshot(roadmap, "roadmap-saved-as-scenario")
