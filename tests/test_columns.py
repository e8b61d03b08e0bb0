"""Issue 15: a table column of numbers has one number of decimals, trailing zeros kept, and
no cell claims a digit its value does not have."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath
import sympy
from sympy import Float, Integer, Rational

from generator.view.columns import fixed, formatted, places


def test_exact_columns_get_the_decimals_of_their_longest_number() -> None:
    column = [Integer(2), Rational(1, 2), Integer(-1), Rational(3, 40)]
    assert places(column) == 3
    assert [fixed(c, 3) for c in column] == ["2.000", "0.500", "-1.000", "0.075"]
    assert places([Integer(1), Integer(0)]) == 0
    assert places([Integer(1), Rational(1, 3)]) is None  # 1/3 has no decimal form
    assert places([Integer(1), sympy.Tuple(1, 2)]) is None


def test_a_float_column_gets_the_fewest_decimals_its_cells_know() -> None:
    # Six significant digits: 1.03860 knows 5 decimals, 0.0556750 knows 7.
    column = [Float("0.5", 6), Float("0.73635", 6), Float("1.0386", 6), Float(0, 6)]
    assert places(column) == 5
    assert [fixed(c, 5) for c in column] == ["0.50000", "0.73635", "1.03860", "0.00000"]
    # 0.1 to six significant digits knows six decimals, though its binary value is 0.0999…
    assert places([Float("0.1", 6), Float(0, 6)]) == 6


def test_a_tie_the_float_cannot_decide_keeps_its_digits() -> None:
    table = (("step", "w"), (Integer(0), Float("-0.25", 6)), (Integer(1), Float("-0.0583505", 6)))
    assert formatted(table) == [["0", "-0.250000"], ["1", None]]


def test_rounding_agrees_with_the_value_the_float_was_rounded_from() -> None:
    """Against the 40-digit value: every cell `fixed` writes is that value correctly rounded
    (half to even), and the cells it refuses are rare."""
    rng = random.Random(15)
    refused = 0
    for _ in range(3000):
        exponent = rng.randint(-4, 3)
        true = sympy.Float(mpmath.mpf(rng.uniform(-1, 1)) * 10**exponent, 40)
        cell = Float(true, 6)
        d = places([cell])
        assert d is not None
        text = fixed(cell, d)
        if text is None:
            refused += 1
            continue
        want = Decimal(str(true)).quantize(Decimal(1).scaleb(-d), ROUND_HALF_EVEN)
        assert Decimal(text) == want, (true, text)
        assert len(text.split(".")[1]) == d if d else "." not in text
    assert refused < 300
