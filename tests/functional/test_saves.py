"""Nothing lost: a killed writer leaves the old or the new file, and concurrent savers never interleave."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from visionkit.cli import demo_path
from visionkit.engagement_file import ConflictError, EngagementFile

WRITER = textwrap.dedent(
    """
    import sys
    from visionkit.engagement_file import EngagementFile

    path = sys.argv[1]
    n = 0
    while True:
        file = EngagementFile.load(path)
        data = file.data()
        n += 1
        # Alternate between a short and a long story so old and new differ in size too.
        data["perfect_days"][0]["moments"][0]["story"] = ("Story number %d. " % n) * (1 + 40 * (n % 2))
        file.save(data)
        print(n, flush=True)
    """
)


def test_a_writer_killed_at_random_points_never_leaves_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "engagement.yaml"
    shutil.copyfile(demo_path(), path)
    rng = random.Random(7)
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # at least one save has happened
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()  # type: ignore[union-attr]
        story = EngagementFile.load(path).engagement.perfect_days[0].moments[0].story
        assert story.startswith("Story number ")  # complete: a whole old or whole new version
        assert [p.name for p in tmp_path.iterdir()] == ["engagement.yaml"] or all(
            p.name == "engagement.yaml" or p.name.endswith(".tmp") for p in tmp_path.iterdir()
        )


def _save_after_barrier(path: str, story: str, barrier: object, results: object) -> None:
    file = EngagementFile.load(path)
    data = file.data()
    data["perfect_days"][0]["moments"][0]["story"] = story * 50
    barrier.wait()  # type: ignore[attr-defined]
    try:
        file.save(data)
        results.put((story, "saved"))  # type: ignore[attr-defined]
    except ConflictError:
        results.put((story, "conflict"))  # type: ignore[attr-defined]


def test_two_processes_saving_at_once_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "engagement.yaml"
    shutil.copyfile(demo_path(), path)
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    for attempt in range(5):
        shutil.copyfile(demo_path(), path)
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [
            ctx.Process(target=_save_after_barrier, args=(str(path), f"Writer {name} {attempt}. ", barrier, results))
            for name in "AB"
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
        outcome = dict(results.get(timeout=10) for _ in procs)
        assert sorted(outcome.values()) == ["conflict", "saved"], outcome
        winner = next(story for story, status in outcome.items() if status == "saved")
        assert EngagementFile.load(path).engagement.perfect_days[0].moments[0].story == (winner * 50).strip()


def _demo(tmp_path: Path, name: str = "northwind.yaml") -> Path:
    path = tmp_path / name
    shutil.copyfile(demo_path(), path)
    return path


def test_a_save_through_a_link_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = _demo(tmp_path, "real.yaml")
    link = tmp_path / "engagement.yaml"
    link.symlink_to(real.name)
    file = EngagementFile.load(link)
    data = file.data()
    data["client"] = "Northwind Outfitters Ltd"
    file.save(data)
    assert link.is_symlink() and str(link.readlink()) == "real.yaml"
    assert EngagementFile.load(real).engagement.client == "Northwind Outfitters Ltd"


def test_a_read_only_file_is_not_saved_and_says_why(tmp_path: Path) -> None:
    path = _demo(tmp_path)
    before = path.read_bytes()
    path.chmod(0o444)
    file = EngagementFile.load(path)
    data = file.data()
    data["client"] = "Changed"
    try:
        file.save(data)
    except PermissionError as exc:
        assert exc.strerror == "northwind.yaml is read-only; make it writable (chmod u+w northwind.yaml) to save"
    else:
        raise AssertionError("a read-only file was saved")
    assert path.read_bytes() == before and (path.stat().st_mode & 0o777) == 0o444


def test_a_lock_held_by_another_program_gives_up_with_a_message(tmp_path: Path) -> None:
    import fcntl

    import visionkit.engagement_file as ef

    path = _demo(tmp_path)
    file = EngagementFile.load(path)
    data = file.data()
    data["client"] = "Changed"
    ef.LOCK_SECONDS, seconds = 0.3, ef.LOCK_SECONDS
    try:
        with path.open("rb") as other:  # another open file description: flock treats it as another program
            fcntl.flock(other.fileno(), fcntl.LOCK_EX)
            started = time.monotonic()
            try:
                file.save(data)
            except TimeoutError as exc:
                assert exc.strerror is not None and "another program has held northwind.yaml locked" in exc.strerror
            else:
                raise AssertionError("saved while another program held the lock")
            assert time.monotonic() - started < 3
    finally:
        ef.LOCK_SECONDS = seconds
    file.save(data)  # once the lock is released, the save goes through
    assert EngagementFile.load(path).engagement.client == "Changed"


def test_a_save_keeps_hard_links_and_permissions(tmp_path: Path) -> None:
    path = _demo(tmp_path)
    twin = tmp_path / "shared" / "northwind.yaml"
    twin.parent.mkdir()
    os.link(path, twin)
    path.chmod(0o640)
    inode = path.stat().st_ino
    file = EngagementFile.load(path)
    data = file.data()
    data["client"] = "Northwind Outfitters Ltd"
    file.save(data)
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2 and (path.stat().st_mode & 0o777) == 0o640
    assert EngagementFile.load(twin).engagement.client == "Northwind Outfitters Ltd"
    data["client"] = "N"  # shorter than before: the file is cut to the new length
    file.save(data)
    assert twin.read_bytes() == path.read_bytes() and EngagementFile.load(twin).engagement.client == "N"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["northwind.yaml", "shared"]  # no sibling left


def _save_a_longer_story(path: Path) -> OSError:
    """Save a longer first story into `path` and return the error the save must fail with."""
    file = EngagementFile.load(path)
    data = file.data()
    data["perfect_days"][0]["moments"][0]["story"] = "A much longer story. " * 50
    with pytest.raises(OSError) as failed:
        file.save(data)
    return failed.value


def test_a_hard_linked_file_is_left_whole_when_the_disk_fills(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from visionkit import _atomic as atomic

    path = _demo(tmp_path)
    os.link(path, tmp_path / "twin.yaml")
    before = path.read_bytes()
    real_write_all = atomic._write_all
    calls = []

    def full_disk(fd: int, data: bytes) -> None:
        calls.append(data)
        if len(calls) == 1:
            os.pwrite(fd, data[: len(data) // 2], 0)  # half the new text is written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(fd, data)

    monkeypatch.setattr(atomic, "_write_all", full_disk)
    assert _save_a_longer_story(path).errno == errno.ENOSPC
    assert path.read_bytes() == before and (tmp_path / "twin.yaml").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["northwind.yaml", "twin.yaml"]


def test_a_hard_linked_file_is_left_whole_without_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    path = _demo(tmp_path)
    os.link(path, tmp_path / "twin.yaml")
    before = path.read_bytes()

    def no_space(fd: int, offset: int, length: int) -> None:
        os.ftruncate(fd, length)  # as a partial reservation may: the file grew, then the disk was full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", no_space)
    assert _save_a_longer_story(path).errno == errno.ENOSPC
    assert path.read_bytes() == before


def test_a_writer_killed_while_saving_a_hard_linked_file_leaves_a_whole_version(tmp_path: Path) -> None:
    path = tmp_path / "engagement.yaml"
    shutil.copyfile(demo_path(), path)
    os.link(path, tmp_path / "twin.yaml")
    rng = random.Random(11)
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert proc.stdout is not None
        proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        assert path.stat().st_nlink == 2
        # Whole in place, or else the old version waits beside it.
        kept = [p for p in tmp_path.iterdir() if p.name.endswith(".before-save")]
        for version in [path, *kept]:
            story = EngagementFile.load(version).engagement.perfect_days[0].moments[0].story
            assert story.startswith("Story number ")
        for leftover in kept:
            leftover.unlink()
