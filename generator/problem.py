"""A problem file taken through the pipeline: spec → graph → verified solution."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sympy

from generator.errors import Location, SpecError, SpecErrors, StepCheckError
from generator.expr import ExprError, parse
from generator.graph import Graph, compile_graph
from generator.render import view
from generator.solvers import solve
from generator.source import Source
from generator.spec import GradientSpec, SgdSpec, load, localized
from generator.trace import Solution, Step
from generator.verify import Meaning, check, equal_lists


@dataclass(frozen=True)
class Problem:
    path: str
    source: Source
    spec: GradientSpec | SgdSpec
    graph: Graph
    solution: Solution

    def title(self, lang: str) -> str:
        return localized(self.spec.title, lang)

    def view(self, lang: str) -> dict[str, object]:
        return view(self.solution, self.graph.latex, lang, self.title(lang))


def prepare(path: Path, display: str | None = None) -> Problem:
    """Load, solve and verify one problem file; raise SolgenError on any failure."""
    source, spec = load(path, display)
    graph = compile_graph(spec, source)
    if isinstance(spec, GradientSpec):
        _check_names(spec, graph, source)
        _check_expectations(spec, graph, source)
    else:
        _check_sgd_names(spec, graph, source)
    solution, failures = check(solve(spec, graph), graph)
    if failures:
        raise StepCheckError(_failure_report(source, graph, failures))
    return Problem(source.path, source, spec, graph, solution)


def _check_names(spec: GradientSpec, graph: Graph, source: Source) -> None:
    errors = [SpecError(source.at(("wrt", i)), f"{name!r} is not a parameter",
                        "wrt lists names declared under params")
              for i, name in enumerate(spec.wrt)
              if graph.roles.get(graph.names.get(name)) != "param"]
    if errors:
        raise SpecErrors(errors)


def _check_sgd_names(spec: SgdSpec, graph: Graph, source: Source) -> None:
    errors = []
    if graph.roles.get(graph.names.get(spec.output)) != "node":
        errors.append(SpecError(source.at(("output",)), f"{spec.output!r} is not a node"))
    for key, role, table in (("data", "input", spec.data), ("init", "param", spec.init)):
        declared = {n for n, r in graph.roles.items() if r == role}
        for name in table:
            if graph.names.get(name) not in declared:
                errors.append(SpecError(source.at((key, name)), f"{name!r} is not an {role}"
                                        if role == "input" else f"{name!r} is not a param"))
        for sym in sorted(declared - {graph.names[n] for n in table if n in graph.names}, key=str):
            errors.append(SpecError(source.at((key,)), f"no value for {sym.name!r}",
                                    f"give every {role} a value under {key}:"))
    try:
        parse(spec.lr, graph.names)
    except ExprError as exc:
        errors.append(SpecError(source.at(("lr",)), exc.message, exc.hint))
    if errors:
        raise SpecErrors(errors)


def _derivative(graph: Graph) -> object:
    def build(expr: sympy.Basic, *variables: sympy.Basic) -> sympy.Basic:
        if not variables or not all(isinstance(v, sympy.Symbol) for v in variables):
            raise ValueError("Derivative(f, x) takes declared names")
        return sympy.Derivative(expr, *variables)

    return build


def _check_expectations(spec: GradientSpec, graph: Graph, source: Source) -> None:
    """`expect:` lines the author states; a wrong one is reported with a counterexample."""
    errors: list[str] = []
    calls = {"Derivative": _derivative(graph)}
    meaning = Meaning(graph, {})
    for key, value in spec.expect.items():
        where = source.at(("expect", key))
        try:
            lhs = parse(key, graph.names, calls)
            rhs = parse(value, graph.names, calls)
        except ExprError as exc:
            raise SpecErrors([SpecError(where, exc.message, exc.hint)]) from None
        result = equal_lists(meaning.of(rhs), meaning.of(lhs, lhs=True))
        if result.status == "failed":
            errors.append(f"{where}: expected value does not follow\n"
                          f"  stated:   {key} = {rhs}\n"
                          f"  computed: {key} = {sympy.simplify(meaning.of(lhs, lhs=True)[0])}\n"
                          f"  counterexample {result.detail}")
    if errors:
        raise StepCheckError("\n".join(errors))


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
