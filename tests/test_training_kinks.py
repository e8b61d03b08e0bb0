"""A training step through every activation, with one hidden unit dead (z < 0) and one at
the kink (z = 0): the run builds, the sheet states the subgradient convention, and every
parameter after the step equals an independent mpmath computation (hand-written chain rule,
the activation's derivative taken from the left, which is the convention the sheet states:
ReLU'(0) = 0, LReLU_a'(0) = a). Before, a dead ReLU unit was refused with internal names
(`g_W21_1 \\approx 0.0 does not follow`): a gradient of exactly 0 was taken as "no value"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import mpmath
import pytest
import sympy

from generator.solvers.problem import prepare

ACTIVATIONS: dict[str, tuple[str, Callable[[mpmath.mpf], mpmath.mpf]]] = {
    "relu": ("relu({z})", lambda z: max(z, mpmath.mpf(0))),
    "leaky_relu": ("leaky_relu({z}, 0.1)", lambda z: z if z > 0 else mpmath.mpf("0.1") * z),
    "softplus": ("softplus({z})", lambda z: mpmath.log(1 + mpmath.exp(z))),
    "tanh": ("tanh({z})", mpmath.tanh),
    "sigma": ("sigma({z})", lambda z: 1 / (1 + mpmath.exp(-z))),
}
INIT = {"w1": "-0.5", "b1": "0", "w2": "0.5", "b2": "-0.5", "v1": "1", "v2": "-2", "c": "0.25"}
X, Y, LR = mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf("0.5")


def _problem(tmp_path: Path, act: str, loss: str) -> Path:
    pattern = ACTIVATIONS[act][0]
    pred = "p" if loss == "bce" else "u"
    text = f"""id: kink-{act}-{loss}
title: {{zh-TW: 死單元, en: Dead unit}}
kind: training
inputs: {{x1: {{}}, y: {{}}}}
params: {{w1: {{}}, b1: {{}}, w2: {{}}, b2: {{}}, v1: {{}}, v2: {{}}, c: {{}}}}
nodes:
  z1: w1*x1 + b1
  z2: w2*x1 + b2
  h1: {pattern.format(z="z1")}
  h2: {pattern.format(z="z2")}
  u: v1*h1 + v2*h2 + c
  p: sigma(u)
layers:
  - loss: {{kind: {loss}, target: y, pred: {pred}, out: L}}
loss: L
data:
  - {{x1: 1, y: 1}}
init: {{{", ".join(f"{k}: {v}" for k, v in INIT.items())}}}
lr: 0.5
steps: 1
batch_size: 1
"""
    path = tmp_path / f"{act}-{loss}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _expected(act: str, loss: str) -> dict[str, mpmath.mpf]:
    """θ after one SGD step, by the chain rule written out by hand."""
    f = ACTIVATIONS[act][1]
    t = {k: mpmath.mpf(v) for k, v in INIT.items()}
    z1, z2 = t["w1"] * X + t["b1"], t["w2"] * X + t["b2"]
    u = t["v1"] * f(z1) + t["v2"] * f(z2) + t["c"]
    p = 1 / (1 + mpmath.exp(-u))
    # ∂L/∂u: BCE∘σ gives p − y; mse (n = 1) of u gives −2(y − u)
    du = p - Y if loss == "bce" else -2 * (Y - u)
    # the left derivative: ReLU'(0) = 0 and LReLU'(0) = a, the convention on the sheet
    d1, d2 = (mpmath.diff(f, z, direction=-1) for z in (z1, z2))
    grad = {"c": du, "v1": du * f(z1), "v2": du * f(z2),
            "w1": du * t["v1"] * d1 * X, "b1": du * t["v1"] * d1,
            "w2": du * t["v2"] * d2 * X, "b2": du * t["v2"] * d2}
    return {k: t[k] - LR * grad[k] for k in t}


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("act", list(ACTIVATIONS))
def test_training_step_through_dead_and_kinked_units(tmp_path: Path, act: str, loss: str
                                                     ) -> None:
    mpmath.mp.dps = 50
    problem = prepare(_problem(tmp_path, act, loss))
    answers = problem.solution.answers
    for name, value in _expected(act, loss).items():
        shown = sympy.Float(answers[f"{name}^(1)"], 50)
        assert abs(shown - sympy.Float(str(value), 50)) < sympy.Float("1e-30"), (name, shown, value)


@pytest.mark.parametrize(("act", "key"), [("relu", "note_relu_subgradient"),
                                          ("leaky_relu", "note_leaky_relu_subgradient"),
                                          ("tanh", None)])
def test_training_sheet_states_the_subgradient(tmp_path: Path, act: str, key: str | None
                                               ) -> None:
    problem = prepare(_problem(tmp_path, act, "bce"))
    said = [item for sec in problem.solution.sections for blk in sec.blocks
            for item, _ in blk.items]
    assert [k for k in said if k.endswith("_subgradient")] == ([key] if key else [])
