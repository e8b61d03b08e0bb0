"""One printed ∂c/∂v, one quantity: a sheet may not use it for both meanings.

`∂c/∂v` on a page is either c's local partial (along the edge c → v, as the path sums and
the local-derivative lines write it) or the total derivative (backprop's δ, `Total`; any
lhs outside `LOCAL_RULES`). The two differ when v also reaches c through another node
(L = ½(h₁−y)² + ½(h₂−y)² + … uses h₁ directly and through h₂). A sheet that printed
both under the same notation would let a student read one for the other, though each
line was checked in its own meaning; such a sheet is refused at the second use.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy
from sympy import Derivative, Symbol

from generator.algebra.notation import Total
from generator.algebra.trace import Step
from generator.graph.model import Graph

Key = tuple[sympy.Basic, sympy.Basic]  # (c, v) of a printed ∂c/∂v


def _meanings(step: Step, local_rules: frozenset[str]) -> Iterable[tuple[Key, str]]:
    """(∂c/∂v, "local" or "total") for each single partial of a name the step prints."""
    if isinstance(step.lhs, Derivative) and len(step.lhs.variables) == 1:
        yield ((step.lhs.expr, step.lhs.variables[0]),
               "local" if step.rule in local_rules else "total")
    for d in step.rhs.atoms(Derivative):
        if len(d.variables) == 1 and isinstance(d.expr, Symbol):
            # A plain one along an edge is the local partial (check.verify.Meaning.partial).
            yield (d.expr, d.variables[0]), "total" if isinstance(d, Total) else "edge"


def _differ(graph: Graph, key: Key) -> bool:
    """Does ∂c/∂v's local partial differ from the total: v also reaches c another way?"""
    c, v = key
    body = graph.nodes.get(c) if isinstance(c, Symbol) else None
    if body is None or v not in body.free_symbols:
        return False
    return any(v in graph.inline_above(d, v).free_symbols
               for d in graph.deps(c) if d != v and d in graph.nodes)


def clash(steps: Iterable[Step], graph: Graph, local_rules: frozenset[str]
          ) -> tuple[int, Key] | None:
    """The first step (numbered from 1) that prints a ∂c/∂v the sheet already used in the
    other meaning, and that ∂c/∂v."""
    seen: dict[Key, set[str]] = {}
    for index, step in enumerate(steps, 1):
        for key, kind in _meanings(step, local_rules):
            meaning = "local" if kind in ("local", "edge") else "total"
            if kind == "edge" and not _differ(graph, key):
                continue  # a plain partial with no other route: local and total agree
            uses = seen.setdefault(key, set())
            uses.add(meaning)
            if len(uses) == 2 and _differ(graph, key):
                return index, key
    return None
