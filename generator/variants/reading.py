"""A variant's number lines are read back: the printed text must state the variant's value.

`variants/lines.py` makes each number line (`z₀₀ = 1·2 + (−1)·0.5 + …`, `≈ 0.952574`, the
substituted gradient) by filling slots of a template printed once, and checks the value
it computed for the line. That value is not the text: a slot filled in the wrong place or
a bracket lost in the template would print a false line under a true value. So the text
itself is read by the reader (algebra/reader.py, which shares nothing with the printer),
evaluated at 40 digits over the variant's numbers (names still on the line, such as ŷ,
take the variant's value of that node), and compared with the line's independent truth:
the same tolerance as the line's own check, and for a `≈` line the rounding rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sympy
from sympy import Symbol

from generator.algebra.latex_names import Vocabulary
from generator.algebra.numbers import mp_value
from generator.algebra.page_names import vocabulary
from generator.algebra.reader import ReadError, read

__all__ = ["LineReader", "counts"]

Agree = Callable[[Any, Any, int | None], tuple[bool, str]]

# Lines read back in this process (the coverage script reports them): read and compared,
# and lines the reader could not read (each one stops its variant, so normally 0).
counts = {"read": 0, "unreadable": 0}


class LineReader:
    """Reads one problem's number lines with the vocabulary of its printed names."""

    def __init__(self, names: Mapping[Symbol, str], agree: Agree) -> None:
        self.vocabulary: Vocabulary = vocabulary(names)
        self.agree = agree
        self._parsed: dict[str, sympy.Basic | str] = {}  # the same text in many variants

    def check(self, latex: str, env: Mapping[Symbol, Any], truth: Any,
              digits: int | None) -> str | None:
        """None when `latex` reads as `truth` (rounded to `digits` places for a `≈` line);
        else why not, for the failure that stops the variant."""
        value = self._read(latex)
        if isinstance(value, str):
            counts["unreadable"] += 1
            return f"the printed line cannot be read back ({value})"
        try:
            got = mp_value(value, env)
        except (TypeError, KeyError, ZeroDivisionError) as exc:
            counts["unreadable"] += 1
            return f"the printed line reads as {value}, which has no value here ({exc})"
        counts["read"] += 1
        ok, how = self.agree(got, truth, digits)
        return None if ok else f"the printed line reads back as {value}: {how}"

    def _read(self, latex: str) -> sympy.Basic | str:
        if latex not in self._parsed:
            if len(self._parsed) > 10_000:  # every variant prints new numbers
                self._parsed.clear()
            try:
                self._parsed[latex] = read(latex, self.vocabulary)
            except (ReadError, RecursionError) as exc:
                self._parsed[latex] = str(exc) or type(exc).__name__
        return self._parsed[latex]
