"""Batch builds: one executed workbook, HTML and PDF per client, in parallel, skipping what is up to date.

The command line uses this package's names; its modules hold one job each: the inputs (`_inputs`), the
output folders (`_folders`) and their build stamps (`_stamps`), a client's time budget (`_watchdog`),
the export job (`_export`), the template roles given to `visionkit.kernels` (`_roles`) and the
scheduler (`_scheduler`). On a Dask cluster (`--scheduler`), `_dask` submits one task per client and
writes what comes back; `_worker` is what runs in each worker (it imports `distributed`, the optional
`visionkit[dask]`, so only `_dask` imports it, when a build asks for a cluster).
"""

from ._dask import RESOURCE, DaskBatch, SchedulerError, check_scheduler
from ._export import DEFAULT_FORMATS, EXPORTED, FORMATS, export_job, warm_exporters
from ._folders import BUILT_FILES, assign_slugs, slugify
from ._inputs import CSV_COLUMNS, Client, check_workbook, collect_clients, sweep_clients, workbook_parameters
from ._roles import EXPORT_PRELOAD, KERNEL_PRELOAD, ROLES
from ._scheduler import RAMP_SECONDS, Batch, BuildResult, default_jobs
from ._stamps import STAMP, stamped_owner

__all__ = [
    "BUILT_FILES",
    "CSV_COLUMNS",
    "DEFAULT_FORMATS",
    "EXPORTED",
    "EXPORT_PRELOAD",
    "FORMATS",
    "KERNEL_PRELOAD",
    "RAMP_SECONDS",
    "RESOURCE",
    "ROLES",
    "STAMP",
    "Batch",
    "BuildResult",
    "Client",
    "DaskBatch",
    "SchedulerError",
    "assign_slugs",
    "check_scheduler",
    "check_workbook",
    "collect_clients",
    "default_jobs",
    "export_job",
    "slugify",
    "stamped_owner",
    "sweep_clients",
    "warm_exporters",
    "workbook_parameters",
]
