"""Matrix form, issue 19 loose ends: the normal equation with a bias (augmented X̃ = [X 𝟏],
λ leaving b alone), a scalar bias printed as b and not [b], and a ReLU hidden layer.

Each answer is checked against a route that shares nothing with the solver: θ* against
`mpmath.lu_solve` at 40 digits and the loss written here by hand, differentiated by
`sympy.diff`, exactly 0 at (w*, b*); the ReLU network's gradients against central
differences of the loss written here in mpmath at 50 digits.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
import pytest
import sympy
import yaml
from click.testing import CliRunner
from conftest import ROOT

from generator.algebra.reader import read
from generator.algebra.trace import Block
from generator.cli import main
from generator.solvers.problem import Problem, prepare

PROBLEMS = ROOT / "problems"
S = sympy.Symbol
BIAS = (PROBLEMS / "linreg-bias-batch.yaml").read_text(encoding="utf-8")


def _block(problem: Problem, key: str) -> Block:
    found = [b for s in problem.solution.sections for b in s.blocks if b.key == key]
    assert len(found) == 1, key
    return found[0]


def _q(v: Any) -> sympy.Rational:
    return sympy.Rational(str(Fraction(str(v))))


def _solve(tmp_path: Path, text: str) -> Problem:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return prepare(path)


@pytest.mark.parametrize("variant", ["half_mse+l2", "mse+l2", "half_mse"])
def test_normal_equation_with_a_bias_is_the_lu_solution_and_zeroes_the_gradient(
        tmp_path: Path, variant: str) -> None:
    text = BIAS
    if variant.startswith("mse"):
        text = text.replace("loss: half_mse", "loss: mse")
    if "l2" not in variant:
        text = text.replace(", lambda: lam", "").replace("  lam: 1/10\n", "").replace(
            "hypers:\n  lam: {latex: \"\\\\lambda\"}\n", "")
    problem = _solve(tmp_path, text)
    v = yaml.safe_load(text)["values"]
    lam = _q(v.get("lam", 0))
    c = {"half_mse": sympy.Rational(1, 3), "mse": sympy.Rational(2, 3)}[
        variant.split("+")[0]]
    # θ* by mpmath: the augmented system with λ/c on w's diagonal only, at 40 digits.
    with mpmath.workdps(40):
        xt = mpmath.matrix([[*row, 1] for row in v["X"]])
        y = mpmath.matrix(v["y"])
        ridge = mpmath.diag([1, 1, 0]) * (mpmath.mpf(lam.p) / lam.q) / (
            mpmath.mpf(c.p) / c.q)
        best = mpmath.lu_solve(xt.T * xt + ridge, xt.T * y)
        shown = list(_block(problem, "closed_form_solution").steps[-1].rhs)
        assert len(shown) == 3
        assert all(abs(mpmath.mpf(s.p) / s.q - best[i]) < mpmath.mpf(10) ** -38
                   for i, s in enumerate(shown))
    # Exactly: the loss written here, its gradient at (w*, b*) by sympy.diff, is 0.
    w1, w2, b = S("w1"), S("w2"), S("b")
    residuals = [_q(r[0]) * w1 + _q(r[1]) * w2 + b - _q(t) for r, t in zip(v["X"], v["y"],
                                                                          strict=True)]
    loss = c / 2 * sum(r ** 2 for r in residuals) + lam / 2 * (w1 ** 2 + w2 ** 2)
    at = dict(zip((w1, w2, b), shown, strict=True))
    assert [sympy.diff(loss, p).xreplace(at) for p in (w1, w2, b)] == [0, 0, 0]
    assert all(s.check is not None and s.check.status == "proved"
               for s in problem.solution.steps())


def test_the_augmented_form_is_written_out(tmp_path: Path) -> None:
    shown = CliRunner().invoke(main, ["show", str(PROBLEMS / "linreg-bias-batch.yaml"),
                                      "--lang", "en"]).output
    assert (r"$\tilde{X} = [X\ \mathbf{1}]$ and $\boldsymbol{\theta} = [\mathbf{w};\ b]$"
            in shown)
    assert r"\tilde{I} &= \left[\begin{matrix}1 & 0 & 0\\0 & 1 & 0\\0 & 0 & 0\end{matrix}" \
        in shown
    assert (r"n \nabla_{\boldsymbol{\theta}} L = (\tilde{X}^{T} \tilde{X} + n \lambda "
            r"\tilde{I}) \boldsymbol{\theta} - \tilde{X}^{T} \mathbf{y}") in shown
    assert (r"\boldsymbol{\theta}^{*} = (\tilde{X}^{T}\tilde{X} + n\lambda \tilde{I})^{-1} "
            r"\tilde{X}^{T}\mathbf{y}") in shown
    zh = CliRunner().invoke(main, ["show", str(PROBLEMS / "linreg-bias-batch.yaml")]).output
    assert "L2 正則化項 $\\frac{\\lambda}{2}\\mathbf{w}^{T}\\mathbf{w}$ 不含偏差" in zh


@pytest.mark.parametrize("name", ["logistic-bce-batch", "mlp-batch-matrix",
                                  "linreg-bias-batch", "mlp-relu-batch"])
def test_a_scalar_bias_prints_as_a_scalar(name: str) -> None:
    for lang, word in (("en", "the bias, a scalar added to every sample"),
                       ("zh-TW", "偏差，加到每筆樣本上的同一個純量")):
        shown = CliRunner().invoke(main, ["show", str(PROBLEMS / f"{name}.yaml"), "--lang",
                                          lang]).output
        raw = yaml.safe_load((PROBLEMS / f"{name}.yaml").read_text())["values"]["b"]
        b = _q(raw)
        # b as the file writes it: 0.1 stays 0.1 (decimal data), 1/2 stays a fraction.
        written = str(raw) if isinstance(raw, float) else f"\\frac{{{b.p}}}{{{b.q}}}"
        assert f"+ $b \\in \\mathbb{{R}}$: {word}" in shown or \
            f"+ $b \\in \\mathbb{{R}}$：{word}" in shown
        assert f"\nb &= {written} \\\\\n" in shown
        assert "1 \\times 1" not in shown
        # No 1 × 1 matrix anywhere: neither [b] nor the value of ∂L/∂b.
        assert "\\left[\\begin{matrix}" + written + "\\end{matrix}\\right]" not in shown
        assert "\\frac{\\partial L}{\\partial b} &= \\mathbf{1}^{T} \\boldsymbol{\\delta}" \
            in shown
        tail = shown.split("\\frac{\\partial L}{\\partial b} &= \\mathbf{1}^{T} "
                           "\\boldsymbol{\\delta} \\\\\n")[-1].split("\\end{aligned}")[0]
        assert "matrix" not in tail.splitlines()[-1], tail


def _relu_loss(v: dict[str, Any], flat: list[Any]) -> Any:
    """The ReLU network's half-MSE written here in mpmath: V (2×2), c, w, b from `flat`."""
    big_v = [flat[0:2], flat[2:4]]
    c, w, b = flat[4:6], flat[6:8], flat[8]
    total = mpmath.mpf(0)
    for row, target in zip(v["X"], v["y"], strict=True):
        x = [mpmath.mpf(_q(e).p) / _q(e).q for e in row]
        h = [max(mpmath.mpf(0), big_v[u][0] * x[0] + big_v[u][1] * x[1] + c[u])
             for u in range(2)]
        total += (h[0] * w[0] + h[1] * w[1] + b - target) ** 2
    return total / 6


def test_relu_network_gradients_equal_central_differences_at_50_digits() -> None:
    problem = prepare(PROBLEMS / "mlp-relu-batch.yaml")
    assert all(s.check is not None and s.check.status == "proved"
               for s in problem.solution.steps())
    v = yaml.safe_load((PROBLEMS / "mlp-relu-batch.yaml").read_text(encoding="utf-8"))[
        "values"]
    hidden = _block(problem, "matrix_numbers_hidden").steps
    # The exact values the lines were checked with (∂L/∂b prints as the decimal −1.75).
    shown = [*_block(problem, "matrix_numbers_hidden").steps[-4].canonical,  # ∇V
             *hidden[-1].canonical,  # ∇c
             *_block(problem, "matrix_numbers_weights").steps[-1].canonical,
             _block(problem, "matrix_numbers_bias").steps[-1].canonical]
    assert all(s.is_Rational for s in shown)  # relu of exact numbers is exact
    with mpmath.workdps(50):
        point = [mpmath.mpf(_q(e).p) / _q(e).q for e in (
            *v["V"][0], *v["V"][1], *v["c"], *v["w"], v["b"])]
        h = mpmath.mpf(10) ** -20
        for i, s in enumerate(shown):
            up, down = list(point), list(point)
            up[i] += h
            down[i] -= h
            slope = (_relu_loss(v, up) - _relu_loss(v, down)) / (2 * h)
            assert abs(slope - mpmath.mpf(s.p) / s.q) < mpmath.mpf(10) ** -30, i


def test_relu_mask_line_prints_the_mask_and_reads_back() -> None:
    shown = CliRunner().invoke(main, ["show", str(PROBLEMS / "mlp-relu-batch.yaml"),
                                      "--lang", "en"]).output
    assert (r"\frac{\partial L}{\partial A} &= \frac{\partial L}{\partial H} \circ "
            r"\mathbb{1}[A > 0]") in shown
    assert r"\circ \left[\begin{matrix}0 & 1\\1 & 0\\1 & 1\end{matrix}\right]" in shown


def test_the_reader_reads_circ_between_matrices_only() -> None:
    got = read(r"\left[\begin{matrix}2 & 3\end{matrix}\right] \circ "
               r"\left[\begin{matrix}0 & 1\end{matrix}\right]")
    assert got == sympy.ImmutableMatrix([[0, 3]])
    for text in (r"2 \circ 3", r"\left[\begin{matrix}2 & 3\end{matrix}\right] \circ "
                 r"\left[\begin{matrix}0\\1\end{matrix}\right]"):
        with pytest.raises(Exception, match="circ is read only between two matrices"):
            read(text)
