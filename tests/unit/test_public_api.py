"""The public API is written once: `_EXPORTS` in visionkit/__init__.py, mirrored for type checkers."""

from __future__ import annotations

import ast
import inspect

import visionkit


def test_the_type_checkers_imports_name_exactly_the_exports() -> None:
    tree = ast.parse(inspect.getsource(visionkit))
    [guard] = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    imported = {
        alias.name: f"visionkit.{node.module}"
        for node in guard.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    assert imported == visionkit._EXPORTS


def test_every_public_name_resolves_from_its_module() -> None:
    assert visionkit.__all__ == ["__version__", *sorted(visionkit._EXPORTS)]
    for name in visionkit._EXPORTS:
        assert getattr(visionkit, name) is not None, name


def test_no_public_name_is_shadowed_by_a_module_of_the_same_name() -> None:
    # Importing visionkit.<name> binds the module to the package's attribute <name>: a function
    # exported under a module's name would then turn into the module once anything imports it.
    import pkgutil

    modules = {info.name for info in pkgutil.iter_modules(visionkit.__path__)}
    assert not modules & set(visionkit._EXPORTS)
