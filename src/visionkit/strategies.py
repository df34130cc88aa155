"""The names of the planner's strategies, kept apart so the command line can list them without pydantic."""

from typing import Literal, get_args

Strategy = Literal["experience", "optimal", "value", "foundations", "quick-wins"]
"""How the plan is made: for the most experience (fast, or exact), or ready uplifts in a fixed order.

Add yours here. The schema, the command line's choices, the workshop and `visionkit init` take their
list from this one. Then give it a branch in `planner.plan` (a fixed order: in `_schedule`'s `key`; a
name without one is refused), and describe it where strategies are described by hand: the
`strategy` parameter's detail in parameters.py, docs/planner.md and docs/engagement-file.md.
docs/architecture.md ("A strategy") gives every step.
"""
STRATEGIES: tuple[str, ...] = get_args(Strategy)

DEFAULT_STRATEGY: Strategy = "experience"
OPTIMAL_SECONDS = 5.0
"""How long `optimal` searches for the best plan unless the scenario's `time_limit` says otherwise."""
