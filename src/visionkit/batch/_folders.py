"""Output folders: each client's folder name, which folder is whose, the lock on it, and files moved into place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from .._atomic import atomic_write_bytes, atomic_write_text
from ._export import FORMATS
from ._inputs import Client
from ._stamps import STAMP, stamped_owner
from ._watchdog import _Stopped

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def slugify(name: str, limit: int = 60) -> str:
    """A safe folder name for a client: lowercase ASCII words joined by hyphens, never a path."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    if not text:
        # A name with no Latin letters still gets a stable, distinct folder.
        text = "client-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    if text in _RESERVED:
        text += "-client"
    return text


def _owns(owner: tuple[str, str] | None, client: Client) -> bool:
    if owner is None:
        return False
    name, file = owner
    return name == client.name and file in ("", str(client.engagement_file))


def _candidates(base: str) -> Iterator[str]:
    yield base
    n = 2
    while True:
        yield f"{base}-{n}"
        n += 1


def assign_slugs(clients: Sequence[Client], out: Path | None = None) -> list[str]:
    """Give every client a folder of its own; return notes on names that had to be told apart.

    With `out`, a folder already there belongs to the client its build stamp names: a client gets
    back the folder stamped with its name and engagement file (so folders stay put from run to
    run, whoever else is added), and never a folder stamped for another client, nor one without a
    stamp (it is not the build's to overwrite).
    """
    notes = []
    taken: dict[str, str] = {}
    pending = []
    for client in clients:  # first, each client's own folder from earlier runs
        base = slugify(client.name)
        mine = None
        if out is not None:
            for slug in _candidates(base):
                folder = out / slug
                if not folder.exists() and not folder.is_symlink():
                    break
                owner = stamped_owner(folder)
                if slug not in taken and (
                    _owns(owner, client) or (slug == base and owner is None and _leftover(folder))
                ):
                    mine = slug
                    break
        if mine is None:
            pending.append(client)
        else:
            taken[mine] = client.name
            client.slug = mine
    for client in pending:
        base = slugify(client.name)
        slug = next(c for c in _candidates(base) if c not in taken and (out is None or _free(out / c)))
        if slug != base:
            notes.append(
                f"'{client.name}' ({client.engagement_file}) builds into {slug}/: {base}/ is {_held(base, taken, out)}"
            )
        taken[slug] = client.name
        client.slug = slug
    return notes


BUILT_FILES = frozenset(f"roadmap.{fmt}" for fmt in FORMATS)


def _leftover(folder: Path) -> bool:
    """A folder without a stamp holding nothing but documents: what a failed build of an earlier version left."""
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return False
    return (
        folder.is_dir()
        and not folder.is_symlink()
        and all(n in BUILT_FILES or n.startswith(".visionkit-") for n in names)
    )


def _free(folder: Path) -> bool:
    return not folder.exists() and not folder.is_symlink()


def _held(slug: str, taken: dict[str, str], out: Path | None) -> str:
    """Whose a folder is, in a note about a client sent elsewhere."""
    if slug in taken:
        return f"taken by '{taken[slug]}'"
    if out is not None and (out / slug).is_symlink():
        return "a link (nothing is written through one)"
    owner = stamped_owner(out / slug) if out is not None else None
    return f"stamped for '{owner[0]}'" if owner else "a folder the build did not make"


@contextlib.contextmanager
def _client_lock(folder: Path) -> Iterator[None]:
    """Lock a client's folder while a build writes there, or fail this client if another build is.

    The lock is on the folder itself (no file of its own), and goes when the process does, so a
    killed build leaves no lock behind: its temporary folders are known to be stale.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, and stale folders stay
        yield
        return
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _Stopped(f"another build is writing {folder.name}/ now") from None
        yield
    finally:
        os.close(handle)  # releases the lock


def _install(source: Path, target: Path) -> None:
    """Move a finished file into place in one step, keeping the permissions of the file it replaces."""
    with contextlib.suppress(OSError):
        source.chmod(target.stat().st_mode & 0o777)
    source.replace(target)


@contextlib.contextmanager
def _claim(folder: Path) -> Iterator[None]:
    """A client's folder made and locked for writing, with the temporary folders a killed build left removed.

    Fails the client (`_Stopped`) if the folder is a link or another build is writing there.
    """
    if folder.is_symlink():
        # The link could lead into another client's folder, or anywhere: documents land only in their own.
        raise _Stopped(f"{folder.name}/ in the output folder is a link; remove it (nothing is written through one)")
    folder.mkdir(parents=True, exist_ok=True)
    with _client_lock(folder):
        for stale in folder.glob(".visionkit-*"):
            # Holding the folder's lock, any temporary folder here was left by a build that was killed.
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        yield


def _deliver(folder: Path, files: Mapping[str, bytes], stamp: str) -> list[Path]:
    """Write a client's documents, sent as bytes, into its folder: each whole, then the stamp; the paths written.

    What a Dask worker built elsewhere lands as a local build's files do: through a temporary folder
    inside the client's, under its lock, never through a link. Only the document names are written,
    whatever else `files` holds.
    """
    written = []
    with _claim(folder):
        tmp = Path(tempfile.mkdtemp(prefix=".visionkit-", dir=folder))
        try:
            for name in (f"roadmap.{fmt}" for fmt in FORMATS):
                if name in files:
                    atomic_write_bytes(tmp / name, files[name])
                    _install(tmp / name, folder / name)
                    written.append(folder / name)
            if stamp:
                atomic_write_text(folder / STAMP, stamp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return written
