"""User text to safe HTML: everything escaped, then light emphasis only (`*em*`, `**strong**`)."""

from __future__ import annotations

import html
import re

from .doctree import Inline, Span

_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def escape(text: object) -> str:
    """Escape text for HTML element content and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


# Markers standing for the tags the emphasis rules insert: like a tag's `<` and `>`, none is a word
# character, a `*` or a space, so the rules match exactly as they would around HTML tags.
_OPEN_STRONG, _CLOSE_STRONG, _OPEN_EM, _CLOSE_EM = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
_MARKERS = {_OPEN_STRONG: ("strong", True), _CLOSE_STRONG: ("strong", False), _OPEN_EM: ("emph", True),
            _CLOSE_EM: ("emph", False)}  # fmt: skip
_SPLIT = re.compile("([\ufdd0-\ufdd3])")


def emphasis(text: object) -> list[Inline]:
    """User text as inline content: `**strong**` and `*emphasis*` become spans, everything else stays text."""
    raw = "" if text is None else str(text)
    # The markers are Unicode noncharacters; one typed by the user is dropped rather than read as a tag.
    raw = _SPLIT.sub("", raw)
    marked = _STRONG.sub(_OPEN_STRONG + r"\1" + _CLOSE_STRONG, raw)
    marked = _EM.sub(_OPEN_EM + r"\1" + _CLOSE_EM, marked)
    root: list[Inline] = []
    open_spans: list[Span] = []
    for piece in _SPLIT.split(marked):
        if not piece:
            continue
        into = open_spans[-1].content if open_spans else root
        if piece not in _MARKERS:
            into.append(piece)
            continue
        style, opening = _MARKERS[piece]
        if opening:
            span = Span(style)  # type: ignore[arg-type]
            into.append(span)
            open_spans.append(span)
        elif any(s.style == style for s in open_spans):
            # A close ends every span opened inside the one it closes, as an HTML parser would.
            while open_spans.pop().style != style:
                pass
    return root


_TAGS = {"strong": "strong", "emph": "em", "code": "code", "sub": "sub", "sup": "sup"}


def inline_html(content: list[Inline]) -> str:
    """Inline content as HTML: text escaped, spans as tags or `vk-` classes."""
    out = []
    for item in content:
        if isinstance(item, str):
            out.append(escape(item))
        elif item.style == "break":
            out.append("<br>")
        elif item.style in _TAGS:
            tag = _TAGS[item.style]
            out.append(f"<{tag}>{inline_html(item.content)}</{tag}>")
        else:
            name = "vk-running-client" if item.style == "client" else f"vk-{item.style}"
            out.append(f'<span class="{name}">{inline_html(item.content)}</span>')
    return "".join(out)


def inline(text: object) -> str:
    """Escaped text with `**strong**` and `*emphasis*` rendered; raw HTML and links stay literal."""
    return inline_html(emphasis(text))


def slug(text: str) -> str:
    """A lowercase id fragment safe for HTML ids and anchors."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
