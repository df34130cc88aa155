"""CapabilityPicker: find a capability by typing part of its name, its domain or a keyword.

The new-moment form (Perfect days) and the Add row (Capabilities) both use it. Its widgets are
made once and updated in place at every letter: rebuilding them would move the keyboard focus in
the browser, and the next keystrokes would land elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from ..catalog import Catalog
from ..errors import Problem
from .common import capability_labels, resolve_capability, set_if_changed, set_quietly, show

OFFERS = 8  # capabilities offered at most for what is typed
PLACEHOLDER = "a name, a domain or a keyword"


def chosen_capability(text: str, catalog: Catalog) -> str | None:
    """The capability typed whole ("Name (Domain)", id, "id — name" or name), unless another's starts with it.

    The picker searches at every letter, so a capability is taken as soon as it is typed whole: an id
    or a name that another one's starts with ("returns" for "returns-management") waits to be chosen.
    """
    typed = " ".join(str(text).split())
    folded = typed.casefold()
    by_label = {label.casefold(): cid for label, cid in capability_labels(catalog).items()}
    found = by_label.get(folded) or resolve_capability(typed, catalog)
    if found is None or folded in by_label:
        return found
    others = ((cid, cap.name) for cid, cap in catalog.items() if cid != found)
    return None if any(name.casefold().startswith(folded) for pair in others for name in pair) else found


def no_match(typed: str) -> Problem:
    """The one line shown when nothing in the catalog matches what is typed in a capability picker."""
    return Problem(
        f"no capability matches '{typed}'",
        (),
        f"no capability '{typed}' in the catalog: type part of a name, a domain or a keyword, or an id",
    )


@dataclass(frozen=True)
class Choice:
    """A capability chosen in a picker: its id, and whether an offer was clicked (else it was typed whole)."""

    capability: str
    clicked: bool


class CapabilityPicker(w.VBox):  # type: ignore[misc]
    """A box to type in, a level, and the capabilities matching what is typed, offered as "Name (Domain)" buttons.

    `catalog` returns the current catalog (it changes with the file). The owner is told through
    `on_typed` (the text changed) and `on_chosen` (a capability was typed whole or an offer clicked).
    """

    def __init__(
        self,
        catalog: Callable[[], Catalog],
        *,
        description: str = "Needs",
        width: str = "24em",
        beside: Sequence[w.Widget] = (),
    ):
        self.catalog = catalog
        self._typed_listeners: list[Callable[[str], None]] = []
        self._chosen_listeners: list[Callable[[Choice], None]] = []
        self._was_chosen: str | None = None  # what the text chose before the last change
        self.box = w.Combobox(
            placeholder=PLACEHOLDER,
            ensure_option=False,
            continuous_update=True,  # every letter searches; see chosen_capability for when one is taken
            description=description,
            layout=w.Layout(width=width),
        )
        self.level = w.Dropdown(
            options=[1, 2, 3, 4, 5], value=3, description="level",
            style={"description_width": "initial"}, layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.offers = [w.Button(layout=w.Layout(width="auto")) for _ in range(OFFERS)]
        self.offered: list[str] = []  # the ids the offers shown stand for, in order
        for number, button in enumerate(self.offers):
            show(button, False)
            button.on_click(lambda _, number=number: self.choose(number))
        self.box.observe(self._typed, "value")
        super().__init__(
            [
                w.HBox([self.box, self.level, *beside]),
                w.HBox(self.offers, layout=w.Layout(flex_flow="row wrap", margin="0 0 0 90px")),
            ]
        )
        self.refresh()

    @property
    def text(self) -> str:
        """What the box holds, with its spaces collapsed."""
        return " ".join(str(self.box.value).split())

    def on_typed(self, listener: Callable[[str], None]) -> None:
        """Call `listener(text)` whenever the text changes (typed, or an offer's label put in), after the offers."""
        self._typed_listeners.append(listener)

    def on_chosen(self, listener: Callable[[Choice], None]) -> None:
        """Call `listener(choice)` when an offer is clicked, or the text becomes a capability typed whole.

        Typed on, a capability chosen already ("Returns " after "Returns") is not chosen again.
        """
        self._chosen_listeners.append(listener)

    def chosen(self) -> str | None:
        """The id of the capability chosen or typed whole in the box, else None."""
        return chosen_capability(self.text, self.catalog())

    def refresh(self) -> None:
        """Follow the catalog and the text: the box's options and the offers, updated in place."""
        catalog = self.catalog()
        labels = capability_labels(catalog)
        set_if_changed(self.box, "options", tuple(sorted(labels)))
        typed = self.text
        taken = not typed or chosen_capability(typed, catalog) is not None
        found = [] if taken else catalog.search(typed, limit=len(self.offers))
        self.offered = [cap.id for cap in found]
        label_of = {cid: label for label, cid in labels.items()}
        for number, button in enumerate(self.offers):
            if number < len(self.offered):
                cid = self.offered[number]
                set_if_changed(button, "description", label_of[cid])
                set_if_changed(button, "tooltip", f"add {cid}")
            show(button, number < len(self.offered))

    def choose(self, number: int) -> None:
        """Take the `number`th offer: the box shows its label, and the listeners are told."""
        if number >= len(self.offered):
            return
        capability = self.offered[number]
        set_quietly(self.box, self.offers[number].description, self._typed)
        self._changed(Choice(capability, clicked=True))

    def clear(self) -> None:
        """Empty the box and hide the offers, telling no listener (the owner asks, once the need is added)."""
        set_quietly(self.box, "", self._typed)
        self._was_chosen = None
        self.refresh()

    def _typed(self, change: dict[str, Any]) -> None:
        found = self.chosen()
        self._changed(None if found is None or found == self._was_chosen else Choice(found, clicked=False))

    def _changed(self, choice: Choice | None) -> None:
        self._was_chosen = self.chosen()
        self.refresh()
        text = self.text
        for typed in list(self._typed_listeners):
            typed(text)
        if choice is not None:
            for chosen in list(self._chosen_listeners):
                chosen(choice)
