"""The normal equation of L2-regularised linear regression, verified twice.

With L = (c/2)‖Xw − y‖² + (λ/2)‖w‖² (c = 1/n for half_mse, 2/n for mse), the gradient is
c Xᵀ(Xw − y) + λw, so (1/c)∇_w L = (XᵀX + (λ/c)I)w − Xᵀy: a matrix identity checked entry
by entry against the scalar graph. Setting it to 0 gives w* = (XᵀX + (λ/c)I)⁻¹Xᵀy; with
numbers, w* is worked out exactly and substituted back: the scalar graph's gradient at w*
must be exactly 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy
from sympy import ImmutableMatrix, Inverse, MatMul, Symbol

from generator.algebra.matrices import Named, add, column, explicit, mul, sub, t
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts.matrix_model import Mats, N, scalars
from generator.solvers.parts.matrix_numbers import Filler
from generator.solvers.parts.matrix_steps import scale


def applies(m: Mats) -> bool:
    """A closed form exists for a linear model without bias (a bias is a column of ones
    in X: write it so to get one)."""
    return m.fact.model == "linear" and m.b is None and not m.hidden


def _ridge(m: Mats) -> sympy.Basic:
    """XᵀX + (λ/c)I, or XᵀX without an L2 term."""
    xtx = mul(t(m.X), m.X)
    if m.lam is None:
        return xtx
    eye = Named("I", sympy.eye(m.W.grid.rows))
    factor = [N] if m.fact.loss == "half_mse" else [N / 2]  # λ/c, n first as written
    return add(xtx, MatMul(*factor, m.lam, eye, evaluate=False))


def closed_form_section(graph: Graph, m: Mats, point: Mapping[Symbol, sympy.Rational] | None,
                        places: int) -> Section:
    grad_w = m.grad(m.W, m.nabla_tex(m.W))
    identity = Step("normal_equation", sub(mul(_ridge(m), m.W), mul(t(m.X), m.Y)),
                    lhs=mul(1 / scale(m), grad_w))
    blocks = [Block("closed_form_equation", {"ridge": _ridge_tex(m)}, (identity,),
                    extra=scalars(m))]
    if point is not None:
        blocks.extend(_numbers(graph, m, point, places))
    return Section("matrix_closed_form", tuple(blocks))


def _ridge_tex(m: Mats) -> str:
    x = m.X.args[0].name
    if m.lam is None:
        return rf"{x}^{{T}}{x}"
    factor = "n" if m.fact.loss == "half_mse" else r"\tfrac{n}{2}"
    return rf"{x}^{{T}}{x} + {factor}\lambda I"


def _numbers(graph: Graph, m: Mats, point: Mapping[Symbol, sympy.Rational],
             places: int) -> list[Block]:
    f = Filler(graph, m, point, places)
    at = dict(f.at)
    a_tex = _ridge_tex(m)
    ridge, xty = _ridge(m), mul(t(m.X), m.Y)
    a_val, b_val = f.value(ridge), f.value(xty)
    lhs_a = Named(rf"\left({a_tex}\right)", explicit(ridge))
    lhs_b = Named(rf"{m.X.args[0].name}^{{T}}{m.Y.args[0].name}", explicit(xty))
    parts = Block("closed_form_numbers", {}, (
        *f.steps(lhs_a, ridge, "matrix_definition", named=False),
        *f.steps(lhs_b, xty, "matrix_definition", named=False)),
                  at=at, extra=scalars(m))
    if a_val.det() == 0:
        return [parts, Block("closed_form_singular", {"ridge": a_tex})]
    best = a_val.inv() * b_val
    star = column(rf"{m.W.args[0].name}^{{*}}", list(best))
    solution = Block("closed_form_solution", {}, (
        Step("closed_form", mul(Inverse(a_val), b_val), lhs=star),
        Step("matrix_value", ImmutableMatrix(best))), at=at)
    # The check: the scalar graph's own gradient at w = w* is exactly zero.
    at_best = {**at, **dict(zip([w for (w,) in m.W.grid.tolist()], best, strict=True))}
    grad_w = m.grad(m.W, m.nabla_tex(m.W))
    residual = add(mul(scale(m).xreplace({N: m.fact.n}), t(a_x := f.value(m.X)),
                       sub(mul(a_x, ImmutableMatrix(best)), f.value(m.Y))),
                   *([mul(point_lam(m, at), ImmutableMatrix(best))] if m.lam is not None
                     else []))
    check = Block("closed_form_check", {"best": star.args[0].name}, (
        Step("closed_form_check", residual, lhs=grad_w),
        Step("matrix_value", sympy.zeros(*best.shape).as_immutable())), at=at_best,
        extra=scalars(m))
    return [parts, solution, check]


def point_lam(m: Mats, at: Mapping[Symbol, sympy.Basic]) -> sympy.Basic:
    assert m.lam is not None
    return m.lam.xreplace(at)
