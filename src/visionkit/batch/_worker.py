"""Inside a Dask worker: one warm `Batch` per worker process, and the build of one client there.

The submitting process (`_dask.DaskBatch`) sends `build_task` one task per client. What a client's build
is stays `Batch.build_one`, exactly as in a local batch: a kernel forked from the worker's warm template,
the watchdog, the export, the temporary folder and the lock. This module only sets the worker's batch to
the run's settings and, unless the output folder is shared, builds into scratch space and sends the
documents back as bytes.

Imported in the worker processes (the tasks and the plugin name it) and, when a build uses Dask, in the
submitting process; it imports `distributed`, so nothing else imports it at module level.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from .._resources import roadmap_workbook
from ._export import DEFAULT_FORMATS
from ._inputs import Client
from ._scheduler import Batch
from ._stamps import STAMP

# One build at a time in a worker process, whatever resources its worker declares: the worker's batch
# is set to each task's settings in turn. `_STATE` guards making, warming and closing it, which the
# plugin does from the worker's event loop while a task may be running in a worker thread.
_ONE_BUILD = threading.Lock()
_STATE = threading.Lock()
_BATCH: Batch | None = None


@dataclass(frozen=True)
class Job:
    """A run's settings, carried by each of its tasks: the same for every client of the run."""

    formats: tuple[str, ...]
    overrides: dict[str, Any]
    timeout: float
    workbook: str | None = None  # None: the workbook visionkit ships, the worker's own copy of it
    out: str | None = None  # --shared-out: the output folder every worker sees; None: documents come back as bytes


@dataclass
class Outcome:
    """What a worker sends back for one client: its result and, unless --out is shared, its files as bytes."""

    status: str  # built or failed
    seconds: float
    error: str = ""
    stages: dict[str, float] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    stamp: str = ""  # the build stamp's text, written last


def _worker_batch() -> Batch:
    """This process's batch, made on first use; its warm templates serve every client built here."""
    global _BATCH
    if _BATCH is None:
        _BATCH = Batch(out=Path(tempfile.gettempdir()), workbook=roadmap_workbook(), jobs=1)
    return _BATCH


def _warm(formats: tuple[str, ...], cores: float | None = None) -> Batch:
    """The worker's batch with its templates started: the kernel's, and the exporter's if `formats` need it.

    `cores`: the cores this worker has to itself, if it shares its machine with other workers.
    """
    with _STATE:
        batch = _worker_batch()
        batch.warm()
        # The kernel template rehearses before its first fork, not once the first client is under way as
        # in a local batch: there the rehearsal overlaps the first export, here it held up each worker's
        # second kernel by about 0.6 s, and the first kernel filled the same caches for itself as well.
        batch._rehearse()
        batch._warm_exports(formats, cores)
        return batch


def close_worker_batch() -> None:
    """Stop the worker's templates and everything they forked (the worker is leaving)."""
    global _BATCH
    with _STATE:
        batch, _BATCH = _BATCH, None
    if batch is not None:
        batch.close()


class Templates(WorkerPlugin):
    """Starts a worker's warm templates as soon as it joins, and closes them when it leaves.

    Idempotent: a build registers it again on a cluster that has it, and the workers keep theirs warm.
    """

    name = "visionkit-templates"
    idempotent = True

    def __init__(self, formats: tuple[str, ...] = DEFAULT_FORMATS, cores: float | None = None):
        self.formats = formats
        self.cores = cores  # the cores each worker has to itself, when the caller knows (a local cluster)

    def setup(self, worker: Any) -> None:
        """Start the templates: they warm while the tasks are on their way."""
        _warm(self.formats, self.cores)

    def teardown(self, worker: Any) -> None:
        """Close the templates with the worker."""
        close_worker_batch()


def _scratch() -> Path:
    """Where this worker builds documents it sends back: its own folder, which Dask removes if it dies."""
    from distributed import get_worker

    try:
        return Path(get_worker().local_directory)
    except ValueError:  # called outside a worker (a test calling the task directly)
        return Path(tempfile.gettempdir())


def _unseen(inputs: dict[str, str]) -> str:
    """Why this worker cannot build from the inputs the submitting process read ("" if it can).

    `inputs` maps each input file to the SHA-256 the submitting process read. Every worker reads the
    engagement files (and a custom workbook) at the same path: a worker that finds none there, or
    another file, would fail obscurely or build the wrong document.
    """
    for name, digest in inputs.items():
        try:
            mine = hashlib.sha256(Path(name).read_bytes()).hexdigest()
        except OSError:
            mine = ""
        if mine != digest:
            what = "cannot read" if not mine else "reads another file at"
            return (
                f"the worker on {socket.gethostname()} {what} {name}: every worker must see the inputs at "
                "the same path as the submitting machine (a shared filesystem)"
            )
    return ""


def build_task(job: Job, client: Client, inputs: dict[str, str]) -> Outcome:
    """Build one client in this worker with `Batch.build_one`; a client's failure is an outcome, never raised."""
    problem = _unseen(inputs)
    if problem:
        return Outcome("failed", 0.0, problem)
    with _ONE_BUILD:
        batch = _warm(job.formats)
        batch.formats = job.formats
        batch.workbook = Path(job.workbook) if job.workbook else roadmap_workbook()
        batch.overrides = dict(job.overrides)
        batch.timeout = job.timeout
        batch.force = True  # the submitting process found this client out of date
        if job.out is not None:
            batch.out = Path(job.out)
            result = batch.build_one(client)
            return Outcome(result.status, result.seconds, result.error, result.stages)
        stage = Path(tempfile.mkdtemp(prefix="visionkit-", dir=_scratch()))
        try:
            batch.out = stage
            result = batch.build_one(client)
            stamp = stage / client.slug / STAMP
            return Outcome(
                result.status,
                result.seconds,
                result.error,
                result.stages,
                files={path.name: path.read_bytes() for path in result.outputs},
                stamp=stamp.read_text(encoding="utf-8") if stamp.is_file() else "",
            )
        finally:
            shutil.rmtree(stage, ignore_errors=True)
