"""Batch norm, dropout with a mask, one attention head: each built-in problem's gradient
against a forward pass written here from the textbook formulas (mpmath, central differences
at 40 digits), and against torch autograd where torch is installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import pytest
import sympy
from conftest import ROOT

from generator.graph.values import values_point
from generator.solvers.problem import Problem, prepare

mpmath.mp.dps = 60
H = mpmath.mpf("1e-25")
TOLERANCE = mpmath.mpf("1e-30")


def answer(problem: Problem, param: str) -> Any:
    """The solver's ∂L/∂param at the problem's values, at 50 digits."""
    graph = problem.graph
    point = {**values_point(problem.spec.values, graph),  # type: ignore[union-attr]
             **graph.constants}
    expr = graph.inline(problem.solution.answers[f"Derivative(L, {param})"])
    return mpmath.mpf(str(sympy.N(expr.xreplace(point), 50)))


def central(f: Callable[[Any], Any]) -> Any:
    return (f(H) - f(-H)) / (2 * H)


def mp(values: list[float]) -> list[Any]:
    return [mpmath.mpf(str(v)) for v in values]


def batchnorm(x: list[Any], t: list[Any], gamma: Any, beta: Any, eps: Any) -> Any:
    mu = sum(x) / len(x)
    var = sum((xi - mu) ** 2 for xi in x) / len(x)  # biased: training mode
    y = [gamma * (xi - mu) / mpmath.sqrt(var + eps) + beta for xi in x]
    return sum((ti - yi) ** 2 for ti, yi in zip(t, y, strict=True))


def test_batchnorm_gamma() -> None:
    problem = prepare(ROOT / "problems" / "batchnorm.yaml")
    x, t, eps = mp([1, 2, 6]), mp([0, 1, 2]), mpmath.mpf("0.01")
    fd = central(lambda e: batchnorm(x, t, mpmath.mpf("1.5") + e, mpmath.mpf("0.5"), eps))
    assert abs(answer(problem, "gamma") - fd) < TOLERANCE
    # The textbook form ∂L/∂γ = Σ ∂L/∂y_i · x̂_i, with x̂ = (x − μ)/√(σ² + ε).
    mu = sum(x) / 3
    xhat = [(xi - mu) / mpmath.sqrt(sum((u - mu) ** 2 for u in x) / 3 + eps) for xi in x]
    y = [mpmath.mpf("1.5") * xh + mpmath.mpf("0.5") for xh in xhat]
    closed = sum(2 * (yi - ti) * xh for yi, ti, xh in zip(y, t, xhat, strict=True))
    assert abs(answer(problem, "gamma") - closed) < TOLERANCE


def dropout(x: list[Any], mask: list[Any], w: list[Any], y: Any, p: Any) -> Any:
    yhat = sum(wi * mi * xi / (1 - p) for wi, mi, xi in zip(w, mask, x, strict=True))
    return (y - yhat) ** 2


def test_dropout_mask() -> None:
    problem = prepare(ROOT / "problems" / "dropout-mask.yaml")
    x, mask, w = mp([0.5, -1, 2]), mp([1, 0, 1]), mp([0.2, -0.4, 0.3])
    for i, name in ((0, "w1"), (1, "w2")):
        fd = central(lambda e, i=i: dropout(
            x, mask, [wj + (e if j == i else 0) for j, wj in enumerate(w)], 1, mpmath.mpf(0.5)))
        assert abs(answer(problem, name) - fd) < TOLERANCE
    assert answer(problem, "w2") == 0  # the dropped unit gets no gradient


def attention(x: list[Any], wq: Any, wk: Any, wv: Any, y: Any) -> Any:
    q = wq * x[2]
    scores = [q * wk * xj for xj in x]
    total = sum(mpmath.exp(s) for s in scores)
    out = sum(mpmath.exp(s) / total * wv * xj for s, xj in zip(scores, x, strict=True))
    return (y - out) ** 2


def test_attention_query_weight() -> None:
    problem = prepare(ROOT / "problems" / "attention-head.yaml")
    x = mp([1, -0.5, 2])
    fd = central(lambda e: attention(x, mpmath.mpf("0.5") + e, 1, -1, 1))
    assert abs(answer(problem, "wq") - fd) < TOLERANCE


def test_torch_agrees() -> None:
    torch = pytest.importorskip("torch")
    f64 = torch.float64
    gamma = torch.tensor([1.5], dtype=f64, requires_grad=True)
    out = torch.nn.functional.batch_norm(
        torch.tensor([[1.0], [2.0], [6.0]], dtype=f64), None, None, weight=gamma,
        bias=torch.tensor([0.5], dtype=f64), training=True, eps=0.01)
    ((out[:, 0] - torch.tensor([0.0, 1.0, 2.0], dtype=f64)) ** 2).sum().backward()
    bn = float(answer(prepare(ROOT / "problems" / "batchnorm.yaml"), "gamma"))
    assert abs(bn - gamma.grad.item()) < 1e-10

    wq = torch.tensor(0.5, dtype=f64, requires_grad=True)
    x = torch.tensor([1.0, -0.5, 2.0], dtype=f64)
    weights = torch.softmax(wq * x[2] * 1.0 * x, dim=0)
    ((1 - (weights * (-1.0) * x).sum()) ** 2).backward()
    att = float(answer(prepare(ROOT / "problems" / "attention-head.yaml"), "wq"))
    assert abs(att - wq.grad.item()) < 1e-10
