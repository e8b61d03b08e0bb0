"""Display forms of a polynomial in one symbol, as a teacher writes them.

sympy prints `6*s**2 - 6*s + 1` and factors to `-s*(s - 1)*(6*s**2 - 6*s + 1)`; the seed
writes `1 - 6s + 6s^2` and `s(1-s)(1-6s+6s^2)`. These builders return unevaluated trees
in that order; the value of each tree is the same polynomial, so checking is unaffected.
"""

from __future__ import annotations

import sympy
from sympy import Add, Mul, Poly, Symbol


def ascending(poly: sympy.Expr, s: Symbol) -> sympy.Expr:
    """c0 + c1 s + c2 s^2 + …, lowest power first, zero terms left out."""
    coeffs = Poly(poly, s).all_coeffs()[::-1]
    terms = [c * s**i for i, c in enumerate(coeffs) if c != 0]
    if not terms:
        return sympy.Integer(0)
    return terms[0] if len(terms) == 1 else Add(*terms, evaluate=False)


def _normalized(factor: sympy.Expr, s: Symbol) -> tuple[sympy.Expr, int]:
    """The factor with its lowest-order coefficient positive, and the sign taken out."""
    coeffs = [c for c in Poly(factor, s).all_coeffs()[::-1] if c != 0]
    sign = -1 if coeffs[0] < 0 else 1
    return sympy.expand(sign * factor), sign


def factored(poly: sympy.Expr, s: Symbol, known: sympy.Expr | None = None,
             shown: sympy.Expr | None = None) -> sympy.Expr:
    """c · s^m · known · (other factors, ascending), e.g. s(1-s)(1-2s)(1-12s+12s^2).

    `known` (a polynomial dividing `poly`, printed as `shown`) is kept whole, so
    1 − t² stays one factor instead of (1 − t)(1 + t).
    """
    rest = sympy.expand(poly)
    head: list[sympy.Expr] = []
    if known is not None and shown is not None:
        quotient, remainder = sympy.div(rest, sympy.expand(known), s)
        if remainder == 0 and quotient != 0:
            rest, head = quotient, [shown]
    content, parts = sympy.factor_list(rest, s)
    monomial: list[sympy.Expr] = []
    others: list[tuple[int, str, sympy.Expr]] = []
    for base, power in parts:
        if sympy.expand(base - s) == 0:
            monomial.append(s**power)
            continue
        norm, sign = _normalized(base, s)
        content *= sign**power
        shown_base = ascending(norm, s)
        item = shown_base if power == 1 else sympy.Pow(shown_base, power, evaluate=False)
        others.append((sympy.degree(norm, s), str(shown_base), item))
    factors = monomial + head + [item for _, _, item in sorted(others, key=lambda o: o[:2])]
    if not factors:
        return sympy.S(content)
    if content != 1:
        factors.insert(0, sympy.S(content))
    return factors[0] if len(factors) == 1 else Mul(*factors, evaluate=False)
