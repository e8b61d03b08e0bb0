"""The numeric section of a gradient with `values:`: given values, the forward pass and
every answer with its numbers substituted, then its decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    mp_value,
    substitute,
)
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.graph.values import needed_nodes, values_latex


def _compact(value: sympy.Basic) -> bool:
    """Short enough to write in place of its node later: 14, -3/2, σ(5)."""
    return bool(value.is_Rational) or (len(value.args) == 1 and bool(value.args[0].is_Rational))


def forward_steps(graph: Graph, nodes: list[Symbol], point: Point, digits: int,
                  decimals: frozenset[Symbol] = frozenset()
                  ) -> tuple[list[Step], dict[sympy.Basic, sympy.Basic], dict[Symbol, Any],
                             frozenset[Symbol]]:
    """`z00 = 1·2 + … = 14`, `o00 = σ(14) ≈ 0.99999`: each needed node, in order.

    Returns the steps, what later lines may write in place of a node (14, σ(14)), every
    node's mpmath value, and the symbols to print as decimals (`decimals` plus the nodes
    whose exact value is a terminating decimal). Call inside `mpmath.workdps(DPS)`.
    """
    known: dict[sympy.Basic, sympy.Basic] = dict(point)
    env: dict[Symbol, Any] = {}
    steps: list[Step] = []
    shown = set(decimals)
    for node in nodes:
        canonical = substitute(graph.display[node], known)
        exact = evaluated(canonical)
        steps.append(Step("substitution", substitute(graph.display[node], known, True,
                                                     frozenset(shown)),
                          lhs=node, value=canonical))
        env[node] = mp_value(canonical, env)
        if exact.is_Rational:
            if decimals and as_decimal(exact).is_Float:
                # Data written as 0.5 give results written as −0.5, not −1/2: a node that
                # terminates prints as a decimal here and wherever later lines use it.
                shown.add(node)
            if exact != canonical:
                text = as_decimal(exact) if node in shown else exact
                steps.append(Step("arithmetic", text, value=exact))
        else:
            steps.append(approx_step(env[node], digits))
        if _compact(exact):
            known[node] = exact
    return steps, known, env, frozenset(shown)


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
        forward, known, env, decimals = forward_steps(graph, nodes, full, digits, decimals)
        blocks = [Block("given_values", {"values": values_latex(graph, point, tex, decimals)}),
                  Block("forward_pass", {}, tuple(forward), at=full)]
        for var, expr in answers.items():
            canonical = substitute(expr, {**full, **known})
            blocks.append(Block("numeric_answer", {"param": var}, (
                Step("substitution", substitute(expr, {**full, **known}, True, decimals),
                     lhs=Derivative(graph.loss, var), value=canonical),
                approx_step(mp_value(canonical, env), digits)), at=full))
    return Section("numeric", tuple(blocks))
