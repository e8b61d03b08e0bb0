"""A problem file taken through the pipeline: spec → graph → verified solution."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from generator import points, solvers
from generator.errors import Location, StepCheckError
from generator.graph import Graph, compile_graph
from generator.render import view
from generator.source import Source
from generator.spec import AnySpec, GraphSpec, load, localized
from generator.trace import Solution, Step
from generator.verify import check, refusing_numeric


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
    # The verifier's points come from the file's bytes (points.py): read them again here
    # rather than carry them through the loader.
    with points.problem_text(path.read_bytes()):
        solvers.validate(spec, graph, source)
        solution, failures = check(solvers.solve(spec, graph), graph)
    if failures:
        raise StepCheckError(_failure_report(source, graph, failures))
    if refusing_numeric():
        numeric = [(i, st) for i, st in enumerate(solution.steps(), 1)
                   if st.check is not None and st.check.only_numeric]
        if numeric:
            raise StepCheckError(_failure_report(source, graph, numeric, "is only checked "
                                                 "numerically, not proved (--strict)"))
    return Problem(source.path, source, spec, graph, solution)


def _failure_report(source: Source, graph: Graph, failures: list[tuple[int, Step]],
                    verdict: str = "does not follow") -> str:
    lines = []
    for index, step in failures:
        lhs = step.lhs
        line = graph.lines.get(lhs) if isinstance(lhs, sympy.Symbol) else None
        where = Location(source.path, line or source.line(("kind",)))
        detail = step.check.detail if step.check else ""
        lines.append(f"{where}: step {index} ({step.rule}): {lhs if lhs is not None else '…'} "
                     f"{step.relation} {step.rhs} {verdict}\n  {detail}")
    return "\n".join(lines)
