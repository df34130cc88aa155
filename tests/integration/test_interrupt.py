"""A batch stopped by SIGTERM keeps what it finished, leaves nothing half-written, and resumes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from test_isolation import descendants_with, mark, wait_until_gone, write_clients, write_workbook

__all__ = ["mark"]  # the fixture, shared with the isolation tests


def test_sigterm_stops_the_batch_and_the_next_run_resumes(tmp_path: Path, mark: str) -> None:
    clients = write_clients(tmp_path / "clients", "A", "B", "C")
    slow = tmp_path / "slow-flag"
    slow.write_text("slow", encoding="utf-8")
    workbook = write_workbook(
        tmp_path / "slow.ipynb",
        "import os, time\n"
        f"if not engagement_file.endswith('a.yaml') and os.path.exists({str(slow)!r}):\n"
        "    time.sleep(600)\n",
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "visionkit", "build", str(clients), "--out", str(out), "--jobs", "3"]
    command += ["--workbook", str(workbook), "--to", "ipynb,html"]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (out / "a" / ".visionkit-build.json").is_file():
            assert build.poll() is None and time.monotonic() < deadline, build.communicate()
            time.sleep(0.1)
        time.sleep(1.0)
        build.send_signal(signal.SIGTERM)
        _, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert sorted(p.name for p in (out / "a").iterdir()) == [".visionkit-build.json", "roadmap.html", "roadmap.ipynb"]
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".visionkit-")]
    assert [p for p in leftovers if p.name != ".visionkit-build.json"] == []
    assert wait_until_gone(mark) == []
    assert descendants_with(mark) == []

    slow.unlink()  # the next run is quick: it skips a and builds the rest
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped" in result.stdout and result.stdout.count("built") == 2
    for slug in "abc":
        assert (out / slug / "roadmap.html").is_file()
