"""The roadmap's tables as an Excel workbook, read back with openpyxl: sheets, typed cells, no formulas, same bytes."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nbformat
import openpyxl
import pytest
import yaml

from visionkit._periods import wave_dates
from visionkit._spreadsheet import FORMULA_STARTS
from visionkit._xlsx import DATE_COLUMNS, SHEETS, SpreadsheetError, heading, notebook_parameters, notebook_to_xlsx
from visionkit.assessment import capabilities_in_play
from visionkit.cli import demo_path
from visionkit.document import RoadmapDocument
from visionkit.exporters import XLSXExporter
from visionkit.roadmap import TABLE_COLUMNS

DATE = "2027-01-04"


def executed(path: Path, **parameters: Any) -> tuple[RoadmapDocument, nbformat.NotebookNode]:
    """A roadmap notebook as papermill leaves it: the sections as outputs, the parameters in its metadata."""
    doc = RoadmapDocument.from_parameters(str(path), date=DATE, **parameters)
    nb = doc.notebook()
    nb.metadata["papermill"] = {"parameters": {"engagement_file": str(path), "date": DATE, **parameters}}
    return doc, nb


def demo_variant(folder: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    change(data)
    path = folder / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet: Any, columns: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """A sheet's rows; its headings read back as the tables' column names where `columns` names them."""
    out = list(sheet.iter_rows(values_only=True))
    back = {heading(c): c for c in columns}
    return [tuple(back.get(h, h) for h in out[0]), *out[1:]] if out else out


@pytest.fixture(scope="module")
def demo() -> tuple[RoadmapDocument, bytes]:
    doc, nb = executed(demo_path())
    return doc, notebook_to_xlsx(nb)


def test_one_sheet_per_table_with_a_frozen_filtered_header(demo: tuple[RoadmapDocument, bytes]) -> None:
    _, data = demo
    workbook = book(data)
    assert tuple(workbook.sheetnames) == SHEETS
    for sheet in workbook:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
        for letter, dimension in sheet.column_dimensions.items():
            assert 8 <= dimension.width <= 60, (sheet.title, letter, dimension.width)


def test_the_roadmap_sheet_is_roadmap_table_typed(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    assert [c.value for c in book(data)["Roadmap"][1][:3]] == ["Uplift", "Capability", "Name"]  # for people
    header, *body = rows(book(data)["Roadmap"], [*TABLE_COLUMNS, *DATE_COLUMNS])
    assert list(header) == [*TABLE_COLUMNS, "start_date", "end_date"]
    expected = doc.roadmap.table_rows()
    catalog = doc.engagement.capabilities
    days = wave_dates(doc.roadmap.scenario.start, doc.roadmap.scenario.wave_length, len(doc.roadmap.labels))
    assert len(body) == len(expected)
    for row, want in zip(body, expected, strict=True):
        got = dict(zip(header, row, strict=True))
        for name in ("from_level", "to_level", "effort"):
            assert isinstance(got[name], int) and got[name] == want[name]
        assert isinstance(got["value"], int | float) and got["value"] == pytest.approx(want["value"])
        assert got["start_wave"] == want["start_wave"] and got["end_wave"] == want["end_wave"]
        assert isinstance(got["end"], str) and got["end"] == want["end"]  # periods stay text: "2027-Q1"
        assert got["why"] == want["why"] and got["name"] == want["name"]
        assert (got["moments"] or "") == ", ".join(want["moments"])
        assert got["domain"] == catalog.domain_name(want["domain"])  # by name, as on the Assessment sheet
        # Dates as dates, from the first day of the first wave to the last day of the last; none beyond the horizon.
        if want["status"] == "scheduled":
            start, end = got["start_date"], got["end_date"]
            assert isinstance(start, datetime.datetime) and isinstance(end, datetime.datetime)
            assert start.date() == days[want["start_wave"] - 1][0] and end.date() == days[want["end_wave"] - 1][1]
        else:
            assert got["start_date"] is None and got["end_date"] is None
    dated = [c for c in book(data)["Roadmap"]["U"][1:] if c.value is not None]
    assert dated and all(c.number_format == "yyyy-mm-dd" for c in dated)


def test_readiness_traceability_and_waves_are_the_roadmaps(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    workbook = book(data)
    readiness = doc.roadmap.readiness_rows()
    header, *body = rows(workbook["Readiness"], [*readiness[0], "story"])
    assert list(header) == [*readiness[0], "story"]
    stories = {mp.key: mp.story for mp in doc.roadmap.moments}
    for row, want in zip(body, readiness, strict=True):
        got = dict(zip(header, row, strict=True))
        assert got["live_wave"] == want["live_wave"] and got["live"] == want["live"] and isinstance(got["live"], str)
        assert got["story"] == (stories[want["moment"]] if want["kind"] == "moment" else None)  # whole, not cut
    header, *body = rows(workbook["Traceability"], ["perfect_day", "moment", "at"])
    assert header[:3] == ("perfect_day", "moment", "at") and workbook["Traceability"]["A1"].value == "Perfect day"
    capabilities, grid = doc.roadmap.traceability_grid()
    catalog = doc.engagement.capabilities
    assert list(header[3:]) == [catalog[c].name for c in capabilities]
    assert [list(r[3:]) for r in body] == grid
    assert all(isinstance(v, int) for r in body for v in r[3:])
    waves = doc.roadmap.wave_rows()
    header, *body = rows(workbook["Waves"], [*waves[0], *DATE_COLUMNS])
    assert [{k: v for k, v in zip(header, r, strict=True) if k not in DATE_COLUMNS} for r in body] == waves
    assert all(isinstance(r[1], str) for r in body)
    days = wave_dates(doc.roadmap.scenario.start, doc.roadmap.scenario.wave_length, len(waves))
    assert [(r[-2].date(), r[-1].date()) for r in body] == days  # each wave's first and last day, as dates
    assert workbook["Waves"]["E2"].number_format == "0.0%"


def test_the_assessment_sheet_says_what_the_assessment_tab_says(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    header, *body = rows(book(data)["Assessment"])
    assert list(header[:7]) == ["Capability", "Name", "Domain", "Today", "Target", "Gap", "Needed"]
    in_play = capabilities_in_play(doc.engagement)
    assert {r[0] for r in body} == set(in_play)
    for row in body:
        why = in_play[row[0]]
        today = doc.engagement.assessment.get(row[0], 0)
        assert row[3:7] == (
            today,
            why.target,
            max(why.target - today, 0),
            "directly" if why.direct else "prerequisite only",
        )
    assert {r[6] for r in body} == {"directly", "prerequisite only"}  # the demo has both


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        day = data["perfect_days"][0]
        day["title"] = "+1+1"
        day["moments"][0].update(story='=HYPERLINK("x")', channel="@SUM(A1)")

    _, nb = executed(demo_variant(tmp_path, change))
    workbook = book(notebook_to_xlsx(nb))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # The text as written, stored as a string and marked as Excel marks a cell typed with a leading '.
    risky = {c.value: c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)}
    assert {'=HYPERLINK("x")', "+1+1", "@SUM(A1)"} <= set(risky)
    assert all(c.data_type == "s" and c.quotePrefix for c in risky.values())
    assert not [c.coordinate for c in cells if c.quotePrefix and not str(c.value).startswith(FORMULA_STARTS)]
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)
    raw = zipfile.ZipFile(io.BytesIO(notebook_to_xlsx(nb))).read("xl/worksheets/sheet2.xml")
    assert b"<f>" not in raw


def test_headings_are_for_people_and_names_stay_as_written() -> None:
    assert heading("value_per_effort") == "Value per effort" and heading("live") == "Live"
    assert heading("Single customer view") == "Single customer view"  # a capability's name, as written
    assert heading("iPhone app") == "iPhone app" and heading("=HYPERLINK(x)") == "=HYPERLINK(x)"


def test_libreoffice_reads_formula_looking_text_as_text(tmp_path: Path) -> None:
    """A second, independent reader where one is installed: LibreOffice Calc shows the text, runs nothing."""
    calc = shutil.which("localc")
    office = shutil.which("soffice")
    if calc is None or office is None:
        pytest.skip("no LibreOffice Calc (localc) on this machine to open the workbook with")

    def change(data: dict[str, Any]) -> None:
        data["perfect_days"][0]["moments"][0].update(story='=HYPERLINK("http://example.invalid","click")')

    _, nb = executed(demo_variant(tmp_path, change))
    (tmp_path / "book.xlsx").write_bytes(notebook_to_xlsx(nb))
    sheet = SHEETS.index("Readiness") + 1
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}",
         "--outdir", str(tmp_path / "out"), str(tmp_path / "book.xlsx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    (shown,) = (tmp_path / "out").glob("*.csv")
    cells = [cell for row in csv.reader(io.StringIO(shown.read_text(encoding="utf-8"))) for cell in row]
    assert '=HYPERLINK("http://example.invalid","click")' in cells  # as written: not "click", no leading '


def test_the_same_plan_gives_the_same_bytes(demo: tuple[RoadmapDocument, bytes]) -> None:
    _, data = demo
    _, nb = executed(demo_path())
    assert notebook_to_xlsx(nb) == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = book(data).properties
    assert props.created == props.modified and props.created.isoformat().startswith(DATE)
    assert props.subject == "Northwind Outfitters" and not props.creator


def test_the_plan_follows_the_notebooks_parameters(tmp_path: Path) -> None:
    doc, nb = executed(demo_path(), waves=4, capacity=9)
    workbook = book(notebook_to_xlsx(nb))
    assert [r[2] for r in rows(workbook["Waves"])[1:]] == [9, 9, 9, 9]
    # The parameters cell's own values count too, under what papermill injected.
    cell = nbformat.v4.new_code_cell('engagement_file: str = ""\nwaves: Optional[int] = 4  # sec\ncapacity = 9')
    cell.metadata["tags"] = ["parameters"]
    nb.cells.insert(0, cell)
    nb.metadata["papermill"]["parameters"] = {"engagement_file": str(demo_path()), "date": DATE}
    assert notebook_parameters(nb) == {"engagement_file": str(demo_path()), "waves": 4, "capacity": 9, "date": DATE}
    assert [r[2] for r in rows(book(notebook_to_xlsx(nb))["Waves"])[1:]] == [9, 9, 9, 9]
    assert doc.roadmap.capacities == [9, 9, 9, 9]


def test_a_parameters_cell_is_read_never_run() -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('import os\nwaves = 3\ntitle = os.system("touch x")\nscenario = f"{waves}"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    assert notebook_parameters(nb) == {"waves": 3}


def test_an_engagement_changed_since_the_notebook_ran_is_refused(tmp_path: Path) -> None:
    path = demo_variant(tmp_path, lambda data: None)
    _, nb = executed(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("capacity: 12", "capacity: 5"), encoding="utf-8")
    with pytest.raises(SpreadsheetError, match="differs from the one in the notebook"):
        notebook_to_xlsx(nb)
    path.unlink()
    with pytest.raises(SpreadsheetError, match="cannot be planned again"):
        notebook_to_xlsx(nb)


def test_the_nbconvert_exporter_reads_a_relative_engagement_beside_the_notebook(
    demo: tuple[RoadmapDocument, bytes], tmp_path: Path
) -> None:
    _, data = demo
    (tmp_path / "northwind.yaml").write_bytes(demo_path().read_bytes())
    _, nb = executed(demo_path())
    nb.metadata["papermill"]["parameters"]["engagement_file"] = "northwind.yaml"
    body, resources = XLSXExporter().from_notebook_node(nb, {"metadata": {"path": str(tmp_path)}})
    assert body == data and resources["output_extension"] == ".xlsx"
