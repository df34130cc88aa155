"""Pieces every workshop widget uses: the status bar, field error messages and in-place updates."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .._markup import escape
from .._merge import MISSING, Conflict
from ..errors import PathPart, Problem
from .session import EngagementSession

if TYPE_CHECKING:
    from ..catalog import Catalog


def close_owned(widget: Any) -> None:
    """Close what a widget owns (its children, layout and style), leaving the widget itself to its caller."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):
        owned = getattr(widget, part, None)
        if isinstance(owned, w.Widget):
            owned.close()


def close_tree(widget: Any) -> None:
    """Close a widget with everything it owns, so the kernel and the page let go of them."""
    close_owned(widget)
    widget.close()


def set_quietly(widget: Any, value: Any, handler: Any) -> None:
    """Set a widget's value without triggering our own observer, and only if it differs.

    Setting an unchanged value would still send it to the page, where it can overwrite a
    keystroke typed in the meantime.
    """
    if widget.value == value:
        return
    widget.unobserve(handler, "value")
    try:
        widget.value = value
    finally:
        widget.observe(handler, "value")


def set_if_changed(widget: Any, name: str, value: Any) -> None:
    """Assign a trait only when it changes: every assignment is a message to the page."""
    if getattr(widget, name) != value:
        setattr(widget, name, value)


def show(widget: Any, visible: bool) -> None:
    """Show or hide a widget without rebuilding its parent (which would move the keyboard focus)."""
    set_if_changed(widget.layout, "display", None if visible else "none")


class FollowsWhenShown:
    """A workshop tab that follows the session only while on screen; a stale one catches up when shown.

    A hidden tab need not redraw (or re-plan) after every keystroke in another tab.
    """

    visible = True
    _stale = False

    def follows(self) -> bool:
        """Whether to redraw now; when hidden, remember to do it once shown."""
        self._stale = not self.visible
        return self.visible

    def set_visible(self, visible: bool) -> None:
        """Tell the tab whether it is on screen."""
        self.visible = visible
        if visible and self._stale:
            self._stale = False
            self.catch_up()

    def catch_up(self) -> None:
        """Redraw what changed while hidden."""
        raise NotImplementedError


def problems_at(problems: Sequence[Problem], prefix: Sequence[PathPart]) -> list[Problem]:
    """The problems whose field path starts with `prefix`."""
    n = len(prefix)
    return [p for p in problems if tuple(p.path[:n]) == tuple(prefix)]


def error_html(problems: Sequence[Problem]) -> str:
    """Problems as a short red note to show next to a field (empty when there are none)."""
    if not problems:
        return ""
    lines = []
    for p in problems:
        text = escape(p.message) + (f" <i>({escape(p.hint)})</i>" if p.hint else "")
        lines.append(f"<div style='color:#b00020;font-size:0.9em'>{text}</div>")
    return "".join(lines)


def error_label() -> w.HTML:
    """An empty HTML widget that shows a field's error."""
    return w.HTML(layout=w.Layout(margin="0 0 0 4px"))


def put(mapping: dict[str, Any], key: str, value: Any, order: Iterable[str]) -> None:
    """Set `mapping[key]`, placing a new key where `order` (the schema's field order) puts it.

    Clearing a field removes its key; typing it again must put it back where it was, not at
    the end, so the file keeps the author's layout.
    """
    if key in mapping:
        mapping[key] = value
        return
    order = list(order)
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    items = list(mapping.items())
    at = len(items)
    for i, (k, _) in enumerate(items):
        if rank.get(k, -1) > mine:
            at = i
            break
    items.insert(at, (key, value))
    mapping.clear()
    mapping.update(items)


SHOWN_CHARACTERS = 400
"""How much of a value the conflict panel shows (a whole moment can run to a page)."""


def capability_labels(catalog: Catalog) -> dict[str, str]:
    """Each capability as the Needs box offers it, "Name (Domain)", to its id (with the id when two read alike)."""
    plain = {cid: f"{cap.name} ({catalog.domain_name(cap.domain)})" for cid, cap in catalog.items()}
    twice = {label for label, n in Counter(plain.values()).items() if n > 1}
    return {(f"{label} [{cid}]" if label in twice else label): cid for cid, label in plain.items()}


def resolve_capability(text: str, catalog: Any) -> str | None:
    """The capability a user typed: "Name (Domain)" as the pickers offer it, its id, "id — name" or its name."""
    typed = " ".join(str(text).split())
    if not typed:
        return None
    labelled = {label.casefold(): cid for label, cid in capability_labels(catalog).items()}
    if typed.casefold() in labelled:
        return labelled[typed.casefold()]
    candidate = typed.split(" — ")[0].strip()
    if candidate in catalog:
        return candidate
    lowered = typed.casefold()
    return next((cid for cid in catalog if catalog[cid].name.casefold() == lowered), None)


def unknown_capability(text: str, catalog: Catalog | None = None) -> Problem:
    """The message for a capability not in the catalog; given the catalog, the hint names the closest ones."""
    close = catalog.search(text, limit=3) if catalog is not None else []
    hint = (
        "did you mean " + ", ".join(f"'{cap.name}'" for cap in close) + "?"
        if close
        else "pick one from the list: type part of its name or id"
    )
    return Problem(f"no capability '{' '.join(str(text).split())}' in the catalog", (), hint)


def _shown(value: Any) -> str:
    """A value as a person reads it in the conflict panel."""
    if value is MISSING:
        return "(removed)"
    if isinstance(value, dict):
        text = "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    elif isinstance(value, list):
        text = ", ".join(_shown(item) for item in value)
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


class ConflictRow(w.HBox):  # type: ignore[misc]
    """One field changed both here and on disk: both values side by side, and a choice."""

    def __init__(self, session: EngagementSession, conflict: Conflict, label: str):
        self.conflict = conflict
        cell = "width:40%;padding:2px 6px;white-space:pre-wrap;border:1px solid #d7dce3"
        self.text = w.HTML(
            f"<div style='font-weight:bold'>{escape(label)}</div><div style='display:flex;gap:6px'>"
            f"<div style='{cell}'><b>Yours:</b> {escape(_shown(conflict.mine))}</div>"
            f"<div style='{cell}'><b>On disk:</b> {escape(_shown(conflict.theirs))}</div></div>",
            layout=w.Layout(width="70%"),
        )
        self.mine = w.Button(description="Keep mine", tooltip="keep the value typed here")
        self.theirs = w.Button(description="Take theirs", tooltip="take the value now in the file on disk")
        self.mine.on_click(lambda _: session.choose(conflict, "mine"))
        self.theirs.on_click(lambda _: session.choose(conflict, "theirs"))
        super().__init__([self.text, self.mine, self.theirs], layout=w.Layout(margin="2px 0"))


class StatusBar(w.VBox):  # type: ignore[misc]
    """When the file was last saved, what stops a save, and the choices a change on disk needs."""

    def __init__(self, session: EngagementSession):
        self.session = session
        self.label = w.HTML()
        wide = w.Layout(width="auto")
        self.retry_button = w.Button(description="Retry", icon="refresh", tooltip="try the save again", layout=wide)
        self.keep_button = w.Button(
            description="Keep mine for all", icon="save", button_style="warning",
            tooltip="settle every open choice with the values typed here", layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.theirs_button = w.Button(
            description="Take theirs for all", icon="download",
            tooltip="settle every open choice with the file on disk", layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.retry_button.on_click(lambda _: session.retry())
        self.keep_button.on_click(lambda _: session.keep_mine())
        self.theirs_button.on_click(lambda _: self._take_theirs())
        self.conflicts = w.VBox()
        self._shown_conflicts: tuple[Any, ...] = ()
        super().__init__(
            [w.HBox([self.label, self.retry_button, self.keep_button, self.theirs_button]), self.conflicts]
        )
        self.add_class("vk-status")
        session.on_status(self.refresh, owner=self)
        self.refresh()

    def _take_theirs(self) -> None:
        pending = self.session.pending
        if pending is not None:
            for conflict in pending.conflicts:
                self.session.choose(conflict, "theirs")

    def refresh(self) -> None:
        """Show the session's current status."""
        session = self.session
        status = session.status
        trouble = status in ("conflict", "failed", "disk-invalid") or bool(session.field_problems)
        colour = "#9a2a00" if trouble else "#5d6675"
        set_if_changed(self.label, "value", f"<span style='color:{colour}'>{escape(session.status_text())}</span>")
        show(self.retry_button, status == "failed")
        show(self.keep_button, status in ("conflict", "disk-invalid"))
        broken = status == "disk-invalid"
        set_if_changed(self.keep_button, "description", "Overwrite it with mine" if broken else "Keep mine for all")
        set_if_changed(
            self.keep_button,
            "tooltip",
            "replace the file on disk, which does not load, with the version here"
            if broken
            else "settle every open choice with the values typed here",
        )
        show(self.theirs_button, status == "conflict")
        open_conflicts: tuple[Any, ...] = ()
        if session.pending is not None and status == "conflict":
            open_conflicts = tuple(c for c in session.pending.conflicts if c.path not in session.choices)
        if open_conflicts != self._shown_conflicts:
            for row in self.conflicts.children:
                close_tree(row)
            data = session.data
            self.conflicts.children = [ConflictRow(session, c, c.label(data)) for c in open_conflicts]
            self._shown_conflicts = open_conflicts
