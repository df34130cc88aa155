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
