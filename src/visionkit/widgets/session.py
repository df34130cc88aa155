"""An engagement file open for editing by widgets: validated edits, debounced saves, a watch on the file."""

from __future__ import annotations

import copy
import datetime as _dt
import threading
import weakref
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, Literal

from .._merge import Conflict, Merge, merge
from ..engagement_file import ConflictError, EngagementFile
from ..errors import EngagementError, Problem
from ..model import Engagement
from ..validation import validate_engagement

Listener = Callable[[object | None], None]
StatusListener = Callable[[], None]
Side = Literal["mine", "theirs"]
Status = Literal["loaded", "unsaved", "saved", "conflict", "failed", "disk-invalid"]

POLL_SECONDS = 1.0
"""How often the file's size and modification time are checked (a stat call: about 5 µs)."""


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when anyone writes the file: inode (atomic replaces), size, modification time."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class EngagementSession:
    """The one in-memory copy of an engagement file that every widget of a workshop edits.

    Edits are validated and kept in memory first, then written after a quiet period. A thread
    watches the file: a change made on disk (by hand, by git, by a colleague's notebook) is merged
    with the edits made here; only the same field changed on both sides needs the user's choice,
    and until they choose nothing is saved and nothing is dropped.
    """

    def __init__(self, path: str | Path, *, debounce: float = 0.8, watch: bool = True):
        self.file = EngagementFile.load(path)
        self.path = self.file.path
        self.debounce = debounce
        self.data: dict[str, Any] = self.file.data()
        self.engagement: Engagement = self.file.engagement
        self.status: Status = "loaded"
        self.saved_at: _dt.datetime | None = None
        self.merged_at: _dt.datetime | None = None
        self.loaded_at = _dt.datetime.now()
        self.failure = ""  # why the last save failed, or why the file on disk does not load
        self.pending: Merge | None = None  # a merge waiting for the user's choices
        self.choices: dict[tuple[Any, ...], Side] = {}
        self.field_problems: dict[Hashable, list[Problem]] = {}  # fields holding a value that is not saved
        self._disk: EngagementFile | None = None  # the file on disk that `pending` merges with
        # (owner, listener): a closed widget's listeners go with it (`forget`).
        self._listeners: list[tuple[object, Listener]] = []
        self._status_listeners: list[tuple[object, StatusListener]] = []
        self._saved_listeners: list[tuple[object, Callable[[], None]]] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.RLock()
        self._seen = _signature(self.path)
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        if watch:
            self.watch()

    # -- listeners -------------------------------------------------------------------------
    def on_change(self, listener: Listener, owner: object = None) -> None:
        """Call `listener(source)` after every accepted edit (source: who made it) and every reload (None)."""
        self._listeners.append((owner, listener))

    def on_status(self, listener: StatusListener, owner: object = None) -> None:
        """Call `listener` when the save status changes."""
        self._status_listeners.append((owner, listener))

    def on_saved(self, listener: Callable[[], None], owner: object = None) -> None:
        """Call `listener` after the file on disk changed: a save, or a change from disk taken in."""
        self._saved_listeners.append((owner, listener))

    def forget(self, owner: object) -> None:
        """Stop calling the listeners `owner` registered (a widget being closed)."""
        self._listeners = [(o, f) for o, f in self._listeners if o is not owner]
        self._status_listeners = [(o, f) for o, f in self._status_listeners if o is not owner]
        self._saved_listeners = [(o, f) for o, f in self._saved_listeners if o is not owner]

    def _notify(self, source: object | None) -> None:
        for _, listener in list(self._listeners):
            listener(source)

    def _set_status(self, status: Status) -> None:
        self.status = status
        for _, listener in list(self._status_listeners):
            listener()

    def _saved(self) -> None:
        for _, listener in list(self._saved_listeners):
            listener()

    # -- editing ---------------------------------------------------------------------------
    def edit(
        self, change: Callable[[dict[str, Any]], None], source: object | None = None, *, field: Hashable = None
    ) -> list[Problem]:
        """Apply `change` to a copy of the data; keep and save it if valid, else return the problems.

        `field` names the input the edit comes from: while its value is invalid the status says so,
        since what the user sees in it is not what the file holds.
        """
        with self._lock:
            candidate = copy.deepcopy(self.data)
            change(candidate)
            try:
                engagement = validate_engagement(candidate)
            except EngagementError as exc:
                if field is not None:
                    self.field_problems[field] = exc.problems
                    self._set_status(self.status)
                return exc.problems
            if field is not None:
                self.field_problems.pop(field, None)
            self.data, self.engagement = candidate, engagement
            self.merged_at = None  # the note about a merge stays until the next edit
        self._notify(source)
        with self._lock:
            if self.pending is not None:
                self._settle()  # the choices on show must offer what is typed now
                return []
        self.save_soon()
        return []

    def set_field_problems(self, field: Hashable, problems: Sequence[Problem]) -> None:
        """Record that an input holds a value that cannot be saved (or, with no problems, that it is fine again)."""
        with self._lock:
            if problems:
                self.field_problems[field] = list(problems)
            else:
                self.field_problems.pop(field, None)
        self._set_status(self.status)

    def forget_fields(self, owner: Callable[[Hashable], bool]) -> None:
        """Drop the problems of inputs that are gone (a removed moment's fields)."""
        with self._lock:
            for key in [k for k in self.field_problems if owner(k)]:
                del self.field_problems[key]
        self._set_status(self.status)

    # -- saving ----------------------------------------------------------------------------
    def save_soon(self) -> None:
        """Save after a short quiet period, so a burst of keystrokes is one write."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            if self.debounce > 0:
                self._timer = threading.Timer(self.debounce, self._flush_in_background)
                self._timer.daemon = True
                self._timer.start()
        if self.status not in ("conflict", "disk-invalid"):
            self._set_status("unsaved")
        if self.debounce <= 0:
            self.flush()

    def _flush_in_background(self) -> None:
        try:
            self.flush()
        except BaseException as exc:  # noqa: BLE001 - a timer thread has no caller: say it in the status bar
            self._failed(f"{type(exc).__name__}: {exc}")

    def _failed(self, reason: str) -> None:
        self.failure = reason
        self._set_status("failed")

    def flush(self, *, overwrite: bool = False) -> bool:
        """Write pending edits now; False if they could not be written (the status says why)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self.pending is not None and not overwrite:
                return False  # the user has choices to make first
            if self.status == "disk-invalid" and not overwrite:
                return False
            try:
                self.file.save(self.data, check_conflict=not overwrite)
            except ConflictError:
                return self._take_in_disk_change()
            except EngagementError as exc:
                self._failed(str(exc.problems[0]) if exc.problems else "the engagement does not validate")
                return False
            except OSError as exc:
                self._failed(exc.strerror or str(exc))
                return False
            self._seen = _signature(self.path)
            self._settled()
            self.saved_at = _dt.datetime.now()
        self._set_status("saved")
        self._saved()
        return True

    def retry(self) -> bool:
        """Try the failed save again (the edits were kept in memory)."""
        return self.flush()

    # -- the file on disk ------------------------------------------------------------------
    def watch(self) -> None:
        """Start watching the file for changes made elsewhere (done on creation unless `watch=False`)."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._stop.clear()
        # The thread holds the session weakly, so a session nobody uses any more stops being watched.
        self._watcher = threading.Thread(
            target=_watch, args=(weakref.ref(self), self._stop), name="visionkit-watch", daemon=True
        )
        self._watcher.start()

    def close(self) -> None:
        """Stop watching the file and write any pending edit."""
        self._stop.set()
        with self._lock:
            waiting = self._timer is not None
        if waiting:
            self.flush()

    def check_disk(self) -> bool:
        """Look at the file now; take in a change made elsewhere. True if there was one."""
        signature = _signature(self.path)
        with self._lock:
            if signature == self._seen:
                return False
            self._seen = signature
            return self._take_in_disk_change()

    def _take_in_disk_change(self) -> bool:
        """Merge the file as it is on disk with the edits made here (under the lock)."""
        with self._lock:
            try:
                disk = EngagementFile.load(self.path)
            except EngagementError as exc:
                self.failure = str(exc.problems[0]) if exc.problems else "it does not load"
                self._set_status("disk-invalid")
                return True
            if disk.text == self.file.text and self.status != "disk-invalid":
                return False
            result = merge(self.file.data(), self.data, disk.data())
            self._disk = disk
            self.pending, self.choices = result, {}
            if result.conflicts:
                self._set_status("conflict")
                return True
            return self._adopt(result.data)

    def choose(self, conflict: Conflict, side: Side) -> None:
        """Settle one conflicting field with this session's value (`mine`) or the one on disk (`theirs`)."""
        with self._lock:
            if self.pending is None:
                return
            self.choices[conflict.path] = side
            self._settle()

    def _settled(self) -> None:
        """Nothing waits on the disk any more: no merge pending, no choices, no failure."""
        self.pending, self.choices, self._disk, self.failure = None, {}, None, ""

    def _merge_with_disk(self) -> Merge:
        assert self._disk is not None
        self.pending = merge(self.file.data(), self.data, self._disk.data())
        return self.pending

    def _settle(self, result: Merge | None = None) -> None:
        """Merge again with the edits made since the conflict showed; adopt once every conflict is chosen."""
        result = result or self._merge_with_disk()
        known = {c.path for c in result.conflicts}
        self.choices = {path: side for path, side in self.choices.items() if path in known}
        if known <= set(self.choices):
            self._adopt(result.resolved(self.choices))
        else:
            self._set_status("conflict")

    def _adopt(self, data: dict[str, Any]) -> bool:
        """Make the merged data this session's, based on the file now on disk, and save what differs."""
        assert self._disk is not None
        try:
            engagement = validate_engagement(data)
        except EngagementError as exc:
            self.failure = f"the merged engagement does not validate: {exc.problems[0]}"
            self._set_status("failed")
            return True
        self.file, self.data, self.engagement = self._disk, data, engagement
        self._settled()
        self._seen = _signature(self.path)
        self.merged_at = _dt.datetime.now()
        self.status = "unsaved"  # no longer waiting on the disk: the flush below may write
        self._notify(None)
        self._saved()
        if data != self.file.data():
            self.flush()
        else:
            self._set_status("saved" if self.saved_at else "loaded")
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
            self._settled()
            self._seen = _signature(self.path)
            self.saved_at, self.merged_at = None, None
            self.loaded_at = _dt.datetime.now()
        self._notify(None)
        self._set_status("loaded")
        self._saved()

    def keep_mine(self) -> bool:
        """Settle every open conflict with this session's values, then save."""
        with self._lock:
            if self.pending is None:
                return self.flush(overwrite=True)
            result = self._merge_with_disk()
            for conflict in result.conflicts:
                self.choices.setdefault(conflict.path, "mine")
            self._settle(result)
            return self.status == "saved"

    @property
    def conflict(self) -> bool:
        """Whether a change on disk waits for the user's choices."""
        return self.pending is not None and bool(self.pending.conflicts)

    def status_text(self) -> str:
        """A short line for the status bar."""
        name = self.path.name
        if self.status == "failed":
            return f"Not saved: {self.failure}"
        if self.status == "disk-invalid":
            return f"{name} on disk does not load ({self.failure}); your edits are kept and will be saved once it does"
        if self.status == "conflict" and self.pending is not None:
            left = sum(1 for c in self.pending.conflicts if c.path not in self.choices)
            fields = "field" if left == 1 else "fields"
            return f"{name} changed on disk: {left} {fields} changed here too; choose which version to keep"
        if self.field_problems:
            drafts = sum(1 for key in self.field_problems if isinstance(key, tuple) and key[-1:] == ("draft",))
            days = sum(1 for key in self.field_problems if isinstance(key, tuple) and key[-1:] == ("new-day",))
            inputs = len(self.field_problems) - drafts - days
            parts = [f"{inputs} {'field needs' if inputs == 1 else 'fields need'} attention"] if inputs else []
            if drafts:
                moments = "moment needs" if drafts == 1 else "moments need"
                parts.append(f"{drafts} new {moments} a story and a capability")
            if days:
                parts.append("a new perfect day is saved with its first moment")
            return "Not saved: " + "; ".join(parts)
        if self.status == "unsaved":
            return "Unsaved changes…"
        merged = f" (took in changes made on disk at {self.merged_at:%H:%M:%S})" if self.merged_at else ""
        if self.saved_at is not None:
            return f"Saved to {name} at {self.saved_at:%H:%M:%S}{merged}"
        if merged:
            return f"Reloaded {name}{merged}"
        return f"Editing {name} (loaded at {self.loaded_at:%H:%M:%S})"

    def __del__(self) -> None:
        # A session whose file failed to load never started its watcher: nothing to stop.
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()


def _watch(ref: weakref.ReferenceType[EngagementSession], stop: threading.Event) -> None:
    """Poll the file of the session `ref` until it is stopped or gone."""
    while not stop.wait(POLL_SECONDS):
        session = ref()
        if session is None:
            return
        try:
            session.check_disk()
        except Exception as exc:  # noqa: BLE001 - the watch must outlive one bad read; the status says what broke
            session._failed(f"could not read {session.path.name}: {exc}")
        del session


def session_for(engagement: str | Path | EngagementSession, *, debounce: float = 0.8) -> EngagementSession:
    """The session to use: the one given, or a new one for a path."""
    if isinstance(engagement, EngagementSession):
        return engagement
    return EngagementSession(engagement, debounce=debounce)
