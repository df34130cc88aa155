"""RoadmapExplorer: scenario controls that re-plan and redraw in the background as they change."""

from __future__ import annotations

import copy
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ipywidgets as w

from .._markup import escape
from ..errors import EngagementError, Problem
from ..model import BASELINE, Engagement, Scenario
from ..strategies import STRATEGIES
from .common import FollowsWhenShown, StatusBar, error_html, put, set_if_changed, set_quietly, show
from .session import EngagementSession, session_for

# One planning thread for all explorers: joined cleanly at exit, and plans never pile up in parallel.
_PLANNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="visionkit-plan")

EXPLORED = ("waves", "capacity", "strategy")
"""The settings the explorer's controls offer; a scenario's other settings come with the scenario chosen."""
ENGAGEMENT_ORDER = tuple(Engagement.model_fields)  # a new `scenarios:` goes right after `scenario:`
NAMED_ORDER = ("name", *Scenario.model_fields)  # a named scenario's keys in the order the schema gives them


def _field(key: object) -> str:
    """A named scenario's key as `Scenario`'s field (`wave-length` is written for `wave_length` too)."""
    return str(key).replace("-", "_")


class RoadmapExplorer(FollowsWhenShown, w.VBox):  # type: ignore[misc]
    """Try waves, capacity and strategy; the roadmap, burn-up and readiness follow without blocking.

    It starts from a scenario of the file (the baseline or a named one) and saves what it shows as a
    named scenario: a new one, or one the file has once the user confirms the replacement.
    """

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
        self.scenario = w.Dropdown(
            options=self.session.engagement.scenario_names(), value=BASELINE, description="Scenario"
        )
        self.scenario.observe(self._scenario_chosen, "value")
        self.scenario_note = w.HTML()  # why the explorer went back to the baseline
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
        for control in self._controls().values():
            control.observe(self._control_moved, "value")
        self.scenario_name = w.Text(description="Name", placeholder="e.g. more budget", layout=w.Layout(width="22em"))
        self.scenario_name.observe(self._name_typed, "value")
        self.save_as_button = w.Button(description="Save as scenario", icon="plus", layout=w.Layout(width="auto"))
        self.save_as_button.on_click(lambda _: self.save_as())
        self.name_note = w.HTML()  # one line: why the name cannot be saved
        # Saving under a name the file has replaces that scenario: only once the user says so.
        self.confirm_text = w.HTML()
        self.replace_button = w.Button(description="Replace", button_style="warning", layout=w.Layout(width="auto"))
        self.cancel_button = w.Button(description="Cancel", layout=w.Layout(width="auto"))
        self.replace_button.on_click(lambda _: self.confirm_replace())
        self.cancel_button.on_click(lambda _: self.cancel_replace())
        self.confirm = w.HBox([self.confirm_text, self.replace_button, self.cancel_button])
        show(self.confirm, False)
        self._replacing: str | None = None  # the name the open question is about
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
                w.HBox([self.scenario, self.scenario_note]),
                w.HBox([self.waves, self.capacity, self.strategy]),
                w.HBox([self.scenario_name, self.save_as_button, self.save_button, self.name_note]),
                self.confirm, self.busy,
                self.gantt, self.burnup, self.readiness, *([self.status] if self.status else []),
            ]
        )  # fmt: skip
        self._seen = self._settings()
        self.session.on_change(self._engagement_changed, owner=self)
        self.replan()

    # -- the controls and the scenario they start from ------------------------------------------
    def _controls(self) -> dict[str, Any]:
        return {"waves": self.waves, "capacity": self.capacity, "strategy": self.strategy}

    def _chosen(self) -> dict[str, Any]:
        """The controls' values: waves, the capacity of every wave, the strategy."""
        return {key: control.value for key, control in self._controls().items()}

    def _selected(self, engagement: Engagement) -> str | None:
        """The named scenario chosen, or None for the baseline (also when `engagement` no longer has it)."""
        name = self.scenario.value
        return name if name != BASELINE and name in engagement.scenario_names() else None

    @staticmethod
    def _shown_settings(scenario: Scenario) -> dict[str, Any]:
        """A scenario's settings as the controls show them (a capacity per wave shows the first wave's)."""
        return {"waves": scenario.waves, "capacity": scenario.capacities()[0], "strategy": scenario.strategy}

    def _settings(self, name: str | None = None) -> dict[str, Any]:
        """The waves, capacity (of the first wave) and strategy of a scenario of the file: the one chosen by default."""
        engagement = self.session.engagement
        chosen = self._selected(engagement) if name is None else name
        return self._shown_settings(engagement.scenario_named(chosen))

    def _overrides(self, engagement: Engagement, name: str | None) -> dict[str, Any]:
        """The controls that differ from the scenario `name`: only these override it.

        A per-wave capacity list is planned as the file has it until the capacity itself is moved.
        """
        own = self._shown_settings(engagement.scenario_named(name))
        return {key: value for key, value in self._chosen().items() if value != own[key]}

    def _set_controls(self, settings: dict[str, Any]) -> None:
        """Move the controls to `settings` without planning once per control (the caller plans once)."""
        for key, value in settings.items():
            control = self._controls()[key]
            if isinstance(value, int) and hasattr(control, "max") and value > control.max:
                control.max = value
            set_quietly(control, value, self._control_moved)

    def _control_moved(self, _change: object = None) -> None:
        self.replan()

    def _scenario_chosen(self, _change: object = None) -> None:
        set_if_changed(self.scenario_note, "value", "")
        self._seen = self._settings()
        self._set_controls(self._seen)
        self.replan()

    def _follow_scenarios(self) -> None:
        """List the file's scenarios; if the one chosen has gone, go back to the baseline and say so."""
        names = tuple(self.session.engagement.scenario_names())
        chosen = self.scenario.value
        gone = chosen not in names
        if names != tuple(self.scenario.options):
            # New options select the first one and tell the observer: keep the choice, and plan once.
            self.scenario.unobserve(self._scenario_chosen, "value")
            try:
                self.scenario.options = names
                self.scenario.value = BASELINE if gone else chosen
            finally:
                self.scenario.observe(self._scenario_chosen, "value")
        if gone:
            note = f"{escape(repr(chosen))} is no longer in {escape(self.session.path.name)}: showing the baseline."
            set_if_changed(self.scenario_note, "value", f"<span style='color:#9a5b00'>{note}</span>")
            self._seen = {}  # every control moves to the baseline

    def _follow_file(self) -> None:
        """Move the controls whose setting changed in the file's scenario; a what-if on the others stays."""
        settings = self._settings()
        self._set_controls({key: value for key, value in settings.items() if value != self._seen.get(key)})
        self._seen = settings

    def _engagement_changed(self, source: object | None) -> None:
        self._follow_scenarios()
        self._follow_file()
        if self.follows():
            self.replan()

    def catch_up(self) -> None:
        """Plan what changed while hidden."""
        self.replan()

    # -- planning ---------------------------------------------------------------------------------
    def replan(self) -> Future[None] | None:
        """Plan with the controls' values; in a thread so large engagements never block the notebook."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        engagement = self.session.engagement
        name = self._selected(engagement)
        settings = {"scenario": name, **self._overrides(engagement, name)}
        self.busy.value = "<i style='color:#5d6675'>planning…</i>"
        if not self.background:
            self._plan(generation, engagement, settings)
            return None
        return _PLANNER.submit(self._plan, generation, engagement, settings)

    def _plan(self, generation: int, engagement: Any, settings: dict[str, Any]) -> None:
        from ..charts import burnup, gantt
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

    # -- saving -----------------------------------------------------------------------------------
    def save_scenario(self) -> None:
        """Write the settings the controls changed into the engagement file's scenario.

        Only what differs from the engagement is written: a capacity per wave stays a list unless
        the capacity was changed, and a setting a colleague changed meanwhile is not written back.
        """
        current = self._settings(BASELINE)
        values = {key: value for key, value in self._chosen().items() if value != current[key]}
        if not values:
            return

        def apply(data: dict[str, Any]) -> None:
            scenario = data.setdefault("scenario", {}) or {}
            data["scenario"] = scenario
            scenario.update(values)

        self.session.edit(apply, source=self)

    def scenario_settings(self) -> dict[str, Any]:
        """What a scenario saved now holds besides its name: what the explorer plans that differs from the baseline.

        Waves, capacity and strategy as the controls have them; the chosen scenario's other settings
        (pins, exclusions, ...) as it writes them. Raises `EngagementError` if they do not hold.
        """
        from ..planner import resolve_scenario

        engagement = self.session.engagement
        name = self._selected(engagement)
        shown = resolve_scenario(engagement, name, **self._overrides(engagement, name))
        baseline = engagement.scenario
        own = next((n.changes() for n in engagement.scenarios if n.name == name), {}) if name else {}
        settings: dict[str, Any] = {
            key: copy.deepcopy(value)
            for key, value in own.items()
            if key not in EXPLORED and key in Scenario.model_fields and getattr(shown, key) != getattr(baseline, key)
        }
        for key in ("waves", "strategy"):
            if getattr(shown, key) != getattr(baseline, key):
                settings[key] = getattr(shown, key)
        # Capacity last: a per-wave list follows the waves written, and may then already be what is shown.
        if baseline.changed(**settings).capacity != shown.capacity:
            settings["capacity"] = copy.deepcopy(shown.capacity)
        return {key: settings[key] for key in NAMED_ORDER if key in settings}

    def _existing(self, name: str) -> str | None:
        """The name the file gives the scenario called `name` (names differing only in case are one)."""
        folded = name.casefold()
        return next((n.name for n in self.session.engagement.scenarios if n.name.casefold() == folded), None)

    def _say(self, problem: Problem | None) -> None:
        set_if_changed(self.name_note, "value", error_html([problem]) if problem else "")

    def _name_typed(self, _change: object = None) -> None:
        # A note or a question about the name typed before is not about this one.
        self._say(None)
        self.cancel_replace()

    def save_as(self, name: str | None = None) -> bool:
        """Save what the explorer plans as the named scenario typed (or `name`); True once written.

        A name the file has is replaced only after `confirm_replace` (the Replace button); until then
        this asks and writes nothing.
        """
        typed = (self.scenario_name.value if name is None else name).strip()
        if not typed:
            self._say(Problem("Type a name for the scenario first.", ()))
            return False
        if typed.casefold() == BASELINE:
            self._say(Problem(f"{typed!r} is the engagement's own scenario", (), "give this one another name"))
            return False
        existing = self._existing(typed)
        if existing is not None:
            self._replacing = existing
            set_if_changed(self.confirm_text, "value", f"<b>Replace {escape(repr(existing))}?</b>")
            show(self.confirm, True)
            self._say(None)
            return False
        return self._write(typed, None)

    def confirm_replace(self) -> bool:
        """Replace the scenario the open question names with what the explorer plans; True once written."""
        name = self._replacing
        if name is None:
            return False
        return self._write(name, name)

    def cancel_replace(self) -> None:
        """Close the question about replacing a scenario, writing nothing."""
        self._replacing = None
        show(self.confirm, False)

    def _write(self, name: str, replacing: str | None) -> bool:
        """Write the scenario `name`: in place of the one called `replacing` if the file still has it, else added."""
        try:
            settings = self.scenario_settings()
        except EngagementError as exc:
            self._say(exc.problems[0] if exc.problems else Problem("these settings do not make a plan", ()))
            return False

        def apply(data: dict[str, Any]) -> None:
            entries = data.get("scenarios")
            for entry in entries if isinstance(entries, list) else []:
                # The model strips a name's spaces; the file may still have them.
                if replacing is not None and isinstance(entry, dict) and str(entry.get("name")).strip() == replacing:
                    _replace_settings(entry, settings)
                    return
            added = {"name": name, **settings}
            if isinstance(entries, list):
                entries.append(added)
            else:
                put(data, "scenarios", [added], ENGAGEMENT_ORDER)

        problems = self.session.edit(apply, source=self)
        if problems:
            # Problems of the new scenario first: the rest of the file was valid before this edit.
            mine = [p for p in problems if tuple(p.path[:1]) == ("scenarios",)] or problems
            self._say(mine[0])
            return False
        self.cancel_replace()
        self._say(None)
        # The listener has listed the new name; choose it, with controls already showing its settings.
        if name in self.scenario.options:
            self.scenario.unobserve(self._scenario_chosen, "value")
            try:
                self.scenario.value = name
            finally:
                self.scenario.observe(self._scenario_chosen, "value")
        set_if_changed(self.scenario_note, "value", "")
        self._seen = self._settings()
        self.replan()
        return True


def _replace_settings(entry: dict[str, Any], settings: dict[str, Any]) -> None:
    """Give a named scenario's mapping these settings in place, so that only the lines of what changed change."""
    for key in [k for k in entry if k != "name" and _field(k) not in settings]:
        del entry[key]
    for key, value in settings.items():
        written = next((k for k in entry if _field(k) == key), key)  # `wave-length` stays as written
        put(entry, written, value, NAMED_ORDER)


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
