"""One way to read an engagement: regular files under the size cap, and the client's name from the YAML itself."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from visionkit.batch._inputs import _client_name
from visionkit.cli import demo_path
from visionkit.engagement_file import EngagementFile, client_of, read_bytes
from visionkit.errors import EngagementError

DEMO = demo_path().read_text(encoding="utf-8")


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "engagement.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, lambda: EngagementFile.load(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "loading a pipe blocked"
    assert isinstance(outcome[0], EngagementError) and "not a regular file" in str(outcome[0])
    assert _client_name(fifo) == "engagement"  # the build names it by its file and reports it later


def _catch(outcome: list[BaseException], call: object) -> None:
    try:
        call()  # type: ignore[operator]
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        outcome.append(exc)


def test_a_device_is_refused_unread() -> None:
    with pytest.raises(EngagementError, match="not a regular file"):
        read_bytes(Path("/dev/zero"))


def test_the_client_of_a_file_comes_from_its_structure() -> None:
    assert client_of(DEMO) == "Northwind Outfitters"
    # A `client:` line inside another value's quoted text is text, not the client.
    rest = DEMO.replace("client: Northwind Outfitters\n", "", 1).replace("industry: retail\n", "", 1)
    sneaky = 'industry: "retail\nclient: Globex Corporation"\nclient: "Acme Retail"\n' + rest
    assert client_of(sneaky) == "Acme Retail"
    assert client_of("client: Acme\nclient: Globex\n") is None  # two: the loader decides (and refuses)
    assert client_of("client: true\n") is None  # not text in YAML 1.1: the loader decides
    assert client_of("client: [a, b]\n") is None
    assert client_of("client: *name\n") is None
    assert client_of("- client: Acme\n") is None
    assert client_of("client: '\n") is None  # does not parse


def test_a_file_that_validates_as_one_client_is_never_named_after_another(tmp_path: Path) -> None:
    body = DEMO.replace("client: Northwind Outfitters\n", 'industry: "retail\nclient: Globex Corporation"\n', 1)
    body = body.replace("industry: retail\n", "", 1)
    path = tmp_path / "acme.yaml"
    path.write_text('client: "Acme Retail"\n' + body, encoding="utf-8")
    assert EngagementFile.load(path).engagement.client == "Acme Retail"
    assert _client_name(path) == "Acme Retail"


def test_a_very_long_client_name_is_read_whole(tmp_path: Path) -> None:
    name = "Acme " * 20_000
    path = tmp_path / "long.yaml"
    path.write_text(DEMO.replace("client: Northwind Outfitters", f"client: {name.strip()}", 1), encoding="utf-8")
    assert _client_name(path) == name.strip()


def test_the_demo_and_a_copy_are_named_alike(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    shutil.copyfile(demo_path(), copy)
    assert _client_name(copy) == EngagementFile.load(copy).engagement.client
