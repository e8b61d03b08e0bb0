"""The class answer key of a sheet's packets: `answers.json` and `answers.csv`.

One entry per student (or numbered variant) across the sheet's parts with `vary:`. The
JSON keeps, per part, what a single problem's key keeps (variants/key.py: exact drawn
values, each answer's sympy string, LaTeX and decimal); `values` at the top is the
student's one data set (a name several parts vary has one value). The CSV has one row per
student: the drawn values as decimals, then every part's answers, headed `(1) key`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from generator.solvers.problem import Problem
from generator.solvers.sheet import Sheet
from generator.variants.key import BOM, text_cell, value_decimal
from generator.variants.packet import Packet
from generator.variants.solution import Solved


def _values(problem: Problem, solved: Solved) -> dict[str, Any]:
    point = solved.variant.drawn.point
    return {s.name: v for s, v in point.items() if problem.graph.roles.get(s) != "constant"}


def _drawn(parts: dict[str, Problem], solved: dict[str, Solved]) -> dict[str, Any]:
    """The names drawn for this packet (the same value in every part that varies them)."""
    return {s.name: v for n in parts for s, v in solved[n].variant.drawn.drawn}


def _entry(parts: dict[str, Problem], packet: Packet, solved: dict[str, Solved]
           ) -> dict[str, Any]:
    return {
        "variant": packet.label, "key": packet.key, "seed": packet.seed,
        "student": packet.student, "name": packet.name,
        "values": {k: str(v) for k, v in sorted(_drawn(parts, solved).items())},
        "parts": {n: {
            "problem": p.spec.id,
            "values": {k: str(v) for k, v in sorted(_values(p, solved[n]).items())},
            "answers": {a.key: {"sympy": a.sympy_text, "latex": a.latex, "decimal": a.decimal}
                        for a in solved[n].answers}} for n, p in parts.items()},
    }


def packet_json(sheet: Sheet, parts: dict[str, Problem], packets: list[Packet],
                solved: list[dict[str, Solved]], base_seed: int) -> str:
    data = {"sheet": sheet.spec.id, "base_seed": base_seed,
            "parts": {n: p.spec.id for n, p in parts.items()},
            "variants": [_entry(parts, k, s) for k, s in zip(packets, solved, strict=True)]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def packet_csv(parts: dict[str, Problem], packets: list[Packet],
               solved: list[dict[str, Solved]], bom: bool = False) -> str:
    """One row per packet: label, student, name, drawn values, every part's answers."""
    places = max((getattr(p.spec, "precision", 6) for p in parts.values()), default=6)
    drawn = [_drawn(parts, s) for s in solved]
    names = sorted({n for d in drawn for n in d})
    keys = [(n, a.key) for n in parts for a in solved[0][n].answers] if solved else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "student", "name", *names, *[f"({n}) {k}" for n, k in keys]])
    for packet, values, one in zip(packets, drawn, solved, strict=True):
        answers = {(n, a.key): a.decimal for n in parts for a in one[n].answers}
        writer.writerow([packet.label, text_cell(packet.student or ""),
                         text_cell(packet.name or ""),
                         *[value_decimal(values[n], places) if n in values else ""
                           for n in names], *[answers[k] for k in keys]])
    return (BOM if bom else "") + buffer.getvalue()
