"""The workshop notebook in a real browser: JupyterLab, the kernel, ipywidgets and the engagement file on disk.

The user's path: open the workshop.ipynb that `visionkit init` made, run it, add a moment in the
Perfect days tab, and find it saved in engagement.yaml and offered in the Capabilities tab.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from visionkit.engagement_file import load_engagement

from .conftest import LabServer

pytestmark = pytest.mark.browser

TABS = ("Perfect days", "Capabilities", "Assessment", "Roadmap")
STORY = "Priya asks the courier bot where her parcel is and sees the van on a live map, with a photo at the door."
NEED = "knowledge-management"
ACTION_TIMEOUT_MS = 60_000  # the first load of JupyterLab and the first kernel start
UPDATE_TIMEOUT_MS = 30_000  # a widget redrawn after the kernel handled an edit
SAVE_TIMEOUT = 30.0  # the widgets save after a short debounce

Screenshot = Callable[[Locator, str], Path]


@pytest.fixture(scope="module")
def workshop(browser: Browser, lab_server: LabServer, output_dir: Path) -> Iterator[Page]:
    """workshop.ipynb open in JupyterLab with every cell run and the four widget tabs shown."""
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        page.goto(lab_server.lab_url("workshop.ipynb"))
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        # Wait for the notebook's kernel to be started and connected: running cells before that
        # opens the "Select Kernel" dialog instead.
        page.locator("#jp-main-statusbar").get_by_text(re.compile(r"^Python 3.* \| Idle$")).wait_for()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.locator(".lm-Menu").get_by_role("menuitem", name="Run All Cells", exact=True).click()
        tabs = workshop_tabs(page)
        for title in TABS:
            tabs.get_by_role("tab", name=title).wait_for()
        # The last cell ran too: the plan as a table (it may be scrolled out of view).
        page.locator(".jp-OutputArea-output table.dataframe").wait_for(state="attached")
        yield page
    finally:
        with contextlib.suppress(PlaywrightError):  # a view of the whole page, to review or to debug a failure
            page.screenshot(path=str(output_dir / "jupyterlab-page.png"), full_page=True)
        (output_dir / "browser-console.log").write_text("\n".join(console) + "\n", encoding="utf-8")
        context.close()


def workshop_tabs(page: Page) -> Locator:
    """The workshop widget: its tab bar and the selected tab's content."""
    return page.locator(".jp-OutputArea-output .widget-tab")


def open_tab(page: Page, title: str) -> Locator:
    """Select a workshop tab; return the workshop widget."""
    tabs = workshop_tabs(page)
    tabs.get_by_role("tab", name=title).click()
    return tabs


def wait_for_file(path: Path, text: str, timeout: float = SAVE_TIMEOUT) -> str:
    """The file's content once it contains `text`."""
    deadline = time.monotonic() + timeout
    content = ""
    while time.monotonic() < deadline:
        content = path.read_text(encoding="utf-8")
        if text in content:
            return content
        time.sleep(0.2)
    pytest.fail(f"{path.name} did not contain {text!r} within {timeout:.0f} s; it reads:\n{content}")


def test_a_moment_typed_in_the_editor_is_saved_and_offered_by_the_mapper(
    workshop: Page, lab_server: LabServer, screenshot: Screenshot
) -> None:
    page = workshop
    engagement_file = lab_server.root / "engagement.yaml"
    editor = open_tab(page, "Perfect days")
    editor.get_by_role("button", name="Add moment").click()
    draft = editor.locator(".widget-vbox", has=page.get_by_text("New moment", exact=True)).last
    expect(draft.get_by_text("Not saved yet")).to_be_visible()
    draft.get_by_label("Story", exact=True).fill(STORY)
    screenshot(draft, "editor-new-moment-draft")
    need = draft.get_by_label("Needs", exact=True)
    need.press_sequentially(NEED)
    # The last keystroke can already complete the draft, which is then saved and redrawn as Moment 2:
    # Tab goes to whatever has the focus, rather than to a field that may have just been replaced.
    page.keyboard.press("Tab")

    wait_for_file(engagement_file, STORY[:40])
    day = load_engagement(engagement_file).perfect_days[0]
    added = [m for m in day.moments if m.story == STORY]
    assert len(added) == 1, [m.story for m in day.moments]
    assert dict(added[0].needs) == {NEED: 3}
    # The draft became the day's second moment, in the form and in the storyboard, and the save is shown.
    expect(editor.locator("b", has_text=re.compile(r"^Moment 2$"))).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(editor.get_by_text(STORY, exact=True)).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(editor.locator(".vk-status").first).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)

    mapper = open_tab(page, "Capabilities")
    moments = mapper.get_by_label("Moment", exact=True)
    option = moments.locator("option", has_text=STORY[:30])
    expect(option).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    moments.select_option(label=option.inner_text())
    expect(mapper.locator("code", has_text=re.compile(f"^{NEED}$"))).to_be_visible(timeout=UPDATE_TIMEOUT_MS)


@pytest.mark.parametrize("title", TABS)
def test_each_tab_renders(workshop: Page, screenshot: Screenshot, title: str) -> None:
    tabs = open_tab(workshop, title)
    panel = tabs.locator(".widget-tab-contents > :not(.lm-mod-hidden)").first
    content = {
        "Perfect days": [panel.get_by_role("button", name="Add moment"), panel.get_by_text("Moment 1", exact=True)],
        "Capabilities": [panel.get_by_label("Moment", exact=True), panel.locator("table td").first],
        "Assessment": [panel.get_by_text("Single customer view", exact=True), panel.locator("select").first],
        "Roadmap": [
            panel.locator("svg").first,
            panel.locator("svg").nth(1),
            panel.locator("table th", has_text="Live"),
        ],
    }[title]
    for element in content:
        expect(element).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    screenshot(tabs, f"tab-{title.lower().replace(' ', '-')}")
