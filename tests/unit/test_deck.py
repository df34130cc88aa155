"""The PowerPoint deck read back with python-pptx: its slides, editable text, charts as pictures, the same bytes."""

from __future__ import annotations

import base64
import dataclasses
import io
import math
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from visionkit._render_pptx import CUT_NOTE, MIN_CARD_SIZE, MOMENTS_PER_SLIDE, SVG_EXTENSION, notebook_to_pptx
from visionkit.cli import demo_path
from visionkit.doctree import (
    Block,
    Card,
    Cell,
    Chart,
    Chips,
    Code,
    Cover,
    Facts,
    Group,
    Heading,
    Level,
    Levels,
    Paragraph,
    Quote,
    Span,
    Table,
    Wow,
    from_json,
)
from visionkit.document import RoadmapDocument
from visionkit.engagement_file import load_engagement
from visionkit.exporters import PPTXExporter
from visionkit.planner import plan
from visionkit.sections import SECTION_MIME, Section

UPLIFTS = "Uplifts and why they are there"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt"><text x="5" y="20">in svg</text></svg>'


def document(path: Path | str = "", date: str = "2027-01-04") -> RoadmapDocument:
    return RoadmapDocument.from_parameters(str(path or demo_path()), date=date)


def demo_variant(folder: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """The demo engagement with `change` made to its data, written as a new file."""
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    change(data)
    path = folder / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def first_day_of(stories: list[str]) -> Callable[[dict[str, Any]], None]:
    """A change to the demo: its first perfect day told as these stories, an hour apart from 08:00."""

    def change(data: dict[str, Any]) -> None:
        first = data["perfect_days"][0]["moments"][0]
        data["perfect_days"][0]["moments"] = [
            {**first, "at": f"{8 + n:02d}:00", "story": story} for n, story in enumerate(stories)
        ]

    return change


def variant_slides(folder: Path, change: Callable[[dict[str, Any]], None]) -> Any:
    """The slides of the deck of the demo with `change` made to it."""
    return read(notebook_to_pptx(document(demo_variant(folder, change)).notebook())).slides


def read(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def title(slide: Any) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def texts(slide: Any) -> list[str]:
    """Every piece of text on a slide: text frames and table cells."""
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.text.strip():
            out.append(shape.text_frame.text)
        if shape.has_table:
            out.extend(cell.text_frame.text for row in shape.table.rows for cell in row.cells)
    return out


def slide_charts(section: Section) -> list[Chart]:
    """A chart section's charts as the deck shows them: cut to a slide's size where the section has them so."""
    cut = [c for c in from_json(section.meta.get("slides") or []) if isinstance(c, Chart)]
    return cut or [b for b in section.blocks if isinstance(b, Chart)]


def charts_of(doc: RoadmapDocument) -> list[tuple[str, int]]:
    """The chart sections' titles and their number of charts, as the deck should show them."""
    return [
        (s.title, len(slide_charts(s)))
        for s in doc.sections()
        if s.style == "chart" and any(isinstance(b, Chart) for b in s.blocks)
    ]


@pytest.fixture(scope="module")
def demo() -> tuple[RoadmapDocument, bytes]:
    doc = document()
    return doc, notebook_to_pptx(doc.notebook())


def test_the_deck_has_a_slide_for_each_part_of_the_document(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    slides = list(read(data).slides)
    days = doc.engagement.perfect_days
    per_day = sum(math.ceil(len(d.moments) / MOMENTS_PER_SLIDE) for d in days)
    charts = sum(n for _, n in charts_of(doc))
    uplift_slides = [s for s in slides if title(s).startswith(UPLIFTS)]
    assert uplift_slides, [title(s) for s in slides]
    # A chart section's text and tables (the scenarios' comparison) go on after its chart, on slides
    # titled "<section> (continued)" or "<section>: <table>".
    after = tuple(f"{name}{tail}" for name, _ in charts_of(doc) for tail in (" (continued)", ": "))
    after_charts = [s for s in slides if title(s).startswith(after)]
    assert len(slides) == 1 + 1 + per_day + charts + len(uplift_slides) + len(after_charts)
    titles = [title(s) for s in slides]
    assert titles[:2] == ["Experience roadmap", "Executive summary"]
    assert titles[2 : 2 + len(days)] == [d.title for d in days]
    shown = [
        f"{name} ({n} of {count})" if count > 1 else name for name, count in charts_of(doc) for n in range(1, count + 1)
    ]
    assert [t for t in titles if t in shown] == shown
    if len(uplift_slides) > 1:
        assert [title(s) for s in uplift_slides] == [
            f"{UPLIFTS} ({n} of {len(uplift_slides)})" for n in range(1, len(uplift_slides) + 1)
        ]


def test_the_title_slide_names_the_client_the_title_and_the_date(demo: tuple[RoadmapDocument, bytes]) -> None:
    _, data = demo
    deck = read(data)
    words = " ".join(texts(deck.slides[0]))
    for expected in ("Northwind Outfitters", "Experience roadmap", "4 January 2027", "Horizon", "Strategy"):
        assert expected in words, expected
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01


def test_each_moment_is_editable_text_on_its_days_slide(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    slides = {title(s): s for s in read(data).slides}
    for day in doc.engagement.perfect_days:
        boxes = [s.text_frame.text for s in slides[day.title].shapes if s.has_text_frame]
        assert day.persona and any(day.persona in box for box in boxes)
        for moment, moment_plan in zip(day.moments, doc.roadmap.moments_of(day.id), strict=True):
            # One shape holds the moment's time, channel, story, wow and when it goes live, as text.
            card = next(box for box in boxes if moment.story in box.replace("\n", " ").replace("\v", " "))
            assert moment.at is not None and moment.at in card
            assert moment.channel is not None and moment.channel in card
            assert moment.wow is not None and moment.wow in card
            assert f"Live: {doc.roadmap.period(moment_plan.live_wave, prose=True)}" in card


def test_charts_are_svg_pictures_with_a_png_fallback_and_their_alt_text(demo: tuple[RoadmapDocument, bytes]) -> None:
    from PIL import Image

    doc, data = demo
    alts = [c.alt for s in doc.sections() if s.style == "chart" for c in slide_charts(s)]
    pictures = [
        (slide, shape)
        for slide in read(data).slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    assert [shape._element.xpath("./p:nvPicPr/p:cNvPr")[0].get("descr") for _, shape in pictures] == alts
    for slide, shape in pictures:
        with Image.open(io.BytesIO(shape.image.blob)) as png:
            assert png.format == "PNG" and png.width >= 1000  # drawn at 200 ppi, sharp on a projector
        blip = shape._element.xpath("./p:blipFill/a:blip")[0]
        (svg_blip,) = [e for e in blip.iter() if e.tag.endswith("}svgBlip")]
        assert svg_blip.getparent().get("uri") == SVG_EXTENSION
        rid = svg_blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        part = slide.part.related_part(rid)
        assert part.content_type == "image/svg+xml" and part.blob.startswith(b"<svg")
        # Never a picture alone: the slide's title and text say what the chart shows.
        assert title(slide) and len([t for t in texts(slide) if t != title(slide)]) >= 2


def test_no_slide_is_only_a_picture(demo: tuple[RoadmapDocument, bytes]) -> None:
    _, data = demo
    for slide in read(data).slides:
        assert title(slide)
        words = " ".join(texts(slide))
        assert len(words) > 40, words


def test_the_uplifts_are_tables_with_their_header_on_every_slide(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    tables = [
        shape.table for slide in read(data).slides if title(slide).startswith(UPLIFTS) for shape in slide.shapes
        if shape.has_table
    ]  # fmt: skip
    rows = []
    for table in tables:
        assert [c.text_frame.text for c in table.rows[0].cells] == ["When", "Uplift", "Domain", "Effort", "Why"]
        rows += [[c.text_frame.text for c in row.cells] for row in list(table.rows)[1:]]
    expected = doc.roadmap.table_rows()
    assert len(rows) == len(expected)
    for row, uplift in zip(rows, expected, strict=True):
        assert (
            row[1].startswith(uplift["name"]) and row[3] == str(uplift["effort"]) and row[4].startswith(uplift["why"])
        )


def test_the_brand_colour_is_the_engagements(tmp_path: Path) -> None:
    path = demo_variant(tmp_path, lambda data: data.update(branding={"primary": "#aa3311"}))
    deck = read(notebook_to_pptx(document(path).notebook()))
    header = next(s.table for slide in deck.slides for s in slide.shapes if s.has_table).cell(0, 0)
    assert str(header.fill.fore_color.rgb) == "AA3311"
    run = deck.slides[1].shapes.title.text_frame.paragraphs[0].runs[0]
    assert str(run.font.color.rgb) == "AA3311"


def test_the_same_document_gives_the_same_bytes(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    assert notebook_to_pptx(doc.notebook()) == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = read(data).core_properties
    assert props.created == props.modified and props.created.isoformat().startswith("2027-01-04")
    assert props.title == "Experience roadmap" and props.subject == "Northwind Outfitters"
    assert props.last_modified_by == "" and props.author == ""


def test_hostile_text_is_plain_text_on_the_slides(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("x") <script>alert(1)</script> {{ x }} #set page(fill: red) \x07bell'

    def change(data: dict[str, Any]) -> None:
        data["client"] = "<b>Client</b> & {title}"
        data["perfect_days"][0]["moments"][0]["story"] = hostile

    deck = read(notebook_to_pptx(document(demo_variant(tmp_path, change)).notebook()))
    words = " ".join(" ".join(texts(slide)) for slide in deck.slides)
    # Shown as typed; a control character XML cannot hold is written as python-pptx escapes it.
    assert hostile.replace("\x07", "_x0007_") in words
    assert "<b>Client</b> & {title}" in words


def test_every_kind_of_element_is_on_a_slide() -> None:
    blocks: list[Block] = [
        Cover("A client", "A title", "A subtitle", Facts([(["Term"], ["Value"])])),
        Heading(2, ["A heading"]),
        Paragraph(["A ", Span("strong", ["strong"]), " and ", Span("sup", ["sup"]), " paragraph"]),
        Chips([["chip one"], ["chip two"]]),
        Wow("Wow", ["a wow"]),
        Group("rubric", [Levels([Level([Span("level", ["L1"]), " a level"], now=True, target=False)])]),
        Quote([Paragraph(["a quote"])]),
        Code("line one\nline two"),
        Table([Cell(["Name"]), Cell(["Count"], num=True)], [[Cell(["a row"]), Cell(["3"], num=True)]]),
        Group(
            "day", [Heading(3, ["A day"]), Group("moments", [Card([[Span("when", ["At nine"])]], [Wow("W", ["x"])])])]
        ),
        Chart(SVG, "a chart"),
    ]
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    payload = Section("s", "S", blocks, True, {}, "").payload()
    cell.outputs = [nbformat.v4.new_output("display_data", data={SECTION_MIME: payload})]
    nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell("# Notes\n\n- first point\n- second point\n\n```\ncode here\n```"))
    words = " ".join(" ".join(texts(slide)) for slide in read(notebook_to_pptx(nb)).slides)
    for expected in (
        "A client", "A title", "A subtitle", "Term", "Value", "strong", "chip one", "chip two", "a wow", "a level",
        "(today)", "a quote", "line one", "line two", "Name", "a row", "A day", "At nine", "a chart", "Notes",
        "first point", "second point", "code here",
    ):  # fmt: skip
        assert expected in words, expected


def test_pictures_from_other_outputs_are_kept() -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, format="PNG")
    nb = nbformat.v4.new_notebook()
    for data in ({"image/png": base64.b64encode(buffer.getvalue()).decode()}, {"image/svg+xml": SVG}):
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        nb.cells.append(cell)
    slides = read(notebook_to_pptx(nb)).slides
    pictures = [s for slide in slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 2


def test_a_long_day_goes_on_over_more_slides(tmp_path: Path) -> None:
    count = MOMENTS_PER_SLIDE + 3
    slides = variant_slides(tmp_path, first_day_of([f"Moment number {n} of a long day." for n in range(count)]))
    titles = [title(s) for s in slides]
    assert "Priya's perfect Saturday (1 of 2)" in titles and "Priya's perfect Saturday (2 of 2)" in titles
    words = " ".join(" ".join(texts(s)) for s in slides)
    assert all(f"Moment number {n} of a long day." in words for n in range(count))


def card_sizes(slide: Any) -> set[float]:
    """The point sizes of the text on a slide's moment cards (its rounded rectangles)."""
    return {
        run.font.size.pt
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and shape.has_text_frame
        for para in shape.text_frame.paragraphs
        for run in para.runs
        if run.font.size is not None
    }


def day_slides(slides: Any, day_title: str) -> list[Any]:
    return [s for s in slides if title(s) == day_title or title(s).startswith(day_title + " (")]


def test_long_stories_go_on_over_more_slides_and_never_shrink_below_the_minimum(tmp_path: Path) -> None:
    sentence = "Priya tries the jacket on, asks about the waterproof rating and how it packs down for travel. "
    lengths = [1700, 1700, 300, 9000, 120, 1700]  # characters; the first day of the demo gets these stories

    stories = [f"Moment {n}. " + (sentence * 100)[:length].strip() for n, length in enumerate(lengths)]
    doc = document(demo_variant(tmp_path, first_day_of(stories)))
    slides = day_slides(read(notebook_to_pptx(doc.notebook())).slides, "Priya's perfect Saturday")
    assert len(slides) > 1 and all(title(s).endswith(f"of {len(slides)})") for s in slides)
    for slide in slides:
        assert card_sizes(slide) and min(card_sizes(slide)) >= MIN_CARD_SIZE, card_sizes(slide)
    words = " ".join(" ".join(texts(s)).replace("\n", " ").replace("\v", " ") for s in slides)
    at = [words.index(f"Moment {n}.") for n in range(len(lengths))]
    assert at == sorted(at)  # every moment has its card, in order
    # A story that fits a card of its own is whole; one that does not is cut at a word, and says so.
    moments = doc.engagement.perfect_days[0].moments
    assert [m.story in words for m in moments] == [True, True, True, False, True, True]
    assert words.count(CUT_NOTE) == 1
    kept = words[at[3] : words.index(CUT_NOTE)].split("…")[0].strip()
    assert len(kept) > 1000 and moments[3].story.startswith(kept) and moments[3].story[len(kept)] == " "


def test_a_day_is_shared_evenly_between_its_slides(tmp_path: Path) -> None:
    count = MOMENTS_PER_SLIDE + 1
    stories = [f"Short moment {n}." for n in range(count)]
    slides = day_slides(variant_slides(tmp_path, first_day_of(stories)), "Priya's perfect Saturday")
    cards = [sum(1 for text in texts(s) if "Short moment" in text) for s in slides]
    assert cards == [5, 4]  # not eight and one


def test_the_nbconvert_exporter_writes_the_deck(demo: tuple[RoadmapDocument, bytes]) -> None:
    doc, data = demo
    body, resources = PPTXExporter().from_notebook_node(doc.notebook())
    assert body == data and resources["output_extension"] == ".pptx"


def test_the_deck_opens_in_libreoffice(demo: tuple[RoadmapDocument, bytes], tmp_path: Path) -> None:
    """Rendered by a second, independent reader when one is installed (LibreOffice's `soffice`)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("no LibreOffice (soffice) on this machine to render the deck with")
    _, data = demo
    (tmp_path / "deck.pptx").write_bytes(data)
    profile = (tmp_path / "profile").as_uri()  # its own profile: nothing of the user's, no lock shared with them
    subprocess.run(
        [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(tmp_path / "deck.pptx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pages = [page.extract_text() or "" for page in PdfReader(tmp_path / "deck.pdf").pages]
    slides = list(read(data).slides)
    assert len(pages) == len(slides)
    for page, slide in zip(pages, slides, strict=True):
        assert " ".join(title(slide).split()) in " ".join(page.split())
    # And as pictures, where poppler's pdftoppm is installed: nothing spills into the gap between the
    # slide's body and its footer, where text too long for its box would run.
    poppler = shutil.which("pdftoppm")
    if poppler is None:
        return
    from PIL import Image

    dpi = 50
    subprocess.run([poppler, "-png", "-r", str(dpi), str(tmp_path / "deck.pdf"), str(tmp_path / "slide")], check=True)
    images = sorted(tmp_path.glob("slide-*.png"))
    assert len(images) == len(slides)
    for number, path in enumerate(images[1:], start=2):  # the title slide is the brand colour to its edge
        with Image.open(path) as image:
            grey = image.convert("L")
            gap = grey.crop((0, int(6.97 * dpi), grey.width, int(7.03 * dpi)))
            # A card's border may touch the band; text (dark ink) must not.
            assert gap.getextrema()[0] > 150, f"slide {number}: something runs into the footer's gap"
            body = grey.crop((0, int(1.35 * dpi), grey.width, int(6.95 * dpi)))
            assert body.getextrema()[0] < 128, f"slide {number}: an empty body"


def test_a_long_roadmap_is_cut_to_slides_shown_at_full_size() -> None:
    import datetime

    from visionkit._render_typst import chart_size_pt
    from visionkit.document import GANTT_ROWS_PER_SLIDE, split_by_domain
    from visionkit.model import Engagement
    from visionkit.planner import plan
    from visionkit.testing import generate_engagement

    engagement = Engagement.model_validate(generate_engagement(60, 30, seed=1))
    roadmap = plan(engagement)
    doc = RoadmapDocument(engagement, roadmap, title="Large", date=datetime.date(2027, 3, 1))
    (section,) = [s for s in doc.sections() if s.id == "roadmap"]
    parts = split_by_domain(roadmap, GANTT_ROWS_PER_SLIDE)
    assert len(slide_charts(section)) == len(parts) > sum(isinstance(b, Chart) for b in section.blocks)
    slides = [s for s in read(notebook_to_pptx(doc.notebook())).slides if title(s).startswith("Roadmap (")]
    assert [title(s) for s in slides] == [f"Roadmap ({n} of {len(parts)})" for n in range(1, len(parts) + 1)]
    for slide, chart in zip(slides, slide_charts(section), strict=True):
        (picture,) = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        natural = chart_size_pt(chart.svg)
        assert natural is not None
        # Shown at (nearly) its own size, so its 7 pt labels stay 7 pt; the page's cut was shown at half.
        assert picture.height.pt >= 0.95 * natural[1] or picture.width.pt >= 0.95 * natural[0]
        assert chart.alt.startswith(f"Part {slides.index(slide) + 1} of {len(parts)} of the roadmap")
    # The HTML and the PDF keep the page's cut: the slides' charts are not in the section's blocks.
    assert all(c.svg not in section.html for c in slide_charts(section))


def test_a_long_traceability_is_cut_to_slides_by_perfect_day() -> None:
    import datetime

    from visionkit.document import HEATMAP_ROWS_PER_SLIDE, split_by_day
    from visionkit.model import Engagement
    from visionkit.planner import plan
    from visionkit.testing import generate_engagement

    engagement = Engagement.model_validate(generate_engagement(60, 30, seed=1))
    roadmap = plan(engagement)
    parts = split_by_day(roadmap, HEATMAP_ROWS_PER_SLIDE)
    assert len(parts) > 1 and all(len(p.moments) <= HEATMAP_ROWS_PER_SLIDE for p in parts)
    # Every moment once, in order; a perfect day stays on one slide unless it is longer than a slide.
    assert [mp.key for p in parts for mp in p.moments] == [mp.key for mp in roadmap.moments]
    for day in engagement.perfect_days:
        holding = [n for n, p in enumerate(parts) if any(mp.perfect_day == day.id for mp in p.moments)]
        assert len(holding) == 1 or len(roadmap.moments_of(day.id)) > HEATMAP_ROWS_PER_SLIDE
    doc = RoadmapDocument(engagement, roadmap, title="Large", date=datetime.date(2027, 3, 1))
    (section,) = [s for s in doc.sections() if s.id == "traceability"]
    charts = slide_charts(section)
    assert len(charts) == len(parts)
    for n, (chart, part) in enumerate(zip(charts, parts, strict=True), start=1):
        expected = f"Part {n} of {len(parts)} of the traceability, {len(roadmap.moments)} moments in all."
        assert chart.alt.startswith(expected) and f"heatmap of {len(part.moments)} moment" in chart.alt


def test_a_long_client_name_keeps_the_footer_on_one_line(tmp_path: Path) -> None:
    long_name = "Northwind Outfitters and Associated Family Outdoor Clothing Retail Holdings " * 3

    def change(data: dict[str, Any]) -> None:
        data["client"] = long_name.strip()

    slides = variant_slides(tmp_path, change)
    footers = [
        shape
        for slide in slides
        for shape in slide.shapes
        if shape.has_text_frame and shape.top.inches > 7.0 and "Northwind" in shape.text_frame.text
    ]
    assert len(footers) >= len(slides) - 1  # every slide but the title slide
    for footer in footers:
        text = footer.text_frame.text
        (size,) = {run.font.size.pt for p in footer.text_frame.paragraphs for run in p.runs}
        # At about half an em a character, the line holds what the box is wide.
        assert len(text) * size * 0.5 / 72 <= footer.width.inches - 0.2, (len(text), size)
        assert "\n" not in text and (text.endswith("…") or long_name.strip() in text)


def test_one_unbroken_word_does_not_squeeze_the_other_columns() -> None:
    from visionkit._render_pptx import _columns

    def table(name: str) -> Table:
        header = [Cell([h]) for h in ("When", "Uplift", "Domain", "Effort", "Why")]
        row = [Cell(["2027-Q1"]), Cell([name]), Cell(["Customer data and identity"]), Cell(["3"], num=True)]
        return Table(header, [[*row, Cell(["2 moments: Priya's perfect Saturday (08:10, 11:00)"])]])

    normal = _columns(table("Single customer view"), 12.0, 10)
    emoji = _columns(table("😀" * 130 + " emoji capability"), 12.0, 10)
    assert abs(sum(emoji) - 12.0) < 1e-6
    # The other columns keep room for their longest word, as they have beside an ordinary name.
    for x in (0, 2, 3):
        assert emoji[x] >= 0.9 * min(normal[x], _columns(table("x"), None, 10)[x]), (x, emoji, normal)


def test_a_day_longer_than_a_slide_is_shared_evenly_in_the_traceability() -> None:
    from visionkit.document import split_by_day

    engagement = load_engagement(demo_path())
    roadmap = plan(engagement)
    day = engagement.perfect_days[0]
    long_day = [mp for mp in roadmap.moments if mp.perfect_day == day.id]
    assert len(long_day) == 5
    parts = split_by_day(dataclasses.replace(roadmap, moments=long_day), 4)
    assert [len(p.moments) for p in parts] == [3, 2]  # not four and a lone one
    assert [mp.key for p in parts for mp in p.moments] == [mp.key for mp in long_day]


def test_a_long_persona_is_cut_not_shrunk_on_its_days_slide(tmp_path: Path) -> None:
    persona = "Priya, parent of two, loyal but busy, who shops on Saturdays between football and swimming " * 4

    def change(data: dict[str, Any]) -> None:
        data["perfect_days"][0]["persona"] = persona.strip()

    slides = variant_slides(tmp_path, change)
    slide = next(s for s in slides if title(s).startswith("Priya's perfect Saturday"))
    (box,) = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text.startswith("Priya, parent of two")]
    sizes = {run.font.size.pt for p in box.text_frame.paragraphs for run in p.runs if run.font.size}
    assert min(sizes) >= 10 * 0.85  # the persona's own style is a little smaller than the box's size
    assert "…" in box.text_frame.text and persona.strip() not in box.text_frame.text
    assert "5 moments" in box.text_frame.text  # the day's facts stay
