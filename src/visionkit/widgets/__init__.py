"""Workshop widgets for JupyterLab, all bound to one engagement file that they save as you type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .assessor import MaturityAssessor
from .editor import PerfectDayEditor
from .explorer import RoadmapExplorer
from .mapper import CapabilityMapper
from .session import EngagementSession, session_for

__all__ = [
    "CapabilityMapper",
    "EngagementSession",
    "MaturityAssessor",
    "PerfectDayEditor",
    "RoadmapExplorer",
    "demo_copy",
    "session_for",
    "workshop",
]


def demo_copy() -> Path:
    """A scratch copy of the demo engagement, so trying the widgets never edits the shipped file."""
    import shutil
    import tempfile

    from ..cli import demo_path

    target = Path(tempfile.mkdtemp(prefix="visionkit-demo-")) / "northwind.yaml"
    shutil.copyfile(demo_path(), target)
    return target


def workshop(path: str | Path | EngagementSession, *, debounce: float = 0.8) -> Any:
    """All four widgets in tabs for one engagement file, sharing one session."""
    import ipywidgets as w

    session = session_for(path, debounce=debounce)
    tabs = w.Tab(
        children=[
            PerfectDayEditor(session),
            CapabilityMapper(session),
            MaturityAssessor(session),
            RoadmapExplorer(session),
        ]
    )
    for i, title in enumerate(("Perfect days", "Capabilities", "Assessment", "Roadmap")):
        tabs.set_title(i, title)
    tabs.session = session
    return tabs
