"""The roadmap in ArchiMate's Open Exchange Format: one XML file any ArchiMate tool imports.

It is the model of the `archi` target, not a second one: its elements, relations and properties are
read from `archi_tables`, so both exports always hold the same ids, names and relations. Only the
writing differs, following The Open Group's exchange format (the `archimate3_Model.xsd` schema,
namespace `http://www.opengroup.org/xsd/archimate/3.0/`, the one ArchiMate 3.1 and 3.2 files keep):

- an element is `<element identifier xsi:type="Capability">` with its name, documentation and
  properties, in that order; a relationship's `xsi:type` is its name without "Relationship";
- a property refers to a `propertyDefinition`, declared once per key with its data type;
- `organizations` sort the elements and relations into folders, as a tool's model tree shows them.

No view (diagram) is written: the exchange format would need every box's position, and a tool lays
out a view of the imported elements better than a fixed grid would.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._csv import object_id
from .archi import archi_tables

if TYPE_CHECKING:
    from ..roadmap import Roadmap

FILE = "archimate-model.xml"
NAMESPACE = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NAMESPACE} http://www.opengroup.org/xsd/archimate/3.1/archimate3_Model.xsd"
FOLDERS = {
    "Capability": "Capabilities",
    "BusinessProcess": "Perfect days and moments",
    "Plateau": "Waves",
    "WorkPackage": "Uplifts",
}
"""The folder of each element type in `organizations`, in the order the folders are listed."""
ARCHI_ONLY = {"Directed"}
"""Property keys that are Archi's CSV conventions, not facts of the roadmap: left out here."""

# XML 1.0 cannot hold these characters at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def xml_text(value: str) -> str:
    """Text as XML 1.0 can hold it: the control characters it forbids, even escaped, dropped."""
    return _NOT_XML.sub("", value)


def _named(parent: ET.Element, tag: str, attrs: dict[str, str], name: str, doc: str) -> ET.Element:
    """A child with its attributes in order, a `name` (when there is one) and a `documentation`."""
    node = ET.SubElement(parent, tag, attrs)
    if name:
        ET.SubElement(node, "name").text = xml_text(name)
    if doc:
        ET.SubElement(node, "documentation").text = xml_text(doc)
    return node


def data_type(values: Iterable[str]) -> str:
    """The exchange format's data type for a property's values: number, date, or string."""
    values = [v for v in values if v]
    if values and all(_NUMBER.fullmatch(v) for v in values):
        return "number"
    if values and all(_DATE.fullmatch(v) for v in values):
        return "date"
    return "string"


def archimate_xml(roadmap: Roadmap) -> bytes:
    """The roadmap's ArchiMate model as exchange-format XML: UTF-8, indented, the same bytes every run."""
    tables = archi_tables(roadmap)
    elements, relations, properties = (tables[name][1:] for name in ("elements.csv", "relations.csv", "properties.csv"))
    client = roadmap.engagement.client

    # Properties by the object they describe, in the archi target's order; empty values are left out,
    # since an exchange-format property always has a value.
    by_object: dict[str, list[tuple[str, str]]] = {}
    values_of: dict[str, list[str]] = {}
    for owner, key, value in properties:
        if key in ARCHI_ONLY or not value:
            continue
        by_object.setdefault(owner, []).append((key, value))
        values_of.setdefault(key, []).append(value)
    definition = {key: object_id(client, "property", key) for key in values_of}

    def with_properties(node: ET.Element, owner: str) -> None:
        if owner not in by_object:
            return
        holder = ET.SubElement(node, "properties")
        for key, value in by_object[owner]:
            prop = ET.SubElement(holder, "property", {"propertyDefinitionRef": definition[key]})
            ET.SubElement(prop, "value").text = xml_text(value)

    scenario = f", scenario {roadmap.scenario_name}" if roadmap.scenario_name else ""
    model = ET.Element("model", {"identifier": object_id(client, "model")})
    # The namespace is declared by hand and the tags left unqualified: ElementTree's own default-namespace
    # option refuses the schema's unqualified attributes (`identifier`, `source`).
    model.set("xmlns", NAMESPACE)
    model.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    ET.SubElement(model, "name").text = xml_text(client)
    ET.SubElement(model, "documentation").text = xml_text(
        f"The roadmap of {client}{scenario}: its capabilities, uplifts, waves, perfect days and moments."
    )

    holder = ET.SubElement(model, "elements")
    for element_id, type_, name, doc, _ in elements:
        node = _named(holder, "element", {"identifier": element_id, f"{{{XSI}}}type": type_}, name, doc)
        with_properties(node, element_id)
    if relations:
        holder = ET.SubElement(model, "relationships")
        for relation_id, type_, name, doc, source, target, _ in relations:
            attrs = {
                "identifier": relation_id,
                "source": source,
                "target": target,
                f"{{{XSI}}}type": type_.removesuffix("Relationship"),
            }
            node = _named(holder, "relationship", attrs, name, doc)
            with_properties(node, relation_id)

    organizations = ET.SubElement(model, "organizations")
    for type_, label in FOLDERS.items():
        members = [row[0] for row in elements if row[1] == type_]
        if members:
            folder = ET.SubElement(organizations, "item")
            ET.SubElement(folder, "label").text = label
            for member in members:
                ET.SubElement(folder, "item", {"identifierRef": member})
    if relations:
        folder = ET.SubElement(organizations, "item")
        ET.SubElement(folder, "label").text = "Relations"
        for row in relations:
            ET.SubElement(folder, "item", {"identifierRef": row[0]})

    if definition:
        holder = ET.SubElement(model, "propertyDefinitions")
        for key, definition_id in definition.items():
            node = ET.SubElement(
                holder, "propertyDefinition", {"identifier": definition_id, "type": data_type(values_of[key])}
            )
            ET.SubElement(node, "name").text = xml_text(key)

    ET.indent(model, space="  ")
    body = ET.tostring(model, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def archimate_files(roadmap: Roadmap) -> dict[str, bytes]:
    """The one file of the exchange-format export."""
    return {FILE: archimate_xml(roadmap)}
