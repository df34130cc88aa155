"""CapabilityMapper: choose what each moment needs, with suggestions and a live traceability matrix.

Rows of needs and suggestion chips are kept in pools and updated in place, so a refresh after
every keystroke elsewhere in the workshop creates no widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from .._markup import escape
from .._suggest import suggest_for_moment
from .common import (
    FollowsWhenShown,
    StatusBar,
    close_tree,
    error_html,
    error_label,
    resolve_capability,
    set_if_changed,
    set_quietly,
    unknown_capability,
)
from .picker import CapabilityPicker, Choice
from .session import EngagementSession, session_for


def moment_label(day: dict[str, Any], index: int) -> str:
    """How a moment is named in pickers: day title, time or position, and the start of its story."""
    moment = day["moments"][index]
    when = moment.get("at") or f"#{index + 1}"
    story = " ".join(str(moment.get("story", "")).split())
    story = story if len(story) <= 50 else story[:49] + "…"
    return f"{day['title']} · {when} · {story}"


class NeedRow(w.HBox):  # type: ignore[misc]
    """One need of the moment shown: its level, a remove button and the rubric sentence."""

    def __init__(self, mapper: CapabilityMapper):
        self.mapper = mapper
        self.capability = ""
        self.level = w.Dropdown(options=[1, 2, 3, 4, 5], value=3, layout=w.Layout(width="6em"))
        self.level.observe(self._level_changed, "value")
        self.remove = w.Button(
            description="Remove", icon="trash", tooltip="remove this need", layout=w.Layout(width="auto")
        )
        self.remove.on_click(lambda _: mapper.remove_need(self.capability))
        self.label = w.HTML()
        super().__init__([self.level, self.remove, self.label])

    def _level_changed(self, change: dict[str, Any]) -> None:
        self.mapper.set_level(self.capability, change["new"])

    def show_need(self, capability: str, level: int, catalog: Any) -> None:
        """Show `capability` at `level`, changing only what differs."""
        self.capability = capability
        set_quietly(self.level, level, self._level_changed)
        set_if_changed(self.remove, "tooltip", f"remove {capability}")
        name = catalog[capability].name if capability in catalog else capability
        rubric = catalog[capability].rubric.get(level, "") if capability in catalog else ""
        set_if_changed(
            self.label,
            "value",
            f"{escape(name)} <code>{escape(capability)}</code> <span style='color:#5d6675'>{escape(rubric)}</span>",
        )


class SuggestionChip(w.HBox):  # type: ignore[misc]
    """A suggested capability: a button that adds it, and why it is suggested."""

    def __init__(self, mapper: CapabilityMapper):
        self.capability = ""
        self.button = w.Button(layout=w.Layout(width="auto"))
        self.button.on_click(lambda _: mapper.add_need(self.capability, mapper.level.value))
        self.why = w.HTML()
        super().__init__([self.button, self.why])

    def show_suggestion(self, capability: str, name: str, why: str, level: int) -> None:
        """Show one suggestion, changing only what differs."""
        self.capability = capability
        set_if_changed(self.button, "description", f"+ {name}")
        set_if_changed(self.button, "tooltip", f"add {capability} at level {level}")
        set_if_changed(self.why, "value", f"<span style='color:#5d6675'>{escape(why)}</span>")


def _pooled(pool: list[Any], count: int, make: Callable[[], Any]) -> list[Any]:
    """The first `count` widgets of a pool, growing it as needed and closing what is not needed."""
    while len(pool) < count:
        pool.append(make())
    for extra in pool[count:]:
        close_tree(extra)
    del pool[count:]
    return pool


class CapabilityMapper(FollowsWhenShown, w.VBox):  # type: ignore[misc]
    """For each moment, the capabilities it needs and at which level; unknown ids cannot be entered."""

    def __init__(self, engagement: str | Path | EngagementSession, *, debounce: float = 0.8, status_bar: bool = True):
        self.session = session_for(engagement, debounce=debounce)
        self.picker = w.Dropdown(description="Moment", layout=w.Layout(width="48em"))
        self.picker.observe(lambda _: self._show_moment(), "value")
        self.needs_box = w.VBox()
        self.add_button = w.Button(description="Add need", icon="plus", button_style="primary")
        # The Add box offers the capabilities matching what is typed, as the Perfect days tab's Needs does.
        self.add_picker = CapabilityPicker(
            lambda: self.session.engagement.capabilities, description="Add", width="30em", beside=[self.add_button]
        )
        self.search = self.add_picker.box
        self.level = self.add_picker.level  # also the level a suggestion is added at
        self.add_picker.on_chosen(self._chosen)
        self.add_button.on_click(lambda _: self.add_need(self.search.value, self.level.value))
        self.errors = error_label()
        self.suggestions = w.VBox()
        self.no_suggestion = w.HTML("<i>No suggestion: nothing in the story points to a capability not yet needed.</i>")
        self.matrix = w.HTML(layout=w.Layout(overflow="auto", max_height="28em"))
        self.status = StatusBar(self.session) if status_bar else None
        self._need_rows: list[NeedRow] = []
        self._chips: list[SuggestionChip] = []
        super().__init__(
            [
                self.picker,
                w.HTML("<b>Needs</b>"), self.needs_box,
                self.add_picker, self.errors,
                w.HTML("<b>Suggested from the story</b>"), self.suggestions,
                w.HTML("<b>Traceability</b>"), self.matrix,
                *([self.status] if self.status else []),
            ]
        )  # fmt: skip
        self.session.on_change(lambda source: self.refresh(), owner=self)
        self.refresh()

    def close(self) -> None:
        """Close the mapper with the widgets it keeps off screen (the "no suggestion" note)."""
        close_tree(self.no_suggestion)
        super().close()

    def _options(self) -> list[tuple[str, tuple[int, int]]]:
        return [
            (moment_label(day, m), (d, m))
            for d, day in enumerate(self.session.data["perfect_days"])
            for m in range(len(day["moments"]))
        ]

    def refresh(self) -> None:
        """Re-read moments and catalog from the session and redraw what changed."""
        if not self.follows():
            return
        self.add_picker.refresh()  # the catalog may have changed with the file
        options = tuple(self._options())
        current = self.picker.value
        if tuple(self.picker.options) != options:
            self.picker.options = options
        values = [v for _, v in options]
        set_if_changed(self.picker, "value", current if current in values else (values[0] if values else None))
        self._show_moment()

    def catch_up(self) -> None:
        """Redraw what changed while hidden."""
        self.refresh()

    def moment(self) -> dict[str, Any]:
        """The raw data of the moment shown."""
        d, m = self.picker.value
        return self.session.data["perfect_days"][d]["moments"][m]  # type: ignore[no-any-return]

    def _show_moment(self) -> None:
        if self.picker.value is None:
            return
        catalog = self.session.engagement.capabilities
        moment = self.moment()
        needs = list((moment.get("needs") or {}).items())
        rows = _pooled(self._need_rows, len(needs), lambda: NeedRow(self))
        for row, (cid, level) in zip(rows, needs, strict=True):
            row.show_need(cid, level, catalog)
        if list(self.needs_box.children) != rows:
            self.needs_box.children = list(rows)
        found = suggest_for_moment(moment, catalog)
        chips = _pooled(self._chips, len(found), lambda: SuggestionChip(self))
        for chip, s in zip(chips, found, strict=True):
            chip.show_suggestion(s.capability, s.name, s.why, self.level.value)
        shown = list(chips) or [self.no_suggestion]
        if list(self.suggestions.children) != shown:
            self.suggestions.children = shown
        set_if_changed(self.matrix, "value", traceability_html(self.session.data, catalog))

    def _edit_needs(self, change: Any) -> bool:
        """Change the needs of the moment shown; whether that was saved (else the errors say why)."""
        d, m = self.picker.value

        def apply(data: dict[str, Any]) -> None:
            change(data["perfect_days"][d]["moments"][m].setdefault("needs", {}))

        problems = self.session.edit(apply, source=self)
        self.errors.value = error_html(problems)
        return not problems

    def _chosen(self, choice: Choice) -> None:
        # Adding needs is what this tab is for, so a click on an offer adds it at once. A name typed
        # whole waits for "Add need": "Returns" may be the start of "Returns management".
        if choice.clicked:
            self.add_need(choice.capability, self.level.value)

    def add_need(self, capability: str, level: int) -> None:
        """Add (or raise) a need of the moment shown: `capability` is "Name (Domain)", an id or a name."""
        found = resolve_capability(capability, self.session.engagement.capabilities)
        if found is None:
            self.errors.value = error_html([unknown_capability(capability, self.session.engagement.capabilities)])
            return
        capability = found
        if self._edit_needs(lambda needs: needs.__setitem__(capability, int(level))):
            self.add_picker.clear()  # ready for the next one; the level stays

    def set_level(self, capability: str, level: int) -> None:
        """Change the level the moment shown needs of a capability."""
        self._edit_needs(lambda needs: needs.__setitem__(capability, int(level)))

    def remove_need(self, capability: str) -> None:
        """Remove a need of the moment shown (a moment keeps at least one)."""
        self._edit_needs(lambda needs: needs.pop(capability, None))


def traceability_html(data: dict[str, Any], catalog: Any) -> str:
    """Moments by needed capabilities as a compact HTML table of levels."""
    needed: set[str] = set()
    for day in data["perfect_days"]:
        for moment in day["moments"]:
            needed.update(moment.get("needs", {}))
    caps = catalog.in_domain_order(needed)
    head = "".join(
        f"<th style='writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;padding:2px'>"
        f"{escape(catalog[c].name if c in catalog else c)}</th>"
        for c in caps
    )
    rows = []
    for day in data["perfect_days"]:
        for m, moment in enumerate(day["moments"]):
            needs = moment.get("needs", {})
            cells = "".join(
                f"<td style='text-align:center;background:{'#dbe6f1' if c in needs else 'transparent'}'>"
                f"{needs.get(c, '')}</td>"
                for c in caps
            )
            rows.append(f"<tr><td style='white-space:nowrap'>{escape(moment_label(day, m))}</td>{cells}</tr>")
    return (
        "<table style='border-collapse:collapse;font-size:0.85em'>"
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
