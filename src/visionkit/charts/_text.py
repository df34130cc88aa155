"""Label text: cleaned, clipped, wrapped and measured, and counts with their nouns."""

from __future__ import annotations

import textwrap

from ._style import FONT
from ._svg import _extent


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters with an ellipsis."""
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clip_middle(text: str, limit: int) -> str:
    """The text on one line, cut in the middle to `limit` characters: titles often differ only at the end."""
    text = _clean(text)
    if len(text) <= limit:
        return text
    words = text.split(" ")
    head: list[str] = []
    tail: list[str] = []
    budget = limit - 3  # room left after " … "
    used = -1  # words in each half are joined by spaces: one fewer than the words
    grew = True
    while grew and len(head) + len(tail) < len(words):
        grew = False
        # Whole words from both ends, taking the end first, where titles differ.
        for side in (tail, head):
            if len(head) + len(tail) == len(words):
                break
            word = words[len(words) - 1 - len(tail)] if side is tail else words[len(head)]
            if used + len(word) + 1 <= budget:
                side.append(word)
                used += len(word) + 1
                grew = True
    if head and tail and used >= budget // 2:
        return " ".join(head) + " … " + " ".join(reversed(tail))
    cut = (limit - 1) * 9 // 20
    return text[:cut].rstrip() + "…" + text[len(text) - (limit - 1 - cut) :].lstrip()


def _wrap(text: str, width: int, lines: int) -> str:
    """The text wrapped to at most `lines` lines of `width` characters, the last cut with an ellipsis."""
    parts = textwrap.wrap(_clean(text), width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], _clip(" ".join(parts[lines - 1 :]), width)]
    return "\n".join(parts)


def _width_pt(text: str, size: float, weight: str = "normal") -> float:
    """Width of the widest line of text in points, measured with the font that will draw it."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family=FONT, size=size, weight=weight)
    widths = [_extent(line, prop)[0] for line in text.split("\n")]
    # Raster renderers hint small text, which can widen it by up to about a tenth; estimates
    # must err on the wide side so that labels never collide in a PNG either.
    return max(widths, default=0.0) * 1.12 + 1.0


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _be(count: int) -> str:
    """The verb after "N of M things": "1 of 3 moments is live", "2 of 3 are"."""
    return "is" if count == 1 else "are"
