"""Batch builds on a Dask cluster: two local worker processes build what a local batch builds, a lost worker's
client is built again elsewhere and written once, and a failing client fails alone."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest
from distributed import Client as DaskClient
from distributed import LocalCluster

from visionkit.batch import (
    RESOURCE,
    STAMP,
    Batch,
    BuildResult,
    Client,
    DaskBatch,
    assign_slugs,
    collect_clients,
)
from visionkit.batch._stamps import package_digest
from visionkit.cli import demo_path, main, roadmap_workbook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="forked kernels and worker processes are tested on Linux"),
]

DATE = "2027-03-01"  # documents name their date: the same one everywhere, to compare them byte for byte
# A client whose build waits for a file, so that the test can kill its worker mid-build.
BLOCK = textwrap.dedent(
    """
    import os, pathlib, time
    here = pathlib.Path(engagement_file)
    if here.stem == "doomed":
        here.with_suffix(".started").write_text(str(os.getpid()))
        while not here.with_suffix(".release").exists():
            time.sleep(0.05)
    print("kernel", os.getpid())
    """
)


def visionkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "visionkit", *args], capture_output=True, text=True, timeout=300, check=False, env=env
    )


def engagements(folder: Path, **names: str) -> Path:
    """Variants of the demo engagement: file stem -> client name."""
    folder.mkdir(parents=True, exist_ok=True)
    demo = demo_path().read_text(encoding="utf-8")
    for stem, name in names.items():
        (folder / f"{stem}.yaml").write_text(demo.replace("Northwind Outfitters", name), encoding="utf-8")
    return folder


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[LocalCluster, DaskClient]]:
    """Two worker processes on 127.0.0.1, each building one client at a time, as `local:2` starts them.

    The scheduler's HTTP server takes a free port: on 8787, held by any other cluster on the machine,
    Dask would warn.
    """
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            resources={RESOURCE: 1},
            silence_logs=logging.ERROR,
        ) as local,
        DaskClient(local, set_as_default=False) as client,
    ):
        yield local, client


def test_two_workers_build_what_a_local_batch_builds(cluster: tuple[LocalCluster, DaskClient], tmp_path: Path) -> None:
    local, dask = cluster
    inputs = engagements(tmp_path / "clients", alder="Alder Outdoor", birch="Birch & Co", cedar="Cedar Ltd")

    def build(out: Path, scheduler: str = "") -> list[BuildResult]:
        clients = collect_clients([str(inputs)])
        assign_slugs(clients, out)
        formats = ("ipynb", "html", "pdf")
        batch = Batch(out=out, workbook=roadmap_workbook(), formats=formats, overrides={"date": DATE}, jobs=2)
        return (DaskBatch(batch, scheduler) if scheduler else batch).run(clients)

    # This process reads visionkit's files when the workers do (both keep the digest for their lifetime),
    # so that a working copy edited during the test does not tell them apart.
    package_digest()
    on_dask = build(tmp_path / "dask", local.scheduler_address)
    assert [(r.client.name, r.status) for r in on_dask] == [
        ("Alder Outdoor", "built"),
        ("Birch & Co", "built"),
        ("Cedar Ltd", "built"),
    ], [r.error for r in on_dask]
    here = build(tmp_path / "local")
    for result in on_dask:
        folder = tmp_path / "dask" / result.client.slug
        assert sorted(p.name for p in folder.iterdir()) == [STAMP, "roadmap.html", "roadmap.ipynb", "roadmap.pdf"]
        assert result.outputs == [folder / "roadmap.ipynb", folder / "roadmap.html", folder / "roadmap.pdf"]
        assert set(result.stages) == {"kernel", "execute", "html", "pdf"}
        twin = tmp_path / "local" / result.client.slug
        for name in ("roadmap.html", "roadmap.pdf"):
            assert (folder / name).read_bytes() == (twin / name).read_bytes(), name
        # The notebooks differ only in papermill's timings and the build's temporary paths.
        cells, twin_cells = (nbformat.read(f / "roadmap.ipynb", as_version=4).cells for f in (folder, twin))
        assert [(c.source, c.get("outputs")) for c in cells] == [(c.source, c.get("outputs")) for c in twin_cells]
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        assert stamp["client"] == result.client.name and len(stamp["fingerprint"]) == 64
    assert [r.status for r in here] == ["built"] * 3
    # Every worker keeps its two warm templates from build to build.

    def template_roles() -> tuple[str, ...]:  # runs in each worker (sent by value: a nested function)
        from visionkit.batch import _worker

        return tuple(sorted(_worker._BATCH._templates)) if _worker._BATCH is not None else ()

    assert set(dask.run(template_roles).values()) == {("export", "kernel")}

    # Up-to-date clients are skipped before anything is submitted: this scheduler does not even exist.
    again = build(tmp_path / "dask", f"tcp://127.0.0.1:{_free_port()}")
    assert [r.status for r in again] == ["skipped"] * 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_worker_killed_mid_build_loses_nothing_and_writes_once(
    cluster: tuple[LocalCluster, DaskClient], tmp_path: Path
) -> None:
    local, dask = cluster
    inputs = tmp_path / "clients"
    inputs.mkdir()
    for stem in ("doomed", "steady"):
        (inputs / f"{stem}.yaml").write_text(f"client: {stem.title()}\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('engagement_file: str = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(BLOCK)]
    workbook = tmp_path / "block.ipynb"
    nbformat.write(nb, workbook)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "visionkit", "build", str(inputs), "--out", str(out), "--to", "ipynb"]
    build = subprocess.Popen(
        [*command, "--workbook", str(workbook), "--scheduler", local.scheduler_address],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = inputs / "doomed.started"
        wait_for(started.exists, 120, "the doomed client's build to start")
        first_kernel = int(started.read_text(encoding="utf-8"))
        [worker] = [w for w, keys in dask.processing().items() if any("doomed" in str(k) for k in keys)]
        os.kill(dask.run(os.getpid, workers=[worker])[worker], signal.SIGKILL)
        (inputs / "doomed.release").touch()
        stdout, stderr = build.communicate(timeout=180)
    finally:
        build.kill()
        build.wait()
    assert build.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr
    assert len(re.findall(r"Doomed\s+│ built", stdout)) == 1 and len(re.findall(r"Steady\s+│ built", stdout)) == 1
    # One set of documents each, from the attempt that finished: no temporary folder, nothing else.
    assert sorted(p.name for p in out.iterdir()) == ["doomed", "steady"]
    for slug in ("doomed", "steady"):
        assert sorted(p.name for p in (out / slug).iterdir()) == [STAMP, "roadmap.ipynb"]
    outputs = [o.text for c in nbformat.read(out / "doomed" / "roadmap.ipynb", as_version=4).cells for o in c.outputs]
    assert outputs and outputs[-1].startswith("kernel ") and outputs[-1].split()[1] != str(first_kernel)
    # The killed worker's kernel went with it (its template kills what it forked once the worker is gone).
    wait_for(lambda: not _alive(first_kernel), 15, "the killed worker's kernel to end")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_failing_client_fails_alone_and_shared_out_is_written_by_the_workers(
    cluster: tuple[LocalCluster, DaskClient], tmp_path: Path
) -> None:
    local, _ = cluster
    inputs = engagements(tmp_path / "clients", alder="Alder Outdoor")
    broken = demo_path().read_text(encoding="utf-8").replace("customer-360: 3, next", "customer-36: 3, next")
    (inputs / "cedar.yaml").write_text(broken.replace("Northwind Outfitters", "Cedar Ltd"), encoding="utf-8")
    out = tmp_path / "out"
    result = visionkit(
        "build", str(inputs), "--out", str(out), "--to", "html", "--scheduler", local.scheduler_address, "--shared-out"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"Alder Outdoor\s+│ built", result.stdout) and re.search(r"Cedar Ltd\s+│ failed", result.stdout)
    assert "unknown capability 'customer-36'" in result.stdout
    assert sorted(p.name for p in (out / "alder-outdoor").iterdir()) == [STAMP, "roadmap.html"]
    failed = out / "cedar-ltd"
    assert sorted(p.name for p in failed.iterdir()) == [STAMP, "roadmap.ipynb"]
    claim = json.loads((failed / STAMP).read_text(encoding="utf-8"))
    assert claim["client"] == "Cedar Ltd" and "fingerprint" not in claim and "customer-36" in claim["failed"]
    newcomer = Client("Cedar, Ltd.", inputs / "d.yaml", {})
    assert assign_slugs([newcomer], out) and newcomer.slug == "cedar-ltd-2"


def test_documents_sent_back_land_whole_and_never_through_a_link(tmp_path: Path) -> None:
    from visionkit.batch._folders import _deliver
    from visionkit.batch._watchdog import _Stopped

    out, victim = tmp_path / "out", tmp_path / "victim"
    victim.mkdir()
    out.mkdir()
    (out / "linked").symlink_to(victim, target_is_directory=True)
    with pytest.raises(_Stopped, match="linked/ in the output folder is a link"):
        _deliver(out / "linked", {"roadmap.html": b"<html>"}, "{}")
    assert list(victim.iterdir()) == []
    # A document hard-linked elsewhere is replaced, not written into; a killed build's leftovers go; only
    # the document names are written, whatever a worker sends.
    folder = out / "acme"
    (folder / ".visionkit-k1ll3d").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("someone else's file", encoding="utf-8")
    os.link(elsewhere, folder / "roadmap.html")
    sent = {"roadmap.html": b"<html>", "roadmap.pdf": b"%PDF", "../escape.txt": b"no", STAMP: b"no"}
    assert _deliver(folder, sent, '{"client": "Acme"}') == [folder / "roadmap.html", folder / "roadmap.pdf"]
    assert sorted(p.name for p in folder.iterdir()) == [STAMP, "roadmap.html", "roadmap.pdf"]
    assert (folder / "roadmap.html").read_bytes() == b"<html>" and (folder / STAMP).read_text() == '{"client": "Acme"}'
    assert elsewhere.read_text(encoding="utf-8") == "someone else's file" and elsewhere.stat().st_nlink == 1
    assert not (out / "escape.txt").exists()


def test_a_worker_that_reads_other_inputs_fails_the_client_and_says_why(tmp_path: Path) -> None:
    from visionkit.batch._worker import Job, build_task

    engagement = tmp_path / "acme.yaml"
    engagement.write_text("client: Acme\n", encoding="utf-8")
    client = Client("Acme", engagement, {}, slug="acme")
    job = Job(formats=("ipynb",), overrides={}, timeout=60)
    for digest, what in (("0" * 64, "reads another file at"), ("", "cannot read")):
        inputs = {str(engagement if digest else tmp_path / "gone.yaml"): digest or "0" * 64}
        outcome = build_task(job, client, inputs)
        assert outcome.status == "failed" and what in outcome.error and "same path" in outcome.error
        assert outcome.files == {}


@pytest.mark.parametrize(
    "value",
    ["tcp://scheduler", "http://127.0.0.1:8786", "local:0", "local:65", "local:two", "tcp://:8786", "tls://h:99999"],
)
def test_a_bad_scheduler_is_refused_before_anything_starts(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["build", str(demo_path()), "--out", str(tmp_path / "out"), "--scheduler", value])
    err = capsys.readouterr().err
    assert status == 2 and f"--scheduler {value!r} is not a Dask scheduler" in err and "local:N" in err
    assert not (tmp_path / "out").exists()


def test_without_distributed_the_build_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    status = main(["build", str(demo_path()), "--out", str(tmp_path / "out"), "--scheduler", "local:2"])
    err = capsys.readouterr().err
    assert status == 2 and "pip install 'visionkit[dask]'" in err and "Traceback" not in err
    assert main(["build", str(demo_path()), "--out", str(tmp_path / "out"), "--shared-out"]) == 2
    assert "--shared-out applies to builds on a Dask cluster" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_one_message_and_exit_2(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    # A connect timeout shorter than the build's own 10 s, from Dask's configuration, keeps the test short.
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    started = time.monotonic()
    result = visionkit("build", str(demo_path()), "--out", str(tmp_path / "out"), "--scheduler", address, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"cannot reach the Dask scheduler at {address}" in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 15
    assert not any((tmp_path / "out").glob("*/roadmap.*"))
