"""The independent LaTeX reader: notation people write, and every line solgen's printer writes.

Expected values are built with sympy's constructors by hand, never by the reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from conftest import ROOT
from sympy import Derivative, E, Rational, Symbol, exp, tanh

from generator.algebra.functions import leaky_relu, relu, sigmoid, step
from generator.algebra.latex_names import Primed, Vocabulary, is_opaque
from generator.algebra.printing import to_latex
from generator.algebra.reader import ReadError, read
from generator.check.verify import compare
from generator.review.setup import from_problem

x, z, s, n, b, w1, x1 = (Symbol(v) for v in ("x", "z", "s", "n", "b", "w1", "x1"))
y, yhat, w11, a11 = Symbol("y"), Symbol("yhat"), Symbol("w11"), Symbol("a11")


@pytest.mark.parametrize(("text", "expected"), [
    (r"\frac{1}{1+e^{-x}}", 1 / (1 + exp(-x))),
    (r"\dfrac{e^{x/2}}{2}", exp(x / 2) / 2),
    (r"\tfrac{x}{2}", x / 2),
    (r"\frac12", Rational(1, 2)),
    (r"\sigma(z)\big(1-\sigma(z)\big)", sigmoid(z) * (1 - sigmoid(z))),
    (r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right)", sigmoid(z) * (1 - sigmoid(z))),
    (r"\Big[ x + 1 \Big] \cdot 2", 2 * (x + 1)),
    (r"w_1x_1+b", w1 * x1 + b),
    (r"w_{11} \times a_{11}", w11 * a11),
    (r"\hat{y} - y", yhat - y),
    (r"4+5\cdot1+6\cdot2", sympy.Integer(21)),
    (r"-\big(1+e^{-x}\big)^{-2}\cdot(-e^{-x})", exp(-x) / (1 + exp(-x)) ** 2),
    (r"\tanh\!\left(\tfrac{x}{2}\right)", tanh(x / 2)),
    (r"\tanh^2 x", tanh(x) ** 2),
    (r"\sigma'(z)", sigmoid(z) * (1 - sigmoid(z))),
    (r"\operatorname{ReLU}\left(x\right)", relu(x)),
    (r"\mathbb{1}\left[x > 0\right]", step(x)),
    (r"\operatorname{LReLU}_{0.1}\left(x\right)", leaky_relu(x, Rational(1, 10))),
    (r"\boxed{\ 2x\ }", 2 * x),
    (r"0.880797", Rational(880797, 1000000)),
    (r"e", E),
    (r"\frac{2}{n}(\hat{y}-y)\times -1", -2 * (yhat - y) / n),
])
def test_reads(text: str, expected: sympy.Basic) -> None:
    assert sympy.simplify(read(text) - expected) == 0


def test_derivatives_stay_derivatives_of_names() -> None:
    assert read(r"\frac{\partial \mathrm{MSE}}{\partial w_{11}}") == Derivative(
        Symbol("MSE"), w11)
    assert read(r"\frac{d^2s}{dx^2}") == Derivative(s, (x, 2))
    assert read(r"\frac{ds}{dx}") == Derivative(s, x)
    assert read(r"\frac{\partial^2 L}{\partial w \partial b}") == Derivative(
        Symbol("L"), Symbol("w"), b)
    assert read(r"s''(1-2s)") == Primed(s, 2) * (1 - 2 * s)
    assert read(r"(s')^2") == Primed(s, 1) ** 2
    third = read(r"\sigma'''(x)")
    assert sympy.simplify(third - sympy.diff(sigmoid(x), x, 3)) == 0
    assert sympy.simplify(read(r"\sigma^{(3)}(x)") - third) == 0


def test_operator_form_applies_to_the_product_that_follows() -> None:
    value = read(r"\frac{\partial}{\partial \hat{y}}(y - \hat{y}) \cdot 3")
    assert value.doit() == -3
    chain = read(r"\frac{\partial}{\partial (y - \hat{y})}\frac{1}{n}(y - \hat{y})^2")
    assert sympy.simplify(chain.doit() - 2 * (y - yhat) / n) == 0


def test_vectors_matrices_and_transpose() -> None:
    row = read(r"\sigma(z)\,[\,1,\ x_1\,]")
    assert row == sympy.ImmutableMatrix([[sigmoid(z), sigmoid(z) * x1]])
    column = read(r"\begin{bmatrix} 1 \\ x_1 \end{bmatrix}^{T}")
    assert column == sympy.ImmutableMatrix([[1, x1]])
    assert read(r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}").shape == (2, 2)


def test_letters_side_by_side_multiply_unless_the_text_names_them() -> None:
    assert read("ss'") == s * Primed(s, 1)
    assert read("wa") == Symbol("w") * Symbol("a")
    assert read("wa", Vocabulary(words=frozenset({"wa"}))) == Symbol("wa")
    assert read("z00") == Symbol("z00")
    assert read("MSE") == Symbol("MSE")


def test_labels_are_names_the_text_must_define() -> None:
    theta = read(r"\theta^{\text{0}}")
    assert is_opaque(theta) and theta.name == "theta^0"
    assert is_opaque(read(r"\nabla_{\theta} h"))


@pytest.mark.parametrize(("text", "why"), [
    ("sigmod(x)", r"did you mean \sigma"),
    (r"x_1 + \dots + x_n", "elided"),
    ("2^{2^{2^{2^{99}}}}", "too large"),
    ("(" * 200 + "x" + ")" * 200, "nested too deeply"),
    (r"\frac{1}{0}", "division by zero"),
    (r"\sum_{i} x_i", r"\sum"),
    ("x +", "ends too early"),
    ("__import__('os')", "unexpected"),
])
def test_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(ReadError, match=None) as info:
        read(text)
    assert why in str(info.value)


# Every line the printer writes for these problems reads back to the same value.
PRINTED = ["hw1-3-conv-w11", "week1-sgd-step", "week1-sigmoid-derivatives", "mlp-tanh-bce",
           "softmax-ce"]


@pytest.mark.parametrize("name", PRINTED)
def test_every_printed_line_reads_back(name: str) -> None:
    path = ROOT / "problems" / f"{name}.yaml"
    setup = from_problem(Path(path))
    from generator.solvers.problem import prepare

    problem = prepare(path)
    checked = 0
    for section in problem.solution.sections:
        for block in section.blocks:
            for line in block.steps:
                for expr in (line.lhs, line.rhs):
                    if expr is None:
                        continue
                    value = read(to_latex(expr, problem.graph.latex), setup.vocabulary)
                    if _names_only(expr, value):
                        continue  # partials, ∇ and vectors, σ(x) as a label: read, not valued
                    assert compare(value, expr).status != "failed", (line, value)
                    checked += 1
    assert checked > 5


def _names_only(expr: sympy.Basic, value: sympy.Basic) -> bool:
    """Lines whose value needs the graph (∂L/∂w, s' of a node) or the vector notation."""
    notation = any(type(f).__module__.endswith(".notation") for f in expr.atoms(sympy.Function))
    labels = any(not v.name.isidentifier() for v in expr.free_symbols)
    return notation or labels or expr.has(Derivative) or value.has(Primed)


def test_an_operator_before_a_bracket_differentiates_that_bracket_only() -> None:
    # The product rule's line: (x²)′ · sin x, not (x² sin x)′ (issue 19's hang began here).
    assert read(r"\frac{d}{d x}(x^{2}) \sin(x)") == Derivative(x**2, x) * sympy.sin(x)
    assert read(r"\frac{d}{dx}\left(x^{2}\right)\sin(x) + x^{2} \frac{d}{dx}(\sin(x))") == (
        Derivative(x**2, x) * sympy.sin(x) + x**2 * Derivative(sympy.sin(x), x))
    assert read(r"\frac{\partial}{\partial x}(y x^{2}) y") == y * Derivative(y * x**2, x)
    # A power of the bracket goes with it, as in d/dx (3x+1)^{10}.
    assert read(r"\frac{d}{dx}(3x + 1)^{10}") == Derivative((3 * x + 1)**10, x)
    # Without a bracket the operator still takes the product that follows.
    assert read(r"\frac{d}{dx} x^{2} \sin x") == Derivative(x**2 * sympy.sin(x), x)


def test_a_power_of_a_function_value_reads_and_big_ones_are_still_refused() -> None:
    # sympy cannot decide `abs(relu(1)) > 1` exactly; the size guard asked it to and a read
    # of −relu(1)² ended in a TypeError (found by the read-back property test).
    assert read(r"- \operatorname{relu}\left(1\right)^{2}") == -relu(1)**2
    assert read(r"\sigma\left(3\right)^{2}") == sigmoid(3)**2
    assert read(r"\left(\frac{1}{2}\right)^{10}") == Rational(1, 1024)
    for text in (r"3^{500}", r"x^{5000}", r"\operatorname{relu}\left(7\right)^{900}"):
        with pytest.raises(ReadError, match="too large"):
            read(text)
