"""The names of the planner's strategies, kept apart so the command line can list them without pydantic."""

from typing import Literal, get_args

Strategy = Literal["experience", "optimal", "value", "foundations", "quick-wins"]
"""How the plan is made: for the most experience (fast, or exact), or ready uplifts in a fixed order."""
STRATEGIES: tuple[str, ...] = get_args(Strategy)

DEFAULT_STRATEGY: Strategy = "experience"
OPTIMAL_SECONDS = 5.0
"""How long `optimal` searches for the best plan unless the scenario's `time_limit` says otherwise."""
