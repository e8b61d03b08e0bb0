"""docs/tutorial.md stays true: its files and outputs are what solgen writes and prints.

The tutorial's blocks are marked `<!-- tutorial:NAME -->`; these tests replay its steps
in a temporary folder (Markdown instead of the slower PDF) and compare.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

TUTORIAL = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
PROBLEM = Path("problems/week3-neuron.yaml")


def block(name: str) -> str:
    found = re.search(rf"<!-- tutorial:{name} -->\n```\w+\n(.*?)```", TUTORIAL, re.DOTALL)
    assert found, f"docs/tutorial.md has no block tutorial:{name}"
    return found.group(1)


def output_of(name: str) -> str:
    """A console block without its `$ command` lines and the `exit N` of `echo $?`."""
    return "".join(line for line in block(name).splitlines(keepends=True)
                   if not line.startswith(("$ ", "exit ")))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="solgen", terminal_width=80)
    return result.exit_code, result.output


def replace_lines(text: str, new: str) -> str:
    """Replace as many lines as `new` has, starting at the line that begins like `new`."""
    lines, patch = text.splitlines(keepends=True), new.splitlines(keepends=True)
    first = patch[0].split(":")[0] + ":"
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    return "".join(lines[:start] + patch + lines[start + len(patch):])


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert run("new", "gradient", "week3-neuron") == (0, f"wrote {PROBLEM}\n")
    return tmp_path


def test_starter_edits_and_checks_are_as_shown(course: Path) -> None:
    assert PROBLEM.read_text(encoding="utf-8") == block("starter")
    assert run("check", str(PROBLEM)) == (0, "ok: 1 problem, 11 steps verified\n")

    PROBLEM.write_text(replace_lines(block("starter"), block("edit")), encoding="utf-8")
    assert run("check", str(PROBLEM)) == (1, output_of("wrong"))

    text = replace_lines(PROBLEM.read_text(encoding="utf-8"), block("expect"))
    PROBLEM.write_text(text, encoding="utf-8")
    assert run("check", str(PROBLEM)) == (0, "ok: 1 problem, 11 steps verified\n")

    PROBLEM.write_text(text + block("vary"), encoding="utf-8")
    assert run("check", str(PROBLEM)) == (0, "ok: 1 problem, 17 steps verified\n")


def final_problem() -> None:
    text = replace_lines(replace_lines(block("starter"), block("edit")), block("expect"))
    PROBLEM.write_text(text + block("vary"), encoding="utf-8")


def test_class_build_writes_the_files_of_the_tree(course: Path) -> None:
    final_problem()
    Path("class.csv").write_text(block("roster"), encoding="utf-8")
    code, _ = run("build", "problems", "--roster", "class.csv", "--seed", "2026",
                  "--combined", "--format", "md")
    assert code == 0
    students = [row["id"] for row in csv.DictReader(block("roster").splitlines())]
    for lang in ("en", "zh-TW"):
        folder = Path("output", lang, "week3-neuron")
        assert Path("output", lang, "week3-neuron.md").is_file()
        expected = {f"{s}.{sheet}.md" for s in students for sheet in ("question", "answer")}
        assert {p.name for p in folder.iterdir()} == expected | {"questions.md", "answers.md"}
    assert {p.name for p in Path("output/week3-neuron").iterdir()} == {"answers.csv",
                                                                      "answers.json"}
    key = Path("output/week3-neuron/answers.csv").read_text(encoding="utf-8").splitlines()
    shown = [line for line in TUTORIAL.split("head -3 output/week3-neuron/answers.csv\n")
             [1].split("```")[0].splitlines()]
    assert key[:3] == shown
    question = Path("output/zh-TW/week3-neuron/B1120001.question.md").read_text(encoding="utf-8")
    assert "x_1 = -2" in question and "w_2 = -0.1" in question and "b = -1" in question
    assert "並將其值四捨五入到小數點後第 6 位" in question
    assert question.count("w_1 x_1") == 1  # the model once, not again as a list


def test_stress_prints_what_the_tutorial_shows(course: Path) -> None:
    final_problem()
    code, out = run("stress", str(PROBLEM), "-n", "200", "--seed", "2026")
    assert code == 0
    timing = re.compile(r"  time per variant: .*\n")
    assert timing.sub("", out) == timing.sub("", output_of("stress"))
