"""The numeric rung: do two expressions agree, point by point, to 50 significant digits?

Each side is evaluated with mpmath at 60 digits; a sum that cancels (1 − σ(40)) reports the
digits it lost, and the point is evaluated again with the precision raised until 55 are
left (a point that would need more than MAX_DIGITS is skipped, not guessed). Then the two
values must agree relative to the larger of them, so a wrong term is seen whatever its
scale: 10⁹ next to 10⁴⁰x, e^{−100}x next to x, 10⁻³⁵ next to 1. There is no absolute
floor that would let a tiny value pass as "about 0".

Agreement never proves a line: it is reported as `numeric` with the worst relative
difference met at the points drawn from the file (see check/points.py), which print the same
in every build; the points drawn fresh for this build are checked but only a failure
there is printed.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy
from sympy import Symbol

from generator.algebra.evaluator import Evaluator
from generator.algebra.trace import Check
from generator.check import points
from generator.check.exactness import constant_sign, decide
from generator.check.piecewise import inside, regions, witnesses

DIGITS = 60
AGREE = 50
MAX_DIGITS = 600
NEARBY = 3  # fresh points around each region's witness


WIDTH = 88  # a counterexample longer than this is wrapped, never cut short


def where(point: points.Point) -> str:
    """Every coordinate of a counterexample: the author must be able to replay it, so a long
    one wraps onto indented lines instead of hiding coordinates behind "…"."""
    shown = [f"{s}={v}" for s, v in point.items()]
    if not shown:
        return "(no symbols)"
    lines = [shown[0]]
    for item in shown[1:]:
        if len(lines[-1]) + 2 + len(item) > WIDTH:
            lines[-1] += ","
            lines.append(item)
        else:
            lines[-1] += ", " + item
    return "\n    ".join(lines)


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
    fresh_text = ", and at points drawn afresh for this build" if hidden else ""
    return Check("numeric", "mpmath", f"agrees to {AGREE} digits at {used} "
                 f"{'point' if used == 1 else 'points'} (worst relative difference "
                 f"{mpmath.nstr(worst, 2)}){fresh_text}{note}; not proved")


def _signed_at(diff: sympy.Basic, point: points.Point) -> sympy.Basic | None:
    """diff at the point when it is provably not 0 there (exact arithmetic or sympy's
    guaranteed-error evaluation), else None."""
    value = diff.xreplace(point)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    return value if constant_sign(value) not in (None, 0) else None


def _exact_failure(a: sympy.Basic, b: sympy.Basic, point: points.Point,
                   value: sympy.Basic, where_: str = "") -> Check:
    gap = f"by {value}, exactly" if value.is_Rational else (
        f"by {sympy.N(value, 5)}, certainly not 0")
    va, vb = (sympy.N(side.xreplace(point), 15) for side in (a, b))
    return Check("failed", "exact", f"at {where(point)}{where_}: {va} ≠ {vb} (they differ "
                 f"{gap})")


def exact_witness(a: sympy.Basic, b: sympy.Basic, diff: sympy.Basic,
                  symbols: list[Symbol]) -> Check:
    """a − b is a function that is provably not 0: show it at a point, exactly."""
    candidates = [{}] if not symbols else [*points.screen(symbols),
                                            *points.drawn(symbols, fresh=False)]
    for point in candidates:
        value = _signed_at(diff, point)
        if value is not None:
            return _exact_failure(a, b, point, value)
    return Check("failed", "exact", "as functions: a − b brought over one denominator has a "
                 "coefficient that is not 0, though it is too small to sign at the points tried")


def by_region(a: sympy.Basic, b: sympy.Basic, diff: sympy.Basic,
              symbols: list[Symbol]) -> Check:
    """relu, abs, Max … cut into regions: each proved, shown wrong inside, or sampled."""
    found = regions(diff)
    if found is None:
        return numeric(a, b, symbols, note=" (too many regions to take one by one)")
    verdicts = [decide(r.value)[0] for r in found]
    open_ = [(r, v) for r, v in zip(found, verdicts, strict=True) if not v]
    bases = [*points.screen(symbols, points.SCREEN), *points.drawn(symbols, fresh=False)]
    seen = witnesses([r for r, _ in open_], bases)
    rng = points.jitter_rng()
    for i, (region, verdict) in enumerate(open_):
        if verdict is False and i in seen.points:
            for point in [seen.points[i], *points.nearby(seen.points[i], rng, 2 * NEARBY)]:
                value = _signed_at(region.value, point) if inside(region, point) else None
                if value is not None:
                    return _exact_failure(a, b, point, value, f" (where {region.text()})")
    reached = [i for i in range(len(open_)) if i in seen.points]
    if not reached and (seen.complete or not open_):
        empty = f", {len(open_)} of them empty" if open_ else ""
        return Check("proved", "regions", f"0 in each of {len(found)} regions{empty}")
    near = [p for i in reached for p in points.nearby(seen.points[i], rng, NEARBY)]
    missed = [open_[i][0].text() for i in range(len(open_)) if i not in seen.points]
    note = (f", in {len(found) - len(open_)} of {len(found)} regions proved and at a point "
            f"inside each of {len(reached)} others")
    if missed and not seen.complete:
        note += "; no point found where " + "; ".join(missed[:3])
    return numeric(a, b, symbols, [seen.points[i] for i in reached], near, note)
