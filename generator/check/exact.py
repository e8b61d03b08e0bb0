"""An exact proof for lines of numbers: both sides as polynomials over ℚ in their atoms.

An SGD variant's lines are numbers and functions of numbers, `0.2 + 2·0.1(1 − σ(−2.8))…`.
sympy proves such a line by `expand(a − b) == 0`, ~4 ms a line. Here each side is
multiplied out with Python's `Fraction`, every function applied to a rational (σ(−14/5),
exp(3)) taken as an opaque atom, and the two polynomials compared. Equal polynomials in
opaque atoms are equal for every value of the atoms, so equal sides are a proof, the same
one `expand` gives; anything else (a symbol, a float, a root, a pole, sides that differ
only through a relation between atoms such as σ(−x) = 1 − σ(x)) returns None and the
caller runs sympy's ladder as before.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

Atom = tuple[str, tuple[Fraction, ...]]
Monomial = tuple[tuple[Atom, int], ...]  # sorted (atom, power) pairs; () is the constant
Poly = dict[Monomial, Fraction]
MAX_TERMS = 2000  # a product of sums beyond this: leave it to sympy


class _NotExact(Exception):
    """The expression is not a polynomial over ℚ in atoms of rational numbers."""


def equal(a: sympy.Basic, b: sympy.Basic, memo: dict[sympy.Basic, Poly] | None = None
          ) -> bool | None:
    """True when a and b are provably equal numbers; None when this cannot tell.

    `memo` keeps the polynomials of subtrees between calls: σ(z)(1 − σ(z)) repeats
    within a line, and each line of a derivation is the next line's left side."""
    memo = {} if memo is None else memo
    try:
        return _poly(a, memo) == _poly(b, memo) or None
    except (_NotExact, ZeroDivisionError):
        return None


def size(expr: sympy.Basic) -> int:
    """Nodes of the expression tree."""
    return sum(1 for _ in sympy.preorder_traversal(expr))


def _constant(poly: Poly) -> Fraction:
    if not poly:
        return Fraction(0)
    if set(poly) != {()}:
        raise _NotExact
    return poly[()]


def _add(x: Poly, y: Poly) -> Poly:
    out = dict(x)
    for mono, c in y.items():
        total = out.get(mono, Fraction(0)) + c
        if total:
            out[mono] = total
        else:
            out.pop(mono, None)
    return out


def _times(m: Monomial, n: Monomial) -> Monomial:
    powers = dict(m)
    for atom, k in n:
        powers[atom] = powers.get(atom, 0) + k
    return tuple(sorted(powers.items()))


def _mul(x: Poly, y: Poly) -> Poly:
    if len(x) * len(y) > MAX_TERMS:
        raise _NotExact
    out: Poly = {}
    for m, c in x.items():
        for n, d in y.items():
            mono = _times(m, n)
            total = out.get(mono, Fraction(0)) + c * d
            if total:
                out[mono] = total
            else:
                out.pop(mono, None)
    return out


def _pow(base: Poly, exp: int) -> Poly:
    if exp < 0:  # only a number can be inverted exactly
        return {(): 1 / _constant(base) ** -exp}
    out: Poly = {(): Fraction(1)}
    for _ in range(exp):
        out = _mul(out, base)
    return out


def _poly(expr: sympy.Basic, memo: dict[sympy.Basic, Poly]) -> Poly:
    if expr not in memo:
        memo[expr] = _walk(expr, memo)
    return memo[expr]


def _walk(expr: sympy.Basic, memo: dict[sympy.Basic, Poly]) -> Poly:
    if expr.is_Rational:
        value = Fraction(int(expr.p), int(expr.q))
        return {(): value} if value else {}
    if expr.is_Add:
        out: Poly = {}
        for arg in expr.args:
            out = _add(out, _poly(arg, memo))
        return out
    if expr.is_Mul:
        out = {(): Fraction(1)}
        for arg in expr.args:
            out = _mul(out, _poly(arg, memo))
        return out
    if expr.is_Pow and expr.exp.is_Integer:
        return _pow(_poly(expr.base, memo), int(expr.exp))
    if isinstance(expr, sympy.Function) and expr.args:
        args = tuple(_constant(_poly(a, memo)) for a in expr.args)
        return {(((type(expr).__name__, args), 1),): Fraction(1)}
    raise _NotExact
