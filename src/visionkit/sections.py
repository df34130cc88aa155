"""The sections of a roadmap document as safe HTML fragments, computed from a roadmap."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .brand import DEFAULT_BRAND
from .markup import escape, inline
from .resources import stylesheet

if TYPE_CHECKING:
    from .charts import Chart
    from .roadmap import MomentPlan, Roadmap, Uplift

SECTION_MIME = "application/vnd.visionkit.section+json"
"""Mimetype of a section's metadata in notebook outputs; the document templates read it."""


@dataclass(frozen=True, repr=False)
class Section:
    """One part of a roadmap document: an anchor id, a title for the contents, and HTML."""

    id: str
    title: str
    html: str
    in_contents: bool = True
    meta: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Section {self.id!r}: {self.title}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        payload = {"id": self.id, "title": self.title, "html": self.html, "in_contents": self.in_contents, **self.meta}
        brand = escape(self.meta.get("brand", DEFAULT_BRAND))
        view = f'<style>{stylesheet()}</style><div class="vk-doc" style="--brand: {brand}">{self.html}</div>'
        # A plain-text stand-in of our own: the default would be the whole HTML again, a third copy.
        return {"text/plain": repr(self), "text/html": view, SECTION_MIME: json.loads(json.dumps(payload))}


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _uplift_label(up: Uplift) -> str:
    return f"{up.name} to level {up.to_level}"


def cover(roadmap: Roadmap, title: str, date: _dt.date) -> Section:
    """The cover: client, document title, date and the scenario planned."""
    eng, sc = roadmap.engagement, roadmap.scenario
    caps = sorted(set(roadmap.capacities))
    capacity = f"{caps[0]} effort points per wave" if len(caps) == 1 else "capacity varying by wave"
    horizon = f"{roadmap.labels[0]} to {roadmap.labels[-1]}" if sc.start else _plural(sc.waves, "wave")
    strategy = sc.strategy if roadmap.proof is None else f"{sc.strategy} ({roadmap.proof.sentence()})"
    html = f"""
<section class="vk-cover" id="cover">
  <div class="vk-cover-band"></div>
  <p class="vk-cover-client"><span class="vk-running-client">{escape(eng.client)}</span></p>
  <h1 class="vk-cover-title">{escape(title)}</h1>
  <p class="vk-cover-sub">An experience-led capability roadmap</p>
  <dl class="vk-cover-facts">
    <dt>Date</dt><dd>{escape(date.strftime("%d %B %Y").lstrip("0"))}</dd>
    <dt>Horizon</dt><dd>{escape(horizon)}, {_plural(sc.waves, sc.wave_length)}</dd>
    <dt>Capacity</dt><dd>{escape(capacity)}</dd>
    <dt>Strategy</dt><dd>{escape(strategy)}</dd>
    <dt>Perfect days</dt><dd>{escape(", ".join(d.title for d in eng.perfect_days))}</dd>
  </dl>
</section>"""
    meta = {"client": eng.client, "title": title, "date": date.isoformat()}
    return Section("cover", "Cover", html, in_contents=False, meta=meta)


def top_uplifts(roadmap: Roadmap, count: int = 3) -> list[Uplift]:
    """The uplifts that unlock the most: most moments served, then value, then earliest."""
    ranked = sorted(
        (u for u in roadmap.uplifts if u.status != "excluded"),
        key=lambda u: (-len(u.moments), -u.value, u.end_wave or 10**9, u.id),
    )
    return ranked[:count]


def summary_sentences(roadmap: Roadmap) -> list[str]:
    """The executive summary as plain sentences computed from the plan (HTML-escaped)."""
    moments = roadmap.moments
    total = len(moments)
    last = len(roadmap.labels)
    live_end = sum(1 for m in moments if m.live_wave is not None)
    today = sum(1 for m in moments if m.live_wave == 0)
    days = roadmap.engagement.perfect_days
    out = [
        f"Of the {_plural(total, 'moment')} across {_plural(len(days), 'perfect day')}, "
        f"{live_end} {'is' if live_end == 1 else 'are'} live by {escape(roadmap.period(last, prose=True))}"
        + (f"; {today} already work{'s' if today == 1 else ''} today." if today else ".")
    ]
    half = (total + 1) // 2
    for wave in range(1, last + 1):
        live = sum(1 for m in moments if m.live_wave is not None and m.live_wave <= wave)
        if live >= half and half:
            out.append(f"Half of them ({live}) are live by {escape(roadmap.period(wave, prose=True))}.")
            break
    for day in days:
        mps = roadmap.moments_of(day.id)
        title = f"<strong>{escape(day.title)}</strong>"
        when = roadmap.day_live_wave(day.id)
        if when is not None:
            first = min(m.live_wave or 0 for m in mps)
            text = f"{title} is live in full by {escape(roadmap.period(when, prose=True))}"
            if first < when:
                text += f", with its first moment live {escape(roadmap.period(first, prose=True))}"
            out.append(text + ".")
        else:
            live = sum(1 for m in mps if m.live_wave is not None)
            waiting = sorted({u for m in mps for u in m.waiting_for})
            names = ", ".join(escape(_uplift_label(roadmap.uplift(u))) for u in waiting[:3])
            more = f" and {len(waiting) - 3} more" if len(waiting) > 3 else ""
            out.append(
                f"{title} is not complete within the horizon: {live} of {len(mps)} moments are live by "
                f"{escape(roadmap.labels[-1])}; the rest wait for {names}{more}."
            )
    tops = top_uplifts(roadmap)
    if tops:
        listed = "; ".join(
            f"{escape(_uplift_label(u))} ({_plural(len(u.moments), 'moment')}, "
            f"{escape(roadmap.period(u.end_wave, prose=True))})"
            for u in tops
        )
        out.append(f"The {_plural(len(tops), 'uplift')} that unlock the most: {listed}.")
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
    out.append(text + ".")
    out.append(escape(roadmap.headroom_sentence()))
    return out


def executive_summary(roadmap: Roadmap) -> Section:
    """Plain sentences on what goes live when, and what unlocks the most."""
    items = "".join(f"<li>{s}</li>" for s in summary_sentences(roadmap))
    rows = []
    for w in roadmap.wave_rows():
        rows.append(
            f"<tr><td>{escape(w['period'])}</td><td class='num'>{w['effort']} / {w['capacity']}</td>"
            f"<td class='num'>{w['finished']}</td><td class='num'>{w['moments_live']} / {len(roadmap.moments)}</td>"
            f"<td class='num'>{w['perfect_days_live']} / {len(roadmap.engagement.perfect_days)}</td></tr>"
        )
    html = f"""
<section class="vk-section" id="summary">
  <h2>Executive summary</h2>
  <ul class="vk-summary">{items}</ul>
  <table class="vk-table vk-waves">
    <thead><tr><th>Wave</th><th class='num'>Effort / capacity</th><th class='num'>Uplifts done</th>
    <th class='num'>Moments live</th><th class='num'>Perfect days live</th></tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
</section>"""
    return Section("summary", "Executive summary", html)


def _moment_card(roadmap: Roadmap, mp: MomentPlan, moment: Any) -> str:
    catalog = roadmap.engagement.capabilities
    needs = "".join(
        f"<li>{escape(catalog[c].name)} <span class='vk-level'>L{lvl}</span></li>" for c, lvl in mp.needs.items()
    )
    live = roadmap.period(mp.live_wave, prose=True)
    status = "vk-live-never" if mp.live_wave is None else "vk-live"
    wow = f"<p class='vk-wow'><span>Wow</span> {inline(moment.wow)}</p>" if moment.wow else ""
    when = " · ".join(escape(x) for x in (mp.at, mp.channel) if x)
    return f"""
<article class="vk-moment">
  <header><span class="vk-when">{when or f"Moment {mp.position}"}</span>
  <span class="{status}">Live: {escape(live)}</span></header>
  <p class="vk-story">{inline(mp.story)}</p>
  {wow}
  <ul class="vk-needs">{needs}</ul>
</article>"""


def storyboards(roadmap: Roadmap) -> Section:
    """Each perfect day as a storyboard: its moments in order, and when each goes live."""
    parts = []
    by_key = {m.key: m for m in roadmap.moments}
    eng = roadmap.engagement
    for d, day in enumerate(eng.perfect_days):
        cards = "".join(
            _moment_card(roadmap, by_key[eng.moment_key(d, i)], moment) for i, moment in enumerate(day.moments)
        )
        live = roadmap.day_live_wave(day.id)
        persona = f"<p class='vk-persona'>{inline(day.persona)}</p>" if day.persona else ""
        parts.append(
            f"""
<div class="vk-day">
  <h3>{escape(day.title)}</h3>
  {persona}
  <p class="vk-day-facts">Priority {day.priority} · {_plural(len(day.moments), "moment")} ·
  live in full {escape(roadmap.period(live, prose=True))}</p>
  <div class="vk-moments">{cards}</div>
</div>"""
        )
    html = f'<section class="vk-section" id="perfect-days"><h2>Perfect days</h2>{"".join(parts)}</section>'
    return Section("perfect-days", "Perfect days", html)


def chart(section_id: str, title: str, figures: Chart | list[Chart], intro: str) -> Section:
    """One or more charts with their heading, a sentence of introduction and text alternatives."""
    parts = []
    for figure in figures if isinstance(figures, list) else [figures]:
        svg = figure.svg
        start = svg.find("<svg")
        svg = svg[start:] if start >= 0 else svg
        parts.append(f'<figure class="vk-chart" role="img" aria-label="{escape(figure.alt)}">{svg}</figure>')
    html = f"""
<section class="vk-section vk-chart-section" id="{escape(section_id)}">
  <h2>{escape(title)}</h2>
  <p>{escape(intro)}</p>
  {"".join(parts)}
</section>"""
    return Section(section_id, title, html)


def uplift_list(roadmap: Roadmap) -> Section:
    """Every uplift with when it lands, its effort and why it is there."""
    catalog = roadmap.engagement.capabilities
    rows = []
    for row in roadmap.table_rows():
        when = roadmap.when(row["uplift"])
        notes = f"<br><span class='vk-note'>{escape(row['notes'])}</span>" if row["notes"] else ""
        rows.append(
            f"<tr><td class='nowrap'>{escape(when)}</td>"
            f"<td><strong>{escape(row['name'])}</strong><br><span class='vk-muted'>{escape(row['uplift'])} · "
            f"level {row['from_level']}→{row['to_level']}</span></td>"
            f"<td>{escape(catalog.domain_name(row['domain']))}</td><td class='num'>{row['effort']}</td>"
            f"<td>{escape(row['why'])}{notes}</td></tr>"
        )
    html = f"""
<section class="vk-section" id="uplifts">
  <h2>Uplifts and why they are there</h2>
  <table class="vk-table vk-uplifts">
    <thead><tr><th>When</th><th>Uplift</th><th>Domain</th><th class='num'>Effort</th><th>Why</th></tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
</section>"""
    return Section("uplifts", "Uplifts and why they are there", html)


def rubrics(roadmap: Roadmap) -> Section:
    """Appendix: the maturity rubric of every capability in the plan, today's and the target level marked."""
    catalog = roadmap.engagement.capabilities
    target = roadmap.engagement.target_levels()
    blocks = []
    for domain in sorted({catalog[c].domain for c in target}, key=lambda d: list(catalog.domains).index(d)):
        caps = sorted((c for c in target if catalog[c].domain == domain), key=lambda c: catalog[c].name)
        items = []
        for cid in caps:
            cap = catalog[cid]
            now = roadmap.current.get(cid, 0)
            levels = "".join(
                f"<li class='{'vk-now' if lvl == now else ''} {'vk-target' if lvl == target[cid] else ''}'>"
                f"<span class='vk-level'>L{lvl}</span> {escape(cap.rubric.get(lvl, ''))}</li>"
                for lvl in range(1, 6)
            )
            desc = f"<p>{escape(cap.description)}</p>" if cap.description else ""
            items.append(
                f"<div class='vk-rubric'><h4>{escape(cap.name)} <span class='vk-muted'>{escape(cid)} · "
                f"today L{now}, target L{target[cid]}</span></h4>{desc}<ol class='vk-levels'>{levels}</ol></div>"
            )
        blocks.append(f"<h3>{escape(catalog.domain_name(domain))}</h3>{''.join(items)}")
    html = f"""
<section class="vk-section vk-appendix" id="appendix">
  <h2>Appendix: capability rubrics</h2>
  <p>The maturity levels of every capability in the plan; today's level and the target are marked.</p>
  {"".join(blocks)}
</section>"""
    return Section("appendix", "Appendix: capability rubrics", html)
