"""Process helpers: a kernel's environment, process groups, reaping and prctl (Linux)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path

_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36


def kernel_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment jupyter_client gives a kernel it starts from this process (see its launcher)."""
    env = {**base, "JPY_PARENT_PID": str(os.getpid())}
    env.pop("PYTHONEXECUTABLE", None)
    return env


def _sweep(limit: float = 5.0) -> None:
    """Kill and reap every remaining child, including orphans adopted as a subreaper."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        for pid in _children_of(os.getpid()):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return  # no children left at all
            if pid == 0:
                break
        time.sleep(0.01)


def _children_of(parent: int) -> list[int]:
    """The pids whose parent is `parent`, from /proc (Linux); empty elsewhere."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = Path(entry.path, "stat").read_text("ascii", "replace").rsplit(")", 1)[-1].split()
            except OSError:
                continue
            if len(fields) > 1 and fields[1] == str(parent):
                found.append(int(entry.name))
    return found


def _killpg(pid: int, signum: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signum)


def _prctl(option: int, value: int) -> None:
    if sys.platform != "linux":
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
