"""Variants of a kind solved in full, by substitution: prove once with symbols, then fill.

A kind whose every line shows numbers (sgd_step) gives its solution once with slots
(`Variants.template`, algebra/instance.py). Here that solution is proved once per problem
with each slot's meaning put in (`_v_b` → b, `_v_z` → b + w₁x₁ + w₂x₂): every line is then
an identity in the symbols, so each of its instances holds too. A variant is the kind's
`instance`: its numbers in the slots, nothing evaluated, so its lines are the trees the
solver itself would build, and they print byte for byte the same
(tests/test_instances.py compares them with variants solved in full).

Per variant, only what carries its numbers is checked, at 40 digits with mpmath: a slot
worked out from the numbers (z) exactly, with fractions; every line of numbers against
the line before it (a node's line against the node's compiled value); the `≈` line as a
rounding of the line before it. A line proved once keeps that proof's status; the `≈`
line is `numeric`, as when a variant is verified in full, so the counts agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

import mpmath
import sympy
from sympy import Symbol

from generator.algebra.functions import mp_names
from generator.algebra.instance import instantiate, instantiate_solution
from generator.algebra.notation import VectorShapeError, components
from generator.algebra.numbers import DPS, mp_rational, mp_value
from generator.algebra.trace import Block, Check, Solution, Step
from generator.check.verify import Proofs
from generator.check.verify import check as verify_check
from generator.graph.model import Graph
from generator.solvers.kind import Slotted, Variants
from generator.spec.models import ProblemBase
from generator.variants.lines import exact_fraction

Agree = Callable[[Any, Any, int | None], tuple[bool, str]]
APPROX = r"\approx"


class Instances:
    """A kind's solution with slots, proved once; `solve(point)` gives one variant's."""

    def __init__(self, slotted: Slotted, spec: ProblemBase, graph: Graph, hooks: Variants[Any],
                 proofs: Proofs, leaves: list[Symbol], agree: Agree) -> None:
        self.slotted, self.spec, self.graph, self.hooks = slotted, spec, graph, hooks
        # What a variant is made from: the template, or the same template whose lines
        # are printed from line templates, not built (variants/printed.py).
        self.fill = slotted
        self.leaves, self.agree = leaves, agree
        # Compiled once: each node's value, and a block's result defined in it (θ¹).
        # Over the drawn leaves with z inlined (another road than the lines' slots), all
        # in one function, common parts (σ(z)) once a variant: `self.heads` maps a head
        # to its entries' places in that function's values.
        truth: dict[sympy.Basic, list[sympy.Basic]] = {n: [graph.inline(n)]
                                                      for n in graph.nodes}
        for block in (b for s in slotted.solution.sections for b in s.blocks):
            head = block.steps[0].lhs if block.steps else None
            if (isinstance(head, Symbol) and head in block.extra
                    and block.extra[head].free_symbols <= set(leaves)):
                truth[head] = components(block.extra[head]) or [block.extra[head]]
        self.heads: dict[sympy.Basic, tuple[int, int]] = {}
        every: list[sympy.Basic] = []
        for head, exprs in truth.items():
            self.heads[head] = (len(every), len(every) + len(exprs))
            every += exprs
        self.references: Callable[..., list[Any]] = sympy.lambdify(
            leaves, every, modules=[mp_names(), "mpmath"], cse=True)
        self.slots = frozenset([*slotted.slots.values(), *slotted.derived])
        # Each line of numbers compiled once over its slots (lambdify to mpmath): a
        # variant's line is this formula with its numbers in, so this is its value.
        self.slot_args = [*slotted.slots.values(), *slotted.derived]
        # All of them in one function, common parts (σ(z)) worked out once a variant:
        # `self.lines` maps a step to its entries' places in that function's values.
        self.lines: dict[int, tuple[int, int]] = {}
        shown: list[sympy.Basic] = []
        for step in slotted.solution.steps():
            if slotted.filler.has(step.rhs):
                entries = components(step.rhs) or [step.rhs]
                self.lines[id(step)] = (len(shown), len(shown) + len(entries))
                shown += entries
        self.values: Callable[..., list[Any]] = sympy.lambdify(
            self.slot_args, shown, modules=[mp_names(), "mpmath"], cse=True)
        meaning: dict[sympy.Basic, sympy.Basic] = {s: v for v, s in slotted.slots.items()}
        meaning.update(slotted.derived)
        proof = instantiate_solution(_without_approx(slotted.solution), meaning)
        checked, failed = verify_check(proof, graph, proofs)
        self.checks = [st.check for st in checked.steps()]
        # Only a template whose every line is proved stands for all its instances.
        self.proved = not failed and all(c is not None and c.status == "proved"
                                         for c in self.checks)

    def solve(self, point: Mapping[Symbol, sympy.Rational]
              ) -> tuple[Solution, list[str], dict[sympy.Basic, sympy.Basic]] | None:
        """The variant's solution, its failed checks and its slots' numbers; None when a
        slot's value is not a rational number (the caller then solves that variant in
        full)."""
        fractions = {s: Fraction(int(v.p), int(v.q)) for s, v in point.items()}
        env: dict[sympy.Basic, sympy.Basic] = {slot: point[leaf]
                                               for leaf, slot in self.slotted.slots.items()}
        for slot, meaning in self.slotted.derived.items():
            value = exact_fraction(meaning, fractions)
            if value is None:
                return None
            env[slot] = sympy.Rational(value.numerator, value.denominator)
        if any(instantiate(e, env) != e.xreplace(env) for e in self.slotted.evaluated):
            return None
        solution = self.hooks.instance(self.spec, self.graph, self.fill, dict(point), env)
        failures: list[str] = []
        with mpmath.workdps(DPS):
            args = [mp_rational(point[s]) for s in self.leaves]
            references = self.references(*args)  # every node's and θ¹'s value, 40 digits
            slots = [mp_rational(env[s]) for s in self.slot_args]
            lines = self.values(*slots)  # every line of numbers, at 40 digits
            sections = []
            checks = iter(self.checks)
            for template, section in zip(self.slotted.solution.sections, solution.sections,
                                         strict=True):
                blocks = tuple(self._block(t, b, checks, (references, lines), failures) for t, b in
                               zip(template.blocks, section.blocks, strict=True))
                sections.append(replace(section, blocks=blocks))
        return replace(solution, sections=tuple(sections)), failures, env

    def _block(self, template: Block, block: Block, checks: Any,
               numbers: tuple[list[Any], list[Any]], failures: list[str]) -> Block:
        """The block's steps with their checks: the template's proofs, and this variant's
        numbers compared line by line."""
        steps: list[Step] = []
        references, lines = numbers
        head = block.steps[0].lhs if block.steps else None
        before: list[Any] | None = None  # the value of the line before, in mpmath
        for shape, step in zip(template.steps, block.steps, strict=True):
            place = self.lines.get(id(shape))
            value = (list(lines[place[0]:place[1]]) if place is not None
                     else _values(step.rhs) if step.relation == APPROX else None)
            if step.relation == APPROX:
                check = self._check(step, value, before, step.digits, failures)
            else:
                check = next(checks)
                lhs = step.lhs if step.lhs is not None else head
                # The line before; else what the line's (or its block's) lhs is worth.
                reference = before if step.lhs is None else None
                if reference is None and isinstance(lhs, Symbol) and lhs in self.heads:
                    start, end = self.heads[lhs]
                    reference = list(references[start:end])
                if value is not None and reference is not None:
                    self._check(step, value, reference, None, failures)
            steps.append(replace(step, check=check))
            before = value
        return replace(block, steps=tuple(steps))

    def _check(self, step: Step, got: list[Any] | None, truth: list[Any] | None,
               digits: int | None, failures: list[str]) -> Check:
        if got is None or truth is None or len(got) != len(truth):
            failures.append(f"{step.rule}: a line of numbers that cannot be evaluated")
            return Check("failed", "mpmath", "cannot be evaluated")
        for a, b in zip(got, truth, strict=True):
            ok, how = self.agree(a, b, digits)
            if not ok:
                failures.append(f"{step.rule}: {how}")
                return Check("failed", "mpmath", how)
        return Check("numeric", "mpmath", how if got else "")


def _values(expr: sympy.Basic) -> list[Any] | None:
    """A line's value (each entry of a vector) at the working precision, or None."""
    try:
        parts = components(expr)
        return [mp_value(p, {}) for p in (parts if parts is not None else [expr])]
    except (VectorShapeError, TypeError, KeyError):
        return None


def _without_approx(solution: Solution) -> Solution:
    """The solution less its `≈` lines: they round a variant's numbers (checked per variant)."""
    sections = tuple(replace(s, blocks=tuple(replace(b, steps=tuple(
        st for st in b.steps if st.relation != APPROX)) for b in s.blocks))
        for s in solution.sections)
    return replace(solution, sections=sections)
