"""visionkit: from perfect-day narratives to capability maps and experience-led roadmaps."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public API, each name with the module that holds it: add yours here. Names are loaded on first use
# so that `import visionkit` and the CLI start fast.
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
    "compare": "visionkit.comparison",
    "Comparison": "visionkit.comparison",
    "NamedScenario": "visionkit.model",
    "Roadmap": "visionkit.roadmap",
    "Uplift": "visionkit.roadmap",
    "workshop": "visionkit.widgets",
    "PerfectDayEditor": "visionkit.widgets",
    "CapabilityMapper": "visionkit.widgets",
    "MaturityAssessor": "visionkit.widgets",
    "RoadmapExplorer": "visionkit.widgets",
}

__all__ = ["__version__", *sorted(_EXPORTS)]
"""The public names: add one to `_EXPORTS` and, for type checkers, to the imports below (a test compares)."""

if TYPE_CHECKING:
    from .catalog import Capability as Capability
    from .catalog import Catalog as Catalog
    from .catalog import default_catalog as default_catalog
    from .comparison import Comparison as Comparison
    from .comparison import compare as compare
    from .engagement_file import ConflictError as ConflictError
    from .engagement_file import EngagementFile as EngagementFile
    from .engagement_file import load_engagement as load_engagement
    from .errors import EngagementError as EngagementError
    from .errors import Problem as Problem
    from .model import Engagement as Engagement
    from .model import NamedScenario as NamedScenario
    from .model import Scenario as Scenario
    from .planner import plan as plan
    from .roadmap import Roadmap as Roadmap
    from .roadmap import Uplift as Uplift
    from .validation import validate_engagement as validate_engagement
    from .widgets import CapabilityMapper as CapabilityMapper
    from .widgets import MaturityAssessor as MaturityAssessor
    from .widgets import PerfectDayEditor as PerfectDayEditor
    from .widgets import RoadmapExplorer as RoadmapExplorer
    from .widgets import workshop as workshop


_SUBMODULES = {"widgets", "charts", "document", "batch", "testing", "catalog", "planner", "roadmap", "cli"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"visionkit.{name}")
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'visionkit' has no attribute {name!r}")
