"""Engagement files on disk: load with locations for every error, save atomically keeping the author's text."""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._atomic import atomic_write_text, rewrite_in_place
from ._yamlio import dump, key_location, location, round_trip_yaml, same, to_plain
from ._yamlsplice import splice
from .errors import EngagementError, Problem
from .model import Engagement
from .validation import validate_engagement

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Engagement files larger than this are refused before parsing (a big engagement is a few hundred kB)."""
MAX_VALUES = 200_000
"""At most this many values (scalars, lists, mappings) per file, counting each alias as what it expands to."""
MAX_DEPTH = 50
"""At most this many levels of nesting (an engagement file needs eight)."""

_YAML_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(_YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))
_SHOWN = 60


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


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag


def _too_large(size: int | None, name: str) -> EngagementError:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    what = f"{size / (1024 * 1024):.1f} MB" if size is not None else f"more than {limit} MB"
    return EngagementError(
        [
            Problem(
                f"the file is {what}; engagement files are limited to {limit} MB",
                (),
                "an engagement file holds narratives and settings, not bulk data; split it, or remove pasted data",
                name,
            )
        ]
    )


@functools.cache
def _guarded_parts() -> tuple[type[Any], type[Any], type[Exception]]:
    """A composer and a constructor that refuse what an engagement file never needs.

    The composer refuses tags other than the plain YAML types (so `!!python/...` can never
    construct anything), nesting deeper than `MAX_DEPTH`, documents of more than `MAX_VALUES`
    values with every alias counted as what it expands to (the "billion laughs"), and aliases
    to a value that contains them. The constructor turns a value that cannot be built (a date
    such as 2027-02-30) into a located error.
    """
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.events import AliasEvent

    class Refused(MarkedYAMLError):
        def __init__(self, problem: str, mark: Any, hint: str) -> None:
            super().__init__(problem=problem, problem_mark=mark)
            self.hint = hint

    class GuardedComposer(Composer):
        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader=loader)
            self.warn_double_anchors = False  # YAML lets an anchor be defined again; the latest one counts
            self.values = 0
            self.nesting = 0
            self.sizes: dict[Any, int] = {}  # values each anchor expands to
            self.open: dict[Any, bool] = {}  # is the latest value with this anchor still being read?

        def count(self, values: int, event: Any, through_alias: bool) -> None:
            self.values += values
            if self.values > MAX_VALUES:
                if through_alias:
                    raise Refused(
                        f"the file holds more than {MAX_VALUES:,} values once its aliases are expanded",
                        event.start_mark,
                        "aliases (*name) repeat what an anchor (&name) holds; write the repeated part out, "
                        "or nest fewer aliases",
                    )
                raise Refused(
                    f"the file holds more than {MAX_VALUES:,} values",
                    event.start_mark,
                    "an engagement file holds narratives and settings, not bulk data; split it",
                )

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent):
                name = event.anchor
                if self.open.get(name):
                    raise Refused(
                        f"the alias *{_short(str(name))} points to a value that contains it",
                        event.start_mark,
                        "an alias may only repeat a value that is complete before it",
                    )
                self.count(self.sizes.get(name, 1), event, True)
                return super().compose_node(parent, index)
            tag = getattr(event, "ctag", None)
            if tag is not None and str(tag) != "!" and str(tag) not in _PLAIN_TAGS:
                raise Refused(
                    f"the tag {_short(_tag_name(str(tag)))} is not allowed",
                    event.start_mark,
                    "engagement files hold plain text, numbers, dates, lists and mappings; "
                    "remove the tag (the word starting with '!')",
                )
            self.nesting += 1
            if self.nesting > MAX_DEPTH:
                raise Refused(
                    f"the values are nested more than {MAX_DEPTH} levels deep",
                    event.start_mark,
                    "check the brackets and the indentation; an engagement file needs only a few levels",
                )
            anchor = event.anchor
            before = self.values
            self.count(1, event, False)
            if anchor is not None:
                self.open[anchor] = True
            node = super().compose_node(parent, index)
            if anchor is not None:
                self.open[anchor] = False
                self.sizes[anchor] = self.values - before
            self.nesting -= 1
            return node

    class GuardedConstructor(RoundTripConstructor):
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep=deep)
            except MarkedYAMLError:
                raise
            except Exception as exc:  # noqa: BLE001 - any value ruamel cannot build (`!!bool x`) is bad input
                value = f"'{_short(node.value)}'" if isinstance(node.value, str) else "this value"
                tag = str(node.tag)
                if tag == _YAML_TAG + "timestamp":
                    reason = str(exc) if len(str(exc)) <= _SHOWN else ""  # Python's own words, when short
                    message = f"{value} is not a real date or time" + (f" ({reason})" if reason else "")
                    hint = "check the year, month, day and time, or quote the value if it is meant as text"
                else:
                    message = f"cannot read {value} as {_tag_name(tag)}"
                    hint = "quote the value if it is meant as text"
                raise Refused(message, node.start_mark, hint) from None

    return GuardedComposer, GuardedConstructor, Refused


def _text_location(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of a character index, counting lines as YAML does."""
    before = text[:index]
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return before.count("\n") + before.replace("\r\n", "\n").count("\r") + 1, index - line_start + 1


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text into a round-trip document, turning syntax errors into a located problem.

    Files over `MAX_FILE_BYTES`, tags other than the plain YAML types, more than `MAX_VALUES`
    values (aliases expanded) and nesting deeper than `MAX_DEPTH` are refused with a located problem.
    """
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    if len(text) > MAX_FILE_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), name)
    composer, constructor, refused = _guarded_parts()
    yaml = round_trip_yaml()
    yaml.Composer = composer
    yaml.Constructor = constructor
    try:
        return yaml.load(text)
    except refused as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        message = str(getattr(exc, "problem", ""))
        raise EngagementError([Problem(message, (), getattr(exc, "hint", ""), name, line, column)]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        hint = "check the indentation and that every quote and bracket is closed"
        if "quoted scalar" in str(exc.context) and exc.context_mark is not None:
            mark = exc.context_mark  # where the unclosed quote opened, not the end of the file
            hint = "a quote opened here is never closed"
        elif mark is not None and "\t" in (text.split("\n")[mark.line : mark.line + 1] or [""])[0]:
            hint = "YAML does not allow tabs for indentation; indent with spaces"
        elif str(exc.context).startswith("while parsing a flow") and exc.context_mark is not None:
            bracket = "{" if "mapping" in str(exc.context) else "["
            hint = (
                f"check that the {bracket} opened on line {exc.context_mark.line + 1} is closed "
                "and that its entries are separated by commas"
            )
        if "found another document" in message:
            hint = "an engagement file holds one document; remove the second '---' and what follows, or merge them"
        elif "undefined alias" in message:
            hint = "a word starting with '*' repeats an anchor (&name) defined earlier; quote the value if it is text"
        if "duplicate key" in message.lower() or type(exc).__name__ == "DuplicateKeyError":
            message = message.split("\n")[0]
            hint = "each key may appear once per mapping; merge the two entries"
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise EngagementError([Problem(f"YAML syntax error: {message}", (), hint, name, line, column)]) from None
    except ReaderError as exc:
        position = exc.position if isinstance(exc.position, int) else 0
        line, column = _text_location(text, min(max(position, 0), len(text)))
        code = exc.character if isinstance(exc.character, int) else 0
        raise EngagementError(
            [
                Problem(
                    f"the file contains a control character (U+{code:04X}) that YAML does not allow",
                    (),
                    "delete it; it is often pasted in invisibly from another program",
                    name,
                    line,
                    column,
                )
            ]
        ) from None
    except YAMLError as exc:
        raise EngagementError([Problem(f"YAML error: {exc}", (), "", name)]) from None


def _plain(doc: Any) -> Any:
    """Plain data from a round-trip document, with explicitly tagged text (`!!str 12`) as text."""
    from ruamel.yaml.comments import TaggedScalar

    def untag(node: Any) -> Any:
        if isinstance(node, dict):
            return {untag(k): untag(v) for k, v in node.items()}
        if isinstance(node, list):
            return [untag(v) for v in node]
        if isinstance(node, TaggedScalar):
            return str(node.value)
        return node

    return untag(to_plain(doc))


def _first_value(text: str) -> tuple[int, int] | None:
    """Where the first value of a YAML text starts (after comments, directives and `---`)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "%")) and stripped != "---":
            return number, len(line) - len(line.lstrip()) + 1
    return None


def _locate(error: EngagementError, doc: Any, name: str, text: str = "") -> EngagementError:
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
        if where is None and doc is not None and not p.path:
            where = _first_value(text)  # a document that is one scalar: point at it
        line, column = where if where else (None, None)
        located.append(p.located(p.file or name, line, column))
    return EngagementError(located)


def _reads_as(text: str, data: Any) -> bool:
    """Whether YAML text parses to exactly `data` (types included)."""
    try:
        return same(_plain(round_trip_yaml().load(text)), data)
    except Exception:  # noqa: BLE001 - text that does not parse is not the data
        return False


def read_bytes(file: Path, name: str | None = None) -> bytes:
    """The bytes of an engagement file: a regular file, at most `MAX_FILE_BYTES`, else a located problem.

    The one way every command reads an engagement: a pipe would block forever and a device
    (`/dev/zero`) never ends, so anything but a regular file is refused before it is opened.
    """
    name = name or str(file)
    try:
        mode = file.stat().st_mode
        if stat.S_ISDIR(mode):
            raise EngagementError([Problem("this is a folder, not an engagement file", (), "", name)])
        if not stat.S_ISREG(mode):
            raise EngagementError(
                [Problem("this is not a regular file (a pipe, a device or a socket)", (), "name a file", name)]
            )
        with file.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)  # never more: a file that grew meanwhile is refused unread
        if len(raw) > MAX_FILE_BYTES:
            size = file.stat().st_size
            raise _too_large(size if size > MAX_FILE_BYTES else None, name)
    except FileNotFoundError:
        raise EngagementError([Problem("no such file", (), "check the path", name)]) from None
    except OSError as exc:
        raise EngagementError([Problem(f"cannot read the file: {exc.strerror}", (), "", name)]) from None
    return raw


def read_text(file: Path, name: str | None = None) -> str:
    """The text of an engagement file, read as `read_bytes` does (UTF-8, line ends as `\\n`)."""
    return _decode(read_bytes(file, name), name or str(file))


def client_of(text: str) -> str | None:
    """The top-level `client` of engagement text, from the YAML events alone; None when unsure.

    About 0.1-0.6 ms a file with libyaml (no values are built, aliases are not expanded, and the
    time is linear in the text), against 15 ms to load and validate it. A value that is not plain
    text, a repeated `client` key, or text that does not parse gives None: ask the loader.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth, key, found, count = 0, None, None, 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 1 and key == "client":
                    return None  # a list or mapping for a name
                if depth == 0 and not isinstance(event, yaml.MappingStartEvent):
                    return None
                depth += 1
                if depth == 2:
                    key = None
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 0:
                    break
                continue
            if depth != 1:
                continue
            if key is None:
                if not isinstance(event, yaml.ScalarEvent):
                    return None
                key = event.value
                continue
            if key == "client":
                count += 1
                if not isinstance(event, yaml.ScalarEvent) or event.tag not in (None, "!"):
                    return None
                if not event.style:  # plain (libyaml says "", the Python parser None)
                    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, event.value, (True, False))
                    if tag != "tag:yaml.org,2002:str":
                        return None  # true, 12, null: what the loader says about it is what counts
                found = event.value.strip()
            key = None
    except yaml.YAMLError:
        return None
    return found if count == 1 and found else None


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
        self._plain = _plain(doc)
        self.engagement = engagement

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> EngagementFile:
        """Read and validate an engagement file; raise `EngagementError` with every problem located."""
        file = Path(path)
        name = str(path)
        raw = read_bytes(file, name)
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
            engagement = validate_engagement(_plain(doc))
        except EngagementError as exc:
            raise _locate(exc, doc, name, text) from None
        return cls(path, text, doc, engagement)

    def data(self) -> Any:
        """A plain, editable copy of the file's data (dicts, lists, scalars)."""
        return copy.deepcopy(self._plain)

    def render(self, data: Any) -> str:
        """The file's text holding `data`: only the lines of what changed are written (see `_yamlsplice`)."""
        spliced = splice(self.text, self._plain, data)
        if spliced is not None and _reads_as(spliced, data):
            return spliced
        # The safety net: the whole document written again by ruamel.yaml, comments and key order kept.
        from ._yamlio import apply

        return dump(apply(copy.deepcopy(self._doc), data))

    def save(self, data: Any | None = None, *, check_conflict: bool = True) -> Engagement:
        """Validate `data` (default: the current data), then write it atomically; return the new engagement."""
        data = self.data() if data is None else data
        text = self.render(data)
        doc = parse_yaml(text, str(self.path))
        try:
            engagement = validate_engagement(_plain(doc))
        except EngagementError as exc:
            raise _locate(exc, doc, str(self.path), text) from None
        target = _writable_target(self.path)
        with _locked(target):
            # Checked and written under one lock, so of two concurrent savers the second sees the first's
            # file and gets a conflict instead of silently replacing it.
            if check_conflict and target.exists():
                on_disk = _decode(target.read_bytes(), str(self.path))
                if on_disk != self.text:
                    raise ConflictError(
                        f"{self.path} changed on disk since it was loaded; reload it, or save with check_conflict=False"
                    )
            if text != self.text or not target.exists():
                written = ("\ufeff" if self.bom else "") + text.replace("\n", self.newline)
                if _hard_linked(target):
                    rewrite_in_place(target, written.encode("utf-8"), target.read_bytes())
                else:
                    atomic_write_text(target, written)
        self.text, self._doc, self._plain, self.engagement = text, doc, _plain(doc), engagement
        return engagement


LOCK_SECONDS = 5.0
"""How long a save waits for another program's lock on the file before it gives up and says so."""


def _hard_linked(path: Path) -> bool:
    """Whether other names share this file, so that a save must keep its inode to reach them."""
    try:
        return path.stat().st_nlink > 1
    except OSError:
        return False


def _writable_target(path: Path) -> Path:
    """The file a save replaces: a link's target (the link stays a link), refused if it is read-only."""
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target  # a new file (or a link to one still to be written)
    if not mode & stat.S_IWUSR:
        # Checked by hand: a save run as root would otherwise replace a file its owner made read-only.
        raise PermissionError(
            errno.EACCES, f"{path.name} is read-only; make it writable (chmod u+w {path.name}) to save", str(path)
        )
    return target


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file being saved (a no-op for a new file or without POSIX locks).

    Gives up with `TimeoutError` after `LOCK_SECONDS`: a save must not wait without a word while
    another program holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        handle = path.open("rb")
    except OSError:
        yield
        return
    with handle:
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        errno.ETIMEDOUT,
                        f"another program has held {path.name} locked for {LOCK_SECONDS:.0f} s; "
                        "close it, or save again once it is done",
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def load_engagement(path: str | os.PathLike[str]) -> Engagement:
    """Load and validate an engagement file."""
    return EngagementFile.load(path).engagement
