"""A substituted variant's exact answers for the key, from templates per class of numbers.

The key states each answer exactly (LaTeX and a sympy string): the answer's formula with
the variant's numbers put in and *evaluated* by sympy (θ¹ = b − α∂L/∂b at the point). That
evaluation folds some numbers together (2·0.1·x₁ is x₁/5) and leaves others as they are (b
as a term, z inside σ(z)). So the formula is written over the template's slots where it
can be (z's slot for the pre-activation), and a variant's answer is learnt per *class*
of its numbers (number_class: 0, ±1, sign and whole-or-not): evaluated once with stand-in
numbers of those classes whose digits occur nowhere else, and each stand-in's text
replaced by a hole for the number's own text. The first variant of each class is also
evaluated and printed in full and the two compared: on a mismatch (a number folded into
another, its digits gone) the class is evaluated and printed in full for good, so the
key never depends on what was cached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from math import gcd
from typing import Any

import sympy

from generator.algebra.numbers import compile_mp, mp_rational, mp_value
from generator.variants.line_templates import number_class

_MARK = "\x00"
STAND_IN = 9_107_000
Text = Callable[[sympy.Basic], str]
Pieces = tuple[str | int, ...]  # text, or the index of the symbol whose number goes there


def stand_in(index: int, value: sympy.Rational, modulus: int) -> sympy.Rational:
    """A number of `value`'s class and denominator whose digits occur nowhere else: its
    numerator prime to `modulus` (so 2·0.1·x keeps its digits in x/5), different for
    each `index`."""
    if number_class(value) in ("0", "1", "-1"):
        return value
    part = abs(value) % 1
    found = STAND_IN + 1
    for _ in range(index + 1):
        found += 1
        while gcd(int((found + part).p), modulus) != 1:
            found += 1
    return sympy.Integer(found) + part if value > 0 else -(sympy.Integer(found) + part)


class AnswerTemplates:
    """One answer's formula over slots; `texts(values)` gives its exact LaTeX and text."""

    def __init__(self, formula: sympy.Basic, latex: Text, text: Text) -> None:
        self.formula = formula
        self.symbols = tuple(sorted(formula.free_symbols, key=str))
        self.latex, self.text = latex, text
        # sympy folds numbers into each other (2·0.1·x₁ is x₁/5, y = 1 in (y − σ)(1 − σ)
        # makes a square): a number's class is also what it shares with the formula's
        # numbers (its gcd with their product N), and a number equal to one of them is
        # part of the class by its value. Stand-ins share nothing with N.
        # A number standing alone (a term of a sum, σ's argument) folds with nothing
        # by multiplication: its sign and whole-or-not are its class.
        self.alone = tuple(_alone(formula, s) for s in self.symbols)
        numbers = formula.atoms(sympy.Rational)
        self.constants = frozenset(abs(a) for a in numbers)
        self.modulus = 210
        for a in numbers:
            self.modulus *= abs(int(a.p)) * int(a.q) or 1
        self._templates: dict[tuple[object, ...], tuple[Pieces, Pieces] | None] = {}
        self._sizes: dict[sympy.Basic, tuple[str, str]] = {}

    def _class(self, values: Mapping[sympy.Basic, sympy.Rational]) -> tuple[object, ...]:
        numbers = [values[s] for s in self.symbols]
        own: list[object] = [
            v if abs(v) in self.constants else (number_class(v),) if alone else
            (number_class(v), gcd(int(v.p), self.modulus), gcd(int(v.q), self.modulus))
            for v, alone in zip(numbers, self.alone, strict=True)]
        # Which of the numbers given stand-ins are equal in size (stand-ins never are):
        # part of the class too, so the first comparison tells their places apart.
        kept = [abs(v) for v, c in zip(numbers, own, strict=True) if isinstance(c, tuple)]
        own.append(tuple(kept.index(v) for v in kept))
        return tuple(own)

    def texts(self, values: Mapping[sympy.Basic, sympy.Rational]
              ) -> tuple[str, str, sympy.Basic | None]:
        """(LaTeX, sympy text, the evaluated answer when it was made in full, else None)."""
        classes = self._class(values)
        if classes not in self._templates:
            return self._learn(classes, values)
        template = self._templates[classes]
        if template is None:
            exact = self.formula.xreplace(dict(values))
            return self.latex(exact), self.text(exact), exact
        return self._fill(template[0], values, 0), self._fill(template[1], values, 1), None

    def _fill(self, pieces: Pieces, values: Mapping[sympy.Basic, sympy.Rational],
              which: int) -> str:
        return "".join(p if isinstance(p, str) else self._size(values[self.symbols[p]])[which]
                       for p in pieces)

    def _size(self, value: sympy.Rational) -> tuple[str, str]:
        found = self._sizes.get(value)
        if found is None:
            size = abs(value)
            found = self._sizes[value] = (self.latex(size), self.text(size))
        return found

    def _learn(self, classes: tuple[object, ...], values: Mapping[sympy.Basic, sympy.Rational]
               ) -> tuple[str, str, sympy.Basic]:
        exact = self.formula.xreplace(dict(values))
        truth = (self.latex(exact), self.text(exact))
        stand = {s: stand_in(i, values[s], self.modulus) if isinstance(c, tuple) else values[s]
                 for i, (s, c) in enumerate(zip(self.symbols, classes[:-1], strict=True))}
        made = self.formula.xreplace(stand)
        template = (self._cut(self.latex(made), stand, 0), self._cut(self.text(made), stand, 1))
        if (template[0] is None or template[1] is None
                or (self._fill(template[0], values, 0), self._fill(template[1], values, 1))
                != truth):
            self._templates[classes] = None
        else:
            self._templates[classes] = (template[0], template[1])
        return truth[0], truth[1], exact

    def _cut(self, text: str, stand: Mapping[sympy.Basic, sympy.Rational],
             which: int) -> Pieces | None:
        """`text` with each stand-in's size replaced by its symbol's index."""
        for i, s in enumerate(self.symbols):
            if abs(stand[s]) > STAND_IN:
                text = text.replace(self._size(stand[s])[which], f"{_MARK}{i}{_MARK}")
        if str(STAND_IN)[:4] in text:
            return None  # a stand-in's digits came out changed: learnt in full instead
        parts = text.split(_MARK)
        return tuple(p if k % 2 == 0 else int(p) for k, p in enumerate(parts)
                     if k % 2 == 1 or p)


def _alone(formula: sympy.Basic, symbol: sympy.Basic) -> bool:
    """Whether every place `symbol` takes in `formula` is a term of a sum or the single
    argument of a function."""
    def walk(expr: sympy.Basic) -> bool:
        for arg in expr.args:
            if arg == symbol:
                if not (isinstance(expr, sympy.Add) or (
                        isinstance(expr, sympy.Function) and len(expr.args) == 1)):
                    return False
            elif not walk(arg):
                return False
        return True
    return walk(formula)


class SubstitutedAnswers:
    """The exact answers of substituted variants: per answer, its formula over the
    template's slots (z's slot for z's inlined sum), learnt per class as above, and
    compiled once, so that each variant's answer is also worked out by another road
    than the truth over the drawn leaves (which inlines z)."""

    def __init__(self, truth: Mapping[str, sympy.Basic], derived: Mapping[sympy.Basic,
                 sympy.Basic], known: frozenset[sympy.Basic], latex: Text, text: Text
                 ) -> None:
        back = {meaning: slot for slot, meaning in derived.items()}
        self.formulas = {key: expr.xreplace(back) for key, expr in truth.items()}
        self.usable = all(f.free_symbols <= known for f in self.formulas.values())
        self.templates = {key: AnswerTemplates(f, latex, text)
                          for key, f in self.formulas.items()}
        self.compiled = {key: compile_mp(list(t.symbols), f)
                         for (key, f), t in zip(self.formulas.items(),
                                                self.templates.values(), strict=True)}

    def answer(self, key: str, values: Mapping[sympy.Basic, sympy.Rational]
               ) -> tuple[str, str, Any]:
        """LaTeX, sympy text, and the answer's value at the working precision (the
        evaluated answer's when it was made in full, else the compiled formula's)."""
        latex, text, exact = self.templates[key].texts(values)
        if exact is not None:
            return latex, text, mp_value(exact, {})
        symbols = self.templates[key].symbols
        return latex, text, self.compiled[key](*[mp_rational(values[s]) for s in symbols])
