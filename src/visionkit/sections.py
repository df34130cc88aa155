"""The sections of a roadmap document as document-model trees (doctree.py), computed from a roadmap."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from ._brand import DEFAULT_BRAND
from ._markup import emphasis, escape
from ._render_html import section_html
from ._resources import stylesheet
from .doctree import (
    Block,
    BulletList,
    Card,
    Cell,
    Chart,
    Chips,
    Cover,
    Facts,
    Group,
    Heading,
    Inline,
    Level,
    Levels,
    Paragraph,
    Span,
    Table,
    Wow,
    from_json,
    to_json,
)

if TYPE_CHECKING:
    from .changes import PlanChanges
    from .charts import Chart as Figure
    from .comparison import Comparison
    from .roadmap import MomentPlan, Roadmap, Uplift

SECTION_MIME = "application/vnd.visionkit.section+json"
"""Mimetype of a section in notebook outputs: its id, title, style and blocks as JSON; the templates read it."""

SectionStyle = Literal["", "cover", "chart", "appendix"]


@dataclass(frozen=True, repr=False)
class Section:
    """One part of a roadmap document: an anchor id, a title for the contents, and its blocks."""

    id: str
    title: str
    blocks: list[Block]
    in_contents: bool = True
    meta: dict[str, Any] = field(default_factory=dict)
    style: SectionStyle = ""

    def __repr__(self) -> str:
        return f"<Section {self.id!r}: {self.title}>"

    @property
    def html(self) -> str:
        """The section as HTML."""
        return section_html(self.id, self.style, self.blocks)

    def payload(self) -> dict[str, Any]:
        """The section as the JSON its notebook output carries."""
        head = {"id": self.id, "title": self.title, "in_contents": self.in_contents, "style": self.style}
        return {**head, **self.meta, "blocks": to_json(self.blocks)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Section:
        """A section read back from its notebook output (`ValueError` if it holds no valid tree)."""
        blocks = payload.get("blocks")
        if not isinstance(blocks, list):
            raise ValueError("a visionkit section without blocks")
        style = str(payload.get("style") or "")
        if style not in get_args(SectionStyle):
            raise ValueError(f"unknown section style {style!r}")
        known = {"id", "title", "in_contents", "style", "blocks"}
        return cls(
            str(payload.get("id") or ""),
            str(payload.get("title") or ""),
            from_json(blocks),
            bool(payload.get("in_contents")),
            {k: v for k, v in payload.items() if k not in known},
            style,  # type: ignore[arg-type]
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        brand = escape(self.meta.get("brand", DEFAULT_BRAND))
        view = f'<style>{stylesheet()}</style><div class="vk-doc" style="--brand: {brand}">{self.html}</div>'
        # A plain-text stand-in of our own: the default would be the whole HTML again, a third copy.
        return {"text/plain": repr(self), "text/html": view, SECTION_MIME: json.loads(json.dumps(self.payload()))}


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def cover(roadmap: Roadmap, title: str, date: _dt.date) -> Section:
    """The cover: client, document title, date and the scenario planned."""
    eng, sc = roadmap.engagement, roadmap.scenario
    caps = sorted(set(roadmap.capacities))
    capacity = f"{caps[0]} effort points per wave" if len(caps) == 1 else "capacity varying by wave"
    horizon = f"{roadmap.labels[0]} to {roadmap.labels[-1]}" if sc.start else _plural(sc.waves, "wave")
    strategy = sc.strategy if roadmap.proof is None else f"{sc.strategy} ({roadmap.proof.sentence()})"
    facts = [
        ("Date", date.strftime("%d %B %Y").lstrip("0")),
        ("Horizon", f"{horizon}, {_plural(sc.waves, sc.wave_length)}"),
        ("Capacity", capacity),
        ("Strategy", strategy),
        ("Perfect days", ", ".join(d.title for d in eng.perfect_days)),
    ]
    page = Cover(
        eng.client, title, "An experience-led capability roadmap", Facts([([term], [value]) for term, value in facts])
    )
    meta = {"client": eng.client, "title": title, "date": date.isoformat()}
    return Section("cover", "Cover", [page], in_contents=False, meta=meta, style="cover")


def top_uplifts(roadmap: Roadmap, count: int = 3) -> list[Uplift]:
    """The uplifts that unlock the most: most moments served, then value, then earliest."""
    ranked = sorted(
        (u for u in roadmap.uplifts if u.status != "excluded"),
        key=lambda u: (-len(u.moments), -u.value, u.end_wave or 10**9, u.id),
    )
    return ranked[:count]


def summary_sentences(roadmap: Roadmap) -> list[list[Inline]]:
    """The executive summary as sentences computed from the plan, each as inline content."""
    moments = roadmap.moments
    total = len(moments)
    last = len(roadmap.labels)
    live_end = sum(1 for m in moments if m.live_wave is not None)
    today = sum(1 for m in moments if m.live_wave == 0)
    days = roadmap.engagement.perfect_days
    # "Live by" names the wave the last of them goes live, not the horizon's end: a plan that has every
    # moment live two years early must say so.
    latest = max((m.live_wave for m in moments if m.live_wave is not None), default=None)
    head = f"Of the {_plural(total, 'moment')} across {_plural(len(days), 'perfect day')}, "
    if latest is None:
        head += f"none is live by the end of the horizon, {roadmap.period(last, prose=True)}"
    else:
        head += f"{'all ' if live_end == total and total > 1 else ''}{live_end} "
        by = "today" if latest == 0 else f"by {roadmap.period(latest, prose=True)}"
        head += f"{'is' if live_end == 1 else 'are'} live {by}"
        if live_end < total:
            head += f" and {total - live_end} {'is' if total - live_end == 1 else 'are'} not live within the horizon"
    out: list[list[Inline]] = [[head + (f"; {today} already work{'s' if today == 1 else ''} today." if today else ".")]]
    half = (total + 1) // 2
    for wave in range(1, last + 1):
        live = sum(1 for m in moments if m.live_wave is not None and m.live_wave <= wave)
        if live >= half and half:
            out.append([f"Half of them ({live}) are live by {roadmap.period(wave, prose=True)}."])
            break
    for day in days:
        mps = roadmap.moments_of(day.id)
        title = Span("strong", [day.title])
        when = roadmap.day_live_wave(day.id)
        if when is not None:
            first = min(m.live_wave or 0 for m in mps)
            text = f" is live in full by {roadmap.period(when, prose=True)}"
            if first < when:
                text += f", with its first moment live {roadmap.period(first, prose=True)}"
            out.append([title, text + "."])
        else:
            live = sum(1 for m in mps if m.live_wave is not None)
            waiting = sorted({u for m in mps for u in m.waiting_for})
            names = ", ".join(roadmap.uplift(u).label for u in waiting[:3])
            more = f" and {len(waiting) - 3} more" if len(waiting) > 3 else ""
            out.append(
                [
                    title,
                    f" is not complete within the horizon: {live} of {len(mps)} moments are live by "
                    f"{roadmap.labels[-1]}; the rest wait for {names}{more}.",
                ]
            )
    gaps = roadmap.largest_gaps()
    if gaps:
        titles = {d.id: d.title for d in days}
        named = "; ".join(
            f"{titles[mp.perfect_day]}, {mp.at or f'moment {mp.position}'} ({_score(mp.feeling_today or 0)} → "
            f"{_score(mp.feeling_perfect or 0)}, live {roadmap.period(mp.live_wave)})"
            for mp in gaps
        )
        out.append([f"Furthest from the perfect day today: {named}."])
    tops = top_uplifts(roadmap)
    if tops:
        listed = "; ".join(
            f"{u.label} ({_plural(len(u.moments), 'moment')}, {roadmap.period(u.end_wave, prose=True)})" for u in tops
        )
        out.append([f"The {_plural(len(tops), 'uplift')} that unlock the most: {listed}."])
    used = sum(sum(u.allocation.values()) for u in roadmap.uplifts)
    capacity = sum(roadmap.capacities)
    beyond = [u for u in roadmap.uplifts if u.status == "beyond-horizon"]
    text = f"The plan uses {used} of {capacity} effort points"
    if capacity:
        text += f" ({round(100 * used / capacity)}%)"
    if beyond:
        points = sum(u.effort for u in beyond)
        verb = "falls" if len(beyond) == 1 else "fall"
        text += f"; {_plural(len(beyond), 'uplift')} ({points} points) {verb} beyond the horizon"
    out.append([text + "."])
    out.append([roadmap.headroom_sentence()])
    return out


def executive_summary(roadmap: Roadmap) -> Section:
    """Plain sentences on what goes live when, and what unlocks the most."""
    sentences = BulletList([[Paragraph(s)] for s in summary_sentences(roadmap)], style="summary")
    header = [Cell(["Wave"])] + [
        Cell([label], num=True) for label in ("Effort / capacity", "Uplifts done", "Moments live", "Perfect days live")
    ]
    rows = [
        [
            Cell([w["period"]]),
            Cell([f"{w['effort']} / {w['capacity']}"], num=True),
            Cell([str(w["finished"])], num=True),
            Cell([f"{w['moments_live']} / {len(roadmap.moments)}"], num=True),
            Cell([f"{w['perfect_days_live']} / {len(roadmap.engagement.perfect_days)}"], num=True),
        ]
        for w in roadmap.wave_rows()
    ]
    blocks: list[Block] = [Heading(2, ["Executive summary"]), sentences, Table(header, rows, style="waves")]
    return Section("summary", "Executive summary", blocks)


def _score(value: int) -> str:
    """A feeling score as printed: +2, 0, −1 (a true minus sign)."""
    return f"+{value}" if value > 0 else str(value).replace("-", "\u2212")


def _feeling(mp: MomentPlan) -> str:
    """A moment's feeling, today against the perfect day: "feels −1 today, +2 on the perfect day"."""
    return f"feels {_score(mp.feeling_today or 0)} today, {_score(mp.feeling_perfect or 0)} on the perfect day"


def _moment_card(roadmap: Roadmap, mp: MomentPlan, moment: Any) -> Card:
    catalog = roadmap.engagement.capabilities
    needs = Chips([[f"{catalog[c].name} ", Span("level", [f"L{lvl}"])] for c, lvl in mp.needs.items()])
    live = roadmap.period(mp.live_wave, prose=True)
    status = Span("live-never" if mp.live_wave is None else "live", [f"Live: {live}"])
    when = " · ".join(x for x in (mp.at, mp.channel) if x)
    body: list[Block] = [Paragraph(emphasis(mp.story), "story")]
    if moment.wow:
        body.append(Wow("Wow", emphasis(moment.wow)))
    today: list[Inline] = []
    if mp.today:
        today += [Span("strong", ["Today: "]), *emphasis(mp.today)]
    if mp.gap is not None:
        today += [" " if today else "", Span("muted", [_feeling(mp)])]
    if today:
        body.append(Paragraph(today, "today"))
    body.append(needs)
    return Card([[Span("when", [when or f"Moment {mp.position}"])], [status]], body)


def storyboards(roadmap: Roadmap) -> Section:
    """Each perfect day as a storyboard: its journey chart, then its moments in order and when each goes live."""
    from .charts import journey

    by_key = {m.key: m for m in roadmap.moments}
    eng = roadmap.engagement
    blocks: list[Block] = [Heading(2, ["Perfect days"])]
    for d, day in enumerate(eng.perfect_days):
        cards: list[Block] = [
            _moment_card(roadmap, by_key[eng.moment_key(d, i)], moment) for i, moment in enumerate(day.moments)
        ]
        live = roadmap.day_live_wave(day.id)
        facts = f"Priority {day.priority} · {_plural(len(day.moments), 'moment')} · live in full "
        parts: list[Block] = [Heading(3, [day.title])]
        if day.persona:
            parts.append(Paragraph(emphasis(day.persona), "persona"))
        parts.append(Paragraph([facts + roadmap.period(live, prose=True)], "day-facts"))
        parts.append(chart_block(journey(roadmap, day=day.id)))
        parts.append(Group("moments", cards))
        blocks.append(Group("day", parts))
    return Section("perfect-days", "Perfect days", blocks)


def chart(section_id: str, title: str, figures: Figure | list[Figure], intro: str) -> Section:
    """One or more charts with their heading, a sentence of introduction and text alternatives."""
    blocks: list[Block] = [Heading(2, [title]), Paragraph([intro])]
    blocks += [chart_block(figure) for figure in (figures if isinstance(figures, list) else [figures])]
    return Section(section_id, title, blocks, style="chart")


def chart_block(figure: Figure) -> Chart:
    """A chart as the document embeds it: the SVG from its `<svg` element on (no XML prolog), and its alt text."""
    svg = figure.svg
    start = svg.find("<svg")
    return Chart((svg[start:] if start >= 0 else svg).rstrip(), figure.alt)


def uplift_list(roadmap: Roadmap) -> Section:
    """Every uplift with when it lands, its effort and why it is there."""
    catalog = roadmap.engagement.capabilities
    rows = []
    for row in roadmap.table_rows():
        notes: list[Inline] = [Span("break"), Span("note", [row["notes"]])] if row["notes"] else []
        uplift: list[Inline] = [
            Span("strong", [row["name"]]),
            Span("break"),
            Span("muted", [f"level {row['from_level']}→{row['to_level']}"]),
        ]
        rows.append(
            [
                Cell([roadmap.when(row["uplift"])], nowrap=True),
                Cell(uplift),
                Cell([catalog.domain_name(row["domain"])]),
                Cell([str(row["effort"])], num=True),
                Cell([row["why"], *notes]),
            ]
        )
    header = [Cell(["When"]), Cell(["Uplift"]), Cell(["Domain"]), Cell(["Effort"], num=True), Cell(["Why"])]
    blocks: list[Block] = [Heading(2, ["Uplifts and why they are there"]), Table(header, rows, style="uplifts")]
    return Section("uplifts", "Uplifts and why they are there", blocks)


def rubrics(roadmap: Roadmap) -> Section:
    """Appendix: the maturity rubric of every capability in the plan, today's and the target level marked."""
    catalog = roadmap.engagement.capabilities
    target = roadmap.engagement.target_levels()
    blocks: list[Block] = [
        Heading(2, ["Appendix: capability rubrics"]),
        Paragraph(["The maturity levels of every capability in the plan; today's level and the target are marked."]),
    ]
    for domain in sorted({catalog[c].domain for c in target}, key=lambda d: list(catalog.domains).index(d)):
        blocks.append(Heading(3, [catalog.domain_name(domain)]))
        for cid in sorted((c for c in target if catalog[c].domain == domain), key=lambda c: catalog[c].name):
            cap = catalog[cid]
            now = roadmap.current.get(cid, 0)
            levels = Levels(
                [
                    Level([Span("level", [f"L{lvl}"]), f" {cap.rubric.get(lvl, '')}"], lvl == now, lvl == target[cid])
                    for lvl in range(1, 6)
                ]
            )
            head: list[Inline] = [f"{cap.name} ", Span("muted", [f"today L{now}, target L{target[cid]}"])]
            parts: list[Block] = [Heading(4, head)]
            if cap.description:
                parts.append(Paragraph([cap.description], "rubric-desc"))
            parts.append(levels)
            blocks.append(Group("rubric", parts))
    return Section("appendix", "Appendix: capability rubrics", blocks, style="appendix")


def scenario_comparison(comparison: Comparison, figure: Figure, planned_under: str = "") -> Section:
    """Scenarios side by side: what each buys, their burn-ups overlaid, when each moment goes live, what each uses.

    `planned_under` says what was varied (default: the engagement's scenarios).
    """
    names = comparison.names
    title = "Scenarios compared"
    under = planned_under or f"{_plural(len(names), 'scenario')} of the engagement"
    blocks: list[Block] = [
        Heading(2, [title]),
        Paragraph([f"The same perfect days planned under {under}; each is compared with the first, {names[0]}."]),
        BulletList([[Paragraph([sentence])] for sentence in comparison.sentences()], style="summary"),
        chart_block(figure),
    ]
    header = [Cell(["Moment"]), *(Cell([name], nowrap=True) for name in names)]
    rows = [
        [Cell([row["moment"]]), *(Cell([str(row[name])], nowrap=True) for name in names)]
        for row in comparison.moment_rows()
    ]
    rows += [
        [Cell([Span("strong", [f"{row['perfect_day']}, in full"])]), *(Cell([str(row[n])], nowrap=True) for n in names)]
        for row in comparison.day_rows()
    ]
    blocks += [Heading(3, ["When each moment goes live"]), Table(header, rows)]
    summary_header = [
        Cell(["Scenario"]), Cell(["Settings"]), Cell(["Moments live"], num=True), Cell(["Effort used"], num=True),
        Cell(["Beyond the horizon"], num=True), Cell(["Experience"], num=True),
    ]  # fmt: skip
    summary_rows = [
        [
            Cell([row["scenario"]], nowrap=True),
            Cell([row["settings"]]),
            Cell([f"{row['moments_live']} of {len(comparison.reference.moments)}"], num=True),
            Cell([f"{row['effort_used']} of {row['capacity']}"], num=True),
            Cell([_plural(row["beyond_horizon"], "uplift")], num=True),
            Cell([f"{row['experience']:g}"], num=True),
        ]
        for row in comparison.summary_rows()
    ]
    blocks += [Heading(3, ["What each scenario delivers"]), Table(summary_header, summary_rows)]
    return Section("scenarios", title, blocks, style="chart")


CHANGES_TITLE = "What changed since the last version"


def changes(found: PlanChanges) -> Section:
    """What changed since the last version: the perfect days, the assessment and the scenario, and the plan."""
    blocks: list[Block] = [Heading(2, [CHANGES_TITLE])]
    if not found.changed:
        blocks.append(Paragraph(["Nothing changed since the last version."]))
    for part, groups in found.parts():
        blocks.append(Heading(3, [part]))
        for title, items in groups:
            if title:
                blocks.append(Heading(4, [title]))
            blocks.append(BulletList([[Paragraph([change.sentence])] for change in items]))
    return Section("changes", CHANGES_TITLE, blocks)
