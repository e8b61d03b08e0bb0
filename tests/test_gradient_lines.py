"""Gradient variants' numbers (variants/lines.py) print what a full solve of the variant prints.

A gradient variant is the symbolic solution proved once plus a numeric section built the
fast way: values with mpmath and Fraction, text by filling slots. Here each variant is also
made the slow way: its numbers written into the problem's `values:` (as an author would write
them: 3, 0.5, "3/2") and the problem solved and verified in full by the gradient solver
(`solvers/parts/substitution.numeric_section`). Every sheet, question and answer, in both
languages and in Markdown and LaTeX, must be the same bytes; so must the solution's step
checks. The draws cover negative, zero, integer and decimal values, y = 0 and 1, and a
pre-activation of 0 (σ(0) = 0.5 exactly, a branch of its own).
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy
from conftest import ROOT, variant_sheets

from generator.algebra.numbers import DPS
from generator.build.outputs import prepare_all
from generator.check.verify import check as verify_check
from generator.solvers import registry
from generator.variants.sampler import Sampler, Variant, numbered
from generator.variants.solution import Solved, Template

CONV = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
COUNT = 24


def _written(value: sympy.Rational, decimal: bool) -> int | float | str:
    """A drawn number as the author writes it: 3, 0.5 (a decimal leaf), "3/2"."""
    if decimal:
        return float(value)
    return int(value) if value.is_Integer else f"{value.p}/{value.q}"


def _values(template: Template, variant: Variant) -> dict[str, Any]:
    graph, point = template.problem.graph, variant.drawn.point
    values: dict[str, Any] = {}
    for name, array in graph.arrays.items():
        if all(s in point for s in array.values()):
            values[name] = [_written(point[s], s in template.decimals) for s in array.values()]
    in_arrays = {s for array in graph.arrays.values() for s in array.values()}
    for name, sym in graph.names.items():
        if sym in point and sym not in in_arrays and graph.roles.get(sym) != "constant":
            values[name] = _written(point[sym], sym in template.decimals)
    return values


def _in_full(template: Template, variant: Variant) -> Solved:
    """The variant solved and verified like a problem file that gives its numbers."""
    problem = template.problem
    spec = problem.spec.model_copy(update={"values": _values(template, variant)})
    solution, failed = verify_check(registry.solve(spec, problem.graph), problem.graph,
                                    template.proofs)
    assert failed == []
    with mpmath.workdps(DPS):
        args = template._args(variant.drawn.point)
        answers = tuple(template._answer(key, solution.answers[key], truth(*args))
                        for key, (_, truth) in template.truth.items())
    return Solved(variant, solution, answers, (), len(solution.steps()))


def _coverage(template: Template, variants: list[Variant]) -> None:
    """The draws reach what a printer treats apart (else the test would prove less)."""
    graph = template.problem.graph
    points = [v.drawn.point for v in variants]
    drawn = [value for p in points for value in p.values()]
    assert min(drawn) < 0 and 0 in drawn and any(not v.is_Integer for v in drawn)
    wd, yy, wc = (graph.names[n] for n in ("wd", "yy", "wc"))
    assert {p[wd].is_Integer for p in points} == {True, False}  # wd = 2 and wd = 3/2
    assert {p[yy] for p in points} == {0, 1} and min(p[wc] for p in points) < 0
    zs = [graph.names[f"z{i}{j}"] for i in (0, 1) for j in (0, 1)]
    assert any(graph.inline(z).xreplace(p) == 0 for p in points for z in zs)


def test_gradient_variant_lines_print_the_bytes_of_a_full_solve() -> None:
    problem = prepare_all([CONV])[0]
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    variants = numbered(sampler, 5, COUNT)
    _coverage(template, variants)
    fast = [template.solve(v) for v in variants]
    assert [s.failures for s in fast] == [() for _ in fast]
    slow = [_in_full(template, v) for v in variants]
    for a, b in zip(fast, slow, strict=True):
        # Same lines, each checked; a substituted `=` line is checked at 40 digits where
        # the full solve proves it exactly (the design: numbers are checked as numbers).
        assert [st.relation for st in a.solution.steps()] == [
            st.relation for st in b.solution.steps()]
        assert {st.check.status for st in a.solution.steps() if st.check} <= {
            "proved", "numeric"}
        assert all(st.check for st in a.solution.steps())
    mine, theirs = variant_sheets(template, fast), variant_sheets(template, slow)
    assert len(mine) == 8 * COUNT
    differ = [i for i, (x, y) in enumerate(zip(mine, theirs, strict=True)) if x != y]
    assert differ == [], _first_difference(mine, theirs, differ)


def _first_difference(mine: list[str | bytes], theirs: list[str | bytes],
                      differ: list[int]) -> str:
    if not differ:
        return ""
    a, b = str(mine[differ[0]]).splitlines(), str(theirs[differ[0]]).splitlines()
    lines = [f"- {x}\n+ {y}" for x, y in zip(a, b, strict=False) if x != y]
    return f"sheet {differ[0]}: " + "\n".join(lines[:6])
