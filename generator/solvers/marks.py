"""`points:` of a problem: how much each part (each answer) is worth in an LMS export.

A part is one answer of a variant: ∂L/∂w11 of a gradient problem, b^(1) of an SGD step.
`points: 2` gives every part 2; `points: {w11: 2, b: 1}` names parts by their parameter,
and an array's name (`w`) covers its elements. Parts left out get 1.
"""

from __future__ import annotations

from sympy import Derivative

from generator.errors import SpecError
from generator.graph.model import Graph
from generator.spec.models import GraphSpec
from generator.spec.source import Source

DEFAULT = 1.0


def _params(graph: Graph) -> list[str]:
    return [s.name for s, role in graph.roles.items() if role == "param"]


def part_of(graph: Graph, key: str) -> str | None:
    """The parameter an answer key is about: `Derivative(MSE, w11)` → w11, `b^(1)` → b."""
    for name in _params(graph):
        if key in (str(Derivative(graph.loss, graph.names[name])), f"{name}^(1)"):
            return name
    return None


def _array_of(graph: Graph, name: str) -> str | None:
    return next((a for a, elements in graph.arrays.items()
                 if name in {s.name for s in elements.values()}), None)


def points_of(spec: GraphSpec, graph: Graph, keys: list[str]) -> list[float]:
    """The points of each answer key, in order."""
    if spec.points is None:
        return [DEFAULT] * len(keys)
    if not isinstance(spec.points, dict):
        return [float(spec.points)] * len(keys)
    given = spec.points
    out = []
    for key in keys:
        name = part_of(graph, key)
        array = _array_of(graph, name) if name is not None else None
        if name is not None and name in given:
            out.append(float(given[name]))
        elif array is not None and array in given:
            out.append(float(given[array]))
        else:
            out.append(DEFAULT)
    return out


def problems_of(spec: GraphSpec, graph: Graph, source: Source) -> list[SpecError]:
    """Each name under `points:` is a parameter (or an array of them)."""
    if not isinstance(spec.points, dict):
        return []
    params = _params(graph)
    arrays = sorted({a for a in (_array_of(graph, n) for n in params) if a is not None})
    known = {*params, *arrays}
    return [SpecError(source.at(("points", name)), f"{name} is not a parameter",
                      "points are given per parameter: " + ", ".join([*arrays, *params]))
            for name in spec.points if name not in known]


def shown(points: float) -> str:
    """2.0 → "2", 0.5 → "0.5" (as a sheet or an LMS prints it)."""
    return str(int(points)) if float(points).is_integer() else repr(float(points))
