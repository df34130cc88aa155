"""Capability suggestions for a moment: its story and wow matched against the catalog's words.

A moment is matched on whole words and phrases, never on parts of words ("order" is not found in
"border"). Two kinds of evidence count:

- a capability's keyword phrases, and its name, found in the story. The keywords are the consultant's
  plain-language synonyms for the capability ("greets by name", "sold out"). A phrase matches any
  inflection of its words ("sold out" matches "sells out"), any pronoun for a pronoun ("knows my
  history" matches "knows her history"), and may have up to two other words inside it ("greets her
  by name");
- words the story shares with the capability's keywords, name and description ("refund", "forum"),
  each weighted by its inverse document frequency (IDF) over the catalog's names, descriptions and
  keywords, so that a word many capabilities use ("customer", "service", "data") counts for little.

A shared word alone never makes a suggestion, and everyday words ("shift", "size", "summer",
"next", "last") never count as shared words at all, only inside a phrase: rare as they are in the
catalog, a story uses them in any sense.

Reasons are the story's words as the user typed them, in the order of the story:
`keywords 'greets her by name'; also 'history'`. The module is pure: it reads nothing but the
catalog it is given. Its quality is measured by benchmarks/suggest_quality.py on the labelled
moments of tests/corpus/suggest/; the figures below are micro precision@5 / recall@5 on the 75
moments of moments.yaml.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .catalog import Catalog

# Words, with an apostrophe inside ("priya's", "don't") kept in the word; "sign-in" is two words.
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")

# Function words and words every perfect day uses: they match inside a phrase ("in stock", "log in",
# "on the spot") but never count as a shared word on their own.
_STOP = frozenset(
    (
        "a about above across after again against ago all almost already also always am an and another any "
        "anyone anything are around as at away back be because been before being below between both but by "
        "can cannot could did do does doing done down during each either else even ever every few for from "
        "get gets getting got had has have having he her here hers herself him himself his how i if in into "
        "is it its itself just let lets like many may me might more most much must my myself never no nobody "
        "none nor not nothing now of off often on once one only onto or other others our ours out over own "
        "per quite rather really same see seen she should since so some someone something soon still such "
        "than that the their theirs them themselves then there these they this those though through thus "
        "to too two under until up upon us use used very via was way we well were what when where whether "
        "which while who whom whose why will with within without would yet you your yours "
        "customer customers client clients app apps website store stores shop shops online day days time "
        "times make makes made take takes took go goes went come comes came new three four five ten "
        "want wants need needs"
    ).split()
)

# Everyday words: the catalog uses them in passing ("pick up where they left off", "the right
# skills", "shift pattern"), so their IDF over the catalog says they are rare, but a story uses them
# in any sense at all ("last summer", "the next size"). They still match inside a phrase ("what to do
# next", "kept on hold", "right answer"); they never count as a shared word. Counting them would
# take precision@5 from 0.70 to 0.59 for a recall@5 of 0.47 instead of 0.46.
_EVERYDAY = frozenset(
    (
        "morning afternoon evening night hour hours minute minutes week weeks month months year years "
        "today tomorrow yesterday weekend monday tuesday wednesday thursday friday saturday sunday "
        "spring summer autumn winter early late later soon next last first second third final "
        "ask asks asked tell tells told say says said show shows shown give gives gave put puts keep keeps "
        "kept leave leaves left turn turns pick picks picked walk walks walked try tries tried start "
        "starts started stop stops stopped move moves moved bring brings brought find finds found "
        "look looks looked feel feels felt hold holds held run runs ran sit sits sat stand stands "
        "open opens opened close closes closed check checks checked change changes changed help helps "
        "helped know knows knew known think thinks thought buy buys bought send sends sent arrive "
        "arrives arrived work works worked "
        "good better best great right wrong big small little large whole full sure real true able "
        "person people someone everyone family friend friends child children son daughter husband wife "
        "mother father parent parents man woman home house room thing things place part lot "
        "size sizes fit fits shift shifts"
    ).split()
)

# Pronouns (with possessives and demonstratives) are one word to a phrase, and so are the forms of
# "to be": the keyword "knows my history" matches "knows her history", "switch it off" matches
# "switch that off", and "prove who i am" matches "proving who they are" (recall@5 0.44 -> 0.46).
_PRONOUN = "<someone>"
_PRONOUNS = frozenset(
    "i me my mine myself you your yours he him his she her hers it its we us our they them their "
    "this that these those".split()
)
_BE = "<be>"
_BES = frozenset("am is are was were be been being".split())

# Irregular forms that the suffix rules below cannot reach: "sold out" must match "sells out".
_IRREGULAR = {
    "sold": "sell", "bought": "buy", "paid": "pay", "told": "tell", "kept": "keep", "sent": "send",
    "spent": "spend", "left": "leave", "lost": "lose", "found": "find", "brought": "bring",
    "knew": "know", "known": "know", "gave": "give", "given": "give", "rang": "ring", "rung": "ring",
    "chose": "choose", "chosen": "choose", "met": "meet", "ran": "run", "wrote": "write",
    "written": "write", "spoke": "speak", "spoken": "speak", "heard": "hear", "held": "hold",
    "felt": "feel", "thought": "think", "taught": "teach", "caught": "catch", "stood": "stand",
    "understood": "understand", "saw": "see", "said": "say", "went": "go", "gone": "go", "got": "get",
    "sat": "sit", "children": "child", "people": "person", "women": "woman", "men": "man",
}  # fmt: skip

# A phrase may have this many other words inside it, in all: one lets "greets by name" match "greets
# her by name", two lets "visits at home" match "visits Mrs Hale at home". Recall@5 is 0.42 with
# none, 0.44 with one and 0.46 with two, at the same precision; more finds nothing more.
_GAPS = 2

# The weights of the evidence. A matched phrase counts the IDF of each of its words times
# _PHRASE_WEIGHT (a phrase of rarer words says more); a shared word counts its IDF times the weight of
# the field it is shared with. Measured with benchmarks/suggest_quality.py on the 75 labelled moments
# (micro precision@5 / recall@5): these weights give 0.70 / 0.46; description words weighted as
# keywords' half (0.3) give 0.67 / 0.46, and not at all 0.72 / 0.45: a description is written in the
# catalog's words, not the customer's, so it corroborates a suggestion but hardly ever makes one.
_PHRASE_WEIGHT = 1.5
_FIELD_WEIGHT = {"keywords": 0.6, "name": 0.6, "description": 0.1}
# The least score a suggestion needs. A matched keyword of one word passes if the word is used by at
# most 11 of the 54 shipped capabilities (1.5 x ln(54/11) / ln 54 = 0.60). Two shared words pass if one
# of them is a rare word of the capability's keywords or name (0.6 for a word of that capability
# alone), never as two words of its description (0.1 each at most).
_MIN_SCORE = 0.575
# A word used by more than a quarter of the capabilities ("management", "channels", "data") is no
# evidence for any one of them (precision@5 0.68 -> 0.70).
_MIN_IDF = math.log(4)


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


@functools.lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    # Enough to bring inflections together ("greets"/"greet", "booked"/"booking"/"book",
    # "deliveries"/"delivery", "shopping"/"shop"). Applied alike to the story and the catalog, so a
    # stem need not be a word; it is never shown to the user. It only ever shortens a whole word, so
    # no word can match inside another ("border" is "bord", "order" is "order").
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and any(v in stem for v in "aeiouy") and not word.endswith("eed"):
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                word = stem[:-1]  # shopping -> shopp -> shop
            elif _SHORT.search(stem):
                word = stem + "e"  # named -> name, caring -> care (and not "car")
            else:
                word = stem
            break
    # A few derivations too (recall@5 0.45 -> 0.46, precision unchanged).
    if word.endswith("ier") and len(word) > 5:
        word = word[:-3] + "y"  # supplier -> supply
    for suffix in ("ation", "ment", "ery", "er"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]  # reservation -> reserv, management -> manag, reminder -> remind
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # reserve/reserved/reserves -> reserv; "care" and "same" stay apart from "car" and "sam"
    return word


# A stem of one syllable ending consonant-vowel-consonant lost an "e" to its suffix ("nam" from
# "named", "shar" from "sharing"), as in Porter's stemmer.
_SHORT = re.compile(r"^[^aeiouy]*[aeiouy][^aeiouywx]$")


@dataclass(frozen=True)
class _Token:
    key: str  # the stem, _PRONOUN or _BE
    start: int
    end: int
    sentence: int  # a phrase never runs from one sentence (or from the story into the wow) into the next

    @property
    def content(self) -> bool:
        return self.key not in _STOP_STEMS and self.key not in (_PRONOUN, _BE) and not self.key.isdigit()

    @property
    def shareable(self) -> bool:
        return self.content and self.key not in _EVERYDAY_STEMS


_STOP_STEMS = frozenset(_stem(w) for w in _STOP)
_EVERYDAY_STEMS = frozenset(_stem(w) for w in _EVERYDAY)
_SENTENCE_END = re.compile(r"[.!?;:\n]")


@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[_Token, ...]:
    # Cached: the mapper suggests again after every keystroke, and the catalog's texts are the same
    # each time.
    lowered = text.lower()
    toks = []
    sentence, last_end = 0, 0
    for m in _WORD.finditer(lowered):
        if _SENTENCE_END.search(lowered, last_end, m.start()):
            sentence += 1
        word = m.group()
        key = _PRONOUN if word in _PRONOUNS else _BE if word in _BES else _stem(word)
        toks.append(_Token(key, m.start(), m.end(), sentence))
        last_end = m.end()
    return tuple(toks)


def words(text: str) -> frozenset[str]:
    """The stems of the meaningful words of a text (not function words, not words every story uses)."""
    return frozenset(t.key for t in _tokens(text) if t.content)


@dataclass(frozen=True)
class _Phrase:
    keys: tuple[str, ...]
    content: frozenset[str]


@dataclass(frozen=True)
class _Entry:
    capability: str
    name: str
    phrases: tuple[_Phrase, ...]
    shared: Mapping[str, float]  # stem -> the weight of the field it is shared with


@dataclass(frozen=True)
class _Index:
    entries: tuple[_Entry, ...]
    idf: Mapping[str, float]


_Key = tuple[tuple[str, str, str, tuple[str, ...]], ...]


@functools.lru_cache(maxsize=8)
def _index(key: _Key) -> _Index:
    # Cached by the catalog's texts: an engagement's catalog is rebuilt on every edit, its words are not.
    entries = []
    documents: list[dict[str, float]] = []
    for cid, name, description, keywords in key:
        phrases: dict[_Phrase, None] = {}
        for text in (*keywords, name):
            toks = _tokens(text)
            content = frozenset(t.key for t in toks if t.content)
            if content:
                phrases[_Phrase(tuple(t.key for t in toks), content)] = None
        shared: dict[str, float] = {}
        for field, texts in (("description", (description,)), ("name", (name,)), ("keywords", keywords)):
            for text in texts:
                for stem in words(text):
                    shared[stem] = max(shared.get(stem, 0.0), _FIELD_WEIGHT[field])
        entries.append(_Entry(cid, name, tuple(phrases), {k: w for k, w in shared.items() if w > 0}))
        documents.append(shared)
    df: dict[str, int] = {}
    for doc in documents:
        for stem in doc:
            df[stem] = df.get(stem, 0) + 1
    # IDF as a share of the highest possible, ln(N): a word of one capability weighs 1 in a catalog of
    # any size, so that the thresholds below hold for an engagement's own catalog of 10 capabilities
    # as for the shipped one of 54.
    most = math.log(len(entries)) or 1.0
    idf = {stem: math.log(len(entries) / n) / most for stem, n in df.items()}
    entries = [
        _Entry(e.capability, e.name, e.phrases, {k: w for k, w in e.shared.items() if idf[k] * most >= _MIN_IDF})
        for e in entries
    ]
    return _Index(tuple(entries), idf)


def _catalog_key(catalog: Catalog) -> _Key:
    return tuple((c.id, c.name, c.description, tuple(c.keywords)) for c in catalog.values())


def _find(phrase: _Phrase, toks: tuple[_Token, ...]) -> list[int] | None:
    """The token indexes of a phrase's first occurrence, with at most `_GAPS` other words inserted."""
    keys = phrase.keys
    for i, tok in enumerate(toks):
        if tok.key != keys[0]:
            continue
        at, gaps, positions = i, 0, [i]
        for key in keys[1:]:
            nxt = next(
                (j for j in range(at + 1, min(at + 2 + _GAPS - gaps, len(toks))) if toks[j].key == key),
                None,
            )
            if nxt is None or toks[nxt].sentence != tok.sentence:
                break
            gaps += nxt - at - 1
            at = nxt
            positions.append(nxt)
        else:
            return positions
    return None


def _typed(text: str, toks: tuple[_Token, ...], positions: Iterable[int]) -> list[str]:
    """The words at these token positions as the user typed them: runs of nearby words as one phrase."""
    runs: list[list[int]] = []
    for i in sorted(set(positions)):
        if runs and i - runs[-1][-1] <= 1 + _GAPS and toks[i].sentence == toks[runs[-1][-1]].sentence:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [" ".join(text[toks[run[0]].start : toks[run[-1]].end].split()) for run in runs]


def suggest(text: str, catalog: Catalog, *, exclude: Iterable[str] = (), count: int = 5) -> list[Suggestion]:
    """Capabilities ranked by how well their keywords, name and description match `text`."""
    toks = _tokens(text)
    if not toks or not len(catalog):
        return []
    index = _index(_catalog_key(catalog))
    idf = index.idf
    skip = set(exclude)
    ranked: list[Suggestion] = []
    for entry in index.entries:
        if entry.capability in skip:
            continue
        score = 0.0
        matched: set[int] = set()
        for phrase in entry.phrases:
            positions = _find(phrase, toks)
            if positions is not None:
                score += _PHRASE_WEIGHT * sum(idf.get(k, 0.0) for k in phrase.content)
                matched.update(positions)
        in_phrases = {toks[i].key for i in matched}
        shared: dict[str, int] = {}  # stem -> where the story first has it
        for i, tok in enumerate(toks):
            key = tok.key
            if key in entry.shared and key not in shared and key not in in_phrases and tok.shareable:
                shared[key] = i
        score += sum(entry.shared[k] * idf[k] for k in shared)
        # One shared word is never enough: allowed alone, a rare word ("reader", "trial", "portal")
        # takes precision@5 from 0.70 to 0.49 for a recall@5 of 0.49 instead of 0.46. Two may
        # suggest without a phrase ("idea" and "staff": employee voice); without them recall@5 falls
        # to 0.42.
        if (not matched and len(shared) < 2) or score < _MIN_SCORE:
            continue
        reasons = []
        if matched:
            reasons.append("keywords " + ", ".join(f"'{p}'" for p in _typed(text, toks, matched)[:4]))
        if shared:
            strongest = sorted(shared, key=lambda k: -entry.shared[k] * idf.get(k, 0.0))[:3]
            typed = (text[toks[i].start : toks[i].end] for i in sorted(shared[k] for k in strongest))
            reasons.append(("also " if matched else "words ") + ", ".join(f"'{w}'" for w in typed))
        ranked.append(Suggestion(entry.capability, entry.name, round(score, 3), tuple(reasons)))
    ranked.sort(key=lambda s: (-s.score, s.capability))
    return ranked[:count]


def suggest_for_moment(moment: Mapping[str, object], catalog: Catalog, count: int = 5) -> list[Suggestion]:
    """Suggestions for a raw moment (story and wow), leaving out what it already needs."""
    # The line break between story and wow keeps a phrase from running from one into the other.
    text = f"{moment.get('story') or ''}\n{moment.get('wow') or ''}"
    needs = moment.get("needs")
    return suggest(text, catalog, exclude=needs if isinstance(needs, Mapping) else (), count=count)
