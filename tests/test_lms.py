"""Moodle Cloze and Canvas QTI 1.2 for a class of 30: parse both and check what each importer
requires, every number against answers.json.

No QTI 1.2 XSD ships in any package we can install (docs/variants.md lists what was
searched), so the QTI side is checked by parsing: the elements and attributes Canvas's
importer reads for a numerical question bank. tests/test_moodle_schema.py validates the
Moodle files against a grammar of what Moodle's importer reads.
The Cloze side applies the sub-question syntax of Moodle's Cloze parser
(`{weight:NUMERICAL:=answer:tolerance}`) to each question text.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"
EXTRA = "points: {b: 1, w1: 2, w2: 0.5}\ncategory: ML/Week 1\ntags: [sgd, week1]\n"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
NUMBER = r"-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?"
# Any embedded sub-question, then the NUMERICAL form with one right answer and a tolerance.
ANY_SUB = re.compile(r"\{[0-9]*:[A-Z_]+:")
NUMERICAL = re.compile(rf"\{{([0-9]*):(?:NUMERICAL|NM):=({NUMBER}):({NUMBER})\}}")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lms")
    problem = folder / SGD.name
    problem.write_text(SGD.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    roster = folder / "class.csv"
    roster.write_text("id,name\n" + "".join(f"B11{n:05d},學生{n}\n" for n in range(1, 31)),
                      encoding="utf-8")
    for out in ("a", "b"):
        result = CliRunner().invoke(main, [
            "build", str(problem), "--out", str(folder / out), "--roster", str(roster),
            "--seed", "7", "--lang", "en", "--format", "cloze", "--format", "qti",
            "--format", "json"])
        assert result.exit_code == 0, result.output
    return folder


def _key(built: Path) -> list[dict[str, object]]:
    data = json.loads((built / "a" / SGD.stem / "answers.json").read_text(encoding="utf-8"))
    rows: list[dict[str, object]] = data["variants"]
    return rows


def test_cloze_is_one_multipart_question_per_student(built: Path) -> None:
    root = ET.parse(built / "a" / "en" / SGD.stem / "cloze.xml").getroot()
    assert root.tag == "quiz"
    category, *questions = list(root)
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/top/ML/Week 1"
    rows = _key(built)
    assert len(questions) == len(rows) == 30
    for q, row in zip(questions, rows, strict=True):
        assert q.get("type") == "cloze"
        assert q.findtext("name/text") == f"{SGD.stem} {row['student']}"
        text = q.findtext("questiontext/text") or ""
        assert q.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
        subs = NUMERICAL.findall(text)
        assert len(ANY_SUB.findall(text)) == len(subs) == 3
        answers = row["answers"]
        assert isinstance(answers, dict)
        expected = [(w, answers[k]["decimal"], "0.000001")
                    for w, k in zip(("2", "4", "1"), ("b^(1)", "w1^(1)", "w2^(1)"), strict=True)]
        assert subs == expected  # weights 1 : 2 : 0.5 as whole numbers
        feedback = q.findtext("generalfeedback/text") or ""
        assert "\\approx" in feedback and "SGD" in feedback  # the worked answer sheet
        assert [t.findtext("text") for t in q.findall("tags/tag")] == ["sgd", "week1"]


def _items(built: Path, out: str) -> tuple[zipfile.ZipFile, ET.Element]:
    archive = zipfile.ZipFile(built / out / "en" / SGD.stem / "canvas-qti.zip")
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    resource = manifest.find(f"{CP}resources/{CP}resource")
    assert resource is not None and resource.get("type") == "imsqti_xmlv1p2"
    href = resource.get("href")
    assert href is not None and resource.find(f"{CP}file").get("href") == href  # type: ignore[union-attr]
    assert archive.namelist() == ["imsmanifest.xml", href]
    return archive, ET.fromstring(archive.read(href))


def _field(node: ET.Element, label: str) -> str | None:
    for field in node.iter(f"{QTI}qtimetadatafield"):
        if field.findtext(f"{QTI}fieldlabel") == label:
            return field.findtext(f"{QTI}fieldentry")
    return None


def test_qti_zip_is_a_canvas_bank_of_numerical_questions(built: Path) -> None:
    _, root = _items(built, "a")
    assert root.tag == f"{QTI}questestinterop"
    bank = root.find(f"{QTI}objectbank")
    assert bank is not None and bank.get("ident")
    title = yaml.safe_load(SGD.read_text(encoding="utf-8"))["title"]["en"]
    assert _field(bank, "bank_title") == title
    assert _field(bank, "bank_category") == "ML/Week 1"
    items = bank.findall(f"{QTI}item")
    rows = _key(built)
    assert len(items) == 90  # 30 students × (b, w1, w2)
    assert len({i.get("ident") for i in items}) == 90
    points = {"b^(1)": "1", "w1^(1)": "2", "w2^(1)": "0.5"}
    for n, node in enumerate(items):
        row, key = rows[n // 3], ("b^(1)", "w1^(1)", "w2^(1)")[n % 3]
        assert node.get("title") == f"{SGD.stem} {row['student']} {key}"
        assert _field(node, "question_type") == "numerical_question"
        assert _field(node, "points_possible") == points[key]
        assert "\\(" in (node.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext") or "")
        fib = node.find(f"{QTI}presentation/{QTI}response_str/{QTI}render_fib")
        assert fib is not None and fib.get("fibtype") == "Decimal"
        assert fib.find(f"{QTI}response_label") is not None
        processing = node.find(f"{QTI}resprocessing")
        assert processing is not None
        assert processing.find(f"{QTI}outcomes/{QTI}decvar").get("varname") == "SCORE"  # type: ignore[union-attr]
        right = processing.findall(f"{QTI}respcondition")[-1]
        answers = row["answers"]
        assert isinstance(answers, dict)
        decimal = Decimal(answers[key]["decimal"])
        assert Decimal(right.findtext(f".//{QTI}varequal") or "") == decimal
        assert Decimal(right.findtext(f".//{QTI}vargte") or "") == decimal - Decimal("1e-6")
        assert Decimal(right.findtext(f".//{QTI}varlte") or "") == decimal + Decimal("1e-6")
        assert right.findtext(f"{QTI}setvar") == "100"
        link = processing.find(f".//{QTI}displayfeedback").get("linkrefid")  # type: ignore[union-attr]
        feedback = node.find(f"{QTI}itemfeedback")
        assert feedback is not None and feedback.get("ident") == link
        assert "\\approx" in (feedback.findtext(f".//{QTI}mattext") or "")


def test_exports_are_byte_identical_from_build_to_build(built: Path) -> None:
    for name in ("cloze.xml", "canvas-qti.zip"):
        first = (built / "a" / "en" / SGD.stem / name).read_bytes()
        assert first == (built / "b" / "en" / SGD.stem / name).read_bytes(), name
