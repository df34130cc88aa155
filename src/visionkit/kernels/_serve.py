"""The template's side: what runs in a template process, from its imports to every child it forks."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from ._jsonschema import defer_iri_checks
from ._jupyter import _run_kernel
from ._processes import _PR_SET_CHILD_SUBREAPER, _PR_SET_PDEATHSIG, _killpg, _prctl, _sweep
from ._templates import Role, TemplateError

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def serve(role: str) -> None:
    """Run a template: import the role's modules, then fork a child per request until stdin closes.

    `role` is the template's `Role`, as JSON: `Template` passes it on the command line.
    """
    # As ipykernel_launcher does: no current folder on the path while importing; the kernel's shell adds ''.
    if sys.path and sys.path[0] in ("", str(Path.cwd())):
        del sys.path[0]
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)  # a stray print during the imports must not garble the replies
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)  # orphaned grandchildren come back to us, to be cleaned up
    try:
        spec: Role = json.loads(role)
        env_delta = _warm(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the coordinator, which falls back
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), file=replies)
        return
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    print(json.dumps({"ready": True, "modules": loaded, "pid": os.getpid()}), file=replies)
    _loop(replies, env_delta, spec["rehearsal"])


def _warm(role: Role) -> dict[str, str]:
    """Import and warm up for `role`; the environment variables the imports set."""
    import gc
    import importlib

    before = dict(os.environ)
    modules, warm = role["preload"], role["warm"]
    # Imports make many objects and few cycles: collecting while importing is about 10% of the time.
    gc.disable()
    if role["name"] == "kernel":
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
