"""MaturityAssessor: today's maturity per capability, by domain, with the rubric of the chosen level.

One row per capability is built the first time it is shown and kept: a refresh only updates
values and regroups rows, and a row no longer shown is closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from .._brand import DEFAULT_BRAND
from .._markup import escape
from .common import FollowsWhenShown, StatusBar, close_tree, error_html, error_label, set_if_changed, set_quietly
from .session import EngagementSession, session_for

LEVELS = [("0 · absent", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]


class AssessmentRow(w.HBox):  # type: ignore[misc]
    """One capability: its name, today's level and the rubric sentence of that level."""

    def __init__(self, assessor: MaturityAssessor, capability: str):
        self.assessor = assessor
        self.capability = capability
        self.name = w.HTML(layout=w.Layout(width="16em"))
        self.picker = w.Dropdown(options=LEVELS, value=0, layout=w.Layout(width="8em"))
        self.picker.observe(self._changed, "value")
        self.rubric_label = w.HTML(layout=w.Layout(width="60%"))
        self.picker.rubric_label = self.rubric_label  # reachable from the picker, as before
        super().__init__([self.name, self.picker, self.rubric_label])

    def _changed(self, change: dict[str, Any]) -> None:
        self.assessor.set_level(self.capability, change["new"])

    def show_level(self, level: int) -> None:
        """Show today's level and its rubric, changing only what differs."""
        cap = self.assessor.session.engagement.capabilities[self.capability]
        set_if_changed(self.name, "value", escape(cap.name))
        set_quietly(self.picker, level, self._changed)
        text = "Not in place today." if level == 0 else cap.rubric.get(level, "")
        set_if_changed(self.rubric_label, "value", f"<span style='color:#5d6675'>{escape(text)}</span>")


class MaturityAssessor(FollowsWhenShown, w.VBox):  # type: ignore[misc]
    """Set today's maturity (0-5) of each capability in play, grouped by domain."""

    def __init__(self, engagement: str | Path | EngagementSession, *, debounce: float = 0.8, status_bar: bool = True):
        self.session = session_for(engagement, debounce=debounce)
        self.show_all = w.Checkbox(
            value=False, description="show every capability in the catalog", indent=False, layout=w.Layout(width="auto")
        )
        self.show_all.observe(lambda _: self.refresh(), "value")
        self.groups = w.VBox()
        self.errors = error_label()
        self.rows: dict[str, AssessmentRow] = {}
        self._domains: dict[str, tuple[w.HTML, w.VBox]] = {}
        self.status = StatusBar(self.session) if status_bar else None
        super().__init__([self.show_all, self.errors, self.groups, *([self.status] if self.status else [])])
        self.session.on_change(lambda source: None if source is self else self.refresh(), owner=self)
        self.refresh()

    @property
    def pickers(self) -> dict[str, w.Dropdown]:
        """The level picker of each capability shown."""
        return {cid: row.picker for cid, row in self.rows.items()}

    def catch_up(self) -> None:
        """Redraw what changed while hidden."""
        self.refresh()

    def refresh(self) -> None:
        """Show the capabilities in play by domain, reusing the rows already built."""
        if not self.follows():
            return
        catalog = self.session.engagement.capabilities
        ids = set(catalog) if self.show_all.value else set(self.session.engagement.target_levels())
        assessment = self.session.data.get("assessment") or {}
        for cid in [c for c in self.rows if c not in ids]:
            close_tree(self.rows.pop(cid))
        boxes = []
        for domain in catalog.domains:
            caps = sorted((c for c in ids if catalog[c].domain == domain), key=lambda c: catalog[c].name)
            if not caps:
                continue
            if domain not in self._domains:
                heading = w.HTML(
                    f"<h4 style='margin:8px 0 2px;color:{DEFAULT_BRAND}'>{escape(catalog.domain_name(domain))}</h4>"
                )
                self._domains[domain] = (heading, w.VBox())
            heading, box = self._domains[domain]
            rows = []
            for cid in caps:
                if cid not in self.rows:
                    self.rows[cid] = AssessmentRow(self, cid)
                self.rows[cid].show_level(int(assessment.get(cid, 0)))
                rows.append(self.rows[cid])
            children = [heading, *rows]
            if list(box.children) != children:
                box.children = children
            boxes.append(box)
        if list(self.groups.children) != boxes:
            self.groups.children = boxes

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
        self.errors.value = error_html(problems)
        row = self.rows.get(capability)
        if row is not None:
            row.show_level(int((self.session.data.get("assessment") or {}).get(capability, 0)))
