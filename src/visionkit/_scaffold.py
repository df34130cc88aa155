"""`visionkit init`: a new engagement folder with a commented engagement file and the workbooks."""

from __future__ import annotations

import json
from pathlib import Path

from ._atomic import atomic_write_bytes, atomic_write_text
from ._brand import DEFAULT_BRAND
from ._resources import workbook_bytes, workbook_names
from .strategies import DEFAULT_STRATEGY, STRATEGIES

ENGAGEMENT_TEMPLATE = """\
# One client's engagement. Edit it by hand or with the workshop widgets;
# comments and layout are kept when visionkit saves. Check it with `visionkit validate`.
client: {client}                # the client's name, on every page of the documents
industry: retail                # free text
branding: {{primary: "{brand}"}}  # brand colour of the documents, as #rrggbb

# Planning: waves of a fixed length from a start period, a capacity in effort points per
# wave (or a list, one per wave), and a strategy, one of:
# {strategies}.
scenario: {{start: {start}, waves: 6, wave_length: quarter, capacity: 12, strategy: {strategy}}}

catalog:
  extends: default              # the shipped catalog; `visionkit catalog` lists it
  capabilities: []              # client-specific capabilities or overrides of shipped ones

# Today's maturity per capability, 0 (absent) to 5 (leading practice); unlisted means 0.
assessment:
  customer-360: 1
  consent-management: 2

# Perfect days: the ideal experience of a persona, as moments in order. Each moment says
# what happens, where, what over-delivers (the wow) and the capabilities it needs, 1-5.
perfect_days:
  - id: first-perfect-day
    title: A customer's perfect day
    persona: Who lives this day
    priority: 1                 # 1 is the most important
    moments:
      - at: "08:00"
        channel: mobile app
        story: What happens, told from the customer's side.
        wow: Where it over-delivers.
        needs: {{customer-360: 3, consent-management: 3}}
"""


def init_engagement(
    folder: Path, client: str = "New Client", *, start: str = "2027-Q1", force: bool = False
) -> list[Path]:
    """Create `folder` with engagement.yaml and a copy of the workbooks; never overwrite unless `force`."""
    targets = {
        folder / "engagement.yaml": None,
        **{folder / name: name for name in workbook_names()},
    }
    links = [p for p in targets if p.is_symlink()]
    if links:
        # Even with --force: a link (dangling or not) would have init write somewhere else.
        raise LinkRefused(", ".join(str(p) for p in links))
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(", ".join(str(p) for p in existing))
    folder.mkdir(parents=True, exist_ok=True)
    # JSON strings are valid YAML scalars, so any client name is written safely.
    text = ENGAGEMENT_TEMPLATE.format(
        client=json.dumps(client, ensure_ascii=False),
        brand=DEFAULT_BRAND,
        start=start,
        strategies=f"{', '.join(STRATEGIES[:-1])} or {STRATEGIES[-1]}",
        strategy=DEFAULT_STRATEGY,
    )
    atomic_write_text(folder / "engagement.yaml", text)
    for target, name in targets.items():
        if name is not None:
            atomic_write_bytes(target, workbook_bytes(name))
    return list(targets)


class LinkRefused(OSError):
    """A file `init` would write is a symbolic link: it never writes through one."""
