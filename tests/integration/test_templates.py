"""Warm templates: the export template waits for the kernel template, and a closed one never starts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from visionkit.batch import ROLES
from visionkit.kernels import Template, TemplateError

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forked templates are Linux-only")


def test_a_template_started_after_another_waits_for_it() -> None:
    kernel = Template(ROLES["kernel"]).start()
    export = Template(ROLES["export"]).start(after=kernel)
    try:
        # The kernel template takes most of a second to import: the export one has not been launched.
        assert not export._started.is_set() and export._proc is None
        kernel.wait_ready()
        export.wait_ready()
        assert export._proc is not None
        child = export.spawn("call", target="visionkit._typeset:fonts", args={}, log="/dev/null")
        assert child.wait(30) == 0
    finally:
        export.close()
        kernel.close()


def test_a_template_closed_before_its_turn_never_starts() -> None:
    kernel = Template(ROLES["kernel"]).start()
    export = Template(ROLES["export"]).start(after=kernel)
    export.close()
    try:
        kernel.wait_ready()
        assert export._started.wait(30)
        assert export._proc is None
        with pytest.raises(TemplateError, match="was not started"):
            export.wait_ready()
    finally:
        kernel.close()


def test_a_rehearsal_that_starts_a_thread_stops_the_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import types

    from visionkit.kernels._serve import _rehearse

    stop = threading.Event()
    started: list[threading.Thread] = []

    def threaded() -> None:
        started.append(threading.Thread(target=stop.wait))
        started[0].start()

    module = types.ModuleType("vk_test_rehearsal")
    module.threaded = threaded  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vk_test_rehearsal", module)
    try:
        assert _rehearse("") == ""
        assert "thread" in _rehearse("vk_test_rehearsal:threaded")
    finally:
        stop.set()
        for thread in started:
            thread.join()


def test_a_failed_rehearsal_leaves_the_template_forking(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import types

    from visionkit.kernels._serve import _rehearse

    module = types.ModuleType("vk_test_rehearsal")
    module.failing = lambda: 1 / 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vk_test_rehearsal", module)
    # The test process may have threads of its own; a template has none.
    monkeypatch.setattr("threading.active_count", lambda: 1)
    try:
        assert _rehearse("vk_test_rehearsal:failing") == ""
    finally:
        gc.unfreeze()


def test_the_first_forks_wait_for_no_collection_and_the_rehearsal_collects(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import weakref

    from visionkit.kernels._serve import _ready_to_fork

    class Cycle:
        pass

    collected: list[str] = []
    monkeypatch.setattr("threading.active_count", lambda: 1)
    garbage = Cycle()
    garbage.self = garbage  # type: ignore[attr-defined]
    weakref.finalize(garbage, collected.append, "collected")
    del garbage
    try:
        assert _ready_to_fork("the imports", collect=False) == ""
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert collected == []  # frozen with everything else: no collection can reach it
        assert _ready_to_fork("the rehearsal") == ""
        assert collected == ["collected"]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_rehearsed_kernel_template_still_forks_kernels(tmp_path: Path) -> None:
    kernel = Template(ROLES["kernel"]).start()
    try:
        kernel.rehearse()
        child = kernel.spawn("call", target="visionkit.catalog:default_catalog", args={}, log=str(tmp_path / "log"))
        assert child.wait(60) == 0, (tmp_path / "log").read_text()
    finally:
        kernel.close()


def test_the_ready_client_retries_refused_connections_promptly() -> None:
    # It connects while a forked kernel is still binding its ports; zmq's default retry is 100 ms.
    import zmq

    from visionkit.kernels import ready_client_class

    client = ready_client_class()(ip="127.0.0.1", shell_port=1, iopub_port=2, stdin_port=3, hb_port=4, control_port=5)
    client.start_channels(hb=False)
    try:
        for channel in (client.shell_channel, client.iopub_channel, client.stdin_channel, client.control_channel):
            assert channel.socket.getsockopt(zmq.RECONNECT_IVL) == 5
            assert channel.socket.getsockopt(zmq.RECONNECT_IVL_MAX) == 100
    finally:
        client.stop_channels()


def test_a_child_left_to_exit_is_terminated_once_its_grace_time_is_up(tmp_path: Path) -> None:
    import signal
    import time

    kernel = Template(ROLES["kernel"]).start()
    try:
        child = kernel.spawn("call", target="subprocess:call", args={"args": ["sleep", "600"]}, log="/dev/null")
        started = time.monotonic()
        kernel.let_exit(child.pid, grace=1.0)
        assert child.poll() is None  # nothing waited for it here
        kernel.settle()
        assert child.poll() == -signal.SIGTERM
        assert 0.4 < time.monotonic() - started < 10
    finally:
        kernel.close()


def test_a_forked_kernel_gets_its_shutdown_request_and_exits_by_itself() -> None:
    from jupyter_core.utils import run_sync

    from visionkit.kernels import Child, kernel_manager_class

    async def start_and_stop(template: Template) -> tuple[Child, int | None]:
        manager = kernel_manager_class(template)(kernel_name="python3")
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        try:
            # As nbclient does: a kernel still starting can die of the interrupt that precedes a shutdown.
            await client.wait_for_ready(timeout=30)
        finally:
            client.stop_channels()
        child = manager.provisioner.process
        assert isinstance(child, Child)
        await manager.shutdown_kernel()
        # Asked, not killed: it ends on its own well before the 2.5 s after which it would get SIGTERM.
        return child, child.wait(2.0)

    kernel = Template(ROLES["kernel"]).start()
    try:
        # Dropping the request was a race (one kernel in three to eight): several tries, so it would show.
        for _ in range(5):
            # As nbclient runs it: the test session may already have an event loop running here.
            child, status = run_sync(start_and_stop)(kernel)
            assert status == 0, (child.pid, status)
    finally:
        kernel.close()
