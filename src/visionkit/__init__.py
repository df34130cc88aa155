"""visionkit: from perfect-day narratives to capability maps and experience-led roadmaps."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Names are loaded on first use so that `import visionkit` and the CLI start fast.
_EXPORTS = {
    "Engagement": "visionkit.model",
    "Scenario": "visionkit.model",
    "EngagementError": "visionkit.errors",
    "Problem": "visionkit.errors",
    "Catalog": "visionkit.catalog",
    "Capability": "visionkit.catalog",
    "default_catalog": "visionkit.catalog",
    "validate_engagement": "visionkit.validation",
    "EngagementFile": "visionkit.engagement_file",
    "ConflictError": "visionkit.engagement_file",
    "load_engagement": "visionkit.engagement_file",
    "plan": "visionkit.planner",
    "Roadmap": "visionkit.roadmap",
    "Uplift": "visionkit.roadmap",
    "workshop": "visionkit.widgets",
    "PerfectDayEditor": "visionkit.widgets",
    "CapabilityMapper": "visionkit.widgets",
    "MaturityAssessor": "visionkit.widgets",
    "RoadmapExplorer": "visionkit.widgets",
}

__all__ = [
    "Capability",
    "CapabilityMapper",
    "Catalog",
    "ConflictError",
    "Engagement",
    "EngagementError",
    "EngagementFile",
    "MaturityAssessor",
    "PerfectDayEditor",
    "Problem",
    "Roadmap",
    "RoadmapExplorer",
    "Scenario",
    "Uplift",
    "__version__",
    "default_catalog",
    "load_engagement",
    "plan",
    "validate_engagement",
    "workshop",
]

if TYPE_CHECKING:
    from .catalog import Capability, Catalog, default_catalog
    from .engagement_file import ConflictError, EngagementFile, load_engagement
    from .errors import EngagementError, Problem
    from .model import Engagement, Scenario
    from .planner import plan
    from .roadmap import Roadmap, Uplift
    from .validation import validate_engagement
    from .widgets import CapabilityMapper, MaturityAssessor, PerfectDayEditor, RoadmapExplorer, workshop


_SUBMODULES = {"widgets", "charts", "document", "batch", "testing", "catalog", "planner", "roadmap", "cli"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"visionkit.{name}")
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'visionkit' has no attribute {name!r}")
