"""`visionkit workshop FILE`: the workshop alone on a clean page for a live session, served by Voilà.

Voilà runs a notebook and shows its outputs only: no code, no prompts, no menus, which is what a
client should see on the shared screen. The notebook is written to a private temporary folder (never
beside the engagement, which stays the only file the session changes) and holds one cell:
`vk.workshop(FILE)`. The server listens on 127.0.0.1 only, behind a random token, so nobody else on the
network can open the page (or run code in its kernel).
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from pathlib import Path

HOST = "127.0.0.1"
STARTUP_SECONDS = 60.0
"""How long to wait for Voilà to answer before the page is opened in a browser anyway."""


def notebook_text(engagement: Path) -> str:
    """The notebook Voilà runs: one cell that opens the workshop on `engagement` (an absolute path)."""
    cell: dict[str, object] = {
        "cell_type": "code",
        "execution_count": None,
        "id": "workshop",
        "metadata": {},
        "outputs": [],
        "source": f"import visionkit as vk\n\nvk.workshop({str(engagement)!r})",
    }
    notebook = {
        "cells": [cell],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def command(notebook: Path, port: int, token: str) -> list[str]:
    """The Voilà command line for the workshop notebook."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        f"--token={token}",
        "--strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--theme=light",
    ]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((HOST, port)) == 0


def serve(engagement: Path, *, port: int | None = None, open_browser: bool = True) -> int:
    """Serve the workshop on `engagement` until Ctrl-C; return Voilà's exit status."""
    folder = Path(tempfile.mkdtemp(prefix="visionkit-workshop-"))
    try:
        notebook = folder / "workshop.ipynb"
        notebook.write_text(notebook_text(engagement.resolve()), encoding="utf-8")
        port = port or free_port()
        token = secrets.token_urlsafe(24)
        url = f"http://{HOST}:{port}/?token={token}"
        process = subprocess.Popen(command(notebook, port, token), cwd=folder)
        print(f"workshop on {engagement} at {url}", flush=True)
        print("stop it with Ctrl-C once the workshop's status bar says the file is saved", flush=True)
        try:
            if open_browser:
                deadline = time.monotonic() + STARTUP_SECONDS
                while process.poll() is None and not _listening(port) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if process.poll() is None:
                    webbrowser.open(url)
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
