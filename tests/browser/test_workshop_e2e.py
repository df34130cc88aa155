"""The workshop notebook in a real browser: JupyterLab, the kernel, ipywidgets and the engagement file on disk.

The user's path: open the workshop.ipynb that `visionkit init` made, run it, add moments in the
Perfect days tab typing at human speed, and find them saved whole in engagement.yaml and offered in
the Capabilities tab; change the file behind the workshop's back; see a save fail and retry it;
reload the page. Widget counts are read from the kernel itself (tests/browser/lab.py's probe).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from visionkit.engagement_file import ConflictError, EngagementFile, load_engagement

from .lab import KernelProbe, LabServer, kernel_probe

pytestmark = pytest.mark.browser

TABS = ("Perfect days", "Capabilities", "Assessment", "Roadmap")
STORY = "Priya asks the courier bot where her parcel is and sees the van on a live map, with a photo at the door."
NEED = "knowledge-management"
ACTION_TIMEOUT_MS = 60_000  # the first load of JupyterLab and the first kernel start
UPDATE_TIMEOUT_MS = 30_000  # a widget redrawn after the kernel handled an edit
SAVE_TIMEOUT = 30.0  # the widgets save after a short debounce
KEY_DELAY_MS = 30  # typing at human speed
LONG_STORY = (  # 200 characters
    "Priya opens the app on Saturday morning and it already knows the school shoes are outgrown, so it "
    "offers the next size in stock at her usual store, holds a pair, and books a fitting slot before lunch."
)
RELOAD_LIMIT_MS = 15_000

Screenshot = Callable[[Locator, str], Path]


@contextlib.contextmanager
def notebook_page(browser: Browser, lab_server: LabServer, output_dir: Path, notebook: str) -> Iterator[Page]:
    """A notebook of the lab's folder open in JupyterLab, every cell run and the workshop's tabs shown."""
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    name = Path(notebook).stem
    try:
        # `reset`: a fresh workspace, so that a notebook an earlier test module opened is not restored beside it.
        page.goto(lab_server.lab_url(notebook) + "&reset")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        # Wait for the notebook's kernel to be started and connected: running cells before that
        # opens the "Select Kernel" dialog instead.
        page.locator("#jp-main-statusbar").get_by_text(re.compile(r"^Python 3.* \| Idle$")).wait_for()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.locator(".lm-Menu").get_by_role("menuitem", name="Run All Cells", exact=True).click()
        tabs = workshop_tabs(page)
        for title in TABS:
            tabs.get_by_role("tab", name=title).wait_for()
        yield page
    finally:
        with contextlib.suppress(PlaywrightError):  # a view of the whole page, to review or to debug a failure
            page.screenshot(path=str(output_dir / f"{name}-page.png"), full_page=True)
        (output_dir / f"{name}-console.log").write_text("\n".join(console) + "\n", encoding="utf-8")
        context.close()


@pytest.fixture(scope="module")
def workshop(browser: Browser, lab_server: LabServer, output_dir: Path) -> Iterator[Page]:
    """workshop.ipynb open in JupyterLab with every cell run and the four widget tabs shown."""
    with notebook_page(browser, lab_server, output_dir, "workshop.ipynb") as page:
        # The last cell ran too: the plan as a table (it may be scrolled out of view).
        page.locator(".jp-OutputArea-output table.dataframe").wait_for(state="attached")
        yield page


@pytest.fixture
def engagement_file(lab_server: LabServer) -> Path:
    """The engagement.yaml the workshop edits."""
    return lab_server.root / "engagement.yaml"


@pytest.fixture
def editor(workshop: Page) -> Locator:
    """The workshop with its Perfect days tab selected."""
    return open_tab(workshop, "Perfect days")


@pytest.fixture(scope="module")
def kernel(workshop: Page, lab_server: LabServer) -> Iterator[KernelProbe]:
    """A second client of the workshop notebook's kernel: counts its widgets, injects faults."""
    with kernel_probe(lab_server, "workshop.ipynb") as probe:
        yield probe


def status_bar(page: Page) -> Locator:
    """The workshop's status bar (below its tabs)."""
    return page.locator(".vk-workshop > .vk-status")


def type_into(page: Page, field: Locator, text: str) -> None:
    """Select what a field holds and type `text` over it, key by key at human speed."""
    field.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text, delay=KEY_DELAY_MS)


def wait_until(check: Callable[[], bool], what: str, timeout: float = SAVE_TIMEOUT) -> None:
    """Poll `check` until it holds; fail naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - a file caught half-written by a colleague's editor: look again
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def moment_row(page: Page, editor: Locator, number: int) -> Locator:
    """The form of the moment shown as "Moment <number>" (the innermost box holding that title)."""
    return editor.locator(".widget-vbox", has=page.get_by_text(f"Moment {number}", exact=True)).last


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
    workshop: Page, engagement_file: Path, editor: Locator, screenshot: Screenshot
) -> None:
    page = workshop
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
    expect(editor.locator(".vk-storyboard").get_by_text(STORY, exact=True)).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(editor.locator(".vk-journey-card", has_text=STORY)).to_have_count(1)
    expect(status_bar(page)).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)

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


def test_a_story_typed_at_human_speed_after_picking_the_capability_is_saved_whole(
    workshop: Page, engagement_file: Path, editor: Locator, kernel: KernelProbe, screenshot: Screenshot
) -> None:
    page = workshop
    editor.get_by_role("button", name="Add moment").click()
    draft = editor.locator(".widget-vbox", has=page.get_by_text("New moment", exact=True)).last
    draft.get_by_label("Needs", exact=True).press_sequentially(NEED)
    page.keyboard.press("Tab")
    draft.get_by_label("Story", exact=True).click()
    before = kernel.widget_count()
    assert before is not None
    page.keyboard.type(LONG_STORY, delay=KEY_DELAY_MS)
    # The draft saved itself after the first keys and went on taking every key where it stands.
    wait_until(
        lambda: any(m.story == LONG_STORY for m in load_engagement(engagement_file).perfect_days[0].moments),
        "the whole 200-character story in engagement.yaml",
    )
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.value]")
    assert focused == ["TEXTAREA", LONG_STORY]
    after = kernel.widget_count()
    assert after is not None and after - before < 50, (before, after)
    print(f"widgets in the kernel: {before} before the 200 keys, {after} after")
    moment = next(m for m in load_engagement(engagement_file).perfect_days[0].moments if m.story == LONG_STORY)
    assert dict(moment.needs) == {NEED: 3}
    assert max(len(line) for line in engagement_file.read_text(encoding="utf-8").splitlines()) <= 100
    screenshot(editor, "editor-story-typed-at-human-speed")


def test_a_change_on_disk_and_an_edit_in_the_workshop_both_survive(
    workshop: Page, engagement_file: Path, editor: Locator, screenshot: Screenshot
) -> None:
    page = workshop
    persona = "Priya, parent of two, loyal but busy"
    type_into(page, editor.get_by_label("Persona", exact=True), persona)
    # A colleague saves a capacity change while the typing is not saved yet (the save waits 0.8 s).
    text = engagement_file.read_text(encoding="utf-8")
    assert "capacity: 12" in text
    engagement_file.write_text(text.replace("capacity: 12", "capacity: 14"), encoding="utf-8")

    def both() -> bool:
        engagement = load_engagement(engagement_file)
        return engagement.scenario.capacity == 14 and engagement.perfect_days[0].persona == persona

    wait_until(both, "the capacity change on disk and the persona typed in the workshop, both in the file")
    expect(status_bar(page)).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)
    expect(editor.get_by_label("Persona", exact=True)).to_have_value(persona)
    # A change on disk alone shows up in the workshop without any edit there.
    text = engagement_file.read_text(encoding="utf-8")
    engagement_file.write_text(text.replace(f"persona: {persona}", "persona: Priya, as git has her"), encoding="utf-8")
    expect(editor.get_by_label("Persona", exact=True)).to_have_value("Priya, as git has her", timeout=10_000)
    expect(status_bar(page)).to_contain_text("took in changes made on disk", timeout=UPDATE_TIMEOUT_MS)
    screenshot(status_bar(page), "status-after-a-change-on-disk")


def colleague_edits(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the engagement file as a colleague's notebook would: load, change, save (again if it raced)."""
    for _ in range(20):
        colleague = EngagementFile.load(path)
        data = colleague.data()
        change(data)
        try:
            colleague.save(data)
            return
        except ConflictError:
            time.sleep(0.1)  # the workshop saved in between: load its version and change that
    pytest.fail(f"could not save {path.name} as a colleague")


def test_typing_stays_in_its_moment_when_a_colleague_inserts_one_above(
    workshop: Page, engagement_file: Path, editor: Locator, screenshot: Screenshot
) -> None:
    page = workshop
    first = load_engagement(engagement_file).perfect_days[0].moments[0].story
    moment_row(page, editor, 1).get_by_label("Story", exact=True).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.type(" Typed before,", delay=KEY_DELAY_MS)
    inserted = {"at": "06:30", "story": "Inserted above by a colleague.", "needs": {"customer-360": 1}}
    colleague_edits(engagement_file, lambda data: data["perfect_days"][0]["moments"].insert(0, inserted))
    expect(editor.get_by_text("Inserted above by a colleague.").first).to_be_visible(timeout=10_000)
    page.keyboard.type(" and after.", delay=KEY_DELAY_MS)
    typed = f"{first} Typed before, and after."
    wait_until(
        lambda: (
            [m.story for m in load_engagement(engagement_file).perfect_days[0].moments[:2]]
            == ["Inserted above by a colleague.", typed]
        ),
        "the colleague's moment first and the typing whole in the moment it was typed in",
    )
    assert page.evaluate("[document.activeElement.tagName, document.activeElement.value]") == ["TEXTAREA", typed]
    screenshot(editor, "editor-moment-inserted-above-while-typing")


def test_the_same_field_changed_on_disk_and_in_the_workshop_asks_which_to_keep(
    workshop: Page, engagement_file: Path, editor: Locator, screenshot: Screenshot
) -> None:
    page = workshop
    title = load_engagement(engagement_file).perfect_days[0].title
    type_into(page, editor.get_by_label("Title", exact=True), "Priya's Saturday, as the workshop has it")
    text = engagement_file.read_text(encoding="utf-8")
    engagement_file.write_text(text.replace(f"title: {title}", "title: Priya's Saturday, from git"), encoding="utf-8")
    bar = status_bar(page)
    expect(bar).to_contain_text("changed on disk: 1 field changed here too", timeout=UPDATE_TIMEOUT_MS)
    expect(bar).to_contain_text("Yours: Priya's Saturday, as the workshop has it")
    expect(bar).to_contain_text("On disk: Priya's Saturday, from git")
    screenshot(bar, "status-conflict-side-by-side")
    time.sleep(2)  # nothing is written while the choice is open
    assert "title: Priya's Saturday, from git" in engagement_file.read_text(encoding="utf-8")
    bar.get_by_role("button", name="Keep mine", exact=True).click()
    wait_until(
        lambda: load_engagement(engagement_file).perfect_days[0].title == "Priya's Saturday, as the workshop has it",
        "the title kept from the workshop in the file",
    )
    expect(bar).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)


def test_a_failed_save_says_so_and_the_edit_survives_a_retry(
    workshop: Page, engagement_file: Path, editor: Locator, kernel: KernelProbe, screenshot: Screenshot
) -> None:
    page = workshop
    # The disk fills up: every write of the engagement file fails as it would with ENOSPC.
    kernel.execute(
        "import errno, visionkit.engagement_file as _vk_ef\n"
        "_vk_real_write = _vk_ef.atomic_write_text\n"
        "def _vk_full(path, text):\n"
        "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "_vk_ef.atomic_write_text = _vk_full\n"
    )
    try:
        type_into(page, editor.get_by_label("Persona", exact=True), "Priya, who shops on Saturdays")
        bar = status_bar(page)
        expect(bar).to_contain_text("Not saved: No space left on device", timeout=UPDATE_TIMEOUT_MS)
        retry = bar.get_by_role("button", name="Retry")
        expect(retry).to_be_visible()
        screenshot(bar, "status-save-failed")
        assert "Priya, who shops on Saturdays" not in engagement_file.read_text(encoding="utf-8")
    finally:
        kernel.execute("_vk_ef.atomic_write_text = _vk_real_write\n")
    retry.click()
    wait_until(
        lambda: load_engagement(engagement_file).perfect_days[0].persona == "Priya, who shops on Saturdays",
        "the persona saved by Retry",
    )
    expect(bar).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)
    expect(retry).to_be_hidden()


def test_an_invalid_time_is_explained_and_not_saved(workshop: Page, engagement_file: Path, editor: Locator) -> None:
    page = workshop
    # Rows are laid out in order with CSS, so the page's first "At" field need not be Moment 1's.
    field = moment_row(page, editor, 1).get_by_label("At", exact=True)
    before = load_engagement(engagement_file).perfect_days[0].moments[0].at
    type_into(page, field, "25:99")
    expect(editor.get_by_text("'25:99' is not a time of day")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(status_bar(page)).to_contain_text("Not saved: 1 field needs attention", timeout=UPDATE_TIMEOUT_MS)
    time.sleep(1.5)
    assert load_engagement(engagement_file).perfect_days[0].moments[0].at == before
    type_into(page, field, "07:45")
    wait_until(lambda: load_engagement(engagement_file).perfect_days[0].moments[0].at == "07:45", "07:45 saved")
    expect(status_bar(page)).to_contain_text("Saved to engagement.yaml at", timeout=UPDATE_TIMEOUT_MS)


def test_a_page_reload_brings_back_the_live_workshop(
    workshop: Page, lab_server: LabServer, kernel: KernelProbe, screenshot: Screenshot
) -> None:
    page = workshop
    engagement_file = lab_server.root / "engagement.yaml"
    notebook = lab_server.root / "workshop.ipynb"
    saved = notebook.stat().st_mtime_ns
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name=re.compile(r"^Save Notebook(?! As)")).click()
    wait_until(lambda: notebook.stat().st_mtime_ns != saved, "the notebook saved")
    widgets = kernel.widget_count()
    started = time.monotonic()
    page.reload()
    for title in TABS:  # no cell is run: the widgets come back from the live kernel
        workshop_tabs(page).get_by_role("tab", name=title).wait_for(timeout=RELOAD_LIMIT_MS)
    seconds = time.monotonic() - started
    print(f"reload: the workshop's tabs were back after {seconds:.1f} s ({widgets} widgets)")
    editor = open_tab(page, "Perfect days")
    type_into(page, editor.get_by_label("Title", exact=True), "Priya's Saturday after a reload")
    wait_until(
        lambda: load_engagement(engagement_file).perfect_days[0].title == "Priya's Saturday after a reload",
        "an edit after the reload saved",
    )
    screenshot(editor, "editor-after-reload")
