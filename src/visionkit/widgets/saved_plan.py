"""SavedPlan: the plan of the engagement as saved, shown as a table that follows every save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from .._markup import escape
from .common import set_if_changed
from .explorer import _PLANNER
from .session import EngagementSession, session_for

COLUMNS = ["uplift", "name", "start", "end", "effort", "why"]
"""The columns of `Roadmap.table()` shown (the whole table is `SavedPlan.roadmap.table()`)."""


class SavedPlan(w.VBox):  # type: ignore[misc]
    """The roadmap of the engagement file as saved, re-planned after each save (in the background)."""

    def __init__(self, engagement: str | Path | EngagementSession, *, columns: list[str] | None = None):
        self.session = session_for(engagement)
        self.columns = list(columns or COLUMNS)
        self.roadmap: Any = None
        self.summary = w.HTML()
        self.table = w.HTML(layout=w.Layout(overflow="auto"))
        self.table.add_class("vk-saved-plan")
        self._generation = 0
        super().__init__([self.summary, self.table])
        self.session.on_saved(self.refresh, owner=self)
        self.refresh()

    def refresh(self) -> None:
        """Plan the engagement as it is now in the file."""
        self._generation += 1
        _PLANNER.submit(self._plan, self._generation, self.session.file.engagement)

    def _plan(self, generation: int, engagement: Any) -> None:
        from ..planner import plan

        if generation != self._generation:
            return  # a newer save is queued
        roadmap = plan(engagement)
        if generation != self._generation:
            return
        self.roadmap = roadmap
        frame = roadmap.table()[self.columns]
        summary = escape(roadmap.summary(headroom=False))
        set_if_changed(self.summary, "value", f"<span style='color:#5d6675'>{summary}</span>")
        set_if_changed(self.table, "value", frame.to_html(index=False, escape=True, border=0))
