"""The one exception type for bad engagement input, and the problems it carries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

PathPart = str | int
_MAX_PART = 40  # a field path shows at most this much of one key, however long the key is


def format_path(path: Sequence[PathPart]) -> str:
    """Render a field path as `perfect_days[0].moments[2].needs.customer-360`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            out += ("." if out else "") + (text if len(text) <= _MAX_PART else text[: _MAX_PART - 3] + "...")
    return out or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, and how to fix it."""

    message: str
    path: tuple[PathPart, ...] = ()
    hint: str = ""
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def located(self, file: str | None, line: int | None, column: int | None) -> Problem:
        """Return a copy that knows its file, line and column."""
        return replace(self, file=file, line=line, column=column)

    def __str__(self) -> str:
        where = self.file or "<engagement>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {format_path(self.path) + ': ' if self.path else ''}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class EngagementError(ValueError):
    """Raised for any invalid engagement input; carries every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(problems, key=lambda p: (p.file or "", p.line or 0, p.column or 0))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))

    def with_file(self, file: str) -> EngagementError:
        """Return the same problems attributed to `file` where they name no file yet."""
        return EngagementError(p if p.file else p.located(file, p.line, p.column) for p in self.problems)


def problem_text(exc: BaseException) -> str:
    """One line for a failure: the first problem of an engagement error, or the exception's message."""
    if isinstance(exc, EngagementError) and exc.problems:
        first = exc.problems[0]
        more = len(exc.problems) - 1
        return str(first).split("\n")[0] + (f" (and {more} more)" if more else "")
    return f"{type(exc).__name__}: {exc}".split("\n")[0]
