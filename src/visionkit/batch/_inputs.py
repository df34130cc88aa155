"""A build's inputs: clients from engagement files, folders of them and CSV rows, and the workbook's parameters."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EngagementError, Problem
from ..parameters import BY_NAME, NAMES, BadValue, sweep_points, sweep_text

CSV_COLUMNS = NAMES
"""The columns a CSV of clients may have: the workbook's parameters."""


@dataclass
class Client:
    """One document to build: the engagement file, the workbook parameters, and where it goes."""

    name: str
    engagement_file: Path
    parameters: dict[str, Any]
    slug: str = ""


def _client_name(path: Path) -> str:
    """The client name in an engagement file, or the file's stem when it cannot be read.

    Read the way every command reads an engagement (regular files under the size cap), and taken
    from the YAML's own structure, so a `client:` line inside another value never names a folder.
    """
    from ..engagement_file import EngagementFile, client_of, parse_yaml, read_text

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
    from ..kernels import defer_iri_checks

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


def sweep_clients(clients: Sequence[Client], axes: Sequence[tuple[str, Sequence[Any]]]) -> list[Client]:
    """Each client once per combination of a sweep's values, then once for the document comparing them all.

    A combination's values beat the client's own (a CSV row's): varying them is what the sweep is
    for. Each gets a name of its own ("Acme · capacity 8, strategy value"), so its own folder.
    """
    points = sweep_points(axes)
    swept = []
    for client in clients:
        for label, values in points:
            swept.append(Client(f"{client.name} · {label}", client.engagement_file, {**client.parameters, **values}))
        together = {**client.parameters, "sweep": sweep_text(axes)}
        swept.append(Client(f"{client.name} · comparison", client.engagement_file, together))
    return swept
