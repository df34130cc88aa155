"""How a plan was made reaches every edge: the workbook's parameters, the batch build, the HTML and the PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from visionkit.batch import Batch, Client
from visionkit.cli import demo_path, roadmap_workbook
from visionkit.document import RoadmapDocument


@pytest.fixture(scope="module")
def optimal() -> RoadmapDocument:
    return RoadmapDocument.from_parameters(str(demo_path()), strategy="optimal", date="2027-01-04")


def test_the_document_of_an_optimal_plan_says_how_good_it_is(optimal: RoadmapDocument) -> None:
    assert optimal.roadmap.proof is not None
    sentence = optimal.roadmap.proof.sentence()
    assert sentence == "proven optimal"
    assert f"<dt>Strategy</dt><dd>optimal ({sentence})</dd>" in optimal.cover().html
    assert f"optimal ({sentence})" in optimal.html()
    pdf = optimal.pdf()
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or ""
    assert f"optimal ({sentence})" in " ".join(first_page.split())


def test_a_plan_by_a_fixed_order_claims_nothing() -> None:
    doc = RoadmapDocument.from_parameters(str(demo_path()), strategy="foundations", date="2027-01-04")
    assert doc.roadmap.proof is None
    assert "<dt>Strategy</dt><dd>foundations</dd>" in doc.cover().html


def test_the_workbook_takes_the_time_limit_to_the_plan() -> None:
    doc = RoadmapDocument.from_parameters(str(demo_path()), strategy="value", time_limit=2.5, date="2027-01-04")
    assert doc.roadmap.scenario.time_limit == 2.5
    batch = Batch(out=Path("out"), workbook=roadmap_workbook(), overrides={"time_limit": 30.0, "strategy": None})
    client = Client("Northwind", demo_path(), {"time_limit": 2.5})
    assert batch.parameters(client)["time_limit"] == 2.5  # a CSV value beats the command line
    assert batch.parameters(Client("Northwind", demo_path(), {}))["time_limit"] == 30.0
