"""Atomic file writes: readers see the old content or the new, never a mix or a truncated file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def _atomic_write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            Path(tmp).chmod(path.stat().st_mode & 0o777)
        else:
            # mkstemp creates 0600 files; a new document should get the usual permissions.
            umask = os.umask(0)
            os.umask(umask)
            Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write text to a file so that readers see the old or the new content, never a mix."""
    _atomic_write(Path(path), text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to a file so that readers see the old or the new content, never a mix."""
    _atomic_write(Path(path), data)


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file whole and flush it to disk (a folder's files go through here, one by one)."""
    with path.open("xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_files(folder: str | os.PathLike[str], files: Mapping[str, bytes]) -> list[Path]:
    """Write several files into `folder` so that it never holds some of them new and others missing or cut.

    Every file is written whole into a temporary folder beside `folder` first; only then are they
    moved into place (the whole folder at once when it is new, else one rename per file, which
    replaces a file or a link of that name rather than writing through it). A failure before that
    leaves `folder` as it was and removes the temporary folder. Other files in `folder` stay.
    """
    folder = Path(folder)
    if folder.is_symlink():
        raise ValueError(f"{folder} is a link; files are never written through a link")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, data in files.items():
            if Path(name).name != name:
                raise ValueError(f"{name!r} is not a plain file name")
            _write_new(staging / name, data)
        if not folder.exists() and not folder.is_symlink():
            umask = os.umask(0)
            os.umask(umask)
            staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700 folders; a new output folder gets the usual ones
            staging.rename(folder)
        else:
            for name in files:  # checked before the first move, so that a refusal leaves `folder` whole
                if (folder / name).is_dir() and not (folder / name).is_symlink():
                    raise IsADirectoryError(21, "Is a folder", str(folder / name))
            for name in files:
                (staging / name).replace(folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in files]


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte at the start of an open file, then cut it to that length and flush it to disk."""
    view = memoryview(data)
    offset = 0
    while offset < len(view):
        offset += os.pwrite(fd, view[offset:], offset)
    os.ftruncate(fd, len(data))
    os.fsync(fd)


def rewrite_in_place(path: str | os.PathLike[str], data: bytes, before: bytes) -> None:
    """Rewrite a file in its own inode, keeping hard links to it, or leave it as it was (`before`).

    A replace would give the name a new inode and leave every other hard link with the old text.
    Writing in place cannot be atomic for readers, so: the space is reserved first (a full disk
    fails before a byte changes), the old text waits in a hidden sibling until the new one is on
    disk, and a failed write puts the old text back. The sibling is kept only when even that fails
    (or the machine stops mid-write): then it is the way back.
    """
    path = Path(path)
    fd_backup, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    # The old text gets its ".before-save" name only once it is whole on disk: a writer killed while
    # writing it must not leave an empty "before-save" beside an untouched file.
    backup = partial.removesuffix(".partial") + ".before-save"
    whole = True  # the file holds the old or the new text, entire
    try:
        with os.fdopen(fd_backup, "wb") as fh:
            fh.write(before)
            fh.flush()
            os.fsync(fh.fileno())
        Path(partial).replace(backup)
        fd = os.open(path, os.O_RDWR)
        try:
            if len(data) > len(before):
                os.posix_fallocate(fd, 0, len(data))  # may grow the file; trimmed back below on failure
            whole = False
            _write_all(fd, data)
            whole = True
        except BaseException:
            whole = False
            _write_all(fd, before)
            whole = True
            raise
        finally:
            os.close(fd)
    finally:
        Path(partial).unlink(missing_ok=True)
        if whole:
            Path(backup).unlink(missing_ok=True)
