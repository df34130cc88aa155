"""Engagement files on disk: load with locations for every error, save atomically keeping the author's text."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from .atomic import atomic_write_text
from .errors import EngagementError, Problem
from .model import Engagement
from .validation import validate_engagement
from .yamlio import dump, key_location, location, round_trip_yaml, to_plain
from .yamlsplice import splice


class ConflictError(RuntimeError):
    """The file changed on disk since it was loaded; saving would overwrite someone's work."""


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise EngagementError(
            [
                Problem(
                    f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                    (),
                    "save the file as UTF-8 in your editor",
                    name,
                    line,
                    column,
                )
            ]
        ) from None
    return text.replace("\r\n", "\n")


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text into a round-trip document, turning syntax errors into a located problem."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return round_trip_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        hint = "check the indentation and that every quote and bracket is closed"
        if "quoted scalar" in str(exc.context) and exc.context_mark is not None:
            mark = exc.context_mark  # where the unclosed quote opened, not the end of the file
            hint = "a quote opened here is never closed"
        elif mark is not None and "\t" in (text.split("\n")[mark.line : mark.line + 1] or [""])[0]:
            hint = "YAML does not allow tabs for indentation; indent with spaces"
        if "duplicate key" in message.lower() or type(exc).__name__ == "DuplicateKeyError":
            message = message.split("\n")[0]
            hint = "each key may appear once per mapping; merge the two entries"
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise EngagementError([Problem(f"YAML syntax error: {message}", (), hint, name, line, column)]) from None
    except YAMLError as exc:
        raise EngagementError([Problem(f"YAML error: {exc}", (), "", name)]) from None


def _locate(error: EngagementError, doc: Any, name: str) -> EngagementError:
    located = []
    for p in error.problems:
        if p.line is not None:
            located.append(p)
            continue
        where = (
            key_location(doc, p.path)
            if p.message.startswith(("unknown field", "key ", "duplicate"))
            else location(doc, p.path)
        )
        line, column = where if where else (None, None)
        located.append(p.located(p.file or name, line, column))
    return EngagementError(located)


class EngagementFile:
    """An engagement file: its text, its editable data, and the validated engagement."""

    def __init__(
        self, path: Path, text: str, doc: Any, engagement: Engagement, *, newline: str = "\n", bom: bool = False
    ):
        self.path = path
        self.text = text
        self.newline = newline  # written back as found, so a Windows file stays a Windows file
        self.bom = bom
        self._doc = doc
        self._plain = to_plain(doc)
        self.engagement = engagement

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> EngagementFile:
        """Read and validate an engagement file; raise `EngagementError` with every problem located."""
        file = Path(path)
        name = str(path)
        try:
            raw = file.read_bytes()
        except FileNotFoundError:
            raise EngagementError([Problem("no such file", (), "check the path", name)]) from None
        except IsADirectoryError:
            raise EngagementError([Problem("this is a folder, not an engagement file", (), "", name)]) from None
        except OSError as exc:
            raise EngagementError([Problem(f"cannot read the file: {exc.strerror}", (), "", name)]) from None
        text = _decode(raw, name)
        loaded = cls.from_text(text, file, name)
        loaded.newline = "\r\n" if b"\r\n" in raw else "\n"
        loaded.bom = raw.startswith(b"\xef\xbb\xbf")
        return loaded

    @classmethod
    def from_text(cls, text: str, path: Path, name: str | None = None) -> EngagementFile:
        """Parse and validate engagement text as if read from `path`."""
        name = name or str(path)
        doc = parse_yaml(text, name)
        try:
            engagement = validate_engagement(to_plain(doc))
        except EngagementError as exc:
            raise _locate(exc, doc, name) from None
        return cls(path, text, doc, engagement)

    def data(self) -> Any:
        """A plain, editable copy of the file's data (dicts, lists, scalars)."""
        return copy.deepcopy(self._plain)

    def render(self, data: Any) -> str:
        """The file's text with `data` in place of the current data, untouched parts kept byte for byte."""
        from .yamlio import apply

        doc = copy.deepcopy(self._doc)
        doc = apply(doc, data)
        full = dump(doc)
        spliced = splice(self.text, self._plain, full, data)
        if spliced is not None:
            try:
                if to_plain(round_trip_yaml().load(spliced)) == data:
                    return spliced
            except Exception:  # noqa: BLE001 - a failed splice falls back to the full dump
                pass
        return full

    def save(self, data: Any | None = None, *, check_conflict: bool = True) -> Engagement:
        """Validate `data` (default: the current data), then write it atomically; return the new engagement."""
        data = self.data() if data is None else data
        text = self.render(data)
        doc = parse_yaml(text, str(self.path))
        try:
            engagement = validate_engagement(to_plain(doc))
        except EngagementError as exc:
            raise _locate(exc, doc, str(self.path)) from None
        if check_conflict and self.path.exists():
            on_disk = _decode(self.path.read_bytes(), str(self.path))
            if on_disk != self.text:
                raise ConflictError(
                    f"{self.path} changed on disk since it was loaded; reload it, or save with check_conflict=False"
                )
        if text != self.text or not self.path.exists():
            atomic_write_text(self.path, ("\ufeff" if self.bom else "") + text.replace("\n", self.newline))
        self.text, self._doc, self._plain, self.engagement = text, doc, to_plain(doc), engagement
        return engagement


def load_engagement(path: str | os.PathLike[str]) -> Engagement:
    """Load and validate an engagement file."""
    return EngagementFile.load(path).engagement
