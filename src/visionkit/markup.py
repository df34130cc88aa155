"""User text to safe HTML: everything escaped, then light emphasis only (`*em*`, `**strong**`)."""

from __future__ import annotations

import html
import re

_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def escape(text: object) -> str:
    """Escape text for HTML element content and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def inline(text: object) -> str:
    """Escaped text with `**strong**` and `*emphasis*` rendered; raw HTML and links stay literal."""
    out = escape(text)
    out = _STRONG.sub(r"<strong>\1</strong>", out)
    return _EM.sub(r"<em>\1</em>", out)


def slug(text: str) -> str:
    """A lowercase id fragment safe for HTML ids and anchors."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
