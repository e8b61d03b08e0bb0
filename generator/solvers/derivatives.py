"""f', f'', …, f^(k) of a function written in terms of itself (σ' = σ(1−σ), tanh' = 1−tanh²).

The derivation follows seed 000 (2a): Step 1 from the definition, Step 2 differentiates
both sides of s' = P(s), Step 3 applies the product rule to s'' = s'·P'(s); higher
orders use s^(k) = R'(s)·s'. Each display symbol (s, s', σ''(x), …) means the sympy
`diff` of the definition, so every line is checked against sympy, not against the
recurrence that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy
from sympy import Add, Mul, Symbol

from generator.algebra.expr import parse
from generator.algebra.notation import Paren
from generator.algebra.polynomials import ascending, factored
from generator.algebra.printing import to_latex
from generator.algebra.trace import Block, Section, Solution, Step
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers.kind import Kind, PlotFigure
from generator.solvers.parts.self_functions import (
    BUILTIN,
    Function,
    builtin_function,
    custom_function,
)
from generator.spec.models import CustomFunction, SelfDerivativesSpec
from generator.spec.source import Source


def primes(k: int) -> str:
    return "'" * k if k <= 3 else f"^{{({k})}}"


@dataclass(frozen=True)
class Names:
    """Display symbols: s^(k) for the derivatives of s, F_k for f^(k)(x)."""

    fn: Function
    order: int

    def s(self, k: int) -> Symbol:
        base = self.fn.symbol.name
        return self.fn.symbol if k == 0 else Symbol(base + ("'" * k if k <= 3 else f"^({k})"))

    def f(self, k: int) -> Symbol:
        tail = "'" * k if k <= 3 else f"^({k})"
        return Symbol(f"{self.fn.name}{tail}({self.fn.x.name})")

    def latex(self) -> dict[Symbol, str]:
        sym, x = self.fn.symbol_latex, self.fn.x_latex
        out = {self.fn.x: x, self.fn.symbol: sym}
        for k in range(0, self.order + 1):
            out[self.f(k)] = rf"{self.fn.head}{primes(k)}({x})"
            if k:
                out[self.s(k)] = sym + primes(k)
        return out

    def meanings(self) -> dict[Symbol, sympy.Basic]:
        """Ground truth from sympy.diff of the definition, independent of the derivation."""
        fx, x = self.fn.value, self.fn.x
        out: dict[Symbol, sympy.Basic] = {self.fn.symbol: fx, self.f(0): fx}
        value = fx
        for k in range(1, self.order + 1):
            # One order at a time, expanded: diff(σ, x, 12) in one call builds a product-rule
            # tree that takes seconds; the expanded polynomial in σ(x) takes milliseconds.
            value = sympy.expand(sympy.diff(value, x))
            out[self.f(k)] = out[self.s(k)] = value
        return out


def _function(spec: SelfDerivativesSpec, source: Source | None) -> Function:
    if isinstance(spec.function, str):
        return builtin_function(spec.function, spec.variable, spec.symbol)
    return custom_function(spec.function, spec.variable, spec.symbol, source)


def validate(spec: SelfDerivativesSpec, graph: Graph, source: Source) -> None:
    symbol = spec.symbol or (spec.function.name if isinstance(spec.function, CustomFunction)
                             else BUILTIN[spec.function][1])
    if symbol == spec.variable:
        key = "symbol" if spec.symbol else "variable"
        raise SpecErrors([SpecError(source.at((key,)), f"f(x) and the variable are both "
                                    f"called {symbol!r}", "set `symbol:` to another letter")])
    _function(spec, source)  # raises SpecErrors naming the key that is wrong


def solve(spec: SelfDerivativesSpec, graph: Graph) -> Solution:
    fn = _function(spec, None)
    names = Names(fn, spec.order)
    extra = names.meanings()
    chain = [fn.p]  # R_k as polynomials in s: R_1 = P, R_{k+1} = R_k'·P
    for _ in range(2, spec.order + 1):
        chain.append(sympy.expand(sympy.diff(chain[-1], fn.symbol) * fn.p))
    d = _Deriver(fn, names, list(spec.forms), chain)
    blocks = [Block("deriv_notation", d.notation_params()), *d.step1()]
    if spec.order >= 2:
        blocks += d.step2()
    for k in range(3, spec.order + 1):
        blocks += d.step3() if k == 3 and d.has_product_step() else d.step_k(k)
    blocks = [Block(b.key, b.params, b.steps, extra=extra, items=b.items, layout=b.layout,
                    boxed=b.boxed) for b in blocks]
    answers = {f"{fn.name}^({k})({fn.x.name})": chain[k - 1] for k in range(1, spec.order + 1)}
    return Solution(spec.id, spec.kind, (Section("", tuple(blocks), level=0),), answers,
                    names.latex(), defs={fn.symbol.name: fn.value})


def _same(a: sympy.Basic, b: sympy.Basic) -> bool:
    """Do two display forms print alike? (str and srepr sort factors; the printer does not.)"""
    return to_latex(a, {}) == to_latex(b, {})


def _distinct(steps: list[Step]) -> tuple[Step, ...]:
    """Leave out a line that prints the same as the one before it."""
    out = [steps[0]]
    for st in steps[1:]:
        if not _same(st.rhs, out[-1].rhs):
            out.append(st)
    return tuple(out)


def _times(a: sympy.Basic, b: sympy.Basic) -> sympy.Basic:
    """a·b as written: (1 - 2s)s' keeps its brackets, -2t·t' is one flat product."""
    if a == 1:
        return b
    if isinstance(a, Add):
        return Mul(a, b, evaluate=False)
    return Mul(*Mul.make_args(a), b, evaluate=False)


@dataclass(frozen=True)
class _Deriver:
    fn: Function
    names: Names
    forms: list[str]
    chain: list[sympy.Expr]

    @property
    def s(self) -> Symbol:
        return self.fn.symbol

    def shown(self, k: int) -> sympy.Expr:
        whole = all(c.is_Integer for c in sympy.Poly(self.fn.p, self.s).coeffs())
        # P with fractions (e.g. (1 - g²)/2) is not kept as a factor: nested fractions.
        if not whole:
            return factored(self.chain[k - 1], self.s)
        return factored(self.chain[k - 1], self.s, self.fn.p, self.fn.p_shown)

    def notation_params(self) -> dict[str, sympy.Basic | str]:
        n = self.names
        return {"s": self.s, "f": n.f(0), "definition": self.fn.also_lines[0][3],
                "x": self.fn.x, "s1": n.s(1), "s2": self.fn.symbol_latex + "''"}

    def boxed(self, key: str, k: int, params: dict[str, sympy.Basic | str]) -> Block:
        steps = []
        if "factored" in self.forms:
            steps.append(Step("factor", self.shown(k), lhs=self.names.f(k)))
        if "expanded" in self.forms:
            expanded = ascending(self.chain[k - 1], self.s)
            if not steps or not _same(expanded, steps[0].rhs):
                lhs = None if steps else self.names.f(k)
                steps.append(Step("expand", expanded, lhs=lhs))
        return Block(key, params, tuple(steps), boxed=True)

    def step1(self) -> list[Block]:
        fn, n = self.fn, self.names
        first = [Step("definition", fn.definition_shown, lhs=n.f(0), value=fn.value)]
        for i, (rule, shown, value) in enumerate(fn.derivative_lines):
            lhs, rel = (n.f(1), r"\Rightarrow") if i == 0 else (None, "=")
            first.append(Step(rule, shown, lhs=lhs, relation=rel, value=value))
        also = [Step(rule, shown, lhs=lhs, relation=rel, value=value)
                for rule, lhs, rel, shown, value in fn.also_lines]
        return [Block("deriv_step1", {"P": fn.p_shown}),
                Block("", {}, tuple(first)),
                Block("deriv_also", {}, tuple(also), layout="inline"),
                self.boxed("deriv_hence", 1, {})]

    def step2(self) -> list[Block]:
        n, s, p = self.names, self.s, self.fn.p
        expanded = ascending(p, s)
        line = [Step("notation", n.f(1), lhs=n.s(1)), Step("step1", self.fn.p_shown)]
        if not _same(expanded, self.fn.p_shown):
            line.append(Step("expand", expanded))
        terms = []
        for i, c in enumerate(sympy.Poly(p, s).all_coeffs()[::-1]):
            if i and c:
                terms.append(Mul(*[f for f in (c * i, s ** (i - 1)) if f != 1], n.s(1),
                                 evaluate=False) if c * i != 1 or i > 1 else n.s(1))
        both = [Step("term_by_term", terms[0] if len(terms) == 1 else Add(*terms, evaluate=False),
                     lhs=n.s(2))] if terms else [Step("term_by_term", sympy.Integer(0), lhs=n.s(2))]
        product = self.product()
        if not _same(product, both[0].rhs):
            both.append(Step("factor_out", product))
        return [Block("deriv_step2", {"s1": n.s(1), "P": expanded}),
                Block("", {}, tuple(line)),
                Block("deriv_both_sides", {"x": self.fn.x}, tuple(both)),
                self.boxed("deriv_substitute", 2, {"s1": n.s(1), "P": self.fn.p_shown})]

    def q(self) -> sympy.Expr:
        return sympy.expand(sympy.diff(self.fn.p, self.s))

    def product(self) -> sympy.Expr:
        """s'·Q(s), with Q = P'(s) ascending: (1 − 2s)s' as the seed writes it."""
        q = ascending(self.q(), self.s)
        return _times(q, self.names.s(1))

    def has_product_step(self) -> bool:
        return bool(sympy.degree(self.q(), self.s) >= 1)

    def step3(self) -> list[Block]:
        n, s, pd = self.names, self.s, self.fn.p_shown
        q_value, dq = self.q(), sympy.expand(sympy.diff(self.q(), s))
        q = ascending(q_value, s)
        qf = q if isinstance(q, Add) else Paren(q)  # (1 - 2s) or (-2t): always in brackets
        p = self.fn.p
        written = Mul(n.s(1), qf, evaluate=False)
        dq_shown = ascending(dq, s)
        lines = [
            ("product_rule", Add(Mul(n.s(2), qf, evaluate=False),
                                 Mul(n.s(1), Paren(Mul(dq_shown, n.s(1))), evaluate=False),
                                 evaluate=False), n.s(2) * q_value + n.s(1) * dq * n.s(1)),
            ("collect", Add(Mul(n.s(2), qf, evaluate=False),
                            Mul(dq_shown, sympy.Pow(Paren(n.s(1)), 2, evaluate=False),
                                evaluate=False), evaluate=False),
             n.s(2) * q_value + dq * n.s(1) ** 2),
            ("substitute_back", Add(Mul(pd, qf, qf, evaluate=False),
                                    Mul(dq_shown, sympy.Pow(pd, 2, evaluate=False),
                                        evaluate=False), evaluate=False),
             p * q_value**2 + dq * p**2),
            ("factor_out", Mul(pd, Add(sympy.Pow(qf, 2, evaluate=False),
                                       Mul(dq_shown, pd, evaluate=False), evaluate=False),
                               evaluate=False), p * (q_value**2 + dq * p)),
        ]
        steps = [Step(rule, shown, value=value) for rule, shown, value in lines]
        steps[0] = replace(steps[0], lhs=n.s(3))
        steps.append(Step("simplify", self.shown(3)))
        return [Block("deriv_step3", {"s2": n.s(2), "product": written}),
                Block("deriv_product_first", {}, (Step("step2", written, lhs=n.s(2),
                                                       value=n.s(1) * q_value),)),
                Block("deriv_differentiate", {}, tuple(steps)),
                self.boxed("deriv_therefore", 3, {})]

    def step_k(self, k: int) -> list[Block]:
        n, s = self.names, self.s
        previous = ascending(self.chain[k - 2], s)
        slope = ascending(sympy.expand(sympy.diff(self.chain[k - 2], s)), s)
        steps = _distinct([Step("chain_rule", _times(slope, n.s(1)), lhs=n.s(k)),
                           Step("substitute_back", _times(slope, self.fn.p_shown)),
                           Step("simplify", self.shown(k))])
        return [Block("deriv_step_k", {"n": str(k), "prev": n.s(k - 1), "R": previous,
                                       "s1": n.s(1), "P": self.fn.p_shown}),
                Block("", {}, steps),
                self.boxed("deriv_therefore", k, {})]


_BUILTIN = {"sigma": (lambda x: 1 / (1 + sympy.exp(-x)), "\\sigma"),
            "tanh": (sympy.tanh, "\\tanh"), "exp": (sympy.exp, "e")}


def figure(spec: SelfDerivativesSpec, graph: Graph) -> PlotFigure:
    """f and its derivatives, plotted (f in plain sympy: σ written out)."""
    x = sympy.Symbol(spec.variable)
    if isinstance(spec.function, str):
        make, name = _BUILTIN[spec.function]
        return PlotFigure(make(x), x, name, spec.function, spec.order)
    definition = parse(spec.function.definition, {spec.variable: x})
    plain = definition.replace(lambda e: callable(getattr(e, "plain", None)),
                               lambda e: e.plain())
    return PlotFigure(plain, x, spec.function.name, "custom", spec.order)


KIND = Kind[SelfDerivativesSpec]("self_derivatives", validate, solve, figure=figure)
