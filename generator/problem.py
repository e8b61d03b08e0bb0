"""A problem file taken through the pipeline: spec → graph → verified solution."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from generator import marks, solvers, statement
from generator.errors import Location, SpecErrors, StepCheckError
from generator.graph import Graph, compile_graph
from generator.render import view
from generator.source import Source
from generator.spec import AnySpec, GraphSpec, load, localized
from generator.trace import Solution, Step
from generator.verify import check


@dataclass(frozen=True)
class Problem:
    path: str
    source: Source
    spec: AnySpec
    graph: Graph
    solution: Solution

    def title(self, lang: str) -> str:
        return localized(self.spec.title, lang)

    def view(self, lang: str) -> dict[str, Any]:
        return view(self.solution, self.graph.latex, lang, self.title(lang))


def prepare(path: Path, display: str | None = None) -> Problem:
    """Load, solve and verify one problem file; raise SolgenError on any failure."""
    source, spec = load(path, display)
    graph = compile_graph(spec, source) if isinstance(spec, GraphSpec) else Graph()
    solvers.validate(spec, graph, source)
    if isinstance(spec, GraphSpec):  # what a class is handed: statement slots, points
        handed = statement.problems_of(spec, graph, source) + marks.problems_of(
            spec, graph, source)
        if handed:
            raise SpecErrors(handed)
    solution, failures = check(solvers.solve(spec, graph), graph)
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
