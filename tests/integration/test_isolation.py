"""Batch builds with warm, forked kernels: every client runs as in a fresh kernel, and failures stay contained."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import papermill
import pytest

from visionkit.batch import STAMP, Batch, BuildResult, assign_slugs, collect_clients

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forked kernels and /proc are Linux-only")

# What a notebook can see of the state a previous client might have left behind.
OBSERVE = textwrap.dedent(
    """
    import builtins as _builtins, json as _json, os as _os, random as _random, signal as _signal, sys as _sys
    import gc as _gc, threading as _threading, warnings as _warnings
    import matplotlib as _mpl, numpy as _np, pandas as _pd
    from visionkit.catalog import default_catalog as _default_catalog
    _umask = _os.umask(0)
    _os.umask(_umask)
    _seen = {
        "global": "LEAKED_GLOBAL" in globals(),
        "module attribute": hasattr(_json, "leaked"),
        "builtin": hasattr(_builtins, "vk_leaked"),
        "imported module": "colorsys" in _sys.modules,
        "matplotlib rc": _mpl.rcParams["lines.linewidth"],
        "matplotlib backend": _mpl.rcParams["backend"],
        "pandas option": _pd.get_option("display.max_rows"),
        "shipped catalog": len(_default_catalog()),
        "cwd": _os.getcwd(),
        "environment": _os.environ.get("VK_LEAK"),
        "MPLBACKEND": _os.environ.get("MPLBACKEND"),
        "sys.path": [p for p in _sys.path if "vk-leak" in p or p == ""],
        "warning filters": len(_warnings.filters),
        "umask": _umask,
        "recursion limit": _sys.getrecursionlimit(),
        "garbage collector": [_gc.isenabled(), *_gc.get_threshold()],
        "SIGUSR1": str(_signal.getsignal(_signal.SIGUSR1)),
        "argv": [_os.path.basename(_sys.argv[0]), _sys.argv[1], *_sys.argv[3:]],
        "user names": sorted(k for k in globals() if not k.startswith("_")),
        "execution count": get_ipython().execution_count,
        "threads": _threading.active_count(),
        "__name__": __name__,
        "numpy random": _np.random.random(),
        "random": _random.random(),
        "pid": _os.getpid(),
    }
    print("OBSERVED " + _json.dumps(_seen, sort_keys=True))
    """
)
PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"
LEAK = textwrap.dedent(
    """
    import builtins, colorsys, gc, json, os, signal, sys, warnings
    import matplotlib, pandas
    from visionkit.catalog import default_catalog
    LEAKED_GLOBAL = 1
    default_catalog()._caps.clear()
    json.leaked = 1
    builtins.vk_leaked = 1
    matplotlib.rcParams["lines.linewidth"] = 9.5
    pandas.set_option("display.max_rows", 3)
    os.environ["VK_LEAK"] = "1"
    sys.path.append("/vk-leak")
    warnings.simplefilter("ignore")
    os.umask(0o077)
    sys.setrecursionlimit(4321)
    gc.disable()
    gc.set_threshold(5, 5, 5)
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    os.chdir("/")
    """
)
VOLATILE = {"numpy random", "random", "pid", "cwd"}
LEAKS = {
    "global": False,
    "module attribute": False,
    "builtin": False,
    "imported module": False,
    "environment": None,
}


def write_workbook(path: Path, *cells: str) -> Path:
    """A workbook with an `engagement_file` parameter followed by `cells`."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('engagement_file: str = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(source) for source in cells)]
    nbformat.write(nb, path)
    return path


def write_clients(folder: Path, *names: str) -> Path:
    """One engagement file per client name; the test workbooks only need the file to exist."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name.lower()}.yaml").write_text(f"client: {name}\n", encoding="utf-8")
    return folder


def build(
    tmp_path: Path,
    workbook: Path,
    clients: Path,
    on_done: Callable[[BuildResult], None] | None = None,
    **settings: object,
) -> list[BuildResult]:
    found = collect_clients([str(clients)])
    assign_slugs(found)
    batch = Batch(out=tmp_path / "out", workbook=workbook, formats=("ipynb",), **settings)  # type: ignore[arg-type]
    return batch.run(found, on_done=on_done)


def observations(nb: nbformat.NotebookNode) -> list[dict[str, object]]:
    seen = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.text.startswith("OBSERVED "):
                seen.append(json.loads(output.text.removeprefix("OBSERVED ")))
    return seen


def plot_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(cell for cell in nb.cells if cell.source == PLOT)


def descendants_with(mark: str) -> list[int]:
    """Live processes (not zombies) whose environment carries `mark`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if mark.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(mark: str, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := descendants_with(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.fixture
def mark(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A unique environment variable that every process the build starts inherits, to find leftovers."""
    value = f"vk-test-{uuid.uuid4().hex}"
    monkeypatch.setenv("VK_TEST_MARK", value)
    yield value
    assert wait_until_gone(value) == [], "processes left behind"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What the observer sees in a genuinely fresh kernel started by plain papermill."""
    tmp = tmp_path_factory.mktemp("fresh")
    clients = write_clients(tmp / "clients", "Fresh")
    workbook = write_workbook(tmp / "observe.ipynb", OBSERVE, PLOT, LEAK)
    nb = papermill.execute_notebook(
        str(workbook),
        str(tmp / "out.ipynb"),
        parameters={"engagement_file": str(clients / "fresh.yaml")},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(clients),
    )
    [seen] = observations(nb)
    return {"seen": seen, "plot": [o.output_type for o in plot_cell(nb).outputs]}


def test_every_client_starts_as_in_a_fresh_kernel(tmp_path: Path, fresh: dict[str, object], mark: str) -> None:
    clients = write_clients(tmp_path / "clients", "Alpha", "Beta", "Gamma")
    workbook = write_workbook(tmp_path / "observe.ipynb", OBSERVE, PLOT, LEAK)
    # One job: the clients run one after another, each after another client's leaks.
    results = build(tmp_path, workbook, clients, jobs=1)
    assert [r.status for r in results] == ["built"] * 3, [r.error for r in results]
    expected = fresh["seen"]
    assert isinstance(expected, dict)
    seen_all = []
    for result in results:
        nb = nbformat.read(result.outputs[0], as_version=4)
        [seen] = observations(nb)
        seen_all.append(seen)
        for key, value in LEAKS.items():
            assert seen[key] == value, (result.client.name, key)
        # The kernel works in this build's own temporary folder, never in the client's folder.
        cwd = Path(str(seen["cwd"]))
        assert cwd.parent == (tmp_path / "out" / result.client.slug).resolve() and cwd.name.startswith(".visionkit-")
        assert {k: v for k, v in seen.items() if k not in VOLATILE} == {
            k: v for k, v in expected.items() if k not in VOLATILE
        }
        # Inline plots still work: the shell wires matplotlib in each child as in a fresh kernel.
        assert [o.output_type for o in plot_cell(nb).outputs] == fresh["plot"] == ["display_data"]
        assert "image/png" in plot_cell(nb).outputs[0].data
    # Each kernel is its own process, with its own random state.
    for key in ("pid", "numpy random", "random"):
        assert len({s[key] for s in seen_all}) == 3, key


def test_the_observer_sees_every_leak_when_a_kernel_is_shared(fresh: dict[str, object]) -> None:
    """The control for the test above: the same cells, two clients in one kernel, and every leak shows."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", stderr=subprocess.DEVNULL)
    try:
        outputs: list[str] = []

        def run(code: str) -> None:
            def keep(msg: dict[str, object]) -> None:
                content = msg["content"]
                if msg["msg_type"] == "stream" and isinstance(content, dict):
                    outputs.append(str(content["text"]))

            reply = kc.execute_interactive(code, output_hook=keep, timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]

        for _ in range(2):
            run(OBSERVE)
            run(LEAK)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    first, second = (json.loads(t.removeprefix("OBSERVED ")) for t in outputs if t.startswith("OBSERVED "))
    for key, value in LEAKS.items():
        assert first[key] == value and second[key] != value, key
    leaked = {k for k in first if k not in VOLATILE and first[k] != second[k]}
    assert leaked >= {
        "matplotlib rc",
        "pandas option",
        "sys.path",
        "warning filters",
        "umask",
        "recursion limit",
        "garbage collector",
        "SIGUSR1",
        "user names",
        "shipped catalog",
    }
    assert second["cwd"] == "/"


def assert_only_a_claim(folder: Path) -> None:
    """Nothing half-written: a failed client's folder holds only its stamp, which keeps it that client's."""
    assert [p.name for p in folder.iterdir()] == [STAMP]
    assert "fingerprint" not in json.loads((folder / STAMP).read_text(encoding="utf-8"))


def test_a_dying_kernel_fails_only_its_client(tmp_path: Path, mark: str) -> None:
    clients = write_clients(tmp_path / "clients", "A", "B", "C", "D")
    workbook = write_workbook(
        tmp_path / "die.ipynb",
        "import os, signal\n"
        "if engagement_file.endswith('b.yaml'):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
        "if engagement_file.endswith('d.yaml'):\n    os._exit(3)\n"
        "print('alive')",
    )
    results = build(tmp_path, workbook, clients, jobs=1)
    assert [r.status for r in results] == ["built", "failed", "built", "failed"], [r.error for r in results]
    assert "DeadKernelError" in results[1].error and "DeadKernelError" in results[3].error
    for result in (results[1], results[3]):
        assert_only_a_claim(tmp_path / "out" / result.client.slug)
    # Only processes this build started (other tests' servers may be running in the same session).
    assert wait_until_gone(mark) == []


def test_a_hanging_client_times_out_alone(tmp_path: Path, mark: str) -> None:
    clients = write_clients(tmp_path / "clients", "A", "B", "C")
    workbook = write_workbook(
        tmp_path / "hang.ipynb",
        "import subprocess, time\n"
        "if engagement_file.endswith('b.yaml'):\n"
        "    subprocess.Popen(['sleep', '600'])  # must die with its kernel\n"
        "    time.sleep(600)\n",
    )
    started = time.monotonic()
    # Long enough for the quick clients on a busy machine, templates warming up included.
    results = build(tmp_path, workbook, clients, jobs=2, timeout=10)
    assert time.monotonic() - started < 60
    assert [r.status for r in results] == ["built", "failed", "built"], [r.error for r in results]
    assert "timed out after 10 s" in results[1].error
    assert_only_a_claim(tmp_path / "out" / "b")


def test_a_kernel_stops_answering_control_messages_before_its_exit_handlers_run(tmp_path: Path, mark: str) -> None:
    # ipykernel's own exit handler stops IOPub under a control thread still flushing its shutdown reply,
    # which then hangs until jupyter_client kills the kernel. A user's handler runs just before that one.
    # Every kernel must also get its shutdown request: one killed instead never runs its handlers.
    records = tmp_path / "records"
    records.mkdir()
    workbook = write_workbook(
        tmp_path / "exit.ipynb",
        "import atexit, os\n"
        "from ipykernel.kernelapp import IPKernelApp\n"
        "def _record():\n"
        "    alive = IPKernelApp.instance().control_thread.is_alive()\n"
        f"    with open(os.path.join({str(records)!r}, os.path.basename(engagement_file)), 'w') as out:\n"
        "        out.write('answering' if alive else 'stopped')\n"
        "atexit.register(_record)",
    )
    results = build(tmp_path, workbook, write_clients(tmp_path / "clients", "A", "B", "C", "D"))
    assert [r.status for r in results] == ["built"] * 4, [r.error for r in results]
    seen = {p.name: p.read_text(encoding="utf-8") for p in records.iterdir()}
    assert seen == dict.fromkeys(["a.yaml", "b.yaml", "c.yaml", "d.yaml"], "stopped")


def test_a_document_is_done_before_its_kernel_exits_and_the_build_waits_for_it(tmp_path: Path, mark: str) -> None:
    record = tmp_path / "exited.txt"
    workbook = write_workbook(
        tmp_path / "slow-exit.ipynb",
        f"import atexit, time\natexit.register(lambda: (time.sleep(1.5), open({str(record)!r}, 'w').write('exited')))",
    )
    seen_at_done: list[bool] = []
    results = build(
        tmp_path, workbook, write_clients(tmp_path / "clients", "A"), lambda _: seen_at_done.append(record.exists())
    )
    assert [r.status for r in results] == ["built"], [r.error for r in results]
    # The client was finished while its kernel still ran its exit handler; the build then let it end.
    assert seen_at_done == [False]
    assert record.read_text(encoding="utf-8") == "exited"
    assert wait_until_gone(mark, seconds=0.5) == []


def test_ctrl_c_stops_the_batch_cleanly(tmp_path: Path, mark: str) -> None:
    clients = write_clients(tmp_path / "clients", "A", "B", "C", "D", "E")
    workbook = write_workbook(
        tmp_path / "slow.ipynb",
        "import subprocess, time\n"
        "if not engagement_file.endswith('a.yaml'):\n"
        "    subprocess.Popen(['sleep', '600'])\n"
        "    time.sleep(600)\n",
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "visionkit", "build", str(clients), "--out", str(out), "--jobs", "3"]
    command += ["--workbook", str(workbook), "--to", "ipynb,html"]
    # Its own process group, like a shell job: Ctrl-C in a terminal signals the whole foreground group.
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / "a" / ".visionkit-build.json").is_file():
            assert build.poll() is None and time.monotonic() < deadline, build.communicate()
            time.sleep(0.1)
        time.sleep(1.0)  # the other clients' kernels are now busy
        assert len(descendants_with(mark)) >= 3
        interrupted = time.monotonic()
        os.killpg(build.pid, signal.SIGINT)
        _, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
    assert build.returncode == 130, stderr
    assert time.monotonic() - interrupted < 20
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert sorted(p.name for p in (out / "a").iterdir()) == [".visionkit-build.json", "roadmap.html", "roadmap.ipynb"]
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".visionkit-")]
    assert [p for p in leftovers if p.name != ".visionkit-build.json"] == []
    claim = json.loads((out / "b" / ".visionkit-build.json").read_text(encoding="utf-8"))
    assert claim["failed"] == "interrupted" and "fingerprint" not in claim  # b's folder, to build again
    assert wait_until_gone(mark) == []


def test_documents_match_a_plain_papermill_run(tmp_path: Path, mark: str) -> None:
    from visionkit.cli import demo_path, roadmap_workbook
    from visionkit.exporters import HTMLExporter, PDFExporter

    engagement = tmp_path / "northwind.yaml"
    engagement.write_bytes(demo_path().read_bytes())
    [client] = collect_clients([str(engagement)])
    assign_slugs([client])
    batch = Batch(out=tmp_path / "out", workbook=roadmap_workbook(), overrides={"date": "2027-03-01"})
    [result] = batch.run([client])
    assert result.status == "built", result.error
    assert set(result.stages) == {"kernel", "execute", "html", "pdf"}
    plain = papermill.execute_notebook(
        str(roadmap_workbook()),
        str(tmp_path / "plain.ipynb"),
        parameters=batch.parameters(client),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    built = nbformat.read(tmp_path / "out" / client.slug / "roadmap.ipynb", as_version=4)

    def content(nb: nbformat.NotebookNode) -> list[object]:
        return [(c.cell_type, c.source, c.get("execution_count"), c.get("outputs")) for c in nb.cells]

    assert content(built) == content(plain)
    assert built.metadata.papermill.parameters == plain.metadata.papermill.parameters
    assert built.metadata.language_info == plain.metadata.language_info
    # Byte for byte, as nbconvert would write them from the plain run.
    folder = tmp_path / "out" / client.slug
    assert (folder / "roadmap.html").read_text(encoding="utf-8") == HTMLExporter().from_notebook_node(plain)[0]
    assert (folder / "roadmap.pdf").read_bytes() == PDFExporter().from_notebook_node(plain)[0]


def test_nothing_in_a_client_folder_runs_or_changes_its_kernel(
    tmp_path: Path, fresh: dict[str, object], mark: str
) -> None:
    """A planted module or matplotlibrc beside an engagement is data: the kernel never starts there."""
    plain = write_clients(tmp_path / "plain", "Plain")
    planted = write_clients(tmp_path / "planted", "Planted")
    (planted / "matplotlibrc").write_text("lines.linewidth: 7\n", encoding="utf-8")
    ran = tmp_path / "planted-code-ran"
    for module in ("visionkit.py", "matplotlib.py", "pandas.py"):
        (planted / module).write_text(f"open({str(ran)!r}, 'a').write({module!r})\n", encoding="utf-8")
    workbook = write_workbook(tmp_path / "observe.ipynb", OBSERVE)
    found = collect_clients([str(plain), str(planted)])
    assign_slugs(found)
    results = Batch(out=tmp_path / "out", workbook=workbook, formats=("ipynb",)).run(found)
    assert [r.status for r in results] == ["built", "built"], [r.error for r in results]
    assert not ran.exists()
    (seen_plain,), (seen_planted,) = (observations(nbformat.read(r.outputs[0], as_version=4)) for r in results)
    expected = fresh["seen"]
    assert isinstance(expected, dict)
    assert seen_plain["matplotlib rc"] == seen_planted["matplotlib rc"] == expected["matplotlib rc"] != 7


def test_killing_the_build_leaves_no_kernel(tmp_path: Path, mark: str) -> None:
    clients = write_clients(tmp_path / "clients", "A", "B")
    workbook = write_workbook(tmp_path / "slow.ipynb", "import time\ntime.sleep(600)")
    command = [sys.executable, "-m", "visionkit", "build", str(clients), "--out", str(tmp_path / "out"), "--jobs", "2"]
    build = subprocess.Popen([*command, "--workbook", str(workbook)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # The build, two templates and two kernels.
    while len(descendants_with(mark)) < 5:
        assert build.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    build.kill()
    build.wait()
    assert wait_until_gone(mark) == []
