"""Canvas question bank (`--format qti`): a QTI 1.2 zip that Canvas imports as a bank.

Canvas has no multi-part numerical question, so each answer of each variant is one
`numerical_question` item: the variant's question sheet and what is asked, the decimal
to the problem's precision with a tolerance of one unit in its last place (Canvas's
"exact answer with margin", written as QTI's `vargte`/`varlte` range), its points
(`points_possible`), and the worked answer sheet as general feedback. The zip holds
`imsmanifest.xml` and one `<questestinterop><objectbank>` file, as Canvas's own exports
do; entries are written in a fixed order with a fixed date, so the bytes are
deterministic.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from generator.formats.lms import Bank, Item, Part
from generator.formats.moodle import xml_safe
from generator.solvers.marks import shown

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
_DATE = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: no build time in the bytes


def ident(*parts: str) -> str:
    """A stable identifier (QTI idents are XML names): `g` + 32 hex digits of a hash."""
    return "g" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _meta(parent: ET.Element, fields: list[tuple[str, str]]) -> None:
    meta = ET.SubElement(parent, "qtimetadata")
    for label, entry in fields:
        field = ET.SubElement(meta, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def _material(parent: ET.Element, html: str) -> None:
    material = ET.SubElement(parent, "material")
    ET.SubElement(material, "mattext", {"texttype": "text/html"}).text = html


def _condition(parent: ET.Element, part: Part) -> None:
    """Right when equal to the decimal or within its tolerance (both ends included)."""
    value, margin = Decimal(part.decimal), Decimal(part.tolerance)
    either = ET.SubElement(ET.SubElement(parent, "conditionvar"), "or")
    ET.SubElement(either, "varequal", {"respident": "response1"}).text = part.decimal
    within = ET.SubElement(either, "and")
    ET.SubElement(within, "vargte", {"respident": "response1"}).text = str(value - margin)
    ET.SubElement(within, "varlte", {"respident": "response1"}).text = str(value + margin)


def item(bank_id: str, entry: Item, part: Part, many: bool) -> ET.Element:
    title = f"{entry.name} {part.key}" if many else entry.name
    node = ET.Element("item", {"ident": ident(bank_id, title), "title": title})
    _meta(ET.SubElement(node, "itemmetadata"), [
        ("question_type", "numerical_question"), ("points_possible", shown(part.points))])
    presentation = ET.SubElement(node, "presentation")
    _material(presentation, entry.question_html + f"\n<p>\\({part.label} \\approx ?\\)</p>")
    response = ET.SubElement(presentation, "response_str",
                             {"ident": "response1", "rcardinality": "Single"})
    fib = ET.SubElement(response, "render_fib", {"fibtype": "Decimal"})
    ET.SubElement(fib, "response_label", {"ident": "answer1"})
    processing = ET.SubElement(node, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar", {
        "maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    general = ET.SubElement(processing, "respcondition", {"continue": "Yes"})
    ET.SubElement(ET.SubElement(general, "conditionvar"), "other")
    ET.SubElement(general, "displayfeedback",
                  {"feedbacktype": "Response", "linkrefid": "general_fb"})
    right = ET.SubElement(processing, "respcondition", {"continue": "No"})
    _condition(right, part)
    ET.SubElement(right, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
    feedback = ET.SubElement(node, "itemfeedback", {"ident": "general_fb"})
    _material(ET.SubElement(feedback, "flow_mat"), entry.feedback_html)
    return node


def bank_xml(bank: Bank) -> str:
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    objectbank = ET.SubElement(root, "objectbank", {"ident": ident(bank.problem_id, "bank")})
    _meta(objectbank, [("bank_title", bank.title), ("bank_category", bank.category),
                       ("bank_tags", ",".join(bank.tags))])
    for entry in bank.items:
        many = len(entry.parts) > 1
        objectbank.extend(item(bank.problem_id, entry, part, many) for part in entry.parts)
    xml_safe(root)  # issue 20: nothing XML 1.0 forbids
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"


def manifest(bank: Bank, href: str) -> str:
    root = ET.Element("manifest", {"identifier": ident(bank.problem_id, "manifest"),
                                   "xmlns": CP_NS})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    resource = ET.SubElement(resources, "resource", {
        "identifier": ident(bank.problem_id, "resource"), "type": "imsqti_xmlv1p2",
        "href": href})
    ET.SubElement(resource, "file", {"href": href})
    xml_safe(root)  # issue 20: nothing XML 1.0 forbids
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"


def qti_zip(bank: Bank) -> bytes:
    """imsmanifest.xml and <id>/<id>.xml, deflated, in that order, dated 1980-01-01."""
    href = f"{bank.problem_id}/{bank.problem_id}.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("imsmanifest.xml", manifest(bank, href)), (href, bank_xml(bank))):
            info = zipfile.ZipInfo(name, _DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
