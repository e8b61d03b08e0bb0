"""Evaluates one expression at many points with mpmath, at the verifier's precision.

`sympy.N(expr.xreplace(point))` rebuilds and walks the whole tree at every point; a deep
network's expressions repeat the same subtrees (tanh(Wx + b) in every path), so that
costs ~10 ms a point. Here the tree is walked once per point with mpmath numbers and
every distinct subtree is computed once (a memo), under `mpmath.workdps` — the same
arithmetic (mpmath, never float64). Anything this walker does not know (a function
without an mpmath twin, a complex value, a pole) falls back to sympy for that point,
so results never depend on the fast path.

Where the walk cannot go, sympy's exact arithmetic can run for ever: x^x at x = −5·10⁶ is
a complex value, and `xreplace` alone builds (−5·10⁶)^(−5·10⁶) exactly, 33 million digits.
So the fallback is refused (the value is "unknown" at that point, and the caller skips the
point, never accepts on it) when some power's exponent there exceeds MAX_EXPONENT.

`precise` also reports how many digits the sums on the way lost to cancellation
(1 − σ(40) at 40 digits keeps almost none), so the verifier can raise the precision
until what is left is enough, instead of comparing noise.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

import mpmath
import sympy
from sympy import Symbol

from generator.algebra.functions import mp_function
from generator.limits import Alarm, alarm

FAST_ABOVE = 60  # tree nodes; below this sympy's own evaluation is as fast, unless …
# … the tree holds a function: sympy evaluates σ(3/2) by building 1/(1 + e^(-3/2)) and
# evalf-ing that, ~2 ms a call, where the walk takes ~0.1 ms (an SGD variant's checks).

_LOG10_2 = 0.30103  # digits per bit, for mpmath.mag (a power of two)
# The largest exponent sympy is asked to raise an exact number to (the reader's cap on a
# printed power too): 1000 keeps an exact power of a point's value to some 10⁴ digits.
MAX_EXPONENT = 1000
FALLBACK_SECONDS = 10.0  # one point's sympy evaluation; only a pathological tree gets near
GUARD_DIGITS = 20  # a Float point's digits above the evaluation's


def _bounded_n(expr: sympy.Basic, point: dict[Symbol, sympy.Rational], digits: int,
               floating: bool = False) -> sympy.Basic | None:
    """`sympy.N` at the point, or None when it runs past FALLBACK_SECONDS (a last guard
    behind `too_exact`: exact powers nested in powers). Under a problem's own time limit
    that limit is the one to ring, and its alarm is never swallowed here.

    `floating` puts the point in as Floats (GUARD_DIGITS above `digits`, as the walk
    rounds it too): a variable exponent makes an exact rational one at the point, and
    sympy then extracts roots such as (837/500)^(−667089/500000) exactly, in C, for
    minutes, where no alarm reaches it; mpmath takes a millisecond."""
    outer = (threading.current_thread() is not threading.main_thread()
             or signal.getitimer(signal.ITIMER_REAL)[0] > 0)
    if floating:
        point = {s: sympy.Float(v, digits + GUARD_DIGITS) for s, v in point.items()}
    try:
        with alarm(FALLBACK_SECONDS, unless_running=True):
            return sympy.N(expr.xreplace(point), digits)
    except Alarm:
        if outer:
            raise
        return None


class Unknown(Exception):
    """A node the walker cannot evaluate: use sympy for this point."""


def _size(expr: sympy.Basic, limit: int) -> int:
    count = 0
    for _ in sympy.preorder_traversal(expr):
        count += 1
        if count > limit:
            break
    return count


class Evaluator:
    def __init__(self, expr: sympy.Basic, symbols: list[Symbol], digits: int) -> None:
        self.expr, self.digits = expr, digits
        self.lost = 0.0
        self.fast = _size(expr, FAST_ABOVE) > FAST_ABOVE or bool(expr.atoms(sympy.Function))
        self.floating = any(isinstance(p, sympy.Pow) and p.exp.free_symbols
                            for p in sympy.preorder_traversal(expr))

    def slow(self, point: dict[Symbol, sympy.Rational]) -> sympy.Basic:
        value = (None if self.too_exact(point)
                 else _bounded_n(self.expr, point, self.digits, self.floating))
        return sympy.nan if value is None else value  # no value in bounded time: as a pole

    def too_exact(self, point: dict[Symbol, sympy.Rational]) -> bool:
        """Whether putting the point in would make sympy build a huge exact power: some
        exponent there is above MAX_EXPONENT, or cannot be bounded (not real, unknown)."""
        if not any(isinstance(p, sympy.Pow) and p.free_symbols
                   for p in sympy.preorder_traversal(self.expr)):
            return False
        memo: dict[sympy.Basic, Any] = {}
        with mpmath.workdps(15):
            memo.update({s: mpmath.mpf(v.p) / v.q for s, v in point.items()})
            return self._too_big(self.expr, memo, mpmath.mpf(1))

    def _too_big(self, e: sympy.Basic, memo: dict[sympy.Basic, Any], scale: Any) -> bool:
        """Whether some power in `e`, raised `scale` times by the powers around it, has an
        exponent above MAX_EXPONENT: nested powers multiply ((x^{xy})^{1000} is x to some
        10⁶ at x·y ≈ 1000), and sympy works such a power out exactly, in C, where no alarm
        can stop it."""
        if not e.free_symbols:
            return False
        if isinstance(e, sympy.Pow):
            try:
                exp = e.exp if e.exp.is_Number else self._walk(e.exp, memo)
                raised = scale * max(mpmath.mpf(1), abs(mpmath.mpf(exp)))
            except (Unknown, ZeroDivisionError, ValueError, TypeError, OverflowError):
                return True  # an exponent that cannot be bounded at this point
            if not raised <= MAX_EXPONENT:
                return True
            return self._too_big(e.base, memo, raised) or self._too_big(e.exp, memo, scale)
        return any(self._too_big(a, memo, scale) for a in e.args)

    def __call__(self, point: dict[Symbol, sympy.Rational]) -> sympy.Basic:
        if not self.fast:
            return self.slow(point)
        try:
            with mpmath.workdps(self.digits + 10):
                memo: dict[sympy.Basic, Any] = {s: mpmath.mpf(v.p) / v.q
                                                for s, v in point.items()}
                value = self._walk(self.expr, memo)
                if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
                    return self.slow(point)  # complex or infinite: let sympy say what it is
                return sympy.Float(value, self.digits)
        except (Unknown, ZeroDivisionError, ValueError, TypeError):
            return self.slow(point)

    def precise(self, point: dict[Symbol, sympy.Rational], digits: int) -> tuple[Any, float]:
        """(value, digits lost to cancellation) at `digits`; the value is an mpmath mpf,
        or None where the expression is undefined or not real."""
        self.lost = 0.0
        try:
            with mpmath.workdps(digits):
                memo: dict[sympy.Basic, Any] = {s: mpmath.mpf(v.p) / v.q
                                                for s, v in point.items()}
                value = self._walk(self.expr, memo)
                if isinstance(value, mpmath.mpf) and mpmath.isfinite(value):
                    return value, self.lost
        except (Unknown, ZeroDivisionError, ValueError, TypeError, OverflowError):
            pass
        # sympy's evalf raises its own precision on cancellation: nothing to report.
        self.lost = 0.0
        slow = (None if self.too_exact(point)
                else _bounded_n(self.expr, point, digits, self.floating))
        if slow is None:
            return None, 0.0  # cannot decide here: the caller skips the point
        if slow.is_Float:
            return mpmath.mpf(slow._mpf_), 0.0
        if slow.is_Rational:
            return mpmath.mpf(slow.p) / slow.q, 0.0
        return None, 0.0

    def _sum(self, terms: list[Any]) -> Any:
        total = mpmath.fsum(terms)
        big = max((abs(t) for t in terms), default=mpmath.mpf(0))
        if big:
            lost = mpmath.mp.dps if not total else (
                (mpmath.mag(big) - mpmath.mag(total)) * _LOG10_2)
            self.lost = max(self.lost, float(lost))
        return total

    def _walk(self, e: sympy.Basic, memo: dict[sympy.Basic, Any]) -> Any:
        if e in memo:
            return memo[e]
        if e.is_Rational:
            value = mpmath.mpf(e.p) / e.q
        elif e.is_Float:
            value = mpmath.mpf(e._mpf_)
        elif isinstance(e, sympy.Add):
            value = self._sum([self._walk(a, memo) for a in e.args])
        elif isinstance(e, sympy.Max | sympy.Min):
            values = [self._walk(a, memo) for a in e.args]
            value = max(values) if isinstance(e, sympy.Max) else min(values)
        elif isinstance(e, sympy.Heaviside):
            value = self._heaviside(e, memo)
        elif isinstance(e, sympy.Mul):
            value = mpmath.fprod(self._walk(a, memo) for a in e.args)
        elif isinstance(e, sympy.Pow):
            base, exp = self._walk(e.base, memo), self._walk(e.exp, memo)
            value = base ** (int(exp) if e.exp.is_Integer else exp)
        elif (twin := mp_function(e.func)) is not None:
            value = twin(*[self._walk(a, memo) for a in e.args])  # functions.MPMATH
        else:
            raise Unknown(type(e).__name__)
        memo[e] = value
        return value

    def _heaviside(self, e: sympy.Heaviside, memo: dict[sympy.Basic, Any]) -> Any:
        u = self._walk(e.args[0], memo)
        if u:
            return mpmath.mpf(1 if u > 0 else 0)
        # At 0 the value is the one the function was given (step: 0), else sympy's 1/2.
        return self._walk(e.args[1], memo) if len(e.args) > 1 else mpmath.mpf(1) / 2
