"""Bad input: every file in tests/corpus/bad is refused with located problems, a hint, and no side effects.

The expected problems are in tests/corpus/bad/expected.tsv (one row per expected problem). Inputs
that cannot sensibly live in git as text (20 MB, Latin-1, UTF-16, a byte-order mark, Windows line
endings, a NUL byte) are made here from a small recipe, in a temporary folder.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from visionkit import engagement_file
from visionkit.engagement_file import MAX_FILE_BYTES, EngagementFile, load_engagement
from visionkit.errors import EngagementError, Problem

BAD = Path(__file__).parents[1] / "corpus" / "bad"
GOOD = Path(__file__).parents[1] / "corpus" / "good"


@dataclass(frozen=True)
class Expected:
    """One row of expected.tsv: a problem that loading `file` must report."""

    file: str
    line: int | None
    message: str
    hint: str
    category: str

    @property
    def path(self) -> Path:
        return BAD / self.file


def read_table() -> list[Expected]:
    with (BAD / "expected.tsv").open(encoding="utf-8", newline="") as fh:
        return [
            Expected(
                row["file"], int(row["line"]) if row["line"] else None, row["message"], row["hint"], row["category"]
            )
            for row in csv.DictReader(fh, delimiter="\t")
        ]


ROWS = read_table()
FILES = sorted({row.file for row in ROWS})

# Recipes for inputs kept out of git.
DAY = textwrap.dedent(
    """\
    perfect_days:
      - id: priya-saturday
        title: Priya's perfect Saturday
        moments:
          - story: The app offers the next shoe size.
            needs: {customer-360: 3}
    """
)
TWENTY_MB = 20 * 1024 * 1024


@dataclass(frozen=True)
class Recipe:
    """A bad input made by the test: its bytes and the problem it must give."""

    data: bytes
    line: int | None
    message: str
    hint: str
    category: str


GENERATED: dict[str, Recipe] = {
    "huge-20mb.yaml": Recipe(
        (f"client: Northwind\n{DAY}# " + "padding " * (TWENTY_MB // 8) + "\n").encode(),
        None,
        "the file is 20.0 MB; engagement files are limited to 2 MB",
        "split it",
        "aliases-and-size",
    ),
    "latin-1.yaml": Recipe(
        f"client: Café Nord\n{DAY}".encode("latin-1"),
        1,
        "the file is not UTF-8 text (byte 0xe9)",
        "save the file as UTF-8",
        "encoding",
    ),
    "utf-16.yaml": Recipe(
        f"client: Northwind\n{DAY}".encode("utf-16"),
        1,
        "the file is not UTF-8 text (byte 0xff)",
        "save the file as UTF-8",
        "encoding",
    ),
    "bom-and-crlf-with-error.yaml": Recipe(
        b"\xef\xbb\xbf" + f"client: Northwind\nscenario: {{waves: 0}}\n{DAY}".replace("\n", "\r\n").encode(),
        2,
        "0 is out of range: must be at least 1",
        "",
        "encoding",
    ),
    "nul-byte.yaml": Recipe(
        f"client: North\x00wind\n{DAY}".encode(),
        1,
        "control character (U+0000)",
        "delete it",
        "yaml-syntax",
    ),
    "long-value.yaml": Recipe(
        f"client: Northwind\nscenario: {{waves: {'many' * 50_000}}}\n{DAY}".encode(),
        2,
        "expected a whole number, got 'manymanymany",
        "",
        "long-strings",
    ),
}


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(EngagementError) as info:
        load_engagement(path)
    assert info.value.problems, "an EngagementError always carries its problems"
    return info.value.problems


def has_lines(data: bytes) -> bool:
    """Whether a file has a line that is more than a comment (so its problems can point at a line)."""
    text = data.decode("utf-8", "replace")
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    for name, recipe in GENERATED.items():
        (folder / name).write_bytes(recipe.data)
    return folder


def test_the_corpus_is_complete() -> None:
    on_disk = sorted(p.name for p in BAD.glob("*.yaml"))
    assert on_disk == FILES, "every bad file has a row in expected.tsv, and every row a file"
    assert len(FILES) + len(GENERATED) >= 40
    assert {
        "yaml-syntax", "document-shape", "wrong-type", "missing-field", "unknown-id", "unknown-field",
        "duplicate-id", "cycle", "out-of-range", "yaml-tag", "aliases-and-size", "long-strings", "dates",
    } <= {row.category for row in ROWS}  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.file}:{r.line}")
def test_expected_problem_is_reported(row: Expected) -> None:
    problems = problems_of(row.path)
    found = [p for p in problems if row.message in p.message and p.line == row.line]
    assert found, f"no problem with {row.message!r} on line {row.line}; got:\n" + "\n".join(map(str, problems))
    assert any(row.hint in p.hint for p in found), [p.hint for p in found]


@pytest.mark.parametrize("name", FILES)
def test_every_problem_names_file_line_and_column(name: str) -> None:
    path = BAD / name
    data = path.read_bytes()
    lines = data.count(b"\n") + 1
    for problem in problems_of(path):
        assert problem.file == str(path)
        assert problem.message
        if has_lines(data):
            assert problem.line is not None and problem.column is not None, problem
        if problem.line is not None:
            assert 1 <= problem.line <= lines and problem.column is not None and problem.column >= 1, problem
        assert len(str(problem)) < 600, "messages stay short, however long the input"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_bad_input_is_refused(generated: Path, name: str) -> None:
    recipe = GENERATED[name]
    problems = problems_of(generated / name)
    assert any(recipe.message in p.message and p.line == recipe.line and recipe.hint in p.hint for p in problems), (
        problems
    )
    for problem in problems:
        assert problem.file == str(generated / name)
        assert len(str(problem)) < 600


@pytest.mark.parametrize("name", FILES)
def test_windows_line_endings_and_bom_report_the_same_places(tmp_path: Path, name: str) -> None:
    lf = (BAD / name).read_bytes()
    expected = [(p.line, p.column, p.message) for p in problems_of(BAD / name)]
    crlf = tmp_path / name
    crlf.write_bytes(b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n"))
    got = [(p.line, p.column, p.message.replace(str(crlf), "")) for p in problems_of(crlf)]
    assert got == [(line, column, message.replace(str(BAD / name), "")) for line, column, message in expected]


@pytest.mark.parametrize("source", sorted(GOOD.glob("*.yaml")), ids=lambda p: p.name)
@pytest.mark.parametrize("variant", ["crlf", "bom", "bom+crlf", "cr"])
def test_windows_line_endings_and_bom_load_fine(tmp_path: Path, source: Path, variant: str) -> None:
    data = source.read_bytes()
    if "crlf" in variant:
        data = data.replace(b"\n", b"\r\n")
    if variant == "cr":
        data = data.replace(b"\n", b"\r")  # classic Mac OS line endings: YAML allows them too
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / source.name
    path.write_bytes(data)
    assert load_engagement(path) == load_engagement(source)


def test_loading_writes_nothing(generated: Path) -> None:
    before, before_generated = snapshot(BAD), snapshot(generated)
    for name in FILES:
        problems_of(BAD / name)
    for name in GENERATED:
        problems_of(generated / name)
    assert snapshot(BAD) == before
    assert snapshot(generated) == before_generated


def test_validate_command_reports_every_file_without_traceback(tmp_path: Path, generated: Path) -> None:
    # One process for the whole corpus keeps this fast; the working folder shows anything written.
    before, before_generated = snapshot(BAD), snapshot(generated)
    files = [str(BAD / name) for name in FILES] + [str(generated / name) for name in sorted(GENERATED)]
    result = subprocess.run(
        [sys.executable, "-m", "visionkit", "validate", *files],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,  # a hang guard, not a timing check
        check=False,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "ok " not in result.stdout
    for name in files:
        assert f"error {name}" in result.stderr, f"{name} is not reported"
    for row in ROWS:
        assert f"{row.path}{':' + str(row.line) if row.line else ''}" in result.stderr
        assert row.message in result.stderr
    assert snapshot(BAD) == before
    assert snapshot(generated) == before_generated
    assert list(tmp_path.iterdir()) == [], "validate wrote something"


def test_python_tags_construct_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "hacked.txt"
    for tag in (
        f'!!python/object/apply:os.system ["touch {marker}"]',
        f"!!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path [{marker}]]",
        f"!!python/object/new:pathlib.Path [{marker}]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:builtins.object {}",
    ):
        path = tmp_path / "tagged.yaml"
        path.write_text(f"client: {tag}\n{DAY}", encoding="utf-8")
        (problem,) = problems_of(path)
        assert problem.message.startswith("the tag !!python/") and problem.message.endswith("is not allowed")
        assert (problem.line, problem.column) == (1, 9)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("tagged", "value"),
    [("!!str 2027", "2027"), ("!!str yes", "yes"), ('!!str "x"', "x"), ("! Northwind", "Northwind")],
)
def test_plain_yaml_tags_are_allowed(tagged: str, value: str) -> None:
    file = EngagementFile.from_text(f"client: {tagged}\n{DAY}", Path("x.yaml"))
    assert file.engagement.client == value


def test_the_values_limit_counts_every_value(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit (200,000) takes seconds to reach without aliases; the counting is the same.
    monkeypatch.setattr(engagement_file, "MAX_VALUES", 1_000)
    text = "client: Northwind\nindustry:\n" + "".join(f"  - {n}\n" for n in range(1_200)) + DAY
    with pytest.raises(EngagementError) as info:
        EngagementFile.from_text(text, Path("x.yaml"))
    (problem,) = info.value.problems
    assert problem.message == "the file holds more than 1,000 values"
    # Values so far: the root, client and its value, industry, the list: item 995 (line 998) is the 1,001st.
    assert (problem.line, problem.column) == (998, 5)


def test_text_over_the_size_limit_is_refused_before_parsing() -> None:
    text = "client: Northwind\n" + DAY + "# " + "x" * MAX_FILE_BYTES + "\n"
    with pytest.raises(EngagementError) as info:
        EngagementFile.from_text(text, Path("x.yaml"))
    assert "engagement files are limited to 2 MB" in info.value.problems[0].message


MEMORY_PROBE = textwrap.dedent(
    """\
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB of address space, no more
    from visionkit.engagement_file import load_engagement
    from visionkit.errors import EngagementError
    results = {}
    for name in sys.argv[1:]:
        try:
            load_engagement(name)
            results[name] = "loaded"
        except EngagementError as exc:
            results[name] = [p.message for p in exc.problems]
    # VmHWM is this program's own peak: ru_maxrss would carry over the peak of the test process that
    # forked it (Linux keeps it across exec), which grows with whatever ran before in the same session.
    with open("/proc/self/status") as status:
        results["maxrss_kb"] = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps(results))
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/status are Linux behaviour")
def test_huge_files_and_alias_bombs_stay_within_memory(generated: Path) -> None:
    names = [str(generated / "huge-20mb.yaml"), str(BAD / "alias-bomb.yaml"), str(BAD / "nesting-too-deep.yaml")]
    if Path("/dev/zero").exists():
        names.append("/dev/zero")  # endless: a device is refused before it is opened
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, *names],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a timing check
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads(result.stdout)
    assert "limited to 2 MB" in results[names[0]][0]
    assert "once its aliases are expanded" in results[names[1]][0]
    assert "nested more than 50 levels deep" in results[names[2]][0]
    if len(names) > 3:
        assert "not a regular file" in results[names[3]][0]  # /dev/zero: refused before it is opened
    assert results["maxrss_kb"] < 400 * 1024, "refusing bad input must not need much memory"


def test_the_reliability_report_counts_the_cases() -> None:
    """docs/reliability.md counts each category's cases; it must stay true as cases are added."""
    cases = {(row.file, row.category) for row in ROWS} | {(name, r.category) for name, r in GENERATED.items()}
    counts = Counter(category for _, category in cases)
    report = (Path(__file__).parents[2] / "docs" / "reliability.md").read_text(encoding="utf-8")
    table = {
        cells[0].strip("` "): int(cells[1])
        for line in report.splitlines()
        if line.startswith("| `") and (cells := [c.strip() for c in line.strip("|").split("|")])[1].isdigit()
    }
    assert table == dict(counts)
