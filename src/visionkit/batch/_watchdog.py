"""The watchdog: a client's time budget, which kills its process when time runs out or the batch stops."""

from __future__ import annotations

import threading
from collections.abc import Callable


class _Watch:
    """One client's time budget: when it runs out, or the batch stops, the client's process is killed."""

    def __init__(self, seconds: float):
        self.reason = ""
        self._kill: Callable[[], None] | None = None
        self._lock = threading.Lock()
        reason = f"TimeoutError: timed out after {seconds:g} s (--timeout)"
        self._timer = threading.Timer(seconds, self.stop, args=(reason,))
        self._timer.daemon = True
        self._timer.start()

    def attach(self, kill: Callable[[], None]) -> None:
        """Remember how to kill the process the client now waits on (a kernel, then an export)."""
        with self._lock:
            self._kill = kill
            stopped = bool(self.reason)
        if stopped:
            kill()

    def stop(self, reason: str) -> None:
        """Stop the client: record why and kill its process."""
        with self._lock:
            if self.reason:
                return
            self.reason = reason
            kill = self._kill
        if kill is not None:
            kill()

    def close(self) -> None:
        """The client is done: cancel the timer."""
        self._timer.cancel()


class _Stopped(Exception):
    """A client stopped by its watch (timed out, or the batch was interrupted)."""
