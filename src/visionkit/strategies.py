"""The names of the planner's strategies, kept apart so the command line can list them without pydantic."""

STRATEGIES = ("value", "foundations", "quick-wins")
"""How ready uplifts are ordered: by value per effort, deepest prerequisite first, or quickest to finish a moment."""
