"""Loading and saving engagement files: byte-for-byte round trips, minimal edits, safe writes."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from visionkit.cli import demo_path
from visionkit.engagement_file import ConflictError, EngagementFile
from visionkit.errors import EngagementError

GOOD_FILES = sorted((Path(__file__).parents[1] / "corpus" / "good").glob("*.yaml"))
CORPUS_FILES = [*GOOD_FILES, demo_path()]


def copy_to(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    return target


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_round_trip_is_byte_for_byte(tmp_path: Path, source: Path) -> None:
    path = copy_to(tmp_path, source)
    before = path.read_bytes()
    file = EngagementFile.load(path)
    assert file.render(file.data()) == file.text
    file.save()
    assert path.read_bytes() == before


@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_editing_one_story_changes_only_that_story(tmp_path: Path, source: Path) -> None:
    path = copy_to(tmp_path, source)
    file = EngagementFile.load(path)
    before = path.read_text(encoding="utf-8")
    data = file.data()
    moment = data["perfect_days"][0]["moments"][0]
    old_words = set(moment["story"].split())
    moment["story"] = "A new story, with a colon: and a # hash."
    file.save(data)
    after = path.read_text(encoding="utf-8")
    diff = changed_lines(before, after)
    # Only the story's own lines change; a block scalar keeps its block style.
    removed = [line[1:].split() for line in diff if line.startswith("-")]
    assert removed and all(set(words) - {"story:", "|", "-"} <= old_words for words in removed)
    added = [line[1:].strip() for line in diff if line.startswith("+")]
    assert added in (
        ["story: 'A new story, with a colon: and a # hash.'"],  # quoted: ': ' and ' #' are YAML syntax
        ["story: |-", "A new story, with a colon: and a # hash."],  # the author's block style kept
    )
    reloaded = EngagementFile.load(path)
    assert reloaded.engagement.perfect_days[0].moments[0].story == "A new story, with a colon: and a # hash."
    assert reloaded.data() == data


def test_changing_levels_keeps_flow_style_and_comments(tmp_path: Path) -> None:
    path = copy_to(tmp_path, GOOD_FILES[0])
    file = EngagementFile.load(path)
    before = path.read_text(encoding="utf-8")
    data = file.data()
    data["assessment"]["customer-360"] = 2
    data["perfect_days"][0]["moments"][0]["needs"]["consent-management"] = 3
    file.save(data)
    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "-  customer-360: 1",
        "+  customer-360: 2",
        "-        needs: {customer-360: 3, next-best-action: 2, inventory-visibility: 2}",
        # On one line it would be 101 characters: a save wraps it, still in flow style.
        "+        needs: {customer-360: 3, next-best-action: 2, inventory-visibility: 2,",
        "+          consent-management: 3}",
    ]
    assert "# the shipped catalog" in after and "# today's maturity, 0-5" in after


def test_adding_a_moment_keeps_comments_and_loads_back(tmp_path: Path) -> None:
    path = copy_to(tmp_path, demo_path())
    file = EngagementFile.load(path)
    data = file.data()
    data["perfect_days"][1]["moments"].append(
        {
            "at": "18:00",
            "channel": "store",
            "story": "Sam hands over to the evening team.",
            "needs": {"knowledge-management": 2},
        }
    )
    file.save(data)
    text = path.read_text(encoding="utf-8")
    assert "# the shipped catalog" in text
    assert "Sam hands over to the evening team." in text
    assert EngagementFile.load(path).data() == data


def test_windows_line_endings_and_bom_are_kept(tmp_path: Path) -> None:
    source = GOOD_FILES[0].read_text(encoding="utf-8")
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode("utf-8"))
    file = EngagementFile.load(path)
    assert file.engagement.client == "Northwind Outfitters"
    data = file.data()
    data["industry"] = "retail and rental"
    file.save(data)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == source.count("\n")
    assert b"industry: retail and rental\r\n" in raw


def test_invalid_data_is_not_saved(tmp_path: Path) -> None:
    path = copy_to(tmp_path, demo_path())
    before = path.read_bytes()
    file = EngagementFile.load(path)
    data = file.data()
    data["assessment"]["customer-360"] = 9
    with pytest.raises(EngagementError, match="level 9 is out of range 0-5"):
        file.save(data)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_conflicting_change_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    path = copy_to(tmp_path, demo_path())
    file = EngagementFile.load(path)
    path.write_text(path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    data = file.data()
    data["industry"] = "fashion"
    with pytest.raises(ConflictError, match="changed on disk since it was loaded"):
        file.save(data)
    assert path.read_text(encoding="utf-8").endswith("# edited by hand\n")
    file.save(data, check_conflict=False)
    assert "industry: fashion" in path.read_text(encoding="utf-8")
