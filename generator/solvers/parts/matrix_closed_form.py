"""The normal equation of L2-regularised linear regression, verified twice.

With L = (c/2)‖Xw − y‖² + (λ/2)‖w‖² (c = 1/n for half_mse, 2/n for mse), the gradient is
c Xᵀ(Xw − y) + λw, so (1/c)∇_w L = (XᵀX + (λ/c)I)w − Xᵀy: a matrix identity checked entry
by entry against the scalar graph. Setting it to 0 gives w* = (XᵀX + (λ/c)I)⁻¹Xᵀy; with
numbers, w* is worked out exactly and substituted back: the scalar graph's gradient at w*
must be exactly 0.

With a bias b, the textbook's augmented form: X̃ = [X 𝟏], θ = [w; b], ŷ = X̃θ. The L2
term (λ/2)‖w‖² leaves b alone, so λ multiplies Ĩ, the identity with 0 in b's place:
(1/c)∇_θ L = (X̃ᵀX̃ + (λ/c)Ĩ)θ − X̃ᵀy, and θ* = [w*; b*] is solved and checked the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy
from sympy import Derivative, ImmutableMatrix, Inverse, MatMul, Symbol

from generator.algebra.matrices import Named, add, column, explicit, mul, sub, t
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts.matrix_model import Mats, N, scalars
from generator.solvers.parts.matrix_numbers import Filler
from generator.solvers.parts.matrix_steps import scale


def applies(m: Mats) -> bool:
    """A closed form exists for a linear model without a hidden layer."""
    return m.fact.model == "linear" and not m.hidden


@dataclass(frozen=True)
class System:
    """What the normal equation is written in: X and w, or X̃ = [X 𝟏] and θ = [w; b]."""

    X: Named
    theta: Named
    eye: Named  # I, or Ĩ: the identity with 0 in the bias's place
    grad: Named  # ∇_w L, or ∇_θ L = [∇_w L; ∂L/∂b]

    @property
    def x(self) -> str:
        return str(self.X.args[0].name)

    @property
    def th(self) -> str:
        return str(self.theta.args[0].name)


def system(m: Mats) -> System:
    weights = [w for (w,) in m.W.grid.tolist()]
    if m.scalar_bias is None:
        return System(m.X, m.W, Named("I", sympy.eye(len(weights))),
                      m.grad(m.W, m.nabla_tex(m.W)))
    bias = m.scalar_bias
    x = m.X.args[0].name
    params = [*weights, bias]
    eye = sympy.diag(*([1] * len(weights)), 0)
    return System(Named(rf"\tilde{{{x}}}", [[*row, 1] for row in m.X.grid.tolist()]),
                  column(r"\boldsymbol{\theta}", params), Named(r"\tilde{I}", eye),
                  column(rf"\nabla_{{\boldsymbol{{\theta}}}} {m.loss_tex}",
                         [Derivative(m.loss, p) for p in params]))


def _ridge(m: Mats, s: System) -> sympy.Basic:
    """XᵀX + (λ/c)I, or XᵀX without an L2 term (X̃ and Ĩ with a bias)."""
    xtx = mul(t(s.X), s.X)
    if m.lam is None:
        return xtx
    factor = [N] if m.fact.loss == "half_mse" else [N / 2]  # λ/c, n first as written
    return add(xtx, MatMul(*factor, m.lam, s.eye, evaluate=False))


def _ridge_tex(m: Mats, s: System) -> str:
    if m.lam is None:
        return rf"{s.x}^{{T}}{s.x}"
    factor = "n" if m.fact.loss == "half_mse" else r"\tfrac{n}{2}"
    return rf"{s.x}^{{T}}{s.x} + {factor}\lambda {s.eye.args[0].name}"


def _words(m: Mats, s: System) -> dict[str, str]:
    """The names the sentences print: the matrix, θ or w, and X̃ᵀy or Xᵀy."""
    return {"ridge": _ridge_tex(m, s), "theta": s.th,
            "xty": rf"{s.x}^{{T}}{m.Y.args[0].name}"}


def _augmented(m: Mats, s: System) -> Block:
    """X̃ = [X 𝟏] and θ = [w; b]: ŷ = X̃θ checked entry by entry, and Ĩ when λ is there."""
    steps = [Step("matrix_definition", mul(s.X, s.theta), lhs=m.P)]
    if m.lam is not None:
        steps.append(Step("matrix_definition", ImmutableMatrix(s.eye.grid), lhs=s.eye))
    assert m.b is not None
    return Block("closed_form_augmented", {
        "x": m.X.args[0].name, "xt": s.x, "w": m.W.args[0].name, "b": m.b.args[0].name,
        "theta": s.th, "lam": "1" if m.lam is not None else ""}, tuple(steps),
        extra=scalars(m))


def closed_form_section(graph: Graph, m: Mats, point: Mapping[Symbol, sympy.Rational] | None,
                        places: int) -> Section:
    s = system(m)
    identity = Step("normal_equation", sub(mul(_ridge(m, s), s.theta), mul(t(s.X), m.Y)),
                    lhs=mul(1 / scale(m), s.grad))
    blocks = [] if m.b is None else [_augmented(m, s)]
    blocks.append(Block("closed_form_equation", _words(m, s), (identity,), extra=scalars(m)))
    if point is not None:
        blocks.extend(_numbers(graph, m, s, point, places))
    return Section("matrix_closed_form", tuple(blocks))


def _numbers(graph: Graph, m: Mats, s: System, point: Mapping[Symbol, sympy.Rational],
             places: int) -> list[Block]:
    f = Filler(graph, m, point, places)
    at = dict(f.at)
    words = _words(m, s)
    ridge, xty = _ridge(m, s), mul(t(s.X), m.Y)
    a_val, b_val = f.value(ridge), f.value(xty)
    lhs_a = Named(rf"\left({words['ridge']}\right)", explicit(ridge))
    lhs_b = Named(words["xty"], explicit(xty))
    parts = Block("closed_form_numbers", {}, (
        *f.steps(lhs_a, ridge, "matrix_definition", named=False),
        *f.steps(lhs_b, xty, "matrix_definition", named=False)),
                  at=at, extra=scalars(m))
    if a_val.det() == 0:
        return [parts, Block("closed_form_singular", words)]
    best = a_val.inv() * b_val
    star = column(rf"{s.th}^{{*}}", list(best))
    solution = Block("closed_form_solution", {}, (
        Step("closed_form", mul(Inverse(a_val), b_val), lhs=star),
        Step("matrix_value", ImmutableMatrix(best))), at=at)
    # The check: the scalar graph's own gradient at θ = θ* is exactly zero.
    params = [p for (p,) in s.theta.grid.tolist()]
    at_best = {**at, **dict(zip(params, best, strict=True))}
    a_x = f.value(s.X)
    residual = add(mul(scale(m).xreplace({N: m.fact.n}), t(a_x),
                       sub(mul(a_x, ImmutableMatrix(best)), f.value(m.Y))),
                   *([mul(point_lam(m, at), *_penalty(m, s), ImmutableMatrix(best))]
                     if m.lam is not None else []))
    check = Block("closed_form_check", {**words, "best": star.args[0].name}, (
        Step("closed_form_check", residual, lhs=s.grad),
        Step("matrix_value", sympy.zeros(*best.shape).as_immutable())), at=at_best,
        extra=scalars(m))
    return [parts, solution, check]


def _penalty(m: Mats, s: System) -> list[ImmutableMatrix]:
    """λθ* needs Ĩ with a bias (λ leaves b alone); without one, λw* is all it is."""
    return [] if m.scalar_bias is None else [ImmutableMatrix(s.eye.grid)]


def point_lam(m: Mats, at: Mapping[Symbol, sympy.Basic]) -> sympy.Basic:
    assert m.lam is not None
    return m.lam.xreplace(at)
