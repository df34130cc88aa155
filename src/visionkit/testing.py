"""Helpers to generate engagements for tests and benchmarks.

`generate_engagement` returns raw engagement data (plain dicts and lists, as parsed from
YAML) that brings its own whole catalog, ready for `validate_engagement`.
"""

from __future__ import annotations

import math
import random
from typing import Any

from .model import Engagement
from .strategies import DEFAULT_STRATEGY

_DOMAIN_IDS = (
    "customer marketing sales service digital-channels data analytics ai integration operations finance security"
)
DOMAINS = tuple(_DOMAIN_IDS.split())
LEVEL_WEIGHTS = (3, 5, 4, 2, 1)  # how often levels 1..5 are required: mostly 2 or 3
CAPACITY_SHARE = 0.75  # the default capacity covers this share of the effort the moments demand


def _level(rng: random.Random) -> int:
    return rng.choices(range(1, 6), LEVEL_WEIGHTS)[0]


def _capability(rng: random.Random, ids: list[str], index: int, size: int, max_pre: int) -> dict[str, Any]:
    cid, layer = ids[index], index // size
    domain = cid.rsplit("-", 1)[0]
    effort = rng.randint(1, 5) if rng.random() < 0.7 else {lvl: rng.randint(1, 5) for lvl in range(1, 6)}
    cap: dict[str, Any] = {
        "id": cid,
        "name": f"{domain.replace('-', ' ').capitalize()} capability {index}",
        "domain": domain,
        "effort_per_level": effort,
    }

    def pick() -> str:
        # Mostly from the two layers below, sometimes from any lower one: chains stay short.
        low = max(0, layer - 2) if rng.random() < 0.85 else 0
        return ids[rng.randrange(low * size, layer * size)]

    if layer > 0:
        requires = {pick(): _level(rng) for _ in range(rng.randint(0, max_pre))}
        if requires:
            cap["requires"] = requires
        if rng.random() < 0.2:
            cap["requires_at"] = {rng.randint(2, 5): {pick(): _level(rng)}}
    return cap


def generate_engagement(
    capabilities: int,
    moments: int,
    *,
    seed: int = 0,
    days: int | None = None,
    waves: int = 8,
    capacity: int | None = None,
    max_prerequisites: int = 3,
    strategy: str = DEFAULT_STRATEGY,
) -> dict[str, Any]:
    """Raw engagement data with a generated catalog, assessment and perfect days; same seed, same data."""
    if capabilities < 1 or moments < 1:
        raise ValueError("an engagement needs at least one capability and one moment")
    rng = random.Random(seed)
    # Capabilities come in a few layers; each requires only capabilities in lower layers (lower indices).
    layers = max(1, min(6, round(math.sqrt(capabilities) / 2)))
    size = math.ceil(capabilities / layers)
    ids = [f"{rng.choice(DOMAINS)}-{i:05d}" for i in range(capabilities)]
    caps = [_capability(rng, ids, i, size, max_prerequisites) for i in range(capabilities)]
    assessment = {cid: rng.randint(0, 3) for cid in ids if rng.random() < 0.5}
    if days is None:
        sizes: list[int] = []
        while sum(sizes) < moments:
            sizes.append(min(rng.randint(5, 12), moments - sum(sizes)))
    else:
        days = max(1, min(days, moments))
        sizes = [moments // days + (1 if d < moments % days else 0) for d in range(days)]
    perfect_days = [
        {
            "id": f"day-{d + 1}",
            "title": f"A perfect day for persona {d + 1}",
            "priority": rng.choices((1, 2, 3), (2, 2, 1))[0],
            "moments": [
                {
                    "story": f"Persona {d + 1} gets through moment {m + 1} of the day without friction.",
                    "needs": {rng.choice(ids): _level(rng) for _ in range(rng.randint(1, 4))},
                    "weight": rng.choice((0.5, 1.0, 1.0, 1.0, 2.0, 3.0)),
                }
                for m in range(n)
            ],
        }
        for d, n in enumerate(sizes)
    ]
    data: dict[str, Any] = {
        "client": f"Generated client {seed}",
        "industry": "synthetic",
        "scenario": {"waves": waves, "capacity": capacity, "strategy": strategy},
        "catalog": {"extends": "none", "capabilities": caps},
        "assessment": assessment,
        "perfect_days": perfect_days,
    }
    if capacity is None:
        data["scenario"]["capacity"] = _default_capacity(data, waves)
    return data


def _default_capacity(data: dict[str, Any], waves: int) -> int:
    """A capacity per wave covering CAPACITY_SHARE of the effort the moments demand above the assessment."""
    # The scenario is left out: the capacity is what it lacks, and its other settings do not count here.
    engagement = Engagement.model_validate({**data, "scenario": {}})
    catalog = engagement.capabilities
    total = sum(
        catalog[cid].effort_between(engagement.assessment.get(cid, 0), level)
        for cid, level in engagement.target_levels().items()
    )
    return max(5, math.ceil(CAPACITY_SHARE * total / waves))


def without_scenarios(text: str) -> str:
    """An engagement file's text without its `scenarios:` block: the baseline alone, for tests that add their own."""
    lines = text.splitlines(keepends=True)
    start = next((n for n, line in enumerate(lines) if line.startswith("scenarios:")), None)
    if start is None:
        return text
    end = next((n for n in range(start + 1, len(lines)) if not lines[n].startswith((" ", "-"))), len(lines))
    return "".join(lines[:start] + lines[end:])
