"""CapabilityMapper: choose what each moment needs, with suggestions and a live traceability matrix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from ..markup import escape
from ..suggest import suggest_for_moment
from .common import StatusBar, error_html, error_label
from .session import EngagementSession, session_for


def moment_label(day: dict[str, Any], index: int) -> str:
    """How a moment is named in pickers: day title, time or position, and the start of its story."""
    moment = day["moments"][index]
    when = moment.get("at") or f"#{index + 1}"
    story = " ".join(str(moment.get("story", "")).split())
    story = story if len(story) <= 50 else story[:49] + "…"
    return f"{day['title']} · {when} · {story}"


class CapabilityMapper(w.VBox):  # type: ignore[misc]
    """For each moment, the capabilities it needs and at which level; unknown ids cannot be entered."""

    def __init__(self, engagement: str | Path | EngagementSession, *, debounce: float = 0.8):
        self.session = session_for(engagement, debounce=debounce)
        self.picker = w.Dropdown(description="Moment", layout=w.Layout(width="48em"))
        self.picker.observe(lambda _: self._show_moment(), "value")
        self.needs_box = w.VBox()
        self.search = w.Combobox(placeholder="type to search the catalog", ensure_option=True,
                                 description="Add", layout=w.Layout(width="30em"))  # fmt: skip
        self.level = w.Dropdown(
            options=[1, 2, 3, 4, 5], value=3, description="level",
            style={"description_width": "initial"}, layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.add_button = w.Button(description="Add need", icon="plus", button_style="primary")
        self.add_button.on_click(lambda _: self.add_need(self._search_id(), self.level.value))
        self.errors = error_label()
        self.suggestions = w.VBox()
        self.matrix = w.HTML(layout=w.Layout(overflow="auto", max_height="28em"))
        self.status = StatusBar(self.session)
        super().__init__(
            [
                self.picker,
                w.HTML("<b>Needs</b>"), self.needs_box,
                w.HBox([self.search, self.level, self.add_button]), self.errors,
                w.HTML("<b>Suggested from the story</b>"), self.suggestions,
                w.HTML("<b>Traceability</b>"), self.matrix,
                self.status,
            ]
        )  # fmt: skip
        self.session.on_change(lambda source: self.refresh())
        self.refresh()

    def _options(self) -> list[tuple[str, tuple[int, int]]]:
        return [
            (moment_label(day, m), (d, m))
            for d, day in enumerate(self.session.data["perfect_days"])
            for m in range(len(day["moments"]))
        ]

    def refresh(self) -> None:
        """Re-read moments and catalog from the session and redraw everything."""
        catalog = self.session.engagement.capabilities
        self.search.options = [f"{cid} — {catalog[cid].name}" for cid in sorted(catalog)]
        options = self._options()
        current = self.picker.value
        self.picker.options = options
        values = [v for _, v in options]
        self.picker.value = current if current in values else (values[0] if values else None)
        self._show_moment()

    def moment(self) -> dict[str, Any]:
        """The raw data of the moment shown."""
        d, m = self.picker.value
        return self.session.data["perfect_days"][d]["moments"][m]  # type: ignore[no-any-return]

    def _search_id(self) -> str:
        return str(self.search.value).split(" — ")[0].strip()

    def _show_moment(self) -> None:
        if self.picker.value is None:
            return
        catalog = self.session.engagement.capabilities
        moment = self.moment()
        rows = []
        for cid, level in moment.get("needs", {}).items():
            name = catalog[cid].name if cid in catalog else cid
            picker = w.Dropdown(options=[1, 2, 3, 4, 5], value=level, layout=w.Layout(width="6em"))
            picker.observe(lambda change, cid=cid: self.set_level(cid, change["new"]), "value")
            remove = w.Button(icon="trash", tooltip=f"remove {cid}", layout=w.Layout(width="3em"))
            remove.on_click(lambda _, cid=cid: self.remove_need(cid))
            rubric = catalog[cid].rubric.get(level, "") if cid in catalog else ""
            label = w.HTML(
                f"{escape(name)} <code>{escape(cid)}</code> <span style='color:#5d6675'>{escape(rubric)}</span>"
            )
            rows.append(w.HBox([picker, remove, label]))
        self.needs_box.children = rows
        chips = []
        for s in suggest_for_moment(moment, catalog):
            button = w.Button(description=f"+ {s.name}", tooltip=f"add {s.capability} at level {self.level.value}",
                              layout=w.Layout(width="auto"))  # fmt: skip
            button.on_click(lambda _, cid=s.capability: self.add_need(cid, self.level.value))
            chips.append(w.HBox([button, w.HTML(f"<span style='color:#5d6675'>{escape(s.why)}</span>")]))
        self.suggestions.children = chips or [
            w.HTML("<i>No suggestion: the story shares no words with the catalog.</i>")
        ]
        self.matrix.value = traceability_html(self.session.data, catalog)

    def _edit_needs(self, change: Any) -> None:
        d, m = self.picker.value

        def apply(data: dict[str, Any]) -> None:
            change(data["perfect_days"][d]["moments"][m].setdefault("needs", {}))

        problems = self.session.edit(apply, source=self)
        self.errors.value = error_html(problems)

    def add_need(self, capability: str, level: int) -> None:
        """Add (or raise) a need of the moment shown."""
        if capability not in self.session.engagement.capabilities:
            self.errors.value = error_html([])  # ensure_option already prevents this in the browser
            return
        self._edit_needs(lambda needs: needs.__setitem__(capability, int(level)))
        self.search.value = ""

    def set_level(self, capability: str, level: int) -> None:
        """Change the level the moment shown needs of a capability."""
        self._edit_needs(lambda needs: needs.__setitem__(capability, int(level)))

    def remove_need(self, capability: str) -> None:
        """Remove a need of the moment shown (a moment keeps at least one)."""
        self._edit_needs(lambda needs: needs.pop(capability, None))


def traceability_html(data: dict[str, Any], catalog: Any) -> str:
    """Moments by needed capabilities as a compact HTML table of levels."""
    caps: list[str] = []
    for day in data["perfect_days"]:
        for moment in day["moments"]:
            for cid in moment.get("needs", {}):
                if cid not in caps:
                    caps.append(cid)
    caps.sort(key=lambda c: (catalog[c].domain if c in catalog else "", c))
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
