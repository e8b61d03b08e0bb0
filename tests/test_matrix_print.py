"""Issue 15, printed math of the matrix and backprop sheets: decimals per matrix, ∇_b L as
the column it is, each dense layer described by its own formula, −2(1 − o) in the
attention head's substituted gradient, and p − y with p's decimals.

Exact printed text is asserted; the numbers in it are checked against routes that share
nothing with the solver: exact `Fraction` matrix arithmetic on the YAML's numbers, and
central differences of the attention head's loss written here in mpmath at 50 digits.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import sympy
import yaml
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main
from generator.solvers.parts.matrix_display import shown_matrix, terminates

PROBLEMS = ROOT / "problems"


def _show(name: str, lang: str = "en") -> str:
    result = CliRunner().invoke(main, ["show", str(PROBLEMS / f"{name}.yaml"), "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output


def _values(name: str) -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load((PROBLEMS / f"{name}.yaml").read_text("utf-8"))[
        "values"]
    return values


def _column(cells: list[str]) -> str:
    return r"\left[\begin{matrix}" + r"\\".join(cells) + r"\end{matrix}\right]"


def _decimal(q: Fraction) -> str:
    """The decimal of a terminating fraction, written independently of the solver."""
    text = f"{float(q):.12f}".rstrip("0").rstrip(".")
    assert Fraction(text) == q
    return text


def test_data_written_as_decimals_and_their_terminating_results_print_as_decimals() -> None:
    page = _show("logistic-bce-batch")
    v = _values("logistic-bce-batch")
    w = [Fraction(str(x)) for x in v["w"]]
    b = Fraction(str(v["b"]))
    z = [sum(Fraction(x) * wj for x, wj in zip(row, w, strict=True)) + b for row in v["X"]]
    assert z == [Fraction(1, 10), Fraction(7, 20), Fraction(17, 20)]
    assert r"\mathbf{w} &= " + _column(["0.5", "-0.25"]) + r" \\" in page
    assert "\nb &= 0.1 \\\\\n" in page
    assert (r"&= \left[\begin{matrix}1 & 2\\0 & -1\\2 & 1\end{matrix}\right] "
            + _column(["0.5", "-0.25"]) + r" + 0.1 " + _column(["1", "1", "1"]) + r" \\"
            ) in page
    assert "&= " + _column([_decimal(x) for x in z]) + r" \\" in page
    assert r"\frac{7}{20}" not in page and r"\frac{1}{10}" not in page


def test_a_matrix_prints_all_its_entries_one_way() -> None:
    # linreg-bias-batch: b = 0.5 (a decimal), λ = 1/10 (a fraction), integer X, y, w.
    page = _show("linreg-bias-batch")
    v = _values("linreg-bias-batch")
    b = Fraction(str(v["b"]))
    z = [sum(Fraction(x) * w for x, w in zip(row, v["w"], strict=True)) + b for row in v["X"]]
    delta = [(zi - yi) / 3 for zi, yi in zip(z, v["y"], strict=True)]
    assert [terminates(sympy.Rational(q.numerator, q.denominator)) for q in delta] == [
        False, True, True]
    # ẑ terminates: decimals; δ = [−7/6, −1/2, 1/2] does not: all fractions, no −0.5.
    assert "&= " + _column([_decimal(x) for x in z]) + "\n" in page
    assert "&= " + _column([r"- \frac{7}{6}", r"- \frac{1}{2}", r"\frac{1}{2}"]) in page
    assert r"- 0.5\\- \frac" not in page and r"\frac{7}{6}\\-0.5" not in page
    # Fractions of the data and the formulas stay exact: λ = 1/10, XᵀX + nλĨ, the 1/n.
    assert r"\left(\frac{1}{10}\right)" in page and r"\frac{53}{10}" in page
    assert r"\left(\frac{1}{3}\right) \left(" + _column(["-0.5", "-0.5", "3.5"]) in page
    assert "0.1 " not in page.split("### Step 3")[-1]


def test_integer_data_keep_exact_fractions() -> None:
    page = _show("linreg-l2-batch")
    assert "&= " + _column([r"- \frac{17}{30}", r"- \frac{113}{30}"]) in page
    assert r"\frac{53}{10} & 0" in page


def test_a_relu_sheet_gives_a_terminating_scalar_result_as_a_decimal() -> None:
    page = _show("mlp-relu-batch")
    assert "&= " + _column([r"0 & 2.75", r"0.5 & 0", r"0.5 & 2"]) + r" \\" in page
    assert "&= " + _column(["-2.25", "1", "-1"]) + "\n" in page
    assert "\n&= -1.75\n" in page  # ∂L/∂b = 𝟏ᵀδ = −7/4, from decimal data


def test_shown_matrix_is_all_or_nothing() -> None:
    mixed = sympy.ImmutableMatrix([[sympy.Rational(-7, 6)], [sympy.Rational(-1, 2)]])
    assert shown_matrix(mixed, True) == mixed
    half = sympy.ImmutableMatrix([[sympy.Rational(1, 2)], [sympy.Integer(2)]])
    shown = shown_matrix(half, True)
    assert [sympy.latex(c) for c in shown] == ["0.5", "2"]
    assert shown_matrix(half, False) == half


def test_the_bias_gradient_is_a_column_with_its_shape() -> None:
    page = _show("mlp-tanh-bce")
    assert ("The bias $b^{(1)}$ gets $\\delta$ itself ($\\partial z_r / \\partial b_r = 1$), "
            "a column like $\\delta$ (shape $2 \\times 1$):\n$$\n\\nabla_{b^{(1)}} L = "
            "\\begin{bmatrix} \\frac{\\partial L}{\\partial z_{1}} \\\\ "
            "\\frac{\\partial L}{\\partial z_{2}} \\end{bmatrix}\n$$") in page
    assert ("with $\\delta$ the column of this layer's $\\partial L / \\partial z$ "
            "(shapes $(2 \\times 1)\\,(1 \\times 2) = 2 \\times 2$):") in page
    # One output's bias: ∂L/∂b⁽²⁾ = ∂L/∂s is already among the parameters' gradients
    # (tests/test_update_working.py), not said again here.
    assert "The bias $b^{(2)}$" not in page
    zh = _show("softmax-ce", "zh-TW")
    assert ("偏差 $b$ 的梯度就是 $\\delta$（$\\partial z_r / \\partial b_r = 1$），和 $\\delta$ "
            "一樣是行向量（形狀 $3 \\times 1$）：") in zh
    assert "\\left[\\," not in zh.split("偏差 $b$ 的梯度")[-1]


def test_each_dense_layer_is_described_by_its_own_formula() -> None:
    page = _show("mlp-tanh-bce")
    assert ("+ $z_{1}, z_{2}$: output of a dense layer, $z = W^{(1)} x + b^{(1)}$ "
            "(one entry per row of $W^{(1)}$)\n") in page
    # One output: the sum it is (a one-row Wx would read as a product of two numbers).
    assert ("+ $s$: output of a dense layer, $s = W^{(2)}_{11} h_{1} + W^{(2)}_{12} h_{2} + "
            "b^{(2)}$ (one entry per row of $W^{(2)}$)\n") in page
    zh = _show("mlp-tanh-bce", "zh-TW")
    assert ("+ $s$：全連接層的輸出 $s = W^{(2)}_{11} h_{1} + W^{(2)}_{12} h_{2} + b^{(2)}$"
            "（$W^{(2)}$ 的每一列對應一個）\n") in zh
    assert "z = Wx + b" not in page + zh


def _attention_loss(wq: Any, v: dict[str, Any]) -> Any:
    """The attention head's loss written here: softmax over q·k_j, o = Σ a_j v_j."""
    x = [mpmath.mpf(Fraction(str(t)).numerator) / Fraction(str(t)).denominator
         for t in v["x"]]
    q = wq * x[2]
    scores = [q * v["wk"] * xj for xj in x]
    total = sum(mpmath.exp(s) for s in scores)
    o = sum(mpmath.exp(s) / total * v["wv"] * xj for s, xj in zip(scores, x, strict=True))
    return (v["y"] - o) ** 2


def test_the_attention_gradient_writes_dl_do_as_the_steps_do() -> None:
    page = _show("attention-head")
    head = r"\frac{\partial L}{\partial w_q} &= 2"
    line = next(t for t in page.splitlines() if t.startswith(head))
    assert r"(-2) \cdot 1" not in line and "2 o)" not in line
    assert line.startswith(r"\frac{\partial L}{\partial w_q} &= 2 (1 ((-2) \cdot (-1) a_{1} "
                           r"(1 - a_{1}) (1 - o) + 2 \cdot 0.5 a_{1} a_{2} (1 - o)")
    assert line.count("(1 - o)") == 9
    v = _values("attention-head")
    with mpmath.workdps(50):
        h = mpmath.mpf(10) ** -20
        wq = mpmath.mpf(Fraction(str(v["wq"])).numerator) / Fraction(str(v["wq"])).denominator
        slope = (_attention_loss(wq + h, v) - _attention_loss(wq - h, v)) / (2 * h)
    after = page[page.index(line):].splitlines()[1]
    assert after == "&\\approx " + mpmath.nstr(slope, 7, min_fixed=-1, max_fixed=2)


def test_p_minus_a_label_and_every_gradient_keep_the_decimals_of_p() -> None:
    page = _show("minibatch-sgd")
    assert ("p_{2}^{(2)} &= \\sigma(-0.58351) \\approx 0.358125 \\\\\n"
            "g_{z,2}^{(2)} &= 0.358125 - 0 \\approx 0.358125 \\\\\n"
            "g_{w_{1},2}^{(2)} &= 0.358125 \\cdot (-1) \\approx -0.358125 \\\\\n") in page
    # Every gradient of the sheet keeps those decimals: g_b = g_z reads the same number.
    assert "g_{b,2}^{(2)} &= g_{z,2}^{(2)} \\approx 0.358125\n" in page
    assert "g_{z,1}^{(1)} &= 0.500000 - 1 = -0.500000 \\\\\n" in page
    with mpmath.workdps(30):
        p = 1 / (1 + mpmath.exp(-mpmath.mpf("-0.58351")))
    assert mpmath.nstr(p, 6) == "0.358125"
