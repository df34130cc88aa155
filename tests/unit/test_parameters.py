"""The roadmap workbook agrees with the code: its parameters (defined once, in `parameters.py`, and taken by
every edge) and its sections (`RoadmapDocument.SECTIONS`)."""

from __future__ import annotations

import argparse
import inspect
import json
from pathlib import Path

import pytest

from visionkit.batch import collect_clients, workbook_parameters
from visionkit.cli import build_parser, demo_path, roadmap_workbook
from visionkit.document import RoadmapDocument
from visionkit.model import Scenario
from visionkit.parameters import BY_NAME, DOCUMENT_NAMES, NAMES, PARAMETERS, SCENARIO_NAMES, BadValue, parameters_cell
from visionkit.strategies import STRATEGIES


def _cell_source(workbook: Path) -> str:
    notebook = json.loads(workbook.read_text(encoding="utf-8"))
    [cell] = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    return "".join(cell["source"])


def test_the_workbooks_parameters_cell_is_written_from_the_definition() -> None:
    assert _cell_source(roadmap_workbook()) == parameters_cell()


def test_the_workbook_shows_every_section_in_document_order() -> None:
    notebook = json.loads(roadmap_workbook().read_text(encoding="utf-8"))
    shown = [
        "".join(c["source"]).strip()
        for c in notebook["cells"]
        if c["cell_type"] == "code" and "".join(c["source"]).strip().startswith("doc.")
    ]
    assert shown == [f"doc.{name}()" for name in RoadmapDocument.SECTIONS]


def test_papermill_reads_the_names_types_defaults_and_help_of_the_definition() -> None:
    declared = workbook_parameters(roadmap_workbook())
    assert list(declared) == list(NAMES)
    for p in PARAMETERS:
        assert declared[p.name]["inferred_type_name"] == p.annotation, p.name
        assert declared[p.name]["help"] == p.help, p.name
    assert all(strategy in BY_NAME["strategy"].help for strategy in STRATEGIES)


def test_the_document_takes_every_parameter_with_its_default() -> None:
    signature = inspect.signature(RoadmapDocument.from_parameters)
    taken = {name: q for name, q in signature.parameters.items() if q.kind is q.POSITIONAL_OR_KEYWORD}
    assert set(taken) == set(NAMES)
    for p in PARAMETERS:
        if taken[p.name].default is not inspect.Parameter.empty:
            assert taken[p.name].default == p.default, p.name


def test_the_scenario_parameters_are_fields_of_the_scenario() -> None:
    assert set(SCENARIO_NAMES) <= set(Scenario.model_fields)
    assert set(SCENARIO_NAMES) | set(DOCUMENT_NAMES) | {"engagement_file", "sweep"} == set(NAMES)


def _options(parser: argparse.ArgumentParser, command: str) -> dict[str, argparse.Action]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {o: a for a in sub.choices[command]._actions for o in a.option_strings}


def test_build_has_an_option_for_every_parameter_but_the_engagement_file() -> None:
    options = _options(build_parser(), "build")
    for p in PARAMETERS:
        assert (p.option in options) == (p.name != "engagement_file"), p.name
        if p.option in options and p.name != "sweep":  # --sweep builds a document per combination, and sets it
            assert p.help in options[p.option].help, p.name


@pytest.mark.parametrize(
    ("name", "bad"),
    [("waves", "0"), ("capacity", "-1"), ("strategy", "fastest"), ("time_limit", "0"), ("date", "2027-13-01")],
)
def test_a_bad_value_reads_the_same_in_a_csv_and_on_the_command_line(
    name: str, bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(BadValue) as expected:
        BY_NAME[name].parse(bad)
    csv = tmp_path / "clients.csv"
    csv.write_text(f"engagement_file,{name}\n{demo_path()},{bad}\n", encoding="utf-8")
    with pytest.raises(Exception) as from_csv:
        collect_clients([str(csv)])
    assert f"{name} must be {expected.value.expected}, got '{bad}'" in str(from_csv.value)
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["build", str(demo_path()), BY_NAME[name].option, bad])
    assert exited.value.code == 2
    assert f"'{bad}' is not {expected.value.expected}" in capsys.readouterr().err


def test_good_values_parse_to_what_the_workbook_declares() -> None:
    assert BY_NAME["waves"].parse("8") == 8
    assert BY_NAME["capacity"].parse("0") == 0
    assert BY_NAME["time_limit"].parse("2.5") == 2.5
    assert BY_NAME["date"].parse("2027-01-04") == "2027-01-04"
    assert BY_NAME["strategy"].parse("optimal") == "optimal"
