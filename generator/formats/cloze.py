"""Moodle Cloze (`--format cloze`): one multi-part question per variant, in Moodle XML.

Each variant (each student with --roster) becomes one `<question type="cloze">`: its
question sheet as HTML, then one embedded NUMERICAL sub-question per answer,
`{2:NUMERICAL:=4.014061:0.000001}`: weight, the decimal to the problem's precision, and a
tolerance of one unit in its last place. The worked answer sheet is the general feedback.
Moodle reads a Cloze weight as a whole number, so points such as 0.5 are scaled by the
same power of ten for every part (the ratios are kept; the quiz sets the question's mark).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from decimal import Decimal

from generator.formats.lms import Bank, Item, Part
from generator.formats.moodle import category_question, document, tags_element, text_element


def weights(points: list[float]) -> list[int]:
    """Whole-number Cloze weights in the ratio of `points` (2, 1 → 2, 1; 1, 2, 0.5 → 2, 4, 1)."""
    scale = 1
    while any(Decimal(repr(p)) * scale % 1 for p in points) and scale < 1000:
        scale *= 10
    scaled = [int(Decimal(repr(p)) * scale) for p in points]
    common = math.gcd(scale, *scaled)  # 0.5, 1 → 5, 10 → 1, 2; whole points stay as they are
    return [w // common for w in scaled]


def subquestion(weight: int, part: Part) -> str:
    """`{w:NUMERICAL:=answer:tolerance}`; a decimal and a tolerance need no escaping."""
    return f"{{{weight}:NUMERICAL:={part.decimal}:{part.tolerance}}}"


def question(item: Item, tags: tuple[str, ...]) -> ET.Element:
    marks = weights([p.points for p in item.parts])
    blanks = "".join(f"<p>\\({part.label} \\approx\\) {subquestion(w, part)}</p>"
                     for part, w in zip(item.parts, marks, strict=True))
    q = ET.Element("question", {"type": "cloze"})
    text_element(q, "name", item.name)
    text_element(q, "questiontext", item.question_html + "\n" + blanks, format="html")
    text_element(q, "generalfeedback", item.feedback_html, format="html")
    ET.SubElement(q, "penalty").text = "0"
    ET.SubElement(q, "hidden").text = "0"
    if tags:
        q.append(tags_element(tags))
    return q


def cloze_xml(bank: Bank) -> str:
    """The whole Moodle XML file: the bank's category, then one question per item."""
    questions = [question(item, bank.tags) for item in bank.items]
    return document([category_question(bank.category), *questions])
