"""Benchmark batch builds of roadmap documents three ways, side by side in one run.

`python benchmarks/batch.py [N]` generates N distinct client engagements (default 50) and builds each
one's executed notebook, HTML and PDF:

1. the usual loop of commands per client: `papermill`, then `jupyter nbconvert --to visionkit-html`
   and `--to visionkit-pdf` (sampled on the first `--sample` clients, 10 by default: at about 15 s a
   client, all 200 would take most of an hour; its rate is per document, so the ratios stand);
2. `visionkit build` on a CSV of all N clients;
3. the floor: the same documents from the library in one Python process, no kernel
   (`RoadmapDocument.notebook()` written with nbformat, then the same HTML and PDF exporters).

Route 1 runs half before and half after the others, so that all three see the same machine. It prints
documents per second, the ratios, the time to the first finished document, peak memory (the sum of
proportional set sizes over the process tree, sampled, and /usr/bin/time's largest process), the
per-stage times of one client, and whether the PDFs read the same. Timings only: nothing is asserted.
It first writes visionkit's bytecode files, as an installed package has them.

Then, with `--dask N` (2 by default, 0 to skip), the overhead of a Dask cluster: `visionkit build
--scheduler local:N` (N worker processes started for the build, documents sent back to the build
process) against `visionkit build --jobs N` on the same clients, each run twice in the order
jobs, Dask, Dask, jobs, so that a machine slowing down or speeding up weighs on both alike.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DATE = "2027-03-01"
BIN = Path(sys.executable).parent
NAMES = ("Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Ivy", "Juniper", "Larch", "Maple")
TRADES = ("Outfitters", "Grocers", "Telecom", "Insurance", "Travel", "Pharmacy", "Bank", "Energy")
COLOURS = ("#1f4e79", "#7a1f3d", "#2e6b30", "#6b4e16", "#3d2e7a", "#0f6e6e", "#8a3b12", "#35424a")


@dataclass
class Route:
    """What one route did: documents, wall time, when the first finished, peak memory, stage times."""

    name: str
    docs: int = 0
    seconds: float = 0.0
    first: float = 0.0
    pss_mib: float = 0.0
    max_rss_mib: float = 0.0
    stages: list[dict[str, float]] = field(default_factory=list)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def generate(count: int, folder: Path) -> dict[Path, str]:
    """`count` engagements varied from the demo (names, brand, assessment, waves, capacity, strategy).

    Returns each file with the folder `visionkit build` gives it; the other routes use the same folders.
    """
    from ruamel.yaml import YAML

    from visionkit.batch import slugify
    from visionkit.cli import demo_path

    folder.mkdir(parents=True, exist_ok=True)
    yaml = YAML()
    rng = random.Random(2027)
    files = {}
    for i in range(count):
        data = yaml.load(demo_path().read_text(encoding="utf-8"))
        data["client"] = f"{NAMES[i % len(NAMES)]} {TRADES[i // len(NAMES) % len(TRADES)]} {i + 1:03d}"
        data["branding"]["primary"] = COLOURS[i % len(COLOURS)]
        data["scenario"]["waves"] = rng.randint(5, 8)
        data["scenario"]["capacity"] = rng.randint(9, 15)
        data["scenario"]["strategy"] = ("value", "foundations", "quick-wins")[i % 3]
        for key in data["assessment"]:
            data["assessment"][key] = rng.randint(0, 3)
        path = folder / f"client-{i + 1:03d}.yaml"
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(data, fh)
        files[path] = slugify(data["client"])
    return files


class Sampler:
    """Samples the summed PSS of a process tree until stopped (psutil; 0 without it)."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.peak = 0
        self._pid, self._interval = pid, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        while not self._stop.is_set():
            try:
                root = psutil.Process(self._pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_full_info().pss
            self.peak = max(self.peak, total)
            self._stop.wait(self._interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def timed(command: Sequence[str], watch: Path | None = None, pattern: str = "") -> tuple[float, float, float, float]:
    """Run a command under /usr/bin/time -v; wall seconds, first file matching `pattern`, PSS and max RSS."""
    wrapper = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").is_file() else []
    started = time.perf_counter()
    first = 0.0
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*wrapper, *command], stdout=subprocess.DEVNULL, stderr=err)
        # Sampling walks every process's page tables: about 0.1 s added to the first document when it
        # runs from the start. So it starts once the first document is out; the peak comes later anyway,
        # when more kernels and exporters run at once than for the first document.
        sampler = Sampler(proc.pid) if watch is None else None
        while proc.poll() is None:
            if watch is not None and not first and any(watch.glob(pattern)):
                first = time.perf_counter() - started
                sampler = Sampler(proc.pid)
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        pss = sampler.stop() if sampler is not None else 0.0
        err.seek(0)
        report = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({proc.returncode}):\n{report[-2000:]}")
    rss = next((int(line.split()[-1]) / 1024 for line in report.splitlines() if "Maximum resident" in line), 0.0)
    return seconds, first, pss, rss


def route_commands(files: dict[Path, str], out: Path, route: Route) -> None:
    """Route 1 on some clients: papermill, then nbconvert to HTML and to PDF, one command after another."""
    from visionkit.cli import roadmap_workbook

    for path, slug in files.items():
        folder = out / slug
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / "roadmap.ipynb"
        params = ["-p", "engagement_file", path, "-p", "date", DATE, roadmap_workbook(), executed]
        times = {}
        started = time.perf_counter()
        for stage, command in (
            ("papermill", [BIN / "papermill", "--no-progress-bar", "-k", "python3", "--cwd", path.parent, *params]),
            ("nbconvert html", [BIN / "jupyter", "nbconvert", "--to", "visionkit-html", executed]),
            ("nbconvert pdf", [BIN / "jupyter", "nbconvert", "--to", "visionkit-pdf", executed]),
        ):
            began = time.perf_counter()
            subprocess.run([str(c) for c in command], check=True, capture_output=True)
            times[stage] = time.perf_counter() - began
        route.stages.append(times)
        route.seconds += time.perf_counter() - started
        route.first = route.first or route.seconds
        route.docs += 1


def route_build(
    table: Path, out: Path, jobs: int | None, scheduler: str = "", name: str = "(2) visionkit build"
) -> Route:
    """Route 2: `visionkit build` on every client (on a Dask cluster with `scheduler`)."""
    command = [str(BIN / "visionkit"), "build", str(table), "--out", str(out), "--force"]
    if jobs:
        command += ["--jobs", str(jobs)]
    if scheduler:
        command += ["--scheduler", scheduler]
    seconds, first, pss, rss = timed(command, out, "*/.visionkit-build.json")
    stamps = sorted(out.glob("*/.visionkit-build.json"))
    stages = [json.loads(p.read_text(encoding="utf-8"))["seconds"] for p in stamps]
    return Route(name, len(stamps), seconds, first, pss, rss, stages)


def dask_overhead(table: Path, work: Path, workers: int, stems: Sequence[str]) -> None:
    """`--scheduler local:N` against `--jobs N` on the same clients, run jobs, Dask, Dask, jobs."""
    runs: dict[str, list[Route]] = {"jobs": [], "dask": []}
    for run, kind in enumerate(("jobs", "dask", "dask", "jobs")):
        scheduler = f"local:{workers}" if kind == "dask" else ""
        name = f"--scheduler {scheduler}" if scheduler else f"--jobs {workers}"
        # A folder of its own for each run: the first document is timed by its stamp appearing.
        runs[kind].append(route_build(table, work / f"{run}-{kind}", workers, scheduler, name))
    print(f"\nDask: a local cluster of {workers} worker processes against --jobs {workers}, same clients")
    print(f"{'route':<28} {'docs':>5} {'wall s (each run)':>18} {'mean':>6} {'1st doc s':>10} {'s/doc':>6}")
    means = {}
    for kind, routes in runs.items():
        means[kind] = statistics.mean(r.seconds for r in routes)
        walls = ", ".join(f"{r.seconds:.1f}" for r in routes)
        firsts = ", ".join(f"{r.first:.1f}" for r in routes)
        docs = routes[0].docs
        print(f"{routes[0].name:<28} {docs:>5} {walls:>18} {means[kind]:>6.1f} {firsts:>10} {means[kind] / docs:>6.2f}")
    print(f"overhead of the cluster: {means['dask'] / means['jobs'] - 1:+.1%} of the wall time (goal: within 15%)")
    print(f"  stage seconds, median: --jobs {median_stages(runs['jobs'][0].stages)}")
    print(f"                         Dask   {median_stages(runs['dask'][0].stages)}")
    same_bytes, same_text = compare(stems, work / "1-dask", work / "0-jobs")
    print(f"same PDFs as --jobs {workers}: {same_text}/{len(stems)} read the same ({same_bytes} byte-identical)")


def route_floor(table: Path, out: Path) -> Route:
    """Route 3: this script in `--floor` mode, one Python process, no kernel."""
    log = out / "floor.jsonl"
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--floor", str(table), str(out)]
    seconds, first, pss, rss = timed(command, out, "*/roadmap.pdf")
    stages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return Route("(3) plain Python (floor)", len(stages), seconds, first, pss, rss, stages)


def floor(table: Path, out: Path) -> None:
    """Build every client's three outputs by calling the library directly, in this process."""
    from visionkit.kernels import defer_iri_checks

    defer_iri_checks()
    import nbformat

    from visionkit.document import RoadmapDocument
    from visionkit.exporters import HTMLExporter, PDFExporter

    with table.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (out / "floor.jsonl").open("w", encoding="utf-8") as log:
        for row in rows:
            path = (table.parent / row["engagement_file"]).resolve()
            folder = out / row["folder"]
            folder.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            nb = RoadmapDocument.from_parameters(str(path), date=row["date"]).notebook()
            t1 = time.perf_counter()
            nbformat.write(nb, folder / "roadmap.ipynb")
            (folder / "roadmap.html").write_text(HTMLExporter().from_notebook_node(nb)[0], encoding="utf-8")
            t2 = time.perf_counter()
            (folder / "roadmap.pdf").write_bytes(PDFExporter().from_notebook_node(nb)[0])
            t3 = time.perf_counter()
            log.write(json.dumps({"content": t1 - t0, "ipynb + html": t2 - t1, "pdf": t3 - t2}) + "\n")
            log.flush()


def pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def compare(stems: Sequence[str], left: Path, right: Path) -> tuple[int, int]:
    """How many clients' PDFs are byte-identical, and how many read the same (text of every page)."""
    same_bytes = same_text = 0
    for stem in stems:
        a, b = left / stem / "roadmap.pdf", right / stem / "roadmap.pdf"
        if a.read_bytes() == b.read_bytes():
            same_bytes += 1
            same_text += 1
        elif pdf_text(a) == pdf_text(b):
            same_text += 1
    return same_bytes, same_text


def median_stages(stages: Sequence[dict[str, float]]) -> str:
    keys = list(dict.fromkeys(k for s in stages for k in s))
    return ", ".join(f"{k} {statistics.median(s[k] for s in stages if k in s):.2f}" for k in keys)


def compile_bytecode() -> None:
    """Write visionkit's bytecode files, as an installed wheel has them.

    An editable install run with PYTHONDONTWRITEBYTECODE set never writes them, and then every process
    of every route compiles visionkit's modules again: about 0.1 s each.
    """
    import compileall

    import visionkit

    compileall.compile_dir(Path(visionkit.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=50, help="clients (default 50)")
    parser.add_argument("--sample", type=int, default=10, help="clients route 1 builds (default 10)")
    parser.add_argument("--jobs", type=int, help="passed to visionkit build (default: its own)")
    parser.add_argument("--keep", type=Path, help="work in this folder (emptied first) and keep it")
    parser.add_argument(
        "--dask", type=int, default=2, metavar="N", help="compare local:N with --jobs N (default 2; 0 skips)"
    )
    parser.add_argument("--floor", nargs=2, type=Path, metavar=("CSV", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(*args.floor)
        return
    compile_bytecode()
    work = args.keep or Path(tempfile.mkdtemp(prefix="visionkit-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    files = generate(args.n, work / "engagements")
    table = work / "clients.csv"
    with table.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["engagement_file", "date"])
        writer.writerows([[f"engagements/{p.name}", DATE] for p in files])
    # The floor reads the folder names from its own copy (`visionkit build` refuses unknown columns).
    with (work / "floor.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["engagement_file", "date", "folder"])
        writer.writerows([[f"engagements/{p.name}", DATE, slug] for p, slug in files.items()])
    sample = dict(list(files.items())[: min(args.n, args.sample)])
    load_before = os.getloadavg()
    print(
        f"{args.n} clients, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load_before[0]:.2f} at start",
        flush=True,
    )
    commands = Route("(1) papermill + nbconvert", note=f"sampled: first {len(sample)} clients")
    half = len(sample) // 2
    route_commands(dict(list(sample.items())[:half]), work / "commands", commands)
    build = route_build(table, work / "build", args.jobs)
    plain = route_floor(work / "floor.csv", work / "floor")
    route_commands(dict(list(sample.items())[half:]), work / "commands", commands)
    load_after = os.getloadavg()

    header = f"{'docs':>5} {'wall s':>8} {'docs/s':>7} {'s/doc':>6} {'1st doc s':>9} {'peak PSS':>9} {'max RSS':>8}"
    print(f"\n{'route':<28} {header}")
    for r in (commands, build, plain):
        memory = f"{r.pss_mib:6.0f} MiB {r.max_rss_mib:5.0f} MiB" if r.pss_mib else f"{'-':>9} {'-':>8}"
        print(
            f"{r.name:<28} {r.docs:>5} {r.seconds:>8.1f} {r.rate:>7.3f} {1 / r.rate:>6.2f} {r.first:>9.1f} {memory}"
            + (f"  ({r.note})" if r.note else "")
        )
    print(
        f"\nvisionkit build: {build.rate / commands.rate:.1f}x the documents per second of (1); "
        f"{plain.rate / build.rate:.2f}x the floor's time per document "
        f"({build.rate / plain.rate:.2f}x the floor's rate: the build uses every core, the floor one)"
    )
    print(f"load average {load_after[0]:.2f} at the end (other work on the machine slows every route)")
    print("\nper-stage seconds, median over clients:")
    print(f"  (1) {median_stages(commands.stages)}")
    print(f"  (2) {median_stages(build.stages)}   client 001: {median_stages(build.stages[:1])}")
    print(f"  (3) {median_stages(plain.stages)}")
    b1, t1 = compare(list(sample.values()), work / "build", work / "commands")
    b3, t3 = compare(list(files.values()), work / "build", work / "floor")
    print(
        f"\nsame PDF text as (1): {t1}/{len(sample)} clients ({b1} byte-identical); "
        f"as (3): {t3}/{len(files)} ({b3} byte-identical)"
    )
    if args.dask:
        dask_overhead(table, work / "dask-overhead", args.dask, list(files.values()))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
