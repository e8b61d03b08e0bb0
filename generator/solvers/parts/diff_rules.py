"""Differentiation rules as data: which rule applies to an expression, and to which parts.

As sympy's manualintegrate does for integrals, `rule_tree(f, x)` returns a tree of `Rule`s
(sum, constant multiple, product, quotient, chain, power, exp/log, trig, inverse trig,
logarithmic differentiation for f(x)^g(x)); what a rule gives for its parts is `Rule.apply`.
Prose lives in the message files under `rules: d_<name>`; the steps are written by
generator/solvers/parts/diff_steps.py. Nothing here calls `sympy.diff`: the verifier compares
every line with it, so the rules are checked, not trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Add, Derivative, Mul, Pow, Symbol

from generator.algebra.functions import sigmoid, softplus
from generator.algebra.notation import Paren

# The name of the inner function in a rule's sentence ("chain rule with u = cos x").
U = Symbol("u")


class Ddx(Derivative):  # type: ignore[misc]  # sympy is untyped
    """d/dx (…) of an expression still to be differentiated; the verifier reads it as a
    Derivative, the printer writes it as a teacher does."""

    symbol = "d"

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        d, var, inner = self.symbol, printer._print(self.variables[0]), self.expr
        if isinstance(inner, Symbol):
            text = rf"\frac{{{d} {printer._print(inner)}}}{{{d} {var}}}"
        else:
            text = rf"\frac{{{d}}}{{{d} {var}}}\left({printer._print(inner)}\right)"
        return rf"\left({text}\right)^{{{exp}}}" if exp else text


class Pdx(Ddx):
    """∂/∂x (…): the same, for a function of several variables."""

    symbol = r"\partial"


class Ln(sympy.log):  # type: ignore[misc]  # sympy is untyped
    """log printed ln, as calculus courses write the natural logarithm."""

    plain_function = sympy.log  # what the verifier reads it as (check/verify.py)

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        head = r"\ln" if exp is None else rf"\ln^{{{exp}}}"
        return rf"{head}{{\left({printer._print(self.args[0])}\right)}}"

    def _eval_evalf(self, prec: int) -> Any:
        # Function.evalf looks mpmath up by the class name, which Ln is not.
        return sympy.log(*self.args)._eval_evalf(prec)


def _inverse(cls: Any, name: str) -> Any:
    def latex(self: Any, printer: Any, exp: str | None = None) -> str:
        head = rf"\{name}" if exp is None else rf"\{name}^{{{exp}}}"
        return rf"{head}{{\left({printer._print(self.args[0])}\right)}}"
    def evalf(self: Any, prec: int) -> Any:
        return cls(*self.args)._eval_evalf(prec)
    return type(f"Arc{name[3:]}", (cls,), {"_latex": latex, "_eval_evalf": evalf,
                                           "plain_function": cls})


Arctan, Arcsin, Arccos = (_inverse(sympy.atan, "arctan"), _inverse(sympy.asin, "arcsin"),
                          _inverse(sympy.acos, "arccos"))
# Display twins: the same function, printed the way a calculus course writes it.
TWINS: dict[Any, Any] = {sympy.log: Ln, sympy.atan: Arctan, sympy.asin: Arcsin,
                         sympy.acos: Arccos}
# Names the derivative kinds add to the parser's functions (generator/algebra/expr.py).
CALLS: dict[str, Any] = {"ln": sympy.log, "tan": sympy.tan, "atan": sympy.atan,
                         "arctan": sympy.atan, "asin": sympy.asin, "arcsin": sympy.asin,
                         "acos": sympy.acos, "arccos": sympy.acos}


def shown(expr: sympy.Basic) -> sympy.Basic:
    """The display form: ln for log, arctan for atan, a quotient with its numerator first,
    a sum sympy built in the usual order (3x + 1); nothing is re-evaluated."""
    if not expr.args or isinstance(expr, Symbol):
        return expr
    args = [shown(a) for a in expr.args]
    if isinstance(expr, Add) and _built_by_sympy(expr):
        args = [shown(a) for a in expr.as_ordered_terms()]
    if isinstance(expr, Mul) and _built_by_sympy(expr):
        args.sort(key=lambda a: isinstance(a, Pow) and a.exp.is_negative is True)
    with sympy.evaluate(False):
        return TWINS.get(expr.func, expr.func)(*args)


def _built_by_sympy(expr: sympy.Basic) -> bool:
    """Parsed or derived by sympy, not a display form the rules wrote in their own order."""
    if expr.has(Paren, Ddx):
        return False
    with sympy.evaluate(True):
        return all(a == a.func(*a.args) for a in sympy.preorder_traversal(expr)
                   if a.args and not isinstance(a, Derivative | sympy.Tuple))


def plain(expr: sympy.Basic) -> sympy.Basic:
    """The value of a display form: brackets kept for the eye are dropped."""
    return expr.replace(lambda e: isinstance(e, Paren), lambda e: e.args[0])


def bracket(expr: sympy.Basic, after: bool = False) -> sympy.Basic:
    """A result placed as a factor keeps its brackets if it is a sum or negative, and,
    `after` another factor, if it starts with a number (e^x (2x), not e^x 2x)."""
    leading = isinstance(expr, Mul) and expr.args[0].is_Number
    if isinstance(expr, Add) or expr.could_extract_minus_sign() or (after and leading):
        return Paren(expr)
    return expr


def times(*factors: sympy.Basic) -> sympy.Basic:
    """A product as written: factors of 1 dropped, nothing multiplied out."""
    kept = [f for f in factors if f != 1]
    if not kept:
        return sympy.Integer(1)
    if len(kept) == 1:
        return kept[0]
    return Mul(*kept, evaluate=False)


@dataclass(frozen=True)
class Outer:
    """d/du of a function of one argument: its rule key and f'(u)."""

    key: str
    prime: Callable[[sympy.Basic], sympy.Basic]


def _sigma_prime(u: sympy.Basic) -> sympy.Basic:
    return Mul(sigmoid(u), Paren(Add(1, -sigmoid(u), evaluate=False)), evaluate=False)


OUTER: dict[Any, Outer] = {
    sympy.exp: Outer("exp", sympy.exp),
    sympy.log: Outer("log", lambda u: Pow(u, -1)),
    sympy.sin: Outer("sin", sympy.cos),
    sympy.cos: Outer("cos", lambda u: -sympy.sin(u)),
    sympy.tan: Outer("tan", lambda u: Pow(sympy.cos(u), -2)),
    sympy.atan: Outer("atan", lambda u: Pow(1 + u**2, -1)),
    sympy.asin: Outer("asin", lambda u: Pow(sympy.sqrt(1 - u**2), -1)),
    sympy.acos: Outer("acos", lambda u: -Pow(sympy.sqrt(1 - u**2), -1)),
    sympy.tanh: Outer("tanh", lambda u: 1 - sympy.tanh(u)**2),
    sigmoid: Outer("sigma", _sigma_prime),
    softplus: Outer("softplus", sigmoid),
}


class NotDifferentiable(ValueError):
    """A function the rules do not cover (relu, abs: no derivative at 0)."""


@dataclass(frozen=True)
class Rule:
    """One rule applied to `expr`: the rule's key, the parts it needs differentiated, and
    the parameters its sentence names (u of a chain rule, n of a power rule)."""

    name: str
    expr: sympy.Basic
    var: Symbol
    parts: tuple[Rule, ...] = ()
    params: dict[str, sympy.Basic] = field(default_factory=dict)
    outer: str = ""  # a chain rule's outer function: a key of OUTER, power or exp_base

    @property
    def leaf(self) -> bool:
        """Written as one fact: an elementary rule, or a constant times one (3x, 5x²)."""
        return not self.parts or (self.name == "constant_multiple" and self.parts[0].leaf)

    def form(self, d: type[Ddx]) -> sympy.Basic:
        """The rule applied, with d/dx of each part still to be worked out."""
        return self.apply([d(p.expr, self.var) for p in self.parts])

    def apply(self, dparts: list[sympy.Basic]) -> sympy.Basic:
        """The derivative, given the derivatives of the parts (as they are displayed)."""
        return _APPLY.get(self.name, _leaf)(self, dparts)


def _leaf(rule: Rule, dparts: list[sympy.Basic]) -> sympy.Basic:
    x, f = rule.var, rule.expr
    if rule.name == "constant":
        return sympy.Integer(0)
    if rule.name == "variable":
        return sympy.Integer(1)
    if rule.name == "power":
        n = f.exp
        return times(n, Pow(x, n - 1)) if n != 2 else times(2, x)
    if rule.name == "exp_base":
        return times(f, sympy.log(f.base))
    return OUTER[f.func].prime(x)


def _chain(rule: Rule, dparts: list[sympy.Basic]) -> sympy.Basic:
    f, u = rule.expr, rule.parts[0].expr
    if isinstance(f, Pow) and not f.exp.has(rule.var):
        outer = times(f.exp, Pow(Paren(u) if isinstance(u, Add) else u, f.exp - 1,
                                 evaluate=False))
    elif isinstance(f, Pow):
        outer = times(f, sympy.log(f.base))
    else:
        outer = OUTER[f.func].prime(u)
    return times(outer, bracket(dparts[0], after=True))


def _after_constant(c: sympy.Basic, d: sympy.Basic) -> sympy.Basic:
    """x·(x e^{xy}), not x x e^{xy}: after a constant that is not a number, a product is
    bracketed too."""
    if not c.is_Number and isinstance(d, Mul):
        return Paren(d)
    return bracket(d, after=True)


def _product(rule: Rule, dparts: list[sympy.Basic]) -> sympy.Basic:
    factors = [p.expr for p in rule.parts]
    terms = []
    for i, d in enumerate(dparts):
        others = [bracket(g) if isinstance(g, Add) else g for j, g in enumerate(factors)
                  if j != i]
        terms.append(times(*others[:i], bracket(d, after=i > 0), *others[i:]))
    return Add(*terms, evaluate=False)


def _quotient(rule: Rule, dparts: list[sympy.Basic]) -> sympy.Basic:
    num, den = (p.expr for p in rule.parts)
    wrap = [bracket(e) if isinstance(e, Add) else e for e in (num, den)]
    top = Add(times(bracket(dparts[0]), wrap[1]),
              -times(wrap[0], bracket(dparts[1], after=True)), evaluate=False)
    return Mul(top, Pow(Pow(Paren(den) if isinstance(den, Add) else den, 2, evaluate=False),
                        -1, evaluate=False), evaluate=False)


def _log_diff(rule: Rule, dparts: list[sympy.Basic]) -> sympy.Basic:
    return times(rule.expr, bracket(dparts[0]))


_APPLY: dict[str, Callable[[Rule, list[sympy.Basic]], sympy.Basic]] = {
    "sum": lambda r, d: Add(*d, evaluate=False),
    "constant_multiple": lambda r, d: times(r.params["c"], _after_constant(r.params["c"], d[0])),
    "product": _product,
    "quotient": _quotient,
    "chain": _chain,
    "log_diff": _log_diff,
}


def rule_tree(f: sympy.Basic, x: Symbol) -> Rule:
    """The rule for d/dx f, with the rules of its parts."""
    if not f.has(x):
        return Rule("constant", f, x)
    if f == x:
        return Rule("variable", f, x)
    if isinstance(f, Add):
        return Rule("sum", f, x, tuple(rule_tree(t, x) for t in f.args))
    if isinstance(f, Mul):
        return _mul(f, x)
    if isinstance(f, Pow):
        return _pow(f, x)
    if f.func in OUTER and len(f.args) == 1:
        if f.args[0] == x:
            return Rule(OUTER[f.func].key, f, x)
        return Rule("chain", f, x, (rule_tree(f.args[0], x),), {"u": f.args[0]},
                    OUTER[f.func].key)
    raise NotDifferentiable(str(f.func))


def _mul(f: sympy.Mul, x: Symbol) -> Rule:
    const = [a for a in f.args if not a.has(x)]
    rest = [a for a in f.args if a.has(x)]
    if const:
        c, inner = Mul(*const), Mul(*rest)
        return Rule("constant_multiple", f, x, (rule_tree(inner, x),), {"c": c})
    den = [a for a in rest if isinstance(a, Pow) and a.exp.is_negative]
    if den:
        num = Mul(*[a for a in rest if a not in den])
        bottom = Mul(*[Pow(a.base, -a.exp) for a in den])
        return Rule("quotient", f, x, (rule_tree(num, x), rule_tree(bottom, x)))
    return Rule("product", f, x, tuple(rule_tree(a, x) for a in rest))


def _pow(f: sympy.Pow, x: Symbol) -> Rule:
    base, exp = f.base, f.exp
    if not exp.has(x):
        if base == x:
            return Rule("power", f, x, params={"n": exp})
        return Rule("chain", f, x, (rule_tree(base, x),), {"u": base}, "power")
    if not base.has(x):
        if exp == x:
            return Rule("exp_base", f, x)
        return Rule("chain", f, x, (rule_tree(exp, x),), {"u": exp}, "exp_base")
    return Rule("log_diff", f, x, (rule_tree(exp * sympy.log(base), x),),
                {"g": exp, "h": base})
