"""Identity chains: the author writes each line of a rewrite, solgen proves each `=`.

Lines are parsed twice: as written (unevaluated, so 2e^{x/2}/(2(…)) keeps its 2s) for
display, and evaluated for checking. `let:` names are display symbols with a meaning
(s: sigma(x), ds: diff(sigma(x), x)), substituted before comparing. A line that does not
equal the one before it is reported with its file line, both sides and a point where
they differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy
from sympy import Add, Mul, Symbol

from generator.algebra.expr import ExprError, parse
from generator.algebra.notation import Frac
from generator.algebra.trace import Block, Section, Solution, Step
from generator.check.verify import compare
from generator.errors import SpecError, SpecErrors, StepCheckError
from generator.graph.model import Graph, default_latex
from generator.solvers.kind import Kind
from generator.spec.models import ChainLine, IdentitySpec, LetName
from generator.spec.source import KeyPath, Source

# Justification keys an author may give (`why:`), and whether they take `by:`.
REASONS = {
    "definition_of": True, "multiply_num_den": True, "divide_num_den": True,
    "add_subtract": True, "take_out": True, "substitute": True,
    "split_fraction": False, "combine_fractions": False, "expand": False, "simplify": False,
    "product_rule": False, "chain_rule": False, "quotient_rule": False,
}


def _derivative(expr: sympy.Basic, var: sympy.Basic, order: sympy.Basic = sympy.S.One
                ) -> sympy.Basic:
    if not isinstance(var, Symbol) or not (order.is_Integer and 1 <= int(order) <= 12):
        raise ValueError("diff(f, x) or diff(f, x, k) with a variable x and 1 <= k <= 12")
    with sympy.evaluate(True):  # a display parse runs under evaluate(False); diff must not
        return sympy.diff(expr, var, int(order))


CALLS: dict[str, Callable[..., sympy.Basic]] = {"diff": _derivative}


def tidy(expr: sympy.Basic) -> sympy.Basic:
    """Flatten nested sums (a + b) + c of an unevaluated parse, keeping the author's order.

    Products are flattened only when no factor is a reciprocal, so (a/b)/2 stays a
    fraction over 2 as written.
    """
    if not expr.args:
        return expr
    args = [tidy(a) for a in expr.args]
    if isinstance(expr, Add):
        terms = [t for a in args for t in (a.args if isinstance(a, Add) else (a,))]
        return Add(*terms, evaluate=False)
    if isinstance(expr, Mul):
        flat: list[sympy.Basic] = []
        for a in args:
            if isinstance(a, Mul) and _reciprocal(a) is not None:
                flat.append(_fraction(a))  # (a/b)/2: the inner fraction prints as one unit
            else:
                flat.extend(a.args if isinstance(a, Mul) else (a,))
        return Mul(*flat, evaluate=False)
    return expr.func(*args, evaluate=False)


def _reciprocal(expr: sympy.Basic) -> sympy.Basic | None:
    found = [f for f in expr.args if isinstance(f, sympy.Pow) and f.exp == -1]
    return found[0] if len(found) == 1 else None


def _fraction(expr: sympy.Basic) -> sympy.Basic:
    inverse = _reciprocal(expr)
    assert inverse is not None
    rest = [f for f in expr.args if f is not inverse]
    num = rest[0] if len(rest) == 1 else Mul(*rest, evaluate=False)
    return Frac(num, inverse.base)


@dataclass
class Chain:
    names: dict[str, sympy.Basic] = field(default_factory=dict)
    latex: dict[Symbol, str] = field(default_factory=dict)
    meaning: dict[Symbol, sympy.Basic] = field(default_factory=dict)
    shown: list[sympy.Basic] = field(default_factory=list)
    values: list[sympy.Basic] = field(default_factory=list)
    keys: list[KeyPath] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # as the author wrote them, for errors
    reasons: list[tuple[str, dict[str, sympy.Basic]]] = field(default_factory=list)


def _parse(text: str | int | float, chain: Chain, where: KeyPath, source: Source | None,
           shown: bool = False) -> sympy.Basic:
    try:
        if shown:
            with sympy.evaluate(False):
                value = parse(text, chain.names, CALLS)
            return tidy(value)
        return parse(text, chain.names, CALLS)
    except ExprError as exc:
        if source is None:
            raise
        raise SpecErrors([SpecError(source.at(where), exc.message, exc.hint)]) from None


def build(spec: IdentitySpec, source: Source | None) -> Chain:
    chain = Chain()
    for name, var in spec.variables.items():
        sym = Symbol(name)
        chain.names[name], chain.latex[sym] = sym, var.latex or default_latex(name)
    for name, let in spec.let.items():
        if name in chain.names and source is not None:
            raise SpecErrors([SpecError(source.at(("let", name)), f"{name!r} is a variable",
                                        "give the let: name another spelling")])
        body = let.expr if isinstance(let, LetName) else let
        value = _parse(body, chain, ("let", name), source)
        sym = Symbol(name)
        chain.meaning[sym] = value.xreplace(chain.meaning)
        chain.names[name] = sym
        latex = let.latex if isinstance(let, LetName) else None
        chain.latex[sym] = latex or default_latex(name)
    rows: list[tuple[KeyPath, str | int | float, str | None, str | int | float | None]] = []
    if spec.lhs is not None:
        rows.append((("lhs",), spec.lhs, None, None))
    for i, line in enumerate(spec.lines):
        if isinstance(line, ChainLine):
            rows.append((("lines", i), line.expr, line.why, line.by))
        else:
            rows.append((("lines", i), line, None, None))
    for key, text, why, by in rows:
        where = (*key, "expr") if key[0] == "lines" and why is not None else key
        chain.shown.append(_parse(text, chain, where, source, shown=True))
        chain.values.append(_parse(text, chain, where, source).xreplace(chain.meaning))
        chain.keys.append(key)
        chain.texts.append(str(text))
        chain.reasons.append(_reason(spec, key, why, by, chain, source))
    return chain


def _reason(spec: IdentitySpec, key: KeyPath, why: str | None, by: str | int | float | None,
            chain: Chain, source: Source | None) -> tuple[str, dict[str, sympy.Basic]]:
    if why is None:
        return "equal", {}
    problem = ""
    if why not in REASONS:
        problem, hint = f"unknown reason {why!r}", "why is one of: " + ", ".join(sorted(REASONS))
    elif REASONS[why] and by is None:
        problem, hint = f"reason {why!r} needs `by:`", 'say what it uses, e.g. by: "exp(x/2)"'
    elif not REASONS[why] and by is not None:
        problem, hint = f"reason {why!r} takes no `by:`", "remove `by:`"
    if problem and source is not None:
        raise SpecErrors([SpecError(source.at((*key, "why")), problem, hint)])
    params = {} if by is None else {"by": _parse(by, chain, (*key, "by"), source, shown=True)}
    return why, params


def validate(spec: IdentitySpec, graph: Graph, source: Source) -> None:
    chain = build(spec, source)
    errors = []
    for i in range(1, len(chain.values)):
        result = compare(chain.values[i - 1], chain.values[i])
        if result.status != "failed":
            continue
        where = source.at(chain.keys[i])
        before, after = _label(chain.keys[i - 1]), _label(chain.keys[i])
        errors.append(f"{where}: {after} does not follow from {before}\n"
                      f"  {before}: {chain.texts[i - 1]}\n"
                      f"  {after}: {chain.texts[i]}\n"
                      f"  they differ {result.detail} ({before} ≠ {after})")
    if errors:
        raise StepCheckError("\n".join(errors))


def _label(key: KeyPath) -> str:
    return "lhs" if key == ("lhs",) else f"line {int(key[1]) + 1}"


def solve(spec: IdentitySpec, graph: Graph) -> Solution:
    chain = build(spec, None)
    steps = [Step(rule, shown, lhs=chain.shown[0] if i == 0 else None, value=value,
                  params=params)
             for i, (shown, value, (rule, params)) in enumerate(
                 zip(chain.shown[1:], chain.values[1:], chain.reasons[1:], strict=True))]
    block = Block("", {}, tuple(steps), extra=dict(chain.meaning), layout="annotated")
    return Solution(spec.id, spec.kind, (Section("", (block,), level=0),), {}, chain.latex)


KIND = Kind[IdentitySpec]("identity", validate, solve)
