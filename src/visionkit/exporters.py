"""nbconvert exporters for roadmap documents: `--to visionkit-html` and `--to visionkit-pdf`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from nbconvert.exporters import Exporter, TemplateExporter
from traitlets import default


def templates_dir() -> Path:
    """The folder holding visionkit's nbconvert templates."""
    return Path(str(resources.files("visionkit").joinpath("templates")))


class HTMLExporter(TemplateExporter):
    """A roadmap workbook's outputs as a standalone HTML document: no code, prompts or logs."""

    export_from_notebook = "visionkit HTML"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "visionkit"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(templates_dir())]

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """Render the notebook's document sections with the visionkit template."""
        from .sections import stylesheet

        resources = self._init_resources(resources)
        resources["visionkit_css"] = stylesheet()
        return super().from_notebook_node(nb, resources, **kw)


class PDFExporter(Exporter):
    """A roadmap workbook's outputs as an A4 PDF, typeset by WeasyPrint from the HTML document."""

    export_from_notebook = "visionkit PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        """Render the HTML document, then typeset it to PDF bytes."""
        html, resources = HTMLExporter(config=self.config).from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(html), resources


def html_to_pdf(html: str) -> bytes:
    """Typeset an HTML document to PDF with WeasyPrint (no browser, no TeX)."""
    import logging

    import weasyprint

    # WeasyPrint warns about CSS it ignores (e.g. screen-only grid rules); that is not news for a reader.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = weasyprint.HTML(string=html, base_url=str(templates_dir())).write_pdf()
    assert pdf is not None
    return bytes(pdf)
