"""A decimal printed with a fixed number of places, trailing zeros kept (issue 15).

The LaTeX printer drops trailing zeros of a Float (`-0.5` for −0.500000), so a number
written inside a line (p₃ = 0.777300 put into p − y) read with fewer decimals than the
same quantity on its own line. `FixedDecimal` is a Float that prints exactly the places it
was made with; its value is that decimal, so the read-back (view/readback.py) compares
the page's digits with it as with any Float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import sympy


class FixedDecimal(sympy.Float):  # type: ignore[misc]  # sympy is untyped
    """A Float that prints with `places` decimals; make it with `fixed_decimal`."""

    places: int = 0

    def _latex(self, printer: Any) -> str:
        return format(Decimal(str(self)), f".{self.places}f")

    def __reduce__(self) -> tuple[Any, ...]:
        # A solved problem is kept pickled (build/solved.py) and sent between workers:
        # Float's own pickling would make a FixedDecimal without its places.
        return (_rebuilt, (str(self), self._prec, self.places))


def _rebuilt(text: str, prec: int, places: int) -> FixedDecimal:
    out = FixedDecimal(text, precision=prec)
    out.places = places
    return out


def fixed_decimal(value: sympy.Basic, places: int) -> sympy.Basic:
    """`value` rounded half-even to `places` decimals, printed with all of them; a zero is
    the Integer 0, as the seeds write a zero (not 0.000000)."""
    exact = Decimal(str(sympy.N(value, 60)))
    shown = exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
    if not shown:
        return sympy.Integer(0)
    digits = len(str(abs(shown)).replace(".", "").lstrip("0"))
    out = FixedDecimal(str(shown), max(digits, 1))
    out.places = places
    return out


class Scientific(sympy.Float):  # type: ignore[misc]  # sympy is untyped
    """A small constant as a course writes it: 10^{-8}, 3 \\cdot 10^{-8} (the Float
    printer writes 1.0 \\cdot 10^{-8}); make it with `scientific`."""

    def _latex(self, printer: Any) -> str:
        sign, digits, exponent = Decimal(str(self)).normalize().as_tuple()
        mantissa = "".join(map(str, digits))
        power = f"10^{{{int(exponent) + len(mantissa) - 1}}}"
        if len(mantissa) > 1:
            mantissa = mantissa[0] + "." + mantissa[1:]
        head = "" if mantissa == "1" else rf"{mantissa} \cdot "
        return ("-" if sign else "") + head + power


def scientific(value: sympy.Rational) -> sympy.Basic:
    """`value` (ε = 1/10⁸) printed as 10^{-8}; its value is exactly `value`'s decimal."""
    text = format(Decimal(int(value.p)) / Decimal(int(value.q)), "e")
    return Scientific(text, len(text.split("e")[0].replace(".", "").replace("-", "")))
