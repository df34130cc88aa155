"""The `visionkit` command line: validate engagement files, plan roadmaps, browse the catalog."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._resources import demo_path as demo_path
from ._resources import roadmap_workbook as roadmap_workbook

# Re-exported: tests and notebooks name them as `visionkit.cli.demo_path` and `visionkit.cli.roadmap_workbook`.
from .parameters import DOCUMENT_NAMES, SCENARIO_NAMES, whole

if TYPE_CHECKING:
    from rich.console import Console

    from .comparison import Comparison
    from .model import Engagement
    from .roadmap import Roadmap

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # Piped output still gets readable tables rather than rich's 80-column default.
    return Console(stderr=stderr, width=None if sys.stdout.isatty() else 140, highlight=False)


def _print_problems(error: Exception) -> None:
    from rich.markup import escape

    from .errors import EngagementError

    console = _console(stderr=True)
    problems = error.problems if isinstance(error, EngagementError) else []
    for problem in problems:
        first, _, hint = str(problem).partition("\n  hint: ")
        console.print(f"[bold red]error[/] {escape(first)}", soft_wrap=True)
        if hint:
            console.print(f"  [dim]hint:[/] {escape(hint)}", soft_wrap=True)
    if problems:
        count = len(problems)
        console.print(f"{count} problem{'s' if count != 1 else ''} found")


def _pin(text: str) -> tuple[str, int]:
    ref, sep, wave = text.partition("=")
    if not sep or not ref or not wave.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not CAPABILITY=WAVE (for example customer-360=2)")
    return ref.strip(), int(wave)


def _option(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A parameter's parser as an argparse type: a bad value reads "'x' is not <what is expected>"."""
    from .parameters import BadValue

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except BadValue as exc:
            raise argparse.ArgumentTypeError(f"'{text}' is not {exc.expected}") from None

    return convert


def _add_parameter_options(parser: argparse.ArgumentParser | Any, names: Sequence[str]) -> None:
    """Options for the workbook parameters `names`, with their parsers and help from `parameters.py`."""
    from .parameters import BY_NAME

    for name in names:
        p = BY_NAME[name]
        help_text = f"{p.help}; {p.detail}" if p.detail else p.help
        metavar = {"time_limit": "SECONDS", "date": "YYYY-MM-DD"}.get(name)
        parser.add_argument(p.option, type=_option(p.parse), metavar=metavar, help=help_text)


class _SweepAction(argparse.Action):
    """`--sweep NAME=V1,V2`, repeatable: the settings to vary, checked together (a name twice, too many)."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> None:
        from .parameters import BadValue, sweep_axes, sweep_text

        try:
            given = [*(getattr(namespace, self.dest, None) or []), *sweep_axes(str(values))]
            setattr(namespace, self.dest, sweep_axes(sweep_text(given)))
        except BadValue as exc:
            parser.error(f"argument --sweep: '{values}' is not {exc.expected}" + (f" ({exc.hint})" if exc.hint else ""))


def _add_scenario_options(parser: argparse.ArgumentParser, *, pins: bool = True) -> None:
    group = parser.add_argument_group("scenario overrides (default: the engagement file's scenario)")
    _add_parameter_options(group, SCENARIO_NAMES)
    if not pins:
        return  # the roadmap workbook takes no pins or exclusions: an option it would ignore is not offered
    group.add_argument(
        "--pin",
        type=_pin,
        action="append",
        default=[],
        metavar="CAP=WAVE",
        help="start an uplift in a given wave, e.g. customer-360=2 or customer-360@4=3 (repeatable)",
    )
    group.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="CAP",
        help="leave an uplift out, e.g. social-listening or customer-360@4 (repeatable)",
    )


def _overrides(args: argparse.Namespace, engagement: Any, scenario: str | None = None) -> dict[str, Any]:
    base = engagement.scenario_named(scenario)  # --pin and --exclude add to the scenario's own
    pins = dict(base.pin)
    pins.update(dict(args.pin))
    exclude = [*base.exclude, *args.exclude]
    return {
        **{name: getattr(args, name) for name in SCENARIO_NAMES},
        "pin": pins if args.pin else None,
        "exclude": exclude if args.exclude else None,
    }


def cmd_validate(args: argparse.Namespace) -> int:
    """Check engagement files and print a summary or every problem."""
    from rich.markup import escape

    from .engagement_file import load_engagement
    from .errors import EngagementError

    console = _console()
    status = EXIT_OK
    for name in args.files:
        try:
            engagement = load_engagement(name)
        except EngagementError as exc:
            _print_problems(exc)
            status = EXIT_BAD_INPUT
            continue
        moments = sum(len(d.moments) for d in engagement.perfect_days)
        catalog = engagement.capabilities
        in_play = engagement.target_levels()
        days = len(engagement.perfect_days)
        console.print(
            f"[green]ok[/] {escape(name)}: {escape(engagement.client)}, {days} perfect day{'s' * (days != 1)}, "
            f"{moments} moment{'s' * (moments != 1)}, {len(in_play)} capabilities in play "
            f"({len(catalog)} in the catalog)"
        )
    return status


def plan_facts(roadmap: Roadmap) -> list[str]:
    """What the plan delivers, and what an exact solve proved about it, as lines for people."""
    lines = [
        f"Experience delivered: {roadmap.experience():.1f} "
        "(each live moment's worth times the waves it is live within the horizon)"
    ]
    proof = roadmap.proof
    if proof is not None:
        limit = roadmap.scenario.time_limit
        when = f"time limit {limit:g} s reached" if proof.timed_out else f"{proof.seconds:.1f} s"
        lines.append(f"Plan: {proof.sentence()} ({when})")
    return lines


def print_comparison(comparison: Comparison, console: Console, *, csv: bool = False) -> None:
    """Print scenarios side by side: each day's and moment's go-live, what each delivers, and what it buys."""
    from rich.markup import escape
    from rich.table import Table

    if csv:
        from ._spreadsheet import for_spreadsheet

        for_spreadsheet(comparison.moments().reset_index()).to_csv(sys.stdout, index=False)
        return
    console.print(f"[bold]{escape(comparison.engagement.client)}[/]: {len(comparison.names)} scenarios compared")
    for title, rows, first in (
        ("Perfect days live in full", comparison.day_rows(), "perfect_day"),
        ("Moments go live", comparison.moment_rows(), "moment"),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column(first.replace("_", " ").capitalize())
        for name in comparison.names:
            table.add_column(escape(name), no_wrap=True)
        for row in rows:
            table.add_row(*(escape(str(row[k])) for k in (first, *comparison.names)))
        console.print(table)
    summary = Table(title="What each scenario delivers", title_justify="left")
    columns = {
        "scenario": "Scenario", "settings": "Settings", "experience": "Experience", "moments_live": "Moments live",
        "perfect_days_live": "Days live", "effort_used": "Effort used", "capacity": "Capacity",
        "beyond_horizon": "Uplifts beyond horizon",
    }  # fmt: skip
    for key, header in columns.items():
        summary.add_column(header, justify="right" if key not in ("scenario", "settings") else "left")
    for row in comparison.summary_rows():
        summary.add_row(*(escape(f"{row[k]:g}" if isinstance(row[k], float) else str(row[k])) for k in columns))
    console.print(summary)
    for sentence in comparison.sentences():
        console.print(f"• {escape(sentence)}")


def print_roadmap(roadmap: Roadmap, console: Console) -> None:
    """Print the roadmap, readiness and wave tables of a plan."""
    from rich.markup import escape
    from rich.table import Table

    sc = roadmap.scenario
    caps = sorted(set(roadmap.capacities))
    cap_text = f"{caps[0]} points" if len(caps) == 1 else "varying capacity"
    console.print(
        f"[bold]{escape(roadmap.engagement.client)}[/]: {sc.waves} waves ({sc.wave_length}) of {cap_text} "
        f"from {roadmap.labels[0]}, strategy [bold]{sc.strategy}[/]"
    )
    table = Table(title="Roadmap", title_justify="left", show_lines=False)
    table.add_column("When", no_wrap=True)
    table.add_column("Uplift", no_wrap=True)
    table.add_column("Capability")
    table.add_column("Levels", justify="center", no_wrap=True)
    table.add_column("Effort", justify="right")
    table.add_column("Value", justify="right")
    table.add_column("Why", ratio=1)
    for up in roadmap.in_delivery_order():
        why = roadmap.why(up.id)
        if up.notes:
            why += " [" + "; ".join(up.notes) + "]"
        table.add_row(
            roadmap.when(up.id),
            escape(up.id),
            escape(up.name),
            f"{up.from_level}→{up.to_level}",
            str(up.effort),
            f"{up.value:.2f}",
            escape(why),
        )
    console.print(table)

    ready = Table(title="Readiness", title_justify="left")
    for col in ("Perfect day / moment", "At", "Channel", "Live"):
        ready.add_column(col)
    for row in roadmap.readiness_rows():
        title, live = escape(str(row["title"])), escape(str(row["live"]))
        label = f"[bold]{title}[/]" if row["kind"] == "perfect day" else "  " + title
        if row["live_wave"] is None:
            live = f"[yellow]{live}[/]"
        ready.add_row(label, escape(str(row["at"])), escape(str(row["channel"])), live)
    console.print(ready)

    waves = Table(title="Waves", title_justify="left")
    for col in ("Wave", "Period", "Effort / capacity", "Uplifts finished", "Moments live", "Perfect days live"):
        waves.add_column(col, justify="right")
    for w in roadmap.waves().to_dict("records"):
        waves.add_row(
            str(w["wave"]),
            str(w["period"]),
            f"{w['effort']} / {w['capacity']}",
            str(w["finished"]),
            f"{w['moments_live']} / {len(roadmap.moments)}",
            f"{w['perfect_days_live']} / {len(roadmap.engagement.perfect_days)}",
        )
    console.print(waves)
    console.print(escape(roadmap.summary()))
    for line in plan_facts(roadmap):
        console.print(escape(line))
    for warning in roadmap.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}")


def cmd_plan(args: argparse.Namespace) -> int:
    """Plan an engagement and print its roadmap."""
    from .engagement_file import load_engagement
    from .errors import EngagementError
    from .planner import plan

    names: list[str] = list(dict.fromkeys(args.scenario))
    try:
        engagement = load_engagement(args.file)
        if args.compare or len(names) > 1:
            from .comparison import Comparison

            names = names or engagement.scenario_names()
            plans = {name: plan(engagement, scenario=name, **_overrides(args, engagement, name)) for name in names}
            print_comparison(Comparison(engagement, plans), _console(), csv=args.format == "csv")
            return EXIT_OK
        name = names[0] if names else None
        roadmap = plan(engagement, scenario=name, **_overrides(args, engagement, name))
    except EngagementError as exc:
        _print_problems(exc.with_file(args.file))
        return EXIT_BAD_INPUT
    if args.time_limit is not None and roadmap.scenario.strategy != "optimal":
        print(f"note: --time-limit applies to strategy optimal only, not {roadmap.scenario.strategy}", file=sys.stderr)
    if args.format == "csv":
        from ._spreadsheet import for_spreadsheet

        for_spreadsheet(roadmap.table()).to_csv(sys.stdout, index=False)
    else:
        print_roadmap(roadmap, _console())
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace) -> int:
    """List the capabilities of the default catalog (or an engagement's)."""
    from rich.markup import escape
    from rich.table import Table

    from .catalog import default_catalog
    from .engagement_file import load_engagement
    from .errors import EngagementError

    try:
        catalog = load_engagement(args.file).capabilities if args.file else default_catalog()
    except EngagementError as exc:
        _print_problems(exc)
        return EXIT_BAD_INPUT
    shown = [c for c in sorted(catalog.values(), key=lambda c: (c.domain, c.id)) if args.domain in (None, c.domain)]
    if args.domain and not shown:
        domains = ", ".join(sorted({c.domain for c in catalog.values()}))
        print(f"error: no capability in domain {args.domain!r}\n  hint: the domains are: {domains}", file=sys.stderr)
        return EXIT_BAD_INPUT
    where = f" in {catalog.domain_name(args.domain)}" if args.domain else ""
    table = Table(title=f"{len(shown)} capabilit{'y' if len(shown) == 1 else 'ies'}{where}", title_justify="left")
    for col in ("Domain", "Id", "Name", "Requires"):
        table.add_column(col)
    for cap in shown:
        reqs = [f"{k} {v}" for k, v in cap.requires.items()]
        reqs += [f"{k} {v} (from level {g})" for g, rs in sorted(cap.requires_at.items()) for k, v in rs.items()]
        table.add_row(
            escape(catalog.domain_name(cap.domain)), escape(cap.id), escape(cap.name), escape(", ".join(reqs))
        )
    _console().print(table)
    return EXIT_OK


def _versions(args: argparse.Namespace) -> tuple[Engagement, Engagement, str, str]:
    """The two versions `visionkit diff` compares and their names; the problems of both in one error."""
    from .engagement_file import EngagementFile, load_engagement
    from .errors import EngagementError, Problem

    file = Path(args.old)
    if args.rev is not None and not file.is_file():
        load_engagement(file)  # raises the one problem that matters: no such file, a folder, a pipe

    def earlier() -> Engagement:
        if args.rev is None:
            return load_engagement(args.old)
        from ._git import text_at_revision

        return EngagementFile.from_text(text_at_revision(file, args.rev), file, f"{args.rev}:{file}").engagement

    def later() -> Engagement:
        return load_engagement(args.old if args.rev is not None else args.new)

    problems: list[Problem] = []
    found: list[Engagement] = []
    for version in (earlier, later):
        try:
            found.append(version())
        except EngagementError as exc:
            problems += exc.problems
    if problems:
        raise EngagementError(problems)
    if args.rev is not None:
        return found[0], found[1], f"{file} at {args.rev}", f"{file} now"
    return found[0], found[1], args.old, args.new


def cmd_diff(args: argparse.Namespace) -> int:
    """Say what changed between two versions of an engagement, and what that did to the plan."""
    import json

    from rich.markup import escape

    from .changes import compare_versions
    from .errors import EngagementError

    if (args.new is None) == (args.rev is None):
        print(
            "error: give two files, or one file and --rev\n"
            "  hint: visionkit diff OLD.yaml NEW.yaml, or visionkit diff FILE --rev HEAD~1",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    try:
        old, new, old_name, new_name = _versions(args)
        changes = compare_versions(old, new)
    except EngagementError as exc:
        _print_problems(exc)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps({"old": old_name, "new": new_name, **changes.to_json()}, indent=2, ensure_ascii=False))
        return EXIT_OK
    console = _console()
    if not changes.changed:
        console.print(f"no changes between {escape(old_name)} and {escape(new_name)}", soft_wrap=True)
        return EXIT_OK
    console.print(f"[bold]{escape(new.client)}[/]: {escape(old_name)} → {escape(new_name)}", soft_wrap=True)
    for part, groups in changes.parts():
        console.print(f"\n[bold]{escape(part)}[/]")
        for title, items in groups:
            if title:
                console.print(f"  [bold]{escape(title)}[/]")
            for change in items:
                console.print(f"  • {escape(change.sentence)}", soft_wrap=True)
    return EXIT_OK


def _formats(text: str) -> tuple[str, ...]:
    from .batch import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    wrong = [f for f in chosen if f not in FORMATS]
    if wrong or not chosen:
        raise argparse.ArgumentTypeError(f"'{text}': choose from {', '.join(FORMATS)}, separated by commas")
    return chosen


def _unwritable(out: Path) -> str:
    """Why documents cannot be written under `out` (empty if they can); creates nothing.

    Checked before any client starts, on the folder itself or the nearest one that exists.
    """
    import tempfile

    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder"
    existing = out
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot write to the output folder {out}: {existing} is a file"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass  # the folder takes a file (a read-only file system would refuse it)
    except OSError as exc:
        return f"cannot write to the output folder {out}: {exc.strerror or exc}"
    return ""


def run_build(inputs: Sequence[str], args: argparse.Namespace) -> tuple[int, list[Any]]:
    """Build documents for every client in `inputs`, with a progress bar and a closing summary."""
    from .batch import (
        Batch,
        DaskBatch,
        SchedulerError,
        assign_slugs,
        check_workbook,
        collect_clients,
        default_jobs,
        sweep_clients,
    )
    from .errors import EngagementError

    problem = _unwritable(Path(args.out))
    if problem:
        print(f"error: {problem}\n  hint: pass --out a folder you can write to", file=sys.stderr)
        return EXIT_BAD_INPUT, []
    workbook = Path(args.workbook) if args.workbook else roadmap_workbook()
    overrides = {name: getattr(args, name) for name in (*SCENARIO_NAMES, *DOCUMENT_NAMES)}
    scheduler, shared_out = getattr(args, "scheduler", None), getattr(args, "shared_out", False)  # `build` only
    sweep = getattr(args, "sweep", None)  # `build` only
    batch = Batch(
        out=Path(args.out),
        workbook=workbook,
        formats=args.to,
        jobs=args.jobs or default_jobs(),
        overrides=overrides,
        force=args.force,
        timeout=args.timeout,
    )
    try:
        runner = DaskBatch(batch, scheduler, shared_out=shared_out) if scheduler or shared_out else batch
    except SchedulerError as exc:
        print(f"error: {exc}\n  hint: {exc.hint}", file=sys.stderr)
        return EXIT_BAD_INPUT, []
    try:
        # The templates start importing first, while this process loads the rest of what it needs, reads
        # the inputs and checks the workbook (for 200 engagement files, about 0.4 s and 0.5 s). On a Dask
        # cluster, the connection (or the local cluster's start) and the workers' templates do.
        runner.warm()
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Table

        console = _console()
        clients = collect_clients(inputs)
        if sweep:
            clients = sweep_clients(clients, sweep)
        notes = assign_slugs(clients, Path(args.out))
        check_workbook(workbook, [type(c)(c.name, c.engagement_file, batch.parameters(c)) for c in clients])
    except BaseException as exc:
        runner.close()
        if not isinstance(exc, EngagementError):
            raise
        _print_problems(exc)
        return EXIT_BAD_INPUT, []
    for note in notes:
        console.print(f"[yellow]note[/] {escape(note)}")
    with Progress(
        TextColumn("[bold]building[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(clients))

        def done(result: Any) -> None:
            progress.update(task, advance=1, description=escape(f"{result.client.name}: {result.status}"))

        try:
            results = runner.run(clients, on_done=done)
        except SchedulerError as exc:  # the cluster cannot be reached or used: no client was submitted
            progress.stop()
            print(f"error: {exc}\n  hint: {exc.hint}", file=sys.stderr)
            return EXIT_BAD_INPUT, []
    table = Table(
        title=f"{len(results)} client{'s' * (len(results) != 1)} → {escape(str(batch.out))}", title_justify="left"
    )
    for col in ("Client", "Status", "Time", "Outputs"):
        table.add_column(col)
    colours = {"built": "green", "skipped": "cyan", "failed": "red"}
    for r in results:
        status = f"[{colours[r.status]}]{r.status}[/]" + (" (up to date)" if r.status == "skipped" else "")
        detail = ", ".join(p.name for p in r.outputs)
        if r.error:
            detail = f"[red]{escape(r.error)}[/]" + (f" (kept {escape(detail)})" if detail else "")
        table.add_row(
            escape(r.client.name),
            status,
            f"{r.seconds:.1f} s",
            f"{escape(r.client.slug)}/: " + detail if not r.error else detail,
        )
    console.print(table)
    failed = sum(1 for r in results if r.status == "failed")
    return (EXIT_FAILED if failed else EXIT_OK), results


def cmd_build(args: argparse.Namespace) -> int:
    """Build roadmap documents for many clients."""
    status, _ = run_build(args.inputs, args)
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo engagement's documents, leave a copy of its file to try commands on, print the PDF path."""
    args.out = args.out or "build/demo"
    status, results = run_build([str(demo_path())], args)
    copy = Path(args.out) / demo_path().name
    if status == EXIT_OK:
        # A copy to edit and run `visionkit plan` on; one already there may hold the user's edits, so it stays.
        if not copy.exists() and not copy.is_symlink():
            from ._atomic import atomic_write_bytes

            atomic_write_bytes(copy, demo_path().read_bytes())
        if copy.is_file() and not copy.is_symlink():
            # The documents are the shipped demo's whatever the copy holds: it is for trying commands on.
            print(f"a copy of the demo's engagement file to try commands on: {copy}")
            print(f"  try: visionkit plan {copy} --compare")
    for result in results:
        pdf = Path(args.out) / result.client.slug / "roadmap.pdf"
        if result.status != "failed" and pdf.is_file():
            print(pdf.resolve())
    return status


def cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new engagement folder."""
    from ._scaffold import LinkRefused, init_engagement

    try:
        written = init_engagement(Path(args.folder), args.client, force=args.force)
    except LinkRefused as exc:
        print(
            f"error: {exc} is a link; init never writes through a link\n  hint: remove it, or choose another folder",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except FileExistsError as exc:
        print(f"error: would overwrite {exc}\n  hint: choose another folder, or pass --force", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path in written:
        print(f"created {path}")
    print(
        f"next: edit {written[0]}, then `visionkit validate {written[0]}` "
        f"and `visionkit build {written[0]} --out build`"
    )
    return EXIT_OK


def cmd_workshop(args: argparse.Namespace) -> int:
    """Serve the workshop on an engagement file for a live session, without notebook code around it."""
    import importlib.util

    from ._workshop_app import serve

    path = Path(args.file)
    if not path.is_file():
        what = "no such file" if not path.exists() else "not a regular file"
        print(f"error: {path}: {what}\n  hint: give the engagement file (YAML) to work on", file=sys.stderr)
        return EXIT_BAD_INPUT
    if importlib.util.find_spec("voila") is None:
        print("error: Voilà is not installed\n  hint: pip install 'voila>=0.5' (make install does)", file=sys.stderr)
        return EXIT_FAILED
    return serve(path, port=args.port, open_browser=not args.no_browser)


def _export_targets() -> str:
    from .exports import TARGETS

    width = max(map(len, TARGETS))
    return "targets:\n" + "\n".join(f"  {name:<{width}}  {target.description}" for name, target in TARGETS.items())


def cmd_export(args: argparse.Namespace) -> int:
    """Plan an engagement and write the roadmap for another tool (Archi, Jira) into a folder."""
    from .engagement_file import load_engagement
    from .errors import EngagementError
    from .exports import TARGETS, export
    from .planner import plan

    if args.target is None:
        print(f"usage: visionkit export TARGET FILE --out DIR\n{_export_targets()}")
        return EXIT_OK
    if args.target not in TARGETS:
        print(f"error: no export target '{args.target}'\n{_export_targets()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.file is None or args.out is None:
        print(
            "error: give the engagement file and --out\n  hint: visionkit export "
            f"{args.target} engagement.yaml --out DIR",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    out = Path(args.out)
    problem = f"--out {out} is a link; export never writes through a link" if out.is_symlink() else _unwritable(out)
    if problem:
        print(f"error: {problem}\n  hint: pass --out a folder you can write to", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        engagement = load_engagement(args.file)
        roadmap = plan(engagement, scenario=args.scenario, **_overrides(args, engagement, args.scenario))
    except EngagementError as exc:
        _print_problems(exc.with_file(args.file))
        return EXIT_BAD_INPUT
    try:
        written = export(roadmap, args.target, out)
    except OSError as exc:
        print(f"error: cannot write to {out}: {exc.strerror or exc}\n  hint: {out} was left as it was", file=sys.stderr)
        return EXIT_FAILED
    for path in written:
        print(f"wrote {path}")
    if roadmap.scenario.start is None and args.target == "jira":
        print("note: the scenario has no start, so the Start date and Due date columns are empty")
    return EXIT_OK


def _add_build_options(parser: argparse.ArgumentParser, *, out_default: str | None) -> None:
    from .batch import DEFAULT_FORMATS

    parser.add_argument("--out", default=out_default, required=out_default is None and False, help="output folder")
    parser.add_argument(
        "--to",
        type=_formats,
        default=DEFAULT_FORMATS,
        metavar="FORMATS",
        help="comma-separated: ipynb,html,pdf,pptx,xlsx (default: ipynb,html,pdf; pptx is an editable deck, "
        "xlsx the roadmap's tables)",
    )
    parser.add_argument("--jobs", type=_option(whole(1)), help="clients built at once (default: twice the cores)")
    parser.add_argument("--workbook", help="build with another workbook (same parameters as roadmap.ipynb)")
    _add_parameter_options(parser, DOCUMENT_NAMES)
    parser.add_argument("--force", action="store_true", help="rebuild clients that are up to date")
    parser.add_argument(
        "--timeout",
        type=_option(whole(1)),
        default=600,
        help="seconds a client may take before it fails (default: 600)",
    )
    _add_scenario_options(parser, pins=False)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `visionkit` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="visionkit",
        description="From perfect-day narratives to capability maps and experience-led roadmaps.",
    )
    parser.add_argument("--version", action="version", version=f"visionkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check engagement files", description="Check engagement files.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("plan", help="plan a roadmap and print it", description="Plan a roadmap and print it.")
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="tables for people, or CSV of the roadmap (text that would run as a spreadsheet formula starts with ')",
    )
    p.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="plan one of the engagement's named scenarios (or baseline); given twice or more, compare them",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="compare scenarios side by side: those given with --scenario, else the baseline and every named one",
    )
    _add_scenario_options(p)
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("catalog", help="list capabilities", description="List the capabilities of a catalog.")
    p.add_argument("file", nargs="?", metavar="FILE", help="an engagement file (default: the shipped catalog)")
    p.add_argument("--domain", help="only this domain")
    p.set_defaults(func=cmd_catalog)

    p = sub.add_parser(
        "diff",
        help="what changed between two versions of an engagement, and in its plan",
        description="Say what changed between two versions of an engagement (the perfect days, the assessment, "
        "the scenario) and what that did to the plan. Compare two files, or one file as it was at a git revision "
        "with the file as it is now.",
    )
    p.add_argument("old", metavar="FILE", help="the earlier version (with --rev: the file)")
    p.add_argument("new", nargs="?", metavar="NEW", help="the later version (not with --rev)")
    p.add_argument("--rev", metavar="REV", help="compare FILE as it was at git revision REV (e.g. HEAD~3) with it now")
    p.add_argument("--json", action="store_true", help="print the changes as JSON")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser(
        "build",
        help="build roadmap documents for many clients",
        description="Build each client's executed workbook, HTML and PDF under OUT/<client>/. INPUT is "
        "engagement files, folders of them, or CSV files with one row of parameters per client.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    _add_build_options(p, out_default="build")
    p.add_argument(
        "--sweep",
        action=_SweepAction,
        metavar="NAME=V1,V2",
        help="build one document per combination of these values (folders named after them) and, per client, "
        "one comparing them all, e.g. --sweep capacity=8,12,16 --sweep strategy=value,quick-wins; NAME is "
        "scenario, waves, capacity, strategy or time_limit (repeatable)",
    )
    dask = p.add_argument_group("on a Dask cluster (pip install 'visionkit[dask]')")
    dask.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="build on Dask, one task per client: tcp://HOST:PORT or tls://HOST:PORT of a running scheduler "
        "(workers started with --resources visionkit-build=1 and the same visionkit, seeing the inputs at the "
        "same paths), or local:N to start N worker processes on this machine (--jobs is then unused)",
    )
    dask.add_argument(
        "--shared-out",
        action="store_true",
        help="workers write the documents into --out themselves; --out must be on a filesystem every worker "
        "sees at the same path (default: workers send the documents back and this process writes them)",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("demo", help="build the shipped demo engagement", description="Build the demo into build/demo/.")
    _add_build_options(p, out_default="build/demo")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "workshop",
        help="open the workshop on an engagement, on a clean page for the client",
        description="Serve the workshop on FILE with Voilà at http://127.0.0.1 behind a token: the widgets alone, "
        "no notebook code. Edits are saved to FILE as in JupyterLab.",
    )
    p.add_argument("file", metavar="FILE", help="the engagement file (YAML)")
    p.add_argument("--port", type=_option(whole(1)), help="port to listen on (default: a free one)")
    p.add_argument("--no-browser", action="store_true", help="print the address instead of opening a browser")
    p.set_defaults(func=cmd_workshop)

    p = sub.add_parser("init", help="start a new engagement", description="Scaffold a new engagement folder.")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--client", default="New Client", help="the client's name")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "export",
        help="write the roadmap for another tool (Archi, Jira)",
        description="Plan FILE as `visionkit plan` does with the same options, and write the roadmap into DIR "
        "in a format another tool imports (docs/exports.md). Without a target, list the targets.",
        epilog=_export_targets(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", nargs="?", metavar="TARGET", help="what to write: one of the targets below")
    p.add_argument("file", nargs="?", metavar="FILE", help="the engagement file")
    p.add_argument("--out", metavar="DIR", help="the folder to write into (created if missing; other files stay)")
    p.add_argument("--scenario", metavar="NAME", help="export one of the engagement's named scenarios (or baseline)")
    _add_scenario_options(p)
    p.set_defaults(func=cmd_export)
    return parser


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM (a CI timeout, `kill`) stops as cleanly as Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    import signal
    import threading

    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
