"""Numbers as solgen reads, evaluates and shows them: exact rationals from spec text,
40-digit mpmath values of numeric trees, decimals for display, substitution without
evaluation (substitute-only lines).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy
from sympy import Symbol

from generator.algebra.expr import ExprError, parse
from generator.algebra.functions import mp_function, mp_names

DPS = 40


Point = dict[Symbol, sympy.Rational]


def number(value: object) -> sympy.Rational:
    """A spec value (int, float written in decimal, or "3/4") as an exact Rational."""
    parsed = parse(value, {})  # floats are read from their decimal text: 0.1 is 1/10
    if not isinstance(parsed, sympy.Rational):
        raise ExprError(f"{value!r} is not a rational number", "write 3, 0.5 or \"3/4\"")
    return parsed


def decimal_places(value: sympy.Rational) -> int | None:
    """Decimals of a terminating fraction (3/4 → 2, an integer → 0), None when its decimal
    does not end (1/3)."""
    q, places = int(value.q), 0
    for prime in (2, 5):
        count = 0
        while q % prime == 0:
            q, count = q // prime, count + 1
        places = max(places, count)
    return places if q == 1 else None


def as_decimal(value: sympy.Rational) -> sympy.Basic:
    """7/10 → 0.7, 1/2 → 0.5 for display (unchanged when it has no finite decimal)."""
    places = decimal_places(value)
    if not places:
        return value
    scaled = abs(int(value.p)) * 10**places // int(value.q)
    digits = str(scaled).rjust(places + 1, "0")
    text = ("-" if value < 0 else "") + digits[:-places] + "." + digits[-places:]
    return sympy.Float(text, len(digits))


def exact_rational(value: sympy.Basic) -> sympy.Rational | None:
    """The rational a value is exactly: 3/2 itself, σ(0) = 1/2 (through exp: σ(0) stays
    unevaluated as a sympy function, yet a student should read `= 0.5`, not `≈ 0.500000`)."""
    if value.is_Rational:
        return value
    if not (isinstance(value, sympy.Function) and len(value.args) == 1
            and value.args[0].is_Rational):
        return None
    rewritten = value.rewrite(sympy.exp)
    return rewritten if rewritten.is_Rational else None


def mp_rational(value: sympy.Basic) -> Any:
    """An exact rational as an mpmath number at the working precision (ints first: sympy's
    own arithmetic on p and q costs ~20 µs a number, on a variant's hot path)."""
    return mpmath.mpf(int(value.p)) / int(value.q)


def mp_value(expr: sympy.Basic, env: Mapping[Symbol, Any]) -> Any:
    """Value of an expression of numbers, functions and symbols in `env`, in mpmath."""
    if expr.is_Rational:
        return mp_rational(expr)
    if expr.is_Float:
        # A shown decimal (0.952574) holds only ~20 bits: read back the digits it prints.
        return mpmath.mpf(str(expr))
    if isinstance(expr, Symbol):
        return env[expr]
    if expr.is_Add or expr.is_Mul:
        # Plain + and * at the working precision: fsum/fprod cost more and gain nothing here.
        values = [mp_value(a, env) for a in expr.args]
        return functools.reduce(operator.add if expr.is_Add else operator.mul, values)
    if expr.is_Pow:
        return mp_value(expr.base, env) ** mp_value(expr.exp, env)
    twin = mp_function(type(expr))
    if twin is not None:
        return twin(*[mp_value(a, env) for a in expr.args])
    if expr.is_Number or expr.is_NumberSymbol:
        return mpmath.mpf(sympy.N(expr, DPS))
    raise TypeError(f"cannot evaluate {type(expr).__name__} numerically")


def compile_mp(args: list[Symbol], expr: sympy.Basic) -> Callable[..., Any]:
    """A fast mpmath function of `args` (sympy's lambdify, every function through MPMATH)."""
    fn: Callable[..., Any] = sympy.lambdify(args, expr, modules=[mp_names(), "mpmath"])
    return fn


def decimal_text(value: Any, places: int) -> str:
    """`value` rounded to `places` decimals (as `precision:` means for every kind): -0.052."""
    units = int(mpmath.nint(value * mpmath.mpf(10) ** places))
    digits = str(abs(units)).rjust(places + 1, "0")
    sign = "-" if units < 0 else ""
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def decimal(value: Any, places: int) -> sympy.Float:
    """`decimal_text` as a Float that prints that way (for display only)."""
    text = decimal_text(value, places)
    return sympy.Float(text, max(1, len(text.lstrip("-").replace(".", "").lstrip("0"))))


def substitute(expr: sympy.Basic, point: Mapping[sympy.Basic, sympy.Basic],
               shown: bool = False, decimals: frozenset[Symbol] = frozenset()) -> sympy.Basic:
    """Put numbers in without evaluating anything: w11·a11 → 2·1, kept as written.

    `shown=True` is for display only: negative numbers are kept in brackets, so
    a·w with a = −1 prints (−1)·2, never `- -1`, and leaves in `decimals` print as
    0.7 rather than 7/10; check the `shown=False` form.
    """
    if expr in point:
        value = point[expr]
        if not shown:
            return value
        if expr in decimals:
            value = as_decimal(value)
        return sympy.UnevaluatedExpr(value) if value.is_Number and value < 0 else value
    if not expr.args:
        return expr
    args = [substitute(a, point, shown, decimals) for a in expr.args]
    if shown and isinstance(expr, sympy.Mul):
        # A division by a constant that is 1 (2/n with n = 1) says nothing: print −2, not −2/1.
        args = [a for a in args if not _over_one(a)] or [sympy.Integer(1)]
        if len(args) == 1:
            return args[0]
        args = _numbers_ahead(args)
    return expr.func(*args, evaluate=False)


def _is_number(expr: sympy.Basic) -> bool:
    inner = expr.args[0] if isinstance(expr, sympy.UnevaluatedExpr) else expr
    return bool(inner.is_Number)


def _numbers_ahead(args: list[sympy.Basic]) -> list[sympy.Basic]:
    """A number put in between two factors that are not numbers goes to the front, after
    the numbers already there: a₁v₁(1 − a₁) with v₁ = −1 prints (−1)·a₁(1 − a₁), not
    a₁·(−1)(1 − a₁), which splits a₁(1 − a₁) apart. sympy's order of the factors (symbols
    before sums) is what puts v₁ between them; a number at either end stays where it is."""
    flags = [_is_number(a) for a in args]
    inside = [i for i, f in enumerate(flags)
              if f and not all(flags[:i]) and not all(flags[i + 1:])]
    if not inside:
        return args
    lead = next(i for i, f in enumerate(flags) if not f)
    moved = set(inside)
    return [*args[:lead], *[args[i] for i in inside],
            *[a for i, a in enumerate(args[lead:], lead) if i not in moved]]


def _over_one(expr: sympy.Basic) -> bool:
    """1⁻¹, 1⁻², …: what a denominator equal to 1 becomes once its number is put in."""
    return (isinstance(expr, sympy.Pow) and expr.base == 1 and expr.exp.is_negative is True)


def evaluated(expr: sympy.Basic) -> sympy.Basic:
    """Rebuild an unevaluated tree with evaluation on: 2·1 + 3·4 → 14, σ(5) stays."""
    if not expr.args:
        return expr
    return expr.func(*[evaluated(a) for a in expr.args])
