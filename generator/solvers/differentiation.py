"""kind: derivative — f'(x) of any expression, step by step by named rules.

The rule tree (parts/diff_rules.py) decides which rule applies where; parts/diff_steps.py
writes it out with sub-derivations; every line's left side is d/dx of what it works on, so
the verifier checks each rule application against sympy's `diff`. Optionally f' is then
evaluated at a point, exactly and as a correctly rounded decimal.
"""

from __future__ import annotations

import sympy
from sympy import Symbol

from generator.algebra.expr import ExprError, parse
from generator.algebra.printing import to_latex
from generator.algebra.trace import Block, Section, Solution, Step
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers.kind import Kind, PlotFigure
from generator.solvers.parts.diff_rules import (
    CALLS,
    Ddx,
    NotDifferentiable,
    plain,
    rule_tree,
    shown,
)
from generator.solvers.parts.diff_steps import Writer, inner_letter, names, rule_letters
from generator.spec.models import DerivativeSpec
from generator.spec.source import KeyPath, Source

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def functions(spec: DerivativeSpec) -> list[tuple[KeyPath, str | int | float]]:
    if isinstance(spec.function, list):
        return [(("function", i), f) for i, f in enumerate(spec.function)]
    return [(("function",), spec.function)]


def read(text: str | int | float, variables: list[Symbol], source: Source | None,
         key: KeyPath) -> sympy.Basic:
    """Parse f over its variables (the parser's functions plus ln, tan and inverse trig)."""
    try:
        return parse(text, {v.name: v for v in variables}, CALLS)
    except ExprError as exc:
        if source is None:
            raise
        raise SpecErrors([SpecError(source.at(key), exc.message, exc.hint)]) from None


def rules_or_error(f: sympy.Basic, x: Symbol, source: Source, key: KeyPath) -> None:
    try:
        rule_tree(f, x)
    except NotDifferentiable as exc:
        raise SpecErrors([SpecError(
            source.at(key), f"{exc} has no derivative rule here (it has no derivative at 0)",
            "use exp, ln, sqrt, powers, sin, cos, tan, arcsin, arccos, arctan, sigma, tanh, "
            "softplus")]) from None


def point(text: str | int | float, source: Source | None, key: KeyPath) -> sympy.Basic:
    value = read(text, [], source, key)
    if not value.is_real and source is not None:
        raise SpecErrors([SpecError(source.at(key), f"{text!r} is not a real number",
                                    "give a number such as 1, 1/2 or pi/4")])
    return value


def validate(spec: DerivativeSpec, graph: Graph, source: Source) -> None:
    x = Symbol(spec.variable)
    if spec.name == spec.variable:
        raise SpecErrors([SpecError(source.at(("name",)), "f and its variable have one name",
                                    "give `name:` another letter")])
    for key, text in functions(spec):
        f = read(text, [x], source, key)
        rules_or_error(f, x, source, key)
        if spec.at is not None:
            a = point(spec.at, source, ("at",))
            value = sympy.N(sympy.diff(f, x).subs(x, a), 30)
            if not (value.is_real and value.is_finite):
                raise SpecErrors([SpecError(source.at(("at",)), f"f' is not defined at "
                                            f"{spec.variable} = {spec.at} for {text}",
                                            "choose another point")])


def meaning(value: sympy.Basic) -> sympy.Basic:
    """A notation symbol's value for the verifier, which skips a body that is falsy: a
    zero is given as an unevaluated 0 + 0."""
    return sympy.Add(0, 0, evaluate=False) if value == 0 else value


def _symbols(spec: DerivativeSpec) -> tuple[Symbol, Symbol, Symbol]:
    x = spec.variable
    return (Symbol(f"{spec.name}({x})"), Symbol(f"{spec.name}'({x})"),
            Symbol(f"{spec.name}'(a)"))


def at_block(spec: DerivativeSpec, final: sympy.Basic,
             f: sympy.Basic) -> tuple[Block, sympy.Basic]:
    """f'(a): the point substituted as written, the exact value, the decimal."""
    x, (_, _, fa) = Symbol(spec.variable), _symbols(spec)
    a = point(spec.at, None, ("at",)) if spec.at is not None else sympy.Integer(0)
    with sympy.evaluate(False):
        substituted = final.xreplace({x: a})
    exact = sympy.nsimplify(sympy.simplify(plain(final).subs(x, a)))
    steps = [Step("substitution", substituted, lhs=fa, value=plain(final).subs(x, a))]
    if exact.free_symbols == set() and not exact.is_Float:
        steps.append(Step("simplify", shown(exact), value=exact))
    if not exact.is_Rational or exact.q != 1:
        steps.append(Step("numeric_value", sympy.Float(sympy.N(exact, 40), 40),
                          relation=r"\approx", digits=spec.precision))
    return Block("d_at", {"x": x, "a": a}, tuple(steps),
                 extra={fa: meaning(sympy.diff(f, x).subs(x, a))}), exact


def solve_one(spec: DerivativeSpec, text: str | int | float
              ) -> tuple[list[Block], dict[str, sympy.Basic]]:
    """The blocks of one function, and its answers: f'(x) and, with `at:`, f'(a)."""
    x = Symbol(spec.variable)
    fx, fp, _ = _symbols(spec)
    f = read(text, [x], None, ())
    writer = Writer(Ddx, inner_letter([x]), pair=rule_letters([x], spec.name))
    derivation, final = writer.derive(rule_tree(f, x))
    blocks = [Block("d_given", {"fx": fx, "f": shown(f), "fp": fp}), *derivation,
              Block("d_answer", {}, (Step("d_result", shown(final), lhs=fp,
                                          value=plain(final)),),
                    extra={fp: meaning(sympy.diff(f, x))}, boxed=True)]
    answers = {fp.name: plain(final)}
    if spec.at is not None:
        block, exact = at_block(spec, final, f)
        blocks.append(block)
        answers[f"{spec.name}'({spec.at})"] = exact
    return blocks, answers


def solve(spec: DerivativeSpec, graph: Graph) -> Solution:
    fx, fp, fa = _symbols(spec)
    listed = isinstance(spec.function, list)
    sections, answers = [], {}
    for i, (_, text) in enumerate(functions(spec)):
        blocks, found = solve_one(spec, text)
        label = f"({LETTERS[i]}) " if listed else ""
        answers.update({label + k: v for k, v in found.items()})
        if listed:
            sections.append(Section("d_function", tuple(blocks),
                                    {"label": LETTERS[i], "f": blocks[0].params["f"],
                                     "fx": fx}))
        else:
            sections.append(Section("", tuple(blocks), level=0))
    x = spec.variable
    at = "" if spec.at is None else to_latex(point(spec.at, None, ("at",)), {})
    latex = {fx: f"{spec.name}({x})", fp: f"{spec.name}'({x})",
             fa: rf"{spec.name}'\left({at}\right)", **names([Symbol(x)])}
    return Solution(spec.id, spec.kind, tuple(sections), answers, latex)


def figure(spec: DerivativeSpec, graph: Graph) -> PlotFigure | None:
    """f and f′ plotted, for a single function."""
    if isinstance(spec.function, list):
        return None
    x = Symbol(spec.variable)
    f = read(spec.function, [x], None, ())
    plain_f = f.replace(lambda e: callable(getattr(e, "plain", None)), lambda e: e.plain())
    return PlotFigure(plain_f, x, spec.name, "custom", 1)


KIND = Kind[DerivativeSpec]("derivative", validate, solve, figure=figure)
