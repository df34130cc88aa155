"""nbconvert exporters for roadmap documents: `--to visionkit-html`, `-pdf`, `-pptx` (a deck) and `-xlsx` (tables)."""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import Exporter, TemplateExporter
from traitlets import default

from ._resources import stylesheet, templates_dir


def section_html(payload: dict[str, Any]) -> str:
    """A section's HTML from the JSON its notebook output carries (the template's `vk_section_html`)."""
    from .sections import Section

    return Section.from_payload(payload).html


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

    @default("filters")
    def _filters_default(self) -> dict[str, Any]:
        return {"vk_section_html": section_html}

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """Render the notebook's document sections with the visionkit template."""
        resources = self._init_resources(resources)
        resources["visionkit_css"] = stylesheet()
        return super().from_notebook_node(nb, resources, **kw)


class PDFExporter(Exporter):
    """A roadmap workbook's outputs as an A4 PDF, typeset by Typst from the same sections as the HTML."""

    export_from_notebook = "visionkit PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        """Typeset the notebook's document sections to PDF bytes."""
        from ._typeset import notebook_to_pdf

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return notebook_to_pdf(nb_copy), resources


class PPTXExporter(Exporter):
    """A roadmap workbook's outputs as an editable PowerPoint deck, from the same sections as the HTML and PDF."""

    export_from_notebook = "visionkit PowerPoint"
    output_mimetype = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pptx"

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        """Lay the notebook's document sections out as slides (bytes of a .pptx file)."""
        from ._render_pptx import notebook_to_pptx

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pptx"
        return notebook_to_pptx(nb_copy), resources


class XLSXExporter(Exporter):
    """An executed roadmap workbook's plan as an Excel workbook of its tables, planned again from its parameters."""

    export_from_notebook = "visionkit Excel"
    output_mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".xlsx"

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        """The roadmap, readiness, traceability, waves and assessment tables (bytes of a .xlsx file)."""
        from ._xlsx import notebook_to_xlsx

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".xlsx"
        # A relative engagement path is the notebook's own folder's, where it ran.
        folder = (resources.get("metadata") or {}).get("path") or None
        return notebook_to_xlsx(nb_copy, base=folder), resources
