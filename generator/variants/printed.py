"""The printed lines of substituted variants, made once per variant for every language.

A substituted variant's solution is the template's (variants/instances.py) with numbers
in its slots: a step without a slot is the template's very object, a step with one is
new. Here each new step's slot lines get their text from the line templates
(variants/line_templates.py) and the template's own lines are printed once; the view
model of each language reads both (view/model.py), so a variant's lines are printed once
even when Moodle makes its sheets in two languages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import sympy

from generator.algebra.instance import Env
from generator.algebra.trace import Solution, Step
from generator.solvers.kind import Slotted
from generator.variants.line_templates import LinePrinter, Printed, Shared

KEEP = 600  # variants whose texts are kept (a chunk of a class in two languages)


class VariantTexts:
    """Per template: `of(solution, env)` gives a variant's `Printed`."""

    def __init__(self, slotted: Slotted, names: Mapping[sympy.Symbol, str]) -> None:
        self.slotted = slotted
        self.lines = LinePrinter(names, slotted.filler)
        objects = [e for _, st in _steps(slotted.solution) for e in (st.lhs, st.rhs)
                   if e is not None]
        self.shared = Shared(tuple(objects))
        self._made: dict[int, tuple[Solution, Printed]] = {}

    def of(self, solution: Solution, env: Env) -> Printed:
        """The texts of `solution`, the template filled from `env` (memoized per solution
        object: the question and answer sheets of each language share them)."""
        made = self._made.get(id(solution))
        if made is not None and made[0] is solution:
            return made[1]
        own: dict[int, tuple[sympy.Basic, str]] = {}
        dd = solution.decimal_data
        filled = _steps(solution)
        for (key, shape), (_, step) in zip(_steps(self.slotted.solution), filled, strict=True):
            if shape is step:
                continue
            bracket = key in self.slotted.bracketed
            for mine, theirs in ((shape.lhs, step.lhs), (shape.rhs, step.rhs)):
                if mine is not None and theirs is not None and self.slotted.filler.has(mine):
                    own[id(theirs)] = (theirs, self.lines.text(mine, env, bracket, dd))
        printed = Printed(own, self.shared, dd)
        if len(self._made) >= KEEP:
            self._made.pop(next(iter(self._made)))
        self._made[id(solution)] = (solution, printed)
        return printed


def _steps(solution: Solution) -> Iterator[tuple[str, Step]]:
    """Each step with its block's key, in order."""
    for section in solution.sections:
        for block in section.blocks:
            for step in block.steps:
                yield block.key, step
