"""Shared fixtures: a writer for small engagement files, and a probe of what code imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "engagement.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def imported_after() -> Callable[[str, Iterable[str]], list[str]]:
    """Run code in a fresh interpreter and return which of the named modules it left imported."""

    def probe(code: str, names: Iterable[str]) -> list[str]:
        check = f"import sys\nprint(' '.join(sorted(m for m in {tuple(names)!r} if m in sys.modules)))\n"
        out = subprocess.run([sys.executable, "-c", f"{code}\n{check}"], capture_output=True, text=True, check=True)
        return out.stdout.splitlines()[-1].split() if out.stdout.strip() else []

    return probe
