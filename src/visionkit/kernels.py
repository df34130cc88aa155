"""Warm kernels for batch builds: every client gets a Jupyter kernel forked from a template process.

A template is a Python process that has imported what a roadmap kernel (or an exporter) needs and has
run nothing else: no client code, no thread, no ZeroMQ context. For each client it forks a child that
becomes a genuine ipykernel kernel (or runs one export) and dies with it, so a client's state cannot
reach the next client and memory does not grow over a batch. Only this module's top level is imported
by the CLI; everything heavy loads in the templates.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

# What each template imports before it forks anything. The kernel list is what a fresh kernel imports
# while starting up plus what the roadmap workbook imports; matplotlib.pyplot and the inline backend are
# left out on purpose: importing them wires matplotlib into the IPython shell, which must happen in the
# child's own shell, exactly as in a fresh kernel. pandas is left out too: the roadmap workbook does not
# need it, and importing it would hold up the first document by about 0.25 s.
KERNEL_PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "ipykernel.comm",
    # What IPKernelApp.initialize imports in every kernel: a fresh kernel has them before any cell runs.
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "zmq.utils.garbage",
    "faulthandler",
    "jupyter_client.localinterfaces",
    "psutil",
    "sqlite3",
    "numpy",
    "pydantic",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.font_manager",
    "matplotlib.backends.backend_svg",
    "visionkit.document",
    "visionkit.sections",
    "visionkit.charts",
    "visionkit.planner",
    "visionkit.engagement_file",
    "visionkit.cli",
)
EXPORT_PRELOAD = ("nbformat", "visionkit.exporters", "visionkit.typeset", "typst", "visionkit.batch")
# Then one warm-up call: the shipped catalog (package data, the same for every client) is parsed once
# instead of in every kernel; exporters load their templates and find the fonts. The third entry is a
# rehearsal the coordinator asks for once the first client is under way (`Template.rehearse`): the
# kernel template builds the demo document once, so that later kernels start with fonts loaded and the
# catalog's names measured (about 0.15 s of every kernel's CPU), without holding up the first document.
ROLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "kernel": (KERNEL_PRELOAD, "visionkit.catalog:default_catalog", "visionkit.document:rehearse"),
    "export": (EXPORT_PRELOAD, "visionkit.batch:warm_exporters", ""),
}
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
Killer = Callable[[], None]
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36


class TemplateError(RuntimeError):
    """A template process that could not start or has gone away."""


def defer_iri_checks() -> None:
    """Import jsonschema without building rfc3987_syntax's IRI grammar, until an IRI is actually checked.

    jsonschema registers format checkers at import; with rfc3987_syntax installed that compiles a Lark
    grammar, about 0.8 s of every `import nbformat`. Notebook validation never checks IRIs, so the
    checker gets a stand-in that imports the real module on its first call.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    import importlib
    import types

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
        return importlib.import_module("rfc3987_syntax").is_valid_syntax(*args, **kwargs)

    stand_in = types.ModuleType("rfc3987_syntax")
    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    sys.modules["rfc3987_syntax"] = stand_in
    try:
        importlib.import_module("jsonschema")
    except ImportError:
        pass
    finally:
        if sys.modules.get("rfc3987_syntax") is stand_in:
            del sys.modules["rfc3987_syntax"]


# --- the coordinator's side ---------------------------------------------------------------------------


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

    def __init__(self, role: str):
        if role not in ROLES:
            raise ValueError(f"unknown template role {role!r}")
        self.role = role
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
            [sys.executable, "-c", "import sys; from visionkit.kernels import serve; serve(sys.argv[1])", self.role],
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
        """Ask the template to run its rehearsal before its next fork (see ROLES); harmless if it has none."""
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


def kernel_manager_class(template: Template | None, on_start: Callable[[Killer], None] | None = None) -> type:
    """A jupyter_client kernel manager that forks its kernel from `template` whenever that is faithful.

    A kernel that cannot be forked faithfully (another kernelspec or interpreter, a kernelspec that sets
    environment variables, a working folder that shadows a preloaded module or holds a matplotlibrc, a
    template that failed) starts as a normal process instead. `on_start` gets a function that kills the
    kernel's process group, whichever way it started.
    """
    import asyncio
    import uuid

    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner
    from traitlets import default

    class ForkProvisioner(LocalProvisioner):
        # jupyter_client types `process` as a Popen; here it may hold a forked Child, which is shaped like
        # one (poll, wait, send_signal, kill, terminate) without being one. Declaring it lets the
        # `isinstance(self.process, Child)` branches below be checked instead of seen as unreachable.
        process: Child | subprocess.Popen[Any] | None  # type: ignore[assignment]

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            cwd = str(kwargs.get("cwd") or Path.cwd())
            env = kernel_environment(kwargs.get("env") or os.environ)
            child = None
            if template is not None:
                with contextlib.suppress(TemplateError):  # a failed template: start normally
                    template.wait_ready()
                    if not unforkable(template, cmd, cwd, self.kernel_spec, env):
                        child = template.spawn("kernel", argv=cmd, env=env, cwd=cwd)
            if child is not None:
                self.process = child
                self.pid, self.pgid, self.cwd = child.pid, child.pid, cwd
                if on_start is not None:
                    on_start(child.kill)
                return self.connection_info
            # A normal kernel keeps its start-up chatter out of the build's terminal.
            kwargs.setdefault("stderr", subprocess.DEVNULL)
            info = await super().launch_kernel(cmd, **kwargs)
            pid = self.pid
            if on_start is not None and pid is not None:
                # jupyter_client starts it in a session of its own: its process group is its pid.
                on_start(lambda: _killpg(pid, signal.SIGKILL))
            return info

        async def send_signal(self, signum: int) -> None:
            if isinstance(self.process, Child):
                self.process.send_signal(signum)
                return
            await super().send_signal(signum)

        async def wait(self) -> int | None:
            if isinstance(self.process, Child):
                # The template reports the exit at once; jupyter_client's 0.1 s polling would only add delay.
                while self.process.poll() is None:
                    await asyncio.sleep(0.005)
                return self.process.poll()
            return await super().wait()

    class ForkingKernelManager(AsyncKernelManager):
        @default("client_factory")
        def _client_factory_default(self) -> type:
            return ready_client_class()

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

        async def _async_finish_shutdown(
            self, waittime: float | None = None, pollinterval: float = 0.1, restart: bool = False
        ) -> None:
            process = getattr(self.provisioner, "process", None)
            if isinstance(process, Child) and not restart:
                # The notebook is complete once the kernel has the shutdown request. Its exit (IPython's
                # history, exit handlers, about 50 ms) need not hold up the document: the template sees
                # it through, within the same grace time, and `Batch.run` waits for it before returning.
                grace = max(self.shutdown_wait_time, 0.0) if waittime is None else waittime
                await self._shutdown_reply(grace / 2)
                process.template.let_exit(process.pid, grace)
                return
            await super()._async_finish_shutdown(waittime, pollinterval, restart)

        async def _shutdown_reply(self, timeout: float) -> None:
            # The request was only queued: closing the control socket now, as the clean-up that follows
            # does, can drop it (one kernel in three to eight, measured), and the kernel then runs on until the
            # SIGTERM. Its reply says it arrived; it comes before the kernel's exit work starts.
            socket = self._control_socket
            if socket is not None:
                with contextlib.suppress(zmq.ZMQError):
                    if await socket.poll(timeout=int(timeout * 1000)):
                        await socket.recv_multipart()

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            prompt = self.provisioner is not None and isinstance(getattr(self.provisioner, "process", None), Child)
            await super()._async_wait(pollinterval=0.005 if prompt else pollinterval)

    return ForkingKernelManager


def ready_client_class() -> type:
    """A kernel client that is ready as soon as the kernel has answered, without idling to be sure.

    jupyter_client's client sends kernel_info, takes the reply, then drains IOPub until it has been
    quiet for 0.2 s: a fixed 0.2 s or more on every kernel start. Here the drain ends on the message
    that closes the request on IOPub (status idle, with the request as its parent), which the kernel
    sends after everything else the request caused; IOPub is then both connected and empty. Its sockets
    also retry a refused connection after 5 ms instead of 100 ms, so the kernel is reached as soon as it
    listens.
    """
    from jupyter_client.asynchronous.client import AsyncKernelClient

    class ReadyKernelClient(AsyncKernelClient):
        def start_channels(self, *args: Any, **kwargs: Any) -> None:
            import zmq

            # The client connects while the kernel is still binding its ports, and zmq retries a refused
            # connection only after 100 ms: about 0.1 s lost on every kernel start. Retry after 5 ms,
            # backing off to zmq's usual 100 ms if the kernel is slow to come up.
            self.context.setsockopt(zmq.RECONNECT_IVL, 5)
            self.context.setsockopt(zmq.RECONNECT_IVL_MAX, 100)
            super().start_channels(*args, **kwargs)

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
            while True:
                request = self.kernel_info()
                reply = await self._reply_to(request)
                if reply is not None and await self._idle_after(request):
                    self._handle_kernel_info_reply(reply)
                    return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        wait_for_ready = _async_wait_for_ready

        async def _reply_to(self, request: str, timeout: float = 1.0) -> dict[str, Any] | None:
            until = time.monotonic() + timeout
            while (left := until - time.monotonic()) > 0:
                try:
                    msg: dict[str, Any] = await self.shell_channel.get_msg(timeout=left)
                except queue.Empty:
                    return None
                if msg.get("parent_header", {}).get("msg_id") == request:
                    return msg if msg.get("msg_type") == "kernel_info_reply" else None
            return None

        async def _idle_after(self, request: str, timeout: float = 0.2) -> bool:
            # Each message must come within `timeout`, as jupyter_client's own check for a connected IOPub.
            while True:
                try:
                    msg: dict[str, Any] = await self.iopub_channel.get_msg(timeout=timeout)
                except queue.Empty:
                    return False
                if (
                    msg.get("msg_type") == "status"
                    and msg.get("content", {}).get("execution_state") == "idle"
                    and msg.get("parent_header", {}).get("msg_id") == request
                ):
                    return True

    return ReadyKernelClient


def kernel_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment jupyter_client gives a kernel it starts from this process (see its launcher)."""
    env = {**base, "JPY_PARENT_PID": str(os.getpid())}
    env.pop("PYTHONEXECUTABLE", None)
    return env


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


# --- the template's side ------------------------------------------------------------------------------


def serve(role: str) -> None:
    """Run a template: import the role's modules, then fork a child per request until stdin closes."""
    # As ipykernel_launcher does: no current folder on the path while importing; the kernel's shell adds ''.
    if sys.path and sys.path[0] in ("", str(Path.cwd())):
        del sys.path[0]
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)  # a stray print during the imports must not garble the replies
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)  # orphaned grandchildren come back to us, to be cleaned up
    try:
        env_delta = _warm(role)
    except Exception as exc:  # noqa: BLE001 - reported to the coordinator, which falls back
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), file=replies)
        return
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    print(json.dumps({"ready": True, "modules": loaded, "pid": os.getpid()}), file=replies)
    _loop(replies, env_delta, ROLES[role][2])


def _warm(role: str) -> dict[str, str]:
    """Import and warm up for `role`; the environment variables the imports set."""
    import gc
    import importlib

    before = dict(os.environ)
    modules, warm, _ = ROLES[role]
    # Imports make many objects and few cycles: collecting while importing is about 10% of the time.
    gc.disable()
    if role == "kernel":
        # ipykernel sets this while starting, before any user code imports matplotlib; so do we.
        os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    else:
        defer_iri_checks()
    for name in modules:
        importlib.import_module(name)
    if warm:
        _call(warm)
    # No collection yet: it would hold up the first kernel (see _ready_to_fork).
    unsafe = _ready_to_fork("a preloaded module", collect=False)
    if unsafe:
        raise TemplateError(unsafe)
    gc.enable()  # as in a fresh kernel
    # Variables the imports set: a fresh kernel would have them too, so children get them.
    return {k: v for k, v in os.environ.items() if before.get(k) != v}


def _call(target: str, **kwargs: Any) -> Any:
    """Call the function named by `target`, "module:function"."""
    import importlib

    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)(**kwargs)


def _ready_to_fork(what: str, *, collect: bool = True) -> str:
    """After `what` has run: why forking is not safe ("" if it is, with the collector set up for it).

    Freezing keeps children's collector off the template's objects, so their pages stay shared. With
    `collect`, the garbage of everything done so far is collected first. After the kernel imports that
    is about 0.1 s, for some 2,500 objects (0.6 MB): the first kernel, which waits for the template,
    gets them frozen and uncollected instead, and the rehearsal collects them for every later kernel.
    """
    import gc

    if threading.active_count() != 1:
        return f"{what} started a thread; forking would not be safe"
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    return ""


def _loop(replies: IO[str], env_delta: Mapping[str, str], rehearsal: str = "") -> None:
    import select

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, str] = {}  # pid -> the kernel's connection file ("" for other children)
    pending = b""
    keep = (replies.fileno(), wake_r, wake_w)
    orphaned = False
    unsafe = ""  # why this template may fork no more, if a rehearsal made forking unsafe
    try:
        while True:
            readable, _, _ = select.select([0, wake_r], [], [])
            if wake_r in readable:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 4096)
            _reap(children, replies)
            if 0 not in readable:
                continue
            data = os.read(0, 1 << 16)
            if not data:
                orphaned = True  # the coordinator has gone: stop everything, and tidy up for it
                return
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if not line.strip():
                    continue
                try:
                    request = json.loads(line)
                except ValueError:
                    continue
                if request["op"] == "quit":
                    return
                if request["op"] == "signal":
                    if request["pid"] in children:
                        _killpg(request["pid"], request["sig"])
                elif request["op"] == "rehearse":
                    unsafe = unsafe or _rehearse(rehearsal)
                    rehearsal = ""
                elif request["op"] == "spawn" and unsafe:
                    print(json.dumps({"id": request["id"], "error": unsafe}), file=replies)
                elif request["op"] == "spawn":
                    replies.flush()
                    sys.stdout.flush()
                    sys.stderr.flush()
                    try:
                        pid = os.fork()
                    except OSError as exc:
                        print(json.dumps({"id": request["id"], "error": f"cannot fork: {exc}"}), file=replies)
                        continue
                    if pid == 0:
                        _child(request, keep, env_delta)
                    argv = request.get("argv") or []
                    children[pid] = argv[4] if request["kind"] == "kernel" and len(argv) > 4 else ""
                    print(json.dumps({"id": request["id"], "pid": pid}), file=replies)
    finally:
        for pid in children:
            _killpg(pid, signal.SIGKILL)
        _sweep()
        for connection_file in children.values() if orphaned else ():
            if connection_file:
                with contextlib.suppress(OSError):
                    Path(connection_file).unlink()


def _rehearse(target: str) -> str:
    """Run the template's rehearsal once; why forking is no longer safe afterwards ("" if it still is)."""
    if not target:
        return ""
    # A rehearsal only fills caches: if it fails, the template forks as it would have without it.
    with contextlib.suppress(Exception):
        _call(target)
    return _ready_to_fork("the rehearsal")


def _reap(children: dict[int, str], replies: IO[str]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            del children[pid]
            # Whatever the child started in its process group goes with it.
            _killpg(pid, signal.SIGKILL)
            print(json.dumps({"exit": pid, "status": os.waitstatus_to_exitcode(status)}), file=replies)


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


def _child(request: Mapping[str, Any], inherited: Sequence[int], env_delta: Mapping[str, str]) -> NoReturn:
    """Become what the request asks for, in a fresh session, then exit; never return to the loop."""
    code = 1
    try:
        os.setsid()  # as jupyter_client starts kernels: a new session and process group
        parent = os.getppid()
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the template, even if it is killed
        if os.getppid() != parent:
            os._exit(1)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for fd in inherited:
            with contextlib.suppress(OSError):
                os.close(fd)
        null = os.open(os.devnull, os.O_RDWR)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if request.get("log") else null
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(log, 2)
        env = dict(request.get("env") or os.environ)
        for key, value in env_delta.items():
            env.setdefault(key, value)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(request.get("cwd") or "/")
        if request["kind"] == "kernel":
            code = _run_kernel(request["argv"])
        else:
            _call(request["target"], **request.get("args", {}))
            code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - the child reports and exits, whatever happened
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _run_kernel(argv: Sequence[str]) -> int:
    """Run ipykernel as `python -m ipykernel_launcher ...` would, in this (forked) process."""
    import atexit
    import importlib.util

    spec = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [spec.origin if spec and spec.origin else "ipykernel_launcher", *argv[3:]]
    # CPython reseeds `random` in a forked child; so that siblings never share a stream, numpy's too.
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()
    from ipykernel import kernelapp

    code = 0
    try:
        kernelapp.launch_new_instance()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    _finish_control(kernelapp.IPKernelApp)
    atexit._run_exitfuncs()  # what interpreter shutdown would run: history, user atexit handlers
    return code


def _finish_control(app_class: Any, timeout: float = 5.0) -> None:
    """Let the kernel's control thread finish answering the shutdown request, then stop it.

    ipykernel's exit handler stops IOPub before the control thread, which may still be flushing its
    streams after the shutdown reply: that flush then waits 10 s for IOPub, and jupyter_client kills
    the kernel after 2.5 s (here, about one kernel in 10 to 30). Stopping the control thread first
    leaves the exit handler nothing to race with.
    """
    if not app_class.initialized():
        return
    thread = getattr(app_class.instance(), "control_thread", None)
    if thread is not None and thread.is_alive():
        thread.stop()  # after what it is doing now: its loop runs the stop once the reply is flushed
        thread.join(timeout)
