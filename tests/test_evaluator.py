"""The verifier's memoised mpmath walk against sympy's own evaluation, point by point."""

from __future__ import annotations

import random

import mpmath
import sympy
from sympy import Float, Integer, Rational, Symbol, exp, log, tanh

from generator.algebra.evaluator import Evaluator
from generator.algebra.functions import relu, sigmoid, softmax, softplus

x, y, z = (Symbol(n, real=True) for n in "xyz")


def _big(inner: sympy.Expr) -> sympy.Expr:
    """Deep enough (> 60 tree nodes) to take the fast path; shared subtrees repeat."""
    return sum((inner * k + x) ** 2 / (1 + y**2) for k in range(1, 8))


CASES = [
    _big(sigmoid(x * y - z)),
    _big(tanh(x + 2 * y) * log(1 + exp(z))),
    _big(softmax(Integer(1), x, y, z)),
    _big(softplus(x - y) + Float("0.125", 40) * z),
    _big(relu(x - y)),  # Max, as relu.plain() writes it
    _big(log(x)),  # log of a negative number: complex, falls back to sympy
]


def test_fast_walk_equals_sympy_evaluation_to_40_digits() -> None:
    rng = random.Random(4)
    symbols = [x, y, z]
    for expr in CASES:
        ev = Evaluator(expr, symbols, 40)
        assert ev.fast
        for _ in range(4):
            point = {s: Rational(rng.randint(-1900, 1900), 1000) for s in symbols}
            fast, slow = ev(point), ev.slow(point)
            assert abs(fast - slow) <= Float("1e-35") * (1 + abs(slow)), (expr, point)


def test_the_walk_itself_runs_for_known_functions() -> None:
    ev = Evaluator(CASES[0], [x, y, z], 40)
    called = []
    ev.slow = lambda point: called.append(point) or Integer(0)  # type: ignore[method-assign]
    value = ev({x: Rational(1, 3), y: Rational(-2, 7), z: Rational(5, 4)})
    assert not called and value != 0


def test_a_huge_exact_power_is_not_built_at_a_far_point() -> None:
    # x^x at x = −5·10⁶ is complex; sympy's exact fallback would build a 33-million-digit
    # rational and never return. The point has no value (skipped), found fast.
    import time

    from generator.check import agreement

    e = x**x * (log(x) + 1)
    ev = Evaluator(e, [x], 60)
    start = time.monotonic()
    assert ev.precise({x: Integer(-5_000_000)}, 60) == (None, 0.0)
    assert ev.slow({x: Integer(-5_000_000)}) is sympy.nan
    assert time.monotonic() - start < 5
    far = Integer(5_000_000)  # real there: the walk still gives it
    value, _ = ev.precise({x: far}, 60)
    assert value is not None
    # Sound: skipping such points never lets a wrong line through.
    wrong = agreement.numeric(e, x**x * log(x), [x], known=[{x: Integer(-5_000_000)}])
    assert wrong.status == "failed"
    right = agreement.numeric(e, sympy.diff(x**x, x), [x], known=[{x: Integer(-5_000_000)}])
    assert right.status == "numeric"


def test_nested_powers_are_bounded_together() -> None:
    # Each exponent alone is ≤ 1000, but (x^{xy})^{1000} at x·y ≈ 900 is x to some 9·10⁵:
    # sympy would work it out exactly, in C, where no alarm stops it (a test hung on this).
    # The point is refused at once; a small nested power still gets its value.
    import time

    e = sympy.Pow(x**(x * y), 1000, evaluate=False) * sympy.sqrt(-x)
    ev = Evaluator(e, [x, y], 60)
    start = time.monotonic()
    assert ev.too_exact({x: Rational(30001, 1000), y: Rational(30, 1)})
    assert ev.precise({x: Rational(30001, 1000), y: Rational(30, 1)}, 60) == (None, 0.0)
    assert time.monotonic() - start < 5
    small = Evaluator(sympy.Pow(x**(x * y), 2, evaluate=False) * sympy.sqrt(-x), [x, y], 30)
    assert not small.too_exact({x: Rational(3, 2), y: Rational(1, 2)})


def test_a_variable_exponent_is_not_rooted_exactly() -> None:
    # x^{xy} at x = 837/500, y = −797/1000 has the exponent −667089/500000 there; with the
    # point put in exactly, sympy extracted that root in C for 35 s and more (the partials
    # test of f = x^{xy} hung at salted points). The fallback takes the point as Floats.
    import time

    e = x**(x * y)
    ev = Evaluator(e, [x, y], 60)
    assert not ev.fast and ev.floating
    point = {x: Rational(837, 500), y: Rational(-797, 1000)}
    start = time.monotonic()
    value = ev(point)
    assert time.monotonic() - start < 5
    with mpmath.workdps(80):
        expected = mpmath.power(mpmath.mpf(837) / 500, mpmath.mpf(837) / 500 * -797 / 1000)
        assert abs(mpmath.mpf(value._mpf_) - expected) < mpmath.mpf(10) ** -58
    start = time.monotonic()  # complex there: no value, found fast
    assert ev.precise({x: Rational(-569, 500), y: Rational(797, 1000)}, 60) == (None, 0.0)
    assert time.monotonic() - start < 5
