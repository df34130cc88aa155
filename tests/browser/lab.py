"""A JupyterLab server in an isolated Jupyter environment, and the system Chromium to drive it.

Shared by the browser tests (tests/browser/conftest.py) and the workshop benchmark
(benchmarks/workshop.py); nothing here depends on pytest. The server listens on 127.0.0.1 with a
random token and sees none of the user's Jupyter configuration; its kernels inherit its environment
(so a PYTHONPATH set by the caller reaches them too).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient

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


class LabStartError(RuntimeError):
    """JupyterLab exited or did not answer in time; the message ends with the tail of its log."""


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it listens, its token and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path
    home: Path  # its Jupyter folders: kernels' connection files are in home/runtime

    def lab_url(self, path: str) -> str:
        """The address that opens `path` (relative to the root) in JupyterLab."""
        return f"{self.url}/lab/tree/{path}?token={self.token}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_env(home: Path) -> dict[str, str]:
    """The environment of the server and its kernels, with no user configuration in play.

    Only the user-level Jupyter folders move to `home`: the venv's own share/jupyter (found through
    sys.prefix) stays on the data path, so the ipywidgets labextension and the python3 kernel are found.
    Kernel connection files go to `home`/runtime.
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


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once `url` answers 200; raise LabStartError if the server exits or times out first."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LabStartError(
                f"JupyterLab exited with status {process.returncode} before answering; its log:\n{tail(log)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise LabStartError(f"JupyterLab did not answer {url} within {SERVER_START_TIMEOUT:.0f} s; its log:\n{tail(log)}")


def tail(log: Path, lines: int = 40) -> str:
    """The last lines of a log file."""
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def stop(process: subprocess.Popen[bytes]) -> None:
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


@contextlib.contextmanager
def running_lab(root: Path, home: Path, log: Path) -> Iterator[LabServer]:
    """JupyterLab serving `root`, with its Jupyter folders under `home` and its output in `log`.

    Raises LabStartError if it does not come up; stops it (and its kernels) on leaving.
    """
    env = isolated_env(home)
    port, token = free_port(), secrets.token_hex(16)
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
        wait_until_ready(f"{url}/api/status?token={token}", process, log)
        yield LabServer(url=url, token=token, root=root, log=log, home=home)
    finally:
        stop(process)


# Defined once in the kernel (silently) to count the live widgets.
PROBE_SETUP = """
def _vk_widget_count():
    import ipywidgets.widgets.widget as module
    instances = getattr(module, "_instances", None)  # ipywidgets 8
    if instances is None:
        instances = module.Widget.widgets  # ipywidgets 7
    return len(instances)
"""
PROBE_TIMEOUT = 600.0  # a kernel busy restoring thousands of widgets answers the probe only after that


class KernelProbe:
    """A second client of the notebook's kernel, to read the live widget count out of band."""

    def __init__(self, connection_file: Path):
        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        self._run(PROBE_SETUP, {})

    def _run(self, code: str, expressions: dict[str, str]) -> dict[str, Any]:
        reply = self.client.execute(
            code, silent=True, store_history=False, user_expressions=expressions, reply=True, timeout=PROBE_TIMEOUT
        )
        content: dict[str, Any] = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"the kernel failed the probe: {content.get('ename')}: {content.get('evalue')}")
        return content

    def execute(self, code: str) -> None:
        """Run statements in the kernel's namespace, without touching its history."""
        self._run(code, {})

    def evaluate(self, expression: str) -> str:
        """The repr of `expression` evaluated in the kernel's namespace, without touching its history."""
        result = self._run("", {"value": expression})["user_expressions"]["value"]
        if result["status"] != "ok":
            raise RuntimeError(f"the kernel could not evaluate {expression!r}: {result['ename']}: {result['evalue']}")
        return str(result["data"]["text/plain"])

    def widget_count(self) -> int | None:
        """How many ipywidgets the kernel holds alive (None if it did not answer in time)."""
        try:
            return int(self.evaluate("_vk_widget_count()"))
        except TimeoutError:
            return None

    def close(self) -> None:
        """Close the channels (the kernel keeps running)."""
        self.client.stop_channels()


def kernel_id(server: LabServer, notebook: str, timeout: float = 60.0) -> str:
    """The id of the kernel of `notebook`'s session, from the server's REST API."""
    deadline = time.monotonic() + timeout
    while True:
        url = f"{server.url}/api/sessions?token={server.token}"
        with urllib.request.urlopen(url, timeout=10) as response:
            sessions: list[dict[str, Any]] = json.load(response)
        for session in sessions:
            if session.get("path") == notebook and session.get("kernel"):
                return str(session["kernel"]["id"])
        if time.monotonic() > deadline:
            raise RuntimeError(f"no kernel session for {notebook}; the server has {sessions}")
        time.sleep(0.5)


@contextlib.contextmanager
def kernel_probe(server: LabServer, notebook: str) -> Iterator[KernelProbe]:
    """A KernelProbe on the kernel of `notebook` (a path relative to the server's root)."""
    probe = KernelProbe(server.home / "runtime" / f"kernel-{kernel_id(server, notebook)}.json")
    try:
        yield probe
    finally:
        probe.close()
