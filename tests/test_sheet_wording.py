"""Wording and notation a sheet must get right beyond its values (issues 14 and 19).

Steps are numbered 1, 2, 3 … without a gap in both languages; a softmax output keeps its
node's name in backprop's local partials; the derivative kinds state each rule in the
variable actually differentiated by, and name a chain rule's inner function with a
letter that is not one of f's variables. Answers are compared with sympy's `diff`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy
from conftest import ROOT

from generator.formats.text import render
from generator.solvers.problem import Problem, prepare
from generator.theme.theme import Theme
from generator.view.model import document_view

DENSE_SOFTMAX = """id: smx
title: {zh-TW: t, en: t}
kind: gradient
inputs:
  x: {shape: [2]}
  y: {shape: [2]}
params:
  W: {shape: [2, 2]}
  b: {shape: [2]}
layers:
  - dense: {in: x, weights: W, bias: b, out: z}
  - activation: {fn: softmax, in: z, out: p}
  - loss: {kind: sse, target: y, pred: p, out: L}
loss: L
wrt: [W, b]
display: {method: backprop}
values: {x: [1, 2], y: [1, 0], W: [[0.5, -1], [1, 0]], b: [0, 1]}
"""


def _sheets(problem: Problem) -> dict[str, str]:
    theme = Theme()
    return {lang: render(document_view(problem, theme.voice(lang)), "md", theme)
            for lang in ("en", "zh-TW")}


def _write(tmp_path: Path, text: str) -> Problem:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return prepare(path, display="p.yaml")


def _step_numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#+ Step[ .](\d+)", text, flags=re.MULTILINE)]


@pytest.mark.parametrize("name", ["rnn-bptt", "attention-head", "dropout-mask", "batchnorm",
                                  "hw1-3-conv-w11"])
def test_built_in_steps_are_numbered_without_a_gap(name: str) -> None:
    # Backprop with `values:` and no dense matrix went Step 3 → Step 5. (Path sums repeat
    # Steps 2–4 for each parameter, as the seeds do: a step may come again, none is skipped.)
    for lang, text in _sheets(prepare(ROOT / "problems" / f"{name}.yaml")).items():
        numbers = _step_numbers(text)
        assert numbers[0] == 1 and all(n <= 1 + max(numbers[:i]) for i, n in enumerate(
            numbers) if i), (lang, numbers)
        assert numbers[-1] == max(numbers), (lang, numbers)


def test_steps_after_a_matrix_form_are_numbered_without_a_gap(tmp_path: Path) -> None:
    sheets = _sheets(_write(tmp_path, DENSE_SOFTMAX))
    assert _step_numbers(sheets["en"]) == [1, 2, 3, 4, 5]
    assert "### Step 5. Substitute the given values" in sheets["en"]
    assert "### Step.5 代入題目給定的數值" in sheets["zh-TW"]


def test_softmax_local_partials_keep_the_outputs_names(tmp_path: Path) -> None:
    en = _sheets(_write(tmp_path, DENSE_SOFTMAX))["en"]
    assert (r"&= \frac{\partial L}{\partial p_{1}} p_{1} (1 - p_{1}) + "
            r"\frac{\partial L}{\partial p_{2}} (- p_{1} p_{2}) \\") in en
    assert (r"&= \frac{\partial L}{\partial p_{1}} (- p_{1} p_{2}) + "
            r"\frac{\partial L}{\partial p_{2}} p_{2} (1 - p_{2})") in en
    assert "softmax}_{" not in en
    assert "softmax}_{" not in en.split("### Step 5")[1]  # nor in the numbers
    # Each gradient with numbers, against sympy's diff of the loss written out here.
    w = sympy.symbols("W11 W12 W21 W22")
    bs = sympy.symbols("b1 b2")
    x, y = (1, 2), (1, 0)
    z = [w[2 * r] * x[0] + w[2 * r + 1] * x[1] + bs[r] for r in range(2)]
    p = [sympy.exp(zr) / (sympy.exp(z[0]) + sympy.exp(z[1])) for zr in z]
    loss = sum((yr - pr) ** 2 for yr, pr in zip(y, p, strict=True))
    point = {**dict(zip(w, (sympy.Rational(1, 2), -1, 1, 0), strict=True)),
             **dict(zip(bs, (0, 1), strict=True))}
    for name, var in [("W_{11}", w[0]), ("W_{12}", w[1]), ("W_{21}", w[2]), ("W_{22}", w[3]),
                      ("b_{1}", bs[0]), ("b_{2}", bs[1])]:
        pattern = (r"\\frac{\\partial L}{\\partial " + re.escape(name)
                   + r"} &= [^\n]*\n&\\approx (-?[0-9.]+)")
        shown = re.findall(pattern, en)
        truth = sympy.N(sympy.diff(loss, var).xreplace(point), 30)
        assert len(shown) == 1 and abs(sympy.Float(shown[0], 30) - truth) < 5e-7, name


PARTIAL_BY_Y = """id: p
title: t
kind: partials
function: x*y^y
variables: [x, y]
"""


def test_partial_rules_are_stated_in_the_variable_differentiated_by(tmp_path: Path) -> None:
    problem = _write(tmp_path, PARTIAL_BY_Y)
    sheets = _sheets(problem)
    en, zh = sheets["en"], sheets["zh-TW"]
    assert "Differentiate both sides with respect to $y$ (the left side by the chain rule):" in en
    assert "兩邊對 $y$ 偏微分（左邊用連鎖律）：" in zh
    assert (r"(logarithmic differentiation: $\frac{\partial}{\partial y} \ln F = "
            r"\frac{F'}{F}$)") in en
    assert r"\frac{\partial y}{\partial y} &= 1\qquad\text{($(y)' = 1$)}" in en
    assert (r"\frac{\partial}{\partial y}(\ln(y)) &= \frac{1}{y}\qquad"
            r"\text{($(\ln y)' = \frac{1}{y}$)}") in en
    for text in (en, zh):
        assert r"\frac{d}{dx}" not in text and "$(x)' = 1$" not in text and "兩邊對 $x$" not in text
    x, y = sympy.symbols("x y")
    assert sympy.simplify(problem.solution.answers["df/dy"] - sympy.diff(x * y**y, y)) == 0


def test_a_derivative_keeps_its_x_wording(tmp_path: Path) -> None:
    problem = _write(tmp_path, "id: p\ntitle: t\nkind: derivative\nfunction: x^x*exp(x)\n")
    en, zh = _sheets(problem).values()
    assert r"$\frac{d}{dx} \ln y = \frac{y'}{y}$" in en and "兩邊對 $x$ 微分（左邊用連鎖律）" in zh
    assert "Differentiate both sides (the left side by the chain rule):" in en
    assert "$(e^x)' = e^x$" in en


def test_the_chain_letter_is_not_a_variable_of_f(tmp_path: Path) -> None:
    problem = _write(tmp_path, "id: p\ntitle: t\nkind: derivative\nfunction: sin(u^2)\n"
                               "variable: u\n")
    sheets = _sheets(problem)
    assert (r"\text{(chain rule, $(\sin w)' = \cos w \cdot w'$, $w = u^{2}$)}"
            in sheets["en"])
    assert r"\text{（連鎖律，$(\sin w)' = \cos w \cdot w'$，$w = u^{2}$）}" in sheets["zh-TW"]
    for text in sheets.values():
        assert "$u = u^{2}$" not in text and r"(\sin u)'" not in text
    u = sympy.Symbol("u")
    answer = next(iter(problem.solution.answers.values()))
    assert sympy.simplify(answer - sympy.diff(sympy.sin(u**2), u)) == 0


def test_the_chain_letter_is_u_otherwise(tmp_path: Path) -> None:
    en = _sheets(_write(tmp_path, "id: p\ntitle: t\nkind: derivative\nfunction: sin(x^2)\n"))[
        "en"]
    assert r"\text{(chain rule, $(\sin u)' = \cos u \cdot u'$, $u = x^{2}$)}" in en
