"""Exact decisions about a difference a − b: zero (proved), or provably not zero.

Two kinds of proof that the difference is 0 (expand; cancel with σ, tanh … as atoms, then
rewritten to exp) and two kinds of proof that it is not:

- a difference without symbols is a number: a rational is compared exactly, an exact
  constant (e^{-100}, π − 22/7) is signed by sympy, which evaluates it with an error bound;
- a difference that is a rational function of the symbols (whatever the constants in it) is
  brought over one denominator; a numerator with one coefficient that is provably not 0 is
  a polynomial that is not 0, so the two sides differ almost everywhere.

Nothing here samples: a "not zero" decision is then shown at a point by the caller.
"""

from __future__ import annotations

import sympy

MAX_EXPANDED_POWER = 4  # (a + b)^k with a larger k is left to cancel, not multiplied out
MAX_POLY_TERMS = 2000  # beyond this the numerator's coefficients are not listed one by one


def expands_to_zero(diff: sympy.Basic) -> bool:
    """A proof for sums of products, the bulk of the lines (an SGD variant's lines are
    numbers and σ of numbers): multiplied out, the difference is 0. It is exact, like
    cancel, and several times cheaper than together + cancel. A power of a sum could
    multiply out to thousands of terms, so such a difference goes to cancel instead."""
    for node in sympy.preorder_traversal(diff):
        if isinstance(node, sympy.Pow) and node.base.is_Add and (
                not node.exp.is_Integer or abs(node.exp) > MAX_EXPANDED_POWER):
            return False
    return bool(sympy.expand(diff) == 0)


def cancels_to_zero(diff: sympy.Basic) -> bool:
    """With σ, tanh … as opaque atoms (cheap when both sides are written in σ, as backprop
    steps are), then rewritten to exp, which can cost seconds on deep networks."""
    for rewrite in (False, True):
        try:
            form = diff.rewrite(sympy.exp) if rewrite else diff
            if sympy.cancel(sympy.together(form)) == 0:
                return True
        except (sympy.PolynomialError, TypeError, ValueError):
            pass  # not a rational function in these atoms: try the next form
    return False


def proof_of_zero(diff: sympy.Basic) -> str | None:
    """The rung that shows diff = 0, or None."""
    if diff == 0:
        return "identical"
    if expands_to_zero(diff):
        return "expand"
    if cancels_to_zero(diff):
        return "cancel"
    return None


def constant_sign(value: sympy.Basic) -> int | None:
    """-1, 0 or 1 for a number without symbols, 2 for "not 0, sign unknown" (complex), None
    when sympy cannot tell. Rationals are exact; other constants are signed by sympy's
    assumptions, which evaluate with a guaranteed error (a 0 that evaluation cannot tell
    from a tiny number stays None)."""
    if value.is_Rational:
        return int(sympy.sign(value))
    try:
        zero = value.is_zero
        if zero:
            return 0
        if zero is False:
            if value.is_extended_positive:
                return 1
            return -1 if value.is_extended_negative else 2
    except (TypeError, ValueError, RecursionError):
        pass
    return None


def is_rational_function(diff: sympy.Basic) -> bool:
    """Only symbols, numbers, + − × ÷ and integer powers (constants may be anything)."""
    for node in sympy.preorder_traversal(diff):
        if node.free_symbols and isinstance(node, sympy.Function | sympy.Derivative
                                            | sympy.Max | sympy.Min):
            return False
        if isinstance(node, sympy.Pow) and node.base.free_symbols and not node.exp.is_Integer:
            return False
        if isinstance(node, sympy.Pow) and node.exp.free_symbols:
            return False
    return True


def not_zero(diff: sympy.Basic) -> bool | None:
    """True when diff provably differs from 0 as a function of its symbols; None when
    this cannot be decided exactly (the numeric rung takes over)."""
    symbols = sorted(diff.free_symbols, key=lambda s: s.name)
    if not symbols:
        sign = constant_sign(diff)
        return None if sign is None else sign != 0
    if not is_rational_function(diff):
        return None
    try:
        numerator, _ = sympy.fraction(sympy.together(diff))
        poly = sympy.Poly(sympy.expand(numerator), *symbols)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, TypeError, ValueError):
        return None
    coefficients = poly.coeffs()
    if len(coefficients) > MAX_POLY_TERMS:
        return None
    if any(constant_sign(c) not in (0, None) for c in coefficients):
        return True
    return None


def exact_value(expr: sympy.Basic, point: dict[sympy.Symbol, sympy.Rational]
                ) -> sympy.Basic | None:
    """expr at a rational point in exact arithmetic, when it is a rational function with
    rational coefficients (else None: the caller evaluates numerically)."""
    if not is_rational_function(expr) or expr.atoms(sympy.NumberSymbol, sympy.Function):
        return None
    value = expr.xreplace(point)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not value.is_Rational:
        return None
    return value
