"""PerfectDayEditor: write a perfect day's title, persona, priority and moments, with a live storyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from ..markup import escape, inline
from .common import StatusBar, error_html, error_label, problems_at, set_quietly
from .session import EngagementSession, session_for

CHANNELS = [
    "mobile app", "web", "store", "associate app", "contact centre", "messaging", "email", "social", "phone",
    "chatbot", "kiosk", "home delivery", "field visit",
]  # fmt: skip
TEXT_FIELDS = ("at", "channel", "story", "wow")


class MomentRow(w.VBox):  # type: ignore[misc]
    """The form of one moment; a new moment is a draft until it has a story and one capability."""

    def __init__(self, editor: PerfectDayEditor, index: int | None, moment: dict[str, Any]):
        self.editor = editor
        self.index = index
        self.fields: dict[str, Any] = {
            "at": w.Text(value=str(moment.get("at") or ""), placeholder="hh:mm", description="At",
                         layout=w.Layout(width="11em")),
            "channel": w.Combobox(value=str(moment.get("channel") or ""), options=CHANNELS, placeholder="channel",
                                  description="Channel", ensure_option=False, layout=w.Layout(width="18em")),
            "story": w.Textarea(value=str(moment.get("story") or ""), description="Story",
                                placeholder="What happens, in the customer's words",
                                layout=w.Layout(width="95%", height="4.5em")),
            "wow": w.Textarea(value=str(moment.get("wow") or ""), placeholder="Where it over-delivers",
                              description="Wow", layout=w.Layout(width="95%", height="3em")),
            "weight": w.BoundedFloatText(value=float(moment.get("weight", 1.0)), min=0.1, max=1000, step=0.5,
                                         description="Weight", layout=w.Layout(width="11em")),
        }  # fmt: skip
        self.errors = {name: error_label() for name in self.fields}
        for field in self.fields.values():
            field.observe(self._changed, "value")
            field.continuous_update = True
        self.up = w.Button(icon="arrow-up", tooltip="move earlier", layout=w.Layout(width="3em"))
        self.down = w.Button(icon="arrow-down", tooltip="move later", layout=w.Layout(width="3em"))
        self.remove = w.Button(icon="trash", tooltip="remove this moment", layout=w.Layout(width="3em"))
        self.up.on_click(lambda _: editor.move(self, -1))
        self.down.on_click(lambda _: editor.move(self, +1))
        self.remove.on_click(lambda _: editor.remove(self))
        catalog = editor.session.engagement.capabilities
        self.need = w.Combobox(
            options=sorted(catalog),
            placeholder="type to search capabilities",
            ensure_option=True,
            description="Needs",
            layout=w.Layout(width="24em"),
        )
        self.need_level = w.Dropdown(options=[1, 2, 3, 4, 5], value=3, description="level",
                                     style={"description_width": "initial"}, layout=w.Layout(width="auto"))  # fmt: skip
        self.need.observe(self._changed, "value")
        self.need_level.observe(self._changed, "value")
        self.needs_label = w.HTML()
        self.draft_note = w.HTML()
        self.title = w.HTML()
        super().__init__(layout=w.Layout(border="1px solid #d7dce3", padding="6px", margin="4px 0"))
        self.refresh_from(moment)

    def refresh_from(self, moment: dict[str, Any]) -> None:
        """Lay the row out for a saved moment or a draft, and show its needs."""
        draft = self.index is None
        self.title.value = "<b>New moment</b>" if draft else f"<b>Moment {self.index + 1}</b>"  # type: ignore[operator]
        catalog = self.editor.session.engagement.capabilities
        needs = moment.get("needs") or {}
        names = ", ".join(f"{escape(catalog[c].name if c in catalog else c)} L{lvl}" for c, lvl in needs.items())
        self.needs_label.value = f"<span style='color:#5d6675'>Needs: {names} (edit in Capabilities)</span>"
        header = w.HBox([self.title, self.up, self.down, self.remove])
        if draft:
            self.draft_note.value = (
                "<span style='color:#9a5b00'>Not saved yet: a moment needs a story and at least one capability.</span>"
            )
            needs_box: Any = w.HBox([self.need, self.need_level])
            header = w.HBox([self.title, self.remove])
        else:
            self.draft_note.value = ""
            needs_box = self.needs_label
        f, e = self.fields, self.errors
        self.children = [
            header,
            w.HBox([f["at"], f["channel"], f["weight"]]), w.HBox([e["at"], e["channel"], e["weight"]]),
            f["story"], e["story"], f["wow"], e["wow"], needs_box, self.draft_note,
        ]  # fmt: skip

    def value_of(self, name: str) -> Any:
        """A field's value as it goes into the file (empty optional text leaves the key out)."""
        value = self.fields[name].value
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def _changed(self, change: dict[str, Any]) -> None:
        self.editor.field_changed(self, change["owner"])


class PerfectDayEditor(w.VBox):  # type: ignore[misc]
    """Edit one perfect day: title, persona, priority; add, remove and reorder moments; see the storyboard."""

    def __init__(
        self, engagement: str | Path | EngagementSession, perfect_day_id: str | None = None, *, debounce: float = 0.8
    ):
        self.session = session_for(engagement, debounce=debounce)
        days = self.session.data["perfect_days"]
        ids = [d["id"] for d in days]
        if perfect_day_id is not None and perfect_day_id not in ids:
            raise ValueError(f"no perfect day '{perfect_day_id}'; the engagement has {', '.join(ids)}")
        self.day_id = perfect_day_id or ids[0]
        self.picker = w.Dropdown(options=[(d["title"], d["id"]) for d in days], value=self.day_id,
                                 description="Perfect day", layout=w.Layout(width="32em"))  # fmt: skip
        self.picker.observe(self._pick, "value")
        self.title = w.Text(description="Title", layout=w.Layout(width="32em"))
        self.persona = w.Text(description="Persona", layout=w.Layout(width="32em"))
        self.priority = w.BoundedIntText(min=1, max=100, description="Priority", layout=w.Layout(width="12em"))
        self.day_errors = error_label()
        for field in (self.title, self.persona, self.priority):
            field.observe(self._day_changed, "value")
        self.rows: list[MomentRow] = []
        self.rows_box = w.VBox()
        self.add_button = w.Button(description="Add moment", icon="plus", button_style="primary")
        self.add_button.on_click(lambda _: self.add_moment())
        self.preview = w.HTML(layout=w.Layout(width="40%", overflow="auto"))
        self.status = StatusBar(self.session)
        form = w.VBox(
            [self.picker, self.title, self.persona, self.priority, self.day_errors, self.rows_box, self.add_button],
            layout=w.Layout(width="60%"),
        )
        super().__init__([w.HBox([form, self.preview]), self.status])
        self.session.on_change(self._session_changed)
        self._load_day()

    # -- reading the model ---------------------------------------------------------------
    def _day_index(self) -> int:
        return next(i for i, d in enumerate(self.session.data["perfect_days"]) if d["id"] == self.day_id)

    def day(self) -> dict[str, Any]:
        """The raw data of the perfect day being edited."""
        return self.session.data["perfect_days"][self._day_index()]  # type: ignore[no-any-return]

    def _load_day(self) -> None:
        day = self.day()
        set_quietly(self.title, day.get("title", ""), self._day_changed)
        set_quietly(self.persona, day.get("persona") or "", self._day_changed)
        set_quietly(self.priority, int(day.get("priority", 1)), self._day_changed)
        drafts = [r for r in self.rows if r.index is None]
        self.rows = [MomentRow(self, i, m) for i, m in enumerate(day["moments"])] + drafts
        self.rows_box.children = self.rows
        self._preview()

    def _session_changed(self, source: object | None) -> None:
        days = self.session.data["perfect_days"]
        if self.day_id not in [d["id"] for d in days]:
            self.day_id = days[0]["id"]
        self.picker.unobserve(self._pick, "value")
        self.picker.options = [(d["title"], d["id"]) for d in days]
        self.picker.value = self.day_id
        self.picker.observe(self._pick, "value")
        if source is not self:
            self._load_day()
        else:
            self._preview()

    def _pick(self, change: dict[str, Any]) -> None:
        self.day_id = change["new"]
        self.rows = []
        self._load_day()

    # -- writing the model ---------------------------------------------------------------
    def _day_changed(self, change: dict[str, Any]) -> None:
        d = self._day_index()
        values = {"title": self.title.value.strip(), "persona": self.persona.value.strip() or None,
                  "priority": self.priority.value}  # fmt: skip

        def apply(data: dict[str, Any]) -> None:
            day = data["perfect_days"][d]
            for key, value in values.items():
                if value is None:
                    day.pop(key, None)
                else:
                    day[key] = value

        problems = self.session.edit(apply, source=self)
        self.day_errors.value = error_html(problems_at(problems, ("perfect_days", d)))

    def field_changed(self, row: MomentRow, field: Any) -> None:
        """A moment's field changed: save it if the moment stays valid, else show why next to it."""
        d = self._day_index()
        if row.index is None:
            self._commit_draft(row)
            return
        m = row.index
        name = next(n for n, f in row.fields.items() if f is field)
        value = row.value_of(name)

        def apply(data: dict[str, Any]) -> None:
            moment = data["perfect_days"][d]["moments"][m]
            if value is None and name != "story":  # an emptied optional field leaves the file
                moment.pop(name, None)
            elif value is None:
                moment[name] = ""
            else:
                moment[name] = value

        problems = self.session.edit(apply, source=self)
        row.errors[name].value = error_html(problems_at(problems, ("perfect_days", d, "moments", m, name)))
        if not problems:
            row.errors[name].value = ""

    def _commit_draft(self, row: MomentRow) -> None:
        d = self._day_index()
        story = row.value_of("story")
        need = row.need.value
        if not story or not need:
            return
        moment: dict[str, Any] = {k: row.value_of(k) for k in ("at", "channel", "story", "wow")}
        moment = {k: v for k, v in moment.items() if v is not None}
        if row.value_of("weight") not in (None, 1.0):
            moment["weight"] = row.value_of("weight")
        moment["needs"] = {need: row.need_level.value}
        problems = self.session.edit(lambda data: data["perfect_days"][d]["moments"].append(moment), source=self)
        if problems:
            row.draft_note.value = error_html(problems)
            return
        row.index = len(self.day()["moments"]) - 1
        row.refresh_from(moment)
        self._preview()

    def add_moment(self) -> MomentRow:
        """Add a draft moment at the end; it is saved once it has a story and a capability."""
        row = MomentRow(self, None, {})
        self.rows.append(row)
        self.rows_box.children = self.rows
        return row

    def move(self, row: MomentRow, step: int) -> None:
        """Move a saved moment earlier (-1) or later (+1)."""
        if row.index is None:
            return
        d, m = self._day_index(), row.index
        n = len(self.day()["moments"])
        if not 0 <= m + step < n:
            return

        def apply(data: dict[str, Any]) -> None:
            moments = data["perfect_days"][d]["moments"]
            moments[m], moments[m + step] = moments[m + step], moments[m]

        self.session.edit(apply, source=self)
        self._load_day()

    def remove(self, row: MomentRow) -> None:
        """Remove a moment (a day keeps at least one)."""
        if row.index is None:
            self.rows.remove(row)
            self.rows_box.children = self.rows
            return
        d, m = self._day_index(), row.index
        problems = self.session.edit(lambda data: data["perfect_days"][d]["moments"].pop(m), source=self)
        if problems:
            row.draft_note.value = error_html(problems)
            return
        self._load_day()

    def _preview(self) -> None:
        day = self.day()
        cards = []
        for i, moment in enumerate(day["moments"]):
            when = " · ".join(escape(moment[k]) for k in ("at", "channel") if moment.get(k)) or f"Moment {i + 1}"
            wow = (
                f"<div style='background:#f3f6f9;padding:2px 6px'><b>Wow</b> {inline(moment['wow'])}</div>"
                if moment.get("wow")
                else ""
            )
            cards.append(
                "<div style='border:1px solid #d7dce3;border-top:3px solid #1f4e79;padding:6px;margin:6px 0'>"
                f"<div style='color:#1f4e79;font-weight:bold;font-size:0.9em'>{when}</div>"
                f"<div>{inline(moment.get('story', ''))}</div>{wow}</div>"
            )
        persona = f"<div style='color:#5d6675'><i>{inline(day['persona'])}</i></div>" if day.get("persona") else ""
        self.preview.value = (
            "<div style='font-family:sans-serif'>"
            f"<h3 style='color:#1f4e79;margin:0'>{escape(day.get('title', ''))}</h3>{persona}{''.join(cards)}</div>"
        )
