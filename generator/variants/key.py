"""The class answer key: `answers.json` and `answers.csv`, one row per variant.

Each answer is given three ways: a sympy string that plain `sympy.sympify` reads (σ written
as 1/(1 + exp(-x))), its LaTeX, and its decimal to the problem's `precision` places.
Drawn values are exact strings ("3", "-1/2", "0.3" is written "3/10").
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from generator.solvers.problem import Problem
from generator.variants.solution import Solved


def _row(problem: Problem, solved: Solved) -> dict[str, Any]:
    variant = solved.variant
    graph = problem.graph
    values = {s.name: str(v) for s, v in variant.drawn.point.items()
              if graph.roles.get(s) != "constant"}
    return {
        "variant": variant.label,
        "key": variant.key,
        "seed": variant.seed,
        "student": variant.student,
        "name": variant.name,
        "values": dict(sorted(values.items())),
        "drawn": [s.name for s, _ in variant.drawn.drawn],
        "answers": {a.key: {"sympy": a.sympy_text, "latex": a.latex,
                            "decimal": a.decimal} for a in solved.answers},
    }


def answers_json(problem: Problem, solved: list[Solved], base_seed: int) -> str:
    data = {"problem": problem.spec.id, "base_seed": base_seed,
            "decimal_places": solved[0].answers[0].digits if solved else None,
            "constants": {s.name: str(v) for s, v in problem.graph.constants.items()},
            "variants": [_row(problem, one) for one in solved]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def answers_csv(problem: Problem, solved: list[Solved]) -> str:
    rows = [_row(problem, one) for one in solved]
    value_names = sorted({n for r in rows for n in r["values"]})
    answer_keys = list(rows[0]["answers"]) if rows else []
    head = ["variant", "student", "name", "seed", *value_names]
    for key in answer_keys:
        head += [f"{key} decimal", f"{key} sympy", f"{key} latex"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(head)
    for r in rows:
        line = [r["variant"], _text(r["student"] or ""), _text(r["name"] or ""), str(r["seed"])]
        line += [r["values"].get(n, "") for n in value_names]
        for key in answer_keys:
            a = r["answers"][key]
            line += [a["decimal"], a["sympy"], a["latex"]]
        writer.writerow(line)
    return buffer.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _text(cell: str) -> str:
    """A roster cell as text, never a formula (OWASP: a leading ' makes it text).

    Only the roster's cells can carry someone else's text; the computed cells (decimals,
    sympy, LaTeX) start with "-" when negative and stay numbers a spreadsheet can use.
    """
    return "'" + cell if cell.startswith(_FORMULA) else cell
