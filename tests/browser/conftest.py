"""A JupyterLab server on a scaffolded engagement and a headless Chromium driven by Playwright.

Nothing is installed at run time: Chromium comes from the Debian package (`.ci/run` installs it),
Playwright's Python package from the `test` extra. Playwright never downloads a browser here, so it
always launches the system Chromium. Screenshots and the server's log go to tests/browser/output/.
Starting the server and the browser's settings live in lab.py, shared with benchmarks/workshop.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, sync_playwright

from visionkit._scaffold import init_engagement

from .lab import CHROMIUM, CHROMIUM_ARGS, LabServer, LabStartError, running_lab

OUTPUT = Path(__file__).parent / "output"

_screenshots: list[Path] = []


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """tests/browser/output/, emptied at the start of the session (gitignored)."""
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True)
    return OUTPUT


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory, output_dir: Path) -> Iterator[LabServer]:
    """JupyterLab on 127.0.0.1 serving a fresh `visionkit init` folder, with a random token."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "engagement"
    init_engagement(root, client="Browser Test Outfitters")
    try:
        with running_lab(root, base / "home", output_dir / "jupyterlab.log") as server:
            yield server
    except LabStartError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium (Playwright never downloads its own browser here)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install the Debian package `chromium` "
            "(bash .ci/run does), or point VISIONKIT_CHROMIUM at a Chromium binary"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshot(output_dir: Path) -> Callable[[Locator, str], Path]:
    """`screenshot(locator, name)`: save a PNG of an element to the output folder, listed in the summary."""

    def take(element: Locator, name: str) -> Path:
        path = output_dir / f"{name}.png"
        element.screenshot(path=str(path), animations="disabled")
        _screenshots.append(path)
        print(f"screenshot: {path}")
        return path

    return take


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _screenshots:
        terminalreporter.write_sep("-", "browser screenshots")
        for path in _screenshots:
            terminalreporter.write_line(str(path))
