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
from typing import Any

from generator.variants.solution import Answer

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"\$(.+?)\$", re.S)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def _text_html(text: str) -> str:
    out = _INLINE.sub(lambda m: rf"\({m.group(1)}\)", html.escape(text, quote=False))
    return _BOLD.sub(r"<strong>\1</strong>", out)


def to_html(model: dict[str, Any]) -> str:
    """The body of a sheet's view model as HTML for Moodle (title and footer left out)."""
    parts: list[str] = []
    for section in model["sections"]:
        if section["heading"]:
            level = min(max(int(section["level"]), 3), 6)
            parts.append(f"<h{level}>{_text_html(section['heading'])}</h{level}>")
        for block in section["blocks"]:
            if block["text"]:
                parts.append(f"<p>{_text_html(block['text'])}</p>")
            if block["bullets"]:
                items = "".join(f"<li>{_text_html(b)}</li>" for b in block["bullets"])
                parts.append(f"<ul>{items}</ul>")
            if block["math"]:
                parts.append(rf"<p>\[{html.escape(block['math'], quote=False)}\]</p>")
    return "\n".join(parts)


def tolerance(answer: Answer) -> str:
    """One unit in the last decimal place the question asks for: 1e-06 for 6 places."""
    return f"1e-{answer.digits:02d}" if answer.digits else "1"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    ET.SubElement(node, "text").text = text
    return node


def question(name: str, question_html: str, feedback_html: str, answer: Answer
             ) -> ET.Element:
    q = ET.Element("question", {"type": "numerical"})
    _text(q, "name", name)
    _text(q, "questiontext", question_html, format="html")
    _text(q, "generalfeedback", feedback_html, format="html")
    ET.SubElement(q, "defaultgrade").text = "1"
    ET.SubElement(q, "penalty").text = "0"
    ET.SubElement(q, "hidden").text = "0"
    a = _text(q, "answer", answer.decimal, fraction="100", format="moodle_auto_format")
    ET.SubElement(a, "tolerance").text = tolerance(answer)
    _text(a, "feedback", "", format="html")
    ET.SubElement(q, "unitgradingtype").text = "0"
    ET.SubElement(q, "unitpenalty").text = "0"
    ET.SubElement(q, "showunits").text = "3"
    ET.SubElement(q, "unitsleft").text = "0"
    return q


def quiz(category: str, questions: list[ET.Element]) -> str:
    root = ET.Element("quiz")
    cat = ET.SubElement(root, "question", {"type": "category"})
    _text(cat, "category", f"$course$/top/{category}")
    root.extend(questions)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"
