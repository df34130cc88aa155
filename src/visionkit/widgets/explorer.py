"""RoadmapExplorer: scenario controls that re-plan and redraw in the background as they change."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ipywidgets as w

from .._markup import escape
from ..strategies import STRATEGIES
from .common import FollowsWhenShown, StatusBar
from .session import EngagementSession, session_for

# One planning thread for all explorers: joined cleanly at exit, and plans never pile up in parallel.
_PLANNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="visionkit-plan")


class RoadmapExplorer(FollowsWhenShown, w.VBox):  # type: ignore[misc]
    """Try waves, capacity and strategy; the roadmap, burn-up and readiness follow without blocking."""

    def __init__(
        self,
        engagement: str | Path | EngagementSession,
        *,
        debounce: float = 0.8,
        background: bool = True,
        status_bar: bool = True,
    ):
        self.session = session_for(engagement, debounce=debounce)
        self.background = background
        scenario = self.session.engagement.scenario
        capacity = scenario.capacities()[0]
        # A slider sends its value once, on release: dragging through 24 values used to plan 24 stale
        # roadmaps and show the last one 4.1 s after the mouse let go.
        self.waves = w.IntSlider(
            value=scenario.waves, min=1, max=max(24, scenario.waves), description="Waves", continuous_update=False
        )
        self.capacity = w.IntSlider(
            value=capacity, min=0, max=max(60, capacity * 3), description="Capacity", continuous_update=False
        )
        self.strategy = w.Dropdown(options=list(STRATEGIES), value=scenario.strategy, description="Strategy")
        self.save_button = w.Button(
            description="Use as the engagement's scenario", icon="save", layout=w.Layout(width="auto")
        )
        self.save_button.on_click(lambda _: self.save_scenario())
        for control in (self.waves, self.capacity, self.strategy):
            control.observe(lambda _: self.replan(), "value")
        self.busy = w.HTML()
        self.busy.add_class("vk-explorer-status")  # "planning…", then the plan's summary
        self.gantt = w.HTML()
        self.burnup = w.HTML()
        self.readiness = w.HTML()
        self.status = StatusBar(self.session) if status_bar else None
        self._generation = 0
        self._lock = threading.Lock()
        self.last_roadmap: Any = None
        super().__init__(
            [
                w.HBox([self.waves, self.capacity, self.strategy]), w.HBox([self.save_button, self.busy]),
                self.gantt, self.burnup, self.readiness, *([self.status] if self.status else []),
            ]
        )  # fmt: skip
        self._seen = self._settings()
        self.session.on_change(self._engagement_changed, owner=self)
        self.replan()

    def _settings(self) -> dict[str, Any]:
        """The engagement's own waves, capacity (of the first wave) and strategy."""
        scenario = self.session.engagement.scenario
        return {"waves": scenario.waves, "capacity": scenario.capacities()[0], "strategy": scenario.strategy}

    def _follow_file(self) -> None:
        """Move the controls whose setting changed in the engagement; a what-if on the others stays."""
        settings = self._settings()
        controls = {"waves": self.waves, "capacity": self.capacity, "strategy": self.strategy}
        for key, value in settings.items():
            if value != self._seen.get(key):
                control = controls[key]
                if isinstance(value, int) and hasattr(control, "max") and value > control.max:
                    control.max = value
                control.value = value
        self._seen = settings

    def _engagement_changed(self, source: object | None) -> None:
        self._follow_file()
        if self.follows():
            self.replan()

    def catch_up(self) -> None:
        """Plan what changed while hidden."""
        self.replan()

    def replan(self) -> Future[None] | None:
        """Plan with the controls' values; in a thread so large engagements never block the notebook."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        engagement = self.session.engagement
        settings = {"waves": self.waves.value, "capacity": self.capacity.value, "strategy": self.strategy.value}
        self.busy.value = "<i style='color:#5d6675'>planning…</i>"
        if not self.background:
            self._plan(generation, engagement, settings)
            return None
        return _PLANNER.submit(self._plan, generation, engagement, settings)

    def _plan(self, generation: int, engagement: Any, settings: dict[str, Any]) -> None:
        from ..charts import burnup, gantt
        from ..errors import EngagementError
        from ..planner import plan

        def current() -> bool:
            return generation == self._generation  # else superseded: a newer setting is being planned

        with self._lock:
            if not current():
                return  # superseded while it waited in the queue: never computed
        try:
            roadmap = plan(engagement, **settings)
        except EngagementError as exc:
            with self._lock:
                if current():
                    self.last_roadmap = None
                    self.gantt.value = self.burnup.value = self.busy.value = ""
                    self.readiness.value = f"<span style='color:#b00020'>{escape(str(exc))}</span>"
            return
        summary = escape(roadmap.summary(headroom=False))
        # The plan is shown as soon as it is made (on the demo about 0.1 s after a slider is let go); its two
        # charts take as long again to draw, and follow.
        with self._lock:
            if not current():
                return
            self.last_roadmap = roadmap
            self.readiness.value = readiness_html(roadmap)
            self.busy.value = f"<span style='color:#5d6675'>{summary} · <i>drawing the charts…</i></span>"
        views = (gantt(roadmap).svg, burnup(roadmap).svg)
        with self._lock:
            if not current():
                return
            self.gantt.value, self.burnup.value = views
            self.busy.value = f"<span style='color:#5d6675'>{summary}</span>"

    def save_scenario(self) -> None:
        """Write the settings the controls changed into the engagement file's scenario.

        Only what differs from the engagement is written: a capacity per wave stays a list unless
        the capacity was changed, and a setting a colleague changed meanwhile is not written back.
        """
        chosen = {"waves": self.waves.value, "capacity": self.capacity.value, "strategy": self.strategy.value}
        current = self._settings()
        values = {key: value for key, value in chosen.items() if value != current[key]}
        if not values:
            return

        def apply(data: dict[str, Any]) -> None:
            scenario = data.setdefault("scenario", {}) or {}
            data["scenario"] = scenario
            scenario.update(values)

        self.session.edit(apply, source=self)


def readiness_html(roadmap: Any) -> str:
    """When each perfect day and moment goes live, as an HTML table."""
    rows = []
    for row in roadmap.readiness_rows():
        day = row["kind"] == "perfect day"
        title = f"<b>{escape(row['title'])}</b>" if day else "&nbsp;&nbsp;" + escape(row["title"])
        colour = "#9a5b00" if row["live_wave"] is None else "#1d6b3a"
        rows.append(
            f"<tr><td>{title}</td><td>{escape(row['at'])}</td><td>{escape(row['channel'])}</td>"
            f"<td style='color:{colour}'>{escape(row['live'])}</td></tr>"
        )
    return (
        "<table style='border-collapse:collapse;font-size:0.9em'><thead style='text-align:left'><tr>"
        "<th style='text-align:left'>Perfect day / moment</th><th style='text-align:left'>At</th>"
        "<th style='text-align:left'>Channel</th><th style='text-align:left'>Live</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
