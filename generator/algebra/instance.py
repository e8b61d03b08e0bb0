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

from collections.abc import Mapping
from dataclasses import replace

import sympy

from generator.algebra.trace import Block, Section, Solution, Step

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


def instantiate_step(step: Step, env: Env) -> Step:
    lhs = None if step.lhs is None else instantiate(step.lhs, env)
    value = None if step.value is None else instantiate(step.value, env)
    params = {k: instantiate(v, env) for k, v in step.params.items()}
    return replace(step, rhs=instantiate(step.rhs, env), lhs=lhs, value=value, params=params)


def _param(value: sympy.Basic | str, env: Env) -> sympy.Basic | str:
    return value if isinstance(value, str) else instantiate(value, env)


def instantiate_block(block: Block, env: Env) -> Block:
    return replace(
        block, steps=tuple(instantiate_step(s, env) for s in block.steps),
        params={k: _param(v, env) for k, v in block.params.items()},
        at={k: instantiate(v, env) for k, v in block.at.items()},
        extra={k: instantiate(v, env) for k, v in block.extra.items()},
        items=tuple((k, {n: _param(v, env) for n, v in p.items()}) for k, p in block.items))


def instantiate_solution(solution: Solution, env: Env) -> Solution:
    sections = tuple(replace(s, blocks=tuple(instantiate_block(b, env) for b in s.blocks),
                             params={k: _param(v, env) for k, v in s.params.items()})
                     for s in solution.sections)
    return replace(solution, sections=sections)


def section_blocks(solution: Solution) -> list[tuple[int, int, Block]]:
    """(section index, block index, block) of every block, in order."""
    return [(i, j, b) for i, s in enumerate(solution.sections) for j, b in enumerate(s.blocks)]


def with_sections(solution: Solution, sections: list[Section]) -> Solution:
    return replace(solution, sections=tuple(sections))
