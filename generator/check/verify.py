"""Checks every step of a solution before anything is printed.

Each expression is first given its meaning over the graph's leaves: a partial
derivative along an edge is the local partial, any other is the total derivative,
and nodes are inlined. Then the ladder runs, cheap first (docs/design.md, "check ladder"):
identical → a screen of 5 points at 40 digits stops most wrong lines → expand → cancel
(σ as an atom, then rewritten to exp) → a difference that is a number, or a rational
function with a coefficient that is not 0, fails exactly (check/exactness.py) → relu, abs, Max …
are cut into regions, each proved or checked inside (piecewise.py) → otherwise agreement
to 50 digits at points an author cannot predict (agreement.py, points.py), marked numeric,
never proved. float64 is never used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import sympy
from mpmath.libmp import prec_to_dps
from sympy import Derivative, Symbol

from generator.algebra.evaluator import Evaluator
from generator.algebra.notation import VectorShapeError, components
from generator.algebra.trace import Block, Check, Solution, Step
from generator.check import agreement, points
from generator.check.exactness import decide
from generator.check.piecewise import has_piecewise
from generator.graph.model import Graph

DIGITS = 40
POINTS = 5
TOLERANCE = sympy.Float("1e-30", DIGITS)
ROUNDED_EXACTLY = "rounding-exact"  # a `≈` line whose rounding is exact, though a decimal
MAX_PROOF_OPS = 400  # beyond this, cancel() may take minutes: the numeric rung decides


_refuse_numeric = False  # `check --strict`: set once per process, like the template set


def refuse_numeric(on: bool) -> None:
    """With `on`, a step or `expect:` that is only numeric stops the problem (--strict)."""
    global _refuse_numeric
    _refuse_numeric = on


def refusing_numeric() -> bool:
    return _refuse_numeric


@dataclass
class Meaning:
    """Gives display expressions their value over the leaves of a graph."""

    graph: Graph
    extra: Mapping[Symbol, sympy.Expr]

    def body(self, sym: sympy.Basic) -> sympy.Expr | None:
        if sym in self.extra:
            return self.extra[sym]
        return self.graph.nodes.get(sym)

    def inline(self, expr: sympy.Basic, keep: Symbol | None = None) -> sympy.Basic:
        for _ in range(len(self.graph.nodes) + len(self.extra) + 1):
            names = {s: self.body(s) for s in expr.free_symbols if s != keep and self.body(s)}
            if not names:
                return expr
            expr = expr.xreplace(names)
        return expr

    def total(self, top: sympy.Basic, var: Symbol) -> sympy.Basic:
        return self.inline(sympy.diff(self.inline(top, keep=var), var))

    def partial(self, d: Derivative, lhs: bool) -> sympy.Basic:
        inner, variables = d.expr, d.variables
        if len(variables) == 1 and not lhs:
            var = variables[0]
            body = self.body(inner) if isinstance(inner, Symbol) else None
            if body is None and not isinstance(inner, Symbol):
                body = inner  # ∂/∂v of a written expression: differentiate it as written
            if body is not None and var in body.free_symbols:
                return self.inline(sympy.diff(body, var))
        value = inner
        for var in variables:
            value = self.total(value, var)
        return value

    def of(self, expr: sympy.Basic, lhs: bool = False) -> list[sympy.Basic]:
        """The value of an expression as a list of scalar components."""
        parts = components(expr.xreplace(self.extra))
        scalars = [expr] if parts is None else parts
        out = []
        for part in scalars:
            resolved = part.replace(lambda e: isinstance(e, Derivative),
                                    lambda d: self.partial(d, lhs))
            out.append(self.inline(resolved))
        return out


def _value(value: sympy.Basic) -> sympy.Basic:
    """`sympy.N(value, DIGITS)`, through the evaluator's mpmath walk when it can (σ: ~20×
    faster)."""
    return Evaluator(value, [], DIGITS)({})


def compare(a: sympy.Basic, b: sympy.Basic) -> Check:
    """Is a == b? Failed at a screening point, else proved exactly, else shown to differ
    exactly, else decided region by region, else the numeric rung (agreement).

    The screen runs first because it is cheap and decisive for most wrong steps; the
    symbolic proof (cancel, with σ and tanh as atoms, then rewritten to exp) can be slow
    on large wrong expressions.
    """
    diff = a - b
    if diff == 0:
        return Check("proved", "identical")
    # Symbols of both sides, not of a − b: equal terms cancel in a − b, and a point that
    # leaves them unset makes neither side a number ("no point where both are defined").
    free = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    screened = _screen(a, b, free)
    if screened is not None:
        return screened
    if sympy.count_ops(diff) > MAX_PROOF_OPS:
        return agreement.numeric(a, b, free)  # cancel() could take minutes
    zero, method = decide(diff)
    if zero:
        return Check("proved", method)
    if zero is False:
        return agreement.exact_witness(a, b, diff, free)
    if has_piecewise(diff):
        return agreement.by_region(a, b, diff, free)
    return agreement.numeric(a, b, free)


def _screen(a: sympy.Basic, b: sympy.Basic, symbols: list[Symbol]) -> Check | None:
    """The five-point check at 40 digits: a quick "failed" for most wrong steps, with the
    counterexamples the docs show. A point where the sides seem to differ is looked at
    again with the precision raised, so cancellation at 40 digits fails no true line."""
    tried = 0
    eval_a, eval_b = Evaluator(a, symbols, DIGITS), Evaluator(b, symbols, DIGITS)
    # Without symbols every "point" is the same empty one: evaluate once, not POINTS times
    # (the numbers-only lines of an SGD variant are most of its checks).
    seen: dict[tuple[tuple[Symbol, sympy.Rational], ...], tuple[sympy.Basic, sympy.Basic]] = {}
    for point in points.screen(symbols):
        if tried == POINTS:
            break
        key = tuple(point.items())
        if key not in seen:
            seen[key] = eval_a(point), eval_b(point)
        da, db = seen[key]
        if not (da.is_number and db.is_number) or da.has(sympy.zoo, sympy.nan) or db.has(
            sympy.zoo, sympy.nan
        ):
            continue  # a pole of the expression: try another point
        tried += 1
        if abs(da - db) > TOLERANCE * (1 + abs(da)) and agreement.differs(a, b, point):
            return Check("failed", "mpmath", f"at {agreement.where(point)}: {_short(da)} ≠ "
                                             f"{_short(db)}")
    return None


def _short(v: sympy.Basic) -> str:
    return str(sympy.N(v, 15))


def equal_lists(a: list[sympy.Basic], b: list[sympy.Basic]) -> Check:
    if len(a) != len(b):
        return Check("failed", "shape", f"{len(a)} components ≠ {len(b)} components")
    checks = [compare(x, y) for x, y in zip(a, b, strict=True)]
    failed = [c for c in checks if c.status == "failed"]
    if failed:
        return failed[0]
    if all(c.status == "proved" for c in checks):
        return Check("proved", checks[0].method if checks else "identical")
    return Check("numeric", "mpmath", next(c.detail for c in checks if c.status == "numeric"))


def rounded(shown: list[sympy.Basic], exact: list[sympy.Basic], digits: int | None) -> Check:
    """A decimal shown with `digits` places must be the exact value correctly rounded.

    A rational value (a linear model's update) is compared in exact arithmetic; σ(3/2)
    and the like at 40 digits, far below the half unit in the last place shown. Without
    `digits`, the line's value is a number computed at some precision (a training run's
    Float): it must agree with the exact value to that precision, less 3 digits."""
    if len(shown) != len(exact):
        return Check("failed", "shape", f"{len(shown)} components ≠ {len(exact)} components")
    if digits is None:
        return _computed(shown, exact)
    half = sympy.Rational(1, 2) * sympy.Rational(1, 10**digits)
    all_exact = True
    for s, e in zip(shown, exact, strict=True):
        if s.is_Rational and e.is_Rational:
            right = abs(s - e) <= half
        else:
            all_exact = False
            gap = abs(_value(s) - _value(e))
            right = bool(gap.is_number) and not gap > half * (1 + sympy.Rational(1, 10**20))
        if not right:
            return Check("failed", "mpmath", f"{_short(s)} is not {_short(e)} rounded to "
                                             f"{digits} decimals")
    if all_exact:
        return Check("numeric", ROUNDED_EXACTLY, f"correctly rounded to {digits} decimals "
                     "(the value is rational: compared exactly)")
    return Check("numeric", "mpmath", f"correctly rounded to {digits} decimals (at {DIGITS} "
                 "digits)")


def _computed(shown: list[sympy.Basic], exact: list[sympy.Basic]) -> Check:
    """Floats computed at their own precision against the exact values."""
    places = DIGITS
    for s, e in zip(shown, exact, strict=True):
        places = prec_to_dps(s._prec) if s.is_Float else DIGITS
        truth = sympy.N(e, places + 10)
        gap = abs(sympy.N(s, places + 10) - truth)
        if not gap.is_number or gap > sympy.Float(10, places) ** (3 - places) * max(
                1, abs(truth)):
            return Check("failed", "mpmath", f"{_short(s)} is not {_short(e)} to "
                                             f"{places - 3} digits")
    return Check("numeric", "mpmath", f"agrees with the exact value to {places - 3} digits "
                 "(the precision it was computed at, less 3)")


def check_block(block: Block, graph: Graph) -> tuple[Block, Step | None]:
    """Check each step of a block; return the checked block and the first failing step."""
    meaning = Meaning(graph, block.extra)
    at = dict(block.at)
    previous: list[sympy.Basic] | None = None
    steps: list[Step] = []
    bad: Step | None = None
    for step in block.steps:
        try:
            value = [v.xreplace(at) for v in meaning.of(step.canonical)]
            if step.lhs is not None:
                truth = [v.xreplace(at) for v in meaning.of(step.lhs, lhs=True)]
            elif previous is None:
                raise VectorShapeError("a continuation line needs a line before it")
            else:
                truth = previous
            if step.relation == r"\approx":
                check = rounded(value, truth, step.digits)
                value = truth  # later lines continue from the exact value, not the rounding
            else:
                check = equal_lists(value, truth)
        except VectorShapeError as exc:
            check, value = Check("failed", "shape", str(exc)), []
        checked = replace(step, check=check)
        steps.append(checked)
        if check.status == "failed" and bad is None:
            bad = checked
        previous = value
    return replace(block, steps=tuple(steps)), bad


def check(solution: Solution, graph: Graph) -> tuple[Solution, list[tuple[int, Step]]]:
    """Return the solution with every step's check filled in, and the failures (index, step)."""
    checked: list[list[Block]] = []
    failures: list[tuple[int, Step]] = []
    index = 0
    for section in solution.sections:
        blocks = []
        for block in section.blocks:
            block, _ = check_block(block, graph)
            for step in block.steps:
                index += 1
                if step.check is not None and step.check.status == "failed":
                    failures.append((index, step))
            blocks.append(block)
        checked.append(blocks)
    return solution.with_blocks(checked), failures
