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
