"""JourneyView: a perfect day as a horizontal journey, one JSON model drawn in the page, typed messages back.

The page draws `journey` (built by `journey_model` from the file's data) and sends what the user
did as one of the messages below; the Python side checks it, edits the file and sends the new model.
Nothing is changed in the page itself: what it shows is always what the file holds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypedDict

import anywidget
import traitlets

from ..catalog import Catalog
from ..model import time_of_day

NO_CHANNEL = "No channel"
"""The lane of a moment that names no channel."""


class Select(TypedDict):
    """The user clicked a card: edit that moment."""

    type: Literal["select"]
    version: int
    index: int


class Move(TypedDict):
    """The user dropped a card at position `to` (in the day's new order) and in the lane `channel`."""

    type: Literal["move"]
    version: int
    index: int
    to: int
    channel: str | None


class Retime(TypedDict):
    """The user dragged a moment's pin on the ruler to a new time of day (`hh:mm`)."""

    type: Literal["retime"]
    version: int
    index: int
    at: str


Message = Select | Move | Retime
MESSAGE_TYPES = ("select", "move", "retime")


def _needs(needs: dict[str, Any], catalog: Catalog, assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """Each need as a chip: capability name, level, and whether today's maturity already meets it."""
    chips = []
    for cid, level in needs.items():
        name = catalog[cid].name if cid in catalog else str(cid)
        today = assessment.get(cid, 0)
        met = isinstance(today, int) and isinstance(level, int) and today >= level
        chips.append({"id": str(cid), "name": name, "level": level, "met": met})
    return chips


def _is_score(value: Any) -> bool:
    """Whether a feeling's value is a score to draw (True is an int to Python, not a score)."""
    return isinstance(value, int) and not isinstance(value, bool)


def journey_model(
    day: dict[str, Any], catalog: Catalog, assessment: dict[str, Any], *, brand: str, version: int
) -> dict[str, Any]:
    """The JSON the page draws for one perfect day: its lanes (channels in order of first use) and moments."""
    lanes: list[str] = []
    moments = []
    for index, moment in enumerate(day.get("moments") or []):
        channel = str(moment.get("channel") or "").strip()
        if channel not in lanes:
            lanes.append(channel)
        feeling = moment.get("feeling") if isinstance(moment.get("feeling"), dict) else {}
        at = moment.get("at")
        moments.append(
            {
                "index": index,
                "at": None if at is None else str(at),
                "minutes": time_of_day(at if isinstance(at, str) else None),
                "channel": channel or None,
                "lane": lanes.index(channel),
                "story": str(moment.get("story") or ""),
                "wow": str(moment.get("wow") or ""),
                "today": str(moment.get("today") or ""),
                "feeling": {k: v for k in ("today", "perfect") if _is_score(v := feeling.get(k))},
                "needs": _needs(moment.get("needs") or {}, catalog, assessment),
            }
        )
    return {
        "version": version,
        "day": str(day.get("id", "")),
        "title": str(day.get("title") or ""),
        "persona": str(day.get("persona") or ""),
        "brand": brand,
        # Channel "" is the lane of moments without one: a card dropped there loses its channel.
        "lanes": [{"name": channel or NO_CHANNEL, "channel": channel} for channel in lanes],
        "moments": moments,
    }


def parse_message(content: Any) -> Message | None:
    """The message the page sent, checked field by field, or None for anything malformed."""
    if not isinstance(content, dict) or content.get("type") not in MESSAGE_TYPES:
        return None
    ints = ("version", "index", *(("to",) if content["type"] == "move" else ()))
    if any(not isinstance(content.get(k), int) or isinstance(content.get(k), bool) for k in ints):
        return None
    if content["type"] == "select":
        return Select(type="select", version=content["version"], index=content["index"])
    if content["type"] == "move":
        channel = content.get("channel")
        if channel is not None and not isinstance(channel, str):
            return None
        return Move(type="move", version=content["version"], index=content["index"], to=content["to"], channel=channel)
    at = content.get("at")
    if not isinstance(at, str) or time_of_day(at) is None:
        return None
    return Retime(type="retime", version=content["version"], index=content["index"], at=at)


class JourneyView(anywidget.AnyWidget):
    """The day as a journey: lanes by channel, cards to click and drag, a time ruler and both feeling curves."""

    _esm = Path(__file__).with_name("journey.js")
    _css = Path(__file__).with_name("journey.css")
    journey = traitlets.Dict().tag(sync=True)
    """The model drawn (see `journey_model`)."""
    selected = traitlets.Int(-1).tag(sync=True)
    """The index of the moment being edited, marked on its card (-1: none)."""
    note = traitlets.Unicode("").tag(sync=True)
    """One line under the journey: why the last change was not made, or empty."""

    def __init__(self, on_message: Callable[[Message], None], **kwargs: Any):
        super().__init__(**kwargs)
        self._on_message = on_message
        self.on_msg(self._received)

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        message = parse_message(content)
        if message is not None:
            self._on_message(message)
