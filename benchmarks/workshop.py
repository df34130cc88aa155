"""Benchmark the workshop widget as a strategist meets it: real JupyterLab, headless Chromium, a live kernel.

`.venv/bin/python benchmarks/workshop.py [--output DIR]` starts JupyterLab on 127.0.0.1 in an isolated
Jupyter environment (the same way as the browser tests: tests/browser/lab.py) on a fresh `visionkit init`
folder, opens workshop.ipynb in the system Chromium (/usr/bin/chromium, or VISIONKIT_CHROMIUM), runs
all cells and waits for the workshop's tabs. Then, in the Perfect days tab:

1. Draft: "Add moment", pick the capability first (type `knowledge-management` in "Needs", then Tab),
   click the draft's "Story" and type a 200-character story at 30 ms a key. After 3 s (the save is
   debounced) it reads engagement.yaml: is the whole story there, else the longest prefix of it found
   in any moment. It also says where the keyboard focus was after the last key.
2. Latency: in Moment 1's "Story", append 50 distinct characters one at a time, each time waiting
   for the storyboard preview (the `vk-storyboard` HTML, else the HTML with the day's title in an
   `h3`) to show the text typed so far. Each figure runs, in the page, from the key's `keydown` to
   the DOM mutation that makes the preview show it (a MutationObserver): median and p90.
3. Slider: in the Roadmap tab, drag the Capacity slider's handle 120 px to the right in 8 steps, 60 ms
   apart, as a hand would, and let go. It times, in the page, from the mouse's release to the
   explorer's status line showing the new plan's summary after "planning…", and to its charts drawn
   (the status no longer says "drawing the charts…"; a MutationObserver), and counts,
   in the kernel, how many plans the drag asked for (`RoadmapExplorer._generation`).
4. Reload: save the notebook (File > Save Notebook), reload the page and, without running a cell,
   time until the workshop is live again: its tabs visible, and a key typed in Moment 1's "Story"
   shown by the preview (so the kernel got it). Gives up after 120 s, then says what the notebook
   shows in the widget's place and the kernel's status. It also times the reload to the kernel's
   answer to the widget count, which waits for the kernel to finish serving the reloaded page.

The number of live widgets comes from the kernel, not the page: the notebook's kernel is found through
the server's /api/sessions, and a jupyter_client BlockingKernelClient on its connection file
(JUPYTER_RUNTIME_DIR/kernel-<id>.json) evaluates `len(ipywidgets.widgets.widget._instances)` as a
silent user expression, at the start, after the draft, after the 50 keys and after the reload.

It prints timings and counts only; nothing is asserted. It ends with the visionkit commit
(`git rev-parse --short HEAD` in the source tree measured, flagged when that tree has uncommitted
changes), `visionkit.__file__` as seen by this process and by the kernel, and the machine's load
average, as the timings depend on what else runs. To measure another tree, put its src first on
PYTHONPATH (the server and its kernels inherit the environment), e.g. a worktree of HEAD while others
edit the working copy:

    git worktree add /tmp/vk-before HEAD
    PYTHONPATH=/tmp/vk-before/src .venv/bin/python benchmarks/workshop.py

The engagement folder, the JupyterLab log, the browser console and screenshots stay in the output
folder (a new temporary folder unless --output is given), printed at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import visionkit
from browser.lab import CHROMIUM, CHROMIUM_ARGS, KernelProbe, LabServer, kernel_probe, running_lab
from visionkit._scaffold import init_engagement

NOTEBOOK = "workshop.ipynb"
TABS = ("Perfect days", "Capabilities", "Assessment", "Roadmap")
NEED = "knowledge-management"
STORY = (  # 200 characters
    "Priya opens the app on Saturday morning and it already knows the school shoes are outgrown, so it "
    "offers the next size in stock at her usual store, holds a pair, and books a fitting slot before lunch."
)
KEY_DELAY_MS = 30  # human typing speed for the draft's story
SAVE_WAIT = 3.0  # after the last key of the draft: the widgets save after a short debounce
LATENCY_KEYS = (string.ascii_lowercase + string.ascii_uppercase)[:50]  # 50 distinct characters
LATENCY_KEY_TIMEOUT_MS = 15_000
RELOAD_LIMIT = 120.0
RELOAD_PROBE_TIMEOUT_MS = 5_000  # per key typed to check that the reloaded widget reaches the kernel
RELOAD_KEYS = string.digits
ACTION_TIMEOUT_MS = 60_000  # the first load of JupyterLab and the first kernel start

# The storyboard previews in the page: the elements marked `vk-storyboard`, else (the editor as it was
# before that class) the workshop's HTML widgets with the day's title in an h3.
FIND_PREVIEW_JS = """
(title) => {
    const marked = [...document.querySelectorAll('.vk-storyboard')];
    if (marked.length) return marked;
    return [...document.querySelectorAll('.jp-OutputArea-output .widget-tab .widget-html')]
        .filter((el) => [...el.querySelectorAll('h3')].some((h) => h.textContent.trim() === title));
}
"""
PREVIEW_TEXT_JS = f"(title) => ({FIND_PREVIEW_JS})(title).map((el) => el.textContent).join('\\n')"

# What has the keyboard focus: the field's label for a widget's input, else the element and its classes.
FOCUS_JS = """
() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'the page (no element)';
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
    if (label) return `the "${label.textContent.trim()}" field`;
    return `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join('.')}`;
}
"""

# Arm a wait: the next keydown's time, then the first DOM change after which a preview shows `expected`.
# `window.__vkLatency` resolves to milliseconds from the one to the other, or null on timeout.
ARM_JS = f"""
({{title, expected, timeoutMs}}) => {{
    const previews = {FIND_PREVIEW_JS};
    const shown = () => previews(title).some((el) => el.textContent.includes(expected));
    if (!window.__vkKeyListener) {{
        window.__vkKeyListener = true;
        window.addEventListener('keydown', (e) => {{
            if (window.__vkKeyAt === null) window.__vkKeyAt = e.timeStamp;
        }}, true);
    }}
    window.__vkKeyAt = null;
    window.__vkLatency = new Promise((resolve) => {{
        const observer = new MutationObserver(() => {{
            if (window.__vkKeyAt !== null && shown()) {{
                const at = performance.now();
                observer.disconnect();
                clearTimeout(timer);
                resolve(at - window.__vkKeyAt);
            }}
        }});
        const timer = setTimeout(() => {{ observer.disconnect(); resolve(null); }}, timeoutMs);
        observer.observe(document.body, {{subtree: true, childList: true, characterData: true}});
    }});
}}
"""


@dataclass
class Figures:
    """Everything measured in one run; None where a step did not get that far."""

    open_seconds: float | None = None
    widgets_start: int | None = None
    widgets_before_typing: int | None = None  # the draft open, its capability picked, no story yet
    widgets_after_draft: int | None = None
    typing_seconds: float | None = None
    story_saved: int | None = None  # characters of the story found, from its start
    story_whole: bool = False
    draft_focus: str = ""  # where the keyboard focus was once the story was typed
    draft_note: str = ""
    preview_kind: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    latency_timeouts: int = 0
    latency_refocus: int = 0
    latency_note: str = ""
    widgets_after_latency: int | None = None
    slider_plan_ms: float | None = None  # from letting go of the Capacity slider to the new plan's summary
    slider_ms: float | None = None  # ... to its charts drawn too
    slider_plans: int | None = None  # plans the drag asked for
    slider_note: str = ""
    reload_tabs_seconds: float | None = None
    reload_live_seconds: float | None = None
    reload_keys: int = 0
    widgets_after_reload: int | None = None
    reload_probe_seconds: float | None = None  # from the reload to the kernel's answer to the widget count
    reload_note: str = ""
    kernel_visionkit: str = ""


def workshop_tabs(page: Page) -> Locator:
    """The workshop widget: its tab bar and the selected tab's content."""
    return page.locator(".jp-OutputArea-output .widget-tab")


def wait_for_tabs(page: Page, timeout_ms: float = ACTION_TIMEOUT_MS) -> None:
    """Wait until the workshop's four tabs are visible."""
    deadline = time.monotonic() + timeout_ms / 1000
    for title in TABS:
        remaining = max(1.0, (deadline - time.monotonic()) * 1000)
        workshop_tabs(page).get_by_role("tab", name=title).wait_for(timeout=remaining)


def open_workshop(page: Page, server: LabServer) -> float:
    """Open the notebook, Run All Cells, wait for the tabs and the last cell; seconds from Run All to tabs."""
    page.goto(server.lab_url(NOTEBOOK))
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    # Running cells before the kernel is connected opens the "Select Kernel" dialog instead.
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"^Python 3.* \| Idle$")).wait_for()
    started = time.monotonic()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name="Run All Cells", exact=True).click()
    wait_for_tabs(page)
    seconds = time.monotonic() - started
    page.locator(".jp-OutputArea-output table.dataframe").wait_for(state="attached")  # the last cell ran too
    return seconds


def screenshot(page: Page, path: Path) -> None:
    """A PNG of the workshop widget if it shows, else of the page (a record of what happened, not a figure)."""
    try:
        workshop_tabs(page).first.screenshot(path=str(path), timeout=5_000, animations="disabled")
    except PlaywrightError:
        page.screenshot(path=str(path))


def first_line(error: BaseException) -> str:
    """The first line of an error's message, for the table."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def saved_stories(engagement_file: Path) -> list[str]:
    """Every moment's story in the engagement file as it is on disk."""
    data = YAML(typ="safe").load(engagement_file.read_text(encoding="utf-8"))
    return [str(m.get("story") or "") for day in data.get("perfect_days") or [] for m in day.get("moments") or []]


def common_prefix(a: str, b: str) -> int:
    """How many characters `a` and `b` share from their start."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def draft_scenario(page: Page, probe: KernelProbe, engagement_file: Path, out: Path, figures: Figures) -> None:
    """Add a moment, pick its capability, type a 200-character story; what is saved 3 s later."""
    tabs = workshop_tabs(page)
    try:
        tabs.get_by_role("tab", name="Perfect days").click()
        tabs.get_by_role("button", name="Add moment").click()
        need = tabs.get_by_label("Needs", exact=True).last
        need.press_sequentially(NEED)
        page.keyboard.press("Tab")
        tabs.get_by_label("Story", exact=True).last.click()
        figures.widgets_before_typing = probe.widget_count()
        started = time.monotonic()
        page.keyboard.type(STORY, delay=KEY_DELAY_MS)
        figures.typing_seconds = time.monotonic() - started
        figures.draft_focus = str(page.evaluate(FOCUS_JS))
        time.sleep(SAVE_WAIT)
        screenshot(page, out / "after-draft.png")
    except PlaywrightError as exc:
        figures.draft_note = first_line(exc)
    figures.widgets_after_draft = probe.widget_count()
    stories = saved_stories(engagement_file)
    figures.story_whole = STORY in (s.strip() for s in stories)
    figures.story_saved = max((common_prefix(STORY, s) for s in stories), default=0)


def latency_scenario(page: Page, title: str, out: Path, figures: Figures) -> None:
    """Keystroke-to-preview latency for 50 characters appended to Moment 1's story."""
    tabs = workshop_tabs(page)
    try:
        figures.preview_kind = (
            "vk-storyboard" if page.locator(".vk-storyboard").count() else "HTML with the day title in an h3"
        )
        story = tabs.get_by_label("Story", exact=True).first
        story.click()
        page.keyboard.press("Control+End")
        anchor = preview_anchor(page, title, story.input_value())
        for i, key in enumerate(LATENCY_KEYS):
            if not page.evaluate("() => document.activeElement?.tagName === 'TEXTAREA'"):
                figures.latency_refocus += 1  # the field lost the focus (redrawn): click it again, as a user would
                story.click()
            page.keyboard.press("Control+End")
            expected = anchor + LATENCY_KEYS[: i + 1]
            page.evaluate(ARM_JS, {"title": title, "expected": expected, "timeoutMs": LATENCY_KEY_TIMEOUT_MS})
            page.keyboard.type(key)
            latency = page.evaluate("() => window.__vkLatency")
            if latency is None:
                figures.latency_timeouts += 1
            else:
                figures.latencies_ms.append(float(latency))
        screenshot(page, out / "after-latency.png")
    except (PlaywrightError, RuntimeError) as exc:
        figures.latency_note = first_line(exc)


ARM_SLIDER_JS = """
({timeoutMs}) => {
  window.__vkSlider = undefined;
  const status = document.querySelector('.vk-explorer-status');
  if (!status) { window.__vkSlider = null; return; }
  let released = null, sawPlanning = false;
  window.addEventListener('mouseup', () => {
    released = performance.now();
    sawPlanning = (status.textContent || '').includes('planning');  // plans still running from the drag
  }, {once: true, capture: true});
  window.__vkSliderPlan = undefined;
  const observer = new MutationObserver(() => {
    if (released === null) return;
    const text = status.textContent || '';
    if (text.includes('planning')) { sawPlanning = true; return; }
    if (!sawPlanning || !text.trim()) return;
    const since = performance.now() - released;
    if (window.__vkSliderPlan === undefined) window.__vkSliderPlan = since;  // the plan's summary is shown
    if (!text.includes('drawing')) { observer.disconnect(); window.__vkSlider = since; }  // and its charts
  });
  observer.observe(status, {subtree: true, childList: true, characterData: true});
  setTimeout(() => {
    observer.disconnect();
    if (window.__vkSlider === undefined) window.__vkSlider = null;
  }, timeoutMs);
}
"""
EXPLORER_PLANS = "sum(o._generation for o in __import__('gc').get_objects() if type(o).__name__ == 'RoadmapExplorer')"


def slider_scenario(page: Page, probe: KernelProbe, out: Path, figures: Figures) -> None:
    """Drag the Roadmap tab's Capacity slider and let go: time to the new plan, and plans asked for."""
    tabs = workshop_tabs(page)
    try:
        tabs.get_by_role("tab", name="Roadmap").click()
        status = page.locator(".vk-explorer-status")
        status.wait_for()
        page.wait_for_function(
            "() => { const t = document.querySelector('.vk-explorer-status')?.textContent || ''; "
            "return t.trim() && !t.includes('planning'); }"
        )
        slider = page.locator(".widget-slider").filter(has_text="Capacity").first
        handle = slider.locator(".noUi-handle").first
        box = handle.bounding_box()
        if box is None:
            raise RuntimeError("the Capacity slider's handle is not on screen")
        before = int(probe.evaluate(EXPLORER_PLANS))
        page.evaluate(ARM_SLIDER_JS, {"timeoutMs": 30_000})
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 9):
            page.mouse.move(x + 15 * step, y, steps=3)
            page.wait_for_timeout(60)
        page.mouse.up()
        page.wait_for_function("() => window.__vkSlider !== undefined", timeout=35_000)
        shown = page.evaluate("() => window.__vkSlider")
        figures.slider_ms = None if shown is None else float(shown)
        planned = page.evaluate("() => window.__vkSliderPlan")
        figures.slider_plan_ms = None if planned is None else float(planned)
        figures.slider_plans = int(probe.evaluate(EXPLORER_PLANS)) - before
        screenshot(page, out / "roadmap-after-drag.png")
    except (PlaywrightError, RuntimeError, ValueError) as exc:
        figures.slider_note = first_line(exc)


def preview_anchor(page: Page, title: str, value: str) -> str:
    """The longest tail (4 to 12 characters) of a story that the preview shows, to find what follows it."""
    text = str(page.evaluate(PREVIEW_TEXT_JS, title))
    if not text:
        raise RuntimeError("no storyboard preview found (neither .vk-storyboard nor an HTML widget with the h3)")
    value = value.rstrip()
    for size in range(min(12, len(value)), 3, -1):
        if value[-size:] in text:
            return value[-size:]
    raise RuntimeError(f"the storyboard preview does not show the end of the story {value[-12:]!r}")


def save_notebook(page: Page, notebook: Path) -> None:
    """File > Save Notebook, and wait until the file on disk changed."""
    before = notebook.stat().st_mtime_ns
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name=re.compile(r"^Save Notebook(?! As)")).click()
    deadline = time.monotonic() + 30
    while notebook.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{notebook.name} was not saved within 30 s")
        time.sleep(0.1)


def what_shows(page: Page) -> str:
    """In place of the widget, what the notebook shows ("Loading widget...", an error), and the kernel's status."""
    seen = []
    placeholder = page.get_by_text(re.compile(r"^(Loading widget|Error displaying widget)"))
    if placeholder.count():
        seen.append(f"the notebook shows {placeholder.first.inner_text()!r}")
    kernel = page.locator("#jp-main-statusbar").get_by_text(re.compile(r"^Python 3.* \| "))
    if kernel.count():
        seen.append(f"kernel status: {kernel.first.inner_text()!r}")
    return "; ".join(seen)


def reload_scenario(page: Page, probe: KernelProbe, title: str, notebook: Path, out: Path, figures: Figures) -> None:
    """Save, reload the page, and time until the widget shows and reaches the kernel again, no cell re-run."""
    started = time.monotonic()
    try:
        save_notebook(page, notebook)
        started = time.monotonic()
        deadline = started + RELOAD_LIMIT

        def remaining_ms() -> float:
            return max(1.0, (deadline - time.monotonic()) * 1000)

        page.reload(timeout=remaining_ms())
        wait_for_tabs(page, remaining_ms())
        figures.reload_tabs_seconds = time.monotonic() - started
        story = workshop_tabs(page).get_by_label("Story", exact=True).first
        story.click(timeout=remaining_ms())
        # The field sends its whole text with every key, so once the kernel is reached it has all typed so far.
        anchor, typed = preview_anchor(page, title, story.input_value()), ""
        while time.monotonic() < deadline:
            typed += RELOAD_KEYS[len(typed) % len(RELOAD_KEYS)]
            story.click(timeout=remaining_ms())
            page.keyboard.press("Control+End")
            timeout = min(RELOAD_PROBE_TIMEOUT_MS, remaining_ms())
            page.evaluate(ARM_JS, {"title": title, "expected": anchor + typed, "timeoutMs": timeout})
            page.keyboard.type(typed[-1])
            figures.reload_keys += 1
            if page.evaluate("() => window.__vkLatency") is not None:
                figures.reload_live_seconds = time.monotonic() - started
                break
    except PlaywrightTimeoutError:
        pass  # not live within the limit: the table says so, and what the page shows instead
    except (PlaywrightError, RuntimeError) as exc:
        figures.reload_note = first_line(exc)
    if figures.reload_live_seconds is None:
        figures.reload_note = "; ".join(filter(None, [figures.reload_note, what_shows(page)]))
    screenshot(page, out / "after-reload.png")
    figures.widgets_after_reload = probe.widget_count()  # waits for the kernel to be done with the reload
    figures.reload_probe_seconds = time.monotonic() - started


def source_commit(package_file: str) -> str:
    """The short commit of the git tree holding `package_file`, flagged if that tree has local changes."""
    folder = Path(package_file).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git tree"
    return f"{commit} + uncommitted changes in {folder}" if changes else commit


def seconds(value: float | None, unreached: str = "-") -> str:
    """A duration for the table."""
    return unreached if value is None else f"{value:.1f} s"


def milliseconds(value: float | None) -> str:
    """A time in whole milliseconds, or "-" where a step did not get that far."""
    return "-" if value is None else f"{value:.0f} ms"


def noted(note: str) -> str:
    """A step's failure, appended to its figure."""
    return f" [{note}]" if note else ""


def count(value: int | None, before: int | None = None) -> str:
    """A widget count for the table, with its growth since `before` when both are known."""
    if value is None:
        return "-"
    return f"{value} ({value - before:+d})" if before is not None else str(value)


def report(figures: Figures, out: Path, versions: str) -> None:
    """Print the table of results."""
    if figures.story_whole:
        story = f"whole ({len(STORY)}/{len(STORY)} characters)"
    elif figures.story_saved is None:
        story = "-"
    else:
        story = f"NOT whole: longest prefix found {figures.story_saved}/{len(STORY)} characters"
    lat = sorted(figures.latencies_ms)
    if lat:
        p90 = statistics.quantiles(lat, n=10, method="inclusive")[-1] if len(lat) > 1 else lat[0]
        latency = f"median {statistics.median(lat):.0f} ms, p90 {p90:.0f} ms, max {lat[-1]:.0f} ms ({len(lat)} keys)"
    else:
        latency = "-"
    if figures.latency_timeouts or figures.latency_refocus:
        latency += (
            f"; {figures.latency_timeouts} not shown within {LATENCY_KEY_TIMEOUT_MS / 1000:.0f} s, "
            f"focus lost {figures.latency_refocus} times"
        )
    never = f"not within {RELOAD_LIMIT:.0f} s"
    rows = [
        ("Run All Cells -> workshop tabs", seconds(figures.open_seconds)),
        ("widgets in the kernel at start", count(figures.widgets_start)),
        (f"draft: {len(STORY)} keys typed in", seconds(figures.typing_seconds)),
        ("draft: focus after typing", figures.draft_focus or "-"),
        ("widgets with the draft open", count(figures.widgets_before_typing, figures.widgets_start)),
        (
            f"widgets {SAVE_WAIT:.0f} s after its 200 keys",
            count(figures.widgets_after_draft, figures.widgets_before_typing),
        ),
        ("draft story in engagement.yaml", story + noted(figures.draft_note)),
        ("key -> preview shows it (Moment 1)", latency + noted(figures.latency_note)),
        ("preview found as", figures.preview_kind or "-"),
        (
            f"widgets after the {len(LATENCY_KEYS)} keys",
            count(figures.widgets_after_latency, figures.widgets_after_draft),
        ),
        (
            "slider drag, release -> plan shown",
            ("-" if figures.slider_plan_ms is None else f"{figures.slider_plan_ms:.0f} ms")
            + noted(figures.slider_note),
        ),
        ("slider drag, release -> charts drawn", "-" if figures.slider_ms is None else f"{figures.slider_ms:.0f} ms"),
        ("plans the drag asked for", "-" if figures.slider_plans is None else str(figures.slider_plans)),
        ("reload -> tabs visible", seconds(figures.reload_tabs_seconds, never)),
        ("reload -> live (key reaches kernel)", f"{seconds(figures.reload_live_seconds, never)}"),
        ("keys typed to check it is live", str(figures.reload_keys)),
        ("widgets in the kernel after reload", count(figures.widgets_after_reload, figures.widgets_after_latency)),
        ("reload -> kernel answers that count", seconds(figures.reload_probe_seconds)),
    ]
    if figures.reload_note:
        rows.append(("reload note", figures.reload_note))
    width = max(len(name) for name, _ in rows)
    print()
    print("workshop benchmark")
    print("-" * (width + 50))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("-" * (width + 50))
    print(f"visionkit commit   {source_commit(visionkit.__file__)}")
    print(f"visionkit (here)   {visionkit.__file__}")
    print(f"visionkit (kernel) {figures.kernel_visionkit or '-'}")
    print(f"machine            {versions}")
    print(f"output             {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, help="folder for the engagement, logs and screenshots (new temp dir)")
    args = parser.parse_args(argv)
    out: Path = args.output or Path(tempfile.mkdtemp(prefix="vk-workshop-benchmark-"))
    out.mkdir(parents=True, exist_ok=True)
    if not CHROMIUM.exists():
        print(f"Chromium not found at {CHROMIUM}: install `chromium` or set VISIONKIT_CHROMIUM", file=sys.stderr)
        return 2
    root, home = out / "engagement", out / "home"
    init_engagement(root, client="Benchmark Outfitters")
    engagement_file, notebook = root / "engagement.yaml", root / NOTEBOOK
    title = str(YAML(typ="safe").load(engagement_file.read_text(encoding="utf-8"))["perfect_days"][0]["title"])
    figures = Figures()
    console: list[str] = []
    print(f"visionkit from {visionkit.__file__}; output in {out}", flush=True)
    with running_lab(root, home, out / "jupyterlab.log") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        versions = f"Chromium {browser.version}, Python {sys.version.split()[0]}"
        load_start = os.getloadavg()[0]
        context = browser.new_context(viewport={"width": 1500, "height": 1200})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        try:
            figures.open_seconds = open_workshop(page, server)
            with kernel_probe(server, NOTEBOOK) as probe:
                figures.kernel_visionkit = probe.evaluate("__import__('visionkit').__file__").strip("'\"")
                figures.widgets_start = probe.widget_count()
                print(f"kernel: visionkit from {figures.kernel_visionkit}; {figures.widgets_start} widgets", flush=True)
                draft_scenario(page, probe, engagement_file, out, figures)
                print(f"draft: {figures.widgets_after_draft} widgets", flush=True)
                latency_scenario(page, title, out, figures)
                figures.widgets_after_latency = probe.widget_count()
                print(f"latency: {len(figures.latencies_ms)} keys; {figures.widgets_after_latency} widgets", flush=True)
                slider_scenario(page, probe, out, figures)
                print(
                    f"slider: {figures.slider_plan_ms} / {figures.slider_ms} ms, {figures.slider_plans} plans",
                    flush=True,
                )
                workshop_tabs(page).get_by_role("tab", name="Perfect days").click()
                reload_scenario(page, probe, title, notebook, out, figures)
        finally:
            (out / "browser-console.log").write_text("\n".join(console) + "\n", encoding="utf-8")
            context.close()
            browser.close()
    machine = f"{os.cpu_count()} CPUs, load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    report(figures, out, f"{versions}; {machine}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
