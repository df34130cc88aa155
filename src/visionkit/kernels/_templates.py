"""The coordinator's side: warm template processes, started in the background, and the children they fork.

What a template imports and runs before it forks is its `Role`, given by the caller: nothing here names
the modules a template preloads or the functions it calls.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from ._processes import kernel_environment

# What starts a template process: `serve` (this package's), with the role as JSON in sys.argv[1].
_SERVE = f"import sys; from {__package__} import serve; serve(sys.argv[1])"


class Role(TypedDict):
    """What a template imports and runs before it forks anything; the caller defines them.

    `name` names the template in messages and threads; a "kernel" template forks Jupyter kernels and
    sets ipykernel's matplotlib backend before its imports, any other gets jsonschema's IRI checks
    deferred (`defer_iri_checks`). `preload`: the modules it imports. `warm`: a function it then calls
    once, as "module:function" ("" for none). `rehearsal`: one it calls when the coordinator asks
    (`Template.rehearse`), "" for none.
    """

    name: str
    preload: Sequence[str]
    warm: str
    rehearsal: str


class TemplateError(RuntimeError):
    """A template process that could not start or has gone away."""


class Child:
    """A process forked by a template; shaped like `subprocess.Popen` for jupyter_client's provisioner."""

    stdin = stdout = stderr = None

    def __init__(self, template: Template, pid: int):
        self.template = template
        self.pid = pid

    def poll(self) -> int | None:
        """The exit status once the template has reaped the child, else None."""
        return self.template.exit_status(self.pid)

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the child to end; its exit status, or None on timeout."""
        return self.template.wait(self.pid, timeout)

    def send_signal(self, signum: int) -> None:
        """Signal the child's process group (the child and anything it started)."""
        self.template.signal(self.pid, signum)

    def kill(self) -> None:
        """Kill the child's process group."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """Ask the child's process group to terminate."""
        self.send_signal(signal.SIGTERM)


class Template:
    """A warm template process, started in the background, that forks children on request."""

    def __init__(self, role: Role):
        self.role = role["name"]
        self._role = role
        self.modules: frozenset[str] = frozenset()
        self._proc: subprocess.Popen[bytes] | None = None
        self._cond = threading.Condition()
        self._write = threading.Lock()
        self._ready = threading.Event()
        self._replies: dict[int, dict[str, Any]] = {}
        self._exits: dict[int, int] = {}
        self._live: set[int] = set()
        self._next = 0
        self._error = ""
        self._gone = False
        self._started = threading.Event()
        self._launch = threading.Lock()
        self._closed = False
        self._exiting: set[threading.Thread] = set()
        self.env: dict[str, str] = {}

    def start(self, after: Template | None = None) -> Template:
        """Start the template process; it warms up while the caller carries on.

        With `after`, it starts once that template is ready (or has failed): on one core, two templates
        importing at once would each take twice as long, and the first is needed first.
        """
        if after is None:
            self._start_now()
        else:
            threading.Thread(
                target=self._start_after, args=(after,), name=f"visionkit-{self.role}-start", daemon=True
            ).start()
        return self

    def _start_after(self, other: Template) -> None:
        other._ready.wait(120)
        self._start_now()

    def _start_now(self) -> None:
        try:
            with self._launch:
                if not self._closed:
                    self._spawn_process()
        except OSError as exc:
            self._error = f"could not start: {exc}"
        finally:
            if self._proc is None:
                self._ready.set()  # nothing will come: whoever waits must not wait for it
            self._started.set()

    def _spawn_process(self) -> None:
        # The environment a kernel gets from jupyter_client, so that imports read what a kernel would.
        self.env = kernel_environment(os.environ)
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE, json.dumps(self._role)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            # The root folder: no matplotlibrc or stray module in the build's folder can shape the imports.
            cwd=os.sep,
            env=self.env,
            # Its own session: Ctrl-C in the terminal reaches the build, which then decides what to stop.
            start_new_session=True,
        )
        threading.Thread(target=self._read, name=f"visionkit-{self.role}-template", daemon=True).start()

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            with self._cond:
                if "ready" in message:
                    self.modules = frozenset(message.get("modules", ()))
                    self._ready.set()
                elif "exit" in message:
                    self._exits[message["exit"]] = message["status"]
                    self._live.discard(message["exit"])
                elif "id" in message:
                    if "pid" in message:
                        self._live.add(message["pid"])
                    self._replies[message["id"]] = message
                elif "error" in message:
                    self._error = message["error"]
                self._cond.notify_all()
        with self._cond:
            # The template is gone, and its children with it (they die with their parent).
            self._gone = True
            self._error = self._error or "the template process ended"
            for pid in self._live:
                self._exits.setdefault(pid, -signal.SIGKILL)
            self._live.clear()
            self._ready.set()
            self._cond.notify_all()

    def _send(self, message: Mapping[str, Any]) -> None:
        if self._proc is None or self._proc.stdin is None:
            raise TemplateError(f"the {self.role} template is not running")
        try:
            with self._write:
                self._proc.stdin.write(json.dumps(message).encode() + b"\n")
                self._proc.stdin.flush()
        except (OSError, ValueError):
            raise TemplateError(f"the {self.role} template is not running: {self._error}") from None

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until the template has done its imports; raise `TemplateError` if it cannot."""
        self._started.wait(timeout)
        if self._proc is None:
            raise TemplateError(f"the {self.role} template was not started{': ' + self._error if self._error else ''}")
        if not self._ready.wait(timeout):
            raise TemplateError(f"the {self.role} template did not warm up within {timeout:.0f} s")
        if self._gone or self._error:
            raise TemplateError(f"the {self.role} template failed: {self._error}")

    def spawn(self, kind: str, **job: Any) -> Child:
        """Fork a child: `kind` is "kernel" (a Jupyter kernel) or "call" (run a function, then exit)."""
        self.wait_ready()
        with self._cond:
            self._next += 1
            request = self._next
        self._send({"op": "spawn", "id": request, "kind": kind, **job})
        with self._cond:
            self._cond.wait_for(lambda: request in self._replies or self._gone, timeout=60)
            reply = self._replies.pop(request, {})
        if "pid" not in reply:
            raise TemplateError(reply.get("error") or f"the {self.role} template did not fork: {self._error}")
        return Child(self, int(reply["pid"]))

    def exit_status(self, pid: int) -> int | None:
        """A child's exit status once it has ended, else None."""
        with self._cond:
            return self._exits.get(pid)

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        """Wait for a child to end and return its exit status (None on timeout)."""
        with self._cond:
            self._cond.wait_for(lambda: pid in self._exits, timeout=timeout)
            return self._exits.get(pid)

    def let_exit(self, pid: int, grace: float) -> None:
        """Give a child asked to shut down `grace` seconds to exit, as jupyter_client does, without waiting.

        Half the time to exit, then SIGTERM, then the other half, then SIGKILL. `settle` waits for them.
        """

        def finish() -> None:
            try:
                if self.wait(pid, grace / 2) is None:
                    self.signal(pid, signal.SIGTERM)
                    if self.wait(pid, grace / 2) is None:
                        self.signal(pid, signal.SIGKILL)
            finally:
                with self._cond:
                    self._exiting.discard(thread)

        thread = threading.Thread(target=finish, name=f"visionkit-{self.role}-exit", daemon=True)
        with self._cond:
            self._exiting.add(thread)
        thread.start()

    def settle(self) -> None:
        """Wait until every child given time to exit (`let_exit`) has exited or been killed."""
        while True:
            with self._cond:
                thread = next(iter(self._exiting), None)
            if thread is None:
                return
            thread.join()

    def rehearse(self) -> None:
        """Ask the template to run its rehearsal (see `Role`) before its next fork; harmless if it has none."""
        with contextlib.suppress(TemplateError):
            self._send({"op": "rehearse"})

    def signal(self, pid: int, signum: int) -> None:
        """Signal a child's process group; the template does it, so a reaped pid is never hit."""
        if self.exit_status(pid) is None:
            with contextlib.suppress(TemplateError):
                self._send({"op": "signal", "pid": pid, "sig": int(signum)})

    def close(self, timeout: float = 10.0) -> None:
        """Kill every child, stop the template and wait for it; safe to call twice."""
        with self._launch:
            self._closed = True
            proc, self._proc = self._proc, None
        if proc is not None:
            if not self._ready.is_set():
                # Still importing: it reads no request before it is done, and has forked nothing to stop.
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
            try:
                with self._write:
                    assert proc.stdin is not None
                    proc.stdin.write(b'{"op": "quit"}\n')
                    proc.stdin.close()
            except (OSError, ValueError):
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def unforkable(
    template: Template, cmd: Sequence[str], cwd: str, kernel_spec: Any = None, env: Mapping[str, str] | None = None
) -> str:
    """Why a kernel started with `cmd` in `cwd` would not behave like a fork of `template` ("" if it would)."""
    if list(cmd[1:4]) != ["-m", "ipykernel_launcher", "-f"] or cmd[0] != sys.executable:
        return "the kernelspec runs another program or interpreter"
    if getattr(kernel_spec, "env", None):
        return "the kernelspec sets environment variables"
    if env is not None and dict(env) != template.env:
        # Modules read some variables when imported (ipykernel reads JPY_PARENT_PID, for one).
        return "the environment differs from the template's"
    try:
        entries = list(Path(cwd).iterdir())
    except OSError:
        return "the working folder cannot be read"
    if any(entry.name == "matplotlibrc" for entry in entries):
        return "the working folder has a matplotlibrc"
    # A fresh kernel has '' on its path when the workbook imports: a local module would win there.
    importable = {
        e.name.split(".")[0] for e in entries if e.suffix in (".py", ".pyc", ".so") or (e / "__init__.py").is_file()
    }
    shadowed = sorted(importable & template.modules)
    if shadowed:
        return f"the working folder shadows {', '.join(shadowed)}"
    return ""
