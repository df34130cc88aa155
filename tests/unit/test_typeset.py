"""Typesetting to PDF: text reaches Typst literally, every output kind is set, and PDFs are reproducible."""

from __future__ import annotations

import base64
import io
import json
from importlib import resources

import nbformat
import pytest
import typst
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from visionkit._brand import DEFAULT_BRAND
from visionkit._typeset import chart_width_mm, document_source, lit, notebook_to_pdf, parse, typeset
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
    Span,
    Table,
    Wow,
)
from visionkit.model import Branding
from visionkit.sections import SECTION_MIME, Section, stylesheet

HOSTILE = {
    '#set page(fill: red) #import "x.typ"': "#set page(fill: red)",
    '"); #panic("boom") ("': '#panic("boom")',
    "\\u{41} \\ backslash ] [ } { $x^2$ <label> @ref *strong* _em_ `raw` // comment /* c */": "$x^2$ <label> @ref",
    "line\nbreak\r\ttab": "line",
}


def section(blocks: list[Block], style: str = "", **meta: object) -> dict[str, object]:
    return Section("s", "S", blocks, True, dict(meta), style).payload()  # type: ignore[arg-type]


def notebook(*outputs: dict[str, object], markdown: str | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    if markdown is not None:
        nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    for data in outputs:
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        nb.cells.append(cell)
    return nb


def text_of(pdf: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_a_literal_holds_any_text_exactly(text: str) -> None:
    source = f"#metadata({lit(text)}) <m>".encode()
    assert json.loads(typst.query(source, "<m>", field="value", one=True)) == text


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE.items())
def test_hostile_text_in_every_element_is_printed_not_run(hostile: str, shown: str) -> None:
    from visionkit._markup import escape

    t = hostile
    blocks: list[Block] = [
        Heading(2, [t]),
        Paragraph([t, " ", Span("strong", [t])], "story"),
        Chips([[t, " ", Span("level", ["L2"])]]),
        Table([Cell([t]), Cell(["n"], num=True)], [[Cell([t]), Cell(["1"], num=True)]]),
        Facts([([t], [t])]),
        Code(t),
    ]
    e = escape(hostile)
    html = (
        f"<section class='vk-section'><h2>{e}</h2><p class='vk-story'>{e} <strong>{e}</strong></p>"
        f"<ul class='vk-needs'><li>{e} <span class='vk-level'>L2</span></li></ul>"
        f"<table class='vk-table'><thead><tr><th>{e}</th><th class='num'>n</th></tr></thead>"
        f"<tbody><tr><td>{e}</td><td class='num'>1</td></tr></tbody></table>"
        f"<dl><dt>{e}</dt><dd>{e}</dd></dl><pre>{e}</pre></section>"
    )
    nb = notebook({SECTION_MIME: section(blocks, client=hostile, title=hostile)}, {"text/html": html})
    body = " ".join(text_of(notebook_to_pdf(nb)).split())
    # Eight places in the section, eight in the HTML output, and the running header, all as text.
    assert body.count(shown) >= 16, body


def test_every_kind_of_element_is_set_in_html_and_in_the_pdf() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt"><text x="5" y="20">in svg</text></svg>'
    facts = Facts([(["Term"], ["Value"])])
    blocks: list[Block] = [
        Cover("A client", "A title", "A subtitle", facts),
        Heading(2, ["A heading"]),
        Group("day", [Card([[Span("when", ["At nine"])], [Span("live", ["Live: now"])]], [Wow("Wow", ["a wow"])])]),
        Group("rubric", [Levels([Level([Span("level", ["L1"]), " a level"], now=True, target=False)])]),
        Chart(svg, "a chart"),
    ]
    payload = section(blocks)
    html = Section.from_payload(payload).html
    body = " ".join(text_of(notebook_to_pdf(notebook({SECTION_MIME: payload}))).split())
    for words in ("A client", "A title", "A subtitle", "Term", "Value", "A heading", "At nine", "Live: now", "a wow"):
        assert words in html and words in body, words
    assert "a level" in body and "in svg" in body and 'aria-label="a chart"' in html


def test_a_section_read_back_from_its_output_is_the_same_tree() -> None:
    blocks: list[Block] = [Heading(2, ["T"]), Chips([["x ", Span("level", ["L1"])]]), Facts([(["a"], ["b"])])]
    payload = json.loads(json.dumps(section(blocks, brand="#abc")))
    back = Section.from_payload(payload)
    assert back.blocks == blocks and back.meta == {"brand": "#abc"}
    with pytest.raises(ValueError, match="unknown document element 'script'"):
        Section.from_payload({**payload, "blocks": [{"kind": "script"}]})


def test_scripts_and_styles_are_dropped_and_other_html_kept_as_text() -> None:
    html = (
        "<p>before<script>alert('x')</script><style>p{color:red}</style> after "
        "<img src='https://example.com/x.png' alt='a picture'> <a href='javascript:alert(1)'>a link</a></p>"
    )
    body = text_of(notebook_to_pdf(notebook({"text/html": html})))
    assert "before" in body and "after" in body and "a link" in body and "a picture" in body
    assert "alert" not in body and "color:red" not in body


def test_markdown_cells_and_other_outputs_are_set() -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    png = base64.b64encode(buffer.getvalue()).decode()
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt"><text x="5" y="20">in svg</text></svg>'
    nb = notebook(
        {"text/markdown": "| a | b |\n|---|---|\n| cell one | cell two |"},
        {"image/png": png},
        {"image/svg+xml": svg},
        markdown="# A heading\n\nSome *text* with `code`.\n\n- one\n- two\n\n```\nblock of code\n```",
    )
    source, assets = document_source(nb)
    assert sorted(name.rsplit(".", 1)[1] for name in assets) == ["png", "svg"]
    pdf = typeset(source, assets)
    body = text_of(pdf)
    for words in ("A heading", "text", "code", "one", "two", "block of code", "cell one", "cell two", "in svg"):
        assert words in body
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages) == 1  # the PNG, not the SVG


def test_removed_and_parameter_cells_are_not_set() -> None:
    nb = notebook({"text/html": "<p>shown</p>"}, markdown="hidden words")
    nb.cells[0].metadata["tags"] = ["remove-cell"]
    hidden = nbformat.v4.new_code_cell("x")
    hidden.metadata["tags"] = ["parameters"]
    hidden.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>parameter words</p>"})]
    nb.cells.append(hidden)
    body = text_of(notebook_to_pdf(nb))
    assert "shown" in body and "hidden" not in body and "parameter words" not in body


def test_pdf_is_reproducible_and_dated_by_the_document() -> None:
    nb = notebook({SECTION_MIME: section([Heading(2, ["T"]), Paragraph(["x"])], date="2027-03-01")})
    first, second = notebook_to_pdf(nb), notebook_to_pdf(nb)
    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"].startswith("D:20270301")


def test_one_default_brand_colour_where_code_cannot_import_it() -> None:
    # The stylesheet and the HTML template are read by browsers and Jinja, not Python: they repeat the value.
    template = resources.files("visionkit").joinpath("templates/visionkit/index.html.j2").read_text("utf-8")
    assert Branding().primary == DEFAULT_BRAND
    assert f"--brand: {DEFAULT_BRAND};" in stylesheet()
    assert f"brand='{DEFAULT_BRAND}'" in template


def test_a_bad_brand_colour_falls_back_to_the_default() -> None:
    blocks: list[Block] = [Heading(2, ["T"])]
    source, _ = document_source(notebook({SECTION_MIME: section(blocks, brand='red"); #panic("x')}))
    assert f'rgb("{DEFAULT_BRAND}")' in source
    assert notebook_to_pdf(notebook({SECTION_MIME: section(blocks, brand="#abc")}))


@pytest.mark.parametrize(
    ("head", "width"),
    [
        ('<svg width="360pt" height="180pt">', 127.0),  # its own width
        ('<svg width="720pt" height="360pt">', 176.0),  # at most the text width
        ('<svg width="500pt" height="2000pt">', 56.25),  # a tall chart fits a page: 225 mm * 1 / 4
        ('<svg viewBox="0 0 400 200">', 141.11),
        ("<svg>", 176.0),
    ],
)
def test_chart_width(head: str, width: float) -> None:
    assert chart_width_mm(head + "</svg>") == pytest.approx(width, abs=0.01)


def test_inline_svg_is_taken_out_before_parsing() -> None:
    svgs: list[str] = []
    tree = parse("<figure><svg><text>&lt;b&gt;</text></svg></figure><p>x</p>", svgs)
    assert svgs == ["<svg><text>&lt;b&gt;</text></svg>"]
    assert [n.tag for n in tree.elements()] == ["figure", "p"]


def test_a_chart_section_with_several_charts_puts_each_on_its_own_page() -> None:
    # A long roadmap is split into page-sized charts (document.split_by_domain); each gets a page.
    def figure(label: str) -> Chart:
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="500pt">'
            f'<text x="10" y="20">{label}</text></svg>'
        )
        return Chart(svg, label)

    charts: list[Block] = [Heading(2, ["Roadmap"]), Paragraph(["Every uplift."])]
    charts += [figure("part one"), figure("part two"), figure("part three")]
    after: list[Block] = [Heading(2, ["Next"]), Paragraph(["After the charts."])]
    nb = notebook({SECTION_MIME: section(charts, "chart")}, {SECTION_MIME: section(after)})
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(notebook_to_pdf(nb))).pages]
    assert len(pages) == 3
    assert "Roadmap" in pages[0] and "Every uplift." in pages[0] and "part one" in pages[0]
    assert "part two" in pages[1] and "part three" in pages[2] and "After the charts." in pages[2]


def test_emoji_in_client_text_are_drawn_in_colour() -> None:
    # Strategists write "✨" and "🚀" in names and stories. DejaVu has no such glyph: the PDF showed
    # nothing in its place until the colour emoji font was among the system packages (tools/system-packages).
    def type3_fonts(pdf: bytes) -> int:
        fonts = [
            f.get_object() for page in PdfReader(io.BytesIO(pdf)).pages for f in page["/Resources"]["/Font"].values()
        ]
        return sum(1 for font in fonts if font["/Subtype"] == "/Type3")  # colour glyphs are Type 3 fonts in a PDF

    with_emoji = notebook({SECTION_MIME: section([Paragraph(["A perfect day ✨ with a rocket 🚀"], "story")])})
    plain = notebook({SECTION_MIME: section([Paragraph(["A perfect day with a rocket"], "story")])})
    assert type3_fonts(notebook_to_pdf(plain)) == 0
    assert type3_fonts(notebook_to_pdf(with_emoji)) >= 1
