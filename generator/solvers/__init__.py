"""One solver per problem kind; each turns a compiled problem into a Solution."""

from __future__ import annotations

from generator.graph import Graph
from generator.spec import GradientSpec, SgdSpec
from generator.trace import Solution


def solve(spec: GradientSpec | SgdSpec, graph: Graph) -> Solution:
    if isinstance(spec, GradientSpec):
        from generator.solvers.gradient import solve_gradient

        return solve_gradient(spec, graph)
    from generator.solvers.sgd import solve_sgd

    return solve_sgd(spec, graph)
