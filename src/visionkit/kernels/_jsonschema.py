"""A jsonschema workaround: notebooks validate without compiling an IRI grammar they never use."""

from __future__ import annotations

import sys
from typing import Any


def defer_iri_checks() -> None:
    """Import jsonschema without building rfc3987_syntax's IRI grammar, until an IRI is actually checked.

    jsonschema registers format checkers at import; with rfc3987_syntax installed that compiles a Lark
    grammar, about 0.8 s of every `import nbformat`. Notebook validation never checks IRIs, so the
    checker gets a stand-in that imports the real module on its first call.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    import importlib
    import types

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
        return importlib.import_module("rfc3987_syntax").is_valid_syntax(*args, **kwargs)

    stand_in = types.ModuleType("rfc3987_syntax")
    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    sys.modules["rfc3987_syntax"] = stand_in
    try:
        importlib.import_module("jsonschema")
    except ImportError:
        pass
    finally:
        if sys.modules.get("rfc3987_syntax") is stand_in:
            del sys.modules["rfc3987_syntax"]
