"""MaturityAssessor: today's maturity per capability, by domain, with the rubric of the chosen level."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from ..markup import escape
from .common import StatusBar, error_html, error_label
from .session import EngagementSession, session_for

LEVELS = [("0 · absent", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]


def in_play(session: EngagementSession) -> set[str]:
    """Capabilities the perfect days need, directly or as prerequisites."""
    catalog = session.engagement.capabilities
    ids: set[str] = set()
    for day in session.engagement.perfect_days:
        for moment in day.moments:
            ids.update(catalog.closure(moment.needs))
    return ids


class MaturityAssessor(w.VBox):  # type: ignore[misc]
    """Set today's maturity (0-5) of each capability in play, grouped by domain."""

    def __init__(self, engagement: str | Path | EngagementSession, *, debounce: float = 0.8):
        self.session = session_for(engagement, debounce=debounce)
        self.show_all = w.Checkbox(
            value=False, description="show every capability in the catalog", indent=False, layout=w.Layout(width="auto")
        )
        self.show_all.observe(lambda _: self.refresh(), "value")
        self.groups = w.VBox()
        self.errors = error_label()
        self.pickers: dict[str, w.Dropdown] = {}
        self.status = StatusBar(self.session)
        super().__init__([self.show_all, self.errors, self.groups, self.status])
        self.session.on_change(lambda source: None if source is self else self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """Redraw the capabilities by domain from the session."""
        catalog = self.session.engagement.capabilities
        ids = set(catalog) if self.show_all.value else in_play(self.session)
        assessment = self.session.data.get("assessment") or {}
        self.pickers = {}
        boxes = []
        for domain in catalog.domains:
            caps = sorted((c for c in ids if catalog[c].domain == domain), key=lambda c: catalog[c].name)
            if not caps:
                continue
            rows = [w.HTML(f"<h4 style='margin:8px 0 2px;color:#1f4e79'>{escape(catalog.domain_name(domain))}</h4>")]
            for cid in caps:
                level = int(assessment.get(cid, 0))
                picker = w.Dropdown(options=LEVELS, value=level, layout=w.Layout(width="8em"))
                rubric = w.HTML(layout=w.Layout(width="60%"))
                picker.observe(lambda change, cid=cid: self.set_level(cid, change["new"]), "value")
                self.pickers[cid] = picker
                self._rubric(cid, level, rubric)
                picker.rubric_label = rubric
                rows.append(
                    w.HBox([w.HTML(f"{escape(catalog[cid].name)}", layout=w.Layout(width="16em")), picker, rubric])
                )
            boxes.append(w.VBox(rows))
        self.groups.children = boxes

    def _rubric(self, cid: str, level: int, label: w.HTML) -> None:
        cap = self.session.engagement.capabilities[cid]
        text = "Not in place today." if level == 0 else cap.rubric.get(level, "")
        label.value = f"<span style='color:#5d6675'>{escape(text)}</span>"

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
        picker = self.pickers.get(capability)
        if picker is not None:
            self._rubric(capability, level, picker.rubric_label)
