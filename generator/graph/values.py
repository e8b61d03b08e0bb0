"""`values:` of a graph problem: numbers for leaves, read as exact rationals, and the
given values written out as LaTeX (arrays as matrices).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sympy
from sympy import Symbol

from generator.algebra.expr import ExprError
from generator.algebra.numbers import Point, as_decimal, number
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.spec.source import Source


def given_values(values: Mapping[str, Any], graph: Graph, source: Source,
                 key: str = "values") -> Point:
    """`values:` as {leaf symbol: Rational}; arrays take rows (`a: [[1, 2], [3, 4]]`)."""
    point: Point = {}
    errors: list[SpecError] = []
    for name, value in values.items():
        try:
            point.update(_one_value(name, value, graph))
        except ExprError as exc:
            errors.append(SpecError(source.at((key, name)), exc.message, exc.hint))
    if errors:
        raise SpecErrors(errors)
    return point


def values_point(values: Mapping[str, Any], graph: Graph) -> Point:
    """Like `given_values` for values already checked: no source needed."""
    point: Point = {}
    for name, value in values.items():
        point.update(_one_value(name, value, graph))
    return point


def written_as_decimals(values: Mapping[str, Any], graph: Graph) -> frozenset[Symbol]:
    """Leaves the author gave as decimals (0.5): shown as decimals, not as 1/2."""
    out: set[Symbol] = set()
    for name, value in values.items():
        flat = _flatten(value)
        symbols = list(graph.arrays[name].values()) if name in graph.arrays else [
            graph.names[name]]
        out.update(s for s, v in zip(symbols, flat, strict=False) if isinstance(v, float))
    return frozenset(out)


def _one_value(name: str, value: Any, graph: Graph) -> Point:
    if name in graph.arrays:
        array = graph.arrays[name]
        flat = _flatten(value)
        if len(flat) != len(array):
            raise ExprError(f"{name!r} has {len(array)} elements, got {len(flat)} values",
                            "give one row per index, e.g. [[1, 2], [3, 4]]")
        return {sym: number(v) for sym, v in zip(array.values(), flat, strict=True)}
    sym = graph.names.get(name)
    if sym is None or graph.roles.get(sym) not in ("input", "param", "hyper"):
        raise ExprError(f"{name!r} is not an input, param or hyper",
                        "values are given to leaves of the graph")
    if isinstance(value, list):
        raise ExprError(f"{name!r} is a single number, not a list")
    return {sym: number(value)}


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in _flatten(item)]
    return [value]


def leaves_needed(graph: Graph, expr: sympy.Basic) -> list[Symbol]:
    """Input/param/hyper leaves an expression depends on, in declaration order."""
    free = graph.inline(expr).free_symbols
    return [s for s, r in graph.roles.items() if r in ("input", "param", "hyper") and s in free]


def values_latex(graph: Graph, point: Mapping[Symbol, sympy.Basic],
                 printer: Callable[[sympy.Basic], str],
                 decimals: frozenset[Symbol] = frozenset()) -> str:
    """`a = [[…]], w_a = 1, …`: the numbers of a variant, arrays as matrices."""
    def tex(sym: Symbol) -> str:
        value = point[sym]
        return printer(as_decimal(value) if sym in decimals else value)

    parts: list[str] = []
    in_array = {s for arr in graph.arrays.values() for s in arr.values()}
    for array in graph.arrays.values():
        if not all(s in point for s in array.values()):
            continue
        rows: dict[int, list[str]] = {}
        for index, sym in array.items():
            rows.setdefault(index[0], []).append(tex(sym))
        body = r" \\ ".join(" & ".join(r) for r in rows.values())
        base = graph.latex[next(iter(array.values()))].split("_{")[0]
        parts.append(rf"{base} = \begin{{bmatrix}} {body} \end{{bmatrix}}")
    for sym, role in graph.roles.items():
        if role in ("input", "param", "hyper") and sym in point and sym not in in_array:
            parts.append(f"{graph.latex[sym]} = {tex(sym)}")
    return r",\quad ".join(parts)


def needed_nodes(graph: Graph, exprs: list[sympy.Basic]) -> list[Symbol]:
    """Nodes the expressions use, directly or through other nodes, in topological order."""
    seen: set[Symbol] = set()
    todo = [s for e in exprs for s in e.free_symbols if s in graph.nodes]
    while todo:
        sym = todo.pop()
        if sym not in seen:
            seen.add(sym)
            todo.extend(d for d in graph.deps(sym) if d in graph.nodes)
    return [n for n in graph.nodes if n in seen]
