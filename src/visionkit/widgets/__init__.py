"""Workshop widgets for JupyterLab, all bound to one engagement file that they save as you type."""

from __future__ import annotations

import weakref
from pathlib import Path

import ipywidgets as w

from .._resources import demo_path
from .assessor import MaturityAssessor
from .common import FollowsWhenShown, StatusBar, close_owned
from .editor import PerfectDayEditor
from .explorer import RoadmapExplorer
from .mapper import CapabilityMapper
from .saved_plan import SavedPlan
from .session import EngagementSession, session_for

__all__ = [
    "TABS",
    "CapabilityMapper",
    "EngagementSession",
    "MaturityAssessor",
    "PerfectDayEditor",
    "RoadmapExplorer",
    "SavedPlan",
    "Workshop",
    "demo_copy",
    "session_for",
    "workshop",
]


def demo_copy() -> Path:
    """A scratch copy of the demo engagement, so trying the widgets never edits the shipped file."""
    import shutil
    import tempfile

    target = Path(tempfile.mkdtemp(prefix="visionkit-demo-")) / "northwind.yaml"
    shutil.copyfile(demo_path(), target)
    return target


TABS: tuple[tuple[str, type[w.Box]], ...] = (
    ("Perfect days", PerfectDayEditor),
    ("Capabilities", CapabilityMapper),
    ("Assessment", MaturityAssessor),
    ("Roadmap", RoadmapExplorer),
)
"""The workshop's tabs in order: each title with its widget class.

Add yours here. The widget is made with `status_bar=False` (the workshop has one status bar); if it
mixes in `common.FollowsWhenShown` it is told whether it is on screen. docs/architecture.md ("A
workshop tab") gives every step.
"""


class Workshop(w.VBox):  # type: ignore[misc]
    """All four widgets in tabs for one engagement file, sharing one session and one status bar."""

    TITLES = tuple(title for title, _ in TABS)
    """The tabs' titles, in order (from `TABS`)."""

    def __init__(self, path: str | Path | EngagementSession, *, debounce: float = 0.8):
        self.session = path if isinstance(path, EngagementSession) else _take_over(Path(path), debounce)
        self.panes: list[w.Box] = [kind(self.session, status_bar=False) for _, kind in TABS]
        # Names for the shipped tabs, for code and tests that reach into one.
        self.editor, self.mapper, self.assessor, self.explorer = self.panes[:4]
        self.tabs = w.Tab(children=self.panes, titles=self.TITLES)
        self.status = StatusBar(self.session)
        self.tabs.observe(lambda _: self._shown(), "selected_index")
        self._shown()
        super().__init__([self.tabs, self.status])
        self.add_class("vk-workshop")
        _OPEN[self.session.path.resolve()] = weakref.ref(self)

    def close(self) -> None:
        """Write pending edits, stop watching the file and close every widget of the workshop."""
        self.detach().close()

    def detach(self) -> EngagementSession:
        """Close every widget of the workshop and return its session, edits and watch untouched."""
        for owner in (*self.panes, self.status):
            self.session.forget(owner)
        close_owned(self)
        super().close()
        return self.session

    def _shown(self) -> None:
        # Only the tab on screen follows every edit; the others catch up when they are shown.
        selected = self.tabs.selected_index or 0
        for index, pane in enumerate(self.panes):
            if isinstance(pane, FollowsWhenShown):
                pane.set_visible(index == selected)


_OPEN: dict[Path, weakref.ReferenceType[Workshop]] = {}


def _take_over(path: Path, debounce: float) -> EngagementSession:
    """The session of the workshop this kernel already has on `path` (whose widgets are closed), or a new one.

    Re-running the workshop's cell must neither pile up widgets nor drop edits that could not be
    saved yet (a file on disk that does not load, a choice left open), so the new workshop goes on
    with the old one's session.
    """
    ref = _OPEN.pop(path.resolve(), None)
    previous = ref() if ref is not None else None
    if previous is None:
        return EngagementSession(path, debounce=debounce)
    session = previous.detach()
    session.debounce = debounce
    return session


def workshop(path: str | Path | EngagementSession, *, debounce: float = 0.8) -> Workshop:
    """All four widgets in tabs for one engagement file, sharing one session."""
    return Workshop(path, debounce=debounce)
