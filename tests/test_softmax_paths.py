"""Softmax + cross-entropy with `method: paths`: one notation for the outputs throughout.

The local partials of p_k = softmax_k(z) are written in the names p_k (−p₁p₃, p₃(1 − p₃)),
never softmax_k(z) beside the p_k it defines; the numbers that follow agree with an
independent computation (mpmath at 40 digits, ∂L/∂z₃ = p₃ − y₃ by hand).
"""

from __future__ import annotations

import re

import mpmath
from conftest import ROOT, check_golden

from generator.formats.text import render
from generator.solvers.problem import prepare
from generator.theme.theme import Theme
from generator.view.model import document_view

FIXTURE = ROOT / "tests" / "fixtures" / "softmax-ce-paths.yaml"
GOLDEN = ROOT / "tests" / "golden" / "softmax-ce-paths"


def _outputs() -> dict[str, str]:
    problem = prepare(FIXTURE, display="tests/fixtures/softmax-ce-paths.yaml")
    files = {"trace.txt": problem.solution.to_text()}
    theme = Theme()
    for lang in ("en", "zh-TW"):
        model = document_view(problem, theme.voice(lang))
        files[f"{lang}.md"] = render(model, "md", theme)
    return files


def _truth() -> tuple[mpmath.mpf, mpmath.mpf]:
    """∂L/∂b₃ and ∂L/∂W₁₂ of the fixture's numbers: δ = p − y, ∂L/∂W_rc = δ_r x_c."""
    with mpmath.workdps(40):
        x, y = [1, 2], [0, 0, 1]
        w = [[mpmath.mpf("0.5"), -1], [1, 0], [0, 1]]
        b = [0, 1, -1]
        z = [w[r][0] * x[0] + w[r][1] * x[1] + b[r] for r in range(3)]
        total = sum(mpmath.exp(v) for v in z)
        p = [mpmath.exp(v) / total for v in z]
        return p[2] - y[2], (p[0] - y[0]) * x[1]


def test_softmax_paths_golden(update_golden: bool) -> None:
    for name, text in _outputs().items():
        check_golden(GOLDEN / name, text, update_golden)


def test_one_notation_and_the_numbers_are_right() -> None:
    md = _outputs()["en.md"]
    math = "\n".join(re.findall(r"\$\$\n(.*?)\n\$\$", md, re.DOTALL))
    assert r"\operatorname{softmax}" not in math
    assert r"\frac{\partial p_{1}}{\partial z_{3}} &= - p_{1} p_{3}" in math
    assert r"\frac{\partial p_{3}}{\partial z_{3}} &= p_{3} (1 - p_{3})" in math
    shown = [mpmath.mpf(v) for v in re.findall(r"&\\approx (-?[0-9.]+)", math)[-2:]]
    for got, want in zip(shown, _truth(), strict=True):
        assert abs(got - want) <= mpmath.mpf("5e-7"), (got, want)
