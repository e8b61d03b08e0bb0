"""Checks every step of a solution before anything is printed.

Each expression is first given its meaning over the graph's leaves: a partial
derivative along an edge is the local partial, any other is the total derivative,
and nodes are inlined. Then the ladder runs, cheap first: identical → a failed
40-digit check at random points stops it → expand → cancel (σ as an atom, then rewritten
to exp) → otherwise the 40-digit agreement stands, marked numeric. float64 is never used.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace

import sympy
from sympy import Derivative, Symbol

from generator.algebra.evaluator import Evaluator
from generator.algebra.notation import VectorShapeError, components
from generator.algebra.trace import Block, Check, Solution, Step
from generator.check import exact
from generator.graph.model import Graph

DIGITS = 40
POINTS = 5
TOLERANCE = sympy.Float("1e-30", DIGITS)
MAX_PROOF_OPS = 400  # beyond this, cancel() may take minutes: keep the 40-digit check
MAX_EXPANDED_POWER = 4  # (a + b)^k with a larger k is left to cancel, not multiplied out


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


class Proofs:
    """What the solutions of one problem share, worked out once: the meaning of each
    expression with symbols and the check of each pair with symbols. A variant repeats its
    template's symbolic lines and the left sides of its lines of numbers; only the numbers
    are new. Entries without symbols are not kept, so memory does not grow with variants.
    Both functions are pure, so a remembered result is the one a new call would give."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._meanings: dict[tuple[sympy.Basic, bool, tuple[object, ...]],
                             list[sympy.Basic]] = {}
        self._checks: dict[tuple[sympy.Basic, sympy.Basic], Check] = {}
        self.numbers: dict[sympy.Basic, exact.Poly] = {}  # one solution's, see `check`

    def of(self, meaning: Meaning, expr: sympy.Basic, lhs: bool = False) -> list[sympy.Basic]:
        if not expr.free_symbols:
            return meaning.of(expr, lhs)
        key = (expr, lhs, tuple(meaning.extra.items()))
        if key not in self._meanings:
            self._meanings[key] = meaning.of(expr, lhs)
        return self._meanings[key]

    def compare(self, a: sympy.Basic, b: sympy.Basic) -> Check:
        if not (a.free_symbols or b.free_symbols):
            return compare(a, b, self.numbers)
        if (a, b) not in self._checks:
            self._checks[a, b] = compare(a, b)
        return self._checks[a, b]


def _points(symbols: list[Symbol], seed: int) -> list[dict[Symbol, sympy.Rational]]:
    rng = random.Random(seed)
    return [{s: sympy.Rational(rng.randint(-1900, 1900), 1000) for s in symbols}
            for _ in range(POINTS * 3)]


def _numeric(value: sympy.Basic) -> sympy.Basic:
    return sympy.N(value, DIGITS)


def _value(value: sympy.Basic) -> sympy.Basic:
    """`_numeric(value)`, through the evaluator's mpmath walk when it can (σ: ~20× faster)."""
    return Evaluator(value, [], DIGITS)({})


def compare(a: sympy.Basic, b: sympy.Basic, numbers: dict[sympy.Basic, exact.Poly] | None = None
            ) -> Check:
    """Is a == b? Failed at a random point, else proved symbolically, else numeric.

    The numeric test runs first because it is cheap and decisive for a wrong step; the
    symbolic proof (cancel, with σ and tanh as atoms, then rewritten to exp) can be slow
    on large wrong expressions. Sides without symbols are first tried exactly
    (check/exact.py; `numbers` is its memo).
    """
    # Symbols of both sides, not of a − b: equal terms cancel in a − b, and a point that
    # leaves them unset makes neither side a number ("no point where both are defined").
    free = a.free_symbols | b.free_symbols
    if not free and exact.equal(a, b, numbers) and _provable(a, b):
        return Check("proved", "exact")  # where the ladder below would prove it, faster
    diff = a - b
    if diff == 0:
        return Check("proved", "identical")
    numeric = _numeric_check(a, b, sorted(free, key=lambda s: s.name))
    if numeric.status == "failed":
        return numeric
    if sympy.count_ops(diff) <= MAX_PROOF_OPS:
        if _expands_to_zero(diff):
            return Check("proved", "expand")
        # Then with σ, tanh … as opaque atoms (cheap when both sides are written in σ, as
        # backprop steps are), then rewritten to exp, which can cost seconds on deep networks.
        for rewrite in (False, True):
            try:
                form = diff.rewrite(sympy.exp) if rewrite else diff
                if sympy.cancel(sympy.together(form)) == 0:
                    return Check("proved", "cancel")
            except (sympy.PolynomialError, TypeError, ValueError):
                pass  # not a rational function in these atoms: try the next form
    return numeric


def _provable(a: sympy.Basic, b: sympy.Basic) -> bool:
    """Would the ladder below try a proof? Not past MAX_PROOF_OPS (then it says numeric);
    counting a − b's operations costs a walk, so small sides skip it (an operation is at
    most a node, a negative fraction's sign and bar, or a sign pushed into a sum)."""
    if 3 * (exact.size(a) + exact.size(b)) + 3 <= MAX_PROOF_OPS:
        return True
    diff = a - b
    return diff == 0 or bool(sympy.count_ops(diff) <= MAX_PROOF_OPS)


def _expands_to_zero(diff: sympy.Basic) -> bool:
    """A proof for sums of products, the bulk of the lines (an SGD variant's lines are
    numbers and σ of numbers): multiplied out, the difference is 0. It is exact, like
    cancel, and several times cheaper than together + cancel. A power of a sum could
    multiply out to thousands of terms, so such a difference goes to cancel instead."""
    for node in sympy.preorder_traversal(diff):
        if isinstance(node, sympy.Pow) and node.base.is_Add and (
                not node.exp.is_Integer or abs(node.exp) > MAX_EXPANDED_POWER):
            return False
    return bool(sympy.expand(diff) == 0)


def _numeric_check(a: sympy.Basic, b: sympy.Basic, symbols: list[Symbol]) -> Check:
    tried = 0
    eval_a, eval_b = Evaluator(a, symbols, DIGITS), Evaluator(b, symbols, DIGITS)
    # Without symbols every "point" is the same empty one: evaluate once, not POINTS times
    # (the numbers-only lines of an SGD variant are most of its checks).
    seen: dict[tuple[tuple[Symbol, sympy.Rational], ...], tuple[sympy.Basic, sympy.Basic]] = {}
    for point in _points(symbols, seed=len(symbols)):
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
        if abs(da - db) > TOLERANCE * (1 + abs(da)):
            shown = [f"{s}={v}" for s, v in point.items()]
            where = ", ".join(shown[:8]) + (", …" if len(shown) > 8 else "") or "(no symbols)"
            return Check("failed", "mpmath", f"at {where}: {_short(da)} ≠ {_short(db)}")
    if tried == 0:
        return Check("failed", "mpmath", "no point where both sides are defined")
    return Check("numeric", "mpmath", f"agrees at {tried} random points to {DIGITS} digits")


def _short(v: sympy.Basic) -> str:
    return str(sympy.N(v, 15))


def equal_lists(a: list[sympy.Basic], b: list[sympy.Basic], proofs: Proofs | None = None
                ) -> Check:
    if len(a) != len(b):
        return Check("failed", "shape", f"{len(a)} components ≠ {len(b)} components")
    same = compare if proofs is None else proofs.compare
    checks = [same(x, y) for x, y in zip(a, b, strict=True)]
    failed = [c for c in checks if c.status == "failed"]
    if failed:
        return failed[0]
    if all(c.status == "proved" for c in checks):
        return Check("proved", checks[0].method if checks else "identical")
    return Check("numeric", "mpmath", next(c.detail for c in checks if c.status == "numeric"))


def rounded(shown: list[sympy.Basic], exact: list[sympy.Basic], digits: int) -> Check:
    """A decimal shown with `digits` places must be the exact value correctly rounded."""
    if len(shown) != len(exact):
        return Check("failed", "shape", f"{len(shown)} components ≠ {len(exact)} components")
    half = sympy.Rational(1, 2) * sympy.Rational(1, 10**digits)
    for s, e in zip(shown, exact, strict=True):
        gap = abs(_value(s) - _value(e))
        if not gap.is_number or gap > half * (1 + sympy.Rational(1, 10**20)):
            return Check("failed", "mpmath", f"{_short(s)} is not {_short(e)} rounded to "
                                             f"{digits} decimals")
    return Check("numeric", "mpmath", f"correctly rounded to {digits} decimals")


def check_block(block: Block, graph: Graph, proofs: Proofs | None = None
                ) -> tuple[Block, Step | None]:
    """Check each step of a block; return the checked block and the first failing step."""
    proofs = Proofs(graph) if proofs is None else proofs
    meaning = Meaning(graph, block.extra)
    at = dict(block.at)
    previous: list[sympy.Basic] | None = None
    steps: list[Step] = []
    bad: Step | None = None
    for step in block.steps:
        try:
            value = [v.xreplace(at) for v in proofs.of(meaning, step.canonical)]
            if step.lhs is not None:
                truth = [v.xreplace(at) for v in proofs.of(meaning, step.lhs, lhs=True)]
            elif previous is None:
                raise VectorShapeError("a continuation line needs a line before it")
            else:
                truth = previous
            if step.relation == r"\approx":
                check = rounded(value, truth, step.digits or 0)
                value = truth  # later lines continue from the exact value, not the rounding
            else:
                check = equal_lists(value, truth, proofs)
        except VectorShapeError as exc:
            check, value = Check("failed", "shape", str(exc)), []
        checked = replace(step, check=check)
        steps.append(checked)
        if check.status == "failed" and bad is None:
            bad = checked
        previous = value
    return replace(block, steps=tuple(steps)), bad


def check(solution: Solution, graph: Graph, proofs: Proofs | None = None
          ) -> tuple[Solution, list[tuple[int, Step]]]:
    """Return the solution with every step's check filled in, and the failures (index, step).

    `proofs` (of this graph) carries what earlier solutions of the same problem proved."""
    proofs = Proofs(graph) if proofs is None else proofs
    proofs.numbers.clear()  # numbers repeat within one solution, rarely across variants
    checked: list[list[Block]] = []
    failures: list[tuple[int, Step]] = []
    index = 0
    for section in solution.sections:
        blocks = []
        for block in section.blocks:
            block, _ = check_block(block, graph, proofs)
            for step in block.steps:
                index += 1
                if step.check is not None and step.check.status == "failed":
                    failures.append((index, step))
            blocks.append(block)
        checked.append(blocks)
    return solution.with_blocks(checked), failures
