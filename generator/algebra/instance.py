"""A solution written once with slot symbols, and its instances with numbers in the slots.

A kind whose every line shows numbers (sgd_step) is solved once with a fresh symbol in
each place where a variant's number goes (`_v_b` where the drawn b is written, `_v_z` for
the pre-activation worked out from them). A variant is then that solution with its numbers
put into the slots *without evaluating anything*, the way the solver itself puts numbers
into display forms (`4 + 5·1 + 6·2` stays as written). Symbols the solver writes as
symbols (b in θ⁰ = (b, w₁, w₂)) are not slots, so they stay.

The same substitution with each slot's meaning (`_v_b` → b, `_v_z` → b + w₁x₁ + w₂x₂)
gives the solution with symbols that is proved once per problem (variants/solution.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import sympy

from generator.algebra.trace import Block, Solution, Step

Env = Mapping[sympy.Basic, sympy.Basic]


def instantiate(expr: sympy.Basic, env: Env) -> sympy.Basic:
    """`expr` with each slot in `env` replaced, nothing evaluated (xreplace would fold
    1·2 + 3 into 5 and re-sort products)."""
    if expr in env:
        return env[expr]
    if not expr.args:
        return expr
    args = [instantiate(a, env) for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr  # no slot below: the very same tree (and its cached hash)
    return expr.func(*args, evaluate=False)


def has_slot(expr: sympy.Basic | None, slots: frozenset[sympy.Symbol]) -> bool:
    return expr is not None and not slots.isdisjoint(expr.free_symbols)


class Filler:
    """Puts numbers into the slots of one template's trees, many times: which subtrees
    hold no slot is found once (a variant only rebuilds the paths down to its slots)."""

    def __init__(self, slots: frozenset[sympy.Symbol],
                 bracketed: frozenset[str] = frozenset(),
                 line: Callable[[sympy.Basic, Env, bool], sympy.Basic] | None = None) -> None:
        self.slots = slots
        # A step's lines, if given, are made by `line` (the template's line, the numbers,
        # the brackets) instead of being built: variants/printed.py prints them from
        # templates without a tree.
        self.line = line
        # Blocks (by key) whose lines show a negative number put in for a factor in
        # brackets, as the solver writes them: w₁x₁ with w₁ = −1 is (−1)·1, not −1·1.
        self.bracketed = bracketed
        self._has: dict[sympy.Basic, bool] = {}

    def has(self, expr: sympy.Basic) -> bool:
        found = self._has.get(expr)
        if found is None:
            found = self._has[expr] = has_slot(expr, self.slots)
        return found

    def expr(self, expr: sympy.Basic, env: Env, bracket: bool = False) -> sympy.Basic:
        if not self.has(expr):
            return expr
        if expr in env:
            return env[expr]
        args = [self.expr(a, env, bracket) for a in expr.args]
        if bracket and isinstance(expr, sympy.Mul):
            args = [sympy.UnevaluatedExpr(v) if a in env and v.is_Number and v < 0 else v
                    for a, v in zip(expr.args, args, strict=True)]
        return expr.func(*args, evaluate=False)

    def _line(self, expr: sympy.Basic, env: Env, bracket: bool = False) -> sympy.Basic:
        assert self.line is not None
        return self.line(expr, env, bracket) if self.has(expr) else expr

    def _param(self, value: sympy.Basic | str, env: Env) -> sympy.Basic | str:
        return value if isinstance(value, str) else self.expr(value, env)

    def step(self, step: Step, env: Env, bracket: bool = False) -> Step:
        if not any(self.has(e) for e in (step.rhs, step.lhs, step.value,
                                         *step.params.values()) if e is not None):
            return step
        make = self.expr if self.line is None else self._line
        lhs = None if step.lhs is None else make(step.lhs, env)
        value = None if step.value is None else make(step.value, env)
        return replace(step, rhs=make(step.rhs, env, bracket), lhs=lhs, value=value,
                       params={k: self.expr(v, env) for k, v in step.params.items()})

    def block(self, block: Block, env: Env) -> Block:
        return replace(
            block, steps=tuple(self.step(s, env, block.key in self.bracketed)
                               for s in block.steps),
            params={k: self._param(v, env) for k, v in block.params.items()},
            at={k: self.expr(v, env) for k, v in block.at.items()},
            extra={k: self.expr(v, env) for k, v in block.extra.items()},
            items=tuple((k, {n: self._param(v, env) for n, v in p.items()})
                        for k, p in block.items))

    def solution(self, solution: Solution, env: Env) -> Solution:
        sections = tuple(replace(s, blocks=tuple(self.block(b, env) for b in s.blocks),
                                 params={k: self._param(v, env) for k, v in s.params.items()})
                         for s in solution.sections)
        return replace(solution, sections=sections)


def instantiate_solution(solution: Solution, env: Env) -> Solution:
    """The solution with its slots filled (once; a template filled often keeps a Filler)."""
    slots = frozenset(s for s in env if isinstance(s, sympy.Symbol))
    return Filler(slots).solution(solution, env)


