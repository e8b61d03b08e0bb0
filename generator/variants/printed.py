"""The printed lines of substituted variants: no tree built, the text filled from templates.

A substituted variant's solution is the template's (variants/instances.py) with numbers
in its slots. Its lines that hold slots are not built as sympy trees here: each is a
`Filled` atom (the template's line, the numbers, the brackets) whose text the view model
takes from the line templates (variants/line_templates.py, each class checked against
the full print once); printed any other way, it prints the tree it stands for, so its
text never depends on the templates. A step without a slot is the template's very
object: its text is printed once for every variant (`Shared`). The text of a line is
kept on it, so Moodle's two languages print a variant's lines once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from generator.algebra.instance import Env, Filler
from generator.algebra.trace import Solution
from generator.solvers.kind import Slotted
from generator.variants.line_templates import LinePrinter

KEEP = 600  # variants whose texts are kept (a chunk of a class, for its other language)


class Filled(sympy.Atom):  # type: ignore[misc]  # sympy is untyped
    """A template's line with a variant's numbers in, not built: see the module."""

    def __new__(cls, shape: sympy.Basic, env: Env, bracket: bool, lines: LinePrinter
                ) -> Filled:
        obj: Filled = super().__new__(cls)
        obj.shape, obj.env, obj.bracket, obj.lines = shape, env, bracket, lines
        obj.texts = {}
        return obj

    def _hashable_content(self) -> tuple[int]:
        return (id(self),)

    def text(self, decimal_data: bool) -> str:
        found: str | None = self.texts.get(decimal_data)
        if found is None:
            found = self.texts[decimal_data] = self.lines.text(self.shape, self.env,
                                                               self.bracket, decimal_data)
        return found

    def tree(self) -> sympy.Basic:
        return self.lines.filler.expr(self.shape, self.env, self.bracket)

    def _latex(self, printer: Any) -> str:
        return str(printer._print(self.tree()))

    def _sympystr(self, printer: Any) -> str:
        return str(printer._print(self.tree()))


class VariantTexts:
    """Per template: the slotted template whose variants' lines are `Filled`, and the
    `Printed` a view model reads a variant's texts from."""

    def __init__(self, slotted: Slotted, names: Mapping[sympy.Symbol, str]) -> None:
        self.lines = LinePrinter(names, slotted.filler)
        blocks = [b for section in slotted.solution.sections for b in section.blocks]
        objects = [e for b in blocks for st in b.steps for e in (st.lhs, st.rhs)
                   if e is not None]
        objects += [v for b in blocks for v in b.params.values() if isinstance(v, sympy.Basic)]
        self.shared = Shared(tuple(objects))
        filler = Filler(slotted.filler.slots, slotted.filler.bracketed, self._filled)
        self.slotted = slotted.filled_by(filler)
        self._made: dict[int, tuple[Solution, Printed]] = {}

    def _filled(self, shape: sympy.Basic, env: Env, bracket: bool) -> sympy.Basic:
        return Filled(shape, env, bracket, self.lines)

    def of(self, solution: Solution) -> Printed:
        """The texts of a variant's solution: one `Printed` per solution, so the view
        models of its languages (Moodle's two) print each of its lines once."""
        made = self._made.get(id(solution))
        if made is not None and made[0] is solution:
            return made[1]
        printed = Printed(self.shared, solution.decimal_data)
        if len(self._made) >= KEEP:
            self._made.pop(next(iter(self._made)))
        self._made[id(solution)] = (solution, printed)
        return printed


class Printed:
    """The texts a view prints for one variant: its slot lines (`Filled`: filled from the
    line templates), the template's lines without slots, printed once for every variant
    (a slot-free step is the very same object in each variant's solution), and the
    variant's other lines (θ¹ in decimals), printed once for all its languages."""

    def __init__(self, shared: Shared, decimal_data: bool) -> None:
        self.shared, self.decimal_data = shared, decimal_data
        self.own: dict[tuple[int, int | None], tuple[sympy.Basic, str]] = {}

    def get(self, expr: sympy.Basic, decimals: int | None) -> str | None:
        if decimals is None and isinstance(expr, Filled):
            return expr.text(self.decimal_data)
        hit = self.shared.texts.get((id(expr), decimals, self.decimal_data))
        if hit is None:
            hit = self.own.get((id(expr), decimals))
        return hit[1] if hit is not None and hit[0] is expr else None

    def keep(self, expr: sympy.Basic, decimals: int | None, text: str) -> None:
        if id(expr) in self.shared.ids:
            self.shared.texts[id(expr), decimals, self.decimal_data] = (expr, text)
        else:
            self.own[id(expr), decimals] = (expr, text)


@dataclass
class Shared:
    """The template's own objects (kept alive, so their ids stay theirs) and their texts."""

    objects: tuple[sympy.Basic, ...]
    ids: frozenset[int] = frozenset()
    texts: dict[tuple[int, int | None, bool], tuple[sympy.Basic, str]] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        self.ids = frozenset(id(o) for o in self.objects)
