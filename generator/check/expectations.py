"""`expect:` — results an author states in the spec, each checked like a step."""

from __future__ import annotations

from collections.abc import Callable

import sympy

from generator.algebra.expr import ExprError, parse
from generator.check.verify import Meaning, equal_lists, refusing_numeric
from generator.errors import SpecError, SpecErrors, StepCheckError
from generator.graph.model import Graph
from generator.spec.source import Source


def _derivative() -> Callable[..., sympy.Basic]:
    def build(expr: sympy.Basic, *variables: sympy.Basic) -> sympy.Basic:
        if not variables or not all(isinstance(v, sympy.Symbol) for v in variables):
            raise ValueError("Derivative(f, x) takes declared names")
        return sympy.Derivative(expr, *variables)

    return build


def check_expectations(expect: dict[str, str | int | float], graph: Graph,
                       source: Source) -> None:
    """`expect:` lines the author states; a wrong one is reported with a counterexample."""
    errors: list[str] = []
    calls = {"Derivative": _derivative()}
    # Declared constants keep their values (n: 1 makes −2(y − ŷ) right): a constant is
    # inlined like a node, so no counterexample ever assigns it another value.
    meaning = Meaning(graph, dict(graph.constants))
    for key, value in expect.items():
        where = source.at(("expect", key))
        try:
            lhs = parse(key, graph.names, calls)
            rhs = parse(value, graph.names, calls)
        except ExprError as exc:
            raise SpecErrors([SpecError(where, exc.message, exc.hint)]) from None
        result = equal_lists(meaning.of(rhs), meaning.of(lhs, lhs=True))
        if result.status == "failed":
            errors.append(f"{where}: expected value does not follow\n"
                          f"  stated:   {key} = {value}\n"
                          f"  computed: {key} = {_in_nodes(lhs, graph)}\n"
                          f"  counterexample {result.detail}")
        elif result.only_numeric and refusing_numeric():
            errors.append(f"{where}: expected value is only checked numerically, not proved "
                          f"(--strict)\n  stated:   {key} = {value}\n  {result.detail}")
    if errors:
        raise StepCheckError("\n".join(errors))


def _in_nodes(lhs: sympy.Basic, graph: Graph) -> sympy.Basic:
    """∂f/∂v written over the graph's nodes where it can be (2(ŷ − y)/n, not 19 leaves)."""
    if isinstance(lhs, sympy.Derivative) and len(lhs.variables) == 1:
        var = lhs.variables[0]
        return sympy.factor(sympy.diff(graph.inline_above(lhs.expr, var), var))
    return graph.inline(lhs)
