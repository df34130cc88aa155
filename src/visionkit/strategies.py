"""The names of the planner's strategies, kept apart so the command line can list them without pydantic."""

from typing import Literal, get_args

Strategy = Literal["value", "foundations", "quick-wins"]
"""How ready uplifts are ordered: by value per effort, deepest prerequisite first, or quickest to finish a moment."""
STRATEGIES: tuple[str, ...] = get_args(Strategy)
