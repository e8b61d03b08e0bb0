"""A problem file taken through the pipeline: spec → graph → verified solution."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sympy

from generator.algebra.trace import Solution, Step
from generator.check import points
from generator.check.verify import check, refusing_numeric
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
    # The verifier's points come from the file's bytes (check/points.py): read them again
    # here rather than carry them through the loader.
    with points.problem_text(path.read_bytes()):
        registry.validate(spec, graph, source)
        if isinstance(spec, GraphSpec):  # what a class is handed: statement slots, points
            handed = statement.problems_of(spec, graph, source) + marks.problems_of(
                spec, graph, source)
            if handed:
                raise SpecErrors(handed)
        solution, failures = check(registry.solve(spec, graph), graph)
    if failures:
        raise StepCheckError(_failure_report(source, graph, failures, solution=solution),
                             trace=solution.to_text(evidence=True))
    if refusing_numeric():
        _refuse_numeric(source, graph, solution)
    return Problem(source.path, source, spec, graph, solution)


def _refuse_numeric(source: Source, graph: Graph, solution: Solution) -> None:
    """`check --strict`: a step that only agrees at sample points stops the problem."""
    numeric = [(i, st) for i, st in enumerate(solution.steps(), 1)
               if st.check is not None and st.check.only_numeric]
    if numeric:
        raise StepCheckError(_failure_report(source, graph, numeric, "is only checked "
                                             "numerically, not proved (--strict)", solution))


def _failure_report(source: Source, graph: Graph, failures: list[tuple[int, Step]],
                    verdict: str = "does not follow", solution: Solution | None = None) -> str:
    lines = []
    owners = _owners(solution) if solution is not None else {}
    for index, step in failures:
        lhs = step.lhs
        where = Location(source.path, step_line(source, graph, lhs if lhs is not None
                                                else owners.get(index)))
        detail = step.check.detail if step.check else ""
        lines.append(f"{where}: step {index} ({step.rule}): {lhs if lhs is not None else '…'} "
                     f"{step.relation} {step.rhs} {verdict}\n  {detail}")
    return "\n".join(lines)


def step_line(source: Source, graph: Graph, lhs: sympy.Basic | None) -> int | None:
    """The line of the node or key that produced a step with this lhs: the node itself, the
    node differentiated (∂p₂/∂z₂ → p₂), `loss:` for ∂L/∂w when L has no line of its own,
    else the `kind:` line."""
    node = lhs.expr if isinstance(lhs, sympy.Derivative) else lhs
    if isinstance(node, sympy.Symbol) and graph.lines.get(node):
        return graph.lines[node]
    if node is not None and node == graph.loss:
        return source.line(("loss",)) or source.line(("kind",))
    return source.line(("kind",))


def _owners(solution: Solution) -> dict[int, sympy.Basic | None]:
    """For each step (numbered from 1 as `check` numbers them), the lhs it continues."""
    owners: dict[int, sympy.Basic | None] = {}
    index = 0
    for section in solution.sections:
        for block in section.blocks:
            owner = None
            for step in block.steps:
                index += 1
                owner = step.lhs if step.lhs is not None else owner
                owners[index] = owner
    return owners
