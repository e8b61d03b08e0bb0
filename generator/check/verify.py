"""Checks every step of a solution before anything is printed.

Each expression is first given its meaning over the graph's leaves: a partial derivative
along an edge is the local partial, any other (and any `Total`, backprop's δ) is the total
derivative, and nodes are inlined. Then the ladder runs, cheap first (docs/design.md, "check
ladder"): identical → a screen of 5 points at 40 digits stops most wrong lines → expand →
cancel (σ as an atom, then rewritten to exp) → a difference that is a number, or a rational
function with a coefficient that is not 0, fails exactly (check/exactness.py) → relu, abs,
Max … are cut into regions, each proved or checked inside (piecewise.py) → otherwise
agreement to 50 digits at points an author cannot predict (agreement.py, points.py), marked
numeric, never proved. float64 is never used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import sympy
from mpmath.libmp import prec_to_dps
from sympy import Derivative, Symbol

from generator.algebra.evaluator import Evaluator
from generator.algebra.notation import Total, VectorShapeError, components
from generator.algebra.trace import Block, Check, Solution, Step
from generator.check import agreement, exact, points
from generator.check.exactness import decide
from generator.check.notation import clash
from generator.check.piecewise import has_piecewise
from generator.graph.model import Graph

DIGITS = 40
POINTS = 5
TOLERANCE = sympy.Float("1e-30", DIGITS)
ROUNDED_EXACTLY = "rounding-exact"  # a `≈` line whose rounding is exact, though a decimal
# Rules whose lhs is ∂(node)/∂(direct input): the local partial, even when the input also
# reaches the node through a shared node (a softmax written with its denominator S).
LOCAL_RULES = frozenset({"local_derivative", "sigmoid_derivative", "chain_rule_inner"})
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
        # A declared constant is its value in every check (n: 1 makes −2(y − ŷ) right), so no
        # counterexample ever gives it another one; the page keeps the symbol.
        body = self.graph.nodes.get(sym)
        return self.graph.constants.get(sym) if body is None else body

    def inline(self, expr: sympy.Basic, keep: Symbol | None = None) -> sympy.Basic:
        for _ in range(len(self.graph.nodes) + len(self.graph.constants) + len(self.extra) + 1):
            # `is not None`: a local definition may be 0 (a sample whose x is 0).
            names = {s: body for s in expr.free_symbols
                     if s != keep and (body := self.body(s)) is not None}
            if not names:
                return expr
            expr = expr.xreplace(names)
        return expr

    def total(self, top: sympy.Basic, var: Symbol) -> sympy.Basic:
        return self.inline(sympy.diff(self.inline(top, keep=var), var))

    def partial(self, d: Derivative, lhs: bool) -> sympy.Basic:
        inner, variables = _plain_functions(d.expr), d.variables
        if len(variables) == 1 and not lhs and not isinstance(d, Total):
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


def _plain_functions(expr: sympy.Basic) -> sympy.Basic:
    """A display twin (ln printed for log: a subclass naming its value's function in
    `plain_function`) as that function, so x·ln x differentiated is log x + 1 and cancels
    against the step's log x + 1 instead of standing apart as another function."""
    def twin(e: sympy.Basic) -> bool:
        return getattr(type(e), "plain_function", None) is not None
    return expr.replace(twin, lambda e: type(e).plain_function(*e.args))


class Proofs:
    """What the solutions of one problem share, worked out once: the meaning of each
    expression with symbols and the check of each pair with symbols. A variant repeats its
    template's symbolic lines and the left sides of its lines of numbers; only the numbers
    are new. Entries without symbols are not kept, so memory does not grow with variants.
    Both give the same answer for the same sides within one problem's build (the verifier's
    points depend on the file and a salt drawn once per process), so a remembered result
    is the one a new call would give."""

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


def _value(value: sympy.Basic) -> sympy.Basic:
    """`sympy.N(value, DIGITS)`, through the evaluator's mpmath walk when it can (σ: ~20×
    faster)."""
    return Evaluator(value, [], DIGITS)({})


def compare(a: sympy.Basic, b: sympy.Basic,
            numbers: dict[sympy.Basic, exact.Poly] | None = None) -> Check:
    """Is a == b? Failed at a screening point, else proved exactly, else shown to differ
    exactly, else decided region by region, else the numeric rung (agreement).

    The screen runs first because it is cheap and decisive for most wrong steps; the
    symbolic proof (cancel, with σ and tanh as atoms, then rewritten to exp) can be slow
    on large wrong expressions. Equal sides without symbols are first proved the fast way
    (check/exact.py; `numbers` is its memo), where the ladder would prove them too.
    """
    if not (a.free_symbols or b.free_symbols) and exact.equal(a, b, numbers) and _provable(
            a, b):
        return Check("proved", "exact")
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


def _provable(a: sympy.Basic, b: sympy.Basic) -> bool:
    """Would the ladder below try a proof? Not past MAX_PROOF_OPS (then it says numeric);
    counting a − b's operations costs a walk, so small sides skip it (an operation is at
    most a node, a negative fraction's sign and bar, or a sign pushed into a sum)."""
    if 3 * (exact.size(a) + exact.size(b)) + 3 <= MAX_PROOF_OPS:
        return True
    diff = a - b
    return diff == 0 or bool(sympy.count_ops(diff) <= MAX_PROOF_OPS)


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
                # ∂child/∂var of an edge is the partial of the child's own expression; any
                # other lhs (∂L/∂w) is the total derivative through every path.
                truth = [v.xreplace(at) for v in proofs.of(
                    meaning, step.lhs, lhs=step.rule not in LOCAL_RULES)]
            elif previous is None:
                raise VectorShapeError("a continuation line needs a line before it")
            else:
                truth = previous
            if step.relation == r"\approx":
                check = rounded(value, truth, step.digits)
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
    twice = clash(solution.steps(), graph, LOCAL_RULES)
    for section in solution.sections:
        blocks = []
        for block in section.blocks:
            block, _ = check_block(block, graph, proofs)
            steps = []
            for step in block.steps:
                index += 1
                if twice is not None and twice[0] == index and not (
                        step.check is not None and step.check.status == "failed"):
                    step = replace(step, check=_ambiguous(*twice[1]))  # a wrong value first
                if step.check is not None and step.check.status == "failed":
                    failures.append((index, step))
                steps.append(step)
            blocks.append(replace(block, steps=tuple(steps)))
        checked.append(blocks)
    return solution.with_blocks(checked), failures


def _ambiguous(c: sympy.Basic, v: sympy.Basic) -> Check:
    """A step whose ∂c/∂v the sheet also prints in the other meaning (check/notation.py)
    fails, whatever its values: a student could read the one for the other."""
    return Check("failed", "notation", f"the notation ∂{c}/∂{v} is printed both as {c}'s own "
                 f"(local) partial and as the total derivative, which differ here ({v} also "
                 f"reaches {c} through other nodes); `display: {{method: backprop}}` writes "
                 "the total as δ and never prints the local one as ∂")
