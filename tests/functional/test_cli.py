"""The `visionkit` command: exit statuses, readable output, no tracebacks, inputs untouched."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from visionkit.cli import demo_path, main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "visionkit", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_validate_ok_prints_a_summary() -> None:
    result = run("validate", str(demo_path()))
    assert result.returncode == 0
    assert "ok" in result.stdout
    assert "Northwind Outfitters, 2 perfect days, 9 moments" in result.stdout


def test_validate_bad_file_exits_2_without_traceback(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(
        """
        client: x
        perfect_days:
          - id: d
            title: T
            moments:
              - story: s
                needs: {customer-36: 3}
        """
    )
    before = path.read_bytes()
    result = run("validate", str(path), str(demo_path()))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}:7:30: perfect_days[0].moments[0].needs.customer-36: unknown capability 'customer-36'" in (
        result.stderr.replace("\n", " ")
    )
    assert "did you mean 'customer-360'?" in result.stderr
    assert "ok" in result.stdout  # the good file is still checked and reported
    assert path.read_bytes() == before


def test_plan_prints_roadmap_readiness_and_waves() -> None:
    result = run("plan", str(demo_path()), "--waves", "8", "--capacity", "10", "--strategy", "foundations")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for heading in ("Roadmap", "Readiness", "Waves", "8 waves (quarter) of 10 points", "strategy foundations"):
        assert heading in out
    assert "customer-360@3" in out
    assert "Priya's perfect Saturday" in out and "2028-Q4" in out


def test_plan_csv_is_machine_readable() -> None:
    import csv
    import io

    result = run("plan", str(demo_path()), "--format", "csv", "--pin", "clienteling=4", "--exclude", "social-listening")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_id = {r["uplift"]: r for r in rows}
    assert by_id["clienteling@3"]["start_wave"] == "4"
    assert by_id["social-listening@2"]["status"] == "excluded"


def test_plan_csv_keeps_formula_looking_text_as_text(tmp_path: Path) -> None:
    import csv
    import io

    import visionkit as vk

    hostile = '=HYPERLINK("http://example.invalid","click")'
    override = f"    - id: customer-360\n      name: '{hostile}'\n      domain: '@fulfilment'\n"
    text = demo_path().read_text(encoding="utf-8")
    assert "    - id: same-day-courier\n" in text
    path = tmp_path / "hostile.yaml"
    path.write_text(text.replace("    - id: same-day-courier\n", override + "    - id: same-day-courier\n"), "utf-8")
    result = run("plan", str(path), "--format", "csv")
    assert result.returncode == 0, result.stderr
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert "'" + hostile in cells and "'@fulfilment" in cells
    raw = vk.plan(vk.load_engagement(path)).table()  # the Python API keeps the raw text
    assert hostile in set(raw["name"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pin", "customer-36=2"], "unknown capability 'customer-36'"),
        (["--pin", "customer-360=9"], "pinned to wave 9, but the scenario has 6 waves"),
        (["--strategy", "fastest"], "'fastest' is not one of: experience, optimal, value"),
        (["--pin", "customer-360"], "is not CAPABILITY=WAVE"),
        (["--capacity", "-2"], "is not a whole number of 0 or more"),
        (["--time-limit", "0"], "'0' is not a number of seconds more than 0"),
        (["--time-limit", "soon"], "'soon' is not a number of seconds more than 0"),
        (["--time-limit", "5000"], "'5000' is not a number of seconds more than 0 and at most 3600"),
    ],
)
def test_plan_bad_overrides_exit_2(args: list[str], message: str) -> None:
    result = run("plan", str(demo_path()), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_optimal_says_it_is_proven_optimal_and_the_experience_delivered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", str(demo_path()), "--strategy", "optimal"]) == 0
    out = capsys.readouterr().out
    assert "strategy optimal" in out
    assert re.search(r"^Plan: proven optimal \(\d+\.\d s\)$", out, re.MULTILINE), out
    assert re.search(r"^Experience delivered: \d+\.\d ", out, re.MULTILINE)


def test_plan_by_a_fixed_order_claims_no_proof(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(demo_path()), "--strategy", "value"]) == 0
    out = capsys.readouterr().out
    assert "Experience delivered:" in out and "Plan:" not in out and "optimal" not in out


def test_the_time_limit_reaches_the_plan(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    import visionkit.planner

    planned = []
    real_plan = visionkit.planner.plan

    def plan(*args: Any, **kwargs: Any) -> Any:
        planned.append(real_plan(*args, **kwargs))
        return planned[-1]

    monkeypatch.setattr(visionkit.planner, "plan", plan)
    assert main(["plan", str(demo_path()), "--strategy", "value", "--time-limit", "2.5"]) == 0
    assert planned[-1].scenario.time_limit == 2.5
    assert "--time-limit applies to strategy optimal only, not value" in capsys.readouterr().err
    assert main(["plan", str(demo_path()), "--strategy", "optimal", "--time-limit", "30", "--format", "csv"]) == 0
    assert planned[-1].scenario.time_limit == 30 and planned[-1].proof is not None
    captured = capsys.readouterr()
    assert captured.err == ""
    rows = list(csv.reader(io.StringIO(captured.out)))  # the proof is for people: the CSV holds rows only
    assert rows[0][0] == "uplift" and len(rows) == 1 + len(planned[-1].uplifts)


def test_the_strategy_help_says_what_every_strategy_does() -> None:
    import argparse

    from visionkit.cli import build_parser
    from visionkit.strategies import STRATEGIES

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    for command in ("plan", "build", "demo"):
        helps = {option: a.help or "" for a in commands[command]._actions for option in a.option_strings}
        assert all(name in helps["--strategy"] for name in STRATEGIES), command
        assert "optimal" in helps["--time-limit"], command


def test_catalog_lists_capabilities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--domain", "trust"]) == 0
    out = capsys.readouterr().out
    assert "consent-management" in out and "customer-360" not in out
    # The title counts what is listed, not the whole catalog.
    from visionkit.catalog import default_catalog

    in_trust = sum(1 for c in default_catalog().values() if c.domain == "trust")
    assert out.lstrip().startswith(f"{in_trust} capabilities in Trust and privacy")
    assert main(["catalog", "--domain", "no-such-domain"]) == 2
    err = capsys.readouterr().err
    assert "no capability in domain 'no-such-domain'" in err and "trust" in err and "Traceback" not in err


def test_demo_builds_and_prints_the_pdf_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--out", str(tmp_path), "--to", "pdf"]) == 0
    out = capsys.readouterr().out
    pdf = tmp_path / "northwind-outfitters" / "roadmap.pdf"
    assert pdf.is_file() and out.rstrip().endswith(str(pdf.resolve()))
    # It leaves a copy of its engagement file, for the README's commands; an edited copy is kept.
    copy = tmp_path / "northwind.yaml"
    assert copy.read_bytes() == demo_path().read_bytes() and f"engagement file to try commands on: {copy}" in out
    copy.write_text(copy.read_text(encoding="utf-8") + "# my edit\n", encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path), "--to", "pdf"]) == 0
    assert copy.read_text(encoding="utf-8").endswith("# my edit\n")
    assert main(["plan", str(copy), "--scenario", "more budget"]) == 0  # the README's commands work on it


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("visionkit ")


def test_the_command_line_parses_without_loading_the_heavy_libraries(
    imported_after: Callable[[str, Iterable[str]], list[str]],
) -> None:
    # `visionkit --help` and the start of a build wait for this; pydantic alone took about 0.25 s.
    code = (
        "from visionkit.cli import build_parser\nbuild_parser().parse_args(['build', 'x.csv', '--strategy', 'value'])"
    )
    heavy = ("pydantic", "ruamel", "yaml", "nbformat", "jupyter_client", "matplotlib", "numpy", "rich")
    assert imported_after(code, heavy) == []


@pytest.mark.parametrize("command", ["build", "demo"])
def test_every_option_the_build_accepts_is_read(command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An option the build accepts but never reads would be silently ignored (as --pin once was)."""
    import argparse

    import visionkit.batch
    from visionkit.cli import build_parser, cmd_build, cmd_demo

    class Stop(Exception):
        pass

    class Recorded(argparse.Namespace):
        read: set[str]

        def __getattribute__(self, name: str) -> object:
            if not name.startswith("_") and name != "read":
                object.__getattribute__(self, "read").add(name)
            return object.__getattribute__(self, name)

    class NoBatch:
        def __init__(self, **settings: object) -> None:
            raise Stop

    monkeypatch.setattr(visionkit.batch, "Batch", NoBatch)
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args([command, *(["northwind.yaml"] if command == "build" else [])])
    recorded = Recorded(**vars(args))
    object.__setattr__(recorded, "read", set())
    with pytest.raises(Stop):
        (cmd_build if command == "build" else cmd_demo)(recorded)
    accepted = set(vars(args)) - {"command", "func"}
    assert accepted - recorded.read == set()
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--pin", "customer-360=2"])


def test_the_build_passes_the_time_limit_to_every_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import visionkit.batch

    settings: dict[str, Any] = {}

    class Stop(Exception):
        pass

    class NoBatch:
        def __init__(self, **given: Any) -> None:
            settings.update(given)
            raise Stop

    monkeypatch.setattr(visionkit.batch, "Batch", NoBatch)
    with pytest.raises(Stop):
        main(["build", str(demo_path()), "--out", str(tmp_path), "--strategy", "optimal", "--time-limit", "0.5"])
    assert settings["overrides"]["time_limit"] == 0.5 and settings["overrides"]["strategy"] == "optimal"


def test_init_never_writes_through_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    (folder / "engagement.yaml").symlink_to(tmp_path / "nowhere.yaml")  # dangling
    result = run("init", str(folder), "--client", "Acme")
    assert result.returncode == 2 and "is a link; init never writes through a link" in result.stderr
    assert not (tmp_path / "nowhere.yaml").exists()
    (folder / "engagement.yaml").unlink()
    victim.write_text("keep me", encoding="utf-8")
    (folder / "workshop.ipynb").symlink_to(victim)
    result = run("init", str(folder), "--client", "Acme", "--force")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_build_into_a_file_or_an_unwritable_folder_says_so(tmp_path: Path) -> None:
    a_file = tmp_path / "out.txt"
    a_file.write_text("", encoding="utf-8")
    result = run("build", str(demo_path()), "--out", str(a_file))
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr
    result = run("build", str(demo_path()), "--out", str(a_file / "below"))
    assert result.returncode == 2 and "cannot write to the output folder" in result.stderr
    assert "Traceback" not in result.stderr
