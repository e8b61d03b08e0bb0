"""Exact decisions about a difference a − b: zero (proved), or provably not zero.

Two kinds of proof that the difference is 0 (expand; cancel with σ, tanh … as atoms, then
rewritten to exp) and two kinds of proof that it is not:

- a difference without symbols is a number: a rational is compared exactly, an exact
  constant (e^{-100}, π − 22/7) is signed by sympy, which evaluates it with an error bound;
- a difference that is a rational function of the symbols (whatever the constants in it) is
  brought over one denominator; a numerator with one coefficient that is provably not 0 is
  a polynomial that is not 0, so the two sides differ almost everywhere.

Nothing here samples: a "not zero" decision is then shown at a point by the caller.
"""

from __future__ import annotations

import functools

import sympy

MAX_EXPANDED_POWER = 4  # (a + b)^k with a larger k is left to cancel, not multiplied out
MAX_POLY_TERMS = 2000  # beyond this the numerator's coefficients are not listed one by one


def expands_to_zero(diff: sympy.Basic) -> bool:
    """A proof for sums of products, the bulk of the lines (an SGD variant's lines are
    numbers and σ of numbers): multiplied out, the difference is 0. It is exact, like
    cancel, and several times cheaper than together + cancel. A power of a sum could
    multiply out to thousands of terms, so such a difference goes to cancel instead."""
    for node in sympy.preorder_traversal(diff):
        if isinstance(node, sympy.Pow) and node.base.is_Add and (
                not node.exp.is_Integer or abs(node.exp) > MAX_EXPANDED_POWER):
            return False
    return bool(sympy.expand(diff) == 0)


def cancels_to_zero(diff: sympy.Basic) -> bool:
    """With σ, tanh … as opaque atoms (cheap when both sides are written in σ, as backprop
    steps are), then rewritten to exp, which can cost seconds on deep networks."""
    for rewrite in (False, True):
        try:
            form = diff.rewrite(sympy.exp) if rewrite else diff
            if sympy.cancel(sympy.together(form)) == 0:
                return True
        except (sympy.PolynomialError, TypeError, ValueError):
            pass  # not a rational function in these atoms: try the next form
    return False


def proof_of_zero(diff: sympy.Basic) -> str | None:
    """The rung that shows diff = 0, or None."""
    if diff == 0:
        return "identical"
    if expands_to_zero(diff):
        return "expand"
    if cancels_to_zero(diff):
        return "cancel"
    return None


def decide(diff: sympy.Basic) -> tuple[bool | None, str]:
    """(True: diff = 0, False: diff is provably not 0, None: undecided; the rung)."""
    method = proof_of_zero(diff)
    if method is not None:
        return True, method
    form = exp_form(diff)
    if form is not None:
        try:
            if sympy.cancel(sympy.together(form)) == 0:
                return True, "exp-structure"
        except (sympy.PolynomialError, TypeError, ValueError):
            return None, ""
    if not_zero(diff if form is None else form):
        return False, "exact"
    return None, ""


def constant_sign(value: sympy.Basic) -> int | None:
    """-1, 0 or 1 for a number without symbols, 2 for "not 0, sign unknown" (complex), None
    when sympy cannot tell. Rationals are exact; other constants are signed by sympy's
    assumptions, which evaluate with a guaranteed error (a 0 that evaluation cannot tell
    from a tiny number stays None)."""
    if value.is_Rational:
        return int(sympy.sign(value))
    try:
        zero = value.is_zero
        if zero:
            return 0
        if zero is False:
            if value.is_extended_positive:
                return 1
            return -1 if value.is_extended_negative else 2
    except (TypeError, ValueError, RecursionError):
        pass
    return None


def is_rational_function(diff: sympy.Basic) -> bool:
    """Only symbols, numbers, + − × ÷ and integer powers (constants may be anything)."""
    for node in sympy.preorder_traversal(diff):
        if node.free_symbols and isinstance(node, sympy.Function | sympy.Derivative
                                            | sympy.Max | sympy.Min):
            return False
        if isinstance(node, sympy.Pow) and node.base.free_symbols and not node.exp.is_Integer:
            return False
        if isinstance(node, sympy.Pow) and node.exp.free_symbols:
            return False
    return True


def not_zero(diff: sympy.Basic) -> bool | None:
    """True when diff provably differs from 0 as a function of its symbols; None when
    this cannot be decided exactly (the numeric rung takes over)."""
    symbols = sorted(diff.free_symbols, key=lambda s: s.name)
    if not symbols:
        sign = constant_sign(diff)
        return None if sign is None else sign != 0
    if not is_rational_function(diff):
        return None
    try:
        numerator, _ = sympy.fraction(sympy.together(diff))
        poly = sympy.Poly(sympy.expand(numerator), *symbols)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, TypeError, ValueError):
        return None
    coefficients = poly.coeffs()
    if len(coefficients) > MAX_POLY_TERMS:
        return None
    if any(constant_sign(c) not in (0, None) for c in coefficients):
        return True
    return None


def exact_value(expr: sympy.Basic, point: dict[sympy.Symbol, sympy.Rational]
                ) -> sympy.Basic | None:
    """expr at a rational point in exact arithmetic, when it is a rational function with
    rational coefficients (else None: the caller evaluates numerically)."""
    if not is_rational_function(expr) or expr.atoms(sympy.NumberSymbol, sympy.Function):
        return None
    value = expr.xreplace(point)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not value.is_Rational:
        return None
    return value


def exp_form(diff: sympy.Basic) -> sympy.Basic | None:
    """diff with σ, tanh … written in exp, and every exp(g) written as a product of powers
    of new symbols E_k = exp(h_k), where the h_k are Q-linearly independent polynomials
    without constant term (exp(2x − y + 3) = e³·E₁²·E₂⁻¹).

    Exponentials of Q-linearly independent non-constant polynomials are algebraically
    independent over the rational functions (the Ax–Lindemann/Rosenlicht structure
    theorem), so the result is 0 exactly when diff is, and it is a rational function:
    `not_zero` and `cancel` decide it. None when anything else is left (log, sin, an exp
    of a non-polynomial)."""
    symbols = sorted(diff.free_symbols, key=lambda s: s.name)
    try:
        # Functions only: Pow.rewrite(exp) would turn (x + 1)² into exp(2 log(x + 1)).
        form = diff.replace(
            lambda e: isinstance(e, sympy.Function) and not isinstance(e, sympy.exp)
            and bool(e.free_symbols), lambda e: e.rewrite(sympy.exp, deep=False))
    except (TypeError, ValueError):
        return None
    atoms = sorted((a for a in form.atoms(sympy.exp) if a.free_symbols), key=sympy.default_sort_key)
    rows: list[dict[tuple[int, ...], sympy.Rational]] = []
    constants = []
    for atom in atoms:
        constant, rest = sympy.expand(atom.args[0]).as_independent(*symbols, as_Add=True)
        try:
            poly = sympy.Poly(rest, *symbols)
        except sympy.PolynomialError:
            return None
        if poly.domain not in (sympy.ZZ, sympy.QQ):
            return None
        rows.append({m: sympy.Rational(c) for m, c in poly.terms()})
        constants.append(constant)
    replaced = _powers_of_new_symbols(rows, constants)
    out = form.xreplace(dict(zip(atoms, replaced, strict=True)))
    return out if is_rational_function(out) else None


def _powers_of_new_symbols(rows: list[dict[tuple[int, ...], sympy.Rational]],
                           constants: list[sympy.Basic]) -> list[sympy.Basic]:
    """exp(constant + row) as e^constant · Π E_k^n, over a basis of the rows' Q-span."""
    if not rows:
        return []
    monomials = sorted({m for r in rows for m in r})
    matrix = sympy.Matrix([[r.get(m, 0) for m in monomials] for r in rows])
    _, pivots = matrix.rref()
    # Row j is Σ_k matrix[j, pivot_k] · (reduced row k); scale each basis element so that all
    # those coefficients are integers (x and x/2 → E = exp(x/2): E² and E).
    scale = [functools.reduce(sympy.ilcm, [sympy.Rational(matrix[j, p]).q
                                           for j in range(len(rows))], 1) for p in pivots]
    basis = [sympy.Symbol(f"_E{k}", positive=True) for k in range(len(pivots))]
    out = []
    for j, constant in enumerate(constants):
        power = sympy.Mul(*[basis[k] ** int(matrix[j, p] * scale[k])
                            for k, p in enumerate(pivots)])
        out.append(sympy.exp(constant) * power)
    return out
