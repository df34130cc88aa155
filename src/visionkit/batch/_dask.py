"""Batch builds on a Dask cluster: one task per client, and each client's documents written once, here.

`DaskBatch` has `Batch`'s `warm`, `run` and `close`, so the command line drives either the same way. It
skips up-to-date clients in this process, then submits one task per client to a scheduler: one given as
tcp://HOST:PORT or tls://HOST:PORT, or a `distributed.LocalCluster` it starts for `local:N`. Each task is
`_worker.build_task`, which builds the client with `Batch.build_one` in the worker.

By default a worker sends the documents back as bytes and this process writes them into the client's
folder (`_folders._deliver`: under its lock, whole files, never through a link), once per client, from
the first result that arrives. With `shared_out` the workers write into the output folder themselves,
as a local build does, so it must be on a filesystem every worker sees.

A worker lost mid-build (its process killed) is Dask's to handle: its tasks run again on other workers,
and a task that takes down more workers than `distributed.scheduler.allowed-failures` fails its client
alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._resources import roadmap_workbook
from ..errors import problem_text
from ._folders import _deliver
from ._inputs import Client
from ._scheduler import Batch, BuildResult, _error_line
from ._watchdog import _Stopped

if TYPE_CHECKING:
    import distributed

    from ._worker import Job

RESOURCE = "visionkit-build"
"""The worker resource each build task takes one of: a worker offering one builds one client at a time.

A worker process keeps one warm batch, set to each task's settings in turn, and papermill given a working
folder would change the whole process's: workers of an existing cluster are started with
`--resources visionkit-build=1`.
"""
CONNECT_TIMEOUT = 10.0
"""Seconds to reach a scheduler before the build gives up (exit status 2); Dask's connect timeout if shorter."""
RETRIES = 2
"""Times a task that raised (not a client that failed: that is a result) is tried again on another worker."""
LOCAL_WORKERS = 64
"""The most worker processes `local:N` starts."""

_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})")
_LOCAL = re.compile(r"local:(\d{1,3})")
_INSTALL = "pip install 'visionkit[dask]'"


class SchedulerError(Exception):
    """A Dask scheduler that cannot be used: the message says why and `hint` what to do. Nothing was built."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def check_scheduler(text: str) -> str:
    """`text` if it names a scheduler (tcp://HOST:PORT, tls://HOST:PORT, or local:N for 1 to 64 workers)."""
    local = _LOCAL.fullmatch(text)
    if local and 1 <= int(local[1]) <= LOCAL_WORKERS:
        return text
    address = _ADDRESS.fullmatch(text)
    if address and 1 <= int(address[3]) <= 65535:
        return text
    raise SchedulerError(
        f"--scheduler {text!r} is not a Dask scheduler",
        f"give tcp://HOST:PORT or tls://HOST:PORT of a running scheduler, or local:N to start N workers here "
        f"(1 to {LOCAL_WORKERS})",
    )


def _local_cluster(workers: int, formats: tuple[str, ...]) -> distributed.LocalCluster:
    """`workers` worker processes on 127.0.0.1, each building one client at a time with its own templates."""
    import dask.config
    import distributed

    from ._worker import Templates

    cores = (os.cpu_count() or 1) / workers
    # For a dashboard nobody opens, Dask checks its event loops every 20 ms, samples each process every
    # 0.5 s and each running task's stack every 10 ms. On 2 cores the first two were 0.85 s of CPU every
    # 10 s for a cluster of two idle workers (0.45 s with these); without the profiler, 20 clients took
    # 16.7 s instead of 17.8 s (means of 4 runs each, on a busy machine).
    quieter = {
        "distributed.admin.tick.interval": "1s",
        "distributed.admin.system-monitor.interval": "5s",
        "distributed.worker.profile.enabled": False,
    }
    with dask.config.set(quieter):
        # One thread per worker process, one build at a time: on 2 cores `local:2` matches `--jobs 2`. The
        # scheduler's HTTP server on a free port: on its default, 8787, Dask warns (and leaks a socket)
        # whenever another cluster on this machine holds that port, even with no dashboard. Each worker
        # gets the plugin as it starts (a worker the nanny restarts too), so its templates warm from then
        # on: registering it through the client starts them 0.3-0.5 s later. Dask's own logs stay quiet:
        # whatever befalls a client comes back as its result, and a worker's heartbeat racing the close
        # (about 1 run in 30) would print an error and a traceback under the summary.
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            resources={RESOURCE: 1},
            silence_logs=logging.CRITICAL,
            plugins=(Templates(formats, cores),),
        )


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


class DaskBatch:
    """A `Batch` built on a Dask cluster, one task per client; `warm`, `run` and `close` as `Batch` has them."""

    def __init__(self, batch: Batch, scheduler: str | None, *, shared_out: bool = False):
        if not scheduler:
            what = "--shared-out applies to builds on a Dask cluster" if shared_out else "no Dask scheduler given"
            raise SchedulerError(what, "give --scheduler too")
        self.batch = batch
        self.scheduler = check_scheduler(scheduler)
        self.shared_out = shared_out
        if importlib.util.find_spec("distributed") is None:
            raise SchedulerError("--scheduler needs Dask's distributed package, which is not installed", _INSTALL)
        self._thread: threading.Thread | None = None
        self._error: SchedulerError | None = None
        self._client: distributed.Client | None = None
        self._cluster: distributed.LocalCluster | None = None

    def warm(self) -> None:
        """Start reaching the scheduler (or starting the local cluster) in the background; workers start warming."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._connect, name="visionkit-dask-connect", daemon=True)
            self._thread.start()

    def _connect(self) -> None:
        try:
            self._open()
        except SchedulerError as exc:
            self._error = exc
        except Exception as exc:  # noqa: BLE001 - whatever stops the cluster, the build reports it and stops
            self._error = SchedulerError(
                f"cannot use the Dask scheduler {self.scheduler}: {problem_text(exc)}",
                "check that the scheduler runs, and the logs of its workers",
            )

    def _open(self) -> None:
        try:
            import distributed
        except ImportError as exc:
            raise SchedulerError(f"--scheduler needs Dask's distributed package: {exc}", _INSTALL) from None
        from ._worker import Templates

        address = self.scheduler
        local = _LOCAL.fullmatch(address)
        if local:
            self._cluster = _local_cluster(int(local[1]), tuple(self.batch.formats))
            address = self._cluster.scheduler_address
        import dask.config
        from dask.utils import parse_timedelta

        # Dask's own default is 30 s; a shorter one set in its configuration wins.
        configured = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")
        try:
            timeout = min(CONNECT_TIMEOUT, configured)
            self._client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                "check the address, and that the scheduler is running and reachable from this machine",
            ) from None
        workers = self._client.scheduler_info(n_workers=-1)["workers"]
        if workers and not any(RESOURCE in w.get("resources", {}) for w in workers.values()):
            raise SchedulerError(
                f"none of the {len(workers)} workers of {address} offers the resource {RESOURCE}",
                f"start the workers with --resources {RESOURCE}=1 (each builds one client at a time)",
            )
        if not local:
            # Each worker starts its templates as it joins, while this process reads the inputs. (A worker
            # given the plugin at its start would close and restart its templates if it were registered
            # again under the same name: the local cluster's workers have it already.)
            self._client.register_plugin(Templates(tuple(self.batch.formats)), name=Templates.name)

    def _ready(self) -> distributed.Client:
        self.warm()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._client is not None
        return self._client

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this build started one (its templates go with its workers)."""
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()  # what a connection under way makes is closed below
        client, self._client = self._client, None
        cluster, self._cluster = self._cluster, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def _job(self) -> Job:
        from ._worker import Job

        batch = self.batch
        shipped = batch.workbook.resolve() == roadmap_workbook().resolve()
        return Job(
            formats=tuple(batch.formats),
            overrides=dict(batch.overrides),
            timeout=batch.timeout,
            # Workers use their own copy of the shipped workbook: it need not be at this machine's path.
            workbook=None if shipped else str(batch.workbook.absolute()),
            out=str(batch.out.absolute()) if self.shared_out else None,
        )

    def run(self, clients: Sequence[Client], on_done: Callable[[BuildResult], None] | None = None) -> list[BuildResult]:
        """Build every client on the cluster; results come back in the clients' order, as from `Batch.run`.

        Up-to-date clients are skipped before anything is submitted. `SchedulerError` (raised before any
        client is submitted) says the cluster cannot be reached or used. Ctrl-C cancels the tasks.
        """
        batch = self.batch
        results: dict[int, BuildResult] = {}
        try:
            batch.out.mkdir(parents=True, exist_ok=True)
            todo = []
            for index, client in enumerate(clients):
                skipped = batch.up_to_date(client)
                if skipped is None:
                    todo.append(index)
                    continue
                results[index] = skipped
                if on_done is not None:
                    on_done(skipped)
            if todo:
                self._submit(self._ready(), clients, todo, results, on_done)
        finally:
            self.close()
        return [results[i] for i in range(len(clients))]

    def _submit(
        self,
        dask: distributed.Client,
        clients: Sequence[Client],
        todo: Sequence[int],
        results: dict[int, BuildResult],
        on_done: Callable[[BuildResult], None] | None,
    ) -> None:
        from distributed import as_completed

        from ._worker import build_task

        job = self._job()
        workbook = {job.workbook: _digest(Path(job.workbook))} if job.workbook else {}
        run = uuid.uuid4().hex[:12]
        futures: dict[Any, int] = {}  # task key -> client index
        submitted = []
        try:
            for index in todo:
                client = clients[index]
                seen = _digest(client.engagement_file)
                future = dask.submit(
                    build_task,
                    job,
                    client,
                    # What the worker must read at the same path (none when this process cannot read it either).
                    {str(client.engagement_file): seen, **workbook} if seen else workbook,
                    key=f"visionkit-build-{run}-{index}-{client.slug}",
                    pure=False,
                    retries=RETRIES,
                    resources={RESOURCE: 1},
                )
                futures[future.key] = index
                submitted.append(future)
            for future in as_completed(submitted, loop=dask.loop):
                index = futures[future.key]
                if index in results:
                    continue  # a client's documents are written once, from its first result
                results[index] = self._collect(clients[index], future)
                future.release()  # the worker may forget the documents
                if on_done is not None:
                    on_done(results[index])
        except BaseException:
            with contextlib.suppress(Exception):
                dask.cancel(submitted, force=True)
            raise

    def _collect(self, client: Client, future: distributed.Future[Any]) -> BuildResult:
        """One client's result: its documents written into its folder unless the workers wrote them there."""
        folder = self.batch.out / client.slug
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 - the task itself failed (workers lost, a bug): this client alone
            return self._failed(client, folder, problem_text(exc))
        if self.shared_out:
            wanted = self.batch.formats if outcome.status == "built" else ("ipynb",)
            outputs = [folder / f"roadmap.{fmt}" for fmt in wanted if (folder / f"roadmap.{fmt}").is_file()]
            return BuildResult(client, outcome.status, outcome.seconds, outputs, outcome.error, outcome.stages)
        try:
            written = _deliver(folder, outcome.files, outcome.stamp)
        except (OSError, _Stopped) as exc:
            return self._failed(client, folder, outcome.error or _error_line(exc), outcome.seconds)
        if outcome.status == "failed" and not outcome.stamp:
            self.batch._stamp_failure(client, folder, outcome.error)
        return BuildResult(client, outcome.status, outcome.seconds, written, outcome.error, outcome.stages)

    def _failed(self, client: Client, folder: Path, error: str, seconds: float = 0.0) -> BuildResult:
        """A client that failed before a worker sent anything back: its folder is claimed, as a local failure's."""
        if not folder.is_symlink():
            with contextlib.suppress(OSError):
                folder.mkdir(parents=True, exist_ok=True)
        self.batch._stamp_failure(client, folder, error)
        kept = [folder / "roadmap.ipynb"] if (folder / "roadmap.ipynb").is_file() else []
        return BuildResult(client, "failed", seconds, kept, error)
