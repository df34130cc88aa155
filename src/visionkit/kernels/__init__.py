"""Warm kernels for batch builds: every client gets a Jupyter kernel forked from a template process.

A template is a Python process that has imported what a roadmap kernel (or an exporter) needs and has
run nothing else: no client code, no thread, no ZeroMQ context. For each client it forks a child that
becomes a genuine ipykernel kernel (or runs one export) and dies with it, so a client's state cannot
reach the next client and memory does not grow over a batch. Only this package's top level is imported
by the CLI; everything heavy loads in the templates.

It names no other visionkit module: what a template imports, warms and rehearses is a `Role` its caller
gives (the batch build defines its own).
"""

from ._jsonschema import defer_iri_checks
from ._jupyter import Killer, kernel_manager_class, ready_client_class
from ._processes import kernel_environment
from ._serve import INLINE_BACKEND, serve
from ._templates import Child, Role, Template, TemplateError, unforkable

__all__ = [
    "INLINE_BACKEND",
    "Child",
    "Killer",
    "Role",
    "Template",
    "TemplateError",
    "defer_iri_checks",
    "kernel_environment",
    "kernel_manager_class",
    "ready_client_class",
    "serve",
    "unforkable",
]
