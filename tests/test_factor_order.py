"""Printed factor order (issue 19 loose ends, item 5): a softmax partial off the diagonal
reads −p₁p₂ (lower index first) in the path layout as in backprop, and a number put into a
product between two factors goes to the front, (−1)·a₁(1 − a₁), rather than splitting
a₁(1 − a₁). The lines still read back and verify (the problems build)."""

from __future__ import annotations

import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.algebra.numbers import substitute
from generator.algebra.printing import to_latex
from generator.cli import main
from generator.solvers.problem import prepare

S = sympy.Symbol


def _shown(path: str, lang: str = "en") -> str:
    result = CliRunner().invoke(main, ["show", str(ROOT / path), "--lang", lang])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_softmax_partials_lower_index_first_in_the_path_layout() -> None:
    page = _shown("tests/fixtures/softmax-ce-paths.yaml")
    assert r"\frac{\partial p_{2}}{\partial z_{1}} &= - p_{1} p_{2}" in page
    assert r"\frac{\partial p_{3}}{\partial z_{1}} &= - p_{1} p_{3}" in page
    assert "p_{2} p_{1}" not in page and "p_{3} p_{1}" not in page
    steps = prepare(ROOT / "tests" / "fixtures" / "softmax-ce-paths.yaml").solution.steps()
    assert all(s.check is not None and s.check.status != "failed" for s in steps)


def test_a_number_between_two_factors_goes_first() -> None:
    a1, v1, o = S("a1"), S("v1"), S("o")
    expr = sympy.Mul(a1, v1, 1 - a1, evaluate=False)
    shown = substitute(expr, {v1: sympy.Integer(-1)}, shown=True)
    assert to_latex(shown, {a1: "a_{1}"}) == "(-1) a_{1} (1 - a_{1})"
    # Equal in value to what is checked; numbers at either end stay where they are.
    assert sympy.simplify(shown.doit() - (-a1 * (1 - a1))) == 0
    end = substitute(sympy.Mul(a1, v1, evaluate=False), {v1: sympy.Integer(-1)}, shown=True)
    assert end.args[0] == a1
    lead = substitute(sympy.Mul(2, a1, v1, o, evaluate=False), {v1: sympy.Rational(1, 2)},
                      shown=True)
    assert [str(a) for a in lead.args] == ["2", "1/2", "a1", "o"]


def test_attention_substitution_keeps_a1_1_minus_a1_together() -> None:
    for lang in ("en", "zh-TW"):
        page = _shown("problems/attention-head.yaml", lang)
        # ∂L/∂o as the steps write it, −2(y − o): its −2 leads, (1 − o) ends each term.
        assert "(-2) \\cdot (-1) a_{1} (1 - a_{1}) (1 - o)" in page
        assert "+ 2 \\cdot 0.5 a_{1} a_{2} (1 - o)" in page
        assert "a_{1} \\cdot (-1) (1 - a_{1})" not in page
