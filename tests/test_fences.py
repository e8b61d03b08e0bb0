"""`\\left…\\right` only where a delimiter must grow: σ(z) as the seeds write it (issue 15)."""

from __future__ import annotations

import pytest
import sympy

from generator.algebra.fences import shrink_fences
from generator.algebra.functions import sigmoid
from generator.algebra.printing import to_latex


@pytest.mark.parametrize(("tex", "shown"), [
    (r"\sigma\left(z\right)", r"\sigma(z)"),
    (r"\left(1 - \sigma\left(z \right)\right)", r"(1 - \sigma(z))"),
    (r"\tanh{\left(z \right)}", r"\tanh(z)"),
    (r"\tanh^{2}{\left(z_{1} \right)}", r"\tanh^{2}(z_{1})"),
    (r"\frac{e^{- x}}{\left(1 + e^{- x}\right)^{2}}", r"\frac{e^{- x}}{(1 + e^{- x})^{2}}"),
    (r"\mathbb{1}\left[z > 0\right]", r"\mathbb{1}[z > 0]"),
    # What must grow keeps its fences, and so does every pair around it.
    (r"\left(\frac{1}{2}\right) \sigma\left(z\right)", r"\left(\frac{1}{2}\right) \sigma(z)"),
    (r"\left(1 + \left(\frac{a}{b}\right)\right)", r"\left(1 + \left(\frac{a}{b}\right)\right)"),
    (r"\left[\begin{matrix}1\\2\end{matrix}\right]",
     r"\left[\begin{matrix}1\\2\end{matrix}\right]"),
    # Pairs that are not ( ) or [ ], and arrows that only start with "left", are left alone.
    (r"\left. x \right|_{0}", r"\left. x \right|_{0}"),
    (r"\left\lVert x \right\rVert", r"\left\lVert x \right\rVert"),
    (r"w \leftarrow \left(w\right) \rightarrow v", r"w \leftarrow (w) \rightarrow v"),
    # Braces after a fraction are the fraction's, not a function's.
    (r"\frac{1}{\left(a\right)}", r"\frac{1}{(a)}"),
])
def test_shrink(tex: str, shown: str) -> None:
    assert shrink_fences(tex) == shown


def test_the_printer_writes_sigma_of_z_as_the_seeds() -> None:
    z, y = sympy.symbols("z y")
    loss = (y - sigmoid(z)) ** 2 * sigmoid(z) * (1 - sigmoid(z))
    assert to_latex(loss, {}) == r"(y - \sigma(z))^{2} (1 - \sigma(z)) \sigma(z)"
    # A tall argument keeps its growing fence, but no braces: \tanh\left(…\right) as σ.
    assert to_latex(sympy.Rational(1, 2) * sympy.tanh(z / 2), {}) == (
        r"\frac{\tanh\left(\frac{z}{2}\right)}{2}")
    assert to_latex(sympy.tanh(z / 2) ** 2, {}) == r"\tanh^{2}\left(\frac{z}{2}\right)"


def test_a_number_after_one_over_n_keeps_its_product_sign() -> None:
    # ½·0.1(w₁² + w₂²): without the sign it reads "½ 0.1", digits run together.
    w1, w2, lam = sympy.symbols("w1 w2 lam")
    half = sympy.Pow(2, -1, evaluate=False)
    assert to_latex(sympy.Mul(half, sympy.Rational(1, 10), w1**2 + w2**2, evaluate=False),
                    {}, decimal_data=True) == r"\frac{1}{2} \cdot 0.1 (w_{1}^{2} + w_{2}^{2})"
    assert to_latex(sympy.Mul(half, lam, w1**2 + w2**2, evaluate=False), {lam: r"\lambda"}) \
        == r"\frac{1}{2} \lambda (w_{1}^{2} + w_{2}^{2})"
