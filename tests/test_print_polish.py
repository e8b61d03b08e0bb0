"""Printed-math polish (issue 15, polish2): a product over a sum holding a bracketed number
prints as one fraction, −1·(−k)·… prints as + k …, and σ(0) is stated exactly (= 0.5).
Each printed form is read back by the independent reader and compared with the expression
it stands for, as the build does (view/readback.py)."""

from __future__ import annotations

import json
from pathlib import Path

import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.algebra.numbers import exact_rational, substitute
from generator.algebra.printing import to_latex
from generator.algebra.reader import read
from generator.cli import main
from generator.solvers.problem import prepare

S = sympy.Symbol
s1, s2, s3, a1, a3, o = S("s1"), S("s2"), S("s3"), S("a1"), S("a3"), S("o")


def test_softmax_weight_at_numbers_prints_as_one_fraction() -> None:
    weight = sympy.Mul(sympy.exp(s1), sympy.Pow(sympy.exp(s1) + sympy.exp(s2) + sympy.exp(s3),
                                                -1, evaluate=False), evaluate=False)
    point = {s1: sympy.Integer(1), s2: sympy.Rational(-1, 2), s3: sympy.Integer(2)}
    shown = substitute(weight, point, shown=True, decimals=frozenset({s2}))
    text = to_latex(shown, {}, decimal_data=True)
    assert text == r"\frac{e^{1}}{e^{1} + e^{-0.5} + e^{2}}"
    value = read(text)  # the reader takes 0.5 as a machine float: compare to 1e-12
    exact = sympy.E / (sympy.E + sympy.exp(2) + sympy.exp(sympy.Rational(-1, 2)))
    assert abs(sympy.N(value - exact, 30)) < 1e-12


def test_minus_a_bracketed_negative_prints_as_a_plus() -> None:
    term = sympy.Mul(-1, sympy.UnevaluatedExpr(sympy.Integer(-2)), a1, a3, evaluate=False)
    one = sympy.Mul(-1, sympy.UnevaluatedExpr(sympy.Integer(-1)), a1, a3, evaluate=False)
    expr = sympy.Add(sympy.Mul(2, o, evaluate=False), term, one, evaluate=False)
    text = to_latex(expr, {a1: "a_{1}", a3: "a_{3}"})
    assert text == "2 o + 2 a_{1} a_{3} + a_{1} a_{3}"
    assert "(-" not in text
    assert sympy.expand(read(text) - (2 * o + 3 * a1 * a3)) == 0


def test_attention_head_page_has_the_fraction_and_no_double_sign() -> None:
    result = CliRunner().invoke(main, ["show", str(ROOT / "problems/attention-head.yaml"),
                                       "--lang", "en"])
    assert result.exit_code == 0, result.output
    page = str(result.output)
    assert r"a_{1} &= \frac{e^{1}}{e^{1} + e^{-0.5} + e^{2}}" in page
    assert "- (-" not in page
    steps = prepare(ROOT / "problems" / "attention-head.yaml").solution.steps()
    assert all(s.check is not None and s.check.status != "failed" for s in steps)


def test_exact_rational_of_a_function_value() -> None:
    from generator.algebra.functions import sigmoid
    assert exact_rational(sigmoid(sympy.Integer(0))) == sympy.Rational(1, 2)
    assert exact_rational(sigmoid(sympy.Integer(3))) is None
    assert exact_rational(sympy.Rational(3, 4)) == sympy.Rational(3, 4)
    assert exact_rational(S("x")) is None


def test_sigma_of_zero_is_stated_exactly_in_the_full_solve(tmp_path: Path) -> None:
    # a₃₃ = −0.5 makes z₁₁ = 1·1 + 0·(−1) + (−1)·0 + (−0.5)·2 = 0.
    text = (ROOT / "problems" / "hw1-3-conv-w11-variants.yaml").read_text(encoding="utf-8")
    old = "a: [[1, 0, -1], [2, 1, 0], [0, -1, 1]]"
    assert old in text
    path = tmp_path / "s0.yaml"
    path.write_text(text.replace(old, "a: [[1, 0, -1], [2, 1, 0], [0, -1, -0.5]]"),
                    encoding="utf-8")
    out = tmp_path / "out"
    for fmt in ("md", "json"):
        result = CliRunner().invoke(main, ["build", str(path), "--format", fmt, "--lang", "en",
                                           "--out", str(out)])
        assert result.exit_code == 0, result.output
    page = (out / "en" / "hw1-3-conv-w11-variants.md").read_text(encoding="utf-8")
    assert "o_{11} &= \\sigma(0) \\\\\n&= 0.5 \\\\\n" in page
    assert r"\approx 0.500000" not in page
    key = json.loads((out / "hw1-3-conv-w11-variants.json").read_text(encoding="utf-8"))
    lines = [s for s in json.dumps(key).split("{") if '"latex": "0.5"' in s]
    assert lines and all('"check": "proved"' in s for s in lines)
