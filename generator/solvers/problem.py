"""A problem file taken through the pipeline: spec → graph → verified solution."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sympy

from generator.algebra.trace import Solution, Step
from generator.check.verify import check
from generator.errors import Location, SpecErrors, StepCheckError
from generator.graph.model import Graph
from generator.solvers import marks, registry, statement
from generator.spec.models import AnySpec, GraphSpec, load, localized
from generator.spec.source import Source


@dataclass(frozen=True)
class Problem:
    path: str
    source: Source
    spec: AnySpec
    graph: Graph
    solution: Solution

    def title(self, lang: str) -> str:
        return localized(self.spec.title, lang)


def prepare(path: Path, display: str | None = None) -> Problem:
    """Load, solve and verify one problem file; raise SolgenError on any failure."""
    source, spec = load(path, display)
    graph = registry.graph(spec, source)
    registry.validate(spec, graph, source)
    if isinstance(spec, GraphSpec):  # what a class is handed: statement slots, points
        handed = statement.problems_of(spec, graph, source) + marks.problems_of(
            spec, graph, source)
        if handed:
            raise SpecErrors(handed)
    solution, failures = check(registry.solve(spec, graph), graph)
    if failures:
        raise StepCheckError(_failure_report(source, graph, failures))
    return Problem(source.path, source, spec, graph, solution)


def _failure_report(source: Source, graph: Graph, failures: list[tuple[int, Step]]) -> str:
    lines = []
    for index, step in failures:
        lhs = step.lhs
        line = graph.lines.get(lhs) if isinstance(lhs, sympy.Symbol) else None
        where = Location(source.path, line or source.line(("kind",)))
        detail = step.check.detail if step.check else ""
        lines.append(f"{where}: step {index} ({step.rule}): {lhs if lhs is not None else '…'} "
                     f"{step.relation} {step.rhs} does not follow\n  {detail}")
    return "\n".join(lines)
