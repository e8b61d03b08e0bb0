"""Exact text of every built-in problem: step trace, Markdown and LaTeX, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROBLEMS, ROOT, SHEETS, check_golden

from generator.formats.text import render
from generator.solvers.problem import prepare
from generator.solvers.sheet import prepare_sheet
from generator.theme.theme import Theme
from generator.view.model import document_view

GOLDEN = ROOT / "tests" / "golden"


def outputs(path: Path) -> dict[str, str]:
    load = prepare_sheet if path in SHEETS else prepare
    problem = load(path, display=f"problems/{path.name}")
    files = {"trace.txt": problem.solution.to_text()}
    theme = Theme()
    for lang in ("en", "zh-TW"):
        model = document_view(problem, theme.voice(lang))
        files[f"{lang}.md"] = render(model, "md", theme)
        files[f"{lang}.tex"] = render(model, "tex", theme)
    return files


@pytest.mark.parametrize("path", PROBLEMS + SHEETS, ids=[p.stem for p in PROBLEMS + SHEETS])
def test_golden(path: Path, update_golden: bool) -> None:
    folder = GOLDEN / path.stem
    made = outputs(path)
    for name, text in made.items():
        check_golden(folder / name, text, update_golden)


def test_every_problem_has_a_golden() -> None:
    assert {p.stem for p in PROBLEMS + SHEETS} <= {d.name for d in GOLDEN.iterdir()}
