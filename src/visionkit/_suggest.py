"""Capability suggestions for a moment: its story and wow matched against the catalog's words."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .catalog import Catalog

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    (
        "a an and are as at be by for from has have her his in into is it its of on or our she so that the "
        "their them then they this to was we were what when which who will with without you your can not no "
        "all any more most one two each every same than too very also just only before after while about "
        "over under again new time day way make made get gets got use used using via per across within "
        "customer customers app store shop online "
    ).split()
)


@dataclass(frozen=True)
class Suggestion:
    """A capability a moment probably needs, with a score and the words that suggest it."""

    capability: str
    name: str
    score: float
    reasons: tuple[str, ...]

    @property
    def why(self) -> str:
        """A short explanation: which phrases of the story matched what."""
        return "; ".join(self.reasons)


def _stem(word: str) -> str:
    # Plurals and simple verb forms only: enough for "orders"/"order", "booked"/"book".
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@functools.lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    """The meaningful word stems of a text."""
    # Cached: the mapper suggests again after every keystroke, and the catalog's names and
    # descriptions are the same each time (21 ms a suggestion uncached, most of it here).
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2)


def suggest(text: str, catalog: Catalog, *, exclude: Iterable[str] = (), count: int = 5) -> list[Suggestion]:
    """Capabilities ranked by how well their keywords, name and description match `text`."""
    lowered = " ".join(_WORD.findall(text.lower()))
    story = words(text)
    skip = set(exclude)
    ranked: list[Suggestion] = []
    for cap in catalog.values():
        if cap.id in skip:
            continue
        score = 0.0
        reasons: list[str] = []
        phrases = [k for k in cap.keywords if k and f" {' '.join(_WORD.findall(k.lower()))} " in f" {lowered} "]
        if phrases:
            score += 3.0 * len(phrases)
            reasons.append("keywords " + ", ".join(f"'{p}'" for p in phrases[:3]))
        in_name = sorted(story & words(cap.name))
        if in_name:
            score += 2.0 * len(in_name)
            reasons.append("name shares " + ", ".join(f"'{w}'" for w in in_name[:3]))
        in_desc = sorted(story & words(cap.description) - set(in_name))
        if in_desc:
            score += 0.5 * len(in_desc)
            reasons.append("description shares " + ", ".join(f"'{w}'" for w in in_desc[:3]))
        if score >= 1.0:
            ranked.append(Suggestion(cap.id, cap.name, score, tuple(reasons)))
    ranked.sort(key=lambda s: (-s.score, s.capability))
    return ranked[:count]


def suggest_for_moment(moment: Mapping[str, object], catalog: Catalog, count: int = 5) -> list[Suggestion]:
    """Suggestions for a raw moment (story and wow), leaving out what it already needs."""
    text = f"{moment.get('story') or ''} {moment.get('wow') or ''}"
    needs = moment.get("needs")
    return suggest(text, catalog, exclude=needs if isinstance(needs, Mapping) else (), count=count)
