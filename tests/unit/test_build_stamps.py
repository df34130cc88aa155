"""A build is out of date when any file visionkit is made of changes, not only its version number."""

from __future__ import annotations

import shutil
from pathlib import Path

import visionkit
from visionkit.batch._stamps import package_digest

PACKAGE = Path(visionkit.__file__).parent


def test_the_digest_follows_every_shipped_file_but_caches(tmp_path: Path) -> None:
    copy = tmp_path / "visionkit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert package_digest(copy) == package_digest(PACKAGE)
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert package_digest.__wrapped__(copy) == package_digest(PACKAGE)
    for changed in ("templates/visionkit/static/style.css", "sections.py", "data/catalog.yaml"):
        target = copy / changed
        assert target.is_file(), changed
        before = target.read_bytes()
        target.write_bytes(before + b"\n")
        assert package_digest.__wrapped__(copy) != package_digest(PACKAGE), changed
        target.write_bytes(before)
