"""Local partials of an activation node written in the node's own name, as a course does.

p = σ(s) gives ∂p/∂s = p(1 − p) and h = tanh(a) gives ∂h/∂a = 1 − h²: once the node has a
name, writing σ(s)(1 − σ(s)) or 1 − tanh²(a) beside it would give one quantity two names in
one derivation. Shared by backpropagation and backpropagation through time.
"""

from __future__ import annotations

import sympy
from sympy import Add, Mul, Pow, Symbol

from generator.algebra.functions import sigmoid
from generator.graph.model import Graph


def in_own_name(graph: Graph, child: Symbol, var: Symbol) -> sympy.Basic | None:
    """∂child/∂var in child's name when child = σ(var) or tanh(var); None otherwise."""
    body = graph.nodes.get(child)
    if body is None or not body.args or body.args[0] != var:
        return None
    if isinstance(body, sigmoid):
        return Mul(child, Add(1, -child, evaluate=False), evaluate=False)
    if isinstance(body, sympy.tanh):
        return Add(1, Mul(-1, Pow(child, 2), evaluate=False), evaluate=False)
    return None
