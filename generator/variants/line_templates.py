"""A substituted variant's lines printed from templates, without sympy's printer per variant.

A line of an SGD variant is a template tree (algebra/instance.py) with numbers in its
slots, and sympy's LaTeX printer decides brackets, `\\cdot` and `+ −` from each number's
sign, whether it is 0 or ±1 and whether it is whole, never from its digits. So a line is
cut into *units* whose print does not depend on their neighbours:

- a sum prints each term on its own and joins them with ` + ` or ` - ` by the sign its
  text starts with (SolutionPrinter._print_Add), so each term is a unit;
- a vector or column prints each entry on its own (notation.Vec/Column), so each entry is
  a unit, and inside a bigger unit (a product ending in a vector) it is a hole the
  vector's own text goes into;
- anything else holding slots is one unit, keyed by the *class* of each of its numbers
  (0, 1, −1, or sign and whole-or-not).

A unit's template is printed once per class with stand-in numbers of that class whose
digits occur nowhere else; a variant puts its numbers' own text (the printer's text of
each number's size) where the stand-ins' stood. The first time a class is met, the unit
is also printed in full with the variant's own numbers and the two texts compared; on a
mismatch that class is printed in full for good. So the bytes never depend on what was
cached: a line is either the printer's or a fill that agreed with the printer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy

from generator.algebra.fences import shrink_fences
from generator.algebra.instance import Env, Filler
from generator.algebra.notation import Column, Vec
from generator.algebra.printing import SolutionPrinter, joined_terms, minus_negative

STAND_IN = 9_107_000  # stand-ins' whole parts: 9107000, 9107037, … (digits found nowhere)
STEP = 37
_MARK = "\x00"  # brackets a hole in a template: \x00S3\x00 (a number), \x00D1\x00 (a vector)
Piece = str | tuple[str, int]  # text, or ("S", slot index) / ("D", hole index)


def number_class(value: sympy.Rational) -> str:
    """What of a number the printer's choices can depend on."""
    p, q = int(value.p), int(value.q)  # ints: sympy's == and < cost ~20 µs a number
    if q == 1 and -1 <= p <= 1:
        return str(p)
    return ("-" if p < 0 else "+") + ("i" if q == 1 else "f")


def stand_in(index: int, cls: str) -> sympy.Rational:
    """A number of class `cls` whose digits appear in no other stand-in or constant."""
    if cls in ("0", "1", "-1"):
        return sympy.Integer(int(cls))
    size = sympy.Integer(STAND_IN + STEP * index)
    if cls[1] == "f":
        size += sympy.Rational(1, 2)
    return -size if cls[0] == "-" else size


@dataclass
class _Unit:
    """A subtree printed from a template per class of its numbers."""

    expr: sympy.Basic  # the template subtree (slots in it)
    term: bool  # a term of a sum: printed as SolutionPrinter._print_Add prints a term
    slots: tuple[sympy.Basic, ...]  # its slots outside its holes, in order of appearance
    holes: tuple[tuple[sympy.Basic, Plan], ...]  # vectors inside it, printed on their own
    templates: dict[tuple[bool, tuple[str, ...]], tuple[Piece, ...] | None] = field(
        default_factory=dict)


@dataclass
class _Join:
    """A vector or a column: its entries' texts joined."""

    head: str
    sep: str
    tail: str
    parts: tuple[Plan, ...]


@dataclass
class _Sum:
    parts: tuple[Plan, ...]


@dataclass
class _Fixed:
    """A part with no slot: printed once (with and without decimal data)."""

    expr: sympy.Basic
    texts: dict[bool, str] = field(default_factory=dict)


Plan = _Fixed | _Unit | _Join | _Sum


class LinePrinter:
    """Prints the slot-holding lines of one template for many variants."""

    def __init__(self, names: Mapping[sympy.Symbol, str], filler: Filler) -> None:
        self.filler = filler
        self._printers = {flag: SolutionPrinter(names, decimal_data=flag)
                          for flag in (False, True)}
        self._plans: dict[int, tuple[sympy.Basic, Plan]] = {}
        self._sizes: dict[tuple[bool, sympy.Basic], str] = {}
        self.learnt = 0  # classes whose template agreed with the full print
        self.refused = 0  # classes printed in full for good

    def text(self, expr: sympy.Basic, env: Env, bracket: bool, decimal_data: bool) -> str:
        """What `SolutionPrinter(names, decimal_data=…).doprint` prints for `expr` filled
        from `env` (Filler.expr with `bracket`)."""
        plan = self._plan(expr)
        return shrink_fences(self._raw(plan, _Fill(env, bracket, decimal_data)))

    # ---- plans, made once per template subtree ----

    def _plan(self, expr: sympy.Basic, term: bool = False) -> Plan:
        known = self._plans.get(id(expr) * 2 + term)
        if known is not None and known[0] is expr:
            return known[1]
        plan = self._make(expr, term)
        self._plans[id(expr) * 2 + term] = (expr, plan)
        return plan

    def _make(self, expr: sympy.Basic, term: bool) -> Plan:
        # Only a product is printed otherwise as a term (−1·(−2)·a as 2a).
        term = term and isinstance(expr, sympy.Mul)
        if not self.filler.has(expr):
            return _Fixed(minus_negative(expr) if term else expr)
        if isinstance(expr, Vec | Column) and not term:
            head, sep, tail = ((r"\left[\,", r",\ ", r"\,\right]") if isinstance(expr, Vec)
                               else (r"\begin{bmatrix} ", r" \\ ", r" \end{bmatrix}^{T}"))
            return _Join(head, sep, tail, tuple(self._plan(a) for a in expr.args))
        if isinstance(expr, sympy.Add) and not term:
            return _Sum(tuple(self._plan(a, term=True) for a in expr.args))
        slots: list[sympy.Basic] = []
        holes: list[tuple[sympy.Basic, Plan]] = []
        self._collect(expr, slots, holes, top=True)
        return _Unit(expr, term, tuple(slots), tuple(holes))

    def _collect(self, expr: sympy.Basic, slots: list[sympy.Basic],
                 holes: list[tuple[sympy.Basic, Plan]], top: bool = False) -> None:
        if expr in self.filler.slots:
            if expr not in slots:
                slots.append(expr)
            return
        if not self.filler.has(expr):
            return
        if isinstance(expr, Vec | Column) and not top:
            holes.append((expr, self._plan(expr)))
            return
        for a in expr.args:
            self._collect(a, slots, holes)

    # ---- printing one variant ----

    def _raw(self, plan: Plan, fill: _Fill) -> str:
        """The printer's `_print` text of the plan's subtree (fences not yet shrunk)."""
        if isinstance(plan, _Fixed):
            text = plan.texts.get(fill.decimal_data)
            if text is None:
                text = plan.texts[fill.decimal_data] = str(
                    self._printers[fill.decimal_data]._print(plan.expr))
            return text
        if isinstance(plan, _Join):
            return plan.head + plan.sep.join(self._raw(p, fill) for p in plan.parts) + plan.tail
        if isinstance(plan, _Sum):
            return joined_terms([self._raw(part, fill) for part in plan.parts])
        return self._unit(plan, fill)

    def _unit(self, unit: _Unit, fill: _Fill) -> str:
        numbers = [fill.env[s] for s in unit.slots]
        # Which sizes are equal is part of the class: the comparison with the full print
        # can tell two numbers' places apart only when their sizes differ.
        sizes = [abs(v) for v in numbers]
        classes = (*(number_class(v) for v in numbers), *(str(sizes.index(v)) for v in sizes))
        key = (fill.decimal_data, classes)
        if key not in unit.templates:
            return self._learn(unit, key, fill)
        template = unit.templates[key]
        if template is None:
            return self._full(unit, fill)
        return "".join(p if isinstance(p, str) else self._piece(unit, p, fill)
                       for p in template)

    def _piece(self, unit: _Unit, piece: tuple[str, int], fill: _Fill) -> str:
        kind, index = piece
        if kind == "S":
            return self._size(fill.decimal_data, fill.env[unit.slots[index]])
        return self._raw(unit.holes[index][1], fill)

    def _size(self, decimal_data: bool, value: sympy.Basic) -> str:
        key = (decimal_data, value)
        text = self._sizes.get(key)
        if text is None:
            text = self._sizes[key] = self._printers[decimal_data]._print(abs(value))
        return text

    def _full(self, unit: _Unit, fill: _Fill) -> str:
        filled = self.filler.expr(unit.expr, fill.env, fill.bracket)
        printer = self._printers[fill.decimal_data]
        return str(printer._print(minus_negative(filled) if unit.term else filled))

    def _learn(self, unit: _Unit, key: tuple[bool, tuple[str, ...]], fill: _Fill) -> str:
        """The unit's template for this class, checked against its full print now."""
        truth = self._full(unit, fill)
        template = self._template(unit, fill)
        unit.templates[key] = template
        if template is not None:
            made = "".join(p if isinstance(p, str) else self._piece(unit, p, fill)
                           for p in template)
            if made != truth:
                unit.templates[key] = None
        if unit.templates[key] is None:
            self.refused += 1
        else:
            self.learnt += 1
        return truth

    def _template(self, unit: _Unit, fill: _Fill) -> tuple[Piece, ...] | None:
        """The unit printed with stand-ins of the variant's classes, the stand-ins' text
        (and each hole's) cut out; None when a stand-in's digits do not come out whole."""
        inside = sorted((s for s in fill.env if s in self.filler.slots), key=str)
        stand = dict(fill.env)
        for i, slot in enumerate(inside):
            stand[slot] = stand_in(i, number_class(fill.env[slot]))
        text = self._full(unit, _Fill(stand, fill.bracket, fill.decimal_data))
        printer = self._printers[fill.decimal_data]
        for i, (hole, _) in enumerate(unit.holes):
            hole_text = str(printer._print(self.filler.expr(hole, stand, fill.bracket)))
            if text.count(hole_text) != 1:
                return None
            text = text.replace(hole_text, f"{_MARK}D{i}{_MARK}")
        for i, slot in enumerate(unit.slots):
            if number_class(fill.env[slot]) not in ("0", "1", "-1"):
                text = text.replace(self._size(fill.decimal_data, stand[slot]),
                                    f"{_MARK}S{i}{_MARK}")
        if str(STAND_IN)[:4] in text:
            return None
        pieces: list[Piece] = []
        for i, part in enumerate(text.split(_MARK)):
            if i % 2 == 0:
                if part:
                    pieces.append(part)
            else:
                pieces.append((part[0], int(part[1:])))
        return tuple(pieces)


@dataclass(frozen=True)
class _Fill:
    env: Env
    bracket: bool
    decimal_data: bool
