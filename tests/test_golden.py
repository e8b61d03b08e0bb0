"""Exact text of every built-in problem: step trace and Markdown, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROBLEMS, ROOT

from generator.problem import prepare
from generator.render import render

GOLDEN = ROOT / "tests" / "golden"


def outputs(path: Path) -> dict[str, str]:
    problem = prepare(path, display=f"problems/{path.name}")
    files = {"trace.txt": problem.solution.to_text()}
    for lang in ("en", "zh-TW"):
        files[f"{lang}.md"] = render(problem.view(lang), "md")
    return files


@pytest.mark.parametrize("path", PROBLEMS, ids=[p.stem for p in PROBLEMS])
def test_golden(path: Path, update_golden: bool) -> None:
    folder = GOLDEN / path.stem
    for name, text in outputs(path).items():
        golden = folder / name
        if update_golden:
            folder.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.exists(), f"missing {golden}: run `make golden` and review the diff"
        assert text == golden.read_text(encoding="utf-8"), f"{golden} differs"


def test_every_problem_has_a_golden() -> None:
    assert {p.stem for p in PROBLEMS} <= {d.name for d in GOLDEN.iterdir()}
