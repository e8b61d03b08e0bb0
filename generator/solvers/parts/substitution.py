"""The numeric section of a gradient with `values:`: given values, the forward pass and
every answer with its numbers substituted, then its decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy
from sympy import Derivative, Symbol

from generator.algebra.numbers import (
    DPS,
    Point,
    as_decimal,
    decimal,
    decimal_text,
    evaluated,
    exact_rational,
    mp_value,
    substitute,
)
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.graph.values import needed_nodes, values_latex


def _compact(value: sympy.Basic) -> bool:
    """Short enough to write in place of its node later: 14, -3/2, σ(5)."""
    return bool(value.is_Rational) or (len(value.args) == 1 and bool(value.args[0].is_Rational))


@dataclass
class Forward:
    """The forward pass: its lines, and how later lines write each node."""

    steps: list[Step]
    known: dict[sympy.Basic, sympy.Basic]  # a short node's exact value (14, σ(14), −1/2)
    env: dict[Symbol, Any]  # every node's mpmath value
    shown: dict[sympy.Basic, sympy.Basic]  # `known` as printed: σ(0.75) with decimal data
    decimals: frozenset[Symbol]  # symbols printed as decimals: the data's, and nodes −0.5


def written_value(value: sympy.Basic) -> sympy.Basic:
    """−1/2 → −0.5 and tanh(3/4) → tanh(0.75), as data written as decimals read."""
    if value.is_Rational:
        return as_decimal(value)
    if isinstance(value, sympy.Function) and len(value.args) == 1 and value.args[0].is_Rational:
        return value.func(as_decimal(value.args[0]), evaluate=False)
    return value


def forward_steps(graph: Graph, nodes: list[Symbol], point: Point, digits: int,
                  decimals: frozenset[Symbol] = frozenset()) -> Forward:
    """`z00 = 1·2 + … = 14`, `o00 = σ(14) ≈ 0.99999`: each needed node, in order.

    With data written as decimals (`decimals` not empty), a result that terminates is
    written as one (k₂ = −0.5, not −1/2) here and wherever later lines use it.
    Call inside `mpmath.workdps(DPS)`.
    """
    out = Forward([], dict(point), {}, dict(point), decimals)
    for node in nodes:
        canonical = substitute(graph.display[node], out.known)
        exact = evaluated(canonical)
        out.steps.append(Step("substitution", substitute(graph.display[node], out.shown, True,
                                                         out.decimals),
                              lhs=node, value=canonical))
        out.env[node] = mp_value(canonical, out.env)
        written = written_value(exact) if decimals else exact
        if exact.is_Rational:
            if written.is_Float:
                out.decimals |= {node}
            if exact != canonical:
                steps_value = written if written.is_Float else exact
                out.steps.append(Step("arithmetic", steps_value, value=exact))
        elif (closed := exact_rational(exact)) is not None:
            # σ(0) is exactly 1/2: stated with `=` as arithmetic lines are, not `≈ 0.500000`.
            out.steps.append(Step("arithmetic", written_value(closed) if decimals else closed,
                                  value=closed))
        else:
            out.steps.append(approx_step(out.env[node], digits))
        if _compact(exact):
            out.known[node] = exact
            out.shown[node] = exact if exact.is_Rational else written
    return out


def approx_step(value: Any, places: int) -> Step:
    """`≈ 0.952574`: shown as a short Float, checked (verify.rounded) as the decimal shown."""
    text = decimal_text(value, places)
    return Step("approximate", decimal(value, places), value=sympy.Rational(text),
                relation=r"\approx", digits=places)


def numeric_section(graph: Graph, answers: Mapping[Symbol, sympy.Basic], point: Point,
                    digits: int, tex: Callable[[sympy.Basic], str],
                    decimals: frozenset[Symbol] = frozenset()) -> Section:
    """The last section: given values, forward pass, each answer with numbers, its decimal.

    `answers` maps the parameter to its gradient written over nodes (the solver's form).
    Variants build the same lines faster in `numeric_lines.py`.
    """
    full = {**point, **{s: v for s, v in graph.constants.items() if v.is_Rational}}
    with mpmath.workdps(DPS):
        nodes = needed_nodes(graph, list(answers.values()))
        ahead = forward_steps(graph, nodes, full, digits, decimals)
        blocks = [Block("given_values", {"values": values_latex(graph, point, tex, decimals)}),
                  Block("forward_pass", {}, tuple(ahead.steps), at=full)]
        for var, expr in answers.items():
            canonical = substitute(expr, {**full, **ahead.known})
            shown = substitute(expr, {**full, **ahead.shown}, True, ahead.decimals)
            blocks.append(Block("numeric_answer", {"param": var}, (
                Step("substitution", shown, lhs=Derivative(graph.loss, var), value=canonical),
                _result(canonical, ahead, digits)), at=full))
    return Section("numeric", tuple(blocks))


def _result(canonical: sympy.Basic, ahead: Forward, digits: int) -> Step:
    """The answer's last line: `= 0.8` (proved) when it is an exact number, as the forward
    pass writes one, not `≈ 0.800000`; else its decimal."""
    exact = evaluated(canonical)
    if not exact.is_Rational:
        return approx_step(mp_value(canonical, ahead.env), digits)
    written = written_value(exact) if ahead.decimals else exact
    return Step("arithmetic", written if written.is_Float else exact, value=exact)
