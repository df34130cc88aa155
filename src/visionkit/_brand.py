"""The default brand colour, kept apart so the schema, the documents and the widgets share it without pydantic."""

DEFAULT_BRAND = "#1f4e79"
"""Dark blue: the documents' colour when an engagement names none, and the accent of the workshop widgets."""
