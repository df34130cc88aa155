"""The roles of a build's template processes: what each imports, warms and rehearses before it forks.

`visionkit.kernels` names no visionkit module: these are given to its `Template`s. They name modules and
functions as text, since the template process imports them, not this one; a function the build process
can import without loading anything heavy is named from the function itself (`target`), so that moving
it cannot break the name silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._export import export_job, warm_exporters

if TYPE_CHECKING:
    from ..kernels import Role


def target(function: Callable[..., object]) -> str:
    """How a template names `function` to call it: "module:function"."""
    return f"{function.__module__}:{function.__qualname__}"


# What each template imports before it forks anything. The kernel list is what a fresh kernel imports
# while starting up plus what the roadmap workbook imports; matplotlib.pyplot and the inline backend are
# left out on purpose: importing them wires matplotlib into the IPython shell, which must happen in the
# child's own shell, exactly as in a fresh kernel. pandas is left out too: the roadmap workbook does not
# need it, and importing it would hold up the first document by about 0.25 s.
KERNEL_PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "ipykernel.comm",
    # What IPKernelApp.initialize imports in every kernel: a fresh kernel has them before any cell runs.
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "zmq.utils.garbage",
    "faulthandler",
    "jupyter_client.localinterfaces",
    "psutil",
    "sqlite3",
    "numpy",
    "pydantic",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.font_manager",
    "matplotlib.backends.backend_svg",
    "visionkit.document",
    "visionkit.sections",
    "visionkit.charts",
    "visionkit.planner",
    "visionkit.engagement_file",
    "visionkit.cli",
)
EXPORT_PRELOAD = ("nbformat", "visionkit.exporters", "visionkit._typeset", "typst", "visionkit.batch")
# Then one warm-up call (`warm`): the shipped catalog (package data, the same for every client) is parsed once
# instead of in every kernel; exporters load their templates and find the fonts. The `rehearsal` is one
# the coordinator asks for once the first client is under way (`Template.rehearse`): the
# kernel template builds the demo document once, so that later kernels start with fonts loaded and the
# catalog's names measured (about 0.15 s of every kernel's CPU), without holding up the first document.
ROLES: dict[str, Role] = {
    "kernel": {
        "name": "kernel",
        "preload": KERNEL_PRELOAD,
        "warm": "visionkit.catalog:default_catalog",
        "rehearsal": "visionkit.document:rehearse",
    },
    "export": {"name": "export", "preload": EXPORT_PRELOAD, "warm": target(warm_exporters), "rehearsal": ""},
}
EXPORT_JOB = target(export_job)
"""What the build asks an export child to run (`Batch._export`)."""
