"""The scheduler: `Batch` runs the clients in worker threads, with kernels and exporters forked from templates."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import atomic_write_text
from ..errors import problem_text
from ._export import DEFAULT_FORMATS, EXPORTED, FORMATS, export_job
from ._folders import _claim, _install
from ._inputs import Client
from ._roles import EXPORT_JOB, ROLES
from ._stamps import STAMP, _fingerprint
from ._watchdog import _Stopped, _Watch

if TYPE_CHECKING:
    from ..kernels import Template

RAMP_SECONDS = 3.0
"""How long the other clients wait for the first one before they start anyway."""


@dataclass
class BuildResult:
    """What happened to one client in a batch."""

    client: Client
    status: str  # built, skipped or failed
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)
    error: str = ""
    stages: dict[str, float] = field(default_factory=dict)  # seconds: kernel, execute, html, pdf


def _error_line(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        lines = [line for line in str(exc.evalue).splitlines() if line.strip()]
        if lines and re.fullmatch(r"\d+ problems? found:", lines[0]) and len(lines) > 1:
            lines = lines[1:]
        return f"{exc.ename}: {lines[0] if lines else ''}".strip()
    return problem_text(exc)


def default_jobs() -> int:
    """Clients in flight at once: twice the cores, since each spends part of its time waiting on others."""
    return 2 * max(1, os.cpu_count() or 1)


def _close_thread_event_loop() -> None:
    """Close the event loop that papermill's kernel client made for this worker thread, if it made one.

    nbclient runs its coroutines through jupyter_core, which gives each thread an event loop of its own
    and never closes it: the loop and its wake-up sockets would be left for the garbage collector.
    """
    import asyncio

    # Only a loop set for this thread is found: in a worker thread with none, this raises.
    with contextlib.suppress(RuntimeError):
        loop = asyncio.get_event_loop()
        asyncio.set_event_loop(None)
        loop.close()


def _stage_seconds(nb: Any) -> dict[str, float]:
    """Kernel start-up and cell execution times, from papermill's metadata in an executed notebook."""
    from datetime import datetime

    def when(text: Any) -> datetime | None:
        return datetime.fromisoformat(text) if isinstance(text, str) else None

    begun = when(nb.metadata.get("papermill", {}).get("start_time"))
    starts = [when(c.metadata.get("papermill", {}).get("start_time")) for c in nb.cells]
    first = next((s for s in starts if s is not None), None)
    run = sum(float(c.metadata.get("papermill", {}).get("duration") or 0) for c in nb.cells)
    stages = {"execute": round(run, 3)}
    if begun is not None and first is not None:
        stages = {"kernel": round((first - begun).total_seconds(), 3), **stages}
    return stages


@dataclass
class Batch:
    """A batch build's settings: where documents go, which formats, how many at once, which workbook.

    Kernels are forked from a warm template process (`forked=True`, the default on Linux): every client
    still runs in a fresh kernel process of its own, without paying for a Python start-up and the
    imports. `forked=False` starts a normal kernel process per client and exports in this process.
    """

    out: Path
    workbook: Path
    formats: tuple[str, ...] = DEFAULT_FORMATS
    jobs: int = default_jobs()
    overrides: dict[str, Any] = field(default_factory=dict)
    force: bool = False
    timeout: float = 600.0
    # Elsewhere fork is missing (Windows) or unsafe once system frameworks are loaded (macOS).
    forked: bool = sys.platform == "linux"
    _templates: dict[str, Template] = field(default_factory=dict, init=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _watches: set[_Watch] = field(default_factory=set, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _rehearsed: bool = field(default=False, init=False, repr=False)

    def parameters(self, client: Client) -> dict[str, Any]:
        """The workbook parameters for one client: engagement file, then build overrides, then CSV values."""
        params: dict[str, Any] = {"engagement_file": str(client.engagement_file)}
        params.update({k: v for k, v in self.overrides.items() if v is not None})
        params.update(client.parameters)
        return params

    def _fingerprint(self, client: Client) -> str:
        return _fingerprint(
            Client(client.name, client.engagement_file, self.parameters(client)), self.workbook, self.formats
        )

    @staticmethod
    def _identity(client: Client) -> dict[str, str]:
        """What a build stamp records of whose folder it is."""
        return {"client": client.name, "engagement_file": str(client.engagement_file)}

    def up_to_date(self, client: Client) -> BuildResult | None:
        """A `skipped` result when the client's documents are current, else None."""
        if self.force:
            return None
        started = time.perf_counter()
        folder = self.out / client.slug
        outputs = [folder / f"roadmap.{fmt}" for fmt in self.formats]
        stamp = folder / STAMP
        if not (stamp.is_file() and all(p.is_file() for p in outputs)):
            return None
        try:
            if json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint") != self._fingerprint(client):
                return None
        except (OSError, ValueError):
            return None
        return BuildResult(client, "skipped", time.perf_counter() - started, outputs)

    def warm(self) -> None:
        """Start warming the kernel template now, so that it is ready sooner; `run` uses it."""
        if not self.forked or self._templates:
            return
        from ..kernels import Template

        self._templates = {"kernel": Template(ROLES["kernel"]).start()}

    def _warm_exports(self, formats: Sequence[str] | None = None, cores: float | None = None) -> None:
        """Start the export template, once this process has read its inputs and is mostly waiting.

        Only if `formats` (default: this batch's) need an exporter. `cores`: the cores this batch has to
        itself (default: the machine's; a Dask worker shares them with the other workers on its machine).
        """
        wanted = set(self.formats if formats is None else formats)
        if not self.forked or "export" in self._templates or not set(EXPORTED) & wanted:
            return
        from ..kernels import Template

        # With a core to spare, it warms beside the kernel template (each about 10% slower) and is ready
        # well before the first notebook has run. On one core the kernel template, needed first, goes first.
        cores = (os.cpu_count() or 1) if cores is None else cores
        after = self._templates.get("kernel") if cores < 2 else None
        self._templates["export"] = Template(ROLES["export"]).start(after=after)

    def _rehearse(self) -> None:
        """Once the first client is under way, let the kernel template warm its caches for the rest."""
        with self._lock:
            if self._rehearsed:
                return
            self._rehearsed = True
        template = self._templates.get("kernel")
        if template is not None:
            template.rehearse()

    def settle(self) -> None:
        """Wait for the kernels still exiting after their clients finished (each within its grace time)."""
        for template in list(self._templates.values()):
            template.settle()

    def close(self) -> None:
        """Stop the templates and every process they forked, at once."""
        templates, self._templates = self._templates, {}
        for template in templates.values():
            template.close()

    def build_one(self, client: Client) -> BuildResult:
        """Build one client's documents; a failure is recorded, never raised."""
        skipped = self.up_to_date(client)
        return skipped if skipped is not None else self._build(client)

    def _build(self, client: Client) -> BuildResult:
        started = time.perf_counter()
        # Of the inputs as they are now: an engagement edited during the build is built again next time.
        fingerprint = self._fingerprint(client)
        folder = self.out / client.slug
        stamp = folder / STAMP
        watch = _Watch(self.timeout)
        self._watches.add(watch)
        if self._stopping.is_set():
            watch.stop("interrupted")
        try:
            written, stages = self._execute_and_export(client, folder, watch)
        except Exception as exc:  # noqa: BLE001 - one client's failure must not stop the batch
            error = watch.reason or _error_line(exc)
            self._stamp_failure(client, folder, error)
            kept = [folder / "roadmap.ipynb"] if (folder / "roadmap.ipynb").is_file() else []
            return BuildResult(client, "failed", time.perf_counter() - started, kept, error)
        finally:
            watch.close()
            self._watches.discard(watch)
        seconds = time.perf_counter() - started
        record = {"fingerprint": fingerprint, **self._identity(client), "seconds": stages}
        atomic_write_text(stamp, json.dumps(record, indent=2))
        return BuildResult(client, "built", seconds, written, stages=stages)

    def _stamp_failure(self, client: Client, folder: Path, error: str) -> None:
        """Keep a failed client's claim on its folder, with no fingerprint, so that it is built again.

        Without a stamp the folder would be anyone's: the next run could hand it to another client
        whose name makes the same folder name, mixing their documents.
        """
        if folder.is_symlink() or not folder.is_dir():
            return  # nothing was made here, and nothing is written through a link
        record = {**self._identity(client), "failed": error}
        try:
            atomic_write_text(folder / STAMP, json.dumps(record, indent=2))
        except OSError:
            with contextlib.suppress(OSError):  # at least no fingerprint that calls it up to date
                (folder / STAMP).unlink(missing_ok=True)

    def _execute_and_export(self, client: Client, folder: Path, watch: _Watch) -> tuple[list[Path], dict[str, float]]:
        from ..kernels import defer_iri_checks

        defer_iri_checks()
        import papermill
        from papermill.exceptions import PapermillExecutionError

        with _claim(folder):
            return self._execute_locked(client, folder, watch, papermill, PapermillExecutionError)

    def _execute_locked(
        self, client: Client, folder: Path, watch: _Watch, papermill: Any, failed: type[Exception]
    ) -> tuple[list[Path], dict[str, float]]:
        from ..kernels import kernel_manager_class

        # Absolute: forked exporters do not run in this process's working folder.
        tmp = Path(tempfile.mkdtemp(prefix=".visionkit-", dir=folder)).resolve()
        try:
            executed = tmp / "roadmap.ipynb"
            try:
                nb = papermill.execute_notebook(
                    str(self.workbook),
                    str(executed),
                    parameters=self.parameters(client),
                    progress_bar=False,
                    kernel_name="python3",
                    # Saving after every cell is for watching a long run; a batch only needs the end.
                    request_save_on_cell_execute=False,
                    kernel_manager_class=kernel_manager_class(self._templates.get("kernel"), watch.attach),
                    # The kernel's working folder (papermill's own `cwd` would chdir this whole process):
                    # this build's own temporary folder, never the client's, where a planted module or a
                    # matplotlibrc would be picked up. The engagement is passed by its absolute path.
                    resources={"metadata": {"path": str(tmp)}},
                )
            except failed:
                # Keep the executed notebook, failing cell marked, for the strategist to open.
                if executed.is_file() and not watch.reason:
                    shutil.copyfile(executed, tmp / "kept.ipynb")
                    (tmp / "kept.ipynb").replace(folder / "roadmap.ipynb")
                raise
            if watch.reason:
                raise _Stopped(watch.reason)
            # The kernel template is idle while this first document is exported: time for its rehearsal.
            self._rehearse()
            stages = {**_stage_seconds(nb), **self._export(executed, tmp, watch)}
            written = []
            for fmt in FORMATS:
                if fmt in self.formats:
                    _install(tmp / f"roadmap.{fmt}", folder / f"roadmap.{fmt}")
                    written.append(folder / f"roadmap.{fmt}")
            return written, stages
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _export(self, executed: Path, tmp: Path, watch: _Watch) -> dict[str, float]:
        """HTML and PDF into `tmp`: in a child forked from the export template, else in this process."""
        from ..kernels import TemplateError

        # The formats an exporter makes (the notebook is papermill's own): `EXPORTED`, beside `export_job`.
        formats = [fmt for fmt in EXPORTED if fmt in self.formats]
        if not formats:
            return {}
        args = {"notebook": str(executed), "folder": str(tmp), "formats": formats}
        template = self._templates.get("export")
        child = None
        if template is not None:
            with contextlib.suppress(TemplateError):
                child = template.spawn("call", target=EXPORT_JOB, args=args, log=str(tmp / "log"))
        if child is None:
            if watch.reason:
                raise _Stopped(watch.reason)
            export_job(**args)  # type: ignore[arg-type]
        else:
            watch.attach(child.kill)
            if child.wait() != 0:
                if watch.reason:
                    raise _Stopped(watch.reason)
                log = (tmp / "log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
                raise RuntimeError(log[-1] if log else "the exporter stopped unexpectedly")
        timings: dict[str, float] = json.loads((tmp / "timings.json").read_text(encoding="utf-8"))
        return {k: round(v, 3) for k, v in timings.items()}

    def run(self, clients: Sequence[Client], on_done: Callable[[BuildResult], None] | None = None) -> list[BuildResult]:
        """Build every client, `jobs` at a time; results come back in the clients' order.

        Ctrl-C (KeyboardInterrupt) stops every kernel and exporter, removes their unfinished files, keeps
        the documents already finished, and is raised again once everything has stopped.
        """
        self.out.mkdir(parents=True, exist_ok=True)
        results: dict[int, BuildResult] = {}
        todo: queue.Queue[int] = queue.Queue()
        for index, client in enumerate(clients):
            skipped = self.up_to_date(client)
            if skipped is None:
                todo.put(index)
                continue
            results[index] = skipped
            if on_done is not None:
                on_done(skipped)
        if todo.empty():
            self.close()  # templates warmed early for nothing
            return [results[i] for i in range(len(clients))]
        self.warm()
        self._warm_exports()
        finished: queue.Queue[tuple[int, BuildResult]] = queue.Queue()

        first_done = threading.Event()

        def work(delay: bool = False) -> None:
            try:
                if delay:
                    # The first document comes soonest with the cores to itself; the others join once it is
                    # done, or after a few seconds if it is slow.
                    first_done.wait(RAMP_SECONDS)
                    self._rehearse()
                while not self._stopping.is_set():
                    try:
                        index = todo.get_nowait()
                    except queue.Empty:
                        return
                    finished.put((index, self._build(clients[index])))  # up_to_date was asked above
                    first_done.set()
            finally:
                _close_thread_event_loop()

        # Daemon threads: an interrupted build must be able to exit even if one is slow to notice.
        count = min(self.jobs, todo.qsize())
        workers = [threading.Thread(target=work, args=(i > 0,), daemon=True) for i in range(count)]
        for worker in workers:
            worker.start()
        try:
            while len(results) < len(clients):
                try:
                    index, result = finished.get(timeout=0.2)
                except queue.Empty:
                    continue
                results[index] = result
                if on_done is not None:
                    on_done(result)
            self.settle()
        except BaseException:
            self._interrupt(workers)
            raise
        finally:
            self.close()
        return [results[i] for i in range(len(clients))]

    def _interrupt(self, workers: Sequence[threading.Thread]) -> None:
        """Stop every client now: kill kernels and exporters, then let the workers clean up."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            # A second Ctrl-C (or a SIGTERM) must not cut the clean-up short and leave kernels behind.
            previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._stopping.set()
            for watch in list(self._watches):
                watch.stop("interrupted")
            self.close()
            deadline = time.monotonic() + 15
            for worker in workers:
                worker.join(max(0.0, deadline - time.monotonic()))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
