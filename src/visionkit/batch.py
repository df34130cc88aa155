"""Batch builds: one executed workbook, HTML and PDF per client, in parallel, skipping what is up to date."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import atomic_write_bytes, atomic_write_text
from .errors import EngagementError, Problem

FORMATS = ("ipynb", "html", "pdf")
STAMP = ".visionkit-build.json"
CSV_COLUMNS = ("engagement_file", "title", "waves", "capacity", "strategy", "date")
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


def assign_slugs(clients: Sequence[Client]) -> list[str]:
    """Give every client a distinct folder; return notes on names that had to be told apart."""
    notes = []
    taken: dict[str, str] = {}
    for client in clients:
        base = slugify(client.name)
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        if slug != base:
            notes.append(
                f"'{client.name}' ({client.engagement_file}) builds into {slug}/: {base}/ is taken by '{taken[base]}'"
            )
        taken[slug] = client.name
        client.slug = slug
    return notes


def _client_name(path: Path) -> str:
    """The client name in an engagement file, or the file's stem when it cannot be read."""
    from .engagement_file import EngagementFile, parse_yaml

    try:
        return EngagementFile.load(path).engagement.client
    except EngagementError:
        pass
    try:
        # A file that does not validate still names its client, so its folder is recognisable.
        data = parse_yaml(path.read_text(encoding="utf-8-sig"), str(path))
        client = data.get("client") if isinstance(data, dict) else None
    except (EngagementError, OSError, UnicodeDecodeError):
        client = None
    return client.strip() if isinstance(client, str) and client.strip() else path.stem


def _from_csv(path: Path) -> list[Client]:
    problems = []
    clients = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
            if unknown or "engagement_file" not in (reader.fieldnames or []):
                raise EngagementError(
                    [
                        Problem(
                            f"unknown column{'s' if len(unknown) != 1 else ''} {', '.join(map(repr, unknown))}"
                            if unknown
                            else "no engagement_file column",
                            (),
                            "columns: " + ", ".join(CSV_COLUMNS),
                            str(path),
                            1,
                        )
                    ]
                )
            for row_no, row in enumerate(reader, start=2):
                params: dict[str, Any] = {}
                for key, value in row.items():
                    if key is None or value is None or not value.strip():
                        continue
                    value = value.strip()
                    if key in ("waves", "capacity"):
                        if not value.isdigit():
                            problems.append(
                                Problem(f"{key} must be a whole number, got {value!r}", (key,), "", str(path), row_no)
                            )
                            continue
                        params[key] = int(value)
                    else:
                        params[key] = value
                if "engagement_file" not in params:
                    problems.append(Problem("no engagement_file in this row", (), "", str(path), row_no))
                    continue
                file = (path.parent / params.pop("engagement_file")).resolve()
                clients.append(Client(_client_name(file), file, params))
    except UnicodeDecodeError:
        raise EngagementError([Problem("the CSV file is not UTF-8 text", (), "save it as UTF-8", str(path))]) from None
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


def quiet_kernel_manager() -> type:
    """A kernel manager whose kernels do not write start-up chatter into the build's terminal."""
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_start_kernel(self, **kw: Any) -> None:
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_start_kernel(**kw)

        start_kernel = _async_start_kernel

    return QuietKernelManager


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
    from .document import problem_text

    return problem_text(exc)


@dataclass
class Batch:
    """A batch build's settings: where documents go, which formats, how many at once, which workbook."""

    out: Path
    workbook: Path
    formats: tuple[str, ...] = FORMATS
    jobs: int = max(1, os.cpu_count() or 1)
    overrides: dict[str, Any] = field(default_factory=dict)
    force: bool = False
    timeout: float = 600.0

    def parameters(self, client: Client) -> dict[str, Any]:
        """The workbook parameters for one client: engagement file, then build overrides, then CSV values."""
        params: dict[str, Any] = {"engagement_file": str(client.engagement_file)}
        params.update({k: v for k, v in self.overrides.items() if v is not None})
        params.update(client.parameters)
        return params

    def build_one(self, client: Client) -> BuildResult:
        """Build one client's documents; a failure is recorded, never raised."""
        started = time.perf_counter()
        folder = self.out / client.slug
        stamp = folder / STAMP
        fingerprint = _fingerprint(
            Client(client.name, client.engagement_file, self.parameters(client)), self.workbook, self.formats
        )
        outputs = [folder / f"roadmap.{fmt}" for fmt in self.formats]
        if not self.force and stamp.is_file() and all(p.is_file() for p in outputs):
            try:
                if json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint") == fingerprint:
                    return BuildResult(client, "skipped", time.perf_counter() - started, outputs)
            except (OSError, ValueError):
                pass
        try:
            written = self._execute_and_export(client, folder)
        except Exception as exc:  # noqa: BLE001 - one client's failure must not stop the batch
            stamp.unlink(missing_ok=True)
            kept = [folder / "roadmap.ipynb"] if (folder / "roadmap.ipynb").is_file() else []
            return BuildResult(client, "failed", time.perf_counter() - started, kept, _error_line(exc))
        atomic_write_text(stamp, json.dumps({"fingerprint": fingerprint, "client": client.name}, indent=2))
        return BuildResult(client, "built", time.perf_counter() - started, written)

    def _execute_and_export(self, client: Client, folder: Path) -> list[Path]:
        import nbformat
        import papermill
        from papermill.exceptions import PapermillExecutionError

        from .exporters import HTMLExporter, PDFExporter

        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".visionkit-", dir=folder) as tmp:
            executed = Path(tmp) / "roadmap.ipynb"
            try:
                papermill.execute_notebook(
                    str(self.workbook),
                    str(executed),
                    parameters=self.parameters(client),
                    progress_bar=False,
                    kernel_name="python3",
                    cwd=str(client.engagement_file.parent),
                    execution_timeout=self.timeout,
                    kernel_manager_class=quiet_kernel_manager(),
                )
            except PapermillExecutionError:
                # Keep the executed notebook, failing cell marked, for the strategist to open.
                if executed.is_file():
                    shutil.copyfile(executed, Path(tmp) / "kept.ipynb")
                    (Path(tmp) / "kept.ipynb").replace(folder / "roadmap.ipynb")
                raise
            nb = nbformat.read(executed, as_version=4)
            written = []
            if "html" in self.formats:
                atomic_write_text(folder / "roadmap.html", HTMLExporter().from_notebook_node(nb)[0])
                written.append(folder / "roadmap.html")
            if "pdf" in self.formats:
                atomic_write_bytes(folder / "roadmap.pdf", PDFExporter().from_notebook_node(nb)[0])
                written.append(folder / "roadmap.pdf")
            if "ipynb" in self.formats:
                executed.replace(folder / "roadmap.ipynb")
                written.insert(0, folder / "roadmap.ipynb")
        return written

    def run(self, clients: Sequence[Client], on_done: Callable[[BuildResult], None] | None = None) -> list[BuildResult]:
        """Build every client, `jobs` at a time; results come back in the clients' order."""
        self.out.mkdir(parents=True, exist_ok=True)
        results: dict[int, BuildResult] = {}
        with ThreadPoolExecutor(max_workers=max(1, self.jobs)) as pool:
            futures: dict[Future[BuildResult], int] = {pool.submit(self.build_one, c): i for i, c in enumerate(clients)}
            pending = set(futures)
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        result = future.result()
                        results[futures[future]] = result
                        if on_done is not None:
                            on_done(result)
            except KeyboardInterrupt:
                for future in pending:
                    future.cancel()
                raise
        return [results[i] for i in range(len(clients))]
