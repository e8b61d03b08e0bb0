"""relu, leaky_relu, step, abs, sign, Max, Min, Heaviside: a line cut into its regions.

A line such as x² = x·x + relu(x − 2) is right for x ≤ 2 and wrong beyond: points drawn
in [−2, 2] never see it. Here every piecewise function is replaced by its branch, one sign
of its switch (the argument, or a − b for Max(a, b)) at a time, innermost first, so each
region is a plain expression with a list of conditions, and each is decided on its own.
A switch met twice (relu(z) and step(z)) takes the same sign both times, so impossible
regions such as z > 0 and z < 0 are never made.

`witnesses` finds a rational point inside a region: along lines through a few points,
parallel to each axis, the switches are rational functions of one variable; between
consecutive real roots of their numerators and denominators every sign is constant, so a
point between each pair (and beyond both ends) visits every region that the line crosses,
even x − y > 10³⁰, which no random point reaches.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy
from sympy import Symbol

from generator.algebra.functions import leaky_relu, relu, step
from generator.check.exactness import constant_sign, exact_value, is_rational_function

MAX_REGIONS = 64
KINDS = (relu, leaky_relu, step, sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max,
         sympy.Min)

Condition = tuple[sympy.Basic, int]  # (switch g, +1 for g > 0 or -1 for g < 0)


@dataclass(frozen=True)
class Region:
    conditions: tuple[Condition, ...]
    value: sympy.Basic  # the expression with every piecewise function replaced by its branch

    def text(self) -> str:
        return " and ".join(f"{g} {'>' if s > 0 else '<'} 0" for g, s in self.conditions)


def has_piecewise(expr: sympy.Basic) -> bool:
    return any(isinstance(node, KINDS) for node in sympy.preorder_traversal(expr))


def _innermost(expr: sympy.Basic) -> sympy.Basic | None:
    for node in sympy.postorder_traversal(expr):
        if isinstance(node, KINDS):
            return node
    return None


def _cases(node: sympy.Basic) -> list[tuple[tuple[Condition, ...], sympy.Basic]]:
    """(conditions, branch) of one piecewise node."""
    if isinstance(node, sympy.Max | sympy.Min):
        args, cases = node.args, []
        for chosen in args:
            sign = 1 if isinstance(node, sympy.Max) else -1
            cases.append((tuple((chosen - other, sign) for other in args if other is not chosen),
                          chosen))
        return cases
    u = node.args[0]
    if isinstance(node, relu):
        above, below = u, sympy.S.Zero
    elif isinstance(node, leaky_relu):
        above, below = u, node.args[1] * u
    elif isinstance(node, step | sympy.Heaviside):
        above, below = sympy.S.One, sympy.S.Zero
    elif isinstance(node, sympy.Abs):
        above, below = u, -u
    else:  # sign
        above, below = sympy.S.One, -sympy.S.One
    return [(((u, 1),), above), (((u, -1),), below)]


def _known(g: sympy.Basic, signs: dict[sympy.Basic, int]) -> int | None:
    key = sympy.expand(g)
    if key in signs:
        return signs[key]
    return -signs[-key] if -key in signs else None


def regions(expr: sympy.Basic) -> list[Region] | None:
    """Every region of expr (None when there are more than MAX_REGIONS)."""
    done: list[Region] = []
    todo: list[tuple[sympy.Basic, dict[sympy.Basic, int], tuple[Condition, ...]]] = [
        (expr, {}, ())]
    while todo:
        current, signs, conditions = todo.pop()
        node = _innermost(current)
        if node is None:
            done.append(Region(conditions, current))
            continue
        if not node.free_symbols:  # relu(−1) left by an inner branch: its sign is known
            known = [b for case, b in _cases(node) if all(constant_sign(g) == s
                                                          for g, s in case)]
            if not known:
                return None  # a switch exactly at 0, or one sympy cannot sign
            todo.append((current.xreplace({node: known[0]}), signs, conditions))
            continue
        for case, branch in _cases(node):
            if any(_known(g, signs) == -s for g, s in case):
                continue  # contradicts a switch already chosen on this path
            new = [(g, s) for g, s in case if _known(g, signs) is None]
            added = {**signs, **{sympy.expand(g): s for g, s in new}}
            todo.append((current.xreplace({node: branch}), added, (*conditions, *new)))
        if len(done) + len(todo) > MAX_REGIONS:
            return None
    return done


def inside(region: Region, point: dict[Symbol, sympy.Rational]) -> bool | None:
    """Whether a point is strictly inside the region (None: a switch too close to 0 to tell
    in exact arithmetic or at 30 digits)."""
    for g, s in region.conditions:
        value = exact_value(g, point)
        if value is None:
            number = sympy.N(g.xreplace(point), 30)
            if not number.is_real or number.is_zero is not False:
                return None
            value = number
        if value == 0:
            return None
        if (value > 0) != (s > 0):
            return False
    return True


def _line_values(switches: list[sympy.Basic], var: Symbol,
                 base: dict[Symbol, sympy.Rational]) -> list[sympy.Rational] | None:
    """Values of var, one in each interval between the real roots of the switches along
    the line through base parallel to var's axis (None: the roots could not be isolated)."""
    fixed = {s: v for s, v in base.items() if s != var}
    product = sympy.Integer(1)
    for g in switches:
        numerator, denominator = sympy.fraction(sympy.together(g.xreplace(fixed)))
        product *= numerator * denominator
    try:
        poly = sympy.Poly(product, var)
        if poly.degree() <= 0:
            return [base[var]] if constant_sign(poly.LC()) not in (None, 0) else None
        bounds = poly.sqf_part().intervals()
    except (sympy.PolynomialError, sympy.DomainError, NotImplementedError):
        return None
    ends = sorted({sympy.Rational(e) for (lo, hi), _ in bounds for e in (lo, hi)})
    if not ends:
        return [base[var]]
    values = [ends[0] - 1, ends[-1] + 1]
    values += [(a + b) / 2 for a, b in itertools.pairwise(ends)]
    return values


@dataclass(frozen=True)
class Witnesses:
    points: dict[int, dict[Symbol, sympy.Rational]]  # a point inside region i
    complete: bool  # one symbol, every cell of the line visited: a region missed is empty


def witnesses(found: list[Region], bases: list[dict[Symbol, sympy.Rational]]) -> Witnesses:
    """A point strictly inside each region that line sweeps (and the bases) reach."""
    switches = list({g for r in found for g, _ in r.conditions})
    rational = all(is_rational_function(g) for g in switches)
    symbols = sorted({s for g in switches for s in g.free_symbols}, key=lambda s: s.name)
    candidates = list(bases)
    complete = rational and len(symbols) == 1 and bool(bases)
    if rational:
        for base in bases[:3]:
            for var in symbols:
                values = _line_values(switches, var, base)
                complete = complete and values is not None
                candidates += [{**base, var: v} for v in values or []]
    # Modest points first: at y = 5916000 an exp(y) needs millions of digits to be signed.
    candidates.sort(key=lambda p: max((abs(v) for v in p.values()), default=0))
    out: dict[int, dict[Symbol, sympy.Rational]] = {}
    for point in candidates:
        for i, region in enumerate(found):
            if i not in out and inside(region, point):
                out[i] = point
        if len(out) == len(found):
            break
    return Witnesses(out, complete)
