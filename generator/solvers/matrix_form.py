"""`kind: gradient` with `form: matrix`: a batch model's gradient in matrix notation.

The model is a `batch` layer (graph/layers/batch.py), so the scalar graph exists as for
any gradient problem; this module writes its gradient as matrices with shapes
(solvers/parts/matrix_steps.py), fills the matrices in with `values:`
(parts/matrix_numbers.py) and, for linear regression, solves the normal equation
(parts/matrix_closed_form.py). Every line is checked entry by entry against the scalar
graph by the verifier; the kind module (gradient.py) calls `validate` and `solve` here
when `form: matrix`.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Derivative, Symbol

from generator.algebra.matrices import entries
from generator.algebra.trace import Solution
from generator.check.expectations import check_expectations
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.graph.values import given_values, values_point, written_as_decimals
from generator.solvers.parts.backprop import deltas
from generator.solvers.parts.matrix_closed_form import applies, closed_form_section
from generator.solvers.parts.matrix_model import Mats, N, mats
from generator.solvers.parts.matrix_numbers import numbers_section
from generator.solvers.parts.matrix_steps import (
    bias_formula,
    delta,
    gradient_section,
    hidden_backward,
    model_section,
    scale,
    weight_formula,
)
from generator.spec.models import GradientSpec
from generator.spec.source import Source


def validate(spec: GradientSpec, graph: Graph, source: Source) -> None:
    fact = graph.batches.get(graph.loss)
    if fact is None:
        raise SpecErrors([SpecError(source.at(("form",)), "form: matrix needs a batch model",
                                    "add a `batch:` layer whose `out:` is the loss")])
    allowed = {fact.names["weights"], fact.names.get("bias")} | {
        h.names.get(k) for h in fact.hidden for k in ("weights", "bias")}
    errors = [SpecError(source.at(("wrt", i)), f"{name!r} is not the batch layer's weights "
                        "or bias", "form: matrix writes ∇ of " + ", ".join(
                            sorted(a for a in allowed if a)))
              for i, name in enumerate(spec.wrt) if name not in allowed]
    errors += _value_shapes(spec, graph, source)
    errors += [SpecError(source.at((key,)), "form: matrix has no variants yet",
                         f"remove {key}: or use the scalar form")
               for key in ("vary", "where") if getattr(spec, key)]
    if errors:
        raise SpecErrors(errors)
    check_expectations(spec.expect, graph, source)  # stated results hold in either form
    given_values(spec.values, graph, source)


def _nested_shape(value: Any) -> list[int]:
    if not isinstance(value, list):
        return []
    inner = {tuple(_nested_shape(v)) for v in value}
    return [len(value), *inner.pop()] if len(inner) == 1 else [len(value), -1]


def _value_shapes(spec: GradientSpec, graph: Graph, source: Source) -> list[SpecError]:
    """A matrix given with the wrong shape: its key and both shapes."""
    out = []
    for name, value in spec.values.items():
        array = graph.arrays.get(name)
        if array is None:
            continue
        declared = [len({idx[a] for idx in array}) for a in range(len(next(iter(array))))]
        given = _nested_shape(value)
        if given != declared:
            shown = "ragged rows" if -1 in given else str(given)
            out.append(SpecError(source.at(("values", name)), f"values.{name} has shape "
                                 f"{shown}, but {name} is declared with shape {declared}",
                                 f"give {declared[0]} rows" + (
                                     f" of {declared[1]} numbers" if len(declared) > 1 else "")))
    return out


def solve(spec: GradientSpec, graph: Graph) -> Solution:
    m = mats(graph)
    sections = [model_section(m), gradient_section(m)]
    point = values_point(spec.values, graph) if spec.values else None
    complete = point is not None and all(s in point for s in _leaves(m))
    if complete:
        assert point is not None
        # Data written as decimals print so, and results of them that terminate: per
        # matrix, never sheet-wide (the ½ of a formula stays ½; parts/matrix_display.py).
        sections.append(numbers_section(graph, m, point, spec.precision,
                                        written_as_decimals(spec.values, graph)))
    if applies(m):
        sections.append(closed_form_section(graph, m, point if complete else None,
                                            spec.precision))
    # n is a symbol on the page (1/n) whose value each block carries (Block.extra).
    return Solution(spec.id, spec.kind, tuple(sections), _answers(m, spec, graph), {N: "n"})


def _leaves(m: Mats) -> list[Symbol]:
    cells = [*m.X.grid, *m.W.grid, *m.Y.grid, *(m.b.grid if m.b is not None else [])]
    for h in m.hidden:
        cells += [*h.V.grid, *(h.c.grid if h.c is not None else [])]
    lam = list(m.lam.free_symbols) if m.lam is not None else []
    return [c for c in cells if isinstance(c, Symbol)] + lam


def _answers(m: Mats, spec: GradientSpec, graph: Graph) -> dict[str, sympy.Basic]:
    """∂L/∂v for every entry asked for, over the graph's nodes (as the scalar form)."""
    d = delta(m)
    names = {m.W: m.fact.names["weights"]}
    pairs = [(m.W, weight_formula(m, d))]
    if m.b is not None:
        names[m.b] = m.fact.names["bias"]
        pairs.append((m.b, bias_formula(d, m)))
    for h, fact in zip(m.hidden, m.fact.hidden, strict=True):
        names[h.V] = fact.names["weights"]
        if h.c is not None:
            names[h.c] = fact.names["bias"]
    found = _partials(m, graph, d)
    for h, steps in hidden_backward(m, d):
        for lhs, rhs in steps[:2]:  # ∂L/∂H, then ∂L/∂A, top down: each over the one above
            found |= dict(zip(lhs.grid, [e.xreplace(found) for e in entries(rhs)],
                              strict=True))
        for target, (_, formula) in zip((h.V, h.c), steps[2:], strict=False):
            if target is not None:
                pairs.append((target, formula))
    wanted = set(spec.wrt)
    return {str(Derivative(graph.loss, sym)): value.xreplace(found)
            for target, formula in pairs if names[target] in wanted
            for sym, value in zip(target.grid, entries(formula), strict=True)}


def _partials(m: Mats, graph: Graph, d: sympy.Basic) -> dict[sympy.Basic, sympy.Basic]:
    """δ's entries worked out: (1/n)(p − y) holds for any y; softmax's (1/n)(P − Y) only
    when each row of Y sums to 1, so its Δ is the scalar backprop's (true for any Y)."""
    if m.vector:
        c = scale(m).xreplace({N: sympy.Integer(m.fact.n)})
        return {e: c * (p - y) for e, p, y in zip(d.grid, m.P.grid, m.Y.grid, strict=True)}
    logits = list(m.Z.grid)
    found = deltas(graph, logits)
    return {Derivative(graph.loss, z): found[z] for z in logits}
