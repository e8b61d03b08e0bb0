"""Derivations reach the forms a course teaches, and print none of the artefacts of a
mechanical chain rule (issue 14 item 5): σ + BCE → p − y with p(1 − p), never σ(s) beside p;
softmax + CE → p − y also when only some logits lie on a path to a `wrt` parameter; the
numbers are put into p − y; no `· 1`, `−2/1`, `0 − p`, `(1,)`, "1 steps" or "1 path"."""

from __future__ import annotations

from pathlib import Path

import sympy
from conftest import ROOT
from threeway import answer_key, central_difference, inlined

from generator.formats.text import render
from generator.solvers.problem import prepare
from generator.theme.theme import Theme
from generator.view.model import document_view

BCE = """id: bce-values
title: {zh-TW: bce, en: bce}
kind: gradient
inputs:
  x: {shape: [2]}
  y: {}
params:
  W: {shape: [2, 2]}
  V: {shape: [1, 2]}
layers:
  - dense: {in: x, weights: W, bias: false, out: z}
  - activation: {fn: relu, in: z, out: h}
  - dense: {in: h, weights: V, bias: false, out: s}
  - activation: {fn: sigma, in: s, out: p}
  - loss: {kind: bce, target: y, pred: p, out: L}
loss: L
wrt: [W, V]
display: {method: backprop}
values: {x: [1, -2], y: 1, W: [[0.5, -0.25], [-1, 0.75]], V: [[1, -1]]}
"""
POINT = {"x1": 1, "x2": -2, "y": 1, "W11": sympy.Rational(1, 2), "W12": sympy.Rational(-1, 4),
         "W21": -1, "W22": sympy.Rational(3, 4), "V11": 1, "V12": -1}


def _markdown(path: Path, lang: str = "en") -> str:
    theme = Theme()
    return render(document_view(prepare(path), theme.voice(lang)), "md", theme)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bce_numbers_go_into_p_minus_y(tmp_path: Path) -> None:
    path = _write(tmp_path, "bce.yaml", BCE)
    problem = prepare(path)
    # δ at the σ output is p − y, and every answer is built on it
    assert str(problem.solution.answers["Derivative(L, V11)"]) == "h1*(p - y)"
    text = _markdown(path)
    assert r"(p - 1)" in text  # y = 1 put into p − y
    assert r"\sigma(s) (1 - \sigma" not in text  # p(1 − p), not σ(s)(1 − σ(s))
    assert r"p (1 - p)" in text
    # z₂ < 0: a dead unit; its gradients are 0 by the stated subgradient, others by
    # central differences of the loss read back from the answer key
    loss = inlined(answer_key(path))
    point = {sympy.Symbol(k): sympy.Rational(v) for k, v in POINT.items()}
    for block in (b for s in problem.solution.sections for b in s.blocks
                  if b.key == "numeric_answer"):
        param = str(block.params["param"])
        shown = sympy.Rational(block.steps[-1].value)
        truth = central_difference(loss, sympy.Symbol(param), point)
        assert abs(shown - truth) <= sympy.Rational(1, 2 * 10**6), (param, shown, truth)


def test_softmax_ce_reaches_p_minus_y_when_some_logits_are_off_the_path(tmp_path: Path
                                                                         ) -> None:
    seed = (ROOT / "problems" / "softmax-ce.yaml").read_text(encoding="utf-8")
    text = seed.replace("wrt: [W, b]", "wrt: [b3]").replace("id: softmax-ce", "id: sm-b3")
    path = _write(tmp_path, "sm.yaml", text)
    trace = prepare(path).solution.to_text()
    assert "[softmax_ce] Derivative(L, z3) = p3 - y3" in trace
    assert "Derivative(L, z1)" not in trace  # z₁, z₂ lie on no path to b₃
    md = _markdown(path)
    assert r"(0 - p_{3})" not in md and r"(- p_{3})" in md
    assert r"\frac{\partial L}{\partial b_{3}} &= \frac{\partial L}{\partial z_{3}}\," in md


def test_no_mechanical_artefacts_in_the_seeds() -> None:
    for name in ("mlp-tanh-bce", "softmax-ce", "dense-l2", "hw1-3-conv-w11-variants",
                 "conv-stride2-bias", "week1-sgd-step"):
        md = _markdown(ROOT / "problems" / f"{name}.yaml")
        for artefact in (r"} \cdot 1" + "\n", r"} \cdot 1 \\", r"\right) \cdot 1,",
                         r"\frac{2}{1}", "1^{-1}",
                         "0 - p", "the 1 path"):
            assert artefact not in md, (name, artefact)


def test_one_step_batch_of_one_reads_in_the_singular(tmp_path: Path) -> None:
    seed = (ROOT / "problems" / "minibatch-sgd.yaml").read_text(encoding="utf-8")
    text = seed.replace("steps: 2", "steps: 1").replace("batch_size: 2", "batch_size: 1")
    md = _markdown(_write(tmp_path, "one.yaml", text))
    assert "1 step. The batch" in md and "1 steps" not in md
    assert r"\left( 3,\right)" not in md and "| $1$ | $3$ |" in md  # batch (3,) is sample 3


def test_auto_method_derives_p_minus_y_for_softmax_ce_and_sigmoid_bce(tmp_path: Path) -> None:
    seed = (ROOT / "problems" / "softmax-ce.yaml").read_text(encoding="utf-8")
    softmax = _write(tmp_path, "sm.yaml", seed.replace("display: {method: backprop}", ""))
    assert "[one_hot] = p1 - y1" in prepare(softmax).solution.to_text()
    bce = _write(tmp_path, "bce.yaml", BCE.replace("display: {method: backprop}", ""))
    assert str(prepare(bce).solution.answers["Derivative(L, V12)"]) == "h2*(p - y)"


def test_half_a_square_differentiates_without_a_printed_one() -> None:
    """d/dh ½(h − y)² is h − y: the power rule's coefficient 2·½ is not printed as `1 (…)`."""
    md = _markdown(ROOT / "problems" / "rnn-bptt.yaml")
    assert r"\frac{\partial L}{\partial h_{3}} = h_{3} - y" + "\n" in md
    assert "= 1 (" not in md
