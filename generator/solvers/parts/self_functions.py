"""Functions whose derivative is a polynomial in themselves: σ, tanh, exp, or the author's.

Each comes with the display lines of its Step 1 (derivative from the definition, then
written in terms of f). Display lines carry their value, so a mistyped table entry is
caught by the verifier like any other step.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Add, Mul, Symbol, exp

from generator.algebra.expr import ExprError, parse
from generator.algebra.functions import sigmoid
from generator.algebra.notation import Paren, Power
from generator.check.verify import compare
from generator.errors import SpecError, SpecErrors
from generator.spec.models import CustomFunction
from generator.spec.source import Source

# (rule, display, value) of f'(x) lines; (rule, lhs, relation, display, value) of the "also" lines
DerivLine = tuple[str, sympy.Basic, sympy.Basic]
AlsoLine = tuple[str, sympy.Basic, str, sympy.Basic, sympy.Basic]


@dataclass(frozen=True)
class Function:
    name: str  # "sigma", "tanh", "exp" or the author's name: used in answer keys
    head: str  # LaTeX of the function name: \sigma, \tanh
    x: Symbol
    x_latex: str
    symbol: Symbol  # s in s = σ(x)
    symbol_latex: str
    value: sympy.Expr  # f(x)
    definition_shown: sympy.Basic
    p: sympy.Expr  # P(s), expanded polynomial in s
    p_shown: sympy.Basic  # P(s) as written: s(1 - s)
    derivative_lines: tuple[DerivLine, ...]
    also_lines: tuple[AlsoLine, ...]


def _frac(num: sympy.Basic, den: sympy.Basic) -> sympy.Basic:
    inverse = sympy.Pow(den, -1, evaluate=False)
    return inverse if num == 1 else Mul(num, inverse, evaluate=False)


def _sigma(x: Symbol, s: Symbol) -> Function:
    e = exp(-x)
    one_plus = Add(1, e, evaluate=False)
    square = sympy.Pow(one_plus, 2, evaluate=False)
    value = sigmoid(x)
    lines: tuple[DerivLine, ...] = (
        ("power_chain_rule", Mul(-1, Power(one_plus, -2), Paren(-e), evaluate=False),
         -(1 + e) ** -2 * -e),
        ("simplify", _frac(e, square), e / (1 + e) ** 2),
    )
    p_shown = Mul(s, Add(1, -s, evaluate=False), evaluate=False)
    also: tuple[AlsoLine, ...] = (
        ("definition", s, "=", _frac(1, one_plus), 1 / (1 + e)),
        ("subtract", Add(1, -s, evaluate=False), "=", _frac(e, one_plus), e / (1 + e)),
        ("multiply", p_shown, r"\Rightarrow", _frac(e, square), e / (1 + e) ** 2),
    )
    return Function("sigma", r"\sigma", x, sympy.latex(x), s, sympy.latex(s), value,
                    Power(one_plus, -1), s * (1 - s), p_shown, lines, also)


def _tanh(x: Symbol, t: Symbol) -> Function:
    ep, em = exp(x), exp(-x)
    num, den = Add(ep, -em, evaluate=False), Add(ep, em, evaluate=False)
    ratio = _frac(num, den)
    quotient = _frac(Add(sympy.Pow(den, 2, evaluate=False), -sympy.Pow(num, 2, evaluate=False),
                         evaluate=False), sympy.Pow(den, 2, evaluate=False))
    one_minus = Add(1, -sympy.Pow(ratio, 2, evaluate=False), evaluate=False)
    true_ratio = (ep - em) / (ep + em)
    p_shown = Add(1, -t**2, evaluate=False)
    lines: tuple[DerivLine, ...] = (
        ("quotient_rule", quotient, ((ep + em) ** 2 - (ep - em) ** 2) / (ep + em) ** 2),
        ("split_fraction", one_minus, 1 - true_ratio**2),
    )
    also: tuple[AlsoLine, ...] = (
        ("definition", t, "=", ratio, true_ratio),
        ("square", p_shown, r"\Rightarrow", one_minus, 1 - true_ratio**2),
    )
    return Function("tanh", r"\tanh", x, sympy.latex(x), t, sympy.latex(t), sympy.tanh(x),
                    ratio, 1 - t**2, p_shown, lines, also)


def _exp(x: Symbol, u: Symbol) -> Function:
    lines: tuple[DerivLine, ...] = (("differentiate", exp(x), exp(x)),)
    also: tuple[AlsoLine, ...] = (("definition", u, "=", exp(x), exp(x)),)
    return Function("exp", r"\exp", x, sympy.latex(x), u, sympy.latex(u), exp(x), exp(x),
                    u, u, lines, also)


BUILTIN = {"sigma": (_sigma, "s"), "tanh": (_tanh, "t"), "exp": (_exp, "u")}


def builtin_function(name: str, variable: str, symbol: str | None) -> Function:
    make, default = BUILTIN[name]
    return make(Symbol(variable), Symbol(symbol or default))


def _parse(text: str, names: dict[str, sympy.Basic], key: str, source: Source | None,
           shown: bool = False) -> sympy.Expr:
    try:
        if shown:
            with sympy.evaluate(False):
                return parse(text, names)
        return parse(text, names)
    except ExprError as exc:
        where = source.at(("function", key)) if source else None
        if where is None:
            raise
        raise SpecErrors([SpecError(where, exc.message, exc.hint)]) from None


def custom_function(spec: CustomFunction, variable: str, symbol: str | None,
                    source: Source | None) -> Function:
    """The author's f: its definition in x and P in the display symbol (default: its name)."""
    x, s = Symbol(variable), Symbol(symbol or spec.name)
    value = _parse(spec.definition, {variable: x}, "definition", source)
    p = sympy.expand(_parse(spec.derivative, {s.name: s}, "derivative", source))
    if source is not None:
        _check_p(spec, x, s, value, p, source)
    p_shown = _parse(spec.derivative, {s.name: s}, "derivative", source, shown=True)
    head = spec.latex or sympy.latex(Symbol(spec.name))
    derivative = sympy.diff(value, x)
    lines: tuple[DerivLine, ...] = (("differentiate", derivative, derivative),)
    also: tuple[AlsoLine, ...] = (
        ("definition", s, "=", value, value),
        ("substitute_definition", p_shown, r"\Rightarrow", p.xreplace({s: value}),
         p.xreplace({s: value})),
    )
    s_latex = sympy.latex(s) if symbol else head
    return Function(spec.name, head, x, sympy.latex(x), s, s_latex, value, value, p, p_shown,
                    lines, also)


def _check_p(spec: CustomFunction, x: Symbol, s: Symbol, value: sympy.Expr, p: sympy.Expr,
             source: Source) -> None:
    where = source.at(("function", "derivative"))
    if not p.is_polynomial(s) or p.free_symbols - {s}:
        raise SpecErrors([SpecError(where, f"{spec.derivative!r} is not a polynomial in {s}",
                                    f"write {spec.name}' using only {s}, numbers, + - * and "
                                    "whole powers")])
    result = compare(sympy.diff(value, x), p.xreplace({s: value}))
    if result.status == "failed":
        raise SpecErrors([SpecError(where, f"{spec.name}' = {spec.derivative} does not hold "
                                    f"for {spec.name}({x}) = {spec.definition}",
                                    f"sympy's derivative differs {result.detail}")])
