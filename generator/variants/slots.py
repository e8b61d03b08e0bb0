"""Printing many variants fast: print each line once with slots, fill in numbers per variant.

sympy's LaTeX printer costs ~30 µs per node, which would dominate a 1000-variant build.
So a line such as `z_{00} = a_{11} w_{11} + …` is printed once with a slot token in place
of each leaf and node (`⟦3⟧ ⟦·⟧ ⟦7⟧ + …`), and each variant only swaps tokens for the
LaTeX of its numbers. The tree that is *checked* is still built and verified per variant
(numeric.substitute); only its printing is shared. A product sign goes before a factor
that is a number, so that 1·2 never reads as 12, and nowhere else (2 σ(3)), as the full
solve prints; a negative number, a fraction or a sum put into a product is bracketed, as
`substitute(shown=True)` does for a single line.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import sympy
from sympy import Symbol
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from generator.algebra.fences import shrink_fences
from generator.algebra.printing import SolutionPrinter

_TOKEN = re.compile(r"⟦(\d+)⟧")
# A slot the printer bracketed (plain brackets since issue 15, fences.shrink_fences).
_IN_BRACKETS = re.compile(r"(?:\\left)?\(⟦(\d+)⟧(?:\\right)?\)")


class Shown(sympy.Atom):  # type: ignore[misc]  # sympy is untyped
    """A line already printed: carries its LaTeX; checks use the Step's `value`."""

    def __new__(cls, latex: str) -> Shown:
        obj: Shown = super().__new__(cls)
        obj.text = latex
        return obj

    def _hashable_content(self) -> tuple[str]:
        return (self.text,)

    def _latex(self, printer: Any) -> str:
        return str(self.text)

    def _sympystr(self, printer: Any) -> str:
        return str(self.text)


# Where the printer joins two factors of a product: decided once the numbers are in.
_MUL = " ⟦·⟧ "
# A product sign before a slot is decided by what fills it (SolutionPrinter._product
# writes one before a number, 1 · 2, (−1) · 2, and a space before anything else, 2 σ(3)).
_MUL_BEFORE_SLOT = re.compile(re.escape(_MUL) + r"(?=⟦(\d+)⟧|\\left\(⟦(\d+)⟧\\right\))")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\\frac\{\d+\}\{\d+\})")


def _products(tex: str, printed: list[tuple[str, str]]) -> str:
    """The template's product signs as the full solve prints them at these numbers."""
    if _MUL not in tex:
        return tex
    tex = _MUL_BEFORE_SLOT.sub(lambda m: r" \cdot " if _NUMBER.fullmatch(
        printed[int(m.group(1) or m.group(2))][0]) else " ", tex)
    return tex.replace(_MUL, " ")


class _SlotPrinter(SolutionPrinter):
    def __init__(self, names: Mapping[Symbol, str]) -> None:
        super().__init__(names)
        self._settings["mul_symbol_latex"] = _MUL

    def doprint(self, expr: sympy.Basic) -> str:
        # Not SolutionPrinter's: its fences are shrunk once the numbers are in, since a slot
        # may hold 3/2, which makes the brackets around it grow.
        return str(LatexPrinter.doprint(self, expr))


class _SlotText(StrPrinter):  # type: ignore[misc]  # sympy is untyped
    """sympy text in the order built, σ written with exp, slots printed as tokens."""

    def __init__(self, names: Mapping[Symbol, str] | None = None) -> None:
        super().__init__({"order": "none"})
        self.names = names or {}

    def _print_Symbol(self, expr: Symbol) -> str:
        return self.names.get(expr) or symbol_text(expr.name)

    def _print_sigmoid(self, expr: Any) -> str:
        return f"(1/(1 + exp(-({self._print(expr.args[0])}))))"

    _print_sigmoid_exp = _print_sigmoid


@cache
def symbol_text(name: str) -> str:
    """A symbol as plain `sympify` reads it back. sympify looks names up in sympy's own
    namespace first (`beta` is the beta function, `E` is e, `S` and `N` are sympy objects),
    so such a name is written `Symbol('beta')` in the answer keys."""
    if keyword.iskeyword(name) or name in vars(sympy):
        return f"Symbol({name!r})"
    return name


def plain_text(expr: sympy.Basic) -> str:
    """What plain `sympy.sympify` reads back as `expr` (σ written with exp)."""
    return str(_SlotText().doprint(expr))


def _swap(expr: sympy.Basic, tokens: Mapping[Symbol, Symbol]) -> sympy.Basic:
    """Put tokens in without evaluating: xreplace would re-sort and fold the product."""
    if expr in tokens:
        return tokens[expr]
    if not expr.args:
        return expr
    return expr.func(*[_swap(a, tokens) for a in expr.args], evaluate=False)


class Slots:
    """Prints expressions over some symbols once, then fills in values by string."""

    def __init__(self, names: Mapping[Symbol, str], tex: Callable[[sympy.Basic], str]) -> None:
        self.names = dict(names)
        self.tex = tex
        self._templates: dict[tuple[Any, frozenset[Symbol], bool], str] = {}
        self._values: dict[sympy.Basic, tuple[str, str]] = {}
        self._texts: dict[sympy.Basic, str] = {}
        self._free: dict[sympy.Basic, list[Symbol]] = {}

    def template(self, expr: sympy.Basic, slots: frozenset[Symbol], text: bool = False) -> str:
        key = (expr, slots, text)
        if key not in self._templates:
            order = sorted(slots, key=lambda s: s.name)
            tokens = {s: Symbol(f"_slot{i}") for i, s in enumerate(order)}
            names = {t: f"⟦{i}⟧" for i, t in enumerate(tokens.values())}
            printer = _SlotText(names) if text else _SlotPrinter({**self.names, **names})
            self._templates[key] = str(printer.doprint(_swap(expr, tokens)))
        return self._templates[key]

    def _order(self, expr: sympy.Basic, keys: Mapping[Symbol, Any]
               ) -> tuple[frozenset[Symbol], list[Symbol]]:
        if expr not in self._free:
            self._free[expr] = sorted(expr.free_symbols, key=lambda s: s.name)
        order = [s for s in self._free[expr] if s in keys]
        return frozenset(order), order

    def fill_strings(self, expr: sympy.Basic, strings: Mapping[Symbol, tuple[str, str]]) -> str:
        """LaTeX of `expr`, each symbol in `strings` replaced by (plain, in-product) LaTeX."""
        slots, order = self._order(expr, strings)
        printed = [strings[s] for s in order]
        text = _IN_BRACKETS.sub(lambda m: rf"\left({printed[int(m.group(1))][0]}\right)",
                                _products(self.template(expr, slots), printed))
        return shrink_fences(_TOKEN.sub(lambda m: printed[int(m.group(1))][1], text))

    def fill(self, expr: sympy.Basic, values: Mapping[Symbol, sympy.Basic]) -> str:
        """LaTeX of `expr` with each symbol in `values` replaced by its value."""
        _, order = self._order(expr, values)
        return self.fill_strings(expr, {s: self.value(values[s]) for s in order})

    def fill_text_strings(self, expr: sympy.Basic, texts: Mapping[Symbol, str]) -> str:
        """`plain_text` of `expr`, each symbol in `texts` replaced by that (bracketed) text."""
        slots, order = self._order(expr, texts)
        printed = [texts[s] for s in order]
        return _TOKEN.sub(lambda m: printed[int(m.group(1))], self.template(expr, slots, True))

    def text(self, value: sympy.Basic) -> str:
        """`plain_text` of a value, bracketed, cached."""
        if value not in self._texts:
            self._texts[value] = f"({plain_text(value)})"
        return self._texts[value]

    def value(self, value: sympy.Basic) -> tuple[str, str]:
        """(plain LaTeX, LaTeX safe inside a product) of a value, cached."""
        if value not in self._values:
            plain = self.tex(value)
            fraction = value.is_Rational and not value.is_Integer
            needs = (value.is_Number and value < 0) or fraction or isinstance(
                value, sympy.Add | sympy.Mul)
            self._values[value] = (plain, rf"\left({plain}\right)" if needs else plain)
        return self._values[value]
