"""Pieces every workshop widget uses: the save status bar and field error messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from ..errors import PathPart, Problem
from ..markup import escape
from .session import EngagementSession


class StatusBar(w.HBox):  # type: ignore[misc]
    """When the file was last saved, and the way out of a conflict with the file on disk."""

    def __init__(self, session: EngagementSession):
        self.session = session
        self.label = w.HTML()
        self.reload_button = w.Button(description="Reload from disk", icon="refresh", button_style="warning")
        self.keep_button = w.Button(description="Keep my version", icon="save", button_style="danger")
        self.reload_button.on_click(lambda _: session.reload())
        self.keep_button.on_click(lambda _: session.keep_mine())
        super().__init__([self.label, self.reload_button, self.keep_button])
        self.add_class("vk-status")
        session.on_status(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show the session's current status."""
        conflict = self.session.status == "conflict"
        colour = "#9a2a00" if conflict else "#5d6675"
        self.label.value = f"<span style='color:{colour}'>{escape(self.session.status_text())}</span>"
        display = None if conflict else "none"
        self.reload_button.layout.display = display
        self.keep_button.layout.display = display


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


def set_quietly(widget: Any, value: Any, handler: Any) -> None:
    """Set a widget's value without triggering our own observer (for refreshes from the model)."""
    widget.unobserve(handler, "value")
    try:
        widget.value = value
    finally:
        widget.observe(handler, "value")
