"""jupyter_client adapters: a kernel manager that forks kernels from a template, and a client ready sooner.

Also what a forked child runs to become an ipykernel kernel (`_run_kernel`).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._processes import _killpg, kernel_environment
from ._templates import Child, Template, TemplateError, unforkable

Killer = Callable[[], None]


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
