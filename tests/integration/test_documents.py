"""Roadmap documents end to end: workbook, batch build, HTML and PDF as a reader gets them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from visionkit.batch import STAMP, Client, assign_slugs
from visionkit.cli import demo_path, roadmap_workbook

SECTION_TITLES = [
    "Executive summary",
    "Perfect days",
    "Experience burn-up",
    "Traceability",
    "Maturity by domain",
    "Roadmap",
    "Uplifts and why they are there",
    "Appendix: capability rubrics",
]


def visionkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "visionkit", *args], capture_output=True, text=True, timeout=600, cwd=cwd, check=False
    )


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = visionkit("build", str(demo_path()), "--out", str(out), "--title", "Vision to roadmap")
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "northwind-outfitters"


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_build_writes_notebook_html_and_pdf(demo_build: Path) -> None:
    assert sorted(p.name for p in demo_build.iterdir()) == [
        ".visionkit-build.json",
        "roadmap.html",
        "roadmap.ipynb",
        "roadmap.pdf",
    ]


def test_pdf_reads_like_a_deliverable(demo_build: Path) -> None:
    pages = pdf_text(demo_build / "roadmap.pdf")
    assert 8 <= len(pages) <= 30
    cover, contents = pages[0], pages[1]
    assert "Northwind Outfitters" in cover and "Vision to roadmap" in cover
    assert "Page" not in cover  # no running header or page number on the cover
    for title in SECTION_TITLES:
        assert title in contents
    # Contents give page numbers that point at the right pages.
    for title in ("Executive summary", "Appendix: capability rubrics"):
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert match, contents
        assert title in pages[int(match.group(1)) - 1]
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in text
        assert "Northwind Outfitters" in text  # the running header
    body = "\n".join(pages)
    # Sections in order, leading with experiences.
    positions = [body.index(title, len(cover) + len(contents)) for title in SECTION_TITLES]
    assert positions == sorted(positions)
    for story in ("school shoes Priya bought", "waterproof rating", "It already knows which child and which size."):
        assert story in body.replace("\n", " ")
    for code in ("import visionkit", "doc.cover()", "check_parameters", "In [", "Traceback"):
        assert code not in body
    # No blank or near-empty pages.
    assert all(len(text.strip()) > 200 for text in pages), [len(t) for t in pages]
    # The uplift table runs over several pages and repeats its header on each; the scenarios compared follow.
    first = next(i for i, text in enumerate(pages) if "Uplifts and why they are there" in text and i > 1)
    last = next(i for i, text in enumerate(pages) if "Scenarios compared" in text and i > 1)
    assert last - first >= 1
    for text in pages[first:last]:
        assert "When Uplift Domain Effort Why" in text


def test_pdf_charts_are_vector(demo_build: Path) -> None:
    reader = PdfReader(demo_build / "roadmap.pdf")
    images = sum(len(page.images) for page in reader.pages)
    assert images == 0  # charts are drawn as vectors, not embedded pictures
    chart_page = next(p for p in reader.pages if "Moments live at the end of each wave" in (p.extract_text() or ""))
    assert "Priya's perfect Saturday" in (chart_page.extract_text() or "")  # legend text stays text


def test_html_has_sections_and_no_code(demo_build: Path) -> None:
    html = (demo_build / "roadmap.html").read_text(encoding="utf-8")
    for anchor in (
        "cover",
        "contents",
        "summary",
        "perfect-days",
        "burn-up",
        "traceability",
        "maturity",
        "roadmap",
        "uplifts",
        "appendix",
    ):
        assert f'id="{anchor}"' in html
    for code in (
        "jp-InputArea",
        "input_area",
        "doc.cover()",
        "import visionkit",
        "In&nbsp;[",
        "check_parameters",
        "<script",
    ):
        assert code not in html
    # Burn-up, traceability, maturity, roadmap, a journey per perfect day, and the scenarios' burn-ups.
    assert html.count("<svg") == 7
    assert 'style="--brand: #1f4e79"' in html
    assert "<title>Northwind Outfitters · Vision to roadmap</title>" in html


def test_executed_notebook_keeps_parameters(demo_build: Path) -> None:
    nb = nbformat.read(demo_build / "roadmap.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "Vision to roadmap" in injected[0].source
    assert nb.metadata.papermill.parameters["title"] == "Vision to roadmap"


def test_rebuild_skips_until_forced(demo_build: Path) -> None:
    out = demo_build.parent
    first = visionkit("build", str(demo_path()), "--out", str(out), "--title", "Vision to roadmap")
    assert first.returncode == 0 and "skipped" in first.stdout and "up to date" in first.stdout
    changed = visionkit("build", str(demo_path()), "--out", str(out), "--title", "Another title", "--to", "html")
    assert changed.returncode == 0 and "built" in changed.stdout


def test_nbconvert_exporters_are_registered(demo_build: Path, tmp_path: Path) -> None:
    source = tmp_path / "executed.ipynb"
    source.write_bytes((demo_build / "roadmap.ipynb").read_bytes())
    for fmt, ext in (("visionkit-html", "html"), ("visionkit-pdf", "pdf")):
        result = subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", fmt, str(source)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / f"executed.{ext}").stat().st_size > 10_000
    assert len(PdfReader(tmp_path / "executed.pdf").pages) == len(PdfReader(demo_build / "roadmap.pdf").pages)


def test_batch_with_a_broken_client(tmp_path: Path) -> None:
    inputs = tmp_path / "clients"
    inputs.mkdir()
    demo = demo_path().read_text(encoding="utf-8")
    (inputs / "a.yaml").write_text(demo.replace("Northwind Outfitters", "Alder Outdoor"), encoding="utf-8")
    (inputs / "b.yaml").write_text(demo.replace("Northwind Outfitters", "Birch & Co"), encoding="utf-8")
    (inputs / "c.yaml").write_text(
        demo.replace("Northwind Outfitters", "Cedar Ltd").replace("customer-360: 3, next", "customer-36: 3, next"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = visionkit("build", str(inputs), "--out", str(out), "--jobs", "2", "--to", "pdf,html,ipynb")
    assert result.returncode == 1
    summary = result.stdout
    assert re.search(r"Alder Outdoor\s+│ built", summary) and re.search(r"Birch & Co\s+│ built", summary)
    assert re.search(r"Cedar Ltd\s+│ failed", summary)
    assert "EngagementError" in summary and "unknown capability 'customer-36'" in summary
    for slug in ("alder-outdoor", "birch-co"):
        assert (out / slug / "roadmap.pdf").is_file() and (out / slug / "roadmap.html").is_file()
    failed = out / "cedar-ltd"
    assert sorted(p.name for p in failed.iterdir()) == [STAMP, "roadmap.ipynb"]
    # The folder stays Cedar's, with no fingerprint (so it is built again), and no other client takes it.
    claim = json.loads((failed / STAMP).read_text(encoding="utf-8"))
    assert claim["client"] == "Cedar Ltd" and "fingerprint" not in claim and "customer-36" in claim["failed"]
    newcomer = Client("Cedar, Ltd.", inputs / "d.yaml", {})
    assert assign_slugs([newcomer], out) and newcomer.slug == "cedar-ltd-2"
    nb = nbformat.read(failed / "roadmap.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "EngagementError"
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)


def test_csv_input_sets_parameters_per_client(tmp_path: Path) -> None:
    demo = tmp_path / "northwind.yaml"
    demo.write_bytes(demo_path().read_bytes())
    table = tmp_path / "clients.csv"
    table.write_text(
        "engagement_file,title,waves,strategy,time_limit\nnorthwind.yaml,Board pack,8,foundations,2.5\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = visionkit("build", str(table), "--out", str(out), "--to", "ipynb")
    assert result.returncode == 0, result.stdout + result.stderr
    nb = nbformat.read(out / "northwind-outfitters" / "roadmap.ipynb", as_version=4)
    params = nb.metadata.papermill.parameters
    assert params["title"] == "Board pack" and params["waves"] == 8 and params["strategy"] == "foundations"
    assert params["time_limit"] == 2.5  # declared Optional[float] by the workbook, which takes it
    cover = json.dumps([o for c in nb.cells for o in c.get("outputs", [])])
    assert "8 quarters" in cover and "foundations" in cover


def test_bad_csv_and_missing_inputs_exit_2(tmp_path: Path) -> None:
    table = tmp_path / "clients.csv"
    table.write_text("engagement_file,wavez\nx.yaml,3\n", encoding="utf-8")
    result = visionkit("build", str(table), str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "unknown column 'wavez'" in result.stderr and "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_workbook_lacking_a_parameter_is_refused_before_any_client(tmp_path: Path) -> None:
    nb = nbformat.read(roadmap_workbook(), as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = "\n".join(line for line in params.source.splitlines() if not line.startswith("title"))
    custom = tmp_path / "house-style.ipynb"
    nbformat.write(nb, custom)
    out = tmp_path / "out"
    result = visionkit("build", str(demo_path()), "--out", str(out), "--workbook", str(custom), "--title", "X")
    assert result.returncode == 2
    assert "the workbook has no parameter title" in result.stderr
    assert not out.exists()


def test_workbook_rejects_unknown_and_ill_typed_parameters(tmp_path: Path) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    for params, message in (
        ({"wavez": 3}, "unknown parameter 'wavez' (did you mean 'waves'?)"),
        ({"waves": "three"}, "parameter 'waves' must be"),
    ):
        with pytest.raises(PapermillExecutionError) as info:
            papermill.execute_notebook(
                str(roadmap_workbook()),
                str(tmp_path / "out.ipynb"),
                parameters=params,
                progress_bar=False,
                kernel_name="python3",
            )
        assert info.value.ename == "ParameterError"
        assert message in info.value.evalue
        nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
        failing = next(c for c in nb.cells if c.get("outputs") and c.outputs[0].output_type == "error")
        assert "check_parameters" in failing.source  # fails at the check, before any planning


def test_help_notebook_lists_typed_parameters() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "papermill", "--help-notebook", str(roadmap_workbook())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    for line in (
        "engagement_file: str",
        "title: str",
        "waves: Optional[int]",
        "capacity: Optional[int]",
        "strategy: Optional[str]",
        "time_limit: Optional[float]",
        "date: Optional[str]",
        "document title shown on the cover",
    ):
        assert line in result.stdout


def test_init_scaffolds_a_valid_engagement(tmp_path: Path) -> None:
    target = tmp_path / "acme"
    result = visionkit("init", str(target), "--client", 'Acme: "Rockets" & Co')
    assert result.returncode == 0, result.stderr
    assert (target / "roadmap.ipynb").is_file()
    assert visionkit("validate", str(target / "engagement.yaml")).returncode == 0
    assert 'Acme: "Rockets" & Co' in visionkit("validate", str(target / "engagement.yaml")).stdout
    again = visionkit("init", str(target))
    assert again.returncode == 2 and "would overwrite" in again.stderr


def test_a_large_roadmap_typesets_with_one_page_per_chart_part() -> None:
    import datetime
    import io

    from visionkit.document import GANTT_ROWS_PER_PAGE, RoadmapDocument, split_by_domain
    from visionkit.model import Engagement
    from visionkit.planner import plan
    from visionkit.testing import generate_engagement

    engagement = Engagement.model_validate(generate_engagement(60, 30, seed=1))
    roadmap = plan(engagement)
    parts = split_by_domain(roadmap, GANTT_ROWS_PER_PAGE)
    assert len(parts) >= 2
    pdf = RoadmapDocument(engagement, roadmap, title="Large", date=datetime.date(2027, 3, 1)).pdf()
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    assert sum("Roadmap by domain" in text for text in pages) == len(parts)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in text


def test_a_killed_builds_temporary_folders_go_and_no_hard_link_is_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / "northwind-outfitters" / ".visionkit-k1ll3d"
    stale.mkdir(parents=True)
    (stale / "roadmap.ipynb").write_text("{}", encoding="utf-8")
    # A document hard-linked to a file elsewhere: documents are replaced, never written into.
    victim = tmp_path / "victim.html"
    victim.write_text("someone else's file", encoding="utf-8")
    os.link(victim, out / "northwind-outfitters" / "roadmap.html")
    result = visionkit("build", str(demo_path()), "--out", str(out), "--to", "html")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (out / "northwind-outfitters").iterdir()) == [".visionkit-build.json", "roadmap.html"]
    assert victim.read_text(encoding="utf-8") == "someone else's file" and victim.stat().st_nlink == 1


def test_a_client_folder_that_is_a_link_is_never_written_through(tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim"
    victim.mkdir()
    (victim / "roadmap.html").write_text("another client's document", encoding="utf-8")
    out.mkdir()
    (out / "northwind-outfitters").symlink_to(victim, target_is_directory=True)
    result = visionkit("build", str(demo_path()), "--out", str(out), "--to", "html")
    assert result.returncode == 0, result.stdout
    assert "northwind-outfitters/ is a link (nothing is written through one)" in " ".join(result.stdout.split())
    assert (out / "northwind-outfitters-2" / "roadmap.html").is_file()
    assert sorted(p.name for p in victim.iterdir()) == ["roadmap.html"]
    assert (victim / "roadmap.html").read_text(encoding="utf-8") == "another client's document"
