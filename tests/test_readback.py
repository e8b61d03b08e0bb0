"""Printed math is verified: each fragment the view writes reads back as what was checked.

The reader (algebra/reader.py) shares no code with the printer (algebra/printing.py);
expected values here are built with sympy's constructors, never by the reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from conftest import tree_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integer, Mul, Pow, Rational, Symbol

from generator.algebra.functions import softmax
from generator.algebra.printing import SolutionPrinter, to_latex
from generator.algebra.reader import read
from generator.algebra.trace import Step
from generator.check.verify import compare
from generator.errors import StepCheckError
from generator.solvers.problem import prepare
from generator.theme.theme import Theme
from generator.view import model
from generator.view.readback import ReadBack

x, y, z, p1, y1 = (Symbol(v) for v in ("x", "y", "z", "p1", "y1"))
z1, z2, z3 = Symbol("z1"), Symbol("z2"), Symbol("z3")

SOFTMAX_B3 = """\
id: sm3
title: {zh-TW: softmax b3, en: softmax b3}
kind: gradient
inputs:
  x: {shape: [2]}
  y: {shape: [3]}
params:
  W: {shape: [3, 2]}
  b: {shape: [3]}
layers:
  - dense: {in: x, weights: W, bias: b, out: z}
  - activation: {fn: softmax, in: z, out: p}
  - loss: {kind: ce, target: y, pred: p, out: L}
loss: L
wrt: [b3]
display: {method: paths}  # the path sum is where the bracket was lost; auto derives p − y
"""


def _unevaluated(*args: sympy.Basic) -> sympy.Basic:
    return Mul(*args, evaluate=False)


def test_a_negated_fraction_times_a_negated_product_keeps_its_bracket() -> None:
    # The softmax + CE ∂L/∂b₃ term (−y₁/p₁)·(−p₁p₃)·1 once printed as −y₁/p₁ − p₁p₃·1.
    s1, s3 = softmax(Integer(0), z1, z2, z3), softmax(Integer(2), z1, z2, z3)
    term = _unevaluated(-y1 / p1, _unevaluated(Integer(-1), s1, s3), Integer(1))
    text = to_latex(term, {})
    assert r"(- \operatorname{softmax}_{1}" in text  # plain brackets (issue 15), kept
    rb = ReadBack({})
    rb.fragment(Step("t", term), text, term)
    assert rb.mismatches == []


def test_the_softmax_b3_sheet_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "sm3.yaml"
    path.write_text(SOFTMAX_B3)
    problem = prepare(path)
    made = model.problem_view(problem, Theme().voice("en"))
    math = "\n".join(b.math for s in made.sections for b in s.blocks)
    # One notation for the outputs (issue 14): ∂p₁/∂z₃ = −p₁p₃, not −softmax₁ softmax₃.
    assert r"- \frac{y_{1}}{p_{1}} (- p_{1} p_{3}) \cdot 1" in math
    assert r"\operatorname{softmax}" not in math


def test_a_misprinted_line_stops_the_problem_at_its_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sm3.yaml"
    path.write_text(SOFTMAX_B3)
    problem = prepare(path)
    # The old printer: a factor after another printed bare, so its minus reads as a difference.
    monkeypatch.setattr(SolutionPrinter, "_factor",
                        lambda self, e, after=False: self._print_Mul(e) if isinstance(
                            e, sympy.Mul) else str(self.parenthesize(e, 50)))
    with pytest.raises(StepCheckError) as info:
        model.problem_view(problem, Theme().voice("en"))
    message = str(info.value)
    assert f"{path}:" in message and "(substitute_partials)" in message
    assert r"printed: - \frac{y_{1}}{p_{1}} - p_{1} p_{3} \cdot 1" in message
    assert "checked: -y1/p1*(-p1*p3)" in message


def test_a_wrong_fragment_is_a_mismatch_naming_both_forms() -> None:
    rb = ReadBack({})
    expr = _unevaluated(x, Integer(-1) * y)
    rb.fragment(Step("t", expr), "x - y", expr)
    assert len(rb.mismatches) == 1 and "reads back as x - y" in rb.mismatches[0].detail


@pytest.mark.parametrize(("expr", "expected"), [
    (_unevaluated(-x / 3, -y / 5), x * y / 15),
    (_unevaluated(x, sympy.Add(y, -z, evaluate=False)), x * (y - z)),
    (Pow(Integer(-2), Integer(2), evaluate=False), Integer(4)),
    (Pow(-x, Integer(3), evaluate=False), -x**3),
    (_unevaluated(Integer(-1), _unevaluated(Integer(-1), x)), x),
    (_unevaluated(Pow(Integer(3), Integer(-1)), _unevaluated(Integer(-1), y)), -y / 3),
])
def test_precedence_is_kept(expr: sympy.Basic, expected: sympy.Basic) -> None:
    assert sympy.simplify(read(to_latex(expr, {})) - expected) == 0


# ---- property: random unevaluated trees print and read back to their value ----

LEAVES = st.one_of(
    st.sampled_from([x, y, z]),
    st.integers(-9, 9).map(Integer),
    st.tuples(st.integers(-9, 9), st.integers(2, 7)).map(lambda t: Rational(t[0], t[1])),
)


def _tree(children: st.SearchStrategy[sympy.Basic]) -> st.SearchStrategy[sympy.Basic]:
    pair = st.lists(children, min_size=2, max_size=3)
    return st.one_of(
        pair.map(lambda a: sympy.Mul(*a, evaluate=False)),
        pair.map(lambda a: sympy.Add(*a, evaluate=False)),
        children.map(lambda a: sympy.Mul(Integer(-1), a, evaluate=False)),
        # Not ^0 or ^1: the reader takes θ^{0}, θ^{1} as labels (nobody writes that power).
        st.tuples(children, st.sampled_from([-2, -1, 2, 3])).map(
            lambda t: sympy.Pow(t[0], Integer(t[1]), evaluate=False)),
        st.tuples(children, children).map(
            lambda t: sympy.Mul(t[0], sympy.Pow(t[1], -1, evaluate=False), evaluate=False)),
    )


TREES = st.recursive(LEAVES, _tree, max_leaves=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_random_unevaluated_trees_read_back(expr: sympy.Basic) -> None:
    value = tree_value(expr)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return  # 1/0 has no value to read back
    text = to_latex(expr, {})
    got = read(text)
    assert compare(got, value).status != "failed", (text, got, value)


def test_a_bracketed_sum_reads_as_its_head_times_its_terms() -> None:
    head, terms = _unevaluated(Integer(-2), y), [x, _unevaluated(Integer(-1), z)]
    value = _unevaluated(head, sympy.Add(*terms, evaluate=False))
    step = Step("t", value, layout="bracket_sum")
    rb = ReadBack({})
    rb.sum_line(step, r"- 2 y\Big[x - z\Big]", "- 2 y", ["x", "- z"])
    assert rb.mismatches == []
    rb.sum_line(step, r"- 2 y\Big[x\Big] - z", "- 2 y", ["x", "- z"])  # bracket closed early
    assert len(rb.mismatches) == 1


def _derivative_sheet_reader() -> ReadBack:
    from generator.solvers.parts.diff_steps import names

    return ReadBack(names([x, y]))


def test_derivative_sheet_lines_read_back_to_the_step_value() -> None:
    from generator.solvers.parts.diff_rules import Ddx, Pdx

    rb = _derivative_sheet_reader()
    product = sympy.Add(Mul(Ddx(x**2, x), sympy.sin(x), evaluate=False),
                        Mul(x**2, Ddx(sympy.sin(x), x), evaluate=False), evaluate=False)
    rb.fragment(Step("d_product", product),
                r"\frac{d}{d x}(x^{2}) \sin(x) + x^{2} \frac{d}{d x}(\sin(x))", product)
    rb.fragment(Step("d_variable", Ddx(x, x)), r"\frac{d x}{d x}", Ddx(x, x))
    partial = Mul(sympy.exp(x * y), Pdx(x * y, x), evaluate=False)
    rb.fragment(Step("d_chain_exp", partial), r"e^{x y} \frac{\partial}{\partial x}(x y)",
                partial)
    rb.fragment(Step("d_constant_multiple", y), "y", y)  # the variable, not the notation y
    assert rb.mismatches == []
    # d/dx of the bracket alone is not d/dx of the whole product: refused.
    whole = Ddx(x**2 * sympy.sin(x), x)
    rb.fragment(Step("d_product", whole), r"\frac{d}{d x}(x^{2}) \sin(x)", whole)
    assert len(rb.mismatches) == 1 and "reads back as" in rb.mismatches[0].detail


def test_partial_names_read_back_as_the_names_they_print() -> None:
    fx, grad = Symbol("f_x"), Symbol("grad_f")
    rb = ReadBack({fx: r"\frac{\partial f}{\partial x}", grad: r"\nabla f", x: "x"})
    rb.fragment(Step("d_result", fx), r"\frac{\partial f}{\partial x}", fx)
    rb.fragment(Step("p_gradient", grad), r"\nabla f", grad)
    assert rb.mismatches == []
    rb.fragment(Step("d_result", fx), r"\frac{\partial f}{\partial y}", fx)
    assert len(rb.mismatches) == 1


def test_a_declared_constant_keeps_its_value_in_the_read_back() -> None:
    """`constants: {n: 1}`: a page line −2(y − x) for −(2/n)(y − x) states the checked value,
    and a wrong line's counterexample never gives n another value (issue 14, item 3)."""
    n = Symbol("n")
    expr = _unevaluated(-2 / n, sympy.Add(y, -x, evaluate=False))
    free = ReadBack({n: "n"})
    free.fragment(Step("t", expr), r"- 2 (y - x)", expr)
    assert len(free.mismatches) == 1 and "n=" in free.mismatches[0].detail  # n left free
    fixed = ReadBack({n: "n"}, {n: Integer(1)})
    fixed.fragment(Step("t", expr), r"- 2 (y - x)", expr)
    assert fixed.mismatches == []
    fixed.fragment(Step("t", expr), r"2 (y - x)", expr)
    [wrong] = fixed.mismatches
    assert wrong.detail.startswith("reads back as ") and "n=" not in wrong.detail
    assert "x=" in wrong.detail and "y=" in wrong.detail
