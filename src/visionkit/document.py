"""A roadmap document: the workbook's parameters, its sections in order, and its HTML and PDF."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._resources import demo_path
from .errors import EngagementError
from .parameters import BY_NAME, DEFAULT_TITLE, PARAMETERS, BadValue
from .sections import Section

if TYPE_CHECKING:
    import os

    from nbformat import NotebookNode

    from .charts import Chart
    from .model import Engagement
    from .roadmap import Roadmap

GANTT_ROWS_PER_PAGE = 40
"""Uplifts per roadmap chart: beyond this a chart would not fit an A4 page at a readable size."""
HEATMAP_ROWS_PER_SLIDE = 12
"""Moments on one slide's traceability heatmap: with its rotated capability names, it stays at full size."""
GANTT_ROWS_PER_SLIDE = 14
"""Uplifts per roadmap chart on a 16:9 slide: with their domains' rows, about 5.4 in tall, shown at full
size beside the slide's text (a 40-row page chart there was scaled to half, its labels to 3.5 pt)."""
_before: set[str] = set()


class ParameterError(ValueError):
    """A workbook parameter that is unknown or of the wrong type."""


def snapshot(namespace: Mapping[str, Any]) -> None:
    """Remember the names that exist before the parameters cell, to spot unknown parameters later."""
    _before.clear()
    _before.update(namespace)


def check_parameters(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The workbook's parameters from its namespace; unknown or ill-typed ones raise `ParameterError`."""
    from pydantic import TypeAdapter, ValidationError

    declared: dict[str, Any] = dict(namespace.get("__annotations__", {}))
    problems = []
    for name in sorted(set(namespace) - _before - set(declared) - {"__annotations__"}):
        value = namespace[name]
        if name.startswith("_") or isinstance(value, types.ModuleType) or callable(value):
            continue
        close = difflib.get_close_matches(name, list(declared), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(f"unknown parameter '{name}'{hint}; this workbook takes: {', '.join(declared)}")
    values: dict[str, Any] = {}
    for name, annotation in declared.items():
        if name not in namespace:
            continue
        try:
            values[name] = TypeAdapter(annotation).validate_python(namespace[name], strict=True)
        except ValidationError:
            problems.append(
                f"parameter '{name}' must be {getattr(annotation, '__name__', None) or annotation}, "
                f"got {namespace[name]!r}"
            )
    if problems:
        raise ParameterError("; ".join(problems))
    return values


def _parse_date(text: str | None) -> _dt.date:
    if text is None:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(BY_NAME["date"].parse(str(text)))
    except BadValue as exc:
        raise ParameterError(f"parameter 'date' must be {exc.expected}, got {text!r}") from None


class RoadmapDocument:
    """The content of one client's roadmap document, section by section."""

    def __init__(
        self,
        engagement: Engagement,
        roadmap: Roadmap,
        *,
        title: str = DEFAULT_TITLE,
        date: _dt.date,
        compared: Mapping[str, Roadmap] | None = None,
    ):
        self.engagement = engagement
        self.roadmap = roadmap
        self.title = title
        self.date = date
        self.compared = dict(compared) if compared is not None else None
        """Plans to compare instead of the engagement's named scenarios (a sweep's points), this one first."""
        self._meta = {"client": engagement.client, "brand": engagement.branding.primary}

    @classmethod
    def from_parameters(
        cls,
        engagement_file: str,
        title: str = DEFAULT_TITLE,
        scenario: str | None = None,
        waves: int | None = None,
        capacity: int | None = None,
        strategy: str | None = None,
        date: str | None = None,
        time_limit: float | None = None,
        sweep: str | None = None,
        **extra: Any,
    ) -> RoadmapDocument:
        """Load, validate and plan an engagement as the workbook's parameters say.

        With `sweep`, every combination of its values is planned (over the other parameters) and
        compared in the Scenarios compared section; the document's own plan is the first combination.
        """
        from .engagement_file import load_engagement
        from .parameters import sweep_axes, sweep_points
        from .planner import plan

        engagement_file = engagement_file or str(demo_path())
        engagement = load_engagement(engagement_file)
        given: dict[str, Any] = {"scenario": scenario, "waves": waves, "capacity": capacity, "strategy": strategy}
        given["time_limit"] = time_limit
        try:
            points = sweep_points(sweep_axes(sweep)) if sweep else [("", {})]
        except BadValue as exc:
            raise ParameterError(f"parameter 'sweep' must be {exc.expected}, got {sweep!r}") from None
        try:
            plans = {name: plan(engagement, **{**given, **point}) for name, point in points}
        except EngagementError as exc:
            raise exc.with_file(engagement_file) from None
        roadmap = next(iter(plans.values()))
        return cls(engagement, roadmap, title=title, date=_parse_date(date), compared=plans if sweep else None)

    def _section(self, section: Section) -> Section:
        return dataclasses.replace(section, meta={**self._meta, **section.meta})

    def cover(self) -> Section:
        """The cover page."""
        from .sections import cover

        return self._section(cover(self.roadmap, self.title, self.date))

    def summary(self) -> Section:
        """The executive summary."""
        from .sections import executive_summary

        return self._section(executive_summary(self.roadmap))

    def perfect_days(self) -> Section:
        """Each perfect day as a storyboard."""
        from .sections import storyboards

        return self._section(storyboards(self.roadmap))

    def burnup(self) -> Section:
        """The experience burn-up chart."""
        from .charts import burnup
        from .sections import chart

        intro = "Moments live at the end of each wave, for each perfect day and in total."
        return self._section(chart("burn-up", "Experience burn-up", burnup(self.roadmap), intro))

    def scenarios(self) -> Section:
        """The engagement's named scenarios compared with this plan's; empty (nothing shown) without any."""
        from .charts import scenarios
        from .comparison import Comparison
        from .model import BASELINE
        from .planner import plan
        from .sections import Section, scenario_comparison

        engagement = self.engagement
        if self.compared is not None:
            comparison = Comparison(engagement, self.compared)
            under = f"each of {len(self.compared)} combinations of settings"
            return self._section(scenario_comparison(comparison, scenarios(comparison), under))
        if not engagement.scenarios:
            return self._section(Section("scenarios", "Scenarios compared", [], in_contents=False))
        # This document's plan first, as planned (its parameters included); the others as the file sets them.
        own = self.roadmap.scenario_name or BASELINE
        others = {name: plan(engagement, scenario=name) for name in engagement.scenario_names() if name != own}
        comparison = Comparison(engagement, {own: self.roadmap, **others})
        return self._section(scenario_comparison(comparison, scenarios(comparison)))

    def heatmap(self) -> Section:
        """The traceability heatmap, moments by capabilities (and cut by perfect days for slides)."""
        from .charts import heatmap
        from .sections import chart

        intro = "The maturity level each moment needs of each capability, before prerequisites."
        section = chart("traceability", "Traceability", heatmap(self.roadmap), intro)
        return self._with_slides(section, split_by_day(self.roadmap, HEATMAP_ROWS_PER_SLIDE), heatmap)

    def maturity(self) -> Section:
        """Today's maturity against the target, by domain."""
        from .charts import maturity
        from .sections import chart

        intro = "Average maturity by domain today and at the target the perfect days need."
        return self._section(chart("maturity", "Maturity by domain", maturity(self.roadmap), intro))

    def gantt(self) -> Section:
        """The roadmap as swimlanes by domain and wave, one chart per page-sized group of domains (and per slide)."""
        from .charts import gantt
        from .sections import chart

        intro = "Every uplift by domain, from the wave it starts to the wave it finishes."
        parts = split_by_domain(self.roadmap, GANTT_ROWS_PER_PAGE)
        figures = [
            gantt(p, part=(n, len(parts), self.roadmap) if len(parts) > 1 else None) for n, p in enumerate(parts, 1)
        ]
        section = chart("roadmap", "Roadmap", figures, intro)
        return self._with_slides(section, split_by_domain(self.roadmap, GANTT_ROWS_PER_SLIDE), gantt)

    def _with_slides(self, section: Section, parts: list[Roadmap], draw: Callable[..., Chart]) -> Section:
        """A chart section that also carries, in its meta, its charts cut to a slide's size: one per part.

        Only a plan cut in more than one part has them (the deck shows those, the HTML and the PDF the
        section's own charts), so a plan that fits one slide is drawn once.
        """
        from .doctree import to_json
        from .sections import chart_block

        if len(parts) > 1:
            slides = [draw(p, part=(n, len(parts), self.roadmap)) for n, p in enumerate(parts, 1)]
            section.meta["slides"] = to_json([chart_block(figure) for figure in slides])
        return self._section(section)

    def uplifts(self) -> Section:
        """Every uplift with its wave, effort and why."""
        from .sections import uplift_list

        return self._section(uplift_list(self.roadmap))

    def appendix(self) -> Section:
        """The rubrics of the capabilities in the plan."""
        from .sections import rubrics

        return self._section(rubrics(self.roadmap))

    def changes(self, previous: str | os.PathLike[str] | Engagement) -> Section:
        """What changed since `previous` (an earlier version of this engagement: its file, or the engagement).

        Not one of `SECTIONS`: a document shows it only when asked, with the version to compare.
        """
        from .changes import compare_roadmaps
        from .engagement_file import load_engagement
        from .model import Engagement
        from .planner import plan
        from .sections import changes

        earlier = previous if isinstance(previous, Engagement) else load_engagement(previous)
        # The earlier version is planned with whatever this plan was given over its file's scenario (the workbook's
        # parameters), so that the section shows what the versions changed, not what the parameters did.
        now, own = self.roadmap.scenario, self.engagement.scenario
        given = {
            name: getattr(now, name)
            for name in ("waves", "capacity", "strategy", "time_limit", "pin", "exclude")
            if getattr(now, name) != getattr(own, name)
        }
        try:
            before = plan(earlier, **given)
        except EngagementError as exc:
            raise (exc if isinstance(previous, Engagement) else exc.with_file(str(previous))) from None
        return self._section(changes(compare_roadmaps(before, self.roadmap)))

    SECTIONS: tuple[str, ...] = (
        "cover",
        "summary",
        "perfect_days",
        "burnup",
        "heatmap",
        "maturity",
        "gantt",
        "uplifts",
        "scenarios",
        "appendix",
    )
    """The sections in document order, each the name of a method above.

    Add yours here, as a method above whose content comes from a function in sections.py. The
    shipped workbook shows each section in a cell of its own (`doc.<method>()`) and never calls
    `sections()`, so add that cell to workbooks/roadmap.ipynb at the same place;
    tests/unit/test_parameters.py checks the workbook's cells against this list. A new kind of
    element needs a node in doctree.py and a branch in _render_html.py and _render_typst.py.
    docs/architecture.md ("A document section") gives every step.
    """

    def sections(self) -> list[Section]:
        """All sections in document order (`SECTIONS`)."""
        return [getattr(self, name)() for name in self.SECTIONS]

    def notebook(self) -> NotebookNode:
        """A notebook holding the sections as outputs, as an executed workbook would."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        for section in self.sections():
            cell = nbformat.v4.new_code_cell(f"doc.{section.id}()")
            data = section._repr_mimebundle_()
            cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
            nb.cells.append(cell)
        return nb

    def html(self) -> str:
        """The document as a standalone HTML page."""
        from .exporters import HTMLExporter

        return HTMLExporter().from_notebook_node(self.notebook())[0]

    def pdf(self) -> bytes:
        """The document as an A4 PDF."""
        from .exporters import PDFExporter

        return PDFExporter().from_notebook_node(self.notebook())[0]


def rehearse() -> None:
    """Build the demo document once and drop it, keeping only what every later document reuses.

    A warm kernel template calls this when the build asks, once the first client's notebook has run:
    each kernel forked afterwards starts with the fonts loaded and the text of the catalog's names,
    domains and periods already measured, instead of paying for that in its own first document
    (about 0.15 s a client). Nothing else stays: warnings are silenced and their filters restored,
    and charts restore matplotlib's settings themselves.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The parameter types as the shipped workbook declares them, so their validators are built.
        check_parameters(
            {"__annotations__": {p.name: p.type for p in PARAMETERS}, **{p.name: p.default for p in PARAMETERS}}
        )
        RoadmapDocument.from_parameters(str(demo_path()), date="2000-01-01").sections()


def split_by_day(roadmap: Roadmap, rows: int) -> list[Roadmap]:
    """The roadmap cut into views of its moments, whole perfect days together, about `rows` moments each at most."""
    import dataclasses

    if len(roadmap.moments) <= rows:
        return [roadmap]
    parts: list[list[Any]] = [[]]
    for day in roadmap.engagement.perfect_days:
        moments = roadmap.moments_of(day.id)
        if parts[-1] and len(parts[-1]) + len(moments) > rows:
            parts.append([])
        # A day longer than a slide goes on over as few more as it needs, shared evenly (14 are 7 and 7).
        chunk = -(-len(moments) // -(-len(moments) // rows)) if moments else rows
        for start in range(0, len(moments), chunk):
            if parts[-1] and start:
                parts.append([])
            parts[-1].extend(moments[start : start + chunk])
    return [dataclasses.replace(roadmap, moments=part) for part in parts if part]


def split_by_domain(roadmap: Roadmap, rows: int) -> list[Roadmap]:
    """The roadmap cut into views of whole domains, each with about `rows` uplifts at most."""
    import dataclasses

    shown = [u for u in roadmap.uplifts if u.status != "excluded"]
    if len(shown) <= rows:
        return [roadmap]
    order = list(roadmap.engagement.capabilities.domains)
    by_domain: dict[str, list[Any]] = {}
    for up in shown:
        by_domain.setdefault(up.domain, []).append(up)
    parts: list[list[Any]] = [[]]
    for domain in sorted(by_domain, key=lambda d: order.index(d) if d in order else len(order)):
        group = by_domain[domain]
        if parts[-1] and len(parts[-1]) + len(group) > rows:
            parts.append([])
        parts[-1].extend(group)
    return [dataclasses.replace(roadmap, uplifts=part) for part in parts]
