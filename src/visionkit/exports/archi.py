"""The roadmap as Archi's CSV import set: `elements.csv`, `relations.csv` and `properties.csv`.

The format is the one Archi's "Import CSV Data Into Selected Model" reads (Archi's help page
"Exporting and Importing the Model in CSV Format", and its importer `CSVImporter`): the headers
below, one row per element, relation or property, comma-separated, every field quoted, UTF-8.
An element's `Type` is its ArchiMate class name (`Capability`, `WorkPackage`, ...). Ids may hold
only letters, digits, `.`, `_` and `-`. A row whose id the model already has updates that element
(its name, documentation and properties), so ids here are derived from the client and each object's
own key: importing the next version of the plan updates the model rather than duplicating it.

Archi refuses the whole relations file if one relation is not allowed between its two element types,
so every relation is checked against `ALLOWED`, copied from Archi's table (ArchiMate 3.2); a
relation the table does not allow is written as an association named for what it means ("serves").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._csv import Table, csv_bytes, day_text, first_words, object_id

if TYPE_CHECKING:
    from ..roadmap import Roadmap

ELEMENTS_HEADER = ["ID", "Type", "Name", "Documentation", "Specialization"]
RELATIONS_HEADER = ["ID", "Type", "Name", "Documentation", "Source", "Target", "Specialization"]
PROPERTIES_HEADER = ["ID", "Key", "Value"]
FILES = ("elements.csv", "relations.csv", "properties.csv")
"""The names Archi's importer looks for: it finds the other two beside whichever one is chosen."""

LETTERS = {
    "AccessRelationship": "a",
    "CompositionRelationship": "c",
    "FlowRelationship": "f",
    "AggregationRelationship": "g",
    "AssignmentRelationship": "i",
    "InfluenceRelationship": "n",
    "AssociationRelationship": "o",
    "RealizationRelationship": "r",
    "SpecializationRelationship": "s",
    "TriggeringRelationship": "t",
    "ServingRelationship": "v",
}
"""Each relationship type's letter in Archi's `relationships-keys.xml`."""

ALLOWED = {
    ("BusinessProcess", "BusinessProcess"): "cfgostv",
    ("Capability", "BusinessProcess"): "o",
    ("Plateau", "Plateau"): "cfgost",
    ("WorkPackage", "Capability"): "or",
    ("WorkPackage", "Plateau"): "fort",
    ("WorkPackage", "WorkPackage"): "cfgost",
}
"""The relationships allowed from a source to a target type, for the pairs this export relates.

Copied from Archi's `com.archimatetool.model/model/relationships.xml` (ArchiMate 3.2), the table its
CSV importer checks every relation against; a pair not listed here is never related.
"""


def allowed(relation: str, source_type: str, target_type: str) -> bool:
    """Whether ArchiMate allows `relation` from an element of `source_type` to one of `target_type`."""
    return LETTERS[relation] in ALLOWED.get((source_type, target_type), "")


@dataclass
class _Model:
    """The elements, relations and properties being collected, in the order they are written."""

    client: str
    elements: Table = field(default_factory=list)
    relations: Table = field(default_factory=list)
    properties: Table = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)

    def element(self, kind: str, key: str, type_: str, name: str, doc: str, props: dict[str, str]) -> str:
        """Add an element (once) with its properties and return its id."""
        element_id = object_id(self.client, kind, key)
        if element_id not in self.types:
            self.types[element_id] = type_
            self.elements.append([element_id, type_, name, doc, ""])
            self.properties.extend([element_id, k, v] for k, v in props.items())
        return element_id

    def relate(self, relation: str, source: str, target: str, *, name: str = "", doc: str = "") -> None:
        """Add a relation the table allows; one it does not becomes a directed association named `name`."""
        source_type, target_type = self.types[source], self.types[target]
        if not allowed(relation, source_type, target_type):
            relation = "AssociationRelationship"
            if not allowed(relation, source_type, target_type):
                raise ValueError(f"ArchiMate allows no relation from {source_type} to {target_type}")
        relation_id = object_id(self.client, "relation", relation, source, target)
        self.relations.append([relation_id, relation, name, doc, source, target, ""])
        if relation == "AssociationRelationship":
            # Archi's importer reads the key "Directed" as the association's direction: drawn with an arrow.
            self.properties.append([relation_id, "Directed", "true"])


def _levels(roadmap: Roadmap) -> Iterator[tuple[str, int]]:
    """The capabilities in play with their target levels, by domain in the catalog's order, then id."""
    targets = roadmap.engagement.target_levels()
    for up in roadmap.uplifts:  # an uplift's capability is in play; kept even if a future planner widens it
        targets.setdefault(up.capability, up.to_level)
    for cid in roadmap.engagement.capabilities.in_domain_order(targets):
        yield cid, targets[cid]


def archi_tables(roadmap: Roadmap) -> dict[str, Table]:
    """The three CSV files of the roadmap for Archi, as tables: file name to rows, the header first."""
    engagement = roadmap.engagement
    catalog = engagement.capabilities
    model = _Model(engagement.client)

    capability: dict[str, str] = {}
    for cid, target in _levels(roadmap):
        cap = catalog.get(cid)
        domain = catalog.domain_name(cap.domain) if cap else ""
        props = {
            "Capability id": cid,
            "Domain": domain,
            "Maturity today": str(roadmap.current.get(cid, 0)),
            "Target level": str(target),
        }
        name = cap.name if cap else cid
        capability[cid] = model.element("capability", cid, "Capability", name, cap.description if cap else "", props)

    moment: dict[str, str] = {}
    for day in engagement.perfect_days:
        live = roadmap.day_live_wave(day.id)
        props = {"Persona": day.persona or "", "Priority": str(day.priority), "Live in full": roadmap.period(live)}
        day_id = model.element("perfect-day", day.id, "BusinessProcess", day.title, day.persona or "", props)
        previous = ""
        for mp in roadmap.moments_of(day.id):
            name = f"{mp.at} {first_words(mp.story)}" if mp.at else first_words(mp.story)
            props = {
                "Moment": mp.key,
                "Time": mp.at or "",
                "Channel": mp.channel or "",
                "Today": mp.today or "",
                "Live": roadmap.period(mp.live_wave),
            }
            moment[mp.key] = model.element("moment", mp.key, "BusinessProcess", name, mp.story, props)
            model.relate("CompositionRelationship", day_id, moment[mp.key])
            if previous:
                model.relate("TriggeringRelationship", previous, moment[mp.key])
            previous = moment[mp.key]

    plateau: dict[int, str] = {}
    waves = roadmap.wave_rows()
    for row in waves:
        wave, label = row["wave"], row["period"]
        doc = (
            f"{engagement.client} at the end of {roadmap.period(wave, prose=True)}: {row['finished']} uplifts "
            f"finished, {row['moments_live']} of {len(roadmap.moments)} moments live."
        )
        props = {
            "Wave": str(wave),
            "Start date": day_text(roadmap, wave, end=False),
            "End date": day_text(roadmap, wave, end=True),
            "Capacity": str(row["capacity"]),
            "Effort planned": str(row["effort"]),
        }
        plateau[wave] = model.element("plateau", label, "Plateau", label, doc, props)
        if wave > 1:
            model.relate("TriggeringRelationship", plateau[wave - 1], plateau[wave])

    uplift: dict[str, str] = {}
    for up in roadmap.in_delivery_order():
        props = {
            "Uplift": up.id,
            "Effort": str(up.effort),
            "From level": str(up.from_level),
            "To level": str(up.to_level),
            "Start period": roadmap.period(up.start_wave) if up.start_wave else "",
            "End period": roadmap.period(up.end_wave) if up.end_wave else "",
            "Start date": day_text(roadmap, up.start_wave, end=False),
            "End date": day_text(roadmap, up.end_wave, end=True),
            "Status": up.status,
        }
        uplift[up.id] = model.element("uplift", up.id, "WorkPackage", up.label, roadmap.why(up.id), props)
        model.relate("RealizationRelationship", uplift[up.id], capability[up.capability], doc=f"to level {up.to_level}")
        if up.end_wave in plateau:
            model.relate("RealizationRelationship", uplift[up.id], plateau[up.end_wave], doc="finished in this wave")
    for up in roadmap.in_delivery_order():
        for pre in up.prerequisites:
            if pre in uplift:
                model.relate("AssociationRelationship", uplift[pre], uplift[up.id], name="prerequisite of")

    for mp in roadmap.moments:
        for cid in catalog.in_domain_order(mp.needs):
            if cid in capability:
                doc = f"needed at level {mp.needs[cid]}"
                model.relate("ServingRelationship", capability[cid], moment[mp.key], name="serves", doc=doc)

    return {
        "elements.csv": [ELEMENTS_HEADER, *model.elements],
        "relations.csv": [RELATIONS_HEADER, *model.relations],
        "properties.csv": [PROPERTIES_HEADER, *model.properties],
    }


def archi_files(roadmap: Roadmap) -> dict[str, bytes]:
    """The three files' bytes, every field quoted as Archi writes them."""
    return {name: csv_bytes(table, quote_all=True) for name, table in archi_tables(roadmap).items()}
