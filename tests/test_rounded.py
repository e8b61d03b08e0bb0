"""`RoundedValues` (algebra/rounded.py): θ¹'s `≈` values from a compiled function print
exactly as the Evaluator's walk's, and a value at a rounding tie or at 0 is the walk's."""

from __future__ import annotations

import random

import sympy

from generator.algebra.evaluator import Evaluator
from generator.algebra.functions import sigmoid
from generator.algebra.printing import SolutionPrinter
from generator.algebra.rounded import RoundedValues

b, w, x, y = sympy.symbols("b w x y")
z = b + w * x
# θ¹ of an SGD step of a sigmoid neuron, squared loss, α = 0.1 (as sgd.py builds it).
STEP = [b + (y - sigmoid(z)) * sigmoid(z) * (1 - sigmoid(z)) / 5,
        w + x * (y - sigmoid(z)) * sigmoid(z) * (1 - sigmoid(z)) / 5]
SYMBOLS = [b, w, x, y]
PRINT = SolutionPrinter({}, 6)


def _walk(formulas: list[sympy.Basic], point: dict[sympy.Symbol, sympy.Rational]
          ) -> list[sympy.Basic]:
    return [Evaluator(f, [], 50)(point) for f in formulas]


def _decimal(rng: random.Random) -> sympy.Rational:
    return sympy.Rational(rng.randint(-30, 30), rng.choice([1, 10, 100]))


def test_prints_as_the_walk_at_random_points() -> None:
    rng = random.Random(16)
    rounded = RoundedValues(SYMBOLS, STEP, 6)
    for _ in range(300):
        point = {s: _decimal(rng) for s in SYMBOLS}
        got = [PRINT.doprint(v) for v in rounded(point)]
        assert got == [PRINT.doprint(v) for v in _walk(STEP, point)], point
    assert rounded.fallbacks == 0  # no tie drawn: every point was the compiled function's


def test_compiled_values_agree_with_sympy_at_50_digits() -> None:
    rounded = RoundedValues(SYMBOLS, STEP, 6)
    point = {b: sympy.Rational(-1, 10), w: sympy.Integer(2), x: sympy.Integer(1),
             y: sympy.Integer(1)}
    for got, f in zip(rounded(point), STEP, strict=True):
        truth = sympy.N(f.xreplace(point).rewrite(sympy.exp), 70)
        assert abs(got - truth) < sympy.Float(10) ** -48


def test_a_tie_and_a_zero_take_the_walk() -> None:
    # σ(0)·a = a/2 = 0.0000005 exactly: half-way between 0.000000 and 0.000001. The value
    # printed is then the walk's Float itself, so its last digits, whatever they are, are
    # the ones rounded.
    a = sympy.Symbol("a")
    formulas = [sigmoid(x) * a, a - a * sigmoid(x) * 2, a + 3 * sigmoid(x)]
    rounded = RoundedValues([a, x], formulas, 6)
    point = {a: sympy.Rational(1, 10**6), x: sympy.Integer(0)}
    assert rounded(point) == _walk(formulas, point)
    assert rounded.fallbacks == 1
    # A value on a place (1.500001 = 10⁻⁶ + 3/2) is no tie: the compiled function's.
    formulas = [a + 3 * sigmoid(x)]
    rounded = RoundedValues([a, x], formulas, 6)
    assert [PRINT.doprint(v) for v in rounded(point)] == ["1.500001"]
    assert rounded.fallbacks == 0


def test_a_value_that_needs_the_working_digits_takes_the_walk() -> None:
    # 1 − σ(100) ≈ 3.7·10⁻⁴⁴ loses 44 digits to cancellation: scaled to ≈ 3.7, its 50-digit
    # and 60-digit evaluations differ by ≈ 10⁻⁶, far above 10⁻³⁰ of the printed place.
    formulas = [(1 - sigmoid(x)) * sympy.Integer(10) ** 44]
    rounded = RoundedValues([x], formulas, 6)
    point = {x: sympy.Integer(100)}
    assert rounded(point) == _walk(formulas, point)
    assert rounded.fallbacks == 1
    # Too large for 50 digits to keep the sixth place: the walk's too.
    formulas = [sympy.Integer(10) ** 30 * sigmoid(x)]
    rounded = RoundedValues([x], formulas, 6)
    assert rounded({x: sympy.Integer(1)}) == _walk(formulas, {x: sympy.Integer(1)})
    assert rounded.fallbacks == 1
