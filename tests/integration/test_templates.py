"""Warm templates: the export template waits for the kernel template, and a closed one never starts."""

from __future__ import annotations

import sys

import pytest

from visionkit.kernels import Template, TemplateError

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forked templates are Linux-only")


def test_a_template_started_after_another_waits_for_it() -> None:
    kernel = Template("kernel").start()
    export = Template("export").start(after=kernel)
    try:
        # The kernel template takes most of a second to import: the export one has not been launched.
        assert not export._started.is_set() and export._proc is None
        kernel.wait_ready()
        export.wait_ready()
        assert export._proc is not None
        child = export.spawn("call", target="visionkit.typeset:fonts", args={}, log="/dev/null")
        assert child.wait(30) == 0
    finally:
        export.close()
        kernel.close()


def test_a_template_closed_before_its_turn_never_starts() -> None:
    kernel = Template("kernel").start()
    export = Template("export").start(after=kernel)
    export.close()
    try:
        kernel.wait_ready()
        assert export._started.wait(30)
        assert export._proc is None
        with pytest.raises(TemplateError, match="was not started"):
            export.wait_ready()
    finally:
        kernel.close()
