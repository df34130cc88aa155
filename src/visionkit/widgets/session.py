"""An engagement file open for editing by widgets: validated edits, debounced atomic saves, conflicts."""

from __future__ import annotations

import copy
import datetime as _dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engagement_file import ConflictError, EngagementFile
from ..errors import EngagementError, Problem
from ..model import Engagement
from ..validation import validate_engagement

Listener = Callable[[object | None], None]
StatusListener = Callable[[], None]


class EngagementSession:
    """The one in-memory copy of an engagement file that every widget of a workshop edits."""

    def __init__(self, path: str | Path, *, debounce: float = 0.8):
        self.file = EngagementFile.load(path)
        self.path = self.file.path
        self.debounce = debounce
        self.data: dict[str, Any] = self.file.data()
        self.engagement: Engagement = self.file.engagement
        self.status = "loaded"
        self.saved_at: _dt.datetime | None = None
        self.conflict = False
        self._listeners: list[Listener] = []
        self._status_listeners: list[StatusListener] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.RLock()

    def on_change(self, listener: Listener) -> None:
        """Call `listener(source)` after every accepted edit (source: who made it) and every reload (None)."""
        self._listeners.append(listener)

    def on_status(self, listener: StatusListener) -> None:
        """Call `listener` when the save status changes."""
        self._status_listeners.append(listener)

    def _notify(self, source: object | None) -> None:
        for listener in list(self._listeners):
            listener(source)

    def _set_status(self, status: str) -> None:
        self.status = status
        for listener in list(self._status_listeners):
            listener()

    def edit(self, change: Callable[[dict[str, Any]], None], source: object | None = None) -> list[Problem]:
        """Apply `change` to a copy of the data; keep and save it if valid, else return the problems."""
        with self._lock:
            candidate = copy.deepcopy(self.data)
            change(candidate)
            try:
                engagement = validate_engagement(candidate)
            except EngagementError as exc:
                return exc.problems
            self.data, self.engagement = candidate, engagement
        self._notify(source)
        self.save_soon()
        return []

    def save_soon(self) -> None:
        """Save after a short quiet period, so a burst of keystrokes is one write."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            if self.debounce <= 0:
                self._timer = None
            else:
                self._timer = threading.Timer(self.debounce, self.flush)
                self._timer.daemon = True
                self._timer.start()
        self._set_status("unsaved")
        if self.debounce <= 0:
            self.flush()

    def flush(self, *, overwrite: bool = False) -> bool:
        """Write pending edits now; False (and status `conflict`) if the file changed on disk meanwhile."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            try:
                self.file.save(self.data, check_conflict=not overwrite)
            except ConflictError:
                self.conflict = True
                self._set_status("conflict")
                return False
            except EngagementError:
                self._set_status("invalid")
                return False
            self.conflict = False
            self.saved_at = _dt.datetime.now()
        self._set_status("saved")
        return True

    def reload(self) -> None:
        """Drop in-memory edits and load the file as it is on disk now."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self.file = EngagementFile.load(self.path)
            self.data = self.file.data()
            self.engagement = self.file.engagement
            self.conflict = False
        self._notify(None)
        self._set_status("loaded")

    def keep_mine(self) -> bool:
        """Resolve a conflict by writing this session's version over the file on disk."""
        return self.flush(overwrite=True)

    def status_text(self) -> str:
        """A short line for the status bar."""
        if self.status == "conflict":
            return f"{self.path.name} changed on disk since it was loaded: reload it, or keep this version"
        if self.status == "unsaved":
            return "Unsaved changes…"
        if self.status == "invalid":
            return "Not saved: the engagement does not validate"
        if self.saved_at is not None:
            return f"Saved to {self.path.name} at {self.saved_at:%H:%M:%S}"
        return f"Editing {self.path.name}"


def session_for(engagement: str | Path | EngagementSession, *, debounce: float = 0.8) -> EngagementSession:
    """The session to use: the one given, or a new one for a path."""
    if isinstance(engagement, EngagementSession):
        return engagement
    return EngagementSession(engagement, debounce=debounce)
