"""PerfectDayEditor: write a perfect day's title, persona, priority and moments, with a live storyboard.

Every input is built once and updated in place: a form is never rebuilt while someone types in
it (rebuilding moves the keyboard focus, and the page's next keystrokes go elsewhere), and the
widgets of a removed moment are closed, so their number stays bounded by what is on screen.
"""

from __future__ import annotations

import copy
import itertools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from .._brand import DEFAULT_BRAND
from .._markup import escape, inline
from ..errors import Problem
from ..model import TIME_HINT, Moment, PerfectDay, time_of_day
from .common import (
    StatusBar,
    close_owned,
    error_html,
    error_label,
    problems_at,
    put,
    set_if_changed,
    set_quietly,
    show,
)
from .journey import JourneyView, Message, journey_model
from .picker import CapabilityPicker, no_match
from .picker import chosen_capability as chosen_capability  # importable from here too
from .session import EngagementSession, session_for

CHANNELS = [
    "mobile app", "web", "store", "associate app", "contact centre", "messaging", "email", "social", "phone",
    "chatbot", "kiosk", "home delivery", "field visit",
]  # fmt: skip
TEXT_FIELDS = ("at", "channel", "story", "wow", "today")
FEELINGS: tuple[tuple[str, int | None], ...] = (
    ("—", None), ("−2 awful", -2), ("−1", -1), ("0 neutral", 0), ("+1", 1), ("+2 delighted", 2),
)  # fmt: skip
"""The choices of a moment's feeling (model.Score), today and on the perfect day."""
MOMENT_ORDER = tuple(Moment.model_fields)  # where a re-typed field goes back to in the file
DAY_ORDER = tuple(PerfectDay.model_fields)
WAITING = "<span style='color:#9a5b00'>Not saved yet: a moment needs a story and at least one capability.</span>"


class MomentRow(w.VBox):  # type: ignore[misc]
    """The form of one moment; a new moment is a draft until it has a story and one capability."""

    def __init__(self, editor: PerfectDayEditor, index: int | None, moment: dict[str, Any]):
        self.editor = editor
        self.index = index
        self.fields: dict[str, Any] = {
            "at": w.Text(placeholder="hh:mm", description="At", layout=w.Layout(width="11em")),
            "channel": w.Combobox(options=CHANNELS, placeholder="channel", description="Channel",
                                  ensure_option=False, layout=w.Layout(width="18em")),
            "story": w.Textarea(description="Story", placeholder="What happens, in the customer's words",
                                rows=5, layout=w.Layout(width="95%")),
            "wow": w.Textarea(placeholder="Where it over-delivers", description="Wow", rows=2,
                              layout=w.Layout(width="95%")),
            "today": w.Textarea(placeholder="How it goes today, for the same customer", description="Today",
                                rows=2, layout=w.Layout(width="95%")),
            "weight": w.FloatText(value=1.0, step=0.5, description="Weight",
                                         layout=w.Layout(width="11em")),
        }  # fmt: skip
        self.errors = {name: error_label() for name in self.fields}
        for field in self.fields.values():
            field.continuous_update = True
            field.observe(self._changed, "value")
        # Words beside the icons: an icon alone gives a screen reader (and a test) no name, since the
        # icon font's glyph, not the tooltip, becomes the button's accessible name.
        self.up = w.Button(
            description="Earlier", icon="arrow-up", tooltip="move earlier", layout=w.Layout(width="auto")
        )
        self.down = w.Button(
            description="Later", icon="arrow-down", tooltip="move later", layout=w.Layout(width="auto")
        )
        self.remove = w.Button(
            description="Remove", icon="trash", tooltip="remove this moment", layout=w.Layout(width="auto")
        )
        self.up.on_click(lambda _: editor.move(self, -1))
        self.down.on_click(lambda _: editor.move(self, +1))
        self.remove.on_click(lambda _: editor.remove(self))
        self.draft_box = w.VBox()
        self.need_picker: CapabilityPicker | None = None
        self.offers: list[w.Button] = []  # the picker's, built once; what they offer changes as Needs is typed in
        if index is None:
            # Only a draft picks a capability here (a saved moment's needs are edited in Capabilities):
            # a hidden copy in every saved row would share its label, and typing could land in it.
            self.need_picker = CapabilityPicker(lambda: editor.session.engagement.capabilities)
            self.need = self.need_picker.box
            self.need_level = self.need_picker.level
            self.offers = self.need_picker.offers
            self.need_picker.on_typed(self._need_typed)
            self.need_level.observe(self._draft_changed, "value")
            self.draft_box.children = [self.need_picker]
        # How the moment feels, today and on the perfect day: offered once the moment is saved.
        self.feeling = {
            "today": w.Dropdown(options=FEELINGS, value=None, description="Feels today",
                                style={"description_width": "initial"}, layout=w.Layout(width="14em")),
            "perfect": w.Dropdown(options=FEELINGS, value=None, description="on the perfect day",
                                  style={"description_width": "initial"}, layout=w.Layout(width="17em")),
        }  # fmt: skip
        for dropdown in self.feeling.values():
            dropdown.observe(self._feeling_changed, "value")
        self.feeling_box = w.HBox(list(self.feeling.values()), layout=w.Layout(margin="2px 0 2px 90px"))
        self.needs_label = w.HTML()
        self.draft_note = w.HTML()
        self.title = w.HTML()
        f, e = self.fields, self.errors
        # The children never change: a draft that is saved only hides its capability picker.
        super().__init__(
            [
                w.HBox([self.title, self.up, self.down, self.remove]),
                w.HBox([f["at"], f["channel"], f["weight"]], layout=w.Layout(flex_flow="row wrap")),
                w.HBox([e["at"], e["channel"], e["weight"]]),
                f["story"], e["story"], f["wow"], e["wow"], f["today"], e["today"], self.feeling_box,
                self.draft_box, self.needs_label, self.draft_note,
            ],
            layout=w.Layout(border="1px solid #d7dce3", padding="6px", margin="4px 0"),
        )  # fmt: skip
        self.show_moment(index, moment, moved=True)

    def key(self, name: str) -> tuple[int, str]:
        """How the session knows this row's field while it holds a value that cannot be saved."""
        return (id(self), name)

    def show_moment(self, index: int | None, moment: dict[str, Any], *, moved: bool = False) -> None:
        """Show a saved moment (or a draft, index None), touching only what differs from what is shown.

        A field whose value is invalid keeps what the user typed unless the row now shows another
        moment (`moved`): that text is not in the file and exists nowhere else.
        """
        self.index = index
        self.shown = copy.deepcopy(moment) if index is not None else None
        draft = index is None
        set_if_changed(self.title, "value", "<b>New moment</b>" if draft else f"<b>Moment {index + 1}</b>")  # type: ignore[operator]
        show(self.up, not draft)
        show(self.down, not draft)
        show(self.draft_box, draft)
        show(self.needs_label, not draft)
        show(self.feeling_box, not draft)
        given = moment.get("feeling")
        feeling: dict[str, Any] = given if isinstance(given, dict) else {}
        for which, dropdown in self.feeling.items():
            score = feeling.get(which)
            set_quietly(dropdown, score if score in {v for _, v in FEELINGS} else None, self._feeling_changed)
        catalog = self.editor.session.engagement.capabilities
        needs = moment.get("needs") or {}
        names = ", ".join(f"{escape(catalog[c].name if c in catalog else c)} L{lvl}" for c, lvl in needs.items())
        set_if_changed(
            self.needs_label, "value", f"<span style='color:#5d6675'>Needs: {names} (edit in Capabilities)</span>"
        )
        if draft:
            if not self.draft_note.value:
                self.draft_note.value = WAITING
            return
        set_if_changed(self.draft_note, "value", "")
        session = self.editor.session
        for name, field in self.fields.items():
            if not moved and self.key(name) in session.field_problems:
                continue
            value = moment.get(name)
            if name == "weight":
                set_quietly(field, float(value if value is not None else 1.0), self._changed)
            elif self.value_of(name) != (str(value).strip() or None if value is not None else None):
                set_quietly(field, "" if value is None else str(value), self._changed)
            if moved:
                set_if_changed(self.errors[name], "value", "")
        if moved:
            self._forget_problems()  # the fields now show saved values

    def _forget_problems(self) -> None:
        self.editor.session.forget_fields(lambda key: isinstance(key, tuple) and key[:1] == (id(self),))

    def retire(self) -> None:
        """Stop showing a moment (the row is kept hidden, to be reused): it no longer matches any moment."""
        self.shown = None
        self._forget_problems()

    def value_of(self, name: str) -> Any:
        """A field's value as it goes into the file (empty optional text leaves the key out)."""
        value = self.fields[name].value
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def _changed(self, change: dict[str, Any]) -> None:
        self.editor.field_changed(self, change["owner"])

    def _feeling_changed(self, change: dict[str, Any]) -> None:
        which = next(k for k, d in self.feeling.items() if d is change["owner"])
        self.editor.feeling_changed(self, which, change["new"])

    def _draft_changed(self, change: dict[str, Any]) -> None:
        if self.index is None:
            self.editor.commit_draft(self)

    def _need_typed(self, text: str) -> None:
        if self.index is None:
            self.editor.commit_draft(self)  # after the picker's offers: the note says when none match

    @property
    def offered(self) -> list[str]:
        """The ids of the capabilities offered for what Needs holds, in order (none once saved)."""
        return self.need_picker.offered if self.need_picker is not None else []

    def chosen(self) -> str | None:
        """The id of the capability chosen or typed whole in Needs, else None."""
        return self.need_picker.chosen() if self.need_picker is not None else None

    def choose(self, number: int) -> None:
        """Take the capability of the `number`th offer: Needs shows it, and the draft is saved if it is complete."""
        if self.need_picker is not None:
            self.need_picker.choose(number)

    def close(self) -> None:
        """Close this row's widgets and forget any unsaved problem of its fields."""
        self._forget_problems()
        close_owned(self)
        super().close()


class PerfectDayEditor(w.VBox):  # type: ignore[misc]
    """Edit one perfect day: title, persona, priority; add, remove and reorder moments; see the storyboard."""

    def __init__(
        self,
        engagement: str | Path | EngagementSession,
        perfect_day_id: str | None = None,
        *,
        debounce: float = 0.8,
        status_bar: bool = True,
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
        # Room for a whole persona: a one-line box cut "Priya, parent of two, loyal but bu...".
        self.persona = w.Textarea(description="Persona", rows=2, layout=w.Layout(width="95%"))
        # Plain number boxes: a bounded one silently turns 0 into 1; the engagement's rules explain instead.
        self.priority = w.IntText(value=1, description="Priority", layout=w.Layout(width="12em"))
        # The perfect days themselves: a copy to start another from, removal (undoable), order by priority.
        self.new_day_button = w.Button(description="New day", icon="plus", tooltip="start a perfect day from nothing")
        self.new_day_button.on_click(lambda _: self.new_day())
        self.new_day_draft: dict[str, Any] | None = None  # a day not saved yet: it is saved with its first moment
        self.copy_day_button = w.Button(
            description="Duplicate day", icon="copy", tooltip="start a new day from this one"
        )
        self.copy_day_button.on_click(lambda _: self.duplicate_day())
        self.delete_day_button = w.Button(description="Delete day", icon="trash", tooltip="remove this perfect day")
        self.delete_day_button.on_click(lambda _: self.delete_day())
        self.undo_day_button = w.Button(description="Undo delete", icon="undo", tooltip="put the deleted day back")
        self.undo_day_button.on_click(lambda _: self.undo_delete_day())
        self.sort_days_button = w.Button(
            description="Order days by priority", icon="sort", tooltip="put priority 1 first in the file and the lists"
        )
        self.sort_days_button.on_click(lambda _: self.sort_days())
        self._deleted_day: tuple[int, dict[str, Any]] | None = None
        show(self.undo_day_button, False)
        self.day_errors = error_label()
        for field in (self.title, self.persona, self.priority):
            field.observe(self._day_changed, "value")
        self.rows: list[MomentRow] = []  # the saved moments of the day shown, in order
        self.drafts: dict[str, list[MomentRow]] = {}  # per perfect day: moments not saved yet
        self.spare: list[MomentRow] = []  # hidden rows of moments that are gone, reused for new ones
        self.slots: list[MomentRow] = []  # every row, in the order the page has them (only ever appended)
        self.rows_box = w.VBox()
        self.add_button = w.Button(description="Add moment", icon="plus", button_style="primary")
        self.add_button.on_click(lambda _: self.add_moment())
        self.undo_button = w.Button(
            description="Undo remove", icon="undo", tooltip="put the removed moment back", layout=w.Layout(width="auto")
        )
        self.undo_button.on_click(lambda _: self.undo_remove())
        self._removed: tuple[str, int, dict[str, Any]] | None = None  # the last moment removed here, to undo
        show(self.undo_button, False)
        self.order_note = w.HTML()
        self.sort_button = w.Button(description="Sort by time", icon="sort", tooltip="put the moments in time order")
        self.sort_button.on_click(lambda _: self.sort_by_time())
        self.preview = w.HTML(layout=w.Layout(width="40%", overflow="auto"))
        self.preview.add_class("vk-storyboard")
        self.status = StatusBar(self.session) if status_bar else None
        day_buttons = [
            self.new_day_button, self.copy_day_button, self.delete_day_button, self.undo_day_button,
            self.sort_days_button,
        ]  # fmt: skip
        for button in day_buttons:
            button.layout.width = "auto"  # a fixed width cut "Order days by priority" to "Order days by ..."
        form = w.VBox(
            [
                self.picker,
                w.HBox(day_buttons,
                       layout=w.Layout(flex_flow="row wrap", margin="0 0 0 90px")),
                self.title, self.persona, self.priority, self.day_errors,
                w.HBox([self.order_note, self.sort_button]), self.rows_box, w.HBox([self.add_button, self.undo_button]),
            ],
            layout=w.Layout(width="60%"),
        )  # fmt: skip
        # Stories are prose: set in the page's own font, not JupyterLab's code font, with room to read.
        look = w.HTML(
            "<style>.vk-editor textarea { font-family: var(--jp-ui-font-family, sans-serif); "
            "font-size: var(--jp-ui-font-size1, 13px); line-height: 1.45; }</style>"
        )
        # The day as a journey across the top; the journey's version goes up whenever what it shows changes,
        # so a drag that started on an older picture of the day is refused rather than applied to another moment.
        self.journey = JourneyView(self._journey_message, layout=w.Layout(width="100%"))
        self._journey_version = 0
        super().__init__([look, self.journey, w.HBox([form, self.preview]), *([self.status] if self.status else [])])
        self.add_class("vk-editor")
        self.session.on_change(self._session_changed, owner=self)
        self._load_day(reassign=True)

    # -- reading the model ---------------------------------------------------------------
    def _day_index(self) -> int:
        return next(i for i, d in enumerate(self.session.data["perfect_days"]) if d["id"] == self.day_id)

    def editing_new_day(self) -> bool:
        """Whether the day shown is a new one, not in the file until its first moment is saved."""
        return self.new_day_draft is not None and self.day_id == self.new_day_draft["id"]

    def day(self) -> dict[str, Any]:
        """The raw data of the perfect day being edited (a new day's, while it is not saved yet)."""
        if self.new_day_draft is not None and self.editing_new_day():
            return self.new_day_draft
        return self.session.data["perfect_days"][self._day_index()]  # type: ignore[no-any-return]

    def _day_options(self) -> tuple[tuple[str, str], ...]:
        """The picker's choices: every day of the file, then a new day not saved yet."""
        options = [(str(d["title"]), str(d["id"])) for d in self.session.data["perfect_days"]]
        if self.new_day_draft is not None:
            title = self.new_day_draft["title"] or "New perfect day"
            options.append((f"{title} (not saved yet)", self.new_day_draft["id"]))
        return tuple(options)

    def _load_day(self, *, reassign: bool = False, compact: bool = False) -> None:
        """Show the day's data in the rows already on the page.

        Each row keeps the moment it showed (matched by id, else by equal data), wherever that
        moment now stands: a moment a colleague inserts above the one being typed in must not
        slide the typing into another moment. Rows are put in order with CSS, never by reordering
        the page's children, which would rebuild their views and drop the keyboard focus.
        `reassign` (another day) fills the rows by position; `compact` (a change the user made
        here, with no typing to protect) closes the rows left over.
        """
        day = self.day()
        for field, key in ((self.title, "title"), (self.persona, "persona")):
            if (id(self), key) not in self.session.field_problems:
                set_quietly(field, str(day.get(key) or ""), self._day_changed)
        set_quietly(self.priority, int(day.get("priority", 1)), self._day_changed)
        moments = day["moments"]
        if reassign:
            self.journey.selected = -1  # another day: no card of it is being edited
        claimed = {} if reassign else _same_moments(self.rows, moments)
        left = [r for r in self.rows if r not in claimed.values()] + self.spare
        rows = []
        for i, moment in enumerate(moments):
            row = claimed.get(i)
            if row is not None:
                row.show_moment(i, moment)
            elif left:
                row = left.pop(0)
                row.show_moment(i, moment, moved=True)
            else:
                row = MomentRow(self, i, moment)
            rows.append(row)
        for row in left:
            row.retire()
        self.rows, self.spare = rows, left
        self._arrange(compact=compact)
        self._preview()

    def _arrange(self, *, compact: bool = False) -> None:
        """Put the rows on screen in order (CSS order) and hide the rest; the page's children are only appended to.

        Spare rows at the end of the page are closed (that rebuilds no other view); with `compact`,
        all spare rows are.
        """
        shown = [*self.rows, *self.drafts.get(self.day_id, [])]
        elsewhere = [r for day, rows in self.drafts.items() if day != self.day_id for r in rows]
        if compact:
            for row in self.spare:
                row.close()
            self.spare = []
        while self.slots and self.slots[-1] in self.spare:
            row = self.slots.pop()
            self.spare.remove(row)
            row.close()
        alive = {id(r) for r in (*shown, *elsewhere, *self.spare)}
        self.slots = [r for r in self.slots if id(r) in alive] + [r for r in shown if r not in self.slots]
        if compact:
            # A change made here (nobody is typing): the page's order catches up with the screen's, so
            # Tab and screen readers follow the moments again. Only the views from the first change are rebuilt.
            self.slots = [*shown, *(r for r in self.slots if r not in shown)]
        position = {id(r): i for i, r in enumerate(shown)}
        for row in self.slots:
            show(row, id(row) in position)
            set_if_changed(row.layout, "order", str(position.get(id(row), len(position))))
        if list(self.rows_box.children) != self.slots:
            self.rows_box.children = list(self.slots)

    def _session_changed(self, source: object | None) -> None:
        days = self.session.data["perfect_days"]
        reassign = False
        if self.day_id not in [d["id"] for d in days] and not self.editing_new_day():
            self.day_id, reassign = days[0]["id"], True
        options = self._day_options()
        if tuple(self.picker.options) != options or self.picker.value != self.day_id:
            self.picker.unobserve(self._pick, "value")
            self.picker.options = options
            self.picker.value = self.day_id
            self.picker.observe(self._pick, "value")
        if source is not self:
            self._load_day(reassign=reassign)
        else:
            self._preview()

    def _pick(self, change: dict[str, Any]) -> None:
        self.day_id = change["new"]
        self._load_day(reassign=True, compact=True)

    # -- writing the model ---------------------------------------------------------------
    def _day_changed(self, change: dict[str, Any]) -> None:
        key = {id(self.title): "title", id(self.persona): "persona", id(self.priority): "priority"}[id(change["owner"])]
        value = change["owner"].value
        value = value.strip() or None if isinstance(value, str) else value
        if self.editing_new_day():
            self._new_day_changed(key, value)
            return
        d = self._day_index()

        def apply(data: dict[str, Any]) -> None:
            day = data["perfect_days"][d]
            if value is None and key != "title":
                day.pop(key, None)
            else:
                put(day, key, "" if value is None else value, DAY_ORDER)

        problems = self.session.edit(apply, source=self, field=(id(self), key))
        self.day_errors.value = error_html(problems_at(problems, ("perfect_days", d)))

    def field_changed(self, row: MomentRow, field: Any) -> None:
        """A moment's field changed: save it if the moment stays valid, else show why next to it."""
        name = next(n for n, f in row.fields.items() if f is field)
        value = row.value_of(name)
        if name == "at" and value is not None and time_of_day(value) is None:
            problem = Problem(f"'{value}' is not a time of day", (), TIME_HINT)
            row.errors[name].value = error_html([problem])
            self.session.set_field_problems(row.key(name), [problem])
            return
        if row.index is None:
            row.errors[name].value = ""
            self.session.set_field_problems(row.key(name), [])
            self.commit_draft(row)
            return
        d, m = self._day_index(), row.index

        def apply(data: dict[str, Any]) -> None:
            moment = data["perfect_days"][d]["moments"][m]
            if value is None and name != "story":  # an emptied optional field leaves the file
                moment.pop(name, None)
            else:
                put(moment, name, "" if value is None else value, MOMENT_ORDER)

        problems = self.session.edit(apply, source=self, field=row.key(name))
        row.errors[name].value = error_html(problems_at(problems, ("perfect_days", d, "moments", m, name)))
        if not problems:
            row.shown = copy.deepcopy(self.day()["moments"][m])  # what the row shows, to know it again

    def feeling_changed(self, row: MomentRow, which: str, score: int | None) -> None:
        """A saved moment's feeling (today or on the perfect day) was chosen: write it, or leave it out."""
        if row.index is None:
            return
        d, m = self._day_index(), row.index

        def apply(data: dict[str, Any]) -> None:
            moment = data["perfect_days"][d]["moments"][m]
            given = moment.get("feeling")
            feeling: dict[str, Any] = given if isinstance(given, dict) else {}
            if score is None:
                feeling.pop(which, None)
            else:
                put(feeling, which, score, ("today", "perfect"))
            if feeling:
                put(moment, "feeling", feeling, MOMENT_ORDER)
            else:
                moment.pop("feeling", None)  # neither given: the key leaves the file

        self.session.edit(apply, source=self)
        row.shown = copy.deepcopy(self.day()["moments"][m])

    def new_day(self) -> None:
        """Start a perfect day from nothing: saved with its first moment, its id following its title until then."""
        if self.new_day_draft is not None:
            self._show_day(self.new_day_draft["id"])
            return
        days = self.session.data["perfect_days"]
        priority = min(100, max((int(d.get("priority", 1)) for d in days), default=0) + 1)
        self.new_day_draft = {
            "id": _unused_id("new-perfect-day", days),
            "title": "",
            "priority": priority,
            "moments": [],
        }
        self._show_day(self.new_day_draft["id"])
        if not self.drafts.get(self.day_id):
            self.add_moment()
        self.title.focus()

    def _new_day_changed(self, key: str, value: Any) -> None:
        """A new day's title, persona or priority changed: kept with the form until the day is saved."""
        draft = self.new_day_draft
        assert draft is not None
        if value is None and key != "title":
            draft.pop(key, None)
        else:
            draft[key] = "" if value is None else value
        if key == "title":
            # The id follows the title until the first save; after that it stays, as plans and files refer to it.
            new_id = _unused_id(_id_of(str(value or "")), self.session.data["perfect_days"])
            if new_id != draft["id"]:
                self.drafts[new_id] = self.drafts.pop(draft["id"], [])
                draft["id"] = self.day_id = new_id
        waiting = Problem("a new perfect day is saved with its first moment", (), "write a moment's story and needs")
        self.session.set_field_problems((id(self), "new-day"), [waiting])
        self._session_changed(self)

    def _save_new_day(self, row: MomentRow, moment: dict[str, Any]) -> None:
        """Save the new day with its first moment; until it is valid, say why next to the moment."""
        draft = self.new_day_draft
        assert draft is not None
        day = {k: draft[k] for k in DAY_ORDER if k in draft and k != "moments"}
        if day.get("priority") == 1:
            day.pop("priority")  # the default is left out, as in a day written by hand
        day["moments"] = [moment]
        problems = self.session.edit(lambda data: data["perfect_days"].append(day), source=self)
        if problems:
            self.session.set_field_problems(row.key("draft"), problems)
            row.draft_note.value = error_html(problems)
            return
        self.new_day_draft = None
        self.session.set_field_problems((id(self), "new-day"), [])
        self.session.set_field_problems(row.key("draft"), [])
        drafts = self.drafts.get(self.day_id, [])
        if row in drafts:
            drafts.remove(row)
        self.rows.append(row)
        row.show_moment(0, moment)
        self._session_changed(self)
        self._arrange()

    def commit_draft(self, row: MomentRow) -> None:
        """Save a draft once it has a story and a capability; its widgets stay as they are."""
        if row.index is not None:
            return
        story, typed = row.value_of("story"), " ".join(str(row.need.value).split())
        need = row.chosen()
        typed_anything = any(row.value_of(k) for k in TEXT_FIELDS) or typed
        waiting = Problem("a new moment needs a story and a capability before it is saved", (), "")
        # What is typed in Needs but not (yet) a capability: its offers, or one line saying nothing matches.
        set_if_changed(
            row.draft_note, "value", error_html([no_match(typed)]) if typed and not (need or row.offered) else WAITING
        )
        if not story or need is None or row.key("at") in self.session.field_problems:
            # The status bar must not say "Saved" while this text exists only in the form.
            self.session.set_field_problems(row.key("draft"), [waiting] if typed_anything else [])
            return
        moment: dict[str, Any] = {k: row.value_of(k) for k in MOMENT_ORDER if k in row.fields}
        moment = {k: v for k, v in moment.items() if v is not None and not (k == "weight" and v == 1.0)}
        put(moment, "needs", {need: row.need_level.value}, MOMENT_ORDER)
        if self.editing_new_day():
            self._save_new_day(row, moment)
            return
        d = self._day_index()
        problems = self.session.edit(lambda data: data["perfect_days"][d]["moments"].append(moment), source=self)
        if problems:
            row.draft_note.value = error_html(problems)
            return
        self.session.set_field_problems(row.key("draft"), [])
        drafts = self.drafts.get(self.day_id, [])
        if row in drafts:
            drafts.remove(row)
        self.rows.append(row)
        row.show_moment(len(self.day()["moments"]) - 1, moment)
        self._arrange()
        self._preview()

    def add_moment(self) -> MomentRow:
        """Add a draft moment at the end; it is saved once it has a story and a capability."""
        row = MomentRow(self, None, {})
        self.drafts.setdefault(self.day_id, []).append(row)
        self._arrange()
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
        self._load_day(compact=True)

    def remove(self, row: MomentRow) -> None:
        """Remove a moment (a day keeps at least one)."""
        if row.index is None:
            drafts = self.drafts.get(self.day_id, [])
            if row in drafts:
                drafts.remove(row)
            row.retire()
            self.spare.append(row)
            self._arrange(compact=True)
            return
        d, m = self._day_index(), row.index
        removed = copy.deepcopy(self.day()["moments"][m])
        problems = self.session.edit(lambda data: data["perfect_days"][d]["moments"].pop(m), source=self)
        if problems:
            row.draft_note.value = error_html(problems)
            return
        self._removed = (self.day_id, m, removed)
        story = " ".join(str(removed.get("story", "")).split())
        self.undo_button.description = f"Undo: bring back “{story[:40] + '…' if len(story) > 40 else story}”"
        show(self.undo_button, True)
        self._load_day(compact=True)

    def undo_remove(self) -> None:
        """Put the moment removed last back where it was."""
        if self._removed is None:
            return
        day_id, index, moment = self._removed
        days = [d["id"] for d in self.session.data["perfect_days"]]
        if day_id not in days:
            return
        d = days.index(day_id)

        def apply(data: dict[str, Any]) -> None:
            moments = data["perfect_days"][d]["moments"]
            moments.insert(min(index, len(moments)), moment)

        if not self.session.edit(apply, source=self):
            self._removed = None
            show(self.undo_button, False)
            if day_id == self.day_id:
                self._load_day(compact=True)

    def _show_day(self, day_id: str) -> None:
        """Edit another perfect day: the picker follows, and the rows show its moments."""
        self.day_id = day_id
        self._session_changed(self)
        self._load_day(reassign=True, compact=True)

    def duplicate_day(self) -> None:
        """A copy of this perfect day right after it, titled "… (copy)", to start another day from."""
        if self.editing_new_day():
            return  # nothing saved to copy yet
        d = self._day_index()
        source = copy.deepcopy(self.day())
        new_id = _unused_id(f"{source['id']}-copy", self.session.data["perfect_days"])
        source["id"] = new_id
        source["title"] = f"{source.get('title', '')} (copy)"
        for moment in source.get("moments", []):
            moment.pop("id", None)  # moment ids are unique in the file: the copies are keyed by position
        if not self.session.edit(lambda data: data["perfect_days"].insert(d + 1, source), source=self):
            self._show_day(new_id)

    def delete_day(self) -> None:
        """Remove this perfect day (an engagement keeps at least one); Undo delete puts it back."""
        days = self.session.data["perfect_days"]
        if self.editing_new_day():
            self._discard_new_day()
            return
        if len(days) < 2:
            self.day_errors.value = error_html(
                [Problem("an engagement needs at least one perfect day", (), "add another day before deleting this")]
            )
            return
        d = self._day_index()
        removed = copy.deepcopy(days[d])
        if self.session.edit(lambda data: data["perfect_days"].pop(d), source=self):
            return
        self._deleted_day = (d, removed)
        self.undo_day_button.description = f"Undo delete of “{removed.get('title', removed['id'])}”"
        show(self.undo_day_button, True)
        remaining = self.session.data["perfect_days"]
        self._show_day(remaining[min(d, len(remaining) - 1)]["id"])

    def _discard_new_day(self) -> None:
        """Drop the new day not saved yet, with its draft moments: nothing of it is in the file."""
        assert self.new_day_draft is not None
        for row in self.drafts.pop(self.new_day_draft["id"], []):
            row.retire()
            self.spare.append(row)
        self.new_day_draft = None
        self.session.set_field_problems((id(self), "new-day"), [])
        self._show_day(self.session.data["perfect_days"][0]["id"])

    def undo_delete_day(self) -> None:
        """Put the perfect day deleted last back where it was, unless a day with its id exists again."""
        if self._deleted_day is None:
            return
        index, day = self._deleted_day
        if day["id"] in {d.get("id") for d in self.session.data["perfect_days"]}:
            return
        if not self.session.edit(lambda data: data["perfect_days"].insert(index, day), source=self):
            self._deleted_day = None
            show(self.undo_day_button, False)
            self._show_day(day["id"])

    def sort_days(self) -> None:
        """Order the perfect days by priority (1 first); days of equal priority keep their order."""

        def apply(data: dict[str, Any]) -> None:
            data["perfect_days"] = sorted(data["perfect_days"], key=lambda day: day.get("priority", 1))

        self.session.edit(apply, source=self)
        self._session_changed(self)

    def sort_by_time(self) -> None:
        """Put the day's moments in time order; a moment without a time stays after the one before it."""
        if self.editing_new_day():
            return
        d = self._day_index()

        def apply(data: dict[str, Any]) -> None:
            data["perfect_days"][d]["moments"] = sorted(data["perfect_days"][d]["moments"], key=_time_keys())

        self.session.edit(apply, source=self)
        self._load_day(compact=True)

    # -- the journey ----------------------------------------------------------------------
    def _journey_message(self, message: Message) -> None:
        """What the user did on the journey: edit a moment, move it, or give it another time."""
        moments = self.day()["moments"] if not self.editing_new_day() else []
        if message["version"] != self._journey_version or not 0 <= message["index"] < len(moments):
            self.journey.note = "The day changed while you were dragging, so nothing was moved: try again."
            return
        self.journey.note = ""
        index = message["index"]
        if message["type"] == "select":
            self.journey.selected = index
            row = next((r for r in self.rows if r.index == index), None)
            if row is not None:
                row.fields["story"].focus()
            return
        d = self._day_index()
        if message["type"] == "retime":
            at = message["at"]

            def apply(data: dict[str, Any]) -> None:
                put(data["perfect_days"][d]["moments"][index], "at", at, MOMENT_ORDER)

        else:
            to, channel = message["to"], message["channel"]
            if not 0 <= to < len(moments):
                return

            def apply(data: dict[str, Any]) -> None:
                day_moments = data["perfect_days"][d]["moments"]
                moment = day_moments.pop(index)
                if channel == "":
                    moment.pop("channel", None)
                elif channel is not None:
                    put(moment, "channel", channel, MOMENT_ORDER)
                day_moments.insert(to, moment)

        problems = self.session.edit(apply, source=self)
        if problems:
            self.journey.note = "Not changed: " + "; ".join(p.message for p in problems)
            return
        if self.journey.selected == index and message["type"] == "move":
            self.journey.selected = message["to"]
        self._load_day(compact=True)

    def _show_journey(self) -> None:
        """Send the journey of the day shown to the page, if it changed (a new version each time)."""
        engagement = self.session.engagement
        model = journey_model(
            self.day(),
            engagement.capabilities,
            dict(engagement.assessment),
            brand=engagement.branding.primary,
            version=self._journey_version,
        )
        if model != self.journey.journey:
            self._journey_version += 1
            model["version"] = self._journey_version
            self.journey.journey = model

    def _preview(self) -> None:
        self._show_journey()
        day = self.day()
        cards = []
        for i, moment in enumerate(day["moments"]):
            when = " · ".join(escape(moment[k]) for k in ("at", "channel") if moment.get(k)) or f"Moment {i + 1}"
            wow = (
                f"<div style='background:#f3f6f9;padding:2px 6px'><b>Wow</b> {inline(moment['wow'])}</div>"
                if moment.get("wow")
                else ""
            )
            today = (
                f"<div style='border-left:3px solid #d7dce3;padding-left:6px;margin-top:4px;font-size:0.92em'>"
                f"<b>Today</b> {inline(moment['today'])}</div>"
                if moment.get("today")
                else ""
            )
            cards.append(
                f"<div style='border:1px solid #d7dce3;border-top:3px solid {DEFAULT_BRAND};padding:6px;margin:6px 0'>"
                f"<div style='color:{DEFAULT_BRAND};font-weight:bold;font-size:0.9em'>{when}</div>"
                f"<div>{inline(moment.get('story', ''))}</div>{wow}{today}</div>"
            )
        persona = f"<div style='color:#5d6675'><i>{inline(day['persona'])}</i></div>" if day.get("persona") else ""
        set_if_changed(
            self.preview,
            "value",
            "<div style='font-family:sans-serif'>"
            f"<h3 style='color:{DEFAULT_BRAND};margin:0'>{escape(day.get('title', ''))}</h3>"
            f"{persona}{''.join(cards)}</div>",
        )
        times = [time_of_day(m.get("at")) for m in day["moments"]]
        known = [t for t in times if t is not None]
        unordered = any(a > b for a, b in itertools.pairwise(known))
        set_if_changed(
            self.order_note,
            "value",
            "<span style='color:#9a5b00'>The moments are not in time order.</span>" if unordered else "",
        )
        show(self.sort_button, unordered)


def _id_of(title: str) -> str:
    """A perfect day's id from its title: lowercase ASCII words joined by hyphens."""
    # "Ravi's" and "Ravi’s" both give "ravis": an apostrophe joins a word, it does not split it.
    ascii_title = unicodedata.normalize("NFKD", re.sub("['’]", "", title)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-") or "new-perfect-day"


def _unused_id(wanted: str, days: list[dict[str, Any]]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`… the first that no perfect day of the file has."""
    taken = {str(d.get("id")) for d in days}
    return next(name for n in itertools.count(1) if (name := wanted if n == 1 else f"{wanted}-{n}") not in taken)


def _same_moments(rows: list[MomentRow], moments: list[dict[str, Any]]) -> dict[int, MomentRow]:
    """Which row already shows each moment: by id, else equal data, else the same story, else time and channel.

    The looser passes keep a moment with its row when someone else changed another of its fields
    (a merge from disk) while the user types in it.
    """
    claimed: dict[int, MomentRow] = {}
    free = [r for r in rows if r.shown is not None]
    tests: list[Callable[[dict[str, Any], dict[str, Any]], bool]] = [
        lambda shown, moment: bool(moment.get("id")) and shown.get("id") == moment.get("id"),
        lambda shown, moment: shown == moment,
        lambda shown, moment: shown.get("story") == moment.get("story"),
        lambda shown, moment: (
            bool(moment.get("at"))
            and (shown.get("at"), shown.get("channel")) == (moment.get("at"), moment.get("channel"))
        ),
    ]
    for same in tests:
        for i, moment in enumerate(moments):
            if i in claimed:
                continue
            row = next((r for r in free if r.shown is not None and same(r.shown, moment)), None)
            if row is not None:
                claimed[i] = row
                free.remove(row)
    return claimed


def _time_keys() -> Any:
    """A sort key for moments: their time, or for one without a time, the time of the moment before it."""
    last = [-1]

    def key(moment: dict[str, Any]) -> int:
        minutes = time_of_day(moment.get("at"))
        if minutes is not None:
            last[0] = minutes
        return last[0]

    return key
