"""What a review knows before it reads a submission: a problem file, `--define`, front matter.

A problem file gives its symbols under every spelling (its name `yy` and its LaTeX `y`),
its nodes as definitions, its constants as given values, and for each parameter it solves
the verified gradient, so a submission's final result can be compared with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sympy

from generator.algebra.latex_names import Vocabulary
from generator.algebra.reader import ReadError, read, spelled_name
from generator.errors import SolgenError
from generator.review.meaning import Scope


@dataclass(frozen=True)
class Truth:
    """solgen's verified answer for ∂loss/∂param: the value and the line solgen prints."""

    loss: sympy.Symbol
    wrt: sympy.Symbol
    value: Any
    latex: str


@dataclass
class Setup:
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    scope: Scope = field(default_factory=Scope)
    reserved: set[sympy.Symbol] = field(default_factory=set)  # the document cannot redefine
    truths: list[Truth] = field(default_factory=list)
    problem: str = ""
    seconds: float = 5.0  # symbolic work allowed per link


class DefineError(SolgenError):
    """A `--define` or front-matter definition that cannot be read."""


def from_problem(path: Path, seconds: float = 60.0) -> Setup:
    from generator.algebra.printing import to_latex
    from generator.graph.model import default_latex
    from generator.solvers.problem import prepare

    problem = prepare(path)
    graph = problem.graph
    symbols: dict[str, sympy.Symbol] = {}
    named = {**graph.names, **{sym.name: sym for sym in graph.latex}}  # with o_ij, W_ij
    for name, sym in named.items():
        symbols[name] = sym
        spelled = spelled_name(graph.latex.get(sym) or default_latex(name))
        if spelled:
            symbols.setdefault(spelled, sym)
    vocabulary = Vocabulary(symbols, frozenset(n for n in symbols if len(n) > 1))
    scope = Scope(definitions=dict(graph.nodes), data=dict(graph.constants))
    truths = []
    for lhs, rhs in _final_steps(problem.solution):
        wrt = lhs.variables[0]
        if lhs.expr != graph.loss:
            continue
        value = graph.inline(sympy.diff(graph.inline_above(graph.loss, wrt), wrt))
        truths.append(Truth(graph.loss, wrt, value, to_latex(lhs, graph.latex) + " = "
                            + to_latex(rhs, graph.latex)))
    # Nodes are the problem's to define; a leaf (y, w_a) may be given a value by the text.
    reserved = set(graph.nodes)
    return Setup(vocabulary, scope, reserved, truths, str(path))


def _final_steps(solution: Any) -> list[Any]:
    """The last symbolic line of each ∂loss/∂param the solution derives."""
    last: dict[Any, tuple[Any, Any]] = {}
    for section in solution.sections:
        for block in section.blocks:
            if block.at:
                continue  # a line at numbers: the symbolic answer is the one to show
            current = None
            for step in block.steps:
                if step.lhs is not None:
                    current = step.lhs if (isinstance(step.lhs, sympy.Derivative)
                                           and len(step.lhs.variables) == 1) else None
                if current is not None:
                    last[current] = (current, step.rhs)
    return list(last.values())




def with_definitions(setup: Setup, pairs: Iterable[tuple[str, str]], where: str) -> Setup:
    """`s=\\sigma(x)` pairs (from --define or front matter) added as definitions."""
    scope = setup.scope.child()
    reserved = set(setup.reserved)
    for name, text in pairs:
        try:
            lhs = read(name, setup.vocabulary)
            rhs = read(text, setup.vocabulary)
        except ReadError as exc:
            raise DefineError(f"{where}: cannot read the definition {name} = {text}: {exc}\n"
                              "  hint: write it in LaTeX, e.g. --define 's=\\sigma(x)'") from None
        if not isinstance(lhs, sympy.Symbol):
            raise DefineError(f"{where}: {name} is not a name; only a name can be defined")
        if rhs.is_number and not isinstance(rhs, sympy.MatrixBase):
            scope.data[lhs] = rhs
        else:
            scope.definitions[lhs] = rhs
        reserved.add(lhs)
    return replace(setup, scope=scope, reserved=reserved)


def parse_defines(values: Iterable[str]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise DefineError(f"--define {value}: expected NAME=EXPR, e.g. --define 's=\\sigma(x)'")
        pairs.append((name.strip(), text.strip()))
    return pairs


def front_definitions(front: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`define: {s: "\\sigma(x)"}` in a submission's front matter."""
    found = front.get("define") or front.get("definitions") or {}
    if not isinstance(found, Mapping):
        return []
    return [(str(k), str(v)) for k, v in found.items()][:200]
