"""Moodle XML: parse the file and check what Moodle's importer requires of each question."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

HW = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"


def moodle(tmp_path: Path, problem: Path, n: int) -> tuple[ET.Element, dict[str, object]]:
    result = CliRunner().invoke(main, ["build", str(problem), "--out", str(tmp_path),
                                       "--variants", str(n), "--seed", "8", "--lang", "en",
                                       "--format", "moodle", "--format", "json"])
    assert result.exit_code == 0, result.output
    root = ET.parse(tmp_path / "en" / problem.stem / "moodle.xml").getroot()
    key = json.loads((tmp_path / problem.stem / "answers.json").read_text(encoding="utf-8"))
    return root, key


def check_question(q: ET.Element) -> ET.Element:
    assert q.get("type") == "numerical"
    assert (q.findtext("name/text") or "").strip()
    text = q.find("questiontext")
    assert text is not None and text.get("format") == "html"
    assert "\\(" in (text.findtext("text") or "")  # math for Moodle's MathJax filter
    feedback = q.find("generalfeedback")
    assert feedback is not None and feedback.get("format") == "html"
    assert "\\approx" in (feedback.findtext("text") or "")  # the worked solution
    answers = q.findall("answer")
    assert len(answers) == 1 and answers[0].get("fraction") == "100"
    tolerance = answers[0].findtext("tolerance")
    assert tolerance is not None and Decimal(tolerance) > 0
    return answers[0]


def test_moodle_xml_has_a_category_and_one_numerical_question_per_variant(
        tmp_path: Path) -> None:
    root, key = moodle(tmp_path, HW, 3)
    assert root.tag == "quiz"
    category, *questions = list(root)
    assert category.get("type") == "category"
    assert category.findtext("category/text") == f"$course$/top/solgen/{HW.stem}"
    assert len(questions) == 3
    rows = key["variants"]  # type: ignore[index]
    for q, row in zip(questions, rows, strict=True):
        answer = check_question(q)
        decimal = row["answers"]["Derivative(MSE, w11)"]["decimal"]
        assert answer.findtext("text") == decimal
        assert q.findtext("name/text") == f"{HW.stem} {row['variant']}"
        # tolerance: one unit in the last decimal place asked for (precision: 6)
        assert len(decimal.split(".")[1]) == 6
        assert Decimal(answer.findtext("tolerance") or "") == Decimal("0.000001")


def test_moodle_gives_one_question_per_answer_when_a_problem_has_several(
        tmp_path: Path) -> None:
    root, _ = moodle(tmp_path, SGD, 2)
    questions = list(root)[1:]
    assert len(questions) == 6  # 2 variants × (b, w1, w2)
    for q in questions:
        check_question(q)
    assert questions[1].findtext("name/text") == f"{SGD.stem} v001 w1^(1)"
