"""The machine-readable answer key (`--format json`).

Expressions are sympy strings that plain `sympy.sympify` reads back: σ is written as
1/(1 + exp(-x)), so no solgen import is needed to check an answer.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from generator.algebra.numbers import DPS
from generator.algebra.printing import to_latex
from generator.algebra.trace import Solution
from generator.solvers.problem import Problem
from generator.solvers.sheet import Sheet
from generator.theme.messages import Voice
from generator.theme.theme import Theme
from generator.variants.slots import symbol_text


def portable(expr: sympy.Basic) -> str:
    # σ, relu, softmax … each know their form in plain sympy functions (functions.py).
    plain = expr.replace(lambda e: callable(getattr(e, "plain", None)), lambda e: e.plain())
    return str(PortablePrinter().doprint(plain))


class PortablePrinter(StrPrinter):  # type: ignore[misc]  # sympy is untyped
    """`str(expr)`, except that a name plain sympify would misread is `Symbol('name')`."""

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return symbol_text(expr.name)


def answer_key(problem: Problem, voice: Voice) -> dict[str, Any]:
    """The key of one problem; `voice` words each step's reason (`why`)."""
    graph, solution = problem.graph, problem.solution
    names = {**graph.latex, **solution.names}
    steps = [{
        "rule": st.rule,
        "why": voice.say("rules", st.rule, {k: to_latex(v, names) for k, v in st.params.items()}),
        "lhs": None if st.lhs is None else str(st.lhs),
        "relation": st.relation,
        "rhs": str(st.rhs),
        "latex": to_latex(st.rhs, names),
        "check": st.check.status if st.check else None,
        # What showed it: the proof's rung, or how far numeric agreement went.
        "evidence": st.check.evidence() if st.check else None,
    } for st in solution.steps()]
    return {
        "id": problem.spec.id,
        "kind": problem.spec.kind,
        "loss": graph.loss.name if graph.loss in graph.nodes else None,
        "leaves": {s.name: r for s, r in graph.roles.items() if r != "node"},
        "constants": {s.name: portable(v) for s, v in graph.constants.items()},
        "nodes": {s.name: portable(e) for s, e in graph.nodes.items()},
        "answers": {k: portable(graph.inline(v)) for k, v in solution.answers.items()},
        "answers_in_nodes": {k: portable(v) for k, v in solution.answers.items()},
        "answers_latex": {k: to_latex(v, names) for k, v in solution.answers.items()},
        "where": {k: portable(v) for k, v in solution.defs.items()},
        "verification": verification(solution),
        "steps": steps,
    }


def verification(solution: Solution) -> dict[str, Any]:
    """How the steps were checked (issue 15: the student's page says only "checked")."""
    checks = [st.check for st in solution.steps() if st.check]
    methods = Counter(f"{c.status}: {c.method}" for c in checks)
    return {"steps": len(solution.steps()),
            "proved": sum(1 for c in checks if c.status == "proved"),
            "numeric": sum(1 for c in checks if c.status == "numeric"),
            "engines": {"symbolic": "sympy", "numeric": f"mpmath, {DPS} significant digits"},
            "methods": dict(sorted(methods.items()))}


def to_json(problem: Problem | Sheet, theme: Theme) -> str:
    """The answer key as JSON; the reasons are in English (the key is language-free)."""
    voice = theme.voice("en")
    if isinstance(problem, Sheet):
        data = {"id": problem.spec.id, "kind": "sheet",
                "parts": {e.number: answer_key(e.problem, voice) for e in problem.entries
                          if e.problem is not None}}
    else:
        data = answer_key(problem, voice)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
