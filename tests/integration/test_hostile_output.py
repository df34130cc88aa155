"""Nothing injected: hostile text in an engagement appears literally in every output and runs nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from visionkit.batch import Client, assign_slugs, slugify
from visionkit.cli import demo_path

HOSTILE = {
    "script": "<script>alert('story')</script>",
    "html": '<img src=x onerror="alert(1)"><b>bold?</b>',
    "link": "[click me](javascript:alert(1))",
    "jinja": "{{ 7 * 7 }} {% if true %}jinja{% endif %}",
    "latex": r"\textbf{latex} $x^2$ \input{/etc/passwd}",
    "typst": '#set page(fill: red) #import "x.typ"',
    "placeholder": "{client} {engagement_file} %(title)s",
}


def hostile_engagement(tmp_path: Path) -> Path:
    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load(demo_path().read_text(encoding="utf-8"))
    data["client"] = "Acme <script>alert('client')</script> {client} & Co"
    day = data["perfect_days"][0]
    day["title"] = "Priya's day " + HOSTILE["jinja"]
    day["persona"] = "Priya " + HOSTILE["html"]
    for moment, text in zip(day["moments"], ["script", "link", "latex", "typst", "placeholder"], strict=True):
        moment["story"] = f"Story with {text}: {HOSTILE[text]}"
    day["moments"][0]["wow"] = "Wow " + HOSTILE["html"]
    path = tmp_path / "hostile.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    source = hostile_engagement(tmp)
    title = "Board pack \"Q1\"\nwith a \\backslash and 'quotes' {title}"
    result = subprocess.run(
        [sys.executable, "-m", "visionkit", "build", str(source), "--out", str(tmp / "out"), "--title", title],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (folder,) = (tmp / "out").iterdir()
    return folder


def test_html_shows_hostile_text_literally(built: Path) -> None:
    html = (built / "roadmap.html").read_text(encoding="utf-8")
    parser = _Elements()
    parser.feed(html)
    tags = [tag for tag, _ in parser.tags]
    assert "script" not in tags and "img" not in tags
    assert not any((attrs.get("href") or "").lower().startswith("javascript") for _, attrs in parser.tags)
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)
    text = "".join(parser.text)
    for fragment in HOSTILE.values():
        assert fragment in text, fragment
    assert "Acme <script>alert('client')</script> {client} & Co" in text
    assert "49" not in text.split("{{ 7 * 7 }}")[0][-5:]  # Jinja never evaluated


def test_pdf_shows_hostile_text_literally(built: Path) -> None:
    body = " ".join((page.extract_text() or "") for page in PdfReader(built / "roadmap.pdf").pages)
    flat = " ".join(body.split())
    for fragment in (
        "<script>alert('story')</script>",
        "[click me](javascript:alert(1))",
        "{{ 7 * 7 }}",
        r"\textbf{latex} $x^2$",
        "#set page(fill: red)",
        "{client} {engagement_file} %(title)s",
    ):
        assert fragment in flat, fragment  # fmt: skip


def test_parameters_arrive_intact(built: Path) -> None:
    nb = nbformat.read(built / "roadmap.ipynb", as_version=4)
    title = "Board pack \"Q1\"\nwith a \\backslash and 'quotes' {title}"
    assert nb.metadata.papermill.parameters["title"] == title
    outputs = json.dumps([o for c in nb.cells for o in c.get("outputs", [])])
    assert "Board pack &quot;Q1&quot;\\nwith a \\\\backslash and &#x27;quotes&#x27; {title}" in outputs
    assert not any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("/absolute/path", "absolute-path"),
        ("CON", "con-client"),
        ("nul", "nul-client"),
        ("tab\tand\nnewline\x00nul", "tab-and-newline-nul"),
        ("Zürich Ærøskøbing", "zurich-rskbing"),
        ("x" * 300, "x" * 60),
    ],
)
def test_client_names_become_safe_folder_names(name: str, expected: str) -> None:
    assert slugify(name) == expected


def test_non_latin_names_and_collisions_get_distinct_reported_folders() -> None:
    clients = [Client(n, Path(f"{i}.yaml"), {}) for i, n in enumerate(["東京 Retail", "Acme", "ACME!", "acme", "北京"])]
    notes = assign_slugs(clients)
    slugs = [c.slug for c in clients]
    assert len(set(slugs)) == len(slugs)
    assert all("/" not in s and s not in ("", ".", "..") for s in slugs)
    assert slugs[1:4] == ["acme", "acme-2", "acme-3"]
    assert slugs[0] == "retail"
    assert slugs[4].startswith("client-") and slugs[4] != slugify("東京")  # stable, distinct per name
    assert len(notes) == 2 and all("is taken by 'Acme'" in n for n in notes)
