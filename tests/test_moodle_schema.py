"""Moodle XML and Moodle Cloze against the structure Moodle's importer reads.

tests/data/moodle-quiz.rng is a RELAX NG grammar of the questions solgen writes (category,
numerical, cloze), written from Moodle's importer (question/format/xml/format.php): the
elements each import_* function reads, the text formats trans_format knows, numbers where
it reads numbers. Moodle itself defaults whatever it does not find, so a misspelt element
imports as a silently different question; the grammar makes that an error, and the
mutations below show that it does.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

etree = pytest.importorskip("lxml.etree")

GRAMMAR = ROOT / "tests" / "data" / "moodle-quiz.rng"
SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"
HW = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
EXTRA = "points: {b: 1, w1: 2, w2: 0.5}\ncategory: ML/Week 1\ntags: [sgd, week1]\n"


@pytest.fixture(scope="module")
def grammar() -> Any:
    return etree.RelaxNG(etree.parse(str(GRAMMAR)))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A class of 30 on the SGD problem (points, category, tags) and 3 variants of HW 1-3."""
    folder = tmp_path_factory.mktemp("moodle")
    sgd = folder / SGD.name
    sgd.write_text(SGD.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    for problem in (sgd, HW):
        result = CliRunner().invoke(main, [
            "build", str(problem), "--out", str(folder / "out"), "--variants",
            "30" if problem == sgd else "3", "--seed", "5", "--lang", "en",
            "--format", "moodle", "--format", "cloze"])
        assert result.exit_code == 0, result.output
    return folder / "out" / "en"


def _valid(grammar: Any, tree: Any) -> tuple[bool, str]:
    ok = grammar.validate(tree)
    return ok, str(grammar.error_log.last_error)


@pytest.mark.parametrize("name", ["moodle.xml", "cloze.xml"])
@pytest.mark.parametrize("problem", [SGD.stem, HW.stem])
def test_exports_follow_what_moodles_importer_reads(grammar: Any, built: Path, name: str,
                                                    problem: str) -> None:
    tree = etree.parse(str(built / problem / name))
    ok, error = _valid(grammar, tree)
    assert ok, error
    questions = tree.getroot().findall("question")
    kind = "numerical" if name == "moodle.xml" else "cloze"
    per_variant = 3 if problem == SGD.stem and kind == "numerical" else 1
    variants = 30 if problem == SGD.stem else 3
    assert [q.get("type") for q in questions] == ["category"] + [kind] * variants * per_variant


def _mutated(built: Path, change: str) -> Any:
    tree = etree.parse(str(built / SGD.stem / "moodle.xml"))
    question = tree.getroot().findall("question")[1]
    answer = question.find("answer")
    if change == "misspelt":
        question.find("penalty").tag = "penality"
    elif change == "no tolerance":
        answer.remove(answer.find("tolerance"))
    elif change == "unknown format":
        question.find("questiontext").set("format", "latex")
    elif change == "answer not a number":
        answer.find("text").text = "1/5"
    elif change == "category outside top":
        tree.getroot()[0].find("category/text").text = "ML/Week 1"
    elif change == "no name":
        question.remove(question.find("name"))
    elif change == "second questiontext":
        question.append(copy.deepcopy(question.find("questiontext")))
    return tree


@pytest.mark.parametrize("change", ["misspelt", "no tolerance", "unknown format",
                                    "answer not a number", "category outside top", "no name",
                                    "second questiontext"])
def test_the_grammar_refuses_what_moodle_would_import_wrongly(grammar: Any, built: Path,
                                                              change: str) -> None:
    ok, _ = _valid(grammar, _mutated(built, change))
    assert not ok
