"""`visionkit workshop FILE` in a real browser: the widgets alone, served by Voilà behind a token, saving to FILE."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from visionkit.cli import demo_path
from visionkit.engagement_file import load_engagement

from .lab import isolated_env

pytestmark = pytest.mark.browser

TABS = ("Perfect days", "Capabilities", "Assessment", "Roadmap")
START_TIMEOUT = 90.0
ADDED = " She smiles."


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`visionkit workshop` on a copy of the demo, with the address it printed."""
    folder = tmp_path / "client"
    folder.mkdir()
    engagement = folder / "northwind.yaml"
    shutil.copyfile(demo_path(), engagement)
    log = tmp_path / "workshop.log"
    with log.open("w", encoding="utf-8") as out:
        # Output to a file, not a pipe: Voilà logs as it serves, and a pipe nobody reads would fill and stall it.
        process = subprocess.Popen(
            [sys.executable, "-m", "visionkit", "workshop", str(engagement), "--no-browser"],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=isolated_env(tmp_path / "home"),
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        match = None
        while match is None and time.monotonic() < deadline and process.poll() is None:
            match = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", log.read_text(encoding="utf-8"))
            time.sleep(0.1)
        assert match, log.read_text(encoding="utf-8")
        yield match.group(1), engagement, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_client_sees_the_widgets_alone_and_edits_reach_the_file(
    browser: Browser, served: tuple[str, Path, subprocess.Popen[str]], output_dir: Path
) -> None:
    url, engagement, process = served
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(START_TIMEOUT * 1000)
    deadline = time.monotonic() + START_TIMEOUT
    while True:  # Voilà takes a moment to listen
        try:
            page.goto(url)
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.5)
    for title in TABS:  # Voilà runs the notebook before it shows anything: seconds on a busy machine
        expect(page.get_by_role("tab", name=title)).to_be_visible(timeout=START_TIMEOUT * 1000)
    # No notebook around the widgets: no code editor, no prompt, and not the cell's source.
    assert page.locator(".jp-InputArea, .cm-editor, .jp-InputPrompt").count() == 0
    assert "vk.workshop" not in page.inner_text("body")
    # Every button has a name a screen reader can say (an icon alone gives none).
    for name in ("Earlier", "Later", "Remove", "Add moment"):
        assert page.get_by_role("button", name=name).count() > 0, name
    unnamed = page.evaluate(
        "() => Array.from(document.querySelectorAll('button')).filter(b => b.offsetParent !== null"
        " && !b.textContent.trim() && !b.getAttribute('aria-label')).length"
    )
    assert unnamed == 0
    # The journey is drawn by its own script, which Voilà must load too: its cards are there, as many as moments.
    moments = load_engagement(engagement).perfect_days[0].moments
    expect(page.locator(".vk-journey-card")).to_have_count(len(moments))
    page.screenshot(path=str(output_dir / "workshop-app.png"))

    story = page.get_by_label("Story", exact=True).first
    story.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(ADDED, delay=30)
    first = load_engagement(engagement).perfect_days[0].moments[0].story
    deadline = time.monotonic() + 30
    while not first.endswith(ADDED.strip()) and time.monotonic() < deadline:
        time.sleep(0.3)
        first = load_engagement(engagement).perfect_days[0].moments[0].story
    assert first.endswith(ADDED.strip())
    assert sorted(p.name for p in engagement.parent.iterdir()) == ["northwind.yaml"]  # nothing written beside it

    # Without the token the server asks for it instead of serving the workshop.
    base = url.split("?")[0]
    with urllib.request.urlopen(base, timeout=10) as answer:
        assert "/login" in answer.geturl()


def test_a_missing_file_is_refused_with_exit_status_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "visionkit", "workshop", str(tmp_path / "nope.yaml"), "--no-browser"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr
