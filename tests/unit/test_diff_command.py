"""`visionkit diff`: two files, or one file at a git revision; every bad input one message and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from visionkit.cli import demo_path, main

GIT = "/usr/bin/git"


def edited(text: str) -> str:
    """The demo with more capacity, a higher assessment and a retitled day."""
    for old, new in (
        ("capacity: 12,", "capacity: 14,"),
        ("  customer-360: 1\n", "  customer-360: 2\n"),
        ("title: Sam's perfect shift", "title: Sam's perfect Saturday shift"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    text = demo_path().read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(edited(text), encoding="utf-8")
    return old, new


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        [GIT, "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding two commits of `northwind.yaml`: the demo, then the demo edited."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # git never finds a repository above the test's
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    file = folder / "northwind.yaml"
    text = demo_path().read_text(encoding="utf-8")
    file.write_text(text, encoding="utf-8")
    git(folder, "add", "northwind.yaml")
    git(folder, "commit", "-q", "-m", "first")
    file.write_text(edited(text), encoding="utf-8")
    git(folder, "commit", "-q", "-am", "second")
    return folder


def test_two_files_say_what_changed_in_each_part(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new = two
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Northwind Outfitters: {old} → {new}\n")
    lines = [line.strip() for line in out.splitlines()]
    for line in (
        "The perfect days",
        "• Sam's perfect shift is now called Sam's perfect Saturday shift.",
        "The assessment and the scenario",
        "• Single customer view: level 1 → 2.",
        "• Capacity: 12 points per wave → 14 points per wave.",
        "What it did to the plan",
        "When each perfect day is live in full",
    ):
        assert line in lines, line
    assert any(
        line.startswith("• No longer needed: Single customer view to level 2 (was 2027-Q1 (wave 1))") for line in lines
    )
    assert "customer-360" not in out


def test_identical_versions_say_no_changes(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, _ = two
    assert main(["diff", str(old), str(demo_path())]) == 0
    assert capsys.readouterr().out == f"no changes between {old} and {demo_path()}\n"


def test_json_holds_every_group(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new = two
    assert main(["diff", str(old), str(new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == str(old) and data["new"] == str(new) and data["changed"] is True
    assert data["assessment"] == [
        {
            "kind": "assessment-raised",
            "sentence": "Single customer view: level 1 → 2.",
            "subject": "customer-360",
            "old": 1,
            "new": 2,
            "why": "",
        }
    ]
    assert {"narrative", "scenario", "catalog", "details", "uplifts", "moments", "days", "experience"} <= set(data)
    assert data["experience"]["old"] < data["experience"]["new"]


def test_a_file_against_a_git_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = repo / "northwind.yaml"
    assert main(["diff", str(file), "--rev", "HEAD~1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Northwind Outfitters: {file} at HEAD~1 → {file} now\n")
    assert "• Single customer view: level 1 → 2." in out
    assert main(["diff", str(file), "--rev", "HEAD"]) == 0
    assert capsys.readouterr().out.startswith("no changes between")


def test_a_file_at_a_revision_from_another_folder(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.parent)
    assert main(["diff", "repo/northwind.yaml", "--rev", "HEAD~1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == "repo/northwind.yaml at HEAD~1" and data["changed"] is True


@pytest.mark.parametrize(
    ("rev", "message"),
    [
        ("HEAD~5", "git knows no revision 'HEAD~5' in this repository"),
        ("no-such-branch", "git knows no revision 'no-such-branch' in this repository"),
        ("--output=/tmp/x", "the revision '--output=/tmp/x' starts with '-'"),
        ("-p", "the revision '-p' starts with '-'"),
        ("HEAD 1", "the revision 'HEAD 1' holds whitespace, a NUL or ':'"),
        ("HEAD\n", "the revision 'HEAD\\n' holds whitespace, a NUL or ':'"),
        ("HEAD\0", "the revision 'HEAD\\x00' holds whitespace, a NUL or ':'"),
        ("HEAD:other.yaml", "the revision 'HEAD:other.yaml' holds whitespace, a NUL or ':'"),
    ],
)
def test_a_bad_revision_is_one_message_and_exit_2(
    repo: Path, rev: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = repo / "northwind.yaml"
    assert main(["diff", str(file), f"--rev={rev}"]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.splitlines()[0] == f"error {file}: {message}"
    assert "hint:" in out.err and "Traceback" not in out.err and out.err.endswith("1 problem found\n")


def test_a_file_outside_git_is_one_message_and_exit_2(
    two: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, _ = two
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(old.parent.parent))
    assert main(["diff", str(old), "--rev", "HEAD~1"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"error {old}: the file is not in a git repository, so it has no earlier versions"
    assert "visionkit diff OLD.yaml NEW.yaml" in err


def test_a_file_not_in_the_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = repo / "later.yaml"
    file.write_bytes(demo_path().read_bytes())
    # Untracked, it has no versions at all: said so, rather than "added later".
    assert main(["diff", str(file), "--rev", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"error {file}: git does not track this file, so it has no earlier versions"
    assert "git add" in err
    subprocess.run(["git", "-C", str(repo), "add", "later.yaml"], check=True, capture_output=True)
    assert main(["diff", str(file), "--rev", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"error {file}: the file is not in revision 'HEAD'" and "added" in err


def test_a_missing_file_with_rev_says_only_that(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = repo / "gone" / "northwind.yaml"
    assert main(["diff", str(file), "--rev", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"error {file}: no such file" and err.endswith("1 problem found\n")


def test_an_earlier_version_that_does_not_validate_is_located(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = repo / "northwind.yaml"
    good = file.read_text(encoding="utf-8")
    file.write_text(good.replace("  customer-360: 2\n", "  customer-36: 2\n"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    file.write_text(good, encoding="utf-8")
    assert main(["diff", str(file), "--rev", "HEAD"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    line = good.splitlines().index("  customer-360: 2") + 1  # where the broken entry sat in that revision
    assert f"error HEAD:{file}:{line}:16: assessment.customer-36: unknown capability 'customer-36'" in err
    assert "did you mean 'customer-360'?" in err


def test_bad_files_are_reported_together_without_traceback(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text("client: x\nperfect_days: [\n", encoding="utf-8")
    new.write_text(
        demo_path().read_text(encoding="utf-8").replace("customer-360: 3,", "customer-360: 7,"), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "visionkit", "diff", str(old), str(new)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    err = " ".join(result.stderr.split())
    assert f"error {old}:3:1: YAML syntax error" in err
    lines = new.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "customer-360: 7," in text)
    assert f"error {new}:{line}:31:" in err and "perfect_days[0].moments[0].needs.customer-360" in err
    assert err.endswith("2 problems found")


def test_a_missing_file_and_wrong_arguments_exit_2(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new = two
    assert main(["diff", str(old), str(old.parent / "nope.yaml")]) == 2
    assert capsys.readouterr().err.startswith(f"error {old.parent / 'nope.yaml'}: no such file")
    assert main(["diff", str(old)]) == 2
    assert "give two files, or one file and --rev" in capsys.readouterr().err
    assert main(["diff", str(old), str(new), "--rev", "HEAD"]) == 2
    assert "give two files, or one file and --rev" in capsys.readouterr().err
