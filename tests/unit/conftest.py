"""Fixtures shared by the unit tests of the workshop widgets: a scratch copy of the demo and its session."""

from __future__ import annotations

from pathlib import Path

import pytest

from visionkit.cli import demo_path
from visionkit.testing import without_scenarios
from visionkit.widgets import EngagementSession


@pytest.fixture
def engagement_path(tmp_path: Path) -> Path:
    """A copy of the demo engagement, without its named scenarios, that a test may edit."""
    path = tmp_path / "northwind.yaml"
    path.write_text(without_scenarios(demo_path().read_text(encoding="utf-8")), encoding="utf-8")
    return path


@pytest.fixture
def session(engagement_path: Path) -> EngagementSession:
    """A session on that copy that saves at once and watches nothing."""
    # No watching thread: the tests call check_disk() where a change on disk should be noticed.
    return EngagementSession(engagement_path, debounce=0, watch=False)
