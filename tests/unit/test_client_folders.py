"""Client folders in the output belong to one client: its build stamp says whose, and the build keeps to it."""

from __future__ import annotations

import json
from pathlib import Path

from visionkit.batch import STAMP, Client, assign_slugs


def stamped(folder: Path, client: str, engagement_file: Path) -> Path:
    folder.mkdir(parents=True)
    record = {"fingerprint": "x", "client": client, "engagement_file": str(engagement_file)}
    (folder / STAMP).write_text(json.dumps(record), encoding="utf-8")
    return folder


def test_a_folder_stamped_for_another_client_is_never_taken(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stamped(out / "acme", "acme.", tmp_path / "acme-dot.yaml")
    other = Client("ACME!", tmp_path / "acme-bang.yaml", {})
    notes = assign_slugs([other], out)
    assert other.slug == "acme-2"
    assert notes == [f"'ACME!' ({other.engagement_file}) builds into acme-2/: acme/ is stamped for 'acme.'"]


def test_folders_stay_put_when_a_client_is_added(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, second = tmp_path / "globex.yaml", tmp_path / "globex-europe.yaml"
    stamped(out / "globex", "Globex", first)
    stamped(out / "globex-2", "Globex", second)
    new = Client("Globex", tmp_path / "globex-asia.yaml", {})
    clients = [new, Client("Globex", second, {}), Client("Globex", first, {})]  # the new one comes first
    assign_slugs(clients, out)
    assert [c.slug for c in clients] == ["globex-3", "globex-2", "globex"]


def test_a_folder_the_build_did_not_make_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "northwind").mkdir(parents=True)
    (out / "northwind" / "board-pack.pptx").write_bytes(b"someone's own file")
    client = Client("Northwind", tmp_path / "northwind.yaml", {})
    notes = assign_slugs([client], out)
    assert client.slug == "northwind-2" and "northwind/ is a folder the build did not make" in notes[0]


def test_a_failed_build_of_an_earlier_version_is_taken_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "northwind").mkdir(parents=True)
    (out / "northwind" / "roadmap.ipynb").write_text("{}", encoding="utf-8")  # kept, unstamped
    client = Client("Northwind", tmp_path / "northwind.yaml", {})
    assert assign_slugs([client], out) == [] and client.slug == "northwind"
