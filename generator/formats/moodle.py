"""Moodle XML (`--format moodle`): one numerical question per variant and answer.

Moodle's "Moodle XML format" import: a `category` pseudo-question, then questions of
type="numerical" with name, questiontext (HTML), generalfeedback (the worked solution,
HTML), and an answer with fraction="100" and an absolute tolerance of one unit in the
last decimal place asked for (`precision:`). Math is left for Moodle's MathJax filter as
\\( … \\) and \\[ … \\]. A problem with several answers (an SGD step updates several
parameters) gives one question per answer of each variant.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from generator.solvers.marks import shown
from generator.variants.solution import Answer
from generator.view.document import Document

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"\$(.+?)\$", re.S)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def _text_html(text: str) -> str:
    out = _INLINE.sub(lambda m: rf"\({m.group(1)}\)", html.escape(text, quote=False))
    return _BOLD.sub(r"<strong>\1</strong>", out)


def to_html(model: Document) -> str:
    """The body of a sheet's view model as HTML for Moodle (title and footer left out)."""
    parts: list[str] = []
    for section in model.sections:
        if section.heading:
            level = min(max(section.level, 3), 6)
            parts.append(f"<h{level}>{_text_html(section.heading)}</h{level}>")
        for block in section.blocks:
            if block.text:
                parts.append(f"<p>{_text_html(block.text)}</p>")
            if block.bullets:
                items = "".join(f"<li>{_text_html(b)}</li>" for b in block.bullets)
                parts.append(f"<ul>{items}</ul>")
            if block.math:
                parts.append(rf"<p>\[{html.escape(block.math, quote=False)}\]</p>")
    return "\n".join(parts)


def tolerance(answer: Answer) -> str:
    """One unit in the last decimal place the question asks for: 1e-06 for 6 places."""
    return f"1e-{answer.digits:02d}" if answer.digits else "1"


def text_element(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    """`<tag …><text>text</text></tag>`, Moodle XML's shape for every text field."""
    node = ET.SubElement(parent, tag, attrs)
    ET.SubElement(node, "text").text = text
    return node


def tags_element(tags: tuple[str, ...]) -> ET.Element:
    node = ET.Element("tags")
    for tag in tags:
        text_element(node, "tag", tag)
    return node


def question(name: str, question_html: str, feedback_html: str, answer: Answer,
             points: float = 1.0, tags: tuple[str, ...] = ()) -> ET.Element:
    q = ET.Element("question", {"type": "numerical"})
    text_element(q, "name", name)
    text_element(q, "questiontext", question_html, format="html")
    text_element(q, "generalfeedback", feedback_html, format="html")
    ET.SubElement(q, "defaultgrade").text = shown(points)
    ET.SubElement(q, "penalty").text = "0"
    ET.SubElement(q, "hidden").text = "0"
    a = text_element(q, "answer", answer.decimal, fraction="100", format="moodle_auto_format")
    ET.SubElement(a, "tolerance").text = tolerance(answer)
    text_element(a, "feedback", "", format="html")
    ET.SubElement(q, "unitgradingtype").text = "0"
    ET.SubElement(q, "unitpenalty").text = "0"
    ET.SubElement(q, "showunits").text = "3"
    ET.SubElement(q, "unitsleft").text = "0"
    if tags:
        q.append(tags_element(tags))
    return q


# Characters XML 1.0 does not allow in a document, escaped or not (its `Char` production):
# ElementTree writes them as they are, and the file then does not parse (issue 20).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters an XML 1.0 document cannot hold."""
    return _NOT_XML.sub("", text)


def xml_safe(root: ET.Element) -> None:
    """Drop what XML 1.0 forbids from every text, tail and attribute under `root`."""
    for node in root.iter():
        node.text = xml_text(node.text) if node.text else node.text
        node.tail = xml_text(node.tail) if node.tail else node.tail
        for key, value in node.attrib.items():
            node.attrib[key] = xml_text(value)


def category_question(category: str) -> ET.Element:
    """The pseudo-question that files the questions after it under `category`."""
    cat = ET.Element("question", {"type": "category"})
    text_element(cat, "category", f"$course$/top/{category}")
    return cat


def document(questions: list[ET.Element]) -> str:
    root = ET.Element("quiz")
    root.extend(questions)
    xml_safe(root)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"


def quiz(category: str, questions: list[ET.Element]) -> str:
    return document([category_question(category), *questions])
