"""What every schema object shares: strict parsing, the field types, and a capability as a file writes it.

Below both `model` (an engagement file) and `catalog` (a catalog file and an engagement's overrides),
so that neither needs the other to read its own file.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Annotated[int, Field(ge=1, le=5)]
"""A required maturity level (1-5)."""
Maturity = Annotated[int, Field(ge=0, le=5)]
"""A current maturity level (0-5; 0 means the capability does not exist yet)."""
Effort = Annotated[int, Field(ge=0)]
CapabilityId = Annotated[str, Field(min_length=1, max_length=200)]
NonEmptyText = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Base for schema objects: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _hyphen_synonyms(cls, data: Any) -> Any:
        """Accept `wave-length` for `wave_length` and the like: both spellings appear in the wild."""
        if isinstance(data, dict):
            fields = cls.model_fields
            renamed = {}
            for key, value in data.items():
                alt = key.replace("-", "_") if isinstance(key, str) else key
                renamed[alt if alt in fields and key not in fields else key] = value
            return renamed
        return data


class CapabilitySpec(Strict):
    """A capability as written in a catalog file or an engagement's override (fields optional)."""

    id: CapabilityId
    name: NonEmptyText | None = None
    domain: NonEmptyText | None = None
    description: str | None = None
    rubric: dict[Level, NonEmptyText] | None = None
    requires: dict[CapabilityId, Level] | None = None
    requires_at: dict[Level, dict[CapabilityId, Level]] | None = None
    effort_per_level: Effort | dict[Level, Effort] | None = None
    keywords: list[str] | None = None
