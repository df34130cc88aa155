"""Why each capability is in play: its target, the moments that need it, the capabilities it is a prerequisite of.

Pure: the workshop's Assessment tab and the workbook's Assessment sheet both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog
from .model import Engagement


@dataclass(frozen=True)
class InPlay:
    """Why a capability is in play: its target, the moments needing it and the capabilities it is a prerequisite of."""

    target: int
    moments: tuple[tuple[str, int], ...]
    """(perfect-day title · time, level) of each moment that needs the capability directly."""
    prerequisite_of: tuple[tuple[str, int], ...]
    """(capability id, level) of each capability in play whose target level requires this one."""

    @property
    def direct(self) -> bool:
        """Whether a moment needs the capability itself (not only as a prerequisite)."""
        return bool(self.moments)


def capabilities_in_play(engagement: Engagement) -> dict[str, InPlay]:
    """Every capability the moments need, directly or as a prerequisite, with its target and why it is needed."""
    catalog = engagement.capabilities
    targets = engagement.target_levels()
    moments: dict[str, list[tuple[str, int]]] = {}
    for day in engagement.perfect_days:
        for index, moment in enumerate(day.moments):
            label = f"{day.title} · {moment.at or f'moment {index + 1}'}"
            for cid, level in moment.needs.items():
                moments.setdefault(cid, []).append((label, level))
    # A capability's prerequisites grow with its level, so those of its target cover every moment's.
    prerequisite_of: dict[str, list[tuple[str, int]]] = {}
    for cid, target in targets.items():
        if cid in catalog:
            for pre, level in catalog[cid].prerequisites(target).items():
                prerequisite_of.setdefault(pre, []).append((cid, level))
    return {
        cid: InPlay(
            target=target,
            moments=tuple(moments.get(cid, ())),
            prerequisite_of=tuple(
                sorted(prerequisite_of.get(cid, ()), key=lambda p: (-p[1], capability_name(catalog, p[0]).casefold()))
            ),
        )
        for cid, target in targets.items()
    }


def capability_name(catalog: Catalog, cid: str) -> str:
    """A capability's name, or its id when the catalog does not know it."""
    return catalog[cid].name if cid in catalog else cid
