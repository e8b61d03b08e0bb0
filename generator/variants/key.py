"""The class answer key: `answers.json` and `answers.csv`, one row per variant.

`answers.json` keeps everything exact: each answer as a sympy string that plain
`sympy.sympify` reads (σ written as 1/(1 + exp(-x))), its LaTeX and its decimal to the
problem's `precision` places; drawn values as exact strings ("3", "-1/2", "3/10"), seeds as
integers. `answers.csv` is for spreadsheets, which read "1/5" as a date and round a 20-digit
seed: drawn values and answers as decimals only, no seed (it stays in the JSON), optionally
with a byte order mark so Excel reads the UTF-8 names.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import mpmath
import sympy

from generator.algebra.numbers import decimal_text
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


BOM = "\ufeff"  # Excel takes a CSV for UTF-8 only when it starts with one


def value_decimal(value: sympy.Basic, places: int) -> str:
    """A drawn value as a spreadsheet number: exact when it has at most `places` decimals
    (-9/10 → -0.9, 2 → 2), else rounded to `places` (1/3 → 0.333333 with 6)."""
    exact = sympy.Rational(value)
    with mpmath.workdps(40):  # 40 digits: far beyond any `precision:` (at most 30)
        text = decimal_text(mpmath.mpf(exact.p) / exact.q, places)
    return text.rstrip("0").rstrip(".") if "." in text else text


def answers_csv(problem: Problem, solved: list[Solved], bom: bool = False) -> str:
    """One row per variant: label, student, name, the drawn values, each answer's decimal."""
    places = getattr(problem.spec, "precision", 6)
    points = [{s.name: v for s, v in one.variant.drawn.point.items()
               if problem.graph.roles.get(s) != "constant"} for one in solved]
    value_names = sorted({n for point in points for n in point})
    answer_keys = [a.key for a in solved[0].answers] if solved else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "student", "name", *value_names, *answer_keys])
    for one, point in zip(solved, points, strict=True):
        variant = one.variant
        writer.writerow([variant.label, text_cell(variant.student or ""),
                         text_cell(variant.name or ""),
                         *[value_decimal(point[n], places) if n in point else ""
                           for n in value_names],
                         *[a.decimal for a in one.answers]])
    return (BOM if bom else "") + buffer.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def text_cell(cell: str) -> str:
    """A roster cell as text, never a formula (OWASP: a leading ' makes it text).

    Only the roster's cells can carry someone else's text; the computed cells (decimals)
    start with "-" when negative and stay numbers a spreadsheet can use.
    """
    return "'" + cell if cell.startswith(_FORMULA) else cell
