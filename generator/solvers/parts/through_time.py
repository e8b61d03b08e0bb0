"""Backpropagation through time: a weight shared by every step of an unrolled recurrence.

When a parameter is used directly by several members of one family (`a{t} = w·x_t +
u·h_{t−1} + b` uses u at every t) and each member reaches the one before it along a
single path (a_{t+1} → h_t → a_t), the gradient of that parameter is a sum over time
steps, and going back one step multiplies by one factor ∂a_{t+1}/∂a_t. This section
writes the sum, the factors, (with the loss at the last step only) each term as the last
error signal times the factors between, and with `values:` the numbers: each factor,
their product, and each term — which is where vanishing or exploding gradients show.
Every line is an ordinary checked step; the words come from the messages.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import mpmath
import sympy
from sympy import Add, Derivative, Mul, Symbol

from generator.algebra.notation import Total
from generator.algebra.numbers import DPS, Point, decimal, decimal_text
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts.own_names import in_own_name

DIGITS = 50


@dataclass(frozen=True)
class Recurrence:
    """The uses a_1 … a_T of a shared parameter, and the one path a_{t+1} → … → a_t."""

    param: Symbol
    uses: tuple[Symbol, ...]
    links: tuple[tuple[Symbol, ...], ...]


def recurrence(graph: Graph, param: Symbol) -> Recurrence | None:
    users = [n for n, body in graph.nodes.items() if param in body.free_symbols]
    fam = graph.family.get(users[0]) if len(users) > 1 else None
    if fam is None or any(graph.family.get(u) is not fam for u in users):
        return None
    uses = tuple(m for m in fam.members if m in users)
    links = []
    for early, late in itertools.pairwise(uses):
        paths = graph.paths(late, early)
        if len(paths) != 1:
            return None
        links.append(paths[0])
    return Recurrence(param, uses, tuple(links))


def _product(parts: list[sympy.Basic]) -> sympy.Basic:
    return parts[0] if len(parts) == 1 else Mul(*parts, evaluate=False)


def _own(graph: Graph, child: Symbol, var: Symbol) -> sympy.Basic:
    """∂child/∂var of the child's own expression (the local partial), in the child's name
    where it has one: 1 − h_t², not 1 − tanh²(a_t) beside the h_t it defines."""
    named = in_own_name(graph, child, var)
    return sympy.diff(graph.nodes[child], var) if named is None else named


def _sum_block(graph: Graph, r: Recurrence, shown: bool) -> Block:
    """∂L/∂p as the sum over time; only said, not written again, when `shown` (backprop's
    "gradient of every parameter" step already wrote that very line)."""
    loss, p = graph.loss, r.param
    fam = graph.family[r.uses[0]]
    params = {"param": p, "steps": str(len(r.uses)), "use": fam.generic}
    if shown:
        return Block("time_sum_shown", params)
    terms = [Mul(Total(loss, a), Derivative(a, p), evaluate=False) for a in r.uses]
    local = [Mul(Total(loss, a), _own(graph, a, p), evaluate=False) for a in r.uses]
    return Block("time_sum", params, (
        Step("sum_over_time", Add(*terms, evaluate=False), lhs=Derivative(loss, p)),
        Step("local", Add(*local, evaluate=False))))


def _factor(graph: Graph, path: tuple[Symbol, ...]) -> sympy.Basic:
    return _product([_own(graph, c, v) for c, v in itertools.pairwise(path)])


def _factor_block(graph: Graph, r: Recurrence) -> Block:
    steps: list[Step] = []
    for path in r.links:
        chain = _product([Derivative(c, v) for c, v in itertools.pairwise(path)])
        steps.append(Step("chain_rule", chain, lhs=Derivative(path[0], path[-1])))
        steps.append(Step("local", _factor(graph, path)))
    return Block("time_factor", {}, tuple(steps))


def _chain_block(graph: Graph, r: Recurrence) -> Block | None:
    """∂L/∂a_t = ∂L/∂a_T ∏ ∂a_{s+1}/∂a_s: true when L reaches a_t only through a_{t+1}."""
    for early, late in itertools.pairwise(r.uses):
        if any(late not in path for path in graph.paths(graph.loss, early)):
            return None  # a loss at every step adds a term of its own at each t
    last = r.uses[-1]
    steps = []
    for t in range(len(r.uses) - 2, -1, -1):
        factors = [Derivative(r.uses[s + 1], r.uses[s]) for s in range(len(r.uses) - 2, t - 1, -1)]
        steps.append(Step("chain_rule", _product([Total(graph.loss, last), *factors]),
                          lhs=Derivative(graph.loss, r.uses[t])))
    return Block("time_chain", {"last": last}, tuple(steps))


def _total(graph: Graph, top: Symbol, var: Symbol, point: Point) -> sympy.Basic:
    value = graph.inline(sympy.diff(graph.inline_above(top, var), var))
    return sympy.N(value.xreplace(point), DIGITS)


def _approx(lhs: sympy.Basic, value: sympy.Basic, places: int) -> Step:
    with mpmath.workdps(DPS):
        text = decimal_text(mpmath.mpf(str(value)), places)
        shown = decimal(mpmath.mpf(str(value)), places)
    return Step("approximate", shown, lhs=lhs, value=sympy.Rational(text), relation=r"\approx",
                digits=places)


def _number_blocks(graph: Graph, r: Recurrence, point: Point, places: int) -> list[Block]:
    loss, uses = graph.loss, r.uses
    factors = [_total(graph, late, early, point) for early, late in itertools.pairwise(uses)]
    steps = [_approx(Derivative(late, early), f, places)
             for (early, late), f in zip(itertools.pairwise(uses), factors, strict=True)]
    product = sympy.Mul(*factors)
    if len(factors) > 1:
        steps.append(_approx(Derivative(uses[-1], uses[0]), product, places))
    total = sympy.Integer(0)
    for a in uses:
        own = _own(graph, a, r.param)
        term = sympy.N((_total(graph, loss, a, point) * graph.inline(own)).xreplace(point),
                       DIGITS)
        total += term
        steps.append(_approx(Mul(Total(loss, a), own, evaluate=False), term, places))
    steps.append(_approx(Derivative(loss, r.param), total, places))
    with mpmath.workdps(DPS):
        value = decimal_text(mpmath.mpf(str(product)), places)
    trend = "vanishing" if abs(product) < 1 else "exploding"
    fam = graph.family[uses[0]]
    generic = _factor(graph, r.links[0]).xreplace(
        {m: graph.family[m].generic for m in r.links[0] if m in graph.family})
    sentence = {"factor": generic, "product": Derivative(uses[-1], uses[0]), "value": value,
                "trend": trend, "first": uses[0], "last": uses[-1], "use": fam.generic}
    return [Block("time_numbers", {}, tuple(steps), at=point),
            Block("time_product", sentence)]


def time_sections(graph: Graph, params: list[Symbol], point: Point | None,
                  places: int, summed: bool = False) -> list[Section]:
    """One section per parameter shared over the steps of a recurrence (none otherwise).

    `summed`: the sheet already wrote ∂L/∂p as Σ_t ∂L/∂a_t ∂a_t/∂p (backprop does), so the
    section says so instead of repeating the line."""
    sections = []
    for p in params:
        r = recurrence(graph, p)
        if r is None:
            continue
        blocks = [_sum_block(graph, r, summed), _factor_block(graph, r)]
        chain = _chain_block(graph, r)
        if chain is not None:
            blocks.append(chain)
        if point is not None:
            blocks.extend(_number_blocks(graph, r, point, places))
        sections.append(Section("through_time", tuple(blocks), params={"param": p}))
    return sections
