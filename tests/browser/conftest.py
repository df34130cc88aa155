"""A JupyterLab server on a scaffolded engagement and a headless Chromium driven by Playwright.

Nothing is installed at run time: Chromium comes from the Debian package (`.ci/run` installs it),
Playwright's Python package from the `test` extra. Playwright never downloads a browser here, so it
always launches the system Chromium. Screenshots and the server's log go to tests/browser/output/.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, sync_playwright

from visionkit.scaffold import init_engagement

OUTPUT = Path(__file__).parent / "output"
CHROMIUM = Path(os.environ.get("VISIONKIT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # a closed network: no update checks, no field trials
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0
# Plugins that would reach out to the network (news and update checks) or pop up over the notebook.
DISABLED_LAB_PLUGINS = ["@jupyterlab/apputils-extension:announcements"]

_screenshots: list[Path] = []


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it listens, its token and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path

    def lab_url(self, path: str) -> str:
        """The address that opens `path` (relative to the root) in JupyterLab."""
        return f"{self.url}/lab/tree/{path}?token={self.token}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _isolated_env(home: Path) -> dict[str, str]:
    """The environment of the server and its kernels, with no user configuration in play.

    Only the user-level Jupyter folders move to `home`: the venv's own share/jupyter (found through
    sys.prefix) stays on the data path, so the ipywidgets labextension and the python3 kernel are found.
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "IPYTHONDIR": home / "ipython",
        "MPLCONFIGDIR": home / "matplotlib",
    }
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir()
    page_config = {"disabledExtensions": dict.fromkeys(DISABLED_LAB_PLUGINS, True)}
    (labconfig / "page_config.json").write_text(json.dumps(page_config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "JPY_"))}
    env.update({k: str(v) for k, v in dirs.items()})
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with status {process.returncode} before answering; its log:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer {url} within {SERVER_START_TIMEOUT:.0f} s; its log:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server (it shuts its kernels down), then make sure nothing of its process group is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # its own process group: any kernel it failed to stop goes too


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
    env = _isolated_env(base / "home")
    port, token = _free_port(), secrets.token_hex(16)
    log = output_dir / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",  # CI runs as root
        "--ServerApp.terminals_enabled=False",
        "--LabApp.extension_manager=readonly",  # the default asks PyPI about extensions
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    ]  # fmt: skip
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_ready(f"{url}/api/status?token={token}", process, log)
        yield LabServer(url=url, token=token, root=root, log=log)
    finally:
        _stop(process)


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
