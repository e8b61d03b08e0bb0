"""The matrix form with numbers: the given matrices, then each line of the derivation
with the matrices filled in and its value (exact, or ≈ to `precision` decimals).

Each block is checked at the `values:` point (`Block.at`): the left side is the scalar
graph's own value there (∂L/∂w_j by sympy's derivative), the filled-in product is worked
out by matrix arithmetic, and a printed matrix of numbers reads back (view/readback.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import mpmath
import sympy
from sympy import ImmutableMatrix, Symbol

from generator.algebra.functions import leaky_relu, relu
from generator.algebra.matrices import Named, entries
from generator.algebra.numbers import DPS, decimal, decimal_text, mp_value
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts.matrix_display import Origin, shown_matrix, shown_number
from generator.solvers.parts.matrix_model import Mats, scalars
from generator.solvers.parts.matrix_steps import (
    affine,
    bias_formula,
    delta,
    delta_formula,
    hidden_backward,
    hidden_forward,
    prediction,
    weight_formula,
)


def _exact(cell: sympy.Basic) -> sympy.Basic:
    """relu of a rational is a rational (max(0, a)): worked out, so a relu layer's H is
    exact numbers rather than decimals. relu itself stays unevaluated elsewhere, where the
    page shows relu(a) before its value."""
    return cell.replace(lambda e: isinstance(e, relu | leaky_relu) and all(
        a.is_Rational for a in e.args), lambda e: e.plain())


class Filler:
    """The exact value of every matrix at the point, and lines with the numbers put in.

    `decimals`: the leaves the file writes as decimals. A matrix of those, or worked out
    from them, prints as decimals when all its entries terminate (parts/matrix_display.py);
    each line keeps its exact value for the check."""

    def __init__(self, graph: Graph, m: Mats, point: Mapping[Symbol, sympy.Rational],
                 places: int, decimals: frozenset[Symbol] = frozenset()) -> None:
        self.graph, self.m, self.places = graph, m, places
        self.at: dict[Symbol, sympy.Basic] = {**point, **scalars(m)}
        self.known: dict[Named, ImmutableMatrix] = {}
        self.shown: dict[Named, ImmutableMatrix] = {}  # `known` as printed
        self.origin = Origin(graph, decimals)

    def given(self, named: Named) -> ImmutableMatrix:
        """A given matrix as printed: decimals if the file writes any of it as one."""
        if named not in self.shown:
            self.shown[named] = shown_matrix(self.value(named),
                                             self.origin.of(named, self.known))
        return self.shown[named]

    def value(self, expr: sympy.Basic) -> ImmutableMatrix:
        """A line's exact value: its entries with nodes inlined, at the point."""
        rows, cols = expr.shape
        cells = [_exact(self.graph.inline(self.resolved(e)).xreplace(self.at))
                 for e in entries(expr)]
        return ImmutableMatrix(rows, cols, cells)

    def resolved(self, e: sympy.Basic) -> sympy.Basic:
        """Each partial ∂L/∂v in an entry by the value already worked out for it (δ)."""
        swaps = {sym: val for named, grid in self.known.items()
                 for sym, val in zip(named.grid, grid, strict=True)
                 if isinstance(sym, sympy.Derivative)}
        return e.xreplace(swaps)

    def filled(self, expr: sympy.Basic) -> tuple[sympy.Basic, sympy.Basic] | None:
        """The line with each matrix by its numbers, exact and as printed (each matrix as
        its own line printed it), or None if one is not exact."""
        swaps: dict[sympy.Basic, sympy.Basic] = {}
        shown: dict[sympy.Basic, sympy.Basic] = {}
        for named in {a for a in sympy.preorder_traversal(expr) if isinstance(a, Named)}:
            grid = self.known.get(named) or self.value(named)
            if not all(v.is_Rational for v in grid):
                return None
            swaps[named] = grid
            shown[named] = self.shown.get(named) or self.given(named)
        scalars_at = {s: v for s, v in self.at.items() if s in expr.free_symbols}
        as_printed = {s: shown_number(v, s in self.origin.decimals)
                      for s, v in scalars_at.items()}
        return (expr.xreplace(swaps).xreplace(scalars_at),
                expr.xreplace(shown).xreplace(as_printed))

    def steps(self, lhs: Named | sympy.Basic, formula: sympy.Basic, rule: str,
              named: bool = True) -> list[Step]:
        """lhs = formula = (numbers put in) = value, or ≈ value when it is not rational;
        without `named`, the lhs already says the formula: lhs = (numbers put in) = value.
        A scalar lhs (∂L/∂b) gets its value as a number, not as a 1 × 1 matrix."""
        value = self.value(formula)
        decimal = self.origin.of(formula, self.known)
        if isinstance(lhs, Named):
            self.known[lhs] = value
            self.shown[lhs] = shown_matrix(value, decimal)
            if decimal:
                self.origin.derived.add(lhs)
        steps = self._steps(lhs, formula, rule, named, value, shown_matrix(value, decimal))
        return steps if isinstance(lhs, sympy.MatrixExpr) else [_as_scalar(s) for s in steps]

    def _steps(self, lhs: Named | sympy.Basic, formula: sympy.Basic, rule: str, named: bool,
               value: ImmutableMatrix, shown: ImmutableMatrix) -> list[Step]:
        out = [Step(rule, formula, lhs=lhs)] if named else []
        if all(v.is_Rational for v in value):
            filled = self.filled(formula)
            if filled is not None and filled[0] != value:
                out.append(_printed(Step("matrix_fill", filled[1], lhs=None if out else lhs),
                                    filled[0]))
            if not out:
                return [_printed(Step("matrix_value", shown, lhs=lhs), value)]
            out.append(_printed(Step("matrix_value", shown), value))
            return out
        with mpmath.workdps(DPS):
            mp = [mp_value(v, {}) for v in value]
            shown = ImmutableMatrix(*value.shape, [decimal(v, self.places) for v in mp])
            exact = ImmutableMatrix(*value.shape, [sympy.Rational(decimal_text(v, self.places))
                                                   for v in mp])
        out.append(Step("approximate", shown, value=exact, relation=r"\approx",
                        digits=self.places))
        return out


def _printed(step: Step, exact: sympy.Basic) -> Step:
    """A line printed with decimals keeps its exact value for the check."""
    return step if step.rhs == exact else replace(step, value=exact)


def _as_scalar(step: Step) -> Step:
    """A line whose value is a 1 × 1 matrix of numbers, with that number instead."""
    def one(e: sympy.Basic | None) -> sympy.Basic | None:
        return e[0, 0] if isinstance(e, ImmutableMatrix) and e.shape == (1, 1) else e
    return replace(step, rhs=one(step.rhs), value=one(step.value))


def _given(f: Filler) -> Block:
    m = f.m
    shown = [m.X, *[x for h in m.hidden for x in (h.V, h.c) if x is not None], m.W,
             *([m.b] if m.b is not None else []), m.Y]
    steps = tuple(_printed(Step("given_matrix", f.given(x)[0, 0], lhs=m.scalar_bias),
                           f.value(x)[0, 0])
                  if x is m.b and m.scalar_bias is not None else
                  _printed(Step("given_matrix", f.given(x), lhs=x), f.value(x)) for x in shown)
    return Block("matrix_given", {}, steps, at=dict(f.at), extra=scalars(m))


def numbers_section(graph: Graph, m: Mats, point: Mapping[Symbol, sympy.Rational],
                    places: int, decimals: frozenset[Symbol] = frozenset()) -> Section:
    f = Filler(graph, m, point, places, decimals)
    blocks = [_given(f)]
    forward = [st for lhs, rhs in hidden_forward(m)
               for st in f.steps(lhs, rhs, "matrix_definition")]
    forward += f.steps(m.Z, affine(m), "matrix_definition")
    if m.fact.model != "linear":
        forward += f.steps(m.P, prediction(m), "matrix_definition")
    blocks.append(Block("matrix_numbers_forward", {}, tuple(forward), at=dict(f.at),
                        extra=scalars(m)))
    d = delta(m)
    blocks.append(Block(f"matrix_numbers_delta_{m.fact.model}", {}, tuple(
        f.steps(d, delta_formula(m), "matrix_delta")), at=dict(f.at), extra=scalars(m)))
    grad_w = m.grad(m.W, m.nabla_tex(m.W))
    blocks.append(Block("matrix_numbers_weights", {"weight": m.W.args[0].name}, tuple(
        f.steps(grad_w, weight_formula(m, d), "matrix_chain_rule")), at=dict(f.at),
        extra=scalars(m)))
    if m.b is not None:
        grad_b = m.bias_grad()
        blocks.append(Block("matrix_numbers_bias", {"bias": m.b.args[0].name}, tuple(
            f.steps(grad_b, bias_formula(d, m), "matrix_chain_rule")), at=dict(f.at),
            extra=scalars(m)))
    for h, pairs in hidden_backward(m, d):
        blocks.append(Block("matrix_numbers_hidden", {"weight": h.V.args[0].name}, tuple(
            st for lhs, rhs in pairs for st in f.steps(lhs, rhs, "matrix_chain_rule")),
            at=dict(f.at), extra=scalars(m)))
    return Section("matrix_numbers", tuple(blocks))
