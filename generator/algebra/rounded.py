"""A line of `≈` values from one compiled function, with the Evaluator's walk behind it.

A printed `≈` value is the 50-digit Float of the Evaluator's walk at 60 digits
(evaluator.py), rounded to the problem's places by the printer (half-even, sign kept:
−0.000000 for a tiny negative). The walk costs ≈ 2 ms for θ¹ of an SGD step; the same
formula compiled with lambdify costs a small part of that. The two sum in other orders, so
their last digits may differ; the *print* can only differ when a value lies so near a
rounding tie (or zero, where only the sign changes) that those last digits decide it.

So `RoundedValues` evaluates the compiled function at the walk's precision and at a lower
one. The difference of the two bounds how far the compiled value can be from the truth at
this point (a sum that cancels shows up there). The walk gives the point's values instead
where that difference is ≥ 10⁻³⁰ of the last printed place, where a value is within 10⁻²⁰
of that place of a tie (k + ½ places) or of 0, or where it is too large for 50 digits to
keep the place exactly. Otherwise both evaluations are within ≈ 10⁻³⁰ of the truth at the
printed place and ≥ 10⁻²⁰ of it away from a tie: they print alike
(tests/test_rounded.py shows a tie, a zero and a cancelled sum caught).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import sympy
from sympy import Symbol

from generator.algebra.evaluator import Evaluator
from generator.algebra.functions import mp_names
from generator.algebra.numbers import mp_rational

DIGITS = 50  # the walk's Float, as `Evaluator(expr, [], 50)` gives it
WORK = DIGITS + 10  # the walk's working precision
CHECK = DIGITS  # the second evaluation, to see how much the working digits matter
AGREE = mpmath.mpf(10) ** -30  # largest difference of the two, in units of the place
TIE = mpmath.mpf(10) ** -20  # nearest a value may be to a tie, in units of the place
LARGEST = mpmath.mpf(10) ** 25  # in units of the place: 50 digits still keep it exactly


class RoundedValues:
    """`formulas` over `symbols`; `self(point)` gives each one's 50-digit Float at the
    point, printing at `places` decimals exactly as the Evaluator's walk would."""

    def __init__(self, symbols: list[Symbol], formulas: list[sympy.Basic], places: int
                 ) -> None:
        self.symbols = symbols
        self.compiled: Callable[..., Any] = sympy.lambdify(
            symbols, list(formulas), modules=[mp_names(), "mpmath"], cse=True)
        self.walks = [Evaluator(f, [], DIGITS) for f in formulas]
        self.scale = mpmath.mpf(10) ** places
        self.fallbacks = 0  # points given by the walk (tests read it)

    def __call__(self, point: dict[Symbol, sympy.Rational]) -> list[sympy.Basic]:
        fast = self._compiled(point)
        if fast is None:
            self.fallbacks += 1
            return [walk(point) for walk in self.walks]
        return fast

    def _compiled(self, point: dict[Symbol, sympy.Rational]) -> list[sympy.Basic] | None:
        try:
            low = self._at(point, CHECK)
            with mpmath.workdps(WORK):
                high = self._at(point, WORK)
                if not all(_sure(h * self.scale, (h - lo) * self.scale)
                           for h, lo in zip(high, low, strict=True)):
                    return None
                return [sympy.Float(h, DIGITS) for h in high]
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None

    def _at(self, point: dict[Symbol, sympy.Rational], digits: int) -> list[Any]:
        with mpmath.workdps(digits):
            values = self.compiled(*[mp_rational(point[s])
                                     for s in self.symbols])
            return [+v for v in values]  # rounded at `digits`, whatever lambdify returned


def _sure(units: Any, error: Any) -> bool:
    """Whether a value of `units` printed places, known to within `error`, rounds the
    same way from anywhere within ±10⁻³⁰ of it: far from a tie, from 0 and from huge."""
    if not isinstance(units, mpmath.mpf) or not mpmath.isfinite(units):
        return False
    if abs(error) >= AGREE or abs(units) >= LARGEST:
        return False
    # A value on a place (2.000000: x₂ = 0) is no tie; k + ½ is, and so is 0, where only
    # the sign of the last digits decides between 0.000000 and −0.000000.
    half = units - mpmath.floor(units) - mpmath.mpf(1) / 2
    return bool(abs(half) >= TIE and abs(units) >= TIE)
