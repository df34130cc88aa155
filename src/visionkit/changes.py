"""What changed between two versions of an engagement, and what that did to the plan.

`compare_versions(old, new)` plans both versions and says, each change in one sentence for the
client (names and levels, never ids): what changed in the perfect days and their moments, in the
assessment, the scenario and the catalog, and what that did to the plan (uplifts added, removed,
earlier or later and why; moments and perfect days going live sooner or later; the experience
delivered). Moments are matched across the versions by their `id` where both have one, else by
how alike their stories are (`match_moments`). Nothing here reads a file: docs/changes.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from .catalog import Catalog
from .model import Engagement, Moment, PerfectDay
from .planner import plan
from .roadmap import Roadmap, Uplift

STORY_MATCH = 0.6
"""Moments without a shared id are one edited moment when their stories are this alike (difflib's ratio, on words)."""
SAME = "same"
"""The kind of a line that says what did not change: a perfect day live in full as before, the same experience."""
_SHOWN = 60  # characters of a story quoted in a sentence
_CONTEXT = 3  # unchanged words either side of a story's edit


@dataclass(frozen=True)
class Change:
    """One difference between two versions, with a sentence for people (names and levels, never ids)."""

    kind: str
    sentence: str
    subject: str = ""
    """What changed as files name it (a day's id, a moment's key, a capability, an uplift, a field): for code."""
    old: Any = None
    new: Any = None
    why: str = ""
    """For an uplift: why it is in the plan (`Roadmap.why`; the earlier plan's for one no longer needed)."""


_PARTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("The perfect days", (("", "narrative"),)),
    (
        "The assessment and the scenario",
        (
            ("The assessment", "assessment"),
            ("The scenario", "scenario"),
            ("The catalog", "catalog"),
            ("Other details", "details"),
        ),
    ),
    (
        "What it did to the plan",
        (
            ("Uplifts", "uplifts"),
            ("When moments go live", "moments"),
            ("When each perfect day is live in full", "days"),
            ("Experience delivered", "experience"),
        ),
    ),
)


@dataclass(frozen=True)
class PlanChanges:
    """Everything that changed from one version of an engagement to the next, grouped as a reader asks."""

    narrative: list[Change]
    """Perfect days added, removed, retitled or reprioritised; moments added, removed, moved or changed."""
    assessment: list[Change]
    scenario: list[Change]
    """The settings each plan used (the files' scenarios with any overrides), field by field."""
    catalog: list[Change]
    """The engagement's own catalog entries."""
    details: list[Change]
    """The client's name, industry, branding and any other field."""
    uplifts: list[Change]
    moments: list[Change]
    """Moments whose go-live moved, and new moments' go-live."""
    days: list[Change]
    """Every perfect day of the new version: when it is live in full (kind `SAME` where that did not move)."""
    experience: Change
    """The experience delivered over the horizon (`Roadmap.experience`), before and after."""
    before: Roadmap = field(repr=False, compare=False)
    after: Roadmap = field(repr=False, compare=False)

    @property
    def changed(self) -> bool:
        """Whether anything changed: false for two versions that read the same."""
        lists = (self.narrative, self.assessment, self.scenario, self.catalog, self.details, self.uplifts, self.moments)
        return any(lists) or any(c.kind != SAME for c in (*self.days, self.experience))

    def parts(self) -> list[tuple[str, list[tuple[str, list[Change]]]]]:
        """The changes as documents and the command show them: part titles, then titled lists (empty ones left out)."""
        if not self.changed:
            return []
        out: list[tuple[str, list[tuple[str, list[Change]]]]] = []
        for title, groups in _PARTS:
            shown = [(sub, self._group(name)) for sub, name in groups]
            shown = [(sub, items) for sub, items in shown if items]
            if shown:
                out.append((title, shown))
        return out

    def _group(self, name: str) -> list[Change]:
        value = getattr(self, name)
        return [value] if isinstance(value, Change) else list(value)

    def to_json(self) -> dict[str, Any]:
        """The changes as plain JSON data: `changed`, then each group as a list of changes."""
        groups = [name for _, part in _PARTS for _, name in part if name != "experience"]
        return {
            "changed": self.changed,
            **{name: [asdict(c) for c in getattr(self, name)] for name in groups},
            "experience": asdict(self.experience),
        }


def compare_versions(old: Engagement, new: Engagement, **overrides: Any) -> PlanChanges:
    """What changed from `old` to `new`, both planned with the same scenario `overrides` (`planner.plan`'s keywords)."""
    before = plan(old, **overrides)
    # Two versions that read the same make one plan, so `optimal` stopped by its time limit cannot tell them apart.
    after = before if old.model_dump() == new.model_dump() else plan(new, **overrides)
    return compare_roadmaps(before, after)


def compare_roadmaps(before: Roadmap, after: Roadmap) -> PlanChanges:
    """What changed from the engagement and plan of `before` to those of `after`."""
    old, new = before.engagement, after.engagement
    pairs = match_moments(old, new)
    return PlanChanges(
        narrative=_narrative(old, new, pairs),
        assessment=_assessment(old, new),
        scenario=_scenario(before, after),
        catalog=_catalog(old, new),
        details=_details(old, new),
        uplifts=_uplifts(before, after),
        moments=_moments_live(before, after, pairs),
        days=_days_live(before, after),
        experience=_experience(before, after),
        before=before,
        after=after,
    )


# Matching moments


class _Entry(NamedTuple):
    day: str
    position: int  # from 1, within its day
    moment: Moment


def _entries(engagement: Engagement) -> list[_Entry]:
    """Every moment in file order: the order of `Roadmap.moments`."""
    return [_Entry(day.id, m + 1, moment) for day in engagement.perfect_days for m, moment in enumerate(day.moments)]


def _words(text: str) -> list[str]:
    return text.casefold().split()


def match_moments(old: Engagement, new: Engagement, threshold: float = STORY_MATCH) -> dict[int, int]:
    """The same moments in two versions, as {index in `old`: index in `new`} over all moments in file order.

    A moment is matched by its `id` where both versions give it (in the same perfect day, or in
    another when no other moment takes that id); the rest by story, the most alike pairs first,
    provided their stories' difflib ratio (on words, case aside) reaches `threshold`. A tie goes to
    the pair in the same perfect day, then the nearer position.
    """
    a, b = _entries(old), _entries(new)
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    in_day = {(e.day, e.moment.id): j for j, e in enumerate(b) if e.moment.id}
    for i, e in enumerate(a):
        j = in_day.get((e.day, e.moment.id)) if e.moment.id else None
        if j is not None:
            pairs[i] = j
            taken.add(j)
    lone_a = _lone_ids((i, a[i].moment.id) for i in range(len(a)) if i not in pairs)
    lone_b = _lone_ids((j, b[j].moment.id) for j in range(len(b)) if j not in taken)
    for mid, i in lone_a.items():
        if mid in lone_b:
            pairs[i] = lone_b[mid]
            taken.add(lone_b[mid])
    scored: list[tuple[float, bool, int, int, int]] = []
    matcher = difflib.SequenceMatcher(autojunk=False)
    left_a = [i for i in range(len(a)) if i not in pairs]
    for j in (j for j in range(len(b)) if j not in taken):
        matcher.set_seq2(_words(b[j].moment.story))  # the matcher caches what it learns of its second sequence
        for i in left_a:
            matcher.set_seq1(_words(a[i].moment.story))
            if matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold:
                ratio = matcher.ratio()
                if ratio >= threshold:
                    scored.append((-ratio, a[i].day != b[j].day, abs(a[i].position - b[j].position), i, j))
    for _, _, _, i, j in sorted(scored):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return dict(sorted(pairs.items()))


def _lone_ids(items: Iterable[tuple[int, str | None]]) -> dict[str, int]:
    """The ids given to one moment only, with its index."""
    seen: dict[str, list[int]] = {}
    for index, mid in items:
        if mid:
            seen.setdefault(mid, []).append(index)
    return {mid: found[0] for mid, found in seen.items() if len(found) == 1}


def _moved(pairs: Mapping[int, int], a: Sequence[_Entry], b: Sequence[_Entry]) -> set[int]:
    """The moments (new indices) that changed place within their perfect day.

    Not every moment whose position changed: one inserted or removed shifts the others without
    moving them. The moments kept in their order are the longest run difflib finds in common
    between the old order and the new; the rest moved.
    """
    back = {j: i for i, j in pairs.items()}
    moved: set[int] = set()
    for day in dict.fromkeys(e.day for e in b):
        stayed = [(j, back[j]) for j, e in enumerate(b) if e.day == day and j in back and a[back[j]].day == day]
        now = [i for _, i in stayed]
        matcher = difflib.SequenceMatcher(None, sorted(now), now, autojunk=False)
        kept = {i for block in matcher.get_matching_blocks() for i in now[block.b : block.b + block.size]}
        moved.update(j for j, i in stayed if i not in kept)
    return moved


# Sentences


def _short(text: str, limit: int = _SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _quoted(text: str) -> str:
    """Text in quotes; a sentence ending in one takes no full stop after it."""
    return f"“{text}”"


def _moment_name(title: str, moment: Moment, position: int) -> str:
    """How a sentence names a moment: its perfect day and its time, as `Roadmap.headroom_sentence` does."""
    return f"{title} {moment.at or f'moment {position}'}"


def _story_edit(old: str, new: str) -> tuple[str, str]:
    """The part of a story that changed, each side with a few unchanged words around it."""
    a, b = old.split(), new.split()
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return _short(old), _short(new)
    lead = min(_CONTEXT, ops[0][1], ops[0][3])
    trail = min(_CONTEXT, len(a) - ops[-1][2], len(b) - ops[-1][4])

    def excerpt(words: list[str], start: int, end: int) -> str:
        lo, hi = start - lead, end + trail
        text = _short(" ".join(words[lo:hi]), 2 * _SHOWN)
        return ("…" if lo > 0 else "") + text + ("…" if hi < len(words) and not text.endswith("…") else "")

    return excerpt(a, ops[0][1], ops[-1][2]), excerpt(b, ops[0][3], ops[-1][4])


def _name(cid: str, *catalogs: Catalog) -> str:
    """A capability's name from the first catalog that knows it (a version names only capabilities it knows)."""
    for catalog in catalogs:
        if cid in catalog:
            return catalog[cid].name
    return cid


def _ref_name(ref: str, *catalogs: Catalog) -> str:
    """A pin's or an exclusion's capability (`customer-360`) or uplift (`customer-360@3`) by name."""
    cid, _, level = ref.partition("@")
    return f"{_name(cid, *catalogs)} to level {level}" if level else _name(cid, *catalogs)


def _value(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


# The narrative


def _narrative(old: Engagement, new: Engagement, pairs: Mapping[int, int]) -> list[Change]:
    a, b = _entries(old), _entries(new)
    back = {j: i for i, j in pairs.items()}
    moved = _moved(pairs, a, b)
    old_days = {d.id: d for d in old.perfect_days}
    new_days = {d.id: d for d in new.perfect_days}
    old_title = {d.id: d.title for d in old.perfect_days}
    out: list[Change] = []
    for day in new.perfect_days:
        was = old_days.get(day.id)
        out += _day_changes(was, day)
        for j, entry in enumerate(b):
            if entry.day != day.id:
                continue
            name = _moment_name(day.title, entry.moment, entry.position)
            key = new.moment_key(*_where(new, j))
            if j not in back:
                if was is not None:  # a new day's moments come with it
                    out.append(_moment_added(name, entry.moment, key))
                continue
            before = a[back[j]]
            if before.day != entry.day:
                out.append(
                    Change(
                        "moment-moved",
                        f"{name} moved here from {old_title[before.day]}.",
                        key,
                        old_title[before.day],
                        day.title,
                    )
                )
            elif j in moved:
                out.append(
                    Change(
                        "moment-moved",
                        f"{name} moved: now moment {entry.position} of the day (was moment {before.position}).",
                        key,
                        before.position,
                        entry.position,
                    )
                )
            catalogs = (new.capabilities, old.capabilities)
            out += _moment_changes(day.title, entry.position, before.moment, entry.moment, key, catalogs)
        if was is None:
            continue
        for i, entry in enumerate(a):
            if entry.day == day.id and i not in pairs:
                out.append(_moment_removed(day.title, entry, old.moment_key(*_where(old, i))))
    for day in old.perfect_days:
        if day.id not in new_days:
            n = len(day.moments)
            sentence = f"Perfect day removed: {day.title} ({n} moment{'s' * (n != 1)})."
            out.append(Change("day-removed", sentence, day.id, day.title, None))
            # Its moments that now live in another day are said there ("moved here from ...").
    return out


def _where(engagement: Engagement, index: int) -> tuple[int, int]:
    """(day index, moment index) of the moment at `index` in file order."""
    for d, day in enumerate(engagement.perfect_days):
        if index < len(day.moments):
            return d, index
        index -= len(day.moments)
    raise IndexError(index)


def _day_changes(was: PerfectDay | None, day: PerfectDay) -> list[Change]:
    if was is None:
        n = len(day.moments)
        sentence = f"Perfect day added: {day.title} ({n} moment{'s' * (n != 1)}, priority {day.priority})."
        return [Change("day-added", sentence, day.id, None, day.title)]
    out = []
    if was.title != day.title:
        out.append(Change("day-retitled", f"{was.title} is now called {day.title}.", day.id, was.title, day.title))
    if was.priority != day.priority:
        sentence = f"{day.title}: priority {was.priority} → {day.priority} (1 is the most important)."
        out.append(Change("day-priority", sentence, day.id, was.priority, day.priority))
    if (was.persona or "") != (day.persona or ""):
        out.append(Change("day-persona", f"{day.title}: persona edited.", day.id, was.persona, day.persona))
    return out


def _moment_added(name: str, moment: Moment, key: str) -> Change:
    channel = f" ({moment.channel})" if moment.channel else ""
    sentence = f"Moment added: {name}{channel}, {_quoted(_short(moment.story))}"
    return Change("moment-added", sentence, key, None, moment.story)


def _moment_removed(title: str, entry: _Entry, key: str) -> Change:
    moment = entry.moment
    channel = f" ({moment.channel})" if moment.channel else ""
    name = _moment_name(title, moment, entry.position)
    sentence = f"Moment removed: {name}{channel}, {_quoted(_short(moment.story))}"
    return Change("moment-removed", sentence, key, moment.story, None)


def _moment_changes(
    title: str, position: int, was: Moment, now: Moment, key: str, catalogs: tuple[Catalog, Catalog]
) -> list[Change]:
    """What changed in one moment, named as it is now (`catalogs`: the new version's, then the old)."""
    name = _moment_name(title, now, position)
    out = []
    if " ".join(was.story.split()) != " ".join(now.story.split()):
        before, after = _story_edit(was.story, now.story)
        sentence = f"{name}: story edited, {_quoted(before)} → {_quoted(after)}"
        out.append(Change("moment-story", sentence, key, was.story, now.story))
    if was.at != now.at:
        old_name = _moment_name(title, was, position)
        sentence = f"{old_name} now happens at {now.at}." if now.at else f"{old_name} no longer has a time."
        out.append(Change("moment-time", sentence, key, was.at, now.at))
    if (was.channel or "") != (now.channel or ""):
        sentence = f"{name}: channel {_value(was.channel)} → {_value(now.channel)}."
        out.append(Change("moment-channel", sentence, key, was.channel, now.channel))
    for cid, level in now.needs.items():
        cap = _name(cid, *catalogs)
        if cid not in was.needs:
            sentence = f"{name} now needs {cap} at level {level}."
            out.append(Change("need-added", sentence, f"{key}:{cid}", None, level))
        elif was.needs[cid] != level:
            sentence = f"{name} needs {cap} at level {level} (was level {was.needs[cid]})."
            out.append(Change("need-level", sentence, f"{key}:{cid}", was.needs[cid], level))
    for cid, level in was.needs.items():
        if cid not in now.needs:
            sentence = f"{name} no longer needs {_name(cid, *reversed(catalogs))} (was level {level})."
            out.append(Change("need-removed", sentence, f"{key}:{cid}", level, None))
    if was.weight != now.weight:
        sentence = f"{name}: weight {was.weight:g} → {now.weight:g}."
        out.append(Change("moment-weight", sentence, key, was.weight, now.weight))
    details = [
        label
        for label, before, after in (
            ("wow", was.wow, now.wow),
            ("how it goes today", was.today, now.today),
            ("feeling", was.feeling, now.feeling),
        )
        if before != after
    ]
    if details:
        out.append(Change("moment-details", f"{name}: {', '.join(details)} edited.", key))
    return out


# The assessment, the scenario, the catalog and the rest


def _assessment(old: Engagement, new: Engagement) -> list[Change]:
    catalogs = (new.capabilities, old.capabilities)
    out = []
    for cid in sorted({*old.assessment, *new.assessment}, key=lambda c: (_name(c, *catalogs), c)):
        was, now = old.assessment.get(cid, 0), new.assessment.get(cid, 0)
        if was != now:
            kind = "assessment-raised" if now > was else "assessment-lowered"
            out.append(Change(kind, f"{_name(cid, *catalogs)}: level {was} → {now}.", cid, was, now))
    return out


_SCENARIO_WORDS = {"start": "Start", "waves": "Waves", "wave_length": "Wave length", "strategy": "Strategy"}


def _scenario(before: Roadmap, after: Roadmap) -> list[Change]:
    was, now = before.scenario, after.scenario
    catalogs = (after.engagement.capabilities, before.engagement.capabilities)
    out = []
    for name in type(now).model_fields:
        old_value, new_value = getattr(was, name), getattr(now, name)
        if old_value == new_value:
            continue
        if name == "capacity":
            sentence = f"Capacity: {_capacity(old_value)} → {_capacity(new_value)}."
        elif name == "time_limit":
            sentence = f"Time limit of the optimal strategy: {old_value:g} s → {new_value:g} s."
        elif name == "pin":
            out += _pins(old_value, new_value, catalogs)
            continue
        elif name == "exclude":
            out += _exclusions(old_value, new_value, catalogs)
            continue
        else:
            label = _SCENARIO_WORDS.get(name, name.replace("_", " ").capitalize())
            sentence = f"{label}: {_value(old_value)} → {_value(new_value)}."
        out.append(Change(f"scenario-{name.replace('_', '-')}", sentence, name, old_value, new_value))
    return out


def _capacity(value: int | list[int]) -> str:
    return f"{value} points per wave" if isinstance(value, int) else f"{_value(value)} points by wave"


def _pins(was: Mapping[str, int], now: Mapping[str, int], catalogs: tuple[Catalog, ...]) -> list[Change]:
    out = []
    for ref in sorted({*was, *now}):
        name = _ref_name(ref, *catalogs)
        if ref not in was:
            out.append(Change("scenario-pin", f"Pinned: {name} starts in wave {now[ref]}.", ref, None, now[ref]))
        elif ref not in now:
            sentence = f"No longer pinned: {name} (was wave {was[ref]})."
            out.append(Change("scenario-pin", sentence, ref, was[ref], None))
        elif was[ref] != now[ref]:
            sentence = f"Pin moved: {name} starts in wave {now[ref]} (was wave {was[ref]})."
            out.append(Change("scenario-pin", sentence, ref, was[ref], now[ref]))
    return out


def _exclusions(was: Sequence[str], now: Sequence[str], catalogs: tuple[Catalog, ...]) -> list[Change]:
    added = [Change("scenario-exclude", f"Excluded: {_ref_name(r, *catalogs)}.", r, False, True) for r in now]
    gone = [Change("scenario-exclude", f"No longer excluded: {_ref_name(r, *catalogs)}.", r, True, False) for r in was]
    return [c for c in added if c.subject not in was] + [c for c in gone if c.subject not in now]


def _catalog(old: Engagement, new: Engagement) -> list[Change]:
    out = []
    if old.catalog.extends != new.catalog.extends:
        words = {"default": "the shipped catalog", "none": "no catalog"}
        sentence = f"Base catalog: {words[old.catalog.extends]} → {words[new.catalog.extends]}."
        out.append(Change("catalog-base", sentence, "extends", old.catalog.extends, new.catalog.extends))
    was = {spec.id: spec for spec in old.catalog.capabilities}
    now = {spec.id: spec for spec in new.catalog.capabilities}
    catalogs = (new.capabilities, old.capabilities)
    for cid, spec in now.items():
        name = _name(cid, *catalogs)
        if cid not in was:
            out.append(Change("catalog-added", f"Catalog entry added: {name}.", cid))
        elif spec != was[cid]:
            before, after = was[cid].model_dump(), spec.model_dump()
            fields = [f.replace("_", " ") for f in after if after[f] != before[f]]
            out.append(Change("catalog-changed", f"Catalog entry changed: {name} ({', '.join(fields)}).", cid))
    for cid in was:
        if cid not in now:
            out.append(Change("catalog-removed", f"Catalog entry removed: {_name(cid, old.capabilities)}.", cid))
    return out


_COMPARED = {"perfect_days", "assessment", "scenario", "catalog", "client", "industry", "branding"}


def _details(old: Engagement, new: Engagement) -> list[Change]:
    out = []
    if old.client != new.client:
        out.append(Change("client", f"Client: {old.client} → {new.client}.", "client", old.client, new.client))
    if old.industry != new.industry:
        sentence = f"Industry: {_value(old.industry)} → {_value(new.industry)}."
        out.append(Change("industry", sentence, "industry", old.industry, new.industry))
    if old.branding != new.branding:
        out.append(Change("branding", "Branding changed.", "branding"))
    for name in type(new).model_fields:
        # Fields this module does not compare one by one (named scenarios, ...) still count as a change.
        if name not in _COMPARED and getattr(old, name) != getattr(new, name):
            out.append(Change(name.replace("_", "-"), f"{name.replace('_', ' ').capitalize()} changed.", name))
    return out


# The plan


def _landing(roadmap: Roadmap, up: Uplift) -> str:
    """When an uplift is done, in prose: its last wave, beyond the horizon, or excluded."""
    if up.status == "excluded":
        return "excluded"
    return roadmap.period(up.end_wave if up.status == "scheduled" else None, prose=True)


def _rank(wave: int | None) -> float:
    return float("inf") if wave is None else wave


def _uplifts(before: Roadmap, after: Roadmap) -> list[Change]:
    was = {up.id: up for up in before.uplifts}
    now = {up.id: up for up in after.uplifts}
    out = []
    for up in after.in_delivery_order():
        old = was.get(up.id)
        why = after.why(up.id)
        tail = f" — {why}." if why else "."
        end = up.end_wave if up.status == "scheduled" else None
        if old is None:
            out.append(Change("uplift-added", f"New: {up.label}, {_landing(after, up)}{tail}", up.id, None, end, why))
            continue
        old_end = old.end_wave if old.status == "scheduled" else None
        moves = f"{_landing(before, old)} → {_landing(after, up)}"
        if (old.status == "excluded") != (up.status == "excluded"):
            if up.status == "excluded":
                sentence = f"Now excluded: {up.label} (was {_landing(before, old)})."
                out.append(Change("uplift-excluded", sentence, up.id, old_end, None, why))
            else:
                sentence = f"No longer excluded: {up.label}, {_landing(after, up)}{tail}"
                out.append(Change("uplift-included", sentence, up.id, None, end, why))
        elif up.status != "excluded" and old_end != end:
            kind = "earlier" if _rank(end) < _rank(old_end) else "later"
            sentence = f"{kind.capitalize()}: {up.label}, {moves}{tail}"
            out.append(Change(f"uplift-{kind}", sentence, up.id, old_end, end, why))
    for up in before.in_delivery_order():
        if up.id not in now:
            why = before.why(up.id)
            old_end = up.end_wave if up.status == "scheduled" else None
            sentence = f"No longer needed: {up.label} (was {_landing(before, up)})" + (f" — {why}." if why else ".")
            out.append(Change("uplift-removed", sentence, up.id, old_end, None, why))
    order = ("uplift-added", "uplift-removed", "uplift-earlier", "uplift-later", "uplift-excluded", "uplift-included")
    return sorted(out, key=lambda c: order.index(c.kind))  # stable: each kind stays in delivery order


def _live(roadmap: Roadmap, wave: int | None) -> str:
    return roadmap.period(wave, prose=True)


def _moments_live(before: Roadmap, after: Roadmap, pairs: Mapping[int, int]) -> list[Change]:
    back = {j: i for i, j in pairs.items()}
    old_days = {d.id for d in before.engagement.perfect_days}
    titles = {d.id: d.title for d in after.engagement.perfect_days}
    out = []
    for j, mp in enumerate(after.moments):
        name = f"{titles[mp.perfect_day]} {mp.at or f'moment {mp.position}'}"
        now = mp.live_wave
        if j not in back:
            if mp.perfect_day in old_days:  # a new day's moments are said with the day, below
                when = "today" if now == 0 else "beyond the horizon" if now is None else f"in {_live(after, now)}"
                out.append(Change("live-new", f"{name}, a new moment, goes live {when}.", mp.key, None, now))
            continue
        was = before.moments[back[j]].live_wave
        if was == now:
            continue
        moves = f"{_live(before, was)} → {_live(after, now)}"
        if now is None:
            kind, sentence = "live-beyond", f"{name} is no longer live within the horizon: {moves}."
        elif was is None:
            kind, sentence = "live-within", f"{name} now goes live within the horizon: {moves}."
        elif now < was:
            kind, sentence = "live-sooner", f"{name} goes live sooner: {moves}."
        else:
            kind, sentence = "live-later", f"{name} goes live later: {moves}."
        out.append(Change(kind, sentence, mp.key, was, now))
    return out


def _days_live(before: Roadmap, after: Roadmap) -> list[Change]:
    old_days = {d.id for d in before.engagement.perfect_days}
    out = []
    for day in after.engagement.perfect_days:
        now = after.day_live_wave(day.id)
        full = "not live in full within the horizon" if now is None else f"live in full {_by(after, now)}"
        if day.id not in old_days:
            out.append(Change("day-new", f"{day.title}, a new perfect day, is {full}.", day.id, None, now))
            continue
        was = before.day_live_wave(day.id)
        if was == now:
            out.append(Change(SAME, f"{day.title} is {full}, as before.", day.id, was, now))
            continue
        moves = f"{_live(before, was)} → {_live(after, now)}"
        if now is None:
            kind = "live-beyond"
        elif was is None:
            kind = "live-within"
        else:
            kind = "live-sooner" if now < was else "live-later"
        out.append(Change(kind, f"{day.title} is live in full: {moves}.", day.id, was, now))
    return out


def _by(roadmap: Roadmap, wave: int) -> str:
    return "today" if wave == 0 else f"by {roadmap.period(wave, prose=True)}"


def _experience(before: Roadmap, after: Roadmap) -> Change:
    was, now = round(before.experience(), 1), round(after.experience(), 1)
    head = "Experience delivered over the horizon"
    if was == now:
        return Change(SAME, f"{head}: {now:.1f}, as before.", "experience", was, now)
    kind = "more" if now > was else "less"
    return Change(kind, f"{head}: {was:.1f} → {now:.1f} ({now - was:+.1f}).", "experience", was, now)
