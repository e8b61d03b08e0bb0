"""The one sympy → LaTeX printer: Leibniz partials, author's term order, declared names."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from generator.algebra.fences import shrink_fences
from generator.algebra.functions import sigmoid


class SolutionPrinter(LatexPrinter):  # type: ignore[misc]  # sympy is untyped
    """Prints expressions as the seeds write them.

    Terms keep the order they were built in (`order="none"`), so unevaluated display
    forms such as `4 + 5·1 + 6·2` survive; partials print as ∂f/∂x.
    """

    printmethod = "_latex"

    def __init__(self, names: Mapping[sympy.Symbol, str], decimals: int | None = None,
                 decimal_data: bool = False) -> None:
        super().__init__({"order": "none", "symbol_names": dict(names),
                          "mul_symbol": None})
        self._names = names
        self._decimals = decimals
        self._decimal_data = decimal_data

    def doprint(self, expr: sympy.Basic) -> str:
        # σ(z) as the seeds write it: \left…\right only where a delimiter must grow.
        return shrink_fences(str(super().doprint(expr)))

    def _print_Float(self, expr: sympy.Float) -> str:
        if self._decimals is None:
            return str(super()._print_Float(expr))
        # Fixed places, trailing zeros kept: 4.000000 says "six decimals" to a student.
        exact = Decimal(str(sympy.N(expr, 60)))
        return format(exact.quantize(Decimal(1).scaleb(-self._decimals), ROUND_HALF_EVEN), "f")

    def _print_Derivative(self, expr: sympy.Derivative) -> str:
        inner = expr.expr
        variables = expr.variables
        if (len(variables) == 1 and isinstance(inner, sympy.Function) and len(inner.args) == 1
                and inner.args[0] == variables[0] and not isinstance(inner, sympy.Derivative)):
            return self._prime(inner)
        den = " ".join(rf"\partial {self._print(v)}" for v in variables)
        num = r"\partial" if len(variables) == 1 else rf"\partial^{{{len(variables)}}}"
        if isinstance(inner, sympy.Symbol):
            return rf"\frac{{{num} {self._print(inner)}}}{{{den}}}"
        return rf"\frac{{{num}}}{{{den}}}\left({self._print(inner)}\right)"

    def _prime(self, fn: Any) -> str:
        head = r"\sigma" if isinstance(fn, sigmoid) else rf"\{type(fn).__name__}"
        return rf"{head}'\left({self._print(fn.args[0])}\right)"

    def _print_Mul(self, expr: sympy.Mul) -> str:
        if not isinstance(expr, sympy.Mul):
            # LatexPrinter prints x**-1 through _print_Mul; a Pow is not a product of its args.
            return str(super()._print_Mul(expr))
        args = expr.args
        # A product of partials reads better with a thin space than with nothing.
        if all(isinstance(a, sympy.Derivative) for a in args):
            return r"\,".join(self._print(a) for a in args)
        first = args[0]
        if first == -1 and len(args) > 1:
            rest = sympy.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1]
            return "- " + self._factor(rest, after=True)
        if isinstance(first, sympy.Pow) and first.exp == -1 and len(args) > 1:
            # Display forms put 1/n in front, as the seeds write \frac{1}{n}(y - ŷ)^2;
            # the default printer would fold the whole product into one fraction.
            rest = sympy.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1]
            text = self._factor(rest, after=True)
            # ½·0.1(w₁² + w₂²): a number right after the fraction needs its product sign.
            sign = r" \cdot " if text[:1].isdigit() else " "
            return rf"\frac{{1}}{{{self._print(first.base)}}}{sign}{text}"
        below = [a for a in args if isinstance(a, sympy.Pow) and a.exp.is_Rational
                 and a.exp.is_negative]
        above = [a for a in args if a not in below]
        if below and len(above) > 1 and any(_numeric(a) for a in above[1:]):
            # m·h/(1 − p) at numbers: one fraction whose numerator keeps its product signs,
            # \frac{0 \cdot (−1)}{1 − ½} (sympy's fraction would write `0 (−1)`).
            den = [a.base if a.exp == -1 else sympy.Pow(a.base, -a.exp, evaluate=False)
                   for a in below]
            bottom = den[0] if len(den) == 1 else sympy.Mul(*den, evaluate=False)
            return rf"\frac{{{self._product(tuple(above))}}}{{{self._print(bottom)}}}"
        if below and above and sympy.fraction(expr, exact=True)[1] == 1:
            return self._over_sum(above, below)
        if any(_numeric(a) for a in args[1:]) or any(self._as_decimal(a) for a in args):
            # σ'(z)·1, 5·1: a number after another factor needs a visible product sign.
            return self._product(args)
        if first.is_Rational and first.q != 1 and not expr.free_symbols and any(
                isinstance(a, sympy.Function) for a in args[1:]):
            # (3/2) σ(−3), a number put in for w_d, as the lines around it write it; sympy
            # would fold it into \frac{3 σ(−3)}{2}, where w_d = 3/2 is no longer seen.
            # (A mean's 1/3 still reads \frac{(1 − 3)^2}{3}.)
            return self._product(args)
        if any(isinstance(a, sympy.Mul) and self._print_Mul(a).startswith("-")
               for a in args[1:]):
            # x·(−x)·x: sympy's printer would write `x - x x`, a difference.
            return self._product(args)
        return str(super()._print_Mul(expr))

    def _over_sum(self, above: list[sympy.Basic], below: list[sympy.Basic]) -> str:
        """e^{1}/(e^{1} + e^{−0.5} + e^{2}) as one fraction. sympy's `fraction` leaves a
        denominator whose sum holds a bracketed number (UnevaluatedExpr: commutativity
        unknown) in the numerator, so its printer wrote `e^{1} (e^{1} + …)^{-1}`."""
        den = [a.base if a.exp == -1 else sympy.Pow(a.base, -a.exp, evaluate=False)
               for a in below]
        bottom = den[0] if len(den) == 1 else sympy.Mul(*den, evaluate=False)
        top = above[0] if len(above) == 1 else sympy.Mul(*above, evaluate=False)
        return rf"\frac{{{self._print(top)}}}{{{self._print(bottom)}}}"

    def _print_Pow(self, expr: sympy.Pow) -> str:
        base, exp = expr.args
        if exp.is_Rational and exp.is_negative and base.is_commutative:
            # LatexPrinter sends x^{−k} to _print_Mul, which recurses without end on an
            # unevaluated base such as (−1)^{−2} or (−x)^{−2}: print 1 over the positive
            # power, as it would.
            inverse = base if exp == -1 else sympy.Pow(base, -exp, evaluate=False)
            return rf"\frac{{1}}{{{self._print(inverse)}}}"
        return str(super()._print_Pow(expr))

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        # Terms in the order built, each printed as it stands: the default printer negates
        # a "negative" term to print " - …", which evaluates unevaluated products such as
        # (−0.3)·(−1) and would show a different line from the one that was checked.
        return joined_terms([self._print(minus_negative(term)) for term in expr.args])

    def _factor(self, expr: sympy.Basic, after: bool = False) -> str:
        """A factor of a product; `after` another factor or a sign, a factor that prints
        with a leading minus is bracketed: `a (−b)`, never `a − b` (a difference)."""
        if isinstance(expr, sympy.Derivative):
            return str(self._print(expr))  # σ'(z) or a fraction: never needs brackets
        if isinstance(expr, sympy.Mul):
            text = self._print_Mul(expr)
            return rf"\left({text}\right)" if after and text.startswith("-") else text
        text = str(self.parenthesize(expr, PRECEDENCE["Mul"]))
        return rf"\left({text}\right)" if after and text.startswith("-") else text

    def _product(self, args: tuple[sympy.Basic, ...]) -> str:
        out = self._factor(args[0]) if not (args[0].is_Number and args[0] < 0) else (
            rf"\left({self._print(args[0])}\right)")
        for a in args[1:]:
            text = self._factor(a, after=True)
            if a.is_Number and a < 0 and not text.startswith(r"\left("):
                text = rf"\left({self._print(a)}\right)"
            out += rf" \cdot {text}" if _numeric(a) else f" {text}"
        return out

    def _print_ExpBase(self, expr: sympy.Basic, exp: str | None = None) -> str:
        # e^{x/2} as the seeds write it, not e^{\frac{x}{2}}: a stacked fraction in an
        # exponent is too small to read. Only a name over a whole number is folded.
        num, den = sympy.fraction(expr.args[0], exact=True)
        if exp is None and den.is_Integer and den > 1 and (num.is_Symbol or (-num).is_Symbol):
            return rf"e^{{{self._print(num)}/{self._print(den)}}}"
        return str(super()._print_ExpBase(expr, exp))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        decimal = self._as_decimal(expr)
        return decimal if decimal is not None else str(super()._print_Rational(expr))

    def _as_decimal(self, expr: sympy.Basic) -> str | None:
        """0.1 stays 0.1 when the problem's data were written as decimals."""
        if not self._decimal_data or not isinstance(expr, sympy.Rational) or expr.q == 1:
            return None
        for places in range(1, 13):
            if (expr * 10**places).is_Integer:
                return format(Decimal(int(expr.p)) / Decimal(int(expr.q)), f".{places}f")
        return None

    def parenthesize(self, item: sympy.Basic, level: int, is_neg: bool = False,
                     strict: bool = False) -> str:
        decimal = self._as_decimal(item)
        if decimal is not None and not decimal.startswith("-"):
            return decimal  # a positive decimal is one token, like an integer
        return str(super().parenthesize(item, level, is_neg, strict))


def to_latex(expr: sympy.Basic, names: Mapping[sympy.Symbol, str],
             decimal_data: bool = False) -> str:
    return str(SolutionPrinter(names, decimal_data=decimal_data).doprint(expr))


def joined_terms(texts: list[str]) -> str:
    """Printed terms of a sum in order: a term printed with a leading minus is joined as
    " - …", every other with " + " (the variant line templates join their terms so too)."""
    out = ""
    for i, text in enumerate(texts):
        if i == 0:
            out = text
        elif text.startswith("-"):
            out += " - " + text[1:].lstrip()
        else:
            out += " + " + text
    return out


def minus_negative(term: sympy.Basic) -> sympy.Basic:
    """−1·(−2)·a₁a₃ as the term 2a₁a₃: `- (-2) a_{1} a_{3}` reads badly. Same value; the
    read-back check compares the printed line with the expression it stands for."""
    if not isinstance(term, sympy.Mul) or len(term.args) < 2 or term.args[0] != -1:
        return term
    second = term.args[1]
    inner = second.args[0] if isinstance(second, sympy.UnevaluatedExpr) else second
    if not (inner.is_Number and inner < 0):
        return term
    # −1·(−1)·a₁a₂ is a₁a₂: a bare `1 a_{1}` would read as a stray digit.
    rest = term.args[2:] if inner == -1 else (-inner, *term.args[2:])
    if not rest:
        return -inner
    return rest[0] if len(rest) == 1 else sympy.Mul(*rest, evaluate=False)


def _numeric(factor: sympy.Basic) -> bool:
    """A number, also one kept in brackets by `numbers.substitute(shown=True)`: 0·(−1) needs
    its product sign as much as 1·2 does (else it reads `0 (−1)`)."""
    if isinstance(factor, sympy.Pow) and factor.exp.is_positive:
        # 0.5·0.5², not `0.5 0.5²` (read as the digits 0.50.5²).
        return _numeric(factor.base)
    return bool(factor.is_Number) or (isinstance(factor, sympy.UnevaluatedExpr)
                                      and bool(factor.args[0].is_Number))
