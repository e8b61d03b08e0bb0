"""The numeric rung: do two expressions agree, point by point, to 50 significant digits?

Each side is evaluated with mpmath at 60 digits; a sum that cancels (1 − σ(40)) reports the
digits it lost, and the point is evaluated again with the precision raised until 55 are
left (a point that would need more than MAX_DIGITS is skipped, not guessed). Then the two
values must agree relative to the larger of them, so a wrong term is seen whatever its
scale: 10⁹ next to 10⁴⁰x, e^{−100}x next to x, 10⁻³⁵ next to 1. There is no absolute
floor that would let a tiny value pass as "about 0".

Agreement never proves a line: it is reported as `numeric` with the worst relative
difference met at the points drawn from the file (see points.py), which print the same
in every build; the points drawn fresh for this build are checked but only a failure
there is printed.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy
from sympy import Symbol

from generator import points
from generator.evaluator import Evaluator
from generator.exactness import constant_sign, proof_of_zero
from generator.piecewise import regions, witnesses
from generator.trace import Check

DIGITS = 60
AGREE = 50
MAX_DIGITS = 600
NEARBY = 3  # fresh points around each region's witness


def where(point: points.Point) -> str:
    shown = [f"{s}={v}" for s, v in point.items()]
    return ", ".join(shown[:8]) + (", …" if len(shown) > 8 else "") or "(no symbols)"


def _values(ea: Evaluator, eb: Evaluator, point: points.Point) -> tuple[Any, Any] | None:
    """Both sides at the point, each known to AGREE + 5 digits; None where undefined."""
    digits = DIGITS
    while True:
        va, lost_a = ea.precise(point, digits)
        vb, lost_b = eb.precise(point, digits)
        if va is None or vb is None:
            return None
        lost = max(lost_a, lost_b)
        if digits - lost >= AGREE + 5:
            return va, vb
        if digits >= MAX_DIGITS:
            return None
        digits = min(MAX_DIGITS, max(2 * digits, int(lost) + AGREE + 15))


def _relative(va: Any, vb: Any) -> Any:
    with mpmath.workdps(DIGITS):
        larger = max(abs(va), abs(vb))
        return mpmath.mpf(0) if not larger else abs(va - vb) / larger


def differs(a: sympy.Basic, b: sympy.Basic, point: points.Point) -> bool:
    """Whether a and b differ at the point beyond doubt (the screen's second look)."""
    symbols = sorted(point, key=lambda s: s.name)
    pair = _values(Evaluator(a, symbols, DIGITS), Evaluator(b, symbols, DIGITS), point)
    return pair is not None and _relative(*pair) > mpmath.mpf(10) ** -AGREE


def _show(v: Any) -> str:
    return mpmath.nstr(v, 15) if v else "0"


def numeric(a: sympy.Basic, b: sympy.Basic, symbols: list[Symbol],
            known: list[points.Point] | None = None, fresh: list[points.Point] | None = None,
            note: str = "") -> Check:
    """Agreement at the file's points (and `known` ones), then at fresh ones."""
    ea, eb = Evaluator(a, symbols, DIGITS), Evaluator(b, symbols, DIGITS)
    ea.fast = eb.fast = True  # precise() falls back to sympy where the walk cannot go
    shown = [*(known or []), *points.screen(symbols, points.SCREEN),
             *points.drawn(symbols, fresh=False)]
    hidden = [*(fresh or []), *points.drawn(symbols, fresh=True)]
    if not symbols:
        shown, hidden = [{}], []
    worst, used = mpmath.mpf(0), 0
    for n, point in enumerate([*shown, *hidden]):
        pair = _values(ea, eb, point)
        if pair is None:
            continue
        rel = _relative(*pair)
        if rel > mpmath.mpf(10) ** -AGREE:
            return Check("failed", "mpmath", f"at {where(point)}: {_show(pair[0])} ≠ "
                         f"{_show(pair[1])} (relative difference {mpmath.nstr(rel, 3)})")
        if n < len(shown):
            worst, used = max(worst, rel), used + 1
    if used == 0:
        return Check("failed", "mpmath", "no point where both sides are defined")
    return Check("numeric", "mpmath", f"agrees to {AGREE} digits at {used} points drawn from "
                 f"the problem file (worst relative difference {mpmath.nstr(worst, 2)}) and at "
                 f"points drawn for this build{note}; not proved")


def exact_witness(a: sympy.Basic, b: sympy.Basic, diff: sympy.Basic,
                  symbols: list[Symbol]) -> Check | None:
    """A point where a − b (shown to be a non-zero function) is non-zero in exact terms."""
    candidates = [{}] if not symbols else [*points.screen(symbols),
                                            *points.drawn(symbols, fresh=False)]
    for point in candidates:
        value = diff.xreplace(point)
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            continue
        if constant_sign(value) in (None, 0):
            continue
        gap = value if value.is_Rational else sympy.N(value, 5)
        va, vb = (sympy.N(side.xreplace(point), 15) for side in (a, b))
        return Check("failed", "exact", f"at {where(point)}: {va} ≠ {vb} (they differ by "
                     f"{gap}, exactly)")
    return None


def by_region(a: sympy.Basic, b: sympy.Basic, diff: sympy.Basic,
              symbols: list[Symbol]) -> Check:
    """relu, abs, Max … cut into regions: each proved, else checked at points inside it."""
    found = regions(diff)
    if found is None:
        return numeric(a, b, symbols, note=" (too many regions to take one by one)")
    open_ = [r for r in found if proof_of_zero(r.value) is None]
    if not open_:
        return Check("proved", "regions", f"0 in each of {len(found)} regions")
    bases = [*points.screen(symbols, points.SCREEN), *points.drawn(symbols, fresh=False)]
    inside = witnesses(open_, bases)
    rng = points.jitter_rng()
    near = [p for w in inside.values() for p in points.nearby(w, rng, NEARBY)]
    missed = [r.text() for i, r in enumerate(open_) if i not in inside]
    note = (f", in {len(found) - len(open_)} of {len(found)} regions proved and at a point "
            f"inside each of {len(inside)} others")
    if missed:
        note += "; no point found where " + "; ".join(missed[:3])
    return numeric(a, b, symbols, list(inside.values()), near, note)
