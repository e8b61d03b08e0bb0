"""Numbers in a table column with one number of decimals, trailing zeros kept (issue 15).

A training table printed each cell as sympy does: `0.5`, `-0.25`, `0.0` next to
`0.487429`, so a column's digits did not line up and `0.0` read as a different precision
from its neighbours. Here every column whose body cells are all numbers gets one number of
decimals d, and each cell is written with exactly d (`0.50000`, `0.73635`, `1.03860`):

- exact cells (integers, terminating fractions) are rounded exactly;
- a Float carries a number of significant digits (a training step's values are rounded to
  the problem's `precision` significant digits); d is the fewest decimals any Float of the
  column is known to, so no cell claims a digit it does not have (`1.0386` to 6
  significant digits knows 5 decimals). A Float is rounded from its binary value, whose
  distance from the value it was rounded from is at most half a unit in its last bit; a
  cell whose rounding that distance could change (a tie such as `-0.0583505` to 6
  decimals, decided by digits the Float does not hold) keeps its own digits. Tables that
  can, avoid this: a training table rounds each cell once from its 40-digit value to the
  column's decimals (solvers/training.py `_column`), so every cell here is exact.
Columns with anything else (text, tuples, a fraction such as 1/3) are left as they are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TypeAlias

import mpmath
import sympy

from generator.algebra.numbers import decimal_places

Cell: TypeAlias = "sympy.Basic | str"


def _float_decimals(value: sympy.Float) -> int | None:
    """The decimals a non-zero Float's significant digits reach (None for zero)."""
    if value.is_zero:  # a sympy Float 0.0 is not == 0
        return None
    digits = mpmath.libmp.prec_to_dps(value._prec)
    # The exponent of the decimal sympy prints (0.1, not the binary 0.0999999…).
    shown = Decimal(mpmath.libmp.to_str(value._mpf_, digits))
    return int(digits - 1 - shown.adjusted())


def places(column: list[Cell]) -> int | None:
    """The decimals of a column of numbers, or None to leave the column alone."""
    if not column or not all(isinstance(c, sympy.Float | sympy.Rational) for c in column):
        return None
    floats = [d for c in column if isinstance(c, sympy.Float)
              if (d := _float_decimals(c)) is not None]
    exact = [decimal_places(c) for c in column if isinstance(c, sympy.Rational)]
    if any(e is None for e in exact):
        return None
    if floats:
        return max(0, min(floats))
    return max((e for e in exact if e is not None), default=0)


def fixed(value: sympy.Float | sympy.Rational, d: int) -> str | None:
    """`value` with exactly `d` decimals, or None when its rounding cannot be told."""
    if isinstance(value, sympy.Rational):
        exact = Fraction(int(value.p), int(value.q))
        error = Fraction(0)
    else:
        sign, man, exp, bits = value._mpf_
        exact = Fraction(-man if sign else man) * Fraction(2) ** exp
        # Half a unit in the last of its `_prec` bits (mpf drops trailing zero bits).
        error = Fraction(2) ** (exp + bits - value._prec) / 2 if man else Fraction(0)
    scaled, slack = exact * 10**d, error * 10**d
    low, high = round(scaled - slack), round(scaled + slack)
    if low != high:
        return None
    text = Decimal(low).scaleb(-d).quantize(Decimal(1).scaleb(-d), ROUND_HALF_EVEN)
    return format(text, "f")


def formatted(table: tuple[tuple[Cell, ...], ...]) -> list[list[str | None]]:
    """For each body cell, its fixed-decimal text, or None to print it as before."""
    body = table[1:]
    out: list[list[str | None]] = [[None] * len(row) for row in body]
    for j in range(len(table[0]) if table else 0):
        column = [row[j] for row in body]
        d = places(column)
        if d is None:
            continue
        for i, cell in enumerate(column):
            assert isinstance(cell, sympy.Float | sympy.Rational)
            out[i][j] = fixed(cell, d)
    return out
