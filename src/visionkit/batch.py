"""Batch builds: one executed workbook, HTML and PDF per client, in parallel, skipping what is up to date."""

from __future__ import annotations

import contextlib
import csv
import hashlib
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
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_write_bytes, atomic_write_text
from .errors import EngagementError, Problem, problem_text
from .parameters import BY_NAME, NAMES, BadValue

if TYPE_CHECKING:
    from .kernels import Template

FORMATS = ("ipynb", "html", "pdf")
"""What a build can keep of each client, as `roadmap.<format>`; `--to` offers these.

Add yours here. Then `export_job` writes it, `Batch._export` and `Batch._warm_exports` ask for it (both
name html and pdf), and the `--to` help in cli.py lists it. docs/architecture.md ("An export format")
gives every step.
"""
STAMP = ".visionkit-build.json"
RAMP_SECONDS = 3.0
"""How long the other clients wait for the first one before they start anyway."""
CSV_COLUMNS = NAMES
"""The columns a CSV of clients may have: the workbook's parameters."""
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


@dataclass
class Client:
    """One document to build: the engagement file, the workbook parameters, and where it goes."""

    name: str
    engagement_file: Path
    parameters: dict[str, Any]
    slug: str = ""


@dataclass
class BuildResult:
    """What happened to one client in a batch."""

    client: Client
    status: str  # built, skipped or failed
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)
    error: str = ""
    stages: dict[str, float] = field(default_factory=dict)  # seconds: kernel, execute, html, pdf


def slugify(name: str, limit: int = 60) -> str:
    """A safe folder name for a client: lowercase ASCII words joined by hyphens, never a path."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    if not text:
        # A name with no Latin letters still gets a stable, distinct folder.
        text = "client-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    if text in _RESERVED:
        text += "-client"
    return text


def stamped_owner(folder: Path) -> tuple[str, str] | None:
    """Who a client folder in the output belongs to, from its build stamp: (client, engagement file).

    None for a folder without a readable stamp. A stamp from before engagement files were recorded
    names the client only ("" for the file).
    """
    try:
        record = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("client"), str):
        return None
    return record["client"], str(record.get("engagement_file") or "")


def _owns(owner: tuple[str, str] | None, client: Client) -> bool:
    if owner is None:
        return False
    name, file = owner
    return name == client.name and file in ("", str(client.engagement_file))


def _candidates(base: str) -> Iterator[str]:
    yield base
    n = 2
    while True:
        yield f"{base}-{n}"
        n += 1


def assign_slugs(clients: Sequence[Client], out: Path | None = None) -> list[str]:
    """Give every client a folder of its own; return notes on names that had to be told apart.

    With `out`, a folder already there belongs to the client its build stamp names: a client gets
    back the folder stamped with its name and engagement file (so folders stay put from run to
    run, whoever else is added), and never a folder stamped for another client, nor one without a
    stamp (it is not the build's to overwrite).
    """
    notes = []
    taken: dict[str, str] = {}
    pending = []
    for client in clients:  # first, each client's own folder from earlier runs
        base = slugify(client.name)
        mine = None
        if out is not None:
            for slug in _candidates(base):
                folder = out / slug
                if not folder.exists() and not folder.is_symlink():
                    break
                owner = stamped_owner(folder)
                if slug not in taken and (
                    _owns(owner, client) or (slug == base and owner is None and _leftover(folder))
                ):
                    mine = slug
                    break
        if mine is None:
            pending.append(client)
        else:
            taken[mine] = client.name
            client.slug = mine
    for client in pending:
        base = slugify(client.name)
        slug = next(c for c in _candidates(base) if c not in taken and (out is None or _free(out / c)))
        if slug != base:
            notes.append(
                f"'{client.name}' ({client.engagement_file}) builds into {slug}/: {base}/ is {_held(base, taken, out)}"
            )
        taken[slug] = client.name
        client.slug = slug
    return notes


BUILT_FILES = frozenset(f"roadmap.{fmt}" for fmt in FORMATS)


def _leftover(folder: Path) -> bool:
    """A folder without a stamp holding nothing but documents: what a failed build of an earlier version left."""
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return False
    return (
        folder.is_dir()
        and not folder.is_symlink()
        and all(n in BUILT_FILES or n.startswith(".visionkit-") for n in names)
    )


def _free(folder: Path) -> bool:
    return not folder.exists() and not folder.is_symlink()


def _held(slug: str, taken: dict[str, str], out: Path | None) -> str:
    """Whose a folder is, in a note about a client sent elsewhere."""
    if slug in taken:
        return f"taken by '{taken[slug]}'"
    if out is not None and (out / slug).is_symlink():
        return "a link (nothing is written through one)"
    owner = stamped_owner(out / slug) if out is not None else None
    return f"stamped for '{owner[0]}'" if owner else "a folder the build did not make"


def _client_name(path: Path) -> str:
    """The client name in an engagement file, or the file's stem when it cannot be read.

    Read the way every command reads an engagement (regular files under the size cap), and taken
    from the YAML's own structure, so a `client:` line inside another value never names a folder.
    """
    from .engagement_file import EngagementFile, client_of, parse_yaml, read_text

    try:
        text = read_text(path)
    except EngagementError:
        return path.stem  # the client's build reports why
    name = client_of(text)
    if name:
        return name
    try:
        return EngagementFile.from_text(text, path).engagement.client
    except EngagementError:
        pass
    try:
        # A file that does not validate still names its client, so its folder is recognisable.
        data = parse_yaml(text, str(path))
        client = data.get("client") if isinstance(data, dict) else None
    except EngagementError:
        client = None
    return client.strip() if isinstance(client, str) and client.strip() else path.stem


def _csv_value(key: str, value: str, place: dict[str, Any]) -> tuple[Any, Problem | None]:
    """A CSV cell as a build parameter, or the problem with it (named by the CSV's file, row and column)."""
    try:
        return BY_NAME[key].parse(value), None
    except BadValue as exc:
        return None, Problem(f"{key} must be {exc.expected}, got {value!r}", (key,), exc.hint, **place)


def _from_csv(path: Path) -> list[Client]:
    """The clients of a CSV file of parameters; every problem names the file, the row and the column."""
    problems = []
    clients = []
    reader: Any = None
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            # strict: an unclosed quote is an error, not the rest of the file read as one cell.
            reader = csv.reader(fh, strict=True)
            header = [h.strip() for h in next(reader, [])]
            unknown = [c for c in header if c not in CSV_COLUMNS]
            twice = sorted({c for c in header if header.count(c) > 1})
            if unknown or twice or "engagement_file" not in header:
                message = (
                    f"unknown column{'s' if len(unknown) != 1 else ''} {', '.join(map(repr, unknown))}"
                    if unknown
                    else f"column{'s' if len(twice) != 1 else ''} {', '.join(map(repr, twice))} appear twice"
                    if twice
                    else "no engagement_file column"
                )
                raise EngagementError([Problem(message, (), "columns: " + ", ".join(CSV_COLUMNS), str(path), 1)])
            for cells in reader:
                row_no = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(header):
                    problems.append(
                        Problem(
                            f"this row has {len(cells)} cells but the header names {len(header)} columns",
                            (), "quote a cell that contains a comma", str(path), row_no, len(header) + 1,
                        )
                    )  # fmt: skip
                    continue
                params: dict[str, Any] = {}
                for column, (key, raw) in enumerate(zip(header, cells, strict=False), start=1):
                    if not raw.strip():
                        continue
                    place = {"file": str(path), "line": row_no, "column": column}
                    value, problem = _csv_value(key, raw.strip(), place)
                    if problem is not None:
                        problems.append(problem)
                    else:
                        params[key] = value
                if "engagement_file" not in params:
                    problems.append(Problem("no engagement_file in this row", (), "", str(path), row_no))
                    continue
                file = (path.parent / params.pop("engagement_file")).resolve()
                clients.append(Client(_client_name(file), file, params))
    except UnicodeDecodeError:
        raise EngagementError([Problem("the CSV file is not UTF-8 text", (), "save it as UTF-8", str(path))]) from None
    except csv.Error as exc:
        line = reader.line_num if reader is not None else None
        problems.append(Problem(f"the CSV cannot be read: {exc}", (), "check the quotes of this row", str(path), line))
    if problems:
        raise EngagementError(problems)
    return clients


def collect_clients(inputs: Iterable[str]) -> list[Client]:
    """Clients from engagement files, folders of them (*.yaml, *.yml) and CSV files of parameters."""
    clients: list[Client] = []
    problems = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not files:
                problems.append(Problem("no engagement files (*.yaml) in this folder", (), "", str(path)))
            clients.extend(Client(_client_name(f), f.resolve(), {}) for f in files)
        elif path.suffix.lower() == ".csv" and path.is_file():
            try:
                clients.extend(_from_csv(path))
            except EngagementError as exc:
                problems.extend(exc.problems)
        elif path.is_file():
            clients.append(Client(_client_name(path), path.resolve(), {}))
        else:
            problems.append(Problem("no such file or folder", (), "check the path", str(path)))
    if problems:
        raise EngagementError(problems)
    return clients


def workbook_parameters(workbook: Path) -> dict[str, Any]:
    """The parameters a workbook declares in its `parameters` cell."""
    from .kernels import defer_iri_checks

    defer_iri_checks()
    import papermill

    return dict(papermill.inspect_notebook(str(workbook)))


def check_workbook(workbook: Path, clients: Sequence[Client]) -> None:
    """Refuse, before any client runs, a workbook that lacks a parameter the build would pass."""
    if not workbook.is_file():
        raise EngagementError([Problem("no such workbook", (), "check the --workbook path", str(workbook))])
    declared = workbook_parameters(workbook)
    needed = sorted({name for c in clients for name in ("engagement_file", *c.parameters)})
    missing = [name for name in needed if name not in declared]
    if missing:
        raise EngagementError(
            [
                Problem(
                    f"the workbook has no parameter{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                    (),
                    "declare it in the cell tagged `parameters` (see workbooks/roadmap.ipynb), "
                    f"or leave it out of the build; it declares: {', '.join(declared) or 'nothing'}",
                    str(workbook),
                )
            ]
        )


def _fingerprint(client: Client, workbook: Path, formats: Sequence[str]) -> str:
    from . import __version__

    digest = hashlib.sha256()
    for part in (
        client.engagement_file.read_bytes() if client.engagement_file.is_file() else b"",
        workbook.read_bytes(),
        json.dumps(client.parameters, sort_keys=True, default=str).encode(),
        __version__.encode(),
        ",".join(sorted(formats)).encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _error_line(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        lines = [line for line in str(exc.evalue).splitlines() if line.strip()]
        if lines and re.fullmatch(r"\d+ problems? found:", lines[0]) and len(lines) > 1:
            lines = lines[1:]
        return f"{exc.ename}: {lines[0] if lines else ''}".strip()
    return problem_text(exc)


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


def warm_exporters() -> None:
    """Load the HTML templates and find the fonts once, so that forked exporters start with them.

    Nothing is typeset here: Typst starts worker threads when it compiles, and a process that forks
    must not have any.
    """
    import nbformat

    from .exporters import HTMLExporter
    from .typeset import fonts

    HTMLExporter().from_notebook_node(nbformat.v4.new_notebook())
    fonts()


def export_job(notebook: str, folder: str, formats: Sequence[str]) -> None:
    """Render an executed notebook to roadmap.html and roadmap.pdf in `folder`, with the time each took."""
    import nbformat

    from .exporters import HTMLExporter
    from .typeset import notebook_to_pdf

    started = time.perf_counter()
    nb = nbformat.read(notebook, as_version=4)
    seconds: dict[str, float] = {}
    if "html" in formats:
        atomic_write_text(Path(folder) / "roadmap.html", HTMLExporter().from_notebook_node(nb)[0])
        seconds["html"] = time.perf_counter() - started
    if "pdf" in formats:
        started = time.perf_counter()
        atomic_write_bytes(Path(folder) / "roadmap.pdf", notebook_to_pdf(nb))
        seconds["pdf"] = time.perf_counter() - started
    atomic_write_text(Path(folder) / "timings.json", json.dumps(seconds))


@contextlib.contextmanager
def _client_lock(folder: Path) -> Iterator[None]:
    """Lock a client's folder while a build writes there, or fail this client if another build is.

    The lock is on the folder itself (no file of its own), and goes when the process does, so a
    killed build leaves no lock behind: its temporary folders are known to be stale.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, and stale folders stay
        yield
        return
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _Stopped(f"another build is writing {folder.name}/ now") from None
        yield
    finally:
        os.close(handle)  # releases the lock


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


def _install(source: Path, target: Path) -> None:
    """Move a finished file into place in one step, keeping the permissions of the file it replaces."""
    with contextlib.suppress(OSError):
        source.chmod(target.stat().st_mode & 0o777)
    source.replace(target)


@dataclass
class Batch:
    """A batch build's settings: where documents go, which formats, how many at once, which workbook.

    Kernels are forked from a warm template process (`forked=True`, the default on Linux): every client
    still runs in a fresh kernel process of its own, without paying for a Python start-up and the
    imports. `forked=False` starts a normal kernel process per client and exports in this process.
    """

    out: Path
    workbook: Path
    formats: tuple[str, ...] = FORMATS
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
        from .kernels import Template

        self._templates = {"kernel": Template("kernel").start()}

    def _warm_exports(self) -> None:
        """Start the export template, once this process has read its inputs and is mostly waiting."""
        if not self.forked or "export" in self._templates or not {"html", "pdf"} & set(self.formats):
            return
        from .kernels import Template

        # With a core to spare, it warms beside the kernel template (each about 10% slower) and is ready
        # well before the first notebook has run. On one core the kernel template, needed first, goes first.
        after = self._templates.get("kernel") if (os.cpu_count() or 1) < 2 else None
        self._templates["export"] = Template("export").start(after=after)

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
        from .kernels import defer_iri_checks

        defer_iri_checks()
        import papermill
        from papermill.exceptions import PapermillExecutionError

        if folder.is_symlink():
            # The link could lead into another client's folder, or anywhere: documents land only in their own.
            raise _Stopped(f"{folder.name}/ in the output folder is a link; remove it (nothing is written through one)")
        folder.mkdir(parents=True, exist_ok=True)
        with _client_lock(folder):
            return self._execute_locked(client, folder, watch, papermill, PapermillExecutionError)

    def _execute_locked(
        self, client: Client, folder: Path, watch: _Watch, papermill: Any, failed: type[Exception]
    ) -> tuple[list[Path], dict[str, float]]:
        from .kernels import kernel_manager_class

        for stale in folder.glob(".visionkit-*"):
            # Holding the folder's lock, any temporary folder here was left by a build that was killed.
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
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
        from .kernels import TemplateError

        # The formats an exporter makes (the notebook is papermill's own); a new one goes here and in `export_job`.
        formats = [fmt for fmt in ("html", "pdf") if fmt in self.formats]
        if not formats:
            return {}
        args = {"notebook": str(executed), "folder": str(tmp), "formats": formats}
        template = self._templates.get("export")
        child = None
        if template is not None:
            with contextlib.suppress(TemplateError):
                child = template.spawn("call", target="visionkit.batch:export_job", args=args, log=str(tmp / "log"))
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
