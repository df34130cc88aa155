"""MaturityAssessor: per capability in play, today's maturity against the target, the gap and the rubric ladder.

The target of a capability is the highest level anything needs of it: a moment directly, or
another capability in play as a prerequisite (`Engagement.target_levels`). Each row says which
moments need the capability (by perfect day and time) or which capabilities it is a prerequisite
of, and shows the whole rubric with today's level and the target marked in words, not colour alone.

One row per capability is built the first time it is shown and kept: a refresh only updates
values and regroups rows, and a row no longer shown is closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from .._brand import DEFAULT_BRAND
from .._markup import escape
from ..assessment import InPlay, capabilities_in_play, capability_name
from ..catalog import MAX_LEVEL, Capability, Catalog
from .common import FollowsWhenShown, StatusBar, close_tree, error_html, error_label, set_if_changed, set_quietly
from .session import EngagementSession, session_for

LEVELS = [("0 · absent", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]
ORDERS = [("domain, then name", "domain"), ("gap, largest first", "gap")]
SHOWN_REASONS = 6
"""How many moments or capabilities a row names before it says "and N more"."""

MUTED = "#5d6675"
TODAY_MARK = "● today"
TARGET_MARK = "◆ target"
ON_THE_WAY_MARK = "↑ to reach"


def gap_text(today: int, target: int | None) -> str:
    """The gap as a person reads it: "2 levels", "1 level", "met", or "—" with no target."""
    if target is None:
        return "—"
    gap = target - today
    if gap <= 0:
        return "met"
    return f"{gap} level" if gap == 1 else f"{gap} levels"


def _listed(items: list[str]) -> str:
    if len(items) > SHOWN_REASONS:
        return ", ".join(items[: SHOWN_REASONS - 1]) + f" and {len(items) - SHOWN_REASONS + 1} more"
    return ", ".join(items)


def _badge(text: str, colour: str) -> str:
    return (
        f"<span style='border:1px solid {colour};color:{colour};border-radius:3px;padding:0 4px;"
        f"font-size:0.85em;white-space:nowrap'>{escape(text)}</span>"
    )


def why_html(in_play: InPlay | None, catalog: Catalog) -> str:
    """Whether a capability is needed directly (by which moments) or only as a prerequisite (of which capabilities)."""
    if in_play is None:
        return f"{_badge('not needed', MUTED)} <span style='color:{MUTED}'>by any moment</span>"
    prerequisite_of = [
        f"{escape(capability_name(catalog, cid))} (at {level})" for cid, level in in_play.prerequisite_of
    ]
    if in_play.direct:
        moments = [f"{escape(label)} (level {level})" for label, level in in_play.moments]
        text = f"{_badge('needed directly', DEFAULT_BRAND)} by {_listed(moments)}"
        if prerequisite_of:
            text += f"<br><span style='color:{MUTED}'>also a prerequisite of {_listed(prerequisite_of)}</span>"
        return text
    return f"{_badge('prerequisite only', '#8a5a00')} of {_listed(prerequisite_of)}"


def ladder_html(cap: Capability, today: int, target: int | None) -> str:
    """The rubric, levels 1-5 with their sentences, today's level and the target marked in words and weight."""
    rows = []
    if today == 0:
        rows.append((0, "Not in place today.", [TODAY_MARK]))
    for level in range(1, MAX_LEVEL + 1):
        marks = []
        if level == today:
            marks.append(TODAY_MARK)
        if level == target:
            marks.append(TARGET_MARK)
        if target is not None and today < level < target:
            marks.append(ON_THE_WAY_MARK)
        rows.append((level, cap.rubric.get(level, "") or "(no rubric sentence)", marks))
    cells = []
    for level, sentence, marks in rows:
        strong = TODAY_MARK in marks or TARGET_MARK in marks
        beyond = target is None or level > max(today, target)
        style = "padding:1px 6px;vertical-align:top;" + ("font-weight:bold;" if strong else "")
        if TARGET_MARK in marks:
            edge = f"border-left:3px solid {DEFAULT_BRAND};"
        elif ON_THE_WAY_MARK in marks:
            edge = f"border-left:3px dotted {DEFAULT_BRAND};"
        else:
            edge = "border-left:3px solid transparent;"
        colour = f"color:{MUTED};" if beyond and not strong else ""
        mark_text = " · ".join(marks)
        cells.append(
            f"<tr class='vk-level-{level}' style='{colour}'>"
            f"<td style='{style}{edge}white-space:nowrap'>{level}</td>"
            f"<td style='{style}'>{escape(sentence)}</td>"
            f"<td class='vk-mark' style='{style}white-space:nowrap'>{escape(mark_text)}</td></tr>"
        )
    return f"<table class='vk-ladder' style='border-collapse:collapse;line-height:1.3'>{''.join(cells)}</table>"


class AssessmentRow(w.HBox):  # type: ignore[misc]
    """One capability: its name and why it is in play, today's level, the target, the gap and the rubric ladder."""

    def __init__(self, assessor: MaturityAssessor, capability: str):
        self.assessor = assessor
        self.capability = capability
        self.name = w.HTML(layout=w.Layout(width="20em", flex="0 0 auto", margin="0 8px 0 0"))
        self.picker = w.Dropdown(
            options=LEVELS, value=0, description="Today", style={"description_width": "3.5em"},
            layout=w.Layout(width="12em"),
        )  # fmt: skip
        self.picker.observe(self._changed, "value")
        self.target = w.HTML()
        self.gap = w.HTML()
        self.ladder = w.HTML(layout=w.Layout(flex="1 1 auto"))
        self.rubric_label = self.ladder
        self.picker.rubric_label = self.ladder  # reachable from the picker, as before
        levels = w.VBox([self.picker, self.target, self.gap], layout=w.Layout(width="13em", flex="0 0 auto"))
        super().__init__([self.name, levels, self.ladder], layout=w.Layout(margin="4px 0", align_items="flex-start"))
        self.add_class("vk-assessment-row")
        self.add_class(f"vk-capability-{capability}")

    def _changed(self, change: dict[str, Any]) -> None:
        self.assessor.set_level(self.capability, change["new"])

    def show(self, catalog: Catalog, today: int, in_play: InPlay | None, *, with_domain: bool = False) -> None:
        """Show today's level against the target, changing only what differs."""
        cap = catalog[self.capability]
        target = in_play.target if in_play is not None else None
        domain = f"<div style='color:{MUTED};font-size:0.85em'>{escape(catalog.domain_name(cap.domain))}</div>"
        set_if_changed(
            self.name,
            "value",
            f"<div style='line-height:1.35'><div><b>{escape(cap.name)}</b> "
            f"<code style='font-size:0.8em'>{escape(cap.id)}</code></div>"
            f"{domain if with_domain else ''}<div style='font-size:0.9em'>{why_html(in_play, catalog)}</div></div>",
        )
        set_quietly(self.picker, today, self._changed)
        set_if_changed(
            self.target,
            "value",
            f"<span class='vk-target'>Target: <b>{target}</b></span>"
            if target is not None
            else f"<span class='vk-target' style='color:{MUTED}'>Target: none</span>",
        )
        gap = gap_text(today, target)
        shown = f"<b>{gap}</b>" if gap not in ("met", "—") else gap
        mark = "✓ " if gap == "met" else ""
        set_if_changed(self.gap, "value", f"<span class='vk-gap'>Gap: {mark}{shown}</span>")
        set_if_changed(self.ladder, "value", ladder_html(cap, today, target))


class MaturityAssessor(FollowsWhenShown, w.VBox):  # type: ignore[misc]
    """Today's maturity (0-5) of each capability in play against its target, with the gap and the rubric."""

    def __init__(self, engagement: str | Path | EngagementSession, *, debounce: float = 0.8, status_bar: bool = True):
        self.session = session_for(engagement, debounce=debounce)
        self.show_all = w.Checkbox(
            value=False,
            description="show every capability in the catalog",
            indent=False,
            layout=w.Layout(width="auto", margin="0 0 0 16px"),
        )
        self.show_all.observe(lambda _: self.refresh(), "value")
        self.order = w.Dropdown(
            options=ORDERS, value="domain", description="Order by", layout=w.Layout(width="20em"),
            style={"description_width": "initial"},
        )  # fmt: skip
        self.order.observe(lambda _: self.refresh(), "value")
        self.summary = w.HTML()
        self.groups = w.VBox()
        self.errors = error_label()
        self.rows: dict[str, AssessmentRow] = {}
        self.in_play: dict[str, InPlay] = {}
        self._domains: dict[str, tuple[w.HTML, w.VBox]] = {}
        self._by_gap = w.VBox()
        self.status = StatusBar(self.session) if status_bar else None
        controls = w.HBox([self.order, self.show_all], layout=w.Layout(align_items="center"))
        super().__init__([controls, self.summary, self.errors, self.groups, *([self.status] if self.status else [])])
        self.add_class("vk-assessor")
        self.session.on_change(lambda source: None if source is self else self.refresh(), owner=self)
        self.refresh()

    @property
    def pickers(self) -> dict[str, w.Dropdown]:
        """The level picker of each capability shown."""
        return {cid: row.picker for cid, row in self.rows.items()}

    def catch_up(self) -> None:
        """Redraw what changed while hidden."""
        self.refresh()

    def close(self) -> None:
        """Close the widget with the boxes it keeps off screen (the other order's, the empty domains')."""
        shown = set(self.groups.children)
        for box in (self._by_gap, *(box for _, box in self._domains.values())):
            if box not in shown:
                box.children = []
                close_tree(box)
        for heading, box in self._domains.values():
            if box not in shown:
                close_tree(heading)
        super().close()

    def _today(self, capability: str) -> int:
        return int(self.session.engagement.assessment.get(capability, 0))

    def _gap(self, capability: str) -> int:
        """Levels still to climb (0 when met); -1 for a capability nothing needs, so it sorts after."""
        in_play = self.in_play.get(capability)
        return -1 if in_play is None else max(in_play.target - self._today(capability), 0)

    def refresh(self) -> None:
        """Show the capabilities in play, by domain or by gap, reusing the rows already built."""
        if not self.follows():
            return
        engagement = self.session.engagement
        catalog = engagement.capabilities
        self.in_play = capabilities_in_play(engagement)
        ids = set(catalog) if self.show_all.value else {c for c in self.in_play if c in catalog}
        for cid in [c for c in self.rows if c not in ids]:
            close_tree(self.rows.pop(cid))
        by_gap = self.order.value == "gap"
        for cid in ids:
            if cid not in self.rows:
                self.rows[cid] = AssessmentRow(self, cid)
            self.rows[cid].show(catalog, self._today(cid), self.in_play.get(cid), with_domain=by_gap)
        self._show_summary()
        rank = {domain: i for i, domain in enumerate(catalog.domains)}

        def in_domain_order(cid: str) -> tuple[int, str, str]:
            return rank.get(catalog[cid].domain, len(rank)), catalog[cid].name.casefold(), cid

        boxes: list[w.Box] = []
        shown_domains: set[str] = set()
        if by_gap:
            rows = [self.rows[c] for c in sorted(ids, key=lambda c: (-self._gap(c), *in_domain_order(c)))]
            if list(self._by_gap.children) != rows:
                self._by_gap.children = rows
            boxes.append(self._by_gap)
        else:
            for domain in catalog.domains:
                caps = sorted((c for c in ids if catalog[c].domain == domain), key=in_domain_order)
                if not caps:
                    continue
                if domain not in self._domains:
                    heading = w.HTML(
                        f"<h4 style='margin:8px 0 2px;color:{DEFAULT_BRAND}'>{escape(catalog.domain_name(domain))}</h4>"
                    )
                    self._domains[domain] = (heading, w.VBox())
                heading, box = self._domains[domain]
                children = [heading, *(self.rows[c] for c in caps)]
                if list(box.children) != children:
                    box.children = children
                boxes.append(box)
                shown_domains.add(domain)
            if self._by_gap.children:
                self._by_gap.children = []
        # A box not on show lets go of its rows: a row belongs to one place, and a closed one to none.
        for domain, (_, box) in self._domains.items():
            if domain not in shown_domains and box.children:
                box.children = []
        if list(self.groups.children) != boxes:
            self.groups.children = boxes

    def _show_summary(self) -> None:
        in_play = self.in_play
        direct = sum(1 for p in in_play.values() if p.direct)
        open_gaps = [c for c in in_play if self._gap(c) > 0]
        levels = sum(self._gap(c) for c in open_gaps)
        gaps = (
            f"<b>{len(open_gaps)}</b> below their target ({levels} level{'s' if levels != 1 else ''} to climb)"
            if open_gaps
            else "every target met"
        )
        set_if_changed(
            self.summary,
            "value",
            f"<div style='margin:4px 0;color:{MUTED}'><b>{len(in_play)}</b> capabilities in play: "
            f"<b>{direct}</b> needed directly by moments, <b>{len(in_play) - direct}</b> only as prerequisites; "
            f"{gaps}. The target is the highest level any moment or prerequisite needs.</div>",
        )

    def set_level(self, capability: str, level: int) -> None:
        """Record today's maturity of a capability (0 removes it from the assessment)."""

        def apply(data: dict[str, Any]) -> None:
            assessment = data.setdefault("assessment", {}) or {}
            data["assessment"] = assessment
            if level == 0:
                assessment.pop(capability, None)
            else:
                assessment[capability] = int(level)

        problems = self.session.edit(apply, source=self)
        set_if_changed(self.errors, "value", error_html(problems))
        row = self.rows.get(capability)
        if row is not None:
            # The row stays where it is, also when ordered by gap: moving it under the pointer would lose the
            # user's place. The next refresh (an edit elsewhere, the tab shown again, a change of order) re-sorts.
            catalog = self.session.engagement.capabilities
            row.show(
                catalog, self._today(capability), self.in_play.get(capability), with_domain=self.order.value == "gap"
            )
            self._show_summary()
